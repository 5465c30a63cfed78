"""drf-spectacular extensions: an exact OpenAPI schema of the SCIM endpoints.

Imported by ``DRFSCIMConfig.ready()``: drf-spectacular is a dependency of drf-scim, and
nothing else is needed. The resource bodies are generated from the same schema
definitions that drive validation and ``/Schemas``, so a custom extension appears in the
OpenAPI schema by itself, and the discovery documents from the discovery schemas
(RFC 7643 §5-7). The examples are real documents (``openapi_examples``).

:class:`SCIMViewExtension` gives every SCIM view :class:`SCIMAutoSchema`, which documents
what the views really do: ``application/scim+json`` (RFC 7644 §3.1), ListResponse,
SearchRequest and PatchOp messages (§3.4.2, §3.4.3, §3.5.2), the Error body on each status
an operation can answer (§3.12), ``attributes``/``excludedAttributes`` (§3.9) and versions:
``ETag``, ``If-Match``, ``If-None-Match`` (§3.14).

``POST /Bulk`` (``SCIMBulkView``) takes a BulkRequest and answers a BulkResponse (§3.7).
``POST /.search`` at the SCIM root (``SCIMRootSearchView``) is left out: each resource
type's own ``/.search`` is documented instead.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from drf_spectacular.drainage import warn
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiViewExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    ResolvedComponent,
    build_array_type,
    build_bearer_security_scheme_object,
)
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiRequest,
    OpenApiResponse,
)
from rest_framework.views import APIView

from drf_scim import constants, definitions
from drf_scim.bulk import SCIMBulkView
from drf_scim.characteristics import AttributeType, Mutability, Returned
from drf_scim.contrib import openapi_examples
from drf_scim.definitions import COMMON_ATTRIBUTES, Attribute, Schema
from drf_scim.discovery import (
    DiscoveryViewSet,
    ResourceTypeViewSet,
    SchemaViewSet,
    ServiceProviderConfigViewSet,
)
from drf_scim.pagination import SCIMPagination, list_response
from drf_scim.settings import scim_settings
from drf_scim.viewsets import SCIMMeMixin, SCIMModelViewSet

__all__ = [
    "SCIM_TYPES",
    "SCIMAutoSchema",
    "SCIMResourceSerializerExtension",
    "SCIMTokenAuthenticationScheme",
    "SCIMViewExtension",
    "json_schema",
]

_TYPES: dict[AttributeType, dict[str, Any]] = {
    AttributeType.STRING: {"type": "string"},
    AttributeType.BOOLEAN: {"type": "boolean"},
    AttributeType.DECIMAL: {"type": "number"},
    AttributeType.INTEGER: {"type": "integer"},
    AttributeType.DATETIME: {"type": "string", "format": "date-time"},
    AttributeType.BINARY: {"type": "string", "format": "byte"},
    AttributeType.REFERENCE: {"type": "string", "format": "uri-reference"},
}

#: A string without NUL characters.
_NO_NUL = r"^[^\u0000]*$"
#: The same, with at least one character that is not white space.
_SOME_TEXT = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"

#: The ``scimType`` keywords of RFC 7644 §3.12, Table 9, in the RFC's order, and RFC 9865's.
SCIM_TYPES = (
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
    "invalidCursor",  # RFC 9865 §2.1 extends Table 9 with these two
    "expiredCursor",
)


def json_schema(attributes: Iterable[Attribute], direction: str | None = None) -> dict[str, Any]:
    """The JSON schema of an object with these SCIM attributes.

    ``direction`` ``"request"`` leaves out read-only attributes and requires the required
    ones; ``"response"`` leaves out write-only ones and requires only what is always
    returned (``id``): ``attributes``/``excludedAttributes`` may leave out any other
    (RFC 7644 §3.9). Without a direction (discovery documents, which are never projected),
    ``required`` lists both the required attributes and the read-only ones that are always
    returned: OpenAPI 3.0 applies ``required`` to a read-only property in responses only.
    drf-spectacular's ``COMPONENT_NO_READ_ONLY_REQUIRED`` setting leaves the latter out.
    """
    properties = {}
    required = []
    for attribute in attributes:
        read_only = attribute.mutability is Mutability.READ_ONLY
        write_only = attribute.mutability is Mutability.WRITE_ONLY
        if attribute.returned is Returned.NEVER and not write_only:
            continue
        if (direction == "request" and read_only) or (direction == "response" and write_only):
            continue
        properties[attribute.name] = _attribute_schema(attribute, direction)
        if read_only and spectacular_settings.COMPONENT_NO_READ_ONLY_REQUIRED:
            continue
        always = read_only and attribute.returned is Returned.ALWAYS
        if direction == "response":
            wanted = always
        elif direction == "request":
            wanted = attribute.required
        else:
            wanted = attribute.required or always
        if wanted:
            required.append(attribute.name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _dialects(attribute: Attribute, single: dict[str, Any]) -> dict[str, Any]:
    """``single`` and the other shapes ``drf_scim.normalization`` reads for ``attribute``.

    Unless ``STRICT``, a request may use the identity providers' dialects, and the schema
    says so: whole numbers for strings, ``"True"`` for booleans, numeric strings for numbers; a
    one-element list or a bare id for a single complex value with a ``value``.
    """
    if attribute.is_complex:
        shapes = [single, {"type": "array", "items": single, "minItems": 1, "maxItems": 1}]
        if attribute.get("value") is not None:
            shapes.append({"type": "string"})
        return {"anyOf": shapes}
    dialect = {
        AttributeType.STRING: {"type": "integer"},
        AttributeType.REFERENCE: {"type": "integer"},
        AttributeType.BOOLEAN: {
            "type": "string",
            "pattern": _any_case("true", "false", spaces=True),
        },
        AttributeType.INTEGER: {"type": "string", "pattern": r"^\s*[+-]?[0-9]{1,30}\s*$"},
        AttributeType.DECIMAL: {
            "type": "string",
            "maxLength": 60,
            "pattern": r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$",
        },
    }.get(attribute.type)
    return {"anyOf": [single, dialect]} if dialect else single


def _allow_null(schema: dict[str, Any]) -> None:
    """Make ``schema`` admit null.

    OpenAPI 3.0's ``nullable`` applies to a schema with a ``type``: of dialects
    (``anyOf``), to the first, the RFC's shape.
    """
    (schema["anyOf"][0] if "anyOf" in schema else schema)["nullable"] = True


def _attribute_schema(attribute: Attribute, direction: str | None) -> dict[str, Any]:
    request = direction == "request"
    if attribute.is_complex:
        single: dict[str, Any] = json_schema(attribute.sub_attributes, direction)
    else:
        single = dict(_TYPES[attribute.type])
    if request and attribute.type is AttributeType.STRING:
        # validation.py refuses NUL, which PostgreSQL cannot store, in every string; a
        # required one needs a character other than white space (userName, displayName).
        if attribute.required and not attribute.multi_valued:
            single.update(minLength=1, pattern=_SOME_TEXT)
        else:
            single["pattern"] = _NO_NUL
    lenient = request and not scim_settings.STRICT
    if lenient and not (attribute.multi_valued and attribute.is_complex):
        single = _dialects(attribute, single)
    if request and attribute.multi_valued:
        _allow_null(single)  # a null value in the list is no value (RFC 7643 §2.5)
    schema: dict[str, Any] = (
        {"type": "array", "items": single} if attribute.multi_valued else dict(single)
    )
    if lenient and attribute.multi_valued:
        schema = {"anyOf": [schema, single]}  # a single value for a multi-valued attribute
    if request and not attribute.required:
        _allow_null(schema)  # null is no value (RFC 7643 §2.5), as the server reads it
    return _annotated(attribute, schema)


def _annotated(attribute: Attribute, schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the attribute's description and mutability."""
    description = attribute.description
    if attribute.canonical_values:
        values = ", ".join(attribute.canonical_values)
        description = f"{description} Canonical values: {values}.".strip()
    if description:
        schema["description"] = description
    if attribute.mutability is Mutability.READ_ONLY:
        schema["readOnly"] = True
    if attribute.mutability is Mutability.WRITE_ONLY:
        schema["writeOnly"] = True
    return schema


