"""Secrets never reach the audit log, whatever form the request names them in.

RFC 7643 §4.1.1: ``password`` "... SHALL NOT be returned by a service provider"; its
``returned`` is "never" (RFC 7643 §2.2, §8.7.1). The audit log is a way of returning it, so
every value the server resolves as ``password`` is scrubbed: attribute names are
case-insensitive (RFC 7643 §2.1), may be URN-qualified (RFC 7644 §3.10), and the server
reads PATCH paths (RFC 7644 §3.5.2) with surrounding whitespace ignored.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from drf_scim import errors
from drf_scim.audit import SCRUBBED, scrub
from drf_scim.constants import PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.models import SCIMEvent
from drf_scim.serializers import SCIMUserSerializer

USERS = "/scim/v2/Users"
SECRET = "S3cret-Value-42"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def stored_events():
    """Every column of every event, as text: a secret must appear nowhere in it."""
    return json.dumps(list(SCIMEvent.objects.values()), default=str)


@pytest.fixture
def user_url(client):
    created = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"}).json()
    return f"{USERS}/{created['id']}"


def patch(client, url, *operations):
    return client.patch(url, {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)})


def password_is(value):
    return get_user_model().objects.get(username="bjensen").check_password(value)


PATHS = [
    "password",
    "Password",
    "password ",
    "\tpassword",
    " password\n",
    f"{USER_SCHEMA}:password",
    f"{USER_SCHEMA}:PASSWORD ",
    f" {USER_SCHEMA.upper()}:Password\t",
]


@pytest.mark.parametrize("path", PATHS)
def test_rfc7644_3_5_2_patch_path_naming_password_is_scrubbed(client, user_url, path):
    """Every spelling of the path the server resolves to ``password`` sets it, and its
    value is never stored."""
    response = patch(client, user_url, {"op": "replace", "path": path, "value": SECRET})
    assert response.status_code == 200, response.content
    assert password_is(SECRET)
    assert SECRET not in stored_events()
    event = SCIMEvent.objects.get(operation="patch")
    assert event.payload["Operations"][0] == {"op": "replace", "path": path, "value": SCRUBBED}


@pytest.mark.parametrize("key", [*PATHS, "password\n", "PASSWORD "])
def test_rfc7644_3_5_2_1_path_less_value_key_naming_password_is_scrubbed(client, user_url, key):
    """A path-less ``replace`` whose value has a key the server reads as ``password``."""
    response = patch(client, user_url, {"op": "replace", "value": {key: SECRET}})
    assert response.status_code == 200, response.content
    assert password_is(SECRET)
    assert SECRET not in stored_events()
    event = SCIMEvent.objects.get(operation="patch")
    assert event.payload["Operations"][0]["value"] == {key: SCRUBBED}


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "password[value eq 1]", "value": SECRET},
        {"op": "replace", "path": "pass word", "value": SECRET},
        {"op": "replace", "path": "password.sub", "value": SECRET},
        {"op": "replace", "path": "nosuchattribute", "value": SECRET},
        {"op": "replace", "path": 42, "value": SECRET},
        {"op": "replace", "path": ["password"], "value": SECRET},
        {"op": "replace", "path": "password", "value": {"nested": SECRET}},
        {"op": "replace", "path": "password", "value": [SECRET, "x"]},
        {"op": "bogus", "path": "password", "value": SECRET},
        {"op": "replace", "value": {"password": {"nested": SECRET}}},
    ],
)
def test_rfc7644_3_12_refused_operations_on_secrets_are_scrubbed_too(client, user_url, operation):
    """A refused request changes nothing and is recorded, without the value it sent."""
    response = patch(client, user_url, operation)
    assert response.status_code == 400, response.content
    assert not password_is(SECRET)
    event = SCIMEvent.objects.get(operation="patch")
    assert event.status == 400
    assert SECRET not in stored_events()


@pytest.mark.parametrize("key", ["password", "Password", f"{USER_SCHEMA}:password", " password"])
def test_rfc7643_2_1_post_and_put_bodies_scrub_password_in_any_case(client, user_url, key):
    body = {"schemas": [USER_SCHEMA], "userName": "bjensen", key: SECRET}
    assert client.put(user_url, body).status_code == 200
    assert client.post(USERS, {**body, "userName": "other"}).status_code == 201
    assert SECRET not in stored_events()


def test_rfc7643_2_2_values_of_other_attributes_are_kept(client, user_url):
    """Scrubbing is by attribute: what is not secret stays readable for the audit."""
    patch(
        client,
        user_url,
        {"op": "replace", "path": "title ", "value": "Tour Guide"},
        {"op": "add", "path": f"{ENTERPRISE}:department", "value": "R&D"},
    )
    event = SCIMEvent.objects.get(operation="patch")
    assert [op["value"] for op in event.payload["Operations"]] == ["Tour Guide", "R&D"]


def test_audit_scrub_attributes_names_an_extension_attribute(client, user_url, settings):
    """``AUDIT_SCRUB_ATTRIBUTES`` applies however the request names the attribute."""
    settings.DRF_SCIM = {"AUDIT_SCRUB_ATTRIBUTES": ["password", "employeeNumber"]}
    patch(
        client,
        user_url,
        {"op": "replace", "path": f" {ENTERPRISE}:EmployeeNumber", "value": "701984"},
        {"op": "replace", "path": "employeenumber ", "value": "701985"},
        {"op": "replace", "value": {ENTERPRISE: {"employeeNumber ": "701986"}}},
        {"op": "replace", "path": ENTERPRISE, "value": {"EMPLOYEENUMBER": "701987"}},
    )
    events = stored_events()
    assert SCIMEvent.objects.get(operation="patch").status == 200
    assert not any(number in events for number in ("701984", "701985", "701986", "701987"))


def test_scrub_resolves_keys_with_the_resource_schemas():
    """The unit: with the schemas, the resolver decides; unknown paths are scrubbed."""
    schemas = SCIMUserSerializer.get_schemas()
    body = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [
            {"op": "replace", "path": "\tpassword ", "value": "a"},
            {"op": "replace", "path": "displayName", "value": "kept"},
            {"op": "replace", "path": "name", "value": {"givenName": "kept", "password": "b"}},
            {"op": "replace", "path": "no.such[", "value": "c"},
            {"op": "replace", "value": {"password\n": "d", "nickName": "kept"}},
            {"op": "replace", "path": "title", "Path": "password", "value": "e"},
        ],
    }
    assert scrub(body, schemas=schemas)["Operations"] == [
        {"op": "replace", "path": "\tpassword ", "value": SCRUBBED},
        {"op": "replace", "path": "displayName", "value": "kept"},
        {"op": "replace", "path": "name", "value": {"givenName": "kept", "password": SCRUBBED}},
        {"op": "replace", "path": "no.such[", "value": SCRUBBED},
        {"op": "replace", "value": {"password\n": SCRUBBED, "nickName": "kept"}},
        # Two paths: which one the server reads is not the audit log's to guess.
        {"op": "replace", "path": "title", "Path": "password", "value": SCRUBBED},
    ]


# -- any body: scrub never raises, and keeps nothing a database refuses ------------------------

_KEYS = st.one_of(
    st.sampled_from(
        [
            "password",
            " Password\t",
            "path",
            "Path ",
            "value",
            "op",
            "Operations",
            "title",
            "name",
            "givenName",
            ENTERPRISE,
            f"{USER_SCHEMA}:password",
            "emails",
            "schemas",
        ]
    ),
    st.text(max_size=12),
)
_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=12),
        st.sampled_from([SECRET, "a\x00b", "lone \ud800 surrogate"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(_KEYS, children, max_size=4)
    ),
    max_leaves=20,
)


@given(body=st.dictionaries(_KEYS, _JSON, max_size=4))
@hypothesis_settings(max_examples=300, deadline=None)
def test_scrub_never_raises_and_leaves_no_nul_or_lone_surrogate(body):
    """The recorder must never make a request a 500 (RFC 7644 §3.12)."""
    scrubbed = scrub(body, frozenset({"password"}), SCIMUserSerializer.get_schemas())
    text = json.dumps(scrubbed, ensure_ascii=False)
    assert "\x00" not in text
    text.encode("utf-8")  # raises on a lone surrogate


@given(path=st.text(max_size=40), value=st.text(min_size=1, max_size=12))
@hypothesis_settings(max_examples=300, deadline=None)
def test_rfc7644_3_5_2_a_value_is_kept_only_when_its_path_resolves_to_no_secret(path, value):
    """Whatever the path, its value is stored only if the server resolves it to an
    attribute that is not secret."""
    from drf_scim.filter_language import FilterSyntaxError, parse_path
    from drf_scim.paths import resolve_path

    schemas = SCIMUserSerializer.get_schemas()
    body = {"Operations": [{"op": "replace", "path": path, "value": value}]}
    kept = scrub(body, frozenset({"password"}), schemas)["Operations"][0]["value"] != SCRUBBED
    if kept and path.strip():
        urns = (schemas.core.id, *(ext.id for ext in schemas.extensions))
        try:
            resolved = resolve_path(parse_path(path, schema_urns=urns), schemas)
        except (FilterSyntaxError, errors.InvalidPathError):
            pytest.fail(f"the value of an unresolvable path {path!r} was kept")
        assert resolved.attribute is None or resolved.attribute.name != "password"
