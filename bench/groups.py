"""Group membership (RFC 7643 §4.2, RFC 7644 §3.5.2) at 10,000 members, against the ORM.

    python bench/groups.py [--members 10000] [--add 1000] [--db sqlite|postgres|mariadb]
                           [--runs 9]

Creates (once) a group of N members and 1,000 (``--add``) more users, stored the way
drf-scim stores them, then times five requests in-process -- adding those users in one
PATCH, removing one member, renaming the group, and GETting it without and with its
members -- each against a hand-written equivalent run in the same loop, with the number
of SQL queries of each. See ``bench/README.md``.
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

#: This benchmark's own database, beside the filter benchmark's 100,000 users: the file
#: ``bench/.data/groups.sqlite3``, or the database ``drf_scim_bench_groups``.
DATABASE_FILE = "groups.sqlite3"
DATABASE_NAME = "drf_scim_bench_groups"
#: How many members one PATCH adds (the "add" case) -- the users after the N members;
#: ``--add`` changes it.
NEWCOMERS = 1000
GROUP_NAME = "Bench group"
#: The group's ``externalId``, by which later runs find it (the cases rename it).
GROUP_EXTERNAL_ID = "bench-groups"
PREFIX = "member"
BATCH = 2000


def setup_django(db: str | None) -> None:
    """bench/settings.py's settings, with this benchmark's database name."""
    setup_named_database(db, DATABASE_FILE, DATABASE_NAME)


# -- the data set -----------------------------------------------------------------------------


def populate(members: int) -> float | None:
    """Create the users and the group unless they are there; return the seconds it took.

    ``members + NEWCOMERS`` users are bulk-created and given their records by
    :func:`drf_scim.records.backfill_user_records` (migration 0002's code); the group is
    created through the ORM (its record comes from drf-scim's ``post_save`` receiver) and
    the first ``members`` users are put in it with one bulk insert into the through table.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from drf_scim.models import GroupRecord, UserRecord, UserValue
    from drf_scim.records import backfill_user_records

    user_model = get_user_model()
    through = user_model.groups.through
    total = members + NEWCOMERS
    existing = user_model._default_manager.count()
    group = Group.objects.filter(scim_record__external_id=GROUP_EXTERNAL_ID).first()
    if existing == total and UserRecord.objects.count() == total and group is not None:
        restore_members(group, members)  # after an interrupted run
        return None
    if existing or group is not None:
        sys.exit(
            f"The benchmark database holds {existing} users, not {total}: run with "
            f"--members and --add that make {existing}, or with --reset."
        )
    started = time.perf_counter()
    with transaction.atomic():
        users = [
            user_model(username=f"{PREFIX}{i:06d}", password=f"{UNUSABLE_PASSWORD_PREFIX}b")
            for i in range(1, total + 1)
        ]
        user_model._default_manager.bulk_create(users, batch_size=BATCH)
        backfill_user_records(user_model, UserRecord, UserValue, batch_size=BATCH)
        group = Group.objects.create(name=GROUP_NAME)
        GroupRecord.objects.filter(group=group).update(external_id=GROUP_EXTERNAL_ID)
        restore_members(group, members)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
        elif connection.vendor == "mysql":
            for model in (user_model, through, UserRecord):
                cursor.execute(f"ANALYZE TABLE {connection.ops.quote_name(model._meta.db_table)}")
                cursor.fetchall()
    return time.perf_counter() - started


def restore_members(group: Any, members: int) -> None:
    """Make the group's members exactly the first ``members`` users."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    through = user_model.groups.through
    pks = list(user_model._default_manager.order_by("pk").values_list("pk", flat=True))
    through.objects.filter(group=group).exclude(user_id__in=pks[:members]).delete()
    through.objects.bulk_create(
        [through(group_id=group.pk, user_id=pk) for pk in pks[:members]],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


@dataclass
class Fixture:
    """What the cases need: the group, its members and the newcomers, by pk and SCIM id."""

    group: Any
    group_id: str
    member_pks: list[int]
    member_ids: list[str]
    newcomer_pks: list[int]
    newcomer_ids: list[str]


def load_fixture(members: int) -> Fixture:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    group = Group.objects.select_related("scim_record").get(
        scim_record__external_id=GROUP_EXTERNAL_ID
    )
    rows = list(
        get_user_model()._default_manager.order_by("pk").values_list("pk", "scim_record__id")
    )
    return Fixture(
        group=group,
        group_id=str(group.scim_record.id),
        member_pks=[pk for pk, _ in rows[:members]],
        member_ids=[str(i) for _, i in rows[:members]],
        newcomer_pks=[pk for pk, _ in rows[members:]],
        newcomer_ids=[str(i) for _, i in rows[members:]],
    )


# -- the cases --------------------------------------------------------------------------------


@dataclass
class Case:
    key: str
    label: str
    #: The drf-scim request: returns the response.
    request: Callable[[], Any]
    #: The hand-written equivalent.
    baseline: Callable[[], Any]
    baseline_label: str
    #: Untimed, after each run of either: put the data back as it was.
    restore: Callable[[], None] = lambda: None
    #: Checks the state after one run of either (before ``restore``); returns a problem.
    check: Callable[[], str | None] = lambda: None
    status: int = 200


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    from drf_scim.constants import PATCH_OP_SCHEMA

    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


class Workload:
    """The requests and their hand-written equivalents, on one group."""

    def __init__(self, client: Any, key: str, fixture: Fixture) -> None:
        from django.contrib.auth import get_user_model

        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        self.fixture = fixture
        self.group = fixture.group
        self.url = f"/scim/v2/Groups/{fixture.group_id}"
        self.through = get_user_model().groups.through
        self.size = len(fixture.member_pks)
        self.victim_id = fixture.member_ids[self.size // 2]
        self.victim_pk = fixture.member_pks[self.size // 2]
        self.names = iter(f"{GROUP_NAME} {i}" for i in range(10**9))

    # drf-scim

    def patch(self, body: dict[str, Any], query: str = "excludedAttributes=members") -> Any:
        return self.client.patch(
            f"{self.url}?{query}" if query else self.url,
            json.dumps(body),
            content_type="application/scim+json",
            **self.auth,
        )

    def get(self, query: str = "") -> Any:
        return self.client.get(f"{self.url}?{query}" if query else self.url, **self.auth)

    def add_body(self) -> dict[str, Any]:
        value = [{"value": i} for i in self.fixture.newcomer_ids]
        return patch_body({"op": "add", "path": "members", "value": value})

    def remove_body(self) -> dict[str, Any]:
        return patch_body({"op": "remove", "path": f'members[value eq "{self.victim_id}"]'})

    def rename_body(self) -> dict[str, Any]:
        # Okta's rename: a path-less replace carrying the id (its SCIM 2.0 reference).
        return patch_body(
            {
                "op": "replace",
                "value": {"id": self.fixture.group_id, "displayName": next(self.names)},
            }
        )

    # by hand

    def group_document(self) -> dict[str, Any]:
        from django.contrib.auth.models import Group

        row = (
            Group.objects.filter(pk=self.group.pk)
            .values(
                "name",
                "scim_record__id",
                "scim_record__version",
                "scim_record__created",
                "scim_record__last_modified",
            )
            .get()
        )
        return {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": str(row["scim_record__id"]),
            "displayName": row["name"],
            "meta": {
                "resourceType": "Group",
                "created": row["scim_record__created"].isoformat(),
                "lastModified": row["scim_record__last_modified"].isoformat(),
                "version": f'W/"{row["scim_record__version"]}"',
            },
        }

    def group_json(self) -> str:
        return json.dumps(self.group_document())

    def group_with_members_json(self) -> str:
        document = self.group_document()
        rows = (
            self.through.objects.filter(group_id=self.group.pk)
            .order_by("user_id")
            .values_list("user__scim_record__id", "user__username")
        )
        document["members"] = [
            {
                "value": str(record_id),
                "$ref": f"http://testserver/scim/v2/Users/{record_id}",
                "display": username,
                "type": "User",
            }
            for record_id, username in rows
        ]
        return json.dumps(document)

    def rename_by_hand(self) -> None:
        from django.contrib.auth.models import Group

        Group.objects.filter(pk=self.group.pk).update(name=next(self.names))

    # state

    def members_count(self) -> int:
        return self.through.objects.filter(group_id=self.group.pk).count()

    def expect(self, count: int) -> Callable[[], str | None]:
        def check() -> str | None:
            found = self.members_count()
            return None if found == count else f"{found} members, not {count}"

        return check

    def check_rename(self) -> str | None:
        from django.contrib.auth.models import Group

        if not Group.objects.filter(
            pk=self.group.pk, scim_record__external_id=GROUP_EXTERNAL_ID
        ).exists():
            return "the group lost its externalId"
        return self.expect(self.size)()

    def drop_newcomers(self) -> None:
        self.through.objects.filter(
            group_id=self.group.pk, user_id__in=self.fixture.newcomer_pks
        ).delete()

    def remove_victim(self) -> None:
        self.through.objects.filter(group_id=self.group.pk, user_id=self.victim_pk).delete()

    def put_back_victim(self) -> None:
        self.through.objects.bulk_create(
            [self.through(group_id=self.group.pk, user_id=self.victim_pk)], ignore_conflicts=True
        )

    def cases(self) -> list[Case]:
        add_body, remove_body = self.add_body(), self.remove_body()
        return [
            Case(
                "a",
                f"PATCH add {NEWCOMERS:,} members (excludedAttributes=members)",
                lambda: self.patch(add_body),
                lambda: self.group.user_set.add(*self.fixture.newcomer_pks),
                f"group.user_set.add(*{NEWCOMERS} pks)",
                restore=self.drop_newcomers,
                check=self.expect(self.size + NEWCOMERS),
            ),
            Case(
                "b",
                "PATCH remove one member, members[value eq ...]",
                lambda: self.patch(remove_body),
                self.remove_victim,
                "through.objects.filter(group=..., user=...).delete()",
                restore=self.put_back_victim,
                check=self.expect(self.size - 1),
            ),
            Case(
                "c",
                "PATCH rename, path-less replace (Okta)",
                lambda: self.patch(self.rename_body()),
                self.rename_by_hand,
                "Group.objects.filter(pk=...).update(name=...)",
                check=self.check_rename,
            ),
            Case(
                "d",
                "GET ?excludedAttributes=members",
                lambda: self.get("excludedAttributes=members"),
                self.group_json,
                "the group's and its record's columns, as JSON",
            ),
            Case(
                "e",
                f"GET with its {self.size:,} members",
                self.get,
                self.group_with_members_json,
                "the same, plus every member's SCIM id and username, as JSON",
            ),
        ]


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Result:
    case: Case
    queries: int
    baseline_queries: int
    scim: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def measure(case: Case, runs: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    problems: list[str] = []

    def scim_run() -> float:
        gc.collect()  # untimed: a collection inside a run would be charged to it
        seconds, response = timed(case.request)
        if response.status_code != case.status:
            sys.exit(f"({case.key}) answered {response.status_code}: {response.content[:300]!r}")
        return seconds

    def after(kind: str) -> None:
        problem = case.check()
        if problem is not None:
            problems.append(f"{kind}: {problem}")
        case.restore()

    for _ in range(2):  # warm-ups, also of the checks
        scim_run()
        after("drf-scim")
        case.baseline()
        after("hand-written")
    with CaptureQueriesContext(connection) as captured:
        scim_run()
    queries = len(captured)
    case.restore()
    with CaptureQueriesContext(connection) as captured:
        case.baseline()
    baseline_queries = len(captured)
    case.restore()
    result = Result(case, queries, baseline_queries, problems=problems)
    for _ in range(runs):  # interleaved, so that load on the shared machine hits both alike
        result.scim.append(scim_run())
        after("drf-scim")
        gc.collect()
        result.baseline.append(timed(case.baseline)[0])
        after("hand-written")
    return result


def report(results: list[Result], runs: int) -> None:
    median = statistics.median
    log(f"median of {runs} runs (fastest run on the right); queries of one request beside each")
    log(
        f"{'case':<4} {'drf-scim':>11} {'queries':>7} {'hand-written':>12} {'queries':>7} "
        f"{'ratio':>7} | {'drf-scim':>11} {'hand-written':>12} {'ratio':>7}"
    )
    for r in results:
        log(
            f"({r.case.key}) {milliseconds(median(r.scim)):>11} {r.queries:>7} "
            f"{milliseconds(median(r.baseline)):>12} {r.baseline_queries:>7} "
            f"{median(r.scim) / median(r.baseline):>6.1f}x | "
            f"{milliseconds(min(r.scim)):>11} {milliseconds(min(r.baseline)):>12} "
            f"{min(r.scim) / min(r.baseline):>6.1f}x"
        )
    log("")
    for r in results:
        log(f"({r.case.key}) {r.case.label}\n    hand-written: {r.case.baseline_label}")


def main(argv: list[str] | None = None) -> int:
    global NEWCOMERS  # one run, one size: --add
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000, help="group size (10000)")
    parser.add_argument(
        "--add",
        type=int,
        default=NEWCOMERS,
        help=f"members the add case adds in one PATCH ({NEWCOMERS}); 20000 is a 1 MiB request",
    )
    add_server_arguments(parser, 9, "case")
    args = parser.parse_args(argv)
    if args.members < 2 or args.runs < 1 or args.add < 1:
        parser.error("--members must be at least 2, --add and --runs positive")
    NEWCOMERS = args.add

    setup_django(args.db)
    from django.test import Client

    from drf_scim.models import SCIMEvent, SCIMToken

    open_database(
        args.reset,
        f"drf-scim group benchmark: a group of {args.members} members on {{server}}",
    )
    seconds = populate(args.members)
    log(
        "data: reused from an earlier run"
        if seconds is None
        else f"data: {args.members + NEWCOMERS} users and the group created in {seconds:.1f} s"
    )

    token, key = SCIMToken.generate("bench")
    try:
        fixture = load_fixture(args.members)
        cases = Workload(Client(), key, fixture).cases()
        results = [measure(case, args.runs) for case in cases]
    finally:
        SCIMEvent.objects.filter(token=token).delete()
        token.delete()

    log(f"\nload average after the runs: {load()}")
    report(results, args.runs)
    problems = [(r.case.key, p) for r in results for p in r.problems]
    for case_key, problem in problems:
        log(f"({case_key}) wrong state after a run: {problem}")
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
