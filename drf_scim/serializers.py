"""SCIM resources as DRF serializers.

A resource serializer knows its schemas (one source of truth, :mod:`drf_scim.definitions`)
and where each attribute lives: in a column of the resource's own model (declared in
``attribute_map``), in the record table beside it, or in the values table. Map your own
user model's fields by subclassing :class:`SCIMUserSerializer`::

    class MyUserSerializer(SCIMUserSerializer):
        attribute_map = {
            **default_user_attribute_map(get_user_model()),
            "displayName": "full_name",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":
                "staff_id",
        }

and name it in ``DRF_SCIM["USER_SERIALIZER"]``. Attributes without a column are stored
in drf-scim's own tables, so nothing a client sends is lost.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models import F, Prefetch
from django.utils import timezone
from rest_framework import serializers

from .characteristics import Mutability, Returned
from .definitions import ENTERPRISE_USER, GROUP, USER, Attribute, Schema
from .exceptions import InvalidValue
from .indexing import index_key, search_document
from .models import GROUP_MODEL, BaseRecord, GroupRecord, UserRecord
from .patch import PatchOperation, apply_patch
from .projection import Projection
from .relations import Relation, find_many_to_many, patch_relation, split_relation_operations
from .settings import scim_settings
from .validation import ResourceSchemas, check_immutable, validate_document

__all__ = [
    "PROTECTED_USER_FIELDS",
    "Computed",
    "MappedAttribute",
    "SCIMGroupSerializer",
    "SCIMResourceSerializer",
    "SCIMUserSerializer",
    "default_user_attribute_map",
]

_VALUE_COLUMNS = ("value", "display", "type", "primary")
#: Key of ``data`` holding a value of a multi-valued attribute of simple (not complex) type.
_SCALAR = "$scalar"
#: Columns of a value row, in the order ``_document`` reads them.
_ROW_FIELDS = ("attribute", *_VALUE_COLUMNS, "data")


class Computed:
    """A read-only attribute computed from the resource, for ``attribute_map``.

    For example::

        attribute_map = {
            "displayName": Computed(lambda user: user.get_full_name(),
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
class MappedAttribute:
    """A SCIM attribute kept in a column, of the resource model or a related one.

    The column may be a related model's (``"profile__department"``), or the value
    computed (:class:`Computed`).
    """

    #: Extension URN, or ``None`` for core and common attributes.
    urn: str | None
    attribute: Attribute
    sub_attribute: Attribute | None
    #: The column; ``None`` for a computed attribute.
    field: models.Field[Any, Any] | None
    #: Relations from the resource model to the column's model (``("profile",)``).
    relation: tuple[str, ...] = ()
    computed: Computed | None = None

    @property
    def lookup(self) -> str:
        """The ORM path of the column, e.g. ``"profile__department"``."""
        assert self.field is not None  # noqa: S101 - not called for computed attributes
        return "__".join((*self.relation, self.field.name))

    def read(self, instance: Any) -> Any:
        """The value from ``instance`` (``None`` where a related row is missing)."""
        if self.computed is not None:
            return self.computed.getter(instance)
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

    @property
    def scim_path(self) -> str:
        path = self.attribute.name
        if self.sub_attribute is not None:
            path = f"{path}.{self.sub_attribute.name}"
        return f"{self.urn}:{path}" if self.urn else path

    @property
    def definition(self) -> Attribute:
        return self.sub_attribute or self.attribute

    @property
    def read_only(self) -> bool:
        return (
            self.computed is not None
            or self.attribute.mutability is Mutability.READ_ONLY
            or self.definition.mutability is Mutability.READ_ONLY
        )

    @property
    def primary_value(self) -> bool:
        """A multi-valued attribute whose primary value is kept in the column."""
        return self.attribute.multi_valued


def _to_scim(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    if value == "":
        return None
    return value


def _container(document: dict[str, Any], urn: str | None, create: bool) -> dict[str, Any] | None:
    if urn is None:
        return document
    if create:
        return document.setdefault(urn, {})  # type: ignore[no-any-return]
    nested = document.get(urn)
    return nested if isinstance(nested, dict) else None


class SCIMResourceSerializer(serializers.BaseSerializer):  # type: ignore[type-arg]
    """Base class of resource serializers: subclass it for each resource type.

    Set ``resource_type``, ``endpoint``, ``schema``, ``extensions``, ``record_model`` and
    ``record_name`` (the reverse accessor from the resource model to its record), and
    implement :meth:`get_model`. Override ``attribute_map`` (or :meth:`get_attribute_map`)
    to say which SCIM attributes live in which model fields.
    """

    resource_type: ClassVar[str]
    endpoint: ClassVar[str]
    description: ClassVar[str] = ""
    schema: ClassVar[Schema]
    extensions: ClassVar[tuple[Schema, ...]] = ()
    required_extensions: ClassVar[frozenset[str]] = frozenset()
    record_model: ClassVar[type[BaseRecord]]
    record_name: ClassVar[str]
    #: SCIM attribute path -> model field name, a related model's field
    #: (``"profile__department"``) or a :class:`Computed` value.
    attribute_map: ClassVar[dict[str, Any]] = {}
    #: An attribute unique ignoring case (``userName``), and the record column holding its
    #: case-folded value under a unique constraint (``user_name_key``).
    unique_key_attribute: ClassVar[str | None] = None
    unique_key_field: ClassVar[str | None] = None
    #: Attributes whose first non-empty value names the resource in references
    #: (``members[].display``, ``groups[].display``).
    display_attributes: ClassVar[tuple[str, ...]] = ()
    #: The model's foreign key to the tenant model (e.g. ``"organization"``), which scopes
    #: a tenant's token to its own resources; ``None`` when the resource has no tenant.
    tenant_field: ClassVar[str | None] = None
    #: SCIM attribute path -> ORM lookup path (``"profile__department"``) or expression,
    #: compared instead of the stored value by filters and ``sortBy``.
    filter_map: ClassVar[dict[str, Any]] = {}
    _compiled_schemas: ClassVar[ResourceSchemas]
    _compiled_mappings: ClassVar[tuple[MappedAttribute, ...]]

    # -- declarations ----------------------------------------------------------------

    @classmethod
    def get_model(cls) -> type[models.Model]:
        """The resource's model class."""
        raise NotImplementedError

    @classmethod
    def get_attribute_map(cls) -> dict[str, Any]:
        """SCIM attribute path -> model field name. Override to compute it."""
        return dict(cls.attribute_map)

    @classmethod
    def get_schemas(cls) -> ResourceSchemas:
        """The core schema and extensions, compiled once per class."""
        if "_compiled_schemas" not in cls.__dict__:
            cls._compiled_schemas = ResourceSchemas(
                cls.schema, tuple(cls.extensions), frozenset(cls.required_extensions)
            )
        return cls._compiled_schemas

    @classmethod
    def get_mappings(cls) -> tuple[MappedAttribute, ...]:
        """The compiled ``attribute_map``: each entry resolved against the schemas."""
        if "_compiled_mappings" not in cls.__dict__:
            cls._compiled_mappings = _compile_mappings(cls)
        return cls._compiled_mappings

    @classmethod
    def get_relations(cls) -> dict[str, Relation]:
        """Multi-valued attributes held by a many-to-many relation, by attribute name."""
        return {}

    @classmethod
    def display_of(cls, instance: models.Model) -> str | None:
        """The ``display`` of a reference to ``instance`` (a member, a group).

        The first non-empty value of ``display_attributes``.
        """
        record = getattr(instance, cls.record_name, None)
        for name in cls.display_attributes:
            mapping = cls.get_mapping(name)
            value = mapping.read(instance) if mapping is not None else None
            if value in (None, "") and record is not None:
                value = record.attributes.get(name)
            if value not in (None, ""):
                return str(value)
        return None

    @classmethod
    def display_paths(cls) -> list[str] | None:
        """ORM paths of ``display_attributes``, to read references without loading them.

        ``None`` when one is computed in Python; references are then loaded whole.
        """
        paths = []
        for name in cls.display_attributes:
            mapping = cls.get_mapping(name)
            if mapping is not None and mapping.computed is not None:
                return None
            if mapping is not None:
                paths.append(mapping.lookup)
            paths.append(f"{cls.record_name}__attributes__{name}")
        return paths

    @classmethod
    def get_filter_expression(cls, scim_path: str) -> Any:
        """The expression filters and sorting use for ``scim_path``, from ``filter_map``.

        Override to compute one; return ``None`` to use the stored value.
        """
        lowered = scim_path.lower()
        for path, expression in cls.filter_map.items():
            if path.lower() == lowered:
                return F(expression) if isinstance(expression, str) else expression
        mapping = cls.get_mapping(scim_path)
        if mapping is not None and mapping.computed is not None:
            return mapping.computed.expression
        return None

    @classmethod
    def get_mapping(cls, scim_path: str) -> MappedAttribute | None:
        lowered = scim_path.lower()
        return next((m for m in cls.get_mappings() if m.scim_path.lower() == lowered), None)

    @classmethod
    def get_record_link(cls) -> str:
        """The name of the record's one-to-one field to the resource model."""
        relation = cls.get_model()._meta.get_field(cls.record_name)
        return relation.field.name  # type: ignore[union-attr]

    @classmethod
    def get_value_model(cls) -> type[Any]:
        """The values table: the model whose ``record`` foreign key is named ``values``."""
        return cls.record_model.values.rel.related_model  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def get_queryset(
        cls,
        projection: Projection | None = None,
        *,
        relations: bool = True,
        values: bool = True,
    ) -> models.QuerySet[Any]:
        """Live resources with their record, values and relations, in a stable order.

        What ``projection`` leaves out is not loaded, nor relations when ``relations`` is
        false (writes change them without loading them). Keep the
        ``select_related``/``prefetch_related`` so a page costs a constant number of queries.
        """
        name = cls.record_name
        related = {"__".join(m.relation) for m in cls.get_mappings() if m.relation}
        queryset = (
            cls.get_model()
            ._default_manager.filter(**{f"{name}__isnull": False, f"{name}__deleted__isnull": True})
            .select_related(name, *sorted(related))
            .defer(f"{name}__search")  # for the database's comparisons only
            .order_by("pk")
        )
        if values and _shows_values(projection):
            rows = cls.get_value_model()._default_manager.defer("search", "value_key")
            queryset = queryset.prefetch_related(Prefetch(f"{name}__values", queryset=rows))
        for relation in cls.get_relations().values() if relations else ():
            if _shows(projection, relation):
                queryset = queryset.prefetch_related(relation.prefetch())
        return queryset

    def get_record(self, instance: models.Model) -> BaseRecord:
        return getattr(instance, self.record_name)  # type: ignore[no-any-return]

    # -- reading -----------------------------------------------------------------------

    @classmethod
    def preload(
        cls, instances: list[Any], projection: Projection | None, root: str
    ) -> dict[str, Any]:
        """The value rows and references of a page of resources, as plain values.

        One query for the values and one per relation, whatever the page's size, and no
        model instances: a list page costs little more than a hand-written ``.values()``.
        Pass the result as the serializer context's ``"preloaded"``.
        """
        loaded: dict[str, Any] = {"values": None, "references": {}}
        if _shows_values(projection):
            records = [getattr(instance, cls.record_name).pk for instance in instances]
            by_record: dict[Any, list[tuple[Any, ...]]] = {}
            rows = (
                cls.get_value_model()
                ._default_manager.filter(record__in=records)
                .order_by("record", "attribute", "position")
                .values_list("record", *_ROW_FIELDS)
            )
            for record_id, *row in rows:
                by_record.setdefault(record_id, []).append(tuple(row))
            loaded["values"] = by_record
        for name, relation in cls.get_relations().items():
            if _shows(projection, relation):
                references = relation.preload([instance.pk for instance in instances], root)
                if references is not None:
                    loaded["references"][name] = references
        return loaded

    def to_representation(self, instance: models.Model) -> dict[str, Any]:
        record = self.get_record(instance)
        projection: Projection | None = self.context.get("projection")
        preloaded = self.context.get("preloaded") or {"values": None, "references": {}}
        wanted = _shows_values(projection)
        rows = None
        if wanted and preloaded["values"] is not None:
            rows = preloaded["values"].get(record.pk, [])
        document = self._document(instance, record, values=wanted, rows=rows)
        for name, relation in self.get_relations().items():
            if _shows(projection, relation):
                if name in preloaded["references"]:
                    values = preloaded["references"][name].get(instance.pk, [])
                else:
                    values = relation.represent(instance, self._root())
                if values:  # an empty multi-valued attribute is unassigned (RFC 7643 §2.4)
                    document[name] = values
        shaped = self._shape(instance, record, document)
        return projection.apply(shaped) if projection is not None else shaped

    def current_document(self, instance: models.Model) -> dict[str, Any]:
        """The whole stored resource, for a write to compare or patch.

        Unlike :meth:`to_representation`, it ignores the request's ``attributes`` and
        leaves out relations, which writes change without loading them.
        """
        record = self.get_record(instance)
        return self._shape(instance, record, self._document(instance, record, values=True))

    @classmethod
    def root_url(cls, location_base: str) -> str:
        """The SCIM base URL from this type's ``location_base`` (``.../scim/v2/Users/``)."""
        return location_base.rstrip("/").removesuffix(cls.endpoint)

    def _root(self) -> str:
        """The SCIM base URL (absolute when there is a request), for ``$ref`` values."""
        return self.root_url(str(self.context.get("location_base") or f"{self.endpoint}/"))

    def _document(
        self,
        instance: models.Model,
        record: BaseRecord,
        *,
        values: bool,
        rows: list[tuple[Any, ...]] | None = None,
    ) -> dict[str, Any]:
        """The stored document: record attributes, values and columns; no relations.

        ``rows`` are the value rows as ``_ROW_FIELDS`` tuples when preloaded; otherwise
        they are read from the record's (prefetched) ``values``.
        """
        document: dict[str, Any] = copy.deepcopy(record.attributes)
        if rows is None:
            objects = record.values.all() if values else ()  # type: ignore[attr-defined]
            rows = [tuple(getattr(row, f) for f in _ROW_FIELDS) for row in objects]
        for attribute, *columns, data in rows:
            item: Any
            if _SCALAR in data:
                item = data[_SCALAR]
            else:
                item = {c: v for c, v in zip(_VALUE_COLUMNS, columns, strict=True) if v is not None}
                item.update(data)
            urn, _, name = attribute.rpartition(":")
            container = _container(document, urn or None, create=True)
            assert container is not None  # noqa: S101 - create=True always returns one
            container.setdefault(name, []).append(item)
        for mapping in self.get_mappings():
            self._read_column(document, mapping, instance)
        return document

    def _read_column(
        self, document: dict[str, Any], mapping: MappedAttribute, instance: models.Model
    ) -> None:
        value = _to_scim(mapping.read(instance))
        if mapping.urn is None and mapping.attribute.name == "meta":
            return  # meta is assembled in _shape
        container = _container(document, mapping.urn, create=value is not None)
        if container is None:
            return
        name = mapping.attribute.name
        if mapping.primary_value:
            _overlay_primary(container, name, value)
        elif mapping.sub_attribute is None:
            if value is not None:
                container[name] = value
        elif value is not None:
            container.setdefault(name, {})[mapping.sub_attribute.name] = value

    def _meta(self, instance: models.Model, record: BaseRecord) -> dict[str, Any]:
        created = record.created
        mapping = self.get_mapping("meta.created")
        if mapping is not None:
            created = mapping.read(instance) or created
        base = self.context.get("location_base") or f"{self.endpoint}/"
        return {
            "resourceType": self.resource_type,
            "created": _to_scim(created),
            "lastModified": _to_scim(record.last_modified),
            "location": f"{base}{record.id}",
            "version": f'W/"{record.version}"',
        }

    def _shape(
        self, instance: models.Model, record: BaseRecord, document: dict[str, Any]
    ) -> dict[str, Any]:
        """Order the document as the schemas do and drop what is never returned."""
        schemas = self.get_schemas()
        result: dict[str, Any] = {"schemas": [schemas.core.id], "id": str(record.id)}
        if record.external_id:
            result["externalId"] = record.external_id
        for attribute in schemas.core:
            if attribute.name in document and attribute.returned is not Returned.NEVER:
                result[attribute.name] = document[attribute.name]
        for extension in schemas.extensions:
            data = document.get(extension.id)
            if data:
                returned = {
                    a.name: data[a.name]
                    for a in extension
                    if a.name in data and a.returned is not Returned.NEVER
                }
                if returned:
                    result["schemas"].append(extension.id)
                    result[extension.id] = returned
        result["meta"] = self._meta(instance, record)
        return result

    # -- writing -----------------------------------------------------------------------

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise InvalidValue("The request body must be a JSON object.")
        return validate_document(data, self.get_schemas(), strict=bool(scim_settings.STRICT))

    def create(self, validated_data: dict[str, Any]) -> models.Model:
        instance = self.get_model()()
        record = self.record_model()
        self.save_resource(instance, record, validated_data, created=True)
        return instance

    def update(self, instance: models.Model, validated_data: dict[str, Any]) -> models.Model:
        """Replace the resource (RFC 7644 §3.5.1): what the document omits is cleared."""
        check_immutable(self.current_document(instance), validated_data, self.get_schemas())
        self.save_resource(instance, self.get_record(instance), validated_data, created=False)
        return instance

    def save_resource(
        self,
        instance: models.Model,
        record: BaseRecord,
        document: dict[str, Any],
        *,
        created: bool,
        relations: bool = True,
    ) -> None:
        """Write ``document`` to the model's columns, the record and the values table.

        With ``relations`` (POST, PUT) the relations are made what the document lists;
        PATCH passes false and changes them operation by operation.
        """
        remaining = copy.deepcopy(document)
        tenant = self.context.get("tenant")
        related = {
            relation: relation.resolve(remaining.pop(name, None) or [], tenant=tenant)
            for name, relation in self.get_relations().items()
            if relation.writable and relations
        }
        if created and tenant is not None and self.tenant_field:
            field = self.get_model()._meta.get_field(self.tenant_field)
            setattr(instance, field.attname, tenant)  # type: ignore[union-attr]
        record.external_id = remaining.pop("externalId", None)
        _check_length(record._meta.get_field("external_id"), record.external_id, "externalId")
        related_owners = self._write_columns(instance, remaining)
        self.write_special_attributes(instance, remaining, created=created)
        values = self._take_multi_valued(remaining)
        record.attributes = {k: v for k, v in remaining.items() if v not in ({}, None)}
        stored = copy.deepcopy(document)  # what is stored, column defaults included
        for mapping in self.get_mappings():
            self._read_column(stored, mapping, instance)
        record.search = self.build_search(stored)
        if not created:
            record.version += 1
            record.last_modified = timezone.now()
        self.prepare_record(instance, record)
        instance._scim_write = True  # type: ignore[attr-defined] # see drf_scim.records
        instance.save()
        _save_related(instance, related_owners)
        setattr(record, self.get_record_link(), instance)
        record.save()
        value_model = self.get_value_model()
        if not created:
            value_model._default_manager.filter(record=record).delete()
        value_model._default_manager.bulk_create(
            [value_model(record=record, **row) for row in values]
        )
        for relation, pks in related.items():
            relation.replace(instance, pks.values(), created=created)
        for cached in (record, instance):
            if hasattr(cached, "_prefetched_objects_cache"):
                cached._prefetched_objects_cache.clear()

    def patch(
        self, instance: models.Model, operations: list[PatchOperation], *, strict: bool
    ) -> dict[str, Any]:
        """Apply PATCH operations (RFC 7644 §3.5.2); return the new document.

        Operations on relations (Group ``members``) become bulk inserts and deletes of the
        members they name, without loading the others; the rest are applied by
        :func:`drf_scim.patch.apply_patch` to the current document, which is then
        validated and saved. Call it inside a transaction: a failure anywhere must undo all.
        """
        relations = {n.lower(): r for n, r in self.get_relations().items() if r.writable}
        schemas = self.get_schemas()
        plain, related = split_relation_operations(operations, relations, schemas.core.id)
        patched = apply_patch(self.current_document(instance), plain, schemas, strict=strict)
        record = self.get_record(instance)
        validated = validate_document(patched, schemas, strict=False)
        self.save_resource(instance, record, validated, created=False, relations=False)
        for relation, operation in related:
            patch_relation(instance, relation, operation, tenant=self.context.get("tenant"))
        return validated

    def write_special_attributes(
        self, instance: models.Model, document: dict[str, Any], *, created: bool
    ) -> None:
        """Handle attributes that are not plain data; remove them from ``document``.

        Override to handle your own, calling ``super()``.
        """

    @classmethod
    def unique_key(cls, value: Any) -> str | None:
        """The value of ``unique_key_field`` for an attribute value: case-folded text."""
        return str(value).casefold() if value not in (None, "") else None

    def unique_key_value(self, instance: models.Model, record: Any) -> Any:
        """The current value of ``unique_key_attribute``, from its column or the record."""
        name = self.unique_key_attribute or ""
        mapping = self.get_mapping(name)
        if mapping is not None:
            return mapping.read(instance)
        return (record.attributes or {}).get(name)

    def prepare_record(self, instance: models.Model, record: Any) -> None:
        """Fill derived record columns (the unique key) before saving. Override freely."""
        if self.unique_key_field:
            key = self.unique_key(self.unique_key_value(instance, record))
            setattr(record, self.unique_key_field, key)

    def clear_record_keys(self, record: Any) -> None:
        """Empty the unique key :meth:`prepare_record` fills, after it clashed."""
        if self.unique_key_field:
            setattr(record, self.unique_key_field, None)

    def _write_columns(self, instance: models.Model, document: dict[str, Any]) -> list[Any]:
        """Move mapped values from ``document`` to their columns; return related owners."""
        owners: list[Any] = []
        for mapping in self.get_mappings():
            if not mapping.read_only or mapping.computed is not None:
                owner = self._write_column(instance, mapping, document)
                if owner is not None and owner not in owners:
                    owners.append(owner)
        return owners

    def _write_column(
        self, instance: models.Model, mapping: MappedAttribute, document: dict[str, Any]
    ) -> Any:
        """Move the mapping's value from ``document`` to its column.

        Returns the related object that holds the column when it is not ``instance``
        (saved after it), else ``None``. A computed attribute's value is dropped.
        """
        container = _container(document, mapping.urn, create=False) or {}
        name = mapping.attribute.name
        if mapping.primary_value:
            items = container.get(name) or []
            chosen = next((i for i in items if i.get("primary") is True), items[0] if items else {})
            value = chosen.get("value")
        elif mapping.sub_attribute is None:
            value = container.pop(name, None)
        else:
            parent = container.get(name) or {}
            value = parent.pop(mapping.sub_attribute.name, None)
            if not parent:
                container.pop(name, None)
        field = mapping.field
        if field is None:
            return None  # computed: read-only
        owner = mapping.owner(instance, create=value is not None)
        if owner is None:
            return None  # no related row, and no value to give one
        if value is None:
            value = field.get_default()
            if value is None and not field.null and field.empty_strings_allowed:
                value = ""
        _check_length(field, value, mapping.scim_path)
        setattr(owner, field.attname, value)
        return owner if owner is not instance else None

    def build_search(self, document: dict[str, Any]) -> dict[str, Any]:
        """The record's search document: singular attributes in comparable form."""
        schemas = self.get_schemas()
        search: dict[str, Any] = search_document(None, document, children=schemas.core.attributes)
        for extension in schemas.extensions:
            if isinstance(document.get(extension.id), dict):
                search[extension.id] = search_document(
                    None, document[extension.id], children=extension.attributes
                )
        return search

    def _take_multi_valued(
        self, document: dict[str, Any], only: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        """Remove the multi-valued attributes from ``document``; return their value rows."""
        rows: list[dict[str, Any]] = []
        type_field = self.get_value_model()._meta.get_field("type")
        for urn, attribute in self.get_schemas().walk():
            container = _container(document, urn, create=False)
            key = f"{urn}:{attribute.name}" if urn else attribute.name
            if not attribute.multi_valued or container is None or (only and key not in only):
                continue
            value_definition = attribute.get("value") if attribute.is_complex else attribute
            for position, item in enumerate(container.pop(attribute.name, None) or []):
                search = search_document(attribute, item)
                if not attribute.is_complex:
                    # A simple value: kept as JSON too, so that 42 comes back a number.
                    item = {"value": item, _SCALAR: item}
                item = dict(item)
                row = {c: item.pop(c, None) for c in _VALUE_COLUMNS}
                for column in ("value", "display"):
                    if row[column] is not None:
                        row[column] = str(row[column])
                _check_length(type_field, row["type"], f"{key}.type")
                value_key = index_key(value_definition, row["value"]) if value_definition else None
                rows.append(
                    {
                        "attribute": key,
                        "position": position,
                        "data": item,
                        "search": search,
                        "value_key": value_key,
                        **row,
                    }
                )
        return rows

    def column_document(self, instance: models.Model) -> dict[str, Any]:
        """A document of the mapped columns alone (for resources drf-scim has not stored)."""
        document: dict[str, Any] = {}
        for mapping in self.get_mappings():
            self._read_column(document, mapping, instance)
        return document

    def index_rows(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        """The value rows of ``document``'s multi-valued attributes."""
        return self._take_multi_valued(copy.deepcopy(document))

    def reindex(self, instance: models.Model, *, keys: bool = True) -> None:
        """Re-derive the search document and key columns after a write outside SCIM.

        The columns win (see :func:`_overlay_primary`): their values are indexed, and the
        value rows of attributes mapped to a column are rewritten to match it.
        """
        record = self.get_record(instance)
        document = self._document(instance, record, values=True)
        record.search = self.build_search(document)
        if keys:
            self.prepare_record(instance, record)
        else:
            self.clear_record_keys(record)
        record.save()
        mapped = {
            f"{m.urn}:{m.attribute.name}" if m.urn else m.attribute.name
            for m in self.get_mappings()
            if m.primary_value
        }
        if not mapped:
            return
        rows = self._take_multi_valued(document, only=mapped)
        value_model = self.get_value_model()
        value_model._default_manager.filter(record=record, attribute__in=mapped).delete()
        value_model._default_manager.bulk_create(
            [value_model(record=record, **row) for row in rows]
        )
        if hasattr(record, "_prefetched_objects_cache"):
            record._prefetched_objects_cache.clear()


def _shows_values(projection: Projection | None) -> bool:
    """Whether a response shows any multi-valued attribute, so values must be read."""
    return projection is None or projection.wants_multi_valued


def _shows(projection: Projection | None, relation: Relation) -> bool:
    """Whether a response shows ``relation``'s attribute, so it must be read."""
    return projection is None or projection.selection(None, relation.definition) is not False


def _save_related(instance: models.Model, owners: list[Any]) -> None:
    """Save related objects holding mapped columns (a profile), now that ``instance`` is."""
    for owner in owners:
        for relation in owner._meta.get_fields():
            if relation.is_relation and relation.related_model is type(instance):
                setattr(owner, relation.name, instance)
        owner.save()


def _check_length(field: Any, value: Any, label: str) -> None:
    max_length = getattr(field, "max_length", None)
    if max_length and isinstance(value, str) and len(value) > max_length:
        raise InvalidValue(f"{label}: at most {max_length} characters are allowed.")


def _overlay_primary(container: dict[str, Any], name: str, value: Any) -> None:
    """Make the column's value the primary (or first) value of a multi-valued attribute."""
    items = container.get(name)
    if not items:
        if value is not None:
            container[name] = [{"value": value, "primary": True}]
        return
    chosen = next((i for i in items if i.get("primary") is True), items[0])
    if value is not None and chosen.get("value") != value:
        chosen["value"] = value  # the column was changed outside SCIM: it wins


def _compile_mappings(cls: type[SCIMResourceSerializer]) -> tuple[MappedAttribute, ...]:
    model = cls.get_model()
    schemas = cls.get_schemas()
    result = []
    for path, field_name in cls.get_attribute_map().items():
        urn: str | None = None
        schema: Schema | None = None
        attr_path = path
        if path.lower().startswith("urn:"):
            urn_part, _, attr_path = path.rpartition(":")
            schema = schemas.extension(urn_part)
            if schema is None:
                msg = f"{cls.__name__}.attribute_map: {urn_part!r} is not an extension of it."
                raise ValueError(msg)
            urn = schema.id
        name, _, sub_name = attr_path.partition(".")
        attribute = schema.get(name) if schema else schemas.top_level(name)
        sub = attribute.get(sub_name) if attribute is not None and sub_name else None
        if attribute is None or (sub_name and sub is None):
            msg = f"{cls.__name__}.attribute_map: unknown SCIM attribute {path!r}."
            raise ValueError(msg)
        if isinstance(field_name, Computed):
            result.append(MappedAttribute(urn, attribute, sub, None, computed=field_name))
            continue
        *relation, column = str(field_name).split("__")
        owner_model: Any = model
        try:
            for name in relation:
                owner_model = owner_model._meta.get_field(name).related_model
            field = owner_model._meta.get_field(column)
        except (FieldDoesNotExist, AttributeError) as exc:
            msg = f"{cls.__name__}.attribute_map: {model.__name__} has no field {field_name!r}."
            raise ValueError(msg) from exc
        result.append(MappedAttribute(urn, attribute, sub, field, tuple(relation)))
    return tuple(result)


def _has_field(model: type[models.Model], name: str) -> bool:
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
        if _has_field(model, field) and (path == "userName" or field != username):
            mapping[path] = field
    return mapping


#: Model fields SCIM must never write: privileges and Django's own bookkeeping.
PROTECTED_USER_FIELDS = frozenset(
    {"is_staff", "is_superuser", "groups", "user_permissions", "password", "last_login"}
)


class SCIMUserSerializer(SCIMResourceSerializer):
    """The SCIM User (RFC 7643 §4.1) with the Enterprise User extension (§4.3).

    Works with ``django.contrib.auth``'s User and with custom user models: by default
    ``userName`` maps to ``USERNAME_FIELD``, the primary e-mail to the e-mail field,
    ``name.givenName``/``name.familyName`` to ``first_name``/``last_name``, ``active`` to
    ``is_active`` and ``meta.created`` to ``date_joined``, where the model has them.
    ``password`` is hashed with Django's hashers and never returned.
    """

    resource_type = "User"
    endpoint = "/Users"
    description = "User Account"
    schema = USER
    extensions = (ENTERPRISE_USER,)
    record_model = UserRecord
    record_name = "scim_record"
    unique_key_attribute = "userName"
    unique_key_field = "user_name_key"
    display_attributes = ("displayName", "userName")

    @classmethod
    def get_model(cls) -> type[models.Model]:
        return get_user_model()

    @classmethod
    def get_attribute_map(cls) -> dict[str, str]:
        """``attribute_map`` if the subclass sets one, else :func:`default_user_attribute_map`."""
        return dict(cls.attribute_map) or default_user_attribute_map(cls.get_model())

    def create(self, validated_data: dict[str, Any]) -> models.Model:
        """Create a user, or bring back one that ``DELETE_MODE = "deactivate"`` deleted.

        A deleted user is 404 to SCIM (RFC 7644 §3.6) but still holds its userName; when the
        client creates that userName again, the row is reused with a new SCIM ``id``.
        """
        if scim_settings.DELETE_MODE == "deactivate":
            key = self.unique_key(validated_data.get("userName"))
            deleted = UserRecord.objects.filter(user_name_key=key, deleted__isnull=False)
            tenant = self.context.get("tenant")
            if tenant is not None:
                deleted = deleted.filter(**{f"user__{self.tenant_field}": tenant})
            old_record = deleted.select_related("user").first()
            if old_record is not None:
                instance = old_record.user
                old_record.delete()
                self.save_resource(instance, UserRecord(), validated_data, created=True)
                return instance
        return super().create(validated_data)

    def write_special_attributes(
        self, instance: models.Model, document: dict[str, Any], *, created: bool
    ) -> None:
        password = document.pop("password", None)
        if password is not None:
            instance.set_password(password)  # type: ignore[attr-defined]
        elif created and hasattr(instance, "set_unusable_password"):
            instance.set_unusable_password()

    @classmethod
    def get_relations(cls) -> dict[str, Relation]:
        """``groups`` (read-only), when the user model has a many-to-many to the group model."""
        groups = scim_settings.GROUP_SERIALIZER
        field = find_many_to_many(cls.get_model(), groups.get_model())
        if field is None:
            return {}
        through = field.remote_field.through
        return {
            "groups": Relation(
                definition=USER.get("groups"),  # type: ignore[arg-type]
                accessor=field.name,
                target=groups,
                through=through,
                source_field=field.m2m_field_name(),
                target_field=field.m2m_reverse_field_name(),
                value_type="direct",
            )
        }


class SCIMGroupSerializer(SCIMResourceSerializer):
    """The SCIM Group (RFC 7643 §4.2) on ``DRF_SCIM_GROUP_MODEL`` (``auth.Group``).

    ``displayName`` maps to ``name``; ``members`` is the user model's many-to-many to the
    group model (``User.groups``), changed with bulk writes of only the difference.
    """

    resource_type = "Group"
    endpoint = "/Groups"
    description = "Group"
    schema = GROUP
    record_model = GroupRecord
    record_name = "scim_record"
    unique_key_attribute = "displayName"
    unique_key_field = "display_name_key"
    display_attributes = ("displayName",)

    @classmethod
    def get_model(cls) -> type[models.Model]:
        return apps.get_model(GROUP_MODEL)

    @classmethod
    def get_attribute_map(cls) -> dict[str, str]:
        """``attribute_map`` if the subclass sets one, else ``displayName`` -> ``name``."""
        if cls.attribute_map:
            return dict(cls.attribute_map)
        return {"displayName": "name"} if _has_field(cls.get_model(), "name") else {}

    @classmethod
    def get_relations(cls) -> dict[str, Relation]:
        """``members``: the user model's many-to-many to the group model, if it has one."""
        users = scim_settings.USER_SERIALIZER
        field = find_many_to_many(users.get_model(), cls.get_model())
        if field is None:
            return {}  # members are then stored like any other multi-valued attribute
        return {
            "members": Relation(
                definition=GROUP.get("members"),  # type: ignore[arg-type]
                accessor=field.remote_field.get_accessor_name(),
                target=users,
                through=field.remote_field.through,
                source_field=field.m2m_reverse_field_name(),
                target_field=field.m2m_field_name(),
                value_type="User",
            )
        }
