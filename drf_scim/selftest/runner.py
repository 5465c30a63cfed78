"""Run flows against the project's own URLconf, in a transaction that is rolled back.

Every request goes through Django's test :class:`~django.test.Client` (in process, no
server, over "HTTPS") to the SCIM root where the project mounted its
:class:`~drf_scim.routers.SCIMRouter`, authenticated by a :class:`~drf_scim.models.SCIMToken`
created for the run. The token, and everything the flows create, live in one
``transaction.atomic()`` block that is rolled back at the end; each flow runs in a
savepoint of its own, rolled back too, so flows do not see each other's users.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import (
    NoReverseMatch,
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)

from drf_scim.constants import MEDIA_TYPE
from drf_scim.models import SCIMToken

from .configuration import Check, configuration_checks, hints_for
from .flow import Flow, Step, load_flows

__all__ = ["FlowResult", "Report", "StepResult", "find_scim_root", "run_selftest"]

#: The name of a route every ``SCIMRouter`` adds (``/.search``), used to find its root.
ROOT_ROUTE = "scim-root-search"
#: How much of a response body a report shows.
EXCERPT = 500


def _route_names(patterns: Iterable[Any], namespace: tuple[str, ...]) -> Iterable[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from _route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name == ROOT_ROUTE:
            yield ":".join((*namespace, ROOT_ROUTE))


def find_scim_root(urlconf: str | None = None) -> str:
    """The path of the first ``SCIMRouter`` in the URLconf, e.g. ``/scim/v2/``.

    Found by reversing the ``/.search`` route the router always adds (its namespace
    included). A root with URL parameters cannot be reversed: pass ``root`` instead.
    """
    for name in _route_names(get_resolver(urlconf).url_patterns, ()):
        try:
            return reverse(name, urlconf=urlconf).removesuffix(".search")
        except NoReverseMatch as exc:
            raise LookupError(
                f"The SCIM root (route {name!r}) takes URL arguments; pass the SCIM root "
                "explicitly (--root /scim/v2/)."
            ) from exc
    raise LookupError(
        "No SCIMRouter in the URLconf (no route named 'scim-root-search'); pass the SCIM "
        "root explicitly (--root /scim/v2/)."
    )


@dataclass
class StepResult:
    """One step's outcome: the request, the answer, what failed and why."""

    name: str
    source: str
    passed: bool
    method: str
    url: str
    request_body: Any
    status: int | None
    expected_status: list[int]
    response_excerpt: str
    problems: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)


