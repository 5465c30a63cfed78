"""drf-scim: a SCIM 2.0 service provider for Django REST Framework."""

from __future__ import annotations

__version__ = "0.1.0.dev0"
