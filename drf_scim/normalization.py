"""The one place where identity providers' dialects become RFC 7643 and RFC 7644 shapes.

RFC 7644 is strict; real clients are not. Every accommodation drf-scim makes for a client
lives here, with the client that needs it. It is one pass in front of the strict code,
skipped when the ``STRICT`` setting is true:

* a POST or PUT body goes through :func:`normalize_document`, then
  :func:`drf_scim.validation.validate_document` checks it strictly (one value at a time:
  :func:`normalize_value`, then :func:`drf_scim.validation.validate_value`);
* a PATCH body goes through :func:`normalize_patch_request`, which also reads the value
  of each operation as a value of the attribute its path names; then
  :func:`drf_scim.patch.parse_patch_request` reads it strictly and
  :func:`drf_scim.patch.apply_patch` applies it.

Each function returns the RFC form of what it can read and passes the rest on as sent,
so that the strict code refuses it with the error RFC 7644 §3.12 asks for; inputs are
never modified. The RFC's own leniencies (attribute names are case-insensitive, RFC 7643
§2.1; read-only attributes in a request are ignored, RFC 7644 §3.5.1) are not dialects:
the strict code applies them whatever ``STRICT`` says. Leniencies that are not one
client's but are refused by ``STRICT`` are read here too: unknown attributes and
sub-attributes are dropped, a missing ``schemas`` is supplied, of two ``primary`` values
the first is kept (RFC 7643 §2.4).

Accepted dialects:

* Booleans as strings: ``"True"``, ``"false"`` (Microsoft Entra ID).
* Whole numbers for string attributes, e.g. ``"employeeNumber": 1234`` (Entra ID,
  JumpCloud), and numeric strings for integer or decimal attributes. A fraction for a
  string (``"displayName": 1.5``) is no dialect.
* A single value where a multi-valued attribute is expected, e.g. ``"emails": {...}``,
  and a one-element list where a single complex value is expected, e.g. ``"manager":
  [{"value": "26118915"}]`` (Entra ID's sample code).
* A bare string for a single-valued complex attribute with a ``value`` sub-attribute,
  e.g. ``"manager": "26118915"`` (Entra ID), read as ``{"value": "26118915"}``.
* Extension attributes as URN-qualified top-level keys, e.g.
  ``"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "R&D"``
  (Entra ID), read as if nested under the extension's URN.

Not dialects, so passed on for validation to refuse with ``invalidValue``: a list for a
single simple value (``"userName": ["x"]``), a bare string or number for a value of a
multi-valued complex attribute (``"emails": "a@b"``, ``"emails": [1, 2]``), a
``schemas`` that is not a list (RFC 7643 §3: "an array of Strings").

PATCH (RFC 7644 §3.5.2): :func:`normalize_patch_request` rewrites a whole ``PatchOp``
body into the RFC's shape before :func:`drf_scim.patch.parse_patch_request` reads it
strictly, so the parser holds no dialect:

* Capitalised operation names, ``"Replace"``, ``"Add"``, ``"Remove"`` (Entra ID).
* Path-less values with dotted or URN-qualified keys, ``{"name.givenName": "x"}``
  (Entra ID), read as operations on those paths.
* ``remove`` of a multi-valued attribute with a ``value`` listing the values to remove,
  ``{"op": "remove", "path": "members", "value": [{"value": "<id>"}]}`` (Entra ID,
  JumpCloud), read as ``members[value eq "<id>"]``.
* An extension attribute named without its URN, ``"path": "department"``, qualified as
  the filters read it; a missing ``schemas``, unknown members of an operation and
  ``"path": ""``.

docs/architecture/patch.md lists each with its source.

Filters (RFC 7644 §3.4.2.2): :func:`normalize_filter` rewrites the text of a ``filter``
before the strict parser reads it:

* A sub-attribute after a value filter, ``emails[type eq "work"].value eq "x@y"``
  (Microsoft Entra ID's user queries): PATCH path syntax (§3.5.2), outside the filter
  grammar, read as ``emails[(type eq "work") and value eq "x@y"]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from .characteristics import AttributeType, Mutability
from .constants import PATCH_OP_SCHEMA
from .definitions import Attribute, ResourceSchemas, Schema
from .errors import InvalidPathError, InvalidValueError
from .filter_language import (
    And,
    AttributePath,
    Comparison,
    Filter,
    FilterSyntaxError,
    Or,
    PatchPath,
    parse_path,
)
from .filter_language.tokens import (
    DOT,
    ERROR,
    LBRACKET,
    NUMBER,
    RBRACKET,
    STRING,
    WORD,
    Token,
    tokenize,
)
from .paths import ResolvedPath, resolve_path

__all__ = [
    "as_complex",
    "as_list",
    "as_single",
    "coerce_boolean",
    "coerce_decimal",
    "coerce_integer",
    "coerce_string",
    "nest_qualified_keys",
    "normalize_document",
    "normalize_filter",
    "normalize_patch_request",
    "normalize_value",
    "values_filter",
]


def coerce_boolean(value: Any) -> Any:
    """``"True"``/``"False"`` in any case become booleans (Entra ID)."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def coerce_string(value: Any) -> Any:
    """Whole numbers become their decimal text (Entra ID, JumpCloud: ``employeeNumber``).

    Only integers: no IdP sends a fraction for a string, so ``1.5`` is left for
    validation to refuse.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))  # 1234.0: JSON has one number type
    return value


def coerce_integer(value: Any) -> Any:
    """Numeric strings such as ``"42"`` become integers."""
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?[0-9]{1,30}", text):
            return int(text)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def coerce_decimal(value: Any) -> Any:
    """Numeric strings such as ``"4.5"`` become numbers."""
    if isinstance(value, str) and len(value) <= 60:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return value
        if number.is_finite():
            return float(number)
    return value


def as_single(value: Any) -> Any:
    """A one-element list where a single value is expected becomes that value.

    Entra ID's sample code sets ``manager`` as ``[{"$ref": ..., "value": "<id>"}]``. A
    list in a list is left alone: read once more, it would be read differently.
    """
    if isinstance(value, list) and len(value) == 1 and not isinstance(value[0], list):
        return value[0]
    return value


def as_list(value: Any) -> Any:
    """A single value where a list is expected becomes a one-element list."""
    return value if isinstance(value, list) else [value]


def as_complex(value: Any, has_value_sub_attribute: bool) -> Any:
    """A bare string for a complex attribute becomes ``{"value": ...}`` (Entra ID ``manager``)."""
    if has_value_sub_attribute and isinstance(value, (str, int)) and not isinstance(value, bool):
        return {"value": value}
    return value


def nest_qualified_keys(data: dict[str, Any], extension_ids: Iterable[str]) -> dict[str, Any]:
    """Move ``"<extension URN>:<attribute>"`` keys under the extension's own key (Entra ID).

    One pass: the extension's key is looked up, not searched for, so that a body of many
    keys costs linear time.
    """
    prefixes = {urn.lower() + ":": urn for urn in extension_ids}
    if not any(key.lower().startswith(tuple(prefixes)) for key in data):
        return data
    urns = {urn.lower() for urn in prefixes.values()}
    first: dict[str, str] = {}  # an extension URN in lower case -> its first key in result
    result: dict[str, Any] = {}
    for key, value in data.items():
        lowered = key.lower()
        prefix = next((p for p in prefixes if lowered.startswith(p)), None)
        if prefix is not None:
            urn = prefixes[prefix]
            target = first.setdefault(urn.lower(), urn)
            nested = result.setdefault(target, {})
            if isinstance(nested, dict):
                nested[key[len(prefix) :]] = value
            continue
        if lowered in urns:
            target = first.setdefault(lowered, key)
            if isinstance(value, dict):
                existing = result.setdefault(target, {})
                if isinstance(existing, dict):
                    existing.update(value)
                    continue
        result[key] = value
    return result


# -- documents and values (RFC 7643 §2) --------------------------------------------------

_STRINGS = (
    AttributeType.STRING,
    AttributeType.REFERENCE,
    AttributeType.BINARY,
    AttributeType.DATETIME,
)


def normalize_document(data: Any, schemas: ResourceSchemas) -> Any:
    """Return a POST or PUT body with the value dialects above read (RFC 7643 §2).

    The result is what :func:`drf_scim.validation.validate_document` accepts with
    ``strict=True`` when the values fit their attributes: ``schemas`` lists the core
    schema, extension attributes sent as URN-qualified keys are nested under their
    extension, unknown attributes and sub-attributes are dropped (as when ``STRICT`` is
    off), each value of a known attribute goes through :func:`normalize_value`.
    Read-only attributes are left as sent: validation ignores them (RFC 7644 §3.5.1).
    """
    if not isinstance(data, dict):
        return data
    data = nest_qualified_keys(data, (ext.id for ext in schemas.extensions))
    result: dict[str, Any] = {}
    declared: Any = None
    for key, value in data.items():
        name = str(key)
        attribute = schemas.top_level(name)
        extension = schemas.extension(name) if attribute is None else None
        if attribute is not None:
            result[key] = _attribute_value(attribute, value)
        elif extension is not None:
            result[key] = _extension_value(extension, value)
        elif name.lower() == "schemas":
            declared = value
    if declared is None:
        declared = [schemas.core.id]
    elif isinstance(declared, list) and schemas.core.id not in declared:
        declared = [schemas.core.id, *declared]
    return {"schemas": declared, **result}  # anything but a list is passed on, refused


def _extension_value(extension: Schema, value: Any) -> Any:
    """The object of an extension: its attributes normalised, unknown ones dropped."""
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for key, item in value.items():
        attribute = extension.get(str(key))
        if attribute is not None:
            result[key] = _attribute_value(attribute, item)
    return result


def _attribute_value(attribute: Attribute, value: Any) -> Any:
    if value is None or attribute.mutability is Mutability.READ_ONLY:
        return value
    return normalize_value(attribute, value)


def normalize_value(attribute: Attribute, value: Any) -> Any:
    """Return ``value``, sent for ``attribute``, with the value dialects above read.

    A multi-valued attribute gets a list (:func:`as_list`; for a complex attribute, only
    an object is wrapped) whose values are read one by one, and of which one value at
    most stays ``primary`` (RFC 7643 §2.4: the first); a single-valued complex one gets
    its value out of a one-element list (:func:`as_single`) or from a bare id
    (:func:`as_complex`).
    ``null`` values are kept, so that positions in error messages stay those of the
    request. What cannot be read is returned as sent; ``value`` is not modified.
    """
    if not attribute.multi_valued:
        if attribute.is_complex:
            value = as_complex(as_single(value), attribute.get("value") is not None)
        return _single_value(attribute, value)
    if attribute.is_complex and not isinstance(value, (dict, list)):
        return value  # "emails": "a@b" is no dialect: refused as sent
    items = [item if item is None else _single_value(attribute, item) for item in as_list(value)]
    if attribute.is_complex:
        primaries = [i for i in items if isinstance(i, dict) and i.get("primary") is True]
        for item in primaries[1:]:
            item["primary"] = False  # a copy, made by _single_value
    return items


def _single_value(attribute: Attribute, value: Any) -> Any:
    """One value: coerced to the attribute's type, or its sub-attributes read."""
    if not attribute.is_complex:
        return _COERCE.get(attribute.type, _unchanged)(value)
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for key, item in value.items():
        sub = attribute.get(str(key))
        if sub is not None:
            result[key] = item if item is None else normalize_value(sub, item)
    return result


