"""The OpenAPI schema of the SCIM endpoints (drf_scim/contrib/drf_spectacular.py).

It is generated without warnings, is valid OpenAPI 3.0, documents each operation as the
views implement it (RFC 7644 §3 and §4), and describes what the server really answers:
real responses are validated against it, with every object closed to undocumented members.
The example project's schema is compared with a committed copy, tests/openapi/.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from jsonschema import ValidationError
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from openapi_spec_validator import validate as validate_spec

from drf_scim import exceptions
from drf_scim.characteristics import AttributeType
from drf_scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    ERROR_SCHEMA,
    GROUP_SCHEMA,
    LIST_RESPONSE_SCHEMA,
    PATCH_OP_SCHEMA,
    SEARCH_REQUEST_SCHEMA,
    USER_SCHEMA,
)
from drf_scim.contrib.drf_spectacular import SCIM_TYPES, SCIMAutoSchema
from drf_scim.definitions import RESOURCE_TYPE, SCHEMA, SERVICE_PROVIDER_CONFIG, Attribute, Schema
from drf_scim.models import SCIMToken
from drf_scim.routers import SCIMRouter
from drf_scim.serializers import SCIMUserSerializer
from drf_scim.viewsets import UserViewSet
from tests.conftest import python_json

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "openapi" / "example-schema.yaml"
UPDATE_GOLDEN = "DRF_SCIM_UPDATE_GOLDEN"

SCIM = "application/scim+json"
USERS = "/scim/v2/Users"
USER = "/scim/v2/Users/{id}"
BULK = "/scim/v2/Bulk"


def generate(patterns=None):
    """The schema of a SCIM root at /scim/v2/, and the generator's warnings and errors."""
    if patterns is None:
        patterns = [path("scim/v2/", include(SCIMRouter().urls))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    # As served: rendered to JSON and read back (lazy strings and the like resolved).
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={})), problems


@pytest.fixture(scope="module")
def schema():
    generated, problems = generate()
    assert problems == []
    return generated


def operation(schema, route, method):
    return schema["paths"][route][method]


def response_schema(schema, route, method, status):
    return operation(schema, route, method)["responses"][status]["content"][SCIM]["schema"]


def component_name(reference):
    return reference["$ref"].rsplit("/", 1)[1]


# -- generation --------------------------------------------------------------------------


def test_generation_emits_no_warnings_or_errors():
    _, problems = generate()
    assert problems == []
    assert not GENERATOR_STATS


def test_spectacular_command_fails_on_no_warning(tmp_path):
    output = tmp_path / "schema.yaml"
    with override_settings(ROOT_URLCONF="tests.urls_swagger"):
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(output))
    assert "/scim/v2/ServiceProviderConfig" in output.read_text()


def test_schema_is_valid_openapi_3(schema):
    validate_spec(schema)


def test_only_scim_endpoints_without_catch_all_or_trailing_slashes(schema):
    """/Me (RFC 7644 §3.11) included."""
    assert sorted(schema["paths"]) == [
        "/scim/v2/Bulk",
        "/scim/v2/Groups",
        "/scim/v2/Groups/.search",
        "/scim/v2/Groups/{id}",
        "/scim/v2/Me",
        "/scim/v2/ResourceTypes",
        "/scim/v2/ResourceTypes/{id}",
        "/scim/v2/Schemas",
        "/scim/v2/Schemas/{id}",
        "/scim/v2/ServiceProviderConfig",
        "/scim/v2/Users",
        "/scim/v2/Users/.search",
        "/scim/v2/Users/{id}",
    ]


# -- the operations, RFC 7644 §3 and §4 ----------------------------------------------------

#: route, method -> operationId, tag, response statuses.
OPERATIONS = {
    (USERS, "get"): ("listUsers", "Users", {"200", "400", "401", "403"}),
    (USERS, "post"): ("createUser", "Users", {"201", "400", "401", "403", "409", "413", "415"}),
    (f"{USERS}/.search", "post"): (
        "searchUsers",
        "Users",
        {"200", "400", "401", "403", "413", "415"},
    ),
    (USER, "get"): ("getUser", "Users", {"200", "304", "401", "403", "404"}),
    (USER, "put"): (
        "replaceUser",
        "Users",
        {"200", "400", "401", "403", "404", "409", "412", "413", "415"},
    ),
    (USER, "patch"): (
        "patchUser",
        "Users",
        {"200", "400", "401", "403", "404", "409", "412", "413", "415"},
    ),
    (USER, "delete"): ("deleteUser", "Users", {"204", "401", "403", "404", "412"}),
    ("/scim/v2/Groups", "get"): ("listGroups", "Groups", {"200", "400", "401", "403"}),
    ("/scim/v2/Groups/{id}", "patch"): (
        "patchGroup",
        "Groups",
        {"200", "204", "400", "401", "403", "404", "409", "412", "413", "415"},
    ),
    ("/scim/v2/ServiceProviderConfig", "get"): (
        "getServiceProviderConfig",
        "Discovery",
        {"200", "401", "403"},
    ),
    ("/scim/v2/ResourceTypes", "get"): ("listResourceTypes", "Discovery", {"200", "401", "403"}),
    ("/scim/v2/ResourceTypes/{id}", "get"): (
        "getResourceType",
        "Discovery",
        {"200", "401", "403", "404"},
    ),
    ("/scim/v2/Schemas", "get"): ("listSchemas", "Discovery", {"200", "401", "403"}),
    ("/scim/v2/Schemas/{id}", "get"): ("getSchema", "Discovery", {"200", "401", "403", "404"}),
    ("/scim/v2/Bulk", "post"): ("bulk", "Bulk", {"200", "400", "401", "403", "413", "415"}),
}


@pytest.mark.parametrize(("route", "method"), list(OPERATIONS))
def test_operation_ids_tags_and_statuses(schema, route, method):
    operation_id, tag, statuses = OPERATIONS[route, method]
    documented = operation(schema, route, method)
    assert documented["operationId"] == operation_id
    assert documented["tags"] == [tag]
    assert documented["summary"]
    assert set(documented["responses"]) == statuses
    assert documented["security"] == [{"SCIMBearerToken": []}]


