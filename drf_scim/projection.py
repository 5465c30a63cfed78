"""``attributes`` and ``excludedAttributes``: which attributes a response carries.

RFC 7644 §3.4.2.5 and §3.9, with the ``returned`` characteristic of RFC 7643 §2.2:
``always`` attributes (``id``) are always returned, ``never`` ones (``password``) never,
``request`` ones only when named in ``attributes``. Names are case-insensitive and may be
sub-attributes (``name.givenName``, ``emails.value``), URN-qualified attributes or a whole
extension URN. Names that match no attribute are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .characteristics import Returned
from .definitions import COMMON_ATTRIBUTES, Attribute, Schema
from .resolver import UnknownAttribute, resolve

if TYPE_CHECKING:
    from .validation import ResourceSchemas

__all__ = ["Projection"]

#: (extension URN or None, attribute name or None for a whole extension, sub-attribute name)
_Key = tuple[str | None, str | None, str | None]


def _split(raw: Any) -> list[str]:
    """A comma-separated query parameter or a JSON list (``/.search``), as names."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else str(raw).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _resolve(name: str, schemas: ResourceSchemas) -> _Key | None:
    """The key of an attribute name (RFC 7644 §3.10), or ``None`` when it names nothing."""
    lowered = name.lower()
    urn: str | None = None
    for extension in schemas.extensions:
        prefix = extension.id.lower()
        if lowered == prefix:
            return (extension.id, None, None)
        if lowered.startswith(prefix + ":"):
            urn, name = extension.id, name[len(prefix) + 1 :]
            break
    else:
        core = schemas.core.id.lower()
        if lowered.startswith(core + ":"):
            name = name[len(core) + 1 :]
    attribute, _, sub = name.partition(".")
    try:
        # Strict: an unqualified name is a core or common attribute, never an extension's.
        ref = resolve(schemas, urn, attribute, sub or None, strict=True)
    except UnknownAttribute:
        return None
    sub_name = ref.sub_attribute.name if ref.sub_attribute is not None else None
    return (ref.urn, ref.attribute.name, sub_name)


@dataclass(frozen=True)
class Projection:
    """A resolved ``attributes``/``excludedAttributes`` pair for one resource type."""

    schemas: ResourceSchemas
    attributes: frozenset[_Key] | None = None
    excluded: frozenset[_Key] = frozenset()

    @classmethod
    def from_params(cls, attributes: Any, excluded: Any, schemas: ResourceSchemas) -> Projection:
        """Build from the raw parameters; ``attributes`` wins when both are given."""
        wanted = [k for k in (_resolve(n, schemas) for n in _split(attributes)) if k]
        unwanted = [k for k in (_resolve(n, schemas) for n in _split(excluded)) if k]
        if _split(attributes):
            return cls(schemas, frozenset(wanted))
        return cls(schemas, None, frozenset(unwanted))

    # -- decisions ---------------------------------------------------------------------

    def _listed(self, keys: Iterable[_Key], urn: str | None, name: str) -> tuple[bool, set[str]]:
        """(whole attribute listed, names of the listed sub-attributes)."""
        whole = False
        subs: set[str] = set()
        for key_urn, key_name, key_sub in keys:
            if key_urn != urn:
                continue
            if key_name is None or (key_name == name and key_sub is None):
                whole = True
            elif key_name == name and key_sub is not None:
                subs.add(key_sub)
        return whole, subs

    def selection(self, urn: str | None, attribute: Attribute) -> set[str] | bool:
        """``True`` for the whole attribute, ``False`` for none, or the sub-attributes kept."""
        if attribute.returned is Returned.ALWAYS:
            return True
        if attribute.returned is Returned.NEVER:
            return False
        if self.attributes is not None:
            whole, subs = self._listed(self.attributes, urn, attribute.name)
            if whole:
                return True
            if subs:
                return subs | {
                    s.name for s in attribute.sub_attributes if s.returned is Returned.ALWAYS
                }
            return False
        if attribute.returned is Returned.REQUEST:
            return False
        whole, subs = self._listed(self.excluded, urn, attribute.name)
        if whole:
            return False
        if subs:
            return {s.name for s in attribute.sub_attributes} - subs
        return True

    @cached_property
    def wants_multi_valued(self) -> bool:
        """Whether any multi-valued attribute can appear: if not, skip loading values."""
        return any(
            attribute.multi_valued and self.selection(urn, attribute) is not False
            for urn, attribute in self.schemas.walk()
        )

    # -- shaping -----------------------------------------------------------------------

    def apply(self, document: dict[str, Any]) -> dict[str, Any]:
        """Trim a full response document."""
        if self.attributes is None and not self.excluded:
            return document
        result: dict[str, Any] = {}
        for key, value in document.items():
            if key == "schemas":
                result[key] = value
                continue
            extension = self.schemas.extension(key) if key.startswith("urn:") else None
            trimmed: Any = None
            if extension is not None:
                trimmed = self._trim_extension(extension, value) or None
            else:
                attribute = COMMON_ATTRIBUTES.get(key) or self.schemas.core.get(key)
                if attribute is not None:
                    trimmed = self._trim(None, attribute, value)
            if trimmed is not None:  # false and 0 are values
                result[key] = trimmed
        core = self.schemas.core.id
        result["schemas"] = [u for u in document.get("schemas", []) if u == core or u in result]
        return result

    def _trim_extension(self, extension: Schema, value: dict[str, Any]) -> dict[str, Any]:
        kept = {}
        for attribute in extension:
            if attribute.name in value:
                trimmed = self._trim(extension.id, attribute, value[attribute.name])
                if trimmed is not None:
                    kept[attribute.name] = trimmed
        return kept

    def _trim(self, urn: str | None, attribute: Attribute, value: Any) -> Any:
        selection = self.selection(urn, attribute)
        if selection is True:
            return value
        if selection is False:
            return None
        if isinstance(value, list):
            items = [{k: v for k, v in item.items() if k in selection} for item in value]
            items = [item for item in items if item]
            return items or None
        kept = {k: v for k, v in value.items() if k in selection}
        return kept or None
