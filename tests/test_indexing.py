"""drf_scim.indexing: comparable forms, and xsd:dateTime parsed without Django (RFC 7643 §2.3.5)."""

from __future__ import annotations

import datetime

import pytest

from drf_scim.characteristics import AttributeType
from drf_scim.definitions import USER, Attribute
from drf_scim.indexing import comparable, index_key, parse_instant, search_document

UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011-05-13T04:42:34Z", datetime.datetime(2011, 5, 13, 4, 42, 34, tzinfo=UTC)),
        ("2011-05-13T04:42:34", datetime.datetime(2011, 5, 13, 4, 42, 34, tzinfo=UTC)),
        ("2011-05-13T06:42:34+02:00", datetime.datetime(2011, 5, 13, 4, 42, 34, tzinfo=UTC)),
        ("2011-05-12T23:42:34-05:00", datetime.datetime(2011, 5, 13, 4, 42, 34, tzinfo=UTC)),
        ("2011-05-13T04:42:34.5Z", datetime.datetime(2011, 5, 13, 4, 42, 34, 500000, tzinfo=UTC)),
        (
            "2011-05-13T04:42:34.123456789Z",
            datetime.datetime(2011, 5, 13, 4, 42, 34, 123456, tzinfo=UTC),
        ),
        ("2011-05-13T04:42:34+05:75", datetime.datetime(2011, 5, 12, 22, 27, 34, tzinfo=UTC)),
        ("2011-05-13T04:42:34-23:59", datetime.datetime(2011, 5, 14, 4, 41, 34, tzinfo=UTC)),
    ],
)
def test_rfc7643_2_3_5_date_times_parse_to_utc(text, expected):
    moment = parse_instant(text)
    assert moment == expected
    assert moment.tzinfo == UTC


@pytest.mark.parametrize(
    "text",
    [
        "2011-05-13",  # a date alone
        "2011-05-13 04:42:34Z",  # a space for "T"
        "2011-05-13T04:42Z",  # no seconds
        "2011-05-13T04:42:34.Z",  # a dot without digits
        "2011-05-13T04:42:34+0200",  # offset without colon
        "2011-5-13T04:42:34Z",
        "12011-05-13T04:42:34Z",
        "-2011-05-13T04:42:34Z",
        "2011-13-13T04:42:34Z",  # month 13
        "2011-02-30T04:42:34Z",
        "2011-05-13T24:00:00Z",
        "2011-05-13T23:59:60Z",  # no leap seconds in Python
        "2011-05-13T04:42:34+24:00",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
        "\uff12\uff10\uff11\uff11-05-13T04:42:34Z",  # fullwidth digits: ASCII only
        "2011-05-13T04:42:34Z\n",
        "",
    ],
)
def test_rfc7643_2_3_5_what_is_not_a_date_time(text):
    assert parse_instant(text) is None


def test_parse_instant_takes_datetimes_and_nothing_else():
    naive = datetime.datetime(2011, 5, 13, 4, 42, 34)
    assert parse_instant(naive) == naive.replace(tzinfo=UTC)
    assert parse_instant(1305261754) is None
    assert parse_instant(None) is None


def test_rfc7644_3_4_2_2_date_times_compare_as_fixed_width_utc_text():
    when = Attribute("when", type=AttributeType.DATETIME)
    assert comparable(when, "2011-05-13T06:42:34+02:00") == "2011-05-13T04:42:34.000000Z"
    assert comparable(when, "yesterday") is None


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("profileUrl", "https://Example.com/Babs"),
        ("photos.value", "https://photos.example.com/Profile.JPG"),
        ("x509Certificates.value", "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw"),
    ],
)
def test_rfc7643_2_3_6_and_2_3_7_search_forms_of_references_and_binaries_keep_case(path, value):
    """What the search document and the values table store is the value itself, not folded."""
    name, _, sub = path.partition(".")
    attribute = USER.get(name)
    if sub:
        attribute = attribute.get(sub)
    assert comparable(attribute, value) == value
    assert index_key(attribute, value) == value
    if not attribute.multi_valued and not sub:  # singular: in the record's search document
        assert search_document(None, {name: value}, USER.attributes) == {name: value}
