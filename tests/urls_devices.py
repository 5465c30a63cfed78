from __future__ import annotations

from django.urls import include, path

from drf_scim.routers import SCIMRouter
from drf_scim.viewsets import GroupViewSet, UserViewSet

from .devices.scim import DeviceViewSet

router = SCIMRouter(resources=[UserViewSet, GroupViewSet, DeviceViewSet])

urlpatterns = [path("scim/v2/", include(router.urls))]
