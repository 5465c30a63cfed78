"""What a SCIM token may touch (issue 10, docs/security.md).

RFC 7644 §2 leaves to the service provider which resources a client may see; here the
host's administrators (superusers, staff) and the groups that carry Django permissions
are outside SCIM's scope by default: ``404`` by id (RFC 7644 §3.4.1, §3.12), absent
from lists, filters and ``/.search`` (§3.4.2, §3.4.3), never members (``invalidValue``),
and a POST of their unique name is ``409 uniqueness`` (§3.3).
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Exists, Q
from django.test import override_settings

from drf_scim.constants import PATCH_OP_SCHEMA
from drf_scim.models import UserRecord
from drf_scim.serializers import SCIMUserSerializer
from drf_scim.storage import prefixed

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"


def scim_id(user_or_group):
    return str(user_or_group.scim_record.id)


@pytest.fixture
def admin(db):
    """A ``createsuperuser`` account: it gets a record like every user (drf_scim.records)."""
    return User.objects.create_superuser("admin", "admin@example.com", "s3cret-Pass")


@pytest.fixture
def staff(db):
    return User.objects.create_user("clerk", "clerk@example.com", "pw", is_staff=True)


def patch(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


# -- privileged users: RFC 7644 §3.4.1 / §3.12 -------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "staff"])
def test_rfc7644_3_4_1_a_privileged_user_is_404_for_every_method(client, request, who):
    user = request.getfixturevalue(who)
    url = f"{USERS}/{scim_id(user)}"
    before = (user.username, user.password, user.is_active)

    assert client.get(url).status_code == 404
    replaced = client.put(url, {"userName": "owned", "password": "new-Pass-1"})
    assert replaced.status_code == 404
    patched = client.patch(url, patch({"op": "replace", "path": "password", "value": "x-Pass-2"}))
    assert patched.status_code == 404
    assert client.delete(url).status_code == 404

    user.refresh_from_db()
    assert (user.username, user.password, user.is_active) == before
    assert user.check_password("s3cret-Pass" if who == "admin" else "pw")
    assert UserRecord.objects.get(user=user).deleted is None


def test_rfc7644_3_4_2_privileged_users_are_absent_from_lists_and_filters(client, admin, staff):
    client.post(USERS, {"userName": "alice"})
    listed = client.get(USERS).json()
    assert listed["totalResults"] == 1
    assert [r["userName"] for r in listed["Resources"]] == ["alice"]
    for expression in ('userName eq "admin"', 'userName sw "a"', "userName pr", "id pr"):
        found = client.get(USERS, {"filter": expression}).json()
        assert "admin" not in [r["userName"] for r in found.get("Resources", [])], expression
        assert "clerk" not in [r["userName"] for r in found.get("Resources", [])], expression
    exact = client.get(USERS, {"filter": 'userName eq "admin"'}).json()
    assert exact["totalResults"] == 0


def test_rfc7644_3_4_3_privileged_users_are_absent_from_search(client, admin):
    body = {"filter": 'userName eq "admin"'}
    assert client.post(f"{USERS}/.search", body).json()["totalResults"] == 0
    assert client.post("/scim/v2/.search", body).json()["totalResults"] == 0
    everything = client.post("/scim/v2/.search", {}).json()
    assert scim_id(admin) not in [r["id"] for r in everything["Resources"]]


def test_rfc7644_3_3_posting_a_privileged_users_name_is_409_and_changes_nothing(client, admin):
    response = client.post(USERS, {"userName": "ADMIN", "password": "taken-Over-1"})
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert response.json()["detail"] == "A user with this userName already exists."
    admin.refresh_from_db()
    assert admin.username == "admin"
    assert admin.check_password("s3cret-Pass")
    assert User.objects.count() == 1


def test_rfc7644_3_6_a_deleted_user_made_staff_is_never_brought_back(client):
    """A "deactivate" DELETE keeps the row; once the host makes it staff, a POST of its
    name must not revive it (RFC 7644 §3.3: 409)."""
    created = client.post(USERS, {"userName": "boss"}).json()
    assert client.delete(f"{USERS}/{created['id']}").status_code == 204
    User.objects.filter(username="boss").update(is_staff=True)

    response = client.post(USERS, {"userName": "boss", "password": "taken-Over-1"})
    assert response.status_code == 409
    boss = User.objects.get(username="boss")
    assert not boss.is_active
    assert not boss.check_password("taken-Over-1")


def test_rfc7643_4_2_a_privileged_user_is_no_member(client, admin):
    """Naming an out-of-scope user as a member is ``invalidValue`` (RFC 7644 §3.12)."""
    response = client.post(GROUPS, {"displayName": "Ops", "members": [{"value": scim_id(admin)}]})
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert not Group.objects.exists()

    group = client.post(GROUPS, {"displayName": "Ops"}).json()
    url = f"{GROUPS}/{group['id']}"
    added = client.patch(
        url, patch({"op": "add", "path": "members", "value": [{"value": scim_id(admin)}]})
    )
    assert added.status_code == 400
    assert added.json()["scimType"] == "invalidValue"
    assert not admin.groups.exists()


def test_rfc7643_4_2_the_hosts_admin_in_a_group_is_neither_shown_nor_removed(client, admin):
    alice = client.post(USERS, {"userName": "alice"}).json()
    group = client.post(GROUPS, {"displayName": "Ops", "members": [{"value": alice["id"]}]}).json()
    Group.objects.get(name="Ops").user_set.add(admin)
    url = f"{GROUPS}/{group['id']}"

    assert [m["value"] for m in client.get(url).json()["members"]] == [alice["id"]]
    listed = client.get(GROUPS).json()["Resources"][0]
    assert [m["value"] for m in listed["members"]] == [alice["id"]]
    by_member = client.get(GROUPS, {"filter": f'members.value eq "{scim_id(admin)}"'})
    assert by_member.json()["totalResults"] == 0

    # PUT with no members, and PATCH remove-all, leave the host's admin where it is.
    assert client.put(url, {"displayName": "Ops", "members": []}).status_code == 200
    assert list(Group.objects.get(name="Ops").user_set.all()) == [admin]
    client.patch(url, patch({"op": "add", "path": "members", "value": [{"value": alice["id"]}]}))
    # A group PATCH answers 204 by default (PATCH_RESPONSE, RFC 7644 §3.5.2).
    assert client.patch(url, patch({"op": "remove", "path": "members"})).status_code == 204
    assert list(Group.objects.get(name="Ops").user_set.all()) == [admin]


@override_settings(DRF_SCIM={"PRIVILEGED_USERS_IN_SCOPE": True})
def test_the_setting_widens_the_scope_to_privileged_users(client, admin):
    assert client.get(f"{USERS}/{scim_id(admin)}").json()["userName"] == "admin"
    assert client.get(USERS).json()["totalResults"] == 1


class NoServiceAccounts(SCIMUserSerializer):
    """A project narrowing the scope further, as docs/users.md shows."""

    @classmethod
    def get_scope(cls):
        return super().get_scope() & ~Q(username__startswith="svc-")


@override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.NoServiceAccounts"})
def test_get_scope_narrows_the_scope(client, admin):
    robot = User.objects.create_user("svc-backup")
    assert client.get(f"{USERS}/{scim_id(robot)}").status_code == 404
    assert client.get(USERS).json()["totalResults"] == 0
    assert client.post(USERS, {"userName": "alice"}).status_code == 201
    assert [r["userName"] for r in client.get(USERS).json()["Resources"]] == ["alice"]


def test_prefixed_moves_every_lookup_and_refuses_expressions():
    scope = Q(is_staff=False) & ~Q(username__startswith="svc-")
    moved = prefixed(scope, "user__")
    assert moved == Q(user__is_staff=False) & ~Q(user__username__startswith="svc-")
    assert prefixed(scope, "") is scope
    with pytest.raises(TypeError):
        prefixed(Q(Q(pk=1), Exists(Permission.objects.all())), "user__")


# -- groups that carry permissions ----------------------------------------------------------


@pytest.fixture
def admins_group(db):
    group = Group.objects.create(name="Admins")
    group.permissions.add(Permission.objects.get(codename="change_user"))
    return group


def test_a_group_carrying_permissions_is_out_of_scope(client, admins_group):
    """SCIM cannot put anyone into a group that grants permissions (RFC 7644 §3.4.1: 404)."""
    alice = client.post(USERS, {"userName": "alice"}).json()
    url = f"{GROUPS}/{scim_id(admins_group)}"
    assert client.get(url).status_code == 404
    assert client.get(GROUPS).json()["totalResults"] == 0
    add = patch({"op": "add", "path": "members", "value": [{"value": alice["id"]}]})
    assert client.patch(url, add).status_code == 404
    assert (
        client.put(url, {"displayName": "Admins", "members": [{"value": alice["id"]}]}).status_code
        == 404
    )
    assert client.delete(url).status_code == 404
    duplicate = client.post(GROUPS, {"displayName": "admins", "members": [{"value": alice["id"]}]})
    assert duplicate.status_code == 409
    assert duplicate.json()["scimType"] == "uniqueness"
    assert not User.objects.get(username="alice").has_perm("auth.change_user")
    assert not admins_group.user_set.exists()


def test_a_group_carrying_permissions_is_not_among_a_users_groups(client, admins_group):
    alice = client.post(USERS, {"userName": "alice"}).json()
    ops = client.post(GROUPS, {"displayName": "Ops", "members": [{"value": alice["id"]}]}).json()
    admins_group.user_set.add(User.objects.get(username="alice"))
    shown = client.get(f"{USERS}/{alice['id']}").json()["groups"]
    assert [g["value"] for g in shown] == [ops["id"]]
    listed = client.get(USERS).json()["Resources"][0]["groups"]
    assert [g["value"] for g in listed] == [ops["id"]]


def test_groups_created_over_scim_carry_no_permissions(client):
    body = {"displayName": "Ops", "permissions": ["auth.change_user"]}
    assert client.post(GROUPS, body).status_code == 201
    assert not Group.objects.get(name="Ops").permissions.exists()


def test_a_group_given_permissions_leaves_scim_at_once(client):
    group = client.post(GROUPS, {"displayName": "Ops"}).json()
    url = f"{GROUPS}/{group['id']}"
    assert client.get(url).status_code == 200
    Group.objects.get(name="Ops").permissions.add(Permission.objects.get(codename="add_user"))
    assert client.get(url).status_code == 404


@override_settings(DRF_SCIM={"PERMISSION_GROUPS_IN_SCOPE": True})
def test_the_opt_in_lets_the_idp_grant_permissions(client, admins_group):
    alice = client.post(USERS, {"userName": "alice"}).json()
    url = f"{GROUPS}/{scim_id(admins_group)}"
    add = patch({"op": "add", "path": "members", "value": [{"value": alice["id"]}]})
    assert client.patch(url, add).status_code == 204
    assert User.objects.get(username="alice").has_perm("auth.change_user")


def test_an_unknown_member_id_is_invalid_value(client):
    response = client.post(
        GROUPS, {"displayName": "Ops", "members": [{"value": str(uuid.uuid4())}]}
    )
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert not Group.objects.exists()


def test_rfc7644_3_6_a_deleted_group_keeps_no_members_not_even_out_of_scope_ones(client, admin):
    """A group deleted in "deactivate" mode is gone (RFC 7644 §3.6): it keeps no members,
    so no permission given to it later is granted to anyone."""
    group = client.post(GROUPS, {"displayName": "Ops"}).json()
    Group.objects.get(name="Ops").user_set.add(admin)
    assert client.delete(f"{GROUPS}/{group['id']}").status_code == 204
    assert Group.objects.filter(name="Ops").exists()
    assert not Group.objects.get(name="Ops").user_set.exists()


@override_settings(DRF_SCIM={"PRIVILEGED_USERS_IN_SCOPE": "no", "PERMISSION_GROUPS_IN_SCOPE": 1})
def test_only_an_explicit_true_widens_the_scope(client, admin, admins_group):
    """A mistyped value (reported by check as drf_scim.E005) keeps the safe default."""
    assert client.get(f"{USERS}/{scim_id(admin)}").status_code == 404
    assert client.get(f"{GROUPS}/{scim_id(admins_group)}").status_code == 404
