"""The PATCH engine: RFC 7644 §3.5.2 applied to plain SCIM documents.

Two steps, both pure (no ORM, no HTTP, no DRF):

* :func:`parse_patch_request` checks a ``PatchOp`` message strictly and returns its
  operations as :class:`PatchOperation` objects with parsed paths. Unless ``strict``,
  the body is first rewritten from the dialects of identity providers into the RFC's
  shape by :func:`drf_scim.normalization.normalize_patch_request`; nothing in this
  module reads a dialect.
* :func:`apply_patch` applies the operations in order to a copy of the resource's current
  document and returns the new document, or raises the SCIM error of the first operation
  that fails. The input is never modified, so a failure leaves nothing half-done; the
  caller then validates the result (:func:`drf_scim.validation.validate_document`) and
  saves it inside its own transaction.

Values are checked per attribute type with the same code as POST and PUT
(:mod:`drf_scim.validation`), so ``"False"`` for a boolean or ``1234`` for a string is
read the same way everywhere.

Not implemented: the PATCH ``attributes`` response parameter is the view's business;
``primary`` is reset on the other values of the attribute changed, as RFC 7643 §2.4 asks,
but two values that are both ``primary`` in the stored document are left as they are.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

from .characteristics import Mutability
from .comparisons import COMPARISONS, Comparing, equality_key
from .constants import PATCH_OP_SCHEMA
from .definitions import Attribute, Schema
from .documents import copy_document
from .errors import (
    InvalidPathError,
    InvalidSyntaxError,
    InvalidValueError,
    MutabilityError,
    NoTargetError,
)
from .filter_language import (
    AttributePath,
    Comparison,
    Filter,
    FilterSyntaxError,
    Or,
    PatchPath,
    parse_path,
)
from .normalization import normalize_patch_request
from .paths import ResolvedPath, equality_conditions, is_present, resolve_path, value_matches
from .validation import ResourceSchemas, check_value_count, count_values, validate_value

__all__ = ["PatchOperation", "apply_patch", "parse_patch_request"]

Op = Literal["add", "remove", "replace"]
_OPS: Final[tuple[Op, ...]] = ("add", "remove", "replace")
_READ_ONLY = Mutability.READ_ONLY
_IMMUTABLE = Mutability.IMMUTABLE


@dataclass(frozen=True)
class PatchOperation:
    """One PATCH operation, normalised (RFC 7644 §3.5.2).

    ``path`` is ``None`` when the operation targets the resource itself; ``value`` is the
    JSON value as sent (``None`` for ``remove``), checked when the operation is applied.
    """

    op: Op
    path: PatchPath | None = None
    value: Any = None


# -- parsing the PatchOp message ---------------------------------------------------------


def parse_patch_request(
    body: Any, schemas: ResourceSchemas, *, strict: bool = False
) -> list[PatchOperation]:
    """Read a ``PatchOp`` request body (RFC 7644 §3.5.2) into its operations.

    Unless ``strict`` (the ``STRICT`` setting), the body is first rewritten from the
    dialects of identity providers into the RFC's shape by
    :func:`drf_scim.normalization.normalize_patch_request`; the message is then read
    strictly. ``schemas`` must list ``urn:ietf:params:scim:api:messages:2.0:PatchOp``;
    ``Operations`` is a non-empty array of objects with an ``op``, an optional ``path``
    and a ``value``, and no other member. Member names are case-insensitive (RFC 7643
    §2.1). Paths are parsed and resolved here, so that a request naming an unknown
    attribute fails before anything is applied.

    Errors: a malformed message or an unknown ``op`` raise ``invalidSyntax`` (RFC 7644
    Table 9: "did not conform to the request schema"; §3.5.2 says nothing more specific);
    a malformed or unknown ``path`` raises ``invalidPath``; a missing ``value`` for
    ``add``/``replace`` raises ``invalidValue`` ("a required value was missing"); a
    ``remove`` without ``path`` raises ``noTarget`` (§3.5.2.2). Positions in messages
    (``Operations[2]``) count the operations as normalised.
    """
    parsed: dict[str, PatchPath] = {}
    if not strict:
        body = normalize_patch_request(body, schemas, paths=parsed)
    if not isinstance(body, dict):
        raise InvalidSyntaxError("A PATCH body must be a JSON object (RFC 7644 §3.5.2).")
    members = _members(body)
    declared = members.get("schemas")
    if not isinstance(declared, list) or PATCH_OP_SCHEMA not in declared:
        raise InvalidSyntaxError(f"'schemas' must list {PATCH_OP_SCHEMA} (RFC 7644 §3.5.2).")
    raw_operations = members.get("operations")
    if not isinstance(raw_operations, list) or not raw_operations:
        raise InvalidSyntaxError("'Operations' must be a non-empty array (RFC 7644 §3.5.2).")
    urns = (schemas.core.id, *(ext.id for ext in schemas.extensions))
    return [
        _parse_operation(raw, f"Operations[{index}]", schemas, urns, parsed)
        for index, raw in enumerate(raw_operations)
    ]


def _members(data: dict[Any, Any]) -> dict[str, Any]:
    """The members of a message object by lower-case name (RFC 7643 §2.1)."""
    return {str(key).lower(): value for key, value in data.items()}


def _parse_operation(
    raw: Any,
    where: str,
    schemas: ResourceSchemas,
    urns: tuple[str, ...],
    parsed: dict[str, PatchPath],
) -> PatchOperation:
    if not isinstance(raw, dict):
        raise InvalidSyntaxError(f"{where} must be a JSON object with 'op', 'path' and 'value'.")
    members = _members(raw)
    if not set(members) <= {"op", "path", "value"}:
        unknown = sorted(set(members) - {"op", "path", "value"})
        raise InvalidSyntaxError(f"{where}: unknown member(s) {', '.join(unknown)}.")
    op = members.get("op")
    if op not in _OPS:
        raise InvalidSyntaxError(f"{where}.op must be 'add', 'remove' or 'replace', not {op!r}.")
    operation = cast(Op, op)
    text = members.get("path")
    path = parsed.get(text) if isinstance(text, str) else None
    if path is None:
        path = _parse_path_member(text, where, urns)
    if path is not None:
        resolve_path(path, schemas, strict=True)
    value = members.get("value")
    if operation == "remove":
        if path is None:
            raise NoTargetError(f"{where}: remove needs a 'path' (RFC 7644 §3.5.2.2).")
        if value is not None:
            raise InvalidSyntaxError(f"{where}: remove takes no 'value' (RFC 7644 §3.5.2.2).")
        return PatchOperation("remove", path)
    if "value" not in members:
        raise InvalidValueError(f"{where}: {operation} needs a 'value' (RFC 7644 §3.5.2).")
    return PatchOperation(operation, path, value)


def _parse_path_member(text: Any, where: str, urns: tuple[str, ...]) -> PatchPath | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise InvalidPathError(f"{where}.path must be a string.")
    try:
        return parse_path(text, schema_urns=urns)
    except FilterSyntaxError as exc:
        raise InvalidPathError(f"{where}.path: {exc}") from exc


# -- applying operations -----------------------------------------------------------------


def apply_patch(
    document: dict[str, Any],
    operations: Iterable[PatchOperation],
    schemas: ResourceSchemas,
    *,
    strict: bool = False,
    max_values: int | None = None,
) -> dict[str, Any]:
    """Apply ``operations`` in order to a copy of ``document`` and return the copy.

    ``document`` is the resource as the serializer represents it. Each operation sees
    the result of the previous one; the first that fails raises its SCIM error and the
    input is left untouched (RFC 7644 §3.5.2: a PATCH is atomic). Read-only attributes
    inside a path-less ``value`` are ignored (RFC 7644 §3.5.1); naming one in a ``path``
    raises ``mutability``, as does changing or removing an immutable attribute that has
    a value, or removing a required one (RFC 7644 §3.5.2, §3.5.2.2).

    Extension objects left empty are dropped, and when ``document`` has a ``schemas``
    list its extension URNs follow the extensions present. An unknown attribute in a
    path-less ``value`` or an extension object raises ``invalidSyntax``: the
    normalisation pass has dropped those it tolerates.

    Values are checked by :func:`drf_scim.validation.validate_value`, which reads the
    value dialects first unless ``strict``. That changes nothing in the values of
    operations from :func:`parse_patch_request`, which the normalisation pass has read
    already; it does read the values the engine builds from a filter's ``eq``
    conditions, such as ``{"value": "5"}`` for ``add emails[value eq 5].type``.

    A document whose multi-valued attributes would hold more than ``max_values`` values
    together (and more than they held) raises ``invalidValue`` as soon as an operation
    makes it so; a list longer than that is refused before its values are read.
    """
    result = copy_document(document)
    guarded = _guarded(schemas)
    applier = _Applier(result, schemas, strict, max_values)
    for operation in operations:
        before = _snapshot(result, guarded, schemas)
        applier.apply(operation)
        _check_guarded(before, _snapshot(result, guarded, schemas), guarded, schemas)
    _tidy(result, schemas)
    return result


def _check_writable(target: ResolvedPath) -> None:
    """A path may not name a readOnly attribute (RFC 7644 §3.5.2, RFC 7643 §2.2)."""
    attribute, sub = target.attribute, target.sub_attribute
    if (attribute is not None and attribute.mutability is _READ_ONLY) or (
        sub is not None and sub.mutability is _READ_ONLY
    ):
        raise MutabilityError(f"{target.label} is readOnly (RFC 7643 §2.2).")


def _key(container: dict[str, Any], name: str) -> str | None:
    """The key under which ``container`` holds ``name``, ignoring case."""
    if name in container:
        return name
    lowered = name.lower()
    return next((k for k in container if isinstance(k, str) and k.lower() == lowered), None)


def _get(container: Any, name: str) -> Any:
    if not isinstance(container, dict):
        return None
    key = _key(container, name)
    return None if key is None else container[key]


def _put(container: dict[str, Any], name: str, value: Any) -> None:
    """Set ``name`` in its canonical case; an unassigned value removes it (RFC 7643 §2.5)."""
    lowered = name.lower()
    for key in [k for k in container if isinstance(k, str) and k.lower() == lowered]:
        if key != name:
            del container[key]
    if is_present(value):
        container[name] = value  # in place when present: the document keeps its order
    else:
        container.pop(name, None)


def _element(attribute: Attribute, raw: Any, label: str, strict: bool) -> Any:
    """One value of a multi-valued attribute, checked as validation.py checks it."""
    cleaned = validate_value(attribute, [raw], label, strict)
    return cleaned[0] if cleaned else None


class _Applier:
    """Applies one operation to ``document`` in place (a copy owned by apply_patch)."""

    def __init__(
        self,
        document: dict[str, Any],
        schemas: ResourceSchemas,
        strict: bool,
        max_values: int | None = None,
    ):
        self.document = document
        self.schemas = schemas
        self.strict = strict
        self.max_values = max_values
        self.stored = count_values(document, schemas) if max_values is not None else 0
        # id(attribute) -> the index of its values, kept from one operation to the next
        # while the document holds the very list it indexes.
        self.indexes: dict[int, _ValueIndex] = {}

    def apply(self, operation: PatchOperation) -> None:
        op, value = operation.op, operation.value
        if operation.path is None:
            if op == "remove":
                raise NoTargetError("remove needs a 'path' (RFC 7644 §3.5.2.2).")
            self.resource(op, value)
            return
        target = resolve_path(operation.path, self.schemas, strict=True)
        attribute = target.attribute
        if attribute is None:
            self.whole_extension(cast(Schema, target.extension), op, value)
            return
        _check_writable(target)
        container = self.container(target.extension, create=op != "remove")
        if container is None:
            return
        if target.value_filter is not None:
            index = self.value_index(attribute, _get(container, attribute.name))
            _Values(container, target, self.strict, index).apply(op, value)
        elif target.sub_attribute is not None:
            self.sub_attribute(container, target, op, value)
        elif op == "remove":
            _put(container, attribute.name, None)
        else:
            self.attribute(container, attribute, op, value, target.label)
        if target.extension is not None and not container:
            _put(self.document, target.extension.id, None)

    def whole_extension(self, extension: Schema, op: Op, value: Any) -> None:
        """A path that is an extension URN targets the extension's object."""
        if op == "remove":
            _put(self.document, extension.id, None)
        else:
            self.extension(extension, op, value)

    def container(self, extension: Schema | None, create: bool) -> dict[str, Any] | None:
        """The document, or the object of ``extension`` in it (made if ``create``)."""
        if extension is None:
            return self.document
        current = _get(self.document, extension.id)
        if isinstance(current, dict):
            return current
        if not create:
            return None
        fresh: dict[str, Any] = {}
        _put(self.document, extension.id, None)
        self.document[extension.id] = fresh
        return fresh

    def resource(self, op: Op, value: Any) -> None:
        """No path: ``value`` is a set of attributes (RFC 7644 §3.5.2.1, §3.5.2.3)."""
        if not isinstance(value, dict):
            raise InvalidValueError(f"Without a path, the value of {op} must be a JSON object.")
        for key, raw in value.items():
            name = str(key)
            attribute = self.schemas.top_level(name)
            if attribute is not None:
                if attribute.mutability is not _READ_ONLY:
                    self.attribute(self.document, attribute, op, raw, attribute.name)
                continue
            extension = self.schemas.extension(name)
            if extension is not None:
                self.extension(extension, op, raw)
            elif name.lower() != "schemas":
                raise InvalidSyntaxError(f"Unknown attribute {name!r}.")

    def extension(self, extension: Schema, op: Op, value: Any) -> None:
        """The whole object of an extension: each attribute given is added or replaced."""
        if value is None:
            if op == "replace":
                _put(self.document, extension.id, None)
            return
        if not isinstance(value, dict):
            raise InvalidValueError(f"{extension.id}: expected a JSON object.")
        container = cast(dict[str, Any], self.container(extension, create=True))
        for key, raw in value.items():
            attribute = extension.get(str(key))
            if attribute is None:
                raise InvalidSyntaxError(f"Unknown attribute {extension.id}:{key}.")
            if attribute.mutability is not _READ_ONLY:
                label = f"{extension.id}:{attribute.name}"
                self.attribute(container, attribute, op, raw, label)
        if not container:
            _put(self.document, extension.id, None)

    def attribute(
        self, container: dict[str, Any], attribute: Attribute, op: Op, raw: Any, label: str
    ) -> None:
        """``add`` or ``replace`` of a whole attribute (RFC 7644 §3.5.2.1, §3.5.2.3)."""
        if raw is None:
            if op == "replace":
                _put(container, attribute.name, None)
            return
        if attribute.multi_valued:
            self.values(container, attribute, op, raw, label)
            return
        cleaned = validate_value(attribute, raw, label, self.strict)
        current = _get(container, attribute.name)
        if attribute.is_complex:
            merged = dict(current) if isinstance(current, dict) else {}
            merged.update(cleaned or {})
            if op == "replace" and isinstance(raw, dict):
                for key, sub_value in raw.items():
                    sub = attribute.get(str(key))
                    if sub_value is None and sub is not None and sub.mutability is not _READ_ONLY:
                        merged.pop(sub.name, None)
            _put(container, attribute.name, merged)
        else:
            _put(container, attribute.name, cleaned)

    def values(
        self, container: dict[str, Any], attribute: Attribute, op: Op, raw: Any, label: str
    ) -> None:
        """``add`` or ``replace`` of a multi-valued attribute's values, up to ``max_values``.

        The limit (on all multi-valued attributes together) is checked before the values
        are read, and again once they are in the document.
        """
        limit = self.max_values
        if limit is not None and isinstance(raw, list) and len(raw) > max(limit, self.stored):
            check_value_count({attribute.name: raw}, self.schemas, limit, stored=self.stored)
        cleaned = validate_value(attribute, raw, label, self.strict)
        if op == "replace":
            _put(container, attribute.name, cleaned)
        elif cleaned is not None:
            index = self.value_index(attribute, _get(container, attribute.name))
            index.settle_primary(index.merge(cleaned, label))
            _put(container, attribute.name, index.values)
        check_value_count(self.document, self.schemas, limit, stored=self.stored)

    def value_index(self, attribute: Attribute, current: Any) -> _ValueIndex:
        """The index of ``current``, the values of ``attribute`` in the document.

        It is made once and reused by the following operations as long as the document
        holds the list it owns: only the index changes that list and its values in place
        (other operations put a new list in the document).
        """
        index = self.indexes.get(id(attribute))
        if index is None or index.values is not current:
            index = _ValueIndex(attribute, current if isinstance(current, list) else [])
            self.indexes[id(attribute)] = index
        return index

    def sub_attribute(
        self, container: dict[str, Any], target: ResolvedPath, op: Op, raw: Any
    ) -> None:
        """``name.givenName``: one sub-attribute of a single-valued complex attribute."""
        attribute = cast(Attribute, target.attribute)
        sub = cast(Attribute, target.sub_attribute)
        if attribute.multi_valued:
            raise InvalidPathError(
                f"{target.label}: select values of {attribute.name} with a filter, "
                f'e.g. {attribute.name}[type eq "work"].{sub.name} (RFC 7644 §3.5.2).'
            )
        current = _get(container, attribute.name)
        merged = dict(current) if isinstance(current, dict) else {}
        if op == "remove" or raw is None:
            if op == "add":
                return
            _put(merged, sub.name, None)
        else:
            _put(merged, sub.name, validate_value(sub, raw, target.label, self.strict))
        _put(container, attribute.name, merged)


