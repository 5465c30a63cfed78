"""SCIM filtering (RFC 7644 §3.4.2.2) at scale: drf-scim against hand-written ORM queries.

    python bench/filters.py [--users 100000] [--db sqlite|postgres|mariadb] [--runs 20]

Creates (once) a database of N users, stored the way drf-scim stores them, then times five
``GET /scim/v2/Users`` requests in-process against the equivalent hand-written queries,
prints the plans of the main SELECTs and exits non-zero when ``userName eq`` scans the
user or record table. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: ``--db`` name -> the server's URL; bench/settings.py replaces the database name.
SERVERS = {
    "sqlite": "sqlite://",
    "postgres": "postgres://postgres@127.0.0.1:5432/drf_scim_bench",
    "mariadb": "mysql://root@127.0.0.1:3306/drf_scim_bench",
}

# -- the data set: deterministic in i = 1..N ------------------------------------------------

GIVEN_NAMES = (
    "Barbara", "José", "Zoë", "Łukasz", "Søren", "Chloé", "Mehmet", "Aiko",
    "Björn", "Ngozi", "François", "Ólafur", "Siobhán", "Dmitrij", "Ana", "Mei",
)  # fmt: skip
FAMILY_NAMES = (
    "Jensen", "Müller", "García", "Nowak", "Østergård", "O'Brien", "Şahin", "Dvořák",
    "Smith", "Ångström", "Yamada", "Kowalczyk", "Núñez", "Lefèvre", "Ivanova", "Chen",
)  # fmt: skip
TITLES = ("Engineer", "Senior Engineer", "Tour Guide", "Accountant", "Designer", "Recruiter")
DEPARTMENTS = ("Engineering", "Sales", "Finance", "Support", "Marketing", "Legal", "Operations")
#: Every RICH_EVERY-th user is (re)written through the serializer with a full document.
RICH_EVERY = 20
#: Every INACTIVE_EVERY-th user is inactive.
INACTIVE_EVERY = 97
EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
BATCH = 2000


def user_name(i: int) -> str:
    """``user{i}@example.com`` in one of four casings."""
    return (
        f"User{i}@Example.com",
        f"user{i}@example.com",
        f"USER{i}@EXAMPLE.COM",
        f"uSeR{i}@example.COM",
    )[i % 4]


def names(i: int) -> tuple[str, str]:
    return GIVEN_NAMES[i % len(GIVEN_NAMES)], FAMILY_NAMES[(i // 7) % len(FAMILY_NAMES)]


def external_id(pk: int) -> str:
    """An Okta-like opaque id; :func:`populate` writes the same with one UPDATE."""
    return f"00u{pk:017d}"


def rich_document(i: int, pk: int) -> dict[str, Any]:
    """The full SCIM document an identity provider would PUT for user ``i``."""
    from drf_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA

    given, family = names(i)
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "userName": user_name(i),
        "externalId": external_id(pk),
        "name": {"givenName": given, "familyName": family, "formatted": f"{given} {family}"},
        "displayName": f"{given} {family}",
        "title": TITLES[i % len(TITLES)],
        "userType": "Employee",
        "active": i % INACTIVE_EVERY != 0,
        "emails": [
            {"value": user_name(i), "type": "work", "primary": True},
            {"value": f"u{i}.home@Example.org", "type": "home"},
        ],
        "phoneNumbers": [{"value": f"+1-555-{i:07d}", "type": "work"}],
        ENTERPRISE_USER_SCHEMA: {
            "employeeNumber": str(i),
            "department": DEPARTMENTS[i % len(DEPARTMENTS)],
            "organization": "Example Corp",
        },
    }


# -- Django and the database ------------------------------------------------------------------


def setup_django(db: str | None) -> None:
    if db is not None:
        os.environ["DATABASE_URL"] = SERVERS[db]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup_named_database(db: str | None, sqlite_file: str, server_name: str) -> None:
    """bench/settings.py's settings, with a benchmark's own database (file or name)."""
    if db is not None:
        os.environ["DATABASE_URL"] = SERVERS[db]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import bench.settings as bench_settings

    default = bench_settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3":
        default["NAME"] = str(bench_settings.BENCH_DATA_DIR / sqlite_file)
    else:
        default["NAME"] = server_name
    import django

    django.setup()


def open_database(reset: bool, title: str) -> None:
    """Create and migrate the benchmark database; log ``title`` (``{server}`` filled in)
    and what the numbers were measured on."""
    import django
    from django.core.management import call_command
    from django.db import connection

    prepare_database(reset)
    call_command("migrate", verbosity=0)
    server = f"{connection.display_name} {'.'.join(map(str, connection.get_database_version()))}"
    log(title.format(server=server))
    log(
        f"drf-scim {revision()}, Django {django.get_version()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average {load()}"
    )


def prepare_database(reset: bool) -> None:
    """Create the benchmark database if needed (drop it first with ``--reset``)."""
    from django.conf import settings
    from django.db import connection

    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor == "sqlite":
        path = Path(name)
        if reset:  # the file and, in WAL mode, its journal
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    quoted = connection.ops.quote_name(name)
    connection.close()
    with connection._nodb_cursor() as cursor:
        if reset:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {quoted}")
        else:  # the test suite's charset and collation (tests/settings.py)
            cursor.execute(
                f"CREATE DATABASE IF NOT EXISTS {quoted} "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def populate(n: int) -> float | None:
    """Create users 1..n unless they are there; return the seconds it took, or ``None``.

    Users are inserted with ``bulk_create`` (no signals), given their records, search
    documents and value rows by :func:`drf_scim.records.backfill_user_records` -- the code
    migration 0002 and ``scim_backfill_records`` run -- and an ``externalId`` by one UPDATE.
    Every ``RICH_EVERY``-th user is then replaced through the serializer, as a SCIM PUT
    would: title, work and home e-mails, a phone number, the Enterprise extension. All in
    one transaction, so an interrupted run leaves nothing behind.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import connection, transaction
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat, LPad

    from drf_scim.models import UserRecord, UserValue
    from drf_scim.records import backfill_user_records

    user_model = get_user_model()
    existing = user_model._default_manager.count()
    if existing == n and UserRecord.objects.count() == n:
        return None
    if existing:
        sys.exit(
            f"The benchmark database holds {existing} users, not {n}: run with "
            f"--users {existing}, or with --reset to create {n} users afresh."
        )
    started = time.perf_counter()
    rich: list[tuple[int, int]] = []
    with transaction.atomic():
        for block in chunks(range(1, n + 1), BATCH):
            users = []
            for i in block:
                given, family = names(i)
                users.append(
                    user_model(
                        username=user_name(i),
                        email=user_name(i),
                        first_name=given,
                        last_name=family,
                        password=f"{UNUSABLE_PASSWORD_PREFIX}bench",
                        is_active=i % INACTIVE_EVERY != 0,
                        date_joined=EPOCH + datetime.timedelta(minutes=i),
                    )
                )
            user_model._default_manager.bulk_create(users)
            rich.extend((u.pk, i) for i, u in zip(block, users, strict=True) if i % RICH_EVERY == 0)
        log(f"  {n} users inserted ({time.perf_counter() - started:.1f} s)")
        backfill_user_records(user_model, UserRecord, UserValue, batch_size=BATCH)
        log(f"  records and value rows backfilled ({time.perf_counter() - started:.1f} s)")
        UserRecord.objects.update(
            external_id=Concat(
                Value("00u"),
                LPad(Cast("user_id", CharField(max_length=20)), 17, Value("0")),
                output_field=CharField(),
            )
        )
        enrich(rich)
        elapsed = time.perf_counter() - started
        log(f"  {len(rich)} users replaced through the serializer ({elapsed:.1f} s)")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")  # what autovacuum would soon do in production
        elif connection.vendor == "mysql":
            for table in (user_model._meta.db_table, "drf_scim_userrecord", "drf_scim_uservalue"):
                cursor.execute(f"ANALYZE TABLE {connection.ops.quote_name(table)}")
                cursor.fetchall()
    return time.perf_counter() - started


