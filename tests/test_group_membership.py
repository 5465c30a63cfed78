"""PATCH of /Groups membership (RFC 7644 §3.5.2) in every shape identity providers send.

Membership is the host's own many-to-many (``User.groups``); a PATCH writes only what its
operations name, as bulk inserts and deletes on the through table, and never loads the
members (docs/groups.md). The query counts below are the same for a group of 10 members
and one of 5,000. Vendor bodies are copied from the vendors' documentation, each test
naming its source.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from drf_scim.constants import GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.models import GroupRecord, SCIMEvent, UserRecord, UserValue
from drf_scim.records import backfill_user_records

from .conftest import assert_error

GROUPS = "/scim/v2/Groups"
USERS = "/scim/v2/Users"
MEMBERSHIP = User.groups.through


@pytest.fixture(autouse=True)
def patch_answers_the_group(settings):
    """These tests read the group a PATCH answers: they ask for it (``PATCH_RESPONSE``
    "resource"). By default a group PATCH answers 204 (tests/test_patch_response.py)."""
    settings.DRF_SCIM = {"PATCH_RESPONSE": "resource"}


def patch_body(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def create_user(client, name):
    response = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": name})
    assert response.status_code == 201, response.content
    return response.json()


def create_group(client, name="Tour Guides", members=()):
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": m["id"]} for m in members],
    }
    response = client.post(GROUPS, body)
    assert response.status_code == 201, response.content
    return response.json()


def members_of(*users):
    """Member values naming ``users``."""
    return [{"value": user["id"]} for user in users]


def url_of(group):
    return f"{GROUPS}/{group['id']}"


def member_names(group):
    """The usernames of the group's members, read from the through table."""
    return sorted(
        Group.objects.get(scim_record__id=group["id"]).user_set.values_list("username", flat=True)
    )


def state(group):
    """Everything a group PATCH may write: name, record, membership rows."""
    record = GroupRecord.objects.values().get(id=group["id"])
    instance = Group.objects.get(scim_record__id=group["id"])
    rows = sorted(MEMBERSHIP.objects.filter(group=instance).values_list("user_id", flat=True))
    return instance.name, record, rows


def bulk_users(count, prefix="bulk"):
    """``count`` users with SCIM records, created in bulk (as a bulk import would)."""
    User.objects.bulk_create([User(username=f"{prefix}{i}") for i in range(count)])
    backfill_user_records(User, UserRecord, UserValue)
    return list(UserRecord.objects.filter(user__username__startswith=prefix).order_by("user_id"))


@pytest.fixture
def people(client):
    """Three users, and a group whose only member is the first."""
    alice, bob, carol = (create_user(client, name) for name in ("alice", "bob", "carol"))
    group = create_group(client, "Tour Guides", [alice])
    return alice, bob, carol, group


# -- add: RFC 7644 §3.5.2.1 -------------------------------------------------------------------


def test_rfc7644_3_5_2_1_add_a_member_to_a_group(client, people):
    """§3.5.2.1, "add a member to a group", the RFC's body with a real user's id and
    ``$ref``; the version changes (RFC 7644 §3.14) and the response lists the members."""
    alice, bob, _, group = people
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "add",
                    "path": "members",
                    "value": [
                        {
                            "display": "Babs Jensen",
                            "$ref": f"https://example.com/v2/Users/{bob['id']}",
                            "value": bob["id"],
                        }
                    ],
                }
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert sorted(m["value"] for m in body["members"]) == sorted([alice["id"], bob["id"]])
    assert body["meta"]["version"] == response["ETag"] == 'W/"2"'
    assert member_names(group) == ["alice", "bob"]
    bob_member = next(m for m in body["members"] if m["value"] == bob["id"])
    assert bob_member == {
        "value": bob["id"],
        "$ref": f"http://testserver{USERS}/{bob['id']}",
        "display": "bob",  # the server's display, not the client's
        "type": "User",
    }