def _schemas_property(registry: Any, owner: str, *urns: str) -> dict[str, Any]:
    """The ``schemas`` attribute of a message or resource (RFC 7643 §3).

    Its URIs are a component of their own, ``{owner}SchemasEnum``: drf-spectacular's enum
    hook would otherwise give the many ``schemas`` enums colliding names.
    """
    component = ResolvedComponent(  # type: ignore[no-untyped-call]
        name=f"{owner}SchemasEnum",
        type=ResolvedComponent.SCHEMA,
        object=f"drf_scim.{owner}SchemasEnum",
        schema={"type": "string", "enum": list(urns)},
    )
    registry.register_on_missing(component)
    return {
        "type": "array",
        "items": component.ref,
        "description": "The URIs of the schemas the body follows (RFC 7643 §3).",
    }


def _document_schema(registry: Any, name: str, schema: Schema) -> dict[str, Any]:
    """A discovery document: the attributes of ``schema`` with ``schemas`` and ``meta``."""
    # Discovery documents are not versioned resources: their meta has no dates or version.
    meta = next(attribute for attribute in COMMON_ATTRIBUTES if attribute.name == "meta")
    meta = replace(
        meta,
        sub_attributes=tuple(
            sub for sub in meta.sub_attributes if sub.name in ("resourceType", "location")
        ),
    )
    document = json_schema([*schema.attributes, meta])
    schemas = _schemas_property(registry, name, schema.id)
    document["properties"] = {"schemas": schemas, **document["properties"]}
    document["required"] = ["schemas", *document.get("required", [])]
    return document


class SCIMResourceSerializerExtension(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """Describe a SCIM resource serializer by its schemas (RFC 7643 §2-4).

    Two components per resource type: the answer, named after it (``User``), and the body
    of a POST or PUT (``UserRequest``). They differ in what is required: a request must
    carry the required attributes (``userName``), an answer shaped by ``attributes`` or
    ``excludedAttributes`` carries only what is always returned (``id``). Read-only
    attributes (``id``, ``meta``) are only in the answer, write-only ones (``password``)
    only in the request. Each schema extension is an object under its URN.
    """

    target_class = "drf_scim.serializers.SCIMResourceSerializer"
    match_subclasses = True

    def get_name(self, auto_schema: Any, direction: str) -> str:
        name = str(self.target.resource_type)
        # With COMPONENT_SPLIT_REQUEST, drf-spectacular adds the suffix itself.
        if direction == "request" and not spectacular_settings.COMPONENT_SPLIT_REQUEST:
            name += "Request"
        return name

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schemas = self.target.get_schemas()
        schema = json_schema([*COMMON_ATTRIBUTES, *schemas.core], direction)
        urns = [schemas.core.id, *(extension.id for extension in schemas.extensions)]
        name = str(self.target.resource_type)
        if direction == "request":
            declared = _message_schemas_property(auto_schema.registry, name, *urns, typed=True)
            if scim_settings.STRICT:
                schema["required"] = ["schemas", *schema.get("required", [])]
        else:
            declared = _schemas_property(auto_schema.registry, name, *urns)
        schema["properties"] = {"schemas": declared, **schema["properties"]}
        for extension in schemas.extensions:
            body = json_schema(extension.attributes, direction)
            body["description"] = f"{extension.description} ({extension.id})."
            schema["properties"][extension.id] = body
            if direction == "request" and extension.id in schemas.required_extensions:
                schema.setdefault("required", []).append(extension.id)
        return schema


class SCIMTokenAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """``Authorization: Bearer <token>`` (RFC 6750), for Swagger UI's Authorize button."""

    target_class = "drf_scim.authentication.SCIMTokenAuthentication"
    name = "SCIMBearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 - a scheme name
        )
        scheme["description"] = (
            "A SCIM bearer token, as created by `manage.py create_scim_token NAME` "
            "(RFC 6750). Paste the token alone, without `Bearer`."
        )
        return scheme


# -- the operations ------------------------------------------------------------------------

_ERROR_DESCRIPTIONS = {
    400: "The request is not valid; `scimType` says why (RFC 7644 §3.12, Table 9).",
    401: "No valid bearer token was given (RFC 7644 §2).",
    403: "The token may not make this request.",
    404: "No such resource (RFC 7644 §3.12).",
    409: "`scimType` uniqueness: a unique value, such as `userName`, is taken (RFC 7644 §3.3).",
    412: "The resource has changed: `If-Match` names another version (RFC 7644 §3.14).",
    413: "The request body exceeds {max_payload_size} bytes (the `MAX_PAYLOAD_SIZE` setting).",
    415: "The request body is neither `application/scim+json` nor `application/json`.",
    501: "The token is bound to no user, so `/Me` stands for no one (RFC 7644 §3.11).",
}

