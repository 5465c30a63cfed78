"""How a resource is stored and read back: the one place that knows the tables.

A resource lives in three places (see "Storage" in docs/architecture/index.md): the
columns of the host's model that ``attribute_map`` names (:mod:`drf_scim.mapping`), the
record beside it (SCIM ``id``, ``externalId``, ``meta``, unmapped singular attributes, the
search document, the case-folded unique key), and one values-table row per value of a
multi-valued attribute.
:class:`SCIMStorage` reads and writes all three for one resource type; the serializer
names it as ``storage_class``, as a view names its ``pagination_class``. Override a method
of a subclass to store a resource type differently.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.signals import setting_changed
from django.db import connections, models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from .documents import copy_document
from .exceptions import InvalidValue
from .expressions import JSONRows, read_json_rows
from .indexing import index_key, search_document
from .mapping import (
    MappedAttribute,
    check_length,
    container,
    has_value,
    holds_no_value,
    read_column,
    to_scim,
    write_column,
)
from .models import BaseRecord
from .projection import Projection
from .validation import ResourceSchemas

if TYPE_CHECKING:
    from .relations import Relation
    from .serializers import SCIMResourceSerializer

__all__ = ["DeletedKeys", "SCIMStorage", "prefixed"]

_VALUE_COLUMNS = ("value", "display", "type", "primary")
#: Key of ``data`` holding a value of a multi-valued attribute of simple (not complex) type.
_SCALAR = "$scalar"
#: Columns of a value row, in the order :meth:`SCIMStorage.load_document` reads them.
_ROW_FIELDS = ("attribute", *_VALUE_COLUMNS, "data")
#: Key of a record's ``attributes`` holding the mapped attributes a PATCH ``remove`` left
#: unassigned though their column cannot be empty: path -> the column's value then (no
#: SCIM attribute name starts with "$", RFC 7643 §2.1).
_UNASSIGNED = "$unassigned"
#: Columns of a stored value row as :meth:`SCIMStorage.stored_rows` reads them: the row's
#: id and position, then ``_ROW_FIELDS``, then the derived columns a write compares.
_STORED_FIELDS = ("id", "position", *_ROW_FIELDS, "search", "value_key")
#: Where :meth:`SCIMStorage.stored_rows` keeps a record's rows for the rest of the request.
_ROWS_CACHE = "_scim_value_rows"
#: Set on a resource whose row :meth:`SCIMStorage.save` inserted (:meth:`SCIMStorage.inserted`).
_INSERTED = "_scim_inserted"
#: The annotation of :meth:`SCIMStorage.get_queryset` holding a resource's rows as JSON.
_ROWS_ANNOTATION = "_scim_value_rows_json"
#: The annotation of :meth:`SCIMStorage.lock`: the record's version as the statement's
#: snapshot saw it, which the rows annotation was read with.
_READ_VERSION = "_scim_read_version"
#: Whether the annotations read with a resource are current (:meth:`annotations_fresh`).
_FRESH = "_scim_annotations_fresh"
_BOOLEAN_COLUMNS = (_STORED_FIELDS.index("primary"),)


#: Querysets :meth:`SCIMStorage.reused` built, by storage and key, with the scope they were
#: built for: cloned for each request instead of built again. Never evaluated.
_QUERYSETS: dict[tuple[Any, ...], tuple[Q, models.QuerySet[Any]]] = {}


def _forget_querysets(**kwargs: Any) -> None:
    """A setting changed (``override_settings``): the model or the scope may have too."""
    _QUERYSETS.clear()


setting_changed.connect(_forget_querysets)


def shows_values(projection: Projection | None) -> bool:
    """Whether a response shows any multi-valued attribute, so values must be read."""
    return projection is None or projection.wants_multi_valued


def shows(projection: Projection | None, relation: Relation) -> bool:
    """Whether a response shows ``relation``'s attribute, so it must be read."""
    return projection is None or projection.selection(None, relation.definition) is not False