def test_add_many_members_in_one_operation(client, people):
    _alice, bob, carol, group = people
    response = client.patch(
        url_of(group),
        patch_body(
            {
                "op": "add",
                "path": "members",
                "value": [{"value": bob["id"]}, {"value": carol["id"], "type": "User"}],
            }
        ),
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["alice", "bob", "carol"]
    assert len(response.json()["members"]) == 3


def test_path_less_add_of_members_and_display_name_rfc7644_3_5_2_1(client, people):
    """ "If omitted, the target location is assumed to be the resource itself": a
    path-less ``add`` carries ``members`` (and here a new ``displayName``)."""
    _, bob, carol, group = people
    response = client.patch(
        url_of(group),
        patch_body(
            {
                "op": "add",
                "value": {
                    "displayName": "Guides",
                    "members": [{"value": bob["id"]}, {"value": carol["id"]}],
                },
            }
        ),
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["alice", "bob", "carol"]
    assert Group.objects.get(scim_record__id=group["id"]).name == "Guides"


def test_adding_an_existing_member_is_a_no_op_rfc7644_3_5_2_1(client, people):
    """ "If the target location already contains the value specified, no changes SHOULD be
    made": no duplicate row, no error."""
    alice, _, _, group = people
    for _ in range(2):
        response = client.patch(
            url_of(group),
            patch_body({"op": "add", "path": "members", "value": [{"value": alice["id"]}]}),
        )
        assert response.status_code == 200, response.content
    assert MEMBERSHIP.objects.count() == 1
    assert [m["value"] for m in response.json()["members"]] == [alice["id"]]


def test_member_type_may_be_omitted_or_user(client, people):
    _, bob, carol, group = people
    response = client.patch(
        url_of(group),
        patch_body(
            {"op": "add", "path": "members", "value": [{"value": bob["id"]}]},
            {"op": "add", "path": "members", "value": [{"value": carol["id"], "type": "user"}]},
        ),
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["alice", "bob", "carol"]


# -- remove: RFC 7644 §3.5.2.2 ----------------------------------------------------------------


def test_rfc7644_3_5_2_2_remove_a_single_member(client, people):
    """§3.5.2.2, "Remove a single member from a group", the RFC's filter."""
    alice, bob, _, group = people
    client.patch(
        url_of(group), patch_body({"op": "add", "path": "members", "value": members_of(bob)})
    )
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "remove", "path": f'members[value eq "{alice["id"]}"]'}],
        },
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["bob"]
    assert User.objects.filter(username="alice").exists()  # the user stays


def test_rfc7644_3_5_2_2_remove_all_members(client, people):
    """§3.5.2.2, "Remove all members of a group"; ``members`` is then unassigned."""
    _, bob, carol, group = people
    client.patch(
        url_of(group), patch_body({"op": "add", "path": "members", "value": members_of(bob, carol)})
    )
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "remove", "path": "members"}],
        },
    )
    assert response.status_code == 200, response.content
    assert "members" not in response.json()
    assert member_names(group) == []
    assert User.objects.count() == 3


def test_rfc7644_3_5_2_2_remove_and_add_a_member(client, people):
    """§3.5.2.2, "remove and add a member" in one request, the RFC's shape."""
    alice, bob, _, group = people
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "remove", "path": f'members[value eq "{alice["id"]}"]'},
                {
                    "op": "add",
                    "path": "members",
                    "value": [
                        {
                            "display": "James Smith",
                            "$ref": f"https://example.com/v2/Users/{bob['id']}",
                            "value": bob["id"],
                        }
                    ],
                },
            ],
        },
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["bob"]


def test_remove_several_members_with_or(client, people):
    alice, bob, carol, group = people
    client.patch(
        url_of(group), patch_body({"op": "add", "path": "members", "value": members_of(bob, carol)})
    )
    path = f'members[value eq "{alice["id"]}" or value eq "{carol["id"]}"]'
    response = client.patch(url_of(group), patch_body({"op": "remove", "path": path}))
    assert response.status_code == 200, response.content
    assert member_names(group) == ["bob"]


@pytest.mark.parametrize(
    "value",
    ["bob", str(uuid.uuid4()), "not-a-uuid", "12345"],
    ids=["a-user-not-in-the-group", "unknown-id", "malformed-id", "number-like"],
)
def test_removing_a_non_member_is_a_no_op(client, people, value):
    """§3.5.2.2 defines no error for a filter that matches nothing (only ``replace`` has
    ``noTarget``): 200, and the membership stays."""
    _, bob, _, group = people
    member = bob["id"] if value == "bob" else value
    for body in (
        patch_body({"op": "remove", "path": f'members[value eq "{member}"]'}),
        patch_body({"op": "Remove", "path": "members", "value": [{"value": member}]}),
    ):
        response = client.patch(url_of(group), body)
        assert response.status_code == 200, response.content
        assert member_names(group) == ["alice"]


