"""Discovery endpoints (RFC 7644 §4): /ServiceProviderConfig, /ResourceTypes, /Schemas.

What they advertise is checked against what the package enforces: the settings, the
authentication classes and the schema definitions of :mod:`drf_scim.definitions`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from drf_scim import constants, definitions
from drf_scim.authentication import SCIMTokenAuthentication
from drf_scim.characteristics import AttributeType, Mutability, Returned, Uniqueness
from drf_scim.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, MEDIA_TYPE

ROOT = "/scim/v2"
SPC = f"{ROOT}/ServiceProviderConfig"
RESOURCE_TYPES = f"{ROOT}/ResourceTypes"
SCHEMAS = f"{ROOT}/Schemas"

SCHEMA_DEFINITIONS = {
    constants.USER_SCHEMA: definitions.USER,
    constants.ENTERPRISE_USER_SCHEMA: definitions.ENTERPRISE_USER,
    constants.GROUP_SCHEMA: definitions.GROUP,
    constants.SERVICE_PROVIDER_CONFIG_SCHEMA: definitions.SERVICE_PROVIDER_CONFIG,
    constants.RESOURCE_TYPE_SCHEMA: definitions.RESOURCE_TYPE,
    constants.SCHEMA_SCHEMA: definitions.SCHEMA,
}


def get_json(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == MEDIA_TYPE
    return response.json()


def assert_location_serves(client, document):
    """meta.location is an absolute URL, and a GET of it returns the same document."""
    location = document["meta"]["location"]
    parts = urlsplit(location)
    assert parts.scheme == "http"
    assert parts.netloc == "testserver"
    assert parts.path.startswith(f"{ROOT}/")
    assert get_json(client, parts.path) == document


# -- /ServiceProviderConfig, RFC 7643 §5 ---------------------------------------------------


def test_rfc7643_5_service_provider_config_tells_the_truth(client):
    document = get_json(client, SPC)

    assert document["schemas"] == [constants.SERVICE_PROVIDER_CONFIG_SCHEMA]
    assert document["patch"] == {"supported": True}
    assert document["filter"] == {"supported": True, "maxResults": 1000}
    assert document["sort"] == {"supported": True}
    assert document["etag"] == {"supported": True}
    assert document["changePassword"] == {"supported": True}
    assert document["bulk"] == {
        "supported": True,
        "maxOperations": 1000,
        "maxPayloadSize": 1_048_576,
    }
    assert document["authenticationSchemes"] == [
        dict(SCIMTokenAuthentication.scim_authentication_scheme)
    ]
    assert "documentationUri" not in document
    assert document["meta"]["resourceType"] == "ServiceProviderConfig"


def test_rfc7643_5_required_attributes_are_present(client):
    """Every attribute the ServiceProviderConfig schema marks required is in the document."""
    document = get_json(client, SPC)

    for attribute in definitions.SERVICE_PROVIDER_CONFIG:
        if attribute.required:
            assert attribute.name in document
            for sub in attribute.sub_attributes:
                values = document[attribute.name]
                for value in values if attribute.multi_valued else [values]:
                    if sub.required:
                        assert sub.name in value, (attribute.name, sub.name)


def test_rfc7643_5_change_password_is_what_put_and_patch_do(client, django_user_model):
    """``changePassword`` is advertised because a ``password`` in PUT or PATCH sets it
    (RFC 7643 §5; §4.1.1: the cleartext password is write-only, never returned)."""
    assert get_json(client, SPC)["changePassword"] == {"supported": True}
    created = client.post(f"{ROOT}/Users", {"userName": "bjensen", "password": "first"})
    assert created.status_code == 201, created.content
    location = f"{ROOT}/Users/{created.json()['id']}"

    replaced = client.put(location, {"userName": "bjensen", "password": "second"})
    assert replaced.status_code == 200, replaced.content
    assert "password" not in replaced.json()
    assert django_user_model.objects.get(username="bjensen").check_password("second")

    operation = {"op": "replace", "path": "password", "value": "third"}
    body = {"schemas": [constants.PATCH_OP_SCHEMA], "Operations": [operation]}
    patched = client.patch(location, body)
    assert patched.status_code == 200, patched.content
    user = django_user_model.objects.get(username="bjensen")
    assert user.check_password("third")
    assert not user.check_password("second")


@pytest.mark.urls("tests.urls_discovery")
@pytest.mark.parametrize("root", ["/groups-only/v2", "/no-password/v2"])
def test_rfc7643_5_change_password_unsupported_without_a_settable_password(client, root):
    """A Group has no password; a Users viewset may decline to set them (RFC 7643 §5)."""
    document = get_json(client, f"{root}/ServiceProviderConfig")

    assert document["changePassword"] == {"supported": False}
    assert document["patch"] == {"supported": True}


@override_settings(
    DRF_SCIM={"MAX_COUNT": 25, "BULK_MAX_OPERATIONS": 7, "BULK_MAX_PAYLOAD_SIZE": 4096}
)
def test_rfc7643_5_limits_follow_the_settings(client):
    document = get_json(client, SPC)

    assert document["filter"]["maxResults"] == 25
    assert document["bulk"]["maxOperations"] == 7
    assert document["bulk"]["maxPayloadSize"] == 4096


@override_settings(DRF_SCIM={"MAX_COUNT": 2})
def test_rfc7643_5_max_results_is_what_a_page_serves(client, django_user_model):
    for index in range(4):
        django_user_model.objects.create(username=f"u{index}")

    advertised = get_json(client, SPC)["filter"]["maxResults"]
    page = get_json(client, f"{ROOT}/Users?count=100")

    assert page["itemsPerPage"] == advertised == 2


@override_settings(DRF_SCIM={"BULK_MAX_PAYLOAD_SIZE": 200})
def test_rfc7643_5_max_payload_size_is_what_the_bulk_parser_enforces(client):
    advertised = get_json(client, SPC)["bulk"]["maxPayloadSize"]

    response = client.post(f"{ROOT}/Bulk", {"Operations": [], "padding": "x" * advertised})

    assert response.status_code == 413


@override_settings(DRF_SCIM={"DOCUMENTATION_URI": "https://example.com/scim-help"})
def test_rfc7643_5_documentation_uri_only_when_set(client):
    document = get_json(client, SPC)

    assert document["documentationUri"] == "https://example.com/scim-help"


def test_rfc7643_5_meta_location_serves_the_document(client):
    document = get_json(client, SPC)

    assert urlsplit(document["meta"]["location"]).path == SPC
    assert_location_serves(client, document)


def test_rfc7643_5_trailing_slash_is_tolerated(client):
    assert get_json(client, SPC + "/") == get_json(client, SPC)


# -- /ResourceTypes, RFC 7643 §6 -------------------------------------------------------------


USER_RESOURCE_TYPE = {
    "schemas": [constants.RESOURCE_TYPE_SCHEMA],
    "id": "User",
    "name": "User",
    "endpoint": "/Users",
    "description": "User Account",
    "schema": constants.USER_SCHEMA,
    "schemaExtensions": [{"schema": constants.ENTERPRISE_USER_SCHEMA, "required": False}],
}


GROUP_RESOURCE_TYPE = {
    "schemas": [constants.RESOURCE_TYPE_SCHEMA],
    "id": "Group",
    "name": "Group",
    "endpoint": "/Groups",
    "description": "Group",
    "schema": constants.GROUP_SCHEMA,
}


def test_rfc7643_6_resource_types_is_a_list_response(client):
    document = get_json(client, RESOURCE_TYPES)

    assert document["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert document["totalResults"] == 2
    assert document["itemsPerPage"] == 2
    assert document["startIndex"] == 1
    user, group = document["Resources"]
    for resource_type in (user, group):
        assert resource_type.pop("meta")["resourceType"] == "ResourceType"
    assert user == USER_RESOURCE_TYPE
    assert group == GROUP_RESOURCE_TYPE


def test_rfc7643_6_resource_type_user(client):
    document = get_json(client, f"{RESOURCE_TYPES}/User")

    assert {k: v for k, v in document.items() if k != "meta"} == USER_RESOURCE_TYPE
    assert urlsplit(document["meta"]["location"]).path == f"{RESOURCE_TYPES}/User"
    assert_location_serves(client, document)


def test_rfc7643_6_listed_resource_type_location_serves_it(client):
    for listed in get_json(client, RESOURCE_TYPES)["Resources"]:
        assert_location_serves(client, listed)


def test_rfc7643_6_resource_type_endpoint_and_schema_are_served(client):
    """The endpoint is relative to the base URL and answers; the schema is in /Schemas."""
    user = get_json(client, f"{RESOURCE_TYPES}/User")

    assert get_json(client, f"{ROOT}{user['endpoint']}")["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert get_json(client, f"{SCHEMAS}/{user['schema']}")["id"] == user["schema"]
    for extension in user["schemaExtensions"]:
        assert get_json(client, f"{SCHEMAS}/{extension['schema']}")["id"] == extension["schema"]


@pytest.mark.parametrize("name", ["Nope", "Groups", "Users", "user "])
def test_rfc7644_3_12_unknown_resource_type_is_404(client, name):
    document = get_json(client, f"{RESOURCE_TYPES}/{name}", status=404)

    assert document["schemas"] == [ERROR_SCHEMA]
    assert document["status"] == "404"


# -- /Schemas, RFC 7643 §7 -------------------------------------------------------------------


def test_rfc7643_7_schemas_lists_user_enterprise_group_and_discovery_schemas(client):
    document = get_json(client, SCHEMAS)

    assert document["schemas"] == [LIST_RESPONSE_SCHEMA]
    ids = [resource["id"] for resource in document["Resources"]]
    assert sorted(ids) == sorted(SCHEMA_DEFINITIONS)
    assert document["totalResults"] == len(SCHEMA_DEFINITIONS)
    assert document["itemsPerPage"] == len(SCHEMA_DEFINITIONS)
    assert document["startIndex"] == 1


@pytest.mark.parametrize("urn", list(SCHEMA_DEFINITIONS))
def test_rfc7643_7_schema_document_is_the_definition(client, urn):
    """definitions is the one source of truth: /Schemas/<urn> is its representation."""
    document = get_json(client, f"{SCHEMAS}/{urn}")

    meta = document.pop("meta")
    assert document == SCHEMA_DEFINITIONS[urn].to_representation()
    assert meta["resourceType"] == "Schema"
    assert urlsplit(meta["location"]).path == f"{SCHEMAS}/{urn}"


@pytest.mark.parametrize("urn", list(SCHEMA_DEFINITIONS))
def test_rfc7643_7_listed_schema_equals_its_own_document(client, urn):
    listed = {r["id"]: r for r in get_json(client, SCHEMAS)["Resources"]}[urn]

    assert_location_serves(client, listed)


def test_rfc7643_7_schema_lookup_ignores_case(client):
    """URNs compare case-insensitively (RFC 8141 §3.1 for the "urn" and NID parts)."""
    document = get_json(client, f"{SCHEMAS}/{constants.USER_SCHEMA.upper()}")

    assert document["id"] == constants.USER_SCHEMA


@pytest.mark.parametrize(
    "urn",
    [
        "urn:ietf:params:scim:schemas:core:2.0:Device",
        "urn:ietf:params:scim:schemas:core:2.0:Nope",
        "Users",
    ],
)
def test_rfc7644_3_12_unknown_schema_is_404(client, urn):
    document = get_json(client, f"{SCHEMAS}/{urn}", status=404)

    assert document["schemas"] == [ERROR_SCHEMA]


_TYPES = {t.value for t in AttributeType}
_MUTABILITY = {m.value for m in Mutability}
_RETURNED = {r.value for r in Returned}
_UNIQUENESS = {u.value for u in Uniqueness}


def _walk(attributes, path=""):
    for attribute in attributes:
        name = f"{path}{attribute['name']}"
        yield name, attribute
        yield from _walk(attribute.get("subAttributes", []), f"{name}.")


@pytest.mark.parametrize("urn", list(SCHEMA_DEFINITIONS))
def test_rfc7643_7_attribute_characteristics(client, urn):
    """RFC 7643 §7: every attribute carries name, type, multiValued, description, required,
    mutability and returned; caseExact for strings, references and binaries; uniqueness for
    simple attributes; subAttributes for complex ones, and only for them."""
    document = get_json(client, f"{SCHEMAS}/{urn}")

    assert document["schemas"] == [constants.SCHEMA_SCHEMA]
    assert document["id"] == urn
    assert document["name"]
    assert document["attributes"]
    for name, attribute in _walk(document["attributes"]):
        assert isinstance(attribute["name"], str), name
        assert attribute["type"] in _TYPES, name
        assert isinstance(attribute["multiValued"], bool), name
        assert isinstance(attribute["description"], str), name
        assert attribute["description"], name
        assert isinstance(attribute["required"], bool), name
        assert attribute["mutability"] in _MUTABILITY, name
        assert attribute["returned"] in _RETURNED, name
        if attribute["type"] in ("string", "reference", "binary"):
            assert isinstance(attribute["caseExact"], bool), name
        if attribute["type"] == "complex":
            if urn != constants.SCHEMA_SCHEMA or name != "attributes.subAttributes":
                assert attribute["subAttributes"], name
        else:
            assert attribute["uniqueness"] in _UNIQUENESS, name
            assert "subAttributes" not in attribute, name
        if attribute["type"] == "reference":
            assert attribute["referenceTypes"], name
        for value in attribute.get("canonicalValues", []):
            assert isinstance(value, str), name


def _attribute(document, dotted):
    found = dict(_walk(document["attributes"]))
    return found[dotted]


@pytest.mark.parametrize(
    ("dotted", "expected"),
    [
        (
            "userName",
            {
                "type": "string",
                "required": True,
                "caseExact": False,
                "uniqueness": "server",
                "mutability": "readWrite",
                "returned": "default",
            },
        ),
        ("password", {"mutability": "writeOnly", "returned": "never"}),
        ("emails", {"type": "complex", "multiValued": True}),
        ("emails.value", {"type": "string", "multiValued": False}),
        ("emails.primary", {"type": "boolean"}),
        ("groups", {"mutability": "readOnly", "multiValued": True}),
        ("groups.$ref", {"type": "reference", "referenceTypes": ["Group"]}),  # erratum 8471
        ("active", {"type": "boolean", "multiValued": False}),
        ("profileUrl", {"type": "reference", "referenceTypes": ["external"]}),
        ("x509Certificates.value", {"type": "binary"}),
        ("name", {"type": "complex", "multiValued": False}),
    ],
)
def test_rfc7643_8_7_1_user_schema_characteristics(client, dotted, expected):
    """Spot checks against the User schema of RFC 7643 §4.1 and §8.7.1."""
    document = get_json(client, f"{SCHEMAS}/{constants.USER_SCHEMA}")

    attribute = _attribute(document, dotted)
    assert {key: attribute[key] for key in expected} == expected


def test_rfc7643_8_7_1_user_schema_attribute_names(client):
    document = get_json(client, f"{SCHEMAS}/{constants.USER_SCHEMA}")

    names = [attribute["name"] for attribute in document["attributes"]]
    assert names == [
        "userName",
        "name",
        "displayName",
        "nickName",
        "profileUrl",
        "title",
        "userType",
        "preferredLanguage",
        "locale",
        "timezone",
        "active",
        "password",
        "emails",
        "phoneNumbers",
        "ims",
        "photos",
        "addresses",
        "groups",
        "entitlements",
        "roles",
        "x509Certificates",
    ]


def test_rfc7643_4_3_enterprise_user_schema(client):
    document = get_json(client, f"{SCHEMAS}/{constants.ENTERPRISE_USER_SCHEMA}")

    names = [attribute["name"] for attribute in document["attributes"]]
    assert names == [
        "employeeNumber",
        "costCenter",
        "organization",
        "division",
        "department",
        "manager",
    ]
    assert _attribute(document, "manager.displayName")["mutability"] == "readOnly"
    assert _attribute(document, "manager.$ref")["referenceTypes"] == ["User"]


# -- RFC 7644 §4: filters refused, authentication required, read-only --------------------


@pytest.mark.parametrize(
    "path",
    [SPC, RESOURCE_TYPES, SCHEMAS, f"{RESOURCE_TYPES}/User", f"{SCHEMAS}/{constants.USER_SCHEMA}"],
)
@pytest.mark.parametrize("filter_value", ['id eq "User"', "", "garbage ((("])
def test_rfc7644_4_filter_on_discovery_endpoint_is_403(client, path, filter_value):
    """RFC 7644 §4: "If a filter is provided, the service provider SHOULD respond with HTTP
    status code 403 (Forbidden)"."""
    response = client.get(path, {"filter": filter_value})

    assert response.status_code == 403
    assert response["Content-Type"] == MEDIA_TYPE
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "403"
    assert body["detail"]


@pytest.mark.parametrize(
    "path",
    [SPC, RESOURCE_TYPES, SCHEMAS, f"{RESOURCE_TYPES}/User", f"{SCHEMAS}/{constants.USER_SCHEMA}"],
)
def test_rfc7644_4_discovery_requires_authentication(db, anonymous_client, path):
    response = anonymous_client.get(path)

    assert response.status_code == 401
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert response["WWW-Authenticate"] == 'Bearer realm="SCIM"'


@pytest.mark.parametrize(
    "path",
    [SPC, RESOURCE_TYPES, SCHEMAS, f"{RESOURCE_TYPES}/User", f"{SCHEMAS}/{constants.USER_SCHEMA}"],
)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_rfc7644_4_discovery_is_read_only(client, path, method):
    response = getattr(client, method)(path, {"schemas": [constants.USER_SCHEMA]})

    assert response.status_code == 405, response.content
    assert response["Content-Type"] == MEDIA_TYPE
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "405"
