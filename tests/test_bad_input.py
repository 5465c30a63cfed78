"""Bad input gets a clear 400 and changes nothing (issue 10, RFC 7644 §3.12).

* A required attribute (RFC 7643 §2.2 ``"required"``: ``userName``, §4.1.1; a Group's
  ``displayName``, §4.2; the ``displayName`` of the project's own Device) that is empty
  (``""`` is unassigned, RFC 7643 §2.5) or blank is missing: ``invalidValue`` on POST
  and PUT. Decided from the definitions, not the attribute's name. In a PATCH, a blank
  value is ``invalidValue``; ``""`` makes the attribute unassigned, which RFC 7644
  §3.5.2.2 answers ``mutability`` (tests/test_patch.py).
* Wrong JSON types (RFC 7643 §2.3) are refused unless they are a documented dialect
  (drf_scim.normalization): a list for a single string, a bare string or number for a
  value of a multi-valued complex attribute, a ``schemas`` that is not an array of
  strings (RFC 7643 §3).

Every refusal is checked against the database: no row changes.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import override_settings

from drf_scim.constants import GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.models import GroupRecord, UserRecord, UserValue

from .devices.models import Device

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
DEVICES = "/scim/v2/Devices"
DEVICE_SCHEMA = "urn:example:params:scim:schemas:core:2.0:Device"


def rows():
    """Every row a write of a user, a group or a device may touch."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (User, UserRecord, UserValue, Group, GroupRecord, Device)
    ]


def refused(response, scim_type="invalidValue", status=400):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == str(status)
    assert body["scimType"] == scim_type
    return body["detail"]


def patch_body(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


@pytest.fixture
def bjensen(client):
    response = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def tour_guides(client):
    response = client.post(GROUPS, {"schemas": [GROUP_SCHEMA], "displayName": "Tour Guides"})
    assert response.status_code == 201, response.content
    return response.json()


BLANKS = ["", " ", "\t\n ", "\u00a0"]


# -- required attributes: empty and blank are missing (RFC 7643 §2.2, §2.5) ----------------


@pytest.mark.parametrize("blank", BLANKS)
def test_rfc7643_4_1_1_post_user_with_blank_user_name_is_invalid_value(client, blank):
    before = rows()
    detail = refused(client.post(USERS, {"schemas": [USER_SCHEMA], "userName": blank}))
    assert "userName" in detail
    assert rows() == before


@pytest.mark.parametrize("blank", BLANKS)
def test_rfc7643_4_2_post_group_with_blank_display_name_is_invalid_value(client, blank):
    before = rows()
    body = {"schemas": [GROUP_SCHEMA], "displayName": blank}
    assert "displayName" in refused(client.post(GROUPS, body))
    assert rows() == before


@pytest.mark.urls("tests.urls_devices")
@pytest.mark.parametrize("blank", BLANKS)
def test_rfc7643_2_2_required_of_a_custom_resource_type_blank_is_invalid_value(client, blank):
    """The rule comes from the definitions: the Device's own required ``displayName``."""
    before = rows()
    body = {"schemas": [DEVICE_SCHEMA], "displayName": blank, "serialNumber": "SN-1"}
    assert "displayName" in refused(client.post(DEVICES, body))
    assert rows() == before


@pytest.mark.parametrize("blank", BLANKS)
def test_rfc7644_3_5_1_put_blank_required_attributes_is_invalid_value(
    client, bjensen, tour_guides, blank
):
    before = rows()
    user = {"schemas": [USER_SCHEMA], "userName": blank}
    refused(client.put(f"{USERS}/{bjensen['id']}", user))
    group = {"schemas": [GROUP_SCHEMA], "displayName": blank}
    refused(client.put(f"{GROUPS}/{tour_guides['id']}", group))
    assert rows() == before


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "userName", "value": "   "},
        {"op": "add", "path": "userName", "value": "\t"},
        {"op": "replace", "value": {"userName": " "}},
        {"op": "Replace", "path": "userName", "value": " "},
    ],
)
def test_rfc7644_3_5_2_patch_blank_user_name_is_invalid_value(client, bjensen, operation):
    before = rows()
    refused(client.patch(f"{USERS}/{bjensen['id']}", patch_body(operation)))
    assert rows() == before


def test_rfc7644_3_5_2_2_patch_empty_user_name_unassigns_a_required_attribute(client, bjensen):
    """``""`` is unassigned (RFC 7643 §2.5): "becomes unassigned ... mutability"."""
    before = rows()
    operation = {"op": "replace", "path": "userName", "value": ""}
    refused(client.patch(f"{USERS}/{bjensen['id']}", patch_body(operation)), "mutability")
    assert rows() == before


def test_rfc7644_3_5_2_patch_blank_group_display_name_is_invalid_value(client, tour_guides):
    before = rows()
    operation = {"op": "replace", "value": {"id": tour_guides["id"], "displayName": "  "}}
    refused(client.patch(f"{GROUPS}/{tour_guides['id']}", patch_body(operation)))
    assert rows() == before


