"""The audit log: every SCIM write becomes a SCIMEvent, secrets scrubbed."""

from __future__ import annotations

import pytest
from django.test import override_settings

from drf_scim.audit import SCRUBBED, scrub
from drf_scim.constants import USER_SCHEMA
from drf_scim.models import SCIMEvent

USERS = "/scim/v2/Users"


def test_scrub_replaces_secrets_at_any_depth_and_any_case():
    data = {
        "Password": "x",
        "nested": [{"password": "y", "keep": "z"}],
        "urn:example:ext:User:password": "w",
        "nul": "a\x00b",
    }
    assert scrub(data) == {
        "Password": SCRUBBED,
        "nested": [{"password": SCRUBBED, "keep": "z"}],
        "urn:example:ext:User:password": SCRUBBED,
        "nul": "a\ufffdb",
    }


def test_each_write_is_recorded_with_token_status_and_scrubbed_payload(client, token):
    body = {"schemas": [USER_SCHEMA], "userName": "bjensen", "password": "t1meMa$heen"}
    created = client.post(USERS, body).json()
    client.put(f"{USERS}/{created['id']}", {"userName": "bjensen", "active": False})
    client.delete(f"{USERS}/{created['id']}")
    events = list(SCIMEvent.objects.order_by("timestamp", "pk"))
    assert [(e.operation, e.status, e.resource_id) for e in events] == [
        ("create", 201, created["id"]),
        ("replace", 200, created["id"]),
        ("delete", 204, created["id"]),
    ]
    assert all(e.token_id == token.pk and e.resource_type == "User" for e in events)
    assert events[0].payload["password"] == SCRUBBED
    assert "t1meMa$heen" not in str(list(SCIMEvent.objects.values()))
    assert events[2].payload is None


def test_failed_writes_are_recorded_after_the_rollback(client):
    client.post(USERS, {"userName": "bjensen"})
    response = client.post(USERS, {"userName": "BJENSEN", "password": "secret"})
    assert response.status_code == 409
    event = SCIMEvent.objects.get(status=409)
    assert event.operation == "create"
    assert event.detail == response.json()["detail"]
    assert event.payload == {"userName": "BJENSEN", "password": SCRUBBED}


def test_reads_and_unauthenticated_requests_are_not_recorded(client, anonymous_client):
    client.get(USERS)
    anonymous_client.post(USERS, {"userName": "x"})
    assert not SCIMEvent.objects.exists()


@override_settings(DRF_SCIM={"AUDIT_LOG": False})
def test_audit_log_can_be_switched_off(client):
    assert client.post(USERS, {"userName": "bjensen"}).status_code == 201
    assert not SCIMEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_failed_write_is_recorded_under_atomic_requests(token, settings):
    """SCIM views run their own transactions, so ATOMIC_REQUESTS cannot swallow the event."""
    from .conftest import SCIMClient

    settings.DATABASES["default"]["ATOMIC_REQUESTS"] = True
    try:
        client = SCIMClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
        client.post(USERS, {"userName": "bjensen"})
        assert client.post(USERS, {"userName": "bjensen"}).status_code == 409
        assert SCIMEvent.objects.filter(status=409).count() == 1
    finally:
        settings.DATABASES["default"]["ATOMIC_REQUESTS"] = False


def test_scrub_replaces_the_value_of_patch_operations_on_secrets():
    body = {
        "Operations": [
            {"op": "replace", "path": "password", "value": "s3cret"},
            {
                "op": "Replace",
                "Path": "urn:ietf:params:scim:schemas:core:2.0:User:password",
                "Value": "s3cret",
            },
            {"op": "replace", "path": "title", "value": "kept"},
        ]
    }
    assert scrub(body) == {
        "Operations": [
            {"op": "replace", "path": "password", "value": SCRUBBED},
            {
                "op": "Replace",
                "Path": "urn:ietf:params:scim:schemas:core:2.0:User:password",
                "Value": SCRUBBED,
            },
            {"op": "replace", "path": "title", "value": "kept"},
        ]
    }