def _same(attribute: Attribute, left: Any, right: Any) -> bool:
    """Whether two values of a multi-valued attribute are the same value.

    Complex values with a ``value`` sub-attribute are the same when their ``value`` and,
    if both have one, their ``type`` compare equal as a filter's ``eq`` would; others
    must be equal.
    """
    if not attribute.is_complex:
        return value_matches(Comparison(AttributePath("value"), "eq", right), left, attribute)
    if not isinstance(left, dict) or not isinstance(right, dict):
        return bool(left == right)
    if attribute.get("value") is None or "value" not in right:
        return bool(left == right)
    names = ["value"]
    if attribute.get("type") is not None and "type" in right and _get(left, "type") is not None:
        names.append("type")
    return all(
        value_matches(Comparison(AttributePath(name), "eq", right[name]), left, attribute)
        for name in names
    )


_Key = tuple[Any, ...]


def _frozen(value: Any) -> Hashable:
    """A hashable form of a JSON value, equal for values that are ``==``."""
    if isinstance(value, dict):
        return frozenset((key, _frozen(item)) for key, item in value.items())
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return cast(Hashable, value)


def _literal_key(definition: Attribute, literal: Any) -> tuple[bool, Hashable | None]:
    """``(True, key)`` for a literal of ``definition``'s JSON type, else ``(False, None)``.

    Validated values are of their attribute's JSON type; for anything else the engine
    compares value by value rather than trust a key.
    """
    kind = COMPARISONS[definition.type].comparing
    clean = (
        isinstance(literal, str)
        if kind in (Comparing.TEXT, Comparing.INSTANT)
        else isinstance(literal, bool)
        if kind is Comparing.BOOLEAN
        else isinstance(literal, (int, float)) and not isinstance(literal, bool)
        if kind is Comparing.NUMBER
        else False
    )
    return (True, equality_key(definition, literal)) if clean else (False, None)


