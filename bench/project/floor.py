"""The floor: hand-written views answering what the benchmarked SCIM requests answer.

The least a SCIM server on these tables must do, written by someone who knows the schema:
no authentication, no parsing beyond a regular expression, no validation, JSON built from
``.values()`` rows. It reads drf-scim's records (the SCIM ``id``, ``externalId``,
``meta``) and value rows (``emails``), so it answers the same documents, and keeps the
rules any server on these tables must keep to answer them (docs/security.md): no staff
or superusers, no groups that carry permissions, nothing deleted. Its writes touch
the user, group and membership rows, the records (a user's inserted, or a version and
keys bumped) and a user's ``emails`` value rows, and nothing else: no search document,
no audit row (drf-scim's receivers stand aside, bench/project/apps.py).
Only the request shapes the harness sends are understood; anything else is a 400.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from drf_scim.models import GroupRecord, UserRecord, UserValue

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
MEDIA_TYPE = "application/scim+json"
BASE = "http://127.0.0.1/scim/v2"

#: ``attr eq "literal"`` for the three attributes the harness filters on.
EQ_FILTER = re.compile(r'^(userName|externalId|id) eq "([^"]*)"$')
#: ``members[value eq "…"]``, a PATCH remove path.
MEMBER_PATH = re.compile(r'^members\[value eq "([^"]+)"\]$')

USER_FIELDS = (
    "pk", "username", "first_name", "last_name", "email", "is_active", "date_joined",
    "scim_record__id", "scim_record__external_id", "scim_record__version",
    "scim_record__last_modified", "scim_record__attributes",
)  # fmt: skip


def answer(document: dict[str, Any], status: int = 200) -> HttpResponse:
    return JsonResponse(document, status=status, content_type=MEDIA_TYPE)


def error(detail: str, status: int = 400) -> HttpResponse:
    return answer({"detail": detail, "status": str(status)}, status)


def live_users() -> Any:
    return get_user_model()._default_manager.filter(
        scim_record__isnull=False,
        scim_record__deleted__isnull=True,
        is_staff=False,
        is_superuser=False,
    )


#: Groups and members a SCIM client may see, from the membership table.
LIVE_GROUP = {"group__scim_record__deleted__isnull": True, "group__permissions__isnull": True}
LIVE_MEMBER = {
    "user__scim_record__deleted__isnull": True,
    "user__is_staff": False,
    "user__is_superuser": False,
}


def user_documents(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SCIM Users from ``USER_FIELDS`` rows: two more queries, for e-mails and groups."""
    pks = [row["pk"] for row in rows]
    emails: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pks}
    # By record id: the (record, attribute) index serves it, with no join.
    user_of = {row["scim_record__id"]: row["pk"] for row in rows}
    for value in (
        UserValue.objects.filter(record_id__in=user_of, attribute="emails")
        .order_by("position")
        .values("record_id", "value", "type", "primary")
    ):
        email = {"value": value["value"]}
        if value["type"] is not None:
            email["type"] = value["type"]
        if value["primary"]:
            email["primary"] = True
        emails[user_of[value["record_id"]]].append(email)
    groups: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pks}
    membership = get_user_model().groups.through.objects.filter(user_id__in=pks, **LIVE_GROUP)
    for row in membership.values("user_id", "group__scim_record__id", "group__name"):
        group_id = row["group__scim_record__id"]
        groups[row["user_id"]].append(
            {
                "value": str(group_id),
                "$ref": f"{BASE}/Groups/{group_id}",
                "display": row["group__name"],
            }
        )
    return [user_document(row, emails[row["pk"]], groups[row["pk"]]) for row in rows]


def user_document(
    row: dict[str, Any], emails: list[dict[str, Any]], groups: list[dict[str, Any]]
) -> dict[str, Any]:
    record_id = str(row["scim_record__id"])
    document = {
        **(row["scim_record__attributes"] or {}),
        "schemas": [USER],
        "id": record_id,
        "userName": row["username"],
        "name": {"givenName": row["first_name"], "familyName": row["last_name"]},
        "active": row["is_active"],
        "emails": emails,
        "groups": groups,
    }
    return with_meta(document, row, "User", row["date_joined"])


