"""Multi-valued attributes held by a many-to-many relation: Group ``members``, User ``groups``.

Group membership is the host's own relation (``User.groups`` for ``django.contrib.auth``),
so that permissions keep working, and it is never loaded to be changed: a write costs
the size of the change, as bulk inserts and deletes on the relation's through table
(RFC 7643 §4.2; issue "Groups ... at 10,000 members").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.constants import OnConflict
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from .characteristics import Mutability
from .definitions import Attribute
from .exceptions import InvalidFilter, InvalidPath, InvalidValue
from .exceptions import Mutability as MutabilityError
from .expressions import AnyOf, JSONRows, canonical_uuid, read_json_rows, uuid_text
from .filter_language import Comparison, Or, PatchPath

__all__ = [
    "Relation",
    "find_many_to_many",
    "patch_relation",
    "split_relation_operations",
    "tables_named",
]


_ABSENT = object()


def _first(values: Iterable[Any]) -> Any:
    """The first value that is neither ``None`` nor empty: the display name to show."""
    return next((value for value in values if value not in (None, "")), None)


def find_many_to_many(model: type[models.Model], target: type[models.Model]) -> Any:
    """The many-to-many field of ``model`` to ``target``, or ``None``."""
    for field in model._meta.get_fields():
        if field.many_to_many and not field.auto_created and field.related_model is target:
            return field
    return None


def display_of(resource: Any, instance: models.Model) -> str | None:
    """The ``display`` of a reference to ``instance`` (a member, a group).

    The first non-empty value of ``display_attributes``.
    """
    record = getattr(instance, resource.record_name, None)
    for name in resource.display_attributes:
        mapping = resource.get_mapping(name)
        value = mapping.read(instance) if mapping is not None else None
        if value in (None, "") and record is not None:
            value = record.attributes.get(name)
        if value not in (None, ""):
            return str(value)
    return None


def _display_sources(resource: Any) -> list[tuple[str, bool]] | None:
    """ORM paths of ``display_attributes``, each with whether it is a key of a JSON column.

    ``None`` when one is computed in Python.
    """
    sources = []
    for name in resource.display_attributes:
        mapping = resource.get_mapping(name)
        if mapping is not None and mapping.computed is not None:
            return None
        if mapping is not None:
            sources.append((mapping.lookup, False))
        sources.append((f"{resource.record_name}__attributes__{name}", True))
    return sources


def display_paths(resource: Any) -> list[str] | None:
    """ORM paths of ``display_attributes``, to read references without loading them.

    ``None`` when one is computed in Python; references are then loaded whole.
    """
    sources = _display_sources(resource)
    return None if sources is None else [path for path, _ in sources]


@dataclass(frozen=True)
class Relation:
    """One side of a many-to-many relation between two SCIM resources.

    ``accessor`` is the manager's name on this resource's model (``"groups"`` on a User,
    ``"user_set"`` on a Group); ``source_field``/``target_field`` are the through model's
    foreign keys to this resource and to the related one.
    """

    definition: Attribute
    accessor: str
    target: Any  # the related resource's serializer class
    through: type[models.Model]
    source_field: str
    target_field: str
    #: ``type`` of each value: "User"/"Group" for members, "direct" for a user's groups.
    value_type: str

    @classmethod
    def of_field(
        cls, definition: Attribute, field: Any, target: Any, value_type: str, *, forward: bool
    ) -> Relation:
        """The relation held by a many-to-many ``field``.

        Seen from the field's own model when ``forward``, else from the model it points to.
        """
        names = (field.m2m_field_name(), field.m2m_reverse_field_name())
        source_field, target_field = names if forward else names[::-1]
        return cls(
            definition=definition,
            accessor=field.name if forward else field.remote_field.get_accessor_name(),
            target=target,
            through=field.remote_field.through,
            source_field=source_field,
            target_field=target_field,
            value_type=value_type,
        )

    @property
    def attribute(self) -> str:
        return self.definition.name

    @property
    def writable(self) -> bool:
        return self.definition.mutability is not Mutability.READ_ONLY

    @property
    def table(self) -> str:
        """The through model's table: every value of the relation is a row of it."""
        return self.through._meta.db_table

    # -- reading -------------------------------------------------------------------

    def _live(self, queryset: Any) -> Any:
        return self.target.get_storage().live(queryset)

    def prefetch(self) -> Prefetch:  # type: ignore[type-arg]
        """Load the related resources of a whole page in one query, with their records."""
        return Prefetch(
            self.accessor, queryset=self._live(self.target.get_model()._default_manager)
        )

    # -- read with the resource -------------------------------------------------------

    @property
    def embedded_name(self) -> str:
        """The annotation :meth:`embedded` is read into."""
        return f"_scim_{self.attribute}_json"

    @property
    def embeddable(self) -> bool:
        """Whether :meth:`embedded` can read the references (display names not computed)."""
        return _display_sources(self.target) is not None

    def embedded(self) -> Subquery | None:
        """Each resource's references, as JSON text, for an annotation of its own query.

        For a read-only relation (a user's ``groups``) of a resource read alone (a GET, a
        write's locked read) or of a page: the references come with it, not in a query of
        their own. Each row is ``[related pk, SCIM id, display name paths...]``,
        unordered. ``None`` when the related type's display names are computed in Python.
        Built once (``SCIMStorage.reused()``), as :meth:`preload`'s query.
        """
        sources = _display_sources(self.target)
        if sources is None:
            return None
        storage = self.target.get_storage()
        prefix = f"{self.target_field}__"

        def build() -> Any:
            columns = [F(self.target_field), uuid_text(f"{prefix}{self.target.record_name}__id")]
            for path, key in sources:
                if key:  # the key of a JSON column, as text
                    column, _, name = path.rpartition("__")
                    columns.append(KeyTextTransform(name, prefix + column))
                else:
                    columns.append(F(prefix + path))
            return (
                self.through._default_manager.filter(
                    storage.live_lookup(prefix), **{self.source_field: OuterRef("pk")}
                )
                .order_by()
                .values(self.source_field)
                .annotate(rows=JSONRows(*columns))
                .values("rows")
            )

        key = ("embedded", self.through._meta.label_lower, self.source_field, self.target_field)
        return Subquery(storage.reused(key, build), output_field=models.TextField())

    def embedded_references(self, instance: models.Model, root: str) -> list[dict[str, Any]] | None:
        """The references read with ``instance`` (:meth:`embedded`), once; else ``None``.

        ``None`` too when MariaDB cut the JSON short (``group_concat_max_len``): they are
        then read by a query of their own. In the related resources' order (by pk), as
        :meth:`represent` reads them.
        """
        text = vars(instance).pop(self.embedded_name, _ABSENT)
        if text is _ABSENT:
            return None
        try:
            rows = read_json_rows(text, ())
        except ValueError:
            return None
        rows.sort(key=lambda row: row[0])
        return [self._reference(row[1], _first(row[2:]), root) for row in rows]

    def represent(self, instance: models.Model, root: str) -> list[dict[str, Any]]:
        """The attribute's values, e.g. ``{"value", "$ref", "display", "type"}`` per member.

        One query, prefetched for a page or made here for a single resource.
        """
        target = self.target
        manager = getattr(instance, self.accessor)
        prefetched = getattr(instance, "_prefetched_objects_cache", {})
        cache_name = getattr(manager, "prefetch_cache_name", self.accessor)
        paths = display_paths(target)
        if cache_name not in prefetched and paths is not None:
            # One resource: read ids and display names only, not whole objects.
            return [
                self._reference(row[0], _first(row[1:]), root)
                for row in self._rows_of(manager, paths)
            ]
        related_objects = manager.all() if cache_name in prefetched else self._live(manager)
        return [
            self._reference(
                getattr(related, target.record_name).id,
                display_of(target, related),
                root,
            )
            for related in related_objects
        ]

    def _rows_of(self, manager: Any, paths: list[str]) -> Any:
        """The (SCIM id, display name paths...) rows of one resource's related manager.

        The related resources' query (:meth:`SCIMStorage.live`, ids and names only) is
        built once (:meth:`SCIMStorage.reused`) and given the related manager's own filter,
        as Django does for a prefetch: building it costs more than running it.
        """
        scim_id = f"{self.target.record_name}__id"
        if not hasattr(manager, "_apply_rel_filters"):  # not one of Django's managers
            return self._live(manager).values_list(uuid_text(scim_id), *paths)
        storage = self.target.get_storage()
        related = storage.reused(
            ("references", scim_id, *paths),
            lambda: storage.live().values_list(uuid_text(scim_id), *paths),
        )
        return manager._apply_rel_filters(related)

    def mark_empty(self, instance: models.Model) -> None:
        """Record that ``instance`` has no related resources, so none are read for it.

        As a prefetch that found none (Django's own ``prefetch_related`` cache, which the
        related manager's ``add()``, ``remove()`` and ``clear()`` drop): for a resource
        whose row this request inserted when no statement of the request named the
        relation's table (:func:`tables_named`).
        """
        manager = getattr(instance, self.accessor)
        cache_name = getattr(manager, "prefetch_cache_name", self.accessor)
        cache = vars(instance).setdefault("_prefetched_objects_cache", {})
        cache[cache_name] = manager.none()

    def preload(self, pks: list[Any], root: str) -> dict[Any, list[dict[str, Any]]] | None:
        """The references of many resources (a page) in one ``values()`` query, by their pk.

        ``None`` when the related type's display names are computed in Python.
        """
        target = self.target
        storage = target.get_storage()
        paths = display_paths(target)
        if paths is None:
            return None
        related = f"{self.target_field}__{target.record_name}"
        fields = (
            self.source_field,
            f"{related}__id",
            *[f"{self.target_field}__{p}" for p in paths],
        )
        # Built once (lookups resolved, joins set up), given each page's pks.
        live = storage.reused(
            ("preload", self.through._meta.label_lower, *fields),
            lambda: (
                self.through._default_manager.filter(storage.live_lookup(f"{self.target_field}__"))
                .order_by(self.target_field)
                .values_list(fields[0], uuid_text(fields[1]), *fields[2:])
            ),
        )
        rows = live.filter(AnyOf(self.source_field, pks))
        references: dict[Any, list[dict[str, Any]]] = {}
        for source, scim_id, *names in rows:
            references.setdefault(source, []).append(self._reference(scim_id, _first(names), root))
        return references

    def _reference(self, scim_id: Any, display: Any, root: str) -> dict[str, Any]:
        value = canonical_uuid(scim_id)  # read as text (uuid_text): no UUID per member
        reference = {"value": value, "$ref": self.target.location_of(root, value)}
        if display not in (None, ""):
            reference["display"] = str(display)
        reference["type"] = self.value_type
        return reference

    # -- writing -------------------------------------------------------------------

    def _records(self, tenant: Any) -> Any:
        """The related resources' live records, of ``tenant``'s resources only if given."""
        return self.target.get_storage().live_records(tenant)

    def resolve(self, items: Iterable[Any], *, tenant: Any = None) -> list[Any]:
        """The primary keys of the related resources ``items`` name by SCIM id, in one query.

        An id that names no live resource (of ``tenant``, if given) is ``invalidValue``:
        nothing is written. Only then is there a second query, to name the ids missing.
        """
        ids: dict[uuid.UUID, Any] = {}
        for index, item in enumerate(items):
            value = item.get("value") if isinstance(item, dict) else item
            if value is None:
                continue  # a member without a value is no member (RFC 7643 §2.5)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)  # some clients send ids as JSON numbers
            kind = item.get("type") if isinstance(item, dict) else None
            if kind is not None and str(kind).lower() != self.target.resource_type.lower():
                raise InvalidValue(
                    f"{self.attribute}[{index}].type: only {self.target.resource_type} "
                    f"resources can be {self.attribute}, not {kind!r}."
                )
            try:
                ids[uuid.UUID(str(value))] = None
            except ValueError:
                raise InvalidValue(
                    f"{self.attribute}[{index}].value: {value!r} is not the id of a "
                    f"{self.target.resource_type}."
                ) from None
        if not ids:
            return []
        link = self.target.get_storage().record_link
        records = self._records(tenant).filter(AnyOf("id", ids))
        # Only the primary keys: at 20,000 members, reading the ids back (UUIDs) costs
        # more than the lookup. A record's id is unique, so one key per id found.
        pks = list(records.values_list(f"{link}_id", flat=True))
        if len(pks) < len(ids):
            found = set(records.values_list("id", flat=True))
            missing = [str(value) for value in ids if value not in found]
            raise InvalidValue(
                f"{self.attribute}: no {self.target.resource_type} with id "
                + ", ".join(repr(value) for value in missing[:5])
                + (" ..." if len(missing) > 5 else "")
            )
        return pks

    def _rows(self, instance: models.Model, pks: Iterable[Any]) -> list[models.Model]:
        through = self.through
        if through._meta.auto_created:
            # Django's own through model is (id, source, target) or (id, target, source):
            # positional arguments are the model's fast path, about 3x keyword arguments.
            fields = [field.attname for field in through._meta.concrete_fields]
            if fields.index(f"{self.source_field}_id") < fields.index(f"{self.target_field}_id"):
                return [through(None, instance.pk, pk) for pk in pks]
            return [through(None, pk, instance.pk) for pk in pks]
        return [
            through(**{f"{self.source_field}_id": instance.pk, f"{self.target_field}_id": pk})
            for pk in pks
        ]

    def add(self, instance: models.Model, pks: Iterable[Any]) -> None:
        """Add related resources; ones already there are left alone.

        Two queries: the rows inserted, the related resources' versions. Through a
        project's own model, three: its fields' defaults are Python's, so its rows go
        through ``bulk_create()``, and as it may hold no unique constraint on the pair,
        the related resources already there are read first, as Django's own ``add()``
        reads them for such a model.
        """
        pks = list(pks)
        if self.through._meta.auto_created:
            self._insert_selected(instance, pks)
        else:
            held = set(
                self.through._default_manager.filter(
                    AnyOf(self.target_field, pks), **{self.source_field: instance.pk}
                ).values_list(f"{self.target_field}_id", flat=True)
            )
            self.through._default_manager.bulk_create(
                self._rows(instance, [pk for pk in pks if pk not in held]), ignore_conflicts=True
            )
        self.touch(pks)

    def _insert_selected(self, instance: models.Model, pks: list[Any]) -> None:
        """Django's own through rows for ``pks``, made by the database: ``INSERT … SELECT``.

        ``bulk_create()`` builds, prepares and sends a model instance per row: at 20,000
        members (a 1 MiB PATCH) that was a third of the request. Here the rows come from a
        ``SELECT`` of the related resources by primary key, compiled by the ORM, under the
        backend's own "insert, ignoring conflicts" (``ON CONFLICT DO NOTHING``, ``INSERT OR
        IGNORE``, ``INSERT IGNORE``). Every value is a bound parameter.
        """
        through = self.through
        alias = router.db_for_write(through)
        connection = connections[alias]
        source: Any = through._meta.get_field(self.source_field)
        target: Any = through._meta.get_field(self.target_field)
        rows = (
            target.related_model._base_manager.using(alias)
            .filter(AnyOf("pk", pks))
            .order_by()
            .values_list(Value(instance.pk, output_field=source.target_field), "pk")
        )
        select, params = rows.query.get_compiler(connection=connection).as_sql()
        quote = connection.ops.quote_name
        sql = " ".join(
            (
                connection.ops.insert_statement(on_conflict=OnConflict.IGNORE),
                quote(through._meta.db_table),
                f"({quote(source.column)}, {quote(target.column)})",
                select,
                connection.ops.on_conflict_suffix_sql(
                    [source, target], OnConflict.IGNORE, None, None
                ),
            )
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def remove(self, instance: models.Model, pks: Iterable[Any]) -> None:
        """Remove related resources; ones not there are ignored (two queries)."""
        pks = list(pks)
        self.through._default_manager.filter(
            AnyOf(self.target_field, pks), **{self.source_field: instance.pk}
        ).delete()
        self.touch(pks)

    def touch(self, pks: Any) -> None:
        """Give the related resources a new ``meta.version`` (RFC 7644 §3.14).

        Their own attribute (a user's ``groups``) just changed. One ``UPDATE``.
        """
        link = self.target.get_storage().record_link
        if isinstance(pks, models.QuerySet):
            touched = self.target.record_model._default_manager.filter(**{f"{link}__in": pks})
        else:
            touched = self.target.record_model._default_manager.filter(AnyOf(link, pks))
        touched.update(version=F("version") + 1, last_modified=timezone.now())

    def touch_related(self, instance: models.Model) -> None:
        """A new ``meta.version`` for every resource related to ``instance``.

        ``instance`` is going: their own attribute (a group's ``members``) loses it. One
        ``UPDATE``.
        """
        self.touch(
            self.through._default_manager.filter(**{self.source_field: instance.pk}).values(
                self.target_field
            )
        )

    def existing(self, ids: Iterable[str], *, tenant: Any = None) -> list[Any]:
        """Primary keys of the live related resources among SCIM ``ids``; others ignored."""
        valid = []
        for value in ids:
            try:
                valid.append(uuid.UUID(str(value)))
            except ValueError:
                continue
        if not valid:
            return []
        link = self.target.get_storage().record_link
        return list(
            self._records(tenant).filter(AnyOf("id", valid)).values_list(f"{link}_id", flat=True)
        )

    def _held(self, instance: models.Model) -> Any:
        """The through rows of ``instance`` to resources in scope (deleted ones included).

        SCIM never changes what the host gave a resource out of its scope: a superuser the
        host put in a group stays there whatever the identity provider sends.
        """
        scope = self.target.get_storage().scope(f"{self.target_field}__")
        return self.through._default_manager.filter(scope, **{self.source_field: instance.pk})

    def clear(self, instance: models.Model, *, scoped: bool = False) -> None:
        """Remove every related resource, or only those in scope if ``scoped`` (two queries).

        A client's "remove all members" is ``scoped``; a resource that ends (a Group
        deleted in "deactivate" mode) keeps no related resource at all.
        """
        if scoped:
            rows = self._held(instance)
        else:
            rows = self.through._default_manager.filter(**{self.source_field: instance.pk})
        self.touch(rows.values(self.target_field))
        rows.delete()

    def current(self, instance: models.Model) -> set[Any]:
        """Primary keys of the related resources in scope, without loading them."""
        return set(self._held(instance).values_list(f"{self.target_field}_id", flat=True))

    def replace(self, instance: models.Model, pks: Iterable[Any], *, created: bool) -> None:
        """Make the related resources exactly ``pks``: only the difference is written."""
        wanted = set(pks)
        current = set() if created else self.current(instance)
        if current - wanted:
            self.remove(instance, current - wanted)
        if wanted - current:
            self.add(instance, wanted - current)

    # -- filtering -----------------------------------------------------------------

    def condition(self, sub: str | None, operator: str, literal: Any) -> Q:
        """``members.value eq "<id>"``, ``members pr``, ``members[value eq "<id>"]``."""
        target = self.target
        live = target.get_storage().live_lookup(f"{self.target_field}__")
        rows = self.through._default_manager.filter(live, **{self.source_field: OuterRef("pk")})
        if operator == "pr" and sub in (None, "value"):
            return Q(Exists(rows))
        if (sub or "value") != "value" or operator not in ("eq", "ne"):
            raise InvalidFilter(
                f"{self.attribute} can be filtered by value with eq or ne, or with pr."
            )
        if not isinstance(literal, str):
            raise InvalidFilter(f"{self.attribute}.value is a string id.")
        try:
            value = uuid.UUID(literal)
        except ValueError:
            matches = Q(pk__in=[])
        else:
            lookup = {f"{self.target_field}__{target.record_name}__id": value}
            matches = Q(Exists(rows.filter(**lookup))) if str(value) == literal else Q(pk__in=[])
        return ~matches if operator == "ne" else matches


@contextmanager
def tables_named(relations: Iterable[Relation]) -> Iterator[set[str]]:
    """The :attr:`Relation.table` of ``relations`` named by a statement run in the block.

    Every statement run on the relations' databases counts, whoever runs it and however:
    a host's ``post_save`` or ``m2m_changed`` receiver, a related manager's ``add()``,
    ``bulk_create()`` (which sends no signal), raw SQL. A statement that only reads a
    table counts too: that costs a read, never a wrong answer. The statements are seen
    through Django's ``execute_wrapper()``, for the block only.
    """
    relations = list(relations)
    tables = {relation.table.lower(): relation.table for relation in relations}
    named: set[str] = set()

    def wrapper(execute: Callable[..., Any], sql: Any, *args: Any) -> Any:
        text = str(sql).lower()
        named.update(table for key, table in tables.items() if key in text)
        return execute(sql, *args)

    with ExitStack() as stack:
        for alias in {router.db_for_write(relation.through) for relation in relations}:
            stack.enter_context(connections[alias].execute_wrapper(wrapper))
        yield named


# -- PATCH (RFC 7644 §3.5.2) ---------------------------------------------------------------


def split_relation_operations(
    operations: Iterable[Any], relations: dict[str, Relation], core_schema: str
) -> tuple[list[Any], list[tuple[Relation, Any]]]:
    """Separate operations on relations from the rest, keeping each group in order.

    A path-less value that carries a relation (``{"members": [...]}``, as Okta and Entra ID
    send) is split in two: the relation's part becomes an operation with a path.
    """
    from .patch import PatchOperation

    plain: list[Any] = []
    related: list[tuple[Relation, Any]] = []
    for operation in operations:
        path = operation.path
        if path is None and isinstance(operation.value, dict):
            rest = {}
            for key, value in operation.value.items():
                relation = relations.get(str(key).lower())
                if relation is None:
                    rest[key] = value
                else:
                    related.append(
                        (
                            relation,
                            PatchOperation(operation.op, PatchPath(relation.attribute), value),
                        )
                    )
            if rest or not related:
                plain.append(PatchOperation(operation.op, None, rest))
            continue
        relation = None
        if path is not None and path.attribute is not None:
            relation = relations.get(path.attribute.lower())
            schema = (path.schema or "").lower()
            if relation is not None and schema and schema != core_schema.lower():
                relation = None
        if relation is None:
            plain.append(operation)
        else:
            related.append((relation, operation))
    return plain, _merge_runs(related)


def _merge_runs(related: list[tuple[Relation, Any]]) -> list[tuple[Relation, Any]]:
    """Each run of like operations on one relation, as one operation.

    Okta sends a member's removal as an operation of its own, ``members[value eq "<id>"]``,
    and a client may add members one operation each: 1,000 operations would be 3,000
    statements. ``add``s of listed members become one ``add`` of them all, ``remove``s by
    value filter one ``remove`` of their terms; the result is the same (RFC 7644 §3.5.2:
    operations apply in order, and adding A then B is adding both), and so are the errors.
    """
    from .patch import PatchOperation

    merged: list[tuple[Relation, Any]] = []
    runs: list[list[Any]] = []
    for relation, operation in related:
        kind = _mergeable(operation)
        if kind and merged and merged[-1][0] is relation and _mergeable(merged[-1][1]) == kind:
            runs[-1].append(operation)
            continue
        merged.append((relation, operation))
        runs.append([operation])
    for position, run in enumerate(runs):
        if len(run) == 1:
            continue
        first = run[0]
        if first.op == "add":
            items = [item for operation in run for item in _items(operation.value)]
            combined = PatchOperation("add", first.path, items)
        else:
            terms = tuple(
                term
                for operation in run
                for term in (
                    operation.path.value_filter.operands
                    if isinstance(operation.path.value_filter, Or)
                    else (operation.path.value_filter,)
                )
            )
            path = first.path
            combined = PatchOperation(
                "remove", PatchPath(path.attribute, None, path.schema, Or(terms))
            )
        merged[position] = (merged[position][0], combined)
    return merged


def _mergeable(operation: Any) -> str | None:
    """``"add"`` for an add of listed members, ``"remove"`` for a remove by value filter."""
    path = operation.path
    if path is None or path.sub_attribute is not None:
        return None
    if operation.op == "add" and path.value_filter is None:
        return "add"
    if operation.op == "remove" and path.value_filter is not None:
        return "remove"
    return None


def _filter_ids(node: Any, attribute: str) -> list[str]:
    """The ids of ``value eq "<id>" [or value eq "<id>" ...]``; anything else is invalidPath."""
    nodes = node.operands if isinstance(node, Or) else (node,)
    ids = []
    for item in nodes:
        if not (
            isinstance(item, Comparison)
            and item.operator == "eq"
            and item.attribute.attribute.lower() == "value"
            and item.attribute.sub_attribute is None
        ):
            raise InvalidPath(
                f'{attribute} can be selected by value only, e.g. {attribute}[value eq "<id>"].'
            )
        ids.append(str(item.value))
    return ids


def _items(value: Any) -> list[Any]:
    """The members an operation lists; ``null`` lists none (RFC 7643 §2.5: no value)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def patch_relation(
    instance: models.Model, relation: Relation, operation: Any, *, tenant: Any = None
) -> None:
    """Apply one PATCH operation to a relation with bulk writes of what it names.

    ``add`` inserts the members given (present ones are left alone), ``remove`` deletes
    the members a ``value eq`` filter or value list names (absent ones are ignored) or
    all of them, ``replace`` makes the members exactly the list given.
    """
    path = operation.path
    name = relation.attribute
    if path.sub_attribute is not None:
        raise MutabilityError(f"{name} values are immutable: add or remove {name} instead.")
    if operation.op == "remove":
        if path.value_filter is None:
            relation.clear(instance, scoped=True)
        else:
            ids = _filter_ids(path.value_filter, name)
            relation.remove(instance, relation.existing(ids, tenant=tenant))
        return
    if path.value_filter is not None:
        raise MutabilityError(f"{name} values are immutable: add or remove {name} instead.")
    pks = relation.resolve(_items(operation.value), tenant=tenant)
    if operation.op == "add":
        relation.add(instance, pks)
    else:
        relation.replace(instance, pks, created=False)
