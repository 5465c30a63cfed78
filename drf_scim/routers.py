"""``SCIMRouter``: the resource, discovery, ``/.search`` and ``/Bulk`` endpoints under one root.

::

    from drf_scim.routers import SCIMRouter

    router = SCIMRouter()  # the viewsets of the RESOURCE_VIEWSETS setting
    urlpatterns = [path("scim/v2/", include(router.urls))]

Paths have no trailing slash (RFC 7644 §3.2), though one is tolerated. ``/Me`` is an
alias of the user bound to the token (RFC 7644 §3.11, docs/me.md). Unknown paths under
the root get a SCIM 404, after authentication, unless ``catch_all=False``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .bulk import SCIMBulkView
from .discovery import ResourceTypeViewSet, SchemaViewSet, ServiceProviderConfigViewSet
from .search import SCIMRootSearchView
from .settings import scim_settings
from .viewsets import SCIMMeMixin, SCIMModelViewSet, SCIMNotFoundView

__all__ = ["SCIMRouter"]


def _with_trailing_slash(url: Any) -> Any:
    """The same route with a trailing slash, tolerated but left out of the OpenAPI schema."""
    callback = url.callback
    initkwargs = {**callback.initkwargs, "schema": None}
    actions = getattr(callback, "actions", None)
    view = (
        callback.cls.as_view(actions, **initkwargs)
        if actions is not None
        else callback.cls.as_view(**initkwargs)
    )
    regex = url.pattern.regex.pattern
    return re_path(regex[:-1] + "/$" if regex.endswith("$") else regex + "/", view)


class SCIMRouter(SimpleRouter):
    """A router for SCIM resources; the discovery, search and Bulk views are attributes.

    Swap one for a subclass; ``bulk_view = None`` serves no ``/Bulk`` and advertises none.
    """

    service_provider_config_viewset = ServiceProviderConfigViewSet
    resource_type_viewset = ResourceTypeViewSet
    schema_viewset = SchemaViewSet
    not_found_view = SCIMNotFoundView
    root_search_view = SCIMRootSearchView
    me_mixin = SCIMMeMixin
    #: ``POST /Bulk`` (RFC 7644 §3.7); ``None`` serves no /Bulk and advertises none.
    bulk_view: type[SCIMBulkView] | None = SCIMBulkView

    def __init__(
        self,
        resources: Iterable[type[SCIMModelViewSet]] | None = None,
        *,
        catch_all: bool = True,
    ) -> None:
        super().__init__(trailing_slash=False)
        self.catch_all = catch_all
        if resources is None:
            resources = scim_settings.RESOURCE_VIEWSETS
        for viewset in resources:
            self.register_resource(viewset)

    def register_resource(self, viewset: type[SCIMModelViewSet]) -> None:
        """Register a resource viewset at its serializer's endpoint, e.g. ``/Users``."""
        serializer = viewset.get_resource_serializer()
        self.register(
            serializer.endpoint.strip("/"),
            viewset,
            basename=f"scim-{serializer.resource_type.lower()}",
        )

    def get_discovery_registry(self) -> list[tuple[str, Any, str]]:
        """The discovery viewsets, each told which resources this router serves."""
        resources = tuple(viewset for _, viewset, _ in self.registry)
        entries = (
            ("ServiceProviderConfig", self.service_provider_config_viewset),
            ("ResourceTypes", self.resource_type_viewset),
            ("Schemas", self.schema_viewset),
        )
        return [
            (
                prefix,
                type(
                    cls.__name__,
                    (cls,),
                    {"resource_viewsets": resources, "bulk_view": self.bulk_view},
                ),
                f"scim-{prefix.lower()}",
            )
            for prefix, cls in entries
        ]

    def me_view(self) -> Any:
        """``/Me`` (RFC 7644 §3.11): ``me_mixin`` over the registered ``/Users`` viewset.

        The very viewset class the router serves at ``/Users``, so that the project's
        overrides of it (``perform_update()``, ``get_tenant()``...) apply to ``/Me`` too.
        ``None`` when no viewset serves the User resource type.
        """
        for _prefix, viewset, basename in self.registry:
            resource: Any = viewset
            if resource.get_resource_serializer().resource_type == "User":
                cls: Any = type(f"Me{viewset.__name__}", (self.me_mixin, viewset), {})
                actions = {
                    "get": "retrieve",
                    "put": "update",
                    "patch": "partial_update",
                    "delete": "destroy",
                }
                return cls.as_view(actions, basename=basename, detail=True)
        return None

    def get_urls(self) -> list[Any]:
        """The resource and discovery URLs, then ``/.search``, ``/Me`` and ``/Bulk``.

        Each path is repeated with a trailing slash (tolerated, left out of the OpenAPI
        schema), and, with ``catch_all``, a SCIM 404 answers every other path. Extend it as
        DRF's ``DefaultRouter`` extends ``SimpleRouter.get_urls()``.
        """
        registry = self.registry
        self.registry = [*registry, *self.get_discovery_registry()]
        try:
            urls = super().get_urls()
        finally:
            self.registry = registry
        resources = tuple(viewset for _, viewset, _ in self.registry)
        search = self.root_search_view.as_view(resource_viewsets=resources)
        urls.append(re_path(r"^\.search$", search, name="scim-root-search"))
        me = self.me_view()
        if me is not None:
            urls.append(re_path(r"^Me$", me, name="scim-me"))
        if self.bulk_view is not None:
            bulk = self.bulk_view.as_view(resource_viewsets=resources)
            urls.append(re_path(r"^Bulk$", bulk, name="scim-bulk"))
        urls += [_with_trailing_slash(url) for url in urls]
        if self.catch_all:
            urls.append(re_path(r"^.*$", self.not_found_view.as_view(), name="scim-not-found"))
        return urls
