"""SCIMRenderer: the ``application/scim+json`` media type on the wire (RFC 7644 §3.1, §8.1)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from drf_scim.constants import ERROR_SCHEMA, MEDIA_TYPE
from drf_scim.renderers import SCIMRenderer

USERS = "/scim/v2/Users"


def _create(client, user_name="bjensen", **attributes):
    response = client.post(USERS, {"userName": user_name, **attributes})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def user(client):
    return _create(client)


# -- every SCIM response carries application/scim+json -----------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/scim/v2/Users",
        "/scim/v2/ServiceProviderConfig",
        "/scim/v2/ResourceTypes",
        "/scim/v2/ResourceTypes/User",
        "/scim/v2/Schemas",
        "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    ],
)
def test_rfc7644_8_1_get_responses_are_scim_json(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    json.loads(response.content)


def test_rfc7644_8_1_resource_and_write_responses_are_scim_json(client, user):
    location = f"{USERS}/{user['id']}"

    got = client.get(location)
    replaced = client.put(location, {"userName": "bjensen", "displayName": "Babs"})
    created = client.post(USERS, {"userName": "other"})

    for response, status in ((got, 200), (replaced, 200), (created, 201)):
        assert response.status_code == status, response.content
        assert response["Content-Type"] == MEDIA_TYPE


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/scim/v2/Users/00000000-0000-0000-0000-000000000000", 404),
        ("get", "/scim/v2/Nope", 404),
        ("put", "/scim/v2/Users", 405),
        ("post", "/scim/v2/Users", 400),
    ],
)
def test_rfc7644_8_1_error_responses_are_scim_json(client, method, path, status):
    response = getattr(client, method)(path, {} if method != "get" else None)

    assert response.status_code == status
    assert response["Content-Type"] == MEDIA_TYPE
    assert response.json()["schemas"] == [ERROR_SCHEMA]


def test_rfc7644_8_1_unauthenticated_response_is_scim_json(anonymous_client):
    response = anonymous_client.get(USERS)

    assert response.status_code == 401
    assert response["Content-Type"] == MEDIA_TYPE
    assert response.json()["schemas"] == [ERROR_SCHEMA]


# -- encoding -------------------------------------------------------------------------------


def test_rfc7644_3_1_non_ascii_is_utf8_and_unescaped(client):
    """JSON is UTF-8 (RFC 8259 §8.1); non-ASCII text is written as is, not as \\u escapes."""
    created = client.post(USERS, {"userName": "zoë", "displayName": "Zoë Ñandú 日本 😀"})
    got = client.get(f"{USERS}/{created.json()['id']}")

    for response in (created, got):
        assert "Zoë Ñandú 日本 😀".encode() in response.content
        assert b"\\u" not in response.content
        assert json.loads(response.content.decode("utf-8"))["displayName"] == "Zoë Ñandú 日本 😀"


def test_renderer_unit_is_compact_utf8_scim_json():
    renderer = SCIMRenderer()

    rendered = renderer.render({"displayName": "Zoë", "n": [1, 2]})

    assert renderer.media_type == MEDIA_TYPE
    assert rendered == '{"displayName":"Zoë","n":[1,2]}'.encode()


def test_renderer_unit_refuses_nan():
    """JSON has no NaN (RFC 8259 §6): the renderer never writes one."""
    with pytest.raises(ValueError):
        SCIMRenderer().render({"value": float("nan")})


# -- content negotiation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (MEDIA_TYPE, MEDIA_TYPE),
        ("*/*", MEDIA_TYPE),
        ("application/*", MEDIA_TYPE),
        ("application/json", "application/json"),
        ("application/json, application/scim+json", MEDIA_TYPE),
        ("text/html, application/json;q=0.9", "application/json"),
    ],
)
def test_rfc7644_3_1_accept_negotiation(client, accept, content_type):
    """Clients may ask for application/scim+json or application/json (RFC 7644 §3.1, §8.1)."""
    response = client.get(USERS, HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.json()["totalResults"] == 0


def test_rfc7644_3_1_application_json_keeps_non_ascii_unescaped(client):
    get_user_model().objects.create(username="zoë", first_name="Zoë")

    response = client.get(USERS, HTTP_ACCEPT="application/json")

    assert response["Content-Type"] == "application/json"
    assert "Zoë".encode() in response.content


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "text/plain, image/png"])
def test_rfc7644_3_12_unsupported_accept_is_406_scim_error(client, accept):
    """DRF answers 406 Not Acceptable; the body is still a SCIM Error (RFC 7644 §3.12)."""
    response = client.get(USERS, HTTP_ACCEPT=accept)

    assert response.status_code == 406
    assert response["Content-Type"] == MEDIA_TYPE
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "406"
    assert "scimType" not in body
    assert body["detail"]


def test_rfc7644_3_12_unsupported_accept_on_write_changes_nothing(client):
    response = client.post(USERS, {"userName": "nobody"}, HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert not get_user_model().objects.filter(username="nobody").exists()