#: The example Error of each status (RFC 7644 §3.12): (``detail``, ``scimType``), as the
#: server writes them. ``scimType`` only where Table 9 gives one; a 400's depends on the
#: operation (``_BAD_REQUEST_EXAMPLES``).
_ERROR_EXAMPLES: dict[int, tuple[str, str | None]] = {
    401: ("Authentication credentials were not provided.", None),
    403: ("You do not have permission to perform this action.", None),
    404: (f"Resource '{openapi_examples.USER_ID}' not found.", None),
    412: ('The resource is at version W/"3", not W/"2".', None),
    413: ("The request body exceeds {max_payload_size} bytes.", None),
    415: ('Unsupported media type "text/plain" in request.', None),
    501: (
        "/Me: this token is bound to no user (RFC 7644 §3.11); bind one with "
        "create_scim_token --user or in the admin.",
        None,
    ),
}

_BAD_REQUEST_EXAMPLES: dict[str, tuple[str, str]] = {
    "list": ("Expected a comparison operator at position 9: 'userName zz 1'", "invalidFilter"),
    "search": ("Expected a comparison operator at position 9: 'userName zz 1'", "invalidFilter"),
    "create": ("userName: is required.", "invalidValue"),
    "update": ("userName: is required.", "invalidValue"),
    "partial_update": ("Unknown attribute 'nickname2'.", "invalidPath"),
    "bulk": ("'Operations' must be an array (RFC 7644 §3.7).", "invalidSyntax"),
}

#: What ``/Me`` answers 404 for.
_ME_NOT_FOUND = (
    "The user bound to the token is not a SCIM resource: out of scope (staff, superuser), "
    "another tenant's, or deleted (RFC 7644 §3.11, §3.12)."
)

#: The errors of each resource operation, besides 401 and 403 (every operation's).
_RESOURCE_ERRORS: dict[str, tuple[int, ...]] = {
    "list": (400,),
    "search": (400, 413, 415),
    "create": (400, 409, 413, 415),
    "retrieve": (404,),
    "update": (400, 404, 409, 412, 413, 415),
    "partial_update": (400, 404, 409, 412, 413, 415),
    "destroy": (404, 412),
}

#: Resource operations: (the verb of operationId and summary, the noun is plural).
_RESOURCE_OPERATIONS: dict[str, tuple[str, bool]] = {
    "list": ("list", True),
    "search": ("search", True),
    "create": ("create", False),
    "retrieve": ("get", False),
    "update": ("replace", False),
    "partial_update": ("patch", False),
    "destroy": ("delete", False),
}

_RESOURCE_DESCRIPTIONS = {
    "list": (
        "Query {plural} (RFC 7644 §3.4.2): `filter`, `sortBy`/`sortOrder`, "
        "`startIndex`/`count` (1-based, at most {max_count} per page) or `cursor`/`count` "
        "(RFC 9865) and `attributes`/`excludedAttributes`. `totalResults` counts every match."
    ),
    "search": (
        "Query {plural} with the parameters in a SearchRequest body (RFC 7644 §3.4.3), "
        "for filters too long or too sensitive for a URL. Answers as `GET {endpoint}` does."
    ),
    "create": (
        "Create the {name} given in the body (RFC 7644 §3.3). The answer is the new "
        "resource with its `Location` and `ETag`."
    ),
    "retrieve": (
        "Get the {name} with this `id` (RFC 7644 §3.4.1). `If-None-Match` with its current "
        "`ETag` gives 304 (RFC 7644 §3.14)."
    ),
    "update": (
        "Replace the {name} with the body (RFC 7644 §3.5.1): attributes left out are "
        "cleared. With `If-Match`, only if it is still at that version (RFC 7644 §3.14)."
    ),
    "partial_update": (
        "Apply a PatchOp's operations to the {name} (RFC 7644 §3.5.2), all of them or none. "
        "With `If-Match`, only if it is still at that version (RFC 7644 §3.14)."
    ),
    "destroy": (
        "Delete the {name} (RFC 7644 §3.6): it is 404 from then on. "
        "With `If-Match`, only if it is still at that version (RFC 7644 §3.14)."
    ),
}

#: Discovery viewsets: (document name, endpoint, definition, path parameter description).
_DISCOVERY: tuple[tuple[type[DiscoveryViewSet], str, str, Schema, str], ...] = (
    (
        ServiceProviderConfigViewSet,
        "ServiceProviderConfig",
        "ServiceProviderConfig",
        definitions.SERVICE_PROVIDER_CONFIG,
        "",
    ),
    (
        ResourceTypeViewSet,
        "ResourceType",
        "ResourceTypes",
        definitions.RESOURCE_TYPE,
        "The resource type's name, e.g. `User`.",
    ),
    (
        SchemaViewSet,
        "Schema",
        "Schemas",
        definitions.SCHEMA,
        "The schema's URI, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`.",
    ),
)

#: The id of the 404 example of a resource type without an example resource.
_UNKNOWN_ID = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"

#: The example ``id`` of a discovery document: the User resource type and schema.
_DISCOVERY_IDS = {"ResourceType": "User", "Schema": constants.USER_SCHEMA}

_DISCOVERY_DESCRIPTIONS = {
    "ServiceProviderConfig": (
        "The features this service provider supports (RFC 7644 §4, RFC 7643 §5). "
        "A `filter` parameter gets 403."
    ),
    "ResourceTypes": (
        "The resource types served (RFC 7644 §4, RFC 7643 §6), as a ListResponse. "
        "A `filter` parameter gets 403."
    ),
    "ResourceType": "One resource type (RFC 7643 §6).",
    "Schemas": (
        "The schemas of the resource types and of discovery (RFC 7644 §4, RFC 7643 §7), "
        "as a ListResponse. A `filter` parameter gets 403."
    ),
    "Schema": "One schema, by its URI (RFC 7643 §7).",
}

_ME_DESCRIPTION = (
    "`/Me`, the user bound to the request's token (RFC 7644 §3.11): as `{endpoint}/{{id}}` "
    "of that user, whose URI `Location` and `meta.location` give. "
)

_ETAG = 'The resource\'s version, a weak entity tag such as `W/"3"` (RFC 7644 §3.14).'


