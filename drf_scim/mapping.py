"""Where each SCIM attribute lives, when it lives in a column.

An attribute is kept in a column of the resource's model, a related model's column, or
computed in Python; an unmapped one lives in drf-scim's record and values tables.
A serializer declares the mapping as ``attribute_map`` (SCIM path → field name,
``"profile__department"`` or :class:`Computed`); :func:`compile_mappings` resolves each
entry once against the schemas and the model, and the storage
(:mod:`drf_scim.storage`) moves values between documents and columns with
:func:`read_column` and :func:`write_column`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils import timezone

from .characteristics import Mutability
from .definitions import Attribute
from .exceptions import InvalidValue
from .resolver import AttributeRef, UnknownAttribute, resolve

__all__ = [
    "PROTECTED_USER_FIELDS",
    "Computed",
    "MappedAttribute",
    "MappingError",
    "compile_mappings",
    "default_user_attribute_map",
    "mapping_errors",
]

#: Model fields SCIM must never write: privileges and Django's own bookkeeping.
PROTECTED_USER_FIELDS = frozenset(
    {"is_staff", "is_superuser", "groups", "user_permissions", "password", "last_login"}
)


class Computed:
    """A read-only attribute computed from the resource, for ``attribute_map``.

    For example::

        attribute_map = {
            "displayName": Computed(lambda user: f"{user.first_name} {user.last_name}",
                                    expression=Concat("first_name", Value(" "), "last_name")),
        }

    The value is indexed on every save, so filters and sorting follow it; ``expression``
    (optional) makes them compare a database expression instead. Writes are ignored,
    as for any read-only attribute.
    """

    def __init__(self, getter: Callable[[Any], Any], *, expression: Any = None) -> None:
        self.getter = getter
        self.expression = expression


@dataclass(frozen=True)
class MappedAttribute(AttributeRef):
    """A SCIM attribute kept in a column, of the resource model or a related one.

    The column may be a related model's (``"profile__department"``), or the value
    computed (:class:`Computed`).
    """

    #: The column; ``None`` for a computed attribute.
    field: models.Field[Any, Any] | None = None
    #: Relations from the resource model to the column's model (``("profile",)``).
    relation: tuple[str, ...] = ()
    computed: Computed | None = None
    #: The column is a foreign key to the resource's own model, and the attribute a
    #: reference to another resource of the type (the Enterprise User ``manager``): its
    #: ``value`` is that resource's SCIM ``id``. The storage reads and writes it.
    reference: bool = False

    @cached_property
    def lookup(self) -> str:
        """The ORM path of the column, e.g. ``"profile__department"``."""
        assert self.field is not None  # noqa: S101 - not called for computed attributes
        return "__".join((*self.relation, self.field.name))

    def read(self, instance: Any) -> Any:
        """The value from ``instance`` (``None`` where a related row is missing)."""
        if self.computed is not None:
            return self.computed.getter(instance)
        if not self.relation:  # a column of the resource's own row
            return getattr(instance, self.field.attname)  # type: ignore[union-attr]
        owner = self.owner(instance)
        return None if owner is None else getattr(owner, self.field.attname)  # type: ignore[union-attr]

    def owner(self, instance: Any, *, create: bool = False) -> Any:
        """The object holding the column: ``instance`` or a related object."""
        model = type(instance)
        for name in self.relation:
            try:
                related = getattr(instance, name)
            except ObjectDoesNotExist:
                related = None
            if related is None and create:
                field = model._meta.get_field(name)
                related = field.related_model(**{field.remote_field.name: instance})
                setattr(instance, name, related)
            if related is None:
                return None
            instance, model = related, type(related)
        return instance

    @cached_property
    def key(self) -> str:
        """The attribute's name in the values table: ``emails``, ``urn:...:manager``."""
        return f"{self.urn}:{self.attribute.name}" if self.urn else self.attribute.name

    @cached_property
    def scim_path(self) -> str:
        """The attribute's path: ``name.givenName``, ``<extension URN>:manager``."""
        return self.name

    @cached_property
    def read_only(self) -> bool:
        return (
            self.computed is not None
            or self.attribute.mutability is Mutability.READ_ONLY
            or self.definition.mutability is Mutability.READ_ONLY
        )

    @cached_property
    def in_document(self) -> bool:
        """Whether :func:`read_column` puts the column's value in a stored document.

        Not a reference (the storage resolves it: ``SCIMStorage.read_reference``), nor
        ``meta`` (the serializer shapes it).
        """
        return not self.reference and not (self.urn is None and self.attribute.name == "meta")

    @cached_property
    def primary_value(self) -> bool:
        """A multi-valued attribute whose primary value is kept in the column."""
        return self.attribute.multi_valued


