"""Concurrent SCIM writers against the example project on a fresh SQLite file.

Run by ``tests/test_concurrency.py`` in a subprocess, so that the example's own settings
(``example/example_project/settings.py``) are the ones in force, whatever database the
test suite runs on: ``python tests/sqlite_writers.py <example dir> <db file> <writers>
<rounds>``. Prints, as JSON, the database ``OPTIONS`` used and every outcome: an HTTP
status, or the exception a request raised (Django's test client re-raises a view's).
"""

from __future__ import annotations

import json
import os
import sys
import threading


def main(example: str, database: str, writers: int, rounds: int) -> None:
    # The checkout's drf_scim, not an installed one; then the example project.
    sys.path[:0] = [os.path.dirname(os.path.abspath(example)), example]
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_project.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    import drf_scim
    from drf_scim.models import SCIMToken

    call_command("migrate", verbosity=0)
    _, key = SCIMToken.generate("race")
    options = dict(connection.settings_dict.get("OPTIONS", {}))
    connection.close()
    barrier = threading.Barrier(writers)
    outcomes: list[object] = []
    lock = threading.Lock()
    user = "urn:ietf:params:scim:schemas:core:2.0:User"
    patch_op = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    media_type = "application/scim+json"

    def writer(number: int) -> None:
        client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
        mine: list[object] = []
        try:
            barrier.wait(timeout=30)
            for step in range(rounds):
                body = {"schemas": [user], "userName": f"writer{number}-{step}"}
                created = client.post("/scim/v2/Users", json.dumps(body), content_type=media_type)
                mine.append(created.status_code)
                if created.status_code != 201:
                    continue
                operation = {"op": "replace", "path": "title", "value": f"step {step}"}
                patch = {"schemas": [patch_op], "Operations": [operation]}
                url = f"/scim/v2/Users/{created.json()['id']}"
                mine.append(
                    client.patch(url, json.dumps(patch), content_type=media_type).status_code
                )
        except Exception as exc:  # the outcome to report
            mine.append(repr(exc)[:200])
        finally:
            connection.close()
            with lock:
                outcomes.extend(mine)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    print(json.dumps({"drf_scim": drf_scim.__file__, "options": options, "outcomes": outcomes}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
