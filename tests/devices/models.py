"""A resource type of the project's own, beyond User and Group: a managed device."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from drf_scim.models import BaseRecord, BaseValue


class Device(models.Model):
    name = models.CharField(max_length=100)
    serial = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    def __str__(self) -> str:
        return self.name


class DeviceRecord(BaseRecord):
    device = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="scim_record")


class DeviceValue(BaseValue):
    record = models.ForeignKey(DeviceRecord, on_delete=models.CASCADE, related_name="values")

    class Meta:
        ordering = ("attribute", "position")
