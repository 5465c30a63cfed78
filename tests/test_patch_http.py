"""PATCH on /Users through HTTP and the database (RFC 7644 §3.5.2).

The engine itself (``drf_scim.patch``) is tested on plain documents in ``test_patch.py``;
here every request goes through the view, and the assertions read the database: the
Django ``User`` columns that SCIM attributes map to (``first_name``, ``last_name``,
``email``, ``is_active``, ``username``), drf-scim's record and value rows, the audit log.
A failed PATCH must leave every row as it was (§3.5.2: "the original SCIM resource MUST be
restored").

Identity-provider replays copy the bodies of the vendors' own documentation; each test
names its source. OneLogin and Google Workspace publish no PATCH bodies for Users (see
docs/architecture/patch.md, "What each vendor documents"), so they have no replay here.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group, User
from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from drf_scim.audit import SCRUBBED
from drf_scim.constants import ENTERPRISE_USER_SCHEMA, ERROR_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.definitions import USER
from drf_scim.errors import SCIMError
from drf_scim.exceptions import SCIMAPIException
from drf_scim.models import GroupRecord, SCIMEvent, UserRecord, UserValue
from drf_scim.patch import PatchOperation, apply_patch, parse_patch_request
from drf_scim.serializers import SCIMUserSerializer
from drf_scim.settings import scim_settings
from drf_scim.signals import operation_failed, post_operation, pre_operation

from .conftest import assert_error, patch_concurrently

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
ENTERPRISE = ENTERPRISE_USER_SCHEMA
SECRET = "t1meMa$heen"


def patch_body(*operations):
    """A PatchOp message (RFC 7644 §3.5.2) with ``operations``."""
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def create_user(client, user_name="bjensen", **extra):
    response = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": user_name, **extra})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def babs(client, sample):
    """RFC 7643 §8.2's full User, stored through POST; its document as GET returns it."""
    created = client.post(USERS, sample("rfc7643-8.2-user-full.json"))
    assert created.status_code == 201, created.content
    return created.json()


def url_of(resource):
    return f"{USERS}/{resource['id']}"


def columns(user_name):
    """The Django User columns SCIM attributes are mapped to."""
    return User.objects.values(
        "username", "first_name", "last_name", "email", "is_active", "password"
    ).get(scim_record__user_name_key=user_name.casefold())


def snapshot():
    """Every row a PATCH on a user may touch, every column of it."""
    return (
        list(User.objects.order_by("pk").values()),
        list(UserRecord.objects.order_by("pk").values()),
        list(UserValue.objects.order_by("pk").values()),
        list(User.groups.through.objects.order_by("pk").values()),
        list(Group.objects.order_by("pk").values()),
        list(GroupRecord.objects.order_by("pk").values()),
    )


def without_meta(document):
    return {k: v for k, v in document.items() if k not in ("id", "meta")}


@contextmanager
def receiving(signal):
    seen = []

    def receiver(**kwargs):
        seen.append(kwargs)

    signal.connect(receiver, dispatch_uid="test_patch_http")
    try:
        yield seen
    finally:
        signal.disconnect(dispatch_uid="test_patch_http")


# -- RFC 7644 §3.5.2.1: add -------------------------------------------------------------------


def test_rfc7644_3_5_2_1_add_without_path_adds_emails_and_nickname(client):
    """§3.5.2.1, "add ... multiple attributes ... without a path", the RFC's own body
    (with ``nickname`` in lower case: names are case-insensitive, RFC 7643 §2.1)."""
    user = create_user(client, "jdoe", emails=[{"value": "jdoe@example.com", "type": "work"}])
    response = client.patch(
        url_of(user),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "add",
                    "value": {
                        "emails": [{"value": "babs@jensen.org", "type": "home"}],
                        "nickname": "Babs",
                    },
                }
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["nickName"] == "Babs"
    assert body["emails"] == [
        {"value": "jdoe@example.com", "type": "work"},
        {"value": "babs@jensen.org", "type": "home"},
    ]
    rows = UserValue.objects.filter(record__id=user["id"], attribute="emails")
    assert sorted(rows.values_list("value", "type")) == [
        ("babs@jensen.org", "home"),
        ("jdoe@example.com", "work"),
    ]
    assert UserRecord.objects.get(id=user["id"]).attributes["nickName"] == "Babs"
    assert columns("jdoe")["email"] == "jdoe@example.com"  # the first value, none primary
    assert client.get(url_of(user)).json() == body


def test_rfc7644_3_5_2_1_add_primary_email_moves_the_column_rfc7643_2_4(client, babs):
    """A new primary value makes the old one non-primary (RFC 7643 §2.4), and the
    ``email`` column follows the primary value."""
    assert columns("bjensen@example.com")["email"] == "bjensen@example.com"
    response = client.patch(
        url_of(babs),
        patch_body(
            {
                "op": "add",
                "path": "emails",
                "value": [{"value": "barbara@example.org", "type": "other", "primary": True}],
            }
        ),
    )
    assert response.status_code == 200, response.content
    assert response.json()["emails"] == [
        {"value": "bjensen@example.com", "type": "work", "primary": False},
        {"value": "babs@jensen.org", "type": "home"},
        {"value": "barbara@example.org", "type": "other", "primary": True},
    ]
    assert columns("bjensen@example.com")["email"] == "barbara@example.org"
    primaries = UserValue.objects.filter(record__id=babs["id"], attribute="emails", primary=True)
    assert list(primaries.values_list("value", flat=True)) == ["barbara@example.org"]


