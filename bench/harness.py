"""drf-scim, a hand-written floor and django-scim2 over HTTP, side by side (``nox -s bench``).

    python bench/harness.py [--db sqlite,postgres] [--users 1000,10000] [--groups 100,1000]

For each database: serves bench/project under gunicorn (2 sync workers, DEBUG off,
``CONN_MAX_AGE`` 600, SQLite in WAL mode), grows the users to each ``--users`` size
(through the ORM, or over SCIM with ``--seed api``), and times every operation against the
three targets, interleaved run by run: median, p95, and the SQL queries of one request
(the ``X-Queries`` header). Then requests per second under ``--concurrency`` client threads.
Prints a table, writes JSON to bench/results/ and plots to docs/img/. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.cursor import last_page_cursor  # noqa: E402
from bench.filters import (  # noqa: E402
    load,
    log,
    names,
    prepare_database,
    revision,
    user_name,
)

#: ``--db`` name -> the server; the database is always the benchmark's own.
SERVERS = {
    "sqlite": f"sqlite:///{ROOT / 'bench' / '.data' / 'http.sqlite3'}",
    "postgres": "postgres://postgres@127.0.0.1:5432/drf_scim_bench_http",
}
TARGETS = ("drf-scim", "floor", "django-scim2")
PREFIXES = {"drf-scim": "/scim/v2", "floor": "/floor", "django-scim2": "/scim2"}
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BULK_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
#: The size of a list page.
PAGE = 100
#: How many members the "add" PATCH adds: the users after a group's members.
NEWCOMERS = 100
BATCH = 2000
#: No single request may take longer (gunicorn's worker timeout is 120 s).
REQUEST_TIMEOUT = 110
#: Operations of the warm-up Bulk (and POSTs), untimed.
BULK_WARM_UP = 10
#: The ratios reported: (numerator op, denominator op, what the ratio says).
RATIOS = (
    ("deep", "list", "index page at the end / the first (RFC 7644 §3.4.2.4)"),
    ("middle", "list", "index page in the middle / the first (RFC 7644 §3.4.2.4)"),
    ("cursor_last", "cursor", "cursor page at the end / the first (RFC 9865)"),
    ("posts", "bulk", "the POSTs one by one / one Bulk of them (RFC 7644 §3.7)"),
)
#: The operations timed under concurrency.
THROUGHPUT_OPERATIONS = ("list", "get", "username")
#: Requests one client thread sends at most in a window.
MAX_REQUESTS_PER_THREAD = 5000
#: Windows a requests-per-second figure is split into, interleaved across the targets.
THROUGHPUT_WINDOWS = 4


# -- the data set -----------------------------------------------------------------------------


def external_id(i: int) -> str:
    return f"00u{i:017d}"


def user_document(i: int) -> dict[str, Any]:
    """User ``i`` as an identity provider POSTs it."""
    given, family = names(i)
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name(i),
        "externalId": external_id(i),
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": user_name(i).lower(), "type": "work", "primary": True}],
        "active": True,
    }


def sequence(username: str) -> int:
    """``i`` from ``user_name(i)``: every casing starts with four letters."""
    return int(username[4:].split("@")[0])


def seed_orm(start: int, stop: int) -> None:
    """Users ``start``..``stop - 1`` through the ORM, as bench/filters.py creates them:
    ``bulk_create``, drf-scim's backfill (records, search documents, e-mail rows), and an
    ``externalId`` per record."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import transaction

    from drf_scim.models import UserRecord, UserValue
    from drf_scim.records import backfill_user_records

    user_model = get_user_model()
    with transaction.atomic():
        for block in range(start, stop, BATCH):
            users = []
            for i in range(block, min(block + BATCH, stop)):
                given, family = names(i)
                users.append(
                    user_model(
                        username=user_name(i),
                        email=user_name(i).lower(),
                        first_name=given,
                        last_name=family,
                        password=f"{UNUSABLE_PASSWORD_PREFIX}bench",
                    )
                )
            user_model._default_manager.bulk_create(users)
        backfill_user_records(user_model, UserRecord, UserValue, batch_size=BATCH)
        records = UserRecord.objects.filter(external_id__isnull=True).values_list(
            "pk", "user__username"
        )
        updates = [
            UserRecord(pk=pk, external_id=external_id(sequence(username)))
            for pk, username in records
        ]
        UserRecord.objects.bulk_update(updates, ["external_id"], batch_size=BATCH)


