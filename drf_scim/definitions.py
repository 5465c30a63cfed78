"""The SCIM schemas, defined once, as data (RFC 7643 §2, §3.1, §4, §5-7 and §8.7).

Everything else reads these definitions: ``/Schemas`` and ``/ResourceTypes``, request
validation (types, ``required``, ``mutability``), response shaping (``returned``,
``attributes``/``excludedAttributes``), the attribute resolver behind filters, ``sortBy``
and PATCH paths (``caseExact``, types), the search index and the OpenAPI schema. A custom
extension is one more :class:`Schema`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from . import constants
from .characteristics import (
    CASE_EXACT_TYPES,
    STRING_TYPES,
    AttributeType,
    Mutability,
    Returned,
    Uniqueness,
)

__all__ = [
    "COMMON_ATTRIBUTES",
    "ENTERPRISE_USER",
    "GROUP",
    "RESOURCE_TYPE",
    "SCHEMA",
    "SERVICE_PROVIDER_CONFIG",
    "USER",
    "Attribute",
    "ResourceSchemas",
    "Schema",
]


@dataclass(frozen=True)
class Attribute:
    """One attribute definition with its RFC 7643 §2.2 characteristics.

    ``reference`` and ``binary`` attributes are always ``case_exact`` (RFC 7643 §2.3.6,
    §2.3.7): the value given is overridden, so filters and ``/Schemas`` agree.
    """

    name: str
    type: AttributeType = AttributeType.STRING
    multi_valued: bool = False
    description: str = ""
    required: bool = False
    case_exact: bool = False
    mutability: Mutability = Mutability.READ_WRITE
    returned: Returned = Returned.DEFAULT
    uniqueness: Uniqueness = Uniqueness.NONE
    sub_attributes: tuple[Attribute, ...] = ()
    canonical_values: tuple[str, ...] = ()
    reference_types: tuple[str, ...] = ()
    _index: dict[str, Attribute] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.type in CASE_EXACT_TYPES:
            object.__setattr__(self, "case_exact", True)  # frozen: set once, here
        self._index.update((sub.name.lower(), sub) for sub in self.sub_attributes)

    def get(self, name: str) -> Attribute | None:
        """Return the sub-attribute called ``name``, ignoring case (RFC 7643 §2.1)."""
        return self._index.get(name.lower())

    @property
    def is_complex(self) -> bool:
        return self.type is AttributeType.COMPLEX

    def to_representation(self) -> dict[str, Any]:
        """The attribute as RFC 7643 §7 puts it in a ``/Schemas`` document."""
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type.value,
            "multiValued": self.multi_valued,
            "description": self.description,
            "required": self.required,
        }
        if self.canonical_values:
            data["canonicalValues"] = list(self.canonical_values)
        if self.type in STRING_TYPES:
            data["caseExact"] = self.case_exact
        data["mutability"] = self.mutability.value
        data["returned"] = self.returned.value
        if not self.is_complex:
            data["uniqueness"] = self.uniqueness.value
        if self.reference_types:
            data["referenceTypes"] = list(self.reference_types)
        if self.sub_attributes:
            data["subAttributes"] = [sub.to_representation() for sub in self.sub_attributes]
        return data


@dataclass(frozen=True)
class Schema:
    """A schema: its URN, name and attribute definitions (RFC 7643 §7)."""

    id: str
    name: str
    description: str
    attributes: tuple[Attribute, ...]
    _index: dict[str, Attribute] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._index.update((attr.name.lower(), attr) for attr in self.attributes)

    def get(self, name: str) -> Attribute | None:
        """Return the attribute called ``name``, ignoring case (RFC 7643 §2.1)."""
        return self._index.get(name.lower())

    def __iter__(self) -> Iterator[Attribute]:
        return iter(self.attributes)

    @cached_property
    def shown(self) -> tuple[str, ...]:
        """The names of the attributes a response may hold (``returned`` not "never")."""
        return tuple(a.name for a in self.attributes if a.returned is not Returned.NEVER)

    def to_representation(self) -> dict[str, Any]:
        """The schema as a ``/Schemas`` resource, without ``meta`` (RFC 7643 §7)."""
        return {
            "schemas": [constants.SCHEMA_SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": [attr.to_representation() for attr in self.attributes],
        }


# -- builders, to keep the tables below close to the RFC's text ----------------------------

_S = AttributeType.STRING
_RO = Mutability.READ_ONLY


def _string(name: str, description: str = "", **kwargs: Any) -> Attribute:
    return Attribute(name, _S, description=description, **kwargs)


def _complex(name: str, description: str, subs: Iterable[Attribute], **kwargs: Any) -> Attribute:
    return Attribute(
        name, AttributeType.COMPLEX, description=description, sub_attributes=tuple(subs), **kwargs
    )


def _plural(
    name: str,
    description: str,
    types: tuple[str, ...] = (),
    value_type: AttributeType = _S,
    reference_types: tuple[str, ...] = (),
    extra: tuple[Attribute, ...] = (),
) -> Attribute:
    """A multi-valued attribute with the standard sub-attributes of RFC 7643 §2.4."""
    subs = (
        Attribute(
            "value",
            value_type,
            description=f"The value of {name}.",
            reference_types=reference_types,
        ),
        _string("display", "A human-readable name, primarily used for display purposes."),
        _string("type", "A label indicating the attribute's function.", canonical_values=types),
        Attribute(
            "primary",
            AttributeType.BOOLEAN,
            description="Whether this value is the preferred one. At most one is true.",
        ),
        *extra,
    )
    return _complex(name, description, subs, multi_valued=True)


# -- common attributes, RFC 7643 §3.1 ------------------------------------------------------

COMMON_ATTRIBUTES = Schema(
    id="urn:ietf:params:scim:schemas:common",  # not on the wire: the attributes are unqualified
    name="Common",
    description="Attributes every resource has (RFC 7643 §3.1).",
    attributes=(
        _string(
            "id",
            "Unique identifier for the resource, assigned by the service provider.",
            case_exact=True,
            mutability=_RO,
            returned=Returned.ALWAYS,
            uniqueness=Uniqueness.SERVER,
        ),
        _string(
            "externalId",
            "Identifier of the resource as defined by the provisioning client.",
            case_exact=True,
        ),
        _complex(
            "meta",
            "Resource metadata.",
            (
                _string(
                    "resourceType", "Name of the resource type.", case_exact=True, mutability=_RO
                ),
                Attribute(
                    "created",
                    AttributeType.DATETIME,
                    mutability=_RO,
                    description="When the resource was added to the service provider.",
                ),
                Attribute(
                    "lastModified",
                    AttributeType.DATETIME,
                    mutability=_RO,
                    description="When the resource was last modified.",
                ),
                Attribute(
                    "location",
                    AttributeType.REFERENCE,
                    mutability=_RO,
                    reference_types=("uri",),
                    description="The URI of the resource.",
                ),
                _string(
                    "version",
                    "The version (ETag) of the resource.",
                    case_exact=True,
                    mutability=_RO,
                ),
            ),
            mutability=_RO,
        ),
    ),
)

# -- User, RFC 7643 §4.1 and §8.7.1 --------------------------------------------------------

USER = Schema(
    id=constants.USER_SCHEMA,
    name="User",
    description="User Account",
    attributes=(
        _string(
            "userName",
            "Unique identifier for the User, typically used to authenticate. Case-insensitive.",
            required=True,
            uniqueness=Uniqueness.SERVER,
        ),
        _complex(
            "name",
            "The components of the user's real name.",
            (
                _string("formatted", "The full name, formatted for display."),
                _string("familyName", "The family name, or last name."),
                _string("givenName", "The given name, or first name."),
                _string("middleName", "The middle name(s)."),
                _string("honorificPrefix", "The honorific prefix(es), e.g. 'Ms.'."),
                _string("honorificSuffix", "The honorific suffix(es), e.g. 'III'."),
            ),
        ),
        _string("displayName", "The name of the User, suitable for display to end-users."),
        _string("nickName", "The casual way to address the user."),
        Attribute(
            "profileUrl",
            AttributeType.REFERENCE,
            reference_types=("external",),
            description="A fully qualified URL pointing to the User's online profile.",
        ),
        _string("title", "The user's title, such as 'Vice President'."),
        _string("userType", "The relationship between the organization and the user."),
        _string("preferredLanguage", "The User's preferred written or spoken language."),
        _string("locale", "The User's default location, e.g. 'en-US'."),
        _string("timezone", "The User's time zone in the IANA format, e.g. 'America/Denver'."),
        Attribute("active", AttributeType.BOOLEAN, description="The User's administrative status."),
        _string(
            "password",
            "The User's cleartext password, write-only.",
            mutability=Mutability.WRITE_ONLY,
            returned=Returned.NEVER,
        ),
        _plural("emails", "Email addresses for the user.", ("work", "home", "other")),
        _plural(
            "phoneNumbers",
            "Phone numbers for the User.",
            ("work", "home", "mobile", "fax", "pager", "other"),
        ),
        _plural(
            "ims",
            "Instant messaging addresses for the User.",
            ("aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
        ),
        _plural(
            "photos",
            "URLs of photos of the User.",
            ("photo", "thumbnail"),
            value_type=AttributeType.REFERENCE,
            reference_types=("external",),
        ),
        _complex(
            "addresses",
            "A physical mailing address for this User.",
            (
                _string("formatted", "The full mailing address, formatted for display."),
                _string("streetAddress", "The full street address component."),
                _string("locality", "The city or locality component."),
                _string("region", "The state or region component."),
                _string("postalCode", "The zip code or postal code component."),
                _string("country", "The country name component."),
                _string(
                    "type",
                    "A label indicating the attribute's function.",
                    canonical_values=("work", "home", "other"),
                ),
                Attribute(
                    "primary",
                    AttributeType.BOOLEAN,
                    description="Whether this is the preferred mailing address.",
                ),
            ),
            multi_valued=True,
        ),
        _complex(
            "groups",
            "A list of groups to which the user belongs.",
            (
                _string("value", "The identifier of the User's group.", mutability=_RO),
                Attribute(
                    "$ref",
                    AttributeType.REFERENCE,
                    reference_types=("Group",),  # erratum 8471: not ("User", "Group")
                    mutability=_RO,
                    description="The URI of the corresponding Group.",
                ),
                _string("display", "A human-readable name.", mutability=_RO),
                _string(
                    "type",
                    "Membership: 'direct' or 'indirect'.",
                    canonical_values=("direct", "indirect"),
                    mutability=_RO,
                ),
            ),
            multi_valued=True,
            mutability=_RO,
        ),
        _plural("entitlements", "A list of entitlements for the User."),
        _plural("roles", "A list of roles for the User."),
        _plural(
            "x509Certificates",
            "A list of certificates issued to the User.",
            value_type=AttributeType.BINARY,
        ),
    ),
)

ENTERPRISE_USER = Schema(
    id=constants.ENTERPRISE_USER_SCHEMA,
    name="EnterpriseUser",
    description="Enterprise User",
    attributes=(
        _string("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
        _string("costCenter", "Identifies the name of a cost center."),
        _string("organization", "Identifies the name of an organization."),
        _string("division", "Identifies the name of a division."),
        _string("department", "Identifies the name of a department."),
        _complex(
            "manager",
            "The User's manager.",
            (
                _string("value", "The id of the SCIM resource representing the User's manager."),
                Attribute(
                    "$ref",
                    AttributeType.REFERENCE,
                    reference_types=("User",),
                    description="The URI of the SCIM resource representing the manager.",
                ),
                _string("displayName", "The displayName of the User's manager.", mutability=_RO),
            ),
        ),
    ),
)

# -- Group, RFC 7643 §4.2 and §8.7.1 -------------------------------------------------------

GROUP = Schema(
    id=constants.GROUP_SCHEMA,
    name="Group",
    description="Group",
    attributes=(
        _string("displayName", "A human-readable name for the Group.", required=True),
        _complex(
            "members",
            "A list of members of the Group.",
            (
                _string(
                    "value",
                    "Identifier of the member of this Group.",
                    mutability=Mutability.IMMUTABLE,
                ),
                Attribute(
                    "$ref",
                    AttributeType.REFERENCE,
                    reference_types=("User", "Group"),
                    mutability=Mutability.IMMUTABLE,
                    description="The URI of the corresponding member resource.",
                ),
                _string("display", "A human-readable name for the member.", mutability=_RO),
                _string(
                    "type",
                    "The type of the member.",
                    canonical_values=("User", "Group"),
                    mutability=Mutability.IMMUTABLE,
                ),
            ),
            multi_valued=True,
        ),
    ),
)

# -- discovery schemas, RFC 7643 §5-7 and §8.7.2 -------------------------------------------

_BOOL = AttributeType.BOOLEAN
_INT = AttributeType.INTEGER


def _supported(name: str, description: str, *extra: Attribute) -> Attribute:
    return _complex(
        name,
        description,
        (
            Attribute(
                "supported",
                _BOOL,
                required=True,
                mutability=_RO,
                description="Whether the operation is supported.",
            ),
            *extra,
        ),
        required=True,
        mutability=_RO,
    )


SERVICE_PROVIDER_CONFIG = Schema(
    id=constants.SERVICE_PROVIDER_CONFIG_SCHEMA,
    name="Service Provider Configuration",
    description="Schema for representing the service provider's configuration",
    attributes=(
        Attribute(
            "documentationUri",
            AttributeType.REFERENCE,
            reference_types=("external",),
            mutability=_RO,
            description="An HTTP-addressable URL pointing to the service "
            "provider's human-consumable help documentation.",
        ),
        _supported("patch", "A complex type that specifies PATCH configuration options."),
        _supported(
            "bulk",
            "A complex type that specifies bulk configuration options.",
            Attribute(
                "maxOperations",
                _INT,
                required=True,
                mutability=_RO,
                description="An integer value specifying the maximum number of operations.",
            ),
            Attribute(
                "maxPayloadSize",
                _INT,
                required=True,
                mutability=_RO,
                description="An integer value specifying the maximum payload size in bytes.",
            ),
        ),
        _supported(
            "filter",
            "A complex type that specifies FILTER options.",
            Attribute(
                "maxResults",
                _INT,
                required=True,
                mutability=_RO,
                description="The maximum number of resources returned in a response.",
            ),
        ),
        _supported("changePassword", "Configuration options related to changing a password."),
        _supported("sort", "A complex type that specifies sort result options."),
        _supported("etag", "A complex type that specifies ETag configuration options."),
        _complex(
            "pagination",
            "Pagination configuration options (RFC 9865 §4).",
            (
                Attribute(
                    "cursor",
                    _BOOL,
                    required=True,
                    mutability=_RO,
                    description="Whether cursor-based pagination is supported.",
                ),
                Attribute(
                    "index",
                    _BOOL,
                    required=True,
                    mutability=_RO,
                    description="Whether index-based pagination is supported.",
                ),
                _string(
                    "defaultPaginationMethod",
                    "The pagination method used when the client names none.",
                    mutability=_RO,
                    canonical_values=("cursor", "index"),
                ),
                Attribute(
                    "defaultPageSize",
                    _INT,
                    mutability=_RO,
                    description="The number of results in a page when no count is given.",
                ),
                Attribute(
                    "maxPageSize",
                    _INT,
                    mutability=_RO,
                    description="The maximum number of results in a page, whatever the count.",
                ),
                Attribute(
                    "cursorTimeout",
                    _INT,
                    mutability=_RO,
                    description="The minimum number of seconds a cursor stays valid "
                    "between page requests.",
                ),
            ),
            mutability=_RO,
        ),
        _complex(
            "authenticationSchemes",
            "A complex type that specifies supported authentication scheme properties.",
            (
                _string(
                    "type",
                    "The authentication scheme.",
                    required=True,
                    mutability=_RO,
                    canonical_values=(
                        "oauth",
                        "oauth2",
                        "oauthbearertoken",
                        "httpbasic",
                        "httpdigest",
                    ),
                ),
                _string(
                    "name", "The common authentication scheme name.", required=True, mutability=_RO
                ),
                _string(
                    "description",
                    "A description of the authentication scheme.",
                    required=True,
                    mutability=_RO,
                ),
                Attribute(
                    "specUri",
                    AttributeType.REFERENCE,
                    reference_types=("external",),
                    mutability=_RO,
                    description="An HTTP-addressable URL pointing to the "
                    "authentication scheme's specification.",
                ),
                Attribute(
                    "documentationUri",
                    AttributeType.REFERENCE,
                    reference_types=("external",),
                    mutability=_RO,
                    description="An HTTP-addressable URL pointing to the "
                    "authentication scheme's usage documentation.",
                ),
                Attribute(
                    "primary",
                    _BOOL,
                    mutability=_RO,
                    description="Whether this is the preferred scheme.",
                ),
            ),
            multi_valued=True,
            required=True,
            mutability=_RO,
        ),
    ),
)

RESOURCE_TYPE = Schema(
    id=constants.RESOURCE_TYPE_SCHEMA,
    name="ResourceType",
    description="Specifies the schema that describes a SCIM resource type",
    attributes=(
        _string("id", "The resource type's server unique id.", mutability=_RO),
        _string("name", "The resource type name.", required=True, mutability=_RO),
        _string("description", "The resource type's human-readable description.", mutability=_RO),
        Attribute(
            "endpoint",
            AttributeType.REFERENCE,
            reference_types=("uri",),
            required=True,
            mutability=_RO,
            description="The resource type's HTTP-addressable endpoint "
            "relative to the Base URL, e.g., '/Users'.",
        ),
        Attribute(
            "schema",
            AttributeType.REFERENCE,
            reference_types=("uri",),
            required=True,
            mutability=_RO,
            description="The resource type's primary/base schema URI.",
        ),
        _complex(
            "schemaExtensions",
            "A list of URIs of the resource type's schema extensions.",
            (
                Attribute(
                    "schema",
                    AttributeType.REFERENCE,
                    reference_types=("uri",),
                    required=True,
                    mutability=_RO,
                    description="The URI of a schema extension.",
                ),
                Attribute(
                    "required",
                    _BOOL,
                    required=True,
                    mutability=_RO,
                    description="Whether the extension is required.",
                ),
            ),
            multi_valued=True,
            mutability=_RO,
        ),
    ),
)


def _attribute_characteristics() -> tuple[Attribute, ...]:
    """The sub-attributes that describe an attribute (RFC 7643 §7, §8.7.2).

    ``attributes`` and its ``subAttributes`` both have them.
    """
    return (
        _string("name", "The attribute's name.", required=True, case_exact=True, mutability=_RO),
        _string(
            "type",
            "The attribute's data type.",
            required=True,
            mutability=_RO,
            canonical_values=tuple(t.value for t in AttributeType),
        ),
        Attribute(
            "multiValued",
            _BOOL,
            required=True,
            mutability=_RO,
            description="Whether the attribute is multi-valued.",
        ),
        _string(
            "description",
            "A human-readable description of the attribute.",
            case_exact=True,
            mutability=_RO,
        ),
        Attribute(
            "required",
            _BOOL,
            mutability=_RO,
            description="Whether the attribute is required.",
        ),
        _string(
            "canonicalValues",
            "A collection of canonical values.",
            multi_valued=True,
            case_exact=True,
            mutability=_RO,
        ),
        Attribute(
            "caseExact",
            _BOOL,
            mutability=_RO,
            description="Whether string values are case sensitive.",
        ),
        _string(
            "mutability",
            "Whether the attribute is modifiable.",
            case_exact=True,
            mutability=_RO,
            canonical_values=tuple(m.value for m in Mutability),
        ),
        _string(
            "returned",
            "When the attribute is returned in a response.",
            case_exact=True,
            mutability=_RO,
            canonical_values=tuple(r.value for r in Returned),
        ),
        _string(
            "uniqueness",
            "How the service provider enforces uniqueness.",
            case_exact=True,
            mutability=_RO,
            canonical_values=tuple(u.value for u in Uniqueness),
        ),
        _string(
            "referenceTypes",
            "The names of the resource types that may be referenced.",
            multi_valued=True,  # erratum 5607
            case_exact=True,
            mutability=_RO,
        ),
    )


SCHEMA = Schema(
    id=constants.SCHEMA_SCHEMA,
    name="Schema",
    description="Specifies the schema attribute definitions",
    attributes=(
        _string("id", "The unique URI of the schema.", required=True, mutability=_RO),
        _string("name", "The schema's human-readable name.", required=True, mutability=_RO),
        _string("description", "The schema's human-readable description.", mutability=_RO),
        _complex(
            "attributes",
            "A complex attribute that includes the attributes of a schema.",
            (
                *_attribute_characteristics(),
                _complex(
                    "subAttributes",
                    "The sub-attributes of a complex attribute, "
                    "with the same characteristics as 'attributes'.",
                    _attribute_characteristics(),
                    multi_valued=True,
                    mutability=_RO,
                ),
            ),
            multi_valued=True,
            required=True,
            mutability=_RO,
        ),
    ),
)


@dataclass(frozen=True)
class ResourceSchemas:
    """The schemas of one resource type: its core schema and its extensions (RFC 7643 §6).

    What request validation, the PATCH engine and the normalisation layer work against;
    the serializer of each resource type builds it (``get_schemas()``).
    """

    core: Schema
    extensions: tuple[Schema, ...] = ()
    required_extensions: frozenset[str] = frozenset()

    def extension(self, urn: str) -> Schema | None:
        lowered = urn.lower()
        return next((ext for ext in self.extensions if ext.id.lower() == lowered), None)

    def top_level(self, name: str) -> Attribute | None:
        """A common or core attribute, by name, ignoring case."""
        return COMMON_ATTRIBUTES.get(name) or self.core.get(name)

    def walk(self) -> Iterator[tuple[str | None, Attribute]]:
        """Every top-level attribute with its extension URN (``None`` for core/common)."""
        for attribute in (*COMMON_ATTRIBUTES, *self.core):
            yield None, attribute
        for extension in self.extensions:
            for attribute in extension:
                yield extension.id, attribute
