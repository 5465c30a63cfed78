"""Attribute paths resolved against a resource's schemas: the one lookup drf-scim does.

Filters (RFC 7644 §3.4.2.2), ``sortBy`` (§3.4.2.3), ``attributes`` and
``excludedAttributes`` (§3.4.2.5) and PATCH paths (§3.5.2) all name attributes the same
way: an optional schema URN (§3.10), an attribute and an optional sub-attribute, every
part case-insensitive (RFC 7643 §2.1). :func:`resolve` turns the three parts into an
:class:`AttributeRef` holding the definitions, or raises :class:`UnknownAttribute`, which
each caller turns into its own error (``invalidFilter``, ``invalidPath``) or ignores.

Nothing here imports Django or DRF.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from .definitions import Attribute, Schema

if TYPE_CHECKING:
    from .validation import ResourceSchemas

__all__ = ["AttributeRef", "UnknownAttribute", "find_extension", "resolve"]


@dataclass(frozen=True)
class AttributeRef:
    """The definitions an attribute path names.

    ``extension`` is the schema extension holding the attribute, ``None`` for core and
    common attributes. A bare extension URN names no attribute: see :func:`find_extension`.
    """

    extension: Schema | None
    attribute: Attribute
    sub_attribute: Attribute | None = None

    @cached_property
    def urn(self) -> str | None:
        """The extension's URN, as the schema spells it, or ``None``."""
        return self.extension.id if self.extension is not None else None

    @cached_property
    def definition(self) -> Attribute:
        """The innermost attribute named: the sub-attribute if any, else the attribute."""
        return self.sub_attribute or self.attribute

    @cached_property
    def name(self) -> str:
        """The path in canonical case: ``name.givenName``, ``<extension URN>:manager``."""
        path = self.attribute.name
        if self.sub_attribute is not None:
            path = f"{path}.{self.sub_attribute.name}"
        return f"{self.urn}:{path}" if self.urn else path


class UnknownAttribute(LookupError):
    """A path names a schema, attribute or sub-attribute the resource does not have.

    ``missing`` says which part. ``extension`` and ``attribute`` hold what was found
    before it (the extension the attribute was looked for in, the attribute the
    sub-attribute was looked for in), so callers can word their error.
    """

    def __init__(
        self,
        missing: Literal["schema", "attribute", "sub-attribute"],
        urn: str | None,
        name: str | None,
        sub: str | None = None,
        *,
        extension: Schema | None = None,
        attribute: Attribute | None = None,
    ) -> None:
        super().__init__(missing, urn, name, sub)
        self.missing = missing
        self.urn = urn
        self.name = name
        self.sub = sub
        self.extension = extension
        self.attribute = attribute


def find_extension(schemas: ResourceSchemas, urn: str) -> Schema:
    """The extension a bare schema URN names (RFC 7644 §3.10), ignoring case."""
    extension = schemas.extension(urn)
    if extension is None:
        raise UnknownAttribute("schema", urn, None)
    return extension


def resolve(
    schemas: ResourceSchemas,
    urn: str | None,
    name: str,
    sub: str | None = None,
    *,
    strict: bool = False,
) -> AttributeRef:
    """Find ``[urn:]name[.sub]`` in ``schemas``, ignoring case (RFC 7643 §2.1).

    ``urn`` may be the core schema's.
    Unless ``strict``, an unqualified ``name`` that is no core or common attribute may
    name the attribute of the one extension that has it (clients often leave the URN
    out). Raises :class:`UnknownAttribute` when any part is not found.
    """
    extension, attribute = _find(schemas, urn, name, strict)
    sub_attribute = None
    if sub is not None:
        sub_attribute = attribute.get(sub) if attribute.is_complex else None
        if sub_attribute is None:
            raise UnknownAttribute(
                "sub-attribute", urn, name, sub, extension=extension, attribute=attribute
            )
    return AttributeRef(extension, attribute, sub_attribute)


def _find(
    schemas: ResourceSchemas, urn: str | None, name: str, strict: bool
) -> tuple[Schema | None, Attribute]:
    if urn is None:
        attribute = schemas.top_level(name)
        if attribute is not None:
            return None, attribute
        if not strict:
            found = [(ext, ext.get(name)) for ext in schemas.extensions]
            candidates = [(ext, attr) for ext, attr in found if attr is not None]
            if len(candidates) == 1:
                return candidates[0]
        raise UnknownAttribute("attribute", urn, name)
    if urn.lower() == schemas.core.id.lower():
        attribute = schemas.top_level(name)
        if attribute is None:
            raise UnknownAttribute("attribute", urn, name)
        return None, attribute
    extension = schemas.extension(urn)
    if extension is None:
        raise UnknownAttribute("schema", urn, name)
    attribute = extension.get(name)
    if attribute is None:
        raise UnknownAttribute("attribute", urn, name, extension=extension)
    return extension, attribute
