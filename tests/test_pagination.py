"""SCIMPagination: 1-based startIndex and count, answered as a ListResponse (RFC 7644 §3.4.2)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from drf_scim.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA
from drf_scim.models import UserValue
from drf_scim.pagination import SCIMPagination, list_response

USERS = "/scim/v2/Users"
TOTAL = 7


def make_users(count, prefix="user"):
    """Users created the Django way; each gets its SCIM record from the post_save receiver."""
    model = get_user_model()
    return [
        model.objects.create(
            username=f"{prefix}{index:03d}",
            email=f"{prefix}{index:03d}@example.com",
            first_name=f"First{index}",
        )
        for index in range(count)
    ]


def user_names(response):
    return [resource["userName"] for resource in response.json()["Resources"]]


@pytest.fixture
def users(db):
    return make_users(TOTAL)


@pytest.fixture
def all_names(users):
    return [user.username for user in users]


def test_rfc7644_3_4_2_list_response_shape(client, users):
    response = client.get(USERS)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["schemas", "totalResults", "itemsPerPage", "startIndex", "Resources"]
    assert body["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert body["totalResults"] == TOTAL
    assert body["itemsPerPage"] == TOTAL
    assert body["startIndex"] == 1
    assert len(body["Resources"]) == TOTAL
    assert all(resource["meta"]["resourceType"] == "User" for resource in body["Resources"])


def test_rfc7644_3_4_2_empty_list(client):
    response = client.get(USERS)

    assert response.json() == {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": 0,
        "itemsPerPage": 0,
        "startIndex": 1,
        "Resources": [],
    }


# (query string, expected first/last 1-based positions or None for an empty page,
#  expected startIndex echoed back)
PAGING_EDGES = [
    pytest.param("", (1, 7), 1, id="defaults"),
    pytest.param("count=3", (1, 3), 1, id="count"),
    pytest.param("startIndex=3", (3, 7), 3, id="startIndex"),
    pytest.param("startIndex=3&count=2", (3, 4), 3, id="window"),
    pytest.param("startIndex=6&count=5", (6, 7), 6, id="window-past-end"),
    pytest.param("startIndex=7&count=1", (7, 7), 7, id="last"),
    pytest.param("startIndex=8", None, 8, id="just-past-end"),
    pytest.param("startIndex=1000", None, 1000, id="far-past-end"),
    pytest.param("startIndex=0", (1, 7), 1, id="startIndex-0"),
    pytest.param("startIndex=-5&count=2", (1, 2), 1, id="startIndex-negative"),
    pytest.param("count=7", (1, 7), 1, id="count-equals-total"),
    pytest.param("count=100", (1, 7), 1, id="count-over-total"),
    pytest.param("count=-1", None, 1, id="count-negative"),
    pytest.param("count=-100&startIndex=2", None, 2, id="count-negative-startIndex"),
    pytest.param("count=+2", (1, 2), 1, id="explicit-plus"),
    pytest.param("count=%202%20", (1, 2), 1, id="surrounding-spaces"),
    pytest.param("count=", (1, 7), 1, id="empty-count-is-default"),
    pytest.param("startIndex=", (1, 7), 1, id="empty-startIndex-is-default"),
    pytest.param("count=99999999999999999", (1, 7), 1, id="count-huge"),
    pytest.param("startIndex=99999999999999999", None, 99999999999999999, id="start-huge"),
    pytest.param("count=-99999999999999999", None, 1, id="count-huge-negative"),
    pytest.param("startIndex=-99999999999999999", (1, 7), 1, id="start-huge-negative"),
    pytest.param("count=" + "9" * 40, (1, 7), 1, id="count-40-digits"),
    pytest.param("count=-" + "9" * 40, None, 1, id="count-negative-40-digits"),
    pytest.param("startIndex=-" + "9" * 40, (1, 7), 1, id="start-negative-40-digits"),
]


@pytest.mark.parametrize(("query", "window", "start_index"), PAGING_EDGES)
def test_rfc7644_3_4_2_4_paging_edges(client, all_names, query, window, start_index):
    """RFC 7644 §3.4.2.4: startIndex < 1 means 1, a negative count means 0, a count above
    the maximum is capped, and totalResults counts every match, before the page is cut."""
    response = client.get(f"{USERS}?{query}")

    assert response.status_code == 200, response.content
    body = response.json()
    expected = [] if window is None else all_names[window[0] - 1 : window[1]]
    assert user_names(response) == expected
    assert body["totalResults"] == TOTAL
    assert body["itemsPerPage"] == len(expected)
    assert body["startIndex"] == start_index


def test_rfc7644_3_4_2_4_start_index_far_beyond_any_offset(client, users):
    """A startIndex too large for a database OFFSET is still just "past the end"."""
    response = client.get(f"{USERS}?startIndex=" + "9" * 40)

    assert response.status_code == 200, response.content
    assert response.json()["Resources"] == []
    assert response.json()["totalResults"] == TOTAL


def test_rfc7644_3_4_2_4_count_zero_returns_only_total_results(client, users):
    """RFC 7644 §3.4.2.4: "A value of 0 indicates that no resource results are to be
    returned except for totalResults"."""
    response = client.get(f"{USERS}?count=0")

    assert response.status_code == 200
    assert response.json() == {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": TOTAL,
        "itemsPerPage": 0,
        "startIndex": 1,
        "Resources": [],
    }


