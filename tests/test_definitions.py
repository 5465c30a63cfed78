"""The schema definitions against RFC 7643 §3.1, §4 and §8.7."""

from __future__ import annotations

import pytest

from drf_scim.characteristics import AttributeType, Mutability, Returned, Uniqueness
from drf_scim.definitions import (
    COMMON_ATTRIBUTES,
    ENTERPRISE_USER,
    GROUP,
    RESOURCE_TYPE,
    SCHEMA,
    SERVICE_PROVIDER_CONFIG,
    USER,
    Attribute,
    ResourceSchemas,
)


def test_user_attributes_are_those_of_rfc7643_4_1():
    assert [a.name for a in USER] == [
        "userName",
        "name",
        "displayName",
        "nickName",
        "profileUrl",
        "title",
        "userType",
        "preferredLanguage",
        "locale",
        "timezone",
        "active",
        "password",
        "emails",
        "phoneNumbers",
        "ims",
        "photos",
        "addresses",
        "groups",
        "entitlements",
        "roles",
        "x509Certificates",
    ]


@pytest.mark.parametrize(
    ("schema", "path", "characteristics"),
    [
        (
            COMMON_ATTRIBUTES,
            "id",
            {
                "case_exact": True,
                "mutability": Mutability.READ_ONLY,
                "returned": Returned.ALWAYS,
                "uniqueness": Uniqueness.SERVER,
            },
        ),
        (
            COMMON_ATTRIBUTES,
            "externalId",
            {"case_exact": True, "mutability": Mutability.READ_WRITE},
        ),
        (
            USER,
            "userName",
            {"required": True, "case_exact": False, "uniqueness": Uniqueness.SERVER},
        ),
        (USER, "password", {"mutability": Mutability.WRITE_ONLY, "returned": Returned.NEVER}),
        (USER, "active", {"type": AttributeType.BOOLEAN}),
        (USER, "groups", {"multi_valued": True, "mutability": Mutability.READ_ONLY}),
        (USER, "emails.type", {"canonical_values": ("work", "home", "other")}),
        (USER, "photos.value", {"type": AttributeType.REFERENCE, "reference_types": ("external",)}),
        (USER, "x509Certificates.value", {"type": AttributeType.BINARY}),
        # RFC 7643 erratum 8471 (verified): a user's groups are Groups.
        (USER, "groups.$ref", {"reference_types": ("Group",)}),
        (GROUP, "members.$ref", {"reference_types": ("User", "Group")}),
        (ENTERPRISE_USER, "manager.displayName", {"mutability": Mutability.READ_ONLY}),
        (GROUP, "members.value", {"mutability": Mutability.IMMUTABLE}),
        (GROUP, "displayName", {"required": True}),
    ],
)
def test_characteristics_rfc7643_8_7_1(schema, path, characteristics):
    name, _, sub = path.partition(".")
    attribute = schema.get(name)
    if sub:
        attribute = attribute.get(sub)
    for key, value in characteristics.items():
        assert getattr(attribute, key) == value, (path, key)


def test_lookup_ignores_case_rfc7643_2_1():
    assert USER.get("USERNAME") is USER.get("userName")
    assert USER.get("name").get("GIVENNAME").name == "givenName"
    assert USER.get("nope") is None


def test_schema_representation_rfc7643_7():
    document = USER.to_representation()
    assert document["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
    assert document["id"] == "urn:ietf:params:scim:schemas:core:2.0:User"
    user_name = document["attributes"][0]
    assert user_name == {
        "name": "userName",
        "type": "string",
        "multiValued": False,
        "description": USER.get("userName").description,
        "required": True,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "server",
    }
    emails = next(a for a in document["attributes"] if a["name"] == "emails")
    assert [s["name"] for s in emails["subAttributes"]] == ["value", "display", "type", "primary"]
    assert "uniqueness" not in emails  # complex attributes carry it on sub-attributes


def _every_attribute(attributes):
    for attribute in attributes:
        yield attribute
        yield from _every_attribute(attribute.sub_attributes)


ALL_SCHEMAS = [COMMON_ATTRIBUTES, USER, ENTERPRISE_USER, GROUP, SERVICE_PROVIDER_CONFIG]
ALL_SCHEMAS += [RESOURCE_TYPE, SCHEMA]


@pytest.mark.parametrize("schema", ALL_SCHEMAS, ids=lambda schema: schema.name)
def test_rfc7643_2_3_6_and_2_3_7_references_and_binaries_are_case_exact(schema):
    """Binary and reference values are case exact (RFC 7643 §2.3.6, §2.3.7)."""
    kinds = (AttributeType.REFERENCE, AttributeType.BINARY)
    exact = [a for a in _every_attribute(schema) if a.type in kinds]
    assert exact or schema is SCHEMA  # the Schema schema has no reference
    for attribute in exact:
        assert attribute.case_exact is True, attribute.name
        assert attribute.to_representation()["caseExact"] is True, attribute.name


@pytest.mark.parametrize("kind", [AttributeType.REFERENCE, AttributeType.BINARY])
def test_rfc7643_2_3_6_and_2_3_7_case_exact_whatever_was_declared(kind):
    """A custom extension's reference or binary attribute cannot be declared otherwise."""
    assert Attribute("photo", kind).case_exact is True
    assert Attribute("photo", kind, case_exact=False).case_exact is True
    assert Attribute("nick", AttributeType.STRING).case_exact is False


@pytest.mark.parametrize("schema", [SERVICE_PROVIDER_CONFIG, RESOURCE_TYPE, SCHEMA])
def test_discovery_schemas_are_read_only_rfc7643_8_7_2(schema):
    assert all(a.mutability is Mutability.READ_ONLY for a in schema)


def test_resource_schemas_rfc7643_6_core_common_and_extensions_ignoring_case():
    """A resource type (RFC 7643 §6) is its core schema plus extensions; names are
    case-insensitive (RFC 7643 §2.1), common attributes (§3.1) belong to every one."""
    users = ResourceSchemas(USER, (ENTERPRISE_USER,), frozenset({ENTERPRISE_USER.id}))
    assert users.top_level("USERNAME").name == "userName"
    assert users.top_level("externalId").name == "externalId"
    assert users.top_level("department") is None
    assert users.extension(ENTERPRISE_USER.id.upper()) is ENTERPRISE_USER
    assert users.extension(USER.id) is None
    walked = list(users.walk())
    assert (None, COMMON_ATTRIBUTES.get("id")) in walked
    assert (ENTERPRISE_USER.id, ENTERPRISE_USER.get("department")) in walked
    assert len(walked) == len(COMMON_ATTRIBUTES.attributes) + len(USER.attributes) + len(
        ENTERPRISE_USER.attributes
    )
