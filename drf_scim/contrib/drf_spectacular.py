"""drf-spectacular extensions: the OpenAPI schema of SCIM resources, from the definitions.

Imported by ``DRFSCIMConfig.ready()`` when drf-spectacular is installed. The resource
bodies are generated from the same schema definitions that drive validation and
``/Schemas``, so a custom extension appears in the OpenAPI schema by itself.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
)
from drf_spectacular.plumbing import build_bearer_security_scheme_object

from drf_scim.characteristics import AttributeType, Mutability, Returned
from drf_scim.definitions import COMMON_ATTRIBUTES, Attribute

__all__ = ["SCIMResourceSerializerExtension", "SCIMTokenAuthenticationScheme", "json_schema"]

_TYPES: dict[AttributeType, dict[str, Any]] = {
    AttributeType.STRING: {"type": "string"},
    AttributeType.BOOLEAN: {"type": "boolean"},
    AttributeType.DECIMAL: {"type": "number"},
    AttributeType.INTEGER: {"type": "integer"},
    AttributeType.DATETIME: {"type": "string", "format": "date-time"},
    AttributeType.BINARY: {"type": "string", "format": "byte"},
    AttributeType.REFERENCE: {"type": "string", "format": "uri-reference"},
}


def json_schema(attributes: tuple[Attribute, ...] | list[Attribute]) -> dict[str, Any]:
    """The JSON schema of an object with these SCIM attributes."""
    properties = {}
    required = []
    for attribute in attributes:
        if attribute.returned is Returned.NEVER and attribute.mutability is not (
            Mutability.WRITE_ONLY
        ):
            continue
        properties[attribute.name] = _attribute_schema(attribute)
        if attribute.required and attribute.mutability is not Mutability.READ_ONLY:
            required.append(attribute.name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _attribute_schema(attribute: Attribute) -> dict[str, Any]:
    if attribute.is_complex:
        single: dict[str, Any] = json_schema(attribute.sub_attributes)
    else:
        single = dict(_TYPES[attribute.type])
        if attribute.canonical_values:
            single["description"] = "Canonical values: " + ", ".join(attribute.canonical_values)
    schema: dict[str, Any] = (
        {"type": "array", "items": single} if attribute.multi_valued else single
    )
    if attribute.description:
        schema["description"] = attribute.description
    if attribute.mutability is Mutability.READ_ONLY:
        schema["readOnly"] = True
    if attribute.mutability is Mutability.WRITE_ONLY:
        schema["writeOnly"] = True
    return schema


class SCIMResourceSerializerExtension(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """Describe a SCIM resource serializer by its schemas (RFC 7643 §2-4)."""

    target_class = "drf_scim.serializers.SCIMResourceSerializer"
    match_subclasses = True

    def get_name(self, auto_schema: Any, direction: str) -> str:
        return str(self.target.resource_type)

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schemas = self.target.get_schemas()
        schema = json_schema([*COMMON_ATTRIBUTES, *schemas.core])
        schema["properties"] = {
            "schemas": {"type": "array", "items": {"type": "string"}},
            **schema["properties"],
        }
        for extension in schemas.extensions:
            schema["properties"][extension.id] = json_schema(extension.attributes)
        return schema


class SCIMTokenAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """``Authorization: Bearer <token>`` (RFC 6750), for Swagger UI's Authorize button."""

    target_class = "drf_scim.authentication.SCIMTokenAuthentication"
    name = "SCIMBearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 - a scheme name
        )