def _unchanged(value: Any) -> Any:
    return value


_COERCE: dict[AttributeType, Callable[[Any], Any]] = {
    **dict.fromkeys(_STRINGS, coerce_string),
    AttributeType.BOOLEAN: coerce_boolean,
    AttributeType.INTEGER: coerce_integer,
    AttributeType.DECIMAL: coerce_decimal,
}


# -- PATCH requests (RFC 7644 §3.5.2) -----------------------------------------------------

_PATCH_OPS = ("add", "remove", "replace")
_OPERATION_MEMBERS = ("op", "path", "value")


def normalize_patch_request(
    body: Any, schemas: ResourceSchemas, *, paths: dict[str, PatchPath] | None = None
) -> Any:
    """Return ``body`` with the PATCH dialects below rewritten as RFC 7644 §3.5.2 says.

    The result is a ``PatchOp`` message that :func:`drf_scim.patch.parse_patch_request`
    accepts with ``strict=True``: ``schemas`` lists the ``PatchOp`` URN, each operation
    has only ``op``, ``path`` and ``value``, ``op`` is lower case, paths name what they
    target, path-less values hold attribute names and extension URNs only, and each
    ``value`` is read for the attribute it is given to (:func:`normalize_value`; unknown
    attributes and sub-attributes dropped). What this layer cannot read is passed on as
    sent, for the strict code to refuse with the error the RFC asks for; ``body`` itself
    is never modified.

    * ``"op": "Replace"``, ``"Add"``, ``"Remove"`` (Microsoft Entra ID, whose SCIM
      tutorial says it "emits the values of op as Add, Replace, and Remove").
    * Path-less values whose keys are paths, ``{"name.givenName": "x"}`` (Entra ID with
      its ``aadOptscim062020`` flag): one operation per path, after the path-less one
      (:func:`split_path_keys`).
    * ``remove`` with a ``value`` listing the values to remove (Entra ID without the flag,
      JumpCloud): a value filter (:func:`values_filter`). On a single-valued attribute,
      or a path that already selects values, the ``value`` is dropped; an empty list
      removes nothing, written as the RFC's no-op, a path-less ``add`` of ``{}``.
    * An unqualified name of an extension attribute, ``"path": "department"``, as the
      filters read it: qualified with its extension's URN.

    Leniencies that are not one client's: a missing ``schemas``, unknown members of an
    operation (dropped) and ``"path": ""`` (no path).

    Raises ``invalidValue`` when a ``remove`` lists values that cannot select any
    (``[{"value": [1]}]``); nothing else. The paths it parsed are put in ``paths``, when
    given, by their text: the strict parser that follows need not parse them again.
    """
    if not isinstance(body, dict):
        return body
    members = {str(key).lower(): value for key, value in body.items()}
    declared = members.get("schemas")
    result: dict[str, Any] = {
        "schemas": declared
        if isinstance(declared, list) and PATCH_OP_SCHEMA in declared
        else [PATCH_OP_SCHEMA]
    }
    operations = members.get("operations")
    if isinstance(operations, list):
        reader = _PatchReader(schemas, {} if paths is None else paths)
        operations = [
            normalised
            for index, raw in enumerate(operations)
            for normalised in reader.operation(raw, f"Operations[{index}]")
        ]
    if "operations" in members:
        result["Operations"] = operations
    return result


