"""What drf-scim serves, read by an independent implementation: python-scim's
``scim2-models`` (https://pypi.org/project/scim2-models/).

Its pydantic models encode RFC 7643 and RFC 7644 on their own; each response is
validated in the context of the request that produced it, which checks the
characteristics (``returned: never`` absent, ``required`` present, types) as a client
would read them. The discovery documents must also compose into resource models
(``ScimProvider.from_discovery``), and those models must accept our resources.
"""

from __future__ import annotations

import pytest
from scim2_models import (
    Context,
    EnterpriseUser,
    Error,
    Group,
    ListResponse,
    ResourceType,
    Schema,
    ScimProvider,
    ServiceProviderConfig,
    User,
)

ROOT = "/scim/v2"
READ = Context.RESOURCE_QUERY_RESPONSE
CREATED = Context.RESOURCE_CREATION_RESPONSE
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def get(client, path, status=200):
    response = client.get(f"{ROOT}{path}")
    assert response.status_code == status, response.content
    return response.json()


def test_rfc7643_5_service_provider_config(client):
    config = ServiceProviderConfig.model_validate(
        get(client, "/ServiceProviderConfig"), scim_ctx=READ
    )

    assert config.patch.supported is True
    assert config.filter.max_results == 1000
    assert config.authentication_schemes[0].type == "oauthbearertoken"


def test_rfc7643_6_and_7_discovery_documents_and_the_models_they_describe(client, sample):
    """Every /Schemas and /ResourceTypes document parses, and together they describe
    User (with the Enterprise extension) and Group models that read our resources."""
    schemas = ListResponse[Schema].model_validate(get(client, "/Schemas"), scim_ctx=READ)
    types = ListResponse[ResourceType].model_validate(get(client, "/ResourceTypes"), scim_ctx=READ)
    config = ServiceProviderConfig.model_validate(
        get(client, "/ServiceProviderConfig"), scim_ctx=READ
    )
    assert schemas.total_results == len(schemas.resources) == 6
    assert {t.name for t in types.resources} == {"User", "Group"}

    provider = ScimProvider.from_discovery(schemas.resources, types.resources, config)
    created = client.post(f"{ROOT}/Users", sample("rfc7643-8.3-user-enterprise.json"))
    assert created.status_code == 201, created.content
    member = {"value": created.json()["id"]}
    group = client.post(f"{ROOT}/Groups", {"displayName": "Tour Guides", "members": [member]})
    assert group.status_code == 201, group.content

    user = provider.model_for_endpoint("/Users").model_validate(created.json(), scim_ctx=CREATED)
    read = provider.model_for("Group").model_validate(group.json(), scim_ctx=CREATED)

    assert user.user_name == "bjensen@example.com"
    assert user.model_dump(scim_ctx=READ)[ENTERPRISE]["employeeNumber"] == "701984"
    assert read.members[0].value == member["value"]


def test_rfc7643_4_user_with_the_enterprise_extension(client, sample):
    created = client.post(f"{ROOT}/Users", sample("rfc7643-8.3-user-enterprise.json"))
    assert created.status_code == 201, created.content

    user = User[EnterpriseUser].model_validate(created.json(), scim_ctx=CREATED)
    read = User[EnterpriseUser].model_validate(get(client, f"/Users/{user.id}"), scim_ctx=READ)

    assert read.password is None  # returned: never
    assert read.name.family_name == "Jensen"
    assert read[EnterpriseUser].manager.value == "26118915-6090-4610-87e4-49d8ca9f808d"
    assert read.x509_certificates[0].value == user.x509_certificates[0].value
    assert read.meta.resource_type == "User"


def test_rfc7643_4_2_group_with_a_member(client):
    user = client.post(f"{ROOT}/Users", {"userName": "bjensen"}).json()
    created = client.post(
        f"{ROOT}/Groups", {"displayName": "Tour Guides", "members": [{"value": user["id"]}]}
    )
    assert created.status_code == 201, created.content

    group = Group.model_validate(created.json(), scim_ctx=CREATED)

    assert group.display_name == "Tour Guides"
    assert [m.value for m in group.members] == [user["id"]]
    assert group.members[0].ref.endswith(f"/Users/{user['id']}")


@pytest.mark.parametrize("path", ["/Users", "/Groups", "/Users?filter=userName%20pr&count=1"])
def test_rfc7644_3_4_2_list_responses(client, path):
    client.post(f"{ROOT}/Users", {"userName": "bjensen"})
    model = ListResponse[User[EnterpriseUser]] if "Users" in path else ListResponse[Group]

    listed = model.model_validate(get(client, path), scim_ctx=READ)

    assert listed.total_results == (0 if path == "/Groups" else 1)
    assert listed.start_index == 1


@pytest.mark.parametrize(
    ("path", "status"),
    [("/Users/nope", 404), ("/Users?filter=userName%20zz%20%22x%22", 400), ("/Nope", 404)],
)
def test_rfc7644_3_12_errors(client, path, status):
    error = Error.model_validate(get(client, path, status))

    assert error.status == status
