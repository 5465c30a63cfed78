"""Users on a custom user model: e-mail as USERNAME_FIELD, UUID primary key, no first/last
name columns (RFC 7643 §4.1 on any ``get_user_model()``)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.test import override_settings

from drf_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from drf_scim.serializers import Computed, SCIMUserSerializer, default_user_attribute_map

pytestmark = pytest.mark.custom_user_model

USERS = "/scim/v2/Users"


class StaffUserSerializer(SCIMUserSerializer):
    attribute_map = {
        **default_user_attribute_map(get_user_model()),
        "displayName": "full_name",
        f"{ENTERPRISE_USER_SCHEMA}:employeeNumber": "staff_number",
    }


def test_default_mapping_follows_the_model():
    assert default_user_attribute_map(get_user_model()) == {
        "userName": "email",
        "active": "is_active",
        "meta.created": "date_joined",
    }


@override_settings(DRF_SCIM={"DELETE_MODE": "delete"})
def test_crud_on_a_custom_user_model_rfc7644_3(client):
    response = client.post(
        USERS,
        {
            "schemas": [USER_SCHEMA],
            "userName": "Ada@Example.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "type": "work", "primary": True}],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    user = get_user_model().objects.get()
    assert user.email == "Ada@Example.com"
    assert created["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    assert created["emails"] == [{"value": "ada@example.com", "type": "work", "primary": True}]
    assert created["id"] != str(user.pk)

    url = f"{USERS}/{created['id']}"
    assert client.get(url).json() == created
    assert client.post(USERS, {"userName": "ada@EXAMPLE.com"}).status_code == 409

    replaced = client.put(url, {"userName": "ada@example.org", "active": False}).json()
    assert replaced["userName"] == "ada@example.org"
    assert "name" not in replaced
    user.refresh_from_db()
    assert (user.email, user.is_active) == ("ada@example.org", False)

    assert client.delete(url).status_code == 204
    assert not get_user_model().objects.exists()


@override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.StaffUserSerializer"})
def test_subclassed_serializer_maps_custom_fields(client):
    response = client.post(
        USERS,
        {
            "userName": "grace@example.com",
            "displayName": "Grace Hopper",
            ENTERPRISE_USER_SCHEMA: {"employeeNumber": "1906", "department": "Navy"},
        },
    )
    assert response.status_code == 201, response.content
    user = get_user_model().objects.get()
    assert (user.full_name, user.staff_number) == ("Grace Hopper", "1906")
    body = response.json()
    assert body["displayName"] == "Grace Hopper"
    assert body[ENTERPRISE_USER_SCHEMA] == {"employeeNumber": "1906", "department": "Navy"}
    assert user.scim_record.attributes == {ENTERPRISE_USER_SCHEMA: {"department": "Navy"}}


class ProfileUserSerializer(SCIMUserSerializer):
    """A related model's field and a computed value, each one declaration."""

    attribute_map = {
        **default_user_attribute_map(get_user_model()),
        f"{ENTERPRISE_USER_SCHEMA}:department": "profile__department",
        "nickName": Computed(lambda user: user.email.split("@")[0], expression=Lower("email")),
        "displayName": "full_name",
    }


@override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.ProfileUserSerializer"})
def test_related_and_computed_mappings_are_read_written_filtered_sorted_patched(client):
    from tests.custom_user.models import Profile

    ann = client.post(
        USERS,
        {
            "userName": "ann@example.com",
            "nickName": "ignored",
            ENTERPRISE_USER_SCHEMA: {"department": "R&D"},
        },
    )
    assert ann.status_code == 201, ann.content
    assert ann.json()["nickName"] == "ann"  # computed; writes are ignored
    assert ann.json()[ENTERPRISE_USER_SCHEMA] == {"department": "R&D"}
    assert Profile.objects.get().department == "R&D"
    assert client.post(USERS, {"userName": "bob@example.com"}).status_code == 201
    assert not Profile.objects.filter(user__email="bob@example.com").exists()

    def names(query):
        body = client.get(f"{USERS}?{query}").json()
        return [r["userName"] for r in body["Resources"]]

    assert names("filter=" + quote(f'{ENTERPRISE_USER_SCHEMA}:department eq "r&d"')) == [
        "ann@example.com"
    ]
    assert names("filter=" + quote('nickName sw "BO"')) == ["bob@example.com"]
    assert names(f"sortBy={ENTERPRISE_USER_SCHEMA}:department") == [
        "ann@example.com",
        "bob@example.com",
    ]
    assert names("sortBy=nickName&sortOrder=descending") == ["bob@example.com", "ann@example.com"]
    projected = client.get(f"{USERS}?attributes=nickName").json()["Resources"]
    assert [set(r) for r in projected] == [{"schemas", "id", "nickName"}] * 2
    bob = client.get(f"{USERS}?filter=" + quote('userName eq "bob@example.com"')).json()
    url = bob["Resources"][0]["meta"]["location"]
    patched = client.patch(
        url,
        {
            "Operations": [
                {"op": "add", "path": f"{ENTERPRISE_USER_SCHEMA}:department", "value": "Sales"}
            ]
        },
    )
    assert patched.status_code == 200, patched.content
    assert Profile.objects.get(user__email="bob@example.com").department == "Sales"
    assert names("filter=" + quote(f'{ENTERPRISE_USER_SCHEMA}:department eq "sales"')) == [
        "bob@example.com"
    ]


@pytest.mark.django_db(transaction=True)
@override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.ProfileUserSerializer"})
def test_concurrent_patches_of_a_related_column_and_the_record_lose_none(client):
    """RFC 7644 §3.5.2 on a resource with a column in a related model (a profile): the
    writes to one resource run one after the other (``SCIMStorage.lock``), so two PATCHes
    racing, one to the profile's column, one to the user's, lose neither."""
    from drf_scim.models import SCIMToken
    from tests.conftest import patch_concurrently
    from tests.custom_user.models import Profile

    created = client.post(
        USERS, {"userName": "ann@example.com", ENTERPRISE_USER_SCHEMA: {"department": "R&D"}}
    )
    assert created.status_code == 201, created.content
    url = created.json()["meta"]["location"]
    _token, key = SCIMToken.generate("racer")
    bodies = [
        {
            "Operations": [
                {"op": "replace", "path": f"{ENTERPRISE_USER_SCHEMA}:department", "value": "Sales"}
            ]
        },
        {"Operations": [{"op": "replace", "path": "displayName", "value": "Ann A"}]},
        {"Operations": [{"op": "replace", "path": "title", "value": "Guide"}]},
    ]
    statuses = patch_concurrently(key, url, bodies)

    assert statuses == [200] * 3
    stored = client.get(url).json()
    assert stored[ENTERPRISE_USER_SCHEMA] == {"department": "Sales"}
    assert (stored["displayName"], stored["title"]) == ("Ann A", "Guide")
    assert Profile.objects.get().department == "Sales"
    assert get_user_model().objects.get().full_name == "Ann A"
    assert stored["meta"]["version"] == 'W/"4"'