def test_rfc7644_3_5_2_1_add_sub_attribute_and_single_valued_on_columns(client):
    """``name.givenName`` and ``name.familyName`` live in ``first_name``/``last_name``;
    ``add`` of a single-valued attribute replaces it (§3.5.2.1)."""
    user = create_user(client, "jdoe", name={"givenName": "John"})
    response = client.patch(
        url_of(user),
        patch_body(
            {"op": "add", "path": "name.familyName", "value": "Doe"},
            {"op": "add", "path": "name.givenName", "value": "Jane"},
            {"op": "add", "path": "title", "value": "Tour Guide"},
        ),
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == {"givenName": "Jane", "familyName": "Doe"}
    row = columns("jdoe")
    assert (row["first_name"], row["last_name"]) == ("Jane", "Doe")
    assert UserRecord.objects.get(id=user["id"]).attributes == {"title": "Tour Guide"}


# -- RFC 7644 §3.5.2.2: remove ----------------------------------------------------------------


def test_rfc7644_3_5_2_2_remove_with_a_value_filter(client, babs):
    """§3.5.2.2, "Removal of a value from a complex multi-valued attribute", the RFC's own
    path; the ``email`` column falls back to the remaining value."""
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "remove", "path": 'emails[type eq "work" and value ew "example.com"]'}
            ],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["emails"] == [{"value": "babs@jensen.org", "type": "home"}]
    assert columns("bjensen@example.com")["email"] == "babs@jensen.org"
    rows = UserValue.objects.filter(record__id=babs["id"], attribute="emails")
    assert list(rows.values_list("value", flat=True)) == ["babs@jensen.org"]


def test_rfc7644_3_5_2_2_remove_whole_attributes_clears_columns(client, babs):
    """Removing all ``emails`` empties the ``email`` column; removing ``name.familyName``
    empties ``last_name`` and the sub-attribute is no longer returned (RFC 7643 §2.5)."""
    response = client.patch(
        url_of(babs),
        patch_body(
            {"op": "remove", "path": "emails"},
            {"op": "remove", "path": "name.familyName"},
            {"op": "remove", "path": "title"},
        ),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert "emails" not in body
    assert "title" not in body
    assert "familyName" not in body["name"]
    row = columns("bjensen@example.com")
    assert (row["email"], row["last_name"], row["first_name"]) == ("", "", "Barbara")
    assert not UserValue.objects.filter(record__id=babs["id"], attribute="emails").exists()
    assert "title" not in UserRecord.objects.get(id=babs["id"]).attributes


# -- RFC 7644 §3.5.2.3: replace ---------------------------------------------------------------


@pytest.mark.parametrize("was_active", [True, False], ids=["active", "inactive"])
def test_rfc7644_3_5_2_2_remove_active_leaves_it_unassigned(client, was_active):
    """§3.5.2.2: a removed single-valued attribute "SHALL be considered unassigned".

    ``active`` lives in ``is_active``, a column that cannot be empty: it keeps its value
    (removing ``active`` neither activates nor deactivates anyone), and SCIM shows no
    ``active`` and filters find none, until a write gives it a value again.
    """
    user = create_user(client, active=was_active)
    response = client.patch(url_of(user), patch_body({"op": "remove", "path": "active"}))
    assert response.status_code == 200, response.content
    assert "active" not in response.json()
    assert "active" not in client.get(url_of(user)).json()
    assert columns("bjensen")["is_active"] is was_active
    assert UserRecord.objects.get(id=user["id"]).version == 2
    for filter_ in ("active pr", "active eq true", "active eq false"):
        found = client.get(USERS, {"filter": filter_}).json()["totalResults"]
        assert found == 0, filter_
    assert client.get(USERS, {"filter": "not (active pr)"}).json()["totalResults"] == 1
    # Other writes keep it unassigned; a value assigns it again.
    client.patch(url_of(user), patch_body({"op": "replace", "path": "title", "value": "x"}))
    assert "active" not in client.get(url_of(user)).json()
    assert client.put(url_of(user), {"userName": "bjensen"}).json().get("active") is None
    assert columns("bjensen")["is_active"] is was_active
    again = client.patch(url_of(user), patch_body({"op": "add", "path": "active", "value": False}))
    assert again.json()["active"] is False
    assert columns("bjensen")["is_active"] is False
    assert client.get(USERS, {"filter": "active eq false"}).json()["totalResults"] == 1


def test_rfc7644_3_5_2_2_unassigned_active_follows_the_application(client):
    """The column wins (docs/users.md): once the application changes ``is_active``, SCIM
    shows it again."""
    user = create_user(client, active=True)
    client.patch(url_of(user), patch_body({"op": "remove", "path": "active"}))
    django_user = User.objects.get(username="bjensen")
    django_user.is_active = False
    django_user.save()
    assert client.get(url_of(user)).json()["active"] is False
    assert client.get(USERS, {"filter": "active eq false"}).json()["totalResults"] == 1


ACTIVE_REQUIRED = dataclasses.replace(
    USER,
    attributes=tuple(
        dataclasses.replace(a, required=True) if a.name == "active" else a for a in USER.attributes
    ),
)


class ActiveRequiredSerializer(SCIMUserSerializer):
    """A project that declares ``active`` required."""

    schema = ACTIVE_REQUIRED


@override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.ActiveRequiredSerializer"})
def test_rfc7644_3_5_2_2_remove_of_a_required_active_is_mutability(client):
    """§3.5.2.2: "If an attribute is removed or becomes unassigned and is defined as a
    required attribute ..., the server SHALL return ... a "scimType" error code of
    "mutability"." Nothing changes."""
    user = create_user(client, active=False)
    before = snapshot()
    response = client.patch(url_of(user), patch_body({"op": "remove", "path": "active"}))
    assert response.status_code == 400
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["scimType"] == "mutability"
    assert "active is required" in body["detail"]
    assert snapshot() == before
    assert client.get(url_of(user)).json()["active"] is False


def test_rfc7644_3_5_2_3_replace_without_path(client, babs):
    """§3.5.2.3, "replace all values of one or more specific attributes", the RFC's body:
    ``emails`` loses its other values, the other attributes are left alone."""
    client.patch(url_of(babs), patch_body({"op": "remove", "path": "emails"}))
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "replace",
                    "value": {
                        "emails": [
                            {"value": "bjensen@example.com", "type": "work", "primary": True},
                            {"value": "babs@jensen.org", "type": "home"},
                        ],
                        "nickname": "Babs",
                    },
                }
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["emails"] == babs["emails"]
    assert body["nickName"] == "Babs"
    assert body["addresses"] == babs["addresses"]
    assert columns("bjensen@example.com")["email"] == "bjensen@example.com"


