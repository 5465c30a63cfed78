"""``manage.py create_scim_token NAME``: issue a bearer token (RFC 6750) for an IdP."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from drf_scim.models import SCIMToken


def create_token(*args):
    stdout, stderr = StringIO(), StringIO()
    call_command("create_scim_token", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def last_line(output):
    lines = output.splitlines()
    assert lines, "nothing was printed"
    return lines[-1]


def test_last_line_of_stdout_is_the_token_alone(db):
    stdout, _ = create_token("Okta production")

    key = last_line(stdout)
    assert key == key.strip()
    assert " " not in key
    assert key.startswith("scim_")
    assert len(key) >= 43


def test_token_is_created_with_the_name(db):
    stdout, stderr = create_token("Okta production")

    token = SCIMToken.objects.get()
    assert token.name == "Okta production"
    assert token.revoked is None
    assert last_line(stdout).startswith(token.prefix)
    assert "Okta production" in stderr


def test_rfc6750_printed_token_authenticates(db, anonymous_client):
    key = last_line(create_token("Entra ID")[0])

    response = anonymous_client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    assert SCIMToken.objects.get().last_used is not None


def test_database_stores_only_the_digest(db):
    key = last_line(create_token("Okta")[0])

    row = SCIMToken.objects.values().get()
    assert row["key_digest"] == hashlib.sha256(key.encode()).hexdigest()
    for column, value in row.items():
        assert key not in str(value), column


def test_token_is_not_in_stderr(db):
    stdout, stderr = create_token("Okta")

    assert last_line(stdout) not in stderr


def test_each_run_issues_a_new_token(db):
    first = last_line(create_token("Okta")[0])
    second = last_line(create_token("Okta")[0])

    assert first != second
    assert SCIMToken.objects.count() == 2


def test_name_is_required(db):
    with pytest.raises(CommandError):
        create_token()

    assert not SCIMToken.objects.exists()
