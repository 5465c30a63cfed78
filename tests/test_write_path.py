"""One write path (issue 9): every SCIM write goes through the viewset's DRF hooks.

PUT and PATCH both end in ``perform_update()``; ``delete_mode`` is per viewset, and a Group
deleted in "deactivate" mode keeps no members (RFC 7644 §3.6: the resource is gone).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import override_settings
from django.urls import include, path

from drf_scim.routers import SCIMRouter
from drf_scim.viewsets import GroupViewSet, UserViewSet

pytestmark = pytest.mark.urls(__name__)

UPDATED = []


class AuditedUserViewSet(UserViewSet):
    """A project's viewset adding to what an update does, as docs/signals.md suggests."""

    def perform_update(self, serializer):
        super().perform_update(serializer)
        UPDATED.append((self.request.method, serializer.instance.username))


class DeactivatingGroupViewSet(GroupViewSet):
    delete_mode = "deactivate"


router = SCIMRouter(resources=[AuditedUserViewSet, DeactivatingGroupViewSet])
urlpatterns = [path("hooked/", include(router.urls))]


@pytest.fixture
def updated():
    UPDATED.clear()
    yield UPDATED
    UPDATED.clear()


def test_rfc7644_3_5_1_put_runs_perform_update(client, updated):
    url = client.post("/hooked/Users", {"userName": "eve"}).json()["meta"]["location"]
    response = client.put(url, {"userName": "eve", "title": "Dr"})
    assert response.status_code == 200
    assert updated == [("PUT", "eve")]


def test_rfc7644_3_5_2_patch_runs_perform_update(client, updated):
    """Okta and Entra ID update and deactivate with PATCH: overrides must see it."""
    url = client.post("/hooked/Users", {"userName": "fay"}).json()["meta"]["location"]
    body = {"Operations": [{"op": "replace", "value": {"active": False}}]}
    response = client.patch(url, body)
    assert response.status_code == 200
    assert updated == [("PATCH", "fay")]
    assert User.objects.get(username="fay").is_active is False


def test_rfc7644_3_5_2_a_failed_patch_does_not_reach_perform_update(client, updated):
    url = client.post("/hooked/Users", {"userName": "gus"}).json()["meta"]["location"]
    response = client.patch(url, {"Operations": [{"op": "replace", "path": "nope", "value": 1}]})
    assert response.status_code == 400
    assert updated == []


@override_settings(DRF_SCIM={"DELETE_MODE": "delete"})
def test_rfc7644_3_6_delete_mode_is_per_viewset(client):
    """``delete_mode`` on one viewset; the setting (here "delete") rules the others."""
    group = client.post("/hooked/Groups", {"displayName": "Ops"}).json()
    assert client.delete(f"/hooked/Groups/{group['id']}").status_code == 204
    assert Group.objects.filter(name="Ops").exists()  # kept, but gone for SCIM
    assert client.get(f"/hooked/Groups/{group['id']}").status_code == 404

    user = client.post("/hooked/Users", {"userName": "hal"}).json()
    assert client.delete(f"/hooked/Users/{user['id']}").status_code == 204
    assert not User.objects.filter(username="hal").exists()


@override_settings(DRF_SCIM={"PERMISSION_GROUPS_IN_SCOPE": True})  # a group with permissions
def test_rfc7644_3_6_a_deactivated_group_keeps_no_members_or_their_permissions(client):
    """A deleted Group is gone for SCIM: no member may keep the permissions it carries."""
    permission = Permission.objects.get(codename="change_user")
    alice = client.post("/hooked/Users", {"userName": "alice"}).json()
    group = client.post(
        "/hooked/Groups", {"displayName": "Admins", "members": [{"value": alice["id"]}]}
    ).json()
    Group.objects.get(name="Admins").permissions.add(permission)
    assert User.objects.get(username="alice").has_perm("auth.change_user")

    assert client.delete(f"/hooked/Groups/{group['id']}").status_code == 204

    assert not User.groups.through.objects.exists()
    assert not User.objects.get(username="alice").has_perm("auth.change_user")
    # The group is gone for SCIM, and so is it from the user's groups.
    assert "groups" not in client.get(f"/hooked/Users/{alice['id']}").json()


def test_rfc7644_3_6_a_deactivated_group_created_again_comes_back_empty(client):
    alice = client.post("/hooked/Users", {"userName": "ann2"}).json()
    group = client.post(
        "/hooked/Groups", {"displayName": "Ops", "members": [{"value": alice["id"]}]}
    ).json()
    client.delete(f"/hooked/Groups/{group['id']}")
    again = client.post("/hooked/Groups", {"displayName": "ops"})
    assert again.status_code == 201, again.content
    assert again.json()["id"] != group["id"]
    assert "members" not in again.json()
    assert Group.objects.count() == 1
