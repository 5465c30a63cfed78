"""The SCIM writes as DRF composes ``ModelViewSet``: one mixin per action.

Every write runs inside :meth:`SCIMWriteMixin.scim_write`, which owns what all writes
share: the transaction, the ``pre_operation``/``post_operation`` signals, the
``operation_failed`` signal after a rollback (of any failure, a bug's ``500`` too), and
a unique constraint's ``IntegrityError`` answered as a 409. The writes themselves go
through DRF's hooks, ``perform_create()``, ``perform_update()`` (PUT *and* PATCH) and
``perform_destroy()``, so a project that overrides one sees every identity provider's
writes, whichever method it uses. Deprovisioning, however it is asked (``active`` set to
false by PUT or PATCH, or a DELETE in "deactivate" mode), calls
:meth:`SCIMWriteMixin.on_deactivate`; ``deactivate()`` runs for a DELETE only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from django.db import IntegrityError, models, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from . import constants
from .exceptions import TooMany, Uniqueness
from .models import SCIMEvent
from .patch import parse_patch_request
from .relations import tables_named
from .settings import scim_settings
from .signals import operation_failed, post_operation, pre_operation

if TYPE_CHECKING:
    from .projection import Projection
    from .serializers import SCIMResourceSerializer

__all__ = [
    "LimitExceeded",
    "SCIMCreateModelMixin",
    "SCIMDestroyModelMixin",
    "SCIMPartialUpdateModelMixin",
    "SCIMUpdateModelMixin",
    "SCIMWrite",
    "SCIMWriteMixin",
]

Operation = SCIMEvent.Operation
DeleteMode = Literal["delete", "deactivate"]


class LimitExceeded(TooMany):
    """More than the service provider is willing to process in one request: 413.

    ``scimType`` ``tooMany``, as RFC 7644 §3.7.4 answers a /Bulk request over its limits.
    """

    status_code = 413
    default_detail = "The request exceeds the limits of the service provider."


class SCIMWrite:
    """One write in progress: sends its signals with what the view knows of it."""

    def __init__(self, view: Any, operation: str) -> None:
        self.view = view
        self.operation = operation
        self.resource_id = ""

    def _send(self, signal: Any, instance: models.Model | None, data: Any, **extra: Any) -> None:
        signal.send(
            sender=type(self.view),
            request=self.view.request,
            operation=self.operation,
            resource_type=self.view.get_serializer_class().resource_type,
            resource_id=self.resource_id,
            instance=instance,
            data=data,
            **extra,
        )

    def started(self, instance: models.Model | None, data: Any) -> None:
        """Send ``pre_operation``: the write is about to change ``instance``."""
        if instance is not None:
            self.resource_id = self.view.resource_id(instance)
        self._send(pre_operation, instance, data)

    def finished(self, instance: models.Model, data: Any, status: int) -> None:
        """Send ``post_operation``, still inside the transaction."""
        if not self.resource_id:
            self.resource_id = self.view.resource_id(instance)
        self._send(post_operation, instance, data, status=status)

    def failed(self, exc: Exception) -> None:
        """Send ``operation_failed`` with the status and detail the client gets.

        The view's exception handler says what they are, asked not to report the
        exception (it does when DRF calls it next). An exception it lets propagate is
        recorded as a ``500``.
        """
        view = self.view
        context = {**view.get_exception_handler_context(), "report": False}
        response = view.get_exception_handler()(exc, context)
        if response is None:
            status, detail = 500, ""
        else:
            status = response.status_code
            data = response.data
            detail = data.get("detail", "") if isinstance(data, dict) else ""
        self.resource_id = view.kwargs.get(view.lookup_field, "")
        self._send(operation_failed, None, None, status=status, detail=str(detail))


class RelationWatch:
    """What :meth:`SCIMWriteMixin.watching_relations` watches for one write."""

    def __init__(self, relations: list[Any]) -> None:
        self.relations = relations
        self.named: set[str] = set()
        self.instance: models.Model | None = None

    def read(self, instance: models.Model) -> None:
        """``instance`` was just read, its read-only relations with it: watch from here."""
        self.instance = instance
        self.named.clear()  # that read named their tables itself

    def forget(self) -> None:
        """Drop what was read of a relation whose table a later statement named."""
        if self.instance is None:
            return
        for relation in self.relations:
            if relation.table in self.named:
                vars(self.instance).pop(relation.embedded_name, None)


class SCIMWriteMixin:
    """What every SCIM write shares; the base of the mixins below."""

    #: What DELETE does: "delete" the row, or "deactivate" it and hide it from SCIM
    #: (404 from then on). ``None`` takes the ``DELETE_MODE`` setting.
    delete_mode: DeleteMode | None = None

    if TYPE_CHECKING:
        request: Request
        kwargs: dict[str, Any]
        lookup_field: str

        def get_serializer_class(self) -> type[SCIMResourceSerializer]: ...
        def get_serializer(self, *args: Any, **kwargs: Any) -> Any: ...
        def get_object(self, *, lock: bool = False) -> models.Model: ...
        def check_preconditions(self, instance: models.Model) -> None: ...
        def resource_response(self, instance: models.Model, status: int) -> Response: ...
        def get_etag(self, instance: models.Model) -> str: ...
        def get_projection(self) -> Projection | None: ...

    @contextmanager
    def scim_write(self, operation: str) -> Iterator[SCIMWrite]:
        """Run one write: atomically, with its signals, a 409 for a unique constraint.

        Inside, call ``write.started(instance, data)`` before changing anything and
        ``write.finished(instance, data, status)`` after. A failure rolls everything back
        and is reported with ``operation_failed`` (and so in the audit log), whatever the
        exception: a bug too is recorded, as the ``500`` the exception handler answers.
        """
        write = SCIMWrite(self, operation)
        try:
            try:
                with transaction.atomic():
                    yield write
            except IntegrityError as exc:
                raise Uniqueness(self.uniqueness_detail()) from exc
        except Exception as exc:
            # Not swallowed: recorded after the rollback, then re-raised for DRF's
            # exception handling (the SCIM handler answers and reports it).
            write.failed(exc)
            raise

    def resource_id(self, instance: models.Model) -> str:
        """The SCIM ``id`` of ``instance`` ("" while it has no record)."""
        storage = self.get_serializer_class().get_storage()
        record = getattr(instance, storage.record_name, None)
        return str(record.id) if record is not None else ""

    @contextmanager
    def watching_relations(self) -> Iterator[RelationWatch]:
        """Watch, from the resource's read on, whether the write names its relations.

        The read-only relations a write's locked read reads with the resource
        (``SCIMStorage.embedded_relations``) answer its response, unless a statement of
        the request named their table after that read (a host's receiver putting the user
        in a group, an ``on_commit`` hook): then they are read again. Around
        :meth:`scim_write`, so that the commit's hooks are watched too.
        """
        relations = [
            relation
            for relation in self.get_serializer_class().get_relations().values()
            if not relation.writable
        ]
        watch = RelationWatch(relations)
        with tables_named(relations) as named:
            watch.named = named
            yield watch
        watch.forget()

    def in_bulk(self) -> bool:
        """Whether this request is an operation of a ``POST /Bulk`` (drf_scim.bulk).

        Its response feeds the BulkResponse only, which shows no successful operation's
        resource (RFC 7644 §3.7.3): a write then answers with the resource's ``id`` and
        headers, and builds no representation.
        """
        return bool(getattr(self.request._request, constants.BULK_OPERATION, False))

    def uniqueness_detail(self) -> str:
        """The detail of the 409 when a write breaks a unique constraint."""
        return "A resource with the same unique attribute values already exists."

    # -- activity --------------------------------------------------------------------------

    def is_active(self, instance: models.Model) -> bool:
        """The resource's ``active`` attribute (a resource without one counts as active)."""
        serializer = self.get_serializer_class()
        mapping = serializer.get_mapping("active")
        if mapping is not None:
            return bool(mapping.read(instance))
        record = serializer.get_storage().get_record(instance)
        return record.attributes.get("active", True) is not False

    def on_deactivate(self, instance: models.Model) -> None:
        """Called, inside the write's transaction, whenever a resource stops being active.

        That is a PUT or PATCH setting ``active`` to false (how Okta and Entra ID
        deprovision) or a DELETE in "deactivate" mode. Override to end sessions, revoke API
        keys and the like; raising a SCIM error refuses the write. Does nothing by default.
        """


