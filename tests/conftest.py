from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from drf_scim.constants import ERROR_SCHEMA
from drf_scim.models import SCIMToken

SAMPLES = Path(__file__).parent / "samples"
SCIM_JSON = "application/scim+json"


def load_sample(name: str) -> dict:
    """An RFC example, by file name (``samples/rfc7643-8.2-user-full.json``)."""
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def sample():
    return load_sample


@pytest.fixture
def token(db):
    token, key = SCIMToken.generate("test IdP")
    token.key = key
    return token


class SCIMClient(APIClient):
    """An APIClient that sends ``application/scim+json`` bodies."""

    def _scim(self, method, path, data=None, content_type=SCIM_JSON, **extra):
        body = data if isinstance(data, (str, bytes)) or data is None else json.dumps(data)
        return getattr(super(), method)(path, body, content_type=content_type, **extra)

    def post(self, path, data=None, **extra):
        return self._scim("post", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._scim("put", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._scim("patch", path, data, **extra)


def send_concurrently(token_key, method, url, bodies):
    """Send ``bodies`` to ``url`` at once, one thread and connection each
    (``django_db(transaction=True)`` tests); the status codes, in order."""
    barrier = threading.Barrier(len(bodies))
    statuses = [None] * len(bodies)

    def worker(index, body):
        client = SCIMClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_key}")
        try:
            barrier.wait(timeout=10)
            statuses[index] = getattr(client, method)(url, body).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def patch_concurrently(token_key, url, bodies):
    """PATCH ``url`` with each of ``bodies`` at once (:func:`send_concurrently`)."""
    return send_concurrently(token_key, "patch", url, bodies)


@pytest.fixture
def anonymous_client():
    return SCIMClient()


@pytest.fixture
def client(token):
    """A SCIM client authenticated with a bearer token."""
    client = SCIMClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    return client


def pytest_collection_modifyitems(config, items):
    """Run ``custom_user_model`` tests only under ``tests.settings_custom_user``, the rest only
    under the default settings (AUTH_USER_MODEL cannot change within one run)."""
    from django.conf import settings

    custom = settings.AUTH_USER_MODEL != "auth.User"
    selected, deselected = [], []
    for item in items:
        wanted = item.get_closest_marker("custom_user_model") is not None
        (selected if wanted == custom else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def assert_error(response, status, scim_type=None):
    """An RFC 7644 §3.12 Error body: ``status`` as a string, the ``scimType``, a detail."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert body["detail"]
    return body


def python_json(arguments, settings_module, cwd=None, **environ):
    """Run ``python ARGUMENTS`` in a process of its own, with ``settings_module`` and
    ``environ``; assert it succeeded and return its last line of output, read as JSON."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **environ}
    result = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
