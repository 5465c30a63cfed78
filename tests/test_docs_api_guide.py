"""The API guide (docs/api-guide/) against the code it documents, so that neither drifts."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "drf_scim"
API_GUIDE = ROOT / "docs" / "api-guide"
CHECK_ID = re.compile(r"drf_scim\.[CDEIW]\d{3}")


def defined_check_ids() -> set[str]:
    """Every check id the package's code defines: a string literal that is an id, whole.

    Docstrings and comments that mention an id are not definitions: a docstring is a
    longer string, and comments are not in the syntax tree.
    """
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and CHECK_ID.fullmatch(node.value):
                found.add(node.value)
    return found


def documented_check_ids() -> list[str]:
    """The ids that docs/api-guide/checks.md gives a section of their own (``### `id```)."""
    text = (API_GUIDE / "checks.md").read_text(encoding="utf-8")
    return re.findall(r"^### `(drf_scim\.[A-Z]\d{3})`$", text, flags=re.MULTILINE)


def test_code_defines_check_ids():
    """The scan itself finds ids, including both places ids are written."""
    ids = defined_check_ids()
    assert "drf_scim.E001" in ids  # checks.py: checks.Error(..., id=...)
    assert "drf_scim.E013" in ids  # mapping.py: MappingError("drf_scim.E013", ...)


def test_checks_page_lists_exactly_the_check_ids_of_the_code():
    documented = documented_check_ids()
    assert len(documented) == len(set(documented)), "an id has two sections"
    assert set(documented) == defined_check_ids(), (
        f"undocumented: {sorted(defined_check_ids() - set(documented))}; "
        f"documented but not in the code: {sorted(set(documented) - defined_check_ids())}"
    )
    assert documented == sorted(documented), "keep the sections in id order"


def reference_identifiers() -> list[str]:
    """The ``::: dotted.name`` identifiers of docs/api-guide/reference.md (mkdocstrings)."""
    text = (API_GUIDE / "reference.md").read_text(encoding="utf-8")
    return re.findall(r"^::: ([\w.]+)$", text, flags=re.MULTILINE)


def resolve(identifier: str) -> object:
    """Import ``identifier``: a module, or a module's attribute (``a.b.Name``)."""
    try:
        return importlib.import_module(identifier)
    except ModuleNotFoundError:
        module, _, name = identifier.rpartition(".")
        return getattr(importlib.import_module(module), name)


def test_reference_page_documents_modules():
    identifiers = reference_identifiers()
    assert "drf_scim.routers" in identifiers
    assert len(identifiers) == len(set(identifiers))


@pytest.mark.parametrize("identifier", reference_identifiers())
def test_reference_identifier_resolves_by_import(identifier):
    assert resolve(identifier) is not None


def reference_modules() -> list[str]:
    """The identifiers of reference.md that are whole modules."""
    found = []
    for identifier in reference_identifiers():
        try:
            importlib.import_module(identifier)
        except ModuleNotFoundError:
            continue
        found.append(identifier)
    return found


@pytest.mark.parametrize("identifier", reference_modules())
def test_reference_module_exports_only_what_exists(identifier):
    """mkdocstrings renders a module's ``__all__``: it must exist, and each of its names."""
    module = importlib.import_module(identifier)
    exported = getattr(module, "__all__", None)
    assert exported, f"{identifier} has no __all__: the reference would show private names"
    assert [name for name in exported if not hasattr(module, name)] == []
