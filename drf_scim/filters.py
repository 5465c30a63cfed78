"""SCIM filtering (RFC 7644 §3.4.2.2) and sorting (§3.4.2.3) as DRF filter backends.

A filter is parsed by :mod:`drf_scim.filter_language` and compiled, through the resource
serializer's schemas, into one ``Q`` object that runs entirely in the database: singular
attributes compare against the record's search document (see :mod:`drf_scim.indexing`),
multi-valued ones through an ``Exists`` subquery on the values table, and ``id``,
``externalId``, ``userName eq`` and ``meta`` dates against indexed columns. Strings
compare by code point, which gives the same answers on SQLite, PostgreSQL and MariaDB.
``schemas`` (RFC 7643 §3) is filterable too: it names the extensions a resource carries.
Filter dialects (Entra ID's ``emails[type eq "work"].value eq "x"``) are rewritten by
:func:`drf_scim.normalization.normalize_filter` first, unless ``STRICT``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db.models import (
    CharField,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat, Lower, Replace, Substr
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from .characteristics import STRING_TYPES, AttributeType
from .comparisons import check_comparison, matches
from .conditions import (
    ALL,
    NONE,
    ORDERING,
    Binary,
    column_condition,
    expression_condition,
    json_text,
    literal_text,
    present_condition,
    search_condition,
    text_condition,
    value_key_condition,
)
from .definitions import Attribute
from .errors import InvalidFilterError
from .exceptions import InvalidFilter, InvalidValue
from .filter_language import (
    AttributePath,
    Filter,
    FilterSyntaxError,
    FilterVisitor,
    Leaf,
    Present,
    ValuePath,
    parse_attribute_path,
    parse_filter,
)
from .indexing import KEY_LENGTH, comparable, index_key, is_searchable, parse_instant
from .normalization import normalize_filter
from .query import get_scim_query
from .resolver import AttributeRef, UnknownAttribute, resolve
from .settings import scim_settings

__all__ = [
    "Binary",
    "FilterCompiler",
    "LocatedFilterError",
    "SCIMFilterBackend",
    "SCIMSortBackend",
]


#: ``schemas`` (RFC 7643 §3) as filters compare it: "an array of Strings containing URIs",
#: matched ignoring case as schema URIs are everywhere else (the resolver reads
#: ``urn:...`` paths ignoring case), so a string, not a ``reference`` (which is caseExact).
#: Not an attribute of any schema (it is not in /Schemas); only the filter compiler reads it.
_SCHEMAS = Attribute("schemas", AttributeType.STRING, multi_valued=True, case_exact=False)


def uuid_text(column: str) -> Any:
    """A UUID column as its canonical text, ``2819c223-7f76-453a-919d-413861904646``.

    The same on every database: PostgreSQL's and MariaDB's own text forms are hyphenated,
    SQLite stores 32 hex digits; both are reduced to the digits, then hyphenated again.
    """
    digits = Replace(Cast(F(column), CharField()), Value("-"), Value(""), output_field=TextField())
    parts: list[Any] = []
    for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12)):
        if parts:
            parts.append(Value("-"))
        parts.append(Substr(digits, start, length, output_field=TextField()))
    return Concat(*parts, output_field=TextField())


class LocatedFilterError(InvalidFilter):
    """An ``invalidFilter`` about one node of the tree, at ``position`` in the filter text."""

    def __init__(self, detail: str, position: int) -> None:
        super().__init__(detail)
        self.position = position


class _Conditions(FilterVisitor[Q]):
    """A filter tree as one ``Q``: ``leaf`` gives each comparison's condition.

    An error about a leaf is re-raised as a :class:`LocatedFilterError` at the leaf's
    position, unless a leaf inside it (of a value path) has already located it.
    """

    def __init__(self, leaf: Callable[[Leaf], Q]) -> None:
        self._leaf = leaf

    def leaf(self, node: Leaf) -> Q:
        try:
            return self._leaf(node)
        except InvalidFilterError as exc:
            if isinstance(exc, LocatedFilterError) or node.position is None:
                raise
            raise LocatedFilterError(str(exc), node.position) from exc

    def all_of(self, results: Iterable[Q]) -> Q:
        return reduce(and_, results, Q())

    def any_of(self, results: Iterable[Q]) -> Q:
        return reduce(or_, results, NONE)

    def negate(self, result: Q) -> Q:
        return ~result


class FilterCompiler:
    """Compile filter trees to ``Q`` objects for one resource serializer.

    Subclass it (and name it in ``SCIMFilterBackend.compiler_class``) to give an attribute
    a different database expression: override :meth:`compile_comparison`, or
    :meth:`resolve` to read names differently. ``SCIMSortBackend`` uses the same compiler
    for ``sortBy``, through :meth:`resolve`, :meth:`column`, :meth:`search_path`,
    :meth:`value_rows` and :meth:`relation`.

    An error about one comparison is raised as a :class:`LocatedFilterError` carrying the
    position of that comparison in the filter text.
    """

    def __init__(self, serializer_class: Any) -> None:
        self.serializer = serializer_class
        self.schemas = serializer_class.get_schemas()
        self.record = serializer_class.record_name
        self.value_model = serializer_class.get_storage().value_model

    # -- resolution ------------------------------------------------------------------

    def resolve(self, path: AttributePath) -> AttributeRef:
        """The attribute a path names, ignoring case (RFC 7643 §2.1), if it can be filtered.

        Raises ``invalidFilter`` for an unknown attribute and for secrets (``writeOnly``
        or ``returned: never``, RFC 7643 §2.2). Sorting resolves ``sortBy`` here too.
        """
        try:
            resolved = resolve(self.schemas, path.schema, path.attribute, path.sub_attribute)
        except UnknownAttribute as exc:
            if exc.missing == "schema":
                raise InvalidFilter(f"Unknown schema {path.schema!r} in filter.") from exc
            raise InvalidFilter(f"Unknown attribute {str(path)!r} in filter.") from exc
        for definition in (resolved.attribute, resolved.sub_attribute):
            if definition is not None and not is_searchable(definition):
                raise InvalidFilter(f"{resolved.name} cannot be filtered.")
        return resolved

    # -- the tree --------------------------------------------------------------------

    def compile(self, node: Filter) -> Q:
        """The ``Q`` object for a whole filter tree."""
        return _Conditions(self._compile_leaf).visit(node)

    def _compile_leaf(self, node: Leaf) -> Q:
        if isinstance(node, ValuePath):
            return self.compile_value_path(node)
        path = node.attribute
        if (
            path.schema is None
            and path.sub_attribute is None
            and path.attribute.lower() == "schemas"
        ):
            if isinstance(node, Present):
                return self.compile_schemas("pr", None)
            return self.compile_schemas(node.operator, node.value)
        if isinstance(node, Present):
            return self.compile_present(self.resolve(node.attribute))
        return self.compile_comparison(self.resolve(node.attribute), node.operator, node.value)

    def compile_present(self, target: AttributeRef) -> Q:
        """``pr``: the attribute has a non-empty value (RFC 7644 §3.4.2.2)."""
        special = self._special(target, "pr", None)
        if special is not None:
            return special
        if target.attribute.multi_valued:
            condition = Q()
            if target.sub_attribute is not None:
                condition = present_condition(
                    f"search__{target.sub_attribute.name}", target.sub_attribute
                )
            return self._exists(target, condition)
        return present_condition(self.search_path(target), target.definition)

    def compile_comparison(self, target: AttributeRef, operator: str, literal: Any) -> Q:
        """One ``attrPath op value`` comparison (RFC 7644 §3.4.2.2, Table 3)."""
        if operator == "ne":
            return ~self.compile_comparison(target, "eq", literal)
        special = self._special(target, operator, literal)
        if special is not None:
            return special
        if target.attribute.multi_valued:
            sub = target.sub_attribute or target.attribute.get("value")
            if target.attribute.is_complex and sub is None:
                raise InvalidFilter(f"{target.name} is complex: name a sub-attribute.")
            indexed = operator == "eq" and (sub is None or sub.name == "value")
            condition = self._element(target.attribute, sub, operator, literal)
            return self._exists(target, condition, indexed=indexed)
        if target.definition.is_complex:
            raise InvalidFilter(f"{target.name} is complex: name a sub-attribute.")
        return search_condition(
            self.search_path(target), target.definition, operator, literal, target.name
        )

    def compile_schemas(self, operator: str, literal: Any) -> Q:
        """``schemas eq "<extension URN>"``: resources carrying that extension (RFC 7643 §3).

        Every operator applies, ``schemas`` being strings (RFC 7644 §3.4.2.2); it is
        compared with each schema URI the resource type has, in Python, and the
        condition is that the resource carries one of those that match. Every resource
        carries its core schema; an extension, when it has a value for one of its
        attributes (it is then listed in the resource's ``schemas``).
        """
        if operator == "ne":
            return ~self.compile_schemas("eq", literal)
        if operator == "pr":
            return ALL
        check_comparison(_SCHEMAS, operator, literal, "schemas", InvalidFilter)
        if not isinstance(literal, str) and literal is not None:
            raise InvalidFilter("schemas is a list of URIs: compare it with a string.")
        condition = NONE
        if matches(_SCHEMAS, self.schemas.core.id, operator, literal):
            return ALL
        for extension in self.schemas.extensions:
            if matches(_SCHEMAS, extension.id, operator, literal):
                condition |= self.carries(extension)
        return condition

    def carries(self, extension: Any) -> Q:
        """Resources with a value for some attribute of ``extension``.

        Its singular attributes are in the record's search document under its URN (which
        holds only values, see :func:`drf_scim.storage.build_search`), its multi-valued
        ones in the values table.
        """
        condition = Q(**{f"{self.record}__search__{extension.id}__isnull": False})
        multi_valued = [f"{extension.id}:{a.name}" for a in extension if a.multi_valued]
        if multi_valued:
            rows = self.value_model._default_manager.filter(
                attribute__in=multi_valued, record=OuterRef(f"{self.record}__pk")
            )
            condition |= Q(Exists(rows))
        return condition

    def compile_value_path(self, node: ValuePath) -> Q:
        """``emails[type eq "work" and value co "@example.com"]``: one value matches all."""
        target = self.resolve(node.attribute)
        if not target.attribute.multi_valued or not target.attribute.is_complex:
            raise InvalidFilter(f"{target.name}[...] needs a multi-valued complex attribute.")
        relation = self.relation(target)
        if relation is not None:
            return self._relation_filter(relation, node.value_filter)
        return self._exists(target, self._element_filter(target.attribute, node.value_filter))

    def relation(self, target: AttributeRef) -> Any:
        """The relation (``members``, ``groups``) an attribute is held in, if any."""
        if target.urn is not None:
            return None
        return self.serializer.get_relations().get(target.attribute.name)

    def _relation_filter(self, relation: Any, node: Filter) -> Q:
        """``members[value eq "<id>" or value eq "<id>"]``: each leaf is one membership test."""
        return _Conditions(lambda leaf: self._relation_leaf(relation, leaf)).visit(node)

    def _relation_leaf(self, relation: Any, node: Leaf) -> Q:
        if isinstance(node, ValuePath) or node.attribute.sub_attribute is not None:
            raise InvalidFilter("Value filters cannot be nested.")
        if isinstance(node, Present):
            return relation.condition(node.attribute.attribute, "pr", None)  # type: ignore[no-any-return]
        return relation.condition(  # type: ignore[no-any-return]
            node.attribute.attribute, node.operator, node.value
        )

    # -- multi-valued attributes: conditions on one row of the values table ------------

    def _element_filter(self, attribute: Attribute, node: Filter) -> Q:
        """A value filter's conditions on one row of the values table."""
        return _Conditions(lambda leaf: self._element_leaf(attribute, leaf)).visit(node)

    def _element_leaf(self, attribute: Attribute, node: Leaf) -> Q:
        if isinstance(node, ValuePath):
            raise InvalidFilter("Value filters cannot be nested.")
        sub = attribute.get(node.attribute.attribute)
        if sub is None or node.attribute.sub_attribute is not None:
            raise InvalidFilter(
                f"Unknown attribute '{node.attribute}' of {attribute.name} in filter."
            )
        if isinstance(node, Present):
            return present_condition(f"search__{sub.name}", sub)
        if node.operator == "ne":
            return ~self._element(attribute, sub, "eq", node.value)
        return self._element(attribute, sub, node.operator, node.value)

    def _element(
        self, attribute: Attribute, sub: Attribute | None, operator: str, literal: Any
    ) -> Q:
        name = f"{attribute.name}.{sub.name}" if sub is not None else attribute.name
        if sub is None:  # a multi-valued attribute of simple values: compare value_key
            return value_key_condition(attribute, operator, literal, name)
        if sub.name == "value" and operator == "eq" and sub.type in STRING_TYPES:
            text = literal_text(sub, literal, name)
            form = comparable(sub, text)
            condition = Q(value_key=index_key(sub, text))
            if len(form) > KEY_LENGTH:
                condition &= search_condition("search__value", sub, "eq", literal, name)
            return condition
        return search_condition(f"search__{sub.name}", sub, operator, literal, name)

    def value_rows(self, target: AttributeRef) -> Any:
        """The rows of a multi-valued attribute in the values table, of every resource."""
        name = target.attribute.name
        key = f"{target.urn}:{name}" if target.urn else name
        return self.value_model._default_manager.filter(attribute=key)

    def column(self, target: AttributeRef) -> str | None:
        """The lookup of the column an attribute is held in, for those that have one.

        ``id``, ``externalId``, ``meta.created``, ``meta.lastModified`` and the
        serializer's unique key (``userName``). Sorting orders by these columns.
        """
        if target.urn is not None:
            return None
        columns = {
            "id": f"{self.record}__id",
            "externalId": f"{self.record}__external_id",
            "meta.created": self.created_column(),
            "meta.lastModified": f"{self.record}__last_modified",
        }
        key_field = self.serializer.unique_key_field
        if key_field:
            columns[self.serializer.unique_key_attribute] = f"{self.record}__{key_field}"
        return columns.get(target.name)

    def _exists(self, target: AttributeRef, condition: Q, *, indexed: bool = False) -> Q:
        """Some value row of ``target`` meets ``condition``.

        ``indexed`` conditions (``value_key =``) run as ``pk IN (rows)``, which every
        database drives from the ``(attribute, value_key)`` index; others as a correlated
        ``EXISTS`` (SQLite would otherwise probe the values once per resource).
        """
        rows = self.value_rows(target)
        if indexed:
            return Q(**{f"{self.record}__pk__in": rows.filter(condition).values("record")})
        return Q(Exists(rows.filter(condition, record=OuterRef(f"{self.record}__pk"))))

    # -- comparisons on a JSON path of a search document ------------------------------

    def search_path(self, target: AttributeRef) -> str:
        """The lookup of a singular attribute in the record's search document."""
        parts = [self.record, "search"]
        if target.urn:
            parts.append(target.urn)
        parts.append(target.attribute.name)
        if target.sub_attribute is not None:
            parts.append(target.sub_attribute.name)
        return "__".join(parts)

    # -- attributes held in columns ---------------------------------------------------

    def _special(self, target: AttributeRef, operator: str, literal: Any) -> Q | None:
        """Expressions declared in ``filter_map``, then indexed columns.

        ``id``, ``externalId``, ``meta.*`` and ``userName eq`` use their own columns.
        """
        declared = self.serializer.get_filter_expression(target.name)
        if declared is not None:
            return expression_condition(declared, target.definition, operator, literal, target.name)
        relation = self.relation(target)
        if relation is not None:
            sub = target.sub_attribute.name if target.sub_attribute is not None else None
            return relation.condition(sub, operator, literal)  # type: ignore[no-any-return]
        name = target.attribute.name
        if target.urn is not None:
            return None
        if name == "id":
            return self._id(operator, literal)
        if name == "externalId":
            return column_condition(
                f"{self.record}__external_id", target.attribute, operator, literal, name
            )
        if name == "meta":
            return self._meta(target, operator, literal)
        key_field = self.serializer.unique_key_field
        if name == self.serializer.unique_key_attribute and operator == "eq" and key_field:
            text = literal_text(target.attribute, literal, name)
            return Q(**{f"{self.record}__{key_field}": self.serializer.unique_key(text)})
        return None

    def _id(self, operator: str, literal: Any) -> Q:
        """``id``, a caseExact string (RFC 7643 §3.1): every string operator applies.

        ``eq`` uses the primary key's index; the others compare the id's text.
        """
        if operator == "pr":
            return ALL
        if not isinstance(literal, str):
            raise InvalidFilter("id is a string: compare it with a string.")
        if operator == "eq":
            try:
                value = uuid.UUID(literal)
            except ValueError:
                return NONE
            # caseExact: only the form drf-scim returns is that id, not "{...}" or upper case.
            return Q(**{f"{self.record}__id": value}) if str(value) == literal else NONE
        if operator in ("co", "sw", "ew") and literal == "":
            return ALL
        return Q(text_condition(uuid_text(f"{self.record}__id"), operator, literal))

    def _meta(self, target: AttributeRef, operator: str, literal: Any) -> Q:
        sub = target.sub_attribute.name if target.sub_attribute else None
        if sub == "resourceType":
            matches = operator == "pr" or (
                operator == "eq" and literal == self.serializer.resource_type  # caseExact
            )
            return ALL if matches else NONE
        columns = {
            "created": self.created_column(),
            "lastModified": f"{self.record}__last_modified",
        }
        if sub not in columns:
            raise InvalidFilter(f"{target.name} cannot be filtered.")
        path = columns[sub]
        if operator == "pr":
            return Q(**{f"{path}__isnull": False})
        moment = parse_instant(literal) if isinstance(literal, str) else None
        if moment is None or operator not in ("eq", *ORDERING):
            raise InvalidFilter(
                f"meta.{sub} is a dateTime: compare it with eq, gt, ge, lt or "
                'le and a dateTime such as "2011-05-13T04:42:34Z".'
            )
        lookup = (
            "exact"
            if operator == "eq"
            else {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}[operator]
        )
        return Q(**{f"{path}__{lookup}": moment})

    def created_column(self) -> str:
        """The lookup of the ``meta.created`` column: the serializer's mapping, if any."""
        mapping = self.serializer.get_mapping("meta.created")
        return mapping.lookup if mapping is not None else f"{self.record}__created"


