"""Admin pages: SCIM tokens (create, revoke) and the audit log (read-only)."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib.messages import WARNING
from django.urls import reverse

from drf_scim.models import SCIMEvent, SCIMToken

pytestmark = pytest.mark.urls("tests.admin_urls")

KEY = re.compile(r"scim_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def event(token):
    return SCIMEvent.objects.create(
        operation=SCIMEvent.Operation.CREATE,
        resource_type="User",
        resource_id="2819c223-7f76-453a-919d-413861904646",
        status=201,
        token=token,
        payload={"userName": "bjensen", "password": "[scrubbed]"},
    )


def _bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# -- pages render ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "admin:drf_scim_scimtoken_changelist",
        "admin:drf_scim_scimtoken_add",
        "admin:drf_scim_scimevent_changelist",
        "admin:app_list",
    ],
)
def test_admin_pages_render(admin_client, token, event, name):
    kwargs = {"app_label": "drf_scim"} if name == "admin:app_list" else {}

    response = admin_client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200


def test_token_changelist_lists_tokens_without_their_keys(admin_client, token):
    response = admin_client.get(reverse("admin:drf_scim_scimtoken_changelist"))

    content = response.content.decode()
    assert token.name in content
    assert token.prefix in content
    assert token.key not in content


def test_token_change_page_renders_without_the_key(admin_client, token):
    response = admin_client.get(reverse("admin:drf_scim_scimtoken_change", args=[token.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert token.prefix in content
    assert token.key not in content
    assert token.key_digest not in content


def test_event_changelist_and_detail_render(admin_client, event):
    listing = admin_client.get(reverse("admin:drf_scim_scimevent_changelist"))
    detail = admin_client.get(reverse("admin:drf_scim_scimevent_change", args=[event.pk]))

    assert listing.status_code == 200
    assert event.resource_id in listing.content.decode()
    assert detail.status_code == 200
    assert "bjensen" in detail.content.decode()


# -- creating a token -----------------------------------------------------------------------


def test_creating_a_token_shows_the_key_once_and_stores_the_digest(admin_client):
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_add"), {"name": "Okta production"}, follow=True
    )

    assert response.status_code == 200
    notices = list(response.context["messages"])
    keys = [match for m in notices for match in KEY.findall(str(m))]
    assert len(keys) == 1
    (key,) = keys
    assert any(m.level == WARNING and key in str(m) for m in notices)
    assert response.content.decode().count(key) == 1

    token = SCIMToken.objects.get()
    assert token.name == "Okta production"
    assert token.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix)
    for column, value in SCIMToken.objects.values().get().items():
        assert key not in str(value), column

    # Shown once: the pages that follow never show it again.
    changelist = admin_client.get(reverse("admin:drf_scim_scimtoken_changelist"))
    change = admin_client.get(reverse("admin:drf_scim_scimtoken_change", args=[token.pk]))
    assert key not in changelist.content.decode()
    assert key not in change.content.decode()


def test_token_created_in_the_admin_authenticates(admin_client, anonymous_client):
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_add"), {"name": "Entra ID"}, follow=True
    )
    (key,) = [k for m in response.context["messages"] for k in KEY.findall(str(m))]

    scim = anonymous_client.get("/scim/v2/Users", **_bearer(key))

    assert scim.status_code == 200


def test_creating_a_token_logs_the_addition(admin_client):
    from django.contrib.admin.models import ADDITION, LogEntry

    admin_client.post(reverse("admin:drf_scim_scimtoken_add"), {"name": "Okta"})

    token = SCIMToken.objects.get()
    entry = LogEntry.objects.get()
    assert entry.action_flag == ADDITION
    assert entry.object_id == str(token.pk)
    assert entry.object_repr == str(token)


def test_editing_a_token_keeps_its_digest(admin_client, token):
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_change", args=[token.pk]), {"name": "Renamed"}
    )

    assert response.status_code == 302
    saved = SCIMToken.objects.get(pk=token.pk)
    assert saved.name == "Renamed"
    assert saved.key_digest == token.key_digest
    assert SCIMToken.objects.count() == 1


def test_token_digest_is_not_editable(admin_client, token):
    admin_client.post(
        reverse("admin:drf_scim_scimtoken_change", args=[token.pk]),
        {"name": token.name, "key_digest": "0" * 64, "prefix": "scim_evil", "revoked": ""},
    )

    saved = SCIMToken.objects.get(pk=token.pk)
    assert saved.key_digest == token.key_digest
    assert saved.prefix == token.prefix


# -- revoking -------------------------------------------------------------------------------


def test_revoke_action_revokes(admin_client, anonymous_client, token):
    other, other_key = SCIMToken.generate("other")
    assert anonymous_client.get("/scim/v2/Users", **_bearer(token.key)).status_code == 200

    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    assert SCIMToken.objects.get(pk=token.pk).revoked is not None
    assert SCIMToken.objects.get(pk=other.pk).revoked is None
    assert anonymous_client.get("/scim/v2/Users", **_bearer(token.key)).status_code == 401
    assert anonymous_client.get("/scim/v2/Users", **_bearer(other_key)).status_code == 200


def test_revoke_action_keeps_the_first_revocation_time(admin_client, token):
    token.revoke()
    first = SCIMToken.objects.get(pk=token.pk).revoked

    admin_client.post(
        reverse("admin:drf_scim_scimtoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert SCIMToken.objects.get(pk=token.pk).revoked == first


# -- the audit log is read-only -----------------------------------------------------------------


def test_events_cannot_be_added(admin_client, event):
    assert admin_client.get(reverse("admin:drf_scim_scimevent_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:drf_scim_scimevent_add"),
        {"operation": "delete", "resource_type": "User", "status": 204},
    )
    assert response.status_code == 403
    assert SCIMEvent.objects.count() == 1


def test_events_cannot_be_changed(admin_client, event):
    url = reverse("admin:drf_scim_scimevent_change", args=[event.pk])

    page = admin_client.get(url)
    response = admin_client.post(
        url, {"operation": "delete", "resource_type": "Group", "status": 500}
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.operation, event.resource_type, event.status) == ("create", "User", 201)


def test_events_cannot_be_deleted(admin_client, event):
    """An audit log a superuser can edit away is no audit log."""
    url = reverse("admin:drf_scim_scimevent_delete", args=[event.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, {"post": "yes"})
    bulk = admin_client.post(
        reverse("admin:drf_scim_scimevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )

    assert page.status_code == 403
    assert response.status_code == 403
    assert bulk.status_code in (200, 302, 403)
    assert SCIMEvent.objects.filter(pk=event.pk).exists()


def test_a_token_created_in_the_admin_can_be_bound_to_a_user_rfc7644_3_11(
    admin_client, anonymous_client
):
    """The token's user is what /Me stands for (docs/me.md)."""
    from django.contrib.auth.models import User

    ann = User.objects.create_user("ann")
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_add"), {"name": "Ann", "user": ann.pk}, follow=True
    )
    (key,) = [k for m in response.context["messages"] for k in KEY.findall(str(m))]
    assert SCIMToken.objects.get().user == ann
    me = anonymous_client.get("/scim/v2/Me", **_bearer(key))
    assert me.status_code == 200
    assert me.json()["userName"] == "ann"
