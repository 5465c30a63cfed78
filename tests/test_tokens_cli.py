"""``manage.py scim_tokens list|revoke|rotate`` and ``create_scim_token --expires``.

Bearer tokens are RFC 6750 credentials; a revoked or expired one is refused with 401
(RFC 7644 §3.12, see tests/test_authentication.py).
"""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from drf_scim.models import SCIMToken

USERS = "/scim/v2/Users"


def run(*args):
    stdout, stderr = StringIO(), StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def tokens(*args):
    return run("scim_tokens", *args)


def issue(name="Okta", **kwargs):
    token, key = SCIMToken.generate(name, **kwargs)
    token.key = key
    return token


def status(client, key):
    return client.get(USERS, HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def close_to(moment, expected, seconds=60):
    return abs((moment - expected).total_seconds()) < seconds


def assert_no_secret(output, *secrets_):
    for token in secrets_:
        assert token.key not in output
        assert token.key_digest not in output


# -- list -----------------------------------------------------------------------------------


def test_list_is_a_table_of_every_token_with_its_state(db):
    active = issue("Okta production")
    revoked = issue("Old Okta")
    revoked.revoke()
    expired = issue("Entra trial", expires=timezone.now() + datetime.timedelta(hours=1))
    SCIMToken.objects.filter(pk=expired.pk).update(
        expires=timezone.now() - datetime.timedelta(minutes=1)
    )

    stdout, stderr = tokens("list")

    header, *rows = stdout.splitlines()
    assert header.split() == [
        "ID", "NAME", "PREFIX", "TENANT", "USER", "CREATED", "LAST", "USED", "EXPIRES", "STATE"
    ]  # fmt: skip
    assert len(rows) == 3
    by_name = {t.name: next(r for r in rows if t.prefix in r) for t in (active, revoked, expired)}
    assert by_name["Okta production"].split()[-1] == "active"
    assert by_name["Old Okta"].split()[-1] == "revoked"
    assert by_name["Entra trial"].split()[-1] == "expired"
    assert by_name["Okta production"].split()[0] == str(active.pk)
    assert_no_secret(stdout + stderr, active, revoked, expired)


def test_list_shows_tenant_user_last_use_and_expiry(db, django_user_model):
    acme = Group.objects.create(name="Acme")
    ann = django_user_model.objects.create_user("ann")
    token = issue(
        "Acme's Okta",
        tenant=acme,
        user=ann,
        expires=timezone.make_aware(datetime.datetime(2099, 3, 31, 18, 0)),
    )
    SCIMToken.objects.filter(pk=token.pk).update(
        last_used=timezone.make_aware(datetime.datetime(2026, 1, 2, 3, 4))
    )

    stdout, _ = tokens("list")

    row = stdout.splitlines()[1]
    assert f"auth.Group:{acme.pk}" in row
    assert " ann " in row
    assert "2026-01-02 03:04" in row
    assert "2099-03-31 18:00" in row
    assert "never" not in row


def test_list_json_has_every_column_but_never_the_secret(db, django_user_model):
    acme = Group.objects.create(name="Acme")
    ann = django_user_model.objects.create_user("ann")
    plain = issue("Okta")
    scoped = issue("Acme", tenant=acme, user=ann)
    scoped.revoke()

    stdout, stderr = tokens("list", "--json")

    assert_no_secret(stdout + stderr, plain, scoped)
    listed = json.loads(stdout)
    assert [item["id"] for item in listed] == [plain.pk, scoped.pk]
    first, second = listed
    assert set(first) == {
        "id", "name", "prefix", "tenant", "user", "created", "last_used", "expires",
        "revoked", "state",
    }  # fmt: skip
    assert first["name"] == "Okta"
    assert first["prefix"] == plain.prefix
    assert [first[key] for key in ("tenant", "user", "expires", "revoked")] == [None] * 4
    assert first["state"] == "active"
    assert datetime.datetime.fromisoformat(first["created"]) == plain.created
    assert second["tenant"] == f"auth.Group:{acme.pk}"
    assert second["user"] == "ann"
    assert second["state"] == "revoked"
    assert (
        datetime.datetime.fromisoformat(second["revoked"])
        == SCIMToken.objects.get(pk=scoped.pk).revoked
    )


def test_list_state_option_keeps_only_that_state(db):
    active = issue("active one")
    revoked = issue("revoked one")
    revoked.revoke()

    listed = json.loads(tokens("list", "--json", "--state", "revoked")[0])
    table = tokens("list", "--state", "active")[0]

    assert [item["id"] for item in listed] == [revoked.pk]
    assert active.prefix in table
    assert revoked.prefix not in table


def test_list_without_tokens(db):
    stdout, stderr = tokens("list")

    assert stdout == ""
    assert "No SCIM tokens." in stderr
    assert json.loads(tokens("list", "--json")[0]) == []


def test_list_queries_do_not_grow_with_tokens(db, django_user_model, django_assert_num_queries):
    acme = Group.objects.create(name="Acme")
    for index in range(5):
        user = django_user_model.objects.create_user(f"user{index}")
        issue(f"idp {index}", tenant=acme, user=user)

    with django_assert_num_queries(1):
        tokens("list", "--json")


# -- revoke -----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["id", "prefix", "start of prefix", "prefix…", "key"])
def test_revoke_by_id_prefix_or_key(db, anonymous_client, how):
    token = issue()
    other = issue("other")
    name = {
        "id": str(token.pk),
        "prefix": token.prefix,
        "start of prefix": token.prefix[:8],
        "prefix…": f"{token.prefix}…",
        "key": token.key,
    }[how]
    # Random prefixes may share their first characters: make sure these two do not.
    distinct = "scim_" + ("Y" if token.prefix[5] == "Z" else "Z") * 5
    SCIMToken.objects.filter(pk=other.pk).update(prefix=distinct)

    stdout, _ = tokens("revoke", name)

    assert f"Revoked 'Okta' ({token.prefix}…, id {token.pk})." in stdout
    assert token.key not in stdout
    assert SCIMToken.objects.get(pk=token.pk).revoked is not None
    assert SCIMToken.objects.get(pk=other.pk).revoked is None
    assert status(anonymous_client, token.key) == 401
    assert status(anonymous_client, other.key) == 200


def test_revoke_several_tokens(db):
    first, second, kept = issue("a"), issue("b"), issue("c")

    tokens("revoke", str(first.pk), second.prefix)

    assert set(SCIMToken.objects.filter(revoked__isnull=False).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert SCIMToken.objects.get(pk=kept.pk).revoked is None


def test_revoke_ambiguous_prefix_is_an_error_and_revokes_nothing(db):
    first, second = issue("Okta"), issue("Entra")
    SCIMToken.objects.filter(pk=first.pk).update(prefix="scim_AbCd1")
    SCIMToken.objects.filter(pk=second.pk).update(prefix="scim_AbCd2")

    with pytest.raises(CommandError, match=r"'scim_AbCd' is ambiguous.*2 tokens.*'Okta'.*'Entra'"):
        tokens("revoke", "scim_AbCd")

    assert not SCIMToken.objects.filter(revoked__isnull=False).exists()
    tokens("revoke", "scim_AbCd2")
    assert SCIMToken.objects.get(pk=second.pk).revoked is not None


def test_revoke_prefix_is_case_sensitive(db):
    """SQLite's LIKE ignores case; a prefix is part of a case-sensitive key (RFC 6750)."""
    token = issue()
    SCIMToken.objects.filter(pk=token.pk).update(prefix="scim_AbCdE")

    with pytest.raises(CommandError, match="No SCIM token"):
        tokens("revoke", "scim_abcde")

    assert SCIMToken.objects.get(pk=token.pk).revoked is None


@pytest.mark.parametrize("name", ["999", "scim_nope", "scim_" + "x" * 40, "", "   "])
def test_revoke_unknown_token_is_an_error(db, name):
    issue()

    with pytest.raises(CommandError, match="No SCIM token"):
        tokens("revoke", name)

    assert not SCIMToken.objects.filter(revoked__isnull=False).exists()


def test_revoke_a_revoked_token_is_an_error_keeping_the_first_time(db):
    token = issue()
    token.revoke()
    first = SCIMToken.objects.get(pk=token.pk).revoked

    with pytest.raises(CommandError, match="already revoked"):
        tokens("revoke", str(token.pk))

    assert SCIMToken.objects.get(pk=token.pk).revoked == first


def test_revoke_with_one_bad_name_revokes_none(db):
    token = issue()

    with pytest.raises(CommandError):
        tokens("revoke", str(token.pk), "scim_nope")

    assert SCIMToken.objects.get(pk=token.pk).revoked is None


def test_a_subcommand_is_required(db):
    with pytest.raises(CommandError, match="required"):
        tokens()


# -- rotate -----------------------------------------------------------------------------------


def test_rotate_prints_a_new_key_and_revokes_the_old_token(db, anonymous_client, django_user_model):
    acme = Group.objects.create(name="Acme")
    ann = django_user_model.objects.create_user("ann")
    old = issue("Acme's Okta", tenant=acme, user=ann)

    stdout, stderr = tokens("rotate", old.prefix)

    key = stdout.splitlines()[-1]
    assert stdout == key + "\n"
    assert key not in stderr
    assert old.key not in stdout + stderr
    new = SCIMToken.objects.get(key_digest=SCIMToken.digest(key))
    assert new.pk != old.pk
    assert (new.name, new.tenant, new.user, new.expires) == ("Acme's Okta", acme, ann, None)
    assert new.revoked is None
    assert SCIMToken.objects.get(pk=old.pk).revoked is not None
    assert "is revoked" in stderr
    assert status(anonymous_client, key) == 200
    assert status(anonymous_client, old.key) == 401


def test_rotate_keeps_the_lifetime_of_an_expiring_token(db):
    old = issue(expires=timezone.now() + datetime.timedelta(days=10))
    SCIMToken.objects.filter(pk=old.pk).update(created=timezone.now() - datetime.timedelta(days=80))

    key = tokens("rotate", str(old.pk))[0].splitlines()[-1]

    new = SCIMToken.objects.get(key_digest=SCIMToken.digest(key))
    assert close_to(new.expires, timezone.now() + datetime.timedelta(days=90))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("never", None), ("30d", datetime.timedelta(days=30)), ("12h", datetime.timedelta(hours=12))],
)
def test_rotate_expires_option_overrides_the_lifetime(db, value, expected):
    old = issue(expires=timezone.now() + datetime.timedelta(days=10))

    key = tokens("rotate", str(old.pk), "--expires", value)[0].splitlines()[-1]

    new = SCIMToken.objects.get(key_digest=SCIMToken.digest(key))
    if expected is None:
        assert new.expires is None
    else:
        assert close_to(new.expires, timezone.now() + expected)