@dataclass
class FlowResult:
    """One identity provider's flow: its steps, checks, and what the vendor leaves out.

    ``not_published`` lists what the vendor does not publish, so the flow cannot replay it.
    """

    idp: str
    name: str
    steps: list[StepResult]
    not_published: list[str]
    #: The configuration checks: documented limits, attributes dropped by the mapping.
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether every step and every configuration check passed."""
        return all(step.passed for step in self.steps) and all(c.passed for c in self.checks)


@dataclass
class Report:
    """Every flow's result; ``passed`` when every step of every flow passed."""

    root: str
    flows: list[FlowResult]

    @property
    def passed(self) -> bool:
        """Whether every flow passed."""
        return all(flow.passed for flow in self.flows)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (``scim_selftest --json``)."""
        return {
            "passed": self.passed,
            "root": self.root,
            "idps": [{**asdict(flow), "passed": flow.passed} for flow in self.flows],
        }

    def failures(self) -> list[tuple[FlowResult, StepResult | Check]]:
        """Each failed configuration check and step, with its flow."""
        failed: list[tuple[FlowResult, StepResult | Check]] = []
        for flow in self.flows:
            failed += [(flow, check) for check in flow.checks if not check.passed]
            failed += [(flow, step) for step in flow.steps if not step.passed]
        return failed

    def as_text(self, *, verbose: bool = True) -> str:
        """The report for a person: per IdP a verdict, per step ✓ or ✗, and each failure.

        ``verbose=False`` lists only what failed.
        """
        lines = [f"SCIM self-test of {self.root} (rolled back: nothing was saved)", ""]
        for flow in self.flows:
            lines += _flow_lines(flow, verbose)
        total = sum(len(flow.steps) + len(flow.checks) for flow in self.flows)
        lines.append(
            f"PASSED: {total} steps and checks of {len(self.flows)} identity provider(s)."
            if self.passed
            else f"FAILED: {len(self.failures())} of {total} steps and checks."
        )
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _verdict(flow: FlowResult) -> str:
    """``✓ 30 steps and 7 configuration checks passed``, ``✗ 2 of 30 steps failed``."""
    kinds: list[tuple[list[Any], str]] = [
        (flow.steps, "step"),
        (flow.checks, "configuration check"),
    ]
    counts = [
        (sum(not item.passed for item in items), len(items), noun) for items, noun in kinds if items
    ]
    if any(failed for failed, _, _ in counts):
        return "✗ " + ", ".join(f"{f} of {_count(n, noun)}" for f, n, noun in counts) + " failed"
    return "✓ " + " and ".join(_count(n, noun) for _, n, noun in counts) + " passed"


def _flow_lines(flow: FlowResult, verbose: bool) -> list[str]:
    lines = [f"{flow.name} ({flow.idp}): {_verdict(flow)}"]
    for check in flow.checks:
        if not check.passed:
            lines += [f"  ✗ configuration: {check.message}", f"      source:   {check.source}"]
        elif verbose:
            lines.append(f"  ✓ configuration: {check.message}")
    for step in flow.steps:
        if not step.passed:
            lines += _failure_lines(step)
        elif verbose:
            lines.append(f"  ✓ {step.name}")
    lines += [f"  not published by the vendor: {note}" for note in flow.not_published]
    lines.append("")
    return lines


def _excerpt(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _failure_lines(step: StepResult) -> list[str]:
    lines = [f"  ✗ {step.name}", f"      request:  {step.method} {step.url}"]
    if step.request_body is not None:
        lines.append(f"                {_excerpt(step.request_body)}")
    if step.status is not None:
        lines.append(f"      response: {step.status} {_excerpt(step.response_excerpt)}")
    lines += [f"      expected: {problem}" for problem in step.problems]
    lines += [f"      hint:     {hint}" for hint in step.hints]
    lines.append(f"      source:   {step.source}")
    return lines


# -- substitution and matching ------------------------------------------------------------------


def substitute(value: Any, variables: dict[str, Any]) -> Any:
    """``value`` with each ``{{name}}`` replaced; ``"{{name}}"`` alone keeps the type."""
    if isinstance(value, str):
        if value.startswith("{{") and value.endswith("}}") and value.count("{{") == 1:
            name = value[2:-2].strip()
            if name not in variables:
                raise KeyError(name)
            return variables[name]
        while "{{" in value:
            start = value.index("{{")
            end = value.index("}}", start)
            name = value[start + 2 : end].strip()
            if name not in variables:
                raise KeyError(name)
            value = value[:start] + str(variables[name]) + value[end + 2 :]
        return value
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(item, variables) for item in value]
    return value


_MISSING = object()


def pointer_get(document: Any, pointer: str) -> Any:
    """The value at a JSON Pointer (RFC 6901), or ``_MISSING``."""
    current = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def matches(expected: Any, actual: Any) -> bool:
    """Objects hold the expected keys; lists have the expected items, in any order."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and matches(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return False
        remaining = list(actual)
        for item in expected:
            found = next((i for i, other in enumerate(remaining) if matches(item, other)), None)
            if found is None:
                return False
            remaining.pop(found)
        return True
    return bool(expected == actual and type(expected) is type(actual))


# -- running ----------------------------------------------------------------------------------


