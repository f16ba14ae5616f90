"""Reads of the virtual reception, scoped to who may see them (outside the scope: 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.appeals import open311
from cipnet.appeals.deadlines import is_overdue, working_days_left
from cipnet.appeals.models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealQuerySet,
    Attachment,
    Authority,
    AuthorityOfficial,
    Kind,
    Publication,
    Status,
)
from cipnet.core.clock import at, local, now
from cipnet.core.text import search_key
from cipnet.core.workdays import current_calendar


def official_authority_ids(user: User | AnonymousUser) -> set[int]:
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return set()
    return set(
        AuthorityOfficial.objects.filter(user_id=int(user.pk), is_active=True, authority__is_active=True).values_list(
            "authority_id", flat=True
        )
    )


def official_posts(user: User | AnonymousUser) -> list[str]:
    """The authorities the user answers for, as people read them ("…, head" for a head)."""
    if not isinstance(user, User) or user.pk is None:
        return []
    posts = AuthorityOfficial.objects.filter(user_id=user.pk, is_active=True).select_related("authority")
    return [
        _("%(authority)s, head") % {"authority": p.authority.display_name} if p.is_head else p.authority.display_name
        for p in posts.order_by("authority__name")
    ]


def is_official(user: User | AnonymousUser) -> bool:
    return bool(official_authority_ids(user))


def appeal_list_visible_to(*, user: User | AnonymousUser) -> AppealQuerySet:
    """Cases the user may open: their own (as resident or filer), their centres' (library staff),
    their region's (coordinators), their authority's once sent (officials); all for the network."""
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    scope = scope_for(user)
    if scope.network:
        return Appeal.objects.all()
    q = Q(user_id=user.pk) | Q(filed_by_id=user.pk)
    if scope.centre_ids:
        q |= Q(centre_id__in=scope.centre_ids)
    if scope.region_ids:
        q |= Q(centre__region_id__in=scope.region_ids) | (
            Q(authority__region_id__in=scope.region_ids) & ~Q(status=Status.DRAFT)
        )
    authorities = official_authority_ids(user)
    if authorities:
        q |= Q(authority_id__in=authorities) & ~Q(status=Status.DRAFT)
    return Appeal.objects.filter(q)


def appeal_get_for_user(*, user: User | AnonymousUser, pk: int) -> Appeal:
    appeal = appeal_list_visible_to(user=user).select_related("authority", "centre", "assignee").filter(pk=pk).first()
    if appeal is None:
        raise Http404
    return appeal


def appeal_get_by_token(*, token: str) -> Appeal:
    """The author's follow link (works without an account)."""
    appeal = Appeal.objects.select_related("authority", "centre").filter(follow_token=token).first() if token else None
    if appeal is None:
        raise Http404
    return appeal


@dataclass(frozen=True)
class CaseFilters:
    """What a list of cases is narrowed to; the officials' inbox and `GET /reception/cases/` build
    one from their input and ask `case_list_visible_to`."""

    status: str = ""  # a Status value, "open" (any of OPEN_STATUSES) or "sent" (any but a draft)
    kind: str = ""
    due: str = ""  # "soon" (3 working days or less), "overdue"
    mine: bool = False  # assigned to the user
    text: str = ""  # in the number or the subject
    #: Only the cases sent to the user's authorities (the official's inbox).
    inbox: bool = False
    #: Only the user's own cases (as resident, or as the consultant who filed them).
    own: bool = False
    #: Only the cases filed at the user's centres (for consultants following them for visitors).
    centres: bool = False
    #: "newest" (created, newest first), "urgent" (due soonest first), "edited" (last changed first).
    order: str = "newest"


def case_list_visible_to(
    *, user: User | AnonymousUser, filters: CaseFilters, moment: dt.datetime | None = None
) -> QuerySet[Appeal]:
    """The cases the user may see (`appeal_list_visible_to`), narrowed by `filters`."""
    moment = moment or now()
    qs = appeal_list_visible_to(user=user)
    if filters.inbox:
        qs = qs.filter(authority_id__in=official_authority_ids(user)).exclude(status=Status.DRAFT)
    if filters.own:
        qs = qs.filter(Q(user_id=user.pk) | Q(filed_by_id=user.pk))
    if filters.centres:
        qs = qs.filter(centre_id__in=scope_for(user).centre_ids) if isinstance(user, User) else qs.none()
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status == "sent":
        qs = qs.exclude(status=Status.DRAFT)
    elif filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    if filters.kind in Kind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.due == "overdue":
        qs = qs.overdue(moment)
    elif filters.due == "soon":
        calendar = current_calendar()
        last = local(moment).date()
        for _i in range(3):
            last = calendar.next_working_day(last + dt.timedelta(days=1))
        qs = qs.due_between(moment, dt.datetime.combine(last, dt.time.max, tzinfo=local(moment).tzinfo))
    if filters.mine:
        qs = qs.filter(assignee_id=user.pk)
    if filters.text:
        qs = qs.filter(Q(number__icontains=filters.text) | Q(subject__icontains=filters.text))
    if filters.order == "urgent":
        return qs.select_related("authority", "assignee").order_by("due_at", "id")
    if filters.order == "edited":
        return qs.select_related("authority").order_by("-updated_at", "-id")
    return qs.select_related("authority", "centre").order_by("-created_at", "-id")


