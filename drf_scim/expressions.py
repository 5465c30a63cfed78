"""Database expressions drf-scim needs that Django does not ship.

:class:`JSONRows` reads the value rows of a resource in the query that reads the resource
(a correlated subquery), so a single resource costs one query for its columns, record
and values together. Each database has its own JSON aggregate, as Django's own
``django.contrib.postgres.aggregates.JSONBAgg`` is PostgreSQL's alone.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

__all__ = ["JSONRows", "read_json_rows"]


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