def test_members_can_be_selected_by_value_only(client, people):
    """A filter on another sub-attribute of ``members`` is refused rather than misread."""
    _, _, _, group = people
    before = state(group)
    response = client.patch(
        url_of(group), patch_body({"op": "remove", "path": 'members[display eq "alice"]'})
    )
    assert_error(response, 400, "invalidPath")
    assert state(group) == before


# -- replace: RFC 7644 §3.5.2.3 ---------------------------------------------------------------


def test_rfc7644_3_5_2_3_replace_all_members(client, people):
    """§3.5.2.3, "replace all of the members of a group", the RFC's shape."""
    _, bob, carol, group = people
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "replace",
                    "path": "members",
                    "value": [
                        {
                            "display": "Babs Jensen",
                            "$ref": f"https://example.com/v2/Users/{bob['id']}",
                            "value": bob["id"],
                        },
                        {
                            "display": "James Smith",
                            "$ref": f"https://example.com/v2/Users/{carol['id']}",
                            "value": carol["id"],
                        },
                    ],
                }
            ],
        },
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["bob", "carol"]


def test_replace_members_with_an_empty_list_removes_them_all_rfc7643_2_5(client, people):
    _, _, _, group = people
    response = client.patch(
        url_of(group), patch_body({"op": "replace", "path": "members", "value": []})
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == []


def test_replace_members_with_null_removes_them_all_rfc7643_2_5(client, people):
    """RFC 7643 §2.5: null is "unassigned", as ``[]``; the PATCH engine unassigns any
    attribute replaced with null (docs/architecture/patch.md, replace table)."""
    _, _, _, group = people
    response = client.patch(
        url_of(group), patch_body({"op": "replace", "path": "members", "value": None})
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == []


def test_a_member_with_a_null_value_is_no_member(client, people):
    """docs/groups.md: "A member with a null value is no member" (RFC 7643 §2.5), as in a
    POST or PUT: the other members of the list are added, the null one ignored."""
    _, bob, _, group = people
    response = client.patch(
        url_of(group),
        patch_body(
            {"op": "add", "path": "members", "value": [{"value": bob["id"]}, {"value": None}]}
        ),
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["alice", "bob"]


def test_path_less_replace_of_display_name_keeps_members(client, people):
    """A rename (path-less ``replace``) leaves membership as it is."""
    _, _, _, group = people
    response = client.patch(
        url_of(group), patch_body({"op": "replace", "value": {"displayName": "Guides"}})
    )
    assert response.status_code == 200, response.content
    assert Group.objects.get(scim_record__id=group["id"]).name == "Guides"
    assert member_names(group) == ["alice"]


def test_rename_to_another_groups_name_is_409_and_changes_nothing(client, people):
    _, bob, _, group = people
    create_group(client, "Sales")
    before = state(group)
    response = client.patch(
        url_of(group),
        patch_body(
            {"op": "add", "path": "members", "value": [{"value": bob["id"]}]},
            {"op": "replace", "path": "displayName", "value": "SALES"},
        ),
    )
    assert_error(response, 409, "uniqueness")
    assert state(group) == before


# -- invalid members: nothing changes ---------------------------------------------------------


def _bad_member(client, kind):
    if kind == "malformed":
        return {"value": "not-a-uuid"}
    if kind == "unknown":
        return {"value": str(uuid.uuid4())}
    if kind == "json-number":
        return {"value": 12345}
    if kind == "deleted-user":
        gone = create_user(client, "gone")
        assert client.delete(f"{USERS}/{gone['id']}").status_code == 204
        return {"value": gone["id"]}
    if kind == "a-group":
        return {"value": create_group(client, "Other")["id"]}
    return {"value": create_group(client, "Nested")["id"], "type": "Group"}


@pytest.mark.parametrize("op", ["add", "replace"])
@pytest.mark.parametrize(
    "kind", ["malformed", "unknown", "json-number", "deleted-user", "a-group", "nested-group"]
)
def test_an_invalid_member_is_400_invalid_value_and_nothing_changes(client, people, op, kind):
    """docs/groups.md: "an id that names no user (malformed, unknown, deleted, a JSON
    number) is 400 invalidValue and nothing changes" -- neither the membership nor the
    other operations of the request (RFC 7644 §3.5.2: a PATCH is atomic). A member
    ``value`` sent as a JSON number is read (not a syntax error), but names no user."""
    _, bob, _, group = people
    bad = _bad_member(client, kind)
    before = state(group)
    response = client.patch(
        url_of(group),
        patch_body(
            {"op": "replace", "path": "displayName", "value": "Renamed"},
            {"op": "add", "path": "members", "value": [{"value": bob["id"]}]},
            {"op": op, "path": "members", "value": [{"value": bob["id"]}, bad]},
        ),
    )
    body = assert_error(response, 400, "invalidValue")
    assert "members" in body["detail"]
    if kind == "json-number":
        assert "12345" in body["detail"]
    assert state(group) == before
    assert member_names(group) == ["alice"]
    assert SCIMEvent.objects.filter(operation="patch", status=400).count() == 1


@pytest.mark.parametrize(
    ("failing", "scim_type"),
    [
        ({"op": "remove", "path": "displayName"}, "mutability"),
        ({"op": "replace", "path": "members.value", "value": "x"}, "mutability"),
        ({"op": "replace", "path": "nonexistent", "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": 'members[value eq "x"]', "value": {}}, "mutability"),
        ({"op": "add", "path": "members"}, "invalidValue"),
    ],
    ids=["required-display-name", "immutable-value", "unknown-path", "filtered", "no-value"],
)
def test_a_failed_membership_patch_leaves_membership_untouched(client, people, failing, scim_type):
    """Membership operations before and after a failing one leave no trace."""
    alice, bob, carol, group = people
    before = state(group)
    response = client.patch(
        url_of(group),
        patch_body(
            {"op": "add", "path": "members", "value": [{"value": bob["id"]}]},
            {"op": "remove", "path": f'members[value eq "{alice["id"]}"]'},
            failing,
            {"op": "add", "path": "members", "value": [{"value": carol["id"]}]},
        ),
    )
    assert_error(response, 400, scim_type)
    assert state(group) == before
    assert member_names(group) == ["alice"]


def test_stale_if_match_leaves_membership_untouched_rfc7644_3_14(client, people):
    _, bob, _, group = people
    client.patch(url_of(group), patch_body({"op": "replace", "path": "displayName", "value": "A"}))
    before = state(group)
    response = client.patch(
        url_of(group),
        patch_body({"op": "add", "path": "members", "value": [{"value": bob["id"]}]}),
        HTTP_IF_MATCH=group["meta"]["version"],
    )
    assert_error(response, 412)
    assert state(group) == before


def test_unknown_group_is_404(client, people):
    _, bob, _, _ = people
    response = client.patch(
        f"{GROUPS}/{uuid.uuid4()}",
        patch_body({"op": "add", "path": "members", "value": [{"value": bob["id"]}]}),
    )
    assert_error(response, 404)
    assert MEMBERSHIP.objects.count() == 1


# -- Users' groups: RFC 7643 §4.1.2 -----------------------------------------------------------


def test_users_groups_reflect_membership_changes_rfc7643_4_1_2(client, people):
    alice, bob, _, group = people

    def groups_of(user):
        return client.get(f"{USERS}/{user['id']}").json().get("groups", [])

    assert [g["value"] for g in groups_of(alice)] == [group["id"]]
    assert groups_of(bob) == []
    client.patch(
        url_of(group),
        patch_body(
            {"op": "add", "path": "members", "value": [{"value": bob["id"]}]},
            {"op": "remove", "path": f'members[value eq "{alice["id"]}"]'},
            {"op": "replace", "path": "displayName", "value": "Senior Guides"},
        ),
    )
    assert groups_of(alice) == []
    assert groups_of(bob) == [
        {
            "value": group["id"],
            "$ref": f"http://testserver{GROUPS}/{group['id']}",
            "display": "Senior Guides",
            "type": "direct",
        }
    ]
    filtered = client.get(USERS, {"filter": f'groups.value eq "{group["id"]}"'}).json()
    assert [r["userName"] for r in filtered["Resources"]] == ["bob"]


# -- reading membership: docs/groups.md -------------------------------------------------------


def _member_selects(captured):
    """SELECTs of member user rows (what Relation.represent and its prefetch read)."""
    user_table = connection.ops.quote_name(User._meta.db_table)
    return [
        q["sql"]
        for q in captured
        if q["sql"].lstrip().upper().startswith("SELECT") and f"FROM {user_table}" in q["sql"]
    ]


def test_get_group_loads_its_members_once(client, people):
    """docs/groups.md: "Reading a group costs one query for all its members". The
    viewset prefetches them; the representation must use that prefetch, not load them
    again (on a 10,000-member group each load is 10,000 rows)."""
    _, bob, carol, group = people
    client.patch(
        url_of(group), patch_body({"op": "add", "path": "members", "value": members_of(bob, carol)})
    )
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url_of(group))
    assert len(response.json()["members"]) == 3
    assert len(_member_selects(captured.captured_queries)) == 1


def test_a_page_of_groups_with_members_costs_constant_queries(client, people):
    """docs/groups.md: "a list of groups or users costs a constant number of queries per
    page": 2 groups and 8 groups (each with members) cost the same."""
    alice, bob, carol, _ = people
    counts = {}
    for total in (2, 8):
        while Group.objects.count() < total:
            create_group(client, f"Group {Group.objects.count()}", [alice, bob, carol])
        client.get(GROUPS)
        with CaptureQueriesContext(connection) as captured:
            listing = client.get(GROUPS).json()
        assert len(listing["Resources"]) == total
        assert all(r["members"] for r in listing["Resources"])
        counts[total] = len(captured.captured_queries)
    assert counts[2] == counts[8]


# -- Microsoft Entra ID -----------------------------------------------------------------------


def test_entra_id_update_group_add_and_remove_members(client, people):
    """Entra's tutorial "Develop and plan provisioning for a SCIM endpoint", "Update Group
    [Add Members]" and "[Remove Members]": capitalised ops, ``"$ref": null``, and the
    removal as a ``value`` list on ``members`` (not the RFC's filter).
    https://learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
    """
    _, bob, _, group = people
    add = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Add", "path": "members", "value": [{"$ref": None, "value": bob["id"]}]}
        ],
    }
    assert client.patch(url_of(group), add).status_code == 200
    assert member_names(group) == ["alice", "bob"]
    remove = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": bob["id"]}]}
        ],
    }
    response = client.patch(url_of(group), remove)
    assert response.status_code == 200, response.content
    assert member_names(group) == ["alice"]  # only bob: never "remove all"


