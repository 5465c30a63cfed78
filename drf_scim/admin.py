"""Admin pages: tokens (create, revoke, expiry, tenant) and the audit log (read-only).

The audit log has an activity page charting the provisioning events of the last days.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .models import SCIMEvent, SCIMToken

#: A response status from which an event counts as failed.
FAILED_STATUS = 400


class RevokedFilter(admin.SimpleListFilter):
    """Revoked: yes or no (the column is a time, which the admin would filter by dates)."""

    title = _("revoked")
    parameter_name = "revoked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked__isnull=self.value() == "no")
        return queryset


class SCIMTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    """The token's editable fields; the tenant must name an existing object."""

    class Meta:
        model = SCIMToken
        fields = ("name", "user", "tenant_type", "tenant_id", "expires")

    def clean_expires(self) -> datetime.datetime | None:
        expires: datetime.datetime | None = self.cleaned_data.get("expires")
        # A token changed later may be made to expire now; a new one would be born dead.
        if expires is not None and self.instance.pk is None and expires <= timezone.now():
            raise ValidationError(_("A new token must expire in the future."))
        return expires

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        tenant_type, tenant_id = cleaned.get("tenant_type"), cleaned.get("tenant_id", "")
        if tenant_type is None and tenant_id:
            self.add_error("tenant_type", _("Choose the tenant's type, or clear the tenant id."))
        elif tenant_type is not None and not tenant_id:
            self.add_error("tenant_id", _("Give the tenant's primary key, or clear its type."))
        elif tenant_type is not None:
            model = tenant_type.model_class()
            try:
                found = model is not None and model._default_manager.filter(pk=tenant_id).exists()
            except (ValueError, ValidationError):  # e.g. "abc" for an integer key
                found = False
            if not found:
                kind = model._meta.verbose_name if model is not None else tenant_type.model
                message = _("No %(type)s has this primary key.") % {"type": kind}
                self.add_error("tenant_id", message)
        return cleaned


@admin.register(SCIMToken)
class SCIMTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = SCIMTokenForm
    list_display = (
        "name",
        "prefix",
        "tenant_label",
        "user",
        "created",
        "last_used",
        "expires",
        "state",
    )
    list_filter = (RevokedFilter,)
    search_fields = ("name", "prefix")
    fields = (
        "name",
        "user",
        "tenant_type",
        "tenant_id",
        "expires",
        "prefix",
        "created",
        "last_used",
        "revoked",
        "state",
    )
    readonly_fields = ("prefix", "created", "last_used", "revoked", "state")
    #: The user ``/Me`` stands for (RFC 7644 §3.11); a raw id, not a list of every user.
    raw_id_fields = ("user",)
    list_select_related = ("user", "tenant_type")
    actions = ("revoke",)

    @admin.display(description=_("tenant"))
    def tenant_label(self, obj: SCIMToken) -> str:
        """The tenant's type and primary key: no query per row."""
        return obj.tenant_label or "-"

    @admin.display(description=_("state"))
    def state(self, obj: SCIMToken) -> SafeString | str:
        if obj.pk is None:
            return "-"
        state = obj.get_state()
        if state == SCIMToken.State.ACTIVE:
            return str(state.label)
        return format_html('<strong style="color: var(--error-fg)">{}</strong>', state.label)

    def save_model(self, request: HttpRequest, obj: SCIMToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key = obj.set_key()
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            f"Token created. Copy it now, it will not be shown again: {key}",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[SCIMToken]) -> None:
        for token in queryset.filter(revoked__isnull=True):
            token.revoke()