@override_settings(DRF_SCIM={"DEFAULT_COUNT": 3})
def test_rfc7644_3_4_2_4_default_count_setting(client, all_names):
    response = client.get(USERS)

    assert user_names(response) == all_names[:3]
    assert response.json()["totalResults"] == TOTAL
    assert response.json()["itemsPerPage"] == 3


@override_settings(DRF_SCIM={"MAX_COUNT": 4})
@pytest.mark.parametrize("query", ["count=5", "count=1000", "count=99999999999999999"])
def test_rfc7644_3_4_2_4_count_over_max_count_is_capped(client, all_names, query):
    response = client.get(f"{USERS}?{query}")

    assert response.status_code == 200
    assert user_names(response) == all_names[:4]
    assert response.json()["itemsPerPage"] == 4
    assert response.json()["totalResults"] == TOTAL


@override_settings(DRF_SCIM={"MAX_COUNT": 4, "DEFAULT_COUNT": 100})
def test_rfc7644_3_4_2_4_default_count_is_capped_by_max_count(client, all_names):
    response = client.get(USERS)

    assert user_names(response) == all_names[:4]


@pytest.mark.parametrize("param", ["count", "startIndex"])
@pytest.mark.parametrize(
    "value",
    ["abc", "1.5", "1e3", "0x10", "--1", "1-", "2 3", "NaN", "true", "²", "¹⁰"],
    ids=[
        "word",
        "decimal",
        "exponent",
        "hex",
        "double-minus",
        "trailing-minus",
        "two-numbers",
        "nan",
        "bool",
        "superscript-two",
        "superscript-ten",
    ],
)
def test_rfc7644_3_4_2_4_non_integer_is_invalid_value(client, users, param, value):
    """startIndex and count are integers (RFC 7644 §3.4.2.4); anything else is a 400
    invalidValue (RFC 7644 §3.12), never a 500."""
    response = client.get(USERS, {param: value})

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "400"
    assert body["scimType"] == "invalidValue"
    assert param in body["detail"]


def test_rfc7644_3_4_2_4_total_results_counts_before_slicing(client, users):
    get_user_model().objects.filter(username="user000").delete()

    response = client.get(f"{USERS}?startIndex=2&count=2")

    assert response.json()["totalResults"] == TOTAL - 1
    assert response.json()["itemsPerPage"] == 2


@override_settings(DRF_SCIM={"DELETE_MODE": "deactivate"})
def test_rfc7644_3_4_2_4_total_results_excludes_deactivated(client, users):
    """Resources deleted in "deactivate" mode are 404 (RFC 7644 §3.6) and so not listed."""
    record_id = users[0].scim_record.id
    assert client.delete(f"{USERS}/{record_id}").status_code == 204

    response = client.get(USERS)

    assert response.json()["totalResults"] == TOTAL - 1
    assert "user000" not in user_names(response)


def test_rfc7644_3_4_2_4_walking_pages_visits_every_user_once(client, all_names):
    seen = []
    start = 1
    while True:
        body = client.get(f"{USERS}?startIndex={start}&count=2").json()
        assert body["totalResults"] == TOTAL
        assert body["startIndex"] == start
        if not body["Resources"]:
            break
        assert body["itemsPerPage"] == len(body["Resources"]) <= 2
        seen.extend(resource["userName"] for resource in body["Resources"])
        start += body["itemsPerPage"]

    assert seen == all_names
    assert len(set(seen)) == TOTAL


