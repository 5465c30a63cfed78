"""Cursor pagination (RFC 9865): keyset cursors, beside index pagination (RFC 7644 §3.4.2.4).

A walk starts with an empty ``cursor`` and follows ``nextCursor`` (``previousCursor``
back); each cursor is the position of the resource at a page's edge, so inserts and
deletes between pages neither repeat nor skip a resource, and every page costs the same.
The RFC text followed is draft-ietf-scim-cursor-pagination as published as RFC 9865
(sections: §2 parameters and ListResponse attributes, §2.1 errors, §2.2 sorting, §2.3 and
§2.4 default method, §3 ``/.search``, §4 ``/ServiceProviderConfig``).
"""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.db.models import F
from django.test import override_settings

from drf_scim.checks import check_settings
from drf_scim.constants import LIST_RESPONSE_SCHEMA, SEARCH_REQUEST_SCHEMA
from drf_scim.pagination import Cursor, SCIMPagination

from .conftest import assert_error

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
TOTAL = 23
#: Family names with ties, and every fifth user without one (a null sort key).
FAMILY = ("Smith", "adams", "Émile", "Zimmer", None)


def person(index):
    body = {
        "userName": f"user{index:02d}",
        "name": {"givenName": f"Given{index}"},
        "emails": [{"value": f"u{(index * 7) % TOTAL:02d}@example.com", "primary": True}],
        "active": index % 3 != 0,
    }
    family = FAMILY[index % len(FAMILY)]
    if family is not None:
        body["name"]["familyName"] = family
    if index % 4:
        body[ENTERPRISE] = {"employeeNumber": str(index * 37 % 11)}
    return body


@pytest.fixture
def people(client):
    """TOTAL users made through SCIM; their userNames, in creation order."""
    names = []
    for index in range(TOTAL):
        response = client.post(USERS, person(index))
        assert response.status_code == 201, response.content
        names.append(response.json()["userName"])
    return names


