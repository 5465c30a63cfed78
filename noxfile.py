"""Sessions for developing drf-scim: ``python3 -m pip install nox && python3 -m nox``.

``nox`` alone runs what CI runs: ``lint``, ``typecheck``, ``tests`` (the whole suite on
SQLite, PostgreSQL and MariaDB; the schemathesis run of tests/test_schemathesis.py on
SQLite only), ``conformance`` (python-scim's scim2-tester against the example project)
and ``docs`` (the documentation, built strictly).
``nox -s example`` starts the example SCIM server;
``nox -s matrix`` runs the suite on every supported Django x Python pair; ``nox -s bench``
times drf-scim against a hand-written floor and django-scim2 (docs/benchmarks.md).
``nox -l`` lists every session.

Choosing databases for ``tests`` and ``matrix``: ``nox -s tests -- --db sqlite`` (repeat
``--db`` or separate names with commas), or ``DRF_SCIM_TEST_DATABASES=sqlite,postgres``.
Everything else after ``--`` goes to pytest: ``nox -s tests -- --db sqlite -k pagination``.
The server URLs can be changed with ``DRF_SCIM_TEST_POSTGRES_URL`` and
``DRF_SCIM_TEST_MARIADB_URL``. A server that does not answer is skipped with a warning, or
fails the session when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import nox
from nox.command import CommandFailed

nox.options.sessions = ["lint", "typecheck", "tests", "conformance", "docs"]
nox.options.reuse_existing_virtualenvs = True

# What the tests and the example install beyond drf-scim, each listed once, in files a
# reader can also use without nox (README.md, docs/quickstart.md).
TEST_DEPS = ("-r", "tests/requirements.txt")
EXAMPLE_DEPS = ("-r", "example/requirements.txt")

# Run once, on SQLite: they test the schema against the views, not the database, and take
# a minute or two each: run_suite deselects them on the other databases.
SQLITE_ONLY_TESTS = ("tests/test_schemathesis.py",)

# Name → DATABASE_URL; ``None`` leaves it unset: tests/settings.py's SQLite default.
DATABASES: dict[str, str | None] = {
    "sqlite": None,
    "postgres": os.environ.get(
        "DRF_SCIM_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/drf_scim"
    ),
    "mariadb": os.environ.get("DRF_SCIM_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/drf_scim"),
}
DATABASE_ALIASES = {"postgresql": "postgres", "pg": "postgres", "mysql": "mariadb"}
DATABASES_ENV = "DRF_SCIM_TEST_DATABASES"
SETTINGS_MODULES = ("tests.settings", "tests.settings_custom_user")

# Django release → the Pythons among 3.10 to 3.13 it supports (Django 6.x needs 3.12+).
DJANGO_PYTHONS = {
    "5.2": ("3.10", "3.11", "3.12", "3.13"),
    "6.0": ("3.12", "3.13"),
    "6.1": ("3.12", "3.13"),
}
MATRIX = [
    nox.param(python, django, id=f"django{django}-py{python}")
    for django, pythons in DJANGO_PYTHONS.items()
    for python in pythons
]

# What the ``python -c`` probe prints: the database the settings picked from DATABASE_URL.
ENGINE_PROBE = (
    "import sys, django; from django.conf import settings; db = settings.DATABASES['default']; "
    "print(db['ENGINE'], db.get('HOST') or '', db.get('NAME') or '', '|', "
    "settings.SETTINGS_MODULE, '| Django', django.get_version(), "
    "'| Python', sys.version.split()[0])"
)

EXAMPLE_PORT_ENV = "DRF_SCIM_EXAMPLE_PORT"
EXAMPLE_USER = (
    '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], '
    '"userName": "bjensen@example.com", '
    '"name": {"givenName": "Barbara", "familyName": "Jensen"}, '
    '"emails": [{"value": "bjensen@example.com", "primary": true}]}'
)


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def split_db_args(session: nox.Session, default: str) -> tuple[list[str], list[str]]:
    """The databases chosen by ``--db``, else the environment, else ``default``.

    Returns them with the rest of the posargs, which are for pytest.
    """
    chosen: list[str] = []
    rest: list[str] = []
    args = iter(session.posargs)
    for arg in args:
        if arg == "--db":
            value = next(args, None)
            if value is None:
                session.error("--db needs a value: sqlite, postgres or mariadb.")
            chosen.append(value)
        elif arg.startswith("--db="):
            chosen.append(arg.partition("=")[2])
        else:
            rest.append(arg)
    return database_names(session, chosen or [os.environ.get(DATABASES_ENV) or default]), rest


def database_names(session: nox.Session, values: Iterable[str]) -> list[str]:
    """``["sqlite,pg", "mysql"]`` → ``["sqlite", "postgres", "mariadb"]``."""
    names: list[str] = []
    for value in values:
        for raw in filter(None, (part.strip().lower() for part in value.split(","))):
            name = DATABASE_ALIASES.get(raw, raw)
            if name not in DATABASES:
                session.error(f"Unknown database {raw!r}: choose from {', '.join(DATABASES)}")
            if name not in names:
                names.append(name)
    return names


def reachable(url: str, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the server named in ``url`` opens within ``timeout``."""
    parts = urlsplit(url)
    default_port = 5432 if parts.scheme.startswith("postgres") else 3306
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=timeout
        ):
            return True
    except OSError:
        return False


def redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def usable_databases(session: nox.Session, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split ``names`` into the databases to run on and the unreachable ones to skip.

    In CI an unreachable server is an error: a green run must mean every database passed.
    """
    usable: list[str] = []
    skipped: list[str] = []
    for name in names:
        url = DATABASES[name]
        if url is None or reachable(url):
            usable.append(name)
            continue
        message = f"{name}: no server answers at {redact(url)}."
        if in_ci():
            session.error(
                f"{message} CI is set, so every database must be reachable; start the server "
                f"(.ci/run does) or choose databases with --db / {DATABASES_ENV}."
            )
        session.warn(f"SKIPPED {message} Start it to test on {name}; going on without it.")
        skipped.append(name)
    return usable, skipped


def settings_modules(session: nox.Session) -> list[str]:
    """The Django settings the suite runs under, one pytest run each.

    ``AUTH_USER_MODEL`` cannot change within a process, so the custom-user-model tests
    (marked ``custom_user_model``, selected in tests/conftest.py) need a run of their own.
    """
    modules = []
    for module in SETTINGS_MODULES:
        if Path(*module.split(".")).with_suffix(".py").exists():
            modules.append(module)
        else:
            session.log(f"No {module}: its run is left out.")
    return modules


def browser_args(session: nox.Session) -> list[str]:
    """Leave the Swagger UI test out where there is no Chromium, except in CI.

    Like an unreachable database: a laptop with only Python is warned, CI (which installs
    Chromium in .ci/run) fails.
    """
    if shutil.which(os.environ.get("DRF_SCIM_CHROMIUM", "chromium")) or in_ci():
        return []
    session.warn("Chromium not found: tests/test_swagger_ui.py is left out (CI runs it).")
    return ["--deselect", "tests/test_swagger_ui.py"]


def run_suite(session: nox.Session, default: str, *install: str) -> None:
    """Install ``install``, run the whole suite once per chosen database and settings, then
    report each result. The choice and the servers are checked first, so mistakes fail fast.
    """
    names, pytest_args = split_db_args(session, default)
    usable, skipped = usable_databases(session, names)
    pytest_args += browser_args(session)
    session.install(*install)
    # With a -k or a path from the command line, one of the runs may well select nothing.
    success_codes = [0, 5] if pytest_args else [0]
    modules = settings_modules(session)
    results: list[tuple[str, bool]] = []
    for name in usable:
        url = DATABASES[name]
        shown = "SQLite, tests/settings.py's default (DATABASE_URL unset)"
        for module in modules:
            # None removes a DATABASE_URL inherited from the shell.
            env = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": module}
            label = f"{name} with {module}"
            session.log(f"=== Test suite on {label}: {shown if url is None else redact(url)}")
            engine = session.run("python", "-c", ENGINE_PROBE, env=env, silent=True, log=False)
            session.log(f"=== Django's database for this run: {str(engine).strip()}")
            once = [] if url is None else [f"--deselect={test}" for test in SQLITE_ONLY_TESTS]
            try:
                session.run(
                    "python",
                    "-m",
                    "pytest",
                    f"--ds={module}",
                    *pytest_args,
                    *once,
                    env=env,
                    success_codes=success_codes,
                )
            except CommandFailed:
                results.append((label, False))
            else:
                results.append((label, True))
    for label, passed in results:
        session.log(f"{label}: {'passed' if passed else 'FAILED'}")
    for name in skipped:
        session.warn(f"{name}: SKIPPED, the server was unreachable")
    if not usable:
        session.error("No database was reachable: no test ran.")
    failed = [label for label, passed in results if not passed]
    if failed:
        session.error(f"The suite failed on: {'; '.join(failed)}.")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite on SQLite, PostgreSQL and MariaDB, with the newest Django."""
    run_suite(session, ",".join(DATABASES), "-e", ".", *TEST_DEPS)


@nox.session(default=False, tags=["matrix"])
@nox.parametrize(("python", "django"), MATRIX)
def matrix(session: nox.Session, django: str) -> None:
    """The suite on one Django release x Python (SQLite unless ``--db`` says otherwise)."""
    run_suite(session, "sqlite", "-e", ".", f"Django~={django}.0", *TEST_DEPS)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff's checks on everything, and its formatter's check on the Python sources."""
    # Ruff's minor releases add rules to the selected families; move the pin deliberately.
    session.install("ruff~=0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", "drf_scim", "tests", "example", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Mypy, strict, with the Django and DRF plugins (configured in pyproject.toml)."""
    session.install("-e", ".", "mypy", "django-stubs", "djangorestframework-stubs", *TEST_DEPS)
    session.run("mypy", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation with ``mkdocs --strict``: broken links and anchors fail."""
    # mkdocs.yml's `validation: anchors` needs 1.6; a 2.x may change the configuration.
    # mkdocstrings renders docs/api-guide/reference.md from the docstrings; its 1.x
    # releases (and mkdocstrings-python's 2.x, griffe's extension API) are what it is
    # configured for: move the pin deliberately.
    session.install("mkdocs>=1.6,<2", "mkdocstrings[python]>=1.0,<2", "mkdocstrings-python>=2.0,<3")
    session.run("mkdocs", "build", "--strict", "--site-dir", session.create_tmp() + "/site")


def example_port(session: nox.Session) -> str:
    port = session.posargs[0] if session.posargs else os.environ.get(EXAMPLE_PORT_ENV, "8000")
    if not port.isdigit():
        session.error(f"The port must be a number, not {port!r}: nox -s example -- 8001")
    return port


def example_install(session: nox.Session) -> None:
    session.install("-e", ".", *EXAMPLE_DEPS)
    scheme = urlsplit(os.environ.get("DATABASE_URL", "")).scheme
    if scheme.startswith("postgres"):
        session.install("psycopg[binary]")
    elif scheme.startswith("mysql"):
        session.install("PyMySQL")


def example_token(session: nox.Session) -> str:
    output = str(
        session.run("python", "example/manage.py", "create_scim_token", "quickstart", silent=True)
    )
    match = re.search(r"^(scim_\S+)\s*$", output, re.MULTILINE)
    if match is None:
        session.error(f"create_scim_token printed no token:\n{output}")
    return match.group(1)


@nox.session
def example(session: nox.Session) -> None:
    """Start the example SCIM server: ``nox -s example`` (port: ``-- 8001``)."""
    port = example_port(session)
    example_install(session)
    session.run("python", "example/manage.py", "migrate", "--verbosity", "0")
    token = example_token(session)
    base = f"http://127.0.0.1:{port}"
    auth = f'-H "Authorization: Bearer {token}"'
    print(
        "\n"
        f"Your SCIM bearer token: {token}\n"
        "(Shown once: only its SHA-256 digest is stored. Each run creates a new one.)\n\n"
        f"SCIM base URL: {base}/scim/v2/\n"
        f"OpenAPI docs:  {base}/api/docs/\n\n"
        "Try it from another terminal:\n\n"
        f"curl {auth} {base}/scim/v2/ServiceProviderConfig\n\n"
        f"curl -X POST {auth} -H 'Content-Type: application/scim+json' "
        f"-d '{EXAMPLE_USER}' {base}/scim/v2/Users\n",
        flush=True,
    )
    session.run("python", "example/manage.py", "runserver", f"127.0.0.1:{port}", external=False)


SMOKE_CHECK = """
import json
from django.test import Client
from drf_scim.models import SCIMToken

_, key = SCIMToken.generate("smoke test")
client = Client(HTTP_HOST="127.0.0.1")
url = "/scim/v2/ServiceProviderConfig"
anonymous = client.get(url)
assert anonymous.status_code == 401, anonymous.status_code
assert anonymous["WWW-Authenticate"].startswith("Bearer"), anonymous.headers
response = client.get(url, headers={"Authorization": f"Bearer {key}"})
assert response.status_code == 200, response.content
print("ServiceProviderConfig:", json.loads(response.content)["schemas"])
schema = client.get("/api/schema/")
assert schema.status_code == 200, schema.status_code
print("OpenAPI schema: 200")
"""


# scim2-tester's checks change with its releases, and scim2-client's engines with theirs:
# move the pins deliberately, and docs/conformance.md with them.
CONFORMANCE_DEPS = ("scim2-tester>=0.5.2,<0.6", "scim2-client>=0.13,<0.14")


@nox.session
def conformance(session: nox.Session) -> None:
    """scim2-tester against the example project, on a throwaway SQLite database.

    Fails on any failure not accepted in example/conformance.py (docs/conformance.md).
    """
    example_install(session)
    session.install(*CONFORMANCE_DEPS)
    database = session.create_tmp() + "/conformance.sqlite3"
    if os.path.exists(database):
        os.remove(database)
    session.run("python", "example/conformance.py", env={"DATABASE_URL": f"sqlite:///{database}"})


@nox.session(default=False)
def example_smoke(session: nox.Session) -> None:
    """Check the example project end to end, on a throwaway SQLite database."""
    example_install(session)
    database = session.create_tmp() + "/smoke.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    session.run("python", "example/manage.py", "check", env=env)
    session.run("python", "example/manage.py", "migrate", "--verbosity", "0", env=env)
    session.log("python example/manage.py shell -c SMOKE_CHECK")
    session.run("python", "example/manage.py", "shell", "-c", SMOKE_CHECK, env=env, log=False)
    # Every IdP's flow against the example's configuration, rolled back (docs/selftest.md).
    session.run("python", "example/manage.py", "scim_selftest", "--failures-only", env=env)


# The benchmark's own tools: never installed into the test or example environments.
BENCH_DEPS = (
    *EXAMPLE_DEPS,  # bench/project/ serves the example's settings
    "psycopg[binary]",
    # bench/groups.py, filters.py, patch.py and cursor.py take --db mariadb.
    "PyMySQL",
    "gunicorn",
    # The other SCIM implementation measured side by side (bench/project/scim2.py).
    "django-scim2==0.23.0",
    "matplotlib",
)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """drf-scim, a hand-written floor and django-scim2 under gunicorn, side by side.

    ``nox -s bench`` (SQLite and PostgreSQL, 1,000 and 10,000 users, groups of 100 and
    1,000); ``nox -s bench -- --help`` for the options. See docs/benchmarks.md.
    """
    session.install("-e", ".", *BENCH_DEPS)
    session.run("python", "bench/harness.py", *session.posargs)