def test_rfc7644_3_5_2_3_replace_with_paths_on_mapped_columns(client, babs):
    """Replaces that land in the Django columns: ``userName``, ``name.givenName``,
    ``name.familyName``, ``active`` and the primary e-mail."""
    response = client.patch(
        url_of(babs),
        patch_body(
            {"op": "replace", "path": "userName", "value": "barbara@example.com"},
            {"op": "replace", "path": "name.givenName", "value": "Barb"},
            {"op": "replace", "path": "name.familyName", "value": "Jensen-Smith"},
            {"op": "replace", "path": "active", "value": False},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "b@example.org"},
        ),
    )
    assert response.status_code == 200, response.content
    row = columns("barbara@example.com")
    assert row["username"] == "barbara@example.com"
    assert (row["first_name"], row["last_name"]) == ("Barb", "Jensen-Smith")
    assert row["is_active"] is False
    assert row["email"] == "b@example.org"
    assert UserRecord.objects.get(id=babs["id"]).user_name_key == "barbara@example.com"
    body = response.json()
    assert body["name"]["middleName"] == "Jane"  # the other sub-attributes are left
    assert body["emails"][0] == {"value": "b@example.org", "type": "work", "primary": True}


def test_rfc7644_3_5_2_3_replace_the_work_address(client, babs):
    """§3.5.2.3, "change a User's entire 'work' address" and then one sub-attribute."""
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "replace",
                    "path": 'addresses[type eq "work"]',
                    "value": {
                        "type": "work",
                        "streetAddress": "911 Universal City Plaza",
                        "locality": "Hollywood",
                        "region": "CA",
                        "postalCode": "91608",
                        "country": "US",
                        "formatted": "911 Universal City Plaza\nHollywood, CA 91608 US",
                        "primary": True,
                    },
                },
                {
                    "op": "replace",
                    "path": 'addresses[type eq "work"].streetAddress',
                    "value": "1010 Broadway Ave",
                },
            ],
        },
    )
    assert response.status_code == 200, response.content
    work = response.json()["addresses"][0]
    assert work["streetAddress"] == "1010 Broadway Ave"
    assert work["country"] == "US"
    row = UserValue.objects.get(record__id=babs["id"], attribute="addresses", type="work")
    assert row.data["streetAddress"] == "1010 Broadway Ave"
    assert row.primary is True


def test_enterprise_attributes_by_urn_qualified_paths_rfc7644_3_5_2(client, babs):
    """Extension attributes named by their URN-qualified path (RFC 7644 §3.5.2, RFC 7643
    §3.3), including the complex ``manager``; the URN joins and leaves ``schemas``."""
    boss = create_user(client, "boss")
    response = client.patch(
        url_of(babs),
        patch_body(
            {"op": "add", "path": f"{ENTERPRISE}:department", "value": "Tour Operations"},
            {"op": "add", "path": f"{ENTERPRISE}:employeeNumber", "value": "701984"},
            {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": boss["id"]}},
        ),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["schemas"] == [USER_SCHEMA, ENTERPRISE]
    assert body[ENTERPRISE] == {
        "employeeNumber": "701984",
        "department": "Tour Operations",
        "manager": {"value": boss["id"]},
    }
    assert UserRecord.objects.get(id=babs["id"]).attributes[ENTERPRISE] == body[ENTERPRISE]

    response = client.patch(
        url_of(babs),
        patch_body(
            {"op": "replace", "path": f"{ENTERPRISE}:manager.value", "value": babs["id"]},
            {"op": "remove", "path": f"{ENTERPRISE}:employeeNumber"},
        ),
    )
    assert response.status_code == 200, response.content
    assert response.json()[ENTERPRISE] == {
        "department": "Tour Operations",
        "manager": {"value": babs["id"]},
    }
    response = client.patch(
        url_of(babs),
        patch_body(
            {"op": "remove", "path": f"{ENTERPRISE}:manager"},
            {"op": "remove", "path": f"{ENTERPRISE}:department"},
        ),
    )
    assert response.status_code == 200, response.content
    assert response.json()["schemas"] == [USER_SCHEMA]
    assert ENTERPRISE not in response.json()
    assert ENTERPRISE not in UserRecord.objects.get(id=babs["id"]).attributes


# -- errors: RFC 7644 §3.12, Table 9 ----------------------------------------------------------

ERRORS = [
    # invalidSyntax: the message does not conform to the PatchOp schema
    ({"op": "copy", "path": "title", "value": "x"}, "invalidSyntax"),
    ("not an operation", "invalidSyntax"),
    # invalidPath: a path that does not parse, or names nothing
    ({"op": "replace", "path": 'emails[type eq "work"', "value": "x"}, "invalidPath"),
    ({"op": "replace", "path": "nonexistent", "value": "x"}, "invalidPath"),
    ({"op": "replace", "path": "emails.value", "value": "x"}, "invalidPath"),
    ({"op": "replace", "path": "urn:example:unknown:User:title", "value": "x"}, "invalidPath"),
    ({"op": "replace", "path": 42, "value": "x"}, "invalidPath"),
    ({"op": "remove", "path": 'emails[primary co "t"]'}, "invalidPath"),
    # noTarget: remove without a path; a filter that matches no value of a replace
    ({"op": "remove"}, "noTarget"),
    ({"op": "replace", "path": 'emails[type eq "other"].value', "value": "x"}, "noTarget"),
    ({"op": "add", "path": 'emails[type co "zz"].value', "value": "x@example.com"}, "noTarget"),
    # mutability: readOnly paths, required attributes removed
    ({"op": "replace", "path": "id", "value": str(uuid.uuid4())}, "mutability"),
    ({"op": "replace", "path": "meta.version", "value": 'W/"9"'}, "mutability"),
    ({"op": "remove", "path": "userName"}, "mutability"),
    ({"op": "replace", "path": "userName", "value": None}, "mutability"),
    ({"op": "add", "path": f"{ENTERPRISE}:manager.displayName", "value": "x"}, "mutability"),
    # invalidValue: missing or incompatible values
    ({"op": "replace", "path": "active", "value": "maybe"}, "invalidValue"),
    ({"op": "replace", "path": "title"}, "invalidValue"),
    ({"op": "add", "value": "not an object"}, "invalidValue"),
    ({"op": "add", "path": "emails", "value": [{"value": {"nested": 1}}]}, "invalidValue"),
    ({"op": "replace", "path": "name.givenName", "value": "x" * 151}, "invalidValue"),
    ({"op": "replace", "path": "userName", "value": "x" * 151}, "invalidValue"),
]


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    ERRORS,
    ids=[f"{scim_type}-{index}" for index, (_, scim_type) in enumerate(ERRORS)],
)
def test_each_scim_type_is_an_error_body_and_changes_nothing_rfc7644_3_12(
    client, babs, operation, scim_type
):
    before = snapshot()
    response = client.patch(url_of(babs), patch_body(operation))
    assert_error(response, 400, scim_type)
    assert snapshot() == before
    event = SCIMEvent.objects.get(operation="patch")
    assert (event.status, event.resource_id) == (400, babs["id"])
    assert event.detail == response.json()["detail"]
    assert client.get(url_of(babs)).json() == babs


@pytest.mark.parametrize(
    "body",
    [
        {"schemas": [PATCH_OP_SCHEMA]},
        {"schemas": [PATCH_OP_SCHEMA], "Operations": []},
        {"schemas": [PATCH_OP_SCHEMA], "Operations": {"op": "add"}},
        {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "Copy", "value": {}}]},
        {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"path": "title", "value": "x"}]},
        [{"op": "add", "path": "title", "value": "x"}],
        '{"Operations": [',
        {"userName": "a PUT body, not a PatchOp"},
    ],
    ids=[
        "no-operations",
        "empty-operations",
        "operations-object",
        "unknown-op",
        "missing-op",
        "array-body",
        "not-json",
        "resource-body",
    ],
)
def test_malformed_patch_body_is_400_invalid_syntax_rfc7644_3_5_2(client, babs, body):
    before = snapshot()
    response = client.patch(url_of(babs), body)
    assert_error(response, 400, "invalidSyntax")
    assert snapshot() == before