def test_rotate_with_grace_keeps_the_old_token_working_until_then(db, anonymous_client):
    old = issue()

    stdout, stderr = tokens("rotate", str(old.pk), "--grace", "24h")

    key = stdout.splitlines()[-1]
    saved = SCIMToken.objects.get(pk=old.pk)
    assert saved.revoked is None
    assert close_to(saved.expires, timezone.now() + datetime.timedelta(hours=24))
    assert "keeps working until" in stderr
    assert status(anonymous_client, old.key) == 200
    assert status(anonymous_client, key) == 200

    SCIMToken.objects.filter(pk=old.pk).update(
        expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert status(anonymous_client, old.key) == 401
    assert status(anonymous_client, key) == 200


def test_rotate_grace_never_extends_an_earlier_expiry(db):
    soon = timezone.now() + datetime.timedelta(hours=1)
    old = issue(expires=soon)

    tokens("rotate", str(old.pk), "--grace", "7d")

    assert SCIMToken.objects.get(pk=old.pk).expires == soon


def test_rotate_an_expired_token(db, anonymous_client):
    old = issue(expires=timezone.now() + datetime.timedelta(days=1))
    SCIMToken.objects.filter(pk=old.pk).update(
        expires=timezone.now() - datetime.timedelta(days=1),
        created=timezone.now() - datetime.timedelta(days=31),
    )

    key = tokens("rotate", old.prefix)[0].splitlines()[-1]

    new = SCIMToken.objects.get(key_digest=SCIMToken.digest(key))
    assert close_to(new.expires, timezone.now() + datetime.timedelta(days=30))
    assert status(anonymous_client, key) == 200
    assert SCIMToken.objects.get(pk=old.pk).revoked is not None


def test_rotate_a_revoked_token_is_an_error(db):
    old = issue()
    old.revoke()

    with pytest.raises(CommandError, match="was revoked"):
        tokens("rotate", str(old.pk))

    assert SCIMToken.objects.count() == 1


@pytest.mark.parametrize(
    "options", [["--grace", "soon"], ["--grace", "99999999999d"], ["--expires", "yesterday"]]
)
def test_rotate_bad_options_are_errors_creating_nothing(db, options):
    old = issue()

    with pytest.raises(CommandError, match=r"--grace|--expires"):
        tokens("rotate", str(old.pk), *options)

    assert SCIMToken.objects.count() == 1
    assert SCIMToken.objects.get(pk=old.pk).revoked is None


def test_rotate_ambiguous_prefix_is_an_error(db):
    first, second = issue(), issue()
    SCIMToken.objects.filter(pk__in=[first.pk, second.pk]).update(prefix="scim_same0")

    with pytest.raises(CommandError, match="ambiguous"):
        tokens("rotate", "scim_same0")

    assert SCIMToken.objects.count() == 2


# -- create_scim_token --expires ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "delta"),
    [
        ("90d", datetime.timedelta(days=90)),
        ("2w", datetime.timedelta(weeks=2)),
        ("12h", datetime.timedelta(hours=12)),
        ("45m", datetime.timedelta(minutes=45)),
    ],
)
def test_create_with_a_duration(db, value, delta):
    stdout, stderr = run("create_scim_token", "Okta", "--expires", value)

    token = SCIMToken.objects.get()
    assert close_to(token.expires, timezone.now() + delta)
    assert "expiring" in stderr
    assert stdout.splitlines()[-1].startswith(token.prefix)


