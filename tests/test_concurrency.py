"""Concurrent writes: uniqueness is enforced by the database, not by check-then-insert."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from drf_scim.constants import USER_SCHEMA

from .conftest import SCIMClient


def _post_concurrently(token_key, bodies):
    barrier = threading.Barrier(len(bodies))
    statuses = [None] * len(bodies)

    def worker(index, body):
        client = SCIMClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_key}")
        try:
            barrier.wait(timeout=10)
            statuses[index] = client.post("/scim/v2/Users", body).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_racing_creates_of_one_username_give_one_201_and_409s_rfc7643_4_1_1(token):
    """userName is unique ignoring case (RFC 7643 §4.1.1) even when requests race."""
    bodies = [
        {"schemas": [USER_SCHEMA], "userName": name}
        for name in ("racer", "RACER", "Racer", "racer")
    ]
    statuses = _post_concurrently(token.key, bodies)
    assert sorted(statuses) == [201, 409, 409, 409]
    assert User.objects.count() == 1