def enrich(rich: Sequence[tuple[int, int]]) -> None:
    """Replace users through the serializer's ``update`` (the PUT path), in batches."""
    from drf_scim.settings import scim_settings

    serializer_class = scim_settings.USER_SERIALIZER
    serializer = serializer_class()
    for block in chunks(rich, 500):
        # The serializer's own queryset: the record, values and relations it reads, prefetched.
        users = (
            serializer_class.get_storage()
            .get_queryset()
            .filter(pk__in=[pk for pk, _ in block])
            .in_bulk()
        )
        for pk, i in block:
            document = serializer.to_internal_value(rich_document(i, pk))
            serializer.update(users[pk], document)


def log(message: str) -> None:
    print(message, flush=True)


# -- the cases --------------------------------------------------------------------------------

#: What a hand-written list view reads: the user's columns and the record's.
FIELDS = (
    "pk", "username", "first_name", "last_name", "email", "is_active", "date_joined",
    "scim_record__id", "scim_record__external_id", "scim_record__version",
    "scim_record__created", "scim_record__last_modified", "scim_record__attributes",
)  # fmt: skip


@dataclass
class Case:
    key: str
    label: str
    params: dict[str, str]
    #: The equivalent hand-written query: returns (total, rows).
    baseline: Callable[[], tuple[int, list[Any]]]
    baseline_label: str
    #: A naive hand-written alternative, timed for information only.
    naive: Callable[[], tuple[int, list[Any]]] | None = None
    naive_label: str = ""
    explain: bool = False


