"""``POST /Users/.search``: a query with its parameters in a SearchRequest body (RFC 7644 §3.4.3).

The answer is the ListResponse the equivalent ``GET /Users?...`` gives, with 200 (the
search creates nothing), the body's fields read case-insensitively and typed as JSON.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from drf_scim.constants import (
    ERROR_SCHEMA,
    LIST_RESPONSE_SCHEMA,
    MEDIA_TYPE,
    SEARCH_REQUEST_SCHEMA,
)
from drf_scim.models import SCIMEvent, UserRecord, UserValue
from tests.conftest import assert_error

USERS = "/scim/v2/Users"
SEARCH = f"{USERS}/.search"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

PEOPLE = [
    {
        "userName": "bjensen",
        "title": "Tour Guide",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
        ENTERPRISE: {"department": "Tours"},
    },
    {"userName": "ÉCLAIR", "title": "Chef", "active": False},
    {
        "userName": "josé",
        "title": "Tour Manager",
        "emails": [{"value": "jose@example.org", "type": "home"}],
    },
    {"userName": "ada", "title": "Engineer", "emails": [{"value": "ada@example.com"}]},
    {"userName": "nobody"},
]


@pytest.fixture
def people(client):
    for body in PEOPLE:
        response = client.post(USERS, body)
        assert response.status_code == 201, response.content


def search(client, body, status=200):
    response = client.post(SEARCH, body)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == MEDIA_TYPE
    return response.json()


def get_list(client, params):
    response = client.get(USERS, params)
    assert response.status_code == 200, response.content
    return response.json()


def state():
    """What a search must leave untouched: users, records, values and the audit log."""
    return (
        list(get_user_model().objects.order_by("pk").values_list("pk", "username")),
        list(UserRecord.objects.order_by("pk").values_list("pk", "version")),
        UserValue.objects.count(),
        SCIMEvent.objects.count(),
    )


EQUIVALENTS = [
    pytest.param({}, {}, id="empty"),
    pytest.param(
        {"filter": 'title sw "tour"'},
        {"filter": 'title sw "tour"'},
        id="filter",
    ),
    pytest.param(
        {"sortBy": "userName", "sortOrder": "descending"},
        {"sortBy": "userName", "sortOrder": "descending"},
        id="sort",
    ),
    pytest.param(
        {"sortBy": "title", "startIndex": 2, "count": 2},
        {"sortBy": "title", "startIndex": "2", "count": "2"},
        id="paging",
    ),
    pytest.param({"count": 0}, {"count": "0"}, id="count-zero"),
    pytest.param(
        {"startIndex": -5, "count": 1},
        {"startIndex": "-5", "count": "1"},
        id="start-index-below-one",
    ),
    pytest.param(
        {"attributes": ["userName", "emails.value"], "sortBy": "userName"},
        {"attributes": "userName,emails.value", "sortBy": "userName"},
        id="attributes",
    ),
    pytest.param(
        {"excludedAttributes": ["meta", "emails", ENTERPRISE]},
        {"excludedAttributes": f"meta,emails,{ENTERPRISE}"},
        id="excludedAttributes",
    ),
    pytest.param(
        {
            "filter": "emails pr or active eq false",
            "sortBy": "title",
            "sortOrder": "ascending",
            "startIndex": 1,
            "count": 3,
            "attributes": ["userName", "title", f"{ENTERPRISE}:department"],
        },
        {
            "filter": "emails pr or active eq false",
            "sortBy": "title",
            "sortOrder": "ascending",
            "startIndex": "1",
            "count": "3",
            "attributes": f"userName,title,{ENTERPRISE}:department",
        },
        id="everything",
    ),
    pytest.param({"filter": 'userName eq "nope"'}, {"filter": 'userName eq "nope"'}, id="no-match"),
]


@pytest.mark.parametrize(("body", "params"), EQUIVALENTS)
def test_rfc7644_3_4_3_search_equals_get(client, people, body, params):
    expected = get_list(client, params)

    result = search(client, {"schemas": [SEARCH_REQUEST_SCHEMA], **body})

    assert result == expected
    assert result["schemas"] == [LIST_RESPONSE_SCHEMA]


def test_rfc7644_3_4_3_search_response_content(client, people):
    body = {
        "schemas": [SEARCH_REQUEST_SCHEMA],
        "filter": 'title sw "tour"',
        "sortBy": "userName",
        "attributes": ["userName"],
        "startIndex": 1,
        "count": 10,
    }

    result = search(client, body)

    assert result["totalResults"] == 2
    assert result["itemsPerPage"] == 2
    assert result["startIndex"] == 1
    assert [r["userName"] for r in result["Resources"]] == ["bjensen", "josé"]
    assert all(set(r) == {"schemas", "id", "userName"} for r in result["Resources"])


def test_rfc7644_3_4_3_search_is_200_without_location(client, people):
    """A search creates no resource: 200, not 201, and no Location header."""
    response = client.post(SEARCH, {"schemas": [SEARCH_REQUEST_SCHEMA]})

    assert response.status_code == 200
    assert "Location" not in response


def test_rfc7644_3_4_3_search_creates_nothing_and_is_not_audited(client, people):
    before = state()

    search(client, {"schemas": [SEARCH_REQUEST_SCHEMA], "filter": "userName pr"})
    # A User document posted to /.search is a (pointless) search, not a create.
    search(client, {"schemas": [SEARCH_REQUEST_SCHEMA], "userName": "intruder"})
    search(client, {"schemas": [CORE], "userName": "intruder", "title": "x"})

    assert state() == before
    assert not get_user_model().objects.filter(username="intruder").exists()


def test_rfc7644_3_4_3_failed_search_is_not_audited(client, people):
    before = state()

    search(client, {"schemas": [SEARCH_REQUEST_SCHEMA], "filter": "bogus pr"}, status=400)
    search(client, {"schemas": [SEARCH_REQUEST_SCHEMA], "count": "x"}, status=400)

    assert state() == before


def test_rfc7644_3_4_3_search_on_an_empty_database_logs_nothing(client, db):
    search(client, {"schemas": [SEARCH_REQUEST_SCHEMA], "filter": "userName pr"})

    assert not SCIMEvent.objects.exists()
    assert not get_user_model().objects.exists()


def test_rfc7644_3_4_3_field_names_are_case_insensitive(client, people):
    body = {
        "Schemas": [SEARCH_REQUEST_SCHEMA],
        "FILTER": "title pr",
        "SortBy": "userName",
        "sortorder": "DESCENDING",
        "StartIndex": 2,
        "COUNT": 2,
        "Attributes": ["userName"],
    }
    expected = get_list(
        client,
        {
            "filter": "title pr",
            "sortBy": "userName",
            "sortOrder": "descending",
            "startIndex": 2,
            "count": 2,
            "attributes": "userName",
        },
    )

    result = search(client, body)

    assert result == expected
    assert result["startIndex"] == 2
    assert [r["userName"] for r in result["Resources"]] == ["josé", "bjensen"]


def test_rfc7644_3_4_3_excluded_attributes_field_name_case(client, people):
    result = search(client, {"EXCLUDEDATTRIBUTES": ["meta"], "filter": 'userName eq "ada"'})

    (resource,) = result["Resources"]
    assert "meta" not in resource
    assert resource["userName"] == "ada"


def test_rfc7643_2_5_null_fields_are_absent(client, people):
    """RFC 7643 §2.5: null is "no value": a null field is as if it were not sent."""
    body = {
        "schemas": [SEARCH_REQUEST_SCHEMA],
        "filter": None,
        "sortBy": None,
        "sortOrder": None,
        "startIndex": None,
        "count": None,
        "attributes": None,
        "excludedAttributes": None,
    }

    assert search(client, body) == get_list(client, {})


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"count": "x"}, id="count-text"),
        pytest.param({"count": 1.5}, id="count-fraction"),
        pytest.param({"count": True}, id="count-boolean"),
        pytest.param({"count": [10]}, id="count-list"),
        pytest.param({"startIndex": "first"}, id="startIndex-text"),
        pytest.param({"startIndex": {"value": 1}}, id="startIndex-object"),
        pytest.param({"startIndex": False}, id="startIndex-boolean"),
        pytest.param({"attributes": 5}, id="attributes-number"),
        pytest.param({"attributes": ["userName", 5]}, id="attributes-list-with-number"),
        pytest.param({"attributes": {"userName": True}}, id="attributes-object"),
        pytest.param({"excludedAttributes": True}, id="excludedAttributes-boolean"),
        pytest.param({"excludedAttributes": [["meta"]]}, id="excludedAttributes-nested-list"),
        pytest.param({"sortOrder": "sideways"}, id="sortOrder-unknown"),
        pytest.param({"sortBy": "userName", "sortOrder": 1}, id="sortOrder-number"),
        pytest.param({"sortBy": 5}, id="sortBy-number"),
        pytest.param({"sortBy": "bogus"}, id="sortBy-unknown"),
    ],
)
def test_rfc7644_3_4_3_bad_field_types_are_invalid_value(client, people, fields):
    before = state()

    response = client.post(SEARCH, {"schemas": [SEARCH_REQUEST_SCHEMA], **fields})

    assert_error(response, 400, "invalidValue")
    assert state() == before


@pytest.mark.parametrize(
    "filter_",
    [
        pytest.param('userName eq "unterminated', id="unterminated"),
        pytest.param("userName eq", id="missing-value"),
        pytest.param('bogus eq "x"', id="unknown-attribute"),
        pytest.param('password eq "x"', id="password"),
        pytest.param("(" * 500 + "userName pr" + ")" * 500, id="too-deep"),
        pytest.param(5, id="number"),
        pytest.param(["userName pr"], id="list"),
    ],
)
def test_rfc7644_3_4_3_malformed_filter_is_invalid_filter(client, people, filter_):
    before = state()

    response = client.post(SEARCH, {"schemas": [SEARCH_REQUEST_SCHEMA], "filter": filter_})

    assert_error(response, 400, "invalidFilter")
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [
        pytest.param([{"filter": "userName pr"}], id="list"),
        pytest.param('"userName pr"', id="string"),
        pytest.param("{not json", id="not-json"),
    ],
)
def test_rfc7644_3_4_3_body_must_be_a_json_object(client, people, body):
    response = client.post(SEARCH, body)

    assert_error(response, 400, "invalidSyntax")


def test_rfc7644_3_4_3_requires_authentication(anonymous_client, db):
    response = anonymous_client.post(SEARCH, {"schemas": [SEARCH_REQUEST_SCHEMA]})

    assert response.status_code == 401
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert response.json()["status"] == "401"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not SCIMEvent.objects.exists()


def test_rfc7644_3_4_3_schemas_may_be_omitted_unless_strict(client, people):
    assert search(client, {"filter": "title pr"})["totalResults"] == 4


@override_settings(DRF_SCIM={"STRICT": True})
@pytest.mark.parametrize(
    "schemas",
    [
        pytest.param(None, id="missing"),
        pytest.param([CORE], id="wrong-schema"),
        pytest.param(SEARCH_REQUEST_SCHEMA, id="not-a-list"),
    ],
)
def test_rfc7644_3_4_3_strict_requires_the_search_request_schema(client, people, schemas):
    body = {"filter": "title pr"}
    if schemas is not None:
        body["schemas"] = schemas

    assert_error(client.post(SEARCH, body), 400, "invalidSyntax")


@override_settings(DRF_SCIM={"STRICT": True})
def test_rfc7644_3_4_3_strict_accepts_a_proper_search_request(client, people):
    body = {"schemas": [SEARCH_REQUEST_SCHEMA], "filter": "title pr", "count": 2}

    result = search(client, body)

    assert result["totalResults"] == 4
    assert result["itemsPerPage"] == 2


def test_rfc7644_3_4_3_search_ignores_the_query_string(client, people):
    """The body holds the query; parameters in the URL do not change it."""
    response = client.post(
        f"{SEARCH}?filter=bogus%20pr&count=x&attributes=userName",
        {"schemas": [SEARCH_REQUEST_SCHEMA], "filter": 'userName eq "ada"'},
    )

    assert response.status_code == 200, response.content
    (resource,) = response.json()["Resources"]
    assert resource["userName"] == "ada"
    assert "meta" in resource


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_rfc7644_3_4_3_search_is_post_only(client, people, method):
    response = getattr(client, method)(SEARCH)

    assert response.status_code in (404, 405)
    assert response.json()["schemas"] == [ERROR_SCHEMA]
