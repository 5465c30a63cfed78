"""The request limits that bound the work of one write: ``MAX_MULTI_VALUES`` and
``PATCH_MAX_OPERATIONS`` (docs/settings.md, docs/security.md).

RFC 7644 §3.12 lets a service provider refuse what it is unwilling to process:
``invalidValue`` for a value "not compatible with ... resource schema" (here, more values
than the provider keeps) and, as §3.7.4 answers a /Bulk request over its limits, ``413``
with ``tooMany``. Each refusal changes nothing (RFC 7644 §3.5.2: a PATCH is atomic).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from drf_scim.constants import GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.models import UserRecord, UserValue

from .conftest import assert_error

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
LIMITS = {"MAX_MULTI_VALUES": 4, "PATCH_MAX_OPERATIONS": 3}


def emails(count, start=0):
    return [{"value": f"u{i}@example.com", "type": "work"} for i in range(start, start + count)]


def phones(count):
    return [{"value": f"+1 555 010{i}", "type": "work"} for i in range(count)]


def user_body(**attributes):
    return {"schemas": [USER_SCHEMA], "userName": "bjensen", **attributes}


def patch_body(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def add_emails(count, start=0):
    return {"op": "add", "path": "emails", "value": emails(count, start)}


def state():
    """Every row a write on users may touch."""
    return (
        list(User.objects.order_by("pk").values()),
        list(UserRecord.objects.order_by("pk").values()),
        list(UserValue.objects.order_by("pk").values()),
    )


@pytest.fixture
def limited():
    with override_settings(DRF_SCIM=LIMITS):
        yield


@pytest.fixture
def bjensen(client, limited):
    """A user with two e-mails and one phone number: 3 values of the 4 allowed."""
    response = client.post(USERS, user_body(emails=emails(2), phoneNumbers=phones(1)))
    assert response.status_code == 201, response.content
    return response.json()


# -- MAX_MULTI_VALUES ---------------------------------------------------------------------------


def test_rfc7644_3_3_post_at_the_limit_is_created(client, limited):
    response = client.post(USERS, user_body(emails=emails(2), phoneNumbers=phones(2)))

    assert response.status_code == 201, response.content
    assert len(response.json()["emails"]) + len(response.json()["phoneNumbers"]) == 4


@pytest.mark.parametrize(
    "attributes",
    [
        {"emails": emails(5)},
        {"emails": emails(3), "phoneNumbers": phones(2)},  # counted together
        {"Emails": emails(5)},  # a name in any case (RFC 7643 §2.1)
    ],
)
def test_rfc7644_3_12_post_over_the_limit_is_invalid_value(client, limited, attributes):
    before = state()

    response = client.post(USERS, user_body(**attributes))

    detail = assert_error(response, 400, "invalidValue")["detail"]
    assert "5 values" in detail
    assert "more than the 4" in detail
    assert state() == before


def test_rfc7644_3_5_1_put_over_the_limit_changes_nothing(client, bjensen):
    before = state()

    response = client.put(f"{USERS}/{bjensen['id']}", user_body(emails=emails(5)))

    assert_error(response, 400, "invalidValue")
    assert state() == before


@pytest.mark.parametrize(
    "operations",
    [
        [add_emails(2, start=10)],  # one add: 3 + 2 values
        [add_emails(1, start=10), add_emails(1, start=11)],  # two adds, the second over
        [{"op": "add", "value": {"emails": emails(2, start=10)}}],  # path-less (§3.5.2.1)
        [{"op": "replace", "path": "phoneNumbers", "value": phones(3)}],  # 2 + 3
        [add_emails(5, start=10)],  # a list longer than the limit by itself
    ],
)
def test_rfc7644_3_5_2_patch_over_the_limit_changes_nothing(client, bjensen, operations):
    before = state()

    response = client.patch(f"{USERS}/{bjensen['id']}", patch_body(*operations))

    assert "more than the 4" in assert_error(response, 400, "invalidValue")["detail"]
    assert state() == before


def test_rfc7644_3_5_2_1_patch_up_to_the_limit_is_applied(client, bjensen):
    response = client.patch(f"{USERS}/{bjensen['id']}", patch_body(add_emails(1, start=10)))

    assert response.status_code == 200, response.content
    assert len(response.json()["emails"]) == 3


def test_rfc7644_3_5_2_1_adding_known_values_does_not_count_twice(client, bjensen):
    """An add of values the resource has changes nothing (§3.5.2.1), so it fits."""
    response = client.patch(f"{USERS}/{bjensen['id']}", patch_body(add_emails(2)))

    assert response.status_code == 200, response.content
    assert len(response.json()["emails"]) == 2


def test_rfc7644_3_5_2_a_filtered_add_that_creates_a_value_is_counted(client, bjensen):
    """``add emails[type eq "home"].value`` makes a new value when none matches."""
    client.patch(f"{USERS}/{bjensen['id']}", patch_body(add_emails(1, start=10)))
    before = state()
    operation = {"op": "add", "path": 'emails[type eq "home"].value', "value": "h@example.com"}

    response = client.patch(f"{USERS}/{bjensen['id']}", patch_body(operation))

    assert "5 values" in assert_error(response, 400, "invalidValue")["detail"]
    assert state() == before


def test_a_resource_stored_over_a_lowered_limit_can_still_change(client, bjensen):
    """Lowering the limit refuses growth, not every other change of the resource."""
    url = f"{USERS}/{bjensen['id']}"
    with override_settings(DRF_SCIM={"MAX_MULTI_VALUES": 1}):
        deactivate = client.patch(
            url, patch_body({"op": "replace", "path": "active", "value": False})
        )
        grow = client.patch(url, patch_body(add_emails(1, start=10)))
        shrink = client.patch(url, patch_body({"op": "remove", "path": "phoneNumbers"}))

    assert deactivate.status_code == 200, deactivate.content
    assert_error(grow, 400, "invalidValue")
    assert shrink.status_code == 200, shrink.content
    assert len(shrink.json()["emails"]) == 2


def test_rfc7643_4_2_group_members_are_not_limited(client, limited):
    """Relations are not values of the resource: a group holds any number of members."""
    ids = [client.post(USERS, user_body(userName=f"user{i}")).json()["id"] for i in range(7)]
    created = client.post(
        GROUPS,
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Tour Guides",
            "members": [{"value": i} for i in ids[:5]],
        },
    )
    assert created.status_code == 201, created.content
    add = {"op": "add", "path": "members", "value": [{"value": i} for i in ids[5:]]}

    response = client.patch(f"{GROUPS}/{created.json()['id']}", patch_body(add))

    assert response.status_code == 204, response.content
    assert Group.objects.get(name="Tour Guides").user_set.count() == 7


def test_no_limit_when_max_multi_values_is_none(client):
    with override_settings(DRF_SCIM={"MAX_MULTI_VALUES": None}):
        response = client.post(USERS, user_body(emails=emails(1001)))

    assert response.status_code == 201, response.content
    assert len(response.json()["emails"]) == 1001


def test_the_default_limit_is_1000_values(client):
    over = client.post(USERS, user_body(emails=emails(1001)))
    at = client.post(USERS, user_body(emails=emails(1000)))

    assert_error(over, 400, "invalidValue")
    assert at.status_code == 201, at.content


# -- PATCH_MAX_OPERATIONS -----------------------------------------------------------------------


def test_rfc7644_3_5_2_patch_at_the_operation_limit_is_applied(client, bjensen):
    operations = [{"op": "replace", "path": "title", "value": f"t{i}"} for i in range(3)]

    response = client.patch(f"{USERS}/{bjensen['id']}", patch_body(*operations))

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "t2"


@pytest.mark.parametrize("key", ["Operations", "operations"])
def test_rfc7644_3_7_4_more_operations_than_the_limit_is_413_too_many(client, bjensen, key):
    """Counted on the body as sent, before any operation is read or the user loaded."""
    operations = [{"op": "replace", "path": "title", "value": f"t{i}"} for i in range(4)]
    before = state()

    with CaptureQueriesContext(connection) as captured:
        response = client.patch(
            f"{USERS}/{bjensen['id']}", {"schemas": [PATCH_OP_SCHEMA], key: operations}
        )

    detail = assert_error(response, 413, "tooMany")["detail"]
    assert "4 operations" in detail
    assert "at most 3" in detail
    assert state() == before
    user_table = User._meta.db_table
    assert not [q for q in captured.captured_queries if user_table in q["sql"]]
