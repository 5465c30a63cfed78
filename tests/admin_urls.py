"""URLconf for the admin tests: the Django admin beside the SCIM root."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from drf_scim.routers import SCIMRouter

urlpatterns = [
    path("admin/", admin.site.urls),
    path("scim/v2/", include(SCIMRouter().urls)),
]
