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


def root_walk(client, body, key="cursor"):
    """Every page of a root cursor walk, forward, then back by previousCursor."""
    forward = [client.post(SEARCH, {**body, "cursor": ""}).json()]
    while "nextCursor" in forward[-1]:
        forward.append(client.post(SEARCH, {**body, "cursor": forward[-1]["nextCursor"]}).json())
        assert len(forward) < 50
    backward = [forward[-1]]
    while "previousCursor" in backward[-1]:
        cursor = backward[-1]["previousCursor"]
        backward.append(client.post(SEARCH, {**body, "cursor": cursor}).json())
        assert len(backward) < 50
    return forward, backward


def shown(body):
    return [r.get("userName") or r.get("displayName") for r in body["Resources"]]


def test_root_search_cursor_walk_crosses_resource_types_rfc9865_3(client):
    """RFC 9865 §3: cursor and count in a root /.search body; pages run over the types in
    registration order (Users, then Groups), each resource served once, and back."""
    create_users(client, "d", "a", "c", "b")
    for name in ("g2", "g1", "g3"):
        assert client.post("/scim/v2/Groups", {"displayName": name}).status_code == 201
    body = {"schemas": [SEARCH_REQUEST_SCHEMA], "count": 3, "sortBy": "userName"}

    forward, backward = root_walk(client, body)

    assert [shown(page) for page in forward] == [["a", "b", "c"], ["d", "g2", "g1"], ["g3"]]
    assert [shown(page) for page in reversed(backward)] == [shown(page) for page in forward]
    assert all(page["totalResults"] == 7 for page in forward)
    assert all("startIndex" not in page for page in forward)
    assert "previousCursor" not in forward[0]


def test_root_search_cursor_is_bound_to_the_root_query_rfc9865_2_1(client):
    """A root cursor is invalidCursor with another filter, and at a resource endpoint."""
    create_users(client, "a", "b", "c")
    body = {"schemas": [SEARCH_REQUEST_SCHEMA], "count": 1}
    cursor = client.post(SEARCH, {**body, "cursor": ""}).json()["nextCursor"]

    other = client.post(SEARCH, {**body, "cursor": cursor, "filter": 'userName eq "a"'})
    elsewhere = client.post("/scim/v2/Users/.search", {**body, "cursor": cursor})
    garbage = client.post(SEARCH, {**body, "cursor": "nope"})
    both = client.post(SEARCH, {**body, "cursor": "", "startIndex": 1})

    for response, scim_type in ((other, "invalidCursor"), (elsewhere, "invalidCursor")):
        assert response.status_code == 400
        assert response.json()["scimType"] == scim_type
    assert garbage.json()["scimType"] == "invalidCursor"
    assert both.json()["scimType"] == "invalidValue"