def to_scim(value: Any) -> Any:
    """A column's value as SCIM shows it: instants in UTC ``Z`` form, ``""`` as no value."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not datetime.timezone.utc:  # as the database reads them
            if timezone.is_naive(value):
                value = timezone.make_aware(value, datetime.timezone.utc)
            value = value.astimezone(datetime.timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    if value == "":
        return None
    return value


def container(document: dict[str, Any], urn: str | None, create: bool) -> dict[str, Any] | None:
    """The part of ``document`` holding ``urn``'s attributes (the document for the core)."""
    if urn is None:
        return document
    if create:
        return document.setdefault(urn, {})  # type: ignore[no-any-return]
    nested = document.get(urn)
    return nested if isinstance(nested, dict) else None


def check_length(field: Any, value: Any, label: str) -> None:
    """``invalidValue`` for a string longer than the column holding it."""
    max_length = getattr(field, "max_length", None)
    if max_length and isinstance(value, str) and len(value) > max_length:
        raise InvalidValue(f"{label}: at most {max_length} characters are allowed.")


def read_column(document: dict[str, Any], mapping: MappedAttribute, instance: Any) -> None:
    """Put the mapped column's value into ``document`` (``meta`` is left to the shaper)."""
    if not mapping.in_document:
        return
    value = to_scim(mapping.read(instance))
    holder = container(document, mapping.urn, create=value is not None)
    if holder is None:
        return
    name = mapping.attribute.name
    if mapping.primary_value:
        _overlay_primary(holder, name, value)
    elif mapping.sub_attribute is None:
        if value is not None:
            holder[name] = value
    elif value is not None:
        holder.setdefault(name, {})[mapping.sub_attribute.name] = value


def empty_value(field: Any) -> Any:
    """What a column holds when its attribute has no value: its default, else ``""``/NULL."""
    value = field.get_default()
    if value is None and not field.null and field.empty_strings_allowed:
        value = ""
    return value


def holds_no_value(mapping: MappedAttribute) -> bool:
    """Whether the column can be read back as "no value" (NULL or ``""``).

    Not so for a ``BooleanField`` (``is_active``) or a number with a default: "no value"
    would be written as the default, and read back as a value. See
    :meth:`drf_scim.storage.SCIMStorage.save` (``unassign``) for how such an attribute
    is left unassigned by a PATCH ``remove`` (RFC 7644 §3.5.2.2).
    """
    if mapping.field is None or mapping.reference or mapping.primary_value:
        return True
    return to_scim(empty_value(mapping.field)) is None


def has_value(document: dict[str, Any], mapping: MappedAttribute) -> bool:
    """Whether ``document`` holds a value for the mapped attribute."""
    holder = container(document, mapping.urn, create=False) or {}
    value = holder.get(mapping.attribute.name)
    if mapping.sub_attribute is not None:
        value = value.get(mapping.sub_attribute.name) if isinstance(value, dict) else None
    return value not in (None, "", [], {})


def write_column(instance: Any, mapping: MappedAttribute, document: dict[str, Any]) -> Any:
    """Move the mapping's value from ``document`` to its column.

    Returns the related object that holds the column when it is not ``instance`` (to be
    saved after it), else ``None``. A computed attribute's value is dropped.
    """
    holder = container(document, mapping.urn, create=False) or {}
    name = mapping.attribute.name
    if mapping.primary_value:
        items = holder.get(name) or []
        chosen = next((i for i in items if i.get("primary") is True), items[0] if items else {})
        value = chosen.get("value")
    elif mapping.sub_attribute is None:
        value = holder.pop(name, None)
    else:
        parent = holder.get(name) or {}
        value = parent.pop(mapping.sub_attribute.name, None)
        if not parent:
            holder.pop(name, None)
    field = mapping.field
    if field is None:
        return None  # computed: read-only
    owner = mapping.owner(instance, create=value is not None)
    if owner is None:
        return None  # no related row, and no value to give one
    if value is None:
        value = empty_value(field)
    check_length(field, value, mapping.scim_path)
    setattr(owner, field.attname, value)
    return owner if owner is not instance else None


