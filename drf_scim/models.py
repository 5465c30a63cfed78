"""Storage for what SCIM needs and the host's models lack.

The host's tables are never altered (see ``docs/architecture/index.md``): a *record* table sits
one-to-one beside each resource model and holds the SCIM ``id``, ``externalId``,
``meta.version``, ``meta.lastModified`` and the singular attributes without a column; a
*values* table holds one row per value of each multi-valued attribute.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals
from django.db.models.base import DEFERRED, ModelState
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models.fetch_modes import FetchMode
    from typing_extensions import Self

__all__ = [
    "BaseRecord",
    "BaseValue",
    "ExactCharField",
    "GroupRecord",
    "GroupValue",
    "SCIMEvent",
    "SCIMToken",
    "UserRecord",
    "UserValue",
]


class ExactCharField(models.CharField):  # type: ignore[type-arg]
    """A ``CharField`` compared byte for byte on every database.

    MariaDB's default collations ignore case and accents; this field asks for
    ``utf8mb4_bin`` there, so equality and unique constraints mean the same thing on
    SQLite, PostgreSQL and MariaDB.
    """

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "mysql" and not self.db_collation:
            params["collation"] = "utf8mb4_bin"
        return params


class BaseRecord(models.Model):
    """The SCIM side of one resource; subclass it with a one-to-one to the resource model."""

    #: The SCIM ``id`` (RFC 7643 §3.1): server-assigned, stable, opaque, unique across types.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = ExactCharField(
        _("external id"), max_length=255, null=True, blank=True, db_index=True
    )
    version = models.PositiveBigIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now)
    last_modified = models.DateTimeField(default=timezone.now)
    #: Set instead of deleting when ``DELETE_MODE`` is "deactivate"; such resources are 404.
    deleted = models.DateTimeField(null=True, blank=True)
    #: Singular attributes without a column, as a SCIM document fragment.
    attributes = models.JSONField(default=dict, blank=True)
    #: Every singular attribute (mapped or not) in comparable form, for filters and sorting
    #: (see drf_scim.indexing).
    search = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: Collection[str],
        values: Collection[Any],
        *,
        fetch_mode: FetchMode | None = None,
    ) -> Self:
        """A record read from the database, its columns set without ``Model.__init__``.

        Every resource read comes with its record: a page of 100 users builds 100 of them.
        ``__init__`` passes each column through its descriptor and sends ``pre_init`` and
        ``post_init``; a row just read needs neither, and this costs about a fifth of it.
        The state is Django's own ``from_db()``'s (``fetch_mode``: Django 6.1). A subclass
        with its own ``__init__``, or a model with ``pre_init``/``post_init`` receivers, is
        built the usual way.
        """
        if (
            cls.__init__ is not models.Model.__init__
            or signals.pre_init.has_listeners(cls)
            or signals.post_init.has_listeners(cls)
        ):
            if fetch_mode is None:  # Django 5.2's from_db() takes no fetch_mode
                return super().from_db(db, field_names, values)
            return super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        record = cls.__new__(cls)
        state = record._state = ModelState()
        state.adding = False
        state.db = db
        if fetch_mode is not None:
            state.fetch_mode = fetch_mode
        columns = record.__dict__
        for name, value in zip(field_names, values, strict=True):
            if value is not DEFERRED:
                columns[name] = value
        return record


class BaseValue(models.Model):
    """One value of a multi-valued attribute (RFC 7643 §2.4)."""

    #: The attribute's name, URN-qualified for extension attributes.
    attribute = models.CharField(max_length=255)
    position = models.PositiveIntegerField(default=0)
    # NULL is "no value", which SCIM tells apart from "" (RFC 7643 §2.5, filter "pr").
    value = models.TextField(null=True, blank=True)  # noqa: DJ001
    type = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    primary = models.BooleanField(null=True)
    display = models.TextField(null=True, blank=True)  # noqa: DJ001
    #: The other sub-attributes, e.g. an address's ``streetAddress``.
    data = models.JSONField(default=dict, blank=True)
    #: The whole value in comparable form (drf_scim.indexing), for filters and sorting.
    search = models.JSONField(default=dict, blank=True)
    #: The indexed prefix of the comparable ``value``: equality filters use the index.
    value_key = ExactCharField(max_length=191, null=True, blank=True)

    class Meta:
        abstract = True


class UserRecord(BaseRecord):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_record"
    )
    #: ``userName`` case-folded: its unique constraint makes userName unique ignoring case.
    user_name_key = ExactCharField(max_length=255, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("SCIM user record")

    def __str__(self) -> str:
        return str(self.id)


class UserValue(BaseValue):
    record = models.ForeignKey(UserRecord, on_delete=models.CASCADE, related_name="values")

    class Meta:
        verbose_name = _("SCIM user value")
        ordering = ("attribute", "position")
        indexes = (
            models.Index(fields=("record", "attribute")),
            models.Index(fields=("attribute", "value_key")),
        )

    def __str__(self) -> str:
        return f"{self.attribute}[{self.position}]"


#: The model Groups are stored in: ``settings.DRF_SCIM_GROUP_MODEL``, like AUTH_USER_MODEL a
#: top-level setting because migrations depend on it; ``auth.Group`` by default.
GROUP_MODEL: str = getattr(settings, "DRF_SCIM_GROUP_MODEL", "auth.Group")


class GroupRecord(BaseRecord):
    group = models.OneToOneField(GROUP_MODEL, on_delete=models.CASCADE, related_name="scim_record")
    #: ``displayName`` case-folded: a second group of the same name is a 409 (Entra ID's
    #: guidance), whatever the group model's own constraints.
    display_name_key = ExactCharField(max_length=255, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("SCIM group record")

    def __str__(self) -> str:
        return str(self.id)


class GroupValue(BaseValue):
    record = models.ForeignKey(GroupRecord, on_delete=models.CASCADE, related_name="values")

    class Meta:
        verbose_name = _("SCIM group value")
        ordering = ("attribute", "position")
        indexes = (
            models.Index(fields=("record", "attribute")),
            models.Index(fields=("attribute", "value_key")),
        )

    def __str__(self) -> str:
        return f"{self.attribute}[{self.position}]"


class SCIMToken(models.Model):
    """A bearer token for an identity provider; only its SHA-256 digest is stored.

    Tokens are 256 random bits, so a fast digest is enough: there is nothing to
    brute-force, and lookups stay one indexed query. A token authenticates until it is
    revoked or its ``expires`` time passes (docs/api-guide/authentication.md).
    """

    prefix_length: ClassVar[int] = 10

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    name = models.CharField(_("name"), max_length=100)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)
    #: When the token stops authenticating; none means never.
    expires = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("The token stops authenticating at this time. Leave empty for never."),
    )
    #: The tenant (an instance of any model: an organisation, a customer) whose resources
    #: this token may see; none means every resource. See docs/tenants.md.
    tenant_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("tenant type"),
        help_text=_(
            "The model of the tenant this token belongs to (e.g. an organisation). With a "
            "tenant, the token sees and changes only that tenant's users and groups, and "
            "what it creates belongs to that tenant. Leave both tenant fields empty for a "
            "token that sees every resource (see docs/tenants.md)."
        ),
    )
    tenant_id = models.CharField(
        _("tenant id"),
        max_length=64,
        blank=True,
        help_text=_("The primary key of the tenant, an instance of the tenant type."),
    )
    tenant = GenericForeignKey("tenant_type", "tenant_id")
    #: The user this token acts as: ``/Me`` is an alias of that user (RFC 7644 §3.11,
    #: docs/me.md); none means ``/Me`` answers 501. Deleting the user unbinds the token
    #: rather than deleting it: the token is the identity provider's credential, and its
    #: audit trail (``SCIMEvent.token``) stays.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scim_tokens",
        verbose_name=_("user"),
        help_text=_("The user /Me stands for with this token (RFC 7644 §3.11)."),
    )

    class Meta:
        verbose_name = _("SCIM token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate(
        cls,
        name: str,
        tenant: models.Model | None = None,
        user: models.Model | None = None,
        expires: datetime.datetime | None = None,
    ) -> tuple[SCIMToken, str]:
        """Create a token (for ``tenant``, bound to ``user``, expiring, if given); return it.

        Returns the token and its key.

        The plain key is never stored: only its digest.
        """
        token = cls(name=name, expires=expires)
        token.user = user  # type: ignore[assignment]
        if tenant is not None:
            token.tenant = tenant
        key = token.set_key()
        token.save()
        return token, key

    def set_key(self) -> str:
        """Give an unsaved token a new random key and return it; only its digest is kept."""
        key = f"scim_{secrets.token_urlsafe(32)}"
        self.key_digest = self.digest(key)
        self.prefix = key[: self.prefix_length]
        return key

    @property
    def tenant_label(self) -> str:
        """The tenant as ``app_label.Model:pk``, as ``create_scim_token --tenant`` takes it.

        Empty without a tenant. Reads the tenant's type (``select_related("tenant_type")``
        it in lists), never the tenant itself.
        """
        if self.tenant_type is None:
            return ""
        model = self.tenant_type.model_class()
        name = model.__name__ if model is not None else self.tenant_type.model
        return f"{self.tenant_type.app_label}.{name}:{self.tenant_id}"

    def get_state(self, now: datetime.datetime | None = None) -> SCIMToken.State:
        """Revoked, expired (at ``now``, by default the present) or active."""
        if self.revoked is not None:
            return self.State.REVOKED
        if self.expires is not None and self.expires <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.ACTIVE

    @property
    def is_active(self) -> bool:
        """Whether the token authenticates now: neither revoked nor expired."""
        return self.get_state() == self.State.ACTIVE

    def revoke(self) -> None:
        self.revoked = timezone.now()
        self.save(update_fields=["revoked"])


class SCIMEvent(models.Model):
    """One write through the SCIM API: what, to which resource, by which token, and how it ended."""

    class Operation(models.TextChoices):
        CREATE = "create", _("create")
        REPLACE = "replace", _("replace")
        PATCH = "patch", _("patch")
        DELETE = "delete", _("delete")

    timestamp = models.DateTimeField(default=timezone.now, db_index=True)
    operation = models.CharField(max_length=16, choices=Operation.choices)
    resource_type = models.CharField(max_length=64)
    #: Indexed: "what did the identity provider do to this person" is the question asked.
    resource_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.PositiveSmallIntegerField()
    token = models.ForeignKey(SCIMToken, on_delete=models.SET_NULL, null=True, blank=True)
    #: The request body, with secrets (``AUDIT_SCRUB_ATTRIBUTES``) scrubbed.
    payload = models.JSONField(null=True, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        verbose_name = _("SCIM event")
        ordering = ("-timestamp",)

    def __str__(self) -> str:
        return f"{self.operation} {self.resource_type} {self.resource_id} → {self.status}"