def test_rfc7644_3_4_2_4_order_is_stable_across_requests(client, users):
    first = [r["id"] for r in client.get(USERS).json()["Resources"]]
    users[3].first_name = "Changed"
    users[3].save()
    second = [r["id"] for r in client.get(USERS).json()["Resources"]]

    assert first == second


def test_rfc7644_3_4_2_4_order_does_not_depend_on_user_name(client, db):
    """Paging follows creation order: renaming a user must not move it between pages."""
    make_users(3, prefix="b")
    model = get_user_model()
    before = [r["id"] for r in client.get(USERS).json()["Resources"]]
    renamed = model.objects.get(username="b000")
    renamed.username = "zzz"
    renamed.save()

    after = [r["id"] for r in client.get(USERS).json()["Resources"]]

    assert before == after


@pytest.mark.parametrize("sliced", [True, False], ids=["deferred-join", "no-sliced-subquery"])
def test_rfc7644_3_4_2_4_a_page_near_the_end_skips_only_the_rows_after_it(
    client, db, monkeypatch, sliced
):
    """A page nearer the end than the start is read in the reverse order: its ``OFFSET``
    counts the rows after it, not the rows before (SCIMPagination.page_of), and its
    users still come in the list's order. ``no-sliced-subquery`` is MariaDB's path."""
    if not sliced:
        monkeypatch.setattr(connection.features, "allow_sliced_subqueries_with_in", False)
    make_users(30)
    client.get(USERS)  # the token's last_used is written once, outside the capture

    with CaptureQueriesContext(connection) as last:
        last_page = client.get(f"{USERS}?startIndex=29&count=5")
    with CaptureQueriesContext(connection) as near:
        near_end = client.get(f"{USERS}?startIndex=26&count=2")
    with CaptureQueriesContext(connection) as early:
        early_page = client.get(f"{USERS}?startIndex=5&count=2")

    assert user_names(last_page) == ["user028", "user029"]
    assert user_names(near_end) == ["user025", "user026"]
    assert user_names(early_page) == ["user004", "user005"]
    assert last_page.json()["totalResults"] == near_end.json()["totalResults"] == 30
    assert not any("OFFSET" in q["sql"].upper() for q in last.captured_queries)
    near_sql = " ".join(q["sql"].upper() for q in near.captured_queries)
    assert "OFFSET 3" in near_sql  # user027 to user029 follow the page
    assert "OFFSET 25" not in near_sql
    assert "OFFSET 4" in " ".join(q["sql"].upper() for q in early.captured_queries)


def _add_values(users, per_user=3):
    UserValue.objects.bulk_create(
        UserValue(
            record=user.scim_record,
            attribute="phoneNumbers",
            position=position,
            value=f"+1 555 {position:04d}",
            type="work",
        )
        for user in users
        for position in range(per_user)
    )


@pytest.mark.parametrize("size", [5, 50])
def test_page_costs_a_constant_number_of_queries(client, django_assert_max_num_queries, size):
    """A page of 5 and a page of 50 users cost the same few queries (no N+1)."""
    users = make_users(size)
    _add_values(users)
    client.get(USERS)  # the token's last_used is written once, outside the count

    with django_assert_max_num_queries(5):  # token, count, page, values, groups
        response = client.get(f"{USERS}?count={size}")

    assert response.json()["itemsPerPage"] == size
    assert all(len(r["phoneNumbers"]) == 3 for r in response.json()["Resources"])


# -- unit ----------------------------------------------------------------------------------


def test_list_response_unit():
    assert list_response([{"id": "a"}], 10, 3) == {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": 10,
        "itemsPerPage": 1,
        "startIndex": 3,
        "Resources": [{"id": "a"}],
    }


def test_paginator_wire_names_are_class_attributes():
    assert SCIMPagination.start_index_query_param == "startIndex"
    assert SCIMPagination.count_query_param == "count"


def test_paginator_openapi_hooks():
    paginator = SCIMPagination()

    parameters = {p["name"]: p for p in paginator.get_schema_operation_parameters(None)}
    schema = paginator.get_paginated_response_schema({"type": "array"})

    assert set(parameters) == {"startIndex", "count", "cursor"}  # cursor: RFC 9865 §2
    # Any integer is served (below 1 means 1, below 0 means 0): no minimum is declared.
    assert parameters["startIndex"]["schema"] == {"type": "integer"}
    assert parameters["count"]["schema"] == {"type": "integer"}
    assert schema["properties"]["Resources"] == {"type": "array"}
    assert set(schema["required"]) >= {"schemas", "totalResults", "Resources"}
