"""/Groups (RFC 7643 §4.2, RFC 7644 §3): the resource, its members, and Users' ``groups``."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from drf_scim.constants import GROUP_SCHEMA, USER_SCHEMA
from drf_scim.models import GroupRecord, UserRecord, UserValue
from drf_scim.records import backfill_user_records
from drf_scim.signals import post_operation

GROUPS = "/scim/v2/Groups"
USERS = "/scim/v2/Users"


def create_user(client, name):
    response = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": name})
    assert response.status_code == 201, response.content
    return response.json()


def create_group(client, name="Engineering", members=(), **extra):
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": m["id"]} for m in members],
        **extra,
    }
    response = client.post(GROUPS, body)
    assert response.status_code == 201, response.content
    return response.json()


def member_names(group_id):
    return sorted(
        Group.objects.get(scim_record__id=group_id).user_set.values_list("username", flat=True)
    )


def bulk_users(count):
    """``count`` users with SCIM records, created in bulk (as a bulk import would)."""
    User.objects.bulk_create([User(username=f"bulk{i}") for i in range(count)])
    backfill_user_records(User, UserRecord, UserValue)
    return list(UserRecord.objects.filter(user__username__startswith="bulk"))


# -- the resource: RFC 7644 §3.3-3.6 --------------------------------------------------------


def test_create_group_with_members_rfc7643_4_2(client):
    alice, bob = create_user(client, "alice"), create_user(client, "bob")
    created = create_group(client, "Engineering", [alice, bob], externalId="E-1")
    assert created["schemas"] == [GROUP_SCHEMA]
    assert created["displayName"] == "Engineering"
    assert created["externalId"] == "E-1"
    assert created["meta"]["resourceType"] == "Group"
    assert created["meta"]["location"] == f"http://testserver{GROUPS}/{created['id']}"
    assert sorted(created["members"], key=lambda m: m["display"]) == [
        {
            "value": alice["id"],
            "$ref": f"http://testserver{USERS}/{alice['id']}",
            "display": "alice",
            "type": "User",
        },
        {
            "value": bob["id"],
            "$ref": f"http://testserver{USERS}/{bob['id']}",
            "display": "bob",
            "type": "User",
        },
    ]
    assert member_names(created["id"]) == ["alice", "bob"]
    assert Group.objects.get().name == "Engineering"
    assert client.get(f"{GROUPS}/{created['id']}").json() == created


def test_group_ids_are_distinct_from_user_ids_rfc7643_3_1(client):
    user = create_user(client, "alice")
    group = create_group(client)
    assert user["id"] != group["id"]
    assert client.get(f"{USERS}/{group['id']}").status_code == 404
    assert client.get(f"{GROUPS}/{user['id']}").status_code == 404


def test_users_show_their_groups_read_only_rfc7643_4_1_2(client):
    alice = create_user(client, "alice")
    group = create_group(client, "Engineering", [alice])
    got = client.get(f"{USERS}/{alice['id']}").json()
    assert got["groups"] == [
        {
            "value": group["id"],
            "$ref": f"http://testserver{GROUPS}/{group['id']}",
            "display": "Engineering",
            "type": "direct",
        }
    ]
    # groups is readOnly: a PUT of the user neither changes nor clears memberships
    body = {"userName": "alice", "groups": [{"value": str(uuid.uuid4())}]}
    assert client.put(f"{USERS}/{alice['id']}", body).status_code == 200
    assert member_names(group["id"]) == ["alice"]


def test_put_replaces_members_and_attributes_rfc7644_3_5_1(client):
    alice, bob, carol = (create_user(client, n) for n in ("alice", "bob", "carol"))
    group = create_group(client, "Eng", [alice, bob], externalId="x")
    response = client.put(
        f"{GROUPS}/{group['id']}",
        {"displayName": "Engineering", "members": [{"value": bob["id"]}, {"value": carol["id"]}]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["displayName"] == "Engineering"
    assert "externalId" not in body
    assert body["meta"]["version"] == 'W/"2"'
    assert member_names(group["id"]) == ["bob", "carol"]
    assert client.put(f"{GROUPS}/{group['id']}", {"displayName": "E"}).status_code == 200
    assert member_names(group["id"]) == []


@override_settings(DRF_SCIM={"DELETE_MODE": "delete"})
def test_delete_group_keeps_its_users_rfc7644_3_6(client):
    alice = create_user(client, "alice")
    group = create_group(client, "Eng", [alice])
    assert client.delete(f"{GROUPS}/{group['id']}").status_code == 204
    assert client.get(f"{GROUPS}/{group['id']}").status_code == 404
    assert not Group.objects.exists()
    assert "groups" not in client.get(f"{USERS}/{alice['id']}").json()


def test_deleting_a_user_removes_it_from_every_group(client):
    alice, bob = create_user(client, "alice"), create_user(client, "bob")
    group = create_group(client, "Eng", [alice, bob])
    client.delete(f"{USERS}/{alice['id']}")
    members = client.get(f"{GROUPS}/{group['id']}").json()["members"]
    assert [m["value"] for m in members] == [bob["id"]]


def test_duplicate_display_name_is_409_uniqueness(client):
    """Entra ID expects a 409 for a second group of the same displayName."""
    create_group(client, "Engineering")
    for name in ("Engineering", "ENGINEERING"):
        response = client.post(GROUPS, {"displayName": name})
        assert response.status_code == 409
        assert response.json()["scimType"] == "uniqueness"
    assert Group.objects.count() == 1


def test_missing_display_name_is_400_rfc7643_4_2(client):
    response = client.post(GROUPS, {"schemas": [GROUP_SCHEMA]})
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"


@pytest.mark.parametrize(
    "member",
    [
        {"value": "not-a-uuid"},
        {"value": str(uuid.uuid4())},
        {"value": 12345},
        {"value": "GROUP"},
    ],
    ids=["malformed", "unknown", "json-number", "word"],
)
def test_unknown_or_malformed_member_is_invalid_value_and_changes_nothing(client, member):
    alice = create_user(client, "alice")
    group = create_group(client, "Eng", [alice])
    response = client.put(
        f"{GROUPS}/{group['id']}",
        {"displayName": "Renamed", "members": [{"value": alice["id"]}, member]},
    )
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert Group.objects.get().name == "Eng"
    assert member_names(group["id"]) == ["alice"]
    response = client.post(GROUPS, {"displayName": "Other", "members": [member]})
    assert response.status_code == 400
    assert Group.objects.count() == 1


def test_a_member_with_a_null_value_is_no_member_rfc7643_2_5(client):
    alice = create_user(client, "alice")
    group = create_group(client, "Eng")
    body = {"displayName": "Eng", "members": [{"value": alice["id"]}, {"value": None}]}
    assert client.put(f"{GROUPS}/{group['id']}", body).status_code == 200
    assert member_names(group["id"]) == ["alice"]


def test_member_type_may_be_omitted_or_user_but_not_group(client):
    alice = create_user(client, "alice")
    other = create_group(client, "Other")
    ok = client.post(
        GROUPS, {"displayName": "A", "members": [{"value": alice["id"], "type": "User"}]}
    )
    assert ok.status_code == 201
    nested = client.post(
        GROUPS, {"displayName": "B", "members": [{"value": other["id"], "type": "Group"}]}
    )
    assert nested.status_code == 400
    assert nested.json()["scimType"] == "invalidValue"


def test_groups_created_outside_scim_are_visible(client):
    group = Group.objects.create(name="Admins")
    listing = client.get(GROUPS).json()
    assert [r["displayName"] for r in listing["Resources"]] == ["Admins"]
    assert listing["Resources"][0]["id"] == str(GroupRecord.objects.get(group=group).id)


# -- queries: RFC 7644 §3.4.2 ---------------------------------------------------------------


def names(client, query):
    response = client.get(f"{GROUPS}?{query}")
    assert response.status_code == 200, response.content
    return sorted(r["displayName"] for r in response.json()["Resources"])


def test_filters_on_groups_rfc7644_3_4_2_2(client):
    alice, bob = create_user(client, "alice"), create_user(client, "bob")
    eng = create_group(client, "Engineering", [alice, bob], externalId="E")
    create_group(client, "Sales", [bob])
    create_group(client, "Empty")
    assert names(client, "filter=" + quote('displayName eq "engineering"')) == ["Engineering"]
    assert names(client, "filter=" + quote('externalId eq "E"')) == ["Engineering"]
    assert names(client, "filter=" + quote(f'members.value eq "{alice["id"]}"')) == ["Engineering"]
    assert names(client, "filter=" + quote(f'members[value eq "{bob["id"]}"]')) == [
        "Engineering",
        "Sales",
    ]
    assert names(client, "filter=" + quote("members pr")) == ["Engineering", "Sales"]
    assert names(client, "filter=" + quote("not (members pr)")) == ["Empty"]
    assert names(client, "filter=" + quote(f'members.value ne "{alice["id"]}"')) == [
        "Empty",
        "Sales",
    ]
    # Entra ID checks one membership like this:
    entra = f'id eq "{eng["id"]}" and members[value eq "{alice["id"]}"]'
    assert names(client, "filter=" + quote(entra)) == ["Engineering"]
    assert names(client, "filter=" + quote(f'members.value eq "{uuid.uuid4()}"')) == []
    assert names(client, "sortBy=displayName&sortOrder=descending") == [
        "Empty",
        "Engineering",
        "Sales",
    ]


def test_users_filter_by_group_rfc7644_3_4_2_2(client):
    alice, _bob = create_user(client, "alice"), create_user(client, "bob")
    eng = create_group(client, "Eng", [alice])
    response = client.get(f"{USERS}?filter=" + quote(f'groups.value eq "{eng["id"]}"'))
    assert [r["userName"] for r in response.json()["Resources"]] == ["alice"]


# -- members.display: readOnly, derived from the member (docs/groups.md) ---------------------


def test_members_display_is_read_only_in_schemas_rfc7643_4_2(client):
    """/Schemas says what the server does: ``display`` is readOnly, always derived."""
    group = client.get(f"/scim/v2/Schemas/{GROUP_SCHEMA}").json()
    members = next(a for a in group["attributes"] if a["name"] == "members")
    subs = {sub["name"]: sub for sub in members["subAttributes"]}
    assert subs["display"]["mutability"] == "readOnly"
    assert subs["display"]["returned"] == "default"
    assert subs["value"]["mutability"] == "immutable"


def test_a_client_display_is_ignored_and_derived_from_the_member_rfc7643_2_2(client):
    """RFC 7643 §2.2: readOnly values sent by a client are ignored (RFC 7644 §3.5.1): the
    member's ``display`` is its current displayName (else userName), whatever was sent,
    on POST, PUT and PATCH alike; renaming the user renames the member."""
    alice = create_user(client, "alice")
    bob = create_user(client, "bob")
    client.patch(
        f"{USERS}/{bob['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "displayName", "value": "Bob B."}],
        },
    )
    sent = [{"value": alice["id"], "display": "Not Alice"}]
    created = client.post(GROUPS, {"displayName": "Eng", "members": sent}).json()
    assert [m["display"] for m in created["members"]] == ["alice"]
    url = f"{GROUPS}/{created['id']}"
    replaced = client.put(url, {"displayName": "Eng", "members": sent}).json()
    assert [m["display"] for m in replaced["members"]] == ["alice"]
    patched = client.patch(
        url,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": bob["id"], "display": "x"}]}
            ],
        },
        QUERY_STRING="attributes=members",  # a group PATCH answers 204 unless asked
    ).json()
    assert sorted(m["display"] for m in patched["members"]) == ["Bob B.", "alice"]
    User.objects.filter(username="alice").update(username="alicia")
    assert sorted(m["display"] for m in client.get(url).json()["members"]) == ["Bob B.", "alicia"]


def test_excluded_members_are_not_loaded(client, django_assert_num_queries):
    """Entra ID lists groups with excludedAttributes=members."""
    users = [create_user(client, f"u{i}") for i in range(3)]
    create_group(client, "Eng", users)
    client.get(GROUPS)  # the token's last_used is written once
    with CaptureQueriesContext(connection) as context:
        body = client.get(f"{GROUPS}?excludedAttributes=members").json()
    assert "members" not in body["Resources"][0]
    assert not [q for q in context.captured_queries if "auth_user_groups" in q["sql"]]


@pytest.mark.parametrize("size", [10, 5000])
def test_get_group_costs_constant_queries_at_any_size(client, django_assert_max_num_queries, size):
    records = bulk_users(size)
    group = create_group(client, "Big")
    Group.objects.get().user_set.add(*[record.user_id for record in records])
    client.get(GROUPS)
    with django_assert_max_num_queries(5):  # token, group+record, values, members+records
        response = client.get(f"{GROUPS}/{group['id']}")
    assert len(response.json()["members"]) == size


@pytest.mark.parametrize("size", [10, 5000])
def test_put_members_writes_only_the_difference(client, django_assert_max_num_queries, size):
    records = bulk_users(size + 1)
    group = create_group(client, "Big")
    Group.objects.get().user_set.add(*[record.user_id for record in records[:size]])
    members = [{"value": str(record.id)} for record in records[1:]]  # one out, one in
    with django_assert_max_num_queries(16):
        response = client.put(
            f"{GROUPS}/{group['id']}",
            {"displayName": "Big", "members": members},
            QUERY_STRING="excludedAttributes=members",
        )
    assert response.status_code == 200
    assert Group.objects.get().user_set.count() == size
    assert not Group.objects.get().user_set.filter(pk=records[0].user_id).exists()


def test_list_page_of_users_with_groups_is_constant(client, django_assert_max_num_queries):
    users = [create_user(client, f"u{i}") for i in range(6)]
    for i in range(3):
        create_group(client, f"G{i}", users)
    client.get(USERS)
    with django_assert_max_num_queries(5):
        body = client.get(USERS).json()
    assert all(len(r["groups"]) == 3 for r in body["Resources"])


def test_membership_changes_give_users_and_groups_new_versions_rfc7644_3_14(client):
    """A user's groups is part of the user: joining a group changes its version, whether
    through SCIM or the application (user.groups.add)."""
    alice, bob = create_user(client, "alice"), create_user(client, "bob")
    group = create_group(client, "Eng", [alice])
    alice_v = client.get(f"{USERS}/{alice['id']}").json()["meta"]["version"]
    assert alice_v == 'W/"2"'  # created, then joined the group
    client.patch(
        f"{GROUPS}/{group['id']}",
        {"Operations": [{"op": "add", "path": "members", "value": [{"value": bob["id"]}]}]},
    )
    assert client.get(f"{USERS}/{bob['id']}").json()["meta"]["version"] == 'W/"2"'
    group_v = client.get(f"{GROUPS}/{group['id']}").json()["meta"]["version"]

    User.objects.get(username="bob").groups.clear()
    assert client.get(f"{USERS}/{bob['id']}").json()["meta"]["version"] == 'W/"3"'
    assert client.get(f"{GROUPS}/{group['id']}").json()["meta"]["version"] != group_v
    Group.objects.get().user_set.add(User.objects.get(username="bob"))
    assert client.get(f"{USERS}/{bob['id']}").json()["meta"]["version"] == 'W/"4"'


def _join_with_user_groups(user, staff):
    user.groups.add(staff)


def _join_with_group_user_set(user, staff):
    staff.user_set.add(user)


def _join_with_bulk_create(user, staff):
    """No ``m2m_changed``: only the statement on the membership table shows it."""
    User.groups.through.objects.bulk_create([User.groups.through(user=user, group=staff)])


JOINS = [_join_with_user_groups, _join_with_group_user_set, _join_with_bulk_create]


@pytest.fixture
def staff(db):
    """A group the host puts new users in (created outside SCIM: it gets its record)."""
    return Group.objects.create(name="Staff")


@pytest.mark.parametrize("join", JOINS)
def test_rfc7644_3_3_groups_a_post_save_receiver_gives_a_new_user_are_in_the_response(
    client, staff, join
):
    """RFC 7644 §3.3: the POST response is the resource as created, so the groups the host
    adds in a ``post_save`` receiver are in it, however they are added."""

    def receiver(sender, instance, created, **kwargs):
        if created:
            join(instance, staff)

    post_save.connect(receiver, sender=User, dispatch_uid="test_groups_join")
    try:
        created = create_user(client, "newbie")
    finally:
        post_save.disconnect(sender=User, dispatch_uid="test_groups_join")
    staff_id = str(GroupRecord.objects.get(group=staff).id)
    assert [g["value"] for g in created["groups"]] == [staff_id]
    assert created["groups"][0]["display"] == "Staff"
    assert client.get(f"{USERS}/{created['id']}").json()["groups"] == created["groups"]


@pytest.mark.parametrize("join", JOINS)
def test_rfc7644_3_3_groups_a_post_operation_receiver_gives_a_new_user_are_in_the_response(
    client, staff, join
):
    """Also when the host adds them later in the write, in ``post_operation``."""

    def receiver(sender, operation, instance, **kwargs):
        if operation == "create" and isinstance(instance, User):
            join(instance, staff)

    post_operation.connect(receiver, dispatch_uid="test_groups_join")
    try:
        created = create_user(client, "newbie")
    finally:
        post_operation.disconnect(dispatch_uid="test_groups_join")
    assert [g["display"] for g in created["groups"]] == ["Staff"]


@pytest.mark.django_db(transaction=True)
def test_rfc7644_3_3_groups_a_commit_hook_gives_a_new_user_are_in_the_response(client):
    """The write commits before the response is read: groups a ``transaction.on_commit``
    hook adds are in it too (here the POST's transaction is the outermost one)."""
    staff = Group.objects.create(name="Staff")

    def receiver(sender, instance, created, **kwargs):
        if created:
            transaction.on_commit(lambda: staff.user_set.add(instance))

    post_save.connect(receiver, sender=User, dispatch_uid="test_groups_on_commit")
    try:
        created = create_user(client, "newbie")
    finally:
        post_save.disconnect(sender=User, dispatch_uid="test_groups_on_commit")
    assert [g["display"] for g in created["groups"]] == ["Staff"]


# -- a user read alone reads its groups in the same query ----------------------------------


def test_rfc7643_4_1_2_a_user_read_alone_shows_its_groups_in_order(client, staff):
    """GET one user reads its ``groups`` in the query that reads it (read-only: no write
    of the user changes them): the same references, in the same order (by group), as a
    list page shows, and none of a group out of scope (one that carries permissions)."""
    from django.contrib.auth.models import Permission

    user = User.objects.get(username=create_user(client, "member")["userName"])
    later = Group.objects.create(name="Later")
    admins = Group.objects.create(name="Admins")
    admins.permissions.add(Permission.objects.first())
    for group in (later, admins, staff):
        group.user_set.add(user)

    url = f"{USERS}/{user.scim_record.id}"
    with CaptureQueriesContext(connection) as captured:
        alone = client.get(url).json()
    statements = len(captured)  # before the next request resets Django's query log
    listed = client.get(USERS, {"filter": 'userName eq "member"'}).json()["Resources"][0]

    assert [g["display"] for g in alone["groups"]] == ["Staff", "Later"]
    assert alone["groups"] == listed["groups"]
    assert alone["groups"][0] == {
        "value": str(staff.scim_record.id),
        "$ref": f"http://testserver/scim/v2/Groups/{staff.scim_record.id}",
        "display": "Staff",
        "type": "direct",
    }
    assert statements == 2  # the token, the user with everything


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("join", JOINS)
def test_rfc7644_3_5_groups_a_receiver_gives_during_a_write_are_in_its_response(
    client, staff, join, method
):
    """RFC 7644 §3.5.1, §3.5.2: PUT and PATCH answer the resource as it is after the
    write. Its groups were read with it before the write; a group the host's receiver
    gives it during the write names the membership table, so they are read again."""
    user_id = create_user(client, "member")["id"]

    def receiver(sender, instance, created, **kwargs):
        if not created:
            join(instance, staff)

    if method == "put":
        body = {"schemas": [USER_SCHEMA], "userName": "member", "name": {"givenName": "M"}}
    else:
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        }
    post_save.connect(receiver, sender=User, dispatch_uid="test_groups_join_on_write")
    try:
        answered = getattr(client, method)(f"{USERS}/{user_id}", body).json()
    finally:
        post_save.disconnect(sender=User, dispatch_uid="test_groups_join_on_write")

    assert [g["display"] for g in answered["groups"]] == ["Staff"]
    assert client.get(f"{USERS}/{user_id}").json()["groups"] == answered["groups"]


