"""The Device resource: its schema, serializer and viewset — all a new type needs."""

from __future__ import annotations

from drf_scim.characteristics import AttributeType, Mutability, Uniqueness
from drf_scim.definitions import Attribute, Schema
from drf_scim.serializers import SCIMResourceSerializer
from drf_scim.viewsets import SCIMModelViewSet

from .models import Device, DeviceRecord

DEVICE = Schema(
    id="urn:example:params:scim:schemas:core:2.0:Device",
    name="Device",
    description="A managed device",
    attributes=(
        Attribute("displayName", required=True, description="The device's name."),
        Attribute(
            "serialNumber",
            required=True,
            case_exact=True,
            mutability=Mutability.IMMUTABLE,
            uniqueness=Uniqueness.SERVER,
            description="The manufacturer's serial number.",
        ),
        Attribute("tags", multi_valued=True, description="Labels."),
        Attribute("storageGb", AttributeType.INTEGER, description="Disk size."),
        Attribute("enrolled", AttributeType.DATETIME, description="When it was enrolled."),
    ),
)


class DeviceSerializer(SCIMResourceSerializer):
    resource_type = "Device"
    endpoint = "/Devices"
    description = "Managed devices"
    schema = DEVICE
    record_model = DeviceRecord
    record_name = "scim_record"
    attribute_map = {"displayName": "name", "serialNumber": "serial"}

    @classmethod
    def get_model(cls):
        return Device


class DeviceViewSet(SCIMModelViewSet):
    serializer_class = DeviceSerializer

    def uniqueness_detail(self):
        return "A device with this serialNumber already exists."