class SCIMAutoSchema(AutoSchema):
    """drf-spectacular's ``AutoSchema`` for the SCIM views (RFC 7644 §3 and §4).

    :class:`SCIMViewExtension` installs it on every resource and discovery viewset. Set
    ``schema = SCIMAutoSchema()`` on a SCIM viewset yourself only when you decorate its
    methods with ``@extend_schema``: drf-spectacular then builds the decorated schema on
    the view's own schema class, and this keeps it a SCIM one.
    """

    # -- what the view is ------------------------------------------------------------------

    @property
    def action(self) -> str:
        return str(getattr(self.view, "action", None) or self.method.lower())

    def is_resource_view(self) -> bool:
        return isinstance(self.view, SCIMModelViewSet)

    def is_me_view(self) -> bool:
        """``/Me``, the alias of the token's user (RFC 7644 §3.11)."""
        return isinstance(self.view, SCIMMeMixin)

    def get_discovery(self) -> tuple[str, str, Schema, str] | None:
        """(document name, endpoint, definition, path parameter text) of a discovery view."""
        for cls, name, endpoint, schema, lookup in _DISCOVERY:
            if isinstance(self.view, cls):
                return name, endpoint, schema, lookup
        return None

    def _resource_names(self) -> tuple[str, str, str]:
        view: Any = self.view
        serializer = view.get_resource_serializer()
        return serializer.resource_type, serializer.endpoint.strip("/"), serializer.endpoint

    # -- names and text ------------------------------------------------------------------

    def is_bulk_view(self) -> bool:
        return isinstance(self.view, SCIMBulkView)

    def get_operation_id(self) -> str:
        if self.is_bulk_view():
            return "bulk"
        if self.is_resource_view() and self.action in _RESOURCE_OPERATIONS:
            verb, plural = _RESOURCE_OPERATIONS[self.action]
            name, plural_name, _ = self._resource_names()
            if self.is_me_view():
                return f"{verb}Me"
            return f"{verb}{plural_name if plural else name}"
        discovery = self.get_discovery()
        if discovery is not None:
            name, endpoint, _, _ = discovery
            if self.action == "retrieve":
                return f"get{name}"
            return f"get{endpoint}" if endpoint == name else f"list{endpoint}"
        return super().get_operation_id()

    def get_summary(self) -> str | None:
        if self.is_bulk_view():
            return "Run bulk operations"
        if self.is_resource_view() and self.action in _RESOURCE_OPERATIONS:
            verb, plural = _RESOURCE_OPERATIONS[self.action]
            name, plural_name, _ = self._resource_names()
            if self.is_me_view():
                return f"{verb.capitalize()} Me"
            return f"{verb.capitalize()} {plural_name if plural else name}"
        discovery = self.get_discovery()
        if discovery is not None:
            name, endpoint, _, _ = discovery
            if self.action == "retrieve" or endpoint == name:
                return f"Get {name}"
            return f"List {endpoint}"
        return super().get_summary()

    def get_description(self) -> str:  # type: ignore[override]
        if self.is_bulk_view():
            view: Any = self.view
            return _BULK_DESCRIPTION.format(
                max_operations=view.get_max_operations(),
                max_payload_size=view.get_max_payload_size(),
            )
        if self.is_resource_view() and self.action in _RESOURCE_DESCRIPTIONS:
            name, plural, endpoint = self._resource_names()
            text = _RESOURCE_DESCRIPTIONS[self.action].format(
                name=name, plural=plural, endpoint=endpoint, max_count=scim_settings.MAX_COUNT
            )
            if self.action == "partial_update":
                text += (
                    " The answer is 204 without a body (the `PATCH_RESPONSE` setting), or the"
                    " resource when `attributes` or `excludedAttributes` is given."
                    if self.patch_answers_no_content()
                    else " The answer is the resource, shaped by `attributes`/`excludedAttributes`."
                )
            if self.is_me_view():
                text = _ME_DESCRIPTION.format(endpoint=endpoint) + text.replace(
                    f"the {name} with this `id`", f"the {name}"
                )
            return text
        discovery = self.get_discovery()
        if discovery is not None:
            name, endpoint, _, _ = discovery
            return _DISCOVERY_DESCRIPTIONS[name if self.action == "retrieve" else endpoint]
        return super().get_description()

    def get_tags(self) -> list[str]:
        if self.is_bulk_view():
            return ["Bulk"]
        if self.is_resource_view():
            return [self._resource_names()[1]]
        if self.get_discovery() is not None:
            return ["Discovery"]
        return super().get_tags()

    # -- media types -------------------------------------------------------------------

    def map_renderers(self, attribute: str) -> list[Any]:
        """``application/scim+json`` (RFC 7644 §3.1), not DRF's ``?format=`` alternatives."""
        renderers = [
            renderer
            for renderer in self.view.get_renderers()
            if renderer.media_type.split(";")[0] == constants.MEDIA_TYPE
        ]
        found = [getattr(renderer, attribute).split(";")[0] for renderer in renderers]
        return list(dict.fromkeys(found)) or super().map_renderers(attribute)

    # -- lists -------------------------------------------------------------------------

    def _is_list_view(self, serializer: Any = None) -> bool:
        # drf-spectacular's list wrapping is off: every SCIM list is documented as the
        # ListResponse it is (see list_response_ref), and the query parameters of
        # GET on a collection are added below.
        return False

    def is_collection_query(self) -> bool:
        """``GET`` on a resource collection: the filter and paging parameters apply."""
        return self.is_resource_view() and self.action == "list"

    def get_filter_backends(self) -> list[Any]:
        view: Any = self.view
        return list(view.filter_backends) if self.is_collection_query() else []

    def _get_pagination_parameters(self) -> list[dict[str, Any]]:
        paginator = getattr(self.view, "paginator", None)
        if not self.is_collection_query() or paginator is None:
            return []
        return paginator.get_schema_operation_parameters(self.view)  # type: ignore[no-any-return]

    def get_paginated_name(self, serializer_name: str) -> str:
        return f"{serializer_name}ListResponse"

    # -- components --------------------------------------------------------------------

    def component(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        """A reference to the component ``name``, registered from ``schema`` if new."""
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name=name, type=ResolvedComponent.SCHEMA, object=f"drf_scim.{name}", schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

    def error_ref(self) -> dict[str, Any]:
        return self.component("Error", _error_schema(self.registry))

    def list_response_ref(self, name: str, item: dict[str, Any]) -> dict[str, Any]:
        """A ListResponse of ``item`` (RFC 7644 §3.4.2), as the paginator describes it."""
        pagination_class = getattr(self.view, "pagination_class", None) or SCIMPagination
        schema = pagination_class().get_paginated_response_schema(build_array_type(item))
        schema["properties"]["schemas"] = _schemas_property(
            self.registry, "ListResponse", constants.LIST_RESPONSE_SCHEMA
        )
        return self.component(self.get_paginated_name(name), schema)

    def discovery_ref(self, name: str, schema: Schema) -> dict[str, Any]:
        document = _document_schema(self.registry, name, schema)
        if schema is definitions.SCHEMA:
            # A Schema's attributes nest as subAttributes, one level per complex attribute.
            attribute = document["properties"]["attributes"]["items"]
            attribute["properties"]["subAttributes"]["items"] = _ref("SchemaAttribute")
            document["properties"]["attributes"]["items"] = self.component(
                "SchemaAttribute", attribute
            )
        return self.component(name, document)

    # -- parameters and headers --------------------------------------------------------

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        parameters.append(
            OpenApiParameter(
                "WWW-Authenticate",
                str,
                OpenApiParameter.HEADER,
                response=[401],
                description="The authentication scheme to use: `Bearer` (RFC 6750).",
            )
        )
        if self.is_resource_view():
            parameters += self.resource_parameters()
        discovery = self.get_discovery()
        if discovery is not None and self.action == "retrieve":
            parameters.append(
                OpenApiParameter(
                    "id",
                    str,
                    OpenApiParameter.PATH,
                    required=True,
                    description=discovery[3],
                    examples=_id_examples(_DISCOVERY_IDS[discovery[0]]),
                )
            )
        return parameters

    def resource_parameters(self) -> list[OpenApiParameter]:
        """``attributes``, ``excludedAttributes``, the id, and the version headers."""
        return _resource_parameters(
            self.action,
            self.patch_answers_no_content(),
            path_id=not self.is_me_view(),
            id_example=openapi_examples.resource_id(self._core_schema()),
        )

    def patch_answers_no_content(self) -> bool:
        """Whether PATCH answers 204 without ``attributes`` (the view's ``get_patch_response``)."""
        answer = getattr(self.view, "get_patch_response", None)
        return answer is not None and answer() == "no-content"

    # -- bodies ------------------------------------------------------------------------

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is not None and "requestBody" in operation:
            # Every SCIM body is required, except a SearchRequest: without one, ``/.search``
            # answers as ``GET`` without parameters does.
            operation["requestBody"]["required"] = self.action != "search"
        return operation

    def get_request_serializer(self) -> Any:
        if self.is_bulk_view():
            view: Any = self.view
            schema = _bulk_request_schema(self.registry, view.get_max_operations())
            ref = self.component("BulkRequest", schema)
            return dict.fromkeys(self.map_parsers(), ref)
        if self.is_resource_view():
            message = {
                "partial_update": ("PatchOp", _patch_op_schema),
                "search": ("SearchRequest", _search_request_schema),
            }.get(self.action)
            core = self._core_schema()
            if message is not None:
                name, build = message
                ref = self.component(name, build(self.registry))
                example = (
                    openapi_examples.patch_example(core)
                    if self.action == "partial_update"
                    else openapi_examples.search_example(core)
                )
                request = OpenApiRequest(ref, examples=self._examples(name, example))
                return dict.fromkeys(self.map_parsers(), request)
            if self.action in ("create", "update"):
                serializer = super().get_request_serializer()
                resource = self.get_resource_example("request")
                name = self._resource_names()[0]
                request = OpenApiRequest(serializer, examples=self._examples(name, resource))
                return dict.fromkeys(self.map_parsers(), request)
        return super().get_request_serializer()

    def get_response_serializers(self) -> Any:
        if self.is_bulk_view():
            return self.bulk_responses()
        if self.is_resource_view() and self.action in _RESOURCE_ERRORS:
            responses = self.resource_responses()
            errors = _RESOURCE_ERRORS[self.action]
        else:
            discovery = self.get_discovery()
            if discovery is None:
                return super().get_response_serializers()
            responses = self.discovery_responses(*discovery[:3])
            errors = (404,) if self.action == "retrieve" else ()
        error = self.error_ref()
        if self.is_me_view():
            errors = (*errors, 501)
        for code in sorted({401, 403, *errors}):
            text = _ERROR_DESCRIPTIONS[code].format(max_payload_size=scim_settings.MAX_PAYLOAD_SIZE)
            if code == 403 and not self.is_resource_view():
                text = "A `filter` was given (RFC 7644 §4), or the token may not make this request."
            if code == 404 and self.is_me_view():
                text = _ME_NOT_FOUND
            responses[code] = OpenApiResponse(
                error, description=text, examples=self.error_examples(code)
            )
        return responses

    # -- examples ----------------------------------------------------------------------

    def get_resource_example(
        self, direction: str, *, created: bool = False
    ) -> dict[str, Any] | None:
        """The example resource of this view, ``None`` for none.

        ``direction`` ``"request"`` is the body of a POST or PUT, ``"response"`` the
        answer; ``created``, the answer to the POST. drf-scim has examples for Users and
        Groups, from RFC 7643 §8, fitted to the serializer's schemas; override this to give
        a resource type of your own one, which must be a document the server takes as it
        is (Swagger UI's "Try it out" sends it).
        """
        view: Any = self.view
        schemas = view.get_resource_serializer().get_schemas()
        return openapi_examples.resource_example(schemas, direction, created=created)

    def _core_schema(self) -> str:
        view: Any = self.view
        return str(view.get_resource_serializer().get_schemas().core.id)

    def error_examples(self, code: int) -> list[OpenApiExample]:
        """The example Error of ``code`` for this operation (RFC 7644 §3.12)."""
        view: Any = self.view
        scim_type: str | None
        if code == 400:
            action = "bulk" if self.is_bulk_view() else self.action
            detail, scim_type = _BAD_REQUEST_EXAMPLES[action]
        elif code == 409:
            detail, scim_type = view.uniqueness_detail(), "uniqueness"
        elif code == 413 and self.is_bulk_view():
            detail = (
                f"The bulk request has {view.get_max_operations() + 1} operations, more "
                f"than maxOperations ({view.get_max_operations()})."
            )
            scim_type = "tooMany"
        else:
            detail, scim_type = _ERROR_EXAMPLES[code]
        if code == 403 and self.get_discovery() is not None:
            detail = "Filtering is not supported on discovery endpoints."
        if code == 404 and self.get_discovery() is not None:
            detail = "Resource 'Robot' not found."
        elif code == 404 and self.is_resource_view():
            resource_id = openapi_examples.resource_id(self._core_schema())
            detail = f"Resource '{resource_id or _UNKNOWN_ID}' not found."
        detail = detail.format(max_payload_size=scim_settings.MAX_PAYLOAD_SIZE)
        value = openapi_examples.error_example(code, detail, scim_type)
        return [OpenApiExample(f"Error {code}", value=value)]

    def _examples(self, name: str, value: dict[str, Any] | None) -> list[OpenApiExample]:
        return [] if value is None else [OpenApiExample(name, value=value)]

    def bulk_responses(self) -> dict[int, Any]:
        """``POST /Bulk``: a BulkResponse, or an error of the whole request (§3.7)."""
        view: Any = self.view
        error = self.error_ref()
        response = self.component("BulkResponse", _bulk_response_schema(self.registry, error))
        responses: dict[int, Any] = {
            200: OpenApiResponse(
                response,
                "A BulkResponse: an entry per operation processed, failed ones included.",
                examples=[
                    OpenApiExample("BulkResponse", value=openapi_examples.bulk_response_example())
                ],
            )
        }
        texts = {
            400: "The BulkRequest is malformed: `scimType` invalidSyntax (RFC 7644 §3.7). "
            "An operation's own errors are in its entry of the BulkResponse.",
            413: f"More than {view.get_max_operations()} operations "
            f"(`bulk.maxOperations`) or {view.get_max_payload_size()} bytes "
            "(`bulk.maxPayloadSize`): `scimType` tooMany (RFC 7644 §3.7.4).",
        }
        for code in (400, 401, 403, 413, 415):
            text = texts.get(code) or _ERROR_DESCRIPTIONS[code]
            responses[code] = OpenApiResponse(
                error, description=text, examples=self.error_examples(code)
            )
        return responses

    def resource_responses(self) -> dict[int, Any]:
        """The success responses of a resource operation."""
        action = self.action
        serializer = self._get_serializer()  # type: ignore[no-untyped-call]
        name, plural, _ = self._resource_names()
        resource = self.get_resource_example("response")
        examples = self._examples(name, resource)
        if action in ("list", "search"):
            item = self.resolve_serializer(serializer, "response").ref
            ref = self.list_response_ref(name, item)
            listed = None if resource is None else openapi_examples.list_response_example(resource)
            return {
                200: OpenApiResponse(
                    ref, f"A ListResponse of {plural}.", self._examples("ListResponse", listed)
                )
            }
        if action == "destroy":
            return {204: OpenApiResponse(None, f"The {name} is deleted.")}
        if action == "partial_update" and self.patch_answers_no_content():
            return {
                204: OpenApiResponse(None, "All the operations were applied."),
                200: OpenApiResponse(
                    serializer,
                    f"The {name}, when `attributes` or `excludedAttributes` is given "
                    "(RFC 7644 §3.5.2).",
                    examples,
                ),
            }
        if action == "create":
            created = self._examples(name, self.get_resource_example("response", created=True))
            return {201: OpenApiResponse(serializer, f"The new {name}.", created)}
        responses: dict[int, Any] = {200: OpenApiResponse(serializer, f"The {name}.", examples)}
        if action == "retrieve":
            responses[304] = OpenApiResponse(
                None, "Not Modified: the resource is at the version of `If-None-Match`."
            )
        return responses

    def discovery_responses(self, name: str, endpoint: str, schema: Schema) -> dict[int, Any]:
        """The success response of a discovery operation."""
        ref = self.discovery_ref(name, schema)
        examples = self._examples(name, self.discovery_example(name, endpoint))
        if self.action == "retrieve" or endpoint == name:
            return {200: OpenApiResponse(ref, f"The {name}.", examples)}
        listed = self.list_response_ref(name, ref)
        return {200: OpenApiResponse(listed, f"The {endpoint}.", examples)}

    def discovery_example(self, name: str, endpoint: str) -> dict[str, Any] | None:
        """The document the discovery view answers, as its example (RFC 7643 §5-7).

        Built by the view itself, so it is what the server answers, with its URIs rooted
        at the examples' ``https://example.com/scim/v2``: the view's ``url()`` would read
        the host of drf-spectacular's mock request.
        """
        view: Any = copy.copy(self.view)
        base = f"{openapi_examples.BASE_URL}/{endpoint}"
        view.url = lambda *parts: "/".join((base, *parts))
        if name == "ServiceProviderConfig":
            document: Any = view.get_document()
        elif self.action != "retrieve":
            items = view.resource_viewsets if name == "ResourceType" else view.get_schemas()
            described = [view.describe(item) for item in items]
            document = list_response(described, len(described), 1)
        elif name == "ResourceType":
            viewsets = sorted(
                view.resource_viewsets,
                key=lambda viewset: viewset.get_resource_serializer().resource_type != "User",
            )
            document = view.describe(viewsets[0]) if viewsets else None
        else:
            schemas = sorted(view.get_schemas(), key=lambda item: item.id != constants.USER_SCHEMA)
            document = view.describe(schemas[0]) if schemas else None
        return document  # type: ignore[no-any-return]


def _resource_parameters(
    action: str, patch_no_content: bool, *, path_id: bool = True, id_example: str | None = None
) -> list[OpenApiParameter]:
    """The parameters and headers of a resource endpoint's ``action``.

    ``path_id`` is false for ``/Me``, whose resource the token names; ``id_example`` is
    the id of the example resource, if there is one.
    """
    parameters = []
    if action in ("list", "retrieve", "create", "update", "partial_update"):
        parameters += [
            OpenApiParameter(
                "attributes",
                str,
                description="Comma-separated attributes to return, with those always "
                "returned; the others are left out (RFC 7644 §3.9).",
            ),
            OpenApiParameter(
                "excludedAttributes",
                str,
                description="Comma-separated attributes to leave out of the answer "
                "(RFC 7644 §3.9); ignored when `attributes` is given.",
            ),
        ]
    if path_id and action in ("retrieve", "update", "partial_update", "destroy"):
        parameters.append(
            OpenApiParameter(
                "id",
                str,
                OpenApiParameter.PATH,
                required=True,
                description="The resource's `id`.",
                examples=_id_examples(id_example),
            )
        )
    if action == "retrieve":
        parameters.append(
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                description="An `ETag`: 304 without a body if the resource is still at "
                "that version (RFC 7644 §3.14).",
            )
        )
    if action in ("update", "partial_update", "destroy"):
        parameters.append(
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                description="An `ETag` (or `*`): 412 unless the resource is still at "
                "that version (RFC 7644 §3.14).",
            )
        )
    etag_codes = {
        "retrieve": [200, 304],
        "create": [201],
        "update": [200],
        "partial_update": [200, 204] if patch_no_content else [200],
    }.get(action)
    if etag_codes:
        parameters.append(
            OpenApiParameter(
                "ETag",
                str,
                OpenApiParameter.HEADER,
                required=True,
                response=etag_codes,
                description=_ETAG,
            )
        )
        location_codes = [code for code in etag_codes if code in (200, 201)]
        if location_codes:
            parameters.append(
                OpenApiParameter(
                    "Location",
                    OpenApiTypes.URI,
                    OpenApiParameter.HEADER,
                    required=True,
                    response=location_codes,
                    description="The resource's URI, as in `meta.location`.",
                )
            )
    return parameters


