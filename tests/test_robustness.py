"""No input may produce a 500 (RFC 7644 §3.12: every error is a SCIM Error). Random JSON
documents, random attribute values and random PATCH operations through the API."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drf_scim.constants import ENTERPRISE_USER_SCHEMA, ERROR_SCHEMA

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
ATTRIBUTES = [
    "userName",
    "UserName",
    "name",
    "displayName",
    "active",
    "emails",
    "phoneNumbers",
    "addresses",
    "groups",
    "password",
    "externalId",
    "id",
    "meta",
    "x509Certificates",
    "roles",
    "photos",
    "timezone",
    ENTERPRISE_USER_SCHEMA,
    f"{ENTERPRISE_USER_SCHEMA}:manager",
    "members",
    "schemas",
    "nope",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        ["True", "false", "2011-05-13T04:42:34Z", "", "a@example.com", "\u00c9", "x" * 300]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.sampled_from(
                ["value", "type", "primary", "display", "givenName", "$ref", "formatted", "manager"]
            ),
            children,
            max_size=3,
        ),
    ),
    max_leaves=8,
)
DOCUMENTS = st.dictionaries(st.sampled_from(ATTRIBUTES), JSON, max_size=6)
OPERATIONS = st.lists(
    st.fixed_dictionaries(
        {"op": st.sampled_from(["add", "remove", "replace", "Replace", "bogus"])},
        optional={
            "path": st.sampled_from(
                [
                    "title",
                    "emails",
                    'emails[type eq "work"].value',
                    "name.givenName",
                    "members",
                    "active",
                    "nope[",
                    f"{ENTERPRISE_USER_SCHEMA}:manager",
                    "groups",
                    "id",
                ]
            ),
            "value": JSON,
        },
    ),
    max_size=4,
)
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_no_500(response):
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        body = response.json()
        assert body["schemas"] == [ERROR_SCHEMA]
        assert body["status"] == str(response.status_code)


@pytest.fixture
def user_url(client):
    response = client.post(
        USERS, {"userName": "target", "emails": [{"value": "t@example.com", "type": "work"}]}
    )
    return response["Location"]


@FUZZ
@given(document=DOCUMENTS)
def test_random_documents_to_post_and_put_never_500(client, user_url, document):
    assert_no_500(client.post(USERS, document))
    assert_no_500(client.put(user_url, document))
    assert_no_500(client.post(GROUPS, document))


@FUZZ
@given(operations=OPERATIONS)
def test_random_patch_operations_never_500(client, user_url, operations):
    response = client.patch(user_url, {"Operations": operations})
    assert_no_500(response)