def test_entra_id_remove_group_member_without_feature_flag(client, people):
    """Microsoft Entra ID, "Known issues and resolutions with SCIM 2.0 protocol compliance",
    "Requests made to remove a group member", without feature flag.
    https://learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
    """
    _, bob, carol, group = people
    client.patch(
        url_of(group), patch_body({"op": "add", "path": "members", "value": members_of(bob, carol)})
    )
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Remove", "path": "members", "value": [{"value": bob["id"]}]}],
        },
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["alice", "carol"]


def test_entra_id_remove_group_member_with_feature_flag(client, people):
    """Same page, with the ``aadOptscim062020`` flag: the RFC's filter."""
    alice, bob, _, group = people
    client.patch(
        url_of(group), patch_body({"op": "add", "path": "members", "value": members_of(bob)})
    )
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "remove", "path": f'members[value eq "{alice["id"]}"]'}],
        },
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["bob"]


@override_settings(DRF_SCIM={"PATCH_RESPONSE": "no-content"})
def test_entra_id_update_group_non_member_attributes_with_204(client, people):
    """Entra's tutorial, "Update Group [Non-member attributes]": ``Replace`` of
    ``displayName``, answered ``204 No Content`` as the tutorial shows ("Update to the
    group PATCH request should yield an HTTP 204 No Content")."""
    _, _, _, group = people
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "Replace",
                    "path": "displayName",
                    "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName",
                }
            ],
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response["ETag"] == 'W/"2"'
    group_row = Group.objects.get(scim_record__id=group["id"])
    assert group_row.name == "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
    assert member_names(group) == ["alice"]


