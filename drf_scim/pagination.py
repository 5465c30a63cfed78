"""SCIM pagination: 1-based ``startIndex`` and ``count``, answered as a ListResponse.

RFC 7644 §3.4.2.4: ``startIndex`` below 1 means 1; a negative ``count`` means 0; ``count``
above the maximum (advertised as ``filter.maxResults``) is capped; ``count=0`` returns only
``totalResults``. ``totalResults`` counts every match, before the page is cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from .constants import LIST_RESPONSE_SCHEMA
from .exceptions import InvalidValue
from .query import SCIMQuery, get_scim_query
from .settings import scim_settings

__all__ = ["SCIMPagination", "list_response"]

_INTEGER = re.compile(r"[+-]?[0-9]{1,1000}")  # ASCII digits; huge values are clamped


def list_response(resources: Sequence[Any], total: int, start_index: int) -> dict[str, Any]:
    """A ListResponse message (RFC 7644 §3.4.2)."""
    return {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "itemsPerPage": len(resources),
        "startIndex": start_index,
        "Resources": list(resources),
    }


class SCIMPagination(BasePagination):
    """Paginate a queryset the SCIM way."""

    start_index_query_param = "startIndex"
    count_query_param = "count"

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

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any]:
        self.query = get_scim_query(request, view)
        self.start_index = self.get_start_index(request)
        count = self.get_count(request)
        self.total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        if count == 0 or self.start_index > self.total:
            return []
        offset = self.start_index - 1
        return list(queryset[offset : offset + count])

    def get_paginated_response(self, data: Any) -> Response:
        return Response(list_response(data, self.total, self.start_index))

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
                "Resources": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        # No ``minimum``: the server reads any integer (see get_start_index and get_count),
        # so a schema that declared one would claim it refuses what it serves.
        return [
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