def test_create_with_a_date_or_time(db):
    run("create_scim_token", "a", "--expires", "2099-03-31")
    run("create_scim_token", "b", "--expires", "2099-03-31T18:30:00+02:00")

    by_name = dict(SCIMToken.objects.values_list("name", "expires"))
    assert by_name["a"] == timezone.make_aware(datetime.datetime(2099, 3, 31))
    assert by_name["b"] == datetime.datetime(2099, 3, 31, 16, 30, tzinfo=datetime.UTC)


def test_create_without_expires_never_expires(db):
    run("create_scim_token", "Okta")

    assert SCIMToken.objects.get().expires is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2001-01-01", "in the past"),
        ("0d", "in the past"),
        ("tomorrow", "neither"),
        ("90 days", "neither"),
        ("2099-02-30", "not a valid date"),
        ("999999999w", "too long"),
    ],
)
def test_create_with_a_bad_expiry_is_an_error_creating_nothing(db, value, message):
    with pytest.raises(CommandError, match=f"--expires: .*{message}"):
        run("create_scim_token", "Okta", "--expires", value)

    assert not SCIMToken.objects.exists()


def test_created_token_that_expires_authenticates_until_then(db, anonymous_client):
    key = run("create_scim_token", "Okta", "--expires", "1h")[0].splitlines()[-1]
    assert status(anonymous_client, key) == 200

    SCIMToken.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))

    assert status(anonymous_client, key) == 401


def test_list_names_the_tenant_of_a_removed_model_without_failing(db):
    """A tenant type whose model is gone (an uninstalled app) still lists."""
    from django.contrib.contenttypes.models import ContentType

    gone = ContentType.objects.create(app_label="legacy", model="organization")
    token = issue()
    SCIMToken.objects.filter(pk=token.pk).update(tenant_type=gone, tenant_id="7")

    listed = json.loads(tokens("list", "--json")[0])

    assert listed[0]["tenant"] == "legacy.organization:7"
