"""The storage seam (drf_scim.storage): what a document becomes in the tables, and back.

A resource is kept in the host's columns (``attribute_map``), its record (``id``,
``externalId``, unmapped singular attributes, the search document, the case-folded
unique key) and one values-table row per value of a multi-valued attribute (RFC 7643
§2.4); reading assembles the same document again.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from drf_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from drf_scim.models import UserRecord, UserValue
from drf_scim.serializers import SCIMGroupSerializer, SCIMUserSerializer

pytestmark = pytest.mark.django_db

STORAGE = SCIMUserSerializer.get_storage()

DOCUMENT = {
    "userName": "BJensen",
    "externalId": "ext-1",
    "title": "Tour Guide",
    "name": {"givenName": "Barbara", "familyName": "Jensen", "formatted": "Ms. Barbara J"},
    "emails": [
        {"value": "home@example.com", "type": "home"},
        {"value": "bjensen@example.com", "type": "work", "primary": True},
    ],
    "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw"}],
    ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984", "department": "Tours"},
}


def save_new(document=DOCUMENT):
    instance = User()
    with transaction.atomic():
        STORAGE.save(instance, UserRecord(), document, created=True)
    return User.objects.get(pk=instance.pk)


def test_rfc7643_4_1_mapped_attributes_are_written_to_the_host_columns():
    user = save_new()
    assert (user.username, user.first_name, user.last_name) == ("BJensen", "Barbara", "Jensen")
    assert user.email == "bjensen@example.com"  # the primary e-mail (RFC 7643 §2.4)


def test_rfc7643_3_1_the_record_keeps_id_external_id_and_unmapped_singular_attributes():
    record = save_new().scim_record
    assert record.external_id == "ext-1"
    assert record.attributes == {
        "title": "Tour Guide",
        "name": {"formatted": "Ms. Barbara J"},
        ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984", "department": "Tours"},
    }
    assert record.user_name_key == "bjensen"  # userName is unique ignoring case (§4.1.1)
    assert record.version == 1


def test_rfc7643_2_4_each_value_of_a_multi_valued_attribute_is_one_row():
    record = save_new().scim_record
    rows = list(
        UserValue.objects.filter(record=record)
        .order_by("attribute", "position")
        .values_list("attribute", "position", "value", "type", "primary")
    )
    assert rows == [
        ("emails", 0, "home@example.com", "home", None),
        ("emails", 1, "bjensen@example.com", "work", True),
        ("x509Certificates", 0, "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw", None, None),
    ]


def test_rfc7644_3_4_2_2_the_search_document_holds_singular_attributes_case_folded():
    search = UserRecord.objects.get(user=save_new()).search
    assert search["userName"] == "bjensen"
    assert search["title"] == "tour guide"
    assert search["name"]["givenName"] == "barbara"
    assert search[ENTERPRISE_USER_SCHEMA]["employeeNumber"] == "701984"
    assert "emails" not in search  # multi-valued: searched in the values table


def test_rfc7643_8_2_load_document_gives_back_what_was_saved():
    user = STORAGE.get_queryset().get(pk=save_new().pk)
    document = STORAGE.load_document(user, values=True)
    assert document["userName"] == "BJensen"
    assert document["title"] == "Tour Guide"
    assert document["name"] == DOCUMENT["name"]
    assert document["emails"] == DOCUMENT["emails"]
    assert document[ENTERPRISE_USER_SCHEMA] == DOCUMENT[ENTERPRISE_USER_SCHEMA]


def test_rfc7644_3_6_live_leaves_out_deleted_resources():
    kept, gone = save_new(), save_new({"userName": "gone"})
    STORAGE.mark_deleted(gone)
    assert list(STORAGE.live().values_list("pk", flat=True)) == [kept.pk]
    assert STORAGE.deleted_record("gone").user_id == gone.pk
    assert STORAGE.deleted_record("bjensen") is None


def test_rfc7644_3_6_deleted_keys_asks_for_many_keys_at_once(django_assert_num_queries):
    """Which of many userName keys deleted users hold, in one query; a key no record can
    hold (NUL, longer than the column) is not sent, which PostgreSQL would refuse."""
    save_new()
    STORAGE.mark_deleted(save_new({"userName": "gone"}))
    asked = ["gone", "bjensen", "nobody", "a\x00b", "x" * 300]
    with django_assert_num_queries(1):
        assert STORAGE.deleted_keys(asked) == {"gone"}
    with django_assert_num_queries(0):
        assert STORAGE.deleted_keys(["a\x00b"]) == set()


@pytest.mark.parametrize("emails", [1, 50])
def test_a_save_costs_the_same_queries_for_one_value_or_fifty(emails, django_assert_num_queries):
    """Replacing a user writes the columns, the record and the values in bulk: 4 queries
    (user, record, delete of the old values, one insert of the new ones)."""
    user = STORAGE.get_queryset().get(pk=save_new().pk)
    document = {
        "userName": "bjensen",
        "emails": [{"value": f"{i}@example.com"} for i in range(emails)],
    }
    with django_assert_num_queries(4):
        STORAGE.save(user, user.scim_record, document, created=False)
    assert UserValue.objects.filter(record__user=user).count() == emails
    assert UserRecord.objects.get(user=user).version == 2


def test_each_resource_type_has_its_own_storage():
    assert SCIMGroupSerializer.get_storage() is not STORAGE
    assert SCIMGroupSerializer.get_storage().resource is SCIMGroupSerializer
    assert SCIMUserSerializer.get_storage() is STORAGE


# -- writes touch only the value rows that change (RFC 7644 §3.5.2) ---------------------

USERS = "/scim/v2/Users"


def emails(*values):
    return [{"value": v, "type": "work"} for v in values]


def stored_rows(user):
    """``(id, value)`` of the user's e-mail rows, in the order the API shows them."""
    return list(
        UserValue.objects.filter(record__user=user, attribute="emails")
        .order_by("position")
        .values_list("id", "value")
    )


