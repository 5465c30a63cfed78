"""``manage.py scim_selftest [--idp entra-id,okta] [--json]``: replay IdPs' flows, roll back.

Runs each identity provider's provisioning cycle (``drf_scim/selftest/flows/``) against
this project's SCIM endpoint, its serializers, mapping and settings, in a transaction
that is rolled back, and prints a per-IdP report. Exits 1 when a step fails, so a CI job
can run it. See docs/selftest.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from drf_scim.management.commands.create_scim_token import Command as TokenCommand
from drf_scim.selftest import load_flows, run_selftest


class Command(BaseCommand):
    help = (
        "Replay each identity provider's SCIM requests against this project, in a "
        "transaction that is rolled back; exit 1 if any step fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--idp",
            help="Comma-separated identity providers to run (default: all), e.g. entra-id,okta.",
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--root",
            help="The SCIM root path, e.g. /scim/v2/ (default: where the URLconf mounts "
            "the first SCIMRouter).",
        )
        parser.add_argument(
            "--tenant",
            help="Run with a token scoped to this tenant, as app_label.Model:pk.",
        )
        parser.add_argument(
            "--flows",
            action="append",
            default=[],
            metavar="DIRECTORY",
            help="A directory of your own flow files (JSON), run with the shipped ones.",
        )
        parser.add_argument(
            "--failures-only", action="store_true", help="List only the steps that failed."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.check_migrated()
        idps = [name.strip() for name in options["idp"].split(",")] if options["idp"] else None
        try:
            flows = load_flows(idps, directories=[Path(d) for d in options["flows"]])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        tenant = TokenCommand().get_tenant(options["tenant"]) if options["tenant"] else None
        try:
            report = run_selftest(root=options["root"], flows=flows, tenant=tenant)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(report.as_text(verbose=not options["failures_only"]))
        if not report.passed:
            raise CommandError(
                f"SCIM self-test failed: {len(report.failures())} step(s).", returncode=1
            )

    def check_migrated(self) -> None:
        """Refuse to run on a database that lacks tables the flows write to."""
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            apps = ", ".join(sorted({migration.app_label for migration, _ in plan}))
            raise CommandError(
                f"The database has unapplied migrations ({apps}): run `manage.py migrate` "
                "before the self-test."
            )
