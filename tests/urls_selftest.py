"""The SCIM router under a namespace and another root, for the self-test's root lookup."""

from __future__ import annotations

from django.urls import include, path

from drf_scim.routers import SCIMRouter

urlpatterns = [path("api/identity/", include((SCIMRouter().urls, "scim"), namespace="scim"))]