def test_entra_id_group_rename_with_id_in_a_path_less_replace(client, people):
    """Entra (like Okta) may send the resource ``id`` inside a path-less ``Replace``; it
    is readOnly and ignored (RFC 7644 §3.5.1)."""
    _, _, _, group = people
    response = client.patch(
        url_of(group),
        patch_body({"op": "Replace", "value": {"id": str(uuid.uuid4()), "displayName": "X"}}),
    )
    assert response.status_code == 200, response.content
    assert response.json()["id"] == group["id"]
    assert str(GroupRecord.objects.get().id) == group["id"]


# -- Okta -------------------------------------------------------------------------------------


def test_okta_update_group_name(client, people):
    """Okta, "SCIM 2.0 Protocol Reference", "Update a specific Group name": a path-less
    ``replace`` carrying ``id`` and ``displayName``; the members are not touched.
    https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
    """
    _, _, _, group = people
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "replace", "value": {"id": group["id"], "displayName": "Test SCIMv2"}}
            ],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["displayName"] == "Test SCIMv2"
    assert Group.objects.get(scim_record__id=group["id"]).name == "Test SCIMv2"
    assert member_names(group) == ["alice"]


def test_okta_update_group_membership(client, people):
    """Okta, same page, "Update specific Group membership": remove by filter, then add
    with a ``display``."""
    alice, bob, _, group = people
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "remove", "path": f'members[value eq "{alice["id"]}"]'},
                {
                    "op": "add",
                    "path": "members",
                    "value": [{"value": bob["id"], "display": "test.user@okta.local"}],
                },
            ],
        },
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["bob"]


