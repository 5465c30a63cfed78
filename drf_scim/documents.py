"""Plain JSON documents: the one copy function the engines share.

A SCIM document here is what ``json.loads`` makes (dicts, lists, strings, numbers,
booleans, ``None``), so copying it needs none of :func:`copy.deepcopy`'s machinery (memo,
reducers), which costs several times more on a resource with thousands of values.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["copy_document"]

T = TypeVar("T")


def copy_document(value: T) -> T:
    """A copy of ``value`` whose dicts and lists are new; other values are shared.

    Strings, numbers, booleans and ``None`` cannot change, so sharing them is copying
    them. Anything else a document may hold (a ``datetime`` read back from a column) is
    immutable too.
    """
    if isinstance(value, dict):
        return {key: copy_document(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [copy_document(item) for item in value]  # type: ignore[return-value]
    return value
