"""No input produces a 500: every failure is a SCIM Error (RFC 7644 §3.12) and is audited.

The audit recorder must never turn a failing request into a 500: it reads the body only
if it can, and stores only what every database can hold (no NUL, which PostgreSQL refuses
in text and JSON; no ``resource_id`` longer than its column).
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth import get_user_model

from drf_scim.constants import ERROR_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.models import SCIMEvent

USERS = "/scim/v2/Users"
MEDIA_TYPE = "application/scim+json"


def assert_scim_error(response, status, scim_type=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type


def no_nul_stored():
    for event in SCIMEvent.objects.all():
        assert "\x00" not in event.resource_id
        assert "\x00" not in event.detail
        assert "\\u0000" not in json.dumps(event.payload)  # how JSON writes a NUL


@pytest.fixture
def user_url(client):
    created = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"}).json()
    return f"{USERS}/{created['id']}"


NOT_OBJECTS = [b"[]", b'"str"', b"", b"42", b"null", b"{", b"\xff"]


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_rfc7644_3_5_1_put_of_a_non_object_to_a_missing_id_is_404(client, body):
    """The 404 is found before the body is read; recording it must not re-raise the
    body's invalidSyntax as a 500."""
    url = f"{USERS}/{uuid.uuid4()}"
    response = client.generic("PUT", url, body, content_type=MEDIA_TYPE)
    assert_scim_error(response, 404)
    event = SCIMEvent.objects.get()
    # DRF reads an empty body as {}; a body that does not parse is recorded as None.
    payload = {} if body == b"" else None
    assert (event.operation, event.status, event.payload) == ("replace", 404, payload)


@pytest.mark.parametrize("body", NOT_OBJECTS)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_rfc7644_3_14_non_object_with_a_failing_if_match_is_412_or_400(
    client, user_url, body, method
):
    response = client.generic(
        method, user_url, body, content_type=MEDIA_TYPE, HTTP_IF_MATCH='W/"nope"'
    )
    # PUT checks If-Match before reading the body; PATCH parses its operations first.
    if method == "PUT":
        assert_scim_error(response, 412)
    else:
        assert_scim_error(response, 400, "invalidSyntax")
    event = SCIMEvent.objects.get(status=response.status_code)
    assert event.payload == ({} if body == b"" else None)
    assert get_user_model().objects.get().username == "bjensen"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_rfc7644_3_12_nul_in_the_resource_id_is_a_404_recorded_without_nul(client, method):
    body = {"schemas": [USER_SCHEMA], "userName": "x"}
    if method == "PATCH":
        body = {"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "remove", "path": "title"}]}
    response = getattr(client, method.lower())(f"{USERS}/abc%00def", body)
    assert_scim_error(response, 404)
    event = SCIMEvent.objects.get()
    assert event.resource_id == "abc\ufffddef"
    no_nul_stored()


def test_rfc7644_3_12_a_long_resource_id_is_recorded_cut_to_its_column(client):
    response = client.delete(f"{USERS}/{'x' * 500}")
    assert_scim_error(response, 404)
    max_length = SCIMEvent._meta.get_field("resource_id").max_length
    assert SCIMEvent.objects.get().resource_id == "x" * max_length


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "replace", "path": "title\x00", "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": 'emails[type eq "\x00"]', "value": "x"}, "invalidPath"),
        ({"op": "replace\x00", "path": "title", "value": "x"}, "invalidSyntax"),
        ({"op": "replace", "path": "title", "value": "a\x00b"}, "invalidValue"),
    ],
)
def test_rfc7644_3_5_2_nul_in_a_patch_is_refused_and_recorded_without_nul(
    client, user_url, operation, scim_type
):
    response = client.patch(user_url, {"schemas": [PATCH_OP_SCHEMA], "Operations": [operation]})
    assert_scim_error(response, 400, scim_type)
    event = SCIMEvent.objects.get(operation="patch")
    assert event.status == 400
    no_nul_stored()


def test_rfc7644_3_5_2_1_unknown_keys_with_nul_are_dropped_and_recorded_without_nul(
    client, user_url
):
    operation = {"op": "replace", "value": {"title\x00": "x", "nick\x00Name": "y\x00"}}
    response = client.patch(user_url, {"schemas": [PATCH_OP_SCHEMA], "Operations": [operation]})
    assert response.status_code == 200, response.content
    assert SCIMEvent.objects.get(operation="patch").payload["Operations"][0]["value"] == {
        "title\ufffd": "x",
        "nick\ufffdName": "y\ufffd",
    }
    no_nul_stored()


# -- unexpected exceptions: a SCIM 500, reported to the host, audited, rolled back ---------


class Bug(RuntimeError):
    pass


