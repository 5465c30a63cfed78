"""Database expressions drf-scim needs that Django does not ship.

:class:`JSONRows` reads the value rows of a resource in the query that reads the resource
(a correlated subquery), so a single resource costs one query for its columns, record
and values together. Each database has its own JSON aggregate, as Django's own
``django.contrib.postgres.aggregates.JSONBAgg`` is PostgreSQL's alone.

:class:`AnyOf` is ``column IN (...)`` for the long lists of a membership write (up to about
20,000 ids in a 1 MiB request): one parameter on PostgreSQL and SQLite, Django's ``__in``
on MariaDB.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.functions import Cast

__all__ = ["AnyOf", "JSONRows", "canonical_uuid", "read_json_rows", "uuid_text"]


class JSONRows(models.Aggregate):
    """The rows of a group as JSON text: ``[[column, column, ...], ...]``, unordered.

    Booleans come back as ``true``/``false`` on PostgreSQL and ``1``/``0`` elsewhere:
    :func:`read_json_rows` makes them alike. A JSON column comes as JSON on every database
    (MariaDB embeds a ``JSONField``'s ``json_valid`` column as JSON, SQLite once it is
    wrapped in ``JSON()``), so the whole value is decoded at once.
    """

    function = "JSON_ARRAYAGG"
    template = "%(function)s(JSON_ARRAY(%(expressions)s))"
    contains_aggregate = True
    output_field = models.TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # A JSON column goes in as JSON (``JSON(column)``), not as the text of it, so that
        # the whole aggregate is decoded at once: one ``json.loads`` per resource, not one
        # per value row and column.
        embedded = self.copy()
        embedded.set_source_expressions(
            [
                models.Func(expression, function="JSON", output_field=expression.output_field)
                if isinstance(getattr(expression, "output_field", None), models.JSONField)
                else expression
                for expression in self.get_source_expressions()
            ]
        )
        return embedded.as_sql(
            compiler,
            connection,
            function="JSON_GROUP_ARRAY",
            template="%(function)s(JSON_ARRAY(%(expressions)s))",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="JSON_AGG",
            template="%(function)s(JSON_BUILD_ARRAY(%(expressions)s))::text",
            **extra,
        )


class AnyOf(models.Expression):
    """``field IN values`` as a filter: ``.filter(AnyOf("user", pks))``.

    On PostgreSQL it is ``field = ANY(%s::type[])`` with the list as one array parameter,
    on SQLite ``field IN (SELECT value FROM JSON_EACH(%s))`` with the list as one JSON
    parameter. ``__in`` sends one placeholder per value, and at 20,000 ids the driver's
    splitting of the query, Django's per-value preparation and the server's parsing of
    the statement cost more than the lookup itself; SQLite refuses more than 32,766.
    Elsewhere (MariaDB) it is Django's own ``__in``.
    """

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, field: str, values: Any) -> None:
        super().__init__()
        self.lhs: Any = models.F(field)  # the column, once resolved
        self.values = list(values)

    def get_source_expressions(self) -> list[Any]:
        return [self.lhs]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.lhs,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(compiler.query.build_lookup(["in"], self.lhs, self.values))

    def _prepared(self, connection: Any) -> list[Any]:
        field = self.lhs.output_field
        target = getattr(field, "target_field", field)  # a foreign key holds its target's
        prepare = target.get_db_prep_value
        return [prepare(value, connection, prepared=False) for value in self.values]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        if not self.values:
            raise EmptyResultSet  # as Django's ``__in=[]``: no query is sent
        values = self._prepared(connection)
        sql, params = compiler.compile(self.lhs)
        cast = self.lhs.output_field.cast_db_type(connection)
        return f"{sql} = ANY(%s::{cast}[])", (*params, values)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # One JSON parameter: SQLite allows 32,766 parameters in a statement, and binding
        # each costs more than reading them from JSON (drf-scim needs JSON1 anyway).
        if not self.values:
            raise EmptyResultSet  # as Django's ``__in=[]``: no query is sent
        try:
            values = json.dumps(self._prepared(connection))
        except TypeError:  # a value JSON cannot carry: Django's own IN (...)
            return self.as_sql(compiler, connection, **extra)
        sql, params = compiler.compile(self.lhs)
        subquery = "SELECT value FROM JSON_EACH(%s)"  # the list is the one parameter
        return f"{sql} IN ({subquery})", (*params, values)


def read_json_rows(text: str | None, booleans: tuple[int, ...]) -> list[list[Any]]:
    """The rows of a :class:`JSONRows` value, alike on every database.

    The columns at ``booleans`` become ``True``/``False``/``None``. Raises ``ValueError``
    on text that is no JSON array: MariaDB cuts an aggregate at ``group_concat_max_len``
    bytes.
    """
    rows = json.loads(text) if text else []
    if not isinstance(rows, list):
        raise ValueError("not a JSON array")
    for row in rows:
        for index in booleans:
            if row[index] is not None:
                row[index] = bool(row[index])
    return rows


def uuid_text(field: str) -> Cast:
    """A UUID column read as text, so that reading it makes no ``uuid.UUID``.

    A group of 10,000 members names 10,000 ids: a ``uuid.UUID`` for each, made by the
    column's converter and turned back into text by ``str()``, was a third of its GET's
    Python time. :func:`canonical_uuid` gives the text its canonical form.
    """
    return Cast(field, models.CharField())


def canonical_uuid(value: Any) -> str:
    """The canonical text (``8-4-4-4-12``, lower case) of a UUID as a database gives it.

    A ``uuid.UUID``, the 32 hex digits of a ``char(32)`` column (SQLite and MySQL keep
    Django's ``UUIDField`` so), or the canonical text itself (PostgreSQL's and MariaDB's
    ``uuid`` type cast to text).
    """
    if isinstance(value, str):
        if len(value) == 32:
            return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
        return value
    return str(value)