def test_rfc7644_3_5_2_groups_read_by_a_locked_read_that_waited_are_read_again(client, staff):
    """A write's locking read that waited for another write to the user (a group PATCH
    adding it bumps its version) read the groups as they were before: when the version
    it read with them is not the locked record's, they are read again. On SQLite no read
    waits for a write: there the locked read is the plain read, with no version."""
    from drf_scim.settings import scim_settings

    user = User.objects.get(username=create_user(client, "member")["userName"])
    storage = scim_settings.USER_SERIALIZER.get_storage()
    serializer = scim_settings.USER_SERIALIZER
    if not connection.features.has_select_for_update:
        queryset = storage.get_queryset(relations=False, embed=True)
        assert str(storage.lock(queryset).query) == str(queryset.query)
        return
    with transaction.atomic():
        queryset = storage.get_queryset(relations=False, embed=True)
        waited = storage.lock(queryset).get(pk=user.pk)
        # What the wait left: another write put the user in a group and bumped its version.
        staff.user_set.add(user)
        waited.scim_record.version += 1
        assert not storage.annotations_fresh(waited)
        shown = serializer(waited, context={"scim_root": ""}).data

    assert [g["display"] for g in shown["groups"]] == ["Staff"]


def test_a_page_whose_groups_were_cut_short_reads_them_again_in_one_query(
    client, staff, monkeypatch
):
    """A list page reads each user's groups with it; when MariaDB cut one user's short,
    the page's groups are read again, in one query however many users it holds."""
    from drf_scim import relations
    from drf_scim.expressions import read_json_rows

    for name in ("ann", "bob", "cyd"):
        staff.user_set.add(User.objects.get(username=create_user(client, name)["userName"]))

    def cut_bobs(text, *args):
        if text and '"Staff"' in text and cut_bobs.calls == 1:
            text = text[: len(text) // 2]
        cut_bobs.calls += 1
        return read_json_rows(text, *args)

    cut_bobs.calls = 0
    monkeypatch.setattr(relations, "read_json_rows", cut_bobs)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(USERS).json()
    assert len(captured) == 3  # the token, the page, the page's groups again
    assert [[g["display"] for g in r["groups"]] for r in body["Resources"]] == [["Staff"]] * 3


def test_references_read_with_a_resource_take_display_names_from_record_attributes(client):
    """``Relation.embedded()`` reads each related resource's display name from its column
    or from its record's attributes, on every database: a user's ``displayName`` has no
    column on ``auth.User``. (Here a group's members, read with the group.)"""
    from drf_scim.settings import scim_settings

    babs = client.post(
        USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen", "displayName": "Babs"}
    ).json()
    plain = create_user(client, "plain")
    group = create_group(client, "Tour", members=[babs, plain])
    serializer = scim_settings.GROUP_SERIALIZER
    relation = serializer.get_relations()["members"]
    storage = serializer.get_storage()
    read = (
        storage.live()
        .annotate(**{relation.embedded_name: relation.embedded()})
        .get(scim_record__id=group["id"])
    )

    references = relation.embedded_references(read, "")
    assert references == relation.represent(read, "")
    assert {r["value"]: r.get("display") for r in references} == {
        babs["id"]: "Babs",
        plain["id"]: "plain",
    }


def test_groups_cut_short_by_the_database_are_read_again(client, staff, monkeypatch):
    """MariaDB cuts an aggregate at ``group_concat_max_len`` bytes: groups read with the
    user that are no JSON array are read again by a query of their own."""
    from drf_scim import relations
    from drf_scim.expressions import read_json_rows

    user = User.objects.get(username=create_user(client, "member")["userName"])
    staff.user_set.add(user)

    def cut(text, *args):
        return read_json_rows(text[: len(text) // 2], *args)

    monkeypatch.setattr(relations, "read_json_rows", cut)
    url = f"{USERS}/{user.scim_record.id}"
    with CaptureQueriesContext(connection) as captured:
        shown = client.get(url).json()
    assert len(captured) == 3  # the token, the user, its groups again
    assert [g["display"] for g in shown["groups"]] == ["Staff"]


@override_settings(DRF_SCIM={"DELETE_MODE": "deactivate"})
def test_rfc7644_3_3_a_user_brought_back_by_a_post_shows_the_groups_it_kept(client, staff):
    """A "deactivate" DELETE keeps a user's groups (read-only to SCIM); the POST that
    brings the user back shows them."""
    first = create_user(client, "returning")
    staff.user_set.add(User.objects.get(username="returning"))
    assert client.delete(f"{USERS}/{first['id']}").status_code == 204
    again = create_user(client, "returning")
    assert again["id"] != first["id"]
    assert [g["display"] for g in again["groups"]] == ["Staff"]


def test_rfc7644_3_3_a_new_user_no_one_put_in_a_group_has_no_groups(client, staff):
    created = create_user(client, "loner")
    assert "groups" not in created
    assert "groups" not in client.get(f"{USERS}/{created['id']}").json()


def test_rfc7644_3_3_members_a_post_save_receiver_gives_a_new_group_are_in_the_response(client):
    """The same for a Group: members the host adds when it is created are in the response."""
    alice = create_user(client, "alice")

    def receiver(sender, instance, created, **kwargs):
        if created:
            instance.user_set.add(User.objects.get(username="alice"))

    post_save.connect(receiver, sender=Group, dispatch_uid="test_groups_members")
    try:
        group = create_group(client, "Welcome")
    finally:
        post_save.disconnect(sender=Group, dispatch_uid="test_groups_members")
    assert [m["value"] for m in group["members"]] == [alice["id"]]
    assert "members" not in create_group(client, "Quiet")