def page(client, path=USERS, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def names(body):
    return [resource["userName"] for resource in body["Resources"]]


def walk(client, path=USERS, **params):
    """Every page of a forward walk from an empty cursor, then back by previousCursor."""
    forward = [page(client, path, cursor="", **params)]
    while "nextCursor" in forward[-1]:
        forward.append(page(client, path, cursor=forward[-1]["nextCursor"], **params))
        assert len(forward) <= TOTAL + 1
    backward = [forward[-1]]
    while "previousCursor" in backward[-1]:
        backward.append(page(client, path, cursor=backward[-1]["previousCursor"], **params))
        assert len(backward) <= TOTAL + 1
    return forward, backward


def test_rfc9865_2_first_page_has_next_cursor_and_no_previous(client, people):
    """RFC 9865 §2: an empty cursor asks for the first page; nextCursor follows unless it is
    the last page, previousCursor never comes with the first page."""
    body = page(client, cursor="", count=5)

    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert body["totalResults"] == TOTAL
    assert body["itemsPerPage"] == 5
    assert names(body) == people[:5]
    assert "nextCursor" in body
    assert "previousCursor" not in body
    assert "startIndex" not in body  # a cursor page has no index


def test_rfc9865_2_cursor_is_url_safe_and_opaque(client, people):
    """RFC 9865 §2: cursor values use only RFC 3986 §2.3 unreserved characters."""
    cursor = page(client, cursor="", count=5)["nextCursor"]

    assert re.fullmatch(r"[A-Za-z0-9._~-]+", cursor)
    assert "user04" not in cursor  # no readable position


def test_rfc9865_2_key_only_cursor_parameter_starts_a_walk(client, people):
    """RFC 9865 §2's example: ``?cursor&count=10``, the parameter without a value."""
    response = client.get(f"{USERS}?cursor&count=10")

    assert response.status_code == 200, response.content
    assert names(response.json()) == people[:10]
    assert "nextCursor" in response.json()


SORTS = [
    pytest.param({}, id="unsorted"),
    pytest.param({"sortBy": "userName"}, id="userName"),
    pytest.param({"sortBy": "userName", "sortOrder": "descending"}, id="userName-desc"),
    pytest.param({"sortBy": "name.familyName"}, id="familyName-ties-and-nulls"),
    pytest.param(
        {"sortBy": "name.familyName", "sortOrder": "descending"}, id="familyName-desc-nulls"
    ),
    pytest.param({"sortBy": "meta.created", "sortOrder": "descending"}, id="created"),
    pytest.param({"sortBy": "emails"}, id="multi-valued"),
    pytest.param({"sortBy": "id"}, id="id"),
    pytest.param({"sortBy": f"{ENTERPRISE}:employeeNumber"}, id="extension-ties-and-nulls"),
    pytest.param({"sortBy": "active"}, id="boolean"),
]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("count", [1, 4, 23])
def test_rfc9865_2_2_walk_forward_and_back_yields_each_resource_once(client, people, sort, count):
    """RFC 9865 §2, §2.2: following nextCursor serves every resource once, in the sortBy
    order of RFC 7644 §3.4.2.3 (the index pages' order); previousCursor serves the same
    pages back."""
    expected = names(page(client, count=TOTAL, **sort))

    forward, backward = walk(client, count=count, **sort)

    served = [name for body in forward for name in names(body)]
    assert served == expected
    assert [names(body) for body in backward] == [names(body) for body in reversed(forward)]
    assert all(body["totalResults"] == TOTAL for body in forward)
    assert all(len(names(body)) == count for body in forward[:-1])
    assert "previousCursor" not in backward[-1]


def test_rfc9865_2_2_walk_with_filter_and_sort(client, people):
    """RFC 9865 §2.2: a walk serves exactly the filter's matches, sorted."""
    query = {"filter": "name.familyName pr and active eq true", "sortBy": "name.familyName"}
    expected = names(page(client, count=TOTAL, **query))
    assert 0 < len(expected) < TOTAL

    forward, _ = walk(client, count=3, **query)

    assert [name for body in forward for name in names(body)] == expected
    assert all(body["totalResults"] == len(expected) for body in forward)


def test_rfc9865_2_walk_is_stable_under_inserts_and_deletes(client, people):
    """Keyset cursors (RFC 9865 §1): resources deleted between pages are not served, the
    others are served once each, none skipped; one created after the position is served."""
    sort = {"sortBy": "userName", "count": 5}
    first = page(client, cursor="", **sort)
    assert names(first) == people[:5]
    ids = {r["userName"]: r["id"] for r in page(client, count=TOTAL)["Resources"]}
    # Delete one already served and one not yet served; create one before the position
    # (never to be served) and one after it.
    for name in ("user02", "user07"):
        assert client.delete(f"{USERS}/{ids[name]}").status_code == 204
    for name in ("user00a", "user10a"):
        assert client.post(USERS, {"userName": name}).status_code == 201

    served = list(names(first))
    body = first
    while "nextCursor" in body:
        body = page(client, cursor=body["nextCursor"], **sort)
        served.extend(names(body))

    rest = sorted(n for n in (set(people) - {"user07"}) | {"user10a"} if n > "user04")
    assert served == ["user00", "user01", "user02", "user03", "user04", *rest]
    assert "user00a" not in served
    assert len(served) == len(set(served))


def test_rfc9865_2_cursor_of_a_deleted_resource_still_works(client, people):
    """The cursor names a position, not a resource: deleting the resource at the page's
    edge loses nothing."""
    first = page(client, cursor="", count=5)
    edge = first["Resources"][-1]
    assert client.delete(f"{USERS}/{edge['id']}").status_code == 204

    second = page(client, cursor=first["nextCursor"], count=5)

    assert names(second) == people[5:10]
    back = page(client, cursor=second["previousCursor"], count=5)
    assert names(back) == people[:4]  # what is left before the position
    assert "previousCursor" not in back


def test_rfc9865_2_page_emptied_by_deletes_points_back(client, people):
    """A forward page that deletes left empty has no nextCursor, and a previousCursor to
    the last page (RFC 9865 §2: previousCursor is only withheld from the first page)."""
    first = page(client, cursor="", count=20)
    for resource in page(client, count=TOTAL)["Resources"][20:]:
        assert client.delete(f"{USERS}/{resource['id']}").status_code == 204

    empty = page(client, cursor=first["nextCursor"], count=20)

    assert empty["Resources"] == []
    assert "nextCursor" not in empty
    last = page(client, cursor=empty["previousCursor"], count=5)
    assert names(last) == people[15:20]


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("garbage", id="garbage"),
        pytest.param("a~b~c", id="garbage-with-separators"),
        pytest.param("é" * 50, id="non-ascii"),
        pytest.param("~" * 5000, id="long"),
    ],
)
def test_rfc9865_2_1_garbage_cursor_is_invalid_cursor(client, people, cursor):
    """RFC 9865 §2.1: an invalid cursor value is 400 invalidCursor."""
    assert_error(client.get(USERS, {"cursor": cursor}), 400, "invalidCursor")


