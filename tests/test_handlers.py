"""The SCIM exception handler: every error is an RFC 7644 §3.12 Error body."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.test import override_settings
from rest_framework import exceptions as drf_exceptions
from rest_framework.settings import api_settings

from drf_scim import errors, signals
from drf_scim.constants import ERROR_SCHEMA, MEDIA_TYPE
from drf_scim.exceptions import InvalidValue, Uniqueness
from drf_scim.handlers import UNEXPECTED_DETAIL, error_response, scim_exception_handler
from drf_scim.models import SCIMEvent, UserRecord

USERS = "/scim/v2/Users"
MISSING_ID = "00000000-0000-0000-0000-000000000000"
BEARER = 'Bearer realm="SCIM"'


def assert_scim_error(response, status, scim_type=None):
    """RFC 7644 §3.12: exactly schemas, status (a string), scimType where defined, detail."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == MEDIA_TYPE
    body = response.json()
    expected_keys = {"schemas", "status", "detail"} | ({"scimType"} if scim_type else set())
    assert set(body) == expected_keys
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert isinstance(body["status"], str)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if scim_type:
        assert body["scimType"] == scim_type
    return body


def broken_exception_handler(exc, context):
    """A host project's handler that SCIM views must never call."""
    msg = "the host's EXCEPTION_HANDLER was called by a SCIM view"
    raise AssertionError(msg)


@pytest.fixture
def user(client):
    response = client.post(USERS, {"userName": "bjensen"})
    assert response.status_code == 201
    return response.json()


# -- the Error body ---------------------------------------------------------------------------


def test_rfc7644_3_12_error_body_shape_with_scim_type(client):
    response = client.post(USERS, {"displayName": "no userName"})

    body = assert_scim_error(response, 400, "invalidValue")
    assert "userName" in body["detail"]


def test_rfc7644_3_12_error_body_shape_without_scim_type(client):
    response = client.get(f"{USERS}/{MISSING_ID}")

    assert_scim_error(response, 404)


def test_rfc7644_3_12_uniqueness_is_409_with_scim_type(client, user):
    response = client.post(USERS, {"userName": "BJENSEN"})

    assert_scim_error(response, 409, "uniqueness")
    assert get_user_model().objects.count() == 1


def test_error_response_unit():
    response = error_response(412, "changed", None, {"ETag": 'W/"2"'})

    assert response.status_code == 412
    assert response.data == {"schemas": [ERROR_SCHEMA], "status": "412", "detail": "changed"}
    assert response["ETag"] == 'W/"2"'


def test_error_response_unit_with_scim_type_orders_keys_like_the_rfc():
    response = error_response(400, "bad", "invalidValue")

    assert list(response.data) == ["schemas", "status", "scimType", "detail"]


# -- 401 and WWW-Authenticate -------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Bearer scim_0000000000000000000000000000000000000000000"],
    ids=["missing", "unknown", "unknown-well-formed"],
)
def test_rfc7644_3_12_401_carries_www_authenticate(db, anonymous_client, authorization):
    """RFC 7235 §3.1 / RFC 6750 §3: a 401 names the scheme in WWW-Authenticate."""
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = anonymous_client.get(USERS, **extra)

    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"] == BEARER


def test_rfc7644_3_12_revoked_token_is_401_with_www_authenticate(client, token):
    token.revoke()

    response = client.get(USERS)

    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"] == BEARER


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/scim/v2/ServiceProviderConfig"),
        ("get", "/scim/v2/Schemas"),
        ("post", USERS),
        ("put", f"{USERS}/{MISSING_ID}"),
        ("delete", f"{USERS}/{MISSING_ID}"),
        ("get", "/scim/v2/Nope"),
    ],
)
def test_rfc7644_2_every_endpoint_is_401_when_anonymous(db, anonymous_client, method, path):
    response = getattr(anonymous_client, method)(path)

    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"] == BEARER


# -- 405 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path_template"),
    [
        ("post", USERS + "/{id}"),
        ("put", USERS),
        ("delete", USERS),
        ("patch", USERS),
    ],
)
def test_rfc7644_3_12_method_not_allowed_is_scim_error(client, user, method, path_template):
    path = path_template.format(id=user["id"])

    response = getattr(client, method)(path, {"userName": "x"})

    body = assert_scim_error(response, 405)
    assert method.upper() in body["detail"]
    assert method.upper() not in response["Allow"]
    assert get_user_model().objects.count() == 1


def test_rfc7644_3_12_method_not_allowed_after_authentication(db, anonymous_client):
    response = anonymous_client.put(USERS, {"userName": "x"})

    assert_scim_error(response, 401)


