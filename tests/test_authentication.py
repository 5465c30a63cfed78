"""Bearer-token authentication (RFC 7644 §2, RFC 6750) and the auth/permission settings."""

from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from drf_scim.authentication import SCIMClient, SCIMTokenAuthentication
from drf_scim.constants import ERROR_SCHEMA, MEDIA_TYPE
from drf_scim.models import SCIMEvent, SCIMToken

USERS = "/scim/v2/Users"
SPC = "/scim/v2/ServiceProviderConfig"
BEARER = 'Bearer realm="SCIM"'


def assert_401(response):
    """RFC 7235 §3.1: a 401 carries WWW-Authenticate; the body is a SCIM Error (§3.12)."""
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == MEDIA_TYPE
    assert response["WWW-Authenticate"] == BEARER
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "401"
    assert "scimType" not in body


def _token_writes(queries):
    table = SCIMToken._meta.db_table
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and table in q["sql"]
    ]


# -- the bearer token ---------------------------------------------------------------------


def test_rfc6750_2_1_valid_token_authenticates(client):
    response = client.get(USERS)

    assert response.status_code == 200


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "BeArEr"])
def test_rfc6750_2_1_scheme_is_case_insensitive(anonymous_client, token, scheme):
    """RFC 7235 §2.1: the auth-scheme is a case-insensitive token."""
    response = anonymous_client.get(USERS, HTTP_AUTHORIZATION=f"{scheme} {token.key}")

    assert response.status_code == 200


def test_rfc6750_2_1_extra_whitespace_between_scheme_and_token(anonymous_client, token):
    response = anonymous_client.get(USERS, HTTP_AUTHORIZATION=f"Bearer   {token.key}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Basic eHl6",
        "Token abc",
        "Bearer \xe9\xff\xfe",
        "Bearer scim_\xe9t\xe9",
        "Bearerabc",
    ],
    ids=[
        "missing",
        "empty",
        "scheme-only",
        "scheme-and-space",
        "two-tokens",
        "basic",
        "other-scheme",
        "non-ascii-bytes",
        "non-ascii-in-token",
        "no-space",
    ],
)
def test_rfc6750_3_missing_or_malformed_header_is_401(db, anonymous_client, authorization):
    extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}

    assert_401(anonymous_client.get(USERS, **extra))


def test_rfc6750_3_1_unknown_token_is_401(db, anonymous_client):
    assert_401(anonymous_client.get(USERS, HTTP_AUTHORIZATION="Bearer scim_unknown"))


def test_rfc6750_3_1_token_is_case_sensitive(anonymous_client, token):
    swapped = token.key.swapcase()
    assert swapped != token.key

    assert_401(anonymous_client.get(USERS, HTTP_AUTHORIZATION=f"Bearer {swapped}"))


def test_rfc6750_3_1_revoked_token_is_401(client, token):
    token.revoke()

    assert_401(client.get(USERS))
    assert_401(client.get(SPC))


def test_revoked_token_cannot_write(client, token, django_user_model):
    token.revoke()

    assert_401(client.post(USERS, {"userName": "bjensen"}))
    assert not django_user_model.objects.exists()
    assert not SCIMEvent.objects.exists()


# -- expiry ---------------------------------------------------------------------------------


def _expire(token, seconds_ago=1):
    SCIMToken.objects.filter(pk=token.pk).update(
        expires=timezone.now() - datetime.timedelta(seconds=seconds_ago)
    )


def test_rfc7644_3_12_expired_token_is_401_with_a_scim_error(client, token):
    """An expired token is refused like a revoked one: 401 and a SCIM Error body."""
    _expire(token)

    response = client.get(USERS)

    assert_401(response)
    assert response.json()["detail"] == "Expired token."
    assert_401(client.get(SPC))


def test_expired_token_cannot_write(client, token, django_user_model):
    _expire(token)

    assert_401(client.post(USERS, {"userName": "bjensen"}))
    assert not django_user_model.objects.exists()
    assert not SCIMEvent.objects.exists()


def test_expired_token_does_not_touch_last_used(client, token):
    _expire(token)

    client.get(USERS)

    assert SCIMToken.objects.get(pk=token.pk).last_used is None


def test_token_authenticates_until_it_expires(client, token):
    SCIMToken.objects.filter(pk=token.pk).update(
        expires=timezone.now() + datetime.timedelta(minutes=5)
    )

    assert client.get(USERS).status_code == 200
    _expire(token)
    assert_401(client.get(USERS))
    SCIMToken.objects.filter(pk=token.pk).update(expires=None)
    assert client.get(USERS).status_code == 200


