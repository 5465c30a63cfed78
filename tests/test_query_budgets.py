"""What each request costs in SQL statements, as a production request counts them.

Each budget counts every statement of the request (the token lookup and the audit event
included), but not the ``SAVEPOINT``/``RELEASE`` pair that a write's transaction becomes
inside a test's own transaction: in production it is ``BEGIN``/``COMMIT``, which the
database driver sends without a query. ``bench/harness.py`` counts the same statements
over HTTP. Each count stays the same whatever the size of the page, of the resource's
lists and of the group (RFC 7644 §3.4.2.4, §3.5.2): a test of each runs at two sizes.

Budgets the performance work has not met yet are pinned at what they cost today, with
the budget beside them, so that a regression fails and an improvement shows.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drf_scim.constants import GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
_TRANSACTION = re.compile(r"(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)


@contextmanager
def statements(expected):
    """Assert that the block runs ``expected`` statements, savepoints left out."""
    with CaptureQueriesContext(connection) as captured:
        yield
    sql = [q["sql"] for q in captured.captured_queries if not _TRANSACTION.match(q["sql"])]
    assert len(sql) == expected, "\n\n".join(sql)


def post_user(client, name, emails=1):
    body = {
        "schemas": [USER_SCHEMA],
        "userName": name,
        "emails": [{"value": f"{name}{i}@example.com", "type": "work"} for i in range(emails)],
    }
    response = client.post(USERS, body)
    assert response.status_code == 201, response.content
    return response.json()


def patch_body(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


@pytest.fixture
def warm(client):
    """The token's ``last_used`` is written once a while, not during a measurement."""
    client.get(USERS)
    return client


@pytest.mark.parametrize("emails", [1, 30])
def test_get_one_user_costs_3(warm, emails):
    """Budget 3: the token; the user with its record and value rows; its groups."""
    user = post_user(warm, "bjensen", emails)
    with statements(3):
        assert warm.get(f"{USERS}/{user['id']}").status_code == 200


@pytest.mark.parametrize("users", [2, 12])
def test_a_list_page_costs_5(warm, users):
    """Budget 4, not met: the token, the count, the page, its value rows, its groups. The
    value rows cannot join the page's query while index pages use ``OFFSET`` (each
    skipped row would read its values)."""
    for i in range(users):
        post_user(warm, f"user{i}")
    with statements(5):
        assert warm.get(USERS, {"count": 10}).status_code == 200


@pytest.mark.parametrize("users", [2, 12])
def test_a_user_name_lookup_costs_the_same_as_a_page(warm, users):
    """Entra ID's lookup before each write is a list request (RFC 7644 §3.4.2.2)."""
    for i in range(users):
        post_user(warm, f"user{i}")
    with statements(5):
        assert warm.get(USERS, {"filter": 'userName eq "user1"'}).status_code == 200


@pytest.mark.parametrize("emails", [1, 30])
def test_post_of_a_user_costs_6(warm, emails):
    """Budget 6: the token; the deleted resource a POST may bring back; the user, record
    and value rows inserted; the audit event. The response is the user as created (RFC
    7644 §3.3), groups included, but a user whose row the request inserted is in no group
    unless a statement of the request named the membership table (a host's receiver: see
    tests/test_groups.py), so none is read."""
    with statements(6):
        post_user(warm, "bjensen", emails)


@pytest.mark.parametrize("emails", [1, 30])
def test_put_of_a_user_costs_5(warm, emails):
    """Budget 7: the token; the user locked and read with its record and value rows; the
    record updated (no column of the user nor value row changed: no statement); the
    audit event; the groups of the response."""
    user = post_user(warm, "bjensen", emails)
    body = {
        "schemas": [USER_SCHEMA],
        "userName": "bjensen",
        "title": "Guide",
        "emails": [{"value": f"bjensen{i}@example.com", "type": "work"} for i in range(emails)],
    }
    with statements(5):
        assert warm.put(f"{USERS}/{user['id']}", body).status_code == 200


@pytest.mark.parametrize("emails", [1, 30])
def test_patch_of_one_attribute_costs_6(warm, emails):
    """Budget 7: the token; the user locked and read; ``is_active`` and the record
    updated; the audit event; the groups of the response."""
    user = post_user(warm, "bjensen", emails)
    body = patch_body({"op": "replace", "path": "active", "value": False})
    with statements(6):
        assert warm.patch(f"{USERS}/{user['id']}", body).status_code == 200


@pytest.mark.parametrize("members", [2, 20])
def test_group_patch_adding_a_member_costs_7(warm, members):
    """Budget 8: the token; the group locked and read; the member resolved; the through
    rows read and the new one inserted; the record updated; the audit event. A group
    PATCH answers 204 (``PATCH_RESPONSE``, RFC 7644 §3.5.2): no member is read back."""
    ids = [post_user(warm, f"user{i}")["id"] for i in range(members + 1)]
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Tour Guides",
        "members": [{"value": i} for i in ids[:-1]],
    }
    group = warm.post(GROUPS, body).json()
    add = patch_body({"op": "add", "path": "members", "value": [{"value": ids[-1]}]})
    with statements(7):
        assert warm.patch(f"{GROUPS}/{group['id']}", add).status_code == 204


@pytest.mark.parametrize("members", [2, 20])
def test_group_patch_answering_the_group_costs_8(warm, members):
    """Asked for the group (``attributes``, RFC 7644 §3.5.2), the answer reads its members:
    one statement more, whatever their number."""
    ids = [post_user(warm, f"user{i}")["id"] for i in range(members + 1)]
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Tour Guides",
        "members": [{"value": i} for i in ids[:-1]],
    }
    group = warm.post(GROUPS, body).json()
    add = patch_body({"op": "add", "path": "members", "value": [{"value": ids[-1]}]})
    with statements(8):
        response = warm.patch(f"{GROUPS}/{group['id']}?attributes=members", add)
    assert response.status_code == 200
    assert len(response.json()["members"]) == members + 1
