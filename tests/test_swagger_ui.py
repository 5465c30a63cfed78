"""Swagger UI in a real browser: it lists the SCIM operations, authorizes with a bearer
token and runs requests against a live server: "Try it out" with the examples the schema
gives succeeds for every SCIM operation.

The browser resolves no host name but 127.0.0.1, so Swagger UI must come from
drf-spectacular-sidecar's files served by the site itself, not from a CDN; the example
project's page is checked to reference only its own static files.

Drives headless Chromium through the DevTools protocol over ``--remote-debugging-pipe``
(no port, no extra package). Chromium must be installed (Debian: ``apt-get install
chromium``; ``.ci/run`` installs it): without it this test fails, it is not skipped.
``DRF_SCIM_CHROMIUM`` names another binary.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test import override_settings
from django.test.testcases import LiveServerThread
from drf_spectacular.settings import patched_settings

from tests.conftest import python_json
from tests.test_openapi import EXAMPLE_RUN, ROOT, run_example_step

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--remote-debugging-pipe",
    # Offline: every host name but the live server's fails to resolve (no CDN).
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)
TIMEOUT = 15.0


def chromium_binary():
    candidates = [os.environ.get("DRF_SCIM_CHROMIUM"), "chromium", "chromium-browser"]
    for candidate in filter(None, candidates):
        found = shutil.which(candidate)
        if found:
            return found
    pytest.fail(
        "Chromium is not installed, so Swagger UI cannot be tested. Install it "
        "(Debian: apt-get install chromium; .ci/run does) or set DRF_SCIM_CHROMIUM."
    )


class DevTools:
    """A minimal Chrome DevTools Protocol client over the browser's debugging pipe.

    Chromium reads commands from its fd 3 and writes answers to its fd 4, each a JSON
    message ended by a NUL byte. Events are read and dropped.
    """

    def __init__(self, binary, user_data_dir):
        to_browser_r, self.writer = os.pipe()
        self.reader, from_browser_w = os.pipe()
        # bash moves our pipe ends to the fds 3 and 4 the browser expects.
        script = f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w}'
        argv = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        bash = shutil.which("bash") or "/bin/bash"
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [bash, "-c", script, "bash", *argv],
            pass_fds=(to_browser_r, from_browser_w),
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.last_id = 0
        self.session = None

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.reader)
        os.close(self.writer)
        self.log.close()

    def browser_log(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def _message(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.reader], [], [], remaining)
            if ready:
                chunk = os.read(self.reader, 1 << 16)
                if not chunk:
                    raise EOFError(f"Chromium exited:\n{self.browser_log()}")
                self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method, params=None, *, browser=False):
        self.last_id += 1
        command = {"id": self.last_id, "method": method, "params": params or {}}
        if not browser and self.session is not None:
            command["sessionId"] = self.session
        os.write(self.writer, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._message(deadline)
            if message.get("id") == self.last_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def open_page(self, url):
        target = self.send("Target.createTarget", {"url": "about:blank"}, browser=True)
        attached = self.send(
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            browser=True,
        )
        self.session = attached["sessionId"]
        self.send("Page.navigate", {"url": url})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}\n{result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"Timed out waiting for {what}: {expression}")


@pytest.fixture
def browser(tmp_path):
    devtools = DevTools(chromium_binary(), tmp_path / "chromium-profile")
    try:
        yield devtools
    finally:
        devtools.close()


@contextmanager
def live_server_thread():
    """A live server on 127.0.0.1 for the current URLconf.

    pytest-django's ``live_server`` wraps the site in Django's static files handler,
    which fails on every request when ``STATIC_URL`` is unset, as in tests/settings.py;
    this thread serves the site alone, Swagger UI's files included (tests/urls_swagger.py).
    """
    in_memory = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in in_memory.values():
        conn.inc_thread_sharing()
    thread = LiveServerThread("127.0.0.1", lambda app: app, connections_override=in_memory)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in in_memory.values():
            conn.dec_thread_sharing()


@pytest.fixture
def swagger_site(transactional_db):
    with (
        override_settings(ROOT_URLCONF="tests.urls_swagger", STATIC_URL="/static/"),
        patched_settings({"SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR"}),
        live_server_thread() as url,
    ):
        yield url


def set_input(selector, value):
    """JavaScript that types ``value`` into a React-controlled input."""
    return f"""(() => {{
        const input = document.querySelector({json.dumps(selector)});
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
        setter.call(input, {json.dumps(value)});
        input.dispatchEvent(new Event("input", {{bubbles: true}}));
        return input.value;
    }})()"""


def click(selector):
    return f"document.querySelector({json.dumps(selector)}).click() ?? true"


OPERATION = "#operations-Discovery-getServiceProviderConfig"


def open_swagger_ui(browser, site):
    """Open /api/docs/ and wait for the operations; assert it loaded from ``site`` alone."""
    browser.open_page(f"{site}/api/docs/")
    paths = browser.wait_for(
        "[...document.querySelectorAll('.opblock-summary-path')].map(e => e.dataset.path)"
        ".filter(Boolean).length && [...document.querySelectorAll('.opblock-summary-path')]"
        ".map(e => e.dataset.path)",
        "Swagger UI to list the operations",
    )
    loaded = browser.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"
    )
    assert [url for url in loaded if not url.startswith(f"{site}/")] == []
    assert any("/static/drf_spectacular_sidecar/swagger-ui-dist/" in url for url in loaded)
    return paths


def authorize(browser, key):
    """Authorize with the bearer token: the dialog offers that scheme and no other."""
    browser.evaluate(click(".auth-wrapper .authorize"))
    browser.wait_for("!!document.querySelector('.modal-ux input')", "the auth dialog")
    schemes = browser.evaluate(
        "[...document.querySelectorAll('.modal-ux .auth-container h4')]"
        ".map(e => e.textContent.trim())"
    )
    assert len(schemes) == 1, schemes
    assert schemes[0].startswith("SCIMBearerToken"), schemes
    assert browser.evaluate(set_input(".modal-ux input", key)) == key
    browser.evaluate(click(".modal-ux .auth-btn-wrapper button[type=submit]"))
    authorized = browser.wait_for(
        "ui.authSelectors.authorized().toJS().SCIMBearerToken", "the token to be accepted"
    )
    assert authorized["value"] == key
    browser.evaluate(click(".modal-ux .close-modal"))


def execute(browser, operation):
    """Open ``operation`` (a CSS selector), Try it out, Execute: (status, body, curl)."""
    browser.evaluate(click(f"{operation} .opblock-summary-control"))
    browser.wait_for(f"!!document.querySelector('{operation} .try-out__btn')", "Try it out")
    browser.evaluate(click(f"{operation} .try-out__btn"))
    browser.wait_for(f"!!document.querySelector('{operation} .execute')", "Execute")
    browser.evaluate(click(f"{operation} .execute"))
    status = browser.wait_for(
        f"document.querySelector('{operation} .live-responses-table tbody "
        ".response-col_status')?.textContent.trim()",
        f"the response of {operation}",
    )
    body = browser.evaluate(
        f"document.querySelector('{operation} .live-responses-table .microlight')?.textContent"
    )
    curl = browser.evaluate(f"document.querySelector('{operation} .curl-command')?.textContent")
    browser.evaluate(click(f"{operation} .opblock-summary-control"))  # close it again
    return status, body, curl


def test_swagger_ui_authorizes_and_runs_a_scim_request(swagger_site, browser, token):
    # The schema loaded offline, without resolver errors, and lists the SCIM operations.
    paths = open_swagger_ui(browser, swagger_site)
    assert {"/scim/v2/Users", "/scim/v2/Users/{id}", "/scim/v2/Groups/.search"} <= set(paths)
    assert browser.evaluate("ui.errSelectors.allErrors().toJS()") == []
    schemes = browser.evaluate(
        "ui.specSelectors.specJson().getIn(['components', 'securitySchemes']).toJS()"
    )
    assert list(schemes) == ["SCIMBearerToken"]
    assert schemes["SCIMBearerToken"]["scheme"] == "bearer"

    # The Authorize button takes the bearer token.
    authorize(browser, token.key)

    # GET /ServiceProviderConfig, run from the UI, answers 200 with the token.
    status, body, curl = execute(browser, OPERATION)
    assert status == "200", body
    assert f"Authorization: Bearer {token.key}" in curl
    assert json.loads(body)["schemas"] == [
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    ]


def test_try_it_out_with_the_examples_succeeds_for_every_operation(swagger_site, browser, token):
    """Every SCIM operation, run from Swagger UI with the example it starts with (path
    parameter and body, RFC 7643 §8's documents), succeeds, in the order of
    tests/test_openapi.py's EXAMPLE_RUN: the examples' ids are given to the resources the
    POSTs create, and the token is bound to a user for /Me (RFC 7644 §3.11)."""
    open_swagger_ui(browser, swagger_site)
    authorize(browser, token.key)
    spec = browser.evaluate("ui.specSelectors.specJson().toJS()")
    created_id = None
    ran = []
    for step in EXAMPLE_RUN:
        if isinstance(step, str):
            run_example_step(step, created_id, token)
            continue
        route, method = step
        documented = spec["paths"][route][method]
        operation = f"#operations-{documented['tags'][0]}-{documented['operationId']}"
        status, body, _ = execute(browser, operation)
        assert status.startswith("2"), (step, status, body)
        if status == "201":
            created_id = json.loads(body)["id"]
        ran.append(documented["operationId"])
    assert len(ran) == len(set(ran)) == sum(len(methods) for methods in spec["paths"].values())


#: Run in the example project: its /api/docs/ page, and where its static files finders
#: find each file the page names.
DOCS_PAGE = """
import json, re
from django.contrib.staticfiles import finders
from django.test import Client

response = Client(HTTP_HOST="127.0.0.1").get("/api/docs/")
assert response.status_code == 200, response.status_code
page = response.content.decode()
assets = re.findall(r'(?:src|href)="([^"]+)"', page)
found = {asset: finders.find(asset.removeprefix("/static/")) for asset in assets}
print(json.dumps({"page": page, "found": found}))
"""


def test_the_example_serves_swagger_ui_from_its_own_static_files():
    """The example project's /api/docs/ names no CDN: its scripts, styles and icon are
    drf-spectacular-sidecar's static files, which the project serves itself."""
    served = python_json(
        [str(ROOT / "example" / "manage.py"), "shell", "-c", DOCS_PAGE],
        "example_project.settings",
        DATABASE_URL="sqlite://:memory:",
    )
    assert "://" not in served["page"]  # no absolute URL: nothing from another host
    found = served["found"]
    assert len(found) == 4, found  # the icon, the stylesheet and two scripts
    for asset, location in found.items():
        assert asset.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/"), asset
        assert location is not None, asset
        assert "drf_spectacular_sidecar" in location, asset
