"""drf_scim.query: one query object per request, from a query string or a SearchRequest.

RFC 7644 §3.4.2 (query parameters) and §3.4.3 (the same fields in a ``POST /.search``).
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from drf_scim.constants import SEARCH_REQUEST_SCHEMA
from drf_scim.exceptions import InvalidFilter, InvalidSyntax, InvalidValue
from drf_scim.filter_language import parse_filter
from drf_scim.filters import SCIMFilterBackend
from drf_scim.pagination import SCIMPagination
from drf_scim.query import SCIMQuery, get_scim_query, search_params
from drf_scim.viewsets import UserViewSet

SEARCH = "/scim/v2/.search"


def get(path="/scim/v2/Users", **params):
    return Request(APIRequestFactory().get(path, params))


def test_rfc7644_3_4_3_search_request_field_names_ignore_case():
    query = SCIMQuery.from_search_request(
        {
            "schemas": [SEARCH_REQUEST_SCHEMA],
            "FILTER": 'userName eq "x"',
            "sortby": "userName",
            "SortOrder": "descending",
            "startINDEX": 3,
            "Count": "4",
            "attributes": ["userName", "emails"],
            "excludedattributes": "title",
            "other": "ignored",
        }
    )
    assert query.filter == 'userName eq "x"'
    assert query.sort_by == "userName"
    assert query.sort_order == "descending"
    assert query.start_index == "3"
    assert query.count == "4"
    assert query.attributes == "userName,emails"
    assert query.excluded_attributes == "title"
    assert query.get("other") is None


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ([], InvalidSyntax),
        ({"schemas": [SEARCH_REQUEST_SCHEMA], "count": True}, InvalidValue),
        ({"schemas": [SEARCH_REQUEST_SCHEMA], "attributes": [1]}, InvalidValue),
    ],
)
def test_rfc7644_3_4_3_malformed_search_requests(body, error):
    with pytest.raises(error):
        search_params(body)


@override_settings(DRF_SCIM={"STRICT": True})
def test_rfc7644_3_4_3_strict_search_request_needs_its_schema():
    with pytest.raises(InvalidSyntax):
        SCIMQuery.from_search_request({"filter": "title pr"})


def test_rfc7644_3_4_2_query_string_values_are_read_as_sent():
    query = SCIMQuery.from_query_string(get(filter="title pr", count="5", sortBy="userName"))
    assert (query.filter, query.count, query.sort_by, query.start_index) == (
        "title pr",
        "5",
        "userName",
        None,
    )


def test_rfc7644_3_4_2_2_the_filter_is_parsed_once():
    calls = []

    def parse(text):
        calls.append(text)
        return parse_filter(text)

    query = SCIMQuery({"filter": "title pr"})
    first = query.get_filter(parse)
    assert query.get_filter(parse) is first
    assert calls == ["title pr"]


@pytest.mark.parametrize("value", [None, "", "   "])
def test_rfc7644_3_4_2_2_no_filter(value):
    assert SCIMQuery({"filter": value}).get_filter(parse_filter) is None


def test_rfc7644_3_4_3_a_filter_that_is_not_a_string():
    with pytest.raises(InvalidFilter, match="filter must be a string"):
        SCIMQuery({"filter": ["title pr"]}).get_filter(parse_filter)


def test_the_view_builds_its_query_once(db):
    view = UserViewSet(request=get(count="2"), action="list", format_kwarg=None)
    query = view.get_scim_query()
    assert view.get_scim_query() is query
    assert get_scim_query(view.request, view) is query
    assert view.get_scim_param("count") == "2"


def test_rfc7644_3_4_2_4_paginator_reads_the_query_string_without_a_scim_view():
    """DRF calls ``paginate_queryset(queryset, request, view)`` with any view."""
    paginator = SCIMPagination()
    page = paginator.paginate_queryset(list(range(10)), get(startIndex="3", count="2"), object())
    assert page == [2, 3]
    assert paginator.get_paginated_response(page).data["startIndex"] == 3


def test_rfc7644_3_4_3_root_search_parses_the_filter_once_for_every_type(client, monkeypatch):
    calls = []
    parse = SCIMFilterBackend.parse

    def counting(self, text):
        calls.append(text)
        return parse(self, text)

    monkeypatch.setattr(SCIMFilterBackend, "parse", counting)
    body = {"schemas": [SEARCH_REQUEST_SCHEMA], "filter": 'displayName eq "x" or userName pr'}
    response = client.post(SEARCH, body)
    assert response.status_code == 200, response.content
    assert calls == [body["filter"]]
