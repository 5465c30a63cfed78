"""Parse SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2) into trees of nodes.

The parser is a loop over the token list with an explicit stack of open groups, not a
recursive descent: nesting costs one stack frame object, never a Python call frame, so
no input can raise ``RecursionError``.  Within a group, ``and`` terms are gathered
before ``or`` terms, which is all the precedence the grammar has (``not`` always takes a
parenthesised group).

Malformed input of any kind raises :class:`FilterSyntaxError` and nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Final, cast

from .errors import FilterSyntaxError
from .nodes import (
    And,
    AttributePath,
    Comparison,
    ComparisonOperator,
    CompValue,
    Filter,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
)
from .tokens import (
    DOT,
    EOF,
    ERROR,
    LBRACKET,
    LPAREN,
    NUMBER,
    RBRACKET,
    RPAREN,
    STRING,
    WORD,
    Token,
    tokenize,
)

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_SCHEMA_URNS",
    "parse_attribute_path",
    "parse_filter",
    "parse_path",
]

#: Longest filter or path accepted, in characters; longer input is refused unread.
DEFAULT_MAX_LENGTH: Final = 10_000
#: Deepest nesting of parentheses, ``not (...)`` and value-path brackets accepted.
DEFAULT_MAX_DEPTH: Final = 50
#: Schema URNs that ``parse_path`` reads as a whole schema rather than as an attribute.
DEFAULT_SCHEMA_URNS: Final[frozenset[str]] = frozenset(
    {
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:core:2.0:Group",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    }
)

# Only inputs up to this length are cached, which bounds the memory the caches hold.
_CACHED_LENGTH: Final = 1_000
_CACHE_SIZE: Final = 512

_OPERATORS: Final[dict[str, ComparisonOperator]] = {
    "eq": "eq",
    "ne": "ne",
    "co": "co",
    "sw": "sw",
    "ew": "ew",
    "gt": "gt",
    "lt": "lt",
    "ge": "ge",
    "le": "le",
}
_LITERALS: Final[dict[str, CompValue]] = {"true": True, "false": False, "null": None}

# ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; plus "$ref".
_ATTRNAME = r"(?:[A-Za-z][A-Za-z0-9_\-]*|\$[Rr][Ee][Ff])"
_ATTRNAME_RE = re.compile(_ATTRNAME)
_ATTR_PATH_RE = re.compile(rf"({_ATTRNAME})(?:\.({_ATTRNAME}))?")
# RFC 8141: "urn:" NID ":" NSS, the NSS limited to what SCIM schema URNs use.
_URN_RE = re.compile(r"[Uu][Rr][Nn]:[A-Za-z0-9][A-Za-z0-9\-]*(?::[A-Za-z0-9._\-]+)+")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

# Kinds of open group.
_ROOT: Final = 0
_PAREN: Final = 1
_NOT: Final = 2
_BRACKET: Final = 3


class _Group:
    """An open group: the ``and`` terms being gathered and the ``or`` terms completed."""

    __slots__ = ("and_terms", "depth", "kind", "or_terms", "parent_attribute", "position")

    def __init__(
        self, kind: int, position: int, depth: int, parent_attribute: AttributePath | None
    ) -> None:
        self.kind = kind
        self.position = position
        self.depth = depth
        # Inside brackets, the attribute whose sub-attributes the paths name.
        self.parent_attribute = parent_attribute
        self.and_terms: list[Filter] = []
        self.or_terms: list[Filter] = []

    def and_term(self) -> Filter:
        """Combine the ``and`` terms gathered since the last ``or``."""
        terms = self.and_terms
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def close(self) -> Filter:
        """Combine the whole group: ``or`` binds loosest (§3.4.2.2)."""
        last = self.and_term()
        if not self.or_terms:
            return last
        return Or((*self.or_terms, last))


def parse_filter(
    text: str, *, max_length: int = DEFAULT_MAX_LENGTH, max_depth: int = DEFAULT_MAX_DEPTH
) -> Filter:
    """Parse a ``filter`` (RFC 7644 §3.4.2.2) such as ``userName eq "bjensen"``.

    Raises :class:`FilterSyntaxError` when ``text`` is longer than ``max_length``
    characters, nests groups deeper than ``max_depth`` or is not a valid filter.
    """
    _check_length(text, max_length, "Filter")
    if len(text) <= _CACHED_LENGTH:
        return _parse_filter_cached(text, max_depth)
    return _parse_filter(text, max_depth)


def parse_path(
    text: str,
    *,
    max_length: int = DEFAULT_MAX_LENGTH,
    max_depth: int = DEFAULT_MAX_DEPTH,
    schema_urns: Iterable[str] = DEFAULT_SCHEMA_URNS,
) -> PatchPath:
    """Parse the ``path`` of a PATCH operation (RFC 7644 §3.5.2).

    ``PATH = attrPath / valuePath [subAttr]``, e.g. ``members``, ``name.familyName`` or
    ``emails[type eq "work"].value``.  A path equal, ignoring case, to one of
    ``schema_urns`` targets that whole schema: ``PatchPath(None, schema=...)``.  Syntax
    alone cannot tell ``...:enterprise:2.0:User`` from the attribute ``User`` of a schema
    ``...:enterprise:2.0``, so pass the URNs of the resource type's extensions.

    Raises :class:`FilterSyntaxError` exactly as :func:`parse_filter` does.
    """
    _check_length(text, max_length, "Path")
    if schema_urns is DEFAULT_SCHEMA_URNS:
        urns = _DEFAULT_URNS_LOWER
    else:
        urns = frozenset(urn.lower() for urn in schema_urns)
    if len(text) <= _CACHED_LENGTH:
        return _parse_path_cached(text, max_depth, urns)
    return _parse_path(text, max_depth, urns)


def parse_attribute_path(text: str, *, max_length: int = DEFAULT_MAX_LENGTH) -> AttributePath:
    """Parse one ``attrPath`` (§3.4.2.2, §3.10), as ``sortBy`` and ``attributes`` carry.

    Surrounding whitespace is ignored; anything else raises :class:`FilterSyntaxError`.
    """
    _check_length(text, max_length, "Attribute path")
    tokens = tokenize(text)
    first = tokens[0]
    if first.kind != WORD:
        raise _unexpected(text, first, "Expected an attribute path")
    path = _attribute_path(text, first, None)
    if tokens[1].kind != EOF:
        raise _unexpected(text, tokens[1], "Expected the end of the attribute path")
    return path


def _check_length(text: str, max_length: int, noun: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"{noun} must be a str, not {type(text).__name__}")
    if len(text) > max_length:
        raise FilterSyntaxError(
            f"{noun} is longer than the maximum of {max_length} characters", max_length, text
        )


def _parse_filter(text: str, max_depth: int) -> Filter:
    tokens = tokenize(text)
    if tokens[0].kind == EOF:
        raise FilterSyntaxError("Filter is empty", 0, text)
    root = _Group(_ROOT, 0, 0, None)
    node, _ = _parse_expression(text, tokens, 0, root, max_depth)
    return node


def _parse_path(text: str, max_depth: int, schema_urns: frozenset[str]) -> PatchPath:
    tokens = tokenize(text)
    first = tokens[0]
    if first.kind == EOF:
        raise FilterSyntaxError("Path is empty", 0, text)
    if first.kind != WORD:
        raise _unexpected(text, first, "Expected an attribute path")
    following = tokens[1]
    if following.kind == EOF and first.text.lower() in schema_urns:
        return PatchPath(None, schema=first.text)
    attribute = _attribute_path(text, first, None)
    if following.kind == EOF:
        return PatchPath(attribute.attribute, attribute.sub_attribute, attribute.schema)
    if following.kind != LBRACKET:
        raise _unexpected(text, following, "Expected '[' or the end of the path")
    _check_value_path(text, attribute, following, None)
    if max_depth < 1:
        raise _too_deep(text, following.position, max_depth)
    root = _Group(_BRACKET, following.position, 1, attribute)
    value_filter, index = _parse_expression(text, tokens, 2, root, max_depth)
    sub_attribute, index = _trailing_sub_attribute(text, tokens, index)
    token = tokens[index]
    if token.kind != EOF:
        message = "Expected the end of the path"
        if sub_attribute is None:
            message = "Expected '.' and a sub-attribute, or the end of the path"
        raise _unexpected(text, token, message)
    return PatchPath(attribute.attribute, sub_attribute, attribute.schema, value_filter)


def _trailing_sub_attribute(text: str, tokens: list[Token], index: int) -> tuple[str | None, int]:
    """Read the ``subAttr`` of ``valuePath [subAttr]`` (§3.5.2): '.' then a name, unspaced."""
    dot = tokens[index]
    if dot.kind != DOT:
        return None, index
    closing = tokens[index - 1]
    name = tokens[index + 1]
    if dot.position != closing.position + 1:
        raise _unexpected(text, dot, "Expected '.' right after ']'")
    if (
        name.kind != WORD
        or name.position != dot.position + 1
        or _ATTRNAME_RE.fullmatch(name.text) is None
    ):
        raise _unexpected(text, name, "Expected a sub-attribute name right after '.'")
    return name.text, index + 2


_parse_filter_cached = lru_cache(maxsize=_CACHE_SIZE)(_parse_filter)
_parse_path_cached = lru_cache(maxsize=_CACHE_SIZE)(_parse_path)
_DEFAULT_URNS_LOWER: Final = frozenset(urn.lower() for urn in DEFAULT_SCHEMA_URNS)


def _parse_expression(  # noqa: C901 - one loop is the point: see the module docstring
    text: str, tokens: list[Token], index: int, root: _Group, max_depth: int
) -> tuple[Filter, int]:
    """Parse ``FILTER`` (or ``valFilter`` when ``root`` is a bracket) from ``index``.

    Return the tree and the index of the token after the end of the expression: ``EOF``
    for a root group, the token after the closing ``]`` for a bracket root.
    """
    group = root
    stack = [root]
    while True:
        # An operand is expected: attrExp, valuePath, "(" FILTER ")" or "not" "(" ...
        token = tokens[index]
        kind = token.kind
        if kind == LPAREN or (
            kind == WORD and tokens[index + 1].kind == LPAREN and token.text.lower() == "not"
        ):
            opening = token if kind == LPAREN else tokens[index + 1]
            if group.depth >= max_depth:
                raise _too_deep(text, opening.position, max_depth)
            group = _Group(
                _PAREN if kind == LPAREN else _NOT,
                opening.position,
                group.depth + 1,
                group.parent_attribute,
            )
            stack.append(group)
            index += 1 if kind == LPAREN else 2
            continue
        if kind != WORD:
            raise _expected_operand(text, token, group)
        attribute = _attribute_path(text, token, group.parent_attribute)
        token = tokens[index + 1]
        if token.kind == LBRACKET:
            _check_value_path(text, attribute, token, group.parent_attribute)
            if group.depth >= max_depth:
                raise _too_deep(text, token.position, max_depth)
            group = _Group(_BRACKET, token.position, group.depth + 1, attribute)
            stack.append(group)
            index += 2
            continue
        operator = token.text.lower() if token.kind == WORD else ""
        node: Filter
        if operator == "pr":
            node = Present(attribute, attribute.position)
            index += 2
        elif operator in _OPERATORS:
            value = _value(text, tokens[index + 2], operator)
            node = Comparison(attribute, _OPERATORS[operator], value, attribute.position)
            index += 3
        elif tokens[index].text.lower() == "not":
            raise _unexpected(text, token, "Expected '(' after 'not'")
        else:
            raise _unexpected(text, token, "Expected a comparison operator")

        # An operand is complete: "and", "or" or the end of its group must follow.
        while True:
            group.and_terms.append(node)
            token = tokens[index]
            kind = token.kind
            if kind == WORD:
                keyword = token.text.lower()
                if keyword == "and":
                    index += 1
                    break
                if keyword == "or":
                    group.or_terms.append(group.and_term())
                    group.and_terms = []
                    index += 1
                    break
            elif kind == RPAREN and group.kind in (_PAREN, _NOT):
                node = group.close()
                if group.kind == _NOT:
                    node = Not(node)
                stack.pop()
                group = stack[-1]
                index += 1
                continue
            elif kind == RBRACKET and group.kind == _BRACKET:
                if group is root:
                    return group.close(), index + 1
                parent = cast(AttributePath, group.parent_attribute)
                node = ValuePath(parent, group.close(), parent.position)
                stack.pop()
                group = stack[-1]
                index += 1
                continue
            elif kind == EOF:
                if group is root and root.kind == _ROOT:
                    return group.close(), index
                raise FilterSyntaxError(
                    "Unclosed '['" if group.kind == _BRACKET else "Unclosed '('",
                    group.position,
                    text,
                )
            raise _expected_continuation(text, token, group, node)


def _attribute_path(text: str, token: Token, parent: AttributePath | None) -> AttributePath:
    """Split a word into an ``attrPath``: the URN is everything up to the last ':'."""
    word = token.text
    schema = None
    name = word
    name_position = token.position
    if ":" in word:
        schema, _, name = word.rpartition(":")
        name_position += len(schema) + 1
        if _URN_RE.fullmatch(schema) is None:
            raise FilterSyntaxError(
                f"Invalid schema URN '{schema}' (expected urn:<namespace>:<name>)",
                token.position,
                text,
            )
    found = _ATTR_PATH_RE.fullmatch(name)
    if found is None:
        if not name:
            message = "Expected an attribute name after the schema URN"
        elif name.count(".") > 1:
            message = f"Invalid attribute path '{name}': at most one sub-attribute may follow"
        else:
            message = (
                f"Invalid attribute name '{name}' (a letter, then letters, digits, '-' or '_')"
            )
        raise FilterSyntaxError(message, name_position, text)
    attribute, sub_attribute = found.group(1, 2)
    if parent is not None and (schema is not None or sub_attribute is not None):
        raise FilterSyntaxError(
            f"Expected the name of a sub-attribute of '{parent}' inside '[...]', found '{word}'",
            token.position,
            text,
        )
    return AttributePath(attribute, sub_attribute, schema, token.position)


def _check_value_path(
    text: str, attribute: AttributePath, bracket: Token, parent: AttributePath | None
) -> None:
    if parent is not None:
        raise FilterSyntaxError(
            f"Value filters cannot be nested: '[' inside the brackets of '{parent}'",
            bracket.position,
            text,
        )
    if attribute.sub_attribute is not None:
        raise FilterSyntaxError(
            f"'[' must follow a multi-valued attribute, not the sub-attribute '{attribute}'",
            bracket.position,
            text,
        )


def _value(text: str, token: Token, operator: str) -> CompValue:
    """Decode a ``compValue``: ``false / null / true / number / string`` (RFC 8259)."""
    kind = token.kind
    if kind == STRING:
        raw = token.text
        value = raw[1:-1] if "\\" not in raw else json.loads(raw)
        if not isinstance(value, str) or _SURROGATE_RE.search(value):
            raise FilterSyntaxError(
                "Invalid string: it holds an unpaired UTF-16 surrogate", token.position, text
            )
        return value
    if kind == NUMBER:
        raw = token.text
        try:
            if "." in raw or "e" in raw or "E" in raw:
                return Decimal(raw)
            return int(raw)
        except (ArithmeticError, ValueError):
            shown = raw if len(raw) <= 20 else f"{raw[:20]}..."
            raise FilterSyntaxError(
                f"Number {shown} is out of range", token.position, text
            ) from None
    if kind == WORD:
        lowered = token.text.lower()
        if lowered in _LITERALS:
            return _LITERALS[lowered]
    raise _unexpected(
        text,
        token,
        f"Expected a value after '{operator}': a string in double quotes, a number, "
        "true, false or null",
    )


def _unexpected(text: str, token: Token, message: str) -> FilterSyntaxError:
    """The error for ``token``: the lexer's own when it could not read the input there."""
    if token.kind == ERROR:
        return FilterSyntaxError(token.text, token.position, text)
    return FilterSyntaxError(message, token.position, text)


