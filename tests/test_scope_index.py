"""The scope index docs/deployment.md offers ("Deep index pages of a large user table").

An index page (RFC 7644 §3.4.2.4) skips the users before ``startIndex``; on PostgreSQL the
migration the page shows indexes the key of the users in scope, so that the skip reads
that index instead of the user table. These tests run the page's own block, so that what
a reader copies is what is tested.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from drf_scim.constants import USER_SCHEMA
from drf_scim.models import UserRecord

from .test_docs_snippets import python_blocks

DEPLOYMENT = Path(__file__).resolve().parent.parent / "docs" / "deployment.md"
NAME = "scim_user_scope_idx"


def deployment_migration() -> dict:
    """The namespace of docs/deployment.md's block that defines the scope index."""
    (source,) = [source for _, source, _ in python_blocks(DEPLOYMENT) if NAME in source]
    namespace: dict = {"__name__": "scope_index_migration"}
    exec(compile(source, str(DEPLOYMENT), "exec"), namespace)  # noqa: S102 - our docs
    return namespace


def indexes_of_users() -> dict:
    table = get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


@pytest.mark.django_db(transaction=True)
def test_scope_index_lets_an_index_page_skip_users_in_the_index(client):
    """RFC 7644 §3.4.2.4 ``startIndex``: on PostgreSQL the skipped users are read from the
    index of the users in scope (``get_scope()``); the page is the same. Elsewhere the
    migration adds nothing (MariaDB, and SQLite for an integer key, keep the table in the
    order of its primary key)."""
    migration = deployment_migration()
    assert migration["Migration"].atomic is False  # CREATE INDEX CONCURRENTLY
    # Out of scope, and before the others: a skip that counted it would shift the page.
    admin = get_user_model().objects.create_user("admin", is_staff=True)
    assert UserRecord.objects.filter(user=admin).exists()  # only the scope leaves it out
    names = [f"user{n}" for n in range(6)]
    for name in names:
        created = client.post("/scim/v2/Users", {"schemas": [USER_SCHEMA], "userName": name})
        assert created.status_code == 201
    with connection.schema_editor(atomic=False) as editor:
        migration["add_scope_index"](apps, editor)
    try:
        if connection.vendor == "postgresql":
            assert indexes_of_users()[NAME]["columns"] == ["id"]
            with connection.cursor() as cursor:
                cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [NAME])
                (definition,) = cursor.fetchone()
                assert definition.endswith("WHERE ((NOT is_staff) AND (NOT is_superuser))")
                cursor.execute(f"VACUUM ANALYZE {get_user_model()._meta.db_table}")
        else:
            assert NAME not in indexes_of_users()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/scim/v2/Users?startIndex=4&count=2")
        assert response.status_code == 200
        assert [user["userName"] for user in response.json()["Resources"]] == names[3:5]
        if connection.vendor == "postgresql":
            (page,) = [query["sql"] for query in queries if " OFFSET " in query["sql"]]
            with connection.cursor() as cursor:
                cursor.execute("SET enable_seqscan = off")  # a table of 7 rows is read whole
                try:
                    cursor.execute(f"EXPLAIN {page}")
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                finally:
                    cursor.execute("RESET enable_seqscan")
            assert f"Index Only Scan using {NAME}" in plan
    finally:
        with connection.schema_editor(atomic=False) as editor:
            migration["remove_scope_index"](apps, editor)
    assert NAME not in indexes_of_users()


@pytest.mark.django_db(transaction=True)
@override_settings(DRF_SCIM={"PRIVILEGED_USERS_IN_SCOPE": True})
def test_scope_index_is_not_added_when_the_scope_is_every_user():
    """With every user in scope (``get_scope()`` is ``Q()``) the primary key serves the
    skip: the migration adds nothing, on any database, and still runs backwards."""
    migration = deployment_migration()
    with connection.schema_editor(atomic=False) as editor:
        migration["add_scope_index"](apps, editor)
    assert NAME not in indexes_of_users()
    with connection.schema_editor(atomic=False) as editor:
        migration["remove_scope_index"](apps, editor)
    assert NAME not in indexes_of_users()
