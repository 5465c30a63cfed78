"""A URLconf whose /Users viewsets lack filtering and/or sorting (tests/test_filters.py).

``/scim/v2/`` serves a Users viewset with no filter backends at all; ``/sort-only/v2/``
one that sorts but does not filter. Discovery (RFC 7644 §4) must say so.
"""

from __future__ import annotations

from django.urls import include, path

from drf_scim.filters import SCIMSortBackend
from drf_scim.routers import SCIMRouter
from drf_scim.viewsets import UserViewSet


class UnfilteredUserViewSet(UserViewSet):
    """``/Users`` without ``filter`` or ``sortBy`` support."""

    filter_backends = ()


class SortOnlyUserViewSet(UserViewSet):
    """``/Users`` with ``sortBy`` but without ``filter`` support."""

    filter_backends = (SCIMSortBackend,)


urlpatterns = [
    path("scim/v2/", include(SCIMRouter([UnfilteredUserViewSet]).urls)),
    path(
        "sort-only/v2/",
        include((SCIMRouter([SortOnlyUserViewSet]).urls, "sort-only"), namespace="sort-only"),
    ),
]