def _too_deep(text: str, position: int, max_depth: int) -> FilterSyntaxError:
    return FilterSyntaxError(
        f"Too deeply nested: the limit is {max_depth} levels of parentheses and brackets",
        position,
        text,
    )


def _expected_operand(text: str, token: Token, group: _Group) -> FilterSyntaxError:
    if token.kind in (STRING, NUMBER):
        return FilterSyntaxError(
            "Expected an attribute path before the value (attribute operator value, "
            'e.g. userName eq "bjensen")',
            token.position,
            text,
        )
    if group.parent_attribute is not None:
        return _unexpected(
            text,
            token,
            f"Expected a sub-attribute name of '{group.parent_attribute}', '(' or 'not ('",
        )
    return _unexpected(text, token, "Expected an attribute path, '(' or 'not ('")


def _expected_continuation(
    text: str, token: Token, group: _Group, node: Filter
) -> FilterSyntaxError:
    kind = token.kind
    if isinstance(node, Present) and (
        kind in (STRING, NUMBER) or (kind == WORD and token.text.lower() in _LITERALS)
    ):
        return FilterSyntaxError("The 'pr' operator takes no value", token.position, text)
    if kind == DOT and isinstance(node, ValuePath):
        return FilterSyntaxError(
            "A sub-attribute after ']' is only allowed in a PATCH path; "
            "move the condition inside the brackets",
            token.position,
            text,
        )
    if group.kind == _ROOT:
        if kind == RPAREN:
            return FilterSyntaxError("Unmatched ')'", token.position, text)
        if kind == RBRACKET:
            return FilterSyntaxError("Unmatched ']'", token.position, text)
        return _unexpected(text, token, "Expected 'and', 'or' or the end of the filter")
    closing = "']'" if group.kind == _BRACKET else "')'"
    return _unexpected(text, token, f"Expected 'and', 'or' or {closing}")