class _PatchReader:
    """Reads the operations of one ``PatchOp`` message for :func:`normalize_patch_request`."""

    def __init__(self, schemas: ResourceSchemas, paths: dict[str, PatchPath]) -> None:
        self.schemas = schemas
        self.urns = (schemas.core.id, *(ext.id for ext in schemas.extensions))
        self.paths = paths

    def operation(self, raw: Any, where: str) -> list[Any]:
        """One operation as sent → the RFC operations it means (usually one)."""
        if not isinstance(raw, dict):
            return [raw]
        members = {str(key).lower(): value for key, value in raw.items()}
        operation = {name: members[name] for name in _OPERATION_MEMBERS if name in members}
        op = operation.get("op")
        if isinstance(op, str) and op.strip().lower() in _PATCH_OPS:
            operation["op"] = op = op.strip().lower()
        text = operation.get("path")
        if isinstance(text, str) and not text.strip():
            del operation["path"]
        target = self.path(operation.get("path"))
        if target is not None and _qualified(*target) is not target[0]:
            operation["path"] = str(_qualified(*target))
        if op == "remove" and target is not None and operation.get("value") is not None:
            return self.remove_listed_values(*target, operation["value"], where)
        value = operation.get("value")
        if op in ("add", "replace") and "path" not in operation and isinstance(value, dict):
            return self.split_path_keys(op, value)
        if op in ("add", "replace") and target is not None and value is not None:
            operation["value"] = _target_value(target[1], value)
        return [operation]

    def path(self, text: Any) -> tuple[PatchPath, ResolvedPath] | None:
        """A path that parses and names an attribute of the resource, else ``None``."""
        if not isinstance(text, str):
            return None
        try:
            path = parse_path(text, schema_urns=self.urns)
            self.paths[text] = path
            return path, resolve_path(path, self.schemas)
        except (FilterSyntaxError, InvalidPathError):
            return None

    def split_path_keys(self, op: str, value: dict[str, Any]) -> list[Any]:
        """A path-less value with path keys: one operation per path.

        Entra ID (with ``aadOptscim062020``) sends ``{"op": "replace", "value":
        {"name.givenName": "x", "urn:...:enterprise:2.0:User:employeeNumber": "y"}}``;
        RFC 7644 §3.5.2.3 only puts attribute names (and extension URNs, RFC 7643 §3.3)
        there. Attribute names, extension URNs and ``schemas`` stay in one path-less
        operation; the keys that are paths follow as operations of their own; keys that
        are neither are dropped, as unknown attributes are in a POST.
        """
        plain: dict[str, Any] = {}
        pathed: list[Any] = []
        for key, item in value.items():
            name = str(key)
            if (
                self.schemas.top_level(name) is not None
                or self.schemas.extension(name) is not None
                or name.lower() == "schemas"
            ):
                plain[name] = item
                continue
            target = self.path(name)
            if target is not None:
                path = str(_qualified(*target))
                read = item if item is None else _target_value(target[1], item)
                pathed.append({"op": op, "path": path, "value": read})
        if plain or not pathed:
            return [{"op": op, "value": self.path_less_value(plain)}, *pathed]
        return pathed

    def path_less_value(self, value: dict[str, Any]) -> dict[str, Any]:
        """The attributes and extension objects of a path-less value, their values read."""
        result: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            attribute = self.schemas.top_level(name)
            extension = self.schemas.extension(name) if attribute is None else None
            if attribute is not None:
                result[key] = _attribute_value(attribute, item)
            elif extension is not None:
                result[key] = _extension_value(extension, item)
            else:
                result[key] = item  # "schemas", ignored by the engine
        return result

    def remove_listed_values(
        self, path: PatchPath, target: ResolvedPath, value: Any, where: str
    ) -> list[dict[str, Any]]:
        """``remove`` with a ``value`` (:func:`values_filter`): remove the values listed.

        One operation, however long the list: its path is put in ``paths`` already
        parsed, so the parser's length limit (``DEFAULT_MAX_LENGTH``, for what clients
        write) does not apply, and 20,000 members leave as one ``DELETE``.
        """
        attribute = target.attribute
        if (
            attribute is None
            or not attribute.multi_valued
            or path.value_filter is not None
            or path.sub_attribute is not None
        ):
            return [{"op": "remove", "path": str(_qualified(path, target))}]
        items = value if isinstance(value, list) else [value]
        if not items:
            return [{"op": "add", "value": {}}]  # nothing listed, nothing removed
        selector = values_filter(items, attribute)
        if selector is None:
            raise InvalidValueError(f"{where}: the 'value' of remove must list values of {path}.")
        whole = _qualified(PatchPath(path.attribute, None, path.schema), target)
        listed = PatchPath(whole.attribute, None, whole.schema, selector)
        text = str(listed)
        self.paths[text] = listed
        return [{"op": "remove", "path": text}]