def test_rfc9865_2_1_tampered_cursor_is_invalid_cursor(client, people):
    """RFC 9865 §5.2: forged cursors are detected (they are signed) and refused."""
    cursor = page(client, cursor="", count=5)["nextCursor"]
    payload, timestamp, signature = cursor.split("~")
    flipped = "A" if payload[5] != "A" else "B"
    tampered = [
        f"{payload[:5]}{flipped}{payload[6:]}~{timestamp}~{signature}",
        f"{payload}~{timestamp}~{signature[:-1]}",
        f"{payload}~{timestamp}",
        cursor + "x",
    ]
    for text in tampered:
        assert_error(client.get(USERS, {"cursor": text, "count": 5}), 400, "invalidCursor")


def test_rfc9865_5_2_cursor_signed_with_another_key_is_invalid(client, people):
    """A cursor is signed with SECRET_KEY: another server's (or a rotated-out key's) is
    invalidCursor."""
    cursor = page(client, cursor="", count=5)["nextCursor"]

    with override_settings(SECRET_KEY="another-secret-key-" + "x" * 40):
        assert_error(client.get(USERS, {"cursor": cursor, "count": 5}), 400, "invalidCursor")


def test_rfc9865_2_1_expired_cursor(client, people):
    """RFC 9865 §2.1: a cursor older than cursorTimeout is 400 expiredCursor."""
    with override_settings(DRF_SCIM={"CURSOR_TIMEOUT": 60}):
        cursor = page(client, cursor="", count=5)["nextCursor"]
        assert client.get(USERS, {"cursor": cursor, "count": 5}).status_code == 200
        later = time.time() + 61
        with mock.patch("django.core.signing.time.time", return_value=later):
            response = client.get(USERS, {"cursor": cursor, "count": 5})
            body = assert_error(response, 400, "expiredCursor")
    assert "expired" in body["detail"]


def test_rfc9865_4_no_cursor_timeout_means_cursors_never_expire(client, people):
    """RFC 9865 §4: no cursorTimeout advertised; then a cursor stays valid."""
    with override_settings(DRF_SCIM={"CURSOR_TIMEOUT": None}):
        cursor = page(client, cursor="", count=5)["nextCursor"]
        later = time.time() + 10 * 365 * 86400
        with mock.patch("django.core.signing.time.time", return_value=later):
            assert names(page(client, cursor=cursor, count=5)) == people[5:10]
        assert (
            "cursorTimeout" not in client.get("/scim/v2/ServiceProviderConfig").json()["pagination"]
        )


CHANGED_QUERIES = [
    pytest.param({"filter": 'userName sw "user1"'}, id="other-filter"),
    pytest.param({"sortBy": "userName"}, id="other-sortBy"),
    pytest.param({"sortOrder": "descending"}, id="other-sortOrder"),
]


@pytest.mark.parametrize("changed", CHANGED_QUERIES)
def test_rfc9865_2_cursor_with_another_query_is_invalid_cursor(client, people, changed):
    """RFC 9865 §2: later pages repeat the first request's parameters; a cursor sent with
    another filter or sort would land on a meaningless position, so it is invalidCursor."""
    query = {"filter": 'userName sw "user"', "sortBy": "name.familyName"}
    cursor = page(client, cursor="", count=5, **query)["nextCursor"]

    response = client.get(USERS, {**query, **changed, "cursor": cursor, "count": 5})

    body = assert_error(response, 400, "invalidCursor")
    assert "another query" in body["detail"]


def test_rfc9865_2_cursor_of_another_resource_type_is_invalid(client, people):
    """A /Users cursor is no position in /Groups."""
    cursor = page(client, cursor="", count=5)["nextCursor"]

    assert_error(client.get(GROUPS, {"cursor": cursor}), 400, "invalidCursor")