def _id_examples(value: str | None) -> list[OpenApiExample]:
    """The example of an ``id`` path parameter: Swagger UI's "Try it out" starts with it."""
    return [] if value is None else [OpenApiExample("Example id", value=value)]


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/{ResolvedComponent.SCHEMA}/{name}"}


def _error_schema(registry: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "A SCIM error (RFC 7644 §3.12).",
        "required": ["schemas", "status"],
        "properties": {
            "schemas": _schemas_property(registry, "Error", constants.ERROR_SCHEMA),
            "status": {
                "type": "string",
                "pattern": "^[0-9]{3}$",
                "description": "The HTTP status code, as a string.",
            },
            "scimType": {
                "type": "string",
                "enum": list(SCIM_TYPES),
                "description": "What is wrong, for some 400, 403 and 409 errors (Table 9).",
            },
            "detail": {"type": "string", "description": "A human-readable explanation."},
        },
    }


def _message_schemas_property(
    registry: Any, owner: str, *urns: str, typed: bool = False
) -> dict[str, Any]:
    """``schemas`` of a request body, checked only under ``STRICT``.

    ``STRICT`` requires it to list the first of ``urns``: the message's, or the resource's
    core schema. Otherwise a resource body's ``schemas`` (``typed``) must still be an array
    of strings, which the server completes; a message's is not read.
    """
    if scim_settings.STRICT:
        return _schemas_property(registry, owner, *urns)
    names = ", ".join(f"`{urn}`" for urn in urns)
    declared: dict[str, Any] = {
        "description": f"The URIs of the schemas the body follows (RFC 7643 §3): {names}. "
        + (
            "Without the core schema's URI, it is added."
            if typed
            else "Not read unless the `STRICT` setting is on."
        ),
        "example": list(urns),
    }
    if typed:
        declared = {"type": "array", "items": {"type": "string"}, **declared}
    return declared


