"""Record a flow from the audit log: a real IdP's writes, replayable by the self-test.

The audit log (:class:`~drf_scim.models.SCIMEvent`) keeps each write's operation,
resource, status and body (secrets scrubbed). :func:`record_flow` turns a sequence of
events into a flow (the JSON of ``drf_scim/selftest/flows/``): each creation captures the
new resource's ``id``, later references to it become ``{{...}}`` placeholders, and the
``userName``/``displayName`` of created resources get the run's unique prefix, so the
replay creates fresh resources beside the real ones. Reads are not audited, so a
recording holds only writes; add look-ups by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_scim.settings import scim_settings

__all__ = ["record_flow"]

METHODS = {"create": "POST", "replace": "PUT", "patch": "PATCH", "delete": "DELETE"}
#: The attributes unique per resource type, made unique per run in a replay.
UNIQUE = ("userName", "displayName")


def _endpoints() -> dict[str, str]:
    """Resource type -> endpoint (``User`` -> ``/Users``), from ``RESOURCE_VIEWSETS``."""
    endpoints = {}
    for viewset in scim_settings.RESOURCE_VIEWSETS:
        serializer = viewset.get_resource_serializer()
        endpoints[serializer.resource_type] = serializer.endpoint
    return endpoints


def _replace(value: Any, ids: dict[str, str], names: dict[str, str]) -> Any:
    """``value`` with recorded ids and unique names replaced by placeholders.

    Ids anywhere in a string (``members[value eq "..."]``); names as whole strings only;
    keys are kept.
    """
    if isinstance(value, str):
        if value in names:
            return names[value]
        for old, new in ids.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {key: _replace(item, ids, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, ids, names) for item in value]
    return value


def _unique_names(events: list[Any]) -> dict[str, str]:
    """The ``userName``/``displayName`` of each created resource -> its per-run form."""
    names: dict[str, str] = {}
    for event in events:
        if event.operation == "create" and isinstance(event.payload, dict):
            for key in UNIQUE:
                value = event.payload.get(key)
                if isinstance(value, str) and value:
                    names.setdefault(value, "{{run}}-" + value)
    return names


def _step(event: Any, index: int, endpoint: str, ids: dict[str, str], source: str) -> Any:
    """The step replaying ``event``, or ``None`` if its resource predates the recording."""
    step: dict[str, Any] = {
        "name": f"{index}. {event.operation} {event.resource_type}",
        "source": source or f"audit log, event {event.pk} ({event.timestamp.isoformat()})",
        "request": {"method": METHODS[event.operation], "path": endpoint},
        "expect": {"status": event.status},
    }
    if event.operation == "create":
        if 200 <= event.status < 300 and event.resource_id:
            variable = f"{event.resource_type.lower()}{index}.id"
            step["capture"] = {variable: "/id"}
            ids[event.resource_id] = "{{" + variable + "}}"
    elif event.resource_id in ids:
        step["request"]["path"] = f"{endpoint}/{ids[event.resource_id]}"
    else:
        return None
    if event.payload is not None:
        step["request"]["body"] = event.payload
    return step


def record_flow(
    events: Iterable[Any], *, idp: str = "recorded", name: str = "Recorded IdP", source: str = ""
) -> dict[str, Any]:
    """A flow (as JSON-ready data) replaying ``events`` (``SCIMEvent`` objects), oldest first.

    An event on a resource created before the recording cannot be replayed (its ``id``
    exists only in your database): it is left out, and the flow's ``not_published`` says
    so. ``source`` is the URL or note each step cites (default: the audit log event).
    """
    endpoints = _endpoints()
    ordered = sorted(events, key=lambda event: (event.timestamp, event.pk))
    names = _unique_names(ordered)
    ids: dict[str, str] = {}
    steps: list[dict[str, Any]] = []
    skipped: list[str] = []
    for index, event in enumerate(ordered, start=1):
        label = f"{event.operation} {event.resource_type} {event.resource_id}".strip()
        endpoint = endpoints.get(event.resource_type)
        if endpoint is None or event.operation not in METHODS:
            skipped.append(f"event {index} ({label}): not a resource this project serves.")
            continue
        step = _step(event, index, endpoint, ids, source)
        if step is None:
            skipped.append(f"event {index} ({label}): the resource existed before the recording.")
        else:
            steps.append(step)
    for step in steps:
        if "body" in step["request"]:
            step["request"]["body"] = _replace(step["request"]["body"], ids, names)
    return {
        "idp": idp,
        "name": name,
        "sources": {},
        "not_published": [f"Not replayed: {note}" for note in skipped],
        "steps": steps,
    }
