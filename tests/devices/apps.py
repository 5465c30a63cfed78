from __future__ import annotations

from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "tests.devices"
    label = "devices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from drf_scim.records import receiver_for

        from .models import Device
        from .scim import DeviceSerializer

        post_save.connect(receiver_for(DeviceSerializer), sender=Device, weak=False)
