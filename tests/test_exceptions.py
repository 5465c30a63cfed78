"""SCIM exceptions: one class per RFC 7644 §3.12 error (Table 8 statuses, Table 9 scimTypes)."""

from __future__ import annotations

import pytest
from rest_framework.exceptions import APIException

from drf_scim import exceptions
from drf_scim.constants import ERROR_SCHEMA
from drf_scim.handlers import scim_exception_handler

# RFC 7644 §3.12, Table 9: scimType keyword -> (class, HTTP status). Table 9 is introduced
# "For HTTP status code 400 (Bad Request) responses"; the exceptions the RFC makes are
# "uniqueness", which §3.3 and §3.5.1 make a 409 (Conflict), and "sensitive", which
# §7.5.2 answers with 403 (Forbidden) (its example's "status" corrected by verified
# erratum 6893).
TABLE_9 = [
    ("invalidFilter", exceptions.InvalidFilter, 400),
    ("tooMany", exceptions.TooMany, 400),
    ("uniqueness", exceptions.Uniqueness, 409),
    ("mutability", exceptions.Mutability, 400),
    ("invalidSyntax", exceptions.InvalidSyntax, 400),
    ("invalidPath", exceptions.InvalidPath, 400),
    ("noTarget", exceptions.NoTarget, 400),
    ("invalidValue", exceptions.InvalidValue, 400),
    ("invalidVers", exceptions.InvalidVersion, 400),
    ("sensitive", exceptions.Sensitive, 403),
    # RFC 9865 §2.1 extends Table 9 with the cursor errors, both 400.
    ("invalidCursor", exceptions.InvalidCursor, 400),
    ("expiredCursor", exceptions.ExpiredCursor, 400),
]

# RFC 7644 §3.12, Table 8: statuses without a scimType.
TABLE_8 = [
    (exceptions.ResourceNotFound, 404),
    (exceptions.PreconditionFailed, 412),
    (exceptions.PayloadTooLarge, 413),
    (exceptions.NotImplementedByProvider, 501),
]


@pytest.mark.parametrize(("scim_type", "exception_class", "status"), TABLE_9)
def test_rfc7644_3_12_table_9_scim_type_and_status(scim_type, exception_class, status):
    assert exception_class.scim_type == scim_type
    assert exception_class.status_code == status
    assert issubclass(exception_class, exceptions.SCIMAPIException)
    assert issubclass(exception_class, APIException)


@pytest.mark.parametrize(("exception_class", "status"), TABLE_8)
def test_rfc7644_3_12_table_8_status_without_scim_type(exception_class, status):
    assert exception_class.status_code == status
    assert exception_class.scim_type is None
    assert issubclass(exception_class, exceptions.SCIMAPIException)


def test_rfc7644_3_12_table_9_is_complete():
    """Every Table 9 keyword has exactly one class, and every class is in a table."""
    scim_types = [
        cls.scim_type
        for cls in vars(exceptions).values()
        if isinstance(cls, type) and issubclass(cls, exceptions.SCIMAPIException) and cls.scim_type
    ]
    assert sorted(scim_types) == sorted(row[0] for row in TABLE_9)

    public = {getattr(exceptions, name) for name in exceptions.__all__}
    tabled = {row[1] for row in TABLE_9} | {row[0] for row in TABLE_8}
    assert public - tabled == {exceptions.SCIMAPIException}


@pytest.mark.parametrize(
    ("exception_class", "status", "scim_type"),
    [(cls, status, scim_type) for scim_type, cls, status in TABLE_9]
    + [(cls, status, None) for cls, status in TABLE_8],
)
def test_rfc7644_3_12_each_exception_renders_as_error(exception_class, status, scim_type):
    response = scim_exception_handler(exception_class(), {})

    expected = {"schemas": [ERROR_SCHEMA], "status": str(status)}
    if scim_type:
        expected["scimType"] = scim_type
    expected["detail"] = str(exception_class.default_detail)
    assert response.status_code == status
    assert response.data == expected


@pytest.mark.parametrize(("scim_type", "exception_class", "status"), TABLE_9)
def test_custom_detail_is_kept(scim_type, exception_class, status):
    exc = exception_class("emails[0].value: expected a string.")

    response = scim_exception_handler(exc, {})

    assert response.data["detail"] == "emails[0].value: expected a string."
    assert response.data["scimType"] == scim_type


def test_base_exception_is_a_400_without_scim_type():
    exc = exceptions.SCIMAPIException()

    assert exc.status_code == 400
    assert exc.scim_type is None


def test_subclass_of_a_scim_exception_keeps_its_keyword():
    """Applications raise their own subclasses from signal receivers (drf_scim.signals)."""

    class EmployeeNumberTaken(exceptions.Uniqueness):
        default_detail = "employeeNumber is taken."

    response = scim_exception_handler(EmployeeNumberTaken(), {})

    assert response.status_code == 409
    assert response.data["scimType"] == "uniqueness"
    assert response.data["detail"] == "employeeNumber is taken."


@pytest.mark.parametrize(("scim_type", "exception_class", "status"), TABLE_9)
def test_docstrings_cite_the_rfc(scim_type, exception_class, status):
    assert exception_class.__doc__
    assert "§" in exception_class.__doc__