def test_rfc9865_2_count_and_attributes_may_change_between_pages(client, people):
    """Neither moves the position, so a walk may change them (RFC 9865 §2 asks clients to
    keep them; this server does not need them kept)."""
    first = page(client, cursor="", count=5)

    second = page(client, cursor=first["nextCursor"], count=2, attributes="userName")

    assert names(second) == people[5:7]
    assert set(second["Resources"][0]) == {"schemas", "id", "userName"}


@override_settings(DRF_SCIM={"MAX_COUNT": 4})
def test_rfc9865_2_count_is_capped_at_max_page_size(client, people):
    """RFC 9865 §2 and RFC 7644 §3.4.2.4: never more than the count, and a count above
    maxPageSize is capped rather than refused."""
    forward, _ = walk(client, count=10)

    assert [len(names(body)) for body in forward] == [4, 4, 4, 4, 4, 3]
    assert [n for body in forward for n in names(body)] == people


@pytest.mark.parametrize("count", ["0", "-3"])
def test_rfc9865_2_count_zero_returns_only_total_results(client, people, count):
    """RFC 9865 §2: count 0 (and a negative count, read as 0) returns only totalResults."""
    body = page(client, cursor="", count=count)

    assert body["totalResults"] == TOTAL
    assert body["Resources"] == []
    assert "nextCursor" not in body
    assert "previousCursor" not in body


def test_rfc9865_2_default_count(client, people):
    """Without count, a page is defaultPageSize (RFC 9865 §4) long."""
    with override_settings(DRF_SCIM={"DEFAULT_COUNT": 10}):
        body = page(client, cursor="")
    assert names(body) == people[:10]
    assert "nextCursor" in body


def test_rfc9865_2_4_start_index_and_cursor_together_is_invalid_value(client, people):
    """RFC 9865 §2.4: startIndex asks for index pagination, cursor for a cursor walk; a
    request naming both is refused rather than answered by a guess."""
    response = client.get(USERS, {"cursor": "", "startIndex": "1"})

    assert_error(response, 400, "invalidValue")


def test_rfc9865_2_4_blank_start_index_does_not_conflict(client, people):
    """A blank startIndex counts as left out (RFC 7644 §3.4.2.4 as served here)."""
    body = page(client, cursor="", startIndex="", count=5)

    assert names(body) == people[:5]


def test_rfc9865_2_4_index_paging_unchanged(client, people):
    """RFC 9865 §2.4: index stays the default, with no cursors in its answers."""
    body = page(client, startIndex=6, count=5)

    assert list(body) == ["schemas", "totalResults", "itemsPerPage", "startIndex", "Resources"]
    assert names(body) == people[5:10]
    assert body["startIndex"] == 6
    assert list(page(client)) == [
        "schemas",
        "totalResults",
        "itemsPerPage",
        "startIndex",
        "Resources",
    ]


@override_settings(DRF_SCIM={"DEFAULT_PAGINATION_METHOD": "cursor", "DEFAULT_COUNT": 10})
def test_rfc9865_2_3_cursor_as_default_method(client, people):
    """RFC 9865 §2.3: with cursor as the default, a request naming no method gets a cursor
    page with a nextCursor; startIndex still asks for an index page."""
    body = page(client)

    assert names(body) == people[:10]
    assert "nextCursor" in body
    assert "startIndex" not in body
    assert names(page(client, cursor=body["nextCursor"])) == people[10:20]
    indexed = page(client, startIndex=3, count=2)
    assert indexed["startIndex"] == 3
    assert "nextCursor" not in indexed


def test_rfc9865_3_search_request_walk(client, people):
    """RFC 9865 §3: ``cursor`` and ``count`` in a ``/.search`` body, as in its example."""
    body = {
        "schemas": [SEARCH_REQUEST_SCHEMA],
        "filter": 'userName sw "user1"',
        "sortBy": "userName",
        "cursor": "",
        "count": 4,
    }
    served = []
    while True:
        response = client.post(f"{USERS}/.search", body)
        assert response.status_code == 200, response.content
        served.extend(names(response.json()))
        if "nextCursor" not in response.json():
            break
        body["cursor"] = response.json()["nextCursor"]

    assert served == [f"user{index}" for index in range(10, 20)]


