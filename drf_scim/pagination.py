"""SCIM pagination, answered as a ListResponse: by index (RFC 7644) or by cursor (RFC 9865).

Index (RFC 7644 §3.4.2.4): ``startIndex`` below 1 means 1; a negative ``count`` means 0;
``count`` above the maximum (advertised as ``filter.maxResults``) is capped; ``count=0``
returns only ``totalResults``. ``totalResults`` counts every match, before the page is cut.

Cursor (RFC 9865): ``cursor`` present (empty for the first page) asks for it; each page
carries ``nextCursor`` unless it is the last, and ``previousCursor`` unless it is the
first. A cursor is a keyset position, not an offset: the sort key and the primary key of
the resource at the page's edge, so a page costs the same wherever it is, and inserts or
deletes between requests neither repeat nor skip a resource. Cursors are signed with
``SECRET_KEY`` (tamper-evident, not encrypted), carry the time they were issued
(``CURSOR_TIMEOUT``) and are bound to the query's resource type, ``filter``, ``sortBy``
and ``sortOrder``.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Sequence
from functools import reduce
from operator import or_
from typing import Any

from django.core import signing
from django.db import connections
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.expressions import BaseExpression
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from .constants import LIST_RESPONSE_SCHEMA
from .exceptions import ExpiredCursor, InvalidCursor, InvalidValue
from .query import SCIMQuery, get_scim_query
from .settings import scim_settings

__all__ = ["Cursor", "Keyset", "SCIMPagination", "list_response"]

_INTEGER = re.compile(r"[+-]?[0-9]{1,1000}")  # ASCII digits; huge values are clamped


def list_response(
    resources: Sequence[Any],
    total: int,
    start_index: int | None,
    *,
    next_cursor: str | None = None,
    previous_cursor: str | None = None,
) -> dict[str, Any]:
    """A ListResponse message (RFC 7644 §3.4.2), with RFC 9865's cursors when given.

    ``start_index`` is ``None`` for a page of a cursor walk, which has no index.
    """
    response: dict[str, Any] = {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "itemsPerPage": len(resources),
    }
    if start_index is not None:
        response["startIndex"] = start_index
    if next_cursor is not None:
        response["nextCursor"] = next_cursor
    if previous_cursor is not None:
        response["previousCursor"] = previous_cursor
    response["Resources"] = list(resources)
    return response


# -- keysets --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Cursor:
    """A position in a keyset walk: after ``keys`` (before them when ``backward``).

    ``keys`` are the ordering values of the resource at the edge of a page; ``None`` is
    the start of the list (the end when ``backward``).
    """

    keys: tuple[Any, ...] | None = None
    backward: bool = False


@dataclasses.dataclass(frozen=True)
class _Column:
    alias: str
    descending: bool
    nulls_first: bool
    nullable: bool = True

    def reversed(self) -> _Column:
        return dataclasses.replace(
            self, descending=not self.descending, nulls_first=not self.nulls_first
        )

    def ordering(self) -> OrderBy:
        expression = F(self.alias)
        if not self.nullable:
            return expression.desc() if self.descending else expression.asc()
        if self.descending:
            return (
                expression.desc(nulls_first=True)
                if self.nulls_first
                else expression.desc(nulls_last=True)
            )
        return (
            expression.asc(nulls_first=True)
            if self.nulls_first
            else expression.asc(nulls_last=True)
        )

    def beyond(self, value: Any) -> Q | None:
        """The rows this column places strictly after ``value``; ``None`` for none."""
        if value is None:
            return Q(**{f"{self.alias}__isnull": False}) if self.nulls_first else None
        condition = Q(**{f"{self.alias}__{'lt' if self.descending else 'gt'}": value})
        if self.nullable and not self.nulls_first:
            condition |= Q(**{f"{self.alias}__isnull": True})
        return condition

    def equal(self, value: Any) -> Q:
        if value is None:
            return Q(**{f"{self.alias}__isnull": True})
        return Q(**{self.alias: value})


def _order_items(queryset: QuerySet[Any]) -> list[OrderBy]:
    """The queryset's explicit ordering, as ``OrderBy`` expressions."""
    items: list[OrderBy] = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            if item == "?":
                continue  # a random order has no keyset
            descending = item.startswith("-")
            items.append(OrderBy(F(item.lstrip("-")), descending=descending))
        elif isinstance(item, OrderBy):
            items.append(item)
        elif isinstance(item, BaseExpression):
            items.append(item.asc())
    return items


def _is_pk(item: OrderBy, queryset: QuerySet[Any]) -> bool:
    name = getattr(item.expression, "name", None) if isinstance(item.expression, F) else None
    return name in ("pk", queryset.model._meta.pk.name)


