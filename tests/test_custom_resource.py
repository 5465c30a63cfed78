"""A resource type of the project's own (tests/devices): registered on SCIMRouter with its
schema, it gets the whole protocol — RFC 7644 §3 and the discovery of §4."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import override_settings

from drf_scim.constants import ERROR_SCHEMA

from .devices.models import Device, DeviceRecord
from .devices.scim import DEVICE

pytestmark = pytest.mark.urls("tests.urls_devices")

DEVICES = "/scim/v2/Devices"


def create(client, name, serial, **extra):
    response = client.post(
        DEVICES, {"schemas": [DEVICE.id], "displayName": name, "serialNumber": serial, **extra}
    )
    assert response.status_code == 201, response.content
    return response.json()


@override_settings(DRF_SCIM={"DELETE_MODE": "delete"})
def test_crud_rfc7644_3(client):
    created = create(
        client,
        "Laptop",
        "SN-1",
        tags=["eng", "loaner"],
        storageGb=512,
        enrolled="2024-01-02T03:04:05Z",
    )
    assert created["schemas"] == [DEVICE.id]
    assert created["meta"]["resourceType"] == "Device"
    assert created["meta"]["location"].endswith(f"/scim/v2/Devices/{created['id']}")
    device = Device.objects.get()
    assert (device.name, device.serial) == ("Laptop", "SN-1")
    url = f"{DEVICES}/{created['id']}"
    assert client.get(url).json() == created
    replaced = client.put(url, {"displayName": "Laptop 2", "serialNumber": "SN-1"}).json()
    assert replaced["displayName"] == "Laptop 2"
    assert "tags" not in replaced
    assert client.delete(url).status_code == 204
    assert not Device.objects.exists()


def test_immutable_and_unique_serial_rfc7643_2_2(client):
    created = create(client, "Laptop", "SN-1")
    url = f"{DEVICES}/{created['id']}"
    response = client.put(url, {"displayName": "Laptop", "serialNumber": "SN-2"})
    assert response.status_code == 400
    assert response.json()["scimType"] == "mutability"
    duplicate = client.post(DEVICES, {"displayName": "Other", "serialNumber": "SN-1"})
    assert duplicate.status_code == 409
    assert duplicate.json() == {
        "schemas": [ERROR_SCHEMA],
        "status": "409",
        "scimType": "uniqueness",
        "detail": "A device with this serialNumber already exists.",
    }
    assert client.post(DEVICES, {"displayName": "No serial"}).status_code == 400


def test_immutable_check_ignores_the_requested_attributes_rfc7644_3_5_1(client):
    """?attributes= shapes the response only: it cannot hide an immutable attribute."""
    url = create(client, "Laptop", "SN-1")["meta"]["location"]
    response = client.put(
        f"{url}?attributes=displayName", {"displayName": "Laptop", "serialNumber": "SN-2"}
    )
    assert response.status_code == 400
    assert response.json()["scimType"] == "mutability"
    assert Device.objects.get().serial == "SN-1"


def test_filter_sort_projection_patch_search(client):
    create(client, "Laptop", "SN-1", tags=["eng"], storageGb=512)
    create(client, "Phone", "SN-2", tags=["sales", "eng"], storageGb=128)
    create(client, "Tablet", "sn-3", storageGb=64)

    def names(query):
        body = client.get(f"{DEVICES}?{query}").json()
        return [r["displayName"] for r in body["Resources"]]

    assert names("filter=" + quote('tags eq "ENG"') + "&sortBy=displayName") == ["Laptop", "Phone"]
    assert names("filter=" + quote("storageGb gt 100") + "&sortBy=storageGb") == ["Phone", "Laptop"]
    assert names("filter=" + quote('serialNumber eq "SN-3"')) == []  # caseExact
    assert names("sortBy=serialNumber&sortOrder=descending") == ["Tablet", "Phone", "Laptop"]
    body = client.get(f"{DEVICES}?attributes=serialNumber&sortBy=serialNumber").json()
    assert body["Resources"][0].keys() == {"schemas", "id", "serialNumber"}

    laptop = client.get(f"{DEVICES}?filter=" + quote('displayName eq "laptop"')).json()
    url = laptop["Resources"][0]["meta"]["location"]
    patched = client.patch(
        url,
        {
            "Operations": [
                {"op": "add", "path": "tags", "value": ["new"]},
                {"op": "replace", "path": "displayName", "value": "Laptop X"},
            ]
        },
    ).json()
    assert patched["tags"] == ["eng", "new"]
    assert Device.objects.get(serial="SN-1").name == "Laptop X"
    search = client.post(f"{DEVICES}/.search", {"filter": 'tags eq "new"'}).json()
    assert [r["displayName"] for r in search["Resources"]] == ["Laptop X"]


def test_discovery_describes_the_new_type_rfc7644_4(client):
    types = client.get("/scim/v2/ResourceTypes").json()
    assert [t["name"] for t in types["Resources"]] == ["User", "Group", "Device"]
    device = client.get("/scim/v2/ResourceTypes/Device").json()
    assert (device["endpoint"], device["schema"]) == ("/Devices", DEVICE.id)
    schema = client.get(f"/scim/v2/Schemas/{DEVICE.id}").json()
    assert schema["attributes"] == DEVICE.to_representation()["attributes"]
    assert {t["id"] for t in client.get("/scim/v2/Schemas").json()["Resources"]} >= {DEVICE.id}


def test_devices_made_outside_scim_get_records(client):
    device = Device.objects.create(name="Printer", serial="P-1")
    record = DeviceRecord.objects.get(device=device)
    body = client.get(f"{DEVICES}/{record.id}").json()
    assert (body["displayName"], body["serialNumber"]) == ("Printer", "P-1")
    device.name = "Printer 2"
    device.save()
    found = client.get(f"{DEVICES}?filter=" + quote('displayName eq "printer 2"')).json()
    assert found["totalResults"] == 1
