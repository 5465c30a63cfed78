"""Versions and ETags: RFC 7644 §3.14 (and RFC 9110 §13 for the conditional headers)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from drf_scim.constants import GROUP_SCHEMA

USERS = "/scim/v2/Users"


def create(client, name="bjensen"):
    response = client.post(USERS, {"userName": name})
    assert response.status_code == 201
    return response


def test_etag_header_matches_meta_version_on_every_response_rfc7644_3_14(client):
    created = create(client)
    version = created.json()["meta"]["version"]
    assert created["ETag"] == version == 'W/"1"'
    url = created["Location"]
    assert client.get(url)["ETag"] == version
    replaced = client.put(url, {"userName": "bjensen", "title": "Dr"})
    assert replaced["ETag"] == replaced.json()["meta"]["version"] == 'W/"2"'


def test_version_changes_on_every_write_rfc7644_3_14(client):
    url = create(client)["Location"]
    versions = {client.get(url).json()["meta"]["version"]}
    for title in ("a", "b", "c"):
        versions.add(
            client.put(url, {"userName": "bjensen", "title": title}).json()["meta"]["version"]
        )
    user = User.objects.get()
    user.first_name = "changed outside SCIM"
    user.save()
    versions.add(client.get(url).json()["meta"]["version"])
    assert len(versions) == 5


def test_if_none_match_gives_304_rfc7644_3_14(client):
    created = create(client)
    url, etag = created["Location"], created["ETag"]
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"1"').status_code == 304  # weak comparison
    assert client.get(url, HTTP_IF_NONE_MATCH='W/"99"').status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 304


def test_if_match_mismatch_is_412_and_changes_nothing_rfc7644_3_14(client):
    created = create(client)
    url = created["Location"]
    response = client.put(url, {"userName": "renamed"}, HTTP_IF_MATCH='W/"7"')
    assert response.status_code == 412
    body = response.json()
    assert body["status"] == "412"
    assert "scimType" not in body
    assert client.delete(url, HTTP_IF_MATCH='W/"7"').status_code == 412
    assert User.objects.get().username == "bjensen"


def test_if_match_with_the_current_version_writes_rfc7644_3_14(client):
    created = create(client)
    url, etag = created["Location"], created["ETag"]
    response = client.put(url, {"userName": "renamed"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    stale = client.put(url, {"userName": "again"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert client.delete(url, HTTP_IF_MATCH=f'"x", {response["ETag"]}').status_code == 204


def test_if_match_star_matches_any_version(client):
    url = create(client)["Location"]
    assert client.put(url, {"userName": "x"}, HTTP_IF_MATCH="*").status_code == 200


@pytest.mark.parametrize("mode", ["deactivate", "delete"])
def test_a_group_gets_a_new_version_when_a_member_is_deleted_rfc7644_3_14(client, settings, mode):
    """A deleted user is gone from its groups' ``members`` (RFC 7644 §3.6), so each of
    those groups is a new version: an ``If-None-Match`` of the old one is no 304."""
    settings.DRF_SCIM = {"DELETE_MODE": mode}
    ann, bob = create(client, "ann").json(), create(client, "bob").json()
    members = [{"value": ann["id"]}, {"value": bob["id"]}]
    group = client.post(
        "/scim/v2/Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "Ops", "members": members},
    )
    assert group.status_code == 201, group.content
    url, before = group["Location"], group["ETag"]

    assert client.delete(f"{USERS}/{ann['id']}").status_code == 204

    after = client.get(url)
    assert [m["value"] for m in after.json()["members"]] == [bob["id"]]
    assert after["ETag"] != before
    assert client.get(url, HTTP_IF_NONE_MATCH=before).status_code == 200
