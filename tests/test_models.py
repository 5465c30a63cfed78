"""Storage models: tokens and the byte-exact comparison column."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.db import models
from django.db.models.signals import post_init

from drf_scim.models import SCIMToken, UserRecord


def test_exact_char_field_compares_byte_for_byte_on_every_database(db):
    """MariaDB's default collation would make "jose", "José" and "JOSE" equal."""
    for name in ("a", "b", "c"):
        User.objects.create_user(name)
    records = list(UserRecord.objects.order_by("user__username"))
    for record, key in zip(records, ("jose", "josé", "JOSE"), strict=True):
        record.user_name_key = key
        record.save()
    assert UserRecord.objects.filter(user_name_key="jose").count() == 1
    assert UserRecord.objects.filter(user_name_key="josé").count() == 1
    assert UserRecord.objects.filter(external_id__isnull=True).count() == 3


def test_token_generate_stores_only_the_digest(db):
    token, key = SCIMToken.generate("Okta")
    assert key.startswith("scim_")
    assert len(key) > 40
    row = SCIMToken.objects.values().get(pk=token.pk)
    assert key not in str(row)
    assert row["key_digest"] == SCIMToken.digest(key)
    assert row["prefix"] == key[:10]
    assert token.is_active
    token.revoke()
    assert not SCIMToken.objects.get().is_active


def test_models_and_migrations_agree(db):
    """Every model change has its migration: ``makemigrations --check`` finds nothing."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "drf_scim", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.parametrize(
    ("model", "name", "columns"),
    [
        ("UserRecord", "drf_scim_user_live_idx", ["user_id", "id"]),
        ("GroupRecord", "drf_scim_group_live_idx", ["group_id", "id"]),
    ],
)
def test_live_records_keys_are_indexed_on_postgresql(db, model, name, columns):
    """Migration 0009: on PostgreSQL the keys of the live records (``deleted IS NULL``) are
    indexed, so that a list's ``totalResults`` and a later page's ``OFFSET`` (RFC 7644
    §3.4.2.4) read the index alone; elsewhere no index nothing would read."""
    from django.apps import apps
    from django.db import connection

    table = apps.get_model("drf_scim", model)._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    if connection.vendor == "postgresql":
        assert constraints[name]["columns"] == columns
        assert constraints[name]["index"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
            (definition,) = cursor.fetchone()
        assert definition.endswith("WHERE (deleted IS NULL)")
    else:
        assert name not in constraints


def test_records_leave_room_for_updates_on_postgresql(db):
    """Migration 0008: on PostgreSQL the record tables keep a fifth of each page free, so
    that a version bump (RFC 7644 §3.14) is a heap-only update; elsewhere nothing is set."""
    from django.db import connection

    from drf_scim.models import GroupRecord

    tables = [UserRecord._meta.db_table, GroupRecord._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [tables]
            )
            options = dict(cursor.fetchall())
            assert options == {table: ["fillfactor=80"] for table in tables}
    if connection.vendor != "postgresql":  # the migration writes nothing here
        import importlib

        from django.apps import apps

        migration = importlib.import_module("drf_scim.migrations.0008_record_fillfactor")
        executed = []
        editor = SimpleNamespace(
            connection=connection, quote_name=connection.ops.quote_name, execute=executed.append
        )
        migration.set_fillfactor(apps, editor)
        migration.reset_fillfactor(apps, editor)
        assert executed == []


def _loaded(record: UserRecord) -> dict[str, object]:
    """What a record read from the database holds: its columns and its state."""
    return {
        **{field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields},
        "adding": record._state.adding,
        "db": record._state.db,
        "fetch_mode": getattr(record._state, "fetch_mode", None),  # Django 6.1
    }


def test_a_record_read_from_the_database_is_what_model_init_builds(db):
    """``BaseRecord.from_db`` skips ``Model.__init__``, and builds the same record.

    Read alone, with its user (``select_related``) and with a column deferred: every
    column, ``_state.adding`` and ``_state.db`` as Django's own ``from_db`` gives them,
    and it saves as any record does.
    """
    User.objects.create_user("ada")
    names = [field.attname for field in UserRecord._meta.concrete_fields]
    row = UserRecord.objects.values_list(*names).get()
    # Django's own from_db, which builds through Model.__init__.
    expected = _loaded(models.Model.from_db.__func__(UserRecord, "default", names, row))  # type: ignore[attr-defined]
    read = UserRecord.objects.get()
    assert _loaded(read) == expected
    with_user = User.objects.select_related("scim_record").get(username="ada").scim_record
    assert _loaded(with_user) == expected
    assert with_user.user.username == "ada"
    deferred = UserRecord.objects.defer("attributes").get()
    assert deferred.get_deferred_fields() == {"attributes"}
    assert deferred.attributes == {}  # loaded when asked, as Django does
    read.external_id = "x-1"
    read.save()
    assert UserRecord.objects.get().external_id == "x-1"
    assert UserRecord.objects.get().version == read.version


def test_a_record_model_with_init_receivers_is_built_by_model_init(db):
    """A ``post_init`` receiver (or a subclass's own ``__init__``) still sees each record."""
    User.objects.create_user("ada")
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=UserRecord)
    try:
        read = UserRecord.objects.get()
    finally:
        post_init.disconnect(receiver, sender=UserRecord)
    assert seen == [read]
    assert read.user.username == "ada"
    assert not read._state.adding