class _ValueIndex:
    """The values of one multi-valued attribute, found by what makes two of them the same.

    ``add`` leaves a value that is already there as it is (RFC 7644 §3.5.2.1), and a value
    filter such as ``emails[value eq "x"]`` selects values (§3.5.2). Comparing each new
    value, or each filter, with every stored value makes N operations on N values cost
    N² comparisons; the index files values under their
    :func:`~drf_scim.comparisons.equality_key` instead, so that each costs the same
    whatever the number of values.

    Each value carries a stamp, increasing along the list (``stamps``): buckets are heaps
    of stamps, so that the first value that is the same wins, as in a scan, and removing
    values moves no stamp. A value that changes is filed again; entries that no longer
    hold are dropped when met. ``values`` is the list the index owns: change it only
    through the methods below.
    """

    def __init__(self, attribute: Attribute, values: list[Any]) -> None:
        self.attribute = attribute
        self.values = list(values)
        self.stamps = list(range(len(self.values)))
        self.next_stamp = len(self.values)
        complex_ = attribute.is_complex
        self.value_sub = attribute.get("value") if complex_ else None
        self.type_sub = attribute.get("type") if complex_ else None
        self.whole = False  # keys of whole values: made the first time one is needed
        self.buckets: dict[_Key, list[int]] = {}
        self.primaries: set[int] = set()  # stamps of values that were primary when filed
        for stamp, element in zip(self.stamps, self.values, strict=True):
            self.file(stamp, element)

    def keys(self, element: Any) -> list[_Key]:
        """The buckets ``element`` belongs to, mirroring :func:`_same` for a stored value."""
        if not self.attribute.is_complex:
            key = equality_key(self.attribute, element)
            return [] if key is None else [("scalar", key)]
        if not isinstance(element, dict):
            return []
        keys: list[_Key] = [("whole", _frozen(element))] if self.whole else []
        value = (
            None if self.value_sub is None else equality_key(self.value_sub, _get(element, "value"))
        )
        if value is None:
            return keys
        keys.append(("value", value))
        if self.type_sub is not None:
            kind = _get(element, "type")
            if kind is None:
                keys.append(("untyped", value))
            else:
                type_key = equality_key(self.type_sub, kind)
                if type_key is not None:
                    keys.append(("typed", value, type_key))
        return keys

    def wanted(self, item: Any) -> list[_Key] | None:
        """The buckets holding the values :func:`_same` finds equal to ``item``.

        ``None`` when ``item`` is not what validation makes of a value: it is then
        compared with each value.
        """
        attribute = self.attribute
        if not attribute.is_complex:
            clean, key = _literal_key(attribute, item)
            return None if not clean else [] if key is None else [("scalar", key)]
        if not isinstance(item, dict):
            return None
        if self.value_sub is None or "value" not in item:
            self.index_whole_values()
            return [("whole", _frozen(item))]
        clean, value = _literal_key(self.value_sub, item["value"])
        if not clean:
            return None
        if value is None:
            return []
        if self.type_sub is None or "type" not in item:
            return [("value", value)]
        clean, type_key = _literal_key(self.type_sub, item["type"])
        if not clean:
            return None
        return (
            [("untyped", value)]
            if type_key is None
            else [("untyped", value), ("typed", value, type_key)]
        )

    def index_whole_values(self) -> None:
        if not self.whole:
            self.whole = True
            for stamp, element in zip(self.stamps, self.values, strict=True):
                if isinstance(element, dict):
                    heapq.heappush(self.buckets.setdefault(("whole", _frozen(element)), []), stamp)

    def file(self, stamp: int, element: Any) -> None:
        """File a value (new or changed) under its buckets."""
        for key in self.keys(element):
            heapq.heappush(self.buckets.setdefault(key, []), stamp)
        if isinstance(element, dict) and element.get("primary") is True:
            self.primaries.add(stamp)

    def position(self, stamp: int) -> int | None:
        """Where the value stamped ``stamp`` is in ``values``, or ``None`` if removed."""
        position = bisect.bisect_left(self.stamps, stamp)
        found = position < len(self.stamps) and self.stamps[position] == stamp
        return position if found else None

    def holds(self, key: _Key, stamp: int) -> int | None:
        """The position of ``stamp`` if its value still belongs to bucket ``key``."""
        position = self.position(stamp)
        if position is None or key not in self.keys(self.values[position]):
            return None
        return position

    def first(self, key: _Key) -> int | None:
        """The position of the first value in bucket ``key``."""
        heap = self.buckets.get(key)
        while heap:
            position = self.holds(key, heap[0])
            if position is not None:
                return position
            heapq.heappop(heap)  # a value that changed or left since it was filed here
        return None

    def every(self, key: _Key) -> list[int]:
        """The positions of all the values in bucket ``key``, in order; the bucket tidied."""
        stamps = sorted(set(self.buckets.get(key, ())))
        kept = [stamp for stamp in stamps if self.holds(key, stamp) is not None]
        self.buckets[key] = kept  # sorted: a heap
        return [cast(int, self.position(stamp)) for stamp in kept]

    def find(self, item: Any) -> int | None:
        """The position of the first value that is the same as ``item``, if any."""
        wanted = self.wanted(item)
        if wanted is None:
            return next(
                (i for i, old in enumerate(self.values) if _same(self.attribute, old, item)), None
            )
        found = [position for key in wanted if (position := self.first(key)) is not None]
        return min(found, default=None)

    def matching(self, node: Filter) -> list[int]:
        """The positions of the values ``node`` selects (:func:`paths.value_matches`).

        A filter of ``eq`` conditions on ``value`` (``value eq "x" and type eq "work"``),
        or an ``or`` of such filters (what the normalisation pass makes of Entra ID's
        ``remove`` with a list of values), is evaluated on the values in those values'
        buckets only; any other filter on every value.
        """
        terms = node.operands if isinstance(node, Or) else (node,)
        buckets = [self.bucket(term) for term in terms]
        if any(not narrowed for narrowed, _ in buckets):
            return [p for p, v in enumerate(self.values) if value_matches(node, v, self.attribute)]
        found: set[int] = set()
        for term, (_, key) in zip(terms, buckets, strict=True):
            for position in self.every(key) if key is not None else ():
                if position not in found and value_matches(
                    term, self.values[position], self.attribute
                ):
                    found.add(position)
        return sorted(found)

    def bucket(self, term: Filter) -> tuple[bool, _Key | None]:
        """Where the values ``term`` selects are, if the index can say.

        ``(True, key)``: every one is in bucket ``key`` (``None``: it selects none);
        ``(False, None)``: the index cannot narrow ``term``.
        """
        attribute = self.attribute
        conditions = equality_conditions(term, attribute)
        definition = attribute if not attribute.is_complex else self.value_sub
        if conditions is None or "value" not in conditions or definition is None:
            return False, None
        clean, key = _literal_key(definition, conditions["value"])
        if not clean:
            return False, None
        return True, None if key is None else ("value" if attribute.is_complex else "scalar", key)

    def append(self, element: Any) -> int:
        self.values.append(element)
        self.stamps.append(self.next_stamp)
        self.file(self.next_stamp, element)
        self.next_stamp += 1
        return len(self.values) - 1

    def replace(self, position: int, element: Any) -> None:
        self.values[position] = element
        self.file(self.stamps[position], element)

    def remove(self, positions: Iterable[int]) -> None:
        for position in sorted(set(positions), reverse=True):
            del self.values[position]
            del self.stamps[position]

    def merge(self, new: list[Any], label: str) -> list[int]:
        """``add`` to a multi-valued attribute: new values are appended, known ones updated.

        RFC 7644 §3.5.2.1: "If the target location already contains the value specified,
        no changes SHOULD be made"; sub-attributes sent with a known value (say
        ``primary``) are merged into it. Returns the positions added or updated.
        """
        touched: list[int] = []
        for item in new:
            position = self.find(item)
            if position is None:
                touched.append(self.append(item))
            elif isinstance(item, dict) and isinstance(self.values[position], dict):
                before = dict(self.values[position])
                self.values[position].update(item)
                _guard_element(self.attribute, before, self.values[position], label)
                self.file(self.stamps[position], self.values[position])
                touched.append(position)
        return touched

    def settle_primary(self, touched: list[int]) -> None:
        """RFC 7643 §2.4: a value made primary makes the others not primary."""
        winner = next(
            (
                self.values[p]
                for p in touched
                if isinstance(self.values[p], dict) and self.values[p].get("primary") is True
            ),
            None,
        )
        if winner is None:
            return
        kept: set[int] = set()
        for stamp in sorted(self.primaries):
            position = self.position(stamp)
            if position is None:
                continue
            value = self.values[position]
            if value is winner:
                kept.add(stamp)
            elif isinstance(value, dict) and value.get("primary") is True:
                value["primary"] = False
                self.file(stamp, value)
        self.primaries = kept


