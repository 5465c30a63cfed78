"""POST /.search at the service provider's root (RFC 7644 §3.4.3)."""

from __future__ import annotations

from drf_scim.constants import LIST_RESPONSE_SCHEMA, SEARCH_REQUEST_SCHEMA

SEARCH = "/scim/v2/.search"


def create_users(client, *names):
    for name in names:
        assert client.post("/scim/v2/Users", {"userName": name}).status_code == 201


def test_root_search_queries_every_resource_type_rfc7644_3_4_3(client):
    create_users(client, "alice", "bob", "carol")
    response = client.post(
        SEARCH,
        {
            "schemas": [SEARCH_REQUEST_SCHEMA],
            "filter": 'userName sw "a" or userName eq "carol"',
            "sortBy": "userName",
            "sortOrder": "descending",
            "attributes": ["userName"],
            "startIndex": 1,
            "count": 10,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert body["totalResults"] == 2
    assert [r["userName"] for r in body["Resources"]] == ["carol", "alice"]
    assert all(set(r) == {"schemas", "id", "userName"} for r in body["Resources"])


def test_root_search_pages_over_the_whole_rfc7644_3_4_2_4(client):
    create_users(client, "a", "b", "c", "d")
    body = client.post(SEARCH, {"startIndex": 2, "count": 2, "sortBy": "userName"}).json()
    assert body["totalResults"] == 4
    assert body["startIndex"] == 2
    assert [r["userName"] for r in body["Resources"]] == ["b", "c"]


def test_root_search_unknown_attribute_is_invalid_filter(client):
    response = client.post(SEARCH, {"filter": 'nope eq "x"'})
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


def test_root_search_needs_authentication_and_post(anonymous_client, client):
    assert anonymous_client.post(SEARCH, {}).status_code == 401
    assert client.get(SEARCH).status_code == 405