def test_strict_requires_the_patch_op_schema_rfc7644_3_5_2(client, babs):
    before = snapshot()
    with override_settings(DRF_SCIM={"STRICT": True}):
        response = client.patch(
            url_of(babs), {"Operations": [{"op": "replace", "path": "title", "value": "x"}]}
        )
    assert_error(response, 400, "invalidSyntax")
    assert snapshot() == before


@pytest.mark.parametrize("op", ["add", "replace", "remove"])
def test_read_only_groups_path_is_mutability_rfc7643_4_1_2(client, babs, op):
    """``groups`` is readOnly (RFC 7643 §4.1.2): naming it in a path is ``mutability``, and
    memberships (changed through /Groups only) stay as they are."""
    group = client.post(GROUPS, {"displayName": "Tour Guides", "members": [{"value": babs["id"]}]})
    assert group.status_code == 201
    before = snapshot()
    operation = {"op": op, "path": "groups"}
    if op != "remove":
        operation["value"] = [{"value": str(uuid.uuid4())}]
    response = client.patch(url_of(babs), patch_body(operation))
    assert_error(response, 400, "mutability")
    assert snapshot() == before
    assert [g["value"] for g in client.get(url_of(babs)).json()["groups"]] == [group.json()["id"]]


def test_groups_inside_a_path_less_value_are_ignored_rfc7644_3_5_1(client, babs):
    """Read-only attributes inside a path-less value are ignored, as in a PUT."""
    group = client.post(GROUPS, {"displayName": "Tour Guides", "members": [{"value": babs["id"]}]})
    response = client.patch(
        url_of(babs),
        patch_body({"op": "replace", "value": {"groups": [], "title": "Guide"}}),
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Guide"
    assert [g["value"] for g in response.json()["groups"]] == [group.json()["id"]]


# -- atomicity: RFC 7644 §3.5.2 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("third", "status", "scim_type"),
    [
        ({"op": "replace", "path": "active", "value": "maybe"}, 400, "invalidValue"),
        ({"op": "remove", "path": "userName"}, 400, "mutability"),
        ({"op": "replace", "path": 'phoneNumbers[type eq "pager"]', "value": {}}, 400, "noTarget"),
        ({"op": "replace", "path": "userName", "value": "OTHER"}, 409, "uniqueness"),
    ],
    ids=["invalidValue", "mutability", "noTarget", "uniqueness"],
)
def test_third_operation_failing_undoes_the_first_two_rfc7644_3_5_2(
    client, babs, third, status, scim_type
):
    """ "If a single operation encounters an error condition, the original SCIM resource
    MUST be restored": the first two operations (a column and a value row) leave no trace,
    also when the failure is the database's unique constraint."""
    create_user(client, "other")
    before = snapshot()
    response = client.patch(
        url_of(babs),
        patch_body(
            {"op": "replace", "path": "name.givenName", "value": "Changed"},
            {"op": "add", "path": "emails", "value": [{"value": "new@example.com"}]},
            third,
        ),
    )
    assert_error(response, status, scim_type)
    assert snapshot() == before
    assert columns("bjensen@example.com")["first_name"] == "Barbara"
    assert client.get(url_of(babs)).json() == babs


# -- the response: RFC 7644 §3.5.2, §3.9, §3.14 -----------------------------------------------


def test_200_response_honours_attributes_rfc7644_3_9(client, babs):
    response = client.patch(
        url_of(babs),
        patch_body({"op": "replace", "path": "title", "value": "Senior Guide"}),
        QUERY_STRING="attributes=title,userName",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "schemas": [USER_SCHEMA],
        "id": babs["id"],
        "userName": "bjensen@example.com",
        "title": "Senior Guide",
    }
    assert response["ETag"] == 'W/"2"'
    assert client.get(url_of(babs)).json()["emails"] == babs["emails"]  # written, not shown