def seed_api(client: Client, start: int, stop: int, threads: int) -> float:
    """POST users ``start``..``stop - 1`` to drf-scim from ``threads`` clients; users/s."""
    started = time.perf_counter()

    def post(i: int) -> None:
        reply = client.send("POST", "/scim/v2/Users", user_document(i))
        if reply.status != 201:
            msg = f"seeding user {i}: {reply.status} {reply.body[:300]!r}"
            raise RuntimeError(msg)

    with ThreadPoolExecutor(threads) as pool:
        for done, _ in enumerate(pool.map(post, range(start, stop)), 1):
            if done % 10_000 == 0:
                rate = done / (time.perf_counter() - started)
                log(f"  {done:,} of {stop - start:,} users POSTed ({rate:,.0f} users/s)")
    return (stop - start) / (time.perf_counter() - started)


def ensure_group(size: int) -> Any:
    """The group ``bench-{size}`` holding exactly users 1..``size``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    group, _ = Group.objects.get_or_create(name=f"bench-{size}")
    pks = list(get_user_model()._default_manager.order_by("pk").values_list("pk", flat=True))
    wanted = set(pks[:size])
    current = set(group.user_set.values_list("pk", flat=True))
    if current - wanted:
        group.user_set.remove(*(current - wanted))
    if wanted - current:
        group.user_set.add(*(wanted - current))
    return group


# -- HTTP -------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    seconds: float
    queries: int | None
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One keep-alive connection per thread (gunicorn's sync workers close it anyway)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/scim+json",
            "Accept": "application/scim+json",
        }
        self.local = threading.local()

    def connection(self) -> http.client.HTTPConnection:
        if getattr(self.local, "connection", None) is None:
            self.local.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT
            )
        return self.local.connection

    def send(self, method: str, url: str, body: Any = None) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        connection = self.connection()
        started = time.perf_counter()
        try:
            connection.request(method, url, body=data, headers=self.headers)
            response = connection.getresponse()
            content = response.read()
        except (http.client.HTTPException, OSError):
            connection.close()  # a closed keep-alive connection: once more, on a new one
            started = time.perf_counter()
            connection.request(method, url, body=data, headers=self.headers)
            response = connection.getresponse()
            content = response.read()
        seconds = time.perf_counter() - started
        queries = response.getheader("X-Queries")
        return Reply(response.status, seconds, None if queries is None else int(queries), content)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int) -> Iterator[int]:
    """Serve bench/project on a free loopback port; always stopped on the way out."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env["DJANGO_SETTINGS_MODULE"] = "bench.project.settings"
    command = [
        sys.executable, "-m", "gunicorn", "bench.project.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning",
        "--chdir", str(ROOT),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)  # noqa: S603 - fixed arguments
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                msg = f"gunicorn exited with status {process.returncode}"
                raise RuntimeError(msg)
            with contextlib.suppress(OSError):
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/scim/v2/ServiceProviderConfig")
                probe.getresponse().read()
                probe.close()
                break
            if time.monotonic() > deadline:
                msg = "gunicorn did not answer within 60 s"
                raise RuntimeError(msg)
            time.sleep(0.3)
        log(f"  gunicorn (pid {process.pid}, {workers} sync workers) on 127.0.0.1:{port}")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# -- operations -------------------------------------------------------------------------------


@dataclass
class Resource:
    """One user or group as each target names it: drf-scim and the floor by the record's
    UUID, django-scim2 by the primary key."""

    pk: int
    record_id: str

    def id(self, target: str) -> str:
        return str(self.pk) if target == "django-scim2" else self.record_id


@dataclass
class Operation:
    key: str
    label: str
    #: target -> (method, url, body)
    request: Callable[[str, int], tuple[str, str, Any]]
    #: Untimed, after each request: put the data back.
    restore: Callable[[str], None] = lambda target: None
    #: The ``totalResults`` every target should answer (list operations).
    expect_total: int | None = None
    expect_status: int = 200
    #: Whether 204 No Content is as good (drf-scim's group PATCH, ``PATCH_RESPONSE``).
    no_content: bool = False
    #: Whether every target should answer the same resources (not so for a POST).
    compare: bool = True
    #: The targets that serve it (the others are reported n/a); all when ``None``.
    targets: tuple[str, ...] | None = None
    #: What is wrong with an answer's document beyond its status and total, if anything.
    check: Callable[[Any], str | None] = lambda document: None


@dataclass
class Measurement:
    op: str
    label: str
    target: str
    size: int
    seconds: list[float] = field(default_factory=list)
    queries: int | None = None
    status: int | None = None
    total: int | None = None
    problem: str | None = None
    #: What the answer holds, in short (:func:`gist`), compared with drf-scim's.
    gist: str = ""
    #: Set when the answer differs from drf-scim's (the operation did other work).
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = [round(seconds, 6) for seconds in self.seconds]
        data["median_ms"] = median_ms(self.seconds) if self.ok else None
        data["p95_ms"] = p95_ms(self.seconds) if self.ok else None
        return data


def median_ms(seconds: list[float]) -> float | None:
    return round(statistics.median(seconds) * 1000, 2) if seconds else None