def test_rfc7643_2_2_non_blank_values_are_kept_as_sent(client):
    """Only blank is refused: surrounding spaces of a real name are the client's."""
    response = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": " babs "})
    assert response.status_code == 201, response.content
    assert response.json()["userName"] == " babs "


# -- wrong JSON types (RFC 7643 §2.3) ---------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"userName": ["bjensen"]}, "userName"),
        ({"userName": ["a", "b"]}, "userName"),
        ({"userName": {"value": "bjensen"}}, "userName"),
        ({"userName": True}, "userName"),
        ({"userName": "x", "emails": "bjensen@example.com"}, "emails"),
        ({"userName": "x", "emails": 5}, "emails"),
        ({"userName": "x", "emails": [1, 2]}, "emails[0]"),
        ({"userName": "x", "emails": ["bjensen@example.com"]}, "emails[0]"),
        ({"userName": "x", "displayName": ["Babs"]}, "displayName"),
        ({"userName": "x", "name": "Barbara Jensen"}, "name"),
        ({"userName": "x", "active": "yes"}, "active"),
    ],
)
def test_rfc7643_2_3_wrong_json_type_is_invalid_value(client, extra, named):
    before = rows()
    detail = refused(client.post(USERS, {"schemas": [USER_SCHEMA], **extra}))
    assert named in detail
    assert rows() == before


@pytest.mark.parametrize("declared", ["x", USER_SCHEMA, {"0": USER_SCHEMA}, [USER_SCHEMA, 1]])
def test_rfc7643_3_schemas_must_be_an_array_of_strings(client, declared):
    """RFC 7643 §3: "schemas ... an array of Strings"; not read as a missing one."""
    before = rows()
    assert "schemas" in refused(client.post(USERS, {"schemas": declared, "userName": "x"}))
    assert rows() == before


def test_rfc7643_3_missing_schemas_is_still_supplied(client):
    """A missing ``schemas`` stays a leniency (drf_scim.normalization): nothing to refuse."""
    response = client.post(USERS, {"userName": "x"})
    assert response.status_code == 201, response.content


def test_rfc7644_3_12_every_wrong_attribute_is_named_in_one_answer(client):
    detail = refused(
        client.post(
            USERS,
            {"schemas": [USER_SCHEMA], "userName": ["x"], "emails": "a@b", "active": "no"},
        )
    )
    assert "userName" in detail
    assert "emails" in detail
    assert "active" in detail


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "add", "path": "emails", "value": "bjensen@example.com"},
        {"op": "add", "path": "emails", "value": [1, 2]},
        {"op": "replace", "path": "emails", "value": ["a@example.com"]},
        {"op": "add", "value": {"emails": "bjensen@example.com"}},
        {"op": "replace", "path": "userName", "value": ["babs"]},
        {"op": "replace", "path": "displayName", "value": ["Babs"]},
    ],
)
def test_rfc7644_3_5_2_patch_wrong_json_type_is_invalid_value(client, bjensen, operation):
    before = rows()
    refused(client.patch(f"{USERS}/{bjensen['id']}", patch_body(operation)))
    assert rows() == before


# -- the dialects real clients need stay accepted (drf_scim.normalization) -----------------


def test_dialects_stay_accepted_entra_id(client):
    """Entra ID: ``"True"``, a number for a string, one object for ``emails``, a bare
    ``manager`` id and a one-element list for it (the tutorial and its sample code)."""
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    response = client.post(
        USERS,
        {
            "schemas": [USER_SCHEMA, enterprise],
            "userName": "babs",
            "active": "True",
            "emails": {"value": "babs@example.com", "type": "work"},
            enterprise: {"employeeNumber": 701984, "manager": [{"value": "26118915"}]},
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["active"] is True
    assert created["emails"] == [{"value": "babs@example.com", "type": "work"}]
    assert created[enterprise]["employeeNumber"] == "701984"
    assert created[enterprise]["manager"]["value"] == "26118915"


def test_strict_refuses_numbers_for_strings(client):
    """Numbers for strings are a dialect (Entra ID, JumpCloud); ``STRICT`` refuses them."""
    with override_settings(DRF_SCIM={"STRICT": True}):
        response = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": 123})
    assert "userName" in refused(response)


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (USERS, {"schemas": [USER_SCHEMA], "userName": 1.5}),
        (GROUPS, {"schemas": [GROUP_SCHEMA], "displayName": 1.5}),
    ],
)
def test_rfc7643_2_3_1_a_fraction_is_no_string_even_outside_strict(client, url, body):
    """The numbers-for-strings dialect is whole numbers (an ``employeeNumber``): ``1.5``
    for a string is ``invalidValue`` (RFC 7644 §3.12) and nothing is stored."""
    assert "expected a string" in refused(client.post(url, body))
    assert not UserRecord.objects.exists()
    assert not GroupRecord.objects.exists()


def test_numbers_for_strings_dialect_stores_a_whole_number_as_text(client):
    """Entra ID and JumpCloud send ``employeeNumber`` as a JSON number (docs/idp)."""
    body = {"schemas": [USER_SCHEMA], "userName": 1234}
    response = client.post(USERS, body)
    assert response.status_code == 201, response.content
    assert response.json()["userName"] == "1234"
