"""Records kept in step with writes made outside SCIM (drf_scim.records)."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib.auth.models import User

from drf_scim.models import UserRecord, UserValue
from drf_scim.records import backfill_user_records


def test_user_created_outside_scim_gets_a_record_with_a_case_folded_key(db):
    user = User.objects.create_user("Ärger")
    assert user.scim_record.user_name_key == "ärger"
    assert user.scim_record.version == 1


def test_case_clash_outside_scim_does_not_break_the_save(db):
    """auth.User's own constraint is case-sensitive (except on MariaDB's _ci collations), so
    an application may create a user whose name another holds in another case."""
    holder = User.objects.create_user("holder")
    UserRecord.objects.filter(user=holder).update(user_name_key="bob")
    other = User.objects.create_user("BOB")
    assert UserRecord.objects.get(user=other).user_name_key is None
    assert UserRecord.objects.get(user=other).search["userName"] == "bob"


def test_renaming_outside_scim_updates_the_key_and_the_version(db):
    user = User.objects.create_user("alice")
    user.username = "Alicia"
    user.save()
    record = UserRecord.objects.get(user=user)
    assert record.user_name_key == "alicia"
    assert record.version == 2


def test_login_does_not_touch_the_record(db, django_assert_num_queries):
    user = User.objects.create_user("alice")
    with django_assert_num_queries(1):
        user.save(update_fields=["last_login"])
    assert UserRecord.objects.get(user=user).version == 1


def test_backfill_gives_every_user_a_record_once(db):
    a = User.objects.create_user("a")
    b = User.objects.create_user("B")
    holder = User.objects.create_user("holder")
    UserRecord.objects.exclude(user=holder).delete()
    UserRecord.objects.filter(user=holder).update(user_name_key="b")  # B's key is taken
    assert backfill_user_records(User, UserRecord, UserValue) == 2
    assert backfill_user_records(User, UserRecord, UserValue) == 0  # idempotent
    keys = dict(UserRecord.objects.values_list("user_id", "user_name_key"))
    assert keys == {a.pk: "a", b.pk: None, holder.pk: "b"}


def test_backfill_indexes_the_columns_for_filters(db):
    User.objects.create_user("Ärger", email="Ä@Example.com", first_name="Ödön")
    UserRecord.objects.all().delete()
    backfill_user_records(User, UserRecord, UserValue)
    record = UserRecord.objects.get()
    assert record.search == {"userName": "ärger", "name": {"givenName": "ödön"}, "active": True}
    value = UserValue.objects.get()
    assert (value.attribute, value.value, value.value_key, value.primary) == (
        "emails",
        "Ä@example.com",  # create_user lowers the domain
        "ä@example.com",
        True,
    )


def test_the_data_migration_uses_the_user_serializer_mapping(db):
    User.objects.create_user("Zed")
    UserRecord.objects.all().delete()
    migration = importlib.import_module("drf_scim.migrations.0002_backfill_user_records")
    migration.backfill(apps, None)
    assert UserRecord.objects.get().user_name_key == "zed"


def test_backfill_command_reports_what_it_created(db):
    from io import StringIO

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    User.objects.bulk_create([User(username="bulk1"), User(username="bulk2")])
    Group.objects.bulk_create([Group(name="bulk group")])
    out = StringIO()
    call_command("scim_backfill_records", stdout=out)
    assert out.getvalue().splitlines() == [
        "Created 2 SCIM user records.",
        "Created 1 SCIM group records.",
    ]
    assert UserRecord.objects.filter(user__username__startswith="bulk").count() == 2


def test_reindex_sees_changes_made_with_queryset_update(db):
    from io import StringIO

    from django.core.management import call_command

    User.objects.create_user("ann", first_name="Ann")
    User.objects.filter(username="ann").update(first_name="Anna")  # no signals
    assert UserRecord.objects.get().search["name"] == {"givenName": "ann"}
    out = StringIO()
    call_command("scim_backfill_records", "--reindex", stdout=out)
    assert "Reindexed 1 SCIM user records." in out.getvalue()
    assert UserRecord.objects.get().search["name"] == {"givenName": "anna"}


def test_rfc7643_2_3_7_reindex_unfolds_references_stored_case_folded(client):
    """Records written when references were compared ignoring case hold them folded; filters
    now compare them exactly (RFC 7643 §2.3.6-7), and ``--reindex`` makes them find those."""
    from io import StringIO

    from django.core.management import call_command

    body = {
        "userName": "bjensen",
        "profileUrl": "https://Example.com/Babs",
        "x509Certificates": [{"value": "QUJD"}],
    }
    body["emails"] = [{"value": "b@example.com", "type": "work", "primary": True}]
    body["addresses"] = [{"locality": "Hollywood", "type": "work"}, {"country": "US"}]
    created = client.post("/scim/v2/Users", body)
    assert created.status_code == 201, created.content
    location = f"/scim/v2/Users/{created.json()['id']}"
    before = client.get(location).json()
    record = UserRecord.objects.get()
    UserRecord.objects.filter(pk=record.pk).update(
        search={**record.search, "profileUrl": "https://example.com/babs"}
    )
    UserValue.objects.filter(attribute="x509Certificates").update(value_key="qujd")

    def found(filter_):
        return client.get("/scim/v2/Users", {"filter": filter_}).json()["totalResults"]

    exact = ['profileUrl eq "https://Example.com/Babs"', 'x509Certificates.value eq "QUJD"']
    assert [found(f) for f in exact] == [0, 0]  # as an upgraded database finds them
    call_command("scim_backfill_records", "--reindex", stdout=StringIO())
    assert [found(f) for f in exact] == [1, 1]
    after = client.get(location).json()
    assert {k: v for k, v in after.items() if k != "meta"} == {
        k: v for k, v in before.items() if k != "meta"
    }  # the value rows are rewritten, not changed
