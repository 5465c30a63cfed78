"""Storage models: tokens and the byte-exact comparison column."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User

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