class SCIMStorage:
    """Reads and writes the resources of one serializer class (its ``resource``)."""

    def __init__(self, resource: type[SCIMResourceSerializer]) -> None:
        self.resource = resource

    # -- the tables ----------------------------------------------------------------------

    @property
    def model(self) -> type[models.Model]:
        return self.resource.get_model()

    @property
    def record_name(self) -> str:
        """The reverse accessor from the resource model to its record."""
        return self.resource.record_name

    @property
    def record_link(self) -> str:
        """The name of the record's one-to-one field to the resource model."""
        relation = self.model._meta.get_field(self.record_name)
        return relation.field.name  # type: ignore[union-attr]

    @property
    def value_model(self) -> type[Any]:
        """The values table: the model whose ``record`` foreign key is named ``values``."""
        return self.resource.record_model.values.rel.related_model  # type: ignore[attr-defined,no-any-return]

    def get_record(self, instance: models.Model) -> BaseRecord:
        return getattr(instance, self.record_name)  # type: ignore[no-any-return]

    def scope(self, prefix: str = "") -> Q:
        """The resource type's scope (``get_scope()``), seen through ``prefix``."""
        return prefixed(self.resource.get_scope(), prefix)

    def live_lookup(self, prefix: str = "") -> Q:
        """The condition of a resource SCIM can see: in scope, with a record, not deleted.

        ``prefix`` is the path to the resource (``"user__"`` from a through table), so that
        the same rule holds for references and members as for the resources themselves.
        """
        name = f"{prefix}{self.record_name}"
        return Q(**{f"{name}__isnull": False, f"{name}__deleted__isnull": True}) & self.scope(
            prefix
        )

    def live(self, queryset: models.QuerySet[Any] | None = None) -> models.QuerySet[Any]:
        """``queryset`` (all the model's rows by default) limited to live resources.

        With their records, in primary-key order.
        """
        if queryset is None:
            queryset = self.model._default_manager.all()
        return (
            queryset.filter(self.live_lookup())
            .select_related(self.record_name)
            .defer(f"{self.record_name}__search")  # for the database's comparisons only
            .order_by("pk")
        )

    def lock(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """``queryset`` (of :meth:`live` resources), reading them locked for a write.

        Inside a transaction, so that concurrent writes to one resource run one after the
        other and none is lost. Where the query can lock every row it reads, it does, in
        the same query: ``SELECT ... FOR UPDATE`` on MariaDB and MySQL, ``FOR UPDATE OF``
        the resource and its record on PostgreSQL (which, after waiting, re-reads only the
        rows it locked). A resource with columns in a related model (a profile, outer
        joined, which PostgreSQL cannot lock) has its record locked by a query of its own
        first. SQLite locks the whole database for a write transaction: there the read is
        the plain read, as no read waits for a write.
        """
        features = connections[queryset.db].features
        if not features.has_select_for_update:
            # No read waits, so no version to compare (annotations_fresh()): about a
            # tenth of a PATCH on SQLite was building and running its subquery.
            return queryset
        # A locking query that waited for another write reads the rows it locked as that
        # write left them, but the rest of the statement (the value rows of
        # :meth:`with_values`) as they were when it began: PostgreSQL's READ COMMITTED,
        # and any database whose non-locking reads keep the statement's snapshot. The
        # version read on that snapshot tells :meth:`_annotated_rows` to read them again.
        queryset = queryset.annotate(**{_READ_VERSION: self.version_subquery()})
        if not features.has_select_for_update_of:
            return queryset.select_for_update()
        if any(mapping.relation for mapping in self.resource.get_mappings()):
            records = self.resource.record_model._default_manager.select_for_update()
            lookup = {f"{self.record_link}__in": queryset.values("pk")}
            list(records.filter(**lookup).values_list("pk", flat=True))
            return queryset
        return queryset.select_for_update(of=("self", self.record_name))

    def live_records(self, tenant: Any = None) -> models.QuerySet[Any]:
        """The records of live resources (in scope, not deleted), of ``tenant``'s if given.

        A resource type without ``tenant_field`` has no records for a tenant: it fails
        closed, as the viewset's ``scope_queryset()`` does.
        """
        records = self.resource.record_model._default_manager.filter(
            self.scope(f"{self.record_link}__"), deleted__isnull=True
        )
        if tenant is not None:
            if not self.resource.tenant_field:
                return records.none()
            field = f"{self.record_link}__{self.resource.tenant_field}"
            records = records.filter(**{field: tenant})
        return records

    def deleted_record(self, unique_key: str | None, tenant: Any = None) -> BaseRecord | None:
        """The record of a deleted resource still holding ``unique_key``, to be reused.

        A resource deleted in "deactivate" mode keeps its row and its key; creating it
        again brings the row back under a new SCIM ``id``. A row out of scope (made a
        superuser since) is never brought back: its key then makes the create a 409.

        Every create asks, and almost none finds one: the query reads the record's keys
        alone (about half the cost of compiling and reading both rows whole); the
        resource's row is read when one is found, from ``record.<record_link>``.
        """
        field = self.resource.unique_key_field
        if not field or unique_key is None:
            return None
        records = self._deleted_records(tenant).filter(**{field: unique_key})
        # The key is unique (``unique_key_field``): no ORDER BY to compile.
        return next(iter(records[:1]), None)

    def deleted_keys(self, unique_keys: Iterable[str], tenant: Any = None) -> set[str]:
        """Which of ``unique_keys`` deleted resources hold (see :meth:`deleted_record`).

        One query for many creates (a Bulk request's, :class:`DeletedKeys`), however
        many keys: they are asked in batches as large as the database takes. A key no
        record can hold (too long for the column, a NUL character) is not asked.
        """
        field = self.resource.unique_key_field
        if not field:
            return set()
        column = self.resource.record_model._meta.get_field(field)
        length = getattr(column, "max_length", None) or 255
        keys = sorted({key for key in unique_keys if len(key) <= length and "\x00" not in key})
        if not keys:
            return set()
        records = self._deleted_records(tenant)
        size = _batch_size(records.db)
        held: set[str] = set()
        for start in range(0, len(keys), size):
            batch = records.filter(**{f"{field}__in": keys[start : start + size]})
            held.update(batch.values_list(field, flat=True))
        return held

    def _deleted_records(self, tenant: Any) -> models.QuerySet[Any]:
        """The records of deleted resources in scope, and of ``tenant`` if given."""
        records = self.reused(
            ("deleted",),
            lambda: self.resource.record_model._default_manager.filter(
                self.scope(f"{self.record_link}__"), deleted__isnull=False
            ).only("pk", self.record_link),
        )
        if tenant is not None and self.resource.tenant_field:
            records = records.filter(
                **{f"{self.record_link}__{self.resource.tenant_field}": tenant}
            )
        return records

    # -- reading -------------------------------------------------------------------------

    def get_queryset(
        self,
        projection: Projection | None = None,
        *,
        relations: bool = True,
        values: bool = True,
        embed: bool = False,
    ) -> models.QuerySet[Any]:
        """Live resources with their record, values and relations, in a stable order.

        What ``projection`` leaves out is not loaded, nor relations when ``relations`` is
        false (writes change them without loading them). Keep the
        ``select_related``/``prefetch_related`` so a page costs a constant number of queries.
        With ``values``, each resource's value rows come in the same query, as JSON
        (:meth:`with_values`); a list page is read without them and gets them from
        :meth:`preload`, in its own query when it has no ``OFFSET``. With ``embed`` (a
        resource read alone), its read-only relations (a user's ``groups``) come in the
        same query too (:meth:`embedded_relations`).
        """
        if projection is None:
            queryset = self.reused(
                ("resources", values, embed),
                lambda: self._base_queryset(None, values=values, embed=embed),
            )
        else:
            queryset = self._base_queryset(projection, values=values, embed=embed)
        for relation in self.resource.get_relations().values() if relations else ():
            if shows(projection, relation):
                queryset = queryset.prefetch_related(relation.prefetch())
        return queryset

    def reused(
        self, key: tuple[Any, ...], build: Callable[[], models.QuerySet[Any]]
    ) -> models.QuerySet[Any]:
        """``build()``, built once and cloned for each request: a request's own copy.

        A queryset is the same for every request when it starts from the default manager
        and the scope: building it (lookups resolved, joins set up) costs more than the
        query. A clone shares nothing a later ``filter()`` or evaluation changes (DRF's
        ``GenericAPIView.queryset`` is reused the same way, through ``all()``). It is
        built again when ``get_scope()`` answers differently and after a setting changed;
        never reused when the default manager has its own ``get_queryset()``, which may
        answer per request (a tenant's rows).
        """
        if type(self.model._default_manager).get_queryset is not models.Manager.get_queryset:
            return build()
        scope = self.scope()
        cached = _QUERYSETS.get((self, *key))
        if cached is None or cached[0] != scope:
            cached = _QUERYSETS[(self, *key)] = (scope, build())
        return cached[1].all()

    def _base_queryset(
        self, projection: Projection | None, *, values: bool, embed: bool = False
    ) -> models.QuerySet[Any]:
        """:meth:`get_queryset` without its prefetches."""
        related = {"__".join(m.relation) for m in self.resource.get_mappings() if m.relation}
        queryset = self.live()
        if related:  # select_related() without names would follow every foreign key
            queryset = queryset.select_related(*sorted(related))
        if values:
            queryset = self.with_values(queryset, projection)
        if embed:
            queryset = self.with_relations(queryset, projection)
        return queryset

    def with_relations(
        self, queryset: models.QuerySet[Any], projection: Projection | None = None
    ) -> models.QuerySet[Any]:
        """``queryset`` reading each resource's read-only relations in its own query, as JSON.

        :meth:`embedded_relations`, each a correlated subquery (``Relation.embedded()``)
        the database runs for each row the query reads: for one resource or a page read
        without ``OFFSET``, as :meth:`with_values`; :meth:`preload` reads them for a page
        that came without them.
        """
        embedded = self.embedded_relations(projection)
        if not embedded:
            return queryset
        annotated: models.QuerySet[Any] = queryset.annotate(
            **{relation.embedded_name: relation.embedded() for relation in embedded}
        )
        return annotated

    def embedded_relations(self, projection: Projection | None = None) -> list[Relation]:
        """The relations a resource read alone reads in its own query (one query less).

        The read-only ones ``projection`` shows (a user's ``groups``): no write of the
        resource changes them, so what its locked read found is still so when it answers
        (:meth:`annotations_fresh`), unless another statement of the request named their
        table (the viewset watches). A writable relation (a group's ``members``) is read
        afterwards, by a query of its own.
        """
        return [
            relation
            for relation in self.resource.get_relations().values()
            if not relation.writable and shows(projection, relation) and relation.embeddable
        ]

    def annotations_fresh(self, instance: Any) -> bool:
        """Whether what was read with ``instance`` (value rows, relations) is current.

        Not when a locking read (:meth:`lock`) waited for another write to the resource:
        its subqueries saw the rows as they were before. Decided once, before the write
        changes the version; the viewset asks as soon as it has read the resource.
        """
        state = vars(instance)
        fresh: bool | None = state.get(_FRESH)
        if fresh is None:
            read_version = state.pop(_READ_VERSION, None)
            record = self.get_record(instance)
            fresh = read_version is None or read_version == record.version
            state[_FRESH] = fresh
        return fresh

    def with_values(
        self, queryset: models.QuerySet[Any], projection: Projection | None = None
    ) -> models.QuerySet[Any]:
        """``queryset`` reading each resource's value rows in its own query, as JSON.

        Only when ``projection`` shows a multi-valued attribute. A correlated subquery
        (:meth:`rows_subquery`) that the database runs for each row the query reads: use
        it for one resource or a page read without ``OFFSET`` (each row an ``OFFSET``
        skips would run it too); :meth:`preload` reads the value rows of a page that came
        without them.
        """
        if not shows_values(projection):
            return queryset
        annotated: models.QuerySet[Any] = queryset.annotate(
            **{_ROWS_ANNOTATION: self.rows_subquery()}
        )
        return annotated

    def preload(
        self, instances: list[Any], projection: Projection | None, root: str
    ) -> dict[str, Any]:
        """The value rows and references of a page of resources, as plain values.

        The value rows and read-only relations the page's query read (:meth:`with_values`,
        :meth:`with_relations`), else one query for the value rows and one per relation,
        whatever the page's size, and no model instances: a list page costs little more
        than a hand-written ``.values()``.
        """
        loaded: dict[str, Any] = {"values": None, "references": {}, "columns": {}}
        if shows_values(projection):
            by_record: dict[Any, list[tuple[Any, ...]]] = {}
            unread = []  # read without their rows, or cut short (MariaDB): one query
            for instance in instances:
                record = self.get_record(instance).pk
                annotated = self._annotated_rows(instance)
                if annotated is None:
                    unread.append(record)
                else:
                    by_record[record] = [row[2:-2] for row in annotated]
            if unread:
                rows = (
                    self.value_model._default_manager.filter(record__in=unread)
                    .order_by("record", "attribute", "position")
                    .values_list("record", *_ROW_FIELDS)
                )
                for record_id, *row in rows:
                    by_record.setdefault(record_id, []).append(tuple(row))
            loaded["values"] = by_record
        loaded["references"] = self._page_references(instances, projection, root)
        for mapping in self.reference_mappings():
            pks = {getattr(instance, mapping.field.attname) for instance in instances}  # type: ignore[union-attr]
            loaded["columns"][mapping.key] = self.references(pks=pks - {None})
        return loaded

    def _page_references(
        self, instances: list[Any], projection: Projection | None, root: str
    ) -> dict[str, dict[Any, list[dict[str, Any]]]]:
        """Each relation's references of a page's resources, by relation and pk.

        Those the page's query read with every resource (:meth:`with_relations`), else one
        query per relation (``Relation.preload()``). A relation whose display names are
        computed in Python is left out (its references are then loaded whole).
        """
        loaded = {}
        for name, relation in self.resource.get_relations().items():
            if not shows(projection, relation):
                continue
            found: dict[Any, list[dict[str, Any]]] | None = {}
            for instance in instances:
                references = relation.embedded_references(instance, root)
                if references is None:  # not read with the page: one query for all
                    found = relation.preload([instance.pk for instance in instances], root)
                    break
                found[instance.pk] = references  # type: ignore[index]
            if found is not None:
                loaded[name] = found
        return loaded

    def load_document(
        self,
        instance: models.Model,
        *,
        values: bool,
        rows: list[tuple[Any, ...]] | None = None,
        references: dict[str, Any] | None = None,
        record: BaseRecord | None = None,
    ) -> dict[str, Any]:
        """The stored document: record attributes, values and columns; no relations.

        ``rows`` are the value rows when preloaded (:meth:`preload`); otherwise they are
        :meth:`stored_rows`. ``references`` are the preloaded
        references of reference columns (``manager``); otherwise one query each.
        ``record`` is ``instance``'s record, when the caller has it at hand.
        """
        if record is None:
            record = self.get_record(instance)
        document: dict[str, Any] = copy_document(record.attributes)
        unassigned = document.pop(_UNASSIGNED, None) or {}
        if rows is None:
            stored = self.stored_rows(record, instance) if values else ()
            rows = [row[2:-2] for row in stored]
        for attribute, *columns, data in rows:
            item: Any
            if _SCALAR in data:
                item = data[_SCALAR]
            else:
                item = {c: v for c, v in zip(_VALUE_COLUMNS, columns, strict=True) if v is not None}
                item.update(data)
            urn, _, name = attribute.rpartition(":")
            holder = container(document, urn or None, create=True)
            assert holder is not None  # noqa: S101 - create=True always returns one
            holder.setdefault(name, []).append(item)
        for mapping in self.column_mappings():
            if not (unassigned and _left_unassigned(mapping, instance, unassigned)):
                read_column(document, mapping, instance)
        for mapping in self.reference_mappings():
            preloaded = None if references is None else references.get(mapping.key)
            self.read_reference(document, mapping, instance, preloaded)
        return document

    def rows_subquery(self) -> Subquery:
        """A resource's value rows (``_STORED_FIELDS``), as JSON text, for an annotation.

        Built once: ``annotate()`` resolves a copy of it into each request's query.
        """
        built: Subquery | None = self.__dict__.get("_rows_subquery")
        if built is None:
            built = self.__dict__["_rows_subquery"] = self._build_rows_subquery()
        return built

    def _build_rows_subquery(self) -> Subquery:
        rows = (
            self.value_model._default_manager.filter(record=OuterRef(f"{self.record_name}__pk"))
            .order_by()
            .values("record")
            .annotate(rows=JSONRows(*_STORED_FIELDS))
            .values("rows")
        )
        return Subquery(rows, output_field=models.TextField())

    def stored_rows(self, record: Any, instance: Any = None) -> list[tuple[Any, ...]]:
        """The record's value rows (``_STORED_FIELDS``), by attribute and position.

        Read with the resource (``instance``'s annotation, :meth:`get_queryset`) or by a
        query of their own, then kept on ``record`` for the rest of the request: a write
        compares with them (:meth:`save`) and leaves the rows it wrote there, so the
        response that follows reads nothing again.
        """
        cached: list[tuple[Any, ...]] | None = getattr(record, _ROWS_CACHE, None)
        if cached is None:
            cached = self._annotated_rows(instance)
        if cached is None:
            cached = []
            if record.pk is not None and not record._state.adding:
                cached = list(
                    self.value_model._default_manager.filter(record=record)
                    .order_by("attribute", "position")
                    .values_list(*_STORED_FIELDS)
                )
        setattr(record, _ROWS_CACHE, cached)
        return cached

    def version_subquery(self) -> Subquery:
        """The record's version, read in a subquery: as the statement's snapshot saw it."""
        versions = self.resource.record_model._default_manager.filter(
            pk=OuterRef(f"{self.record_name}__pk")
        ).values("version")
        return Subquery(versions, output_field=models.IntegerField())

    def _annotated_rows(self, instance: Any) -> list[tuple[Any, ...]] | None:
        """The rows read with ``instance``, once (a later read must not see them stale).

        ``None`` when they must be read again: cut short, or read by a locking query
        (:meth:`lock`) before another write to the resource committed.
        """
        if instance is None or _ROWS_ANNOTATION not in vars(instance):
            return None
        text = vars(instance).pop(_ROWS_ANNOTATION)
        if not self.annotations_fresh(instance):
            return None
        try:
            rows = read_json_rows(text, _BOOLEAN_COLUMNS)
        except ValueError:  # cut short (MariaDB's group_concat_max_len): read them again
            return None
        return sorted((tuple(row) for row in rows), key=lambda row: (row[2], row[1]))

    # -- references in a column (the Enterprise User ``manager``) -------------------------

    def reference_mappings(self) -> list[MappedAttribute]:
        """Mappings of a reference attribute to a foreign key of the model to itself."""
        return self._mappings_where("reference")

    def column_mappings(self) -> list[MappedAttribute]:
        """Mappings whose column :func:`read_column` puts in a document."""
        return self._mappings_where("in_document")

    def _mappings_where(self, flag: str) -> list[MappedAttribute]:
        """The mappings whose ``flag`` property is true, found once per storage."""
        key = f"_mappings_{flag}"
        found: list[MappedAttribute] | None = self.__dict__.get(key)
        if found is None:
            found = self.__dict__[key] = [
                m for m in self.resource.get_mappings() if getattr(m, flag)
            ]
        return found

    def references(
        self, *, pks: Iterable[Any] = (), scim_ids: Iterable[Any] = (), tenant: Any = None
    ) -> dict[Any, tuple[str, str | None]]:
        """Live resources by primary key or SCIM id -> ``(SCIM id, display name)``, by pk.

        One query. Out-of-scope and deleted resources are left out, so a reference to
        one is no reference.
        """
        from .relations import _first, display_paths

        pks, scim_ids = list(pks), list(scim_ids)
        if not pks and not scim_ids:
            return {}
        paths = display_paths(self.resource) or []
        rows = self.model._default_manager.filter(self.live_lookup())
        if tenant is not None:
            field = self.resource.tenant_field
            rows = rows.filter(**{field: tenant}) if field else rows.none()
        if pks:
            rows = rows.filter(pk__in=pks)
        if scim_ids:
            rows = rows.filter(**{f"{self.record_name}__id__in": scim_ids})
        found = rows.values_list("pk", f"{self.record_name}__id", *paths)
        return {pk: (str(scim_id), _first(names)) for pk, scim_id, *names in found}

    def read_reference(
        self,
        document: dict[str, Any],
        mapping: MappedAttribute,
        instance: models.Model,
        preloaded: dict[Any, tuple[str, str | None]] | None = None,
    ) -> None:
        """Put ``{"value": id, "displayName": ...}`` of the referenced resource in ``document``.

        The serializer adds ``$ref``, which needs the request's base URL.
        """
        holder = container(document, mapping.urn, create=False)
        if holder is not None:
            holder.pop(mapping.attribute.name, None)
        pk = getattr(instance, mapping.field.attname)  # type: ignore[union-attr]
        if pk is None:
            return
        found = (preloaded if preloaded is not None else self.references(pks=[pk])).get(pk)
        if found is None:
            return  # out of scope or deleted: not SCIM's to show
        value = {"value": found[0]}
        if found[1] is not None:
            value["displayName"] = found[1]
        holder = container(document, mapping.urn, create=True)
        assert holder is not None  # noqa: S101 - create=True always returns one
        holder[mapping.attribute.name] = value

    def write_reference(
        self,
        instance: models.Model,
        mapping: MappedAttribute,
        document: dict[str, Any],
        tenant: Any = None,
    ) -> dict[str, Any] | None:
        """Move a reference's ``value`` (a SCIM id) from ``document`` to its foreign key.

        The id must name a live resource in scope (of ``tenant``, if given), else
        ``invalidValue`` (RFC 7644 §3.12). Returns the stored reference, for indexing.
        """
        holder = container(document, mapping.urn, create=False) or {}
        item = holder.pop(mapping.attribute.name, None)
        value = item.get("value") if isinstance(item, dict) else item
        field = mapping.field
        assert field is not None  # noqa: S101 - a reference is a column
        if value in (None, ""):
            setattr(instance, field.attname, None)
            return None
        label = f"{mapping.scim_path}.value"
        try:
            scim_id = uuid.UUID(str(value))
        except ValueError:
            msg = f"{label}: {value!r} is not the id of a {self.resource.resource_type}."
            raise InvalidValue(msg) from None
        found = self.references(scim_ids=[scim_id], tenant=tenant)
        if not found:
            msg = f"{label}: no {self.resource.resource_type} with id {str(value)!r}."
            raise InvalidValue(msg)
        ((pk, (canonical, display)),) = found.items()
        setattr(instance, field.attname, pk)
        return {"value": canonical, **({"displayName": display} if display else {})}

    def column_document(self, instance: models.Model) -> dict[str, Any]:
        """A document of the mapped columns alone (for resources drf-scim has not stored)."""
        document: dict[str, Any] = {}
        for mapping in self.resource.get_mappings():
            read_column(document, mapping, instance)
        return document

    # -- indexing ------------------------------------------------------------------------

    def build_search(self, document: dict[str, Any]) -> dict[str, Any]:
        """The record's search document: singular attributes in comparable form."""
        return build_search(self.resource.get_schemas(), document)

    def value_rows(
        self, document: dict[str, Any], only: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        """Remove the multi-valued attributes from ``document``; return their value rows."""
        type_field = self.value_model._meta.get_field("type")
        return take_value_rows(self.resource.get_schemas(), document, type_field, only)

    def index_rows(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        """The value rows of ``document``'s multi-valued attributes."""
        return self.value_rows(copy_document(document))

    def unique_key_value(self, instance: models.Model, record: Any) -> Any:
        """The current value of ``unique_key_attribute``, from its column or the record."""
        name = self.resource.unique_key_attribute or ""
        mapping = self.resource.get_mapping(name)
        if mapping is not None:
            return mapping.read(instance)
        return (record.attributes or {}).get(name)

    def prepare_record(self, instance: models.Model, record: Any) -> None:
        """Fill derived record columns (the unique key) before saving."""
        if self.resource.unique_key_field:
            key = self.resource.unique_key(self.unique_key_value(instance, record))
            setattr(record, self.resource.unique_key_field, key)

    def clear_record_keys(self, record: Any) -> None:
        """Empty the unique key :meth:`prepare_record` fills, after it clashed."""
        if self.resource.unique_key_field:
            setattr(record, self.resource.unique_key_field, None)

    def reindex(self, instance: models.Model, *, keys: bool = True) -> None:
        """Re-derive the search documents and key columns after a write outside SCIM.

        The columns win: their values are indexed, and the value rows of attributes
        mapped to a column are rewritten to match it. Every other value row is rewritten
        too, so that its comparable forms follow the definitions as they are now (after
        an upgrade that changed how an attribute compares, e.g. ``caseExact``).
        """
        record = self.get_record(instance)
        document = self.load_document(instance, values=True)
        record.search = self.build_search(document)
        if keys:
            self.prepare_record(instance, record)
        else:
            self.clear_record_keys(record)
        record.save()
        stored = self.value_model._default_manager.filter(record=record)
        rewrite = {m.key for m in self.resource.get_mappings() if m.primary_value}
        rewrite.update(stored.values_list("attribute", flat=True))
        if not rewrite:
            return
        rows = self.value_rows(document, only=rewrite)
        stored.filter(attribute__in=rewrite).delete()
        self.value_model._default_manager.bulk_create(
            [self.value_model(record=record, **row) for row in rows]
        )
        _clear_prefetched(record)

    # -- writing -------------------------------------------------------------------------

    def save(
        self,
        instance: models.Model,
        record: BaseRecord,
        document: dict[str, Any],
        *,
        created: bool,
        tenant: Any = None,
        skip: Iterable[str] = (),
        special: Callable[[models.Model, dict[str, Any]], None] | None = None,
        unassign: Iterable[str] = (),
    ) -> None:
        """Write ``document`` to the model's columns, the record and the values table.

        Attributes named in ``skip`` are left out (relations, which the serializer writes
        itself); ``special`` takes the attributes that are not plain data (a password) out
        of the document and writes them. Call it inside a transaction.

        ``unassign`` names mapped attributes a PATCH ``remove``d whose column cannot be
        empty (``active`` -> ``is_active``, see :func:`drf_scim.mapping.holds_no_value`):
        RFC 7644 §3.5.2.2 makes them unassigned. Their column keeps its value (removing
        ``active`` neither activates nor deactivates the user) and the record notes them
        as unassigned: SCIM shows no value and filters find none, until a write gives the
        attribute a value or the application changes the column.
        """
        unassigned = self._unassigned(instance, record, document, unassign)
        remaining = copy_document(document)
        for name in skip:
            remaining.pop(name, None)
        resource = self.resource
        if created and tenant is not None and resource.tenant_field:
            field = self.model._meta.get_field(resource.tenant_field)
            setattr(instance, field.attname, tenant)  # type: ignore[union-attr]
        before = None if created else _column_values(instance)
        record.external_id = remaining.pop("externalId", None)
        check_length(record._meta.get_field("external_id"), record.external_id, "externalId")
        references = {
            mapping: self.write_reference(instance, mapping, remaining, tenant)
            for mapping in self.reference_mappings()
        }
        related_owners = self._write_columns(instance, remaining, unassigned)
        if special is not None:
            special(instance, remaining)
        values = self.value_rows(remaining)
        record.attributes = {k: v for k, v in remaining.items() if v not in ({}, None)}
        if unassigned:
            record.attributes[_UNASSIGNED] = unassigned
        record.search = self.build_search(self._stored(instance, document, references, unassigned))
        if not created:
            record.version += 1
            record.last_modified = timezone.now()
        self.prepare_record(instance, record)
        instance._scim_write = True  # type: ignore[attr-defined] # see drf_scim.records
        if before is None:
            inserted = _inserts(instance)
            instance.save()
            if inserted:
                setattr(instance, _INSERTED, True)
        else:
            # Only the columns this write changed: a login's last_login, written meanwhile
            # by the application, is not put back; nothing changed, nothing is written.
            after = _column_values(instance)
            changed = [name for name, value in after.items() if before[name] != value]
            if changed:
                instance.save(update_fields=changed)
        _save_related(instance, related_owners)
        setattr(record, self.record_link, instance)
        old = [] if created else getattr(record, _ROWS_CACHE, None)
        record.save()
        self.write_values(record, old, values)
        _clear_prefetched(instance)

    def write_values(
        self, record: Any, old: list[tuple[Any, ...]] | None, rows: list[dict[str, Any]]
    ) -> None:
        """Make the record's value rows ``rows``, writing only what differs from ``old``.

        ``old`` are the :meth:`stored_rows` read before the write (every SCIM write reads
        the resource first); ``None`` when they were not read: then all are replaced, which
        costs no more than reading them would. Rows that stay as they were keep their
        place: a value added at the end of a list or removed from it costs one INSERT or
        DELETE, not a rewrite of the whole list (RFC 7644 §3.5.2: a PATCH's cost follows
        the change). A list whose new values must go between kept ones with no position
        free is rewritten whole.
        """
        manager = self.value_model._default_manager
        if old is None:
            manager.filter(record=record).delete()
        changes = _ValueChanges(old or [], rows)
        if changes.cleared:
            manager.filter(record=record, attribute__in=changes.cleared).delete()
        size = _batch_size(manager.db)
        for start in range(0, len(changes.dropped), size):
            manager.filter(pk__in=changes.dropped[start : start + size]).delete()
        created = manager.bulk_create(
            [self.value_model(record=record, **row) for row in changes.added]
        )
        if any(row.pk is None for row in created):  # no RETURNING: read them when needed
            setattr(record, _ROWS_CACHE, None)
            return
        stored = changes.kept + [tuple(getattr(row, f) for f in _STORED_FIELDS) for row in created]
        stored.sort(key=lambda row: (row[2], row[1]))
        setattr(record, _ROWS_CACHE, stored)

    def _stored(
        self,
        instance: models.Model,
        document: dict[str, Any],
        references: dict[MappedAttribute, dict[str, Any] | None],
        unassigned: dict[str, Any],
    ) -> dict[str, Any]:
        """The document as stored, column defaults and resolved references included."""
        stored = copy_document(document)
        for mapping in self.resource.get_mappings():
            if mapping.scim_path not in unassigned:
                read_column(stored, mapping, instance)
        for mapping, reference in references.items():
            holder = container(stored, mapping.urn, create=reference is not None)
            if holder is not None:
                holder.pop(mapping.attribute.name, None)
                if reference is not None:
                    holder[mapping.attribute.name] = reference
        return stored

    def _unassigned(
        self,
        instance: models.Model,
        record: BaseRecord,
        document: dict[str, Any],
        unassign: Iterable[str],
    ) -> dict[str, Any]:
        """The attributes to note as unassigned (see :meth:`save`): path -> column value.

        Those ``unassign`` names, and those already unassigned that ``document`` still
        gives no value, as long as the application has not changed their column since.
        """
        wanted = {path.lower() for path in unassign}
        before = (record.attributes or {}).get(_UNASSIGNED) or {}
        result: dict[str, Any] = {}
        for mapping in self.resource.get_mappings():
            if holds_no_value(mapping) or mapping.read_only or has_value(document, mapping):
                continue
            path = mapping.scim_path
            if path.lower() in wanted or _left_unassigned(mapping, instance, before):
                result[path] = to_scim(mapping.read(instance))
        return result

    def _write_columns(
        self,
        instance: models.Model,
        document: dict[str, Any],
        unassigned: dict[str, Any] | None = None,
    ) -> list[Any]:
        """Move mapped values from ``document`` to their columns; return related owners.

        The columns of ``unassigned`` attributes are left as they are.
        """
        owners: list[Any] = []
        for mapping in self.resource.get_mappings():
            if mapping.reference:
                continue  # written by write_reference()
            if unassigned and mapping.scim_path in unassigned:
                continue
            if mapping.field is not None and mapping.field.name in self.resource.protected_fields:
                # Never written, whatever the mapping says (manage.py check: drf_scim.E011);
                # the value is dropped, as a computed attribute's is.
                mapping = dataclasses.replace(mapping, field=None)
            if not mapping.read_only or mapping.computed is not None or mapping.field is None:
                owner = write_column(instance, mapping, document)
                if owner is not None and owner not in owners:
                    owners.append(owner)
        return owners

    def inserted(self, instance: models.Model) -> bool:
        """Whether :meth:`save` inserted ``instance``'s row (not one brought back).

        No related resource (a user's ``groups``) can hold a row that did not exist
        before: only what the request that inserted it wrote since.
        """
        return bool(getattr(instance, _INSERTED, False))

    def mark_deleted(self, instance: models.Model) -> None:
        """End the resource for SCIM (404 from now on) and keep its row."""
        record = self.get_record(instance)
        record.deleted = timezone.now()
        record.save(update_fields=["deleted"])


class DeletedKeys:
    """Which unique keys deleted resources hold, asked once for many creates: a Bulk's.

    ``documents`` are the bodies of the creates to come, as sent. The first create of a
    resource type asks, in one query, which of the keys these bodies name a deleted
    resource holds (:meth:`SCIMStorage.deleted_keys`); from then on a create whose key
    was asked and is not held looks for no deleted resource of its own (see
    ``SCIMResourceSerializer.create()``). A key the bodies do not give as plain text
    under the attribute's name (a value the normalisation rewrites) is looked up as
    usual. Call :meth:`forget` after a DELETE: in "deactivate" mode it makes its
    resource's key held.
    """

    def __init__(self, documents: Iterable[Any]) -> None:
        self.documents = [document for document in documents if isinstance(document, dict)]
        #: By resource type and tenant: the keys asked, and those held.
        self.asked: dict[tuple[Any, Any], tuple[set[str], set[str]]] = {}

    def may_be_held(self, storage: SCIMStorage, unique_key: str, tenant: Any) -> bool:
        """Whether a deleted resource may hold ``unique_key``: False only when known."""
        resource = storage.resource
        found = self.asked.get((resource, tenant))
        if found is None:
            keys = {
                key for key in map(resource.unique_key, self._named(resource)) if key is not None
            }
            found = self.asked[resource, tenant] = (keys, storage.deleted_keys(keys, tenant))
        keys, held = found
        return unique_key not in keys or unique_key in held

    def _named(self, resource: type[SCIMResourceSerializer]) -> Iterable[str]:
        """The values the bodies give the unique attribute (named in any case, §2.1)."""
        attribute = (resource.unique_key_attribute or "").lower()
        for document in self.documents:
            for name, value in document.items():
                if isinstance(name, str) and isinstance(value, str) and name.lower() == attribute:
                    yield value

    def forget(self) -> None:
        """Forget what was found: the next create asks again."""
        self.asked.clear()


def _left_unassigned(mapping: MappedAttribute, instance: Any, unassigned: dict[str, Any]) -> bool:
    """Whether the mapped attribute is noted unassigned and its column still as it was."""
    path = mapping.scim_path
    return path in unassigned and to_scim(mapping.read(instance)) == unassigned[path]


def prefixed(condition: Q, prefix: str) -> Q:
    """``condition`` with ``prefix`` before each of its lookups (``"user__"``).

    A scope is written from the resource model; a through table or the record table sees
    the resource through a relation. Only lookups can be moved: a scope holding
    expressions (``Exists(...)``) raises ``TypeError``.
    """
    if not prefix:
        return condition
    result = Q()
    result.connector = condition.connector
    result.negated = condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            result.children.append(prefixed(child, prefix))
        elif isinstance(child, tuple):
            result.children.append((f"{prefix}{child[0]}", child[1]))
        else:
            msg = f"A scope must be made of lookups, not {child!r}."
            raise TypeError(msg)
    return result


def _column_values(instance: models.Model) -> dict[str, Any]:
    """The values of ``instance``'s own columns, by field name (what ``update_fields`` takes)."""
    return {
        field.name: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }


def _inserts(instance: models.Model) -> bool:
    """Whether ``instance.save()`` inserts a row without trying an ``UPDATE`` first.

    Django's rule (``Model._save_table``): a new instance whose primary key is unset or
    has a default. One whose key was set by hand may be an existing row.
    """
    pk = instance._meta.pk
    assert pk is not None  # noqa: S101 - every concrete model has one
    return instance._state.adding and (
        instance.pk is None or pk.has_default() or pk.has_db_default()
    )


def _save_related(instance: models.Model, owners: list[Any]) -> None:
    """Save related objects holding mapped columns (a profile), now that ``instance`` is."""
    for owner in owners:
        for relation in owner._meta.get_fields():
            if relation.is_relation and relation.related_model is type(instance):
                setattr(owner, relation.name, instance)
        owner.save()


def _clear_prefetched(*objects: Any) -> None:
    for cached in objects:
        if hasattr(cached, "_prefetched_objects_cache"):
            cached._prefetched_objects_cache.clear()
        if getattr(cached, _ROWS_CACHE, None) is not None:
            setattr(cached, _ROWS_CACHE, None)


def _row_content(values: Iterable[Any]) -> str:
    """A stored or new value row's content, comparable (``True`` is not ``1`` here)."""
    return json.dumps(list(values), sort_keys=True, default=str)


class _ValueChanges:
    """What turns stored value rows ``old`` into ``new``, attribute by attribute.

    ``cleared``: attributes rewritten whole; ``dropped``: ids of rows to delete;
    ``added``: rows to insert, with their positions; ``kept``: the stored rows that stay.
    """

    def __init__(self, old: list[tuple[Any, ...]], new: list[dict[str, Any]]) -> None:
        before: dict[str, list[tuple[Any, ...]]] = {}
        for row in old:
            before.setdefault(row[2], []).append(row)
        after: dict[str, list[dict[str, Any]]] = {}
        for item in new:
            after.setdefault(item["attribute"], []).append(item)
        self.cleared: list[str] = []
        self.dropped: list[Any] = []
        self.added: list[dict[str, Any]] = []
        self.kept: list[tuple[Any, ...]] = []
        for attribute in sorted(before.keys() | after.keys()):
            self.compare(attribute, before.get(attribute, []), after.get(attribute, []))

    def compare(
        self, attribute: str, old: list[tuple[Any, ...]], new: list[dict[str, Any]]
    ) -> None:
        # Nothing to match when either side is empty: insert all, or delete all.
        plan = _plan_values(old, new) if old and new else (set(), list(range(len(new))))
        if plan is None:  # no room between kept rows: rewrite the attribute
            self.cleared.append(attribute)
            self.added.extend(new)
            return
        keep, positions = plan
        for i, row in enumerate(old):
            if i in keep:
                self.kept.append(row)
            else:
                self.dropped.append(row[0])
        for item, position in zip(new, positions, strict=True):
            if position is not None:
                self.added.append({**item, "position": position})


#: The columns two rows of one attribute must agree on to be the same row.
_CONTENT_FIELDS = (*_VALUE_COLUMNS, "data", "search", "value_key")


def _plan_values(
    old: list[tuple[Any, ...]], new: list[dict[str, Any]]
) -> tuple[set[int], list[int | None]] | None:
    """Which of ``old`` (one attribute's stored rows, in order) stay, and where new go.

    Returns the indexes of the old rows kept and, for each new row, ``None`` when it is a
    kept row or the position to insert it at; ``None`` in place of both when the new rows
    do not fit between the kept ones. Old rows are matched to new ones in order.
    """
    waiting: dict[str, deque[int]] = {}
    offset = _STORED_FIELDS.index("value")
    for i, stored in enumerate(old):
        content = _row_content(stored[offset : offset + len(_CONTENT_FIELDS)])
        waiting.setdefault(content, deque()).append(i)
    matched: list[int | None] = []
    last = -1
    for item in new:
        queue = waiting.get(_row_content(item[c] for c in _CONTENT_FIELDS))
        while queue and queue[0] <= last:
            queue.popleft()
        if queue:
            last = queue.popleft()
            matched.append(last)
        else:
            matched.append(None)
    limits: list[int | None] = []  # for each new row, the position of the next kept one
    following: int | None = None
    for index in reversed(matched):
        limits.append(following)
        if index is not None:
            following = old[index][1]
    limits.reverse()
    positions: list[int | None] = []
    previous = -1  # positions are unsigned
    for index, limit in zip(matched, limits, strict=True):
        if index is not None:
            previous = old[index][1]
            positions.append(None)
            continue
        previous += 1
        if limit is not None and previous >= limit:
            return None
        positions.append(previous)
    return {i for i in matched if i is not None}, positions


def _batch_size(alias: str) -> int:
    """How many ids one ``IN (...)`` may hold on database ``alias``."""
    from django.db import connections

    return connections[alias].features.max_query_params or 10_000


def build_search(schemas: ResourceSchemas, document: dict[str, Any]) -> dict[str, Any]:
    """A record's search document: ``document``'s singular attributes, comparable."""
    search: dict[str, Any] = search_document(None, document, children=schemas.core.attributes)
    for extension in schemas.extensions:
        if isinstance(document.get(extension.id), dict):
            found = search_document(None, document[extension.id], children=extension.attributes)
            if found:  # present only with a value: ``schemas eq "<URN>"`` filters on it
                search[extension.id] = found
    return search


def take_value_rows(
    schemas: ResourceSchemas,
    document: dict[str, Any],
    type_field: Any,
    only: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Remove the multi-valued attributes from ``document``; return their value rows.

    One row per value (RFC 7643 §2.4): ``value``, ``display``, ``type`` and ``primary`` in
    columns, the other sub-attributes in ``data``, with the value's search document and
    index key. ``only`` limits it to those attributes (``emails``, ``urn:...:x``).
    """
    rows: list[dict[str, Any]] = []
    for urn, attribute in schemas.walk():
        holder = container(document, urn, create=False)
        key = f"{urn}:{attribute.name}" if urn else attribute.name
        if not attribute.multi_valued or holder is None or (only and key not in only):
            continue
        value_definition = attribute.get("value") if attribute.is_complex else attribute
        for position, item in enumerate(holder.pop(attribute.name, None) or []):
            search = search_document(attribute, item)
            if not attribute.is_complex:
                # A simple value: kept as JSON too, so that 42 comes back a number.
                item = {"value": item, _SCALAR: item}
            item = dict(item)
            row = {c: item.pop(c, None) for c in _VALUE_COLUMNS}
            for column in ("value", "display"):
                if row[column] is not None:
                    row[column] = str(row[column])
            check_length(type_field, row["type"], f"{key}.type")
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