class OutcomeFilter(admin.SimpleListFilter):
    """Succeeded (a status below 400) or failed."""

    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("succeeded", _("Succeeded")), ("failed", _("Failed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "failed":
            return queryset.filter(status__gte=FAILED_STATUS)
        if self.value() == "succeeded":
            return queryset.filter(status__lt=FAILED_STATUS)
        return queryset


@dataclasses.dataclass
class Bar:
    """One rectangle of the activity chart, in SVG user units."""

    x: float
    y: float
    width: float
    height: float
    css_class: str
    title: str


@dataclasses.dataclass
class Day:
    """One day of the activity page: counts by operation, split by outcome, and by status."""

    date: datetime.date
    succeeded: dict[str, int]
    failed: dict[str, int]
    statuses: dict[int, int] = dataclasses.field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.succeeded.values()) + sum(self.failed.values())

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def by_operation(self) -> list[tuple[str, int, int]]:
        return [(op, self.succeeded[op], self.failed[op]) for op in self.succeeded]

    def failed_statuses(self) -> str:
        """The failures by status, e.g. ``409: 5, 500: 2``."""
        failed = sorted(item for item in self.statuses.items() if item[0] >= FAILED_STATUS)
        return ", ".join(f"{code}: {count}" for code, count in failed)


@admin.register(SCIMEvent)
class SCIMEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("timestamp", "operation", "resource_type", "resource_id", "status", "token")
    list_filter = ("operation", "resource_type", OutcomeFilter, "status", "token")
    list_select_related = ("token",)
    search_fields = ("resource_id", "detail")
    date_hierarchy = "timestamp"
    fields = (
        "timestamp",
        "operation",
        "resource_type",
        "resource_id",
        "status",
        "token",
        "pretty_payload",
        "detail",
    )
    readonly_fields = fields
    change_list_template = "admin/drf_scim/scimevent/change_list.html"
    activity_template = "admin/drf_scim/scimevent/activity.html"
    #: The activity page's period, in days, unless ``?days=`` asks for another.
    activity_days = 30
    #: The longest period ``?days=`` may ask for.
    activity_max_days = 366
    #: The chart's drawing area, in SVG user units.
    chart_width: ClassVar[int] = 720
    chart_height: ClassVar[int] = 160

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an audit log that can be edited is not one

    @admin.display(description=_("payload"))
    def pretty_payload(self, obj: SCIMEvent) -> SafeString | str:
        """The request body as indented JSON; ``format_html`` escapes it."""
        if obj.payload is None:
            return "-"
        text = json.dumps(obj.payload, indent=2, ensure_ascii=False)
        return format_html('<pre style="margin: 0; white-space: pre-wrap">{}</pre>', text)

    # -- the activity page -----------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        activity = path(
            "activity/",
            self.admin_site.admin_view(self.activity_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_activity",
        )
        return [activity, *super().get_urls()]

    def get_activity_days(self, request: HttpRequest) -> int:
        """The period asked for by ``?days=``, within 1 and ``activity_max_days``."""
        try:
            days = int(request.GET.get("days", self.activity_days))
        except ValueError:
            return self.activity_days
        return min(max(days, 1), self.activity_max_days)

    def get_activity(self, days: int) -> list[Day]:
        """The events of the last ``days`` days (today included), by operation and outcome.

        One aggregate query, whatever the number of events. Override it to count otherwise.
        Days are UTC days when ``USE_TZ`` is on: truncating in the database's own time zone
        needs no time zone tables (MariaDB and MySQL answer NULL without them).
        """
        utc = datetime.timezone.utc if settings.USE_TZ else None
        today = timezone.now().astimezone(utc).date() if utc else timezone.localdate()
        first = today - datetime.timedelta(days=days - 1)
        start = datetime.datetime.combine(first, datetime.time(), tzinfo=utc)
        operations = [str(op) for op in SCIMEvent.Operation.values]
        calendar = {
            first + datetime.timedelta(days=n): Day(
                first + datetime.timedelta(days=n),
                dict.fromkeys(operations, 0),
                dict.fromkeys(operations, 0),
            )
            for n in range(days)
        }
        rows = (
            SCIMEvent.objects.filter(timestamp__gte=start)
            .annotate(day=TruncDate("timestamp", tzinfo=utc))
            .values_list("day", "operation", "status")
            .annotate(count=Count("pk"))
            .order_by()  # the model's ordering would group by timestamp too
        )
        for day, operation, status, count in rows:
            entry = calendar.get(day)
            if entry is None or operation not in entry.succeeded:
                continue  # a clock ahead of ours, or an operation of a later version
            outcome = entry.failed if status >= FAILED_STATUS else entry.succeeded
            outcome[operation] += count
            entry.statuses[status] = entry.statuses.get(status, 0) + count
        return list(calendar.values())

    def get_chart(self, activity: list[Day]) -> tuple[list[Bar], int]:
        """The chart's bars and the scale's maximum.

        One stack a day: each operation's successes, then the failures on top, in red.
        """
        peak = max((day.total for day in activity), default=0)
        slot = self.chart_width / max(len(activity), 1)
        width = max(slot * 0.8, 1.0)
        bars = []
        for index, day in enumerate(activity):
            bottom = float(self.chart_height)
            segments = [
                (f"op-{op}", count, str(_("%(op)s, succeeded") % {"op": op}))
                for op, count in day.succeeded.items()
            ]
            failed = _("failed (%(statuses)s)") % {"statuses": day.failed_statuses()}
            segments.append(("failed", day.failures, str(failed)))
            for css_class, count, label in segments:
                if not count:
                    continue
                height = self.chart_height * count / peak
                bottom = max(bottom - height, 0.0)
                title = f"{day.date.isoformat()}: {count} {label}"
                bars.append(Bar(index * slot, bottom, width, height, css_class, title))
        return bars, peak

    @staticmethod
    def count_statuses(activity: list[Day]) -> list[tuple[int, int, bool]]:
        """The period's statuses: each code, its count and whether it is a failure."""
        totals: dict[int, int] = {}
        for day in activity:
            for code, count in day.statuses.items():
                totals[code] = totals.get(code, 0) + count
        return [(code, count, code >= FAILED_STATUS) for code, count in sorted(totals.items())]

    def activity_view(self, request: HttpRequest) -> HttpResponse:
        """The events of the last days as a chart and a table.

        A nightly sync that did not run, or that failed, shows at a glance. Needs the
        permission to view events, like the changelist.
        """
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        days = self.get_activity_days(request)
        activity = self.get_activity(days)
        bars, peak = self.get_chart(activity)
        changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("SCIM activity of the last %(days)d days") % {"days": days},
            "days": days,
            "periods": (7, 30, 90),
            "activity": list(reversed(activity)),
            "operations": [str(op) for op in SCIMEvent.Operation.values],
            "bars": bars,
            "peak": peak,
            "total": sum(day.total for day in activity),
            "statuses": self.count_statuses(activity),
            "failures": sum(day.failures for day in activity),
            "chart_width": self.chart_width,
            "chart_height": self.chart_height,
            "first_day": activity[0].date,
            "last_day": activity[-1].date,
            "changelist_url": changelist,
        }
        return TemplateResponse(request, self.activity_template, context)
