"""Multi-tenancy: a token scoped to one tenant sees and changes only that tenant's users
(the isolation RFC 7644 §2 leaves to the service provider; docs/tenants.md)."""

from __future__ import annotations

import uuid
from io import StringIO
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings

from drf_scim.exceptions import InvalidValue
from drf_scim.models import SCIMToken
from drf_scim.serializers import (
    SCIMGroupSerializer,
    SCIMUserSerializer,
    default_user_attribute_map,
)

from .conftest import SCIMClient

pytestmark = pytest.mark.custom_user_model

USERS = "/scim/v2/Users"


class TenantUserSerializer(SCIMUserSerializer):
    attribute_map = default_user_attribute_map(get_user_model())
    tenant_field = "organization"


SETTINGS = {"USER_SERIALIZER": f"{__name__}.TenantUserSerializer"}


@pytest.fixture
def orgs(db):
    from tests.custom_user.models import Organization

    return Organization.objects.create(name="Acme"), Organization.objects.create(name="Globex")


def client_for(tenant):
    _token, key = SCIMToken.generate(f"IdP of {tenant}", tenant=tenant)
    client = SCIMClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@override_settings(DRF_SCIM=SETTINGS)
def test_a_tenant_sees_only_its_own_users(orgs):
    acme, globex = client_for(orgs[0]), client_for(orgs[1])
    mine = acme.post(USERS, {"userName": "ann@acme.test"}).json()
    theirs = globex.post(USERS, {"userName": "bob@globex.test"}).json()
    user_model = get_user_model()
    assert user_model.objects.get(email="ann@acme.test").organization == orgs[0]
    assert user_model.objects.get(email="bob@globex.test").organization == orgs[1]

    assert [r["userName"] for r in acme.get(USERS).json()["Resources"]] == ["ann@acme.test"]
    assert (
        acme.get(f"{USERS}?filter=" + quote('userName eq "bob@globex.test"')).json()["totalResults"]
        == 0
    )
    assert (
        acme.get(f"{USERS}?filter=" + quote(f'id eq "{theirs["id"]}"')).json()["totalResults"] == 0
    )
    for method, body in (
        ("get", None),
        ("put", {"userName": "x@acme.test"}),
        ("delete", None),
        ("patch", {"Operations": [{"op": "replace", "value": {"active": False}}]}),
    ):
        response = getattr(acme, method)(f"{USERS}/{theirs['id']}", body)
        assert response.status_code == 404, method
    assert user_model.objects.get(email="bob@globex.test").is_active
    assert acme.get(f"{USERS}/{mine['id']}").status_code == 200
    search = acme.post(f"{USERS}/.search", {"filter": "userName pr"}).json()
    assert [r["userName"] for r in search["Resources"]] == ["ann@acme.test"]
    root = acme.post("/scim/v2/.search", {}).json()
    assert [r["userName"] for r in root["Resources"]] == ["ann@acme.test"]


@override_settings(DRF_SCIM=SETTINGS)
def test_a_token_without_tenant_sees_every_tenant(orgs, client):
    client_for(orgs[0]).post(USERS, {"userName": "ann@acme.test"})
    client_for(orgs[1]).post(USERS, {"userName": "bob@globex.test"})
    assert client.get(USERS).json()["totalResults"] == 2


def test_a_resource_type_without_tenant_field_shows_a_tenant_nothing(orgs):
    """Fail closed: without a tenant_field, a tenant's token must not see everyone."""
    get_user_model().objects.create_user("someone@else.test")
    acme = client_for(orgs[0])
    assert acme.get(USERS).json()["totalResults"] == 0


def test_create_scim_token_for_a_tenant(orgs):
    out = StringIO()
    call_command(
        "create_scim_token",
        "Acme Okta",
        f"--tenant=custom_user.Organization:{orgs[0].pk}",
        stdout=out,
        stderr=StringIO(),
    )
    key = out.getvalue().strip().splitlines()[-1]
    token = SCIMToken.objects.get(key_digest=SCIMToken.digest(key))
    assert token.tenant == orgs[0]
    with pytest.raises(CommandError, match="no model"):
        call_command("create_scim_token", "x", "--tenant=nope.Nope:1", stderr=StringIO())
    with pytest.raises(CommandError, match=r"no custom_user\.Organization with pk"):
        call_command(
            "create_scim_token",
            "x",
            f"--tenant=custom_user.Organization:{uuid.uuid4()}",
            stderr=StringIO(),
        )


