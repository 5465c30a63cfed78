"""The discovery endpoints of RFC 7644 §4: /ServiceProviderConfig, /ResourceTypes, /Schemas.

Every document is derived from what is registered and configured — the resource
viewsets on the router, their serializers' schemas, the settings and the authentication
classes that enforce them — so what is advertised is what is served.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from . import constants, definitions
from .definitions import Schema
from .exceptions import ResourceNotFound, SCIMAPIException
from .pagination import list_response
from .settings import scim_settings
from .viewsets import SCIMModelViewSet, SCIMViewMixin

__all__ = ["ResourceTypeViewSet", "SchemaViewSet", "ServiceProviderConfigViewSet"]

#: The discovery schemas, listed in /Schemas beside the resources' own (RFC 7643 §8.7.2).
DISCOVERY_SCHEMAS = (
    definitions.SERVICE_PROVIDER_CONFIG,
    definitions.RESOURCE_TYPE,
    definitions.SCHEMA,
)


class FilterForbidden(SCIMAPIException):
    """RFC 7644 §4: a filter on a discovery endpoint SHOULD get 403."""

    status_code = 403
    default_detail = "Filtering is not supported on discovery endpoints."


class DiscoveryViewSet(SCIMViewMixin, viewsets.ViewSet):
    """Base of the read-only discovery viewsets."""

    #: The resource viewsets registered on the router, set by SCIMRouter.
    resource_viewsets: ClassVar[tuple[type[SCIMModelViewSet], ...]] = ()
    #: The router's ``/Bulk`` view (``drf_scim.bulk.SCIMBulkView``), or ``None``.
    bulk_view: ClassVar[Any] = None
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "head"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if "filter" in request.query_params:
            raise FilterForbidden()

    def url(self, *parts: str) -> str:
        base = self.request.build_absolute_uri(self.request.path).rstrip("/")
        if self.detail:
            base = base.rsplit("/", 1)[0]
        return "/".join((base, *parts))

    def root(self) -> str:
        return self.url().rsplit("/", 1)[0]


class ServiceProviderConfigViewSet(DiscoveryViewSet):
    """``GET /ServiceProviderConfig`` (RFC 7643 §5)."""

    def get_authentication_schemes(self) -> list[dict[str, Any]]:
        """The ``scim_authentication_scheme`` of each configured authentication class."""
        schemes = []
        for auth in scim_settings.AUTHENTICATION_CLASSES:
            scheme = getattr(auth, "scim_authentication_scheme", None)
            if scheme:
                schemes.append(dict(scheme))
        return schemes

    def supports(self, feature: str) -> bool:
        """Whether every registered resource supports ``feature`` (a viewset flag)."""
        flags = [vs.supports(feature) for vs in self.resource_viewsets]
        return bool(flags) and all(flags)

    def get_pagination(self) -> dict[str, Any]:
        """The ``pagination`` object of RFC 9865 §4, from the settings the paginator reads."""
        cursor = self.supports("cursor")
        pagination: dict[str, Any] = {
            "cursor": cursor,
            "index": self.supports("index"),
            "defaultPaginationMethod": (
                scim_settings.DEFAULT_PAGINATION_METHOD if cursor else "index"
            ),
            "defaultPageSize": int(scim_settings.DEFAULT_COUNT),
            "maxPageSize": int(scim_settings.MAX_COUNT),
        }
        if cursor and scim_settings.CURSOR_TIMEOUT is not None:
            pagination["cursorTimeout"] = int(scim_settings.CURSOR_TIMEOUT)
        return pagination

    def supports_change_password(self) -> bool:
        """Whether ``password`` can be set with PUT and PATCH (RFC 7643 §5, §4.1.1).

        The resource types whose schema has a ``password`` attribute decide: there must be
        at least one, and every one must support changing it (``supports_change_password``
        on its viewset). A Group has no password and no say.
        """
        with_password = [
            viewset
            for viewset in self.resource_viewsets
            if _serializer(viewset).schema.get("password") is not None
        ]
        return bool(with_password) and all(
            viewset.supports("change_password") for viewset in with_password
        )

    def get_bulk(self) -> dict[str, Any]:
        """``bulk`` (RFC 7643 §5): the limits the router's /Bulk view enforces, if any."""
        if self.bulk_view is None:
            return {"supported": False, "maxOperations": 0, "maxPayloadSize": 0}
        return {
            "supported": True,
            "maxOperations": self.bulk_view.get_max_operations(),
            "maxPayloadSize": self.bulk_view.get_max_payload_size(),
        }

    def get_document(self) -> dict[str, Any]:
        """The ServiceProviderConfig resource (RFC 7643 §5)."""
        document: dict[str, Any] = {"schemas": [constants.SERVICE_PROVIDER_CONFIG_SCHEMA]}
        if scim_settings.DOCUMENTATION_URI:
            document["documentationUri"] = scim_settings.DOCUMENTATION_URI
        document.update(
            {
                "patch": {"supported": self.supports("patch")},
                "bulk": self.get_bulk(),
                "filter": {
                    "supported": self.supports("filter"),
                    "maxResults": int(scim_settings.MAX_COUNT),
                },
                "changePassword": {"supported": self.supports_change_password()},
                "sort": {"supported": self.supports("sort")},
                "etag": {"supported": self.supports("etag")},
                "pagination": self.get_pagination(),
                "authenticationSchemes": self.get_authentication_schemes(),
                "meta": {"resourceType": "ServiceProviderConfig", "location": self.url()},
            }
        )
        return document

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """GET ``/ServiceProviderConfig``: :meth:`get_document`."""
        return Response(self.get_document())


