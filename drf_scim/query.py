"""The query of one request: the parameters of RFC 7644 §3.4.2, read in one place.

A ``GET`` on a resource endpoint carries them in its query string; a ``POST /.search``
in a SearchRequest body (§3.4.3), whose field names are matched ignoring case. Either
way the view builds one :class:`SCIMQuery` per request (``view.get_scim_query()``) and
hands it to the filter backend (``filter``), the sort backend (``sortBy``,
``sortOrder``), the paginator (``startIndex``, ``count``, and RFC 9865's ``cursor``) and
the projection
(``attributes``, ``excludedAttributes``). Each of them still validates its own
parameters, when it reads them, so errors arise where and as they always have.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rest_framework.request import Request

from .constants import SEARCH_REQUEST_SCHEMA
from .exceptions import InvalidFilter, InvalidSyntax, InvalidValue
from .filter_language import Filter
from .settings import scim_settings

__all__ = ["SCIMQuery", "get_scim_query", "search_params"]

#: The fields of a SearchRequest (RFC 7644 §3.4.3), by their lower-case names.
_SEARCH_FIELDS = {
    name.lower(): name
    for name in (
        "filter",
        "sortBy",
        "sortOrder",
        "startIndex",
        "count",
        "cursor",
        "attributes",
        "excludedAttributes",
    )
}


def search_params(body: Any) -> dict[str, Any]:
    """The query parameters a SearchRequest body stands for (RFC 7644 §3.4.3)."""
    if not isinstance(body, dict):
        raise InvalidSyntax("A SearchRequest must be a JSON object.")
    declared = body.get("schemas")
    if scim_settings.STRICT and (
        not isinstance(declared, list) or SEARCH_REQUEST_SCHEMA not in declared
    ):
        raise InvalidSyntax(f"'schemas' must list {SEARCH_REQUEST_SCHEMA}.")
    params: dict[str, Any] = {}
    for key, value in body.items():
        name = _SEARCH_FIELDS.get(key.lower())
        if name is None or value is None:
            continue
        if name in ("startIndex", "count"):
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise InvalidValue(f"{name} must be an integer.")
            value = str(value)
        elif name in ("attributes", "excludedAttributes"):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = ",".join(value)
            elif not isinstance(value, str):
                raise InvalidValue(f"{name} must be a list of attribute names.")
        params[name] = value
    return params


class SCIMQuery:
    """The query parameters of one request (RFC 7644 §3.4.2), as sent.

    Values are raw: strings from a query string; from a ``/.search`` body, whatever JSON
    the client sent for ``filter``, ``sortBy``, ``sortOrder`` and ``cursor`` (the readers refuse
    what is not a string), strings for the others. The filter is parsed once, by the
    first reader, and kept.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self._filters: dict[str, Filter] = {}

    @classmethod
    def from_query_string(cls, request: Request) -> SCIMQuery:
        """The query of a ``GET`` (RFC 7644 §3.4.2)."""
        return cls(request.query_params)

    @classmethod
    def from_search_request(cls, body: Any) -> SCIMQuery:
        """The query of a ``POST /.search`` body (RFC 7644 §3.4.3)."""
        return cls(search_params(body))

    def get(self, name: str) -> Any:
        """The raw value of parameter ``name``, or ``None``."""
        return self.params.get(name)

    @property
    def filter(self) -> Any:
        """``filter`` (§3.4.2.2), unparsed: see :meth:`get_filter`."""
        return self.get("filter")

    @property
    def sort_by(self) -> Any:
        """``sortBy`` (§3.4.2.3)."""
        return self.get("sortBy")

    @property
    def sort_order(self) -> Any:
        """``sortOrder`` (§3.4.2.3)."""
        return self.get("sortOrder")

    @property
    def start_index(self) -> Any:
        """``startIndex`` (§3.4.2.4), as text."""
        return self.get("startIndex")

    @property
    def count(self) -> Any:
        """``count`` (§3.4.2.4), as text."""
        return self.get("count")

    @property
    def cursor(self) -> Any:
        """``cursor`` (RFC 9865 §2), as text: empty asks for the first page."""
        return self.get("cursor")

    @property
    def attributes(self) -> Any:
        """``attributes`` (§3.4.2.5), comma-separated."""
        return self.get("attributes")

    @property
    def excluded_attributes(self) -> Any:
        """``excludedAttributes`` (§3.4.2.5), comma-separated."""
        return self.get("excludedAttributes")

    def get_filter(self, parse: Callable[[str], Filter], name: str = "filter") -> Filter | None:
        """The filter parameter parsed by ``parse``, or ``None`` when absent or blank.

        Parsed on the first call and kept, so that the resource types of a root
        ``/.search`` share one tree. Raises ``invalidFilter`` for a ``filter`` that is
        not a string (a ``/.search`` body can send any JSON).
        """
        text = self.get(name)
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        if not isinstance(text, str):
            raise InvalidFilter("filter must be a string.")
        if name not in self._filters:
            self._filters[name] = parse(text)
        return self._filters[name]


def get_scim_query(request: Request, view: Any) -> SCIMQuery:
    """The view's query (``view.get_scim_query()``), else the request's query string.

    Backends and paginators call this, so that they also serve views that are not
    :class:`~drf_scim.viewsets.SCIMModelViewSet`.
    """
    getter = getattr(view, "get_scim_query", None)
    if getter is not None:
        return getter()  # type: ignore[no-any-return]
    return SCIMQuery.from_query_string(request)
