"""``manage.py scim_selftest`` and :mod:`drf_scim.testing`: IdP flows against the project.

Each flow (drf_scim/selftest/flows/) replays an identity provider's requests, citing the
vendor page each comes from; here they run against the test project, and against broken
configurations that must fail with an explanation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from drf_scim.selftest import find_scim_root, load_flows, run_selftest
from drf_scim.selftest.configuration import hints_for, sent_values
from drf_scim.selftest.flow import FLOWS_DIR, Flow
from drf_scim.selftest.runner import matches, pointer_get, substitute
from drf_scim.serializers import SCIMUserSerializer
from drf_scim.testing import assert_scim_conformance

SHIPPED = ["entra-id", "google-workspace", "jumpcloud", "okta", "onelogin", "rfc7644"]

#: A URLconf without SCIM (``ROOT_URLCONF=__name__``).
urlpatterns: list = []


class GivenNameProtectedSerializer(SCIMUserSerializer):
    """A mapping that silently drops ``name.givenName``: SCIM never writes its column."""

    protected_fields = SCIMUserSerializer.protected_fields | {"first_name"}


def selftest(*args):
    """``scim_selftest`` with ``args``: (exit code, stdout)."""
    out = StringIO()
    try:
        call_command("scim_selftest", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


# -- the test project passes ------------------------------------------------------------------


def test_every_shipped_flow_passes_against_the_test_project(db):
    """Entra ID's and Okta's provisioning cycles and the RFC 7644 core (§3.3 create,
    §3.4.2 filter and paging, §3.5 replace and PATCH, §3.6 delete, §3.12 errors)."""
    report = assert_scim_conformance()
    assert [flow.idp for flow in report.flows] == SHIPPED
    assert all(flow.steps for flow in report.flows)
    assert report.root == "/scim/v2/"


def test_the_command_prints_a_verdict_per_idp_and_exits_0(db):
    code, out = selftest("--idp", "entra-id,okta")
    assert code == 0
    assert "Microsoft Entra ID (entra-id): ✓ 30 steps and 8 configuration checks passed" in out
    assert "Okta (okta): ✓ 22 steps and 1 configuration check passed" in out
    assert (
        "  ✓ configuration: `name.givenName` is mapped to `first_name` (max 150); Microsoft "
        "Entra ID sends up to 64 characters (givenName)." in out
    )
    assert '  ✓ disable the user (without the flag: "False")' in out
    assert out.rstrip().endswith("PASSED: 61 steps and checks of 2 identity provider(s).")


@pytest.mark.django_db(transaction=True)
def test_nothing_persists_after_a_run():
    """The token, users, groups, records and audit events of a run are rolled back, the
    user's database left as it was (a real transaction here, not the test's savepoint)."""
    get_user_model().objects.create(username="already-there")
    before = row_counts()
    assert selftest()[0] == 0
    assert row_counts() == before


def test_the_example_project_passes(tmp_path):
    """``manage.py scim_selftest`` in example/, its own settings, on a throwaway SQLite
    database: every flow passes and the process exits 0."""
    example = Path(__file__).resolve().parent.parent / "example"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'example.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(example / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=tmp_path)  # noqa: S603
    done = subprocess.run(  # noqa: S603
        [*manage, "scim_selftest", "--failures-only"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED: " in done.stdout
    assert "✗" not in done.stdout


def test_custom_flows_run_beside_the_shipped_ones(db, tmp_path):
    """A flow file of the project's own (``--flows``) runs, and fails like any other."""
    flow = {
        "idp": "acme",
        "name": "Acme IdP",
        "sources": {"guide": "https://acme.example/scim"},
        "steps": [
            {
                "name": "discovery",
                "source": "guide",
                "request": {"method": "GET", "path": "/ServiceProviderConfig"},
                "expect": {"status": 200, "json": {"/patch/supported": False}},
            }
        ],
    }
    (tmp_path / "acme.json").write_text(json.dumps(flow))
    code, out = selftest("--flows", str(tmp_path), "--idp", "acme", "--failures-only")
    assert code == 1
    assert "Acme IdP expects /patch/supported = false, got true" in out
    assert "source:   https://acme.example/scim" in out


