"""The bench app: keeps drf-scim's record receivers out of the other targets' writes."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.apps import AppConfig

#: Set while a floor or django-scim2 request runs (bench/project/middleware.py): drf-scim's
#: receivers then stand aside, so those targets pay only for their own writes, as they
#: would in a project without drf-scim.
foreign_request: ContextVar[bool] = ContextVar("foreign_request", default=False)


class BenchConfig(AppConfig):
    name = "bench.project"
    label = "bench_project"

    def ready(self) -> None:
        """Reconnect drf-scim's three receivers (drf_scim/apps.py) behind the switch."""
        from django.apps import apps
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_save

        from drf_scim import records
        from drf_scim.models import GROUP_MODEL

        group_model = apps.get_model(GROUP_MODEL)
        through = get_user_model().groups.through
        for signal, receiver, sender, uid in (
            (post_save, records.user_saved, get_user_model(), "user_saved"),
            (post_save, records.group_saved, group_model, "group_saved"),
            (m2m_changed, records.membership_changed, through, "membership_changed"),
        ):
            uid = f"drf_scim.records.{uid}"
            signal.disconnect(sender=sender, dispatch_uid=uid)
            signal.connect(skipping(receiver), sender=sender, dispatch_uid=uid, weak=False)


def skipping(receiver: Callable[..., Any]) -> Callable[..., Any]:
    """``receiver``, doing nothing while ``foreign_request`` is set."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return None if foreign_request.get() else receiver(*args, **kwargs)

    return call