def test_token_state(token):
    assert token.get_state() == SCIMToken.State.ACTIVE
    assert token.is_active
    token.expires = timezone.now() - datetime.timedelta(seconds=1)
    assert token.get_state() == SCIMToken.State.EXPIRED
    assert not token.is_active
    assert token.get_state(now=token.expires - datetime.timedelta(seconds=1)) == "active"
    token.revoke()
    assert token.get_state() == SCIMToken.State.REVOKED


def test_checking_expiry_adds_no_query(client, token, django_assert_num_queries):
    """The expiry is read with the token: an expired token costs one query, as a valid one."""
    _expire(token)

    with django_assert_num_queries(1):
        assert_401(client.get(SPC))


def test_request_user_is_the_scim_client(token):
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().get(USERS, HTTP_AUTHORIZATION=f"Bearer {token.key}")

    user, auth = SCIMTokenAuthentication().authenticate(request)

    assert isinstance(user, SCIMClient)
    assert user.is_authenticated
    assert not user.is_staff
    assert not user.is_superuser
    assert auth == token
    assert user.token == token


def test_other_authorization_scheme_is_left_to_other_classes(db):
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().get(USERS, HTTP_AUTHORIZATION="Basic eHl6")

    assert SCIMTokenAuthentication().authenticate(request) is None


# -- last_used ----------------------------------------------------------------------------------


def test_last_used_is_set_on_first_use(client, token):
    assert SCIMToken.objects.get(pk=token.pk).last_used is None
    before = timezone.now()

    client.get(USERS)

    last_used = SCIMToken.objects.get(pk=token.pk).last_used
    assert last_used is not None
    assert before <= last_used <= timezone.now()


def test_last_used_is_not_rewritten_within_the_resolution(client, token):
    with CaptureQueriesContext(connection) as first:
        client.get(USERS)
    first_used = SCIMToken.objects.get(pk=token.pk).last_used
    with CaptureQueriesContext(connection) as second:
        client.get(USERS)

    assert len(_token_writes(first.captured_queries)) == 1
    assert _token_writes(second.captured_queries) == []
    assert len(second.captured_queries) == len(first.captured_queries) - 1
    assert SCIMToken.objects.get(pk=token.pk).last_used == first_used


def test_last_used_is_rewritten_after_the_resolution(client, token):
    client.get(USERS)
    long_ago = timezone.now() - datetime.timedelta(seconds=61)
    SCIMToken.objects.filter(pk=token.pk).update(last_used=long_ago)

    with CaptureQueriesContext(connection) as queries:
        client.get(USERS)

    assert len(_token_writes(queries.captured_queries)) == 1
    assert SCIMToken.objects.get(pk=token.pk).last_used > long_ago


@override_settings(DRF_SCIM={"TOKEN_LAST_USED_RESOLUTION": 3600})
def test_last_used_resolution_setting(client, token):
    client.get(USERS)
    recent = timezone.now() - datetime.timedelta(seconds=600)
    SCIMToken.objects.filter(pk=token.pk).update(last_used=recent)

    with CaptureQueriesContext(connection) as queries:
        client.get(USERS)

    assert _token_writes(queries.captured_queries) == []
    assert SCIMToken.objects.get(pk=token.pk).last_used == recent


def test_failed_authentication_does_not_touch_last_used(db, anonymous_client, token):
    anonymous_client.get(USERS, HTTP_AUTHORIZATION=f"Bearer {token.key}x")

    assert SCIMToken.objects.get(pk=token.pk).last_used is None


# -- storage: only the SHA-256 digest -------------------------------------------------------


def test_token_is_stored_only_as_sha256_digest(token):
    row = SCIMToken.objects.filter(pk=token.pk).values().get()

    assert row["key_digest"] == hashlib.sha256(token.key.encode()).hexdigest()
    for column, value in row.items():
        assert token.key not in str(value), column
    assert token.key.startswith(row["prefix"])
    assert len(row["prefix"]) < len(token.key) // 2


def test_generated_tokens_are_long_random_and_distinct(db):
    keys = {SCIMToken.generate(f"idp {index}")[1] for index in range(5)}

    assert len(keys) == 5
    assert all(len(key) >= 43 for key in keys)  # 256 bits in URL-safe base64


def test_token_str_shows_only_the_prefix(token):
    assert token.key not in str(token)
    assert token.prefix in str(token)


# -- AUTHENTICATION_CLASSES ---------------------------------------------------------------


class HeaderAuthentication(BaseAuthentication):
    """A small authentication class that SCIM knows how to advertise."""

    scim_authentication_scheme = {
        "type": "httpbasic",
        "name": "Test header",
        "description": "A test scheme.",
        "specUri": "https://example.com/spec",
        "primary": False,
    }

    def authenticate(self, request):
        if request.META.get("HTTP_X_TEST_AUTH") == "yes":
            return SCIMClient(SCIMToken(name="header")), None
        return None

    def authenticate_header(self, request):
        return 'X-Test realm="SCIM"'