def test_idp_selects_flows_and_json_reports_each_step(db):
    code, out = selftest("--idp", "okta", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["passed"] is True
    assert report["root"] == "/scim/v2/"
    [okta] = report["idps"]
    assert (okta["idp"], okta["name"], okta["passed"]) == ("okta", "Okta", True)
    step = okta["steps"][1]
    assert step["name"] == "create the user"
    assert step["source"] == "https://developer.okta.com/docs/reference/scim/scim-20/"
    assert (step["method"], step["url"], step["status"]) == ("POST", "/scim/v2/Users", 201)
    assert step["expected_status"] == [201]
    assert (step["passed"], step["problems"], step["hints"]) == (True, [], [])
    assert okta["not_published"]
    # Okta documents no maximum lengths: its one check is the userName lookup's.
    assert [(c["name"], c["passed"]) for c in okta["checks"]] == [("userName names one user", True)]


def test_json_reports_the_configuration_checks(db):
    report = json.loads(selftest("--idp", "entra-id", "--json")[1])
    check = report["idps"][0]["checks"][0]
    assert check == {
        "name": "name.givenName holds 64 characters",
        "passed": True,
        "message": "`name.givenName` is mapped to `first_name` (max 150); Microsoft Entra ID "
        "sends up to 64 characters (givenName).",
        "source": "https://learn.microsoft.com/graph/api/resources/user",
    }


def test_an_unknown_idp_is_an_error_naming_the_known_ones(db):
    with pytest.raises(CommandError, match="Unknown identity provider pingfed; known: entra-id"):
        call_command("scim_selftest", "--idp", "pingfed", stdout=StringIO())


def test_an_unmigrated_database_is_an_error_asking_for_migrate(db, monkeypatch):
    """Before ``migrate`` the flows' writes would fail on missing tables: say so instead."""
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [(_Migration(), False)]
    )
    with pytest.raises(CommandError, match=r"unapplied migrations \(drf_scim\).*migrate"):
        call_command("scim_selftest", stdout=StringIO())


class _Migration:
    app_label = "drf_scim"


# -- broken configurations fail, with the reason ----------------------------------------------


@pytest.fixture
def first_name_of_3(monkeypatch):
    """``first_name`` as a column of at most 3 characters."""
    monkeypatch.setattr(get_user_model()._meta.get_field("first_name"), "max_length", 3)


def test_a_column_too_short_fails_with_the_mapping_and_the_length_sent(db, first_name_of_3):
    """Entra ID's create (its tutorial's body) sends ``name.givenName`` "givenName"; a
    3-character column refuses it (400 invalidValue, RFC 7644 §3.12), and the report says
    which mapping is at fault, and exits 1."""
    code, out = selftest("--idp", "entra-id")
    assert code == 1
    assert "Microsoft Entra ID (entra-id): ✗" in out
    assert "  ✗ create the user" in out
    assert "      request:  POST /scim/v2/Users" in out
    assert "      response: 400 " in out
    assert "expected: Microsoft Entra ID expects status 201, got 400" in out
    assert (
        "hint:     `name.givenName` is mapped to `first_name` (max 3); "
        "Microsoft Entra ID sent 9 characters." in out
    )
    assert "source:   https://learn.microsoft.com/entra/identity/app-provisioning/use-scim" in out
    assert (
        "  ✗ configuration: `name.givenName` is mapped to `first_name` (max 3); Microsoft "
        "Entra ID sends up to 64 characters (givenName).\n"
        "      source:   https://learn.microsoft.com/graph/api/resources/user" in out
    )
    assert out.rstrip().endswith(" steps and checks.")
    assert "FAILED: " in out


def test_a_column_shorter_than_the_idp_documents_fails_though_every_step_passes(db, monkeypatch):
    """Microsoft Graph documents ``givenName`` up to 64 characters; the flow's values are
    shorter, so only the configuration check can tell a 30-character column is too short."""
    monkeypatch.setattr(get_user_model()._meta.get_field("first_name"), "max_length", 30)
    code, out = selftest("--idp", "entra-id", "--failures-only")
    assert code == 1
    assert (
        "Microsoft Entra ID (entra-id): ✗ 0 of 30 steps, 1 of 8 configuration checks failed" in out
    )
    assert "`first_name` (max 30); Microsoft Entra ID sends up to 64 characters" in out
    assert "  ✓ " not in out  # --failures-only


def test_steps_after_a_failed_capture_say_what_they_lack(db, first_name_of_3):
    report = run_selftest(["okta"])
    get_user = next(s for s in report.flows[0].steps if s.name == "get the user by id")
    assert get_user.status is None
    assert get_user.problems == [
        "not sent: it needs {{user.id}}, which an earlier step did not capture"
    ]


