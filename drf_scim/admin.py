"""Admin pages: tokens (create, revoke) and the audit log (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import SCIMEvent, SCIMToken


@admin.register(SCIMToken)
class SCIMTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "prefix", "user", "created", "last_used", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix")
    fields = ("name", "user", "prefix", "created", "last_used", "revoked")
    readonly_fields = ("prefix", "created", "last_used", "revoked")
    #: The user ``/Me`` stands for (RFC 7644 §3.11); a raw id, not a list of every user.
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    actions = ("revoke",)

    def save_model(self, request: HttpRequest, obj: SCIMToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = SCIMToken.generate(obj.name, user=obj.user)
        obj.pk, obj.key_digest, obj.prefix, obj.created = (
            token.pk,
            token.key_digest,
            token.prefix,
            token.created,
        )
        self.message_user(
            request,
            f"Token created. Copy it now, it will not be shown again: {key}",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[SCIMToken]) -> None:
        for token in queryset.filter(revoked__isnull=True):
            token.revoke()


@admin.register(SCIMEvent)
class SCIMEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("timestamp", "operation", "resource_type", "resource_id", "status", "token")
    list_filter = ("operation", "resource_type", "status")
    search_fields = ("resource_id", "detail")
    date_hierarchy = "timestamp"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an audit log that can be edited is not one