class _Run:
    """One flow against one root with one token."""

    def __init__(self, flow: Flow, root: str, key: str) -> None:
        self.flow = flow
        self.root = root.rstrip("/")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {key}"}
        self.variables: dict[str, Any] = {"run": uuid.uuid4().hex[:10]}

    def url(self, step: Step) -> str:
        path = substitute(step.path, self.variables)
        url = f"{self.root}/{path.lstrip('/')}"
        if step.query:
            url += "?" + urlencode(substitute(step.query, self.variables))
        return str(url)

    def send(self, step: Step, url: str, body: Any) -> Any:
        method = getattr(self.client, step.method.lower())
        headers = self.headers if step.auth else {}
        if body is None:
            return method(url, secure=True, headers=headers)
        return method(url, json.dumps(body), content_type=MEDIA_TYPE, secure=True, headers=headers)

    def step(self, step: Step) -> StepResult:
        try:
            url = self.url(step)
            body = substitute(step.body, self.variables)
            expected_json = substitute(step.expect_json, self.variables)
        except KeyError as exc:
            return self._skipped(
                step, f"needs {{{{{exc.args[0]}}}}}, which an earlier step did not capture"
            )
        response = self.send(step, url, body)
        document = self._json(response)
        problems: list[str] = []
        failed: list[str] = []
        if response.status_code not in step.status:
            problems.append(
                f"{self.flow.name} expects status {' or '.join(map(str, step.status))}, "
                f"got {response.status_code}"
            )
            exc_info = getattr(response, "exc_info", None)
            if exc_info:
                problems.append(f"the view raised {exc_info[0].__name__}: {exc_info[1]}")
        else:
            for pointer, expected in expected_json.items():
                actual = pointer_get(document, pointer)
                if actual is _MISSING or not matches(expected, actual):
                    shown = "nothing" if actual is _MISSING else json.dumps(actual)[:200]
                    problems.append(
                        f"{self.flow.name} expects {pointer} = {json.dumps(expected)}, got {shown}"
                    )
                    failed.append(pointer)
            for pointer in step.expect_absent:
                if pointer_get(document, pointer) is not _MISSING:
                    problems.append(f"{self.flow.name} expects no {pointer} in the response")
            for name, pointer in step.capture.items():
                value = pointer_get(document, pointer)
                if value is _MISSING:
                    problems.append(f"no {pointer} in the response (captured as {name})")
                else:
                    self.variables[name] = value
        return StepResult(
            name=step.name,
            source=self.flow.source_url(step),
            passed=not problems,
            method=step.method,
            url=url,
            request_body=body,
            status=response.status_code,
            expected_status=list(step.status),
            response_excerpt=response.content.decode("utf-8", "replace")[:EXCERPT],
            problems=problems,
            hints=self._hints(url, body, tuple(failed)) if problems else [],
        )

    def _skipped(self, step: Step, reason: str) -> StepResult:
        return StepResult(
            name=step.name,
            source=self.flow.source_url(step),
            passed=False,
            method=step.method,
            url=step.path,
            request_body=step.body,
            status=None,
            expected_status=list(step.status),
            response_excerpt="",
            problems=[f"not sent: it {reason}"],
        )

    @staticmethod
    def _json(response: Any) -> Any:
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            return None

    @staticmethod
    def _serializer_of(url: str) -> Any:
        """The resource serializer of the view serving ``url``, or ``None``."""
        try:
            match = resolve(url.split("?", 1)[0])
        except Resolver404:
            return None
        view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
        getter = getattr(view, "get_resource_serializer", None)
        return getter() if getter is not None else None

    def serializer_for(self, path: str) -> Any:
        """The serializer of a flow path's endpoint (``/Users/{{user.id}}`` -> ``/Users``)."""
        endpoint = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
        return self._serializer_of(f"{self.root}/{endpoint}")

    def _hints(self, url: str, body: Any, failed: tuple[str, ...]) -> list[str]:
        """Configuration hints from the serializer of the view that answered."""
        serializer = self._serializer_of(url)
        if serializer is None:
            return []
        return hints_for(serializer, body, self.flow.name, failed)

    def run(self) -> FlowResult:
        return FlowResult(
            idp=self.flow.idp,
            name=self.flow.name,
            steps=[self.step(step) for step in self.flow.steps],
            not_published=list(self.flow.not_published),
            checks=configuration_checks(self.flow, self.serializer_for),
        )


@contextmanager
def _quiet_client_errors() -> Iterator[None]:
    """Silence Django's warnings for the 4xx answers the flows provoke; 5xx still log."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(max(level, logging.ERROR))
    try:
        yield
    finally:
        logger.setLevel(level)


def run_selftest(
    idps: Iterable[str] | None = None,
    *,
    root: str | None = None,
    flows: Iterable[Flow] | None = None,
    tenant: Any = None,
    using: str = DEFAULT_DB_ALIAS,
) -> Report:
    """Run the flows of ``idps`` (all by default) and roll everything back.

    ``root`` is the SCIM root path (found by :func:`find_scim_root` when omitted);
    ``flows`` replaces the shipped flows (your own, from :func:`~.flow.load_flow`);
    ``tenant`` scopes the run's token to a tenant (docs/tenants.md), as the IdP's would be.
    """
    selected = list(flows) if flows is not None else load_flows(idps)
    root = root or find_scim_root()
    results: list[FlowResult] = []
    # The test client's host, as Django's own test runner allows it.
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with (
        override_settings(ALLOWED_HOSTS=hosts),
        _quiet_client_errors(),
        transaction.atomic(using=using),
    ):
        _, key = SCIMToken.generate("drf-scim selftest", tenant=tenant)
        for flow in selected:
            with transaction.atomic(using=using):
                results.append(_Run(flow, root, key).run())
                transaction.set_rollback(True, using=using)
        transaction.set_rollback(True, using=using)
    return Report(root=root, flows=results)
