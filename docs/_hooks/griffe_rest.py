"""A griffe extension: the docstrings' reStructuredText read as Markdown by mkdocstrings.

drf-scim's docstrings are written in DRF's reST idiom (``code``, :class:`Name`, a literal
block after ``::``). Markdown already reads ````code```` as code; this rewrites the rest:
a role becomes a code span (``~`` keeping the last part of the name, as Sphinx does), and
a paragraph's closing ``::`` a colon (a ``::`` alone goes), its indented block then being
a Markdown code block.
Configured in mkdocs.yml (``plugins: mkdocstrings: ... extensions``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:attr|class|data|exc|func|meth|mod|obj):`(~?)([^`]+)`")
LITERAL = re.compile(r"(?<=\S)::$", re.MULTILINE)
BARE_LITERAL = re.compile(r"^[ \t]*::$", re.MULTILINE)


def _role(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"`{target.rpartition('.')[2] if tilde else target}`"


def to_markdown(text: str) -> str:
    """``text``, a reST docstring, as mkdocstrings' Markdown renders it."""
    return BARE_LITERAL.sub("", LITERAL.sub(":", ROLE.sub(_role, text)))


class ReSTRoles(griffe.Extension):
    """Rewrite every docstring with :func:`to_markdown` as griffe loads it."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