def _target_value(target: ResolvedPath, value: Any) -> Any:
    """The ``value`` of ``add`` or ``replace`` on ``target``, read as its attribute's."""
    if target.attribute is None:
        extension = target.extension
        return value if extension is None else _extension_value(extension, value)
    if target.sub_attribute is not None:
        return normalize_value(target.sub_attribute, value)
    if target.value_filter is not None:
        # one value of the attribute; a bare string is its "value" (tests/test_patch.py)
        value = as_complex(value, target.attribute.get("value") is not None)
        return _single_value(target.attribute, value)
    return normalize_value(target.attribute, value)


def _qualified(path: PatchPath, target: ResolvedPath) -> PatchPath:
    """``department`` → ``urn:...:enterprise:2.0:User:department``, as the filters read it."""
    if path.schema is not None or path.attribute is None or target.extension is None:
        return path
    return PatchPath(path.attribute, path.sub_attribute, target.extension.id, path.value_filter)


def values_filter(values: list[Any], attribute: Attribute) -> Filter | None:
    """A value filter matching each of ``values``: ``value eq "a" or value eq "b"``.

    Entra ID's default group-member removal is ``{"op": "Remove", "path": "members",
    "value": [{"value": "<id>"}]}`` (JumpCloud's too, by integrators' accounts). RFC 7644
    §3.5.2.2 defines no ``value`` for remove, and the path alone would empty the group;
    the filter turns it into the RFC's ``members[value eq "<id>"]``.

    A value is matched by its ``value`` sub-attribute when it has one, else by all the
    known sub-attributes given. Returns ``None`` when a value cannot be a filter.
    """
    terms: list[Filter] = []
    for item in values:
        term = _value_condition(item, attribute)
        if term is None:
            return None
        terms.append(term)
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def _filter_literal(value: Any) -> tuple[bool, Any]:
    if isinstance(value, (str, bool, int)):
        return True, value
    if isinstance(value, float):
        return True, Decimal(repr(value))
    return False, None