@override_settings(DRF_SCIM={"USER_SERIALIZER": f"{__name__}.GivenNameProtectedSerializer"})
def test_a_dropped_attribute_fails_with_the_protected_field_named(db):
    """The user is created (201) but ``name.givenName`` is not returned as sent (RFC 7644
    §3.3: the response holds the resource as stored)."""
    with pytest.raises(AssertionError) as failed:
        assert_scim_conformance(["okta"])
    message = str(failed.value)
    assert 'Okta expects /name/givenName = "Test", got nothing' in message
    assert (
        "`name.givenName` is mapped to `first_name` (max 150), one of "
        "GivenNameProtectedSerializer.protected_fields: SCIM never writes it, so the value "
        "Okta sends is dropped." in message
    )


@override_settings(DRF_SCIM={"PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"]})
def test_an_endpoint_open_without_a_token_fails_the_core_flow(db):
    """RFC 7644 §2: the service provider authenticates every request."""
    report = run_selftest(["rfc7644"])
    [unauthenticated] = [step for step in report.flows[0].steps if not step.passed]
    assert unauthenticated.name == "a request without a token is refused"
    assert unauthenticated.problems == ["RFC 7644 core expects status 401, got 200"]


# -- the SCIM root, wherever it is mounted -----------------------------------------------------


def test_the_root_is_found_under_a_namespace_and_another_prefix(db):
    assert find_scim_root("tests.urls_selftest") == "/api/identity/"
    with override_settings(ROOT_URLCONF="tests.urls_selftest"):
        report = run_selftest(["rfc7644"])
    assert report.passed, report.as_text(verbose=False)
    assert report.flows[0].steps[1].url == "/api/identity/ServiceProviderConfig"


def test_a_root_with_url_arguments_asks_for_root(db):
    with (
        override_settings(ROOT_URLCONF="tests.urls_selftest_tenant"),
        pytest.raises(CommandError, match=r"takes URL arguments; pass the SCIM root"),
    ):
        call_command("scim_selftest", stdout=StringIO())


def test_root_names_the_scim_root_explicitly(db):
    with override_settings(ROOT_URLCONF="tests.urls_selftest"):
        code, out = selftest("--root", "/api/identity/", "--idp", "rfc7644")
    assert code == 0, out
    assert out.startswith("SCIM self-test of /api/identity/ ")


def test_no_router_is_a_lookup_error_asking_for_root(db):
    with (
        override_settings(ROOT_URLCONF=__name__),
        pytest.raises(CommandError, match=r"pass the SCIM root explicitly \(--root"),
    ):
        call_command("scim_selftest", stdout=StringIO())


# -- the flow files -------------------------------------------------------------------------


@pytest.mark.parametrize("flow", load_flows(), ids=lambda flow: flow.idp)
def test_every_step_cites_a_page(flow: Flow):
    for step in flow.steps:
        assert flow.source_url(step).startswith("https://"), step.name


def test_the_flow_files_ship_with_the_package():
    """pyproject.toml's package data names them, and they are where the loader looks."""
    pyproject = (FLOWS_DIR.parents[2] / "pyproject.toml").read_text()
    assert '"selftest/flows/*.json"' in pyproject
    assert sorted(path.stem for path in FLOWS_DIR.glob("*.json")) == SHIPPED


# -- the pieces -------------------------------------------------------------------------------


def test_substitute_keeps_the_type_of_a_lone_placeholder():
    variables = {"user.id": "42", "n": 3}
    assert substitute({"value": "{{user.id}}", "count": "{{n}}"}, variables) == {
        "value": "42",
        "count": 3,
    }
    assert substitute('members[value eq "{{user.id}}"]', variables) == 'members[value eq "42"]'
    with pytest.raises(KeyError):
        substitute("{{group.id}}", variables)


@pytest.mark.parametrize(
    ("expected", "actual", "result"),
    [
        ({"value": "a"}, {"value": "a", "display": "A"}, True),
        ([{"value": "b"}, {"value": "a"}], [{"value": "a"}, {"value": "b"}], True),
        ([{"value": "a"}], [{"value": "a"}, {"value": "b"}], False),
        ([{"value": "a"}, {"value": "a"}], [{"value": "a"}, {"value": "b"}], False),
        (1, True, False),
        (False, 0, False),
        ("1", 1, False),
    ],
)
def test_matches(expected, actual, result):
    assert matches(expected, actual) is result


