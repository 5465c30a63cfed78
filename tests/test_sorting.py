"""Sorting: ``sortBy`` and ``sortOrder`` (RFC 7644 §3.4.2.3).

Strings sort by code point after case folding unless the attribute is ``caseExact``
(``externalId``, ``id``); resources without a value sort last ascending and first
descending; ties keep creation order, so paging with ``sortBy`` never repeats or skips a
resource. The expected orders are literal lists: they must be the same on SQLite,
PostgreSQL and MariaDB.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

from drf_scim.constants import ERROR_SCHEMA
from drf_scim.models import UserRecord

USERS = "/scim/v2/Users"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

# Created in this order; "charlie" through User.objects.create_user.
PEOPLE = [
    {
        "userName": "alpha",
        "externalId": "a1",
        "name": {"familyName": "Zimmer"},
        "title": "engineer",
        "emails": [
            {"value": "zz@example.com", "type": "home"},
            {"value": "aa@example.com", "type": "work", "primary": True},
        ],
        ENTERPRISE: {"employeeNumber": "300", "department": "Sales"},
    },
    {
        "userName": "Bravo",
        "externalId": "B2",
        "name": {"familyName": "adams"},
        "title": "Designer",
        "emails": [{"value": "mm@example.com"}, {"value": "bb@example.com"}],
        ENTERPRISE: {"employeeNumber": "1000", "department": "engineering"},
    },
    None,  # charlie
    {
        "userName": "Delta",
        "externalId": "Z9",
        "name": {"familyName": "Émile"},
        "title": "Zoologist",
        "active": False,
    },
    {
        "userName": "ÉCLAIR",
        "externalId": "é5",
        "name": {"familyName": "Ångström"},
        "title": "chef",
        "emails": [{"value": "Éclair@example.com"}],
        ENTERPRISE: {"department": "Kitchen"},
    },
    {
        "userName": "echo",
        "name": {"familyName": "Zimmer"},
        "title": "Engineer",
        "emails": [{"value": "AA@example.com", "primary": True}],
        ENTERPRISE: {"department": "sales"},
    },
]

CREATED = {
    "alpha": "2022-01-01T00:00:00Z",
    "Bravo": "2020-01-01T00:00:00Z",
    "charlie": "2021-01-01T00:00:00Z",
    "Delta": "2024-01-01T00:00:00Z",
    "ÉCLAIR": "2019-01-01T00:00:00Z",
    "echo": "2023-01-01T00:00:00Z",
}
LAST_MODIFIED = {
    "alpha": "2024-06-01T00:00:00Z",
    "Bravo": "2024-01-01T00:00:00Z",
    "charlie": "2024-03-01T00:00:00Z",
    "Delta": "2024-02-01T00:00:00Z",
    "ÉCLAIR": "2024-05-01T00:00:00Z",
    "echo": "2024-04-01T00:00:00Z",
}


def _instant(text):
    return parse_datetime(text).astimezone(datetime.timezone.utc)


@pytest.fixture
def people(client):
    """The six users, in creation order; returns their SCIM ids by userName."""
    for body in PEOPLE:
        if body is None:
            get_user_model().objects.create_user("charlie", email="Cc@example.com")
            continue
        response = client.post(USERS, body)
        assert response.status_code == 201, response.content
    ids = {}
    for record in UserRecord.objects.select_related("user"):
        name = record.user.username
        get_user_model().objects.filter(pk=record.user_id).update(
            date_joined=_instant(CREATED[name])
        )
        UserRecord.objects.filter(pk=record.pk).update(last_modified=_instant(LAST_MODIFIED[name]))
        ids[name] = str(record.id)
    return ids


def listed(client, **params):
    """The userNames of one page, in the order served."""
    response = client.get(USERS, params)
    assert response.status_code == 200, response.content
    body = response.json()
    names = [resource["userName"] for resource in body["Resources"]]
    if "count" not in params:
        assert body["totalResults"] == len(names)
    return names


SORTS = [
    # userName is case-insensitive: folded, then code point order ("a" < "B" < "é").
    pytest.param(
        "userName",
        ["alpha", "Bravo", "charlie", "Delta", "echo", "ÉCLAIR"],
        id="userName",
    ),
    pytest.param(
        f"{CORE}:userName",
        ["alpha", "Bravo", "charlie", "Delta", "echo", "ÉCLAIR"],
        id="userName-qualified",
    ),
    pytest.param(
        "USERNAME",
        ["alpha", "Bravo", "charlie", "Delta", "echo", "ÉCLAIR"],
        id="userName-odd-case",
    ),
    pytest.param(
        "name.familyName",
        ["Bravo", "alpha", "echo", "ÉCLAIR", "Delta", "charlie"],
        id="familyName",
    ),
    pytest.param(
        "Name.FAMILYNAME",
        ["Bravo", "alpha", "echo", "ÉCLAIR", "Delta", "charlie"],
        id="familyName-odd-case",
    ),
    pytest.param(
        "title",
        ["ÉCLAIR", "Bravo", "alpha", "echo", "Delta", "charlie"],
        id="title",
    ),
    # externalId is caseExact: code point order, "B" < "Z" < "a" < "é".
    pytest.param(
        "externalId",
        ["Bravo", "Delta", "alpha", "ÉCLAIR", "charlie", "echo"],
        id="externalId-code-points",
    ),
    # The primary value, else the first: aa (alpha), AA (echo), cc, mm (Bravo's first), é...
    pytest.param(
        "emails",
        ["alpha", "echo", "charlie", "Bravo", "ÉCLAIR", "Delta"],
        id="emails-primary-else-first",
    ),
    pytest.param(
        "emails.value",
        ["alpha", "echo", "charlie", "Bravo", "ÉCLAIR", "Delta"],
        id="emails-value",
    ),
    pytest.param(
        f"{ENTERPRISE}:department",
        ["Bravo", "ÉCLAIR", "alpha", "echo", "charlie", "Delta"],
        id="enterprise-department",
    ),
    pytest.param(
        "department",
        ["Bravo", "ÉCLAIR", "alpha", "echo", "charlie", "Delta"],
        id="enterprise-unqualified",
    ),
    # employeeNumber is a string: "1000" < "300".
    pytest.param(
        f"{ENTERPRISE}:employeeNumber",
        ["Bravo", "alpha", "charlie", "Delta", "ÉCLAIR", "echo"],
        id="enterprise-string-of-digits",
    ),
    pytest.param(
        "meta.created",
        ["ÉCLAIR", "Bravo", "charlie", "alpha", "echo", "Delta"],
        id="meta-created",
    ),
    pytest.param(
        "meta.lastModified",
        ["Bravo", "Delta", "charlie", "echo", "ÉCLAIR", "alpha"],
        id="meta-lastModified",
    ),
    pytest.param(
        "active",
        ["Delta", "alpha", "Bravo", "charlie", "ÉCLAIR", "echo"],
        id="active-false-first",
    ),
]


@pytest.mark.parametrize(("sort_by", "expected"), SORTS)
def test_rfc7644_3_4_2_3_sort_ascending(client, people, sort_by, expected):
    assert listed(client, sortBy=sort_by, sortOrder="ascending") == expected


@pytest.mark.parametrize(("sort_by", "expected"), SORTS)
def test_rfc7644_3_4_2_3_sort_order_defaults_to_ascending(client, people, sort_by, expected):
    assert listed(client, sortBy=sort_by) == expected


DESCENDING = [
    pytest.param(
        "userName",
        ["ÉCLAIR", "echo", "Delta", "charlie", "Bravo", "alpha"],
        id="userName",
    ),
    # Resources without a value come first; ties keep creation order.
    pytest.param(
        "name.familyName",
        ["charlie", "Delta", "ÉCLAIR", "alpha", "echo", "Bravo"],
        id="familyName",
    ),
    pytest.param(
        "title",
        ["charlie", "Delta", "alpha", "echo", "Bravo", "ÉCLAIR"],
        id="title",
    ),
    pytest.param(
        "externalId",
        ["charlie", "echo", "ÉCLAIR", "alpha", "Delta", "Bravo"],
        id="externalId",
    ),
    pytest.param(
        "emails",
        ["Delta", "ÉCLAIR", "Bravo", "charlie", "alpha", "echo"],
        id="emails",
    ),
    pytest.param(
        f"{ENTERPRISE}:department",
        ["charlie", "Delta", "alpha", "echo", "ÉCLAIR", "Bravo"],
        id="enterprise-department",
    ),
    pytest.param(
        "meta.created",
        ["Delta", "echo", "alpha", "charlie", "Bravo", "ÉCLAIR"],
        id="meta-created",
    ),
    pytest.param(
        "meta.lastModified",
        ["alpha", "ÉCLAIR", "echo", "charlie", "Delta", "Bravo"],
        id="meta-lastModified",
    ),
]


@pytest.mark.parametrize(("sort_by", "expected"), DESCENDING)
def test_rfc7644_3_4_2_3_sort_descending(client, people, sort_by, expected):
    assert listed(client, sortBy=sort_by, sortOrder="descending") == expected


def test_rfc7644_3_4_2_3_sort_by_id_is_code_point_order(client, people):
    """``id`` is a caseExact string: its order is that of the strings the server returns."""
    ids = {identifier: name for name, identifier in people.items()}
    expected = [ids[identifier] for identifier in sorted(ids)]

    assert listed(client, sortBy="id") == expected
    assert listed(client, sortBy="id", sortOrder="descending") == expected[::-1]


def test_rfc7644_3_4_2_3_sort_with_filter(client, people):
    names = listed(client, filter="title pr", sortBy="title", sortOrder="descending")

    assert names == ["Delta", "alpha", "echo", "Bravo", "ÉCLAIR"]


def test_rfc7644_3_4_2_3_sort_without_sort_by_ignores_sort_order(client, people):
    assert listed(client, sortOrder="descending") == listed(client)


def test_rfc7644_3_4_2_3_values_longer_than_the_index_sort_in_full(client, db):
    """Two e-mails equal on their first 200 characters still sort by what follows."""
    stem = "x" * 200
    for name in ("long2", "long1", "long3"):
        body = {"userName": name, "emails": [{"value": f"{stem}{name[-1]}@example.com"}]}
        assert client.post(USERS, body).status_code == 201

    assert listed(client, sortBy="emails") == ["long1", "long2", "long3"]
    assert listed(client, sortBy="emails", sortOrder="descending") == ["long3", "long2", "long1"]


@pytest.mark.parametrize("order", ["ascending", "descending"])
@pytest.mark.parametrize(
    "sort_by", ["name.familyName", "title", "externalId", "emails", "meta.created"]
)
def test_rfc7644_3_4_2_3_paging_never_repeats_or_skips(client, people, sort_by, order):
    """Walking pages of two (ties straddle page boundaries) gives the one-page order."""
    whole = listed(client, sortBy=sort_by, sortOrder=order)
    walked = []
    for start in (1, 3, 5, 7):
        walked += listed(client, sortBy=sort_by, sortOrder=order, count=2, startIndex=start)

    assert walked == whole
    assert sorted(walked) == sorted(people)


@pytest.mark.parametrize("count", [1, 4])
@pytest.mark.parametrize(
    ("sort_by", "order"),
    [(None, None)]
    + [
        (sort_by, order)
        for sort_by in ("name.familyName", "title", "emails", "meta.created")
        for order in ("ascending", "descending")
    ],
)
def test_rfc7644_3_4_2_4_every_page_holds_its_places(client, people, sort_by, order, count):
    """Every page, at every ``startIndex``, holds the users at those places of the whole
    list (RFC 7644 §3.4.2.4). A page nearer the end is read in the reverse order
    (SCIMPagination.page_of): ties, and users without a value (last ascending, first
    descending, RFC 7644 §3.4.2.3), must land where the forward order puts them."""
    params = {} if sort_by is None else {"sortBy": sort_by, "sortOrder": order}
    whole = listed(client, **params)
    for start in range(1, len(whole) + 2):
        page = listed(client, count=count, startIndex=start, **params)
        assert page == whole[start - 1 : start - 1 + count], start


def assert_invalid_value(response):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "400"
    assert body["scimType"] == "invalidValue"
    assert body["detail"]


@pytest.mark.parametrize(
    "sort_order", ["up", "asc", "desc", "descend", "ascending,descending", "1"]
)
def test_rfc7644_3_4_2_3_invalid_sort_order(client, people, sort_order):
    assert_invalid_value(client.get(USERS, {"sortBy": "userName", "sortOrder": sort_order}))


@pytest.mark.parametrize(
    "sort_by",
    [
        pytest.param("bogus", id="unknown-attribute"),
        pytest.param("name.bogus", id="unknown-sub-attribute"),
        pytest.param(f"{ENTERPRISE}:bogus", id="unknown-enterprise-attribute"),
        pytest.param("urn:ietf:params:scim:schemas:extension:acme:2.0:User:x", id="unknown-urn"),
        pytest.param("password", id="password"),
        pytest.param("name", id="complex"),
        pytest.param(f"{ENTERPRISE}:manager", id="enterprise-complex"),
        pytest.param("userName desc", id="sql-like-suffix"),
        pytest.param('emails[type eq "work"]', id="value-filter"),
        pytest.param("userName,title", id="two-attributes"),
    ],
)
def test_rfc7644_3_4_2_3_invalid_sort_by(client, people, sort_by):
    assert_invalid_value(client.get(USERS, {"sortBy": sort_by}))


# -- the filter backend's compiler serves sortBy ------------------------------------------


@pytest.mark.urls("tests.urls_custom_compiler")
def test_rfc7644_3_4_2_3_sort_by_uses_the_filter_backends_compiler_class(client, people):
    """``sortBy`` resolves through the ``compiler_class`` of the view's filter backend."""
    from tests.urls_custom_compiler import SurnameCompiler

    SurnameCompiler.resolved.clear()
    names = listed(client, sortBy="surname")
    assert names == ["Bravo", "alpha", "echo", "ÉCLAIR", "Delta", "charlie"]
    assert SurnameCompiler.resolved == ["surname"]
    names = listed(client, sortBy="Surname", sortOrder="descending")
    assert names == ["charlie", "Delta", "ÉCLAIR", "alpha", "echo", "Bravo"]


@pytest.mark.urls("tests.urls_no_filter")
def test_rfc7644_3_4_2_3_sort_without_a_filter_backend_uses_filter_compiler(client, db):
    response = client.get("/sort-only/v2/Users", {"sortBy": "surname"})
    assert response.status_code == 400
    assert "Unknown attribute 'surname'" in response.json()["detail"]
