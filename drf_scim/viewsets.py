"""The SCIM resource endpoints as DRF ``ModelViewSet``s (RFC 7644 §3).

Subclass :class:`SCIMModelViewSet` for a resource type of your own, or override its hooks:
``get_tenant()``/``scope_queryset()`` to scope resources (docs/tenants.md),
``on_deactivate()`` for what deprovisioning does, ``perform_create()``/
``perform_update()``/``perform_destroy()`` and ``deactivate()`` for what a write does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db import models, transaction
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.filters import BaseFilterBackend
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import constants
from .exceptions import (
    NotImplementedByProvider,
    PreconditionFailed,
    ResourceNotFound,
)
from .filters import SCIMFilterBackend, SCIMSortBackend
from .handlers import scim_exception_handler
from .mixins import (
    SCIMCreateModelMixin,
    SCIMDestroyModelMixin,
    SCIMPartialUpdateModelMixin,
)
from .models import SCIMToken
from .pagination import SCIMPagination
from .parsers import SCIMJSONParser, SCIMParser, read_unsized_body
from .projection import Projection
from .query import SCIMQuery
from .renderers import SCIMRenderer
from .serializers import SCIMResourceSerializer
from .settings import scim_settings

__all__ = [
    "GroupViewSet",
    "SCIMMeMixin",
    "SCIMModelViewSet",
    "SCIMNotFoundView",
    "SCIMViewMixin",
    "UserViewSet",
]


class SCIMViewMixin:
    """What every SCIM view shares: media types, authentication, errors, transactions."""

    renderer_classes: Sequence[type[BaseRenderer]] = (SCIMRenderer, JSONRenderer)
    parser_classes: Sequence[type[BaseParser]] = (SCIMParser, SCIMJSONParser)

    def get_authenticators(self) -> list[Any]:
        """Instances of the ``AUTHENTICATION_CLASSES`` setting."""
        return [auth() for auth in scim_settings.AUTHENTICATION_CLASSES]

    def get_permissions(self) -> list[BasePermission]:
        """Instances of the ``PERMISSION_CLASSES`` setting."""
        return [permission() for permission in scim_settings.PERMISSION_CLASSES]

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        """SCIM's handler, whatever the project's ``EXCEPTION_HANDLER`` is."""
        return scim_exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """DRF's checks, then a body sent in chunks made readable (:func:`read_unsized_body`).

        After authentication: a body is read for no one the server does not know.
        """
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method in ("POST", "PUT", "PATCH"):
            limits = [p.get_max_size() for p in request.parsers or () if isinstance(p, SCIMParser)]
            limit = max(limits) if limits else int(scim_settings.MAX_PAYLOAD_SIZE)
            read_unsized_body(request._request, limit)

    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        # SCIM writes open their own transactions, so that a failed write can still be
        # audited after its rollback; opt out of ATOMIC_REQUESTS.
        view = super().as_view(*args, **kwargs)  # type: ignore[misc]
        return transaction.non_atomic_requests(view)


class SCIMModelViewSet(  # type: ignore[misc]
    SCIMViewMixin,
    SCIMCreateModelMixin,
    SCIMPartialUpdateModelMixin,
    SCIMDestroyModelMixin,
    viewsets.ModelViewSet,  # type: ignore[type-arg]
):
    """Create, read, replace, delete and list one SCIM resource type (RFC 7644 §3.3-3.6).

    A ``ModelViewSet`` whose writes come from :mod:`drf_scim.mixins` (they take DRF's
    own mixins' place); set ``delete_mode`` for what DELETE does.
    """

    serializer_class: ClassVar[type[SCIMResourceSerializer]]  # type: ignore[misc]
    pagination_class = SCIMPagination
    lookup_field = "id"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]

    filter_backends: Sequence[type[BaseFilterBackend]] = (SCIMFilterBackend, SCIMSortBackend)

    # What this viewset implements, advertised in /ServiceProviderConfig. They only say
    # it: False does not switch the feature off (leave "patch" out of http_method_names,
    # or override the serializer's write_special_attributes(), for that).
    supports_patch = True
    supports_etag = True
    #: Advertised as ``changePassword`` for schemas that have a ``password``; a
    #: ``password`` in PUT and PATCH is set whatever it says (the User serializer's
    #: ``write_special_attributes()``).
    supports_change_password = True

    @classmethod
    def supports(cls, feature: str) -> bool:
        """Whether the viewset implements ``feature`` ("filter", "sort", "cursor", ...)."""
        if feature == "filter":
            return any(issubclass(b, SCIMFilterBackend) for b in cls.filter_backends)
        if feature == "sort":
            return any(issubclass(b, SCIMSortBackend) for b in cls.filter_backends)
        if feature in ("index", "cursor"):  # pagination methods (RFC 9865 §4)
            paginator = cls.pagination_class
            if paginator is None or not issubclass(paginator, SCIMPagination):
                return False
            return feature == "index" or paginator.cursor_query_param is not None
        return bool(getattr(cls, f"supports_{feature}", False))

    @classmethod
    def get_resource_serializer(cls) -> type[SCIMResourceSerializer]:
        """The resource's serializer class; discovery reads the schemas from it."""
        return cls.serializer_class

    def get_serializer_class(self) -> type[SCIMResourceSerializer]:
        """:meth:`get_resource_serializer`: one serializer for every action."""
        return self.get_resource_serializer()

    #: The query of this request: set by ``search()`` from its body, else built from the
    #: query string on first use (RFC 7644 §3.4.2, §3.4.3).
    scim_query: SCIMQuery | None = None

    def get_scim_query(self) -> SCIMQuery:
        """The query parameters of this request, read once; backends and paginator use it."""
        if self.scim_query is None:
            self.scim_query = SCIMQuery.from_query_string(self.request)
        return self.scim_query

    def get_scim_param(self, name: str) -> Any:
        """A query parameter, or the same field of a ``/.search`` body."""
        return self.get_scim_query().get(name)

    def get_projection(self) -> Projection | None:
        """``attributes``/``excludedAttributes`` of this request (RFC 7644 §3.9)."""
        if not hasattr(self, "_projection"):
            query = self.get_scim_query()
            attributes, excluded = query.attributes, query.excluded_attributes
            self._projection = (
                Projection.from_params(
                    attributes, excluded, self.get_serializer_class().get_schemas()
                )
                if attributes or excluded
                else None
            )
        return self._projection

    def get_queryset(self) -> models.QuerySet[Any]:
        """The resources this request may see: the serializer's, scoped to the tenant."""
        projection = self.get_projection() if hasattr(self, "request") else None
        preload = getattr(self, "_preload", False)
        load_relations = getattr(self, "_load_relations", True)
        # A page read without OFFSET reads its value rows and groups with it (list()).
        with_page = getattr(self, "_read_with_page", False)
        queryset = (
            self.get_serializer_class()
            .get_storage()
            .get_queryset(
                projection,
                relations=load_relations and not preload,
                values=not preload or with_page,
                # One resource, read alone: its read-only relations come with it.
                embed=(not load_relations and not preload) or with_page,
            )
        )
        return self.scope_queryset(queryset)

    # -- tenants -----------------------------------------------------------------------

    def get_tenant(self) -> Any:
        """The primary key of the tenant this request acts for, or ``None`` for all.

        By default, the tenant of the request's :class:`~drf_scim.models.SCIMToken`.
        Override when tenants come from your own authentication (``request.user``).
        """
        token = getattr(self.request, "auth", None)
        if isinstance(token, SCIMToken) and token.tenant_type_id:
            return token.tenant_id
        return None

    def scope_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """Restrict ``queryset`` to the tenant's resources: the one tenancy hook.

        Filters on the serializer's ``tenant_field``; a resource type without one shows
        a tenant's token nothing, so no tenant can ever read another's resources.
        """
        tenant = self.get_tenant() if hasattr(self, "request") else None
        if tenant is None:
            return queryset
        field = self.get_serializer_class().tenant_field
        if not field:
            return queryset.none()
        return queryset.filter(**{field: tenant})

    def get_scim_root(self) -> str:
        """The SCIM base URL, absolute (``https://host/scim/v2``): the one place it is made.

        ``meta.location``, ``Location`` and every ``$ref`` start with it.
        """
        if not hasattr(self, "_scim_root"):
            endpoint = self.get_serializer_class().endpoint
            # The URL's own arguments (a tenant's slug in the router's prefix), not the id.
            lookup = self.lookup_url_kwarg or self.lookup_field
            prefix = {name: value for name, value in self.kwargs.items() if name != lookup}
            listed = self.reverse_action("list", kwargs=prefix)
            self._scim_root = listed.rstrip("/").removesuffix(endpoint)
        return self._scim_root

    def get_serializer_context(self) -> dict[str, Any]:
        """DRF's context, with ``scim_root``, ``projection``, ``tenant`` and ``delete_mode``.

        An operation of a ``POST /Bulk`` adds ``deleted_keys`` (drf_scim.storage.DeletedKeys).
        """
        context = dict(super().get_serializer_context())
        context["scim_root"] = self.get_scim_root()
        context["projection"] = self.get_projection()
        context["tenant"] = self.get_tenant()
        context["delete_mode"] = self.get_delete_mode()
        request = getattr(self.request, "_request", None)
        context["deleted_keys"] = getattr(request, constants.BULK_DELETED_KEYS, None)
        return context

    def get_object(self, *, lock: bool = False) -> models.Model:
        """The resource named in the URL, or a SCIM 404.

        ``lock=True`` (inside a transaction) first locks its record row, so that
        concurrent writes to one resource run one after the other and none is lost.
        """
        lookup = self.kwargs[self.lookup_field]
        try:
            uuid.UUID(lookup)
        except ValueError:
            raise ResourceNotFound(f"Resource {lookup!r} not found.") from None
        record_name = self.get_serializer_class().record_name
        return self.find_object(
            {f"{record_name}__id": lookup}, f"Resource {lookup!r} not found.", lock
        )

    def find_object(self, lookup: dict[str, Any], missing: str, lock: bool) -> models.Model:
        """The one resource matching ``lookup`` in :meth:`get_queryset`, or a SCIM 404.

        With ``lock`` (inside a transaction), the same query locks its record row
        (``SELECT ... FOR UPDATE``), so that concurrent writes to one resource run one
        after the other and none is lost.
        """
        if lock:
            self._load_relations = False  # writes change relations without loading them
        # The lookup names one resource: no ORDER BY (first()'s) to compile and run.
        queryset = self.get_queryset().filter(**lookup).order_by()
        if lock:
            queryset = self.get_serializer_class().get_storage().lock(queryset)
        instance = next(iter(queryset[:1]), None)
        if instance is None:
            raise ResourceNotFound(missing)
        # Decided now, before a write changes the version it is decided by.
        self.get_serializer_class().get_storage().annotations_fresh(instance)
        self.check_object_permissions(self.request, instance)
        return cast(models.Model, instance)

    def resource_response(self, instance: models.Model, status: int) -> Response:
        """The resource as the response to a read or write, with ``ETag`` and ``Location``.

        In a Bulk operation (:meth:`in_bulk`), only its ``id``: the BulkResponse shows a
        successful operation's ``location``, ``version`` and ``status``, not its resource
        (RFC 7644 §3.7.3: "the server MAY elect to omit the response body"), so the
        representation would be built for nothing.
        """
        resource_id = self.resource_id(instance)
        headers = {
            "ETag": self.get_etag(instance),
            "Location": self.get_serializer_class().location_of(self.get_scim_root(), resource_id),
        }
        if self.in_bulk():
            return Response({"id": resource_id}, status=status, headers=headers)
        return Response(self.get_serializer(instance).data, status=status, headers=headers)

    # -- versions: RFC 7644 §3.14 ------------------------------------------------------

    def get_etag(self, instance: models.Model) -> str:
        """The resource's version as an entity tag; ``meta.version`` carries the same."""
        record = getattr(instance, self.get_serializer_class().record_name)
        return f'W/"{record.version}"'

    def _matches(self, header: str, instance: models.Model) -> bool:
        if header.strip() == "*":
            return True
        current = self.get_etag(instance).removeprefix("W/")
        tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
        return current in tags  # weak comparison, RFC 9110 §8.8.3.2

    def check_preconditions(self, instance: models.Model) -> None:
        """``If-Match`` on PUT, PATCH and DELETE: 412 unless the version matches."""
        header = self.request.headers.get("If-Match")
        if header is not None and not self._matches(header, instance):
            raise PreconditionFailed(
                f"The resource is at version {self.get_etag(instance)}, not {header}."
            )

    # -- endpoints ---------------------------------------------------------------------

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Query resources (RFC 7644 §3.4.2), paginated as a ListResponse.

        A page whose query skips no row (a cursor page, the first index page, a later
        index page whose ``OFFSET`` is in a subquery: see
        :meth:`SCIMPagination.skips_rows`) reads each resource's value rows and read-only
        relations (a user's ``groups``) in the same query
        (:meth:`SCIMStorage.with_values`, :meth:`SCIMStorage.with_relations`); on
        MariaDB, a later index page reads them afterwards, in one query each. Other
        references are read as plain values afterwards (:meth:`SCIMStorage.preload`), not
        prefetched as model instances.
        """
        if self.paginator is None:  # a subclass without pagination: DRF's own list
            return super().list(request, *args, **kwargs)
        self._preload = True
        serializer_class = self.get_serializer_class()
        storage = serializer_class.get_storage()
        paginator = self.paginator
        self._read_with_page = isinstance(paginator, SCIMPagination) and not (
            paginator.skips_rows(storage.model._default_manager.all(), request, self)
        )
        queryset = self.filter_queryset(self.get_queryset())
        page = cast(list[Any], self.paginate_queryset(queryset))
        context = self.get_serializer_context()
        context["preloaded"] = storage.preload(page, self.get_projection(), context["scim_root"])
        serializer = serializer_class(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """GET one resource, with its ``ETag``; ``If-None-Match`` gives 304 (RFC 7644 §3.14)."""
        self._load_relations = False  # one resource: its references are read as values
        instance = self.get_object()
        header = request.headers.get("If-None-Match")
        if header is not None and self._matches(header, instance):
            return Response(status=304, headers={"ETag": self.get_etag(instance)})
        return self.resource_response(instance, 200)

    @action(detail=False, methods=["post"], url_path=r"\.search", url_name="search")
    def search(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """POST ``/.search``: a query with its parameters in the body (RFC 7644 §3.4.3)."""
        self.scim_query = SCIMQuery.from_search_request(request.data)
        return self.list(request, *args, **kwargs)


class UserViewSet(SCIMModelViewSet):
    """``/Users``: the serializer is the ``USER_SERIALIZER`` setting."""

    @classmethod
    def get_resource_serializer(cls) -> type[SCIMResourceSerializer]:
        """The ``USER_SERIALIZER`` setting."""
        return scim_settings.USER_SERIALIZER  # type: ignore[no-any-return]

    def uniqueness_detail(self) -> str:
        """The detail of the 409 for a duplicate ``userName``."""
        return "A user with this userName already exists."


class GroupViewSet(SCIMModelViewSet):
    """``/Groups``: the serializer is the ``GROUP_SERIALIZER`` setting."""

    @classmethod
    def get_resource_serializer(cls) -> type[SCIMResourceSerializer]:
        """The ``GROUP_SERIALIZER`` setting."""
        return scim_settings.GROUP_SERIALIZER  # type: ignore[no-any-return]

    def uniqueness_detail(self) -> str:
        """The detail of the 409 for a duplicate ``displayName``."""
        return "A group with this displayName already exists."


class SCIMMeMixin:
    """``/Me``: the user bound to the request's token (RFC 7644 §3.11).

    Mixed into the ``/Users`` viewset the router serves (``SCIMRouter.me_view()``), so
    that GET, PUT, PATCH and DELETE take the very same path as on ``/Users/{id}``: the
    same scope, tenant, hooks, signals and audit, and a ``Location`` and
    ``meta.location`` naming the real ``/Users/{id}``. A token bound to no user gets 501
    whatever the method; POST is 405 (the subject's resource is bound by the host, never
    created through ``/Me``). A bound user SCIM may not see (staff, another tenant's,
    deleted) is 404, as it is by id. See docs/me.md.
    """

    if TYPE_CHECKING:
        request: Request
        kwargs: dict[str, Any]

        def get_serializer_class(self) -> type[SCIMResourceSerializer]: ...
        def find_object(self, lookup: dict[str, Any], missing: str, lock: bool) -> models.Model: ...

    def get_me(self) -> Any:
        """The primary key of the user the request acts as, or 501 (RFC 7644 §3.11).

        By default, the ``user`` of the request's :class:`~drf_scim.models.SCIMToken`.
        Override when the subject comes from your own authentication.
        """
        token = getattr(self.request, "auth", None)
        user = token.user_id if isinstance(token, SCIMToken) else None
        if user is None:
            raise NotImplementedByProvider(
                "/Me: this token is bound to no user (RFC 7644 §3.11); bind one with "
                "create_scim_token --user or in the admin."
            )
        return user

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """DRF's checks, then 501 for a token bound to no user, whatever the method."""
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.get_me()

    def get_object(self, *, lock: bool = False) -> models.Model:
        """The bound user, found as ``/Users/{id}`` finds its resource, or 404."""
        pk = self.get_me()
        serializer = self.get_serializer_class()
        instance = self.find_object(
            {"pk": pk},
            "/Me: the user bound to this token is not a SCIM resource: out of scope "
            "(a superuser or staff member), of another tenant, or deleted.",
            lock,
        )
        # What the audit log and the signals name, as for /Users/{id}.
        self.kwargs["id"] = str(serializer.get_storage().get_record(instance).id)
        return instance


class SCIMNotFoundView(SCIMViewMixin, APIView):
    """Answers every unknown path under the SCIM root with a SCIM 404."""

    schema = None  # not an endpoint: keep it out of the OpenAPI schema

    def not_found(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Every method: a SCIM 404 naming the path."""
        raise ResourceNotFound(f"No SCIM endpoint at {request.path}.")

    get = post = put = patch = delete = options = not_found