@dataclass(frozen=True)
class RegisterFilters:
    """What the public register is narrowed to; its page and `GET /reception/register/` build one
    from their input and ask `case_list_public`."""

    text: str = ""  # every word in the published subject, question, answer or number
    authority_slug: str = ""
    kind: str = ""


def case_list_public(filters: RegisterFilters) -> QuerySet[Appeal]:
    """Published cases matching the filters (the published texts only, never the originals),
    newest first."""
    qs = Appeal.objects.filter(publication=Publication.PUBLISHED)
    for word in search_key(filters.text).split()[:8]:
        qs = qs.filter(public_search__contains=word[:60])
    if filters.authority_slug:
        qs = qs.filter(authority__slug=filters.authority_slug)
    if filters.kind in Kind.values:
        qs = qs.filter(kind=filters.kind)
    return qs.select_related("authority").order_by("-published_at", "-id")


@dataclass(frozen=True)
class Open311Filters:
    """What `GET /api/open311/v2/requests.json` narrows the register to. Register numbers, when
    given, override every other filter (as GeoReport says); else the cases received in
    [received_from, received_to], of the services and GeoReport statuses named (none: all)."""

    numbers: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    statuses: tuple[str, ...] = ()


def case_list_open311(filters: Open311Filters) -> QuerySet[Appeal]:
    """The register's published cases (`case_list_public`, nothing else) that a GeoReport service
    describes, narrowed by `filters`, the latest received first."""
    qs = case_list_public(RegisterFilters()).filter(open311.any_service_q())
    if filters.numbers:
        qs = qs.filter(number__in=filters.numbers)
    else:
        if filters.service_codes:
            q = Q(pk__in=[])
            for code in filters.service_codes:
                q |= open311.BY_CODE[code].q()
            qs = qs.filter(q)
        if filters.received_from is not None:
            qs = qs.filter(received_at__gte=filters.received_from)
        if filters.received_to is not None:
            qs = qs.filter(received_at__lte=filters.received_to)
        qs = qs.filter(open311.status_q(filters.statuses))
    return qs.order_by("-received_at", "-id")


def case_get_open311(*, number: str) -> Appeal:
    """One published case by its register number, if a GeoReport service describes it; else 404."""
    appeal = case_list_open311(Open311Filters(numbers=(number,))).first()
    if appeal is None:
        raise Http404
    return appeal


@dataclass(frozen=True)
class DueInfo:
    due_at: dt.datetime | None
    due_on: dt.date | None
    overdue: bool
    working_days_left: int | None
    #: The term runs (the authority owes an answer).
    running: bool


def due_info(appeal: Appeal, moment: dt.datetime | None = None) -> DueInfo:
    moment = moment or now()
    if appeal.due_at is None:
        return DueInfo(None, None, False, None, False)
    due_on = local(appeal.due_at).date()
    running = appeal.status in OPEN_STATUSES
    left = working_days_left(due_on, local(moment).date(), current_calendar()) if running else None
    return DueInfo(appeal.due_at, due_on, running and is_overdue(appeal.due_at, moment), left, running)


def timeline(*, appeal: Appeal, internal: bool) -> QuerySet[AppealEvent]:
    """The case's history; the author sees public events only."""
    qs = appeal.events.select_related("actor").prefetch_related("attachments")
    return qs if internal else qs.filter(public=True)


def attachment_for(*, appeal: Appeal, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(appeal=appeal, pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment


def authorities_for_choice() -> QuerySet[Authority]:
    return Authority.objects.filter(is_active=True).select_related("region").order_by("region__name", "name")


def colleagues(*, appeal: Appeal) -> QuerySet[User]:
    return User.objects.filter(
        authority_posts__authority_id=appeal.authority_id, authority_posts__is_active=True
    ).order_by("last_name", "first_name", "username")


def answered_by_outcome(
    *, start: dt.date, end: dt.date, region_id: int | None = None, centre_ids: tuple[int, ...] | None = None
) -> dict[str, int]:
    """Outcome → appeals and requests filed at a centre (of the region, or of these centres) and answered
    in [start, end] (Kyiv days): `answered_by_centre` added up, for a figure that shows only its total."""
    qs = Appeal.objects.filter(
        centre__isnull=False,
        answered_at__gte=at(start, dt.time(0)),
        answered_at__lt=at(end + dt.timedelta(days=1), dt.time(0)),
    ).exclude(outcome="")
    if region_id is not None:
        qs = qs.filter(centre__region_id=region_id)
    if centre_ids is not None:
        qs = qs.filter(centre_id__in=centre_ids)
    return dict(qs.values("outcome").annotate(n=Count("*")).order_by().values_list("outcome", "n"))


def answered_by_centre(*, start: dt.date, end: dt.date, region_id: int | None = None) -> dict[int, dict[str, int]]:
    """Centre id → outcome → appeals and requests filed at a centre and answered in [start, end] (Kyiv
    days): what programme results count ("124 appeals, 32 resolved positively")."""
    qs = Appeal.objects.filter(
        centre__isnull=False,
        answered_at__gte=at(start, dt.time(0)),
        answered_at__lt=at(end + dt.timedelta(days=1), dt.time(0)),
    ).exclude(outcome="")
    if region_id is not None:
        qs = qs.filter(centre__region_id=region_id)
    out: dict[int, dict[str, int]] = {}
    for centre_id, outcome, n in (
        qs.values("centre_id", "outcome").annotate(n=Count("*")).order_by().values_list("centre_id", "outcome", "n")
    ):
        out.setdefault(centre_id, {})[outcome] = n
    return out
