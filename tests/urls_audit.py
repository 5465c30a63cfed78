"""The SCIM root and the audit log API, as a project registers it (docs/api-guide/audit-api.md).

``/api/audit-bearer/`` is a project whose authentication also accepts SCIM bearer tokens:
the audit log must still refuse them.
"""

from __future__ import annotations

from django.urls import include, path
from rest_framework.authentication import SessionAuthentication
from rest_framework.routers import SimpleRouter

from drf_scim.audit_api import SCIMEventViewSet
from drf_scim.authentication import SCIMTokenAuthentication
from drf_scim.routers import SCIMRouter


class BearerSCIMEventViewSet(SCIMEventViewSet):
    authentication_classes = (SCIMTokenAuthentication, SessionAuthentication)


audit = SimpleRouter()
audit.register("events", SCIMEventViewSet, basename="scim-event")
bearer = SimpleRouter()
bearer.register("events", BearerSCIMEventViewSet, basename="bearer-scim-event")

urlpatterns = [
    path("scim/v2/", include(SCIMRouter().urls)),
    path("api/audit/", include(audit.urls)),
    path("api/audit-bearer/", include(bearer.urls)),
]
