"""The audit log API (drf_scim.audit_api): staff-only, filtered, newest first, by cursor."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from drf_scim.audit import SCRUBBED
from drf_scim.constants import USER_SCHEMA
from drf_scim.models import SCIMEvent, SCIMToken

pytestmark = pytest.mark.urls("tests.urls_audit")

EVENTS = "/api/audit/events/"
BEARER_EVENTS = "/api/audit-bearer/events/"
T0 = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture
def staff_client(db):
    client = APIClient()
    client.force_login(User.objects.create_user("ops", is_staff=True))
    return client


@pytest.fixture
def events(token):
    """Five events, a minute apart; ``E[0]`` the oldest."""
    other, _ = SCIMToken.generate("Entra ID")
    rows = [
        ("create", "User", "u1", 201, token),
        ("patch", "User", "u1", 200, token),
        ("create", "Group", "g1", 409, other),
        ("delete", "User", "u2", 404, token),
        ("replace", "Group", "g1", 200, None),
    ]
    return [
        SCIMEvent.objects.create(
            timestamp=T0 + datetime.timedelta(minutes=n),
            operation=operation,
            resource_type=resource_type,
            resource_id=resource_id,
            status=status,
            token=event_token,
        )
        for n, (operation, resource_type, resource_id, status, event_token) in enumerate(rows)
    ]


def ids(response):
    assert response.status_code == 200, response.content
    return [event["id"] for event in response.json()["results"]]


def newest_first(events, *indexes):
    return [events[i].pk for i in sorted(indexes, reverse=True)]


# -- permissions -------------------------------------------------------------------------


def test_anonymous_is_refused(db):
    response = APIClient().get(EVENTS)
    assert response.status_code == 403  # DRF's default authentication: session first


def test_a_scim_token_is_refused(events, token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    assert client.get(EVENTS).status_code == 403
    assert client.get(f"{EVENTS}{events[0].pk}/").status_code == 403


def test_a_scim_token_is_refused_where_the_project_accepts_bearer_tokens(events, token):
    """The token authenticates (an identity provider), but is not staff."""
    client = APIClient()
    assert client.get(BEARER_EVENTS).status_code == 401
    assert client.get(BEARER_EVENTS)["WWW-Authenticate"] == 'Bearer realm="SCIM"'
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    assert client.get(BEARER_EVENTS).status_code == 403


def test_non_staff_user_is_refused(db):
    client = APIClient()
    client.force_login(User.objects.create_user("someone"))
    assert client.get(EVENTS).status_code == 403


def test_staff_user_reads_the_log(staff_client, events):
    response = staff_client.get(EVENTS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert ids(response) == newest_first(events, 0, 1, 2, 3, 4)


def test_read_only(staff_client, events):
    assert staff_client.post(EVENTS, {}, format="json").status_code == 405
    assert staff_client.delete(f"{EVENTS}{events[0].pk}/").status_code == 405
    assert SCIMEvent.objects.count() == 5


# -- what an event shows -----------------------------------------------------------------


def test_an_event_shows_its_token_by_name_and_prefix_never_its_secret(staff_client, events, token):
    response = staff_client.get(f"{EVENTS}{events[0].pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": events[0].pk,
        "timestamp": "2026-12-01T12:00:00Z",
        "operation": "create",
        "resource_type": "User",
        "resource_id": "u1",
        "status": 201,
        "token": {"id": token.pk, "name": "test IdP", "prefix": token.prefix},
        "payload": None,
        "detail": "",
    }
    listed = staff_client.get(EVENTS).content.decode()
    for secret in (token.key, token.key_digest):
        assert secret not in listed
        assert secret not in response.content.decode()
    assert staff_client.get(f"{EVENTS}{events[4].pk}/").json()["token"] is None


def test_payloads_stay_scrubbed(client, staff_client):
    """A SCIM write's event, read through the API: the password is not there."""
    body = {"schemas": [USER_SCHEMA], "userName": "bjensen", "password": "t1meMa$heen"}
    assert client.post("/scim/v2/Users", body).status_code == 201

    response = staff_client.get(EVENTS)
    [event] = response.json()["results"]
    assert event["payload"]["password"] == SCRUBBED
    assert "t1meMa$heen" not in response.content.decode()


