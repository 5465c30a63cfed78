"""The filter tree walk and node positions (RFC 7644 §3.4.2.2)."""

from __future__ import annotations

import pytest

from drf_scim.filter_language import (
    AttributePath,
    Comparison,
    FilterVisitor,
    Present,
    ValuePath,
    leaves,
    parse_filter,
    parse_path,
)


class Truth(FilterVisitor[bool]):
    """Evaluate a filter whose leaves are ``name pr``: true for the names given."""

    def __init__(self, true):
        self.true = set(true)
        self.seen = []

    def leaf(self, node):
        self.seen.append(node.attribute.attribute)
        return node.attribute.attribute in self.true

    def all_of(self, results):
        return all(results)

    def any_of(self, results):
        return any(results)

    def negate(self, result):
        return not result


@pytest.mark.parametrize(
    ("text", "true", "expected"),
    [
        ("a pr and b pr", {"a", "b"}, True),
        ("a pr and b pr", {"a"}, False),
        ("a pr or b pr", {"b"}, True),
        ("not (a pr)", set(), True),
        ("a pr and not (b pr or c pr)", {"a", "c"}, False),
        # Table 4: "and" binds tighter than "or".
        ("a pr or b pr and c pr", {"a"}, True),
        ("(a pr or b pr) and c pr", {"a"}, False),
    ],
)
def test_rfc7644_3_4_2_2_visitor_combines_and_or_not(text, true, expected):
    assert Truth(true).visit(parse_filter(text)) is expected


def test_visitor_stops_early_like_all_and_any():
    visitor = Truth(set())
    assert visitor.visit(parse_filter("a pr and b pr and c pr")) is False
    assert visitor.seen == ["a"]


def test_base_visitor_must_be_overridden():
    with pytest.raises(NotImplementedError):
        FilterVisitor().visit(parse_filter("a pr"))


def test_leaves_are_listed_left_to_right_without_entering_value_paths():
    tree = parse_filter('a pr or not (b eq 1 and emails[type eq "work"]) or c pr')
    names = [str(leaf.attribute) for leaf in leaves(tree)]
    assert names == ["a", "b", "emails", "c"]


@pytest.mark.parametrize(
    ("text", "positions"),
    [
        ('userName eq "nope" and nope eq "x"', [0, 23]),
        ("  title pr", [2]),
        ('not (a eq 1) or (urn:x:y:b.c gt "z")', [5, 17]),
        ('emails[type eq "work"] and x pr', [0, 27]),
    ],
)
def test_rfc7644_3_4_2_2_nodes_carry_their_position(text, positions):
    assert [leaf.position for leaf in leaves(parse_filter(text))] == positions
    assert [leaf.attribute.position for leaf in leaves(parse_filter(text))] == positions


def test_rfc7644_3_4_2_2_value_path_filters_carry_positions_in_the_whole_text():
    node = parse_filter('emails[type eq "work" and value pr]')
    assert isinstance(node, ValuePath)
    assert [leaf.position for leaf in leaves(node.value_filter)] == [7, 26]
    path = parse_path('emails[type eq "work"].value')
    assert next(leaves(path.value_filter)).position == 7


def test_positions_take_no_part_in_equality():
    parsed = parse_filter('  title eq "x"')
    built = Comparison(AttributePath("title"), "eq", "x")
    assert parsed == built
    assert hash(parsed) == hash(built)
    assert built.position is None
    assert Present(AttributePath("a", position=3), 3) == Present(AttributePath("a"))