def put_emails(client, record_id, values):
    body = {"schemas": [USER_SCHEMA], "userName": "bjensen"}
    body["emails"] = emails(*values)
    response = client.put(f"{USERS}/{record_id}", body)
    assert response.status_code == 200, response.content
    return response.json()


def patch(client, record_id, *operations):
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}
    body["Operations"] = list(operations)
    response = client.patch(f"{USERS}/{record_id}", body)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def user_with_emails(client):
    user = save_new({"userName": "bjensen", "emails": emails("a@x.org", "b@x.org", "c@x.org")})
    return user, str(user.scim_record.id)


def test_rfc7644_3_5_2_1_adding_a_value_inserts_one_row_and_keeps_the_others(
    client, user_with_emails
):
    user, record_id = user_with_emails
    before = stored_rows(user)
    shown = patch(client, record_id, {"op": "add", "path": "emails", "value": emails("d@x.org")})
    after = stored_rows(user)
    assert after[:3] == before  # the same rows, ids included: nothing rewritten
    assert [value for _, value in after] == ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
    assert shown == client.get(f"{USERS}/{record_id}").json()  # the response is the stored state


def test_rfc7644_3_5_2_2_removing_a_value_deletes_one_row_and_keeps_the_others(
    client, user_with_emails
):
    user, record_id = user_with_emails
    before = stored_rows(user)
    shown = patch(client, record_id, {"op": "remove", "path": 'emails[value eq "b@x.org"]'})
    assert stored_rows(user) == [before[0], before[2]]
    assert [e["value"] for e in shown["emails"]] == ["a@x.org", "c@x.org"]
    assert shown == client.get(f"{USERS}/{record_id}").json()


@pytest.mark.parametrize(
    "values",
    [
        ["z@x.org", "a@x.org", "b@x.org", "c@x.org"],  # before the first kept row
        ["a@x.org", "z@x.org", "b@x.org", "c@x.org"],  # between kept rows, no position free
        ["c@x.org", "b@x.org", "a@x.org"],  # reordered
        ["b@x.org", "y@x.org", "z@x.org"],  # some kept, some new after them
        [],
    ],
)
def test_rfc7643_2_4_a_put_keeps_the_order_of_the_values_it_sends(client, user_with_emails, values):
    """Multi-valued attributes come back in the order they were written, whichever rows a
    write could keep."""
    user, record_id = user_with_emails
    shown = put_emails(client, record_id, values)
    assert [value for _, value in stored_rows(user)] == values
    assert [e["value"] for e in shown.get("emails", [])] == values
    assert shown == client.get(f"{USERS}/{record_id}").json()