def test_okta_replace_group_members_with_the_full_list(client, people):
    """Okta, same page: "a full push of the membership ... using the replace operation"."""
    alice, bob, carol, group = people
    response = client.patch(
        url_of(group),
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "replace",
                    "path": "members",
                    "value": [
                        {"value": bob["id"], "display": "test.user@okta.local"},
                        {"value": carol["id"], "display": "test.user@okta.local"},
                    ],
                }
            ],
        },
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["bob", "carol"]
    assert not User.objects.get(username="alice").groups.exists()
    assert alice["id"] not in {m["value"] for m in response.json()["members"]}


# -- JumpCloud --------------------------------------------------------------------------------


def test_jumpcloud_member_removal_as_a_value_list(client, people):
    """JumpCloud's guide ("Identity Management using a Custom SCIM Integration") publishes
    no bodies; an integrator's notes (Unimoni, "SSO setup: JumpCloud") report "Azure
    AD-style value=[{value:uid}] without an RFC filter" for group members, in lower case.
    https://jumpcloud.com/support/provision-and-manage-users-and-groups-in-apps-using-custom-scim-identity-management-integration
    https://app.uni-moni.com/en/kb/sso-setup-jumpcloud
    """
    alice, bob, _, group = people
    client.patch(
        url_of(group), patch_body({"op": "add", "path": "members", "value": members_of(bob)})
    )
    response = client.patch(
        url_of(group),
        patch_body({"op": "remove", "path": "members", "value": [{"value": alice["id"]}]}),
    )
    assert response.status_code == 200, response.content
    assert member_names(group) == ["bob"]


# -- query counts: membership is never loaded -------------------------------------------------

SIZES = [10, 5000]


@pytest.fixture
def big_group(client, request):
    """A group of ``size`` members and 1,000 more users to add: the group, both records."""
    size = request.param
    records = bulk_users(size + 1000)
    group = create_group(client, "Big")
    Group.objects.get().user_set.add(*[record.user_id for record in records[:size]])
    client.get(GROUPS)  # the token's last_used is written once, not during a measurement
    return group, records[:size], records[size:]


def _through_selects(captured):
    """SELECTs that read the membership table or the members' user rows.

    The one query resolving the SCIM ids the request names (RFC 7644 §3.5.2) reads the
    records of those users only, joined to their rows to keep them within scope
    (superusers and staff are not members SCIM can name, docs/security.md): it is
    counted by :func:`_resolutions`, and only it may read the user table.
    """
    tables = [
        connection.ops.quote_name(MEMBERSHIP._meta.db_table),
        connection.ops.quote_name(User._meta.db_table),
    ]
    return [
        q["sql"]
        for q in captured
        if q["sql"].lstrip().upper().startswith("SELECT")
        and any(t in q["sql"] for t in tables)
        and q not in _resolutions(captured)
    ]


def _resolutions(captured):
    """SELECTs of user records by the SCIM ids a request names (never of the membership)."""
    record = connection.ops.quote_name(UserRecord._meta.db_table)
    membership = connection.ops.quote_name(MEMBERSHIP._meta.db_table)
    return [
        q
        for q in captured
        if q["sql"].lstrip().startswith(f"SELECT {record}.")
        and f"FROM {record} " in q["sql"]
        and any(
            f" AND {record}.{connection.ops.quote_name('id')} {lookup}" in q["sql"]
            for lookup in ("IN (", "= ANY(")  # drf_scim.expressions.AnyOf on PostgreSQL
        )
        and membership not in q["sql"]
    ]


