"""Signals around every write (drf_scim.signals)."""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.auth.models import User

from drf_scim.exceptions import Mutability
from drf_scim.models import SCIMEvent
from drf_scim.signals import operation_failed, post_operation, pre_operation

USERS = "/scim/v2/Users"


@contextmanager
def receiving(signal, receiver):
    signal.connect(receiver, dispatch_uid="test")
    try:
        yield
    finally:
        signal.disconnect(dispatch_uid="test")


def test_pre_and_post_carry_request_operation_resource_and_data(client):
    seen = []

    def receiver(signal, **kwargs):
        seen.append(
            (
                signal is pre_operation,
                kwargs["operation"],
                kwargs["resource_type"],
                kwargs["instance"],
                kwargs["data"],
                kwargs["resource_id"],
                kwargs["request"].method,
                kwargs.get("status"),
            )
        )

    with receiving(pre_operation, receiver), receiving(post_operation, receiver):
        created = client.post(USERS, {"userName": "bjensen"}).json()
        client.put(f"{USERS}/{created['id']}", {"userName": "bjensen", "title": "Dr"})
        client.delete(f"{USERS}/{created['id']}")
    user_id = created["id"]
    assert [
        (pre, op, rt, data, rid, method, status)
        for pre, op, rt, _, data, rid, method, status in seen
    ] == [
        (True, "create", "User", {"userName": "bjensen"}, "", "POST", None),
        (False, "create", "User", {"userName": "bjensen"}, user_id, "POST", 201),
        (True, "replace", "User", {"userName": "bjensen", "title": "Dr"}, user_id, "PUT", None),
        (False, "replace", "User", {"userName": "bjensen", "title": "Dr"}, user_id, "PUT", 200),
        (True, "delete", "User", None, user_id, "DELETE", None),
        (False, "delete", "User", None, user_id, "DELETE", 204),
    ]
    assert seen[0][3] is None
    assert all(isinstance(item[3], User) for item in seen[1:])


def test_a_receiver_that_raises_aborts_the_write_and_the_client_sees_the_error(client):
    def veto(**kwargs):
        raise Mutability("Accounts from this IdP are locked.")

    with receiving(post_operation, veto):
        response = client.post(USERS, {"userName": "bjensen"})
    assert response.status_code == 400
    assert response.json()["scimType"] == "mutability"
    assert not User.objects.exists()
    assert SCIMEvent.objects.get().status == 400


def test_operation_failed_is_sent_with_status_and_detail(client):
    seen = []
    with receiving(operation_failed, lambda **kw: seen.append(kw)):
        client.post(USERS, {"displayName": "no userName"})
    assert len(seen) == 1
    assert seen[0]["operation"] == "create"
    assert seen[0]["status"] == 400
    assert "userName" in seen[0]["detail"]
