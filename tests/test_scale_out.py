"""Scaling out: two gunicorn servers, one database (docs/deployment.md, "Scaling out").

drf-scim keeps no state in the process: versions, uniqueness and tokens live in the
database, and every write locks what it changes there. So N app servers can share one
database. These tests start two separate gunicorn servers (two sync workers each) on the
database of the running suite (SQLite's test file, or the PostgreSQL or MariaDB test
database) and race writes through both: no update is lost, ``If-Match`` lets exactly one
writer win, and a ``userName`` is created once.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from gunicorn.config import KNOWN_SETTINGS

from drf_scim.constants import ERROR_SCHEMA, GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from drf_scim.models import SCIMToken

ROOT = Path(__file__).resolve().parent.parent
USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
WRITERS = 8  # concurrent requests per race, alternating between the two servers
START_TIMEOUT = 30
# Recent gunicorn releases open a control socket, by default at one path for every server of
# the user (~/.gunicorn/gunicorn.ctl): the two servers would take it from each other.
NO_CONTROL_SOCKET = (
    ["--no-control-socket"]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)
    else []
)


class Server:
    """One gunicorn server running the suite's project on the suite's database."""

    def __init__(self, name, env, log_path):
        self.name = name
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind=127.0.0.1:0",  # a free port, chosen by the kernel
                "--workers=2",
                "--graceful-timeout=5",
                "--timeout=60",
                # gunicorn's default, whatever FORWARDED_ALLOW_IPS says in this environment.
                "--forwarded-allow-ips=127.0.0.1,::1",
                *NO_CONTROL_SOCKET,
                f"--chdir={ROOT}",
                "django.core.wsgi:get_wsgi_application()",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends its workers too
        )
        self.port = None

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited ({self.process.returncode}):\n{self.output()}")
            if self.port is None:
                for line in self.output().splitlines():
                    if "Listening at: http://127.0.0.1:" in line:
                        self.port = int(line.rsplit(":", 1)[1].split()[0])
            if self.port is not None:
                try:
                    # Not authenticated: a 401 shows a worker running the app.
                    if request(self, "GET", "/scim/v2/ServiceProviderConfig")[0] == 401:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        pytest.fail(f"{self.name} did not answer in {START_TIMEOUT} s:\n{self.output()}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def server_environment():
    """The servers' environment: this checkout first on the path, the running test's
    database (its connection settings, with the test database's name) in JSON."""
    database = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), (
            "Two servers cannot share an in-memory SQLite database: give the test "
            "database a file name (DATABASES['default']['TEST']['NAME'], as tests/settings.py)"
        )
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": "tests.settings_server",
        "DRF_SCIM_SERVER_SETTINGS": settings.SETTINGS_MODULE,
        "DRF_SCIM_SERVER_DATABASE": json.dumps(database, default=str),
    }


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    """Two gunicorn servers on the test database, stopped however the tests end."""
    env = server_environment()
    logs = tmp_path_factory.mktemp("servers")
    started = []
    try:
        for name in ("server A", "server B"):
            started.append(Server(name, env, logs / f"{name.replace(' ', '-')}.log"))
        for server in started:
            server.wait_until_ready()
        yield started
    finally:
        for server in started:
            server.stop()


def request(server, method, path, key=None, body=None, headers=None):
    """``(status, headers, JSON body or None)`` of one request, on its own connection."""
    sent = {"Content-Type": "application/scim+json", **(headers or {})}
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request(method, path, None if body is None else json.dumps(body), sent)
        response = conn.getresponse()
        content = response.read()
        received = {name.lower(): value for name, value in response.getheaders()}
    finally:
        conn.close()
    return response.status, received, json.loads(content) if content else None


