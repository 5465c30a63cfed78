"""Viewset hooks for business logic: on_deactivate runs however a user stops being active."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import include, path

from drf_scim.exceptions import Mutability
from drf_scim.routers import SCIMRouter
from drf_scim.viewsets import GroupViewSet, UserViewSet

DEACTIVATED = []


class RecordingUserViewSet(UserViewSet):
    def on_deactivate(self, instance):
        DEACTIVATED.append(instance.username)
        if instance.username == "protected":
            raise Mutability("This account cannot be deactivated from the IdP.")


router = SCIMRouter(resources=[RecordingUserViewSet, GroupViewSet])
urlpatterns = [path("scim/v2/", include(router.urls))]

pytestmark = pytest.mark.urls(__name__)
USERS = "/scim/v2/Users"


@pytest.fixture(autouse=True)
def _reset():
    DEACTIVATED.clear()


def create(client, name):
    return client.post(USERS, {"userName": name}).json()["meta"]["location"]


def test_put_active_false_calls_on_deactivate_once(client):
    url = create(client, "ann")
    client.put(url, {"userName": "ann", "active": False})
    client.put(url, {"userName": "ann", "active": False, "title": "still inactive"})
    assert DEACTIVATED == ["ann"]


def test_patch_active_false_calls_on_deactivate(client):
    """Okta's deactivation: a path-less replace of active."""
    url = create(client, "bob")
    client.patch(url, {"Operations": [{"op": "replace", "value": {"active": False}}]})
    assert DEACTIVATED == ["bob"]


@override_settings(DRF_SCIM={"DELETE_MODE": "deactivate"})
def test_delete_in_deactivate_mode_calls_on_deactivate(client):
    url = create(client, "cy")
    client.delete(url)
    assert DEACTIVATED == ["cy"]


def test_a_hook_that_raises_refuses_the_write(client):
    url = create(client, "protected")
    response = client.patch(
        url, {"Operations": [{"op": "replace", "path": "active", "value": False}]}
    )
    assert response.status_code == 400
    assert response.json()["scimType"] == "mutability"
    assert User.objects.get(username="protected").is_active


@override_settings(DRF_SCIM={"DELETE_MODE": "delete"})
def test_other_writes_do_not_call_it(client):
    url = create(client, "dee")
    client.put(url, {"userName": "dee", "title": "x"})
    client.delete(url)
    assert DEACTIVATED == []
