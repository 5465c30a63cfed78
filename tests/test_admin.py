"""Admin pages: SCIM tokens (create, revoke, expiry, tenant) and the audit log (read-only,
with its activity page)."""

from __future__ import annotations

import datetime
import hashlib
import json
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import WARNING
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from drf_scim.models import SCIMEvent, SCIMToken

pytestmark = pytest.mark.urls("tests.admin_urls")

KEY = re.compile(r"scim_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def event(token):
    return SCIMEvent.objects.create(
        operation=SCIMEvent.Operation.CREATE,
        resource_type="User",
        resource_id="2819c223-7f76-453a-919d-413861904646",
        status=201,
        token=token,
        payload={"userName": "bjensen", "password": "[scrubbed]"},
    )


def _bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# -- pages render ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "admin:drf_scim_scimtoken_changelist",
        "admin:drf_scim_scimtoken_add",
        "admin:drf_scim_scimevent_changelist",
        "admin:drf_scim_scimevent_activity",
        "admin:app_list",
    ],
)
def test_admin_pages_render(admin_client, token, event, name):
    kwargs = {"app_label": "drf_scim"} if name == "admin:app_list" else {}

    response = admin_client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200


def test_token_changelist_lists_tokens_without_their_keys(admin_client, token):
    response = admin_client.get(reverse("admin:drf_scim_scimtoken_changelist"))

    content = response.content.decode()
    assert token.name in content
    assert token.prefix in content
    assert token.key not in content


def test_token_change_page_renders_without_the_key(admin_client, token):
    response = admin_client.get(reverse("admin:drf_scim_scimtoken_change", args=[token.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert token.prefix in content
    assert token.key not in content
    assert token.key_digest not in content


def test_event_changelist_and_detail_render(admin_client, event):
    listing = admin_client.get(reverse("admin:drf_scim_scimevent_changelist"))
    detail = admin_client.get(reverse("admin:drf_scim_scimevent_change", args=[event.pk]))

    assert listing.status_code == 200
    assert event.resource_id in listing.content.decode()
    assert detail.status_code == 200
    assert "bjensen" in detail.content.decode()


# -- creating a token -----------------------------------------------------------------------


def test_creating_a_token_shows_the_key_once_and_stores_the_digest(admin_client):
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_add"), {"name": "Okta production"}, follow=True
    )

    assert response.status_code == 200
    notices = list(response.context["messages"])
    keys = [match for m in notices for match in KEY.findall(str(m))]
    assert len(keys) == 1
    (key,) = keys
    assert any(m.level == WARNING and key in str(m) for m in notices)
    assert response.content.decode().count(key) == 1

    token = SCIMToken.objects.get()
    assert token.name == "Okta production"
    assert token.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix)
    for column, value in SCIMToken.objects.values().get().items():
        assert key not in str(value), column

    # Shown once: the pages that follow never show it again.
    changelist = admin_client.get(reverse("admin:drf_scim_scimtoken_changelist"))
    change = admin_client.get(reverse("admin:drf_scim_scimtoken_change", args=[token.pk]))
    assert key not in changelist.content.decode()
    assert key not in change.content.decode()


def test_token_created_in_the_admin_authenticates(admin_client, anonymous_client):
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_add"), {"name": "Entra ID"}, follow=True
    )
    (key,) = [k for m in response.context["messages"] for k in KEY.findall(str(m))]

    scim = anonymous_client.get("/scim/v2/Users", **_bearer(key))

    assert scim.status_code == 200


def test_creating_a_token_logs_the_addition(admin_client):
    from django.contrib.admin.models import ADDITION, LogEntry

    admin_client.post(reverse("admin:drf_scim_scimtoken_add"), {"name": "Okta"})

    token = SCIMToken.objects.get()
    entry = LogEntry.objects.get()
    assert entry.action_flag == ADDITION
    assert entry.object_id == str(token.pk)
    assert entry.object_repr == str(token)


def test_editing_a_token_keeps_its_digest(admin_client, token):
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_change", args=[token.pk]), {"name": "Renamed"}
    )

    assert response.status_code == 302
    saved = SCIMToken.objects.get(pk=token.pk)
    assert saved.name == "Renamed"
    assert saved.key_digest == token.key_digest
    assert SCIMToken.objects.count() == 1


