"""Property tests of the SCIM filter and PATCH path parser (RFC 7644 §3.4.2.2, §3.5.2).

Trees drawn at random print to text that parses back to the same tree; any text at all
either parses or raises FilterSyntaxError, never anything else.  Pure Python: run with
``pytest -p no:django``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drf_scim.filter_language import (
    COMPARISON_OPERATORS,
    And,
    AttributePath,
    Comparison,
    Filter,
    FilterSyntaxError,
    Not,
    Or,
    PatchPath,
    Present,
    ValuePath,
    parse_attribute_path,
    parse_filter,
    parse_path,
)
from drf_scim.filter_language.visitor import leaves as leaves_of

SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
UNLIMITED = {"max_length": 1_000_000, "max_depth": 100_000}

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_\-]{0,8}", fullmatch=True) | st.sampled_from(
    ["$ref", "$REF", "not", "and", "or", "pr", "eq", "true", "null", "userName", "emails"]
)
schemas = st.sampled_from(
    [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:core:2.0:Group",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    ]
) | st.from_regex(r"urn:[A-Za-z0-9][A-Za-z0-9\-]{0,5}(:[A-Za-z0-9._\-]{1,6}){1,4}", fullmatch=True)
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(),
)
operators = st.sampled_from(sorted(COMPARISON_OPERATORS))

top_paths = st.builds(AttributePath, names, st.none() | names, st.none() | schemas)
inner_paths = st.builds(AttributePath, names)


def leaves(paths: st.SearchStrategy[AttributePath]) -> st.SearchStrategy[Filter]:
    return st.builds(Comparison, paths, operators, values) | st.builds(Present, paths)


def combine(children: st.SearchStrategy[Filter]) -> st.SearchStrategy[Filter]:
    operands = st.lists(children, min_size=2, max_size=4).map(tuple)
    return st.builds(And, operands) | st.builds(Or, operands) | st.builds(Not, children)


inner_filters = st.recursive(leaves(inner_paths), combine, max_leaves=6)
value_paths = st.builds(
    ValuePath, st.builds(AttributePath, names, st.none(), st.none() | schemas), inner_filters
)
filters = st.recursive(leaves(top_paths) | value_paths, combine, max_leaves=12)
patch_paths = st.builds(
    PatchPath, names, st.none() | names, st.none() | schemas, st.none() | inner_filters
)


@SETTINGS
@given(filters)
def test_filters_round_trip(tree: Filter) -> None:
    text = str(tree)
    parsed = parse_filter(text, **UNLIMITED)
    assert parsed == tree
    assert str(parsed) == text


@SETTINGS
@given(filters, st.data())
def test_any_spacing_parses_the_same(tree: Filter, data: st.DataObject) -> None:
    text = str(tree)
    # Re-space the tokens outside strings: the tree must not change.
    pieces = []
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            pieces.append(char)
        elif char == '"':
            in_string = True
            pieces.append(char)
        elif char == " ":
            pieces.append(data.draw(st.sampled_from([" ", "  ", "\t", "\n", " \t "])))
        else:
            pieces.append(char)
    spaced = "".join(pieces)
    assert parse_filter(spaced, **UNLIMITED) == tree
    assert parse_filter(f" {spaced}\t", **UNLIMITED) == tree


@SETTINGS
@given(patch_paths)
def test_patch_paths_round_trip(path: PatchPath) -> None:
    assert parse_path(str(path), schema_urns=(), **UNLIMITED) == path


@SETTINGS
@given(schemas)
def test_bare_schema_paths_round_trip(urn: str) -> None:
    path = PatchPath(None, schema=urn)
    assert parse_path(str(path), schema_urns=[urn.upper()]) == path


@SETTINGS
@given(top_paths)
def test_attribute_paths_round_trip(path: AttributePath) -> None:
    assert parse_attribute_path(str(path)) == path


def _only_syntax_errors(parse: Callable[[str], object], text: str) -> None:
    error = None
    try:
        result = parse(text)
    except FilterSyntaxError as caught:
        error = caught
    if error is not None:
        assert 0 <= error.position <= len(text)
        assert error.text == text
        assert error.message
        assert str(error)
    else:
        # Whatever parses prints canonically and parses back to the same thing.
        assert parse(str(result)) == result


PARSERS = [parse_filter, parse_path, parse_attribute_path]
grammar_soup = st.lists(
    st.sampled_from([*' \t()[].":$-_\\/aenoqrtpuwslgcd019EZ', " and ", " or ", " pr", "not ("]),
    max_size=40,
).map("".join)


@SETTINGS
@given(st.text(max_size=200))
def test_random_text_raises_only_syntax_errors(text: str) -> None:
    for parse in PARSERS:
        _only_syntax_errors(parse, text)


@SETTINGS
@given(grammar_soup)
def test_token_soup_raises_only_syntax_errors(text: str) -> None:
    for parse in PARSERS:
        _only_syntax_errors(parse, text)


mutations = st.sampled_from(["delete", "insert", "duplicate", "swap"])
noise = st.sampled_from([*'()[]."\\ :$-', "and", "or", "not", "pr", "eq", "\\u", "\ud800", "\x00"])


@SETTINGS
@given(filters | patch_paths, st.data())
def test_mutated_filters_raise_only_syntax_errors(
    tree: Filter | PatchPath, data: st.DataObject
) -> None:
    text = str(tree)
    for _ in range(data.draw(st.integers(1, 4))):
        size = len(text)
        start = data.draw(st.integers(0, size))
        end = data.draw(st.integers(start, min(size, start + 8)))
        mutation = data.draw(mutations)
        if mutation == "delete":
            text = text[:start] + text[end:]
        elif mutation == "insert":
            text = text[:start] + data.draw(noise) + text[start:]
        elif mutation == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        else:
            text = text[:start] + text[end:] + text[start:end]
    for parse in PARSERS:
        _only_syntax_errors(parse, text)


@SETTINGS
@given(
    st.lists(
        st.sampled_from(["(", "not (", "emails[", "not(", "[", "x["]), min_size=1, max_size=3000
    ),
    st.booleans(),
)
def test_deep_nesting_raises_syntax_errors_not_recursion_errors(
    openings: list[str], balanced: bool
) -> None:
    closing = {"(": ")", "not (": ")", "not(": ")", "emails[": "]", "[": "]", "x[": "]"}
    text = "".join(openings) + "a pr"
    if balanced:
        text += "".join(closing[opening] for opening in reversed(openings))
    for parse in PARSERS:
        _only_syntax_errors(parse, text)
    for unlimited in (partial(parse_filter, **UNLIMITED), partial(parse_path, **UNLIMITED)):
        _only_syntax_errors(unlimited, text)


def _all_leaves(tree: Filter) -> list[Comparison | Present | ValuePath]:
    """Every leaf, the leaves inside value paths' brackets included."""
    found: list[Comparison | Present | ValuePath] = []
    for leaf in leaves_of(tree):
        found.append(leaf)
        if isinstance(leaf, ValuePath):
            found.extend(_all_leaves(leaf.value_filter))
    return found


@SETTINGS
@given(filters, st.sampled_from(["", " ", "\t\n", "  "]))
def test_every_node_points_at_its_attribute_path(tree: Filter, padding: str) -> None:
    """RFC 7644 §3.4.2.2: a node's position is where its attrPath is written."""
    text = padding + str(tree).replace(" and ", f" {padding}and{padding} ")
    for leaf in _all_leaves(parse_filter(text, **UNLIMITED)):
        assert leaf.position is not None
        assert leaf.position == leaf.attribute.position
        assert text[leaf.position :].startswith(str(leaf.attribute))
