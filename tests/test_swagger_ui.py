"""Swagger UI in a real browser: it lists the SCIM operations, authorizes with a bearer
token and runs a request against a live server.

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


def test_swagger_ui_authorizes_and_runs_a_scim_request(swagger_site, browser, token):
    browser.open_page(f"{swagger_site}/api/docs/")

    # The schema loaded, without resolver errors, and lists the SCIM operations.
    paths = browser.wait_for(
        "[...document.querySelectorAll('.opblock-summary-path')].map(e => e.dataset.path)"
        ".filter(Boolean).length && [...document.querySelectorAll('.opblock-summary-path')]"
        ".map(e => e.dataset.path)",
        "Swagger UI to list the operations",
    )
    assert {"/scim/v2/Users", "/scim/v2/Users/{id}", "/scim/v2/Groups/.search"} <= set(paths)
    assert browser.evaluate("ui.errSelectors.allErrors().toJS()") == []
    scheme = browser.evaluate(
        "ui.specSelectors.specJson().getIn(['components', 'securitySchemes', "
        "'SCIMBearerToken']).toJS()"
    )
    assert scheme["scheme"] == "bearer"

    # The Authorize button takes the bearer token.
    browser.evaluate(click(".auth-wrapper .authorize"))
    browser.wait_for("!!document.querySelector('.modal-ux input')", "the auth dialog")
    assert browser.evaluate(set_input(".modal-ux input", token.key)) == token.key
    browser.evaluate(click(".modal-ux .auth-btn-wrapper button[type=submit]"))
    authorized = browser.wait_for(
        "ui.authSelectors.authorized().toJS().SCIMBearerToken", "the token to be accepted"
    )
    assert authorized["value"] == token.key
    browser.evaluate(click(".modal-ux .close-modal"))

    # GET /ServiceProviderConfig, run from the UI, answers 200 with the token.
    browser.evaluate(click(f"{OPERATION} .opblock-summary-control"))
    browser.wait_for(f"!!document.querySelector('{OPERATION} .try-out__btn')", "Try it out")
    browser.evaluate(click(f"{OPERATION} .try-out__btn"))
    browser.wait_for(f"!!document.querySelector('{OPERATION} .execute')", "Execute")
    browser.evaluate(click(f"{OPERATION} .execute"))
    status = browser.wait_for(
        f"document.querySelector('{OPERATION} .live-responses-table tbody .response-col_status')"
        "?.textContent.trim()",
        "the response",
    )
    body = browser.evaluate(
        f"document.querySelector('{OPERATION} .live-responses-table .microlight')?.textContent"
    )
    curl = browser.evaluate(f"document.querySelector('{OPERATION} .curl-command')?.textContent")
    assert status == "200", body
    assert f"Authorization: Bearer {token.key}" in curl
    assert json.loads(body)["schemas"] == [
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    ]