def test_token_digest_is_not_editable(admin_client, token):
    admin_client.post(
        reverse("admin:drf_scim_scimtoken_change", args=[token.pk]),
        {"name": token.name, "key_digest": "0" * 64, "prefix": "scim_evil", "revoked": ""},
    )

    saved = SCIMToken.objects.get(pk=token.pk)
    assert saved.key_digest == token.key_digest
    assert saved.prefix == token.prefix


# -- revoking -------------------------------------------------------------------------------


def test_revoke_action_revokes(admin_client, anonymous_client, token):
    other, other_key = SCIMToken.generate("other")
    assert anonymous_client.get("/scim/v2/Users", **_bearer(token.key)).status_code == 200

    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    assert SCIMToken.objects.get(pk=token.pk).revoked is not None
    assert SCIMToken.objects.get(pk=other.pk).revoked is None
    assert anonymous_client.get("/scim/v2/Users", **_bearer(token.key)).status_code == 401
    assert anonymous_client.get("/scim/v2/Users", **_bearer(other_key)).status_code == 200


def test_revoke_action_keeps_the_first_revocation_time(admin_client, token):
    token.revoke()
    first = SCIMToken.objects.get(pk=token.pk).revoked

    admin_client.post(
        reverse("admin:drf_scim_scimtoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert SCIMToken.objects.get(pk=token.pk).revoked == first


# -- the audit log is read-only -----------------------------------------------------------------


def test_events_cannot_be_added(admin_client, event):
    assert admin_client.get(reverse("admin:drf_scim_scimevent_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:drf_scim_scimevent_add"),
        {"operation": "delete", "resource_type": "User", "status": 204},
    )
    assert response.status_code == 403
    assert SCIMEvent.objects.count() == 1


def test_events_cannot_be_changed(admin_client, event):
    url = reverse("admin:drf_scim_scimevent_change", args=[event.pk])

    page = admin_client.get(url)
    response = admin_client.post(
        url, {"operation": "delete", "resource_type": "Group", "status": 500}
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.operation, event.resource_type, event.status) == ("create", "User", 201)


def test_events_cannot_be_deleted(admin_client, event):
    """An audit log a superuser can edit away is no audit log."""
    url = reverse("admin:drf_scim_scimevent_delete", args=[event.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, {"post": "yes"})
    bulk = admin_client.post(
        reverse("admin:drf_scim_scimevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )

    assert page.status_code == 403
    assert response.status_code == 403
    assert bulk.status_code in (200, 302, 403)
    assert SCIMEvent.objects.filter(pk=event.pk).exists()


def test_a_token_created_in_the_admin_can_be_bound_to_a_user_rfc7644_3_11(
    admin_client, anonymous_client
):
    """The token's user is what /Me stands for (docs/me.md)."""
    from django.contrib.auth.models import User

    ann = User.objects.create_user("ann")
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_add"), {"name": "Ann", "user": ann.pk}, follow=True
    )
    (key,) = [k for m in response.context["messages"] for k in KEY.findall(str(m))]
    assert SCIMToken.objects.get().user == ann
    me = anonymous_client.get("/scim/v2/Me", **_bearer(key))
    assert me.status_code == 200
    assert me.json()["userName"] == "ann"


# -- expiry and tenant ----------------------------------------------------------------------


def _later(**delta):
    moment = timezone.localtime(timezone.now() + datetime.timedelta(**delta))
    return {"expires_0": moment.strftime("%Y-%m-%d"), "expires_1": moment.strftime("%H:%M:%S")}


def test_a_token_created_in_the_admin_can_expire(admin_client, anonymous_client):
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_add"), {"name": "Okta", **_later(days=90)}, follow=True
    )
    (key,) = [k for m in response.context["messages"] for k in KEY.findall(str(m))]

    expires = SCIMToken.objects.get().expires
    assert abs(expires - (timezone.now() + datetime.timedelta(days=90))).total_seconds() < 60
    assert anonymous_client.get("/scim/v2/Users", **_bearer(key)).status_code == 200


def test_a_new_token_cannot_be_born_expired(admin_client):
    response = admin_client.post(
        reverse("admin:drf_scim_scimtoken_add"), {"name": "Okta", **_later(days=-1)}
    )

    assert response.status_code == 200
    assert "A new token must expire in the future." in response.content.decode()
    assert not SCIMToken.objects.exists()


def test_expiry_can_be_set_on_an_existing_token_and_ends_it(admin_client, anonymous_client, token):
    url = reverse("admin:drf_scim_scimtoken_change", args=[token.pk])

    response = admin_client.post(url, {"name": token.name, **_later(seconds=-5)})

    assert response.status_code == 302
    assert SCIMToken.objects.get(pk=token.pk).expires < timezone.now()
    assert anonymous_client.get("/scim/v2/Users", **_bearer(token.key)).status_code == 401
    listing = admin_client.get(reverse("admin:drf_scim_scimtoken_changelist")).content.decode()
    assert "expired" in listing


def test_the_tenant_is_editable_and_explained(admin_client, token):
    """docs/tenants.md: a token bound to a tenant sees only that tenant's resources."""
    acme = Group.objects.create(name="Acme")
    group_type = ContentType.objects.get_for_model(Group)
    url = reverse("admin:drf_scim_scimtoken_change", args=[token.pk])

    page = admin_client.get(url).content.decode()
    response = admin_client.post(
        url, {"name": token.name, "tenant_type": group_type.pk, "tenant_id": str(acme.pk)}
    )

    assert "docs/tenants.md" in page
    assert "only that tenant" in page
    assert response.status_code == 302
    assert SCIMToken.objects.get(pk=token.pk).tenant == acme
    listing = admin_client.get(reverse("admin:drf_scim_scimtoken_changelist")).content.decode()
    assert f"auth.Group:{acme.pk}" in listing


def test_a_token_created_in_the_admin_can_be_bound_to_a_tenant(admin_client):
    acme = Group.objects.create(name="Acme")
    group_type = ContentType.objects.get_for_model(Group)

    admin_client.post(
        reverse("admin:drf_scim_scimtoken_add"),
        {"name": "Acme", "tenant_type": group_type.pk, "tenant_id": str(acme.pk)},
    )

    assert SCIMToken.objects.get().tenant == acme


@pytest.mark.parametrize(
    ("tenant_id", "with_type", "message"),
    [
        ("999", True, "No group has this primary key."),
        ("abc", True, "No group has this primary key."),
        ("", True, "Give the tenant&#x27;s primary key"),
        ("1", False, "Choose the tenant&#x27;s type"),
    ],
)
def test_a_tenant_must_name_an_existing_object(admin_client, token, tenant_id, with_type, message):
    group_type = ContentType.objects.get_for_model(Group)
    data = {"name": token.name, "tenant_id": tenant_id}
    if with_type:
        data["tenant_type"] = group_type.pk

    response = admin_client.post(reverse("admin:drf_scim_scimtoken_change", args=[token.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    saved = SCIMToken.objects.get(pk=token.pk)
    assert (saved.tenant_type, saved.tenant_id) == (None, "")


# -- filters --------------------------------------------------------------------------------


def _changelist(admin_client, name, **params):
    response = admin_client.get(reverse(f"admin:drf_scim_{name}_changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_revoked_filter_is_yes_or_no(admin_client, token):
    old, _ = SCIMToken.generate("old")
    old.revoke()

    page = admin_client.get(reverse("admin:drf_scim_scimtoken_changelist")).content.decode()

    assert "?revoked=yes" in page
    assert "?revoked=no" in page
    assert _changelist(admin_client, "scimtoken", revoked="yes") == [old]
    assert _changelist(admin_client, "scimtoken", revoked="no") == [token]
    assert len(_changelist(admin_client, "scimtoken")) == 2


def test_events_can_be_filtered_by_token(admin_client, token, event):
    other, _ = SCIMToken.generate("other")
    theirs = SCIMEvent.objects.create(
        operation="delete", resource_type="User", status=204, token=other
    )

    assert _changelist(admin_client, "scimevent", token__id__exact=token.pk) == [event]
    assert _changelist(admin_client, "scimevent", token__id__exact=other.pk) == [theirs]


def test_events_can_be_filtered_by_outcome_and_status(admin_client, token, event):
    """The activity page links to these filters."""
    failed = SCIMEvent.objects.create(
        operation="create", resource_type="User", status=409, token=token
    )

    assert _changelist(admin_client, "scimevent", outcome="failed") == [failed]
    assert _changelist(admin_client, "scimevent", outcome="succeeded") == [event]
    assert _changelist(admin_client, "scimevent", status="409") == [failed]
    day = timezone.localdate()
    by_day = {"timestamp__year": day.year, "timestamp__month": day.month, "timestamp__day": day.day}
    assert _changelist(admin_client, "scimevent", outcome="failed", **by_day) == [failed]


# -- the payload ----------------------------------------------------------------------------


def test_payload_is_pretty_printed(admin_client, event):
    page = admin_client.get(reverse("admin:drf_scim_scimevent_change", args=[event.pk]))

    content = page.content.decode()
    assert "<pre" in content
    event.refresh_from_db()  # PostgreSQL's jsonb orders keys its own way
    assert escape(json.dumps(event.payload, indent=2)) in content
    assert "\n  &quot;userName&quot;: &quot;bjensen&quot;" in content


def test_html_in_a_payload_is_escaped(admin_client, token):
    hostile = SCIMEvent.objects.create(
        operation="create",
        resource_type="User",
        status=400,
        token=token,
        payload={"userName": "<script>alert(1)</script>", "<b>": "</pre><img src=x>"},
    )

    page = admin_client.get(reverse("admin:drf_scim_scimevent_change", args=[hostile.pk]))

    content = page.content.decode()
    assert "<script>alert(1)" not in content
    assert "<img src=x>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "&lt;/pre&gt;&lt;img src=x&gt;" in content


# -- the activity page ----------------------------------------------------------------------

ACTIVITY = "admin:drf_scim_scimevent_activity"


def _event(days_ago, operation="create", status=201, token=None):
    return SCIMEvent.objects.create(
        timestamp=timezone.now() - datetime.timedelta(days=days_ago),
        operation=operation,
        resource_type="User",
        status=status,
        token=token,
    )


def test_the_event_changelist_links_to_the_activity_page(admin_client, event):
    page = admin_client.get(reverse("admin:drf_scim_scimevent_changelist")).content.decode()

    assert f'href="{reverse(ACTIVITY)}"' in page


def test_activity_counts_events_per_day_by_operation_and_outcome(admin_client, token):
    _event(0, "create", 201)
    _event(0, "create", 201)
    _event(0, "create", 409)
    _event(0, "patch", 200)
    _event(1, "delete", 204)
    _event(1, "replace", 500)
    _event(29, "patch", 400)
    _event(30, "create", 201)  # outside the 30 days, today included
    _event(40, "delete", 404)

    response = admin_client.get(reverse(ACTIVITY))

    assert response.status_code == 200
    activity = response.context["activity"]  # newest first
    assert len(activity) == 30
    today, yesterday = activity[0], activity[1]
    assert today.date == timezone.localdate()
    assert today.succeeded == {"create": 2, "replace": 0, "patch": 1, "delete": 0}
    assert today.failed == {"create": 1, "replace": 0, "patch": 0, "delete": 0}
    assert (today.total, today.failures) == (4, 1)
    assert yesterday.succeeded["delete"] == 1
    assert yesterday.failed["replace"] == 1
    assert activity[-1].failed["patch"] == 1
    assert [day.total for day in activity[2:29]] == [0] * 27
    assert (response.context["total"], response.context["failures"]) == (7, 3)
    assert response.context["peak"] == 4
    assert response.context["statuses"] == [
        (200, 1, False),
        (201, 2, False),
        (204, 1, False),
        (400, 1, True),
        (409, 1, True),
        (500, 1, True),
    ]
    assert today.failed_statuses() == "409: 1"
    assert yesterday.failed_statuses() == "500: 1"


def test_activity_days_parameter(admin_client, token):
    _event(3, "create", 201)
    _event(10, "create", 201)

    week = admin_client.get(reverse(ACTIVITY), {"days": "7"})
    year = admin_client.get(reverse(ACTIVITY), {"days": "100000"})
    bad = admin_client.get(reverse(ACTIVITY), {"days": "soon"})
    zero = admin_client.get(reverse(ACTIVITY), {"days": "0"})

    assert (len(week.context["activity"]), week.context["total"]) == (7, 1)
    assert len(year.context["activity"]) == 366
    assert year.context["total"] == 2
    assert len(bad.context["activity"]) == 30
    assert len(zero.context["activity"]) == 1


def test_activity_chart_is_inline_svg_with_failures_standing_out(admin_client, token):
    _event(0, "create", 201)
    _event(0, "create", 409)

    content = admin_client.get(reverse(ACTIVITY)).content.decode()

    assert "<svg" in content
    assert 'class="op-create"' in content
    assert 'class="failed"' in content
    assert "1 failed" in content
    assert "outcome=failed" in content
    assert f"{timezone.localdate().isoformat()}: 1 failed (409: 1)" in content
    assert "?status=409" in content
    # Drawn on the server: no script, nothing fetched from elsewhere.
    assert "<script" not in content.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "http://" not in content.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in content


def test_activity_bars_are_scaled_to_the_busiest_day(admin_client, token):
    for _ in range(4):
        _event(0, "create", 201)
    _event(1, "patch", 200)

    bars = admin_client.get(reverse(ACTIVITY)).context["bars"]

    heights = {bar.css_class: bar.height for bar in bars}
    assert len(bars) == 2
    assert heights["op-create"] == pytest.approx(160)
    assert heights["op-patch"] == pytest.approx(40)


def test_activity_queries_do_not_grow_with_events(admin_client, token, django_assert_num_queries):
    """Session, user and one aggregate query, for one event or a hundred."""
    _event(0)
    with django_assert_num_queries(3):
        assert admin_client.get(reverse(ACTIVITY)).status_code == 200
    SCIMEvent.objects.bulk_create(
        SCIMEvent(
            timestamp=timezone.now() - datetime.timedelta(days=n % 30),
            operation=("create", "patch", "delete")[n % 3],
            resource_type="User",
            status=(201, 409)[n % 2],
            token=token,
        )
        for n in range(100)
    )
    with django_assert_num_queries(3):
        response = admin_client.get(reverse(ACTIVITY))
    assert response.context["total"] == 101


def test_activity_page_needs_staff(client, django_user_model):
    user = django_user_model.objects.create_user("ann", password="x")
    client.force_login(user)

    response = client.get(reverse(ACTIVITY))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_activity_page_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse(ACTIVITY))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_activity_page_needs_the_view_permission(client, django_user_model):
    staff = django_user_model.objects.create_user("sam", password="x", is_staff=True)
    client.force_login(staff)

    denied = client.get(reverse(ACTIVITY))
    staff.user_permissions.add(Permission.objects.get(codename="view_scimevent"))
    allowed = client.get(reverse(ACTIVITY))
    changelist = client.get(reverse("admin:drf_scim_scimevent_changelist"))

    assert denied.status_code == 403
    assert allowed.status_code == 200
    assert changelist.status_code == 200


def test_activity_days_are_utc_days_whatever_the_time_zone(admin_client, token, settings):
    """Days are truncated in UTC, which every database can do without time zone tables
    (MariaDB answers NULL to a conversion it has no table for): an event at 02:00 UTC
    counts on its UTC day even where it was still the day before."""
    settings.TIME_ZONE = "America/New_York"
    now = timezone.now()
    early = now.replace(hour=2, minute=0, second=0, microsecond=0)
    if early > now:
        early -= datetime.timedelta(days=1)
    SCIMEvent.objects.create(
        timestamp=early, operation="create", resource_type="User", status=201, token=token
    )

    activity = admin_client.get(reverse(ACTIVITY)).context["activity"]

    counted = {day.date: day.total for day in activity if day.total}
    assert counted == {early.astimezone(datetime.timezone.utc).date(): 1}


def test_token_list_queries_do_not_grow_with_tokens(admin_client, django_assert_num_queries):
    """The token list shows each token's user and tenant from the page's own query."""
    from django.contrib.auth.models import User

    def add(n):
        user = User.objects.create_user(f"owner{n}")
        SCIMToken.objects.create(
            name=f"t{n}",
            key_digest=f"{n:064d}",
            prefix=f"scim_{n}",
            user=user,
            tenant_type=ContentType.objects.get_for_model(Group),
            tenant_id=str(n),
        )

    url = reverse("admin:drf_scim_scimtoken_changelist")
    add(0)
    admin_client.get(url)  # the content types are cached once
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for n in range(1, 6):
        add(n)
    with django_assert_num_queries(len(one.captured_queries)):
        page = admin_client.get(url)
    assert page.status_code == 200
    assert "auth.Group:5" in page.content.decode()
