"""The example project's settings, made production-like for the HTTP benchmark.

``DEBUG`` off, persistent connections (``CONN_MAX_AGE`` 600), SQLite in WAL mode. The
database is ``DATABASE_URL``'s (the harness always sets it: ``bench/.data/http.sqlite3`` or
the database ``drf_scim_bench_http``). django-scim2 is configured the way its README asks
(``SCIM_SERVICE_PROVIDER``), with the adapters of bench/project/scim2.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "example"))

from example_project.settings import *  # noqa: E402, F403
from example_project.settings import INSTALLED_APPS, MIDDLEWARE  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.project.urls"
WSGI_APPLICATION = "bench.project.wsgi.application"

INSTALLED_APPS = [*INSTALLED_APPS, "bench.project.apps.BenchConfig"]
MIDDLEWARE = [
    "bench.project.middleware.QueryCountMiddleware",
    *MIDDLEWARE,
    "bench.project.middleware.BearerTokenMiddleware",
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / '.data' / 'http.sqlite3'}"),
        conn_max_age=600,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # As docs/installation.md advises, plus WAL: readers never wait for the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Nothing is logged per request: gunicorn's access log is off too.
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

SCIM_SERVICE_PROVIDER = {
    "NETLOC": "127.0.0.1",
    "SCHEME": "http",
    "AUTHENTICATION_SCHEMES": [
        {"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": True}
    ],
    "USER_ADAPTER": "bench.project.scim2.BenchSCIMUser",
    "GROUP_ADAPTER": "bench.project.scim2.BenchSCIMGroup",
    "USER_FILTER_PARSER": "bench.project.scim2_filters.BenchUserFilterQuery",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="django-scim2"',
}