GROUPS = "/scim/v2/Groups"


class TenantGroupReferences(SCIMGroupSerializer):
    """auth.Group as if it had a tenant: to exercise member resolution for a tenant."""

    tenant_field = "name"  # any column: these tests only resolve members


@override_settings(DRF_SCIM=SETTINGS)
def test_a_tenant_cannot_create_resources_it_could_not_see_rfc7644_3_3(orgs):
    """auth.Group has no tenant: a tenant's POST /Groups would make a group no tenant
    sees. It is refused (403) and nothing is stored."""
    acme = client_for(orgs[0])
    response = acme.post(GROUPS, {"displayName": "Ops"})
    assert response.status_code == 403
    assert response.json()["status"] == "403"
    assert not Group.objects.exists()


@override_settings(DRF_SCIM=SETTINGS)
def test_members_stored_as_data_must_be_users_of_the_tenant_rfc7643_4_2(orgs):
    """Without a groups many-to-many, members are resolved all the same (docs/tenants.md)."""
    ann = client_for(orgs[0]).post(USERS, {"userName": "ann@acme.test"}).json()
    bob = client_for(orgs[1]).post(USERS, {"userName": "bob@globex.test"}).json()
    serializer = TenantGroupReferences(context={"tenant": orgs[0].pk})

    serializer.check_references({"members": [{"value": ann["id"], "type": "User"}]})
    for members in (
        [{"value": bob["id"]}],  # another tenant's user
        [{"value": str(uuid.uuid4())}],  # nobody's
        [{"value": ann["id"], "type": "Group"}],  # not a Group
        [{"value": "not-an-id"}],
    ):
        with pytest.raises(InvalidValue):
            serializer.check_references({"members": members})


@override_settings(DRF_SCIM=SETTINGS)
def test_unknown_members_are_invalid_value_and_nothing_is_stored_rfc7644_3_12(client, orgs):
    """A token without a tenant: a member id naming nobody is ``invalidValue``, even
    though the user model has no groups many-to-many to check it against."""
    ann = client.post(USERS, {"userName": "ann@acme.test"}).json()
    for body in (
        {"displayName": "Ops", "members": [{"value": str(uuid.uuid4())}]},
        {"displayName": "Ops", "members": [{"value": ann["id"]}, {"value": "x"}]},
    ):
        response = client.post(GROUPS, body)
        assert response.status_code == 400
        assert response.json()["scimType"] == "invalidValue"
    assert not Group.objects.exists()

    group = client.post(GROUPS, {"displayName": "Ops", "members": [{"value": ann["id"]}]})
    assert group.status_code == 201, group.content
    assert [m["value"] for m in group.json()["members"]] == [ann["id"]]
    url = f"{GROUPS}/{group.json()['id']}"
    add = {
        "Operations": [{"op": "add", "path": "members", "value": [{"value": str(uuid.uuid4())}]}]
    }
    response = client.patch(url, add)
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert [m["value"] for m in client.get(url).json()["members"]] == [ann["id"]]


@override_settings(DRF_SCIM=SETTINGS)
def test_me_is_scoped_to_the_token_tenant_rfc7644_3_11(orgs):
    """/Me (RFC 7644 §3.11) is no way around tenancy: a user of another tenant is 404."""
    acme = client_for(orgs[0])
    ann = acme.post(USERS, {"userName": "ann@acme.test"}).json()
    user = get_user_model().objects.get(email="ann@acme.test")
    _token, key = SCIMToken.generate("Globex, bound to Ann", tenant=orgs[1], user=user)
    globex = SCIMClient()
    globex.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = globex.put("/scim/v2/Me", {"userName": "ann@acme.test", "title": "x"})
    assert response.status_code == 404
    assert response.json()["status"] == "404"
    _token, key = SCIMToken.generate("Acme, bound to Ann", tenant=orgs[0], user=user)
    own = SCIMClient()
    own.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert own.get("/scim/v2/Me").json()["id"] == ann["id"]
    assert "title" not in acme.get(f"{USERS}/{ann['id']}").json()