class SCIMCreateModelMixin(SCIMWriteMixin):
    """POST: create a resource, 201 with ``Location`` (RFC 7644 §3.3)."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create the resource; the response shows it as created, relations included.

        A resource whose row this request inserted is in no group (and, for a Group, has
        no member) but those the request put it in: its relations are read for the
        response only if a statement of the write named their table, whoever ran it
        (a host's ``post_save`` or ``post_operation`` receiver, a commit hook). One
        query less for most creates.
        """
        resource = self.get_serializer_class()
        relations = list(resource.get_relations().values())
        # Watched until the commit has run its on_commit hooks.
        with tables_named(relations) as named, self.scim_write(Operation.CREATE) as write:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            write.started(None, serializer.validated_data)
            self.perform_create(serializer)
            write.finished(serializer.instance, serializer.validated_data, 201)
        instance = serializer.instance
        if not self.in_bulk() and resource.get_storage().inserted(instance):
            for relation in relations:
                if relation.table not in named:
                    relation.mark_empty(instance)
        return self.resource_response(instance, 201)

    def perform_create(self, serializer: Any) -> None:
        """Save the new resource. Override to add to what a create does."""
        serializer.save()


class SCIMUpdateModelMixin(SCIMWriteMixin):
    """PUT replaces a resource (RFC 7644 §3.5.1).

    PUT and PATCH both end in :meth:`perform_update`.
    """

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """PUT: replace the resource with the request's document."""
        with self.watching_relations() as watch, self.scim_write(Operation.REPLACE) as write:
            instance = self.get_object(lock=True)
            watch.read(instance)
            self.check_preconditions(instance)
            serializer = self.get_serializer(instance, data=request.data)
            serializer.is_valid(raise_exception=True)
            write.started(instance, serializer.validated_data)
            self.save_update(serializer)
            write.finished(instance, serializer.validated_data, 200)
        return self.resource_response(instance, 200)

    def save_update(self, serializer: Any) -> None:
        """:meth:`perform_update`, and :meth:`on_deactivate` if it made the resource inactive."""
        was_active = self.is_active(serializer.instance)
        self.perform_update(serializer)
        if was_active and not self.is_active(serializer.instance):
            self.on_deactivate(serializer.instance)

    def perform_update(self, serializer: Any) -> None:
        """Save the changed resource, for PUT and PATCH alike. Override to add to it."""
        serializer.save()


