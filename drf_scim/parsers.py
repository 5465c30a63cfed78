"""Parsers for ``application/scim+json`` and ``application/json`` bodies (RFC 7644 §3.1).

Every SCIM request body is a JSON object. Bodies that are not UTF-8, not strict JSON (no
``NaN``), nested too deeply for Python's parser, not an object, or larger than the
``MAX_PAYLOAD_SIZE`` setting are rejected with a SCIM error before a view sees them.

A body sent without ``Content-Length`` (``Transfer-Encoding: chunked``, RFC 9112 §7.1) is
read by :func:`read_unsized_body` when the server has decoded it, and refused with a 411
when it has not; Django and DRF alone would read it as empty.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from typing import IO, Any, NoReturn, cast

from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest
from rest_framework import status
from rest_framework.parsers import BaseParser

from .constants import MEDIA_TYPE
from .exceptions import InvalidSyntax, PayloadTooLarge, SCIMAPIException
from .settings import scim_settings

__all__ = ["LengthRequired", "SCIMJSONParser", "SCIMParser", "read_unsized_body"]


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


#: A ``\\uXXXX`` escape of a UTF-16 surrogate: the only way a lone surrogate gets into
#: a string parsed from UTF-8 text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_structure(data: Any, text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings that are not Unicode text.

    JSON allows escapes of lone surrogates (RFC 8259 §8.2), which no database can store;
    strings are only looked at when ``text``, the body, has a surrogate escape. The walk
    is iterative, so no body can exhaust the stack, and visits containers only.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if value and depth >= MAX_DEPTH:  # its values are one level deeper
            raise InvalidSyntax(f"The request body is nested deeper than {MAX_DEPTH} levels.")
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, (dict, list)))
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
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
        _check_structure(data, text)
        return data


class SCIMJSONParser(SCIMParser):
    """The same, for clients that send ``application/json`` (RFC 7644 §3.1 allows it)."""

    media_type = "application/json"


class LengthRequired(SCIMAPIException):
    """A body sent in chunks that the server cannot read without ``Content-Length``.

    RFC 9110 §15.5.12: 411, the server "refuses to accept the request without a defined
    Content-Length". It is not among RFC 7644 §3.12's statuses, and has no ``scimType``.
    """

    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_detail = "Send the request body with a Content-Length header."
    default_code = "length_required"


def _declared_length(request: HttpRequest) -> int | None:
    text = request.META.get("CONTENT_LENGTH") or request.META.get("HTTP_CONTENT_LENGTH")
    try:
        return int(text) if text not in (None, "") else None
    except (TypeError, ValueError):
        return None


def read_unsized_body(request: HttpRequest, limit: int) -> None:
    """Make a body sent without ``Content-Length`` readable by the parsers.

    A client may send a body in chunks, with ``Transfer-Encoding: chunked`` and no
    ``Content-Length`` (RFC 9112 §6.3, §7.1). Django's WSGI request then reads none of it
    (it reads ``CONTENT_LENGTH`` bytes), and DRF does not call a parser at all, so the
    body would read as empty: "userName is required". When the body can be read to its
    end it is read here, at most ``limit`` bytes (413 beyond), and given the length it
    has: under ASGI (Django has received the whole body) and under a WSGI server that
    decodes the chunks and marks the input ``wsgi.input_terminated`` (Gunicorn,
    mod_wsgi, Werkzeug). Otherwise reading would wait for an end that never comes on a
    kept-alive connection: the request is refused with 411 Length Required (RFC 9110
    §15.5.12), so that the client knows to send a ``Content-Length``.

    Does nothing to a request that declares its length or sends no body.
    """
    if _declared_length(request) is not None:
        return
    coding = str(request.META.get("HTTP_TRANSFER_ENCODING", ""))
    if "chunked" not in coding.lower():
        return  # no Content-Length and no chunks: there is no body (RFC 9112 §6.3)
    stream: Any
    if isinstance(request, ASGIRequest):
        stream = request._stream
    elif request.META.get("wsgi.input_terminated"):
        stream = request.META["wsgi.input"]
    else:
        raise LengthRequired
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise PayloadTooLarge(f"The request body exceeds {limit} bytes.")
    body = b"".join(chunks)
    request._stream = cast(Any, LimitedStream(io.BytesIO(body), len(body)))
    request._read_started = False  # type: ignore[attr-defined]  # Django's read() sets it
    request.META["CONTENT_LENGTH"] = str(len(body))
