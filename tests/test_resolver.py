"""drf_scim.resolver: attribute paths resolved against schemas (RFC 7643 §2.1, RFC 7644 §3.10)."""

from __future__ import annotations

import pytest

from drf_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from drf_scim.definitions import ENTERPRISE_USER, USER, Attribute, Schema
from drf_scim.resolver import UnknownAttribute, find_extension, resolve
from drf_scim.validation import ResourceSchemas

USERS = ResourceSchemas(USER, (ENTERPRISE_USER,))
BADGES = Schema("urn:example:badges", "Badges", "", attributes=(Attribute("number"),))
TWO_EXTENSIONS = ResourceSchemas(
    USER,
    (
        ENTERPRISE_USER,
        Schema("urn:example:also", "Also", "", attributes=(Attribute("number"),)),
        BADGES,
    ),
)


@pytest.mark.parametrize(
    ("urn", "name", "sub", "expected"),
    [
        (None, "userName", None, "userName"),
        (None, "USERNAME", None, "userName"),
        (None, "name", "GIVENNAME", "name.givenName"),
        (None, "meta", "lastModified", "meta.lastModified"),
        (None, "id", None, "id"),
        (USER_SCHEMA.upper(), "userName", None, "userName"),
        (ENTERPRISE_USER_SCHEMA, "manager", "value", f"{ENTERPRISE_USER_SCHEMA}:manager.value"),
        (
            ENTERPRISE_USER_SCHEMA.lower(),
            "EMPLOYEENUMBER",
            None,
            f"{ENTERPRISE_USER_SCHEMA}:employeeNumber",
        ),
        # Liberal: an unqualified name of one extension's attribute.
        (None, "employeeNumber", None, f"{ENTERPRISE_USER_SCHEMA}:employeeNumber"),
    ],
)
def test_rfc7643_2_1_names_resolve_ignoring_case(urn, name, sub, expected):
    assert resolve(USERS, urn, name, sub).name == expected


def test_rfc7644_3_10_reference_parts():
    ref = resolve(USERS, ENTERPRISE_USER_SCHEMA, "manager", "displayName")
    assert ref.extension is ENTERPRISE_USER
    assert ref.urn == ENTERPRISE_USER_SCHEMA
    assert ref.attribute is ENTERPRISE_USER.get("manager")
    assert ref.definition is ENTERPRISE_USER.get("manager").get("displayName")
    core = resolve(USERS, None, "emails")
    assert core.urn is None
    assert core.definition is USER.get("emails")


@pytest.mark.parametrize(
    ("urn", "name", "sub", "strict", "missing"),
    [
        (None, "nope", None, False, "attribute"),
        (USER_SCHEMA, "nope", None, False, "attribute"),
        (ENTERPRISE_USER_SCHEMA, "nope", None, False, "attribute"),
        ("urn:example:unknown", "nope", None, False, "schema"),
        (None, "name", "nope", False, "sub-attribute"),
        (None, "userName", "value", False, "sub-attribute"),  # not complex
        (None, "employeeNumber", None, True, "attribute"),  # strict: no liberal lookup
    ],
)
def test_unknown_parts_are_reported(urn, name, sub, strict, missing):
    with pytest.raises(UnknownAttribute) as caught:
        resolve(USERS, urn, name, sub, strict=strict)
    assert caught.value.missing == missing


def test_an_unqualified_name_two_extensions_share_is_unknown():
    with pytest.raises(UnknownAttribute):
        resolve(TWO_EXTENSIONS, None, "number")
    assert resolve(TWO_EXTENSIONS, "urn:example:badges", "number").extension is BADGES


def test_unknown_sub_attribute_tells_its_attribute():
    with pytest.raises(UnknownAttribute) as caught:
        resolve(USERS, ENTERPRISE_USER_SCHEMA, "manager", "nope")
    assert caught.value.attribute is ENTERPRISE_USER.get("manager")
    assert caught.value.extension is ENTERPRISE_USER


def test_rfc7644_3_10_bare_extension_urn():
    assert find_extension(USERS, ENTERPRISE_USER_SCHEMA.upper()) is ENTERPRISE_USER
    with pytest.raises(UnknownAttribute) as caught:
        find_extension(USERS, "urn:example:unknown")
    assert caught.value.missing == "schema"
