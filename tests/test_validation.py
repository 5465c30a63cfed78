"""Validation driven by the schema definitions (RFC 7643 §2, §2.2, §2.4, §3.1)."""

from __future__ import annotations

import pytest

from drf_scim.definitions import ENTERPRISE_USER, GROUP, USER
from drf_scim.errors import InvalidSyntaxError, InvalidValueError, MutabilityError
from drf_scim.validation import ResourceSchemas, check_immutable, validate_document

USERS = ResourceSchemas(USER, (ENTERPRISE_USER,))
GROUPS = ResourceSchemas(GROUP)


def test_canonical_names_and_nesting_rfc7643_2_1():
    doc = validate_document({"USERNAME": "a", "name": {"FamilyName": "J"}}, USERS)
    assert doc == {"userName": "a", "name": {"familyName": "J"}}


def test_read_only_attributes_and_nulls_are_dropped_rfc7644_3_3():
    doc = validate_document(
        {
            "userName": "a",
            "id": "x",
            "meta": {},
            "groups": [{"value": "g"}],
            "title": None,
            "emails": [None, {"value": "e", "display": None}],
        },
        USERS,
    )
    assert doc == {"userName": "a", "emails": [{"value": "e"}]}


def test_required_attribute_rfc7643_2_2():
    with pytest.raises(InvalidValueError, match="userName: is required"):
        validate_document({"name": {"givenName": "x"}}, USERS)


def test_required_extension_rfc7643_6():
    schemas = ResourceSchemas(USER, (ENTERPRISE_USER,), frozenset({ENTERPRISE_USER.id}))
    with pytest.raises(InvalidValueError, match="extension is required"):
        validate_document({"userName": "a"}, schemas)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"userName": 1.5, "active": "no"}, "active: expected a boolean"),
        ({"userName": {"a": 1}}, "userName: expected a string"),
        ({"userName": "a", "emails": "x@example.com", "name": []}, "name: expected a single"),
        ({"userName": "a", "emails": [["x"]]}, r"emails\[0\]: expected a JSON object"),
        ({"userName": "a", "emails": [True]}, r"emails\[0\]: expected a JSON object"),
        ({"userName": "a", "x509Certificates": [{"value": "***"}]}, "base64"),
        ({"userName": "a", ENTERPRISE_USER.id: "x"}, "expected a JSON object"),
    ],
)
def test_type_errors_name_the_attribute_rfc7643_2_3(body, message):
    with pytest.raises(InvalidValueError, match=message):
        validate_document(body, USERS)


def test_date_time_type_rfc7643_2_3_5():
    from drf_scim.characteristics import AttributeType
    from drf_scim.definitions import Attribute, Schema

    schema = Schema(
        "urn:x",
        "X",
        "",
        (
            Attribute("when", AttributeType.DATETIME),
            Attribute("n", AttributeType.INTEGER),
            Attribute("d", AttributeType.DECIMAL),
        ),
    )
    schemas = ResourceSchemas(schema)
    assert validate_document({"when": "2010-01-23T04:56:22Z", "n": "3", "d": "2.5"}, schemas) == {
        "when": "2010-01-23T04:56:22Z",
        "n": 3,
        "d": 2.5,
    }
    for bad in (
        {"when": "yesterday"},
        {"when": "2010-13-45T00:00:00Z"},
        {"n": 1.5},
        {"n": True},
        {"d": "x"},
    ):
        with pytest.raises(InvalidValueError):
            validate_document(bad, schemas)


def test_strict_mode():
    with pytest.raises(InvalidSyntaxError, match="schemas"):
        validate_document({"userName": "a"}, USERS, strict=True)
    base = {"schemas": [USER.id], "userName": "a"}
    with pytest.raises(InvalidSyntaxError, match="nickname"):
        validate_document({**base, "nickname2": "x"}, USERS, strict=True)
    with pytest.raises(InvalidValueError, match="primary"):
        validate_document(
            {**base, "emails": [{"value": "a", "primary": True}, {"value": "b", "primary": True}]},
            USERS,
            strict=True,
        )
    with pytest.raises(InvalidSyntaxError, match="unknown sub-attribute"):
        validate_document({**base, "name": {"nick": "x"}}, USERS, strict=True)
    assert validate_document({**base, "active": True}, USERS, strict=True) == {
        "userName": "a",
        "active": True,
    }


def test_immutable_attribute_may_be_set_once_then_not_changed_rfc7643_2_2():
    from drf_scim.characteristics import Mutability as M
    from drf_scim.definitions import Attribute, Schema

    schemas = ResourceSchemas(
        Schema("urn:x", "X", "", (Attribute("serial", mutability=M.IMMUTABLE),))
    )
    check_immutable({}, {"serial": "1"}, schemas)
    check_immutable({"serial": "1"}, {"serial": "1"}, schemas)
    with pytest.raises(MutabilityError, match="serial"):
        check_immutable({"serial": "1"}, {"serial": "2"}, schemas)
    with pytest.raises(MutabilityError, match="serial"):
        check_immutable({"serial": "1"}, {}, schemas)


def test_members_may_change_though_their_value_is_immutable_rfc7643_4_2():
    check_immutable(
        {"displayName": "g", "members": [{"value": "1"}]},
        {"displayName": "g", "members": [{"value": "2"}]},
        GROUPS,
    )


def test_immutable_check_ignores_non_immutable_attributes():
    check_immutable({"userName": "a"}, {"userName": "b"}, USERS)


@pytest.mark.parametrize("blank", ["", " ", "\t"])
def test_required_attribute_empty_or_blank_is_missing_rfc7643_2_2_and_2_5(blank):
    """``required`` comes from the definitions: ``userName`` (§4.1.1), ``displayName``
    (§4.2), and a required sub-attribute of a schema of the project's own."""
    from drf_scim.characteristics import AttributeType
    from drf_scim.definitions import Attribute, Schema

    with pytest.raises(InvalidValueError, match="userName"):
        validate_document({"userName": blank}, USERS)
    with pytest.raises(InvalidValueError, match="displayName"):
        validate_document({"displayName": blank}, GROUPS)
    badge = Attribute(
        "badges",
        AttributeType.COMPLEX,
        multi_valued=True,
        sub_attributes=(Attribute("number", required=True), Attribute("label")),
    )
    schemas = ResourceSchemas(Schema("urn:x", "X", "", (badge,)))
    with pytest.raises(InvalidValueError, match=r"badges\[0\].number"):
        validate_document({"badges": [{"number": blank, "label": "x"}]}, schemas)
    assert validate_document({"badges": [{"number": " 7 "}]}, schemas) == {
        "badges": [{"number": " 7 "}]
    }


def test_every_wrong_value_is_reported_at_once_rfc7644_3_12():
    with pytest.raises(InvalidValueError) as caught:
        validate_document({"userName": ["x"], "active": "no", "nickName": ["a", "b"]}, USERS)
    assert str(caught.value) == (
        "userName: expected a single value, got a list. active: expected a boolean. "
        "nickName: expected a single value, got a list."
    )
