"""The SCIM endpoints at ``/scim/v2/``, as a project would mount them."""

from __future__ import annotations

from django.urls import include, path

from drf_scim.routers import SCIMRouter

urlpatterns = [path("scim/v2/", include(SCIMRouter().urls))]