def _value_condition(item: Any, attribute: Attribute) -> Filter | None:
    if isinstance(item, dict) and not attribute.is_complex:
        item = next((v for k, v in item.items() if str(k).lower() == "value"), None)
    if not isinstance(item, dict):
        ok, literal = _filter_literal(item)
        return Comparison(AttributePath("value"), "eq", literal) if ok else None
    given = {str(k).lower(): v for k, v in item.items() if v is not None}
    if "value" in given and attribute.get("value") is not None:
        given = {"value": given["value"]}
    terms: list[Filter] = []
    for name, raw in given.items():
        sub = attribute.get(name)
        ok, literal = _filter_literal(raw)
        if sub is None:
            continue
        if not ok:
            return None
        terms.append(Comparison(AttributePath(sub.name), "eq", literal))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else And(tuple(terms))


# -- filters (RFC 7644 §3.4.2.2) ------------------------------------------------------------

_SUB_ATTRIBUTE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
_FILTER_OPERATORS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"})


def normalize_filter(text: str) -> str:
    """Return ``text`` with the filter dialects below rewritten as RFC 7644 §3.4.2.2 says.

    * ``attr[valFilter].sub op value`` (and ``.sub pr``): Microsoft Entra ID queries
      users with ``emails[type eq "work"].value eq "x@y"``, a PATCH path (§3.5.2) used
      as a filter. It means "a work e-mail whose value is x@y", which the grammar writes
      ``emails[(type eq "work") and value eq "x@y"]``.

    Anything else is returned as sent, for the strict parser to read or refuse.
    """
    tokens = tokenize(text)
    if tokens[-1].kind == ERROR:
        return text
    edits: list[tuple[int, int, str]] = []
    opening: Token | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == LBRACKET:
            opening = token
        elif token.kind == RBRACKET and opening is not None:
            found = _trailing_comparison(tokens, index)
            if found is not None:
                end, comparison = found
                inner = text[opening.position + 1 : token.position].strip()
                edits.append(
                    (opening.position + 1, _end(tokens[end - 1]), f"({inner}) and {comparison}]")
                )
                index = end
                opening = None
                continue
            opening = None
        index += 1
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def _trailing_comparison(tokens: list[Token], index: int) -> tuple[int, str] | None:
    """``.sub op value`` right after the ``]`` at ``index``: (index after it, the text)."""
    following = tokens[index + 1 : index + 5]
    if len(following) < 3:
        return None
    closing, (dot, name, operator) = tokens[index], following[:3]
    if (
        dot.kind != DOT
        or dot.position != closing.position + 1
        or name.kind != WORD
        or name.position != dot.position + 1
        or _SUB_ATTRIBUTE.fullmatch(name.text) is None
        or operator.kind != WORD
    ):
        return None
    op = operator.text.lower()
    if op == "pr":
        return index + 4, f"{name.text} pr"
    value = following[3] if len(following) > 3 else None
    if op not in _FILTER_OPERATORS or value is None or not _is_literal(value):
        return None
    return index + 5, f"{name.text} {op} {value.text}"


def _is_literal(token: Token) -> bool:
    """A ``compValue`` (§3.4.2.2): a string, a number, ``true``, ``false`` or ``null``."""
    if token.kind in (STRING, NUMBER):
        return True
    return token.kind == WORD and token.text.lower() in ("true", "false", "null")


def _end(token: Token) -> int:
    return token.position + len(token.text)