def _serializer(viewset: type[SCIMModelViewSet]) -> Any:
    return viewset.get_resource_serializer()


class ResourceTypeViewSet(DiscoveryViewSet):
    """``GET /ResourceTypes`` and ``/ResourceTypes/{name}`` (RFC 7643 §6)."""

    def describe(self, viewset: type[SCIMModelViewSet]) -> dict[str, Any]:
        """The ResourceType resource of ``viewset`` (RFC 7643 §6)."""
        serializer = _serializer(viewset)
        document: dict[str, Any] = {
            "schemas": [constants.RESOURCE_TYPE_SCHEMA],
            "id": serializer.resource_type,
            "name": serializer.resource_type,
            "endpoint": serializer.endpoint,
            "description": serializer.description or serializer.resource_type,
            "schema": serializer.schema.id,
        }
        if serializer.extensions:
            document["schemaExtensions"] = [
                {"schema": ext.id, "required": ext.id in serializer.required_extensions}
                for ext in serializer.extensions
            ]
        document["meta"] = {
            "resourceType": "ResourceType",
            "location": f"{self.root()}/ResourceTypes/{serializer.resource_type}",
        }
        return document

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """GET ``/ResourceTypes``: every resource type the router serves."""
        documents = [self.describe(viewset) for viewset in self.resource_viewsets]
        return Response(list_response(documents, len(documents), 1))

    def retrieve(self, request: Request, pk: str, *args: Any, **kwargs: Any) -> Response:
        """GET ``/ResourceTypes/{name}``, or a SCIM 404."""
        for viewset in self.resource_viewsets:
            if _serializer(viewset).resource_type == pk:
                return Response(self.describe(viewset))
        raise ResourceNotFound(f"No resource type {pk!r}.")


class SchemaViewSet(DiscoveryViewSet):
    """``GET /Schemas`` and ``/Schemas/{urn}`` (RFC 7643 §7)."""

    def get_schemas(self) -> list[Schema]:
        """The registered resources' schemas and extensions, then the discovery schemas."""
        schemas: dict[str, Schema] = {}
        for viewset in self.resource_viewsets:
            serializer = _serializer(viewset)
            for schema in (serializer.schema, *serializer.extensions):
                schemas.setdefault(schema.id, schema)
        for schema in DISCOVERY_SCHEMAS:
            schemas.setdefault(schema.id, schema)
        return list(schemas.values())

    def describe(self, schema: Schema) -> dict[str, Any]:
        """The Schema resource of ``schema`` (RFC 7643 §7), with its ``meta``."""
        document = schema.to_representation()
        document["meta"] = {
            "resourceType": "Schema",
            "location": f"{self.root()}/Schemas/{schema.id}",
        }
        return document

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """GET ``/Schemas``: the resources' schemas and the discovery schemas."""
        documents = [self.describe(schema) for schema in self.get_schemas()]
        return Response(list_response(documents, len(documents), 1))

    def retrieve(self, request: Request, pk: str, *args: Any, **kwargs: Any) -> Response:
        """GET ``/Schemas/{urn}`` (any case), or a SCIM 404."""
        for schema in self.get_schemas():
            if schema.id.lower() == pk.lower():
                return Response(self.describe(schema))
        raise ResourceNotFound(f"No schema {pk!r}.")
