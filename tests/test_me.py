"""``/Me``, the authenticated subject's alias (RFC 7644 §3.11; docs/me.md).

A token bound to a user (``SCIMToken.user``) may use ``/Me`` for that user's ``/Users/{id}``:
GET, PUT, PATCH and DELETE take the same write path, with the same scope and tenant rules,
and ``Location`` (and ``meta.location``) name the real resource (§3.11: "the HTTP Location
header MUST be the permanent location of the aliased resource"). Without a bound user, and
for POST, the answer is 501 ("A service provider that does NOT support this feature SHOULD
respond with HTTP status code 501").
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from drf_scim.constants import PATCH_OP_SCHEMA
from drf_scim.models import SCIMEvent, SCIMToken
from drf_scim.signals import post_operation

from .conftest import SCIMClient, assert_error

USERS = "/scim/v2/Users"
ME = "/scim/v2/Me"


def client_with(token_key):
    client = SCIMClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_key}")
    return client


@pytest.fixture
def bjensen(client):
    created = client.post(USERS, {"userName": "bjensen", "displayName": "Babs"})
    assert created.status_code == 201
    return created.json()


@pytest.fixture
def me(bjensen):
    """A client whose token is bound to bjensen."""
    user = User.objects.get(username="bjensen")
    _token, key = SCIMToken.generate("bjensen's token", user=user)
    return client_with(key)


# -- no bound user: 501 ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "post"])
def test_me_without_a_bound_user_is_501_rfc7644_3_11(client, bjensen, method):
    """§3.11: a provider that does not support /Me for this subject SHOULD answer 501."""
    response = getattr(client, method)(ME, {"userName": "x"} if method != "get" else None)
    body = assert_error(response, 501)
    assert "bound to no user" in body["detail"]
    assert User.objects.get(username="bjensen").scim_record.version == 1  # nothing written


def test_me_needs_authentication_rfc7644_2(anonymous_client):
    """RFC 7644 §2: /Me is no exception to authentication; 401, never 501 or 404."""
    assert_error(anonymous_client.get(ME), 401)


# -- the alias ---------------------------------------------------------------------------


def test_get_me_is_the_bound_user_with_its_real_location_rfc7644_3_11(client, me, bjensen):
    """§3.11: the answer is the user, and Location is /Users/{id}, not /Me."""
    response = me.get(ME)
    assert response.status_code == 200
    body = response.json()
    by_id = client.get(f"{USERS}/{bjensen['id']}").json()
    assert body == by_id
    location = f"http://testserver{USERS}/{bjensen['id']}"
    assert response["Location"] == location
    assert body["meta"]["location"] == location
    assert response["ETag"] == 'W/"1"'


def test_get_me_honours_if_none_match_and_attributes_rfc7644_3_14_3_9(me, bjensen):
    """§3.14 and §3.9 apply to the alias as to /Users/{id}."""
    assert me.get(ME, HTTP_IF_NONE_MATCH='W/"1"').status_code == 304
    shaped = me.get(ME, {"attributes": "userName"}).json()
    assert set(shaped) == {"schemas", "id", "userName"}


@pytest.mark.parametrize("method", ["get", "patch", "put"])
def test_me_costs_the_queries_of_users_id_rfc7644_3_11(
    me, bjensen, method, django_assert_num_queries
):
    """The alias adds no query: each method costs through /Me what it costs by id."""
    data = {
        "get": None,
        "patch": {
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": [{"op": "replace", "path": "title", "value": "t"}],
        },
        "put": {"userName": "bjensen", "displayName": "Babs"},
    }[method]
    by_id = f"{USERS}/{bjensen['id']}"
    me.get(ME)  # the token's last_used is written on its first use only
    with CaptureQueriesContext(connection) as captured:
        assert getattr(me, method)(by_id, data).status_code == 200
    with django_assert_num_queries(len(captured.captured_queries)):
        assert getattr(me, method)(ME, data).status_code == 200


def test_delete_me_costs_the_queries_of_users_id_rfc7644_3_11(
    client, me, bjensen, django_assert_num_queries
):
    """DELETE (RFC 7644 §3.6) through /Me costs what it costs by id, for a like user."""
    twin = client.post(USERS, {"userName": "twin", "displayName": "Babs"}).json()
    me.get(ME)  # the token's last_used is written on its first use only
    with CaptureQueriesContext(connection) as captured:
        assert me.delete(f"{USERS}/{twin['id']}").status_code == 204
    with django_assert_num_queries(len(captured.captured_queries)):
        assert me.delete(ME).status_code == 204


def test_put_me_replaces_the_bound_user_rfc7644_3_5_1(me, bjensen):
    """§3.5.1 through the alias: the same write path, Location naming the real resource."""
    response = me.put(ME, {"userName": "bjensen", "displayName": "Barbara", "title": "CEO"})
    assert response.status_code == 200
    assert response["Location"].endswith(f"{USERS}/{bjensen['id']}")
    user = User.objects.get(username="bjensen")
    assert user.scim_record.attributes["displayName"] == "Barbara"
    assert user.scim_record.version == 2


def test_patch_me_applies_the_operations_rfc7644_3_5_2(me, bjensen):
    """§3.5.2 through the alias."""
    response = me.patch(
        ME,
        {
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": [{"op": "replace", "path": "name.givenName", "value": "Barbara"}],
        },
    )
    assert response.status_code == 200
    assert response.json()["name"]["givenName"] == "Barbara"
    assert response["Location"].endswith(f"{USERS}/{bjensen['id']}")
    assert User.objects.get(username="bjensen").first_name == "Barbara"


def test_me_writes_are_audited_and_signalled_as_users_id_rfc7644_3_11(me, bjensen):
    """One write path: the signals and the audit log name the real resource."""
    seen = []

    def receiver(sender, **kwargs):
        seen.append((kwargs["resource_type"], kwargs["resource_id"], kwargs["operation"]))

    post_operation.connect(receiver)
    try:
        me.put(ME, {"userName": "bjensen"})
    finally:
        post_operation.disconnect(receiver)
    assert seen == [("User", bjensen["id"], "replace")]
    event = SCIMEvent.objects.filter(operation="replace").get()
    assert (event.resource_id, event.status) == (bjensen["id"], 200)


def test_if_match_applies_to_me_rfc7644_3_14(me, bjensen):
    """§3.14: a stale If-Match is 412 through the alias too, and nothing changes."""
    response = me.put(ME, {"userName": "bjensen", "title": "x"}, HTTP_IF_MATCH='W/"7"')
    assert_error(response, 412)
    assert "title" not in User.objects.get(username="bjensen").scim_record.attributes


def test_bad_input_to_me_is_a_scim_error_and_changes_nothing_rfc7644_3_12(me, bjensen):
    """§3.12: an invalid body is 400 invalidValue, as on /Users/{id}; nothing is written."""
    assert_error(me.put(ME, {"userName": "bjensen", "active": "maybe"}), 400, "invalidValue")
    assert_error(me.put(ME, {"displayName": "no userName"}), 400, "invalidValue")
    assert User.objects.get(username="bjensen").scim_record.version == 1


@override_settings(DRF_SCIM={"DELETE_MODE": "delete"})
def test_delete_me_deletes_the_bound_user_and_unbinds_the_token_rfc7644_3_6(me, bjensen):
    """§3.6 through the alias; the token outlives its user (on_delete=SET_NULL): 501 then."""
    assert me.delete(ME).status_code == 204
    assert not User.objects.filter(username="bjensen").exists()
    token = SCIMToken.objects.get(name="bjensen's token")
    assert token.user is None
    assert_error(me.get(ME), 501)


def test_delete_me_in_deactivate_mode_makes_me_404_rfc7644_3_6(me, bjensen):
    """§3.6, the default mode: 404 from then on for any operation on the deleted resource."""
    assert me.delete(ME).status_code == 204
    assert_error(me.get(ME), 404)
    assert_error(me.put(ME, {"userName": "bjensen"}), 404)


def test_post_me_is_405_and_creates_nothing_rfc7644_3_11(me, bjensen):
    """§3.11 leaves the resource POST /Me creates to the provider: here none, the subject's
    resource is bound, not created. 405 with the methods /Me allows."""
    response = me.post(ME, {"userName": "someone-else"})
    assert_error(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) >= {"GET", "PUT", "PATCH", "DELETE"}
    assert "POST" not in response["Allow"]
    assert not User.objects.filter(username="someone-else").exists()


def test_me_with_a_trailing_slash_is_the_same_resource_rfc7644_3_11(me, bjensen):
    assert me.get(f"{ME}/").json()["id"] == bjensen["id"]


# -- scope: a bound user SCIM may not see is 404, as by id -------------------------------


@pytest.mark.parametrize(
    "flags", [{"is_staff": True}, {"is_superuser": True}], ids=["staff", "superuser"]
)
def test_a_bound_user_out_of_scope_is_404_rfc7644_3_11_3_12(me, bjensen, flags):
    """A user SCIM may not touch stays untouchable through /Me (docs/security.md)."""
    User.objects.filter(username="bjensen").update(**flags)
    assert_error(me.get(ME), 404)
    assert_error(me.put(ME, {"userName": "bjensen", "title": "pwned"}), 404)
    assert_error(me.delete(ME), 404)
    user = User.objects.get(username="bjensen")
    assert "title" not in user.scim_record.attributes
    assert user.scim_record.deleted is None


# -- binding: the management command and the admin ---------------------------------------


def test_create_scim_token_binds_a_user_rfc7644_3_11(bjensen):
    out, err = StringIO(), StringIO()
    call_command("create_scim_token", "self-service", "--user", "bjensen", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert SCIMToken.objects.get(key_digest=SCIMToken.digest(key)).user.username == "bjensen"
    assert "bound to user 'bjensen'" in err.getvalue()
    assert client_with(key).get(ME).json()["id"] == bjensen["id"]


def test_create_scim_token_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("create_scim_token", "x", "--user", "nobody", stdout=StringIO())
    assert not SCIMToken.objects.exists()


def test_create_scim_token_warns_about_a_user_out_of_scope(db):
    User.objects.create_user("clerk", is_staff=True)
    err = StringIO()
    call_command("create_scim_token", "x", "--user", "clerk", stdout=StringIO(), stderr=err)
    assert "outside SCIM's scope" in err.getvalue()
