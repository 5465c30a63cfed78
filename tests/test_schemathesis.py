"""Schemathesis against the example project's OpenAPI schema: the schema is kept true.

Every operation of the committed schema (tests/openapi/example-schema.yaml, which
tests/test_openapi.py keeps equal to what the example project generates) is called
in-process through Django's WSGI handler (tests/urls.py: the SCIMRouter at /scim/v2/, as
the example serves it), with a bearer token, on examples schemathesis derives from the
schema: valid ones, and invalid ones the server must refuse. Every check schemathesis has
runs on each answer: no server error, only documented statuses, content types and
headers, bodies that match the documented schema, invalid requests refused, valid ones
accepted.

The run is deterministic (``derandomize``) and bounded (``MAX_EXAMPLES`` per operation),
so CI sees the same requests on every run. It runs on SQLite only: noxfile.py deselects it
on the other databases, which the rest of the suite covers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from drf_scim.models import SCIMToken

GOLDEN = Path(__file__).resolve().parent / "openapi" / "example-schema.yaml"

#: Examples generated per operation, on top of schemathesis's boundary ("coverage") cases.
MAX_EXAMPLES = 25

#: Operations where a request can match the schema and still mean nothing, so that 400 (a
#: SCIM error) also counts as accepting it: a filter, a sortBy or a PATCH path is a
#: grammar over the resource's attribute names, a PATCH value's type depends on its path
#: (RFC 7644 §3.4.2.2, §3.5.2), and a Group's members must be ids of existing resources.
#: Everywhere else a request the schema calls valid must be accepted.
CONTEXT_DEPENDENT = r"^((list|search)(Users|Groups)|patch(User|Group)|(create|replace)Group)$"
#: /Me (RFC 7644 §3.11) names a resource that exists, so the ``If-Match`` schemathesis
#: makes up is stale: 412 (§3.14) answers valid requests and refuses invalid ones too
#: (``/Users/{id}`` answers 404 to its made-up ids before reading ``If-Match``).
ME_WRITES = r"^(replace|delete)Me$"
NEGATIVE_STATUSES = [
    *("400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"),
    "412",
]
#: schemathesis's own default for positive_data_acceptance (its 5xx is no leniency: every
#: 5xx fails not_a_server_error).
POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

#: The bearer token's key, created by the ``scim_token`` fixture: schemathesis sends it as the
#: ``SCIMBearerToken`` scheme says, and leaves it out where it tests a request without it.
KEY = "scim_schemathesis-only-not-secret"

CONFIG = SchemathesisConfig.from_dict(
    {
        "auth": {"openapi": {"SCIMBearerToken": {"bearer": KEY}}},
        "generation": {"mode": "all", "deterministic": True, "database": "none"},
        "checks": {"enabled": True},
        "operations": [
            {
                "include-operation-id-regex": CONTEXT_DEPENDENT,
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": [*POSITIVE_STATUSES, "400"]}
                },
            },
            {
                "include-operation-id-regex": ME_WRITES,
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": [*POSITIVE_STATUSES, "412"]},
                    "negative_data_rejection": {"expected-statuses": NEGATIVE_STATUSES},
                },
            },
            {
                "include-operation-id-regex": "^patchMe$",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": [*POSITIVE_STATUSES, "400", "412"]
                    },
                    "negative_data_rejection": {"expected-statuses": NEGATIVE_STATUSES},
                },
            },
        ],
    }
)

schema = schemathesis.openapi.from_path(GOLDEN, config=CONFIG)
schema.app = WSGIHandler()


@pytest.fixture
def scim_token(transactional_db):
    # transactional_db: each request commits and closes its connection, as in production.
    # Bound to a user, so that /Me (RFC 7644 §3.11) is that user; unbound, it is 501.
    return SCIMToken.objects.create(
        name="schemathesis",
        key_digest=SCIMToken.digest(KEY),
        prefix=KEY[: SCIMToken.prefix_length],
        user=User.objects.create_user("me"),
    )


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_server_does_what_its_schema_says(case, scim_token):
    case.call_and_validate()


def test_every_check_runs_and_only_the_context_dependent_operations_take_400():
    checks = schema.config.checks_config_for()
    names = [name for name in checks.__slots__ if not name.startswith("_")]
    assert {"not_a_server_error", "response_schema_conformance", "negative_data_rejection"} < set(
        names
    )
    for name in names:
        if name != "max_response_time":  # no time limit: CI machines differ
            assert getattr(checks, name).enabled, name
    accepted = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        config = schema.config.checks_config_for(operation=operation)
        accepted[operation.definition.raw["operationId"]] = (
            config.positive_data_acceptance.expected_statuses
        )
    lenient = {name for name, statuses in accepted.items() if "400" in statuses}
    stale = {name for name, statuses in accepted.items() if "412" in statuses}
    assert stale == {"replaceMe", "patchMe", "deleteMe"}
    assert lenient == {
        "listUsers",
        "searchUsers",
        "patchUser",
        "patchMe",
        "listGroups",
        "searchGroups",
        "patchGroup",
        "createGroup",
        "replaceGroup",
    }
    assert len(accepted) == 24