def parse_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@csrf_exempt
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return create_user(request)
    queryset = live_users()
    text = request.GET.get("filter")
    if text:
        match = EQ_FILTER.match(text)
        if match is None:
            return error("the floor understands only userName, externalId and id eq")
        attribute, literal = match.groups()
        if attribute == "userName":
            queryset = queryset.filter(scim_record__user_name_key=literal.casefold())
        elif attribute == "externalId":
            queryset = queryset.filter(scim_record__external_id=literal)
        else:
            queryset = queryset.filter(scim_record__id=parse_id(literal))
    start = max(int(request.GET.get("startIndex", 1)), 1)
    count = min(int(request.GET.get("count", 100)), 1000)
    total = queryset.count()
    rows = list(queryset.order_by("pk").values(*USER_FIELDS)[start - 1 : start - 1 + count])
    resources = user_documents(rows)
    return answer(
        {
            "schemas": [LIST],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


def one_user(record_id: uuid.UUID) -> dict[str, Any] | None:
    rows = list(live_users().filter(scim_record__id=record_id).values(*USER_FIELDS))
    return user_documents(rows)[0] if rows else None


def user_columns(document: dict[str, Any]) -> dict[str, Any]:
    name = document.get("name") or {}
    emails = document.get("emails") or []
    primary = next((e for e in emails if e.get("primary")), emails[0] if emails else {})
    return {
        "username": document["userName"],
        "first_name": name.get("givenName", ""),
        "last_name": name.get("familyName", ""),
        "email": primary.get("value", ""),
        "is_active": document.get("active", True),
    }


def email_values(record_id: uuid.UUID, document: dict[str, Any]) -> list[UserValue]:
    return [
        UserValue(
            record_id=record_id,
            attribute="emails",
            position=position,
            value=email.get("value"),
            type=email.get("type"),
            primary=email.get("primary"),
            value_key=(email.get("value") or "").casefold()[:191] or None,
        )
        for position, email in enumerate(document.get("emails") or [])
    ]


def create_user(request: HttpRequest) -> HttpResponse:
    document = json.loads(request.body)
    with transaction.atomic():
        user = get_user_model()._default_manager.create(
            password=make_password(None), **user_columns(document)
        )
        record = UserRecord.objects.create(
            user=user,
            user_name_key=document["userName"].casefold(),
            external_id=document.get("externalId"),
        )
        UserValue.objects.bulk_create(email_values(record.id, document))
    return answer(one_user(record.id) or {}, 201)


@csrf_exempt
def user(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        document = one_user(record_id)
        return error("not found", 404) if document is None else answer(document)
    if request.method not in ("PUT", "PATCH"):
        return error("method not allowed", 405)
    body = json.loads(request.body)
    with transaction.atomic():
        records = UserRecord.objects.filter(
            id=record_id, deleted__isnull=True, user__is_staff=False, user__is_superuser=False
        )
        user_pk = records.values_list("user_id", flat=True).first()
        if user_pk is None:
            return error("not found", 404)
        users = get_user_model()._default_manager.filter(pk=user_pk)
        bump = {"version": F("version") + 1, "last_modified": timezone.now()}
        if request.method == "PUT":
            users.update(**user_columns(body))
            UserValue.objects.filter(record_id=record_id, attribute="emails").delete()
            UserValue.objects.bulk_create(email_values(record_id, body))
            records.update(
                user_name_key=body["userName"].casefold(),
                external_id=body.get("externalId"),
                **bump,
            )
        else:
            operations = body.get("Operations") or []
            if [(op.get("op"), op.get("path")) for op in operations] != [("replace", "active")]:
                return error("the floor understands only a replace of active")
            users.update(is_active=bool(operations[0]["value"]))
            records.update(**bump)
    return answer(one_user(record_id) or {})


def group_document(record_id: uuid.UUID) -> dict[str, Any] | None:
    rows = list(
        Group.objects.filter(
            scim_record__id=record_id,
            scim_record__deleted__isnull=True,
            permissions__isnull=True,
        ).values(
            "pk",
            "name",
            "scim_record__external_id",
            "scim_record__version",
            "scim_record__created",
            "scim_record__last_modified",
        )
    )
    if not rows:
        return None
    row = rows[0]
    members = (
        get_user_model()
        .groups.through.objects.filter(group_id=row["pk"], **LIVE_MEMBER)
        .order_by("user_id")
        .values_list("user__scim_record__id", "user__username")
    )
    document = {
        "schemas": [GROUP],
        "id": str(record_id),
        "displayName": row["name"],
        "members": [
            {
                "value": str(member),
                "$ref": f"{BASE}/Users/{member}",
                "display": name,
                "type": "User",
            }
            for member, name in members
        ],
    }
    return with_meta(document, row, "Group", row["scim_record__created"])


def member_pks(values: list[str]) -> list[int]:
    ids = [parse_id(value) for value in values]
    live = UserRecord.objects.filter(
        id__in=ids, deleted__isnull=True, user__is_staff=False, user__is_superuser=False
    )
    return list(live.values_list("user_id", flat=True))


def apply_group_operation(group_pk: int, operation: dict[str, Any]) -> str | None:
    """Apply one PATCH operation the harness sends; return what is wrong with it, if anything."""
    through = get_user_model().groups.through
    op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
    if op == "add" and path == "members":
        pks = member_pks([member["value"] for member in value])
        through.objects.bulk_create(
            [through(group_id=group_pk, user_id=pk) for pk in pks], ignore_conflicts=True
        )
    elif op == "remove" and path == "members":
        pks = member_pks([member["value"] for member in value])
        through.objects.filter(group_id=group_pk, user_id__in=pks).delete()
    elif op == "remove" and path and MEMBER_PATH.match(path):
        pks = member_pks([MEMBER_PATH.match(path).group(1)])
        through.objects.filter(group_id=group_pk, user_id__in=pks).delete()
    elif op == "replace" and not path and set(value) <= {"id", "displayName"}:
        Group.objects.filter(pk=group_pk).update(name=value["displayName"])
    else:
        return f"the floor does not understand {operation!r}"
    return None


@csrf_exempt
def group(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    if request.method == "PATCH":
        body = json.loads(request.body)
        with transaction.atomic():
            live = GroupRecord.objects.filter(
                id=record_id, deleted__isnull=True, group__permissions__isnull=True
            )
            group_pk = live.values_list("group_id", flat=True).first()
            if group_pk is None:
                return error("not found", 404)
            for operation in body.get("Operations") or []:
                problem = apply_group_operation(group_pk, operation)
                if problem is not None:
                    transaction.set_rollback(True)
                    return error(problem)
            GroupRecord.objects.filter(id=record_id).update(
                version=F("version") + 1, last_modified=timezone.now()
            )
    elif request.method != "GET":
        return error("method not allowed", 405)
    document = group_document(record_id)
    return error("not found", 404) if document is None else answer(document)


__all__ = ["group", "user", "users"]


def with_meta(document: dict[str, Any], row: dict[str, Any], kind: str, created: Any) -> Any:
    """``document`` with its ``meta`` and, if it has one, its ``externalId``."""
    document["meta"] = {
        "resourceType": kind,
        "created": created.isoformat(),
        "lastModified": row["scim_record__last_modified"].isoformat(),
        "version": f'W/"{row["scim_record__version"]}"',
        "location": f"{BASE}/{kind}s/{document['id']}",
    }
    if row["scim_record__external_id"] is not None:
        document["externalId"] = row["scim_record__external_id"]
    return document
