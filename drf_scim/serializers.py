"""SCIM resources as DRF serializers.

A resource serializer declares a resource type: its schemas (one source of truth,
:mod:`drf_scim.definitions`), its model, and where each attribute lives (``attribute_map``,
see :mod:`drf_scim.mapping`). It keeps DRF's contract — ``to_representation()``,
``to_internal_value()``, ``create()``, ``update()`` — and leaves the tables to its
``storage_class`` (:mod:`drf_scim.storage`). Map your own user model's fields by
subclassing :class:`SCIMUserSerializer`::

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

import uuid
from typing import Any, ClassVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from .definitions import ENTERPRISE_USER, GROUP, USER, Schema
from .exceptions import InvalidValue
from .indexing import index_key
from .mapping import (
    PROTECTED_USER_FIELDS,
    Computed,
    MappedAttribute,
    compile_mappings,
    container,
    default_user_attribute_map,
    has_field,
    has_value,
    holds_no_value,
    to_scim,
)
from .models import GROUP_MODEL, BaseRecord, GroupRecord, UserRecord
from .patch import PatchOperation, apply_patch
from .projection import Projection
from .relations import Relation, find_many_to_many, patch_relation, split_relation_operations
from .settings import scim_settings
from .storage import DeletedKeys, SCIMStorage, shows, shows_values
from .validation import (
    ResourceSchemas,
    check_immutable,
    check_value_count,
    count_values,
    validate_document,
)

__all__ = [
    "PROTECTED_USER_FIELDS",
    "Computed",
    "MappedAttribute",
    "SCIMGroupSerializer",
    "SCIMResourceSerializer",
    "SCIMUserSerializer",
    "default_user_attribute_map",
]

#: A relation and what a write does to it: the primary keys it must hold (POST, PUT),
#: or one PATCH operation.
RelationChange = tuple[Relation, Any]

#: What a serializer without a list's preloaded values reads: nothing preloaded.
_NOTHING_PRELOADED: dict[str, Any] = {"values": None, "references": {}}


class SCIMResourceSerializer(serializers.BaseSerializer):  # type: ignore[type-arg]
    """Base class of resource serializers: subclass it for each resource type.

    Set ``resource_type``, ``endpoint``, ``schema``, ``extensions``, ``record_model`` and
    ``record_name`` (the reverse accessor from the resource model to its record), and
    implement :meth:`get_model`. Override ``attribute_map`` (or :meth:`get_attribute_map`)
    to say which SCIM attributes live in which model fields.

    For PATCH (``partial=True``) the data is the parsed operations
    (:func:`drf_scim.patch.parse_patch_request`): validation applies them to the current
    document, and ``validated_data`` is the patched document, as for PUT.
    """

    resource_type: ClassVar[str]
    endpoint: ClassVar[str]
    description: ClassVar[str] = ""
    schema: ClassVar[Schema]
    extensions: ClassVar[tuple[Schema, ...]] = ()
    required_extensions: ClassVar[frozenset[str]] = frozenset()
    record_model: ClassVar[type[BaseRecord]]
    record_name: ClassVar[str]
    #: Reads and writes the resource's rows (:class:`drf_scim.storage.SCIMStorage`).
    storage_class: ClassVar[type[SCIMStorage]] = SCIMStorage
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
    #: Model fields SCIM never writes, even when ``attribute_map`` maps an attribute to one
    #: (``manage.py check`` reports such a mapping).
    protected_fields: ClassVar[frozenset[str]] = frozenset()
    #: The model's foreign key to the tenant model (e.g. ``"organization"``), which scopes
    #: a tenant's token to its own resources; ``None`` when the resource has no tenant.
    tenant_field: ClassVar[str | None] = None
    #: SCIM attribute path -> ORM lookup path (``"profile__department"``) or expression,
    #: compared instead of the stored value by filters and ``sortBy``.
    filter_map: ClassVar[dict[str, Any]] = {}
    _compiled_schemas: ClassVar[ResourceSchemas]
    _compiled_mappings: ClassVar[tuple[MappedAttribute, ...]]
    _mappings_by_path: ClassVar[dict[str, MappedAttribute]]
    _storage: ClassVar[SCIMStorage]

    #: PATCH operations on relations, set by validation and written by :meth:`update`.
    relation_changes: list[RelationChange]
    #: Mapped attributes a PATCH removed whose column cannot be empty (``active``), set
    #: by validation: the storage leaves them unassigned (RFC 7644 §3.5.2.2).
    unassigned: tuple[str, ...] = ()

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
            cls._compiled_mappings = compile_mappings(
                cls.__name__, cls.get_model(), cls.get_schemas(), cls.get_attribute_map()
            )
        return cls._compiled_mappings

    @classmethod
    def get_mapping(cls, scim_path: str) -> MappedAttribute | None:
        """The ``attribute_map`` entry of ``scim_path`` (any case), or ``None``."""
        if "_mappings_by_path" not in cls.__dict__:
            by_path: dict[str, MappedAttribute] = {}
            for mapping in cls.get_mappings():
                by_path.setdefault(mapping.scim_path.lower(), mapping)
            cls._mappings_by_path = by_path
        return cls._mappings_by_path.get(scim_path.lower())

    @classmethod
    def get_storage(cls) -> SCIMStorage:
        """The ``storage_class`` instance of this serializer class, made once."""
        if "_storage" not in cls.__dict__:
            cls._storage = cls.storage_class(cls)
        return cls._storage

    @classmethod
    def get_relations(cls) -> dict[str, Relation]:
        """Multi-valued attributes held by a many-to-many relation, by attribute name."""
        return {}

    @classmethod
    def get_scope(cls) -> Q:
        """The resources of the model SCIM may see and change; the others do not exist for it.

        Out-of-scope resources are ``404`` by id, absent from lists, filters, ``/.search``
        and references, and cannot be named as members (``invalidValue``). The one rule:
        :meth:`drf_scim.storage.SCIMStorage.live` applies it everywhere. Override to narrow
        the scope (say, ``Q(is_service_account=False)``); write it with lookups only (no
        ``Exists()``), as it is also applied through relations. Everything by default.
        """
        return Q()

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
    def unique_key(cls, value: Any) -> str | None:
        """The value of ``unique_key_field`` for an attribute value: case-folded text."""
        return str(value).casefold() if value not in (None, "") else None

    @classmethod
    def location_of(cls, root: str, scim_id: Any) -> str:
        """The URI of the resource ``scim_id`` under the SCIM base URL ``root``."""
        return f"{root}{cls.endpoint}/{scim_id}"

    # -- reading -----------------------------------------------------------------------

    def to_representation(self, instance: models.Model) -> dict[str, Any]:
        """The SCIM document of ``instance``, with the request's ``attributes`` applied."""
        storage = self.get_storage()
        context = self.context
        projection: Projection | None = context.get("projection")
        preloaded = context.get("preloaded") or _NOTHING_PRELOADED
        root = str(context.get("scim_root") or "")
        record = storage.get_record(instance)
        wanted = shows_values(projection)
        rows = None
        if wanted and preloaded["values"] is not None:
            rows = preloaded["values"].get(record.pk, [])
        document = storage.load_document(
            instance, values=wanted, rows=rows, references=preloaded.get("columns"), record=record
        )
        self._add_refs(document, root)
        for name, relation in self._relations_once().items():
            if shows(projection, relation):
                if name in preloaded["references"]:
                    values = preloaded["references"][name].get(instance.pk, [])
                else:
                    values = None
                    if storage.annotations_fresh(instance):  # read with it: no query
                        values = relation.embedded_references(instance, root)
                    if values is None:
                        values = relation.represent(instance, root)
                if values:  # an empty multi-valued attribute is unassigned (RFC 7643 §2.4)
                    document[name] = values
        shaped = self._shape(instance, document, record, root)
        return projection.apply(shaped) if projection is not None else shaped

    def _relations_once(self) -> dict[str, Relation]:
        """:meth:`get_relations`, found once per serializer.

        A list's child serializer represents every resource of the page.
        """
        relations: dict[str, Relation] | None = self.__dict__.get("_scim_relations")
        if relations is None:
            relations = self.__dict__["_scim_relations"] = self.get_relations()
        return relations

    def _add_refs(self, document: dict[str, Any], root: str) -> None:
        """Give reference columns (``manager``) their ``$ref`` (RFC 7643 §4.3)."""
        for mapping in self.get_storage().reference_mappings():
            holder = container(document, mapping.urn, create=False) or {}
            reference = holder.get(mapping.attribute.name)
            if isinstance(reference, dict) and "value" in reference:
                reference["$ref"] = self.location_of(root, reference["value"])

    def current_document(self, instance: models.Model) -> dict[str, Any]:
        """The whole stored resource, for a write to compare or patch.

        Unlike :meth:`to_representation`, it ignores the request's ``attributes`` and
        leaves out relations, which writes change without loading them.
        """
        storage = self.get_storage()
        document = storage.load_document(instance, values=True)
        return self._shape(instance, document, storage.get_record(instance), self._root())

    def _root(self) -> str:
        """The SCIM base URL, for ``meta.location`` and ``$ref`` values.

        Absolute when there is a request (the viewset's ``get_scim_root()``), else empty.
        """
        return str(self.context.get("scim_root") or "")

    def _meta(self, instance: models.Model, record: BaseRecord, root: str) -> dict[str, Any]:
        created = record.created
        mapping = self.get_mapping("meta.created")
        if mapping is not None:
            created = mapping.read(instance) or created
        return {
            "resourceType": self.resource_type,
            "created": to_scim(created),
            "lastModified": to_scim(record.last_modified),
            "location": self.location_of(root, record.id),
            "version": f'W/"{record.version}"',
        }

    def _shape(
        self, instance: models.Model, document: dict[str, Any], record: BaseRecord, root: str
    ) -> dict[str, Any]:
        """Order the document as the schemas do and drop what is never returned."""
        schemas = self.get_schemas()
        result: dict[str, Any] = {"schemas": [schemas.core.id], "id": str(record.id)}
        if record.external_id:
            result["externalId"] = record.external_id
        for name in schemas.core.shown:
            if name in document:
                result[name] = document[name]
        for extension in schemas.extensions:
            data = document.get(extension.id)
            if data:
                returned = {name: data[name] for name in extension.shown if name in data}
                if returned:
                    result["schemas"].append(extension.id)
                    result[extension.id] = returned
        result["meta"] = self._meta(instance, record, root)
        return result

    # -- writing -----------------------------------------------------------------------

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """The validated document of a POST or PUT body, or of the PATCHed resource."""
        if self.partial:
            return self._patched(data)
        if not isinstance(data, dict):
            raise InvalidValue("The request body must be a JSON object.")
        schemas = self.get_schemas()
        check_value_count(data, schemas, self.get_max_values(), self._relation_names())
        return validate_document(data, schemas, strict=bool(scim_settings.STRICT))

    def get_max_values(self) -> int | None:
        """Most values the multi-valued attributes of a resource may hold together.

        ``MAX_MULTI_VALUES``; relations (Group ``members`` of a many-to-many) are not
        counted, members kept as data are. ``None``: no limit.
        """
        limit = scim_settings.MAX_MULTI_VALUES
        return None if limit is None else int(limit)

    def _relation_names(self) -> frozenset[str]:
        return frozenset(name.lower() for name in self.get_relations())

    def _patched(self, operations: list[PatchOperation]) -> dict[str, Any]:
        """Apply PATCH operations (RFC 7644 §3.5.2) to the current document; validate it.

        Operations on relations (Group ``members``) are kept apart in
        ``relation_changes``: they become bulk inserts and deletes of the members they
        name, without loading the others.
        """
        assert self.instance is not None  # noqa: S101 - PATCH always has an instance
        relations = {n.lower(): r for n, r in self.get_relations().items() if r.writable}
        schemas = self.get_schemas()
        plain, self.relation_changes = split_relation_operations(
            operations, relations, schemas.core.id
        )
        current = self.current_document(self.instance)
        limit = self.get_max_values()
        patched = apply_patch(
            current, plain, schemas, strict=bool(scim_settings.STRICT), max_values=limit
        )
        check_value_count(patched, schemas, limit, stored=count_values(current, schemas))
        self.unassigned = tuple(
            m.scim_path
            for m in self.get_mappings()
            if not holds_no_value(m) and has_value(current, m) and not has_value(patched, m)
        )
        return validate_document(patched, schemas, strict=False)

    def resolve_relations(self, document: dict[str, Any]) -> list[RelationChange]:
        """The members (and other relations) a POST or PUT document lists, as primary keys.

        An id that names no resource the token may see is ``invalidValue``.
        """
        tenant = self.context.get("tenant")
        return [
            (relation, relation.resolve(document.get(name) or [], tenant=tenant))
            for name, relation in self.get_relations().items()
            if relation.writable
        ]

    def save_relations(
        self, instance: models.Model, changes: list[RelationChange], *, created: bool = False
    ) -> None:
        """Write relation changes: the one place a relation (Group ``members``) is changed.

        A change is the primary keys the relation must hold (POST, PUT: only the
        difference is written) or a PATCH operation (bulk writes of what it names).
        """
        tenant = self.context.get("tenant")
        for relation, change in changes:
            if isinstance(change, PatchOperation):
                patch_relation(instance, relation, change, tenant=tenant)
            else:
                relation.replace(instance, change, created=created)

    def create(self, validated_data: dict[str, Any]) -> models.Model:
        """Create the resource, or bring back one that a "deactivate" DELETE ended.

        A deleted resource is 404 to SCIM (RFC 7644 §3.6) but still holds its unique key
        (``userName``); when the client creates it again, the row is reused with a new
        SCIM ``id``.
        """
        storage = self.get_storage()
        tenant = self.context.get("tenant")
        if tenant is not None and not self.tenant_field:
            # It would belong to no tenant, and so be invisible to the token creating it.
            raise PermissionDenied(
                f"A tenant's token cannot create {self.resource_type} resources: "
                f"{type(self).__name__} has no tenant_field (docs/tenants.md)."
            )
        instance = None
        if self.context.get("delete_mode") == "deactivate" and self.unique_key_attribute:
            key = self.unique_key(validated_data.get(self.unique_key_attribute))
            # A Bulk request asks for all its creates at once (storage.DeletedKeys).
            known: DeletedKeys | None = self.context.get("deleted_keys")
            held = key is not None and (known is None or known.may_be_held(storage, key, tenant))
            old = storage.deleted_record(key, tenant) if held else None
            if old is not None:
                instance = getattr(old, storage.record_link)
                old.delete()
        if instance is None:
            instance = self.get_model()()
        changes = self.resolve_relations(validated_data)
        self._save(instance, self.record_model(), validated_data, created=True, changes=changes)
        self.save_relations(instance, changes, created=True)
        return instance

    def update(self, instance: models.Model, validated_data: dict[str, Any]) -> models.Model:
        """Replace the resource (RFC 7644 §3.5.1): what the document omits is cleared.

        For PATCH the document is the patched resource, and the operations on relations
        are written as they are.
        """
        if self.partial:
            self._save(instance, None, validated_data, created=False, changes=None)
            self.save_relations(instance, self.relation_changes)
            return instance
        check_immutable(self.current_document(instance), validated_data, self.get_schemas())
        changes = self.resolve_relations(validated_data)
        self._save(instance, None, validated_data, created=False, changes=changes)
        self.save_relations(instance, changes)
        return instance

    def _save(
        self,
        instance: models.Model,
        record: BaseRecord | None,
        document: dict[str, Any],
        *,
        created: bool,
        changes: list[RelationChange] | None,
    ) -> None:
        """Save through the storage; the attributes of ``changes`` are not stored as data."""
        self.check_references(document)
        storage = self.get_storage()
        storage.save(
            instance,
            record if record is not None else storage.get_record(instance),
            document,
            created=created,
            tenant=self.context.get("tenant"),
            skip=[relation.attribute for relation, _ in changes or ()],
            special=lambda obj, remaining: self.write_special_attributes(
                obj, remaining, created=created
            ),
            unassign=self.unassigned if self.partial else (),
        )

    def check_references(self, document: dict[str, Any]) -> None:
        """Refuse a document naming resources this request may not see (``invalidValue``).

        Called before every write. Relations (:meth:`get_relations`) resolve their own
        ids; override for references stored as data. Does nothing by default.
        """

    def write_special_attributes(
        self, instance: models.Model, document: dict[str, Any], *, created: bool
    ) -> None:
        """Handle attributes that are not plain data; remove them from ``document``.

        Override to handle your own, calling ``super()``.
        """


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
    protected_fields = PROTECTED_USER_FIELDS

    @classmethod
    def get_model(cls) -> type[models.Model]:
        """``AUTH_USER_MODEL``."""
        return get_user_model()

    @classmethod
    def get_scope(cls) -> Q:
        """Users other than superusers and staff, unless ``PRIVILEGED_USERS_IN_SCOPE``.

        The host's administrators are not the identity provider's to manage: a SCIM token
        must not read, rename, re-password or delete them (docs/security.md). A user the
        project makes staff leaves SCIM's scope at once. Override, calling ``super()``, to
        narrow it further.
        """
        if scim_settings.PRIVILEGED_USERS_IN_SCOPE is True:  # only an explicit True widens it
            return Q()
        model = cls.get_model()
        flags = {name: False for name in ("is_superuser", "is_staff") if has_field(model, name)}
        return Q(**flags)

    @classmethod
    def get_attribute_map(cls) -> dict[str, str]:
        """``attribute_map`` if the subclass sets one, else :func:`default_user_attribute_map`."""
        return dict(cls.attribute_map) or default_user_attribute_map(cls.get_model())

    def write_special_attributes(
        self, instance: models.Model, document: dict[str, Any], *, created: bool
    ) -> None:
        """``password`` through ``set_password()``; created without one, none usable."""
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
        definition = USER.get("groups")
        assert definition is not None  # noqa: S101 - a core attribute
        return {"groups": Relation.of_field(definition, field, groups, "direct", forward=True)}


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
        """``DRF_SCIM_GROUP_MODEL`` (``auth.Group`` by default)."""
        return apps.get_model(GROUP_MODEL)

    @classmethod
    def get_scope(cls) -> Q:
        """Groups that carry no permissions, unless ``PERMISSION_GROUPS_IN_SCOPE``.

        Adding a member to a group that carries permissions grants them: by default SCIM
        can neither see such a group nor put anyone in it, and the groups it creates carry
        none (SCIM has no way to write ``permissions``). A group the project gives
        permissions leaves SCIM's scope at once.
        """
        model = cls.get_model()
        if scim_settings.PERMISSION_GROUPS_IN_SCOPE is True or not has_field(model, "permissions"):
            return Q()
        return Q(permissions__isnull=True)

    @classmethod
    def get_attribute_map(cls) -> dict[str, str]:
        """``attribute_map`` if the subclass sets one, else ``displayName`` -> ``name``."""
        if cls.attribute_map:
            return dict(cls.attribute_map)
        return {"displayName": "name"} if has_field(cls.get_model(), "name") else {}

    def check_references(self, document: dict[str, Any]) -> None:
        """``members`` stored as data (no many-to-many) must name live Users or Groups.

        RFC 7643 §4.2: a member's ``value`` is the ``id`` of a User or Group. Each must
        be one this request may see: in scope and, for a tenant's token, of its tenant
        (docs/tenants.md); else ``invalidValue`` and nothing is written. One query per
        resource type, whatever the number of members. Each ``value`` is then written as
        the member's own ``id`` (``5C60…`` becomes ``5c60…``), as it is answered.
        """
        if "members" in self.get_relations():
            return  # the relation resolves its own ids
        wanted: dict[str, str | None] = {}
        for index, item in enumerate(document.get("members") or []):
            value = item.get("value") if isinstance(item, dict) else item
            if value is None:
                continue  # a member without a value is no member (RFC 7643 §2.5)
            kind = item.get("type") if isinstance(item, dict) else None
            kind = str(kind).lower() if kind is not None else None
            if kind not in (None, "user", "group"):
                raise InvalidValue(f"members[{index}].type: {kind!r} is not User or Group.")
            try:
                canonical = str(uuid.UUID(str(value)))
            except ValueError:
                raise InvalidValue(
                    f"members[{index}].value: {value!r} is not the id of a User or Group."
                ) from None
            wanted[canonical] = kind
            if isinstance(item, dict):
                item["value"] = canonical  # stored and answered as the member's own id
        found: set[str] = set()
        tenant = self.context.get("tenant")
        for resource in (scim_settings.USER_SERIALIZER, type(self)):
            kind = resource.resource_type.lower()
            ids = [i for i, k in wanted.items() if k in (None, kind) and i not in found]
            if ids:
                records = resource.get_storage().live_records(tenant).filter(id__in=ids)
                found.update(str(scim_id) for scim_id in records.values_list("id", flat=True))
        missing = [value for value in wanted if value not in found]
        if missing:
            raise InvalidValue(
                "members: no User or Group with id "
                + ", ".join(repr(value) for value in missing[:5])
                + (" ..." if len(missing) > 5 else "")
            )

    @classmethod
    def forget_member(cls, scim_id: Any) -> None:
        """A User or Group deleted over SCIM stops being a member of any group.

        RFC 7644 §3.6: a deleted resource is gone from every answer. A many-to-many
        (:meth:`get_relations`) leaves it out by itself; ``members`` kept as data would
        still name it, a member answering 404. Its value rows go, and the groups that
        listed it get a new version (§3.14): one query to find them, one ``DELETE`` and
        one ``UPDATE`` when there are any.
        """
        if "members" in cls.get_relations():
            return
        members = GROUP.get("members")
        value = members.get("value") if members is not None else None
        if value is None:
            return
        storage = cls.get_storage()
        rows = storage.value_model._default_manager.filter(
            attribute="members", value_key=index_key(value, str(scim_id))
        )
        groups = list(rows.values_list("record_id", flat=True).distinct())
        if groups:
            rows.delete()
            cls.record_model._default_manager.filter(pk__in=groups).update(
                version=F("version") + 1, last_modified=timezone.now()
            )

    @classmethod
    def get_relations(cls) -> dict[str, Relation]:
        """``members``: the user model's many-to-many to the group model, if it has one."""
        users = scim_settings.USER_SERIALIZER
        field = find_many_to_many(users.get_model(), cls.get_model())
        if field is None:
            return {}  # members are then stored like any other multi-valued attribute
        definition = GROUP.get("members")
        assert definition is not None  # noqa: S101 - a core attribute
        return {"members": Relation.of_field(definition, field, users, "User", forward=False)}
