"""The IdP dialect layer (drf_scim.normalization), each rule with the client that needs it."""

from __future__ import annotations

import pytest

from drf_scim import normalization as n

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("True", True), ("false", False), (" TRUE ", True), (True, True), ("yes", "yes"), (1, 1)],
)
def test_coerce_boolean_entra_strings(value, expected):
    assert n.coerce_boolean(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(42, "42"), (4.5, "4.5"), (True, True), ("x", "x"), (None, None)]
)
def test_coerce_string_numbers(value, expected):
    assert n.coerce_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), ("-7", -7), (3.0, 3), ("4.5", "4.5"), ("1" * 40, "1" * 40), ("x", "x")],
)
def test_coerce_integer(value, expected):
    assert n.coerce_integer(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("4.5", 4.5), ("1e3", 1000.0), ("NaN", "NaN"), ("x", "x"), (2, 2)]
)
def test_coerce_decimal(value, expected):
    assert n.coerce_decimal(value) == expected


def test_as_list_and_as_complex():
    assert n.as_list({"value": "a"}) == [{"value": "a"}]
    assert n.as_list(["a"]) == ["a"]
    assert n.as_complex("26118915", has_value_sub_attribute=True) == {"value": "26118915"}
    assert n.as_complex("x", has_value_sub_attribute=False) == "x"
    assert n.as_complex(True, has_value_sub_attribute=True) is True


def test_nest_qualified_keys_entra_extension_attributes():
    data = {
        "userName": "x",
        f"{ENTERPRISE}:department": "R&D",
        ENTERPRISE.upper(): {"costCenter": "1"},
        f"{ENTERPRISE.lower()}:manager": "m",
    }
    assert n.nest_qualified_keys(data, [ENTERPRISE]) == {
        "userName": "x",
        ENTERPRISE: {"department": "R&D", "costCenter": "1", "manager": "m"},
    }


def test_nest_qualified_keys_leaves_plain_documents_alone():
    data = {"userName": "x", ENTERPRISE: {"department": "R&D"}}
    assert n.nest_qualified_keys(data, [ENTERPRISE]) is data


def test_as_single_unwraps_one_element_lists_entra_manager():
    assert n.as_single([{"value": "m"}]) == {"value": "m"}
    assert n.as_single(["a", "b"]) == ["a", "b"]
    assert n.as_single("a") == "a"
