"""SCIMRouter: resource and discovery routes under one root (RFC 7644 §3.2, §4).

This module is its own URLconf, mounting differently configured routers side by side.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import include, path
from rest_framework.response import Response

from drf_scim.constants import ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, MEDIA_TYPE
from drf_scim.discovery import ServiceProviderConfigViewSet
from drf_scim.routers import SCIMRouter
from drf_scim.viewsets import GroupViewSet, UserViewSet

CUSTOM_DOCUMENTATION = "https://example.com/custom-scim-docs"


class CustomServiceProviderConfigViewSet(ServiceProviderConfigViewSet):
    def get_document(self):
        document = super().get_document()
        document["documentationUri"] = CUSTOM_DOCUMENTATION
        return document


class CustomRouter(SCIMRouter):
    service_provider_config_viewset = CustomServiceProviderConfigViewSet


class HelloSchemasViewSet(SCIMRouter.schema_viewset):
    def list(self, request):
        return Response({"hello": "schemas"})


class SwappedSchemasRouter(SCIMRouter):
    schema_viewset = HelloSchemasViewSet


def plain_django_view(request):
    return HttpResponse("plain django", content_type="text/plain")


urlpatterns = [
    path("scim/v2/", include(SCIMRouter().urls)),
    path("explicit/", include((SCIMRouter(resources=[UserViewSet]).urls, "explicit"))),
    path("empty/", include((SCIMRouter(resources=[]).urls, "empty"))),
    path("strict/", include((SCIMRouter(catch_all=False).urls, "strict"))),
    path("strict/hello", plain_django_view),
    path("custom/", include((CustomRouter().urls, "custom"))),
    path("swapped/", include((SwappedSchemasRouter().urls, "swapped"))),
]

pytestmark = pytest.mark.urls(__name__)


def _create_user(client, root="/scim/v2"):
    response = client.post(f"{root}/Users", {"userName": "bjensen"})
    assert response.status_code == 201, response.content
    return response.json()


# -- routes, with and without a trailing slash (RFC 7644 §3.2) -----------------------------


@pytest.mark.parametrize(
    "route",
    ["Users", "ServiceProviderConfig", "ResourceTypes", "ResourceTypes/User", "Schemas"],
)
@pytest.mark.parametrize("slash", ["", "/"], ids=["no-slash", "slash"])
def test_rfc7644_3_2_collection_routes_with_and_without_trailing_slash(client, route, slash):
    response = client.get(f"/scim/v2/{route}{slash}")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == MEDIA_TYPE


@pytest.mark.parametrize("slash", ["", "/"], ids=["no-slash", "slash"])
def test_rfc7644_3_2_resource_routes_with_and_without_trailing_slash(client, slash):
    user = _create_user(client)
    location = f"/scim/v2/Users/{user['id']}{slash}"

    assert client.get(location).json()["id"] == user["id"]
    assert client.put(location, {"userName": "renamed"}).json()["userName"] == "renamed"
    assert client.delete(location).status_code == 204
    assert client.get(location).status_code == 404


def test_rfc7644_3_2_schema_urn_route(client):
    response = client.get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User/")

    assert response.status_code == 200
    assert response.json()["id"] == "urn:ietf:params:scim:schemas:core:2.0:User"


def test_rfc7644_3_1_location_header_and_meta_location_follow_the_mount(client):
    """RFC 7644 §3.1: the Location header and meta.location name the created resource."""
    user = _create_user(client, root="/explicit")

    assert user["meta"]["location"] == f"http://testserver/explicit/Users/{user['id']}"
    assert client.get(user["meta"]["location"]).json()["id"] == user["id"]


def test_router_registers_resources_at_their_serializer_endpoint():
    router = SCIMRouter(resources=[UserViewSet])

    assert [(prefix, basename) for prefix, _, basename in router.registry] == [
        ("Users", "scim-user")
    ]


def test_router_defaults_to_resource_viewsets_setting():
    router = SCIMRouter()

    assert [viewset for _, viewset, _ in router.registry] == [UserViewSet, GroupViewSet]


def test_router_url_names():
    names = {url.name for url in SCIMRouter().urls}

    assert {
        "scim-user-list",
        "scim-user-detail",
        "scim-serviceproviderconfig-list",
        "scim-resourcetypes-list",
        "scim-resourcetypes-detail",
        "scim-schemas-list",
        "scim-schemas-detail",
        "scim-not-found",
    } <= names


def test_router_urls_do_not_mutate_the_registry():
    router = SCIMRouter()
    before = list(router.registry)

    router.get_urls()
    router.get_urls()

    assert router.registry == before


# -- SCIMRouter(resources=[]): discovery only -----------------------------------------------


def test_router_without_resources_serves_discovery_only(client):
    resource_types = client.get("/empty/ResourceTypes").json()
    schemas = client.get("/empty/Schemas").json()
    config = client.get("/empty/ServiceProviderConfig")

    assert resource_types["schemas"] == [LIST_RESPONSE_SCHEMA]
    assert resource_types["totalResults"] == 0
    assert resource_types["Resources"] == []
    assert sorted(r["id"] for r in schemas["Resources"]) == sorted(
        [
            "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
            "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
            "urn:ietf:params:scim:schemas:core:2.0:Schema",
        ]
    )
    assert config.status_code == 200


def test_router_without_resources_has_no_users_endpoint(client):
    response = client.get("/empty/Users")

    assert response.status_code == 404
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert client.get("/empty/ResourceTypes/User").status_code == 404


def test_router_without_resources_advertises_no_resource_features(client):
    """Nothing is served, so nothing is supported (RFC 7643 §5)."""
    config = client.get("/empty/ServiceProviderConfig").json()

    assert config["changePassword"] == {"supported": False}
    assert config["patch"] == {"supported": False}


def test_discovery_of_each_router_describes_only_its_own_resources(client):
    """The default root keeps its types whatever another router was given."""
    assert client.get("/scim/v2/ResourceTypes").json()["totalResults"] == 2
    assert client.get("/empty/ResourceTypes").json()["totalResults"] == 0
    assert client.get("/explicit/ResourceTypes").json()["totalResults"] == 1


def test_discovery_locations_follow_the_mount(client):
    document = client.get("/explicit/ResourceTypes/User").json()

    assert document["meta"]["location"] == "http://testserver/explicit/ResourceTypes/User"


# -- catch_all ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "head", "options"])
def test_rfc7644_3_12_unknown_path_is_scim_404_for_every_method(client, method):
    """Every unknown path under the SCIM root is a SCIM 404 (after authentication)."""
    response = getattr(client, method)("/scim/v2/Nope", {"a": 1} if method != "get" else None)

    assert response.status_code == 404
    assert response["Content-Type"] == MEDIA_TYPE
    if method != "head":
        assert response.json()["schemas"] == [ERROR_SCHEMA]


def test_catch_all_false_leaves_unknown_paths_to_django(client):
    unknown = client.get("/strict/Nope")
    hello = client.get("/strict/hello")

    assert unknown.status_code == 404
    assert unknown["Content-Type"] != MEDIA_TYPE
    assert hello.status_code == 200
    assert hello.content == b"plain django"


def test_catch_all_false_still_serves_scim_routes(client):
    assert client.get("/strict/Users").status_code == 200
    assert client.get("/strict/ServiceProviderConfig").status_code == 200


def test_catch_all_true_shadows_later_django_routes(client):
    """With the catch-all, the SCIM root owns every path below it."""
    response = client.get("/scim/v2/hello")

    assert response.status_code == 404
    assert response.json()["schemas"] == [ERROR_SCHEMA]


def test_catch_all_false_has_no_not_found_route():
    names = {url.name for url in SCIMRouter(catch_all=False).urls}

    assert "scim-not-found" not in names


# -- swappable discovery viewsets ---------------------------------------------------------


def test_swapped_service_provider_config_viewset(client):
    custom = client.get("/custom/ServiceProviderConfig")
    default = client.get("/scim/v2/ServiceProviderConfig")

    assert custom.status_code == 200
    assert custom.json()["documentationUri"] == CUSTOM_DOCUMENTATION
    assert "documentationUri" not in default.json()
    assert custom.json()["filter"] == default.json()["filter"]


def test_swapped_viewset_keeps_scim_authentication(db, anonymous_client):
    response = anonymous_client.get("/custom/ServiceProviderConfig")

    assert response.status_code == 401
    assert response.json()["schemas"] == [ERROR_SCHEMA]


def test_swapped_schema_viewset(client):
    assert client.get("/swapped/Schemas").json() == {"hello": "schemas"}
    detail = client.get("/swapped/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
    assert detail.json()["id"] == "urn:ietf:params:scim:schemas:core:2.0:User"


def test_swapped_viewset_is_told_the_resources():
    """The subclass gets the router's resource viewsets like the default one does."""
    router = CustomRouter(resources=[UserViewSet])

    (spc,) = [
        vs for prefix, vs, _ in router.get_discovery_registry() if prefix == "ServiceProviderConfig"
    ]

    assert issubclass(spc, CustomServiceProviderConfigViewSet)
    assert spc.resource_viewsets == (UserViewSet,)
    assert CustomServiceProviderConfigViewSet.resource_viewsets == ()