def test_200_response_honours_excluded_attributes_rfc7644_3_9(client, babs):
    response = client.patch(
        url_of(babs),
        patch_body(
            {"op": "replace", "path": "title", "value": "Senior Guide"},
            {"op": "add", "path": "emails", "value": [{"value": "x@example.com"}]},
        ),
        QUERY_STRING="excludedAttributes=emails,name,addresses",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Senior Guide"
    assert not {"emails", "name", "addresses"} & set(body)
    assert body["meta"]["version"] == 'W/"2"'
    stored = client.get(url_of(babs)).json()
    assert stored["emails"][-1] == {"value": "x@example.com"}
    assert stored["name"] == babs["name"]


@override_settings(DRF_SCIM={"PATCH_RESPONSE": "no-content"})
def test_no_content_setting_answers_204_with_the_new_etag_rfc7644_3_5_2(client, babs):
    """ "the server MUST return a 200 OK ... or ... 204 No Content"; the ETag still
    carries the new version (RFC 7644 §3.14)."""
    response = client.patch(
        url_of(babs), patch_body({"op": "replace", "path": "title", "value": "Senior Guide"})
    )
    assert response.status_code == 204
    assert response.content == b""
    stored = client.get(url_of(babs))
    assert stored.json()["title"] == "Senior Guide"
    assert response["ETag"] == stored["ETag"] == stored.json()["meta"]["version"] == 'W/"2"'


def test_version_and_last_modified_change_on_every_patch_rfc7644_3_14(client, babs):
    versions = [babs["meta"]["version"]]
    modified = [babs["meta"]["lastModified"]]
    for title in ("a", "b", "c"):
        response = client.patch(
            url_of(babs), patch_body({"op": "replace", "path": "title", "value": title})
        )
        assert response["ETag"] == response.json()["meta"]["version"]
        versions.append(response.json()["meta"]["version"])
        modified.append(response.json()["meta"]["lastModified"])
    assert versions == ['W/"1"', 'W/"2"', 'W/"3"', 'W/"4"']
    assert modified == sorted(modified)
    assert UserRecord.objects.get(id=babs["id"]).version == 4
    assert client.get(url_of(babs)).json()["meta"]["created"] == babs["meta"]["created"]


def test_if_match_stale_is_412_and_changes_nothing_rfc7644_3_14(client, babs):
    client.patch(url_of(babs), patch_body({"op": "replace", "path": "title", "value": "v2"}))
    before = snapshot()
    response = client.patch(
        url_of(babs),
        patch_body({"op": "replace", "path": "active", "value": False}),
        HTTP_IF_MATCH=babs["meta"]["version"],
    )
    assert_error(response, 412)
    assert snapshot() == before
    assert columns("bjensen@example.com")["is_active"] is True
    assert SCIMEvent.objects.filter(operation="patch", status=412).count() == 1


@pytest.mark.parametrize("header", ['W/"1"', '"1"', "*", 'W/"7", W/"1"'])
def test_if_match_current_writes_rfc7644_3_14(client, babs, header):
    response = client.patch(
        url_of(babs),
        patch_body({"op": "replace", "path": "active", "value": False}),
        HTTP_IF_MATCH=header,
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == 'W/"2"'
    assert columns("bjensen@example.com")["is_active"] is False


def test_unknown_id_is_404_rfc7644_3_12(client, babs):
    before = snapshot()
    for resource_id in (str(uuid.uuid4()), "not-a-uuid"):
        response = client.patch(
            f"{USERS}/{resource_id}", patch_body({"op": "replace", "path": "title", "value": "x"})
        )
        assert_error(response, 404)
    assert snapshot() == before
    assert list(SCIMEvent.objects.filter(operation="patch").values_list("status", flat=True)) == [
        404,
        404,
    ]


def test_a_deleted_user_is_404_to_patch_rfc7644_3_6(client, babs):
    assert client.delete(url_of(babs)).status_code == 204
    response = client.patch(
        url_of(babs), patch_body({"op": "replace", "path": "title", "value": "x"})
    )
    assert_error(response, 404)


# -- uniqueness: RFC 7643 §4.1.1 --------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "userName", "value": "BJENSEN@example.COM"},
        {"op": "replace", "value": {"userName": "Bjensen@Example.com"}},
        {"op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName",
         "value": "bjensen@EXAMPLE.com"},
    ],
    ids=["path", "path-less", "qualified"],
)  # fmt: skip
def test_username_of_another_user_ignoring_case_is_409_rfc7643_4_1_1(client, babs, operation):
    other = create_user(client, "jdoe", title="Clerk")
    before = snapshot()
    response = client.patch(url_of(other), patch_body(operation))
    assert_error(response, 409, "uniqueness")
    assert snapshot() == before
    assert columns("jdoe")["username"] == "jdoe"
    assert SCIMEvent.objects.get(operation="patch").status == 409


def test_changing_the_case_of_its_own_username_is_fine(client, babs):
    response = client.patch(
        url_of(babs),
        patch_body({"op": "replace", "path": "userName", "value": "BJensen@Example.com"}),
    )
    assert response.status_code == 200, response.content
    assert columns("bjensen@example.com")["username"] == "BJensen@Example.com"


# -- signals and the audit log ----------------------------------------------------------------


def test_signals_and_audit_log_carry_operation_patch(client, token, babs):
    body = patch_body({"op": "replace", "path": "title", "value": "Senior Guide"})
    with receiving(pre_operation) as pre, receiving(post_operation) as post:
        response = client.patch(url_of(babs), body)
    assert response.status_code == 200
    assert len(pre) == len(post) == 1
    for sent in (pre[0], post[0]):
        assert sent["operation"] == "patch"
        assert sent["resource_type"] == "User"
        assert sent["resource_id"] == babs["id"]
        assert sent["request"].method == "PATCH"
        assert isinstance(sent["instance"], User)
    assert all(isinstance(operation, PatchOperation) for operation in pre[0]["data"])
    assert pre[0]["data"][0].op == "replace"
    assert post[0]["data"]["title"] == "Senior Guide"
    assert post[0]["status"] == 200
    event = SCIMEvent.objects.get(operation="patch")
    assert (event.resource_type, event.resource_id, event.status) == ("User", babs["id"], 200)
    assert event.token_id == token.pk
    assert event.payload == body


