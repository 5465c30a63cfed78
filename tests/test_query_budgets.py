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


def post_user(client, name, emails=1, external_id=None):
    body = {
        "schemas": [USER_SCHEMA],
        "userName": name,
        **({"externalId": external_id} if external_id else {}),
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
def test_get_one_user_costs_2(warm, emails):
    """Budget 3: the token; the user with its record, value rows and groups (read-only:
    read in the same query, ``SCIMStorage.embedded_relations``)."""
    user = post_user(warm, "bjensen", emails)
    with statements(2):
        assert warm.get(f"{USERS}/{user['id']}").status_code == 200


def post_users(client, count):
    return [post_user(client, f"user{i}", external_id=f"ext{i}") for i in range(count)]


@pytest.mark.parametrize("size", [2, 12])
def test_a_full_list_page_costs_3(warm, size):
    """Budget 4 (RFC 7644 §3.4.2): the token; the first page with each user's value rows
    and groups (one row more than ``count`` read: it comes, so more users follow); the
    count for ``totalResults``."""
    post_users(warm, size + 1)
    with statements(3):
        body = warm.get(USERS, {"count": size}).json()
    assert (body["totalResults"], body["itemsPerPage"]) == (size + 1, size)


@pytest.mark.parametrize("users", [2, 12])
def test_a_list_on_one_page_costs_2(warm, users):
    """Budget 4 (RFC 7644 §3.4.2.4): the token; the first page with each user's value
    rows and groups. The page holds every user, so its size is ``totalResults``: no
    count."""
    post_users(warm, users)
    with statements(2):
        body = warm.get(USERS).json()
    assert body["totalResults"] == body["itemsPerPage"] == users


@pytest.mark.parametrize("users", [2, 12])
@pytest.mark.parametrize(
    "lookup",
    ['userName eq "user1"', 'externalId eq "ext1"', "id"],
    ids=["userName", "externalId", "id"],
)
def test_a_lookup_costs_2(warm, users, lookup):
    """Budget 4: Entra ID's and Okta's lookup before a write is a list request (RFC 7644
    §3.4.2.2): the token; the page with the user's value rows and groups. One match, no
    count."""
    ids = [user["id"] for user in post_users(warm, users)]
    if lookup == "id":
        lookup = f'id eq "{ids[1]}"'
    with statements(2):
        body = warm.get(USERS, {"filter": lookup}).json()
    assert body["totalResults"] == 1
    assert body["Resources"][0]["emails"][0]["value"] == "user10@example.com"


@pytest.mark.parametrize("size", [2, 12])
def test_a_deep_index_page_costs_3(warm, size):
    """Budget 4 (RFC 7644 §3.4.2.4): the token; the count; the page with each user's value
    rows and groups, its ``OFFSET`` in a subquery reading primary keys alone. On MariaDB
    (no ``LIMIT`` in an ``IN`` subquery) 5, not met: the page, past ``OFFSET`` rows, then
    its value rows and its groups in a query each, as each row the ``OFFSET`` skips would
    read its own (see the next test)."""
    post_users(warm, 2 * size + 1)
    with statements(3 if connection.features.allow_sliced_subqueries_with_in else 5):
        body = warm.get(USERS, {"startIndex": size + 1, "count": size}).json()
    assert (body["totalResults"], body["itemsPerPage"]) == (2 * size + 1, size)


@pytest.mark.parametrize("size", [2, 12])
def test_a_deep_index_page_without_a_sliced_subquery_costs_5(warm, monkeypatch, size):
    """MariaDB's path, on any database (RFC 7644 §3.4.2.4): the token; the count; the
    page, past ``OFFSET`` rows; its value rows, in a query of their own; its groups."""
    monkeypatch.setattr(connection.features, "allow_sliced_subqueries_with_in", False)
    users = post_users(warm, 2 * size + 1)
    with CaptureQueriesContext(connection) as captured, statements(5):
        body = warm.get(USERS, {"startIndex": size + 1, "count": size}).json()
    page = next(q["sql"] for q in captured.captured_queries if "OFFSET" in q["sql"])
    assert "JSON" not in page.upper()
    assert [r["id"] for r in body["Resources"]] == [u["id"] for u in users[size : 2 * size]]
    assert body["Resources"][0]["emails"][0]["value"] == f"user{size}0@example.com"


@pytest.mark.parametrize("size", [2, 12])
def test_a_cursor_page_costs_3(warm, size):
    """Budget 4 (RFC 7644 §3.4.2, RFC 9865 §2): the token; the count; the page from the
    cursor, a keyset with no ``OFFSET``, with each user's value rows and groups."""
    post_users(warm, 3 * size)
    first = warm.get(USERS, {"cursor": "", "count": size}).json()
    with statements(3):
        body = warm.get(USERS, {"cursor": first["nextCursor"], "count": size}).json()
    assert (body["totalResults"], body["itemsPerPage"]) == (3 * size, size)
    assert {"nextCursor", "previousCursor"} <= body.keys()


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
def test_post_bringing_back_a_deleted_user_costs_10(warm, settings, emails):
    """The rare create that finds a deleted user holding its userName (``DELETE_MODE``
    "deactivate", RFC 7644 §3.6): the token; the deleted record's keys; the user's row;
    the old record's value rows and the record deleted; the user updated; the new record
    and its value rows inserted; the audit event; the user's groups (its row existed, so
    it may be in some). The common create reads the record's keys alone."""
    settings.DRF_SCIM = {"DELETE_MODE": "deactivate"}
    old = post_user(warm, "bjensen", emails)
    assert warm.delete(f"{USERS}/{old['id']}").status_code == 204
    with statements(10):
        again = post_user(warm, "BJensen", emails)
    assert again["id"] != old["id"]


@pytest.mark.parametrize("emails", [1, 30])
def test_put_of_a_user_costs_4(warm, emails):
    """Budget 7: the token; the user locked and read with its record, value rows and
    groups; the record updated (no column of the user nor value row changed: no
    statement); the audit event."""
    user = post_user(warm, "bjensen", emails)
    body = {
        "schemas": [USER_SCHEMA],
        "userName": "bjensen",
        "title": "Guide",
        "emails": [{"value": f"bjensen{i}@example.com", "type": "work"} for i in range(emails)],
    }
    with statements(4):
        assert warm.put(f"{USERS}/{user['id']}", body).status_code == 200


@pytest.mark.parametrize("emails", [1, 30])
def test_patch_of_one_attribute_costs_5(warm, emails):
    """Budget 7: the token; the user locked and read with its groups; ``is_active`` and
    the record updated; the audit event."""
    user = post_user(warm, "bjensen", emails)
    body = patch_body({"op": "replace", "path": "active", "value": False})
    with statements(5):
        assert warm.patch(f"{USERS}/{user['id']}", body).status_code == 200


ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#: PATCH operations on every kind of storage: columns, the record, value rows.
EVERY_KIND = [
    {"op": "replace", "path": "active", "value": False},
    {"op": "replace", "path": "name.givenName", "value": "Barbara"},
    {"op": "replace", "path": "title", "value": "Tour Guide"},
    {"op": "add", "path": "nickName", "value": "Babs"},
    {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Tours"},
    {"op": "add", "path": "phoneNumbers", "value": [{"value": "+1 555 0100", "type": "work"}]},
    {
        "op": "replace",
        "path": 'emails[value eq "bjensen0@example.com"].value',
        "value": "b@example.com",
    },
    {"op": "remove", "path": 'emails[value eq "bjensen1@example.com"]'},
]


@pytest.mark.parametrize("changed", [1, 4, len(EVERY_KIND)])
def test_patch_changing_every_kind_of_attribute_costs_at_most_7(warm, changed):
    """Budget 7, whatever the number of attributes changed: the token; the user locked and
    read with its record, value rows and groups; one ``UPDATE`` of the user's columns and
    one of its record; the value rows changed (one ``DELETE``, one ``INSERT``); the audit
    event. One attribute: 5; columns and record attributes: 5; value rows too: 7."""
    user = post_user(warm, "bjensen", 2)
    expected = {1: 5, 4: 5, len(EVERY_KIND): 7}[changed]
    with statements(expected):
        response = warm.patch(f"{USERS}/{user['id']}", patch_body(*EVERY_KIND[:changed]))
    assert response.status_code == 200, response.content
    if changed == len(EVERY_KIND):
        body = response.json()
        assert [e["value"] for e in body["emails"]] == ["b@example.com"]
        assert body[ENTERPRISE]["department"] == "Tours"


def test_put_changing_every_kind_of_attribute_costs_7(warm):
    """Budget 7: the token; the user locked and read with its record, value rows and
    groups; its columns and record updated; its value rows replaced (one ``DELETE``, one
    ``INSERT``); the audit event."""
    user = post_user(warm, "bjensen", 2)
    body = {
        "schemas": [USER_SCHEMA],
        "userName": "bjensen",
        "name": {"givenName": "Barbara"},
        "title": "Guide",
        "emails": [{"value": "new@example.com", "type": "work"}],
        "phoneNumbers": [{"value": "+1 555 0100"}],
    }
    with statements(7):
        response = warm.put(f"{USERS}/{user['id']}", body)
    assert response.status_code == 200, response.content
    assert [e["value"] for e in response.json()["emails"]] == ["new@example.com"]


def group_and_newcomer(client, members):
    """A group of ``members`` users, its URL and a PATCH adding one more user to it."""
    ids = [post_user(client, f"user{i}")["id"] for i in range(members + 1)]
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Tour Guides",
        "members": [{"value": i} for i in ids[:-1]],
    }
    group = client.post(GROUPS, body).json()
    add = patch_body({"op": "add", "path": "members", "value": [{"value": ids[-1]}]})
    return f"{GROUPS}/{group['id']}", add


@pytest.mark.parametrize("members", [2, 20])
def test_group_patch_adding_a_member_costs_7(warm, members):
    """Budget 8: the token; the group locked and read; its record updated; the member
    resolved; the through row inserted; the member's record given a new version (its
    ``groups`` changed); the audit event. A group PATCH answers 204 (``PATCH_RESPONSE``,
    RFC 7644 §3.5.2): no member is read back."""
    url, add = group_and_newcomer(warm, members)
    with statements(7):
        assert warm.patch(url, add).status_code == 204


@pytest.mark.parametrize("members", [2, 20])
def test_group_patch_answering_the_group_costs_8(warm, members):
    """Asked for the group (``attributes``, RFC 7644 §3.5.2), the answer reads its members:
    one statement more, whatever their number."""
    url, add = group_and_newcomer(warm, members)
    with statements(8):
        response = warm.patch(f"{url}?attributes=members", add)
    assert response.status_code == 200
    assert len(response.json()["members"]) == members + 1


@pytest.mark.parametrize("groups", [1, 5])
@pytest.mark.parametrize("mode", ["deactivate", "delete"])
def test_delete_of_a_user_costs_the_same_whatever_its_groups(warm, settings, mode, groups):
    """RFC 7644 §3.6. Both modes: the token; the user locked and read; its groups' versions
    (one ``UPDATE``, §3.14); the audit event. "deactivate" (6): ``is_active`` written and
    the record marked deleted. "delete" (13): Django's deletion of the row and of what
    cascades from it (the record, its value rows, memberships, permissions, the admin log,
    a bound token and the test project's devices). The same at 1 and 5 groups."""
    settings.DRF_SCIM = {"DELETE_MODE": mode}
    user = post_user(warm, "bjensen")
    for n in range(groups):
        group = warm.post(
            GROUPS,
            {"schemas": [GROUP_SCHEMA], "displayName": f"g{n}", "members": [{"value": user["id"]}]},
        )
        assert group.status_code == 201, group.content
    with statements({"deactivate": 6, "delete": 13}[mode]):
        assert warm.delete(f"{USERS}/{user['id']}").status_code == 204