#: Queries of a rename, whatever the group's size: token, lock, the group with its record,
#: its value rows, UPDATE of the group and of the record, DELETE of the value rows, the
#: audit event, and the SAVEPOINT/RELEASE pair of the test's own transaction.
RENAME_QUERIES = 10
#: A rename plus the operation's own three: the SCIM ids resolved, one DELETE, and one
#: UPDATE giving the removed users a new meta.version (their groups changed).
REMOVE_QUERIES = RENAME_QUERIES + 3
#: A rename plus the ids resolved, the INSERT of 1,000 rows (one ``INSERT … SELECT``) and
#: one UPDATE giving the added users a new meta.version (their groups changed).
ADD_QUERIES = RENAME_QUERIES + 3
#: A rename plus its 200 response: the value rows, then all members with their records.
WITH_MEMBERS_QUERIES = RENAME_QUERIES + 2


@pytest.mark.parametrize("big_group", SIZES, indirect=True, ids=["10-members", "5000-members"])
@pytest.mark.parametrize(
    ("setting", "query"),
    [("resource", "excludedAttributes=members"), ("no-content", "")],
    ids=["excludedAttributes", "no-content"],
)
def test_adding_1000_members_costs_the_same_queries_at_any_size(
    client, django_assert_max_num_queries, big_group, setting, query
):
    group, members, newcomers = big_group
    value = [{"value": str(record.id)} for record in newcomers]
    body = patch_body({"op": "add", "path": "members", "value": value})
    with (
        override_settings(DRF_SCIM={"PATCH_RESPONSE": setting}),
        django_assert_max_num_queries(ADD_QUERIES),
        CaptureQueriesContext(connection) as captured,
    ):
        response = client.patch(url_of(group), body, QUERY_STRING=query)
    assert response.status_code == (204 if setting == "no-content" else 200), response.content
    assert "members" not in (response.json() if response.content else {})
    assert _through_selects(captured.captured_queries) == []
    assert len(_resolutions(captured.captured_queries)) == 1
    assert Group.objects.get().user_set.count() == len(members) + 1000


@pytest.mark.parametrize("big_group", SIZES, indirect=True, ids=["10-members", "5000-members"])
def test_removing_one_member_costs_the_same_queries_at_any_size(
    client, django_assert_max_num_queries, big_group
):
    group, members, _ = big_group
    body = patch_body({"op": "remove", "path": f'members[value eq "{members[3].id}"]'})
    with (
        django_assert_max_num_queries(REMOVE_QUERIES),
        CaptureQueriesContext(connection) as captured,
    ):
        response = client.patch(url_of(group), body, QUERY_STRING="excludedAttributes=members")
    assert response.status_code == 200, response.content
    assert _through_selects(captured.captured_queries) == []
    assert len(_resolutions(captured.captured_queries)) == 1
    assert Group.objects.get().user_set.count() == len(members) - 1
    assert not Group.objects.get().user_set.filter(pk=members[3].user_id).exists()


@pytest.mark.parametrize("big_group", [10], indirect=True, ids=["10-members"])
def test_one_operation_per_member_costs_the_queries_of_one_rfc7644_3_5_2(
    client, django_assert_max_num_queries, big_group
):
    """1,000 ``add`` operations of one member each, then 1,000 ``remove``s of
    ``members[value eq "<id>"]`` (Okta removes members so, one operation each), cost the
    queries of one operation: a run of like operations on the members is written as one.
    Operations apply in order (RFC 7644 §3.5.2); adding A then B is adding both."""
    group, members, newcomers = big_group
    adds = patch_body(
        *({"op": "add", "path": "members", "value": [{"value": str(r.id)}]} for r in newcomers)
    )
    with django_assert_max_num_queries(ADD_QUERIES):
        response = client.patch(url_of(group), adds, QUERY_STRING="excludedAttributes=members")
    assert response.status_code == 200, response.content
    assert Group.objects.get().user_set.count() == len(members) + 1000
    removes = patch_body(
        *({"op": "remove", "path": f'members[value eq "{r.id}"]'} for r in newcomers[1:])
    )
    with django_assert_max_num_queries(REMOVE_QUERIES):
        response = client.patch(url_of(group), removes, QUERY_STRING="excludedAttributes=members")
    assert response.status_code == 200, response.content
    kept = {record.user_id for record in [*members, newcomers[0]]}
    assert set(Group.objects.get().user_set.values_list("pk", flat=True)) == kept


