"""The pure core imports neither Django nor DRF (docs/architecture/filter-language.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Modules that must import without Django or DRF: the filter language, attribute
#: resolution and comparison, PATCH paths and the PATCH engine (RFC 7644 §3.5.2), the
#: dialect pass and document validation (RFC 7643 §2).
PURE_MODULES = (
    "drf_scim.filter_language",
    "drf_scim.indexing",
    "drf_scim.projection",
    "drf_scim.resolver",
    "drf_scim.comparisons",
    "drf_scim.characteristics",
    "drf_scim.definitions",
    "drf_scim.errors",
    "drf_scim.documents",
    "drf_scim.paths",
    "drf_scim.patch",
    "drf_scim.normalization",
    "drf_scim.validation",
)

CHECK = (
    "import sys; "
    "bad = sorted(m for m in sys.modules if m == 'django' "
    "or m.startswith(('django.', 'rest_framework'))); "
    "assert not bad, bad"
)


def run(code):
    """Run ``code`` in a fresh interpreter, from the checkout's root."""
    command = [sys.executable, "-c", code]
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        command, capture_output=True, text=True, check=False, cwd=ROOT
    )


def test_pure_modules_import_without_django_or_drf():
    result = run(f"import {', '.join(PURE_MODULES)}; {CHECK}")
    assert result.returncode == 0, result.stderr


def test_each_pure_module_imports_alone():
    """Each on its own too: no import cycle that only another module's import hides."""
    for module in PURE_MODULES:
        result = run(f"import {module}; {CHECK}")
        assert result.returncode == 0, (module, result.stderr)


def test_the_check_sees_django():
    """The check above can fail: importing a DRF module trips it."""
    result = run(f"import drf_scim.filters; {CHECK}")
    assert result.returncode != 0
    assert "AssertionError" in result.stderr