def test_rfc7643_2_4_a_changed_sub_attribute_rewrites_its_row(client, user_with_emails):
    """A value is kept only when all of it is unchanged: ``primary: true`` is a change."""
    user, record_id = user_with_emails
    before = stored_rows(user)
    shown = patch(
        client,
        record_id,
        {"op": "replace", "path": 'emails[value eq "b@x.org"].primary', "value": True},
    )
    after = stored_rows(user)
    assert [after[0], after[2]] == [before[0], before[2]]
    assert after[1][1] == "b@x.org"
    assert after[1][0] != before[1][0]
    assert [e.get("primary") for e in shown["emails"]] == [None, True, None]


@pytest.mark.parametrize("count", [1, 50])
def test_a_patch_adding_one_value_costs_the_same_for_1_or_50_stored(
    client, count, django_assert_num_queries
):
    """The stored rows are read once (by the read every PATCH starts with) and only the new
    row is written: the query count does not follow the size of the list."""
    user = save_new(
        {"userName": "bjensen", "emails": emails(*(f"{i}@x.org" for i in range(count)))}
    )
    url = f"{USERS}/{user.scim_record.id}"
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "emails", "value": emails("new@x.org")}],
    }
    client.patch(url, body)  # warm-up: the token's last use is written once a while
    body["Operations"][0]["value"] = emails("newer@x.org")
    # The token; the savepoint; the resource locked and read with its value rows and
    # groups; the record and one value row written (no column of the user changes); the
    # audit event; the release.
    with django_assert_num_queries(7):
        response = client.patch(url, body)
    assert response.status_code == 200
    assert len(stored_rows(user)) == count + 2


# -- a resource's value rows are read in the query that reads it -------------------------


def test_rfc7643_2_4_values_read_with_the_resource_are_those_stored(client):
    """The value rows come back from the resource's own query (one JSON aggregate per
    database) exactly as a query of their own reads them: text, booleans, sub-attributes
    kept as JSON, order."""
    document = {
        "userName": "bjensen",
        "emails": [
            {"value": 'quote"d@x.org', "type": "work", "primary": True},
            {"value": "ünï@x.org", "display": "Ünï\\n", "primary": False},
        ],
        "addresses": [{"streetAddress": "1 Main St\n", "locality": "Åre", "type": "home"}],
    }
    user = save_new(document)
    url = f"{USERS}/{user.scim_record.id}"
    shown = client.get(url).json()
    with_annotation = STORAGE.get_queryset().get(pk=user.pk)
    by_query = STORAGE.get_queryset(values=False).get(pk=user.pk)
    record = by_query.scim_record
    assert vars(with_annotation)["_scim_value_rows_json"]  # read with the resource
    assert STORAGE.stored_rows(with_annotation.scim_record, with_annotation) == STORAGE.stored_rows(
        record
    )
    assert shown["emails"] == document["emails"]
    assert shown["addresses"] == document["addresses"]