def test_a_failed_patch_sends_operation_failed_and_is_recorded(client, babs):
    body = patch_body({"op": "replace", "path": "active", "value": "maybe"})
    with receiving(post_operation) as post, receiving(operation_failed) as failed:
        response = client.patch(url_of(babs), body)
    assert response.status_code == 400
    assert post == []
    assert len(failed) == 1
    assert failed[0]["operation"] == "patch"
    assert failed[0]["status"] == 400
    assert failed[0]["resource_id"] == babs["id"]
    event = SCIMEvent.objects.get(operation="patch")
    assert (event.status, event.payload) == (400, body)
    assert event.detail == response.json()["detail"]


def test_a_receiver_that_raises_rolls_the_patch_back(client, babs):
    def veto(**kwargs):
        raise SCIMAPIException("Locked by policy.")

    before = snapshot()
    post_operation.connect(veto, dispatch_uid="veto")
    try:
        response = client.patch(
            url_of(babs), patch_body({"op": "replace", "path": "active", "value": False})
        )
    finally:
        post_operation.disconnect(dispatch_uid="veto")
    assert_error(response, 400)
    assert snapshot() == before


# -- password: RFC 7643 §4.1.1 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "value": {"password": SECRET}},
        {"op": "replace", "path": "password", "value": SECRET},
        {"op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User:password",
         "value": SECRET},
    ],
    ids=["path-less", "path", "qualified-path"],
)  # fmt: skip
def test_password_is_hashed_never_returned_and_scrubbed_from_the_audit_log(client, operation):
    """RFC 7643 §4.1.1: "password ... SHALL NOT be returned"; it is hashed with Django's
    hashers, and ``AUDIT_SCRUB_ATTRIBUTES`` keeps it out of the audit log whichever way
    the PATCH names it (RFC 7644 §7.5.2: passwords are not to be stored in cleartext)."""
    user = create_user(client, "jdoe")
    response = client.patch(url_of(user), patch_body(operation))
    assert response.status_code == 200, response.content
    assert SECRET not in response.content.decode()
    assert "password" not in response.json()
    stored = User.objects.get(username="jdoe")
    assert stored.password != SECRET
    assert stored.check_password(SECRET)
    assert SECRET not in client.get(url_of(user)).content.decode()
    rows = [
        *UserRecord.objects.values(),
        *UserValue.objects.values(),
        *SCIMEvent.objects.values(),
    ]
    assert SECRET not in str(rows)
    assert SCRUBBED in str(SCIMEvent.objects.get(operation="patch").payload)


def test_a_patch_without_password_keeps_it(client, babs):
    assert User.objects.get().check_password(SECRET)  # set by the RFC sample's POST
    client.patch(url_of(babs), patch_body({"op": "replace", "path": "title", "value": "x"}))
    assert User.objects.get().check_password(SECRET)


# -- identity providers: Microsoft Entra ID ---------------------------------------------------


def test_entra_id_disable_user_without_feature_flag(client, babs):
    """Microsoft Entra ID, "Known issues and resolutions with SCIM 2.0 protocol compliance",
    "Requests made to disable users", without feature flag: ``"op": "Replace"`` and the
    string ``"False"``.
    https://learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    assert columns("bjensen@example.com")["is_active"] is False
    assert not User.objects.get().is_active  # the user can no longer log in


def test_entra_id_disable_user_from_the_tutorial(client, babs):
    """Entra's tutorial "Develop and plan provisioning for a SCIM endpoint", "Disable User":
    ``Operations`` before ``schemas``, a real boolean, capitalised ``Replace``.
    https://learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    response = client.patch(
        url_of(babs),
        {
            "Operations": [{"op": "Replace", "path": "active", "value": False}],
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        },
    )
    assert response.status_code == 200, response.content
    assert columns("bjensen@example.com")["is_active"] is False


def test_entra_id_add_single_value_string_attribute(client):
    """Same compliance page, "Requests made to add a single-value string attribute",
    without feature flag."""
    user = create_user(client, "jdoe")
    response = client.patch(
        url_of(user),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Add", "path": "nickName", "value": "Babs"}],
        },
    )
    assert response.status_code == 200, response.content
    assert UserRecord.objects.get(id=user["id"]).attributes == {"nickName": "Babs"}


def test_entra_id_replace_multiple_attributes_without_feature_flag(client, babs):
    """Same page, "Requests to replace multiple attributes", without feature flag:
    one capitalised ``Replace`` per path, ``externalId`` among them."""
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": "displayName", "value": "Pvlo"},
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "TestBcwqnm@test.microsoft.com",
                },
                {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
                {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
                {"op": "Replace", "path": "externalId", "value": "Eqpj"},
                {
                    "op": "Replace",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",  # noqa: E501
                    "value": "Eqpj",
                },
            ],
        },
    )
    assert response.status_code == 200, response.content
    row = columns("bjensen@example.com")
    assert (row["first_name"], row["last_name"]) == ("Gtfd", "Pkqf")
    assert row["email"] == "TestBcwqnm@test.microsoft.com"
    record = UserRecord.objects.get(id=babs["id"])
    assert record.external_id == "Eqpj"
    assert record.attributes["displayName"] == "Pvlo"
    assert record.attributes[ENTERPRISE] == {"employeeNumber": "Eqpj"}
    assert response.json()["schemas"] == [USER_SCHEMA, ENTERPRISE]


def test_entra_id_replace_multiple_attributes_with_feature_flag(client, babs):
    """Same page, with the ``aadOptscim062020`` flag: one path-less ``replace`` whose keys
    are a dotted path (``name.givenName``) and URN-qualified extension attributes."""
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "TestMhvaes@test.microsoft.com",
                },
                {
                    "op": "replace",
                    "value": {
                        "displayName": "Bjfe",
                        "name.givenName": "Kkom",
                        "name.familyName": "Unua",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq",  # noqa: E501
                    },
                },
            ],
        },
    )
    assert response.status_code == 200, response.content
    row = columns("bjensen@example.com")
    assert (row["first_name"], row["last_name"]) == ("Kkom", "Unua")
    assert row["email"] == "TestMhvaes@test.microsoft.com"
    body = response.json()
    assert body["displayName"] == "Bjfe"
    assert body["name"]["middleName"] == "Jane"
    assert body[ENTERPRISE] == {"employeeNumber": "Aklq"}