@pytest.mark.parametrize("cursor", [7, ["x"], {"a": 1}, True])
def test_rfc9865_3_search_request_cursor_must_be_a_string(client, people, cursor):
    """A SearchRequest's cursor that is not a string is invalidCursor, not a 500."""
    body = {"schemas": [SEARCH_REQUEST_SCHEMA], "cursor": cursor}

    assert_error(client.post(f"{USERS}/.search", body), 400, "invalidCursor")


def test_rfc9865_3_get_cursor_is_no_search_cursor_of_another_filter(client, people):
    """A GET's cursor serves the equivalent ``/.search`` (same filter and sort)."""
    first = page(client, cursor="", count=5, sortBy="userName")
    body = {
        "schemas": [SEARCH_REQUEST_SCHEMA],
        "sortBy": "userName",
        "cursor": first["nextCursor"],
        "count": 5,
    }

    response = client.post(f"{USERS}/.search", body)

    assert names(response.json()) == people[5:10]


def test_rfc9865_2_walk_on_groups(client, people):
    """Every resource type pages by cursor (the Group endpoint here)."""
    for index in range(7):
        assert client.post(GROUPS, {"displayName": f"group{index}"}).status_code == 201

    forward, backward = walk(client, GROUPS, count=3, sortBy="displayName")

    served = [r["displayName"] for body in forward for r in body["Resources"]]
    assert served == [f"group{index}" for index in range(7)]
    assert len(backward) == len(forward)


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_rfc9865_1_each_page_costs_the_same_queries(
    client, people, django_assert_num_queries, position
):
    """Keyset pages: the first, a middle and the last page cost the same queries (token,
    count, page with its value rows and groups), with no OFFSET."""
    query = {"sortBy": "name.familyName", "count": 5}
    pages, _ = walk(client, **query)
    cursor = {"first": "", "middle": pages[2]["nextCursor"], "last": pages[-2]["nextCursor"]}[
        position
    ]
    client.get(USERS)  # the token's last_used is written once, not during a measurement

    with django_assert_num_queries(3) as captured:
        client.get(USERS, {**query, "cursor": cursor})

    page_query = next(q["sql"] for q in captured.captured_queries if "LIMIT" in q["sql"])
    assert "OFFSET" not in page_query


def test_rfc9865_4_service_provider_config_pagination(client):
    """RFC 9865 §4: the pagination object, from the settings the paginator reads."""
    document = client.get("/scim/v2/ServiceProviderConfig").json()

    assert document["pagination"] == {
        "cursor": True,
        "index": True,
        "defaultPaginationMethod": "index",
        "defaultPageSize": 100,
        "maxPageSize": 1000,
        "cursorTimeout": 3600,
    }


@override_settings(
    DRF_SCIM={
        "DEFAULT_PAGINATION_METHOD": "cursor",
        "DEFAULT_COUNT": 25,
        "MAX_COUNT": 250,
        "CURSOR_TIMEOUT": 600,
    }
)
def test_rfc9865_4_service_provider_config_follows_settings(client):
    """RFC 9865 §4: every value advertised is the one served."""
    pagination = client.get("/scim/v2/ServiceProviderConfig").json()["pagination"]

    assert pagination == {
        "cursor": True,
        "index": True,
        "defaultPaginationMethod": "cursor",
        "defaultPageSize": 25,
        "maxPageSize": 250,
        "cursorTimeout": 600,
    }


class IndexOnlyPagination(SCIMPagination):
    cursor_query_param = None


def test_rfc9865_4_index_only_paginator(client, people, monkeypatch):
    """A paginator without a cursor parameter serves index pages only, ignoring cursor as
    an unknown parameter (RFC 7644 §3.4.2), and /ServiceProviderConfig says so."""
    from drf_scim.viewsets import GroupViewSet, UserViewSet

    monkeypatch.setattr(UserViewSet, "pagination_class", IndexOnlyPagination)
    monkeypatch.setattr(GroupViewSet, "pagination_class", IndexOnlyPagination)

    body = page(client, cursor="whatever", count=5)
    pagination = client.get("/scim/v2/ServiceProviderConfig").json()["pagination"]

    assert names(body) == people[:5]
    assert body["startIndex"] == 1
    assert pagination["cursor"] is False
    assert pagination["defaultPaginationMethod"] == "index"
    assert "cursorTimeout" not in pagination


