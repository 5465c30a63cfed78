"""The self-test's flows in a project's own test suite (pytest, or Django's ``TestCase``).

Two lines in ``tests/test_scim_conformance.py``, with pytest-django::

    from drf_scim.testing import assert_scim_conformance

    def test_scim_conformance(db):
        assert_scim_conformance()  # or idps=["entra-id", "okta"]

The flows run as ``manage.py scim_selftest`` runs them (docs/selftest.md), inside the
test's own transaction; a failure's message is the report of the failed steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_scim.selftest import Flow, Report, load_flows, run_selftest

__all__ = ["assert_scim_conformance", "load_flows", "run_selftest"]


def assert_scim_conformance(
    idps: Iterable[str] | None = None,
    *,
    root: str | None = None,
    flows: Iterable[Flow] | None = None,
    **options: Any,
) -> Report:
    """Run the flows of ``idps`` (all by default); ``AssertionError`` if a step fails.

    The other arguments are :func:`~drf_scim.selftest.run_selftest`'s. Returns the
    report, for further assertions of your own.
    """
    if flows is None:
        flows = load_flows(idps)
    report = run_selftest(root=root, flows=flows, **options)
    if not report.passed:
        raise AssertionError("\n" + report.as_text(verbose=False))
    return report
