"""The storage seam (drf_scim.storage): what a document becomes in the tables, and back.

A resource is kept in the host's columns (``attribute_map``), its record (``id``,
``externalId``, unmapped singular attributes, the search document, the case-folded
unique key) and one values-table row per value of a multi-valued attribute (RFC 7643
§2.4); reading assembles the same document again.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from drf_scim.constants import ENTERPRISE_USER_SCHEMA
from drf_scim.models import UserRecord, UserValue
from drf_scim.serializers import SCIMGroupSerializer, SCIMUserSerializer

pytestmark = pytest.mark.django_db

STORAGE = SCIMUserSerializer.get_storage()

DOCUMENT = {
    "userName": "BJensen",
    "externalId": "ext-1",
    "title": "Tour Guide",
    "name": {"givenName": "Barbara", "familyName": "Jensen", "formatted": "Ms. Barbara J"},
    "emails": [
        {"value": "home@example.com", "type": "home"},
        {"value": "bjensen@example.com", "type": "work", "primary": True},
    ],
    "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw"}],
    ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984", "department": "Tours"},
}


def save_new(document=DOCUMENT):
    instance = User()
    with transaction.atomic():
        STORAGE.save(instance, UserRecord(), document, created=True)
    return User.objects.get(pk=instance.pk)


def test_rfc7643_4_1_mapped_attributes_are_written_to_the_host_columns():
    user = save_new()
    assert (user.username, user.first_name, user.last_name) == ("BJensen", "Barbara", "Jensen")
    assert user.email == "bjensen@example.com"  # the primary e-mail (RFC 7643 §2.4)


def test_rfc7643_3_1_the_record_keeps_id_external_id_and_unmapped_singular_attributes():
    record = save_new().scim_record
    assert record.external_id == "ext-1"
    assert record.attributes == {
        "title": "Tour Guide",
        "name": {"formatted": "Ms. Barbara J"},
        ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984", "department": "Tours"},
    }
    assert record.user_name_key == "bjensen"  # userName is unique ignoring case (§4.1.1)
    assert record.version == 1


def test_rfc7643_2_4_each_value_of_a_multi_valued_attribute_is_one_row():
    record = save_new().scim_record
    rows = list(
        UserValue.objects.filter(record=record)
        .order_by("attribute", "position")
        .values_list("attribute", "position", "value", "type", "primary")
    )
    assert rows == [
        ("emails", 0, "home@example.com", "home", None),
        ("emails", 1, "bjensen@example.com", "work", True),
        ("x509Certificates", 0, "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw", None, None),
    ]


def test_rfc7644_3_4_2_2_the_search_document_holds_singular_attributes_case_folded():
    search = UserRecord.objects.get(user=save_new()).search
    assert search["userName"] == "bjensen"
    assert search["title"] == "tour guide"
    assert search["name"]["givenName"] == "barbara"
    assert search[ENTERPRISE_USER_SCHEMA]["employeeNumber"] == "701984"
    assert "emails" not in search  # multi-valued: searched in the values table


def test_rfc7643_8_2_load_document_gives_back_what_was_saved():
    user = STORAGE.get_queryset().get(pk=save_new().pk)
    document = STORAGE.load_document(user, values=True)
    assert document["userName"] == "BJensen"
    assert document["title"] == "Tour Guide"
    assert document["name"] == DOCUMENT["name"]
    assert document["emails"] == DOCUMENT["emails"]
    assert document[ENTERPRISE_USER_SCHEMA] == DOCUMENT[ENTERPRISE_USER_SCHEMA]


def test_rfc7644_3_6_live_leaves_out_deleted_resources():
    kept, gone = save_new(), save_new({"userName": "gone"})
    STORAGE.mark_deleted(gone)
    assert list(STORAGE.live().values_list("pk", flat=True)) == [kept.pk]
    assert STORAGE.deleted_record("gone").user_id == gone.pk
    assert STORAGE.deleted_record("bjensen") is None


@pytest.mark.parametrize("emails", [1, 50])
def test_a_save_costs_the_same_queries_for_one_value_or_fifty(emails, django_assert_num_queries):
    """Replacing a user writes the columns, the record and the values in bulk: 4 queries
    (user, record, delete of the old values, one insert of the new ones)."""
    user = STORAGE.get_queryset().get(pk=save_new().pk)
    document = {
        "userName": "bjensen",
        "emails": [{"value": f"{i}@example.com"} for i in range(emails)],
    }
    with django_assert_num_queries(4):
        STORAGE.save(user, user.scim_record, document, created=False)
    assert UserValue.objects.filter(record__user=user).count() == emails
    assert UserRecord.objects.get(user=user).version == 2


def test_each_resource_type_has_its_own_storage():
    assert SCIMGroupSerializer.get_storage() is not STORAGE
    assert SCIMGroupSerializer.get_storage().resource is SCIMGroupSerializer
    assert SCIMUserSerializer.get_storage() is STORAGE
