"""What every benchmarked request goes through: a query counter, and django-scim2's login."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse

from .apps import foreign_request

#: URL prefixes of the targets that are not drf-scim (bench/project/urls.py).
FOREIGN_PREFIXES = ("/floor/", "/scim2/")


class QueryCountMiddleware:
    """Count the SQL statements a request runs; answer them in ``X-Queries``.

    Counted on the server, through ``connection.execute_wrapper()``, so the harness reads
    them over HTTP with DEBUG off. Outermost, so that every other middleware's queries count.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        token = foreign_request.set(request.path.startswith(FOREIGN_PREFIXES))
        try:
            with connection.execute_wrapper(counted):
                response = self.get_response(request)
        finally:
            foreign_request.reset(token)
        response["X-Queries"] = str(count)
        return response


class _TokenUser:
    """The identity provider django-scim2 sees: authenticated, and nothing else."""

    is_authenticated = True
    is_active = True
    pk = None


class BearerTokenMiddleware:
    """Log django-scim2's requests in with the same bearer tokens drf-scim checks.

    django-scim2 leaves authentication to the project and only checks
    ``request.user.is_authenticated``. This looks the token up exactly as
    ``drf_scim.authentication.SCIMTokenAuthentication`` does (one indexed query on the
    SHA-256 digest), so the two pay the same for it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/scim2/"):
            from drf_scim.models import SCIMToken

            scheme, _, key = request.headers.get("Authorization", "").partition(" ")
            if (
                scheme.lower() == "bearer"
                and SCIMToken.objects.filter(
                    key_digest=SCIMToken.digest(key.strip()), revoked__isnull=True
                ).exists()
            ):
                request.user = _TokenUser()  # type: ignore[assignment]
        return self.get_response(request)
