"""The SCIM resource endpoints as DRF ``ModelViewSet``s (RFC 7644 §3).

Subclass :class:`SCIMModelViewSet` for a resource type of your own, or override its hooks:
``get_tenant()``/``scope_queryset()`` to scope resources (docs/tenants.md),
``on_deactivate()`` for what deprovisioning does, ``perform_create()``/
``perform_update()``/``perform_destroy()`` and ``deactivate()`` for what a write does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any, ClassVar, cast

from django.db import models, transaction
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.filters import BaseFilterBackend
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .constants import SEARCH_REQUEST_SCHEMA
from .exceptions import (
    InvalidFilter,
    InvalidSyntax,
    InvalidValue,
    PreconditionFailed,
    ResourceNotFound,
)
from .filters import SCIMFilterBackend, SCIMSortBackend
from .handlers import scim_exception_handler
from .mixins import (
    SCIMCreateModelMixin,
    SCIMDestroyModelMixin,
    SCIMPartialUpdateModelMixin,
)
from .models import SCIMToken
from .pagination import SCIMPagination, list_response
from .parsers import SCIMJSONParser, SCIMParser
from .projection import Projection
from .renderers import SCIMRenderer
from .serializers import SCIMResourceSerializer
from .settings import scim_settings

__all__ = [
    "GroupViewSet",
    "SCIMModelViewSet",
    "SCIMNotFoundView",
    "SCIMRootSearchView",
    "SCIMViewMixin",
    "UserViewSet",
    "search_params",
]

#: The fields of a SearchRequest (RFC 7644 §3.4.3), by their lower-case names.
_SEARCH_FIELDS = {
    name.lower(): name
    for name in (
        "filter",
        "sortBy",
        "sortOrder",
        "startIndex",
        "count",
        "attributes",
        "excludedAttributes",
    )
}


def search_params(body: Any) -> dict[str, Any]:
    """The query parameters a SearchRequest body stands for (RFC 7644 §3.4.3)."""
    if not isinstance(body, dict):
        raise InvalidSyntax("A SearchRequest must be a JSON object.")
    declared = body.get("schemas")
    if scim_settings.STRICT and (
        not isinstance(declared, list) or SEARCH_REQUEST_SCHEMA not in declared
    ):
        raise InvalidSyntax(f"'schemas' must list {SEARCH_REQUEST_SCHEMA}.")
    params: dict[str, Any] = {}
    for key, value in body.items():
        name = _SEARCH_FIELDS.get(key.lower())
        if name is None or value is None:
            continue
        if name in ("startIndex", "count"):
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise InvalidValue(f"{name} must be an integer.")
            value = str(value)
        elif name in ("attributes", "excludedAttributes"):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = ",".join(value)
            elif not isinstance(value, str):
                raise InvalidValue(f"{name} must be a list of attribute names.")
        params[name] = value
    return params


class SCIMViewMixin:
    """What every SCIM view shares: media types, authentication, errors, transactions."""

    renderer_classes: Sequence[type[BaseRenderer]] = (SCIMRenderer, JSONRenderer)
    parser_classes: Sequence[type[BaseParser]] = (SCIMParser, SCIMJSONParser)

    def get_authenticators(self) -> list[Any]:
        """Instances of the ``AUTHENTICATION_CLASSES`` setting."""
        return [auth() for auth in scim_settings.AUTHENTICATION_CLASSES]

    def get_permissions(self) -> list[BasePermission]:
        """Instances of the ``PERMISSION_CLASSES`` setting."""
        return [permission() for permission in scim_settings.PERMISSION_CLASSES]

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        """SCIM's handler, whatever the project's ``EXCEPTION_HANDLER`` is."""
        return scim_exception_handler

    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        # SCIM writes open their own transactions, so that a failed write can still be
        # audited after its rollback; opt out of ATOMIC_REQUESTS.
        view = super().as_view(*args, **kwargs)  # type: ignore[misc]
        return transaction.non_atomic_requests(view)


class SCIMModelViewSet(  # type: ignore[misc]
    SCIMViewMixin,
    SCIMCreateModelMixin,
    SCIMPartialUpdateModelMixin,
    SCIMDestroyModelMixin,
    viewsets.ModelViewSet,  # type: ignore[type-arg]
):
    """Create, read, replace, delete and list one SCIM resource type (RFC 7644 §3.3-3.6).

    A ``ModelViewSet`` whose writes come from :mod:`drf_scim.mixins` (they take DRF's
    own mixins' place); set ``delete_mode`` for what DELETE does.
    """

    serializer_class: ClassVar[type[SCIMResourceSerializer]]  # type: ignore[misc]
    pagination_class = SCIMPagination
    lookup_field = "id"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]

    filter_backends: Sequence[type[BaseFilterBackend]] = (SCIMFilterBackend, SCIMSortBackend)

    # What this viewset implements, advertised in /ServiceProviderConfig.
    supports_patch = True
    supports_etag = True
    supports_change_password = True

    @classmethod
    def supports(cls, feature: str) -> bool:
        """Whether the viewset implements ``feature`` ("filter", "sort", "patch", ...)."""
        if feature == "filter":
            return any(issubclass(b, SCIMFilterBackend) for b in cls.filter_backends)
        if feature == "sort":
            return any(issubclass(b, SCIMSortBackend) for b in cls.filter_backends)
        return bool(getattr(cls, f"supports_{feature}", False))

    @classmethod
    def get_resource_serializer(cls) -> type[SCIMResourceSerializer]:
        """The resource's serializer class; discovery reads the schemas from it."""
        return cls.serializer_class

    def get_serializer_class(self) -> type[SCIMResourceSerializer]:
        return self.get_resource_serializer()

    #: Parameters of a ``/.search`` body (RFC 7644 §3.4.3), read instead of the query string.
    scim_params: dict[str, Any] | None = None

    def get_scim_param(self, name: str) -> Any:
        """A query parameter, or the same field of a ``/.search`` body."""
        if self.scim_params is not None:
            return self.scim_params.get(name)
        return self.request.query_params.get(name)

    def get_projection(self) -> Projection | None:
        """``attributes``/``excludedAttributes`` of this request (RFC 7644 §3.9)."""
        if not hasattr(self, "_projection"):
            attributes = self.get_scim_param("attributes")
            excluded = self.get_scim_param("excludedAttributes")
            self._projection = (
                Projection.from_params(
                    attributes, excluded, self.get_serializer_class().get_schemas()
                )
                if attributes or excluded
                else None
            )
        return self._projection

    def get_queryset(self) -> models.QuerySet[Any]:
        """The resources this request may see: the serializer's, scoped to the tenant."""
        projection = self.get_projection() if hasattr(self, "request") else None
        preload = getattr(self, "_preload", False)
        relations = getattr(self, "_load_relations", True) and not preload
        queryset = (
            self.get_serializer_class()
            .get_storage()
            .get_queryset(projection, relations=relations, values=not preload)
        )
        return self.scope_queryset(queryset)

    # -- tenants -----------------------------------------------------------------------

    def get_tenant(self) -> Any:
        """The primary key of the tenant this request acts for, or ``None`` for all.

        By default, the tenant of the request's :class:`~drf_scim.models.SCIMToken`.
        Override when tenants come from your own authentication (``request.user``).
        """
        token = getattr(self.request, "auth", None)
        if isinstance(token, SCIMToken) and token.tenant_type_id:
            return token.tenant_id
        return None

    def scope_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """Restrict ``queryset`` to the tenant's resources: the one tenancy hook.

        Filters on the serializer's ``tenant_field``; a resource type without one shows
        a tenant's token nothing, so no tenant can ever read another's resources.
        """
        tenant = self.get_tenant() if hasattr(self, "request") else None
        if tenant is None:
            return queryset
        field = self.get_serializer_class().tenant_field
        if not field:
            return queryset.none()
        return queryset.filter(**{field: tenant})

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not hasattr(self, "_location_base"):
            self._location_base = self.reverse_action("list") + "/"
        context["location_base"] = self._location_base
        context["projection"] = self.get_projection()
        context["tenant"] = self.get_tenant()
        context["delete_mode"] = self.get_delete_mode()
        return context

    def get_object(self, *, lock: bool = False) -> models.Model:
        """The resource named in the URL, or a SCIM 404.

        ``lock=True`` (inside a transaction) first locks its record row, so that
        concurrent writes to one resource run one after the other and none is lost.
        """
        lookup = self.kwargs[self.lookup_field]
        try:
            uuid.UUID(lookup)
        except ValueError:
            raise ResourceNotFound(f"Resource {lookup!r} not found.") from None
        serializer = self.get_serializer_class()
        if lock:
            records = serializer.record_model._default_manager.select_for_update()
            records.filter(id=lookup).values_list("pk", flat=True).first()
            self._load_relations = False  # writes change relations without loading them
        record_name = serializer.record_name
        instance = self.get_queryset().filter(**{f"{record_name}__id": lookup}).first()
        if instance is None:
            raise ResourceNotFound(f"Resource {lookup!r} not found.")
        self.check_object_permissions(self.request, instance)
        return cast(models.Model, instance)

    def resource_response(self, instance: models.Model, status: int) -> Response:
        """The resource as the response to a read or write, with ``ETag`` and ``Location``."""
        headers = {
            "ETag": self.get_etag(instance),
            "Location": f"{self.get_serializer_context()['location_base']}"
            f"{self.resource_id(instance)}",
        }
        return Response(self.get_serializer(instance).data, status=status, headers=headers)

    # -- versions: RFC 7644 §3.14 ------------------------------------------------------

    def get_etag(self, instance: models.Model) -> str:
        """The resource's version as an entity tag; ``meta.version`` carries the same."""
        record = getattr(instance, self.get_serializer_class().record_name)
        return f'W/"{record.version}"'

    def _matches(self, header: str, instance: models.Model) -> bool:
        if header.strip() == "*":
            return True
        current = self.get_etag(instance).removeprefix("W/")
        tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
        return current in tags  # weak comparison, RFC 9110 §8.8.3.2

    def check_preconditions(self, instance: models.Model) -> None:
        """``If-Match`` on PUT, PATCH and DELETE: 412 unless the version matches."""
        header = self.request.headers.get("If-Match")
        if header is not None and not self._matches(header, instance):
            raise PreconditionFailed(
                f"The resource is at version {self.get_etag(instance)}, not {header}."
            )

    # -- endpoints ---------------------------------------------------------------------

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Query resources (RFC 7644 §3.4.2), paginated as a ListResponse.

        The page's value rows and references are read as plain values afterwards
        (:meth:`SCIMResourceSerializer.preload`), not prefetched as model instances.
        """
        if self.paginator is None:  # a subclass without pagination: DRF's own list
            return super().list(request, *args, **kwargs)
        self._preload = True
        page = cast(list[Any], self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        serializer_class = self.get_serializer_class()
        context = self.get_serializer_context()
        root = serializer_class.root_url(str(context["location_base"]))
        context["preloaded"] = serializer_class.get_storage().preload(
            page, self.get_projection(), root
        )
        serializer = serializer_class(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """GET one resource, with its ``ETag``; ``If-None-Match`` gives 304 (RFC 7644 §3.14)."""
        self._load_relations = False  # one resource: its references are read as values
        instance = self.get_object()
        header = request.headers.get("If-None-Match")
        if header is not None and self._matches(header, instance):
            return Response(status=304, headers={"ETag": self.get_etag(instance)})
        return self.resource_response(instance, 200)

    @action(detail=False, methods=["post"], url_path=r"\.search", url_name="search")
    def search(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """POST ``/.search``: a query with its parameters in the body (RFC 7644 §3.4.3)."""
        self.scim_params = search_params(request.data)
        return self.list(request, *args, **kwargs)


class UserViewSet(SCIMModelViewSet):
    """``/Users``: the serializer is the ``USER_SERIALIZER`` setting."""

    @classmethod
    def get_resource_serializer(cls) -> type[SCIMResourceSerializer]:
        return scim_settings.USER_SERIALIZER  # type: ignore[no-any-return]

    def uniqueness_detail(self) -> str:
        return "A user with this userName already exists."


class GroupViewSet(SCIMModelViewSet):
    """``/Groups``: the serializer is the ``GROUP_SERIALIZER`` setting."""

    @classmethod
    def get_resource_serializer(cls) -> type[SCIMResourceSerializer]:
        return scim_settings.GROUP_SERIALIZER  # type: ignore[no-any-return]

    def uniqueness_detail(self) -> str:
        return "A group with this displayName already exists."


class SCIMNotFoundView(SCIMViewMixin, APIView):
    """Answers every unknown path under the SCIM root with a SCIM 404."""

    schema = None  # not an endpoint: keep it out of the OpenAPI schema

    def not_found(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise ResourceNotFound(f"No SCIM endpoint at {request.path}.")

    get = post = put = patch = delete = options = not_found


class SCIMRootSearchView(SCIMViewMixin, APIView):
    """``POST /.search``: one query over every resource type (RFC 7644 §3.4.3).

    Each resource type is filtered, sorted and projected by its own schemas; a type whose
    schemas do not know an attribute of the filter contributes nothing (the filter is a
    400 only when no type knows it). Results are listed type by type, in registration
    order, and paginated over the whole.
    """

    schema = None  # documented with the resource endpoints' own /.search
    http_method_names = ["post"]
    #: The resource viewsets registered on the router, set by SCIMRouter.
    resource_viewsets: ClassVar[tuple[type[SCIMModelViewSet], ...]] = ()

    def get_resource_view(self, viewset: type[SCIMModelViewSet], params: dict[str, Any]) -> Any:
        serializer = viewset.get_resource_serializer()
        view = viewset(
            request=self.request,
            args=(),
            kwargs={},
            format_kwarg=None,
            action="list",
            basename=f"scim-{serializer.resource_type.lower()}",
        )
        view.scim_params = params
        return view

    def sort(self, view: Any, queryset: Any) -> Any:
        """Sort one type's matches; a type that lacks the sortBy attribute stays unsorted."""
        for backend in view.filter_backends:
            if issubclass(backend, SCIMSortBackend):
                sorter = backend()
                sorter.descending(self.request, view)  # a bad sortOrder is an error for all
                with suppress(InvalidValue):  # sortBy names an attribute this type lacks
                    queryset = sorter.filter_queryset(self.request, queryset, view)
        return queryset

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = search_params(request.data)
        matches = []
        errors: list[InvalidFilter] = []
        for viewset in self.resource_viewsets:
            view = self.get_resource_view(viewset, params)
            queryset = view.get_queryset()
            try:
                for backend in view.filter_backends:
                    if issubclass(backend, SCIMSortBackend):
                        continue
                    queryset = backend().filter_queryset(request, queryset, view)
            except InvalidFilter as exc:
                errors.append(exc)
                continue
            matches.append((view, self.sort(view, queryset)))
        if errors and not matches:
            raise errors[0]
        paginator = SCIMPagination()
        paginator.params = params
        start_index = paginator.get_start_index(request)
        count = paginator.get_count(request)
        counts = [queryset.count() for _, queryset in matches]
        resources: list[Any] = []
        offset = start_index - 1
        for (view, queryset), size in zip(matches, counts, strict=True):
            wanted = count - len(resources)
            if wanted <= 0:
                break
            if offset >= size:
                offset -= size
                continue
            page = list(queryset[offset : offset + wanted])
            offset = 0
            resources.extend(view.get_serializer(page, many=True).data)
        return Response(list_response(resources, sum(counts), start_index))
