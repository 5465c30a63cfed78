"""Media type and URNs fixed by RFC 7643 and RFC 7644."""

from __future__ import annotations

__all__ = [
    "BULK_REQUEST_SCHEMA",
    "BULK_RESPONSE_SCHEMA",
    "ENTERPRISE_USER_SCHEMA",
    "ERROR_SCHEMA",
    "GROUP_SCHEMA",
    "LIST_RESPONSE_SCHEMA",
    "MEDIA_TYPE",
    "PATCH_OP_SCHEMA",
    "RESOURCE_TYPE_SCHEMA",
    "SCHEMA_SCHEMA",
    "SEARCH_REQUEST_SCHEMA",
    "SERVICE_PROVIDER_CONFIG_SCHEMA",
    "USER_SCHEMA",
]

#: RFC 7644 §8.1.
MEDIA_TYPE = "application/scim+json"

# Resource schemas, RFC 7643 §4 and §8.7.1.
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

# Discovery schemas, RFC 7643 §5-7 and §8.7.2.
SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

# Protocol messages, RFC 7644 §3.
LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
BULK_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"

#: The attribute set (true) on the request of an operation of a ``POST /Bulk``
#: (drf_scim.bulk): its response only feeds the BulkResponse, which shows no resource.
BULK_OPERATION = "scim_bulk_operation"
#: The attribute holding, on the request of an operation of a ``POST /Bulk``, what the
#: Bulk request found out for all its creates at once (drf_scim.storage.DeletedKeys).
BULK_DELETED_KEYS = "scim_bulk_deleted_keys"