def _guard_element(attribute: Attribute, old: Any, new: Any, label: str) -> None:
    """An immutable sub-attribute of an existing value may not change (RFC 7643 §2.2)."""
    if not isinstance(old, dict):
        return
    for sub in attribute.sub_attributes:
        if sub.mutability is not _IMMUTABLE:
            continue
        before = _get(old, sub.name)
        if is_present(before) and _get(new, sub.name) != before:
            raise MutabilityError(f"{label}: {attribute.name}.{sub.name} is immutable.")


class _Values:
    """Operations on the values a filter selects: ``emails[type eq "work"].value``.

    They change the values through the attribute's :class:`_ValueIndex`, which finds
    them and stays valid for the next operation.
    """

    def __init__(
        self, container: dict[str, Any], target: ResolvedPath, strict: bool, index: _ValueIndex
    ):
        self.container = container
        self.target = target
        self.attribute = cast(Attribute, target.attribute)
        self.sub = target.sub_attribute
        self.value_filter = cast(Filter, target.value_filter)
        self.strict = strict
        self.index = index
        self.values = index.values
        self.matched = index.matching(self.value_filter)

    def apply(self, op: Op, raw: Any) -> None:
        if op == "remove" or raw is None:
            if op != "add":
                self.remove()
            return
        if not self.values:
            op = "add"  # RFC 7644 §3.5.2.3: a target with no value is treated as an add
        if not self.matched:
            if op == "replace":
                raise NoTargetError(f"{self.target.label}: the filter matched no value (§3.5.2.3).")
            touched = [self.index.append(self.create(raw))]
        else:
            touched = self.change(op, raw)
        self.index.settle_primary(touched)
        _put(self.container, self.attribute.name, self.values)

    def remove(self) -> None:
        """RFC 7644 §3.5.2.2: the matched values, or their sub-attribute, are removed."""
        label, sub = self.target.label, self.sub
        gone: list[int] = []
        for position in self.matched:
            value = self.values[position]
            if sub is not None and isinstance(value, dict):
                updated = dict(value)
                _put(updated, sub.name, None)
                _guard_element(self.attribute, value, updated, label)
                if updated:
                    self.index.replace(position, updated)
                    continue
            gone.append(position)
        self.index.remove(gone)
        _put(self.container, self.attribute.name, self.values)

    def change(self, op: Op, raw: Any) -> list[int]:
        """RFC 7644 §3.5.2.3: "all matching record values SHALL be replaced"."""
        label, sub = self.target.label, self.sub
        if sub is not None:
            cleaned = validate_value(sub, raw, label, self.strict)
        else:
            cleaned = _element(self.attribute, raw, label, self.strict)
            if cleaned is None:
                return []
        touched: list[int] = []
        for position in self.matched:
            old = self.values[position]
            if not isinstance(old, dict) or not self.attribute.is_complex:
                new = cleaned
            elif sub is not None:
                new = dict(old)
                _put(new, sub.name, cleaned)
            elif op == "replace":
                new = dict(cleaned)
            else:
                new = {**old, **cleaned}
            _guard_element(self.attribute, old, new, label)
            self.index.replace(position, new)
            touched.append(position)
        return touched

    def create(self, raw: Any) -> Any:
        """``add`` that matched nothing: a new value carrying the filter's ``eq`` values.

        ``add emails[type eq "work"].value`` without a work e-mail creates
        ``{"type": "work", "value": ...}`` (Entra ID relies on it).
        """
        label, sub = self.target.label, self.sub
        conditions = equality_conditions(self.value_filter, self.attribute)
        if conditions is None:
            raise NoTargetError(
                f"{label}: the filter matched no value, and only 'eq' conditions "
                "can describe a new one."
            )
        if not self.attribute.is_complex:
            element = _element(self.attribute, raw, label, self.strict)
        elif sub is not None:
            element = _element(self.attribute, {**conditions, sub.name: raw}, label, self.strict)
        else:
            given = _element(self.attribute, raw, label, self.strict)
            element = _element(self.attribute, {**conditions, **(given or {})}, label, self.strict)
        if element is None:
            raise InvalidValueError(f"{label}: no value to add.")
        return element


