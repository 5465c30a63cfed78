"""django-scim2's filter parser, with ``id`` mapped (settings ``USER_FILTER_PARSER``).

Apart from ``scim2.py``: django-scim2 imports this while its adapters module is loading.
"""

from __future__ import annotations

from django_scim.filters import UserFilterQuery


class BenchUserFilterQuery(UserFilterQuery):
    # The default map has no ``id``: ``id eq "…"`` would silently match nothing. A
    # deployment on ``auth.User`` adds it, as here; ``externalId`` has no column to map to.
    attr_map = {**UserFilterQuery.attr_map, ("id", None, None): "id"}
