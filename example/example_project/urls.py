"""The SCIM API at ``/scim/v2/``, its OpenAPI schema and Swagger UI, the audit log API for
staff at ``/api/audit/events/`` (docs/api-guide/audit-api.md), and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from drf_scim.audit_api import SCIMEventViewSet
from drf_scim.routers import SCIMRouter

router = SCIMRouter()
audit = SimpleRouter()
audit.register("events", SCIMEventViewSet, basename="scim-event")

urlpatterns = [
    path("scim/v2/", include(router.urls)),
    path("api/audit/", include(audit.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]
