"""Cursor pagination (RFC 9865) at scale: the last page costs what the first does.

    python bench/cursor.py [--users 100000] [--db sqlite|postgres|mariadb] [--runs 20]

Uses the filter benchmark's users (``bench/filters.py`` creates them on a first run), and
times ``GET /scim/v2/Users`` pages of 100 in-process: the first page of a cursor walk, its
last page (from a cursor made for the resource just before it), and, for comparison, the
same last page by index (``startIndex``, an ``OFFSET``). Prints the medians and the
ratios ``last / first``: near 1 for cursors. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.filters import (  # noqa: E402
    add_server_arguments,
    load,
    log,
    milliseconds,
    open_database,
    populate,
    setup_django,
)

USERS = "/scim/v2/Users"
COUNT = 100
#: The orders timed: the default (primary key) and a sortBy.
SORTS: dict[str, dict[str, str]] = {
    "unsorted": {},
    "sortBy=userName": {"sortBy": "userName"},
}


@dataclass
class Result:
    sort: str
    times: dict[str, list[float]] = field(default_factory=dict)


def last_page_cursor(params: dict[str, str], users: int) -> str:
    """The cursor of the last page, made as the server makes it (one OFFSET, untimed)."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from drf_scim.pagination import Cursor, Keyset, SCIMPagination
    from drf_scim.viewsets import UserViewSet

    request = Request(APIRequestFactory().get(USERS, params))
    view = UserViewSet(request=request, args=(), kwargs={}, format_kwarg=None, action="list")
    paginator = SCIMPagination()
    keyset = Keyset(
        view.filter_queryset(view.get_queryset()), paginator.get_cursor_tiebreaker(view)
    )
    ordered = keyset.queryset.order_by(*(column.ordering() for column in keyset.columns))
    edge = ordered[users - COUNT - 1]
    paginator.query = view.get_scim_query()
    return paginator.encode_cursor(
        Cursor(keyset.keys(edge)), paginator.get_cursor_scope(request, view)
    )


def measure(client: Any, key: str, sort: str, users: int, runs: int) -> Result:
    params = SORTS[sort]
    requests = {
        "cursor, first page": {**params, "cursor": "", "count": str(COUNT)},
        "cursor, last page": {
            **params,
            "cursor": last_page_cursor(params, users),
            "count": str(COUNT),
        },
        "index, last page": {**params, "startIndex": str(users - COUNT + 1), "count": str(COUNT)},
    }
    result = Result(sort)
    for name in requests:
        result.times[name] = []
    for _ in range(2):  # warm-up
        for query in requests.values():
            client.get(USERS, query, HTTP_AUTHORIZATION=f"Bearer {key}")
    for _ in range(runs):  # interleaved, so that load on a shared machine hits all alike
        for name, query in requests.items():
            start = time.perf_counter()
            response = client.get(USERS, query, HTTP_AUTHORIZATION=f"Bearer {key}")
            result.times[name].append(time.perf_counter() - start)
            body = response.json()
            if response.status_code != 200 or len(body["Resources"]) != COUNT:
                msg = f"{sort}, {name}: {response.status_code} {str(body)[:200]}"
                raise SystemExit(msg)
    return result


def report(results: list[Result], runs: int) -> None:
    median = statistics.median
    log(f"median of {runs} runs, pages of {COUNT}")
    for result in results:
        times = {name: median(values) for name, values in result.times.items()}
        log(f"\n{result.sort}")
        for name, seconds in times.items():
            log(f"  {name:<20} {milliseconds(seconds):>11}")
        first = times["cursor, first page"]
        log(f"  cursor: last / first = {times['cursor, last page'] / first:.2f}x")
        log(f"  index:  last / first = {times['index, last page'] / first:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000, help="number of users (100000)")
    add_server_arguments(parser, 20, "request")
    args = parser.parse_args(argv)
    if args.users <= COUNT or args.runs < 1:
        parser.error(f"--users must be above {COUNT} and --runs positive")

    setup_django(args.db)
    from django.test import Client

    from drf_scim.models import SCIMToken

    open_database(args.reset, f"drf-scim cursor benchmark: {args.users} users on {{server}}")
    seconds = populate(args.users)
    log(
        "users: reused from an earlier run"
        if seconds is None
        else f"users: created in {seconds:.1f} s"
    )

    token, key = SCIMToken.generate("bench")
    try:
        client = Client()
        results = [measure(client, key, sort, args.users, args.runs) for sort in SORTS]
    finally:
        token.delete()
    log(f"\nload average after the runs: {load()}")
    report(results, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