def test_entra_id_path_less_replace_of_department_and_given_name(client, babs):
    """The flag's path-less shape with the attributes of Entra's default User mapping,
    ``department`` (``urn:...:enterprise:2.0:User:department``) and ``name.givenName``,
    and ``"active": "False"``; an ``id`` key in the value is readOnly and ignored
    (RFC 7644 §3.5.1)."""
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "Replace",
                    "value": {
                        "id": str(uuid.uuid4()),
                        "name.givenName": "Barbara Jane",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Tour Operations",  # noqa: E501
                        "active": "False",
                    },
                }
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == babs["id"]
    assert body[ENTERPRISE] == {"department": "Tour Operations"}
    row = columns("bjensen@example.com")
    assert (row["first_name"], row["is_active"]) == ("Barbara Jane", False)
    assert str(UserRecord.objects.get().id) == babs["id"]


def test_entra_id_update_user_multi_valued_properties(client, babs):
    """Entra's tutorial, "Update User [Multi-valued properties]", as published."""
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "updatedEmail@microsoft.com",
                },
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["emails"][0] == {
        "value": "updatedEmail@microsoft.com",
        "type": "work",
        "primary": True,
    }
    row = columns("bjensen@example.com")
    assert (row["email"], row["last_name"]) == ("updatedEmail@microsoft.com", "updatedFamilyName")


def test_entra_id_update_user_single_valued_properties(client, babs):
    """Entra's tutorial, "Update User [Single-valued properties]": a new ``userName``."""
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "Replace",
                    "path": "userName",
                    "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com",
                }
            ],
        },
    )
    assert response.status_code == 200, response.content
    assert User.objects.get().username == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"


def test_entra_id_add_work_email_when_there_is_none(client):
    """Microsoft Q&A 1684621, "Entra ID patch sending Add instead of Replace": ``Add`` on
    ``emails[type eq "work"].value`` for a user without a work e-mail creates one, and it
    reaches the ``email`` column.
    https://learn.microsoft.com/answers/questions/1684621/entra-id-patch-sending-add-instead-of-replace
    """
    user = create_user(client, "jdoe")
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "title", "value": "tester"},
            {"op": "Add", "path": 'emails[type eq "work"].value', "value": "joe@example.com"},
        ],
    }
    response = client.patch(url_of(user), body)
    assert response.status_code == 200, response.content
    assert response.json()["emails"] == [{"type": "work", "value": "joe@example.com"}]
    assert columns("jdoe")["email"] == "joe@example.com"
    again = client.patch(url_of(user), body)  # Entra repeats it: no second work e-mail
    assert again.json()["emails"] == [{"type": "work", "value": "joe@example.com"}]
    assert UserValue.objects.filter(record__id=user["id"], attribute="emails").count() == 1


def test_entra_id_manager_as_a_bare_id_as_an_object_and_removed(client, babs):
    """Entra sets the enterprise ``manager`` with the manager's id as a bare string (the
    tutorial's schema example; SCIM-SDK issue 686 shows the request:
    ``{"op": "add", "path": "urn:...:User:manager", "value": "2c2f6fb8-..."}``), and, with
    other configurations, as ``{"value": id}``; a ``Remove`` without value clears it.
    https://github.com/Captain-P-Goldfish/SCIM-SDK/issues/686
    """
    first, second = create_user(client, "boss1"), create_user(client, "boss2")
    path = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": path, "value": first["id"]}],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()[ENTERPRISE] == {"manager": {"value": first["id"]}}
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": path, "value": {"value": second["id"]}}],
        },
    )
    assert response.json()[ENTERPRISE] == {"manager": {"value": second["id"]}}
    assert UserRecord.objects.get(id=babs["id"]).attributes[ENTERPRISE] == {
        "manager": {"value": second["id"]}
    }
    response = client.patch(
        url_of(babs),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Remove", "path": path}],
        },
    )
    assert response.status_code == 200, response.content
    assert ENTERPRISE not in response.json()
    assert ENTERPRISE not in UserRecord.objects.get(id=babs["id"]).attributes


# -- identity providers: Okta -----------------------------------------------------------------