# -- what each operation must leave alone ------------------------------------------------

_Guarded = list[tuple[Schema | None, Attribute]]


def _guarded(schemas: ResourceSchemas) -> _Guarded:
    """Attributes whose value an operation may not remove or change once set."""

    def constrained(attribute: Attribute) -> bool:
        return attribute.required or attribute.mutability is _IMMUTABLE

    guarded: _Guarded = []
    for urn, attribute in schemas.walk():
        if attribute.mutability is _READ_ONLY:
            continue
        singular_complex = attribute.is_complex and not attribute.multi_valued
        if constrained(attribute) or (
            singular_complex and any(constrained(sub) for sub in attribute.sub_attributes)
        ):
            guarded.append((schemas.extension(urn) if urn else None, attribute))
    return guarded


def _snapshot(
    document: dict[str, Any], guarded: _Guarded, schemas: ResourceSchemas
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for extension, attribute in guarded:
        container = _get(document, extension.id) if extension else document
        values[_label(extension, attribute)] = copy_document(_get(container, attribute.name))
    for urn in schemas.required_extensions:
        values[urn] = is_present(_get(document, urn))
    return values


def _label(extension: Schema | None, attribute: Attribute) -> str:
    return f"{extension.id}:{attribute.name}" if extension else attribute.name


def _check_guarded(
    before: dict[str, Any], after: dict[str, Any], guarded: _Guarded, schemas: ResourceSchemas
) -> None:
    """RFC 7644 §3.5.2: required and immutable attributes hold after each operation."""
    for urn in schemas.required_extensions:
        if before[urn] and not after[urn]:
            raise MutabilityError(f"{urn} is a required extension and cannot be removed.")
    for extension, attribute in guarded:
        name = _label(extension, attribute)
        old, new = before[name], after[name]
        if not is_present(old):
            continue
        _check_change(attribute, name, old, new)
        if attribute.multi_valued or not isinstance(old, dict) or not is_present(new):
            continue
        for sub in attribute.sub_attributes:
            _check_change(sub, f"{name}.{sub.name}", _get(old, sub.name), _get(new, sub.name))


def _check_change(attribute: Attribute, name: str, old: Any, new: Any) -> None:
    """A required value may not go; an immutable one may not change (RFC 7643 §2.2)."""
    if not is_present(old):
        return
    if attribute.required and not is_present(new):
        raise MutabilityError(f"{name} is required and cannot be removed (RFC 7644 §3.5.2.2).")
    if attribute.mutability is _IMMUTABLE and new != old:
        raise MutabilityError(f"{name} is immutable and already has a value (RFC 7643 §2.2).")


def _tidy(document: dict[str, Any], schemas: ResourceSchemas) -> None:
    """Drop empty extension objects; keep a ``schemas`` list in step with the extensions."""
    for extension in schemas.extensions:
        key = _key(document, extension.id)
        if key is not None and not is_present(document[key]):
            del document[key]
    key = _key(document, "schemas")
    declared = document.get(key) if key is not None else None
    if key is None or not isinstance(declared, list):
        return

    def listed(urn: Any, extension: Schema) -> bool:
        return isinstance(urn, str) and urn.lower() == extension.id.lower()

    kept = [
        urn
        for urn in declared
        if not any(
            listed(urn, ext) and _key(document, ext.id) is None for ext in schemas.extensions
        )
    ]
    for extension in schemas.extensions:
        if _key(document, extension.id) is not None and not any(listed(u, extension) for u in kept):
            kept.append(extension.id)
    document[key] = kept
