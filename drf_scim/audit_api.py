"""A read-only JSON API over the audit log, for monitoring and SIEM export.

This is an operator API, not part of SCIM: identity providers never see it, and it speaks
plain DRF (JSON, the project's authentication and exception handler, DRF's paginator).
A project opts in by registering :class:`SCIMEventViewSet` in a router of its own::

    from rest_framework.routers import SimpleRouter
    from drf_scim.audit_api import SCIMEventViewSet

    audit = SimpleRouter()
    audit.register("events", SCIMEventViewSet, basename="scim-event")
    urlpatterns += [path("api/audit/", include(audit.urls))]

Only staff users may read it (``IsAdminUser``), authenticated by the project's
``DEFAULT_AUTHENTICATION_CLASSES``; a SCIM bearer token authenticates an identity
provider, which is never staff, so it is refused even where those classes accept it.
Filters (django-filter's :class:`SCIMEventFilterSet`): ``token``, ``token_prefix``,
``operation``, ``resource_type``, ``resource_id``, ``status`` (and ``status__gte``,
``status__lte``), ``failed`` and ``timestamp_after``/``timestamp_before``. Events come
newest first, a page at a time by cursor (:class:`SCIMEventPagination`), which stays
stable while new events are appended. Token secrets are never shown (their name and
prefix are), and payloads are stored already scrubbed (:mod:`drf_scim.audit`).
See docs/api-guide/audit-api.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import django_filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions, serializers, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer

from .models import SCIMEvent, SCIMToken

__all__ = [
    "SCIMEventFilterSet",
    "SCIMEventPagination",
    "SCIMEventSerializer",
    "SCIMEventTokenSerializer",
    "SCIMEventViewSet",
]


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is an error, not "no filter"."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Expected true or false.", code="invalid")


class IntegerFilter(django_filters.NumberFilter):  # type: ignore[misc]
    """A whole number: ``1.5`` or ``1e3`` is an error, not a number rounded down."""

    field_class = forms.IntegerField


class FailedFilter(django_filters.BooleanFilter):  # type: ignore[misc]
    """``true``: the events of refused or failed writes (status 400 or more)."""

    field_class = StrictBooleanField

    def filter(
        self, queryset: models.QuerySet[SCIMEvent], value: bool | None
    ) -> models.QuerySet[SCIMEvent]:
        if value is None:
            return queryset
        return queryset.filter(status__gte=400) if value else queryset.filter(status__lt=400)


class SCIMEventFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    """The audit log's filters; invalid values answer ``400`` with the field's errors.

    ``timestamp_after`` and ``timestamp_before`` take ISO 8601 instants and include
    their bounds. ``failed=true`` keeps the refused and failed writes (status 400 or
    more), ``failed=false`` the others. Subclass it to add filters, and name the subclass
    in the viewset's ``filterset_class``.
    """

    token = IntegerFilter(field_name="token_id")
    token_prefix = django_filters.CharFilter(field_name="token__prefix")
    operation = django_filters.ChoiceFilter(choices=SCIMEvent.Operation.choices)
    status = IntegerFilter()
    status__gte = IntegerFilter(field_name="status", lookup_expr="gte")
    status__lte = IntegerFilter(field_name="status", lookup_expr="lte")
    failed = FailedFilter()
    timestamp_after = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    timestamp_before = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lte")

    class Meta:
        model = SCIMEvent
        fields: ClassVar[list[str]] = ["resource_type", "resource_id"]


class SCIMEventTokenSerializer(serializers.ModelSerializer[SCIMToken]):
    """The token an event was made with: which one, never its secret."""

    class Meta:
        model = SCIMToken
        fields = ("id", "name", "prefix")
        read_only_fields = fields


class SCIMEventSerializer(serializers.ModelSerializer[SCIMEvent]):
    """One audit event; ``token`` is ``null`` when the token was deleted."""

    token = SCIMEventTokenSerializer(read_only=True)

    class Meta:
        model = SCIMEvent
        fields = (
            "id",
            "timestamp",
            "operation",
            "resource_type",
            "resource_id",
            "status",
            "token",
            "payload",
            "detail",
        )
        read_only_fields = fields


class SCIMEventPagination(CursorPagination):
    """Newest first, by cursor: a page is not shifted by the events appended meanwhile.

    ``?page_size=`` asks for up to ``max_page_size`` events.
    """

    ordering = ("-timestamp", "-pk")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class SCIMEventViewSet(viewsets.ReadOnlyModelViewSet[SCIMEvent]):
    """``GET`` the audit log (a page of events) or one event, for staff users.

    Every knob is a DRF attribute: set ``permission_classes`` (a custom permission for
    an auditor group), ``authentication_classes``, ``pagination_class``,
    ``filterset_class`` or ``renderer_classes`` on a subclass; override
    :meth:`get_queryset` to narrow what is shown (keep its ``select_related``: a page
    then costs one query).
    """

    queryset = SCIMEvent.objects.select_related("token")
    serializer_class = SCIMEventSerializer
    permission_classes: Sequence[type[BasePermission]] = (permissions.IsAdminUser,)
    renderer_classes: Sequence[type[BaseRenderer]] = (JSONRenderer,)
    pagination_class = SCIMEventPagination
    filter_backends: Sequence[type[Any]] = (DjangoFilterBackend,)
    filterset_class = SCIMEventFilterSet