def test_values_cut_short_by_the_database_are_read_again(client, monkeypatch):
    """MariaDB cuts an aggregate at ``group_concat_max_len`` bytes: text that is no JSON
    array is read again by a query of its own, and the resource is whole."""
    from drf_scim import storage
    from drf_scim.expressions import read_json_rows

    with pytest.raises(ValueError, match="Unterminated"):
        read_json_rows('[[1, 2, "cut', ())

    user = save_new({"userName": "bjensen", "emails": emails("a@x.org", "b@x.org")})

    def cut(text, *args):
        return read_json_rows(text[: len(text) // 2], *args)

    monkeypatch.setattr(storage, "read_json_rows", cut)
    shown = client.get(f"{USERS}/{user.scim_record.id}").json()
    assert [e["value"] for e in shown["emails"]] == ["a@x.org", "b@x.org"]


def test_rfc7644_3_5_2_a_locked_read_that_waited_reads_the_value_rows_again(
    django_assert_num_queries,
):
    """A write's locking query that waited for another write to the resource sees the
    rows it locked as they are now, but its value rows as they were when it began (READ
    COMMITTED on PostgreSQL and MariaDB): concurrent PATCHes adding e-mails duplicated the
    primary one. The record's version read with the value rows tells: when it differs
    from the locked record's, the value rows are read again, else they are used as read.
    On SQLite no read waits for a write (a write transaction locks the database): there
    the locked read is the plain read, with no version to compare."""
    if not connection.features.has_select_for_update:
        queryset = STORAGE.get_queryset()
        assert str(STORAGE.lock(queryset).query) == str(queryset.query)
        return
    user = save_new({"userName": "bjensen", "emails": emails("a@x.org")})
    with transaction.atomic():
        current = STORAGE.lock(STORAGE.get_queryset()).get(pk=user.pk)
        with django_assert_num_queries(0):
            rows = STORAGE.stored_rows(current.scim_record, current)
        assert [(row[2], row[3]) for row in rows] == [("emails", "a@x.org")]

        waited = STORAGE.lock(STORAGE.get_queryset()).get(pk=user.pk)
        # What the wait left: another write added a value and bumped the locked record.
        UserValue.objects.create(
            record=waited.scim_record, attribute="emails", position=1, value="b@x.org"
        )
        waited.scim_record.version += 1
        with django_assert_num_queries(1):
            rows = STORAGE.stored_rows(waited.scim_record, waited)

    assert [row[3] for row in rows] == ["a@x.org", "b@x.org"]


@pytest.mark.parametrize("cut_users", [1, 3])
def test_a_page_reads_the_values_cut_short_again_in_one_query(
    client, monkeypatch, django_assert_num_queries, cut_users
):
    """RFC 7644 §3.4.2: on a first page, each user's value rows come with the page; those
    MariaDB cut short are read again, in one query for the page however many they are."""
    from drf_scim import storage
    from drf_scim.expressions import read_json_rows

    for index in range(4):
        found = emails(f"a{index}@x.org", f"b{index}@x.org")
        save_new({"userName": f"user{index}", "emails": found})
    cut = {f"a{index}@x.org" for index in range(cut_users)}

    def cut_some(text, *args):
        if text and any(value in text for value in cut):
            text = text[: len(text) // 2]
        return read_json_rows(text, *args)

    monkeypatch.setattr(storage, "read_json_rows", cut_some)
    client.get(USERS)  # the token's last use is written once a while
    with django_assert_num_queries(3):  # token, page with its groups, the values cut short
        body = client.get(USERS).json()
    shown = {r["userName"]: [e["value"] for e in r["emails"]] for r in body["Resources"]}
    assert shown == {f"user{i}": [f"a{i}@x.org", f"b{i}@x.org"] for i in range(4)}


USER_UPDATE = re.compile(r'UPDATE ["`]auth_user["`]')


def test_rfc7644_3_5_2_a_write_updates_only_the_columns_it_changes(client):
    """``active: false`` writes ``is_active`` alone: a ``last_login`` (or password) the
    application wrote meanwhile is not put back, and a write that changes no column of
    the user writes none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = save_new({"userName": "bjensen"})
    url = f"{USERS}/{user.scim_record.id}"
    client.get(url)  # the token's last use is written once a while
    with CaptureQueriesContext(connection) as captured:
        patch(client, str(user.scim_record.id), {"op": "replace", "path": "active", "value": False})
    updates = [q["sql"] for q in captured.captured_queries if USER_UPDATE.match(q["sql"])]
    assert len(updates) == 1
    assert "is_active" in updates[0]
    assert "last_login" not in updates[0]
    assert "password" not in updates[0]
    with CaptureQueriesContext(connection) as captured:
        patch(
            client, str(user.scim_record.id), {"op": "replace", "path": "title", "value": "Guide"}
        )
    assert not [q for q in captured.captured_queries if USER_UPDATE.match(q["sql"])]
    assert User.objects.get(pk=user.pk).is_active is False
