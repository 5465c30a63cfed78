"""A SCIM root mounted under a URL with its own arguments (a tenant's slug), as a project
may: every endpoint answers there, the discovery endpoints included (RFC 7644 §4)."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_selftest_tenant")]

ROOT = "/t/acme/scim/v2"


@pytest.mark.parametrize(
    "path",
    [
        "/ServiceProviderConfig",
        "/ResourceTypes",
        "/ResourceTypes/User",
        "/Schemas",
        "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        "/Users",
        "/Groups",
    ],
)
def test_rfc7644_4_discovery_and_resources_answer_under_a_parameterised_prefix(client, path):
    response = client.get(f"{ROOT}{path}")

    assert response.status_code == 200, response.content


def test_rfc7644_3_3_a_resource_created_there_is_located_there(client):
    response = client.post(f"{ROOT}/Users", {"userName": "bjensen"})

    assert response.status_code == 201, response.content
    assert response["Location"].startswith(f"http://testserver{ROOT}/Users/")
    assert client.get(response["Location"]).status_code == 200


def test_the_prefix_needs_a_token_like_any_endpoint(db):
    from rest_framework.test import APIClient

    with override_settings():
        assert APIClient().get(f"{ROOT}/ServiceProviderConfig").status_code == 401


def test_rfc7644_3_7_bulk_and_root_search_answer_there(client):
    """Bulk sub-requests and the root ``/.search`` (RFC 7644 §3.4.3) run under the prefix."""
    bulk = client.post(
        f"{ROOT}/Bulk",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"userName": "ann"}}
            ],
        },
    )
    search = client.post(
        f"{ROOT}/.search",
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]},
    )

    assert bulk.status_code == 200, bulk.content
    (result,) = bulk.json()["Operations"]
    assert result["status"] == "201"
    assert f"{ROOT}/Users/" in result["location"]
    assert search.status_code == 200, search.content
    assert search.json()["totalResults"] == 1
