"""Flow files: an identity provider's requests, as data.

A flow is a JSON file (``flows/entra-id.json``)::

    {
      "idp": "entra-id",
      "name": "Microsoft Entra ID",
      "sources": {"tutorial": "https://learn.microsoft.com/..."},
      "not_published": ["what the vendor does not document, said rather than invented"],
      "limits": [{"attribute": "name.givenName", "max_length": 64, "from": "givenName",
                  "source": "graph-user"}],
      "steps": [
        {
          "name": "create a user",
          "source": "tutorial",
          "request": {"method": "POST", "path": "/Users", "body": {...}},
          "expect": {"status": 201, "json": {"/userName": "{{userName}}"}},
          "capture": {"user.id": "/id"}
        }
      ]
    }

``path`` is relative to the SCIM root; ``query`` (a dict) is URL-encoded onto it.
``{{name}}`` in a path, query, body or expectation is replaced by a captured value,
``{{run}}`` by a suffix unique to the run. A string that is only ``{{name}}`` keeps the
captured value's type. ``expect.status`` is a code or a list of codes; ``expect.json``
maps JSON Pointers (RFC 6901) into the response to expected values (objects match when
they hold the expected keys, lists when they have the same length and each expected item
matches one item, in any order); ``expect.absent`` lists pointers that must be missing.
``"auth": false`` in a request sends it without the run's token. ``limits`` are the
longest values the vendor documents: a mapped column shorter than one fails the flow.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FLOWS_DIR", "Flow", "Limit", "Step", "load_flow", "load_flows"]

#: The flows shipped with drf-scim, one file per identity provider.
FLOWS_DIR = Path(__file__).resolve().parent / "flows"


@dataclass(frozen=True)
class Step:
    """One request of a flow, what the IdP expects of its answer and what it keeps."""

    name: str
    #: The vendor page the request comes from (a key of ``Flow.sources``, or a URL).
    source: str
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    status: tuple[int, ...] = (200,)
    expect_json: dict[str, Any] = field(default_factory=dict)
    expect_absent: tuple[str, ...] = ()
    capture: dict[str, str] = field(default_factory=dict)
    #: Whether the request carries the run's token (``"auth": false`` sends none).
    auth: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        request = data["request"]
        expect = data.get("expect", {})
        status = expect.get("status", 200)
        return cls(
            name=data["name"],
            source=data.get("source", ""),
            method=request["method"].upper(),
            path=request["path"],
            query=dict(request.get("query", {})),
            body=request.get("body"),
            status=tuple(status) if isinstance(status, list) else (int(status),),
            expect_json=dict(expect.get("json", {})),
            expect_absent=tuple(expect.get("absent", ())),
            capture=dict(data.get("capture", {})),
            auth=bool(request.get("auth", True)),
        )


@dataclass(frozen=True)
class Limit:
    """The longest value an IdP sends for an attribute, as its vendor documents it."""

    #: The SCIM attribute path: ``name.givenName``, ``<extension URN>:department``.
    attribute: str
    max_length: int
    #: The IdP's own name for it (``givenName``, ``jobTitle``).
    source_attribute: str
    source: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limit:
        return cls(
            attribute=data["attribute"],
            max_length=int(data["max_length"]),
            source_attribute=data.get("from", data["attribute"]),
            source=data.get("source", ""),
        )


@dataclass(frozen=True)
class Flow:
    """An identity provider's provisioning cycle, step by step."""

    idp: str
    name: str
    steps: tuple[Step, ...]
    #: Short name -> URL of each vendor page the steps cite.
    sources: dict[str, str] = field(default_factory=dict)
    #: What the vendor does not publish, reported rather than invented.
    not_published: tuple[str, ...] = ()
    #: The longest values the IdP documents, checked against the mapped columns.
    limits: tuple[Limit, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Flow:
        return cls(
            idp=data["idp"],
            name=data["name"],
            steps=tuple(Step.from_dict(step) for step in data["steps"]),
            sources=dict(data.get("sources", {})),
            not_published=tuple(data.get("not_published", ())),
            limits=tuple(Limit.from_dict(limit) for limit in data.get("limits", ())),
        )

    def source_url(self, step: Step | Limit) -> str:
        """The URL a step or a limit cites."""
        return self.sources.get(step.source, step.source)


def load_flow(path: Path) -> Flow:
    """The flow of one JSON file."""
    return Flow.from_dict(json.loads(path.read_text(encoding="utf-8")))


def load_flows(
    idps: Iterable[str] | None = None, *, directories: Iterable[Path] = ()
) -> list[Flow]:
    """The flows shipped with drf-scim and those of ``directories``, by IdP name.

    ``idps`` selects flows by their ``idp`` (``["entra-id", "okta"]``); an unknown name
    is a ``ValueError`` listing the known ones.
    """
    paths = sorted(FLOWS_DIR.glob("*.json"))
    for directory in directories:
        paths += sorted(Path(directory).glob("*.json"))
    flows = {flow.idp: flow for flow in map(load_flow, paths)}
    if idps is None:
        return list(flows.values())
    wanted = list(idps)
    unknown = [idp for idp in wanted if idp not in flows]
    if unknown:
        raise ValueError(
            f"Unknown identity provider {', '.join(unknown)}; known: {', '.join(flows)}."
        )
    return [flows[idp] for idp in wanted]