# -- unknown paths --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/scim/v2/Nope", "/scim/v2/Devices", "/scim/v2/Users/x/y", "/scim/v2/", "/scim/v2/Bulk/x"],
)
def test_rfc7644_3_12_unknown_path_is_scim_404(client, path):
    response = client.get(path)

    assert_scim_error(response, 404)


@pytest.mark.parametrize("path", ["/scim/v2/Nope", "/scim/v2/Devices", "/scim/v2/"])
def test_rfc7644_3_12_unknown_path_is_401_first_when_anonymous(db, anonymous_client, path):
    response = anonymous_client.get(path)

    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"] == BEARER


def test_rfc7644_3_12_malformed_resource_id_is_404(client):
    response = client.get(f"{USERS}/not-a-uuid")

    assert_scim_error(response, 404)


# -- conversions of Django and DRF exceptions (unit) ------------------------------------------


def test_http404_becomes_scim_404():
    response = scim_exception_handler(Http404("No User matches the given query."), {})

    assert response.status_code == 404
    assert response.data["schemas"] == [ERROR_SCHEMA]
    assert response.data["status"] == "404"
    assert "scimType" not in response.data


def test_drf_not_found_becomes_scim_404_keeping_detail():
    response = scim_exception_handler(drf_exceptions.NotFound("No such thing."), {})

    assert response.status_code == 404
    assert response.data == {"schemas": [ERROR_SCHEMA], "status": "404", "detail": "No such thing."}


def test_django_permission_denied_becomes_scim_403():
    response = scim_exception_handler(DjangoPermissionDenied(), {})

    assert response.status_code == 403
    assert response.data["schemas"] == [ERROR_SCHEMA]
    assert response.data["status"] == "403"
    assert "scimType" not in response.data


def test_drf_validation_error_becomes_invalid_value_with_paths():
    exc = drf_exceptions.ValidationError(
        {
            "userName": ["This field is required."],
            "name": {"givenName": ["Too long."]},
            "non_field_errors": ["Something else."],
        }
    )

    response = scim_exception_handler(exc, {})

    assert response.status_code == 400
    assert response.data["scimType"] == "invalidValue"
    assert response.data["status"] == "400"
    detail = response.data["detail"]
    assert isinstance(detail, str)
    assert "userName: This field is required." in detail
    assert "name.givenName: Too long." in detail
    assert "Something else." in detail
    assert "non_field_errors" not in detail


def test_drf_validation_error_with_a_plain_message():
    response = scim_exception_handler(drf_exceptions.ValidationError("Bad value."), {})

    assert response.data == {
        "schemas": [ERROR_SCHEMA],
        "status": "400",
        "scimType": "invalidValue",
        "detail": "Bad value.",
    }


def test_drf_parse_error_becomes_invalid_syntax():
    response = scim_exception_handler(drf_exceptions.ParseError("JSON parse error"), {})

    assert response.status_code == 400
    assert response.data["scimType"] == "invalidSyntax"
    assert response.data["detail"] == "JSON parse error"


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (drf_exceptions.NotAuthenticated(), 401),
        (drf_exceptions.AuthenticationFailed(), 401),
        (drf_exceptions.PermissionDenied(), 403),
        (drf_exceptions.MethodNotAllowed("PUT"), 405),
        (drf_exceptions.NotAcceptable(), 406),
        (drf_exceptions.UnsupportedMediaType("text/plain"), 415),
        (drf_exceptions.Throttled(), 429),
    ],
)
def test_other_drf_exceptions_keep_status_without_scim_type(exc, status):
    response = scim_exception_handler(exc, {})

    assert response.status_code == status
    assert set(response.data) == {"schemas", "status", "detail"}
    assert response.data["status"] == str(status)


def test_throttled_keeps_retry_after():
    response = scim_exception_handler(drf_exceptions.Throttled(wait=30), {})

    assert response.status_code == 429
    assert response["Retry-After"] == "30"


def test_auth_header_becomes_www_authenticate():
    exc = drf_exceptions.NotAuthenticated()
    exc.auth_header = BEARER

    response = scim_exception_handler(exc, {})

    assert response["WWW-Authenticate"] == BEARER


@pytest.mark.parametrize("exc", [RuntimeError("bug"), KeyError("x"), ValueError("y")])
def test_rfc7644_3_12_unknown_exceptions_are_a_scim_500_that_tells_nothing(exc):
    """A bug is still answered with an Error body (RFC 7644 §3.12), whose detail does not
    repeat the exception's message; the host's reporting sees it (tests/test_no_500.py)."""
    response = scim_exception_handler(exc, {"report": False})

    assert response.status_code == 500
    assert response.data == {
        "schemas": [ERROR_SCHEMA],
        "status": "500",
        "detail": UNEXPECTED_DETAIL,
    }


