"""Settings for the benchmarks: the test suite's settings with a persistent database.

``DATABASE_URL`` picks the server exactly as for the test suite (SQLite when unset), but the
database name is always the benchmark's own, so that the users created by a first run are
reused by the next ones:

* SQLite: the file ``bench/.data/bench.sqlite3`` (ignored by git);
* PostgreSQL and MariaDB: the database ``drf_scim_bench`` on the server the URL names.
"""

from __future__ import annotations

from pathlib import Path

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES as _TEST_DATABASES

BENCH_DIR = Path(__file__).resolve().parent
BENCH_DATA_DIR = BENCH_DIR / ".data"
BENCH_DATABASE_NAME = "drf_scim_bench"

ROOT_URLCONF = "bench.urls"

_default = dict(_TEST_DATABASES["default"])
_default.pop("TEST", None)  # the benchmark never creates a test database
if _default["ENGINE"] == "django.db.backends.sqlite3":
    _default["NAME"] = str(BENCH_DATA_DIR / "bench.sqlite3")
else:
    _default["NAME"] = BENCH_DATABASE_NAME
DATABASES = {"default": _default}

DRF_SCIM = {
    # The token's ``last_used`` is written at most once an hour, so that no timed request
    # pays for that UPDATE (in production it is once a minute, amortised over all requests).
    "TOKEN_LAST_USED_RESOLUTION": 3600,
}
