"""A URLconf whose /Users filter backend has its own ``compiler_class`` (tests/test_sorting.py).

The compiler reads ``surname`` as ``name.familyName``; ``sortBy`` must use it too.
"""

from __future__ import annotations

from django.urls import include, path

from drf_scim.filter_language import AttributePath
from drf_scim.filters import FilterCompiler, SCIMFilterBackend, SCIMSortBackend
from drf_scim.routers import SCIMRouter
from drf_scim.viewsets import UserViewSet


class SurnameCompiler(FilterCompiler):
    """Knows ``surname``, an alias of ``name.familyName``; counts what it resolves."""

    resolved: list[str] = []

    def resolve(self, path):
        self.resolved.append(str(path))
        if path.schema is None and path.attribute.lower() == "surname":
            path = AttributePath("name", "familyName")
        return super().resolve(path)


class SurnameFilterBackend(SCIMFilterBackend):
    compiler_class = SurnameCompiler


class SurnameUserViewSet(UserViewSet):
    filter_backends = (SurnameFilterBackend, SCIMSortBackend)


urlpatterns = [path("scim/v2/", include(SCIMRouter([SurnameUserViewSet]).urls))]