def _any_case(*words: str, spaces: bool = False) -> str:
    """A pattern of ``words`` in any case (OpenAPI has no ``i`` flag), spaces around if asked."""
    alternatives = "|".join("".join(f"[{c}{c.upper()}]" for c in word) for word in words)
    space = r"\s*" if spaces else ""
    return f"^{space}({alternatives}){space}$"


def _patch_op_name_schema() -> dict[str, Any]:
    """``op``: lower case under ``STRICT``; otherwise in any case, as the server reads it."""
    names = ("add", "remove", "replace")
    if scim_settings.STRICT:
        return {"type": "string", "enum": list(names)}
    return {
        "type": "string",
        "pattern": _any_case(*names, spaces=True),
        "description": "`add`, `remove` or `replace`, in any case (`Replace`, as Entra ID "
        "sends it).",
    }


def _patch_op_schema(registry: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "A PATCH request (RFC 7644 §3.5.2). Member names are case-insensitive "
        "(RFC 7643 §2.1); so are `op` values, unless the `STRICT` setting is on.",
        "required": ["schemas", "Operations"] if scim_settings.STRICT else ["Operations"],
        "properties": {
            "schemas": _message_schemas_property(registry, "PatchOp", constants.PATCH_OP_SCHEMA),
            "Operations": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["op"],
                    "properties": {
                        "op": _patch_op_name_schema(),
                        "path": {
                            "type": "string",
                            "description": "The attribute to change, with an optional value "
                            'filter: `members[value eq "2819c223"]` (RFC 7644 §3.5.2). '
                            "Required by `remove`.",
                        },
                        "value": {
                            "description": "The value to add or replace with; without "
                            "`path`, an object of attributes."
                        },
                    },
                },
            },
        },
        "example": {
            "schemas": [constants.PATCH_OP_SCHEMA],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Babs Jensen"}],
        },
    }