# -- filters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"operation": "create"}, [0, 2]),
        ({"resource_type": "Group"}, [2, 4]),
        ({"resource_id": "u1"}, [0, 1]),
        ({"status": 200}, [1, 4]),
        ({"status__gte": 400}, [2, 3]),
        ({"status__lte": 201}, [0, 1, 4]),
        ({"status__gte": 201, "status__lte": 404}, [0, 3]),
        ({"failed": "true"}, [2, 3]),
        ({"failed": "false"}, [0, 1, 4]),
        ({"failed": "1"}, [2, 3]),
        ({"timestamp_after": "2026-12-01T12:03:00Z"}, [3, 4]),
        ({"timestamp_before": "2026-12-01T12:01:00Z"}, [0, 1]),
        (
            {
                "timestamp_after": "2026-12-01T13:01:00+01:00",
                "timestamp_before": "2026-12-01T12:02Z",
            },
            [1, 2],
        ),
        ({"timestamp_after": "2026-12-01", "timestamp_before": "2026-12-01T12:01"}, [0, 1]),
        ({"timestamp_before": "2026-12-01"}, []),
        ({"resource_type": "User", "failed": "true"}, [3]),
    ],
)
def test_filters(staff_client, events, query, expected):
    assert ids(staff_client.get(EVENTS, query)) == newest_first(events, *expected)


def test_filter_by_token_and_token_prefix(staff_client, events, token):
    assert ids(staff_client.get(EVENTS, {"token": token.pk})) == newest_first(events, 0, 1, 3)
    other = events[2].token
    assert ids(staff_client.get(EVENTS, {"token_prefix": other.prefix})) == [events[2].pk]


@pytest.mark.parametrize(
    "query",
    [
        {"operation": "rename"},
        {"status": "ok"},
        {"status__gte": "4xx"},
        {"failed": "maybe"},
        {"failed": "yes"},
        {"timestamp_after": "yesterday"},
        {"timestamp_before": "12:02"},
        {"token": "Okta"},
        {"token": "1.5"},
        {"status": "2e2"},
    ],
)
def test_invalid_filter_values_answer_400_naming_the_filter(staff_client, events, query):
    response = staff_client.get(EVENTS, query)
    assert response.status_code == 400
    assert list(response.json()) == list(query)


# -- ordering and pagination -------------------------------------------------------------


def test_newest_first_and_same_instant_by_id(staff_client, events):
    tie = SCIMEvent.objects.create(
        timestamp=events[4].timestamp, operation="create", resource_type="User", status=201
    )
    assert ids(staff_client.get(EVENTS))[:2] == [tie.pk, events[4].pk]


def test_cursor_pages_cover_the_log_once_while_events_are_appended(staff_client, events):
    """An append-only log read by cursor: new events do not shift the pages being read."""
    seen = []
    url = f"{EVENTS}?page_size=2"
    pages = 0
    while url:
        body = staff_client.get(url).json()
        seen += [event["id"] for event in body["results"]]
        assert len(body["results"]) <= 2
        SCIMEvent.objects.create(operation="create", resource_type="User", status=201)
        url = body["next"] and urlsplit(body["next"])._replace(scheme="", netloc="").geturl()
        pages += 1
    assert pages == 3
    assert seen == newest_first(events, 0, 1, 2, 3, 4)


def test_page_size_is_capped(staff_client, events, monkeypatch):
    from drf_scim.audit_api import SCIMEventPagination

    monkeypatch.setattr(SCIMEventPagination, "max_page_size", 3)
    assert len(ids(staff_client.get(EVENTS, {"page_size": 1000}))) == 3


def test_bad_cursor_answers_404_not_500(staff_client, events):
    assert staff_client.get(EVENTS, {"cursor": "not-a-cursor"}).status_code == 404


# -- cost --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 40])
def test_a_page_costs_one_query_whatever_its_size(db, count, django_assert_num_queries):
    tokens = [SCIMToken.generate(f"IdP {n}")[0] for n in range(3)]
    SCIMEvent.objects.bulk_create(
        SCIMEvent(operation="create", resource_type="User", status=201, token=tokens[n % 3])
        for n in range(count)
    )
    client = APIClient()
    client.force_authenticate(User.objects.create_user("ops", is_staff=True))
    with django_assert_num_queries(1):
        response = client.get(EVENTS, {"failed": "false"})
    assert len(response.json()["results"]) == count
