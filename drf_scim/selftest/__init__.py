"""Replay identity providers' provisioning flows against the project's own SCIM endpoint.

``manage.py scim_selftest`` and :mod:`drf_scim.testing` run the flows of
``drf_scim/selftest/flows/`` (one JSON file per IdP, each step citing the vendor page it
comes from) through Django's test client, inside a transaction that is rolled back:
nothing persists. See docs/selftest.md.
"""

from __future__ import annotations

from .configuration import Check
from .flow import Flow, Limit, Step, load_flow, load_flows
from .recording import record_flow
from .runner import FlowResult, Report, StepResult, find_scim_root, run_selftest

__all__ = [
    "Check",
    "Flow",
    "FlowResult",
    "Limit",
    "Report",
    "Step",
    "StepResult",
    "find_scim_root",
    "load_flow",
    "load_flows",
    "record_flow",
    "run_selftest",
]
