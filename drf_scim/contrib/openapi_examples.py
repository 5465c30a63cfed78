"""The example documents of the OpenAPI schema: RFC 7643 §8's, as this server accepts them.

Swagger UI fills "Try it out" with these, so each is a document the server takes or
answers as it is: Barbara Jensen of RFC 7643 §8.2 and §8.3 (without her password, her
certificate and her manager, who would have to exist) and the "Tour Guides" group of §8.4,
with their RFC ids. ``tests/test_openapi.py`` sends every request example to the server
and checks every response example against the schema, so they cannot drift from it.

:func:`resource_example` fits a document to a serializer's schemas: an attribute or
extension the serializer does not have is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_scim import constants
from drf_scim.characteristics import Mutability, Returned
from drf_scim.definitions import Attribute

__all__ = [
    "BASE_URL",
    "GROUP_ID",
    "USER_ID",
    "bulk_response_example",
    "error_example",
    "list_response_example",
    "patch_example",
    "resource_example",
    "search_example",
]

#: The ids of RFC 7643 §8.2's user and §8.4's group.
USER_ID = "2819c223-7f76-453a-919d-413861904646"
GROUP_ID = "e9e30dba-f08f-4109-8486-d5c6a331660a"
#: The SCIM root of the examples' URIs.
BASE_URL = "https://example.com/scim/v2"

_USER: dict[str, Any] = {
    "schemas": [constants.USER_SCHEMA, constants.ENTERPRISE_USER_SCHEMA],
    "externalId": "701984",
    "userName": "bjensen@example.com",
    "name": {
        "formatted": "Ms. Barbara J Jensen, III",
        "familyName": "Jensen",
        "givenName": "Barbara",
        "middleName": "Jane",
        "honorificPrefix": "Ms.",
        "honorificSuffix": "III",
    },
    "displayName": "Babs Jensen",
    "nickName": "Babs",
    "profileUrl": "https://login.example.com/bjensen",
    "emails": [
        {"value": "bjensen@example.com", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ],
    "addresses": [
        {
            "type": "work",
            "streetAddress": "100 Universal City Plaza",
            "locality": "Hollywood",
            "region": "CA",
            "postalCode": "91608",
            "country": "US",
            "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA",
            "primary": True,
        }
    ],
    "phoneNumbers": [
        {"value": "555-555-5555", "type": "work"},
        {"value": "555-555-4444", "type": "mobile"},
    ],
    "userType": "Employee",
    "title": "Tour Guide",
    "preferredLanguage": "en-US",
    "locale": "en-US",
    "timezone": "America/Los_Angeles",
    "active": True,
    "groups": [
        {
            "value": GROUP_ID,
            "$ref": f"{BASE_URL}/Groups/{GROUP_ID}",
            "display": "Tour Guides",
            "type": "direct",
        }
    ],
    constants.ENTERPRISE_USER_SCHEMA: {
        "employeeNumber": "701984",
        "costCenter": "4130",
        "organization": "Universal Studios",
        "division": "Theme Park",
        "department": "Tour Operations",
    },
}

_GROUP: dict[str, Any] = {
    "schemas": [constants.GROUP_SCHEMA],
    "displayName": "Tour Guides",
    "members": [
        {
            "value": USER_ID,
            "$ref": f"{BASE_URL}/Users/{USER_ID}",
            "display": "Babs Jensen",
            "type": "User",
        }
    ],
}

#: Per core schema: the document, its id, and the endpoint it lives at.
_RESOURCES: dict[str, tuple[dict[str, Any], str, str]] = {
    constants.USER_SCHEMA: (_USER, USER_ID, "Users"),
    constants.GROUP_SCHEMA: (_GROUP, GROUP_ID, "Groups"),
}

#: A filter that finds each example resource, for ``/.search``.
_FILTERS = {
    constants.USER_SCHEMA: 'userName eq "bjensen@example.com"',
    constants.GROUP_SCHEMA: 'displayName eq "Tour Guides"',
}

#: A PatchOp per resource type that leaves the example resource as it is shown.
_PATCHES = {
    constants.USER_SCHEMA: [{"op": "replace", "path": "displayName", "value": "Babs Jensen"}],
    constants.GROUP_SCHEMA: [{"op": "add", "path": "members", "value": [{"value": USER_ID}]}],
}


def resource_id(core: str) -> str | None:
    """The id of the example resource of the core schema ``core``, if there is one."""
    return _RESOURCES[core][1] if core in _RESOURCES else None


def _fit(document: dict[str, Any], attributes: Iterable[Attribute], direction: str) -> Any:
    """``document`` without what ``attributes`` do not have or ``direction`` leaves out."""
    by_name = {attribute.name.lower(): attribute for attribute in attributes}
    fitted = {}
    for key, value in document.items():
        attribute = by_name.get(key.lower())
        if attribute is None or attribute.returned is Returned.NEVER:
            continue
        if direction == "request" and attribute.mutability is Mutability.READ_ONLY:
            continue
        if attribute.is_complex and attribute.sub_attributes:
            if isinstance(value, list):
                value = [_fit(item, attribute.sub_attributes, direction) for item in value]
            else:
                value = _fit(value, attribute.sub_attributes, direction)
        fitted[key] = value
    return fitted


def resource_example(
    schemas: Any, direction: str, *, created: bool = False
) -> dict[str, Any] | None:
    """The example resource of ``schemas`` (a serializer's), or ``None`` for no example.

    ``direction`` ``"request"`` gives the body of a POST or PUT, ``"response"`` the answer,
    with ``id`` and ``meta``; ``created``, the answer to the POST, in no group yet.
    ``schemas`` is what ``get_schemas()`` returns.
    """
    core = schemas.core.id
    if core not in _RESOURCES:
        return None
    document, id_, endpoint = _RESOURCES[core]
    extensions = {extension.id: extension for extension in schemas.extensions}
    example: dict[str, Any] = {
        "schemas": [urn for urn in document["schemas"] if urn == core or urn in extensions]
    }
    if direction == "response":
        example["id"] = id_
    example.update(_fit(document, schemas.core.attributes, direction))
    if created:
        example.pop("groups", None)
    for urn, extension in extensions.items():
        if urn in document:
            example[urn] = _fit(document[urn], extension.attributes, direction)
    if direction == "response":
        example["meta"] = {
            "resourceType": schemas.core.name,
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "location": f"{BASE_URL}/{endpoint}/{id_}",
            "version": 'W/"3"',
        }
    return example


def list_response_example(resource: dict[str, Any]) -> dict[str, Any]:
    """A ListResponse of the one ``resource`` (RFC 7644 §3.4.2)."""
    return {
        "schemas": [constants.LIST_RESPONSE_SCHEMA],
        "totalResults": 1,
        "itemsPerPage": 1,
        "startIndex": 1,
        "Resources": [resource],
    }


def search_example(core: str) -> dict[str, Any] | None:
    """A SearchRequest that finds the example resource of ``core`` (RFC 7644 §3.4.3)."""
    if core not in _FILTERS:
        return None
    return {
        "schemas": [constants.SEARCH_REQUEST_SCHEMA],
        "filter": _FILTERS[core],
        "startIndex": 1,
        "count": 10,
    }


def patch_example(core: str) -> dict[str, Any] | None:
    """A PatchOp of the example resource of ``core`` (RFC 7644 §3.5.2)."""
    if core not in _PATCHES:
        return None
    return {"schemas": [constants.PATCH_OP_SCHEMA], "Operations": _PATCHES[core]}


def bulk_response_example() -> dict[str, Any]:
    """The BulkResponse to the BulkRequest example (RFC 7644 §3.7.3)."""
    user = "92b725cd-9465-4e7d-8c16-01f8e146b87a"
    group = "fc348aa8-3835-40eb-a20b-c726e15c55b5"
    return {
        "schemas": [constants.BULK_RESPONSE_SCHEMA],
        "Operations": [
            {
                "method": "POST",
                "bulkId": "qwerty",
                "location": f"{BASE_URL}/Users/{user}",
                "version": 'W/"1"',
                "status": "201",
            },
            {
                "method": "POST",
                "bulkId": "ytrewq",
                "location": f"{BASE_URL}/Groups/{group}",
                "version": 'W/"1"',
                "status": "201",
            },
        ],
    }


def error_example(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    """An Error (RFC 7644 §3.12): ``status`` as a string, ``scimType`` only if given."""
    error: dict[str, Any] = {"schemas": [constants.ERROR_SCHEMA], "status": str(status)}
    if scim_type is not None:
        error["scimType"] = scim_type
    error["detail"] = detail
    return error