def p95_ms(seconds: list[float]) -> float | None:
    if len(seconds) < 2:
        return median_ms(seconds)
    return round(statistics.quantiles(seconds, n=20, method="inclusive")[-1] * 1000, 2)


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


def user_operations(users: int, sample: list[Resource]) -> list[Operation]:
    """The user operations at ``users`` users; ``sample`` holds users to read and write."""
    from django.contrib.auth import get_user_model

    reader, patched = sample[0], sample[1]
    # One user per target for PUT, so that no target replaces what another one wrote.
    writers = dict(zip(TARGETS, sample[2:], strict=True))
    manager = get_user_model()._default_manager
    reader_i = sequence(manager.get(pk=reader.pk).username)
    writer_i = {t: sequence(manager.get(pk=u.pk).username) for t, u in writers.items()}
    deep = max(users - 99, 1)
    middle = max(users // 2 - 49, 1)  # the page farthest from both ends
    nonce = uuid.uuid4().hex[:8]
    # The cursor of the last page, made (untimed) as bench/cursor.py makes it: walking
    # there by nextCursor would take users / 100 requests.
    last_cursor = quote(last_page_cursor({}, users)) if users > PAGE else ""

    def url(target: str, path: str) -> str:
        return PREFIXES[target] + path

    def restore_active(target: str) -> None:
        user = get_user_model()._default_manager.get(pk=patched.pk)
        user.is_active = True
        user.save()  # through drf-scim's receiver: its search document follows

    def filtered(attribute: str, value: Callable[[str], str]) -> Callable[[str, int], Any]:
        def request(target: str, run: int) -> tuple[str, str, Any]:
            query = f'{attribute} eq "{value(target)}"'
            return "GET", url(target, f"/Users?filter={quote(query)}"), None

        return request

    return [
        Operation(
            "list",
            "list page of 100 users",
            lambda t, r: ("GET", url(t, "/Users?startIndex=1&count=100"), None),
            expect_total=users,
        ),
        Operation(
            "deep",
            f"list page at startIndex={deep:,}",
            lambda t, r: ("GET", url(t, f"/Users?startIndex={deep}&count=100"), None),
            expect_total=users,
        ),
        Operation(
            "middle",
            f"list page at startIndex={middle:,}",
            lambda t, r: ("GET", url(t, f"/Users?startIndex={middle}&count=100"), None),
            expect_total=users,
        ),
        Operation(
            "cursor",
            "cursor page of 100, the first",
            lambda t, r: ("GET", url(t, "/Users?cursor=&count=100"), None),
            expect_total=users,
            targets=("drf-scim",),  # RFC 9865: neither the floor nor django-scim2
            check=cursor_page(following=users > PAGE),
        ),
        Operation(
            "cursor_last",
            "cursor page of 100, the last",
            lambda t, r: ("GET", url(t, f"/Users?cursor={last_cursor}&count=100"), None),
            expect_total=users,
            targets=("drf-scim",),
            check=cursor_page(following=False),
        ),
        Operation(
            "get", "GET one user", lambda t, r: ("GET", url(t, f"/Users/{reader.id(t)}"), None)
        ),
        Operation(
            "username",
            "filter userName eq",
            filtered("userName", lambda t: user_name(reader_i)),
            expect_total=1,
        ),
        Operation(
            "externalid",
            "filter externalId eq",
            filtered("externalId", lambda t: external_id(reader_i)),
            expect_total=1,
        ),
        Operation("id", "filter id eq", filtered("id", reader.id), expect_total=1),
        Operation(
            "post",
            "POST a user",
            lambda t, r: (
                "POST",
                url(t, "/Users"),
                {
                    **user_document(10**9 + r),
                    "userName": f"post-{t}-{nonce}-{users}-{r}@example.com",
                    "externalId": f"post-{t}-{nonce}-{users}-{r}",
                    "emails": [{"value": f"post-{t}-{r}@example.com", "primary": True}],
                },
            ),
            expect_status=201,
            compare=False,
        ),
        Operation(
            "put",
            "PUT a user",
            lambda t, r: (
                "PUT",
                url(t, f"/Users/{writers[t].id(t)}"),
                {**user_document(writer_i[t]), "name": {"givenName": f"Run{r}", "familyName": t}},
            ),
            compare=False,  # each target its own user
        ),
        Operation(
            "patch",
            "PATCH active=false",
            lambda t, r: (
                "PATCH",
                url(t, f"/Users/{patched.id(t)}"),
                patch({"op": "replace", "path": "active", "value": False}),
            ),
            restore=restore_active,
        ),
    ]


def cursor_page(*, following: bool) -> Callable[[Any], str | None]:
    """The check of a cursor page: ``PAGE`` users, a ``nextCursor`` only if ``following``."""

    def check(document: Any) -> str | None:
        found = len(document.get("Resources") or [])
        if found != PAGE:
            return f"{found} users, not {PAGE}"
        if ("nextCursor" in document) != following:
            return "a nextCursor" if not following else "no nextCursor"
        return None

    return check


def group_operations(size: int, group: Resource, members: list[Resource]) -> list[Operation]:
    """The group operations on a group of ``size`` members; ``members`` are its members
    followed by ``NEWCOMERS`` other users."""
    from django.contrib.auth.models import Group

    newcomers = members[size : size + NEWCOMERS]
    victim = members[size // 2]

    def path(target: str) -> str:
        return f"{PREFIXES[target]}/Groups/{group.id(target)}"

    def drop_newcomers(target: str) -> None:
        Group.objects.get(pk=group.pk).user_set.remove(*(m.pk for m in newcomers))

    def put_back_victim(target: str) -> None:
        Group.objects.get(pk=group.pk).user_set.add(victim.pk)

    def rename_back(target: str) -> None:
        Group.objects.filter(pk=group.pk).update(name=f"bench-{size}")

    return [
        Operation("group_get", "GET the group", lambda t, r: ("GET", path(t), None)),
        Operation(
            "group_add",
            f"PATCH add {NEWCOMERS} members",
            lambda t, r: (
                "PATCH",
                path(t),
                patch(
                    {
                        "op": "add",
                        "path": "members",
                        "value": [{"value": m.id(t)} for m in newcomers],
                    }
                ),
            ),
            no_content=True,
            restore=drop_newcomers,
        ),
        Operation(
            "group_remove",
            "PATCH remove 1 member (value list)",
            lambda t, r: (
                "PATCH",
                path(t),
                patch({"op": "remove", "path": "members", "value": [{"value": victim.id(t)}]}),
            ),
            no_content=True,
            restore=put_back_victim,
        ),
        Operation(
            "group_remove_filter",
            "PATCH remove 1 member (members[value eq])",
            lambda t, r: (
                "PATCH",
                path(t),
                patch({"op": "remove", "path": f'members[value eq "{victim.id(t)}"]'}),
            ),
            no_content=True,
            restore=put_back_victim,
        ),
        Operation(
            "group_rename",
            "PATCH rename",
            lambda t, r: (
                "PATCH",
                path(t),
                patch({"op": "replace", "value": {"displayName": f"bench-{size}-{t}-{r}"}}),
            ),
            no_content=True,
            restore=rename_back,
        ),
    ]


def quote(text: str) -> str:
    from urllib.parse import quote as url_quote

    return url_quote(text, safe="")


T = TypeVar("T")


def rotated(items: Sequence[T], start: int) -> list[T]:
    """``items`` from index ``start`` (modulo their number), then the ones before it: the
    order of one interleaved round, which starts one further on each time."""
    shift = start % len(items)
    return [*items[shift:], *items[:shift]]


def measure(
    client: Client, operations: list[Operation], size: int, runs: int, targets: tuple[str, ...]
) -> list[Measurement]:
    """Time ``operations`` on every target that serves them, interleaved: run 1 of each on
    each target, then run 2 starting one further on..., so that load hits all alike."""
    slots = [
        (operation, target)
        for operation in operations
        for target in targets
        if operation.targets is None or target in operation.targets
    ]
    results = {
        (operation.key, target): Measurement(operation.key, operation.label, target, size)
        for operation, target in slots
    }
    for run in range(-1, runs):  # run -1 warms up, untimed
        for operation, target in rotated(slots, run):
            result = results[operation.key, target]
            if result.ok:
                reply = client.send(*operation.request(target, run))
                operation.restore(target)
                record(result, reply, operation, run)
    for operation in operations:
        reference = results.get((operation.key, "drf-scim"))
        for (key, _), result in results.items():
            if (
                key == operation.key
                and operation.compare
                and reference
                and reference.ok
                and reference.gist
                and result.ok
                and result.gist != reference.gist
            ):
                result.note = f"answers {result.gist[:80]!r}, drf-scim {reference.gist[:80]!r}"
    return list(results.values())


def together(operations: list[Operation]) -> list[list[Operation]]:
    """``operations`` in the batches timed together: the two sides of a ratio (``RATIOS``)
    share one, so that the machine's load hits both alike; every other one is alone."""
    partners: dict[str, set[str]] = {}
    for a, b, _ in RATIOS:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    batches, placed = [], set()
    for operation in operations:
        if operation.key in placed:
            continue
        batch = [operation]
        batch += [
            other
            for other in operations
            if other.key in partners.get(operation.key, ()) and other.key not in placed
        ]
        placed.update(other.key for other in batch)
        batches.append(batch)
    return batches


def record(result: Measurement, reply: Reply, operation: Operation, run: int) -> None:
    """Keep a reply's time, or say what is wrong with it."""
    result.status, result.queries = reply.status, reply.queries
    if reply.status != operation.expect_status and not (
        operation.no_content and reply.status == 204
    ):
        detail = reply.body[:160].decode(errors="replace").replace("\n", " ")
        result.problem = f"answers {reply.status}: {detail}"
        return
    if operation.expect_total is not None:
        result.total = reply.json().get("totalResults")
        if result.total != operation.expect_total:
            result.problem = f"totalResults {result.total}, not {operation.expect_total}"
            return
    problem = operation.check(reply.json()) if reply.body else None
    if problem is not None:
        result.problem = problem
        return
    if run >= 0:
        result.seconds.append(reply.seconds)
    else:
        result.gist = gist(reply.body)


def gist(body: bytes) -> str:
    """The userNames of a list, a user's userName, or a group's member count."""
    try:
        document = json.loads(body)
    except ValueError:
        return ""
    if "Resources" in document:
        return ",".join(str(r.get("userName")).lower() for r in document["Resources"])
    if "displayName" in document and "userName" not in document:
        return f"{len(document.get('members') or [])} members"
    return str(document.get("userName")).lower()


def throughput(
    client: Client, operation: Operation, threads: int, duration: float, target: str
) -> tuple[int, float]:
    """Requests answered by ``threads`` clients in a ``duration``-second window, and the
    window's length (bounded)."""
    deadline = time.perf_counter() + duration
    done = [0] * threads
    method, url, body = operation.request(target, 0)

    def loop(index: int) -> None:
        for _ in range(MAX_REQUESTS_PER_THREAD):
            if time.perf_counter() >= deadline:
                return
            if client.send(method, url, body).status == operation.expect_status:
                done[index] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(loop, range(threads)))
    return sum(done), time.perf_counter() - started


# -- one database -----------------------------------------------------------------------------


def analyze() -> None:
    """What autovacuum soon does after a bulk load: the planner's statistics and, on
    PostgreSQL, the visibility map (index-only scans read no table page it marks)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def resources(pks: list[int], model: str = "user") -> list[Resource]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    manager = get_user_model()._default_manager if model == "user" else Group.objects
    ids = dict(manager.filter(pk__in=pks).values_list("pk", "scim_record__id"))
    return [Resource(pk, str(ids[pk])) for pk in pks]


def cleanup_posted() -> None:
    """Delete the users the POST operation created (and what SCIM stored about them)."""
    from django.contrib.auth import get_user_model

    get_user_model()._default_manager.filter(username__startswith="post-").delete()


def run_database(args: argparse.Namespace, db: str) -> dict[str, Any]:
    """Everything for one database, in this process (Django is set up once per process)."""
    os.environ["DATABASE_URL"] = SERVERS[db]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.project.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from drf_scim.models import SCIMToken

    prepare_database(args.reset)
    call_command("migrate", verbosity=0)
    server = f"{connection.display_name} {'.'.join(map(str, connection.get_database_version()))}"
    log(f"== {db}: {server}")
    cleanup_posted()
    existing = get_user_model()._default_manager.count()
    if existing > min(args.users):
        log(f"  {existing:,} users, more than {min(args.users):,}: starting afresh")
        prepare_database(reset=True)
        call_command("migrate", verbosity=0)
    token, key = SCIMToken.generate("bench")
    result: dict[str, Any] = {"db": db, "server": server, "seeding": []}
    measurements: list[Measurement] = []
    try:
        with gunicorn(SERVERS[db], args.workers) as port:
            client = Client(port, key)
            for size in sorted(args.users):
                result["seeding"] += grow(client, args, size)
                measurements += measure_users(client, args, size)
            measurements += measure_bulk(client, args, max(args.users))
            measurements += measure_groups(client, args)
            result["ratios"] = ratios(measurements)
            result["throughput"] = measure_throughput(client, args)
    finally:
        token.delete()
        cleanup_posted()
    result["measurements"] = [m.summary() for m in measurements]
    return result


def user_pks() -> list[int]:
    from django.contrib.auth import get_user_model

    return list(get_user_model()._default_manager.order_by("pk").values_list("pk", flat=True))


def grow(client: Client, args: argparse.Namespace, size: int) -> list[dict[str, Any]]:
    """Add users up to ``size``; how fast it went, if any were added."""
    from django.db import connection

    have = len(user_pks())
    if have >= size:
        return []
    started = time.perf_counter()
    if args.seed == "api":
        rate = seed_api(client, have + 1, size + 1, args.seed_threads)
    else:
        seed_orm(have + 1, size + 1)
        rate = (size - have) / (time.perf_counter() - started)
    if connection.vendor == "postgresql":
        analyze()  # what autovacuum soon does after a bulk load
    seconds = time.perf_counter() - started
    log(f"  {size - have:,} users added ({args.seed}): {rate:,.0f} users/s")
    seeding = {
        "users": size,
        "added": size - have,
        "how": args.seed,
        "users_per_second": round(rate, 1),
        "seconds": round(seconds, 1),
    }
    if args.seed == "api":
        seeding.update(threads=args.seed_threads, workers=args.workers)
    return [seeding]


def sample_users(size: int) -> list[Resource]:
    """Five users from the middle: one to read, one to PATCH, one to PUT per target."""
    pks = user_pks()
    return resources([pks[size // 2 + k] for k in range(2 + len(TARGETS))])


def measure_users(client: Client, args: argparse.Namespace, size: int) -> list[Measurement]:
    measurements = []
    for batch in together(user_operations(size, sample_users(size))):
        found = measure(client, batch, size, args.runs, args.targets)
        measurements += found
        for operation in batch:
            show([m for m in found if m.op == operation.key])
    cleanup_posted()
    return measurements


def posted_user(tag: str, k: int) -> dict[str, Any]:
    """A user for the POST and Bulk operations; its userName starts with ``post-``."""
    return {
        **user_document(10**9 + k),
        "userName": f"post-{tag}-{k}@example.com",
        "externalId": f"post-{tag}-{k}",
        "emails": [{"value": f"post-{tag}-{k}@example.com", "primary": True}],
    }


def bulk_of_posts(client: Client, tag: str, count: int) -> tuple[float, int | None, str | None]:
    """One ``POST /Bulk`` creating ``count`` users: seconds, queries, what went wrong."""
    body = {
        "schemas": [BULK_SCHEMA],
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": f"u{k}", "data": posted_user(tag, k)}
            for k in range(count)
        ],
    }
    reply = client.send("POST", "/scim/v2/Bulk", body)
    if reply.status != 200:
        return reply.seconds, reply.queries, f"answers {reply.status}: {reply.body[:160]!r}"
    statuses = [operation.get("status") for operation in reply.json().get("Operations", [])]
    created = statuses.count("201")
    if created != count:
        wrong = next((status for status in statuses if status != "201"), None)
        return reply.seconds, reply.queries, f"{created} of {count} created (one: {wrong})"
    return reply.seconds, reply.queries, None


def posts(client: Client, tag: str, count: int) -> tuple[float, int | None, str | None]:
    """``count`` users POSTed one after another: seconds, queries, what went wrong."""
    queries: int | None = 0
    started = time.perf_counter()
    for k in range(count):
        reply = client.send("POST", "/scim/v2/Users", posted_user(tag, k))
        if reply.status != 201:
            seconds = time.perf_counter() - started
            return seconds, None, f"answers {reply.status}: {reply.body[:160]!r}"
        queries = None if queries is None or reply.queries is None else queries + reply.queries
    return time.perf_counter() - started, queries, None


def measure_bulk(client: Client, args: argparse.Namespace, size: int) -> list[Measurement]:
    """One Bulk of ``--bulk`` user POSTs against as many POSTs, one after another.

    drf-scim only (neither the floor nor django-scim2 serves ``/Bulk``). Interleaved run by
    run like the other operations; the users are deleted, untimed, after each.
    """
    if not args.bulk or "drf-scim" not in args.targets:
        return []
    n = args.bulk
    results = {
        "bulk": Measurement("bulk", f"Bulk of {n:,} user POSTs", "drf-scim", size),
        "posts": Measurement("posts", f"{n:,} user POSTs, one by one", "drf-scim", size),
    }
    ways = {"bulk": bulk_of_posts, "posts": posts}
    nonce = uuid.uuid4().hex[:8]
    for run in range(-1, args.bulk_runs):  # run -1 warms up, untimed and small
        count = BULK_WARM_UP if run < 0 else n
        order = ("bulk", "posts") if run % 2 == 0 else ("posts", "bulk")
        for key in order:
            result = results[key]
            if not result.ok:
                continue
            seconds, queries, problem = ways[key](client, f"{key}-{nonce}-{run}", count)
            cleanup_posted()
            result.status, result.problem = (200 if key == "bulk" else 201), problem
            if run >= 0 and problem is None:
                result.seconds.append(seconds)
                result.queries = queries
    found = list(results.values())
    show(found)
    return found


def ratios(measurements: list[Measurement]) -> list[dict[str, Any]]:
    """drf-scim's ``RATIOS``, at each size both were measured."""
    medians = {
        (m.op, m.size): median_ms(m.seconds)
        for m in measurements
        if m.target == "drf-scim" and m.ok
    }
    found = []
    for numerator, denominator, meaning in RATIOS:
        for (op, size), top in medians.items():
            bottom = medians.get((denominator, size))
            if op != numerator or not top or not bottom:
                continue
            found.append(
                {
                    "ratio": meaning,
                    "size": size,
                    "numerator": numerator,
                    "denominator": denominator,
                    "numerator_ms": top,
                    "denominator_ms": bottom,
                    "value": round(top / bottom, 2),
                }
            )
            log(f"  {size:>7,} {meaning}: {top:,.1f} / {bottom:,.1f} ms = {top / bottom:.2f}x")
    return found


def measure_groups(client: Client, args: argparse.Namespace) -> list[Measurement]:
    measurements: list[Measurement] = []
    pks = user_pks()
    for size in sorted(args.groups):
        if size + NEWCOMERS > len(pks):
            log(f"  a group of {size:,} needs {size + NEWCOMERS:,} users: left out")
            continue
        group = resources([ensure_group(size).pk], "group")[0]
        for operation in group_operations(size, group, resources(pks[: size + NEWCOMERS])):
            found = measure(client, [operation], size, args.runs, args.targets)
            measurements += found
            show(found)
    return measurements


def measure_throughput(client: Client, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Requests per second of three read operations, at the largest size.

    Each target's ``--duration`` is split into windows taken in turn with the other
    targets', starting with a different target each round (as :func:`measure` interleaves
    runs), so that a burst of load on the machine (autovacuum after the group PATCHes, say)
    does not fall on one target alone.
    """
    largest = max(args.users)
    rates = []
    for operation in user_operations(largest, sample_users(largest)):
        if operation.key not in THROUGHPUT_OPERATIONS:
            continue
        answered = dict.fromkeys(args.targets, 0)
        seconds = dict.fromkeys(args.targets, 0.0)
        for window in range(THROUGHPUT_WINDOWS):
            for target in rotated(args.targets, window):
                count, elapsed = throughput(
                    client,
                    operation,
                    args.concurrency,
                    args.duration / THROUGHPUT_WINDOWS,
                    target,
                )
                answered[target] += count
                seconds[target] += elapsed
        for target in args.targets:
            rate = answered[target] / seconds[target]
            rates.append(
                {
                    "op": operation.key,
                    "label": operation.label,
                    "target": target,
                    "users": largest,
                    "threads": args.concurrency,
                    "requests_per_second": round(rate, 1),
                }
            )
            log(f"  {operation.label:<28} {target:<13} {rate:8.1f} req/s")
    return rates


def show(found: list[Measurement]) -> None:
    cells = []
    for m in found:
        if m.ok:
            cells.append(f"{m.target} {median_ms(m.seconds):8.2f} ms q={m.queries}")
        else:
            cells.append(f"{m.target} -- ({m.problem[:60]})")
    notes = [f"{m.target} {m.note}" for m in found if m.note]
    log(f"  {found[0].size:>7,} {found[0].label:<42} " + " | ".join(cells))
    for note in notes:
        log(f"          NOTE: {note}")


# -- the report -------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import django

    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        line = Path("/proc/meminfo").read_text().splitlines()[0]
        memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "load_average": load(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "drf_scim": revision(),
        "platform": platform.platform(),
    }


def failure(m: dict[str, Any] | None) -> str:
    if m is None:
        return "n/a"
    if not m["problem"].startswith("answers"):
        return f"wrong ({m['problem']})"
    return f"fails ({m['status']})"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a and b else "n/a"


def table(report: dict[str, Any]) -> str:
    """The Markdown tables docs/benchmarks.md shows: medians, queries, ratios, req/s."""
    lines = []
    for database in report["databases"]:
        lines += [f"\n### {database['server']}\n", *latency_table(database["measurements"])]
        lines += throughput_table(database["throughput"])
        lines += ratio_table(database.get("ratios", []))
        lines += [f"\n{seeding_line(seeding)}" for seeding in database["seeding"]]
    return "\n".join(lines)


def seeding_line(seeding: dict[str, Any]) -> str:
    how = seeding["how"]
    if how == "api":
        how = (
            f"api: POST to drf-scim, {seeding.get('threads', '?')} client threads, "
            f"{seeding.get('workers', '?')} gunicorn workers"
        )
    seconds = seeding.get("seconds")
    took = f" in {seconds:,.0f} s" if seconds is not None else ""
    return (
        f"Seeding to {seeding['users']:,} users ({how}): "
        f"**{seeding['users_per_second']:,.0f} users/s** ({seeding['added']:,} added{took})"
    )


def ratio_table(found: list[dict[str, Any]]) -> list[str]:
    if not found:
        return []
    lines = [
        "\nRatios of drf-scim's medians:\n",
        "| ratio | users | ms | ms | ratio |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['ratio']} | {r['size']:,} | {r['numerator_ms']:,.1f} "
        f"| {r['denominator_ms']:,.1f} | {r['value']:.2f}x |"
        for r in found
    ]
    return lines


def latency_table(measurements: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| operation | size | drf-scim ms (p95) | q | floor ms | q | django-scim2 ms | q "
        "| drf-scim / floor | drf-scim / django-scim2 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for m in measurements:
        rows.setdefault((m["label"], m["size"]), {})[m["target"]] = m
    for (label, size), by_target in rows.items():
        cells = []
        for target in TARGETS:
            m = by_target.get(target)
            if m is None or m["median_ms"] is None:
                cells += [failure(m), ""]
            elif target == "drf-scim":
                cells += [f"{m['median_ms']:.1f} ({m['p95_ms']:.1f})", str(m["queries"])]
            else:
                cells += [f"{m['median_ms']:.1f}", str(m["queries"])]
        medians = {t: (by_target.get(t) or {}).get("median_ms") for t in TARGETS}
        lines.append(
            f"| {label} | {size:,} | {' | '.join(cells)} "
            f"| {ratio(medians['drf-scim'], medians['floor'])} "
            f"| {ratio(medians['drf-scim'], medians['django-scim2'])} |"
        )
    return lines


def throughput_table(rates: list[dict[str, Any]]) -> list[str]:
    if not rates:
        return []
    lines = [
        f"\nRequests per second, {rates[0]['threads']} client threads, "
        f"{rates[0]['users']:,} users:\n",
        "| operation | " + " | ".join(TARGETS) + " |",
        "| --- |" + " ---: |" * len(TARGETS),
    ]
    by_op: dict[str, dict[str, float]] = {}
    for rate in rates:
        by_op.setdefault(rate["label"], {})[rate["target"]] = rate["requests_per_second"]
    for label, by_target in by_op.items():
        cells = [f"{by_target[t]:.0f}" if t in by_target else "n/a" for t in TARGETS]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres (both)")
    parser.add_argument("--users", default="1000,10000", help="user counts (1000,10000)")
    parser.add_argument("--groups", default="100,1000", help="group sizes (100,1000)")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per operation (9)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="which targets (all)")
    parser.add_argument(
        "--seed",
        choices=("orm", "api"),
        default="orm",
        help="create the users through the ORM (orm), or POST them to drf-scim (api)",
    )
    parser.add_argument("--seed-threads", type=int, default=8, help="clients for --seed api (8)")
    parser.add_argument(
        "--bulk",
        type=int,
        default=1000,
        help="user POSTs in the timed Bulk, at most maxOperations; 0 leaves it out (1000)",
    )
    parser.add_argument("--bulk-runs", type=int, default=3, help="timed Bulk runs (3)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (8)")
    parser.add_argument(
        "--duration", type=float, default=2.0, help="seconds of each requests-per-second figure (2)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--reset", action="store_true", help="drop the databases first")
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--plots", default=str(ROOT / "docs" / "img"))
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one database, JSON to this file
    args = parser.parse_args(argv)
    args.users = [int(n) for n in args.users.split(",")]
    args.groups = [int(n) for n in args.groups.split(",") if n]
    args.targets = tuple(t for t in args.targets.split(",") if t)
    unknown = set(args.targets) - set(TARGETS) or set(args.db.split(",")) - set(SERVERS)
    if (
        unknown
        or min(args.users) < 10
        or args.runs < 1
        or args.bulk < 0
        or args.bulk_runs < 1
        or not 1 <= args.concurrency <= 64
    ):
        parser.error(
            f"check --db, --targets, --users (>= 10), --runs, --bulk, --concurrency {unknown}"
        )

    if args.child:
        # Stopped from outside: unwind, so that gunicorn and the token go too.
        signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
        result = run_database(args, args.db)
        Path(args.child).write_text(json.dumps(result))
        return 0

    started = datetime.datetime.now(datetime.timezone.utc)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "arguments": {k: v for k, v in vars(args).items() if k != "child"},
        "machine": machine(),
        "databases": [],
    }
    log(f"bench: {report['machine']}")
    for db in args.db.split(","):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            # A process per database: Django's settings are fixed once set up.
            arguments = argv if argv is not None else sys.argv[1:]
            command = [sys.executable, __file__, *arguments, "--db", db, "--child", out.name]
            status = subprocess.call(command)  # noqa: S603 - this script
            if status != 0:
                log(f"{db}: FAILED (exit status {status})")
                return status
            report["databases"].append(json.loads(Path(out.name).read_text()))
    report["machine"]["load_average_after"] = load()
    elapsed = datetime.datetime.now(datetime.timezone.utc) - started
    report["seconds"] = round(elapsed.total_seconds())
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(report, indent=1)
    (output / f"{stamp}.json").write_text(text)
    (output / "latest.json").write_text(text)
    markdown = table(report)
    (output / "latest.md").write_text(markdown + "\n")
    log(markdown)
    log(f"\nJSON: {output / 'latest.json'} (and {stamp}.json); table: {output / 'latest.md'}")
    if not args.no_plots:
        from bench.plots import draw

        for path in draw(report, Path(args.plots)):
            log(f"plot: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
