"""``POST /Bulk``: many writes in one request (RFC 7644 §3.7).

Each operation of a ``BulkRequest`` is dispatched, as an internal sub-request, to the
resource viewset its ``path`` names, exactly as the same request sent alone would be:
same URL resolution, parsing, normalisation, validation, scope, signals, audit event and
transaction. Nothing writes around the viewsets (one write path, docs/bulk.md).

The sub-request reuses the Bulk request's authentication (its ``user`` and ``auth``,
through DRF's forced authentication), so the token is looked up once per Bulk request,
not once per operation; permission and throttle classes still run for each operation.

``bulkId:`` references (§3.7.2) are replaced by the ``id`` of the resource the ``POST``
with that ``bulkId`` created: as a whole string anywhere in ``data`` (a member's
``value``, an extension's ``manager.value``...), between double quotes inside a string
(a PATCH ``path`` filter: ``members[value eq "bulkId:q"]``) and as a segment of ``path``
(``/Groups/bulkId:q``). Operations run in request order, except that one naming a
``bulkId`` waits for the ``POST`` that defines it, wherever it is in the request.
Circular references (§3.7.1) are resolved as the RFC describes: when only a cycle is
left, its first ``POST`` (in request order) creates its resource without the values that
name resources not created yet, and once the others exist, a ``PATCH`` of that resource
adds them. When that cannot work, the operation is answered 409, as §3.7.1 allows.
"""

from __future__ import annotations

import heapq
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import constants
from .exceptions import (
    InvalidSyntax,
    InvalidValue,
    PayloadTooLarge,
    ResourceNotFound,
    SCIMAPIException,
)
from .handlers import scim_exception_handler
from .mixins import LimitExceeded
from .parsers import SCIMJSONParser, SCIMParser
from .settings import scim_settings
from .storage import DeletedKeys
from .viewsets import SCIMModelViewSet, SCIMViewMixin

__all__ = ["BulkOperation", "SCIMBulkView", "parse_bulk_request"]

#: The methods of a bulk operation and the viewset action each is dispatched to.
ACTIONS = {"POST": "create", "PUT": "update", "PATCH": "partial_update", "DELETE": "destroy"}

PREFIX = "bulkId:"
_QUOTED = re.compile(r'"bulkId:([^"]*)"')

#: Request headers a sub-request does not inherit: its body and version are its own.
_OWN_HEADERS = frozenset(
    {
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "HTTP_CONTENT_LENGTH",
        "HTTP_CONTENT_TYPE",
        "HTTP_TRANSFER_ENCODING",
        "HTTP_IF_MATCH",
        "HTTP_IF_NONE_MATCH",
        "QUERY_STRING",
        "REDIRECT_URL",
        "SCRIPT_URL",
        "wsgi.input",
        "wsgi.input_terminated",
    }
)


class BulkLimitExceeded(LimitExceeded):
    """More operations or bytes than ``/ServiceProviderConfig`` advertises (§3.7.4): 413."""

    default_detail = "The bulk request exceeds the limits of the service provider."


class Conflict(SCIMAPIException):
    """An operation whose ``bulkId`` references cannot be resolved (§3.7.1): 409."""

    status_code = 409
    default_detail = "The operation's bulkId references cannot be resolved."
    default_code = "conflict"


@dataclass
class BulkOperation:
    """One operation of a BulkRequest, as sent (§3.7)."""

    index: int
    method: str
    path: str
    bulk_id: str | None = None
    version: str | None = None
    data: Any = None
    has_data: bool = False
    #: The ``bulkId`` values its ``path`` and ``data`` reference.
    references: set[str] = field(default_factory=set)

    @property
    def action(self) -> str | None:
        return ACTIONS.get(self.method.upper())


def _members(data: Mapping[Any, Any]) -> dict[str, Any]:
    """Members by lower-case name: message attribute names ignore case (RFC 7643 §2.1)."""
    return {str(key).lower(): value for key, value in data.items()}


def _optional_string(members: dict[str, Any], name: str, where: str) -> str | None:
    value = members.get(name.lower())
    if value is not None and not isinstance(value, str):
        raise InvalidSyntax(f"{where}.{name} must be a string.")
    return value


