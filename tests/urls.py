from __future__ import annotations

from django.urls import include, path

from drf_scim.routers import SCIMRouter

router = SCIMRouter()

urlpatterns = [path("scim/v2/", include(router.urls))]
