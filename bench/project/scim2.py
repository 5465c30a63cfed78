"""django-scim2's adapters on the stock ``auth.User`` and ``auth.Group`` (settings
``USER_ADAPTER``/``GROUP_ADAPTER``).

django-scim2 expects models carrying its ``AbstractSCIMUserMixin`` columns (``scim_id``,
``scim_external_id``, ``scim_username``) and a ``scim_groups`` relation. The benchmark
shares drf-scim's ``auth.User`` table, so these adapters use the primary key as the SCIM
``id`` (``id_field``), answer no ``externalId`` and read the groups through ``groups``.
Nothing else is changed: listing, filtering, PATCH and serialisation are django-scim2's.
"""

from __future__ import annotations

from typing import Any

from django_scim.adapters import SCIMGroup, SCIMUser


class BenchSCIMUser(SCIMUser):
    id_field = "id"

    def __init__(self, obj: Any, request: Any = None) -> None:
        super().__init__(obj, request)
        # What django-scim2 reads from the mixin's columns, which auth.User lacks.
        if not hasattr(obj, "scim_external_id"):
            obj.scim_external_id = None

    def to_dict(self) -> dict[str, Any]:
        # The mixin's ``scim_groups``, read once the user is saved (a POST builds it first).
        self.obj.scim_groups = self.obj.groups
        return super().to_dict()


class BenchSCIMGroup(SCIMGroup):
    id_field = "id"

    def __init__(self, obj: Any, request: Any = None) -> None:
        super().__init__(obj, request)
        if not hasattr(obj, "scim_external_id"):
            obj.scim_external_id = None