@pytest.mark.parametrize("exc", [RuntimeError("bug"), KeyError("x")])
def test_unknown_exceptions_propagate_with_debug_propagate_exceptions(exc, settings):
    """Django's DEBUG_PROPAGATE_EXCEPTIONS is honoured: returning None makes DRF re-raise."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True

    assert scim_exception_handler(exc, {}) is None


# -- through the views ------------------------------------------------------------------------


def test_unknown_exception_in_a_view_reaches_the_host_and_rolls_back(client):
    """The test client re-raises what Django's ``got_request_exception`` reported."""

    def explode(**kwargs):
        msg = "receiver bug"
        raise RuntimeError(msg)

    signals.post_operation.connect(explode, dispatch_uid="test-explode")
    try:
        with pytest.raises(RuntimeError, match="receiver bug"):
            client.post(USERS, {"userName": "bjensen"})
    finally:
        signals.post_operation.disconnect(dispatch_uid="test-explode")

    assert not get_user_model().objects.filter(username="bjensen").exists()
    assert UserRecord.objects.count() == 0


def test_scim_exception_from_a_receiver_is_a_scim_error_and_rolls_back(client):
    def refuse(**kwargs):
        msg = "employeeNumber already in use."
        raise Uniqueness(msg)

    signals.post_operation.connect(refuse, dispatch_uid="test-refuse")
    try:
        response = client.post(USERS, {"userName": "bjensen"})
    finally:
        signals.post_operation.disconnect(dispatch_uid="test-refuse")

    body = assert_scim_error(response, 409, "uniqueness")
    assert body["detail"] == "employeeNumber already in use."
    assert not get_user_model().objects.filter(username="bjensen").exists()
    assert SCIMEvent.objects.get().status == 409


def test_invalid_value_from_pre_operation_is_scim_error(client, user):
    def refuse(**kwargs):
        msg = "displayName: not allowed."
        raise InvalidValue(msg)

    signals.pre_operation.connect(refuse, dispatch_uid="test-pre-refuse")
    try:
        response = client.put(f"{USERS}/{user['id']}", {"userName": "renamed"})
    finally:
        signals.pre_operation.disconnect(dispatch_uid="test-pre-refuse")

    assert_scim_error(response, 400, "invalidValue")
    assert get_user_model().objects.filter(username="bjensen").exists()


# -- the host's EXCEPTION_HANDLER is not used ---------------------------------------------


@pytest.fixture
def broken_host_handler():
    with override_settings(
        REST_FRAMEWORK={
            "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
            "EXCEPTION_HANDLER": "tests.test_handlers.broken_exception_handler",
        }
    ):
        assert api_settings.EXCEPTION_HANDLER is broken_exception_handler
        yield


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "scim_type"),
    [
        ("get", f"{USERS}/{MISSING_ID}", None, 404, None),
        ("get", "/scim/v2/Nope", None, 404, None),
        ("post", USERS, {"displayName": "x"}, 400, "invalidValue"),
        ("put", USERS, {"userName": "x"}, 405, None),
        ("get", "/scim/v2/ResourceTypes/Nope", None, 404, None),
        ("get", "/scim/v2/Schemas?filter=id+pr", None, 403, None),
    ],
)
def test_host_exception_handler_is_not_used_by_scim_views(
    client, broken_host_handler, method, path, data, status, scim_type
):
    response = getattr(client, method)(path, data)

    assert_scim_error(response, status, scim_type)


def test_host_exception_handler_is_not_used_for_401(db, anonymous_client, broken_host_handler):
    response = anonymous_client.get(USERS)

    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"] == BEARER


@pytest.mark.parametrize(
    "error_class",
    [
        errors.InvalidFilterError,
        errors.InvalidPathError,
        errors.InvalidSyntaxError,
        errors.InvalidValueError,
        errors.MutabilityError,
        errors.NoTargetError,
    ],
)
def test_rfc7644_3_12_errors_of_the_pure_core_render_with_their_scim_type(error_class):
    """The pure core raises :mod:`drf_scim.errors`; the handler answers with Table 9's type."""
    response = scim_exception_handler(error_class("Nope."), {})

    assert response.status_code == 400
    assert response.data == {
        "schemas": [ERROR_SCHEMA],
        "status": "400",
        "scimType": error_class.scim_type,
        "detail": "Nope.",
    }
