"""Routers whose /ServiceProviderConfig must say ``changePassword`` is not supported.

``/groups-only/v2/`` serves Groups alone (no resource type has a password);
``/no-password/v2/`` serves Users whose viewset does not set passwords.
"""

from __future__ import annotations

from django.urls import include, path

from drf_scim.routers import SCIMRouter
from drf_scim.viewsets import GroupViewSet, UserViewSet


class NoPasswordUserViewSet(UserViewSet):
    """``/Users`` that says it does not change passwords."""

    supports_change_password = False


urlpatterns = [
    path(
        "groups-only/v2/",
        include((SCIMRouter([GroupViewSet]).urls, "groups-only"), namespace="groups-only"),
    ),
    path(
        "no-password/v2/",
        include((SCIMRouter([NoPasswordUserViewSet]).urls, "no-password"), namespace="no-password"),
    ),
]
