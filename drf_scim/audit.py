"""The audit log: every SCIM write recorded as a :class:`~drf_scim.models.SCIMEvent`.

Fed by the signals of :mod:`drf_scim.signals`; switched off with ``AUDIT_LOG: False``.

Secrets are never stored. An attribute is secret when its definition says it is never
returned or write-only (RFC 7643 §2.2, ``password``), or when its name is in
``AUDIT_SCRUB_ATTRIBUTES``. Which attribute a key or a PATCH ``path`` names is decided as
the server decides it (:func:`drf_scim.filter_language.parse_path` then
:func:`drf_scim.paths.resolve_path`: surrounding whitespace, case and schema URNs make no
difference), so ``"password "``, a tab before ``password`` or
``"urn:ietf:params:scim:schemas:core:2.0:User:Password"`` are scrubbed like ``password``.
The same holds for requests that were refused: the value of a ``path`` the server cannot
resolve is scrubbed whatever it names.

Recording never fails a request: a body that cannot be read is recorded as ``None``, and
text the database cannot store (NUL characters, which PostgreSQL refuses) is replaced.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from django.http import QueryDict, UnreadablePostError
from rest_framework.exceptions import APIException

from .characteristics import Mutability, Returned
from .definitions import Attribute, ResourceSchemas, Schema
from .errors import InvalidPathError
from .filter_language import FilterSyntaxError, parse_path
from .models import SCIMEvent, SCIMToken
from .paths import resolve_path
from .settings import scim_settings

__all__ = ["SCRUBBED", "record_event", "scrub"]

SCRUBBED = "[scrubbed]"

#: What a key or path resolves to: a secret, an object's schema or attribute (whose
#: members are looked up in turn), or ``None`` when the server would not resolve it.
_Context: TypeAlias = ResourceSchemas | Schema | Attribute | None
_SECRET = object()


def scrub(
    data: Any, names: frozenset[str] | None = None, schemas: ResourceSchemas | None = None
) -> Any:
    """A copy of a request body with the values of secret attributes replaced.

    ``data`` is a resource document (POST, PUT) or a ``PatchOp`` message (RFC 7644
    §3.5.2). With ``schemas`` (the resource type's), keys and PATCH paths are resolved
    as the server resolves them, and the value of a path that does not resolve is
    scrubbed too: the request is refused, and what it tried to set cannot be known.
    Without ``schemas``, or for a key that names no attribute, a key or path whose text,
    stripped and case-folded, contains a secret name is scrubbed. ``names`` defaults to
    ``AUDIT_SCRUB_ATTRIBUTES``, compared ignoring case.

    Text the database cannot store is replaced too: NUL characters (PostgreSQL refuses
    them in JSON) and lone surrogates, so that a request refused for containing one can
    still be recorded.
    """
    if names is None:
        names = frozenset(str(name).casefold() for name in scim_settings.AUDIT_SCRUB_ATTRIBUTES)
    return _Scrubber(names, schemas).body(data)


def _canonical(key: Any) -> str:
    """A member name as the server compares it: case-insensitive (RFC 7643 §2.1)."""
    return str(key).strip().casefold()


def _storable(text: str) -> str:
    """``text`` without what no database stores: NUL characters and lone surrogates."""
    if text.isascii():
        return text.replace("\x00", "\ufffd")
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


class _Scrubber:
    """One request body's walk: which keys and paths name secrets, and their values."""

    def __init__(self, names: frozenset[str], schemas: ResourceSchemas | None) -> None:
        self.names = names
        self.schemas = schemas
        self.urns = (schemas.core.id, *(ext.id for ext in schemas.extensions)) if schemas else ()
        #: What each PATCH path of this body names: a body repeats its paths.
        self.targets: dict[str, Any] = {}
        #: What each key names in each object context: a body repeats its keys (the
        #: ``value`` of 20,000 members is resolved once).
        self.members: dict[tuple[int, str], Any] = {}

    def body(self, data: Any) -> Any:
        if isinstance(data, dict) and any(_canonical(k) == "operations" for k in data):
            return {
                self.plain(key): [self.operation(item) for item in value]
                if _canonical(key) == "operations" and isinstance(value, list)
                else self.value(value, None)
                for key, value in data.items()
            }
        return self.value(data, self.schemas)

    def operation(self, raw: Any) -> Any:
        """One PATCH operation: its ``value`` is scrubbed as its ``path`` decides."""
        if not isinstance(raw, dict):
            return self.value(raw, None)
        paths = [value for key, value in raw.items() if _canonical(key) == "path"]
        target: Any
        if len(paths) > 1:
            target = _SECRET  # which one the server reads is not for the audit log to guess
        elif not paths or paths[0] is None or (isinstance(paths[0], str) and not paths[0].strip()):
            target = self.schemas  # no path: the value is a partial resource (§3.5.2.1)
        elif isinstance(paths[0], str):
            if paths[0] not in self.targets:
                self.targets[paths[0]] = self.path(paths[0])
            target = self.targets[paths[0]]
        else:
            target = _SECRET  # a path that is no string is refused; its value is unknown
        return {
            self.plain(key): self.targeted(value, target)
            if _canonical(key) == "value"
            else self.value(value, None)
            for key, value in raw.items()
        }

    def path(self, text: str) -> Any:
        """What a PATCH path names; ``_SECRET`` when it names a secret or nothing."""
        if self.schemas is None:
            return _SECRET if self.named_secret(text) else None
        try:
            path = parse_path(text, schema_urns=self.urns)
            resolved = resolve_path(path, self.schemas)
        except (FilterSyntaxError, InvalidPathError):
            return _SECRET  # refused by the server: scrub whatever it tried to set
        if resolved.attribute is None:
            return resolved.extension
        if self.is_secret(resolved.attribute, resolved.extension):
            return _SECRET
        if resolved.sub_attribute is not None:
            return _SECRET if self.is_secret(resolved.sub_attribute) else resolved.sub_attribute
        return resolved.attribute

    def member(self, key: str, context: _Context) -> Any:
        """What the key of an object names, in the object ``context`` describes."""
        found: Any = None
        if isinstance(context, ResourceSchemas):
            # Keys of a resource are attribute names, extension URNs or (in a path-less
            # PATCH value, RFC 7644 §3.5.2.1 as Entra ID sends it) paths.
            found = self.path(key)
            if found is _SECRET and not self.named_secret(key):
                found = None  # an unknown key is dropped by the server, not set
        elif isinstance(context, Schema):
            attribute = context.get(key.strip())
            if attribute is not None:
                found = _SECRET if self.is_secret(attribute, context) else attribute
        elif isinstance(context, Attribute) and context.is_complex:
            sub = context.get(key.strip())
            if sub is not None:
                found = _SECRET if self.is_secret(sub) else sub
        if found is None and self.named_secret(key):
            return _SECRET
        return found

    def cached_member(self, key: str, context: _Context) -> Any:
        """:meth:`member`, once per key and context (contexts live as long as the body)."""
        cache_key = (id(context), key)
        if cache_key not in self.members:
            self.members[cache_key] = self.member(key, context)
        return self.members[cache_key]

    def targeted(self, value: Any, target: Any) -> Any:
        if target is _SECRET:
            return SCRUBBED
        return self.value(value, target)

    def value(self, data: Any, context: _Context) -> Any:
        """``data``, found where ``context`` says, with the values of secrets replaced."""
        if isinstance(data, dict):
            return {
                self.plain(key): self.targeted(
                    value, self.cached_member(key, context) if isinstance(key, str) else None
                )
                for key, value in data.items()
            }
        if isinstance(data, list):
            return [self.value(item, context) for item in data]
        return self.plain(data)

    def plain(self, data: Any) -> Any:
        return _storable(data) if isinstance(data, str) else data

    def is_secret(self, attribute: Attribute, extension: Schema | None = None) -> bool:
        """Never returned, write-only, or named in ``AUDIT_SCRUB_ATTRIBUTES``."""
        if attribute.returned is Returned.NEVER or attribute.mutability is Mutability.WRITE_ONLY:
            return True
        name = attribute.name.casefold()
        qualified = f"{extension.id.casefold()}:{name}" if extension is not None else name
        return name in self.names or qualified in self.names

    def named_secret(self, text: str) -> bool:
        """The safe guess for what does not resolve: the text contains a secret name."""
        folded = text.strip().casefold()
        return any(name in folded for name in self.names)


def _payload(request: Any) -> Any:
    """The request body, or ``None`` if it cannot be read (why the request failed)."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    try:
        data = request.data
    except (APIException, UnreadablePostError):
        # Every parser error is an APIException (DRF's ParseError, drf-scim's
        # InvalidSyntax and PayloadTooLarge); it was, or will be, answered to the client.
        return None
    # DRF leaves an empty QueryDict when there is no body or its parsing failed.
    return None if isinstance(data, QueryDict) else data


def _schemas(sender: Any) -> ResourceSchemas | None:
    serializer = getattr(sender, "get_resource_serializer", None)
    return serializer().get_schemas() if serializer is not None else None


def record_event(
    *,
    request: Any,
    operation: str,
    resource_type: str,
    resource_id: str = "",
    status: int,
    detail: str = "",
    **kwargs: Any,
) -> None:
    """Store one event; connected to ``post_operation`` and ``operation_failed``.

    ``resource_id`` is what the URL named when the write failed: it is cut to the
    column's length and, like ``detail``, cleared of what the database cannot store.
    """
    if not scim_settings.AUDIT_LOG:
        return
    token = request.auth if isinstance(request.auth, SCIMToken) else None
    payload = _payload(request)
    max_id = SCIMEvent._meta.get_field("resource_id").max_length or 64
    SCIMEvent.objects.create(
        operation=operation,
        resource_type=resource_type,
        resource_id=_storable(str(resource_id or ""))[:max_id],
        status=status,
        token=token,
        payload=scrub(payload, schemas=_schemas(kwargs.get("sender")))
        if isinstance(payload, dict)
        else None,
        detail=_storable(str(detail)),
    )
