"""The PATCH and validation core imports neither DRF nor Django (design notes, "A pure core").

RFC 7644 §3.5.2 and RFC 7643 §2 are applied by :mod:`drf_scim.patch`,
:mod:`drf_scim.normalization` and :mod:`drf_scim.validation` to plain data; each check
runs in a fresh interpreter, so that no earlier test has loaded Django already.

``PENDING`` lists the query side's modules that still import Django or DRF
(``drf_scim.paths`` raises ``drf_scim.exceptions``, ``drf_scim.indexing`` uses
``django.utils.dateparse``) and are being made pure on their own branch: what only they
import is not counted. Once they are pure, ``PENDING`` is emptied and the check covers
everything the three modules load.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("drf_scim.patch", "drf_scim.normalization", "drf_scim.validation")
PENDING = ("drf_scim.paths", "drf_scim.indexing")

# Records every import statement run by a drf_scim module, then walks the import graph
# from the roots without entering the pending modules, and prints the impure modules it
# reaches with the chain that leads to each.
SCRIPT = """
import builtins, importlib, sys

roots, pending = sys.argv[1].split(","), set(filter(None, sys.argv[2].split(",")))
forbidden = ("django", "rest_framework", "drf_scim.exceptions")
edges = {}
real_import = builtins.__import__


def absolute(name, globals_, level):
    if not level:
        return name
    base = (globals_ or {}).get("__package__") or ""
    for _ in range(level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{name}" if name else base


def hook(name, globals_=None, locals_=None, fromlist=(), level=0):
    importer = (globals_ or {}).get("__name__", "")
    if importer.startswith("drf_scim"):
        target = absolute(name, globals_, level)
        targets = edges.setdefault(importer, set())
        targets.add(target)
        targets.update(f"{target}.{item}" for item in fromlist or ())
    return real_import(name, globals_, locals_, fromlist, level)


builtins.__import__ = hook
for root in roots:
    importlib.import_module(root)
chains = {root: [root] for root in roots}
todo = list(roots)
while todo:
    module = todo.pop()
    if module in pending:
        continue
    for target in sorted(edges.get(module, ())):
        if target in sys.modules and target not in chains:
            chains[target] = [*chains[module], target]
            todo.append(target)
bad = sorted(
    " -> ".join(chain)
    for module, chain in chains.items()
    if any(module == f or module.startswith(f + ".") for f in forbidden)
)
print("\\n".join(bad))
"""


def impure_imports(roots, pending=PENDING):
    """The chains of imports by which ``roots`` reach Django, DRF or drf_scim.exceptions."""
    result = subprocess.run(  # noqa: S603 - our own script, run by this interpreter
        [sys.executable, "-c", SCRIPT, ",".join(roots), ",".join(pending)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if line]


def test_patch_normalization_validation_import_no_drf_nor_django():
    """RFC 7644 §3.5.2 (PATCH) and RFC 7643 §2 (validation) are applied by pure code."""
    assert impure_imports(CORE) == []


def test_the_check_sees_an_impure_import():
    """The check itself: drf_scim.exceptions subclasses DRF's APIException."""
    assert "drf_scim.exceptions -> rest_framework" in impure_imports(["drf_scim.exceptions"])
    assert "drf_scim.paths -> drf_scim.exceptions" in impure_imports(["drf_scim.paths"], ())
    assert impure_imports(["drf_scim.paths"]) == []