def test_pointer_get_reads_rfc6901_pointers():
    document = {"a/b": {"c": [10, 20]}, "urn:x:2.0:User": {"department": "R&D"}}
    assert pointer_get(document, "/a~1b/c/1") == 20
    assert pointer_get(document, "/urn:x:2.0:User/department") == "R&D"
    assert pointer_get(document, "/a~1b/c/2") is not pointer_get(document, "/a~1b/c/1")


def test_sent_values_of_patch_paths_and_documents():
    body = {
        "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "x@y"},
            {"op": "replace", "value": {"name.givenName": "K", "active": False}},
            {"op": "add", "path": "name", "value": {"familyName": "F"}},
        ]
    }
    assert list(sent_values(body)) == [
        ("emails", "x@y"),
        ("name.givenName", "K"),
        ("active", False),
        ("name.familyName", "F"),
    ]
    document = {"userName": "u", "emails": [{"value": "e"}], "urn:x:User": {"a": "b"}}
    assert list(sent_values(document)) == [
        ("userName", "u"),
        ("emails", "e"),
        ("urn:x:User:a", "b"),
    ]


def test_hints_for_a_long_user_name(first_name_of_3):
    body = {"userName": "u", "name": {"givenName": "Barbara"}}
    assert hints_for(SCIMUserSerializer, body, "Okta") == [
        "`name.givenName` is mapped to `first_name` (max 3); Okta sent 7 characters."
    ]


# -- a custom user model (tests.settings_custom_user) -------------------------------------------


@pytest.mark.custom_user_model
def test_every_flow_passes_on_a_custom_user_model(db):
    """E-mail as ``USERNAME_FIELD``, a UUID key, no name columns: the default mapping
    keeps the names in drf-scim's tables, and every IdP's cycle passes (RFC 7643 §4.1)."""
    report = assert_scim_conformance()
    assert [flow.idp for flow in report.flows] == SHIPPED


@pytest.mark.custom_user_model
def test_a_custom_column_shorter_than_entra_documents_fails(db):
    """``displayName`` mapped to ``full_name`` (200 characters): Microsoft Graph documents
    a ``displayName`` of up to 256, so the Entra ID flow fails though its requests pass."""
    from tests.test_custom_user_model import StaffUserSerializer

    with override_settings(
        DRF_SCIM={"USER_SERIALIZER": "tests.test_custom_user_model.StaffUserSerializer"}
    ):
        report = run_selftest(["entra-id"])
    [flow] = report.flows
    assert all(step.passed for step in flow.steps)
    [failed] = [check for check in flow.checks if not check.passed]
    assert failed.message == (
        "`displayName` is mapped to `full_name` (max 200); Microsoft Entra ID sends up to "
        "256 characters (displayName)."
    )
    assert StaffUserSerializer.get_mappings()  # the mapping the run used


@pytest.mark.custom_user_model
def test_tenant_runs_with_a_token_of_that_tenant(db):
    """``--tenant``: the run's token is scoped as the IdP's would be (docs/tenants.md).
    The users the flow creates belong to the tenant; the Group resource has no tenant
    here, so a tenant's group push is refused (403) and the report says so."""
    from tests.custom_user.models import Organization

    acme = Organization.objects.create(name="Acme")
    settings = {"USER_SERIALIZER": "tests.test_tenants.TenantUserSerializer"}
    with override_settings(DRF_SCIM=settings):
        code, out = selftest("--idp", "okta", "--tenant", f"custom_user.Organization:{acme.pk}")
    assert code == 1
    assert "  ✓ create the user\n" in out
    assert "  ✓ deactivate the user (path-less replace)\n" in out
    assert "  ✗ push a group\n" in out
    assert "expected: Okta expects status 201, got 403" in out
    assert not get_user_model().objects.exists()


# -- recording a flow from the audit log -------------------------------------------------------