def _overlay_primary(holder: dict[str, Any], name: str, value: Any) -> None:
    """Make the column's value the primary (or first) value of a multi-valued attribute."""
    items = holder.get(name)
    if not items:
        if value is not None:
            holder[name] = [{"value": value, "primary": True}]
        return
    chosen = items[0]
    for item in items:  # a loop, not next() over a generator: once per resource read
        if item.get("primary") is True:
            chosen = item
            break
    if value is not None and chosen.get("value") != value:
        chosen["value"] = value  # the column was changed outside SCIM: it wins


@dataclass(frozen=True)
class MappingError:
    """A mistake in an ``attribute_map``: the system check id and what to do about it."""

    id: str
    message: str


def compile_mappings(
    owner: str, model: type[models.Model], schemas: Any, attribute_map: dict[str, Any]
) -> tuple[MappedAttribute, ...]:
    """Resolve each ``attribute_map`` entry against ``schemas`` and ``model``.

    ``owner`` names the declaring class in error messages. Raises ``ValueError`` naming
    every mistake :func:`mapping_errors` finds (``manage.py check`` reports each).
    """
    result, errors = _compile(owner, model, schemas, attribute_map)
    if errors:
        raise ValueError("\n".join(error.message for error in errors))
    return tuple(result)


def mapping_errors(
    owner: str, model: type[models.Model], schemas: Any, attribute_map: dict[str, Any]
) -> list[MappingError]:
    """Every mistake of ``attribute_map``, not just the first (for ``manage.py check``).

    An entry must name a SCIM attribute of ``schemas`` (``drf_scim.E010``) and a plain
    column, not a relation nor a foreign key's ``_id`` column (``drf_scim.E013``); a
    complex attribute cannot be one column (``drf_scim.E014``), and a related model's
    column is reached through one-to-one or foreign keys only (``drf_scim.E015``).
    """
    return _compile(owner, model, schemas, attribute_map)[1]


def _compile(
    owner: str, model: type[models.Model], schemas: Any, attribute_map: dict[str, Any]
) -> tuple[list[MappedAttribute], list[MappingError]]:
    result: list[MappedAttribute] = []
    errors: list[MappingError] = []
    for path, field_name in attribute_map.items():
        found = _resolve_path(owner, schemas, path, errors)
        if found is None:
            continue
        if isinstance(field_name, Computed):
            result.append(MappedAttribute(*_parts(found), computed=field_name))
            continue
        reference = _is_reference(found)
        column = _column(owner, model, path, str(field_name), errors, reference=reference)
        if column is None:
            continue
        relation, field = column
        error = None if field.is_relation else _complex_error(owner, path, found, field_name)
        if error is not None:
            errors.append(error)
            continue
        result.append(
            MappedAttribute(
                *_parts(found), field=field, relation=relation, reference=field.is_relation
            )
        )
    return result, errors


def _is_reference(found: AttributeRef) -> bool:
    """A singular complex attribute whose ``value`` is a resource id (``manager``)."""
    attribute = found.attribute
    return (
        found.sub_attribute is None
        and attribute.is_complex
        and not attribute.multi_valued
        and attribute.get("value") is not None
        and attribute.get("$ref") is not None
    )


def _resolve_path(
    owner: str, schemas: Any, path: str, errors: list[MappingError]
) -> AttributeRef | None:
    urn: str | None = None
    attr_path = path
    if path.lower().startswith("urn:"):
        urn, _, attr_path = path.rpartition(":")
    name, _, sub_name = attr_path.partition(".")
    try:
        return resolve(schemas, urn, name, sub_name or None, strict=True)
    except UnknownAttribute as exc:
        if exc.missing == "schema":
            msg = f"{owner}.attribute_map: {urn!r} is not an extension of it."
        else:
            msg = f"{owner}.attribute_map: unknown SCIM attribute {path!r}."
        errors.append(MappingError("drf_scim.E010", msg))
        return None