class SCIMFilterBackend(BaseFilterBackend):
    """Apply the ``filter`` parameter (RFC 7644 §3.4.2.2) to the view's queryset."""

    filter_param = "filter"
    compiler_class: type[FilterCompiler] = FilterCompiler

    def get_compiler(self, view: Any) -> FilterCompiler:
        """The compiler for the view's resource. Override to swap in your own."""
        return self.compiler_class(view.get_serializer_class())

    def parse(self, text: str) -> Filter:
        """Parse the filter, within ``FILTER_MAX_LENGTH`` and ``FILTER_MAX_DEPTH``.

        Called once per request (the query keeps the tree); a syntax error is
        ``invalidFilter`` with the parser's message and position. Unless ``STRICT``,
        identity providers' dialects are read first (:func:`normalize_filter`).
        """
        if not scim_settings.STRICT:
            text = normalize_filter(text)
        try:
            return parse_filter(
                text,
                max_length=int(scim_settings.FILTER_MAX_LENGTH),
                max_depth=int(scim_settings.FILTER_MAX_DEPTH),
            )
        except FilterSyntaxError as exc:
            raise InvalidFilter(str(exc)) from exc

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        query = get_scim_query(request, view)
        tree = query.get_filter(self.parse, self.filter_param)
        if tree is None:
            return queryset
        text = str(query.get(self.filter_param))
        try:
            condition = self.get_compiler(view).compile(tree)
        except LocatedFilterError as exc:
            detail = str(exc.detail).rstrip(".")
            raise InvalidFilter(f"{detail} (at position {exc.position}: {text[:200]!r}).") from exc
        return queryset.filter(condition)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.filter_param,
                "required": False,
                "in": "query",
                "description": 'A SCIM filter (RFC 7644 §3.4.2.2), e.g. userName eq "bjensen".',
                "schema": {"type": "string"},
            }
        ]


