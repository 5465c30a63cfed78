"""An MkDocs hook: the repository's CHANGELOG.md served as the page ``changelog.md``.

One file, no copy: the page is generated from CHANGELOG.md at each build, its links into
``docs/`` made relative to the documentation (``docs/conformance.md`` becomes
``conformance.md``) so that ``mkdocs build --strict`` checks them like any other page's.
Configured in mkdocs.yml (``hooks``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

SOURCE = Path(__file__).resolve().parents[2] / "CHANGELOG.md"
DOCS_LINK = re.compile(r"\]\(docs/")


def on_files(files: Files, config: Any) -> Files:
    """Add the generated ``changelog.md`` to the documentation's files."""
    content = DOCS_LINK.sub("](", SOURCE.read_text(encoding="utf-8"))
    files.append(File.generated(config, "changelog.md", content=content))
    return files


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """``mkdocs serve`` rebuilds when CHANGELOG.md changes."""
    server.watch(str(SOURCE))
    return server