def live() -> Any:
    """Live users with their record: what the user storage's ``get_queryset()`` selects."""
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.filter(
        scim_record__isnull=False, scim_record__deleted__isnull=True
    )


def page(queryset: Any, count: int) -> tuple[int, list[Any]]:
    """A ListResponse's worth of work: the total, and one page of rows."""
    return queryset.count(), list(queryset.order_by("pk").values(*FIELDS)[:count])


def pick(n: int, i: int) -> int:
    return (i - 1) % n + 1


def build_cases(n: int) -> list[Case]:
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from drf_scim.models import UserValue

    a = pick(n, 54321)
    literal_a = f"UsEr{a}@eXample.cOm"  # a casing no user is stored with
    c = pick(n, 76543)
    literal_c = user_name(c).swapcase()
    d = pick(n, 32100)
    user_d = (
        get_user_model()._default_manager.select_related("scim_record").get(username=user_name(d))
    )
    literal_d = user_d.scim_record.external_id

    def work_email() -> Any:
        return Exists(
            UserValue.objects.filter(
                record=OuterRef("scim_record"),
                attribute="emails",
                type__iexact="work",
                value__icontains="@example.com",
            )
        )

    email_rows = UserValue.objects.filter(attribute="emails", value_key=literal_c.casefold())

    return [
        Case(
            "a",
            f'userName eq "{literal_a}"',
            {"filter": f'userName eq "{literal_a}"'},
            lambda: page(live().filter(scim_record__user_name_key=literal_a.casefold()), 100),
            "live().filter(scim_record__user_name_key=literal.casefold())",
            lambda: page(live().filter(username__iexact=literal_a), 100),
            "live().filter(username__iexact=literal)",
            explain=True,
        ),
        Case(
            "b",
            'userName sw "user5" and emails[type eq "work" and value co "@example.com"], count=10',
            {
                "filter": 'userName sw "user5" and '
                'emails[type eq "work" and value co "@example.com"]',
                "count": "10",
            },
            lambda: page(live().filter(username__istartswith="user5").filter(work_email()), 10),
            "live().filter(username__istartswith=...).filter(Exists(work e-mail rows))",
        ),
        Case(
            "c",
            f'emails.value eq "{literal_c}"',
            {"filter": f'emails.value eq "{literal_c}"'},
            lambda: page(live().filter(scim_record__in=email_rows.values("record")), 100),
            "live().filter(scim_record__in=<value rows with value_key=literal.casefold()>)",
            lambda: page(live().filter(email__iexact=literal_c), 100),
            "live().filter(email__iexact=literal)",
            explain=True,
        ),
        Case(
            "d",
            f'externalId eq "{literal_d}"',
            {"filter": f'externalId eq "{literal_d}"'},
            lambda: page(live().filter(scim_record__external_id=literal_d), 100),
            "live().filter(scim_record__external_id=literal)",
            explain=True,
        ),
        Case(
            "e",
            "no filter, count=100",
            {"count": "100"},
            lambda: page(live(), 100),
            "live()",
        ),
    ]


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Result:
    case: Case
    total: int
    expected: int
    queries: int
    #: Seconds per run.
    scim: list[float]
    baseline: list[float]
    naive: list[float]
    statements: list[tuple[str, Any]]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def measure(client: Any, token: str, case: Case, runs: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def request() -> Any:
        response = client.get("/scim/v2/Users", case.params, HTTP_AUTHORIZATION=f"Bearer {token}")
        if response.status_code != 200:
            sys.exit(f"({case.key}) answered {response.status_code}: {response.content[:500]!r}")
        return json.loads(response.content)

    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    for _ in range(2):  # warm-ups
        request()
        case.baseline()
        if case.naive is not None:
            case.naive()
    # One untimed run to count the queries and keep the SQL.
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
        body = request()
    queries = len(captured)  # now: the next request empties connection.queries
    expected, _ = case.baseline()
    scim: list[float] = []
    baseline: list[float] = []
    for _ in range(runs):  # interleaved, so that load on the shared machine hits both alike
        scim.append(timed(request)[0])
        baseline.append(timed(case.baseline)[0])
    # Apart: a naive query that scans the table would also evict the caches the others use.
    naive = [timed(case.naive)[0] for _ in range(runs)] if case.naive is not None else []
    return Result(
        case,
        total=body["totalResults"],
        expected=expected,
        queries=queries,
        scim=scim,
        baseline=baseline,
        naive=naive,
        statements=statements,
    )


# -- plans ------------------------------------------------------------------------------------


@dataclass
class Access:
    table: str
    how: str  # "index", "full scan" or "full index scan"
    detail: str


def _top_level_from(sql: str) -> int:
    depth = 0
    for position, char in enumerate(sql):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and sql.startswith(" FROM ", position):
            return position
    return -1


def main_selects(statements: list[tuple[str, Any]], table: str) -> list[tuple[str, str, Any]]:
    """The SELECTs whose top-level FROM is the user table: ("page" or "count", sql, params)."""
    from django.db import connection

    quoted = connection.ops.quote_name(table)
    found = []
    for sql, params in statements:
        start = _top_level_from(sql)
        if not sql.lstrip().upper().startswith("SELECT") or start < 0:
            continue
        if sql[start + len(" FROM ") :].startswith(quoted):
            kind = "count" if "COUNT(" in sql[:start].upper() else "page"
            found.append((kind, sql, params))
    return found


def _aliases(sql: str) -> dict[str, str]:
    return {alias: table for table, alias in re.findall(r"[\"`](\w+)[\"`] ([A-Z]\d+)\b", sql)}


def explain(sql: str, params: Any) -> tuple[str, list[Access]]:
    """The plan as text, and how each table is read."""
    from django.db import connection

    aliases = _aliases(sql)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return _sqlite_plan(cursor.fetchall(), aliases)
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            text = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            return text, list(_postgres_accesses(plan[0]["Plan"]))
        cursor.execute(f"EXPLAIN {sql}", params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return _mysql_plan(rows, aliases)


def _sqlite_plan(rows: list[Any], aliases: dict[str, str]) -> tuple[str, list[Access]]:
    depth = {0: -1}
    lines, accesses = [], []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append(f"{'  ' * depth[node]}{detail}")
        match = re.match(r"(SCAN|SEARCH) (?:TABLE )?(\w+)(?: AS (\w+))?(.*)", detail)
        if match:
            verb, name, alias, rest = match.groups()
            table = aliases.get(alias or name, name)
            how = "index" if verb == "SEARCH" else "full scan"
            if verb == "SCAN" and "INDEX" in rest:
                how = "full index scan"
            accesses.append(Access(table, how, detail))
    return "\n".join(lines), accesses


def _postgres_accesses(node: dict[str, Any]) -> Iterator[Access]:
    kind = node["Node Type"]
    if "Relation Name" in node:
        table = node["Relation Name"]
        if kind == "Seq Scan":
            yield Access(table, "full scan", f"Seq Scan on {table}")
        elif kind == "Bitmap Heap Scan":
            indexes = [child.get("Index Name", "?") for child in node.get("Plans", [])]
            yield Access(table, "index", f"Bitmap Heap Scan via {', '.join(indexes)}")
        elif "Index Cond" in node:
            yield Access(table, "index", f"{kind} using {node['Index Name']}: {node['Index Cond']}")
        else:
            yield Access(table, "full index scan", f"{kind} using {node.get('Index Name')}")
    for child in node.get("Plans", []):
        yield from _postgres_accesses(child)


def _mysql_plan(rows: list[dict[str, Any]], aliases: dict[str, str]) -> tuple[str, list[Access]]:
    shown = ("id", "select_type", "table", "type", "key", "ref", "rows", "Extra")
    lines = [" | ".join(shown)]
    accesses = []
    for row in rows:
        lines.append(" | ".join(str(row.get(c)) for c in shown))
        table = aliases.get(row["table"], row["table"])
        if table is None or table.startswith("<"):
            continue
        how = {"ALL": "full scan", "index": "full index scan"}.get(row["type"], "index")
        accesses.append(Access(table, how, f"type={row['type']} key={row['key']}"))
    return "\n".join(lines), accesses


def short_sql(sql: str, params: Any) -> str:
    """The statement with its select list elided, and its parameters."""
    start = _top_level_from(sql)
    head = "SELECT COUNT(*)" if "COUNT(" in sql[:start].upper() else "SELECT <columns>"
    return f"{head}{sql[start:]}\n    params: {list(params or ())!r}"


# -- the report -------------------------------------------------------------------------------


def revision() -> str:
    """The commit measured, marked when the working tree has changes."""
    try:
        git = ["git", "-C", str(ROOT)]
        commit = subprocess.run(  # noqa: S603 - fixed arguments
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(  # noqa: S603 - fixed arguments
            [*git, "status", "--porcelain", "--untracked-files=no", "--", "drf_scim"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(not a git checkout)"
    return f"{commit} + uncommitted changes" if changes else commit


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def report_times(results: list[Result], runs: int) -> None:
    median, fastest = statistics.median, min
    log(f"median of {runs} runs (fastest run on the right); hand-written = same total and page")
    log(
        f"{'case':<4} {'total':>7} {'queries':>7} {'drf-scim':>11} {'hand-written':>12}  "
        f"{'ratio':<32} | {'drf-scim':>11} {'hand-written':>12} {'ratio':>7}"
    )
    for r in results:
        ratio = f"drf-scim / hand-written = {median(r.scim) / median(r.baseline):.1f}x"
        log(
            f"({r.case.key}) {r.total:>7} {r.queries:>7} {milliseconds(median(r.scim)):>11} "
            f"{milliseconds(median(r.baseline)):>12}  {ratio:<32} | "
            f"{milliseconds(fastest(r.scim)):>11} {milliseconds(fastest(r.baseline)):>12} "
            f"{fastest(r.scim) / fastest(r.baseline):>6.1f}x"
        )
    log("")
    for r in results:
        log(f"({r.case.key}) {r.case.label}\n    hand-written: {r.case.baseline_label}")
        if r.naive:
            log(
                f"    naive: {r.case.naive_label}: {milliseconds(median(r.naive))}, "
                f"drf-scim / naive = {median(r.scim) / median(r.naive):.2f}x"
            )


def report_plans(result: Result, user_table: str) -> bool:
    """Print the plans of a case's main SELECTs; return whether user/record tables are scanned."""
    watched = {user_table, "drf_scim_userrecord"}
    scanned = False
    for kind, sql, params in main_selects(result.statements, user_table):
        text, accesses = explain(sql, params)
        log(f"\n({result.case.key}) {kind} query: {short_sql(sql, params)}")
        log("  " + text.replace("\n", "\n  "))
        for access in accesses:
            flag = "  <-- scans the table" if access.how != "index" else ""
            log(f"  -> {access.table}: {access.how} ({access.detail}){flag}")
            scanned |= access.table in watched and access.how != "index"
        if result.case.key == "a" and not any(
            a.table == "drf_scim_userrecord" and "user_name_key" in a.detail for a in accesses
        ):
            log("  -> the index on drf_scim_userrecord.user_name_key is not used")
            scanned = True
    verdict = "scans the user or record table" if scanned else "uses indexes only"
    log(f"  verdict ({result.case.key}): {verdict}")
    return scanned


def add_server_arguments(parser: argparse.ArgumentParser, runs: int, each: str) -> None:
    """``--db``, ``--runs`` (``runs`` timed runs per ``each``) and ``--reset``."""
    parser.add_argument(
        "--db",
        choices=sorted(SERVERS),
        help="the local server to use; default: DATABASE_URL's, else SQLite",
    )
    parser.add_argument("--runs", type=int, default=runs, help=f"timed runs per {each} ({runs})")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000, help="number of users (100000)")
    add_server_arguments(parser, 20, "request")
    args = parser.parse_args(argv)
    if args.users < 1 or args.runs < 1:
        parser.error("--users and --runs must be positive")

    setup_django(args.db)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from drf_scim.models import SCIMToken

    open_database(args.reset, f"drf-scim filter benchmark: {args.users} users on {{server}}")
    seconds = populate(args.users)
    log(
        "users: reused from an earlier run"
        if seconds is None
        else f"users: created in {seconds:.1f} s"
    )

    token, key = SCIMToken.generate("bench")
    try:
        client = Client()
        cases = build_cases(args.users)
        for case in cases:  # warm up the whole stack (imports, caches) before any timing
            client.get("/scim/v2/Users", case.params, HTTP_AUTHORIZATION=f"Bearer {key}")
        results = [measure(client, key, case, args.runs) for case in cases]
    finally:
        token.delete()

    log(f"\nload average after the runs: {load()}")
    report_times(results, args.runs)

    mismatches = [r for r in results if r.total != r.expected]
    for r in mismatches:
        log(f"({r.case.key}) drf-scim found {r.total} users, the hand-written query {r.expected}")

    user_table = get_user_model()._meta.db_table
    scanned = {r.case.key: report_plans(r, user_table) for r in results if r.case.explain}
    if scanned.get("a"):
        log("\nFAIL: userName eq scans the user or record table.")
        return 1
    return 2 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
