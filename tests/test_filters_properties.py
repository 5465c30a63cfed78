"""Property tests: any filter, valid or not, is answered 200 or 400 invalidFilter, never an
error of the database (RFC 7644 §3.4.2.2, §3.12), on every database."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drf_scim.filter_language import And, AttributePath, Comparison, Not, Or, Present, ValuePath

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATHS = [
    AttributePath("userName"),
    AttributePath("name", "givenName"),
    AttributePath("title"),
    AttributePath("active"),
    AttributePath("emails"),
    AttributePath("emails", "value"),
    AttributePath("emails", "primary"),
    AttributePath("addresses", "locality"),
    AttributePath("id"),
    AttributePath("externalId"),
    AttributePath("meta", "created"),
    AttributePath("meta", "lastModified"),
    AttributePath("meta", "version"),
    AttributePath("employeeNumber", schema=ENTERPRISE),
    AttributePath("manager", "value", schema=ENTERPRISE),
    AttributePath("password"),
    AttributePath("name"),
    AttributePath("nope"),
    AttributePath("x509Certificates", "value"),
]
LITERALS = st.one_of(
    st.text(max_size=12),
    st.booleans(),
    st.none(),
    st.integers(-(10**6), 10**6),
    st.sampled_from(
        [
            "2011-05-13T04:42:34Z",
            "2010-13-45T00:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "",
            "%",
            "_",
            "\\",
        ]
    ),
)
OPERATORS = st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"])
SUBS = st.sampled_from(
    [
        AttributePath("value"),
        AttributePath("type"),
        AttributePath("primary"),
        AttributePath("display"),
    ]
)

leaf = st.one_of(
    st.builds(Comparison, st.sampled_from(PATHS), OPERATORS, LITERALS),
    st.builds(Present, st.sampled_from(PATHS)),
    st.builds(
        ValuePath,
        st.sampled_from([AttributePath("emails"), AttributePath("title")]),
        st.builds(Comparison, SUBS, OPERATORS, LITERALS),
    ),
)
filters = st.recursive(
    leaf,
    lambda children: st.one_of(
        st.builds(lambda a, b: And((a, b)), children, children),
        st.builds(lambda a, b: Or((a, b)), children, children),
        st.builds(Not, children),
    ),
    max_leaves=6,
)


@pytest.fixture
def users(client):
    client.post(
        "/scim/v2/Users",
        {
            "userName": "bjensen",
            "title": "Guide",
            "externalId": "E1",
            "emails": [{"value": "b@example.com", "type": "work", "primary": True}],
            "addresses": [{"locality": "Hollywood"}],
            ENTERPRISE: {"employeeNumber": "7"},
        },
    )
    client.post("/scim/v2/Users", {"userName": "ÉCLAIR", "active": False})


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tree=filters)
def test_any_filter_is_answered_200_or_400_invalid_filter(client, users, tree):
    response = client.get(f"/scim/v2/Users?filter={quote(str(tree))}")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["scimType"] == "invalidFilter"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60))
def test_garbage_is_answered_200_or_400_invalid_filter(client, users, text):
    response = client.get(f"/scim/v2/Users?filter={quote(text)}")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["scimType"] == "invalidFilter"
