"""``POST /.search`` at the SCIM root: one query over every resource type (RFC 7644 §3.4.3)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any, ClassVar

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import InvalidFilterError
from .exceptions import InvalidValue
from .filters import SCIMSortBackend
from .pagination import SCIMPagination, list_response
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
            kwargs={},
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
