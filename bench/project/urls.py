"""The three targets side by side: drf-scim, the floor and django-scim2."""

from __future__ import annotations

from django.urls import include, path

from drf_scim.routers import SCIMRouter

from . import floor

urlpatterns = [
    path("scim/v2/", include(SCIMRouter().urls)),
    path("floor/Users", floor.users),
    path("floor/Users/<uuid:record_id>", floor.user),
    path("floor/Groups/<uuid:record_id>", floor.group),
    path("scim2/", include("django_scim.urls", namespace="scim")),
]