def _search_request_schema(registry: Any) -> dict[str, Any]:
    # As query.search_params() reads the body: a member that is null is left out, and
    # attributes may also be one comma-separated string.
    # (OpenAPI 3.0's ``nullable`` applies to a ``type``, so it sits in one branch.)
    names = {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string", "nullable": True},
        ]
    }
    schema: dict[str, Any] = {
        "type": "object",
        "description": "A query in a POST body (RFC 7644 §3.4.3); the fields are those of the "
        "query parameters of `GET`. A member that is `null` counts as left out.",
        "properties": {
            "schemas": _message_schemas_property(
                registry, "SearchRequest", constants.SEARCH_REQUEST_SCHEMA
            ),
            "attributes": {**names, "description": "Attributes to return (RFC 7644 §3.9)."},
            "excludedAttributes": {
                **names,
                "description": "Attributes to leave out (RFC 7644 §3.9).",
            },
            "filter": {
                "type": "string",
                "nullable": True,
                "description": "A filter (RFC 7644 §3.4.2.2).",
            },
            "sortBy": {
                "type": "string",
                "nullable": True,
                "description": "The attribute to sort by.",
            },
            "sortOrder": {
                "type": "string",
                "nullable": True,
                "pattern": _any_case("ascending", "descending"),
                "description": "`ascending` (the default) or `descending`, in any case.",
            },
            "startIndex": {
                "type": "integer",
                "nullable": True,
                "description": "1-based; below 1 means 1.",
            },
            "count": {
                "type": "integer",
                "nullable": True,
                "description": "Results per page; below 0 means 0, above the maximum means "
                "the maximum.",
            },
            "cursor": {
                "type": "string",
                "nullable": True,
                "pattern": "^[A-Za-z0-9._~-]*$",
                "description": "Cursor pagination (RFC 9865 §3): empty for the first page, then "
                "a `nextCursor` or `previousCursor` of the same query. Not with `startIndex`.",
            },
        },
        "example": {
            "schemas": [constants.SEARCH_REQUEST_SCHEMA],
            "filter": 'meta.lastModified gt "2020-01-01T00:00:00Z"',
            "sortBy": "meta.lastModified",
            "startIndex": 1,
            "count": 10,
        },
    }
    if scim_settings.STRICT:
        schema["required"] = ["schemas"]
    return schema