def _complex_error(
    owner: str, path: str, found: AttributeRef, field_name: Any
) -> MappingError | None:
    """A singular complex attribute (``name``, ``manager``) mapped to one column."""
    attribute = found.attribute
    if found.sub_attribute is not None or not attribute.is_complex or attribute.multi_valued:
        return None
    subs = ", ".join(repr(f"{path}.{sub.name}") for sub in attribute.sub_attributes)
    return MappingError(
        "drf_scim.E014",
        f"{owner}.attribute_map: {path!r} is a complex attribute (RFC 7643 §2.3.8) and "
        f"cannot be stored in the one column {field_name!r}. Map its sub-attributes "
        f"instead ({subs}), or leave it unmapped to store it in drf-scim's tables.",
    )


def _column(
    owner: str,
    model: type[models.Model],
    path: str,
    field_name: str,
    errors: list[MappingError],
    *,
    reference: bool = False,
) -> tuple[tuple[str, ...], Any] | None:
    """The relations to the column and the column itself, or ``None`` (with an error).

    With ``reference`` (a ``manager``-like attribute), the column may be a foreign key
    of the model to itself: it then holds the referenced resource.
    """
    *relation, column = field_name.split("__")
    owner_model: Any = model
    prefix = f"{owner}.attribute_map: {path!r} is mapped to {field_name!r}"
    try:
        for step in relation:
            step_field = owner_model._meta.get_field(step)
            if step_field.many_to_many or step_field.one_to_many:
                errors.append(
                    MappingError(
                        "drf_scim.E015",
                        f"{prefix}, through {step!r}, a relation to many "
                        f"{step_field.related_model.__name__} rows: a column must be reached "
                        "through one-to-one or foreign keys only. Leave it unmapped to store "
                        "it in drf-scim's tables.",
                    )
                )
                return None
            owner_model = step_field.related_model
        field = owner_model._meta.get_field(column)
    except (FieldDoesNotExist, AttributeError):
        msg = f"{owner}.attribute_map: {model.__name__} has no field {field_name!r}."
        errors.append(MappingError("drf_scim.E010", msg))
        return None
    if not field.is_relation:
        return tuple(relation), field
    self_key = field.many_to_one and not field.auto_created and field.related_model is model
    if reference and self_key and not relation and field.name == column:
        return (), field
    target = field.related_model.__name__ if field.related_model else "?"
    if getattr(field, "attname", None) == column and field.name != column:
        advice = (
            f"{column!r} is the raw column of the foreign key {field.name!r}. Map the "
            f"attribute to a field of {target} instead ('{field.name}__<field>')"
        )
    elif field.many_to_many or field.one_to_many:
        advice = (
            f"{column!r} is a relation to many {target} rows, which holds no value. Leave "
            "the attribute unmapped to store it in drf-scim's tables (a relation SCIM "
            "writes, like Group members, is declared by the serializer's get_relations())"
        )
    else:
        advice = (
            f"{column!r} is a relation to {target}, which holds no value. Map the attribute "
            f"to a field of {target} instead ('{column}__<field>'), or leave it unmapped to "
            "store it in drf-scim's tables"
        )
    errors.append(MappingError("drf_scim.E013", f"{prefix}, but {advice}."))
    return None


def _parts(found: AttributeRef) -> tuple[Any, Attribute, Attribute | None]:
    return found.extension, found.attribute, found.sub_attribute


def has_field(model: type[models.Model], name: str) -> bool:
    """Whether ``model`` has a field called ``name``."""
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def default_user_attribute_map(model: type[models.Model]) -> dict[str, str]:
    """The columns of ``model`` that the core User attributes map to, where it has them."""
    username = getattr(model, "USERNAME_FIELD", "username")
    email = model.get_email_field_name() if hasattr(model, "get_email_field_name") else "email"
    candidates = {
        "userName": username,
        "name.givenName": "first_name",
        "name.familyName": "last_name",
        "emails": email,
        "active": "is_active",
        "meta.created": "date_joined",
    }
    mapping = {}
    for path, field in candidates.items():
        if has_field(model, field) and (path == "userName" or field != username):
            mapping[path] = field
    return mapping