def test_cursor_round_trips_typed_keys():
    """Sort keys of every type an ordering gives back survive the cursor's JSON."""
    import datetime
    import decimal
    import uuid

    paginator = SCIMPagination()
    keys = (
        datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
        datetime.date(2024, 1, 2),
        decimal.Decimal("1.50"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        1.25,
        7,
        "é",
        None,
        True,
    )

    decoded = paginator.decode_cursor(
        paginator.encode_cursor(Cursor(keys, backward=True), "scope"), "scope", len(keys)
    )

    assert decoded == Cursor(keys, backward=True)
    assert [type(key) for key in decoded.keys] == [type(key) for key in keys]


@pytest.mark.parametrize(
    ("settings", "check_id"),
    [
        ({"DEFAULT_PAGINATION_METHOD": "offset"}, "drf_scim.E006"),
        ({"CURSOR_TIMEOUT": 0}, "drf_scim.E007"),
        ({"CURSOR_TIMEOUT": "60"}, "drf_scim.E007"),
    ],
)
def test_pagination_settings_are_checked(settings, check_id):
    with override_settings(DRF_SCIM=settings):
        ids = [message.id for message in check_settings()]
    assert ids == [check_id]
    assert all(isinstance(m, checks.Error) for m in check_settings())


def test_users_made_outside_scim_are_walked_too(client, db):
    """Users created the Django way have records, so a walk serves them."""
    for index in range(5):
        get_user_model().objects.create_user(f"plain{index}")

    forward, _ = walk(client, count=2, sortBy="userName")

    assert [n for body in forward for n in names(body)] == [f"plain{i}" for i in range(5)]


def test_rfc9865_4_schemas_describe_the_pagination_attribute(client):
    """RFC 9865 §4 adds ``pagination`` to the ServiceProviderConfig schema (RFC 7643 §5):
    /Schemas describes every sub-attribute /ServiceProviderConfig serves."""
    urn = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    schema = client.get(f"/scim/v2/Schemas/{urn}").json()
    served = client.get("/scim/v2/ServiceProviderConfig").json()["pagination"]

    (pagination,) = [a for a in schema["attributes"] if a["name"] == "pagination"]
    described = {sub["name"]: sub for sub in pagination["subAttributes"]}
    assert set(described) == set(served)
    assert described["cursor"]["type"] == "boolean"
    assert described["cursor"]["required"] is True
    assert described["index"]["required"] is True
    assert described["defaultPaginationMethod"]["canonicalValues"] == ["cursor", "index"]
    assert {described[name]["type"] for name in ("defaultPageSize", "maxPageSize")} == {"integer"}
    assert described["cursorTimeout"]["type"] == "integer"


def test_keyset_follows_any_queryset_ordering(db):
    """Keyset walks whatever order a custom backend or get_queryset() left, nulls and a
    descending primary key included."""
    import datetime

    from drf_scim.pagination import Keyset

    model = get_user_model()
    day = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    for index, days in enumerate([2, None, 1, 2, None, 3]):
        login = None if days is None else day + datetime.timedelta(days=days)
        model.objects.create(username=f"k{index}", last_login=login)
    queryset = model.objects.filter(username__startswith="k")
    # Literal orders, the same on every database: without a placement, nulls come last
    # ascending and first descending.
    orderings = (
        (("last_login", "-pk"), "k2 k3 k0 k5 k4 k1"),
        (("-last_login", "username"), "k1 k4 k5 k0 k3 k2"),
        ((F("last_login").asc(nulls_first=True), "pk"), "k1 k4 k2 k0 k3 k5"),
        ((F("last_login").desc(nulls_last=True), "-pk"), "k5 k3 k0 k2 k4 k1"),
        (("-pk",), "k5 k4 k3 k2 k1 k0"),
    )
    for ordering, order in orderings:
        ordered = queryset.order_by(*ordering)
        keyset = Keyset(ordered, "pk")
        served, cursor = [], Cursor()
        while True:
            rows = keyset.page(cursor, 2)
            if not rows:
                break
            served.extend(row.username for row in rows)
            cursor = Cursor(keyset.keys(rows[-1]))
        assert served == order.split(), ordering
        (last,) = keyset.page(Cursor(backward=True), 1)
        back = keyset.page(Cursor(keyset.keys(last), backward=True), 10)
        assert [row.username for row in reversed(back)] == served[:-1], ordering
