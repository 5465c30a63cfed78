"""The one exception raised for a malformed filter or PATCH path (RFC 7644 §3.4.2.2, §3.5.2)."""

from __future__ import annotations

__all__ = ["FilterSyntaxError"]

#: Inputs longer than this are shown as a window around the error position.
_EXCERPT_WIDTH = 80


class FilterSyntaxError(ValueError):
    """A filter expression or a PATCH path that does not follow the RFC 7644 grammar.

    ``message`` says what was expected, ``position`` is the 0-based character offset in
    ``text`` where parsing stopped.  ``str()`` reads
    ``Expected a comparison operator at position 9: 'userName foo "x"'``, which is fit for
    the ``detail`` of an ``invalidFilter`` or ``invalidPath`` error response (§3.12).
    """

    message: str
    position: int
    text: str

    def __init__(self, message: str, position: int, text: str) -> None:
        super().__init__(message, position, text)
        self.message = message
        self.position = position
        self.text = text

    def __str__(self) -> str:
        return f"{self.message} at position {self.position}: '{self.excerpt}'"

    @property
    def excerpt(self) -> str:
        """The input, or for long inputs the part of it around ``position``."""
        text = self.text
        if len(text) <= _EXCERPT_WIDTH:
            return text
        half = _EXCERPT_WIDTH // 2
        start = max(0, min(self.position - half, len(text) - _EXCERPT_WIDTH))
        end = start + _EXCERPT_WIDTH
        prefix = "..." if start > 0 else ""
        suffix = "..." if end < len(text) else ""
        return f"{prefix}{text[start:end]}{suffix}"