_BULK_DESCRIPTION = (
    "Run many writes in one request (RFC 7644 §3.7): each operation is a POST, PUT, PATCH "
    "or DELETE of a resource, run as the same request sent alone would be, in its own "
    "transaction. A POST's `bulkId` names the new resource in later operations, and in "
    "earlier ones, as `bulkId:<bulkId>` (§3.7.2); circular references are answered 409 "
    "(§3.7.1). An operation's `version` is its `If-Match`. With `failOnErrors` N, "
    "processing stops at the N-th failed operation; operations already run stay written. "
    "At most {max_operations} operations and {max_payload_size} bytes (§3.7.4)."
)


def _bulk_request_schema(registry: Any, max_operations: int) -> dict[str, Any]:
    operation = {
        "type": "object",
        "required": ["method", "path"],
        "properties": {
            "method": {
                "type": "string",
                "description": "`POST`, `PUT`, `PATCH` or `DELETE`; another method fails "
                "its operation (400 invalidSyntax), not the request.",
            },
            "path": {
                "type": "string",
                "description": "The resource's path relative to the SCIM root: `/Users` for "
                "a POST, `/Users/{id}` or `/Users/bulkId:{bulkId}` otherwise.",
            },
            "bulkId": {
                "type": "string",
                "nullable": True,
                "description": "Required with POST, unique in the request: other operations "
                "name the new resource `bulkId:<bulkId>`.",
            },
            "version": {
                "type": "string",
                "nullable": True,
                "description": "The resource's `ETag`, sent as the operation's `If-Match` "
                "(RFC 7644 §3.14).",
            },
            "data": {
                "type": "object",
                "nullable": True,
                "description": "The body of the POST, PUT or PATCH request (a resource or "
                "a PatchOp).",
            },
        },
    }
    schema: dict[str, Any] = {
        "type": "object",
        "description": "A BulkRequest (RFC 7644 §3.7). Member names are case-insensitive "
        "(RFC 7643 §2.1); an optional member that is `null` counts as left out.",
        "required": ["schemas", "Operations"] if scim_settings.STRICT else ["Operations"],
        "properties": {
            "schemas": _message_schemas_property(
                registry, "BulkRequest", constants.BULK_REQUEST_SCHEMA
            ),
            "failOnErrors": {
                "type": "integer",
                "nullable": True,
                "minimum": 1,
                "description": "Stop after this many failed operations (RFC 7644 §3.7.3).",
            },
            "Operations": {
                "type": "array",
                "maxItems": max_operations,
                "items": operation,
            },
        },
        "example": {
            "schemas": [constants.BULK_REQUEST_SCHEMA],
            "Operations": [
                {
                    "method": "POST",
                    "path": "/Users",
                    "bulkId": "qwerty",
                    "data": {"schemas": [constants.USER_SCHEMA], "userName": "Alice"},
                },
                {
                    "method": "POST",
                    "path": "/Groups",
                    "bulkId": "ytrewq",
                    "data": {
                        "schemas": [constants.GROUP_SCHEMA],
                        "displayName": "Employees",
                        "members": [{"type": "User", "value": "bulkId:qwerty"}],
                    },
                },
            ],
        },
    }
    return schema


def _bulk_response_schema(registry: Any, error: dict[str, Any]) -> dict[str, Any]:
    result = {
        "type": "object",
        "required": ["method", "status"],
        "properties": {
            "method": {"type": "string", "description": "The operation's method."},
            "bulkId": {"type": "string", "description": "The operation's bulkId, if any."},
            "location": {
                "type": "string",
                "description": "The resource's URI: the new one of a POST, the one named "
                "by the path otherwise.",
            },
            "version": {"type": "string", "description": "The resource's `ETag` after it."},
            # "response": the SCIM error of a failed operation (a $ref takes no description).
            "status": {
                "type": "string",
                "pattern": "^[0-9]{3}$",
                "description": "The operation's HTTP status, as a string.",
            },
            "response": error,
        },
    }
    return {
        "type": "object",
        "description": "A BulkResponse (RFC 7644 §3.7.3): an entry per operation processed, "
        "in the request's order.",
        "required": ["schemas", "Operations"],
        "properties": {
            "schemas": _schemas_property(registry, "BulkResponse", constants.BULK_RESPONSE_SCHEMA),
            "Operations": {"type": "array", "items": result},
        },
    }


class SCIMViewExtension(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    """Give the SCIM resource and discovery viewsets :class:`SCIMAutoSchema`.

    Only schema generation sees the replacement; the views that serve requests are untouched.
    A view that declares an ``AutoSchema`` of its own keeps it.
    """

    target_class = "drf_scim.viewsets.SCIMViewMixin"
    match_subclasses = True

    def view_replacement(self) -> type[APIView]:
        view: type[APIView] = self.target
        declared = next(cls.__dict__["schema"] for cls in view.__mro__ if "schema" in cls.__dict__)
        if not issubclass(view, (SCIMModelViewSet, DiscoveryViewSet, SCIMBulkView)) or isinstance(
            declared, AutoSchema
        ):
            return view
        if not issubclass(view, SCIMMeMixin):  # /Me: its /Users viewset is checked
            self.check_decorated_actions(view)
        return type(view.__name__, (view,), {"schema": SCIMAutoSchema()})

    def check_decorated_actions(self, view: Any) -> None:
        """Warn about ``@extend_schema`` on an action of a view without SCIMAutoSchema.

        drf-spectacular builds a decorated action's schema on the view's declared schema
        class, so the action would lose its SCIM documentation.
        """
        extra = view.get_extra_actions() if hasattr(view, "get_extra_actions") else []
        names = [*_RESOURCE_OPERATIONS, "post", *(action.__name__ for action in extra)]
        for name in names:
            if getattr(getattr(view, name, None), "kwargs", {}).get("schema") is not None:
                warn(
                    f"{view.__name__}.{name} is decorated with @extend_schema: set "
                    f"`schema = SCIMAutoSchema()` on {view.__name__} "
                    "(drf_scim.contrib.drf_spectacular) to keep its SCIM documentation."
                )
