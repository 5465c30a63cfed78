"""SCIMParser and SCIMJSONParser: request bodies (RFC 7644 §3.1, §3.12; RFC 8259)."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drf_scim.constants import ERROR_SCHEMA, MEDIA_TYPE
from drf_scim.exceptions import InvalidSyntax, PayloadTooLarge
from drf_scim.models import UserRecord
from drf_scim.parsers import MAX_DEPTH, SCIMJSONParser, SCIMParser

USERS = "/scim/v2/Users"


def _state():
    """What a failed request must leave untouched."""
    return get_user_model().objects.count(), UserRecord.objects.count()


def _post_raw(client, body, content_type=MEDIA_TYPE, **extra):
    return client.generic("POST", USERS, body, content_type=content_type, **extra)


def _assert_error(response, status, scim_type=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == MEDIA_TYPE
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    if scim_type is None:
        assert "scimType" not in body
    else:
        assert body["scimType"] == scim_type
    assert body["detail"]
    return body


class _Request:
    """Just enough of a request for ``parser_context``."""

    def __init__(self, content_length):
        self.META = {} if content_length is None else {"CONTENT_LENGTH": str(content_length)}


class _CountingStream(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


# -- accepted bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        MEDIA_TYPE,
        "application/json",
        f"{MEDIA_TYPE}; charset=utf-8",
        "application/json; charset=UTF-8",
    ],
)
def test_rfc7644_3_1_both_media_types_accepted(client, content_type):
    """RFC 7644 §3.1: clients send application/scim+json, or application/json."""
    response = _post_raw(client, json.dumps({"userName": "bjensen"}), content_type=content_type)

    assert response.status_code == 201, response.content
    assert get_user_model().objects.filter(username="bjensen").exists()


def test_rfc7644_3_1_utf8_body_with_non_ascii(client):
    body = json.dumps({"userName": "zoë", "displayName": "Zoë 日本"}, ensure_ascii=False)

    response = _post_raw(client, body.encode("utf-8"))

    assert response.status_code == 201, response.content
    assert response.json()["displayName"] == "Zoë 日本"


def test_rfc7644_3_3_rfc_example_user_accepted(client, sample):
    """The full User of RFC 7643 §8.2 parses; read-only ``id`` and ``meta`` are ignored."""
    response = client.post(USERS, sample("rfc7643-8.2-user-full.json"))

    assert response.status_code == 201, response.content
    assert response.json()["userName"] == "bjensen@example.com"


@pytest.mark.parametrize("parser_class", [SCIMParser, SCIMJSONParser])
def test_parser_unit_returns_dict(parser_class):
    data = parser_class().parse(io.BytesIO(b'{"userName": "a", "n": [1, 2.5, true, null]}'))

    assert data == {"userName": "a", "n": [1, 2.5, True, None]}


def test_parser_media_types():
    assert SCIMParser.media_type == MEDIA_TYPE
    assert SCIMJSONParser.media_type == "application/json"


# -- invalid syntax: 400 invalidSyntax, nothing written -------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"userName": "a",}',
        b"{'userName': 'a'}",
        b'{"userName": "a"} trailing',
        b'{"userName": "a"}{"userName": "b"}',
        b"userName=a",
        b'{"userName": undefined}',
        b"\x00",
    ],
    ids=[
        "unclosed",
        "trailing-comma",
        "single-quotes",
        "trailing-garbage",
        "two-documents",
        "form-encoded",
        "undefined",
        "nul",
    ],
)
def test_rfc7644_3_12_malformed_json_is_invalid_syntax(client, body):
    before = _state()

    response = _post_raw(client, body)

    _assert_error(response, 400, "invalidSyntax")
    assert _state() == before


@pytest.mark.parametrize(
    "body",
    [b"[]", b'[{"userName": "a"}]', b'"userName"', b"42", b"true", b"null"],
    ids=["empty-array", "array", "string", "number", "true", "null"],
)
def test_rfc7644_3_12_body_that_is_not_an_object_is_invalid_syntax(client, body):
    """Every SCIM request body is a JSON object (RFC 7644 §3.3, §3.5)."""
    before = _state()

    response = _post_raw(client, body)

    _assert_error(response, 400, "invalidSyntax")
    assert _state() == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"userName": "a", "nickName": NaN}',
        b'{"userName": "a", "nickName": Infinity}',
        b'{"userName": "a", "nickName": -Infinity}',
        b'{"userName": "a", "nickName": 1e999}',
        b'{"userName": "a", "nickName": -1e999}',
    ],
    ids=["NaN", "Infinity", "-Infinity", "overflow", "negative-overflow"],
)
def test_rfc8259_6_non_finite_numbers_are_invalid_syntax(client, body):
    """RFC 8259 §6: Infinity and NaN are not JSON numbers; 1e999 only parses to infinity."""
    before = _state()

    response = _post_raw(client, body)

    _assert_error(response, 400, "invalidSyntax")
    assert _state() == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"userName": "\xff\xfe"}',
        b'{"userName": "caf\xe9"}',
        b'{"userName": "\xc3"}',
        '{"userName": "a"}'.encode("utf-16"),
    ],
    ids=["ff-fe", "latin-1", "truncated-sequence", "utf-16"],
)
def test_rfc8259_8_1_invalid_utf8_is_invalid_syntax(client, body):
    """RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8."""
    before = _state()

    response = _post_raw(client, body)

    _assert_error(response, 400, "invalidSyntax")
    assert _state() == before


@pytest.mark.parametrize(
    "body",
    [b'{"userName": "a\\ud800"}', b'{"userName": "a", "displayName": "\\udfff b"}'],
    ids=["lone-high-surrogate", "lone-low-surrogate"],
)
def test_rfc8259_8_2_lone_surrogate_escapes_never_500(client, body):
    """A ``\\ud800`` escape decodes to no Unicode character (RFC 8259 §8.2): reject it."""
    before = _state()

    response = _post_raw(client, body)

    _assert_error(response, 400, "invalidSyntax")
    assert _state() == before


def test_rfc8259_utf8_bom_is_tolerated(client):
    """RFC 8259 §8.1: a parser MAY ignore a byte order mark."""
    response = _post_raw(client, b"\xef\xbb\xbf" + json.dumps({"userName": "bom"}).encode())

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"userName": "a", "name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=["arrays", "objects", "inside-attribute"],
)
def test_rfc7644_3_12_deeply_nested_json_is_invalid_syntax(client, body):
    """Nesting beyond what Python can parse is a 400, never a 500 (RecursionError)."""
    before = _state()

    with override_settings(DRF_SCIM={"MAX_PAYLOAD_SIZE": 1_000_000}):
        response = _post_raw(client, body)

    _assert_error(response, 400, "invalidSyntax")
    assert _state() == before


@pytest.mark.parametrize("depth", [300, 600])
def test_rfc7644_3_12_nesting_that_parses_never_500(client, depth):
    """Nesting shallow enough for ``json.loads`` must not overflow the stack further on
    (validation, the audit log): the unknown attribute is ignored or the body refused."""
    body = json.dumps({"userName": "deep", "x-unknown": json.loads("[" * depth + "]" * depth)})

    response = _post_raw(client, body)

    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        _assert_error(response, 400, "invalidSyntax")


@pytest.mark.parametrize("depth", [300, 600])
def test_rfc7644_3_12_nesting_that_parses_never_500_on_failed_write(client, depth):
    """The same nesting in a request that fails validation (the failure is audited)."""
    body = json.dumps({"displayName": "no userName", "x": json.loads("[" * depth + "]" * depth)})
    before = _state()

    response = _post_raw(client, body)

    assert response.status_code == 400, response.content
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert _state() == before


def _nested(levels):
    """An object whose "x" holds ``levels`` nested arrays."""
    return ('{"x": ' + "[" * levels + "]" * levels + "}").encode()


def test_parser_unit_nesting_limit_boundary():
    """SCIM documents are shallow (a PATCH value is about six levels deep); the parser
    accepts nesting up to its limit and refuses one level more."""
    assert SCIMParser().parse(io.BytesIO(_nested(MAX_DEPTH - 1)))["x"]
    with pytest.raises(InvalidSyntax):
        SCIMParser().parse(io.BytesIO(_nested(MAX_DEPTH)))


def test_parser_unit_realistic_patch_depth_is_accepted():
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {
                "op": "add",
                "value": {
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                        "manager": {"value": "26118915"}
                    },
                    "emails": [{"value": "a@example.com", "type": "work"}],
                },
            }
        ],
    }

    assert SCIMParser().parse(io.BytesIO(json.dumps(body).encode())) == body


def test_rfc7644_3_12_empty_body_is_400(client):
    before = _state()

    response = _post_raw(client, b"")

    assert response.status_code == 400
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert response.json()["scimType"] in ("invalidSyntax", "invalidValue")
    assert _state() == before


def test_rfc7644_3_5_1_malformed_put_leaves_resource_unchanged(client):
    created = client.post(USERS, {"userName": "bjensen", "displayName": "Babs"}).json()
    location = f"{USERS}/{created['id']}"

    response = client.generic("PUT", location, b'{"userName": "x"', content_type=MEDIA_TYPE)

    _assert_error(response, 400, "invalidSyntax")
    assert client.get(location).json()["displayName"] == "Babs"
    assert client.get(location).json()["meta"]["version"] == created["meta"]["version"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_parser_unit_arbitrary_bytes_give_a_dict_or_invalid_syntax(data):
    """Hypothesis: whatever the bytes, the parser returns a dict or raises InvalidSyntax."""
    try:
        result = SCIMParser().parse(io.BytesIO(data))
    except InvalidSyntax:
        return
    assert isinstance(result, dict)


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=20,
    )
)
def test_parser_unit_round_trips_json_values(value):
    """Hypothesis: any JSON object survives a round trip; any non-object is invalidSyntax."""
    raw = json.dumps(value, ensure_ascii=False).encode("utf-8")
    if isinstance(value, dict):
        assert SCIMParser().parse(io.BytesIO(raw)) == value
    else:
        with pytest.raises(InvalidSyntax):
            SCIMParser().parse(io.BytesIO(raw))


# -- size limit: 413 ---------------------------------------------------------------------


def _padded_body(size):
    """A valid SCIM User document of exactly ``size`` bytes."""
    base = {"userName": "big", "displayName": ""}
    padding = size - len(json.dumps(base).encode())
    body = json.dumps({**base, "displayName": "x" * padding}).encode()
    assert len(body) == size
    return body


@override_settings(DRF_SCIM={"MAX_PAYLOAD_SIZE": 100})
def test_rfc7644_3_12_body_over_max_payload_size_is_413(client):
    before = _state()

    response = _post_raw(client, _padded_body(101))

    _assert_error(response, 413)
    assert _state() == before


@override_settings(DRF_SCIM={"MAX_PAYLOAD_SIZE": 100})
def test_rfc7644_3_12_body_of_exactly_max_payload_size_is_accepted(client):
    response = _post_raw(client, _padded_body(100))

    assert response.status_code == 201, response.content


@override_settings(DRF_SCIM={"MAX_PAYLOAD_SIZE": 100})
def test_rfc7644_3_12_large_put_is_413_and_changes_nothing(client):
    created = client.post(USERS, {"userName": "bjensen"}).json()
    location = f"{USERS}/{created['id']}"

    response = client.generic("PUT", location, _padded_body(5000), content_type=MEDIA_TYPE)

    _assert_error(response, 413)
    assert "displayName" not in client.get(location).json()


@override_settings(DRF_SCIM={"MAX_PAYLOAD_SIZE": 100})
def test_parser_unit_declared_length_over_limit_is_refused_unread():
    stream = _CountingStream(_padded_body(5000))

    with pytest.raises(PayloadTooLarge):
        SCIMParser().parse(stream, MEDIA_TYPE, {"request": _Request(5000)})

    assert stream.bytes_read == 0


@pytest.mark.parametrize("declared", [10, 100, None], ids=["lying", "at-limit", "absent"])
@override_settings(DRF_SCIM={"MAX_PAYLOAD_SIZE": 100})
def test_parser_unit_stream_larger_than_declared_is_413(declared):
    """The limit holds even when Content-Length lies or is missing (chunked bodies):
    at most limit + 1 bytes are read."""
    stream = _CountingStream(_padded_body(5000))

    with pytest.raises(PayloadTooLarge) as excinfo:
        SCIMParser().parse(stream, MEDIA_TYPE, {"request": _Request(declared)})

    assert excinfo.value.status_code == 413
    assert stream.bytes_read <= 101


@override_settings(DRF_SCIM={"MAX_PAYLOAD_SIZE": 100})
def test_rfc7644_3_12_lying_content_length_never_creates_a_user(client):
    """Django reads no more than Content-Length: a body declared shorter than it is gets
    truncated, and the truncated JSON is refused."""
    before = _state()

    response = _post_raw(client, _padded_body(5000), CONTENT_LENGTH="50")

    _assert_error(response, 400, "invalidSyntax")
    assert _state() == before


def test_parser_get_max_size_follows_setting():
    with override_settings(DRF_SCIM={"MAX_PAYLOAD_SIZE": 1234}):
        assert SCIMParser().get_max_size() == 1234
    assert SCIMParser().get_max_size() == 1_048_576


# -- unsupported media types: 415 --------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "text/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/scim+xml",
    ],
)
def test_rfc7644_3_12_unsupported_content_type_is_415(client, content_type):
    before = _state()

    response = _post_raw(client, json.dumps({"userName": "bjensen"}), content_type=content_type)

    _assert_error(response, 415)
    assert _state() == before


def test_rfc7644_3_12_unsupported_content_type_on_put_is_415(client):
    created = client.post(USERS, {"userName": "bjensen"}).json()

    response = client.generic(
        "PUT",
        f"{USERS}/{created['id']}",
        json.dumps({"userName": "renamed"}),
        content_type="text/plain",
    )

    _assert_error(response, 415)
    assert get_user_model().objects.filter(username="bjensen").exists()


# -- bodies without Content-Length: RFC 9112 §7.1 chunked transfer coding ---------------------


class _Input(io.BytesIO):
    """A WSGI server's decoded input: ``read(n)`` returns at most n bytes, b"" at the end."""