class Keyset:
    """The total order of a queryset, and its pages read by keyset (no ``OFFSET``).

    The queryset's own ordering (``sortBy``'s, or the primary key when there is none),
    with a trailing primary key replaced by ``tiebreaker``, a unique, never-null column
    (appended when the ordering has no primary key at the end):
    each ordering expression is annotated, so a page's edge can be read back and compared
    with ``<``, ``=``, ``>`` and ``IS NULL`` — portable lookups, no raw SQL. Nulls are
    placed explicitly (first or last, as the ordering says; else last ascending, first
    descending), so every database walks the same order.
    """

    prefix = "scim_cursor_"

    def __init__(self, queryset: QuerySet[Any], tiebreaker: str) -> None:
        items = _order_items(queryset)
        tie_descending = False
        if items and _is_pk(items[-1], queryset):
            tie_descending = items.pop().descending and tiebreaker == "pk"
        annotations: dict[str, Any] = {}
        self.columns: list[_Column] = []
        for item in items:
            alias = f"{self.prefix}{len(self.columns)}"
            annotations[alias] = item.expression
            nulls_first = item.nulls_first or (item.descending and not item.nulls_last)
            self.columns.append(_Column(alias, item.descending, bool(nulls_first)))
        alias = f"{self.prefix}{len(self.columns)}"
        annotations[alias] = F(tiebreaker)
        self.columns.append(_Column(alias, tie_descending, nulls_first=False, nullable=False))
        self.queryset = queryset.annotate(**annotations)

    def keys(self, row: Any) -> tuple[Any, ...]:
        """The ordering values of ``row``, as its cursor holds them."""
        if isinstance(row, dict):
            return tuple(row[column.alias] for column in self.columns)
        return tuple(getattr(row, column.alias) for column in self.columns)

    def page(self, cursor: Cursor, limit: int) -> list[Any]:
        """Up to ``limit`` rows from ``cursor`` on, in the walk's direction.

        Backward pages come nearest first (reverse them to show them).
        """
        columns = [c.reversed() for c in self.columns] if cursor.backward else self.columns
        queryset = self.queryset.order_by(*(column.ordering() for column in columns))
        if cursor.keys is not None:
            queryset = queryset.filter(self.after(columns, cursor.keys))
        return list(queryset[:limit])

    @staticmethod
    def after(columns: Sequence[_Column], keys: Sequence[Any]) -> Q:
        """Rows strictly after ``keys`` in the order of ``columns`` (lexicographic)."""
        conditions = []
        equal = Q()
        for column, value in zip(columns, keys, strict=True):
            beyond = column.beyond(value)
            if beyond is not None:
                conditions.append(equal & beyond)
            equal &= column.equal(value)
        return reduce(or_, conditions) if conditions else Q(pk__in=[])


# Values of a cursor's keys, as JSON: the types an ordering expression gives back.
_TYPES: dict[str, tuple[type, Any]] = {
    "dt": (datetime.datetime, datetime.datetime.fromisoformat),
    "d": (datetime.date, datetime.date.fromisoformat),
    "t": (datetime.time, datetime.time.fromisoformat),
    "dec": (decimal.Decimal, decimal.Decimal),
    "uuid": (uuid.UUID, uuid.UUID),
}


def _dump_key(value: Any) -> Any:
    for tag, (kind, _) in _TYPES.items():
        if isinstance(value, kind):
            return [tag, value.isoformat() if hasattr(value, "isoformat") else str(value)]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    msg = f"Cannot keep a {type(value).__name__} in a cursor."
    raise TypeError(msg)


def _load_key(value: Any) -> Any:
    if isinstance(value, list):
        tag, text = value
        return _TYPES[tag][1](text)
    return value


