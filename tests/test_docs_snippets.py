"""Every ```python block of README.md and docs/**/*.md runs as shown, against this project.

Each block is one test, named ``file:line`` (the line of its opening fence). It runs on
its own: the imports it needs are in the block, nothing carries over from an earlier
block of the page. It runs in a namespace that also holds the test project's settings
(``INSTALLED_APPS``, ``MIDDLEWARE``...), copied, so that a settings fragment such as
``INSTALLED_APPS += ["drf_scim"]`` evaluates; a ``DRF_SCIM`` dict a block leaves behind
must pass the settings checks (``drf_scim.E001``-``E007``). An environment variable a
block reads as ``os.environ["NAME"]`` is set to a placeholder. Signal receivers a block
connects are disconnected afterwards, a block's database writes are rolled back, and it
runs in a temporary directory, where the files it writes land.

Conventions for writers:

* ``python`` is for Python a reader could paste into a module of their project. A shell
  session is ``sh``, output is ``text``, an interactive session is ``pycon``.
* The reader's own code is imported from ``myapp`` (``from myapp.models import ApiKey``):
  here ``myapp`` and its submodules are stand-ins whose every name is a placeholder
  (a ``MagicMock``), so that the rest of the block runs.
* A block that cannot run here at all (it declares models of the reader's own app, say)
  is preceded, on the line just before its fence, by
  ``<!-- snippet: no-run: the reason -->``. Such a block is still compiled, so its
  syntax is checked. Use it sparingly and always give the reason.
"""

from __future__ import annotations

import copy
import importlib.abc
import importlib.machinery
import re
import sys
import types
import warnings
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.dispatch import Signal
from django.test import override_settings

from drf_scim.checks import check_settings

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^`\s]*)[^`]*$")
ENVIRON = re.compile(r"""os\.environ\[["'](\w+)["']\]""")
NO_RUN = re.compile(r"^\s*<!--\s*snippet:\s*no-run:\s*(?P<reason>\S.*?)\s*-->\s*$")


def documentation_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def python_blocks(path: Path) -> list[tuple[int, str, str | None]]:
    """The ```python blocks of ``path``: (fence line, source, no-run reason or None)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent = opening["indent"]
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if opening["info"] == "python":
            body = [line.removeprefix(indent) for line in lines[index + 1 : end]]
            marker = NO_RUN.match(lines[index - 1]) if index else None
            reason = marker["reason"] if marker else None
            blocks.append((index + 1, "\n".join(body) + "\n", reason))
        index = end + 1
    return blocks


SNIPPETS = [
    pytest.param(path, line, source, reason, id=f"{path.relative_to(ROOT)}:{line}")
    for path in documentation_files()
    for line, source, reason in python_blocks(path)
]


@pytest.fixture
def connected_receivers(monkeypatch):
    """Record the receivers a snippet connects, and disconnect them at the end."""
    connected = []
    connect = Signal.connect

    def recording_connect(signal, receiver, sender=None, weak=True, dispatch_uid=None):
        connected.append((signal, receiver, sender, dispatch_uid))
        return connect(signal, receiver, sender=sender, weak=weak, dispatch_uid=dispatch_uid)

    monkeypatch.setattr(Signal, "connect", recording_connect)
    yield connected
    for signal, receiver, sender, dispatch_uid in connected:
        signal.disconnect(receiver, sender=sender, dispatch_uid=dispatch_uid)


def placeholder(dotted_name: str) -> mock.MagicMock:
    """A stand-in for a name of the reader's project: a mock that also has a ``__name__``."""
    stand_in = mock.MagicMock(name=dotted_name)
    stand_in.__name__ = stand_in.__qualname__ = dotted_name.rpartition(".")[2]
    return stand_in


class StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``myapp`` and ``myapp.*`` as modules whose every name is a placeholder."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "myapp" or fullname.startswith("myapp."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__path__ = []
        module.__getattr__ = lambda name: placeholder(f"{spec.name}.{name}")
        return module

    def exec_module(self, module):
        pass


@pytest.fixture
def stand_in_myapp(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [StandInFinder(), *sys.meta_path])
    yield
    for name in [name for name in sys.modules if name.split(".")[0] == "myapp"]:
        del sys.modules[name]


def settings_namespace() -> dict:
    """The test project's settings, copied, as a settings module's globals would be.

    Without the defaults Django deprecates (``EMAIL_BACKEND`` on Django 6.1): reading one
    warns, and no settings module of ours sets them.
    """
    namespace = {}
    for name in dir(settings):
        if not name.isupper():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            warnings.simplefilter("error", PendingDeprecationWarning)
            try:
                value = getattr(settings, name)
            except (DeprecationWarning, PendingDeprecationWarning):
                continue
        namespace[name] = copy.deepcopy(value)
    namespace.setdefault("BASE_DIR", ROOT)  # as startproject's settings.py defines it
    return namespace


def test_the_documentation_has_python_snippets():
    assert len(SNIPPETS) > 20


def test_every_no_run_marker_precedes_a_python_block():
    """A marker elsewhere (before a ``sh`` block, or with a blank line between) would
    leave the block it meant to mark running, or mark nothing; and a marker needs a reason."""
    misplaced = []
    for path in documentation_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if "snippet:" not in line:
                continue
            following = lines[number] if number < len(lines) else ""
            fence = FENCE.match(following)
            if NO_RUN.match(line) is None or fence is None or fence["info"] != "python":
                misplaced.append(f"{path.relative_to(ROOT)}:{number}")
    assert misplaced == []


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "line", "source", "reason"), SNIPPETS)
def test_snippet_runs(
    path, line, source, reason, connected_receivers, stand_in_myapp, tmp_path, monkeypatch
):
    code = compile(source, f"{path.relative_to(ROOT)}:{line}", "exec")
    if reason is not None:
        return  # compiled only: the block says why it cannot run here
    monkeypatch.chdir(tmp_path)  # files a block writes land there
    for name in ENVIRON.findall(source):  # a production setting read from the environment
        monkeypatch.setenv(name, f"placeholder-{name.lower()}")
    namespace = {"__name__": "docs_snippet", **settings_namespace()}
    exec(code, namespace)  # noqa: S102 - our own documentation
    if isinstance(namespace.get("DRF_SCIM"), dict):
        with override_settings(DRF_SCIM=namespace["DRF_SCIM"]):
            assert check_settings() == []
