"""Concurrent writes: uniqueness is enforced by the database, not by check-then-insert."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from drf_scim.constants import USER_SCHEMA

from .conftest import send_concurrently


@pytest.mark.django_db(transaction=True)
def test_racing_creates_of_one_username_give_one_201_and_409s_rfc7643_4_1_1(token):
    """userName is unique ignoring case (RFC 7643 §4.1.1) even when requests race."""
    bodies = [
        {"schemas": [USER_SCHEMA], "userName": name}
        for name in ("racer", "RACER", "Racer", "racer")
    ]
    statuses = send_concurrently(token.key, "post", "/scim/v2/Users", bodies)
    assert sorted(statuses) == [201, 409, 409, 409]
    assert User.objects.count() == 1


# -- the example project on SQLite ---------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "example"


def test_example_on_sqlite_holds_8_concurrent_writers_without_errors(tmp_path):
    """The example's SQLite settings (docs/installation.md, "SQLite") make concurrent
    writes wait for the write lock: 8 writers, each creating users (RFC 7644 §3.3) and
    patching them (§3.5.2), all succeed. With SQLite's defaults, most failed with
    "database is locked". Runs the example's own settings in a subprocess, on a fresh
    file, whatever database the suite uses; in-process requests, no network."""
    writers, rounds = 8, 5
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            str(Path(__file__).with_name("sqlite_writers.py")),
            str(EXAMPLE),
            str(tmp_path / "example.sqlite3"),
            str(writers),
            str(rounds),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
        cwd=EXAMPLE.parent,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert Path(report["drf_scim"]).is_relative_to(EXAMPLE.parent)  # this checkout's
    assert report["options"]["transaction_mode"] == "IMMEDIATE"
    assert report["options"]["timeout"] >= 5
    outcomes = Counter(map(str, report["outcomes"]))
    assert outcomes == {"201": writers * rounds, "200": writers * rounds}
