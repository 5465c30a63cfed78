"""``POST /.search`` at the SCIM root: one query over every resource type (RFC 7644 §3.4.3).

Paginated by index, or by cursor (RFC 9865 §3): a root cursor is the position of a
resource type in registration order and a keyset position within that type.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, ClassVar

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import InvalidFilterError
from .exceptions import InvalidCursor, InvalidValue
from .filters import SCIMSortBackend
from .pagination import Cursor, Keyset, SCIMPagination, list_response
from .query import SCIMQuery
from .viewsets import SCIMModelViewSet, SCIMViewMixin

__all__ = ["SCIMRootSearchView"]


class SCIMRootSearchView(SCIMViewMixin, APIView):
    """``POST /.search``: one query over every resource type (RFC 7644 §3.4.3).

    Each resource type is filtered, sorted and projected by its own schemas; a type whose
    schemas do not know an attribute of the filter contributes nothing (the filter is a
    400 only when no type knows it). Results are listed type by type, in registration
    order, and paginated over the whole.
    """

    schema = None  # documented with the resource endpoints' own /.search
    http_method_names = ["post"]
    #: The resource viewsets registered on the router, set by SCIMRouter.
    resource_viewsets: ClassVar[tuple[type[SCIMModelViewSet], ...]] = ()

    def get_resource_view(self, viewset: type[SCIMModelViewSet], query: SCIMQuery) -> Any:
        """A list view of one resource type, for this request and ``query``."""
        serializer = viewset.get_resource_serializer()
        view = viewset(
            request=self.request,
            args=(),
            kwargs=dict(self.kwargs),  # the URL's own arguments (a prefix's tenant slug)
            format_kwarg=None,
            action="list",
            basename=f"scim-{serializer.resource_type.lower()}",
        )
        view.scim_query = query
        return view

    def sort(self, view: Any, queryset: Any) -> Any:
        """Sort one type's matches; a type that lacks the sortBy attribute stays unsorted."""
        for backend in view.filter_backends:
            if issubclass(backend, SCIMSortBackend):
                sorter = backend()
                sorter.descending(self.request, view)  # a bad sortOrder is an error for all
                with suppress(InvalidValue):  # sortBy names an attribute this type lacks
                    queryset = sorter.filter_queryset(self.request, queryset, view)
        return queryset

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = SCIMQuery.from_search_request(request.data)
        matches = []
        errors: list[InvalidFilterError] = []
        for viewset in self.resource_viewsets:
            view = self.get_resource_view(viewset, query)
            queryset = view.get_queryset()
            try:
                for backend in view.filter_backends:
                    if issubclass(backend, SCIMSortBackend):
                        continue
                    queryset = backend().filter_queryset(request, queryset, view)
            except InvalidFilterError as exc:
                errors.append(exc)
                continue
            matches.append((view, self.sort(view, queryset)))
        if errors and not matches:
            raise errors[0]
        paginator = SCIMPagination()
        paginator.query = query
        if paginator.get_method(request) == "cursor":
            return self.cursor_page(paginator, matches)
        start_index = paginator.get_start_index(request)
        count = paginator.get_count(request)
        counts = [queryset.count() for _, queryset in matches]
        resources: list[Any] = []
        offset = start_index - 1
        for (view, queryset), size in zip(matches, counts, strict=True):
            wanted = count - len(resources)
            if wanted <= 0:
                break
            if offset >= size:
                offset -= size
                continue
            page = list(queryset[offset : offset + wanted])
            offset = 0
            resources.extend(view.get_serializer(page, many=True).data)
        return Response(list_response(resources, sum(counts), start_index))

    def cursor_page(self, paginator: SCIMPagination, matches: list[tuple[Any, Any]]) -> Response:
        """One page of a cursor walk over every type (RFC 9865 §3), types in order.

        Each type is read by keyset from the position on, until the page is full: a page
        costs one query per type it touches (and the counts).
        """
        scope = paginator.get_cursor_scope(self.request, self)
        raw = paginator.query.get(paginator.cursor_query_param or "cursor")  # type: ignore[union-attr]
        cursor = paginator.decode_cursor("" if raw is None else raw, scope, None)
        count = paginator.get_count(self.request)
        keysets = [
            Keyset(queryset, paginator.get_cursor_tiebreaker(view)) for view, queryset in matches
        ]
        total = sum(queryset.count() for _, queryset in matches)
        if count == 0:
            return Response(list_response([], total, None))
        segment, keys = self._position(cursor, keysets)
        if cursor.backward:
            order = range(len(keysets) - 1 if segment is None else segment, -1, -1)
        else:
            order = range(segment or 0, len(keysets))
        rows: list[tuple[int, Any]] = []
        for index in order:
            position = Cursor(keys if index == segment else None, cursor.backward)
            rows.extend(
                (index, row) for row in keysets[index].page(position, count + 1 - len(rows))
            )
            if len(rows) > count:
                break
        more = len(rows) > count
        rows = rows[:count]
        if cursor.backward:
            rows.reverse()
        following, preceding = paginator.edges(
            cursor, rows, more, lambda item: (item[0], *keysets[item[0]].keys(item[1]))
        )
        resources: list[Any] = []
        for index in sorted({index for index, _ in rows}):
            view = matches[index][0]
            page = [row for at, row in rows if at == index]
            resources.extend(view.get_serializer(page, many=True).data)
        return Response(
            list_response(
                resources,
                total,
                None,
                next_cursor=None
                if following is None
                else paginator.encode_cursor(following, scope),
                previous_cursor=(
                    None if preceding is None else paginator.encode_cursor(preceding, scope)
                ),
            )
        )

    @staticmethod
    def _position(
        cursor: Cursor, keysets: list[Keyset]
    ) -> tuple[int | None, tuple[Any, ...] | None]:
        """The type a cursor points into and its position there, checked."""
        if cursor.keys is None:
            return None, None
        segment, *keys = cursor.keys
        if (
            not isinstance(segment, int)
            or isinstance(segment, bool)
            or not 0 <= segment < len(keysets)
            or len(keys) != len(keysets[segment].columns)
        ):
            raise InvalidCursor()
        return segment, tuple(keys)
