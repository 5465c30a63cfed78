"""PATCH of a large multi-valued attribute (RFC 7644 §3.5.2.1), against hand-written ORM code.

    python bench/patch.py [--values 1000] [--db sqlite|postgres|mariadb] [--runs 7]

Times PATCH requests on one user's e-mails -- adding N in one operation, adding N in N
operations, adding one to N, and removing N in N operations that each name one e-mail by
a value filter -- each against a hand-written equivalent run in the same loop, with the
number of SQL queries of each. Each drf-scim case also runs at N/2: linear work doubles
from N/2 to N, quadratic work quadruples. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
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
    setup_named_database,
)

#: This benchmark's own database: ``bench/.data/patch.sqlite3`` or ``drf_scim_bench_patch``.
DATABASE_FILE = "patch.sqlite3"
DATABASE_NAME = "drf_scim_bench_patch"
USER_NAME = "bench-patch"
USERS = "/scim/v2/Users"


def setup_django(db: str | None, values: int = 0) -> None:
    """bench/settings.py's settings, with this benchmark's database name.

    ``MAX_MULTI_VALUES`` and ``PATCH_MAX_OPERATIONS`` (1,000 by default) are raised to
    ``values + 1`` (case (c) adds one to N), so that the engine's cost can be measured at
    and beyond the defaults.
    """
    import bench.settings as bench_settings

    limit = max(values + 1, 1000)
    bench_settings.DRF_SCIM.update(MAX_MULTI_VALUES=limit, PATCH_MAX_OPERATIONS=limit)
    setup_named_database(db, DATABASE_FILE, DATABASE_NAME)


def email(i: int) -> dict[str, Any]:
    return {"value": f"User{i}@Example.com", "type": "work"}


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    from drf_scim.constants import PATCH_OP_SCHEMA

    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def one_operation(count: int) -> dict[str, Any]:
    """One ``add`` of ``count`` e-mails (the issue's 45 KB request at 2,000)."""
    return patch_body({"op": "add", "path": "emails", "value": [email(i) for i in range(count)]})


def one_value_per_operation(count: int) -> dict[str, Any]:
    """``count`` ``add`` operations of one e-mail each."""
    return patch_body(*({"op": "add", "path": "emails", "value": [email(i)]} for i in range(count)))


def one_more(count: int) -> dict[str, Any]:
    """One e-mail added to a user who has ``count``: the cost of the stored list."""
    return patch_body({"op": "add", "path": "emails", "value": [email(10**6)]})


def one_remove_per_operation(count: int) -> dict[str, Any]:
    """``count`` ``remove`` operations, each naming one of the user's e-mails by value."""
    return patch_body(
        *({"op": "remove", "path": f'emails[value eq "user{i}@example.com"]'} for i in range(count))
    )


@dataclass
class Case:
    key: str
    label: str
    body: Callable[[int], dict[str, Any]]
    #: E-mails the user has before the request (the restore puts them back).
    stored: Callable[[int], int]
    baseline_label: str


CASES = [
    Case(
        "a",
        "PATCH add N e-mails in one operation",
        one_operation,
        lambda n: 0,
        "json.loads, a set of case-folded values, bulk_create of N value rows",
    ),
    Case(
        "b",
        "PATCH N operations, each adding one e-mail",
        one_value_per_operation,
        lambda n: 0,
        "the same, the operations read one by one",
    ),
    Case(
        "c",
        "PATCH add one e-mail to a user who has N",
        one_more,
        lambda n: n,
        "json.loads, the stored value keys read, one insert",
    ),
    Case(
        "d",
        'PATCH N operations removing emails[value eq "..."] from a user who has N',
        one_remove_per_operation,
        lambda n: n,
        "json.loads, one DELETE of the value rows by value key",
    ),
]

#: E-mails the user has after each case's request, given N.
AFTER = {"a": lambda n: n, "b": lambda n: n, "c": lambda n: n + 1, "d": lambda n: 0}


@dataclass
class Result:
    case: Case
    count: int
    queries: int
    baseline_queries: int
    scim: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    half: list[float] = field(default_factory=list)


class Workload:
    """One user, its e-mails reset between runs through the ORM (untimed)."""

    def __init__(self, client: Any, key: str) -> None:
        from django.contrib.auth import get_user_model

        from drf_scim.models import UserRecord

        user_model = get_user_model()
        user = user_model._default_manager.filter(username=USER_NAME).first()
        if user is None:
            user = user_model._default_manager.create(username=USER_NAME)
        self.record = UserRecord.objects.get(user=user)
        self.url = f"{USERS}/{self.record.id}"
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def reset(self, count: int) -> None:
        """The user with exactly ``count`` e-mails, written by a PUT (untimed)."""
        from drf_scim.constants import USER_SCHEMA

        body = {
            "schemas": [USER_SCHEMA],
            "userName": USER_NAME,
            "emails": [email(i) for i in range(count)],
        }
        response = self.client.put(
            self.url, json.dumps(body), content_type="application/scim+json", **self.auth
        )
        if response.status_code != 200:
            sys.exit(f"reset answered {response.status_code}: {response.content[:300]!r}")

    def emails(self) -> int:
        from drf_scim.models import UserValue

        return UserValue.objects.filter(record=self.record, attribute="emails").count()

    def request(self, text: str) -> float:
        gc.collect()  # untimed: a collection inside a run would be charged to it
        started = time.perf_counter()
        response = self.client.patch(
            self.url, text, content_type="application/scim+json", **self.auth
        )
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"PATCH answered {response.status_code}: {response.content[:300]!r}")
        return seconds

    def by_hand(self, text: str) -> float:
        """The least a view could do: read the values, skip known ones, insert the rest."""
        from django.db import transaction

        from drf_scim.models import UserValue

        gc.collect()
        started = time.perf_counter()
        body = json.loads(text)
        if body["Operations"][0]["op"] == "remove":
            keys = [op["path"].split('"')[1].casefold() for op in body["Operations"]]
            with transaction.atomic():
                UserValue.objects.filter(
                    record=self.record, attribute="emails", value_key__in=keys
                ).delete()
            return time.perf_counter() - started
        with transaction.atomic():
            known = set(
                UserValue.objects.filter(record=self.record, attribute="emails").values_list(
                    "value_key", flat=True
                )
            )
            rows = []
            for operation in body["Operations"]:
                for item in operation["value"]:
                    key = item["value"].casefold()
                    if key not in known:
                        known.add(key)
                        rows.append(
                            UserValue(
                                record=self.record,
                                attribute="emails",
                                position=len(known),
                                value=item["value"],
                                type=item["type"],
                                value_key=key,
                                search={"value": key, "type": item["type"]},
                            )
                        )
            UserValue.objects.bulk_create(rows)
        return time.perf_counter() - started


