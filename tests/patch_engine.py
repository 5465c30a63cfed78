"""The PATCH engine as the HTTP layer answers for it, for tests that compare the two.

:mod:`drf_scim.patch` raises the pure errors of :mod:`drf_scim.errors`; a view lets the
SCIM exception handler turn them into the :mod:`drf_scim.exceptions` class of the same
``scimType``. These wrappers do the same, so a test can read ``exc.status_code``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from drf_scim import exceptions, patch
from drf_scim.errors import SCIMError

_DRF = {
    cls.scim_type: cls
    for cls in (
        exceptions.InvalidFilter,
        exceptions.InvalidPath,
        exceptions.InvalidSyntax,
        exceptions.InvalidValue,
        exceptions.Mutability,
        exceptions.NoTarget,
    )
}


@contextmanager
def _as_drf() -> Iterator[None]:
    try:
        yield
    except exceptions.SCIMAPIException:
        raise
    except SCIMError as exc:
        raise _DRF.get(exc.scim_type, exceptions.SCIMAPIException)(exc.detail) from exc


def parse_patch_request(*args: Any, **kwargs: Any) -> Any:
    with _as_drf():
        return patch.parse_patch_request(*args, **kwargs)


def apply_patch(*args: Any, **kwargs: Any) -> Any:
    with _as_drf():
        return patch.apply_patch(*args, **kwargs)
