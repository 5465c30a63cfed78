"""drf_scim.expressions.AnyOf: ``field IN values`` as one array parameter on PostgreSQL.

Membership writes name up to about 20,000 ids in one request (a 1 MiB PATCH); these check
that the expression selects exactly what ``__in`` selects, wherever the ORM puts it.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from drf_scim.expressions import AnyOf, canonical_uuid, uuid_text
from drf_scim.models import UserRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    """Five users with records, and the record ids of the second and fourth."""
    created = [User.objects.create(username=f"any{i}") for i in range(5)]
    return created, [created[1].scim_record.id, created[3].scim_record.id]


def test_selects_what_in_selects(users):
    created, ids = users
    by_any = set(UserRecord.objects.filter(AnyOf("id", ids)).values_list("user_id", flat=True))
    by_in = set(UserRecord.objects.filter(id__in=ids).values_list("user_id", flat=True))
    assert by_any == by_in == {created[1].pk, created[3].pk}


def test_a_foreign_key_takes_primary_keys(users):
    created, _ = users
    pks = [created[0].pk, created[4].pk]
    found = set(UserRecord.objects.filter(AnyOf("user", pks)).values_list("user_id", flat=True))
    assert found == set(pks)


def test_ids_as_text_and_unknown_ids(users):
    created, ids = users
    listed = [str(ids[0]), uuid.uuid4()]
    found = list(UserRecord.objects.filter(AnyOf("id", listed)).values_list("user_id", flat=True))
    assert found == [created[1].pk]


def test_an_empty_list_selects_nothing(users):
    assert not UserRecord.objects.filter(AnyOf("id", [])).exists()
    assert UserRecord.objects.exclude(AnyOf("id", [])).count() == 5


def test_an_empty_list_sends_no_query_as_djangos_in_does(users, django_assert_num_queries):
    """An empty page has no key to look up: like ``__in=[]``, nothing is sent, and the
    condition matches nothing under ``OR`` and everything under ``NOT``."""
    _, ids = users
    with django_assert_num_queries(0):
        assert list(UserRecord.objects.filter(AnyOf("id", []))) == []
        assert UserRecord.objects.filter(AnyOf("id", [])).update(version=9) == 0
    either = Q(AnyOf("id", [])) | Q(id=ids[0])
    assert list(UserRecord.objects.filter(either).values_list("id", flat=True)) == [ids[0]]
    assert UserRecord.objects.filter(~Q(AnyOf("id", []))).count() == 5


def test_inside_a_subquery_and_under_a_join(users):
    """Its column follows the query it ends up in: a subquery's aliases are renamed."""
    created, ids = users
    records = UserRecord.objects.filter(AnyOf("id", ids)).values("user_id")
    assert set(User.objects.filter(pk__in=records).values_list("pk", flat=True)) == {
        created[1].pk,
        created[3].pk,
    }
    group = Group.objects.create(name="any")
    group.user_set.add(*created)
    members = User.groups.through.objects.filter(
        AnyOf("user", [created[2].pk]), group=group
    ).values_list("user_id", flat=True)
    assert list(members) == [created[2].pk]


def test_update_and_delete_by_it(users):
    created, ids = users
    assert UserRecord.objects.filter(AnyOf("id", ids)).update(version=99) == 2
    assert set(UserRecord.objects.filter(version=99).values_list("id", flat=True)) == set(ids)
    group = Group.objects.create(name="any")
    group.user_set.add(*created)
    through = User.groups.through.objects
    through.filter(AnyOf("user", [created[0].pk, created[1].pk]), group=group).delete()
    assert sorted(group.user_set.values_list("pk", flat=True)) == [u.pk for u in created[2:]]


def test_one_parameter_for_the_whole_list_on_postgresql_and_sqlite(users):
    """On PostgreSQL the list is one array parameter, on SQLite one JSON parameter,
    whatever its length; on MariaDB it is Django's ``IN (%s, %s, …)``."""
    _, ids = users
    many = [*ids, *(uuid.uuid4() for _ in range(500))]
    with CaptureQueriesContext(connection) as captured:
        assert UserRecord.objects.filter(AnyOf("id", many)).count() == 2
    sql = captured.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
        assert " IN (" not in sql
    elif connection.vendor == "sqlite":
        assert "JSON_EACH(" in sql
        assert sql.count("'") == 2  # one quoted literal: the JSON list
    else:
        assert " IN (" in sql


def test_more_ids_than_sqlite_takes_parameters(users):
    """40,000 ids (more than SQLite's 32,766 parameters a statement; a 1 MiB request holds
    about 27,000 at most, but MAX_PAYLOAD_SIZE can be raised) select what they name."""
    created, ids = users
    many = [*(uuid.uuid4() for _ in range(40_000)), ids[1]]
    found = UserRecord.objects.filter(AnyOf("id", many)).values_list("user_id", flat=True)
    assert list(found) == [created[3].pk]


# -- uuid_text, canonical_uuid -------------------------------------------------------------


def test_a_uuid_read_as_text_is_its_canonical_text(users):
    """RFC 7643 §3.1: a resource's ``id`` is answered the same however it is read: a
    record id read as text (no ``uuid.UUID`` made) is the text ``str()`` of the UUID
    gives, on every database (32 hex digits on SQLite, the ``uuid`` type's text on
    PostgreSQL and MariaDB)."""
    rows = UserRecord.objects.values_list("id", uuid_text("id"))
    assert len(rows) == 5
    for as_uuid, as_text in rows:
        assert canonical_uuid(as_text) == str(as_uuid)


def test_canonical_uuid_of_each_form():
    value = uuid.UUID("7D6C5A7E-0B9F-4C55-9A1E-3C2B1A0F9E8D")
    text = "7d6c5a7e-0b9f-4c55-9a1e-3c2b1a0f9e8d"
    assert canonical_uuid(value) == canonical_uuid(value.hex) == canonical_uuid(text) == text