def test_every_error_is_a_scim_error_body(schema):
    for route, methods in schema["paths"].items():
        for method, documented in methods.items():
            for status, response in documented["responses"].items():
                if status >= "400":
                    schemas = {
                        media_type: content["schema"]
                        for media_type, content in response["content"].items()
                    }
                    assert schemas == {SCIM: {"$ref": "#/components/schemas/Error"}}, (
                        route,
                        method,
                        status,
                    )
                    assert response["description"]


def test_the_error_schema_rfc7644_3_12(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["schemas", "status"]
    assert set(error["properties"]) == {"schemas", "status", "scimType", "detail"}
    assert error["properties"]["status"]["type"] == "string"
    scim_type = error["properties"]["scimType"]
    enum = schema["components"]["schemas"][component_name(scim_type["allOf"][0])]["enum"]
    assert enum == list(SCIM_TYPES)
    urns = error["properties"]["schemas"]["items"]
    assert schema["components"]["schemas"][component_name(urns)]["enum"] == [ERROR_SCHEMA]


def test_scim_types_are_table_9_and_those_the_exceptions_raise():
    assert set(SCIM_TYPES) == {
        "invalidFilter",
        "tooMany",
        "uniqueness",
        "mutability",
        "invalidSyntax",
        "invalidPath",
        "noTarget",
        "invalidValue",
        "invalidVers",
        "sensitive",
        "invalidCursor",  # RFC 9865 §2.1
        "expiredCursor",
    }
    raised = {
        getattr(exceptions, name).scim_type
        for name in exceptions.__all__
        if getattr(exceptions, name).scim_type
    }
    assert raised == set(SCIM_TYPES)


def test_401_carries_www_authenticate(schema):
    response = operation(schema, USERS, "get")["responses"]["401"]
    assert set(response["headers"]) == {"WWW-Authenticate"}


def test_security_scheme_is_the_bearer_token(schema):
    scheme = schema["components"]["securitySchemes"]["SCIMBearerToken"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert "create_scim_token" in scheme["description"]


# -- media types, RFC 7644 §3.1 --------------------------------------------------------------


def test_responses_are_scim_json_and_requests_also_json(schema):
    for methods in schema["paths"].values():
        for documented in methods.values():
            for response in documented["responses"].values():
                assert set(response.get("content", {SCIM: None})) == {SCIM}
            if "requestBody" in documented:
                assert set(documented["requestBody"]["content"]) == {SCIM, "application/json"}
                # A SearchRequest may be left out: see test_search_body_is_optional.
                optional = documented["operationId"].startswith("search")
                assert documented["requestBody"]["required"] is not optional
            names = [parameter["name"] for parameter in documented.get("parameters", [])]
            assert "format" not in names


# -- parameters ------------------------------------------------------------------------------


def parameters(schema, route, method):
    return {
        (parameter["in"], parameter["name"]): parameter
        for parameter in operation(schema, route, method).get("parameters", [])
    }


QUERY = {"filter", "sortBy", "sortOrder", "startIndex", "count", "cursor"}
PROJECTION = {"attributes", "excludedAttributes"}


@pytest.mark.parametrize(
    ("route", "method", "query", "headers"),
    [
        (USERS, "get", QUERY | PROJECTION, set()),
        (USERS, "post", PROJECTION, set()),
        (f"{USERS}/.search", "post", set(), set()),
        (USER, "get", PROJECTION, {"If-None-Match"}),
        (USER, "put", PROJECTION, {"If-Match"}),
        (USER, "patch", PROJECTION, {"If-Match"}),
        (USER, "delete", set(), {"If-Match"}),
        ("/scim/v2/ServiceProviderConfig", "get", set(), set()),
        ("/scim/v2/Schemas/{id}", "get", set(), set()),
    ],
)
def test_query_parameters_and_request_headers(schema, route, method, query, headers):
    documented = parameters(schema, route, method)
    assert {name for where, name in documented if where == "query"} == query
    assert {name for where, name in documented if where == "header"} == headers
    path_names = {name for where, name in documented if where == "path"}
    assert path_names == ({"id"} if "{id}" in route else set())
    assert all(p["required"] for (where, _), p in documented.items() if where == "path")


def test_sort_order_is_an_enum_and_paging_takes_any_integer(schema, client):
    documented = parameters(schema, USERS, "get")
    assert documented["query", "sortOrder"]["schema"]["enum"] == ["ascending", "descending"]
    # RFC 7644 §3.4.2.4: startIndex below 1 means 1 and a negative count means 0, so the
    # schema declares no minimum the server does not enforce.
    for name in ("startIndex", "count"):
        assert documented["query", name]["schema"] == {"type": "integer"}
    assert "below 1 means 1" in documented["query", "startIndex"]["description"]
    assert "below 0 means 0" in documented["query", "count"]["description"]
    body = check(schema, client.get(USERS, {"startIndex": 0, "count": -1}), 200, USERS, "get")
    assert (body["startIndex"], body["itemsPerPage"]) == (1, 0)


# -- versions and locations, RFC 7644 §3.3 and §3.14 -------------------------------------------


def headers(schema, route, method, status):
    return set(operation(schema, route, method)["responses"][status].get("headers", {}))


@pytest.mark.parametrize(
    ("route", "method", "status", "expected"),
    [
        (USERS, "post", "201", {"ETag", "Location"}),
        (USER, "get", "200", {"ETag", "Location"}),
        (USER, "get", "304", {"ETag"}),
        (USER, "put", "200", {"ETag", "Location"}),
        (USER, "patch", "200", {"ETag", "Location"}),
        (USER, "delete", "204", set()),
        (USERS, "get", "200", set()),
    ],
)
def test_etag_and_location_headers(schema, route, method, status, expected):
    assert headers(schema, route, method, status) == expected


def test_304_and_204_have_no_body(schema):
    assert "content" not in operation(schema, USER, "get")["responses"]["304"]
    assert "content" not in operation(schema, USER, "delete")["responses"]["204"]


def test_patch_answers_204_with_etag_when_the_setting_says_so():
    with override_settings(DRF_SCIM={"PATCH_RESPONSE": "no-content"}):
        generated, problems = generate()
    assert problems == []
    responses = operation(generated, USER, "patch")["responses"]
    assert "content" not in responses["204"]
    assert set(responses["204"]["headers"]) == {"ETag"}
    # RFC 7644 §3.5.2: "MUST return a 200 OK if the attributes parameter is specified".
    assert "`attributes`" in responses["200"]["description"]
    assert "ETag" in responses["200"]["headers"]


def test_a_group_patch_answers_204_by_default_rfc7644_3_5_2(schema):
    """The default ``PATCH_RESPONSE``: 204 for Groups, the resource for Users."""
    group = operation(schema, "/scim/v2/Groups/{id}", "patch")["responses"]
    user = operation(schema, USER, "patch")["responses"]
    assert "content" not in group["204"]
    assert "`attributes`" in group["200"]["description"]
    assert "204" not in user


# -- bodies ----------------------------------------------------------------------------------


def request_schema(schema, route, method):
    content = operation(schema, route, method)["requestBody"]["content"]
    assert content[SCIM] == content["application/json"]
    return content[SCIM]["schema"]


def test_list_and_search_answer_a_list_response_rfc7644_3_4_2(schema):
    for route, method in ((USERS, "get"), (f"{USERS}/.search", "post")):
        assert response_schema(schema, route, method, "200") == {
            "$ref": "#/components/schemas/UserListResponse"
        }
    list_response = schema["components"]["schemas"]["UserListResponse"]
    properties = list_response["properties"]
    assert set(properties) == {
        "schemas",
        "totalResults",
        "itemsPerPage",
        "startIndex",
        "nextCursor",
        "previousCursor",
        "Resources",
    }
    assert list_response["required"] == ["schemas", "totalResults", "Resources"]
    assert properties["Resources"]["items"] == {"$ref": "#/components/schemas/User"}
    urns = schema["components"]["schemas"][component_name(properties["schemas"]["items"])]
    assert urns["enum"] == [LIST_RESPONSE_SCHEMA]
    groups = schema["components"]["schemas"]["GroupListResponse"]["properties"]["Resources"]
    assert groups["items"] == {"$ref": "#/components/schemas/Group"}


def test_search_takes_a_search_request_rfc7644_3_4_3(schema):
    assert request_schema(schema, f"{USERS}/.search", "post") == {
        "$ref": "#/components/schemas/SearchRequest"
    }
    search = schema["components"]["schemas"]["SearchRequest"]
    assert set(search["properties"]) == {"schemas", *QUERY, *PROJECTION}
    assert search["properties"]["attributes"]["oneOf"] == [
        {"type": "array", "items": {"type": "string"}},
        {"type": "string", "nullable": True},
    ]
    for name in ("filter", "sortBy", "sortOrder", "startIndex", "count"):
        assert search["properties"][name]["nullable"] is True
    for name in ("startIndex", "count"):
        assert "minimum" not in search["properties"][name]
    assert search["example"]["schemas"] == [SEARCH_REQUEST_SCHEMA]
    assert "required" not in search


def test_cursor_pages_and_errors_match_the_schema_rfc9865_2(schema, client):
    """RFC 9865 §2, §2.1: cursor, nextCursor/previousCursor and the cursor errors as
    documented."""
    documented = parameters(schema, USERS, "get")["query", "cursor"]
    assert documented["schema"] == {"type": "string", "pattern": "^[A-Za-z0-9._~-]*$"}
    assert documented["allowEmptyValue"] is True
    for name in ("u1", "u2", "u3"):
        client.post(USERS, {"schemas": [USER_SCHEMA], "userName": name})
    first = check(schema, client.get(USERS, {"cursor": "", "count": 1}), 200, USERS, "get")
    second = client.get(USERS, {"cursor": first["nextCursor"], "count": 1})
    assert {"nextCursor", "previousCursor"} <= set(check(schema, second, 200, USERS, "get"))
    route = f"{USERS}/.search"
    body = {"schemas": [SEARCH_REQUEST_SCHEMA], "cursor": first["nextCursor"], "count": 1}
    validate_body(schema, "SearchRequest", body, request=True)
    check(schema, client.post(route, body), 200, route, "post")
    invalid = check(schema, client.get(USERS, {"cursor": "x"}), 400, USERS, "get")
    assert invalid["scimType"] == "invalidCursor"


def test_search_body_is_optional_and_its_members_nullable(schema, client):
    route = f"{USERS}/.search"
    assert operation(schema, route, "post")["requestBody"]["required"] is False
    client.post(USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    for body in (None, {"filter": None, "startIndex": None, "count": None, "attributes": None}):
        answered = check(schema, client.post(route, body), 200, route, "post")
        assert answered["totalResults"] == 1
    nulls = {"schemas": [SEARCH_REQUEST_SCHEMA], "sortOrder": None, "excludedAttributes": None}
    validate_body(schema, "SearchRequest", nulls, request=True)
    shouted = {"sortOrder": "DESCENDING", "attributes": "userName,emails"}
    validate_body(schema, "SearchRequest", shouted, request=True)
    check(schema, client.post(route, shouted), 200, route, "post")
    assert client.post(route, {"sortOrder": " descending "}).status_code == 400
    with pytest.raises(ValidationError):
        validate_body(schema, "SearchRequest", {"sortOrder": " descending "}, request=True)


def test_search_request_requires_schemas_when_strict(client):
    with override_settings(DRF_SCIM={"STRICT": True}):
        generated, problems = generate()
        refused = client.post(f"{USERS}/.search", {"filter": 'userName eq "x"'})
    assert problems == []
    search = generated["components"]["schemas"]["SearchRequest"]
    assert search["required"] == ["schemas"]
    assert search["properties"]["schemas"]["type"] == "array"
    assert refused.status_code == 400


def test_resource_schemas_are_not_read_unless_strict(schema, client):
    body = {"schemas": ["urn:nope"], "userName": "bjensen"}
    validate_body(schema, "UserRequest", body, request=True)
    created = check(schema, client.post(USERS, body), 201, USERS, "post")
    assert created["schemas"] == [USER_SCHEMA]
    with override_settings(DRF_SCIM={"STRICT": True}):
        generated, problems = generate()
        refused = client.post(USERS, {"schemas": ["urn:nope"], "userName": "other"})
    assert problems == []
    request = generated["components"]["schemas"]["UserRequest"]
    assert request["required"] == ["schemas", "userName"]
    assert request["properties"]["schemas"]["type"] == "array"
    assert refused.status_code == 400


def test_message_schemas_are_not_read_unless_strict(schema, client):
    """RFC 7644 §3.4.3 and §3.5.2 messages: lenient servers take any ``schemas``."""
    created = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"}).json()
    search = {"schemas": ["urn:nope"], "filter": 'userName eq "bjensen"'}
    answered = check(
        schema, client.post(f"{USERS}/.search", search), 200, f"{USERS}/.search", "post"
    )
    assert answered["totalResults"] == 1
    patch = {"schemas": 42, "Operations": [{"op": "replace", "path": "displayName", "value": "B"}]}
    patched = check(schema, client.patch(f"{USERS}/{created['id']}", patch), 200, USER, "patch")
    assert patched["displayName"] == "B"
    for name, body in (("SearchRequest", search), ("PatchOp", patch)):
        assert "type" not in schema["components"]["schemas"][name]["properties"]["schemas"]
        validate_body(schema, name, body, request=True)


def test_patch_takes_a_patch_op_rfc7644_3_5_2(schema):
    for route in (USER, "/scim/v2/Groups/{id}"):
        assert request_schema(schema, route, "patch") == {"$ref": "#/components/schemas/PatchOp"}
    patch_op = schema["components"]["schemas"]["PatchOp"]
    assert patch_op["required"] == ["Operations"]
    item = patch_op["properties"]["Operations"]["items"]
    assert set(item["properties"]) == {"op", "path", "value"}
    op = re.compile(item["properties"]["op"]["pattern"])
    for accepted in ("add", "remove", "replace", "Replace", "ADD", " remove "):
        assert op.fullmatch(accepted), accepted
    for refused in ("", "upsert", "adds", "re place", "move"):
        assert not op.fullmatch(refused), refused
    assert item["required"] == ["op"]
    assert patch_op["example"]["schemas"] == [PATCH_OP_SCHEMA]
    assert "PatchedUser" not in schema["components"]["schemas"]


def test_patch_ops_in_any_case_as_the_server_reads_them(schema, client):
    created = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"}).json()
    url = f"{USERS}/{created['id']}"
    op = {"op": "Replace", "path": "displayName", "value": "Babs"}
    body = {"schemas": [PATCH_OP_SCHEMA], "Operations": [op]}
    validate_body(schema, "PatchOp", body, request=True)
    assert check(schema, client.patch(url, body), 200, USER, "patch")["displayName"] == "Babs"


def test_patch_ops_are_lower_case_when_strict(client):
    with override_settings(DRF_SCIM={"STRICT": True}):
        generated, problems = generate()
        created = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"}).json()
        op = {"op": "Replace", "path": "displayName", "value": "Babs"}
        body = {"schemas": [PATCH_OP_SCHEMA], "Operations": [op]}
        refused = client.patch(f"{USERS}/{created['id']}", body)
    assert problems == []
    patch_op = generated["components"]["schemas"]["PatchOp"]
    assert patch_op["required"] == ["schemas", "Operations"]
    assert patch_op["properties"]["schemas"]["type"] == "array"
    item = patch_op["properties"]["Operations"]["items"]
    assert item["properties"]["op"] == {"type": "string", "enum": ["add", "remove", "replace"]}
    assert refused.status_code == 400


def test_create_and_replace_take_and_return_the_resource(schema):
    user = {"$ref": "#/components/schemas/User"}
    assert request_schema(schema, USERS, "post") == {"$ref": "#/components/schemas/UserRequest"}
    assert request_schema(schema, USER, "put") == {"$ref": "#/components/schemas/UserRequest"}
    assert response_schema(schema, USERS, "post", "201") == user
    for method in ("get", "put", "patch"):
        assert response_schema(schema, USER, method, "200") == user


def test_user_body_from_the_definitions_rfc7643_4_1(schema):
    user = schema["components"]["schemas"]["User"]
    request = schema["components"]["schemas"]["UserRequest"]
    # An answer always has id; attributes/excludedAttributes may leave out anything else
    # (RFC 7644 §3.9). A request must carry userName.
    assert user["required"] == ["id"]
    assert request["required"] == ["userName"]
    assert user["properties"]["id"]["readOnly"] is True
    assert user["properties"]["meta"]["readOnly"] is True
    assert "id" not in request["properties"]
    assert "meta" not in request["properties"]
    assert request["properties"]["password"]["writeOnly"] is True
    assert "password" not in user["properties"]
    assert set(request["properties"]) | {"id", "meta", "groups"} == set(user["properties"]) | {
        "password"
    }
    assert user["properties"]["emails"]["type"] == "array"
    assert user["properties"]["groups"]["items"]["properties"]["$ref"]["format"] == (
        "uri-reference"
    )
    enterprise = user["properties"][ENTERPRISE_USER_SCHEMA]
    assert "employeeNumber" in enterprise["properties"]
    urns = schema["components"]["schemas"][component_name(user["properties"]["schemas"]["items"])]
    assert urns["enum"] == [USER_SCHEMA, ENTERPRISE_USER_SCHEMA]
    group = schema["components"]["schemas"]["Group"]
    group_request = schema["components"]["schemas"]["GroupRequest"]
    assert group["required"] == ["id"]
    assert group_request["required"] == ["displayName"]
    # A required attribute needs a value: "" is none (the answer leaves it out).
    assert strict_shape(request["properties"]["userName"])["minLength"] == 1
    assert strict_shape(group_request["properties"]["displayName"])["minLength"] == 1
    assert "minLength" not in request["properties"]["displayName"]
    assert "minLength" not in user["properties"]["userName"]
    assert "members" in group["properties"]
    assert "members" in group_request["properties"]


def strict_shape(prop):
    """A request property's RFC shape: the first of the shapes a lenient server reads."""
    return prop["anyOf"][0] if "anyOf" in prop else prop


def test_request_schema_describes_the_dialects_the_server_reads(schema, client):
    """Unless ``STRICT``, the request schema says what drf_scim.normalization reads:
    numbers for strings, "True" for booleans, a single value for a multi-valued attribute,
    a bare id for ``manager`` (RFC 7643 §2.3 types, as Entra ID and JumpCloud send them)."""
    body = {
        "userName": 1234,
        "active": "True",
        "emails": {"value": "a@example.com"},
        ENTERPRISE_USER_SCHEMA: {"manager": "26118915", "employeeNumber": 701984},
    }
    validate_body(schema, "UserRequest", body, request=True)
    assert client.post(USERS, body).status_code == 201
    with override_settings(DRF_SCIM={"STRICT": True}):
        strict, _ = generate()
    user_name = strict["components"]["schemas"]["UserRequest"]["properties"]["userName"]
    assert "anyOf" not in user_name
    assert user_name["type"] == "string"


def test_request_attributes_may_be_null_as_unassigned_rfc7643_2_5(schema, client):
    """A request may give null for an attribute or sub-attribute that is not required:
    it is no value, as the server reads it; a required one may not be null."""
    body = {
        "schemas": [USER_SCHEMA],
        "userName": "bjensen",
        "nickName": None,
        "name": {"givenName": None},
        "emails": [{"value": None, "type": "work"}, None],
    }
    validate_body(schema, "UserRequest", body, request=True)
    assert client.post(USERS, body).status_code == 201
    group = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Tour Guides",
        "members": [{"value": None}, None],
    }
    validate_body(schema, "GroupRequest", group, request=True)
    assert client.post("/scim/v2/Groups", group).status_code == 201
    nameless = {"schemas": [USER_SCHEMA], "userName": None}
    with pytest.raises(ValidationError):
        validate_body(schema, "UserRequest", nameless, request=True)
    assert client.post(USERS, nameless).status_code == 400


def test_request_strings_exclude_nul_as_the_server_does(schema, client):
    request = schema["components"]["schemas"]["UserRequest"]
    body = {"schemas": [USER_SCHEMA], "userName": "bjensen", "nickName": "Babs\x00"}
    with pytest.raises(ValidationError):
        validate_body(schema, "UserRequest", body, request=True)
    assert client.post(USERS, body).status_code == 400
    title = strict_shape(request["properties"]["title"])["pattern"]
    assert re.fullmatch(title, "Tour Guide")
    assert "pattern" not in schema["components"]["schemas"]["User"]["properties"]["title"]


def test_read_only_required_attributes_follow_drf_spectacular_setting():
    with patched_settings({"COMPONENT_NO_READ_ONLY_REQUIRED": True}):
        generated, _ = generate()
    assert "required" not in generated["components"]["schemas"]["User"]
    assert generated["components"]["schemas"]["UserRequest"]["required"] == ["userName"]
    assert generated["components"]["schemas"]["ServiceProviderConfig"]["required"] == ["schemas"]


def test_the_request_component_follows_component_split_request():
    with patched_settings({"COMPONENT_SPLIT_REQUEST": True}):
        generated, problems = generate()
    assert problems == []
    assert request_schema(generated, USERS, "post") == {"$ref": "#/components/schemas/UserRequest"}
    assert "UserRequestRequest" not in generated["components"]["schemas"]


BADGE = Schema(
    id="urn:example:params:scim:schemas:extension:badge:2.0:User",
    name="Badge",
    description="Building badge",
    attributes=(
        Attribute("badgeNumber", required=True, description="The number on the badge."),
        Attribute("floor", AttributeType.INTEGER),
    ),
)


class BadgeUserSerializer(SCIMUserSerializer):
    extensions = (*SCIMUserSerializer.extensions, BADGE)
    required_extensions = frozenset({BADGE.id})


class BadgeUserViewSet(UserViewSet):
    @classmethod
    def get_resource_serializer(cls):
        return BadgeUserSerializer


def test_a_custom_extension_appears_by_itself():
    generated, problems = generate([path("scim/v2/", include(SCIMRouter([BadgeUserViewSet]).urls))])
    assert problems == []
    validate_spec(generated)
    components = generated["components"]["schemas"]
    user = components["UserRequest"]
    badge = user["properties"][BADGE.id]
    assert badge["type"] == "object"
    assert badge["required"] == ["badgeNumber"]
    assert strict_shape(badge["properties"]["floor"]) == {"type": "integer", "nullable": True}
    answered = components["User"]["properties"][BADGE.id]
    assert answered["properties"]["floor"] == {"type": "integer"}
    assert badge["properties"]["badgeNumber"]["description"] == "The number on the badge."
    assert ENTERPRISE_USER_SCHEMA in user["properties"]
    assert BADGE.id in user["required"]  # a required extension (RFC 7643 §3.3)
    answer = components["User"]["properties"]["schemas"]["items"]
    urns = components[component_name(answer)]["enum"]
    assert urns == [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, BADGE.id]
    assert user["properties"]["schemas"]["example"] == urns


# -- discovery, RFC 7644 §4 and RFC 7643 §5-7 ---------------------------------------------------


@pytest.mark.parametrize(
    ("route", "component", "definition"),
    [
        ("/scim/v2/ServiceProviderConfig", "ServiceProviderConfig", SERVICE_PROVIDER_CONFIG),
        ("/scim/v2/ResourceTypes/{id}", "ResourceType", RESOURCE_TYPE),
        ("/scim/v2/Schemas/{id}", "Schema", SCHEMA),
    ],
)
def test_discovery_documents_from_the_discovery_schemas(schema, route, component, definition):
    assert response_schema(schema, route, "get", "200") == {
        "$ref": f"#/components/schemas/{component}"
    }
    document = schema["components"]["schemas"][component]
    assert list(document["properties"]) == [
        "schemas",
        *(attribute.name for attribute in definition.attributes),
        "meta",
    ]
    required = [a.name for a in definition.attributes if a.required]
    assert document["required"] == ["schemas", *required]
    assert set(document["properties"]["meta"]["properties"]) == {"resourceType", "location"}


def test_discovery_lists_are_list_responses(schema):
    for route, item in (("/scim/v2/ResourceTypes", "ResourceType"), ("/scim/v2/Schemas", "Schema")):
        reference = response_schema(schema, route, "get", "200")
        list_response = schema["components"]["schemas"][component_name(reference)]
        assert list_response["properties"]["Resources"]["items"] == {
            "$ref": f"#/components/schemas/{item}"
        }


def test_schema_attributes_nest_as_sub_attributes_rfc7643_7(schema):
    components = schema["components"]["schemas"]
    attribute = {"$ref": "#/components/schemas/SchemaAttribute"}
    assert components["Schema"]["properties"]["attributes"]["items"] == attribute
    assert components["SchemaAttribute"]["properties"]["subAttributes"]["items"] == attribute


# -- the schema describes what the server answers -------------------------------------------------


def closed(node):
    """A copy of ``node`` in which no object allows members the schema does not name."""
    if isinstance(node, list):
        return [closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: closed(value) for key, value in node.items()}
    if isinstance(node.get("properties"), dict) and node.get("type") == "object":
        result.setdefault("additionalProperties", False)
    return result


def validate_body(schema, component, body, *, request=False):
    document = {
        "$ref": f"#/components/schemas/{component}",
        "components": closed(schema["components"]),
    }
    validator = OAS30WriteValidator if request else OAS30ReadValidator
    validator(document).validate(body)


def check(schema, response, status, route, method):
    """``response`` has the status, and the body, that the schema documents for it."""
    assert response.status_code == int(status), response.content
    documented = operation(schema, route, method)["responses"][str(status)]
    if "content" not in documented:
        assert response.content == b""
        return None
    assert response["Content-Type"].startswith(SCIM)
    for header in documented.get("headers", {}):
        assert response.has_header(header), header
    reference = documented["content"][SCIM]["schema"]
    body = response.json()
    validate_body(schema, component_name(reference), body)
    return body


def test_resource_responses_match_the_schema(schema, client, sample):
    body = sample("rfc7643-8.2-user-full.json")
    for key in ("id", "meta", "groups"):
        body.pop(key, None)
    validate_body(schema, "UserRequest", body, request=True)
    created = check(schema, client.post(USERS, body), 201, USERS, "post")
    url = f"{USERS}/{created['id']}"
    check(schema, client.get(url), 200, USER, "get")
    check(schema, client.get(USERS, {"count": 1}), 200, USERS, "get")
    search = schema["components"]["schemas"]["SearchRequest"]["example"]
    validate_body(schema, "SearchRequest", search, request=True)
    check(schema, client.post(f"{USERS}/.search", search), 200, f"{USERS}/.search", "post")
    patch = schema["components"]["schemas"]["PatchOp"]["example"]
    validate_body(schema, "PatchOp", patch, request=True)
    patched = check(schema, client.patch(url, patch), 200, USER, "patch")
    assert patched["displayName"] == "Babs Jensen"
    etag = client.get(url)["ETag"]
    check(schema, client.get(url, HTTP_IF_NONE_MATCH=etag), 304, USER, "get")
    check(schema, client.delete(url, HTTP_IF_MATCH='W/"0"'), 412, USER, "delete")
    check(schema, client.delete(url, HTTP_IF_MATCH=etag), 204, USER, "delete")
    check(schema, client.get(url), 404, USER, "get")
    group = {"schemas": [GROUP_SCHEMA], "displayName": "Tour Guides"}
    check(schema, client.post("/scim/v2/Groups", group), 201, "/scim/v2/Groups", "post")


def test_me_is_documented_as_the_alias_it_is_rfc7644_3_11(schema, client):
    """/Me: GET, PUT, PATCH and DELETE of the token's user, no `id` parameter, 501 without
    a bound user; POST (405) is no operation. Real answers match the schema."""
    me = "/scim/v2/Me"
    assert sorted(schema["paths"][me]) == ["delete", "get", "patch", "put"]
    for method, verb in (("get", "get"), ("put", "replace"), ("patch", "patch")):
        documented = operation(schema, me, method)
        assert documented["operationId"] == f"{verb}Me"
        assert "id" not in [p["name"] for p in documented.get("parameters", [])]
        assert "501" in documented["responses"]
        assert "§3.11" in documented["description"]
    check(schema, client.get(me), 501, me, "get")
    created = client.post(USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"}).json()
    from django.contrib.auth.models import User

    _token, key = SCIMToken.generate("me", user=User.objects.get(username="bjensen"))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = check(schema, client.get(me), 200, me, "get")
    assert body["id"] == created["id"]
    check(schema, client.put(me, {"userName": "bjensen"}), 200, me, "put")
    check(schema, client.delete(me), 204, me, "delete")
    check(schema, client.get(me), 404, me, "get")


def test_bulk_request_and_response_match_the_schema_rfc7644_3_7(schema, client):
    """The BulkRequest example is valid and accepted; the BulkResponse, with a failed
    operation's error, and the errors of the whole request match the schema."""
    example = schema["components"]["schemas"]["BulkRequest"]["example"]
    validate_body(schema, "BulkRequest", example, request=True)
    body = check(schema, client.post(BULK, example), 200, BULK, "post")
    assert [result["status"] for result in body["Operations"]] == ["201", "201"]
    again = {**example, "Operations": [*example["Operations"], {"method": "DELETE", "path": "/x"}]}
    body = check(schema, client.post(BULK, again), 200, BULK, "post")
    assert body["Operations"][0]["response"]["scimType"] == "uniqueness"
    check(schema, client.post(BULK, {"Operations": 1}), 400, BULK, "post")
    with override_settings(DRF_SCIM={"BULK_MAX_OPERATIONS": 1}):
        check(schema, client.post(BULK, example), 413, BULK, "post")


def test_error_responses_match_the_schema(schema, client, anonymous_client):
    check(schema, anonymous_client.get(USERS), 401, USERS, "get")
    check(schema, client.get(USERS, {"filter": "userName zz 1"}), 400, USERS, "get")
    check(schema, client.post(USERS, "{"), 400, USERS, "post")
    check(
        schema,
        client.post(USERS, "{}", content_type="text/plain"),
        415,
        USERS,
        "post",
    )
    client.post(USERS, {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    duplicate = {"schemas": [USER_SCHEMA], "userName": "bjensen"}
    check(schema, client.post(USERS, duplicate), 409, USERS, "post")
    check(
        schema,
        client.get("/scim/v2/ServiceProviderConfig", {"filter": "x"}),
        403,
        "/scim/v2/ServiceProviderConfig",
        "get",
    )


def test_discovery_responses_match_the_schema(schema, client):
    for route, url in (
        ("/scim/v2/ServiceProviderConfig", "/scim/v2/ServiceProviderConfig"),
        ("/scim/v2/ResourceTypes", "/scim/v2/ResourceTypes"),
        ("/scim/v2/ResourceTypes/{id}", "/scim/v2/ResourceTypes/User"),
        ("/scim/v2/Schemas", "/scim/v2/Schemas"),
        ("/scim/v2/Schemas/{id}", f"/scim/v2/Schemas/{USER_SCHEMA}"),
    ):
        check(schema, client.get(url), 200, route, "get")
    check(
        schema,
        client.get("/scim/v2/Schemas/urn:nope"),
        404,
        "/scim/v2/Schemas/{id}",
        "get",
    )


# -- the example project's schema, committed ---------------------------------------------------


def example_schema():
    """The example project's schema, as ``manage.py spectacular --fail-on-warn`` prints it.

    Less drf-spectacular's own ``/api/schema/`` endpoint: its ``lang`` parameter lists
    Django's languages, which change from one Django release to the next.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "DATABASE_URL": "sqlite://:memory:",
    }
    command = [
        sys.executable,
        str(ROOT / "example" / "manage.py"),
        "spectacular",
        "--fail-on-warn",
        "--validate",
        "--format",
        "openapi-json",
    ]
    result = subprocess.run(  # noqa: S603 - our own command line
        command, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    generated = json.loads(result.stdout)
    generated["paths"] = {
        route: item for route, item in generated["paths"].items() if route.startswith("/scim/")
    }
    return OpenApiYamlRenderer().render(generated, renderer_context={}).decode()


def test_example_schema_matches_the_committed_copy():
    generated = example_schema()
    if os.environ.get(UPDATE_GOLDEN):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(generated)
    expected = GOLDEN.read_text() if GOLDEN.exists() else ""
    if generated != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                fromfile=str(GOLDEN.relative_to(ROOT)),
                tofile="generated from example/",
            )
        )
        pytest.fail(
            f"The example project's OpenAPI schema changed. If that is intended, regenerate "
            f"the copy ({UPDATE_GOLDEN}=1 python -m pytest tests/test_openapi.py -k committed) "
            f"and review the diff:\n{diff}",
            pytrace=False,
        )


def test_committed_copy_is_valid_openapi_3():
    import yaml

    validate_spec(yaml.safe_load(GOLDEN.read_text()))


class DocumentedUserViewSet(UserViewSet):
    schema = SCIMAutoSchema()

    @extend_schema(description="Our own words.")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


def test_extend_schema_on_a_scim_viewset_keeps_the_scim_schema():
    routes = [path("scim/v2/", include(SCIMRouter([DocumentedUserViewSet]).urls))]
    generated, problems = generate(routes)
    assert problems == []
    listed = operation(generated, USERS, "get")
    assert listed["description"] == "Our own words."
    assert listed["operationId"] == "listUsers"
    assert response_schema(generated, USERS, "get", "200") == {
        "$ref": "#/components/schemas/UserListResponse"
    }


class UndeclaredUserViewSet(UserViewSet):
    @extend_schema(description="Our own words.")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


def test_extend_schema_without_scim_auto_schema_warns():
    routes = [path("scim/v2/", include(SCIMRouter([UndeclaredUserViewSet]).urls))]
    _, problems = generate(routes)
    assert len(problems) == 1
    assert "schema = SCIMAutoSchema()" in problems[0]


# -- the examples, RFC 7643 §8: real documents the server takes and answers ---------------------

#: Every SCIM operation, in an order in which each succeeds with its examples on an empty
#: database, and the steps between them: ``"adopt"`` gives the resource just created the
#: id of the example resource (the examples name RFC 7643 §8's ids, the server assigns
#: new ones), ``"bind-me"`` binds the token of /Me to the example User (RFC 7644 §3.11),
#: and ``"bind-me-to-alice"`` to the Bulk example's User, for DELETE /Me.
EXAMPLE_RUN = (
    ("/scim/v2/Users", "post"),
    "adopt",
    ("/scim/v2/Groups", "post"),
    "adopt",
    "bind-me",
    ("/scim/v2/Users/{id}", "get"),
    ("/scim/v2/Users/{id}", "put"),
    ("/scim/v2/Users/{id}", "patch"),
    ("/scim/v2/Users", "get"),
    ("/scim/v2/Users/.search", "post"),
    ("/scim/v2/Groups/{id}", "get"),
    ("/scim/v2/Groups/{id}", "put"),
    ("/scim/v2/Groups/{id}", "patch"),
    ("/scim/v2/Groups", "get"),
    ("/scim/v2/Groups/.search", "post"),
    ("/scim/v2/Me", "get"),
    ("/scim/v2/Me", "put"),
    ("/scim/v2/Me", "patch"),
    ("/scim/v2/ServiceProviderConfig", "get"),
    ("/scim/v2/ResourceTypes", "get"),
    ("/scim/v2/ResourceTypes/{id}", "get"),
    ("/scim/v2/Schemas", "get"),
    ("/scim/v2/Schemas/{id}", "get"),
    ("/scim/v2/Bulk", "post"),
    ("/scim/v2/Groups/{id}", "delete"),
    ("/scim/v2/Users/{id}", "delete"),
    "bind-me-to-alice",
    ("/scim/v2/Me", "delete"),
)


def run_example_step(step, created_id, token):
    """Run the step ``step`` of EXAMPLE_RUN that is not an operation.

    ``created_id`` is the id of the resource the last operation created; ``token`` is
    the one /Me is called with.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from drf_scim.contrib.openapi_examples import GROUP_ID, USER_ID
    from drf_scim.models import GroupRecord, GroupValue, UserRecord, UserValue

    if step == "adopt":
        for record_model, value_model, new_id in (
            (UserRecord, UserValue, USER_ID),
            (GroupRecord, GroupValue, GROUP_ID),
        ):
            if record_model.objects.filter(pk=created_id).exists():
                # The values refer to the record's id: PostgreSQL and SQLite check that at
                # commit, MariaDB at once unless its checks are off for the change.
                with connection.constraint_checks_disabled(), transaction.atomic():
                    record_model.objects.filter(pk=created_id).update(id=new_id)
                    value_model.objects.filter(record_id=created_id).update(record_id=new_id)
                return
        raise AssertionError(f"No resource {created_id}")
    user_name_key = {"bind-me": None, "bind-me-to-alice": "alice"}[step]
    if user_name_key is None:
        record = UserRecord.objects.get(pk=USER_ID)
    else:
        record = UserRecord.objects.get(user_name_key=user_name_key)
    token.user = get_user_model().objects.get(scim_record=record)
    token.save(update_fields=["user"])


def request_example(schema, documented):
    """The body Swagger UI's "Try it out" starts with: the first example of the media
    type, else the example of the body's component."""
    content = documented.get("requestBody", {}).get("content", {}).get(SCIM)
    if content is None:
        return None
    if "examples" in content:
        return next(iter(content["examples"].values()))["value"]
    return schema["components"]["schemas"][component_name(content["schema"])]["example"]


def example_url(route, documented):
    """``route`` with its path parameter set to the parameter's example."""
    for parameter in documented.get("parameters", []):
        if parameter["in"] == "path":
            value = next(iter(parameter["examples"].values()))["value"]
            route = route.replace("{" + parameter["name"] + "}", value)
    return route


def success_status(documented):
    """The status of a success without ``attributes``: 204 where PATCH answers no body."""
    successes = [status for status in documented["responses"] if status < "300"]
    return "204" if "204" in successes else min(successes)


def comparable(body):
    """``body`` with the server's URLs as the examples' and without what changes each run:
    timestamps, versions, and the ids of resources a POST creates."""
    from drf_scim.contrib.openapi_examples import BASE_URL

    text = json.dumps(body).replace("http://testserver/scim/v2", BASE_URL)
    body = json.loads(text)

    def strip(node):
        if isinstance(node, list):
            return [strip(item) for item in node]
        if not isinstance(node, dict):
            return node
        return {
            key: strip(value)
            for key, value in node.items()
            if key not in ("created", "lastModified", "version", "location")
        }

    return strip(body)


def examples_of(schema):
    """Every example of the schema: (where, kind, schema of it, value)."""
    for route, methods in schema["paths"].items():
        for method, documented in methods.items():
            where = f"{method.upper()} {route}"
            for content in documented.get("requestBody", {}).get("content", {}).values():
                for example in content.get("examples", {}).values():
                    yield where, "request", content["schema"], example["value"]
            for status, response in documented["responses"].items():
                for content in response.get("content", {}).values():
                    for example in content.get("examples", {}).values():
                        yield f"{where} {status}", "response", content["schema"], example["value"]
    for name, component in schema["components"]["schemas"].items():
        if "example" in component:
            yield name, "request", {"$ref": f"#/components/schemas/{name}"}, component["example"]


def test_every_example_is_valid_by_the_schema(schema):
    """Every request and response example, the Errors included, is valid by its schema,
    with no member the schema does not name."""
    found = list(examples_of(schema))
    assert len(found) > 100
    for where, kind, documented, value in found:
        try:
            validate_body(schema, component_name(documented), value, request=kind == "request")
        except ValidationError as error:
            pytest.fail(f"{where}: {error.message}")


TABLE_9_400 = set(SCIM_TYPES) - {"uniqueness", "sensitive"}


def test_error_examples_rfc7644_3_12(schema):
    """Each error example's ``status`` is its own status code, as a string; ``scimType``
    only where RFC 7644 Table 9 has one (400, 409 uniqueness, and a Bulk's 413 tooMany,
    §3.7.4), never on 401, 403, 404, 412, 415 or 501."""
    errors = 0
    for route, methods in schema["paths"].items():
        for method, documented in methods.items():
            for status, response in documented["responses"].items():
                if status < "400":
                    continue
                (example,) = response["content"][SCIM]["examples"].values()
                value = example["value"]
                errors += 1
                assert value["status"] == status, (route, method)
                scim_type = value.get("scimType")
                if status == "400":
                    assert scim_type in TABLE_9_400, (route, method)
                elif status == "409":
                    assert scim_type == "uniqueness", (route, method)
                elif status == "413" and route == BULK:
                    assert scim_type == "tooMany"
                else:
                    assert scim_type is None, (route, method, status)
    assert errors > 50


def test_examples_have_real_ids_and_consistent_lists(schema):
    """No placeholder "string": ids are UUIDs, a ListResponse counts its Resources."""
    uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    for where, _, _, value in examples_of(schema):
        if "/Schemas" not in where:  # a Schema's attributes are of "type": "string"
            assert "string" not in json.dumps(value).split('"'), where
        resource_type = value.get("meta", {}).get("resourceType") if "id" in value else None
        if resource_type in ("User", "Group"):
            assert uuid.match(value["id"]), where
        if isinstance(value, dict) and "Resources" in value:
            assert value["totalResults"] == len(value["Resources"]) == value["itemsPerPage"]
            assert value["startIndex"] == 1


def test_every_example_request_succeeds_and_answers_its_example(schema, client):
    """Each operation, sent as Swagger UI's "Try it out" sends it, with the examples of its
    path parameter and body, succeeds with its documented status and answers its response
    example (RFC 7643 §8's documents), in the order of EXAMPLE_RUN."""
    operations = {
        (route, method) for route, methods in schema["paths"].items() for method in methods
    }
    assert {step for step in EXAMPLE_RUN if isinstance(step, tuple)} == operations
    me_token, me_key = SCIMToken.generate("me")
    me_client = type(client)()
    me_client.credentials(HTTP_AUTHORIZATION=f"Bearer {me_key}")
    created_id = None
    for step in EXAMPLE_RUN:
        if isinstance(step, str):
            run_example_step(step, created_id, me_token)
            continue
        route, method = step
        documented = operation(schema, route, method)
        sender = me_client if route == "/scim/v2/Me" else client
        url = example_url(route, documented)
        if method in ("post", "put", "patch"):
            response = getattr(sender, method)(url, request_example(schema, documented))
        else:
            response = getattr(sender, method)(url)
        status = success_status(documented)
        answer = check(schema, response, status, route, method)
        examples = documented["responses"][status].get("content", {}).get(SCIM, {})
        for example in examples.get("examples", {}).values():
            shown = example["value"]
            if route == BULK:
                assert [(o["method"], o["bulkId"], o["status"]) for o in answer["Operations"]] == [
                    (o["method"], o["bulkId"], o["status"]) for o in shown["Operations"]
                ]
            elif status == "201":
                created_id = answer["id"]
                assert comparable({**answer, "id": None}) == comparable({**shown, "id": None})
            else:
                assert comparable(answer) == comparable(shown), step


WITHOUT_THE_APP = """
import json
import tests.settings

tests.settings.INSTALLED_APPS.remove("drf_spectacular")
import django

django.setup()
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator

from drf_scim.routers import SCIMRouter

patterns = [path("scim/v2/", include(SCIMRouter().urls))]
schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
print(json.dumps(schema["paths"]["/scim/v2/Users"]["get"]["operationId"]))
"""


def test_the_extensions_are_registered_without_the_drf_spectacular_app():
    """drf-spectacular is a dependency (pyproject.toml), so drf_scim's app registers the
    extensions whether or not ``drf_spectacular`` is in INSTALLED_APPS."""
    operation_id = python_json(["-c", WITHOUT_THE_APP], "tests.settings", cwd=ROOT)

    assert operation_id == "listUsers"
