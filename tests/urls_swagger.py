"""The SCIM API with its OpenAPI schema and Swagger UI, as the example project serves them.

Used by tests/test_swagger_ui.py. Swagger UI's files come from drf-spectacular-sidecar's
package (the suite has no staticfiles app, and Chromium has no network), served under
``/static/`` for a test that sets ``STATIC_URL`` and ``SWAGGER_UI_DIST = "SIDECAR"``.
"""

from __future__ import annotations

from pathlib import Path

import drf_spectacular_sidecar
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from drf_scim.routers import SCIMRouter

SIDECAR_STATIC = Path(drf_spectacular_sidecar.__file__).resolve().parent / "static"

SCIM = [path("scim/v2/", include(SCIMRouter().urls))]

urlpatterns = [
    *SCIM,
    # The SCIM operations only, as the example's SERVE_INCLUDE_SCHEMA = False gives: the
    # schema endpoint's own session and basic schemes stay out of the Authorize dialog.
    path("api/schema/", SpectacularAPIView.as_view(patterns=SCIM), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    re_path(r"^static/(?P<path>.*)$", serve, {"document_root": SIDECAR_STATIC}),
]
