"""A SCIM root with a URL parameter (a tenant slug): the self-test needs ``--root``."""

from __future__ import annotations

from django.urls import include, path

from drf_scim.routers import SCIMRouter

urlpatterns = [path("t/<slug:tenant>/scim/v2/", include(SCIMRouter().urls))]