def _raise_after_saving(self, *args):
    """A hook of the host's that writes, then fails: the write must be rolled back."""
    if args and hasattr(args[0], "is_valid"):  # a serializer
        args[0].save()
    elif args:
        args[0].delete()
    msg = "host hook failed with secret s3cr3t"
    raise Bug(msg)


@pytest.fixture
def reports():
    """What the host's error reporting sees: ``got_request_exception``, once per bug."""
    from django.core.signals import got_request_exception

    seen = []

    def receiver(sender, request, **kwargs):
        seen.append(request.path)

    got_request_exception.connect(receiver, dispatch_uid="test-no-500-reports")
    yield seen
    got_request_exception.disconnect(dispatch_uid="test-no-500-reports")


@pytest.mark.parametrize(
    ("method", "hook", "operation"),
    [
        ("post", "perform_create", "create"),
        ("put", "perform_update", "replace"),
        ("patch", "perform_update", "patch"),
        ("delete", "perform_destroy", "delete"),
    ],
)
def test_rfc7644_3_12_a_bug_in_a_write_hook_is_a_scim_500_audited_and_rolled_back(
    client, user_url, monkeypatch, caplog, reports, method, hook, operation
):
    from drf_scim.handlers import UNEXPECTED_DETAIL
    from drf_scim.viewsets import UserViewSet

    monkeypatch.setattr(UserViewSet, hook, _raise_after_saving)
    client.raise_request_exception = False
    url = USERS if method == "post" else user_url
    body = {
        "post": {"schemas": [USER_SCHEMA], "userName": "newcomer"},
        "put": {"schemas": [USER_SCHEMA], "userName": "renamed"},
        "patch": {
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": [{"op": "replace", "path": "userName", "value": "renamed"}],
        },
        "delete": None,
    }[method]
    before = SCIMEvent.objects.count()

    response = getattr(client, method)(url, body)

    assert response["Content-Type"] == MEDIA_TYPE
    assert response.json() == {
        "schemas": [ERROR_SCHEMA],
        "status": "500",
        "detail": UNEXPECTED_DETAIL,
    }
    assert b"s3cr3t" not in response.content
    # Rolled back: the user is as it was.
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["bjensen"]
    # Audited once, as the 500 answered.
    event = SCIMEvent.objects.order_by("-pk").first()
    assert SCIMEvent.objects.count() == before + 1
    assert (event.operation, event.status, event.detail) == (operation, 500, UNEXPECTED_DETAIL)
    # Reported once to the host: the signal, and django.request's log with the traceback.
    assert reports == [url]
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert len(errors) == 1
    assert errors[0].exc_info[0] is Bug
    assert errors[0].status_code == 500


def test_rfc7644_3_12_a_bug_in_a_read_is_a_scim_500_reported_once(
    client, monkeypatch, caplog, reports
):
    from drf_scim.viewsets import UserViewSet

    def broken(self):
        raise Bug

    monkeypatch.setattr(UserViewSet, "get_queryset", broken)
    client.raise_request_exception = False

    response = client.get(USERS)

    assert response.status_code == 500
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert reports == [USERS]
    assert len([r for r in caplog.records if r.name == "django.request"]) == 1
    assert not SCIMEvent.objects.exists()  # reads are not audited


def test_a_bug_with_debug_propagate_exceptions_propagates_and_is_audited(
    client, user_url, monkeypatch, settings
):
    """DEBUG_PROPAGATE_EXCEPTIONS (Django's) lets the exception through; the write is
    still rolled back and recorded."""
    from drf_scim.viewsets import UserViewSet

    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    monkeypatch.setattr(UserViewSet, "perform_destroy", _raise_after_saving)

    with pytest.raises(Bug):
        client.delete(user_url)

    assert get_user_model().objects.filter(username="bjensen").exists()
    assert SCIMEvent.objects.get(operation="delete").status == 500


def test_rfc7643_4_1_1_the_error_report_of_a_bug_holds_no_password_and_no_token(
    client, token, monkeypatch, caplog
):
    """What ``mail_admins`` would send for the 500: the traceback, without the frames'
    local variables (the request body, its password) or the bearer token."""
    from django.views.debug import ExceptionReporter

    from drf_scim.viewsets import UserViewSet

    monkeypatch.setattr(UserViewSet, "perform_create", _raise_after_saving)
    client.raise_request_exception = False
    password = "Pa55-word-in-the-body"

    response = client.post(
        USERS, {"schemas": [USER_SCHEMA], "userName": "newcomer", "password": password}
    )

    assert response.status_code == 500
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    report = ExceptionReporter(record.request, *record.exc_info, is_email=True)
    text = report.get_traceback_text()
    assert "_raise_after_saving" in text  # the traceback is there...
    assert password not in text  # ...its secrets are not
    assert token.key not in text
    assert password not in report.get_traceback_html()