@pytest.fixture
def basic_user(django_user_model):
    return django_user_model.objects.create_user(username="idp", password="s3cret")


def _basic(user_name, password):
    return "Basic " + base64.b64encode(f"{user_name}:{password}".encode()).decode()


@override_settings(
    DRF_SCIM={"AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"]}
)
def test_authentication_classes_setting_swaps_in_basic_auth(anonymous_client, basic_user, token):
    ok = anonymous_client.get(USERS, HTTP_AUTHORIZATION=_basic("idp", "s3cret"))
    bad = anonymous_client.get(USERS, HTTP_AUTHORIZATION=_basic("idp", "wrong"))
    bearer = anonymous_client.get(USERS, HTTP_AUTHORIZATION=f"Bearer {token.key}")

    assert ok.status_code == 200
    assert bad.status_code == 401
    assert bad.json()["schemas"] == [ERROR_SCHEMA]
    assert bad["WWW-Authenticate"] == 'Basic realm="api"'
    assert bearer.status_code == 401


@override_settings(
    DRF_SCIM={"AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"]}
)
def test_rfc7643_5_class_without_scheme_is_not_advertised(anonymous_client, basic_user):
    response = anonymous_client.get(SPC, HTTP_AUTHORIZATION=_basic("idp", "s3cret"))

    assert response.status_code == 200
    assert response.json()["authenticationSchemes"] == []


@override_settings(
    DRF_SCIM={
        "AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.BasicAuthentication",
            "tests.test_authentication.HeaderAuthentication",
        ]
    }
)
def test_rfc7643_5_only_classes_declaring_a_scheme_are_advertised(db, anonymous_client):
    response = anonymous_client.get(SPC, HTTP_X_TEST_AUTH="yes")

    assert response.status_code == 200
    assert response.json()["authenticationSchemes"] == [
        HeaderAuthentication.scim_authentication_scheme
    ]


@override_settings(
    DRF_SCIM={
        "AUTHENTICATION_CLASSES": [
            "tests.test_authentication.HeaderAuthentication",
            "drf_scim.authentication.SCIMTokenAuthentication",
        ]
    }
)
def test_rfc7643_5_every_configured_scheme_is_advertised_in_order(client):
    response = client.get(SPC)

    assert response.status_code == 200
    assert response.json()["authenticationSchemes"] == [
        HeaderAuthentication.scim_authentication_scheme,
        SCIMTokenAuthentication.scim_authentication_scheme,
    ]


@override_settings(
    DRF_SCIM={"AUTHENTICATION_CLASSES": ["tests.test_authentication.HeaderAuthentication"]}
)
def test_custom_class_authenticates_and_names_its_challenge(db, anonymous_client):
    ok = anonymous_client.get(USERS, HTTP_X_TEST_AUTH="yes")
    refused = anonymous_client.get(USERS)

    assert ok.status_code == 200
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == 'X-Test realm="SCIM"'


# -- PERMISSION_CLASSES -------------------------------------------------------------------


class DenyAll(BasePermission):
    message = "This identity provider may not use SCIM."

    def has_permission(self, request, view):
        return False


class ReadOnly(BasePermission):
    def has_permission(self, request, view):
        return request.method in ("GET", "HEAD")


@override_settings(DRF_SCIM={"PERMISSION_CLASSES": ["tests.test_authentication.DenyAll"]})
@pytest.mark.parametrize("path", [USERS, SPC, "/scim/v2/Schemas", "/scim/v2/Nope"])
def test_permission_classes_setting_denies_with_scim_403(client, path):
    response = client.get(path)

    assert response.status_code == 403
    assert response["Content-Type"] == MEDIA_TYPE
    assert response.json() == {
        "schemas": [ERROR_SCHEMA],
        "status": "403",
        "detail": "This identity provider may not use SCIM.",
    }


@override_settings(DRF_SCIM={"PERMISSION_CLASSES": ["tests.test_authentication.ReadOnly"]})
def test_permission_classes_setting_denied_write_changes_nothing(client, django_user_model):
    assert client.get(USERS).status_code == 200

    response = client.post(USERS, {"userName": "bjensen"})

    assert response.status_code == 403
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert not django_user_model.objects.exists()


@override_settings(DRF_SCIM={"PERMISSION_CLASSES": ["tests.test_authentication.DenyAll"]})
def test_permission_denied_when_anonymous_is_still_401(db, anonymous_client):
    """Authentication comes first: without credentials the answer is 401, not 403."""
    assert_401(anonymous_client.get(USERS))


@override_settings(DRF_SCIM={"PERMISSION_CLASSES": []})
def test_empty_permission_classes_lets_anonymous_in(db, anonymous_client):
    assert anonymous_client.get(SPC).status_code == 200