def _references(value: Any) -> set[str]:
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item.startswith(PREFIX):
                found.add(item[len(PREFIX) :])
            found.update(_QUOTED.findall(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _path_references(path: str) -> set[str]:
    return {part[len(PREFIX) :] for part in path.split("/") if part.startswith(PREFIX)}


def substitute(value: Any, ids: Mapping[str, str]) -> Any:
    """``value`` with every ``bulkId:`` reference replaced by the id it stands for."""
    if isinstance(value, str):
        if value.startswith(PREFIX) and value[len(PREFIX) :] in ids:
            return ids[value[len(PREFIX) :]]
        if '"bulkId:' in value:
            return _QUOTED.sub(
                lambda m: f'"{ids[m.group(1)]}"' if m.group(1) in ids else m.group(0), value
            )
        return value
    if isinstance(value, dict):
        return {key: substitute(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, ids) for item in value]
    return value


def parse_bulk_request(
    body: Any, *, strict: bool = False
) -> tuple[list[BulkOperation], int | None]:
    """The operations and ``failOnErrors`` of a BulkRequest body (RFC 7644 §3.7).

    The message's structure is checked here, and a BulkRequest that breaks it is refused
    whole (400 ``invalidSyntax``): ``Operations`` an array of objects whose ``method`` and
    ``path`` are strings, ``bulkId`` and ``version`` strings and ``data`` an object when
    given, ``failOnErrors`` an integer of at least 1; an optional member that is ``null``
    counts as left out. What an operation's members *mean*
    (an unknown method, a path that names nothing) is that operation's error only.
    ``strict`` requires ``schemas`` to name the BulkRequest URN.
    """
    if not isinstance(body, dict):
        raise InvalidSyntax("The request body must be a BulkRequest object.")
    members = _members(body)
    if strict and constants.BULK_REQUEST_SCHEMA not in (members.get("schemas") or []):
        raise InvalidSyntax(f"'schemas' must contain {constants.BULK_REQUEST_SCHEMA!r}.")
    raw_operations = members.get("operations")
    if not isinstance(raw_operations, list):
        raise InvalidSyntax("'Operations' must be an array (RFC 7644 §3.7).")
    fail_on_errors = members.get("failonerrors")
    if fail_on_errors is not None and (
        not isinstance(fail_on_errors, int)
        or isinstance(fail_on_errors, bool)
        or fail_on_errors < 1
    ):
        raise InvalidSyntax("'failOnErrors' must be an integer of at least 1.")
    operations = []
    for index, raw in enumerate(raw_operations):
        where = f"Operations[{index}]"
        if not isinstance(raw, dict):
            raise InvalidSyntax(f"{where} must be an object.")
        op = _members(raw)
        method, path = op.get("method"), op.get("path")
        if not isinstance(method, str) or not isinstance(path, str):
            raise InvalidSyntax(f"{where} must have a 'method' and a 'path', both strings.")
        data = op.get("data")
        if data is not None and not isinstance(data, dict):
            raise InvalidSyntax(f"{where}.data must be an object.")
        operation = BulkOperation(
            index=index,
            method=method,
            path=path,
            bulk_id=_optional_string(op, "bulkId", where),
            version=_optional_string(op, "version", where),
            data=data,
            has_data=isinstance(data, dict),
        )
        operation.references = _path_references(path) | _references(data)
        operations.append(operation)
    return operations, fail_on_errors


def execution_order(
    operations: list[BulkOperation], defined: Mapping[str, BulkOperation]
) -> tuple[list[BulkOperation], list[BulkOperation]]:
    """Operations in the order they run, and those that break a circular reference.

    Request order, except that an operation waits for the POSTs whose ``bulkId`` it
    references (§3.7.2: "in any order"). When every operation left waits on another, the
    first POST of a cycle (§3.7.1) runs next, without what it cannot resolve yet
    (:func:`defer_references`); it is listed in the second list too.
    """
    waiting_on: dict[int, set[int]] = {}
    dependents: dict[int, list[int]] = {}
    for operation in operations:
        needs = {defined[name].index for name in operation.references if name in defined}
        waiting_on[operation.index] = needs
        for index in needs:
            dependents.setdefault(index, []).append(operation.index)
    by_index = {operation.index: operation for operation in operations}
    ready = [index for index, needs in waiting_on.items() if not needs]
    heapq.heapify(ready)
    order: list[BulkOperation] = []
    breaking: list[BulkOperation] = []
    placed: set[int] = set()
    while len(placed) < len(operations):
        if ready:
            index = heapq.heappop(ready)
        else:
            index = _first_in_cycle(waiting_on, placed)
            breaking.append(by_index[index])
        placed.add(index)
        order.append(by_index[index])
        for dependent in dependents.get(index, ()):
            needs = waiting_on[dependent]
            if index in needs:
                needs.discard(index)
                if not needs and dependent not in placed:
                    heapq.heappush(ready, dependent)
    return order, breaking


def _first_in_cycle(waiting_on: Mapping[int, set[int]], placed: set[int]) -> int:
    """The first operation, in request order, that waits on itself through others.

    Only POSTs define ``bulkId``s, so a cycle is made of POSTs; what waits on a cycle
    without being in one runs after it.
    """
    pending = sorted(index for index in waiting_on if index not in placed)
    for start in pending:
        seen: set[int] = set()
        stack = [start]
        while stack:
            for needed in waiting_on[stack.pop()]:
                if needed == start:
                    return start
                if needed not in seen and needed not in placed:
                    seen.add(needed)
                    stack.append(needed)
    return pending[0]  # unreachable: when nothing is ready, something waits on itself


def defer_references(
    data: dict[str, Any], unresolved: set[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``data`` without what names ``unresolved`` bulkIds; the PATCH operations to add it.

    For a cycle's first POST (§3.7.1). A value of a multi-valued attribute (a group's
    member) is taken out of its list; a single-valued attribute (an extension's
    ``manager``) is left out whole. Attributes of an extension are looked for under its
    URN.
    """
    kept: dict[str, Any] = {}
    later: list[dict[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict) and str(key).lower().startswith("urn:") and key != "schemas":
            inner, inner_later = defer_references(value, unresolved)
            kept[key] = inner
            later.extend({**op, "path": f"{key}:{op['path']}"} for op in inner_later)
        elif not (_references(value) & unresolved):
            kept[key] = value
        elif isinstance(value, list):
            kept[key] = [item for item in value if not _references(item) & unresolved]
            deferred = [item for item in value if _references(item) & unresolved]
            later.append({"op": "add", "path": key, "value": deferred})
        else:
            later.append({"op": "add", "path": key, "value": value})
    return kept, later


class SCIMBulkParser(SCIMParser):
    """A BulkRequest body, up to ``BULK_MAX_PAYLOAD_SIZE`` bytes."""

    def get_max_size(self) -> int:
        return int(scim_settings.BULK_MAX_PAYLOAD_SIZE)


class SCIMBulkJSONParser(SCIMBulkParser, SCIMJSONParser):
    """The same, sent as ``application/json``."""


class SCIMBulkView(SCIMViewMixin, APIView):
    """``POST /Bulk`` (RFC 7644 §3.7): the operations of a BulkRequest, one by one.

    Each operation is dispatched to the registered resource viewset as a sub-request
    (:meth:`dispatch_operation`) and runs in its own transaction: a failed operation
    writes nothing, and the operations before it stay written. The answer is a
    ``BulkResponse`` (200) with, for each operation processed, its ``method``,
    ``bulkId``, ``location``, ``version`` (the ``ETag``), ``status`` and, when it failed,
    the SCIM error as ``response``. With ``failOnErrors`` N, processing stops at the
    N-th failed operation and the rest are left out of the answer.
    """

    http_method_names = ["post"]
    parser_classes = (SCIMBulkParser, SCIMBulkJSONParser)
    #: The resource viewsets registered on the router, set by SCIMRouter.
    resource_viewsets: ClassVar[tuple[type[SCIMModelViewSet], ...]] = ()
    #: Which keys of the request's creates deleted resources hold, asked once for all.
    deleted_keys: DeletedKeys | None = None

    @classmethod
    def get_max_operations(cls) -> int:
        """Most operations accepted (§3.7.4): ``BULK_MAX_OPERATIONS``; advertised."""
        return int(scim_settings.BULK_MAX_OPERATIONS)

    @classmethod
    def get_max_payload_size(cls) -> int:
        """Largest body accepted, in bytes: ``BULK_MAX_PAYLOAD_SIZE``; advertised."""
        return int(scim_settings.BULK_MAX_PAYLOAD_SIZE)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, PayloadTooLarge):
            # §3.7.4: the answer names the limit exceeded.
            exc = BulkLimitExceeded(
                f"The bulk request exceeds maxPayloadSize ({self.get_max_payload_size()} bytes)."
            )
        return super().handle_exception(exc)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        operations, fail_on_errors = parse_bulk_request(
            request.data, strict=bool(scim_settings.STRICT)
        )
        limit = self.get_max_operations()
        if len(operations) > limit:
            raise BulkLimitExceeded(
                f"The bulk request has {len(operations)} operations, more than "
                f"maxOperations ({limit})."
            )
        defined: dict[str, BulkOperation] = {}
        for operation in operations:
            if operation.action == "create" and operation.bulk_id is not None:
                defined.setdefault(operation.bulk_id, operation)
        order, breaking = execution_order(operations, defined)
        self.deleted_keys = DeletedKeys(operation.data for operation in defined.values())
        run = BulkRun(self, defined)
        results: dict[int, dict[str, Any]] = {}
        errors = 0
        for operation in order:
            if fail_on_errors is not None and errors >= fail_on_errors:
                break
            later = run.pending_references(operation) if operation in breaking else None
            result = run.perform(operation, later)
            results[operation.index] = result
            errors += int(result["status"]) >= 400
        for operation, links in run.links:
            if fail_on_errors is not None and errors >= fail_on_errors:
                break
            results[operation.index] = run.link(operation, links, results[operation.index])
            errors += int(results[operation.index]["status"]) >= 400
        return Response(
            {
                "schemas": [constants.BULK_RESPONSE_SCHEMA],
                "Operations": [results[index] for index in sorted(results)],
            }
        )

    def root_path(self) -> str:
        """The SCIM root's path (``/scim/v2/``): where operation paths start."""
        path_info = self.request._request.path_info
        return path_info[: path_info.rstrip("/").rfind("/") + 1]

    def absolute_uri(self, path: str) -> str:
        """The absolute URL of an operation's ``path``, its ``location`` (§3.7.3)."""
        request = self.request._request
        script = request.META.get("SCRIPT_NAME", "").rstrip("/")
        return request.build_absolute_uri(script + self.root_path() + path.lstrip("/"))

    def dispatch_operation(
        self, method: str, path: str, data: Any, version: str | None
    ) -> Response:
        """Send one operation to its resource viewset, as a sub-request; its response.

        ``path`` is relative to the SCIM root, with ``bulkId:`` references resolved. A
        path that resolves to no registered resource viewset, or to an action that is
        no write (``/Users/.search``), is a 404; a method the resource does not accept
        there is a 405. Override to add to what every operation's sub-request carries.
        """
        outer = self.request._request
        path_info = self.root_path() + path.lstrip("/")
        try:
            match = resolve(path_info, getattr(outer, "urlconf", None))
        except Resolver404:
            match = None
        view: Any = getattr(match, "func", None)
        if match is None or getattr(view, "cls", None) not in self.resource_viewsets:
            raise ResourceNotFound(f"No SCIM resource at {path!r}.")
        actions = getattr(view, "actions", None) or {}
        action = actions.get(method.lower())
        if action is None:
            raise MethodNotAllowed(method)
        if action not in ACTIONS.values():
            raise ResourceNotFound(f"No SCIM resource at {path!r}.")
        sub = self.sub_request(method, path_info, data, version)
        sub.resolver_match = match
        response: Response = view(sub, *match.args, **match.kwargs)
        return response

    def sub_request(
        self, method: str, path_info: str, data: Any, version: str | None
    ) -> HttpRequest:
        """A request for one operation: this request's headers and client, its own body.

        It carries this request's authentication (no second token lookup) and the
        attributes middleware set on it (``request.tenant`` and the like), and the
        operation's ``version`` as ``If-Match`` (§3.7). It is marked as a Bulk operation
        (``constants.BULK_OPERATION``): a write answers it with the resource's ``id`` and
        headers, not its representation, which no BulkResponse shows. It holds
        :attr:`deleted_keys` (``constants.BULK_DELETED_KEYS``): a create asks no query
        of its own for the deleted resource it may bring back.
        """
        outer = self.request._request
        body = b"" if data is None else json.dumps(data).encode()
        environ = {key: value for key, value in outer.META.items() if key not in _OWN_HEADERS}
        environ.update(
            {
                "REQUEST_METHOD": method,
                "SCRIPT_NAME": outer.META.get("SCRIPT_NAME", ""),
                # A WSGI environ holds the path's UTF-8 bytes as ISO-8859-1 text (PEP 3333).
                "PATH_INFO": path_info.encode().decode("iso-8859-1"),
                "QUERY_STRING": "",
                "CONTENT_TYPE": constants.MEDIA_TYPE,
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(body),
            }
        )
        environ.setdefault("wsgi.url_scheme", outer.scheme or "http")
        if version is not None:
            environ["HTTP_IF_MATCH"] = version
        sub = WSGIRequest(environ)
        for name, value in vars(outer).items():
            # What middleware set (user, session, tenant...), not what the request class
            # computes from its own headers and body (headers, GET, COOKIES are cached).
            if not (name.startswith("_") or name in vars(sub) or hasattr(WSGIRequest, name)):
                setattr(sub, name, value)
        sub._force_auth_user = self.request.user  # type: ignore[attr-defined]
        sub._force_auth_token = self.request.auth  # type: ignore[attr-defined]
        setattr(sub, constants.BULK_OPERATION, True)
        setattr(sub, constants.BULK_DELETED_KEYS, self.deleted_keys)
        return sub


class BulkRun:
    """The state of one Bulk request: the ids its POSTs created, by ``bulkId``."""

    def __init__(self, view: SCIMBulkView, defined: Mapping[str, BulkOperation]) -> None:
        self.view = view
        self.defined = defined
        self.ids: dict[str, str] = {}
        #: The bulkIds whose POST has run, created or not.
        self.attempted: set[str] = set()
        #: Operations created without some references (§3.7.1), and the PATCH operations
        #: that add them once the resources they name exist.
        self.links: list[tuple[BulkOperation, list[dict[str, Any]]]] = []
        #: Where each created resource is, relative to the SCIM root.
        self.paths: dict[int, str] = {}

    def pending_references(self, operation: BulkOperation) -> set[str]:
        """The bulkIds ``operation`` names whose POST has not run yet: a cycle's."""
        return {name for name in operation.references if name in self.defined} - self.attempted

    def result(self, operation: BulkOperation) -> dict[str, Any]:
        method = operation.method.upper() if operation.action else operation.method
        result: dict[str, Any] = {"method": method}
        if operation.bulk_id is not None:
            result["bulkId"] = operation.bulk_id
        return result

    def error(
        self, operation: BulkOperation, exc: Exception, location: str | None = None
    ) -> dict[str, Any]:
        response = scim_exception_handler(exc, {"view": self.view, "request": self.view.request})
        assert response is not None  # noqa: S101 - SCIM and DRF errors always answer
        result = self.result(operation)
        if location:
            result["location"] = location
        result["status"] = str(response.status_code)
        result["response"] = response.data
        return result

    def check(self, operation: BulkOperation, later: set[str]) -> None:
        """Refuse what makes an operation meaningless before it is dispatched."""
        if operation.action is None:
            raise InvalidSyntax(
                f"Unknown method {operation.method!r}: POST, PUT, PATCH or DELETE (RFC 7644 §3.7)."
            )
        if operation.action == "create":
            if not operation.bulk_id:
                raise InvalidSyntax("A POST operation requires a bulkId (RFC 7644 §3.7).")
            if self.defined.get(operation.bulk_id) is not operation:
                raise InvalidValue(f"The bulkId {operation.bulk_id!r} is used more than once.")
        if operation.action != "destroy" and not operation.has_data:
            raise InvalidSyntax(f"A {operation.method.upper()} operation requires 'data'.")
        if later and (operation.action != "create" or _path_references(operation.path) & later):
            raise Conflict(
                f"The bulkId references {', '.join(map(repr, sorted(later)))} are circular "
                "and cannot be resolved (RFC 7644 §3.7.1)."
            )
        for name in sorted(operation.references - later):
            if name not in self.defined:
                raise InvalidValue(f"No POST operation of this request has bulkId {name!r}.")
            if name not in self.ids:
                raise Conflict(
                    f"bulkId {name!r} cannot be resolved: the operation that creates it failed."
                )

    def perform(self, operation: BulkOperation, later: set[str] | None = None) -> dict[str, Any]:
        """Run one operation; its entry of the BulkResponse (§3.7.3).

        ``later``: the bulkIds of a cycle it names that are not created yet (§3.7.1); it
        runs without the values naming them, which :meth:`link` adds afterwards.
        """
        if operation.action == "create" and operation.bulk_id is not None:
            self.attempted.add(operation.bulk_id)
        try:
            self.check(operation, later or set())
        except SCIMAPIException as exc:
            return self.error(operation, exc)
        data: Any = operation.data
        links: list[dict[str, Any]] = []
        if later and isinstance(data, dict):
            data, links = defer_references(data, later)
        path = "/".join(
            self.ids[part[len(PREFIX) :]] if part.startswith(PREFIX) else part
            for part in operation.path.split("/")
        )
        data = substitute(data, self.ids) if operation.has_data else None
        method = operation.method.upper()
        # A PUT, PATCH or DELETE names its resource: its location, even when it fails.
        location = None if method == "POST" else self.view.absolute_uri(path)
        try:
            response = self.view.dispatch_operation(method, path, data, operation.version)
        except ResourceNotFound as exc:
            return self.error(operation, exc)
        except MethodNotAllowed as exc:
            return self.error(operation, exc, location)
        finally:
            if method == "DELETE" and self.view.deleted_keys is not None:
                # A "deactivate" DELETE leaves its resource's key held.
                self.view.deleted_keys.forget()
        return self.answer(operation, response, path, location, links)

    def answer(
        self,
        operation: BulkOperation,
        response: Response,
        path: str,
        location: str | None,
        links: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """An operation's entry from its response; a created resource's id is kept."""
        result = self.result(operation)
        if operation.method.upper() == "POST" and response.status_code == 201:
            location = response.headers.get("Location")
            created = response.data.get("id") if isinstance(response.data, dict) else None
            if operation.bulk_id is not None and created is not None:
                self.ids[operation.bulk_id] = str(created)
                self.paths[operation.index] = f"{path.rstrip('/')}/{created}"
                if links:
                    self.links.append((operation, links))
        if location:
            result["location"] = location
        if response.status_code < 400 and response.headers.get("ETag"):
            result["version"] = response.headers["ETag"]
        result["status"] = str(response.status_code)
        if response.status_code >= 400:
            result["response"] = response.data
        return result

    def link(
        self, operation: BulkOperation, links: list[dict[str, Any]], created: dict[str, Any]
    ) -> dict[str, Any]:
        """PATCH into a cycle's first resource the references it was created without.

        §3.7.1; the PATCH goes through the same write path. ``created`` is its entry, which
        keeps its 201 and takes the PATCH's ``version``. When a reference still cannot be
        resolved (its POST failed), the entry is a 409; when the PATCH fails, its error.
        Either way the resource stays created without them, at ``location``, as §3.7.1
        allows ("MAY stop after a failed attempt").
        """
        unresolved = set().union(*(_references(op["value"]) for op in links)) - set(self.ids)
        if unresolved:
            names = ", ".join(map(repr, sorted(unresolved)))
            exc: SCIMAPIException = Conflict(
                f"The circular bulkId references {names} could not be resolved: their POST "
                "failed, so this resource was created without them (RFC 7644 §3.7.1)."
            )
            return self.error(operation, exc, created.get("location"))
        body = {"schemas": [constants.PATCH_OP_SCHEMA], "Operations": substitute(links, self.ids)}
        path = self.paths[operation.index]
        response = self.view.dispatch_operation("PATCH", path, body, None)
        if response.status_code >= 400:
            result = self.result(operation)
            result["location"] = created.get("location")
            result["status"] = str(response.status_code)
            result["response"] = response.data
            return result
        if response.headers.get("ETag"):
            created["version"] = response.headers["ETag"]
        return created