def test_okta_deactivate_and_reactivate_user(client, babs):
    """Okta, "SCIM 2.0 Protocol Reference", "Update a specific User (PATCH)": deactivation
    is a path-less ``replace`` of ``{"active": false}``; reactivation the same with true.
    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    for active in (False, True):
        response = client.patch(
            url_of(babs),
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "value": {"active": active}}],
            },
        )
        assert response.status_code == 200, response.content
        assert response.json()["active"] is active
        assert columns("bjensen@example.com")["is_active"] is active
        assert without_meta(response.json()) == {**without_meta(babs), "active": active}


def test_okta_put_profile_update_with_groups_and_password(client):
    """Okta, same page, "Update a specific User (PUT)": Okta GETs the user, changes what
    changed and PUTs the whole body back with ``id``, ``"groups": []`` and ``meta``; its
    create body carries a ``password``, sent again on a password sync. ``groups`` is
    readOnly and ignored (memberships stay), the password is hashed and never returned."""
    created = client.post(
        USERS,
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "test.user@okta.local",
            "name": {"givenName": "Test", "familyName": "User"},
            "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
            "displayName": "Test User",
            "locale": "en-US",
            "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [],
            "password": "1mz050nq",
            "active": True,
        },
    )
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    group = client.post(GROUPS, {"displayName": "Okta pushed", "members": [{"value": user_id}]})
    response = client.put(
        f"{USERS}/{user_id}",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": user_id,
            "userName": "test.user@okta.local",
            "name": {"givenName": "Another", "middleName": "Excited", "familyName": "User"},
            "emails": [
                {
                    "primary": True,
                    "value": "test.user@okta.local",
                    "type": "work",
                    "display": "test.user@okta.local",
                }
            ],
            "active": True,
            "groups": [],
            "password": "0kta$ync2",
            "meta": {"resourceType": "User"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == {"givenName": "Another", "middleName": "Excited", "familyName": "User"}
    assert [g["value"] for g in body["groups"]] == [group.json()["id"]]
    assert "password" not in body
    user = User.objects.get()
    assert user.first_name == "Another"
    assert user.check_password("0kta$ync2")
    assert "0kta$ync2" not in str(list(SCIMEvent.objects.values()))
    assert "0kta$ync2" not in str(list(UserRecord.objects.values()))


# -- concurrency: no lost update --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_adding_phone_numbers_lose_none(client, token):
    """Four PATCHes each add a phone number to one user at the same time: each locks the
    record before reading the document (``get_object(lock=True)``), so none is lost."""
    user = create_user(client, "racer", phoneNumbers=[{"value": "+1-555-0000", "type": "work"}])
    numbers = [f"+1-555-000{i}" for i in range(1, 5)]
    bodies = [
        patch_body({"op": "add", "path": "phoneNumbers", "value": [{"value": n, "type": "home"}]})
        for n in numbers
    ]
    assert patch_concurrently(token.key, url_of(user), bodies) == [200] * 4
    stored = client.get(url_of(user)).json()
    assert sorted(p["value"] for p in stored["phoneNumbers"]) == ["+1-555-0000", *numbers]
    assert stored["meta"]["version"] == 'W/"5"'
    rows = UserValue.objects.filter(record__id=user["id"], attribute="phoneNumbers")
    assert rows.count() == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_of_different_attributes_lose_none(client, token):
    """Four PATCHes each replace a different attribute (two stored, two in columns)."""
    user = create_user(client, "racer", name={"givenName": "A", "familyName": "B"})
    bodies = [
        patch_body({"op": "replace", "path": "title", "value": "Guide"}),
        patch_body({"op": "replace", "path": "nickName", "value": "Racy"}),
        patch_body({"op": "replace", "path": "name.givenName", "value": "Given"}),
        patch_body({"op": "replace", "path": "active", "value": False}),
    ]
    assert patch_concurrently(token.key, url_of(user), bodies) == [200] * 4
    stored = client.get(url_of(user)).json()
    assert (stored["title"], stored["nickName"]) == ("Guide", "Racy")
    assert stored["name"] == {"givenName": "Given", "familyName": "B"}
    assert stored["active"] is False
    row = columns("racer")
    assert (row["first_name"], row["last_name"], row["is_active"]) == ("Given", "B", False)
    assert UserRecord.objects.get(id=user["id"]).version == 5


# -- property: the API applies what the engine computes ---------------------------------------

TYPES = ["work", "home", "other"]
TEXT = st.text(alphabet="abcXYZé-", min_size=1, max_size=8)
EMAIL = st.builds("{}@{}.example".format, st.sampled_from(["a", "b", "C"]), st.sampled_from(TYPES))


def _email_value(draw_value, draw_type, primary):
    value = {"value": draw_value, "type": draw_type}
    if primary is not None:
        value["primary"] = primary
    return value


SIMPLE_PATHS = ["title", "nickName", "displayName", "name.givenName"]
ADD_OR_REPLACE = st.sampled_from(["add", "replace"])
PRIMARY = st.sampled_from([None, True, False])
PATH_LESS_VALUE = st.fixed_dictionaries(
    {}, optional={"title": TEXT, "nickName": TEXT, "active": st.booleans()}
)


def _operation(op, path=None, value=None):
    operation = {"op": op, "path": path, "value": value}
    return {k: v for k, v in operation.items() if k == "op" or v is not None}


def _filtered(kind, sub=""):
    return f'emails[type eq "{kind}"]{sub}'


OPERATIONS = st.one_of(
    st.builds(_operation, ADD_OR_REPLACE, st.sampled_from(SIMPLE_PATHS), TEXT),
    st.builds(_operation, st.just("remove"), st.sampled_from(SIMPLE_PATHS)),
    st.builds(_operation, ADD_OR_REPLACE, st.just("active"), st.booleans()),
    st.builds(_operation, ADD_OR_REPLACE, st.none(), PATH_LESS_VALUE),
    st.builds(
        _operation,
        ADD_OR_REPLACE,
        st.just("emails"),
        st.lists(st.builds(_email_value, EMAIL, st.sampled_from(TYPES), PRIMARY), max_size=3),
    ),
    st.builds(
        _operation,
        ADD_OR_REPLACE,
        st.builds(_filtered, st.sampled_from(TYPES), st.just(".value")),
        EMAIL,
    ),
    st.builds(_operation, st.just("remove"), st.builds(_filtered, st.sampled_from(TYPES))),
    st.builds(
        _operation,
        st.just("replace"),
        st.builds(_filtered, st.sampled_from(TYPES), st.just(".primary")),
        st.just(True),
    ),
)

_counter = iter(range(10**6))


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=6))
def test_api_and_engine_agree_on_random_operations(client, operations):
    """Random valid operations on simple attributes (two of them in columns) and on
    ``emails`` (the primary one in a column): the user's GET afterwards is what
    ``apply_patch`` makes of the GET before; when the engine refuses the operations, the
    API answers the same SCIM error and nothing changes."""
    user = create_user(
        client,
        f"prop{next(_counter)}",
        title="Start",
        name={"givenName": "Given"},
        emails=[{"value": "start@example.com", "type": "work", "primary": True}],
    )
    before = client.get(url_of(user)).json()
    body = patch_body(*copy.deepcopy(operations))
    schemas = scim_settings.USER_SERIALIZER.get_schemas()
    try:
        expected = apply_patch(before, parse_patch_request(body, schemas), schemas)
    except SCIMError as exc:
        event(f"refused: {exc.scim_type}")
        response = client.patch(url_of(user), body)
        assert_error(response, exc.status_code, exc.scim_type)
        assert client.get(url_of(user)).json() == before
        return
    event("applied")
    response = client.patch(url_of(user), body)
    assert response.status_code == 200, response.content
    after = client.get(url_of(user)).json()
    assert without_meta(after) == without_meta(expected)
    assert without_meta(response.json()) == without_meta(after)