class SCIMSortBackend(BaseFilterBackend):
    """Apply ``sortBy`` and ``sortOrder`` (RFC 7644 §3.4.2.3); ties are broken by ``pk``."""

    sort_by_param = "sortBy"
    sort_order_param = "sortOrder"

    def get_compiler(self, view: Any) -> FilterCompiler:
        """The compiler of the view's :class:`SCIMFilterBackend`, else a ``FilterCompiler``.

        ``sortBy`` names attributes as filters do, so a ``compiler_class`` (or a
        ``get_compiler()``) given to the filter backend serves sorting too.
        """
        for backend in getattr(view, "filter_backends", ()):
            if isinstance(backend, type) and issubclass(backend, SCIMFilterBackend):
                return backend().get_compiler(view)
        return FilterCompiler(view.get_serializer_class())

    def _column_sort(self, compiler: FilterCompiler, target: AttributeRef) -> Any:
        column = compiler.column(target)
        if column is None:
            return None
        if target.name == "id":
            # As text: MariaDB's native UUID type orders by its last group first.
            return Binary(Cast(F(column), CharField()))
        if target.definition.type is AttributeType.DATETIME:
            return F(column)
        return Binary(F(column))

    def get_sort_expression(self, compiler: FilterCompiler, target: AttributeRef) -> Any:
        """The expression a resource is sorted by. Override to sort an attribute your way."""
        declared = compiler.serializer.get_filter_expression(target.name)
        if declared is not None:
            definition = target.definition
            if definition.type in STRING_TYPES and not definition.case_exact:
                return Lower(declared)
            return declared
        column = self._column_sort(compiler, target)
        if column is not None:
            return column
        record = compiler.record
        if compiler.relation(target) is not None:
            raise InvalidValue(f"sortBy: {target.name} cannot be sorted by.")
        if target.attribute.multi_valued:
            rows = (
                compiler.value_rows(target)
                .filter(record=OuterRef(f"{record}__pk"))
                .order_by(F("primary").desc(nulls_last=True), "position")
            )
            if not target.attribute.is_complex:
                return Binary(Subquery(rows.values("value_key")[:1]))
            sub = target.sub_attribute.name if target.sub_attribute is not None else "value"
            rows = rows.annotate(_sort=json_text(f"search__{sub}"))  # in full, not the key
            return Binary(Subquery(rows.values("_sort")[:1]))
        definition = target.definition
        if definition.is_complex:
            raise InvalidValue(f"sortBy: {target.name} is complex; name a sub-attribute.")
        path = compiler.search_path(target)
        if definition.type in (AttributeType.INTEGER, AttributeType.DECIMAL):
            return Cast(json_text(path), FloatField())
        return Binary(json_text(path))

    def descending(self, request: Request, view: Any) -> bool:
        """The ``sortOrder`` parameter: ascending (the default) or descending, else 400."""
        order = get_scim_query(request, view).get(self.sort_order_param)
        if order is not None and (
            not isinstance(order, str) or order.lower() not in ("ascending", "descending")
        ):
            raise InvalidValue('sortOrder must be "ascending" or "descending".')
        return order is not None and order.lower() == "descending"

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        sort_by = get_scim_query(request, view).get(self.sort_by_param)
        descending = self.descending(request, view)
        if sort_by is None or (isinstance(sort_by, str) and not sort_by.strip()):
            return queryset
        if not isinstance(sort_by, str):
            raise InvalidValue("sortBy must be a string.")
        try:
            path = parse_attribute_path(sort_by.strip(), max_length=1000)
        except FilterSyntaxError as exc:
            raise InvalidValue(f"sortBy: {exc}") from exc
        compiler = self.get_compiler(view)
        try:
            target = compiler.resolve(path)
        except InvalidFilterError as exc:  # a compiler_class may raise the pure error
            raise InvalidValue(f"sortBy: {exc}") from exc
        expression = self.get_sort_expression(compiler, target)
        # RFC 7644 §3.4.2.3: resources without a value sort last ascending, first descending.
        if descending:
            ordering = expression.desc(nulls_first=True)
        else:
            ordering = expression.asc(nulls_last=True)
        return queryset.order_by(ordering, "pk")

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.sort_by_param,
                "required": False,
                "in": "query",
                "description": "Attribute to sort by (RFC 7644 §3.4.2.3).",
                "schema": {"type": "string"},
            },
            {
                "name": self.sort_order_param,
                "required": False,
                "in": "query",
                "description": "ascending (default) or descending.",
                "schema": {"type": "string", "enum": ["ascending", "descending"]},
            },
        ]
