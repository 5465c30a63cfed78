"""The Enterprise User ``manager`` on a foreign key of the user model to itself.

RFC 7643 §4.3: ``manager`` is complex, its ``value`` the ``id`` of the manager's SCIM
resource, with ``$ref`` and a read-only ``displayName``. Mapped to ``EmailUser.manager``
(a ``ForeignKey("self")``), the value is resolved within scope to the foreign key on
writes, and shown back as ``{"value", "$ref", "displayName"}``.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from drf_scim.constants import PATCH_OP_SCHEMA
from drf_scim.serializers import SCIMUserSerializer, default_user_attribute_map

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USERS = "/scim/v2/Users"


class ManagerSerializer(SCIMUserSerializer):
    attribute_map = {
        **default_user_attribute_map(get_user_model()),
        "displayName": "full_name",
        f"{ENTERPRISE}:manager": "manager",
    }


pytestmark = [
    pytest.mark.custom_user_model,
    pytest.mark.usefixtures("manager_serializer"),
]


@pytest.fixture
def manager_serializer():
    with override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.ManagerSerializer"}):
        yield


def create(client, email, **extra):
    response = client.post(USERS, {"userName": email, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_rfc7643_4_3_manager_is_stored_in_the_foreign_key_and_read_back(client):
    boss = create(client, "boss@example.com", displayName="The Boss")
    ann = create(client, "ann@example.com", **{ENTERPRISE: {"manager": {"value": boss["id"]}}})

    user_model = get_user_model()
    assert user_model.objects.get(email="ann@example.com").manager == user_model.objects.get(
        email="boss@example.com"
    )
    expected = {
        "value": boss["id"],
        "$ref": f"http://testserver/scim/v2/Users/{boss['id']}",
        "displayName": "The Boss",
    }
    assert ann[ENTERPRISE]["manager"] == expected
    assert client.get(f"{USERS}/{ann['id']}").json()[ENTERPRISE]["manager"] == expected
    listed = {r["userName"]: r for r in client.get(USERS).json()["Resources"]}
    assert listed["ann@example.com"][ENTERPRISE]["manager"] == expected
    assert ENTERPRISE not in listed["boss@example.com"]


def test_rfc7644_3_4_2_2_filter_by_manager_value(client):
    boss = create(client, "boss@example.com")
    create(client, "ann@example.com", **{ENTERPRISE: {"manager": {"value": boss["id"]}}})
    create(client, "bob@example.com")
    found = client.get(USERS, {"filter": f'{ENTERPRISE}:manager.value eq "{boss["id"]}"'})
    assert [r["userName"] for r in found.json()["Resources"]] == ["ann@example.com"]


@pytest.mark.parametrize("value", [str(uuid.uuid4()), "not-an-id"])
def test_rfc7644_3_12_an_unknown_manager_is_invalid_value_and_changes_nothing(client, value):
    body = {"userName": "ann@example.com", ENTERPRISE: {"manager": {"value": value}}}
    response = client.post(USERS, body)
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert not get_user_model().objects.exists()


def test_rfc7644_3_5_2_patch_sets_and_removes_the_manager(client):
    boss = create(client, "boss@example.com")
    ann = create(client, "ann@example.com")
    url = f"{USERS}/{ann['id']}"
    body = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [
            {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": {"value": boss["id"]}}
        ],
    }
    response = client.patch(url, body)
    assert response.status_code == 200, response.content
    assert response.json()[ENTERPRISE]["manager"]["value"] == boss["id"]
    assert get_user_model().objects.get(email="ann@example.com").manager.email == "boss@example.com"

    remove = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "remove", "path": f"{ENTERPRISE}:manager"}],
    }
    response = client.patch(url, remove)
    assert response.status_code == 200, response.content
    assert ENTERPRISE not in response.json()
    assert get_user_model().objects.get(email="ann@example.com").manager is None


def test_a_deleted_manager_is_no_longer_shown(client):
    boss = create(client, "boss@example.com")
    ann = create(client, "ann@example.com", **{ENTERPRISE: {"manager": {"value": boss["id"]}}})
    assert client.delete(f"{USERS}/{boss['id']}").status_code == 204  # deactivated, kept
    assert ENTERPRISE not in client.get(f"{USERS}/{ann['id']}").json()


def test_a_page_reads_every_manager_in_one_query(client, django_assert_num_queries):
    """RFC 7644 §3.4.2: a list costs the same number of queries whatever its size."""
    boss = create(client, "boss@example.com")
    manager = {ENTERPRISE: {"manager": {"value": boss["id"]}}}
    create(client, "ann@example.com", **manager)
    client.get(USERS)  # the token's last_used is written once, not during a measurement
    # token, page with its value rows, the managers of the page (one page: no count)
    with django_assert_num_queries(3):
        small = client.get(USERS).json()
    for index in range(10):
        create(client, f"u{index}@example.com", **manager)
    with django_assert_num_queries(3):
        big = client.get(USERS).json()
    assert small["totalResults"] == 2
    assert big["totalResults"] == 12
    managed = [r for r in big["Resources"] if r["id"] != boss["id"]]
    assert len(managed) == 11
    assert all(r[ENTERPRISE]["manager"]["value"] == boss["id"] for r in managed)


class TenantManagerSerializer(ManagerSerializer):
    tenant_field = "organization"


def test_a_manager_is_resolved_within_the_tokens_tenant(client):
    """docs/tenants.md: a reference to another tenant's user is ``invalidValue``."""
    from drf_scim.models import SCIMToken
    from tests.custom_user.models import Organization

    from .conftest import SCIMClient

    def client_for(org):
        _token, key = SCIMToken.generate(f"IdP of {org}", tenant=org)
        tenant_client = SCIMClient()
        tenant_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return tenant_client

    setting = {"USER_SERIALIZER": f"{__name__}.TenantManagerSerializer"}
    with override_settings(DRF_SCIM=setting):
        acme = client_for(Organization.objects.create(name="Acme"))
        globex = client_for(Organization.objects.create(name="Globex"))
        bob = create(globex, "bob@globex.test")
        body = {"userName": "ann@acme.test", ENTERPRISE: {"manager": {"value": bob["id"]}}}
        response = acme.post(USERS, body)
        assert response.status_code == 400
        assert response.json()["scimType"] == "invalidValue"
        boss = create(acme, "boss@acme.test")
        body[ENTERPRISE]["manager"]["value"] = boss["id"]
        assert acme.post(USERS, body).status_code == 201


def test_a_post_with_a_manager_costs_two_queries_more(client, django_assert_num_queries):
    """The manager is resolved in one query, and read back for the response in one
    (RFC 7644 §3.3), whatever the number of users."""
    boss = create(client, "boss@example.com")
    with django_assert_num_queries(7):
        create(client, "plain@example.com")
    with django_assert_num_queries(9):
        create(client, "ann@example.com", **{ENTERPRISE: {"manager": {"value": boss["id"]}}})


def test_entra_ids_manager_patch_with_a_bare_id(client):
    """Entra ID sends the manager as a bare id in a capitalised ``Add`` (its documented
    Enterprise ``manager`` mapping); the normalisation makes it RFC 7643 §4.3's
    ``{"value": id}``."""
    boss = create(client, "boss@example.com")
    ann = create(client, "ann@example.com")
    body = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "Add", "path": f"{ENTERPRISE}:manager", "value": boss["id"]}],
    }
    response = client.patch(f"{USERS}/{ann['id']}", body)
    assert response.status_code == 200, response.content
    assert response.json()[ENTERPRISE]["manager"]["value"] == boss["id"]
