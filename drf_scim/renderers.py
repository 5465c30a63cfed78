"""The ``application/scim+json`` renderer (RFC 7644 §3.1, §8.1)."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

from .constants import MEDIA_TYPE

__all__ = ["SCIMRenderer"]


class SCIMRenderer(JSONRenderer):
    """Render JSON as ``application/scim+json``, UTF-8, compact, without NaN."""

    media_type = MEDIA_TYPE
    format = "scim"
    ensure_ascii = False