def _chunked(client, method, path, body, *, terminated=True, **extra):
    """A request as a WSGI server passes on a chunked body: no CONTENT_LENGTH, the decoded
    bytes in ``wsgi.input``, and (Gunicorn, mod_wsgi, Werkzeug) ``wsgi.input_terminated``."""
    stream = _Input(body)
    environ = {
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": stream,
        **extra,
    }
    if terminated:
        environ["wsgi.input_terminated"] = True
    return client.generic(method, path, b"", content_type=MEDIA_TYPE, **environ), stream


def test_rfc9112_7_1_chunked_post_body_is_read(client):
    """The body is read, not taken as empty ("userName is required")."""
    body = json.dumps(
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "chunky"}
    )

    response, _ = _chunked(client, "POST", USERS, body.encode())

    assert response.status_code == 201, response.content
    assert response.json()["userName"] == "chunky"
    assert get_user_model().objects.filter(username="chunky").exists()


def test_rfc9112_7_1_chunked_patch_body_is_read(client):
    created = client.post(USERS, {"userName": "bjensen"}).json()
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "title", "value": "Chunked"}],
    }

    response, _ = _chunked(client, "PATCH", f"{USERS}/{created['id']}", json.dumps(body).encode())

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Chunked"


@pytest.mark.parametrize("path", [f"{USERS}/.search", "/scim/v2/.search"])
def test_rfc9112_7_1_chunked_search_request_is_read(client, path):
    """Every SCIM view reads a chunked body, the root ``/.search`` (RFC 7644 §3.4.3) too."""
    client.post(USERS, {"userName": "chunky"})
    client.post(USERS, {"userName": "other"})  # an empty body would find both
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'userName eq "chunky"',
    }

    response, _ = _chunked(client, "POST", path, json.dumps(body).encode())

    assert response.status_code == 200, response.content
    assert response.json()["totalResults"] == 1


