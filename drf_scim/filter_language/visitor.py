"""One walk over filter trees (RFC 7644 §3.4.2.2), for everything that evaluates them.

A filter is leaves (``attrExp`` comparisons, ``pr`` tests and ``valuePath`` selections)
combined with ``and``, ``or`` and ``not``. :class:`FilterVisitor` does the combining;
a subclass says what a leaf means and how results combine: the database compiler
builds ``Q`` objects, the PATCH engine answers ``True`` or ``False`` for one value.

>>> from drf_scim.filter_language import parse_filter
>>> class Count(FilterVisitor[int]):
...     def leaf(self, node): return 1
...     def all_of(self, results): return sum(results)
...     def any_of(self, results): return sum(results)
...     def negate(self, result): return result
>>> Count().visit(parse_filter('a eq 1 and (b pr or not (c eq "x"))'))
3
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, TypeAlias, TypeVar

from .nodes import And, Comparison, Filter, Not, Or, Present, ValuePath

__all__ = ["FilterVisitor", "Leaf", "leaves"]

#: What ``and``, ``or`` and ``not`` combine: the leaves of a filter tree.
Leaf: TypeAlias = Comparison | Present | ValuePath

T = TypeVar("T")


class FilterVisitor(Generic[T]):
    """Fold a filter tree into one result.

    Override :meth:`leaf` for what a comparison, ``pr`` or value path means, and
    :meth:`all_of`, :meth:`any_of` and :meth:`negate` for ``and``, ``or`` and ``not``.
    ``all_of`` and ``any_of`` receive the operands' results lazily, so that they may stop
    early as :func:`all` and :func:`any` do. ``visit`` recurses once per level of nesting;
    the parser bounds nesting (``max_depth``), so it never nears the recursion limit.
    """

    def visit(self, node: Filter) -> T:
        """The result for ``node`` and everything below it."""
        if isinstance(node, And):
            return self.all_of(self.visit(operand) for operand in node.operands)
        if isinstance(node, Or):
            return self.any_of(self.visit(operand) for operand in node.operands)
        if isinstance(node, Not):
            return self.negate(self.visit(node.operand))
        return self.leaf(node)

    def leaf(self, node: Leaf) -> T:
        """The result for one comparison, ``pr`` test or value path."""
        raise NotImplementedError(".leaf() must be overridden.")

    def all_of(self, results: Iterable[T]) -> T:
        """``and``: the results of two or more operands combined."""
        raise NotImplementedError(".all_of() must be overridden.")

    def any_of(self, results: Iterable[T]) -> T:
        """``or``: the results of two or more operands combined."""
        raise NotImplementedError(".any_of() must be overridden.")

    def negate(self, result: T) -> T:
        """``not``: the opposite of ``result``."""
        raise NotImplementedError(".negate() must be overridden.")


def leaves(node: Filter) -> Iterator[Leaf]:
    """Every leaf of ``node``, left to right (a value path's own filter is not entered)."""
    stack: list[Filter] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (And, Or)):
            stack.extend(reversed(item.operands))
        elif isinstance(item, Not):
            stack.append(item.operand)
        else:
            yield item
