"""Parsers for ``application/scim+json`` and ``application/json`` bodies (RFC 7644 §3.1).

Every SCIM request body is a JSON object. Bodies that are not UTF-8, not strict JSON (no
``NaN``), nested too deeply for Python's parser, not an object, or larger than the
``MAX_PAYLOAD_SIZE`` setting are rejected with a SCIM error before a view sees them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any, NoReturn

from rest_framework.parsers import BaseParser

from .constants import MEDIA_TYPE
from .exceptions import InvalidSyntax, PayloadTooLarge
from .settings import scim_settings

__all__ = ["SCIMJSONParser", "SCIMParser"]


#: SCIM documents are shallow; deeper bodies are refused before anything walks them.
MAX_DEPTH = 32


def _reject_constant(name: str) -> NoReturn:
    msg = f"{name} is not valid JSON."
    raise ValueError(msg)


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        msg = f"the number {text[:40]} is out of range."
        raise ValueError(msg)
    return value


def _check_structure(data: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings that are not Unicode text.

    JSON allows escapes of lone surrogates (RFC 8259 §8.2), which no database can store.
    The walk is iterative, so no body can exhaust the stack.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidSyntax(f"The request body is nested deeper than {MAX_DEPTH} levels.")
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InvalidSyntax("The request body contains a lone surrogate escape.") from exc


class SCIMParser(BaseParser):
    """Parse an ``application/scim+json`` body into a dict."""

    media_type = MEDIA_TYPE

    def get_max_size(self) -> int:
        """The largest body accepted, in bytes. Override to vary it per view."""
        return int(scim_settings.MAX_PAYLOAD_SIZE)

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        limit = self.get_max_size()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and str(declared).isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
        try:
            text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
            data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
        except UnicodeDecodeError as exc:
            raise InvalidSyntax("The request body is not UTF-8.") from exc
        except RecursionError as exc:
            raise InvalidSyntax("The request body is nested too deeply.") from exc
        except ValueError as exc:
            raise InvalidSyntax(f"The request body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidSyntax("The request body must be a JSON object.")
        _check_structure(data)
        return data


class SCIMJSONParser(SCIMParser):
    """The same, for clients that send ``application/json`` (RFC 7644 §3.1 allows it)."""

    media_type = "application/json"
