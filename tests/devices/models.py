"""A resource type of the project's own, beyond User and Group: a managed device."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone

from drf_scim.models import BaseRecord, BaseValue


class Device(models.Model):
    name = models.CharField(max_length=100)
    serial = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    #: The groups whose members may use it: a many-to-many through a model of the
    #: project's own (tests/test_relations_through.py).
    groups = models.ManyToManyField(Group, through="Access", related_name="devices", blank=True)

    def __str__(self) -> str:
        return self.name


class Access(models.Model):
    """A through model of the project's own: a column with a Python default, and no
    unique constraint on the pair (Django requires none)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE)
    group = models.ForeignKey(Group, on_delete=models.CASCADE)
    granted = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.group_id} may use {self.device_id}"


class DeviceRecord(BaseRecord):
    device = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="scim_record")


class DeviceValue(BaseValue):
    record = models.ForeignKey(DeviceRecord, on_delete=models.CASCADE, related_name="values")

    class Meta:
        ordering = ("attribute", "position")
