"""Signals sent around every SCIM write, so applications can hook business logic in.

All three are sent with the viewset class as ``sender`` and these keyword arguments:

``request``
    The DRF request.
``operation``
    A :class:`drf_scim.models.SCIMEvent.Operation`: ``create``, ``replace``, ``patch``
    or ``delete``.
``resource_type``
    The resource type's name, e.g. ``"User"``.
``instance``
    The model instance (``None`` in ``pre_operation`` for a create).
``resource_id``
    The SCIM ``id`` (``""`` before a create).
``data``
    The validated SCIM document of the request (``None`` for a delete). For a PATCH,
    ``pre_operation`` gets the parsed operations (``drf_scim.patch.PatchOperation``) and
    ``post_operation`` the resulting document.

``post_operation`` and ``operation_failed`` also carry ``status``, the HTTP status of the
response.

``pre_operation`` and ``post_operation`` are sent inside the write's transaction: a
receiver that raises (a :class:`drf_scim.exceptions.SCIMAPIException` gives the client a
SCIM error) rolls the whole write back. ``operation_failed`` is sent after the rollback of
a write that failed, whatever the exception (a bug is a ``status`` of 500), with ``status``
and ``detail`` as well, and ``instance`` ``None``.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["operation_failed", "post_operation", "pre_operation"]

pre_operation = Signal()
post_operation = Signal()
operation_failed = Signal()