@pytest.mark.parametrize("big_group", [10], indirect=True, ids=["10-members"])
def test_entra_id_removal_of_1000_listed_members_costs_one_removal(
    client, django_assert_max_num_queries, big_group
):
    """Entra ID lists the members it removes in one ``value`` (docs/idp/entra-id.md); the
    normalisation layer reads it as one ``members[value eq … or …]`` (RFC 7644 §3.5.2.2)
    however long: the queries of removing one member."""
    group, members, newcomers = big_group
    Group.objects.get().user_set.add(*[record.user_id for record in newcomers])
    body = patch_body(
        {"op": "Remove", "path": "members", "value": [{"value": str(r.id)} for r in newcomers]}
    )
    with django_assert_max_num_queries(REMOVE_QUERIES):
        response = client.patch(url_of(group), body, QUERY_STRING="excludedAttributes=members")
    assert response.status_code == 200, response.content
    expected = {record.user_id for record in members}
    assert set(Group.objects.get().user_set.values_list("pk", flat=True)) == expected


def test_runs_of_member_operations_keep_their_order_rfc7644_3_5_2(client, people):
    """Like operations in a row are written together; an operation of another kind ends
    the run, so each applies to the result of those before it (RFC 7644 §3.5.2)."""
    alice, bob, carol, group = people
    body = patch_body(
        {"op": "add", "path": "members", "value": members_of(bob)},
        {"op": "add", "path": "members", "value": members_of(carol)},
        {"op": "remove", "path": f'members[value eq "{bob["id"]}"]'},
        {"op": "remove", "path": f'members[value eq "{alice["id"]}"]'},
        {"op": "add", "path": "members", "value": members_of(bob)},
        {"op": "replace", "path": "displayName", "value": "Guides"},
        {"op": "remove", "path": f'members[value eq "{carol["id"]}"]'},
        {"op": "add", "path": "members", "value": members_of(carol, alice)},
    )
    response = client.patch(url_of(group), body)
    assert response.status_code == 200, response.content
    assert member_names(group) == ["alice", "bob", "carol"]
    body = patch_body(
        {"op": "remove", "path": f'members[value eq "{alice["id"]}"]'},
        {"op": "add", "path": "members", "value": members_of(alice)},
        {"op": "remove", "path": f'members[value eq "{bob["id"]}" or value eq "{carol["id"]}"]'},
        {"op": "remove", "path": f'members[value eq "{alice["id"]}"]'},
    )
    response = client.patch(url_of(group), body)
    assert response.status_code == 200, response.content
    assert member_names(group) == []
    assert Group.objects.get().name == "Guides"


def test_a_bad_member_in_a_run_of_adds_changes_nothing_rfc7644_3_5_2(client, people):
    """One unknown id among 200 single-member ``add``s: 400 invalidValue naming it, and
    none of the others is written (a PATCH is atomic)."""
    _, bob, carol, group = people
    unknown = str(uuid.uuid4())
    before = state(group)
    values = [bob["id"], carol["id"]] * 50 + [unknown] + [carol["id"]] * 99
    response = client.patch(
        url_of(group),
        patch_body(*({"op": "add", "path": "members", "value": [{"value": v}]} for v in values)),
    )
    body = assert_error(response, 400, "invalidValue")
    assert unknown in body["detail"]
    assert state(group) == before
    assert member_names(group) == ["alice"]


@pytest.mark.parametrize("big_group", SIZES, indirect=True, ids=["10-members", "5000-members"])
def test_renaming_a_group_costs_the_same_queries_at_any_size(
    client, django_assert_max_num_queries, big_group
):
    group, members, _ = big_group
    body = patch_body({"op": "replace", "value": {"id": group["id"], "displayName": "Bigger"}})
    with (
        django_assert_max_num_queries(RENAME_QUERIES),
        CaptureQueriesContext(connection) as captured,
    ):
        response = client.patch(url_of(group), body, QUERY_STRING="excludedAttributes=members")
    assert response.status_code == 200, response.content
    assert "members" not in response.json()
    assert _through_selects(captured.captured_queries) == []
    assert Group.objects.get().name == "Bigger"
    assert Group.objects.get().user_set.count() == len(members)


@pytest.mark.parametrize("big_group", SIZES, indirect=True, ids=["10-members", "5000-members"])
def test_the_default_200_with_members_costs_constant_queries(
    client, django_assert_max_num_queries, big_group
):
    """Without ``excludedAttributes`` the response lists every member: one more query for
    all of them (with their records), whatever their number."""
    group, members, _ = big_group
    body = patch_body({"op": "replace", "path": "displayName", "value": "Bigger"})
    with django_assert_max_num_queries(WITH_MEMBERS_QUERIES):
        response = client.patch(url_of(group), body)
    assert response.status_code == 200, response.content
    assert len(response.json()["members"]) == len(members)
