"""Run scim2-tester, python-scim's conformance checker, against the example project.

``nox -s conformance`` runs it on a throwaway SQLite database (``DATABASE_URL``). The
checks talk to the example project's WSGI application in process (the application
``runserver`` serves), through scim2-client's WSGI engine: no port, and a server error
reaches this log as a traceback.

Every check that reports an error (a MUST broken), a critical problem or a deviation
(a SHOULD not followed) fails the run, unless it is in :data:`ACCEPTED`, where each
entry names the section of docs/conformance.md that says why drf-scim keeps its
behaviour. An accepted failure that no longer happens fails the run too, so the list
stays true.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
BASE_URL = "http://127.0.0.1/scim/v2"

#: (resource type, check, attribute) -> the docs/conformance.md section that explains it.
#: The attribute is the one a per-attribute PATCH check names ("" for the others).
ACCEPTED = {
    # The server fills members.display, a readOnly sub-attribute, on PATCH.
    ("Group", "check_add_attribute", "members"): "membersdisplay",
    ("Group", "check_replace_attribute", "members"): "membersdisplay",
}


def main() -> int:
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
    django.setup()
    # The checks provoke 404s and 405s on purpose: log only server errors.
    logging.getLogger("django.request").setLevel(logging.ERROR)

    from django.core.management import call_command
    from example_project.wsgi import application
    from scim2_client.engines.wsgi import WSGISCIMClient
    from scim2_tester import Status, check_server

    from drf_scim.models import SCIMToken

    call_command("migrate", verbosity=0)
    _, key = SCIMToken.generate("scim2-tester")
    client = WSGISCIMClient(
        application, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"}
    )
    results = check_server(client)

    failing = {Status.ERROR, Status.CRITICAL, Status.DEVIATION}
    failed: set[tuple[str, str, str]] = set()
    unexpected = []
    for result in results:
        if result.status not in failing:
            continue
        data = result.data if isinstance(result.data, dict) else {}
        key_ = (result.resource_type or "", result.title, str(data.get("urn") or ""))
        failed.add(key_)
        accepted = ACCEPTED.get(key_)
        label = f"accepted, docs/conformance.md#{accepted}" if accepted else "UNEXPECTED"
        print(f"{result.status.name:9} {' '.join(filter(None, key_))} ({label})")
        print(f"          {result.reason}")
        if accepted is None:
            unexpected.append(key_)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status.name] = counts.get(result.status.name, 0) + 1
    print(f"scim2-tester: {len(results)} checks, {counts}")

    stale = sorted(set(ACCEPTED) - failed)
    for entry in stale:
        print(f"STALE     {' '.join(filter(None, entry))}: accepted, but passes now; remove it.")
    if unexpected or stale:
        print("scim2-tester: failed (see docs/conformance.md for the accepted ones).")
        return 1
    print("scim2-tester: only the accepted failures (docs/conformance.md).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