class SCIMPartialUpdateModelMixin(SCIMUpdateModelMixin):
    """PATCH (RFC 7644 §3.5.2), all of its operations or none.

    Parse the operations, apply them to the current document, validate the result, then
    :meth:`perform_update`.
    """

    def get_patch_max_operations(self) -> int:
        """Most operations one PATCH may carry: ``PATCH_MAX_OPERATIONS``."""
        return int(scim_settings.PATCH_MAX_OPERATIONS)

    def check_patch_size(self, body: Any) -> None:
        """413 ``tooMany`` for more operations than :meth:`get_patch_max_operations`.

        Counted on the body as sent, before any operation is read, so that refusing a
        large request costs nothing (``Operations`` in any case, RFC 7643 §2.1).
        """
        if not isinstance(body, dict):
            return
        operations = next((v for k, v in body.items() if str(k).lower() == "operations"), None)
        limit = self.get_patch_max_operations()
        if isinstance(operations, list) and len(operations) > limit:
            raise LimitExceeded(
                f"The PATCH request has {len(operations)} operations; "
                f"this service provider takes at most {limit}."
            )

    def get_patch_response(self) -> str:
        """What a successful PATCH answers: "resource" (200) or "no-content" (204).

        The ``PATCH_RESPONSE`` setting: one of them for every resource type, or a dict by
        resource type name (``{"Group": "no-content"}``), "resource" for the others.
        """
        setting = scim_settings.PATCH_RESPONSE
        if isinstance(setting, dict):
            return str(setting.get(self.get_serializer_class().resource_type, "resource"))
        return str(setting)

    def patch_answers_no_content(self) -> bool:
        """Whether this PATCH answers 204 without a body (RFC 7644 §3.5.2).

        Never when the request names the attributes to return: the server "MUST return a
        200 OK if the 'attributes' parameter is specified"; ``excludedAttributes`` is read
        the same way.
        """
        return self.get_patch_response() == "no-content" and self.get_projection() is None

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Apply the operations of a PatchOp request.

        200 with the resource (honouring ``attributes``/``excludedAttributes``), or 204
        when :meth:`patch_answers_no_content`.
        """
        with self.watching_relations() as watch, self.scim_write(Operation.PATCH) as write:
            self.check_patch_size(request.data)
            operations = parse_patch_request(
                request.data,
                self.get_serializer_class().get_schemas(),
                strict=bool(scim_settings.STRICT),
            )
            instance = self.get_object(lock=True)
            watch.read(instance)
            self.check_preconditions(instance)
            serializer = self.get_serializer(instance, data=operations, partial=True)
            serializer.is_valid(raise_exception=True)
            write.started(instance, operations)
            self.save_update(serializer)
            status = 204 if self.patch_answers_no_content() else 200
            write.finished(instance, serializer.validated_data, status)
        if status == 204:
            return Response(status=204, headers={"ETag": self.get_etag(instance)})
        return self.resource_response(instance, 200)


class SCIMDestroyModelMixin(SCIMWriteMixin):
    """DELETE: 204, and 404 for the resource from then on (RFC 7644 §3.6)."""

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """DELETE: ``If-Match``, then :meth:`perform_destroy`; 204."""
        with self.scim_write(Operation.DELETE) as write:
            instance = self.get_object(lock=True)
            self.check_preconditions(instance)
            write.started(instance, None)
            self.perform_destroy(instance)
            write.finished(instance, None, 204)
        return Response(status=204)

    def get_delete_mode(self) -> DeleteMode:
        """``delete_mode``, or the ``DELETE_MODE`` setting when it is ``None``."""
        return self.delete_mode or scim_settings.DELETE_MODE

    def perform_destroy(self, instance: models.Model) -> None:
        """Delete the resource, or :meth:`deactivate` it in "deactivate" mode.

        Either way the resources related to it get a new version (the groups of a user:
        their ``members`` change), and it stops being a member of groups that keep
        ``members`` as data (``forget_member()`` of the ``GROUP_SERIALIZER``).
        """
        serializer = self.get_serializer_class()
        scim_id = serializer.get_storage().get_record(instance).id
        deactivating = self.get_delete_mode() == "deactivate"
        for relation in serializer.get_relations().values():
            # The groups of a user that goes lose a member (RFC 7644 §3.14: a new
            # version); deactivate() clears, and so touches, the writable relations.
            if not (deactivating and relation.writable):
                relation.touch_related(instance)
        if deactivating:
            self.deactivate(instance)
        else:
            instance.delete()
        scim_settings.GROUP_SERIALIZER.forget_member(scim_id)

    def deactivate(self, instance: models.Model) -> None:
        """Keep the row but end the resource for SCIM: inactive, and 404 from now on.

        Its relations are cleared (a deleted Group keeps no members, so no Django
        permission it carries stays granted), then :meth:`on_deactivate` is called.
        """
        serializer = self.get_serializer_class()
        was_active = self.is_active(instance)
        mapping = serializer.get_mapping("active")
        if mapping is not None and mapping.field is not None:
            owner = mapping.owner(instance, create=True)
            setattr(owner, mapping.field.attname, False)
            owner._scim_write = True
            owner.save()
        for relation in serializer.get_relations().values():
            if relation.writable:
                relation.clear(instance)
        serializer.get_storage().mark_deleted(instance)
        if was_active:
            self.on_deactivate(instance)
