"""A relation through a many-to-many model of the project's own (``through=``).

Django's own through rows are made by the database (``INSERT … SELECT``); a project's
own through model goes through ``bulk_create()``, so that its fields' Python defaults
apply, and gets only the rows it lacks, as it may hold no unique constraint on the pair
(drf_scim/relations.py, ``Relation.add``). Here: a device's ``groups``, through
``tests.devices.models.Access``, whose ``granted`` defaults to now.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from drf_scim.definitions import Attribute
from drf_scim.models import GroupRecord
from drf_scim.relations import Relation
from drf_scim.settings import scim_settings

from .devices.models import Access, Device

pytestmark = pytest.mark.django_db

GROUPS = Attribute("groups", multi_valued=True)


@pytest.fixture
def relation():
    field = Device._meta.get_field("groups")
    return Relation.of_field(GROUPS, field, scim_settings.GROUP_SERIALIZER, "Group", forward=True)


@pytest.fixture
def device():
    return Device.objects.create(name="Laptop", serial="SN-1")


@pytest.fixture
def groups():
    return [Group.objects.create(name=f"team{i}") for i in range(4)]


def versions(groups):
    return dict(GroupRecord.objects.filter(group__in=groups).values_list("group_id", "version"))


def test_adding_through_a_projects_model_applies_its_python_defaults(relation, device, groups):
    before = timezone.now()

    relation.add(device, [groups[0].pk, groups[1].pk])

    rows = Access.objects.filter(device=device).order_by("group_id")
    assert [row.group_id for row in rows] == [groups[0].pk, groups[1].pk]
    assert all(before <= row.granted <= timezone.now() for row in rows)
    assert relation.current(device) == {groups[0].pk, groups[1].pk}


def test_adding_held_ones_again_adds_only_the_missing_rows(
    relation, device, groups, django_assert_num_queries
):
    """RFC 7644 §3.5.2.1: adding a value already there changes nothing. The pair has no
    unique constraint here, so nothing but the read of those held keeps it single."""
    relation.add(device, [groups[0].pk, groups[1].pk])
    before = versions(groups)

    with django_assert_num_queries(3):  # the held ones, the rows inserted, the versions
        relation.add(device, [groups[1].pk, groups[2].pk, groups[0].pk])

    pairs = list(Access.objects.filter(device=device).values_list("group_id", flat=True))
    assert sorted(pairs) == [groups[0].pk, groups[1].pk, groups[2].pk]
    after = versions(groups)
    assert [after[g.pk] - before[g.pk] for g in groups] == [1, 1, 1, 0]


def test_removing_and_clearing_through_a_projects_model(relation, device, groups):
    relation.add(device, [group.pk for group in groups])

    relation.remove(device, [groups[0].pk, groups[3].pk])
    assert relation.current(device) == {groups[1].pk, groups[2].pk}

    relation.clear(device)
    assert relation.current(device) == set()
    assert not Access.objects.exists()
