"""The SCIM API at ``/scim/v2/``, its OpenAPI schema and Swagger UI, and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from drf_scim.routers import SCIMRouter

router = SCIMRouter()

urlpatterns = [
    path("scim/v2/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]