class SCIMPagination(BasePagination):
    """Paginate a queryset the SCIM way: by ``startIndex``, or by ``cursor`` (RFC 9865).

    Set ``cursor_query_param = None`` in a subclass to serve index pagination only.
    """

    start_index_query_param = "startIndex"
    count_query_param = "count"
    cursor_query_param: str | None = "cursor"
    #: The salt of the cursors' signatures (with ``SECRET_KEY``); change it to void them.
    cursor_salt = "drf_scim.pagination.cursor"

    #: The cursors of the page, set by a cursor walk (RFC 9865 §2).
    next_cursor: str | None = None
    previous_cursor: str | None = None
    #: The 1-based index of the page, set by index pagination.
    start_index: int | None = None

    def get_default_count(self) -> int:
        """The page size when the client sends no ``count``."""
        return int(scim_settings.DEFAULT_COUNT)

    def get_max_count(self) -> int:
        """The largest page served; advertised as ``filter.maxResults``."""
        return int(scim_settings.MAX_COUNT)

    #: The request's query (RFC 7644 §3.4.2), set by :meth:`paginate_queryset`.
    query: SCIMQuery | None = None

    def _integer(self, request: Request, name: str) -> int | None:
        query = self.query if self.query is not None else SCIMQuery.from_query_string(request)
        raw = query.get(name)
        if raw is None or raw.strip() == "":
            return None
        text = raw.strip()
        if not _INTEGER.fullmatch(text):
            raise InvalidValue(f"{name} must be an integer, got {raw[:40]!r}.")
        return int(text)

    def get_start_index(self, request: Request) -> int:
        value = self._integer(request, self.start_index_query_param)
        return 1 if value is None or value < 1 else value

    def get_count(self, request: Request) -> int:
        value = self._integer(request, self.count_query_param)
        if value is None:
            value = self.get_default_count()
        return max(0, min(value, self.get_max_count()))

    def get_default_method(self) -> str:
        """``"index"`` or ``"cursor"``: the method of a request that names neither."""
        if self.cursor_query_param is None:
            return "index"
        return str(scim_settings.DEFAULT_PAGINATION_METHOD)

    def get_method(self, request: Request) -> str:
        """How to paginate this request: ``"index"`` or ``"cursor"`` (RFC 9865 §2.4).

        ``startIndex`` asks for index pagination, ``cursor`` (even empty) for a cursor
        walk, neither for the default. Both is a ``400 invalidValue``: RFC 9865 has each
        parameter request its own method and says nothing of a request naming both.
        """
        query = self.query if self.query is not None else SCIMQuery.from_query_string(request)
        start = query.get(self.start_index_query_param)
        if start is not None and not str(start).strip():
            start = None  # blank is left out, as get_start_index() reads it
        cursor = query.get(self.cursor_query_param) if self.cursor_query_param else None
        if cursor is not None and start is not None:
            raise InvalidValue(
                f"{self.start_index_query_param} and {self.cursor_query_param} ask for "
                "different pagination methods; send one of them (RFC 9865 §2.4)."
            )
        if cursor is not None:
            return "cursor"
        if start is not None:
            return "index"
        return self.get_default_method()

    def skips_rows(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> bool:
        """Whether the query of this request's page reads rows it skips with an ``OFFSET``.

        A cursor page (a keyset) and the first index page start where their query starts.
        A later index page selects its primary keys in a subquery of their own, which
        alone skips rows (:meth:`page_of`), except where the database cannot (MariaDB and
        MySQL have no ``LIMIT`` in an ``IN`` subquery). A view reads each resource's value
        rows in the page's query only when it skips no row, as every row an ``OFFSET``
        skips would read them too.
        """
        self.query = get_scim_query(request, view)
        if self.get_method(request) == "cursor" or self.get_start_index(request) == 1:
            return False
        return not connections[queryset.db].features.allow_sliced_subqueries_with_in

    @staticmethod
    def page_of(
        queryset: QuerySet[Any], offset: int, count: int, total: int | None = None
    ) -> list[Any]:
        """``count`` rows of ``queryset`` from ``offset`` on, in its order.

        Past the first row, the ``OFFSET`` goes in a subquery reading primary keys alone
        (a deferred join), so the rows it skips cost no more than their keys: whatever
        ``queryset`` reads with each row (the value rows) is read for the page alone.
        Not on MariaDB and MySQL, which have no ``LIMIT`` in an ``IN`` subquery.

        Given ``total``, the number of rows, a page nearer the end than the start is read
        from the end: in the reverse order, whose ``OFFSET`` skips only the rows after the
        page, so the last page costs what the first does and no page skips more than half
        the rows. Only when the ordering ends with the primary key: that order is total,
        so its reverse (``QuerySet.reverse()``, which also swaps where nulls go) holds
        the same rows at the same places, counted from the other end.
        """
        sliced = connections[queryset.db].features.allow_sliced_subqueries_with_in
        if total is not None and offset < total:
            size = min(count, total - offset)
            behind = total - offset - size  # the rows after the page
            items = _order_items(queryset)
            if behind < offset and items and _is_pk(items[-1], queryset):
                page = queryset.reverse()[behind : behind + size]
                if sliced:
                    return list(queryset.filter(pk__in=page.values("pk")))
                rows = list(page)
                rows.reverse()
                return rows
        page = queryset[offset : offset + count]
        if offset and sliced:
            return list(queryset.filter(pk__in=page.values("pk")))
        return list(page)

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any]:
        """The page (RFC 7644 §3.4.2.4), and ``totalResults`` in ``self.total``.

        The first page reads one row more than ``count``: unless it comes, the page holds
        every match and ``totalResults`` is its size, with no ``COUNT`` (a filter that
        finds one user, as ``userName eq`` does, costs one query). Any other page counts
        first, and is not read at all when ``startIndex`` is past the last match; it is
        read by :meth:`page_of`, from whichever end it is nearer.
        """
        self.query = get_scim_query(request, view)
        if self.get_method(request) == "cursor" and isinstance(queryset, QuerySet):
            return self.paginate_cursor(queryset, request, view)
        self.start_index = self.get_start_index(request)
        count = self.get_count(request)
        if count and self.start_index == 1 and isinstance(queryset, QuerySet):
            rows = list(queryset[: count + 1])
            self.total = len(rows) if len(rows) <= count else queryset.count()
            return rows[:count]
        self.total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        if count == 0 or self.start_index > self.total:
            return []
        offset = self.start_index - 1
        if isinstance(queryset, QuerySet):
            return self.page_of(queryset, offset, count, self.total)
        return list(queryset[offset : offset + count])

    # -- cursors (RFC 9865) ------------------------------------------------------------------

    def get_cursor_timeout(self) -> int | None:
        """Seconds a cursor stays valid; advertised as ``pagination.cursorTimeout``."""
        timeout = scim_settings.CURSOR_TIMEOUT
        return None if timeout is None else int(timeout)

    def get_cursor_tiebreaker(self, view: Any) -> str:
        """The unique, never-null column that orders resources with equal sort keys.

        The primary key, as for index pages (``SCIMSortBackend`` breaks ties by it): both
        methods serve one order, indexed. Its value travels in the signed cursor; override
        (e.g. ``"scim_record__id"``) to keep it out, at the price of that order.
        """
        return "pk"

    def get_cursor_scope(self, request: Request, view: Any) -> str:
        """What a cursor is bound to: the resource type, ``filter``, ``sortBy``, ``sortOrder``.

        RFC 9865 §2: the pages of a walk repeat the first request's parameters but for
        ``cursor`` (and, here, ``count`` and the attributes, which move no position).
        A cursor sent with a different query is ``invalidCursor``.
        """
        query = self.query if self.query is not None else get_scim_query(request, view)
        getter = getattr(view, "get_serializer_class", None)
        serializer = getter() if getter is not None else None
        resource = getattr(serializer, "resource_type", None) or type(view).__name__
        order = query.sort_order
        parts = [
            resource,
            query.filter,
            query.sort_by,
            order.lower() if isinstance(order, str) else order,
        ]
        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def get_cursor_signer(self) -> signing.TimestampSigner:
        """The signer of cursors, with ``SECRET_KEY`` (and its fallbacks) and the salt.

        ``~`` as separator keeps cursors to RFC 3986 unreserved characters (RFC 9865 §2).
        """
        return signing.TimestampSigner(salt=self.cursor_salt, sep="~")

    def encode_cursor(self, cursor: Cursor, scope: str) -> str:
        """``cursor`` as an opaque, signed string bound to ``scope``."""
        payload = {
            "q": scope,
            "k": None if cursor.keys is None else [_dump_key(key) for key in cursor.keys],
            "b": cursor.backward,
        }
        return self.get_cursor_signer().sign_object(payload, compress=True)

    def decode_cursor(self, text: Any, scope: str, size: int | None) -> Cursor:
        """The cursor sent, checked; empty is the start of the list (RFC 9865 §2).

        ``400 expiredCursor`` when older than the timeout, ``400 invalidCursor`` when not
        signed by this server, issued for another query, or not of ``size`` keys (any
        number when ``size`` is ``None``).
        """
        if not isinstance(text, str):
            raise InvalidCursor("cursor must be a string.")
        if not text.strip():
            return Cursor()
        try:
            payload = self.get_cursor_signer().unsign_object(
                text.strip(), max_age=self.get_cursor_timeout()
            )
        except signing.SignatureExpired as exc:
            raise ExpiredCursor() from exc
        except signing.BadSignature as exc:
            raise InvalidCursor() from exc
        if not isinstance(payload, dict) or payload.get("q") != scope:
            raise InvalidCursor(
                "The cursor belongs to another query: repeat the first request's filter, "
                "sortBy and sortOrder, or start again with an empty cursor."
            )
        keys = payload.get("k")
        if keys is not None and (
            not isinstance(keys, list) or (size is not None and len(keys) != size)
        ):
            raise InvalidCursor()
        try:
            loaded = None if keys is None else tuple(_load_key(key) for key in keys)
        except (KeyError, TypeError, ValueError, decimal.InvalidOperation) as exc:
            raise InvalidCursor() from exc
        return Cursor(loaded, bool(payload.get("b")))

    def paginate_cursor(self, queryset: QuerySet[Any], request: Request, view: Any) -> list[Any]:
        """One page of a cursor walk (RFC 9865 §2): the page query and the count.

        Reads one row more than the page to know whether another page follows, so a page
        costs the same two queries wherever it is. The first page of a walk (from either
        end) that holds every match needs no ``COUNT``: ``totalResults`` is its size.
        """
        keyset = Keyset(queryset, self.get_cursor_tiebreaker(view))
        scope = self.get_cursor_scope(request, view)
        query = self.query if self.query is not None else get_scim_query(request, view)
        raw = query.get(self.cursor_query_param or "cursor")
        cursor = self.decode_cursor("" if raw is None else raw, scope, len(keyset.columns))
        count = self.get_count(request)
        self.start_index = None
        self.next_cursor = self.previous_cursor = None
        if count == 0:
            self.total = queryset.count()
            return []
        rows = keyset.page(cursor, count + 1)
        more = len(rows) > count
        rows = rows[:count]
        self.total = len(rows) if cursor.keys is None and not more else queryset.count()
        if cursor.backward:
            rows.reverse()
        following, preceding = self.edges(cursor, rows, more, keyset.keys)
        self.next_cursor = None if following is None else self.encode_cursor(following, scope)
        self.previous_cursor = None if preceding is None else self.encode_cursor(preceding, scope)
        return rows

    @staticmethod
    def edges(
        cursor: Cursor, rows: list[Any], more: bool, keys: Callable[[Any], tuple[Any, ...]]
    ) -> tuple[Cursor | None, Cursor | None]:
        """The next and previous positions of a page read from ``cursor``.

        ``more``: a row lies beyond the page in the walk's direction. Behind it lies what
        the cursor came from, unless it is the start (or, backward, the end) of the list.
        An empty page (its resources deleted since) points back to the list's end or start.
        ``keys`` gives a row's position.
        """
        first = Cursor(keys(rows[0]), backward=True) if rows else None
        last = Cursor(keys(rows[-1])) if rows else None
        if not cursor.backward:
            following = last if more else None
            preceding = None if cursor.keys is None else first or Cursor(backward=True)
        else:
            preceding = first if more else None
            following = None if cursor.keys is None else last or Cursor()
        return following, preceding

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            list_response(
                data,
                self.total,
                self.start_index,
                next_cursor=self.next_cursor,
                previous_cursor=self.previous_cursor,
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["schemas", "totalResults", "Resources"],
            "properties": {
                "schemas": {
                    "type": "array",
                    "items": {"type": "string", "enum": [LIST_RESPONSE_SCHEMA]},
                },
                "totalResults": {"type": "integer", "minimum": 0},
                "itemsPerPage": {"type": "integer", "minimum": 0},
                "startIndex": {"type": "integer", "minimum": 1},
                "nextCursor": {
                    "type": "string",
                    "description": "The cursor of the next page; absent on the last page of "
                    "a cursor walk (RFC 9865 §2).",
                },
                "previousCursor": {
                    "type": "string",
                    "description": "The cursor of the previous page; absent on the first page "
                    "(RFC 9865 §2).",
                },
                "Resources": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        # No ``minimum``: the server reads any integer (see get_start_index and get_count),
        # so a schema that declared one would claim it refuses what it serves.
        parameters = [
            {
                "name": self.start_index_query_param,
                "required": False,
                "in": "query",
                "description": "1-based index of the first result; below 1 means 1 "
                "(RFC 7644 §3.4.2.4).",
                "allowEmptyValue": True,  # blank is left out
                "schema": {"type": "integer"},
            },
            {
                "name": self.count_query_param,
                "required": False,
                "in": "query",
                "description": "Maximum number of results per page; below 0 means 0, above "
                f"{self.get_max_count()} means {self.get_max_count()} (RFC 7644 §3.4.2.4).",
                "allowEmptyValue": True,  # blank is left out
                "schema": {"type": "integer"},
            },
        ]
        if self.cursor_query_param is not None:
            parameters.append(
                {
                    "name": self.cursor_query_param,
                    "required": False,
                    "in": "query",
                    "description": "Cursor pagination (RFC 9865 §2): empty for the first page, "
                    "then a `nextCursor` or `previousCursor` of the same query. Not with "
                    f"`{self.start_index_query_param}`.",
                    "allowEmptyValue": True,  # empty starts a walk
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._~-]*$"},
                }
            )
        return parameters