def measure(workload: Workload, case: Case, count: int, runs: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    text, half = json.dumps(case.body(count)), json.dumps(case.body(count // 2))
    expected = AFTER[case.key](count)

    def check(kind: str) -> None:
        found = workload.emails()
        if found != expected:
            sys.exit(f"({case.key}) {kind}: {found} e-mails, not {expected}")

    for _ in range(2):  # warm-ups, also of the checks
        workload.reset(case.stored(count))
        workload.request(text)
        check("drf-scim")
    workload.reset(case.stored(count))
    with CaptureQueriesContext(connection) as captured:
        workload.request(text)
    queries = len(captured)
    workload.reset(case.stored(count))
    with CaptureQueriesContext(connection) as captured:
        workload.by_hand(text)
    check("hand-written")
    result = Result(case, count, queries, len(captured))
    for _ in range(runs):  # interleaved, so that load on the shared machine hits both alike
        workload.reset(case.stored(count))
        result.scim.append(workload.request(text))
        check("drf-scim")
        workload.reset(case.stored(count))
        result.baseline.append(workload.by_hand(text))
        check("hand-written")
        workload.reset(case.stored(count // 2))
        result.half.append(workload.request(half))
    return result


def report(results: list[Result], runs: int) -> None:
    median = statistics.median
    log(f"median of {runs} runs (fastest run on the right); queries of one request beside each")
    log(
        f"{'case':<4} {'drf-scim':>10} {'queries':>7} {'hand-written':>12} {'queries':>7} "
        f"{'ratio':>7} {'N/2->N':>7} | {'drf-scim':>10} {'hand-written':>12} {'ratio':>7}"
    )
    for r in results:
        log(
            f"({r.case.key}) {milliseconds(median(r.scim)):>10} {r.queries:>7} "
            f"{milliseconds(median(r.baseline)):>12} {r.baseline_queries:>7} "
            f"{median(r.scim) / median(r.baseline):>6.1f}x "
            f"{median(r.scim) / median(r.half):>6.1f}x | "
            f"{milliseconds(min(r.scim)):>10} {milliseconds(min(r.baseline)):>12} "
            f"{min(r.scim) / min(r.baseline):>6.1f}x"
        )
    log("\nN/2->N: drf-scim's time at N over its time at N/2 (2x is linear, 4x quadratic)")
    for r in results:
        log(f"({r.case.key}) {r.case.label}\n    hand-written: {r.case.baseline_label}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--values",
        type=int,
        default=1000,
        help="e-mails per request (1000, the MAX_MULTI_VALUES default)",
    )
    add_server_arguments(parser, 7, "case")
    args = parser.parse_args(argv)
    if args.values < 2 or args.runs < 1:
        parser.error("--values must be at least 2 and --runs positive")

    setup_django(args.db, args.values)
    from django.test import Client

    from drf_scim.models import SCIMEvent, SCIMToken

    open_database(
        args.reset,
        f"drf-scim PATCH benchmark: {args.values} e-mails on one user, {{server}}",
    )
    token, key = SCIMToken.generate("bench")
    try:
        workload = Workload(Client(), key)
        results = [measure(workload, case, args.values, args.runs) for case in CASES]
        workload.reset(0)
    finally:
        SCIMEvent.objects.filter(token=token).delete()
        token.delete()

    log(f"\nload average after the runs: {load()}")
    report(results, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