def race(servers, key, calls):
    """Send ``calls`` (``(method, path, body, headers)``) at once, alternating between the
    servers, one thread and connection each; ``(status, headers, body)`` of each, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def send(index, method, path, body, headers):
        server = servers[index % len(servers)]
        barrier.wait(timeout=30)
        results[index] = request(server, method, path, key, body, headers)

    threads = [
        threading.Thread(target=send, args=(index, *call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert None not in results, [server.output() for server in servers]
    return results


def created(server, key, path, body):
    status, _, document = request(server, "POST", path, key, body)
    assert status == 201, document
    return document


def versions(results):
    """The versions the writes of :func:`race` answered (their ETags), in order."""
    return sorted(
        int(headers["etag"].removeprefix('W/"').removesuffix('"')) for _, headers, _ in results
    )


def patch_op(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


@pytest.fixture
def key(db):
    # Committed (transaction=True tests): the servers read it from the database.
    return SCIMToken.generate("scale-out test")[1]


pytestmark = pytest.mark.django_db(transaction=True)


def test_two_servers_serve_one_database_with_no_state_of_their_own(servers, key):
    """A resource written through one server is read through the other (RFC 7644 §3.4.1,
    with its ETag, §3.14), and a token revoked in the database is refused by both at once:
    neither server keeps a copy of resources or tokens."""
    server_a, server_b = servers
    user = created(server_a, key, USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"})

    status, headers, read = request(server_b, "GET", f"{USERS}/{user['id']}", key)
    assert status == 200, read
    # The same resource; only its URL names the server that answered (RFC 7644 §3.1).
    location = f"http://127.0.0.1:{server_b.port}{USERS}/{user['id']}"
    assert headers["location"] == read["meta"]["location"] == location
    assert read == {**user, "meta": {**user["meta"], "location": location}}
    assert headers["etag"] == user["meta"]["version"] == 'W/"1"'

    SCIMToken.objects.update(revoked=timezone.now())
    for server in servers:
        status, headers, error = request(server, "GET", f"{USERS}/{user['id']}", key)
        assert status == 401, error
        assert headers["www-authenticate"].startswith("Bearer")


def test_a_cursor_from_one_server_pages_on_the_other_rfc9865(servers, key):
    """A cursor (RFC 9865 §2) is signed with ``SECRET_KEY``, not remembered: the next page
    asked of the other server is the right one, when both share the key."""
    for index in range(5):
        created(servers[index % 2], key, USERS, {"schemas": [USER_SCHEMA], "userName": f"u{index}"})
    names = []
    path = f"{USERS}?count=2&sortBy=userName&cursor="
    for turn in range(3):
        status, _, page = request(servers[turn % 2], "GET", path, key)
        assert status == 200, page
        names += [user["userName"] for user in page["Resources"]]
        path = f"{USERS}?count=2&sortBy=userName&cursor={page.get('nextCursor', '')}"
    assert names == [f"u{index}" for index in range(5)]
    assert "nextCursor" not in page


def test_gunicorn_takes_the_scheme_from_a_local_proxy_but_not_the_host(servers, key):
    """What docs/deployment.md says of gunicorn: from an address in
    ``--forwarded-allow-ips`` (127.0.0.1 by default: a proxy on the same host), it takes
    ``X-Forwarded-Proto: https`` as the scheme of RFC 7644 §3.1 ``Location`` and
    ``meta.location``; it does nothing with ``X-Forwarded-Host``, which needs Django's
    ``USE_X_FORWARDED_HOST``."""
    server = servers[0]
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "scim.example.com"}
    body = {"schemas": [USER_SCHEMA], "userName": "proxied"}

    status, headers, user = request(server, "POST", USERS, key, body, proxied)

    assert status == 201, user
    expected = f"https://127.0.0.1:{server.port}{USERS}/{user['id']}"
    assert headers["location"] == user["meta"]["location"] == expected


def test_racing_patches_through_two_servers_lose_no_update_rfc7644_3_5_2(servers, key):
    """Eight PATCHes (RFC 7644 §3.5.2) each add an e-mail to one user, at once, through
    both servers: every one succeeds, every e-mail is kept, and the version went up once
    per write, each write seeing the one before it (§3.14)."""
    server_a, server_b = servers
    user = created(server_a, key, USERS, {"schemas": [USER_SCHEMA], "userName": "racer"})
    addresses = [f"racer{index}@example.com" for index in range(WRITERS)]
    calls = [
        (
            "PATCH",
            f"{USERS}/{user['id']}",
            patch_op({"op": "add", "path": "emails", "value": [{"value": address}]}),
            None,
        )
        for address in addresses
    ]

    results = race(servers, key, calls)

    assert [status for status, _, _ in results] == [200] * WRITERS, results
    assert versions(results) == list(range(2, WRITERS + 2))
    _, _, stored = request(server_b, "GET", f"{USERS}/{user['id']}", key)
    assert sorted(email["value"] for email in stored["emails"]) == addresses
    assert stored["meta"]["version"] == f'W/"{WRITERS + 1}"'


def test_racing_member_adds_through_two_servers_keep_every_member_rfc7644_3_5_2_1(servers, key):
    """Eight PATCHes each add a different member to one group, at once, through both
    servers (RFC 7644 §3.5.2.1): the group ends with all eight."""
    server_a, server_b = servers
    members = [
        created(
            servers[index % 2], key, USERS, {"schemas": [USER_SCHEMA], "userName": f"m{index}"}
        )["id"]
        for index in range(WRITERS)
    ]
    group = created(server_a, key, GROUPS, {"schemas": [GROUP_SCHEMA], "displayName": "Racers"})
    calls = [
        (
            "PATCH",
            f"{GROUPS}/{group['id']}",
            patch_op({"op": "add", "path": "members", "value": [{"value": member}]}),
            None,
        )
        for member in members
    ]

    results = race(servers, key, calls)

    # A PATCH of a group answers 204 (drf-scim's default: no member list to send back).
    assert [status for status, _, _ in results] == [204] * WRITERS, results
    assert versions(results) == list(range(2, WRITERS + 2))
    _, _, stored = request(server_b, "GET", f"{GROUPS}/{group['id']}", key)
    assert sorted(member["value"] for member in stored["members"]) == sorted(members)
    assert stored["meta"]["version"] == f'W/"{WRITERS + 1}"'


def test_racing_if_match_patches_through_two_servers_let_one_win_rfc7644_3_14(servers, key):
    """Eight PATCHes with the same ``If-Match`` (RFC 7644 §3.14), at once, through both
    servers: exactly one succeeds, the other seven get 412 with a SCIM error (§3.12), and
    the stored title is the winner's."""
    server_a, _ = servers
    user = created(server_a, key, USERS, {"schemas": [USER_SCHEMA], "userName": "matcher"})
    version = user["meta"]["version"]
    calls = [
        (
            "PATCH",
            f"{USERS}/{user['id']}",
            patch_op({"op": "replace", "path": "title", "value": f"Title {index}"}),
            {"If-Match": version},
        )
        for index in range(WRITERS)
    ]

    results = race(servers, key, calls)

    statuses = [status for status, _, _ in results]
    assert sorted(statuses) == [200] + [412] * (WRITERS - 1), results
    winner = results[statuses.index(200)][2]
    for status, _, body in results:
        if status == 412:
            assert body["schemas"] == [ERROR_SCHEMA]
            assert body["status"] == "412"
    _, _, stored = request(servers[1], "GET", f"{USERS}/{user['id']}", key)
    assert stored["title"] == winner["title"]
    assert stored["meta"]["version"] == winner["meta"]["version"] == 'W/"2"'


def test_racing_creates_of_one_username_through_two_servers_make_one_user_rfc7643_4_1_1(
    servers, key
):
    """Eight POSTs of one userName in different cases (unique ignoring case, RFC 7643
    §4.1.1), at once, through both servers: one 201, seven 409 ``uniqueness`` (RFC 7644
    §3.3), and one user in the database."""
    names = ["racer", "RACER", "Racer", "rAcEr"] * (WRITERS // 4)
    calls = [("POST", USERS, {"schemas": [USER_SCHEMA], "userName": name}, None) for name in names]

    results = race(servers, key, calls)

    assert sorted(status for status, _, _ in results) == [201] + [409] * (WRITERS - 1), results
    for status, _, body in results:
        if status == 409:
            assert (body["schemas"], body["scimType"]) == ([ERROR_SCHEMA], "uniqueness")
    assert get_user_model().objects.count() == 1
    _, _, found = request(servers[1], "GET", f"{USERS}?filter=userName%20eq%20%22RACER%22", key)
    assert found["totalResults"] == 1