def test_a_flow_recorded_from_the_audit_log_replays(db, client):
    """An IdP's writes, as the audit log keeps them (RFC 7644 §3.3 create, §3.5.2 PATCH,
    §3.6 delete), become a flow that replays against the project beside the real data:
    ids become captures, userName and displayName get the run's prefix."""
    from drf_scim.models import SCIMEvent
    from drf_scim.selftest import Flow, record_flow

    user = client.post("/scim/v2/Users", {"userName": "rec@example.com", "password": "s3cret!"})
    group = client.post("/scim/v2/Groups", {"displayName": "Ops", "members": []})
    members = [{"value": user.json()["id"]}]
    client.patch(
        f"/scim/v2/Groups/{group.json()['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": members}],
        },
    )
    client.delete(f"/scim/v2/Groups/{group.json()['id']}")
    recorded = record_flow(SCIMEvent.objects.all(), idp="acme", name="Acme IdP")

    patch = recorded["steps"][2]
    assert patch["request"]["path"] == "/Groups/{{group2.id}}"
    assert patch["request"]["body"]["Operations"][0]["value"] == [{"value": "{{user1.id}}"}]
    assert recorded["steps"][0]["request"]["body"]["userName"] == "{{run}}-rec@example.com"
    assert recorded["steps"][1]["request"]["body"]["displayName"] == "{{run}}-Ops"
    assert [step["expect"]["status"] for step in recorded["steps"]] == [201, 201, 204, 204]
    before = row_counts()
    report = run_selftest(flows=[Flow.from_dict(json.loads(json.dumps(recorded)))])
    assert report.passed, report.as_text(verbose=False)
    assert row_counts() == before


def test_events_on_resources_older_than_the_recording_are_said_not_replayed(db, client):
    from drf_scim.models import SCIMEvent
    from drf_scim.selftest import record_flow

    user = client.post("/scim/v2/Users", {"userName": "old@example.com"}).json()
    SCIMEvent.objects.all().delete()
    client.delete(f"/scim/v2/Users/{user['id']}")
    recorded = record_flow(SCIMEvent.objects.all())
    assert recorded["steps"] == []
    assert recorded["not_published"] == [
        f"Not replayed: event 1 (delete User {user['id']}): the resource existed before the "
        "recording."
    ]


# -- configuration checks: uniqueness and mutability (RFC 7643 §2.2) --------------------------


def _failed_checks(idp):
    report = json.loads(selftest("--idp", idp, "--json")[1])
    return [c for idp_report in report["idps"] for c in idp_report["checks"] if not c["passed"]]


def test_user_name_must_name_one_user_for_an_idp_that_looks_users_up_by_it(db, monkeypatch):
    """Okta and Entra ID find a user by ``userName eq`` (RFC 7644 §3.4.2.2) and expect at
    most one: a serializer without ``userName`` as its unique key fails the check."""
    assert _failed_checks("okta") == []
    monkeypatch.setattr(SCIMUserSerializer, "unique_key_attribute", None)

    (check,) = _failed_checks("okta")

    assert check["name"] == "userName names one user"
    assert "unique_key_attribute is None" in check["message"]
    assert "looks users up by `userName eq`" in check["message"]


def test_an_attribute_the_project_made_immutable_conflicts_with_an_idp_that_changes_it(
    db, monkeypatch
):
    """RFC 7643 §2.2: ``nickName`` is readWrite in the User schema; a project that declares it
    ``immutable`` refuses Entra ID's PATCH of it (RFC 7644 §3.5.2: ``mutability``), and one
    that declares it ``readOnly`` drops it: both are reported."""
    import dataclasses

    from drf_scim.characteristics import Mutability
    from drf_scim.definitions import USER, Schema
    from drf_scim.validation import ResourceSchemas

    stock = SCIMUserSerializer.get_schemas()

    def with_nick_name(mutability):
        attributes = tuple(
            dataclasses.replace(a, mutability=mutability) if a.name == "nickName" else a
            for a in USER.attributes
        )
        core = Schema(USER.id, USER.name, USER.description, attributes)
        return ResourceSchemas(core, stock.extensions, stock.required_extensions)

    for mutability, expected in (
        (Mutability.IMMUTABLE, "`nickName` is immutable: its change is refused"),
        (Mutability.READ_ONLY, "`nickName` is readOnly: the value it sends is dropped"),
    ):
        monkeypatch.setattr(
            SCIMUserSerializer,
            "get_schemas",
            classmethod(lambda cls, m=mutability: with_nick_name(m)),
        )
        messages = [
            c["message"] for c in _failed_checks("entra-id") if c["name"] == "nickName is writable"
        ]
        assert len(messages) == 1, messages
        assert messages[0].startswith(expected)