@override_settings(DRF_SCIM={"MAX_PAYLOAD_SIZE": 100})
def test_rfc7644_3_12_chunked_body_over_max_payload_size_is_413_read_no_further(client):
    before = _state()
    body = _padded_body(5000)

    response, stream = _chunked(client, "POST", USERS, body)

    _assert_error(response, 413)
    assert _state() == before
    assert stream.tell() <= 101  # MAX_PAYLOAD_SIZE + 1 bytes read, no more


def test_rfc9110_15_5_12_chunked_body_the_server_did_not_decode_is_411(client):
    """Without ``wsgi.input_terminated`` the input may never end: it is not read, and the
    client is told to send a Content-Length."""
    before = _state()

    response, stream = _chunked(client, "POST", USERS, b'{"userName": "x"}', terminated=False)

    _assert_error(response, 411)
    assert stream.tell() == 0
    assert _state() == before


def test_rfc9112_7_1_chunked_body_is_read_only_after_authentication(anonymous_client, db):
    response, stream = _chunked(anonymous_client, "POST", USERS, b'{"userName": "x"}')

    _assert_error(response, 401)
    assert stream.tell() == 0


def test_rfc9112_7_1_chunked_body_under_asgi_is_read():
    """Under ASGI Django has the whole body; it is given its length."""
    from django.core.handlers.asgi import ASGIRequest

    from drf_scim.parsers import read_unsized_body

    scope = {
        "type": "http",
        "method": "POST",
        "path": USERS,
        "query_string": b"",
        "headers": [(b"transfer-encoding", b"chunked"), (b"content-type", MEDIA_TYPE.encode())],
    }
    request = ASGIRequest(scope, io.BytesIO(b'{"userName": "x"}'))

    read_unsized_body(request, 1000)

    assert request.META["CONTENT_LENGTH"] == "17"
    assert request.read() == b'{"userName": "x"}'


def test_rfc9112_6_3_a_request_with_neither_length_nor_chunks_has_no_body():
    from django.test import RequestFactory

    from drf_scim.parsers import read_unsized_body

    request = RequestFactory().post(USERS, b"", content_type=MEDIA_TYPE)
    request.META.pop("CONTENT_LENGTH", None)

    read_unsized_body(request, 1000)

    assert "CONTENT_LENGTH" not in request.META
