"""Reads of the queue: tickets and desks for the people of a centre (`TicketFilters`,
`DeskFilters`), the board's snapshot, a ticket holder's place and expected wait, free booking
slots, the console and the statistics. A record out of reach is `NotFoundOrNotAllowed` (404)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean, median
from typing import Any

from django.db.models import QuerySet

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core.clock import at, local, now
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.directory.models import Centre
from cipnet.directory.selectors import schedule_for
from cipnet.equeue.access import can_manage, can_serve
from cipnet.equeue.models import (
    Booking,
    Desk,
    EventKind,
    PriorityCategory,
    QueueConfig,
    QueueTopic,
    Ticket,
    TicketEvent,
    TicketStatus,
)

#: Minutes per visitor when a topic has no recent history.
DEFAULT_SERVICE_MINUTES = 10
#: How many recent services the estimate averages.
RECENT_SERVICES = 20
RECENT_DAYS = 14


#: Centres whose queue the public may use (the public pages and the API alike).
PUBLIC_STATUSES = ("active", "temporarily_closed")
#: A desk's visitor: called to it, or being served there.
ACTIVE = (TicketStatus.CALLED, TicketStatus.SERVING)
RECENT_AT_DESK = 10


def config_for(centre: Centre) -> QueueConfig | None:
    return QueueConfig.objects.filter(centre=centre).first()


def centre_with_queue(*, slug: str) -> tuple[Centre, QueueConfig]:
    """A public centre whose queue is on (404 otherwise)."""
    config = (
        QueueConfig.objects.select_related("centre", "centre__settlement")
        .filter(centre__slug=slug, is_enabled=True)
        .first()
    )
    if config is None or config.centre.status not in PUBLIC_STATUSES:
        raise NotFoundOrNotAllowed
    return config.centre, config


def centre_for_tickets(*, slug: str) -> tuple[Centre, QueueConfig]:
    """A public centre that has a queue (on or off: the service refuses tickets when it is off)."""
    config = QueueConfig.objects.select_related("centre").filter(centre__slug=slug).first()
    if config is None or config.centre.status not in PUBLIC_STATUSES:
        raise NotFoundOrNotAllowed
    return config.centre, config


def centre_by_kiosk_token(*, token: str) -> tuple[Centre, QueueConfig]:
    config = QueueConfig.objects.select_related("centre").filter(kiosk_token=token, is_enabled=True).first()
    if config is None:
        raise NotFoundOrNotAllowed
    return config.centre, config


def kiosk_switched_off(*, token: str) -> bool:
    """The kiosk address is right, but its centre's queue is switched off."""
    return QueueConfig.objects.filter(kiosk_token=token, is_enabled=False).exists()


def centre_list_served_by(*, user: User) -> QuerySet[Centre]:
    """Centres whose queue the user may serve (those they work in), by name."""
    return Centre.objects.filter(pk__in=scope_for(user).centre_ids).order_by("name")


def centre_get_for_queue(*, user: User, pk: int, manage: bool = False) -> Centre:
    """A centre whose queue settings (`manage`) or statistics (serve or manage) the user may
    open; `NotFoundOrNotAllowed` otherwise."""
    centre = Centre.objects.filter(pk=pk).first()
    allowed = centre is not None and (can_manage(user, centre) or (not manage and can_serve(user, centre)))
    if centre is None or not allowed:
        raise NotFoundOrNotAllowed
    return centre


def ticket_by_code(*, code: str) -> Ticket:
    ticket = Ticket.objects.select_related("centre", "topic", "desk", "priority").filter(code=code).first()
    if ticket is None:
        raise NotFoundOrNotAllowed
    return ticket


def booking_get(*, pk: int, centre_slug: str) -> Booking:
    """A booking of the centre (its confirmation page; the caller checked the signed address)."""
    booking = (
        Booking.objects.select_related("centre", "centre__settlement", "topic")
        .filter(pk=pk, centre__slug=centre_slug)
        .first()
    )
    if booking is None:
        raise NotFoundOrNotAllowed
    return booking


# --- Tickets and desks for the people of a centre ---------------------------------------------
#
# The console (views_staff) and the API (api/) read tickets and desks only through these: the
# user sees the tickets and desks of the centres they work in; anything else is a 404.


@dataclass(frozen=True)
class TicketFilters:
    centre: Centre | None = None
    day: dt.date | None = None
    statuses: tuple[str, ...] = ()
    topic: QueueTopic | None = None
    #: Called to or served at this desk.
    desk: Desk | None = None


def ticket_list_visible_to(*, user: User, filters: TicketFilters) -> QuerySet[Ticket]:
    """Tickets of the centres the user works in that match the filters (unordered)."""
    qs = Ticket.objects.select_related("centre", "topic", "priority", "desk", "for_desk").filter(
        centre_id__in=scope_for(user).centre_ids
    )
    if filters.centre is not None:
        qs = qs.filter(centre=filters.centre)
    if filters.day is not None:
        qs = qs.filter(day=filters.day)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.topic is not None:
        qs = qs.filter(topic=filters.topic)
    if filters.desk is not None:
        qs = qs.filter(desk=filters.desk)
    return qs


def ticket_get_for_user(*, user: User, pk: int) -> Ticket:
    """A ticket of a centre the user works in (404 otherwise)."""
    ticket = ticket_list_visible_to(user=user, filters=TicketFilters()).filter(pk=pk).first()
    if ticket is None:
        raise NotFoundOrNotAllowed
    return ticket


@dataclass(frozen=True)
class DeskFilters:
    centre: Centre | None = None
    active_only: bool = False
    #: Leave this desk out (the transfer form: another desk than the visitor's).
    exclude: Desk | None = None


def desk_list(filters: DeskFilters) -> QuerySet[Desk]:
    """Desks matching the filters, by name; the caller has checked access to the centre (the
    settings pages, the choices of a ticket already read through `ticket_get_for_user`)."""
    qs = Desk.objects.select_related("centre")
    if filters.centre is not None:
        qs = qs.filter(centre=filters.centre)
    if filters.active_only:
        qs = qs.filter(is_active=True)
    if filters.exclude is not None:
        qs = qs.exclude(pk=filters.exclude.pk)
    return qs.order_by("name", "id")


def desk_list_visible_to(*, user: User, filters: DeskFilters) -> QuerySet[Desk]:
    """Desks of the centres the user works in that match the filters, by name."""
    return desk_list(filters).filter(centre_id__in=scope_for(user).centre_ids)


def desk_get_for_user(*, user: User, pk: int | None) -> Desk:
    """A desk (open or closed) of a centre the user works in (404 otherwise)."""
    desk = desk_list_visible_to(user=user, filters=DeskFilters()).filter(pk=pk).first() if pk is not None else None
    if desk is None:
        raise NotFoundOrNotAllowed
    return desk


def topics_of(centre: Centre, *, include_inactive: bool = False) -> QuerySet[QueueTopic]:
    qs = QueueTopic.objects.filter(centre=centre)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("position", "prefix")


def priorities_of(centre: Centre, *, include_inactive: bool = False) -> QuerySet[PriorityCategory]:
    qs = PriorityCategory.objects.filter(centre=centre)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("position", "id")


# --- The console ------------------------------------------------------------------------------


@dataclass
class WaitingRow:
    ticket: Ticket
    minutes: int


@dataclass
class WaitingGroup:
    topic: QueueTopic
    rows: list[WaitingRow]
    served_here: bool


def waiting_groups(*, user: User, centre: Centre, desk: Desk | None, moment: dt.datetime) -> list[WaitingGroup]:
    """Today's waiting tickets per topic, in line order, with the minutes each has waited."""
    tickets = ticket_list_visible_to(
        user=user, filters=TicketFilters(centre=centre, day=local(moment).date(), statuses=(TicketStatus.WAITING,))
    ).order_by("queued_at", "id")
    by_topic: dict[int, list[WaitingRow]] = {}
    extra: dict[int, QueueTopic] = {}
    for t in tickets:
        minutes = max(0, int((moment - t.queued_at).total_seconds() // 60))
        by_topic.setdefault(t.topic_id, []).append(WaitingRow(t, minutes))
        extra[t.topic_id] = t.topic
    served = {t.pk for t in desk.topics.all()} if desk is not None else set()
    topics = list(topics_of(centre))
    known = {t.pk for t in topics}
    topics += [topic for pk, topic in extra.items() if pk not in known]  # switched off, people still waiting
    return [WaitingGroup(t, by_topic.get(t.pk, []), t.pk in served) for t in topics]


def current_ticket(*, user: User, desk: Desk) -> Ticket | None:
    """The visitor called to or being served at the desk (from any day: a ticket left open
    yesterday blocks "call next" until someone closes it, so it must be shown)."""
    return (
        ticket_list_visible_to(user=user, filters=TicketFilters(desk=desk, statuses=ACTIVE))
        .order_by("called_at", "id")
        .first()
    )


def recent_at_desk(*, user: User, desk: Desk, day: dt.date) -> QuerySet[Ticket]:
    filters = TicketFilters(desk=desk, day=day, statuses=(TicketStatus.DONE, TicketStatus.NO_SHOW))
    return ticket_list_visible_to(user=user, filters=filters).order_by("-finished_at", "-id")[:RECENT_AT_DESK]


# --- Waiting estimate -------------------------------------------------------------------------


def estimate_minutes(*, ahead: int, service_minutes: list[float], desks: int) -> int:
    """Expected wait: the people ahead times the recent median service time, shared by the desks
    serving the topic. Median, because one long case should not scare everyone away."""
    if ahead <= 0:
        return 0
    per_visitor = median(service_minutes) if service_minutes else DEFAULT_SERVICE_MINUTES
    return max(1, math.ceil(ahead * per_visitor / max(1, desks)))


def recent_service_minutes(topic: QueueTopic, *, before: dt.datetime) -> list[float]:
    rows = (
        Ticket.objects.filter(
            topic=topic,
            status=TicketStatus.DONE,
            finished_at__lte=before,
            finished_at__gte=before - dt.timedelta(days=RECENT_DAYS),
            started_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:RECENT_SERVICES]
    )
    return [(end - start).total_seconds() / 60 for start, end in rows if end and start]


def ahead_of(ticket: Ticket) -> int:
    """Waiting tickets of the same topic that will be called before this one."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    waiting = Ticket.objects.filter(
        centre_id=ticket.centre_id, day=ticket.day, topic_id=ticket.topic_id, status=TicketStatus.WAITING
    ).exclude(pk=ticket.pk)
    earlier = waiting.filter(queued_at__lt=ticket.queued_at) | waiting.filter(
        queued_at=ticket.queued_at, id__lt=ticket.pk
    )
    if ticket.priority_id is not None:
        return earlier.filter(priority__isnull=False).count()
    return earlier.count() + waiting.filter(priority__isnull=False, queued_at__gt=ticket.queued_at).count()


@dataclass
class TicketView:
    ticket: Ticket
    ahead: int
    minutes: int


def ticket_view(ticket: Ticket) -> TicketView:
    ahead = ahead_of(ticket)
    minutes = 0
    if ahead:
        desks = Desk.objects.filter(centre_id=ticket.centre_id, is_active=True, topics=ticket.topic_id).count()
        minutes = estimate_minutes(
            ahead=ahead, service_minutes=recent_service_minutes(ticket.topic, before=now()), desks=desks
        )
    return TicketView(ticket, ahead, minutes)


def expected_wait_for_new(topic: QueueTopic) -> tuple[int, int]:
    """(people waiting, minutes) for someone taking a ticket of this topic now."""
    waiting = Ticket.objects.filter(topic=topic, day=local(now()).date(), status=TicketStatus.WAITING).count()
    desks = Desk.objects.filter(topics=topic, is_active=True).count()
    return waiting, estimate_minutes(
        ahead=waiting, service_minutes=recent_service_minutes(topic, before=now()), desks=desks
    )


# --- The board --------------------------------------------------------------------------------

BOARD_RECENT = 6


def board_snapshot(centre: Centre, config: QueueConfig) -> dict[str, Any]:
    """What a display board shows: who is called to which desk now, the last few calls, and
    how many wait per topic. Plain JSON, also sent as the push message."""
    today = local(now()).date()
    calling = list(
        Ticket.objects.filter(centre=centre, day=today, status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .select_related("desk")
        .order_by("-called_at")
    )
    called_ids = {t.pk for t in calling}
    recent_events = (
        TicketEvent.objects.filter(
            centre=centre, kind__in=[EventKind.CALLED, EventKind.RECALLED], at__date__gte=today - dt.timedelta(days=1)
        )
        .exclude(ticket_id__in=called_ids)
        .select_related("ticket", "desk")
        .order_by("-at", "-id")[: BOARD_RECENT * 3]
    )
    recent: list[dict[str, Any]] = []
    seen: set[int] = set()
    for event in recent_events:
        if event.ticket_id in seen or local(event.at).date() != today:
            continue
        seen.add(event.ticket_id)
        recent.append({"ticket": event.ticket.label, "desk": event.desk.name if event.desk else ""})
        if len(recent) >= BOARD_RECENT:
            break
    waiting: dict[int, int] = defaultdict(int)
    for topic_id in Ticket.objects.filter(centre=centre, day=today, status=TicketStatus.WAITING).values_list(
        "topic_id", flat=True
    ):
        waiting[topic_id] += 1
    return {
        "centre": centre.display_name,
        "version": config.version,
        "calling": [
            {
                "ticket": t.label,
                "desk": t.desk.name if t.desk else "",
                "called_at": t.called_at.isoformat() if t.called_at else None,
                "calls": t.calls,
                "serving": t.status == TicketStatus.SERVING,
            }
            for t in calling
        ],
        "recent": recent,
        "waiting": [
            {"topic": topic.display_name, "prefix": topic.prefix, "count": waiting.get(topic.pk, 0)}
            for topic in topics_of(centre)
        ],
    }


def centre_queue_panel(centre: Centre) -> dict[str, Any]:
    """Context for `equeue/kiosk/centre_queue_panel.html` on the public centre page
    (empty when the centre does not use the queue)."""
    config = config_for(centre)
    if config is None or not config.is_enabled:
        return {}
    snapshot = board_snapshot(centre, config)
    return {"queue_config": config, "queue_waiting": snapshot["waiting"]}


# --- Booking slots ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


def free_slots(*, centre: Centre, topic: QueueTopic, day: dt.date) -> list[Slot]:
    """Bookable times on a day: the opening hours cut into slots; one booking per desk serving
    the topic per slot; only times still ahead."""
    config = QueueConfig.objects.filter(centre=centre).first()
    if config is None:
        return []
    step = dt.timedelta(minutes=config.slot_minutes)
    capacity = Desk.objects.filter(centre=centre, is_active=True, topics=topic).count()
    if capacity == 0:
        return []
    start_of_day = at(day, dt.time(0, 0))
    booked: dict[dt.datetime, int] = defaultdict(int)
    for starts_at in Booking.objects.filter(
        centre=centre,
        is_cancelled=False,
        starts_at__gte=start_of_day,
        starts_at__lt=start_of_day + dt.timedelta(days=1),
    ).values_list("starts_at", flat=True):
        booked[starts_at] += 1
    moment = now()
    slots: list[Slot] = []
    for interval in schedule_for(centre).intervals_on(day):
        begin, end = at(day, interval.opens), at(day, interval.closes)
        t = begin
        while t + step <= end:
            if t > moment:
                slots.append(Slot(t, capacity, booked.get(t, 0)))
            t += step
    return slots


# --- Statistics -------------------------------------------------------------------------------


@dataclass
class Figures:
    issued: int = 0
    served: int = 0
    no_show: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    @property
    def no_show_rate(self) -> float | None:
        called = self.served + self.no_show
        return round(self.no_show / called, 3) if called else None

    @property
    def wait_avg(self) -> float | None:
        return round(mean(self.waits), 1) if self.waits else None

    @property
    def wait_max(self) -> float | None:
        return round(max(self.waits), 1) if self.waits else None

    @property
    def service_avg(self) -> float | None:
        return round(mean(self.services), 1) if self.services else None


@dataclass
class Statistics:
    total: Figures
    by_topic: dict[str, Figures]
    by_desk: dict[str, Figures]
    by_hour: dict[int, Figures]
    by_day: dict[dt.date, Figures]


def statistics(*, centre: Centre, start: dt.date, end: dt.date) -> Statistics:
    """Waiting time (queued → first called) and service time (started → finished) in minutes,
    per topic, desk, hour of issue and day; no-show rate. From the tickets of [start, end]."""
    total = Figures()
    by_topic: dict[str, Figures] = defaultdict(Figures)
    by_desk: dict[str, Figures] = defaultdict(Figures)
    by_hour: dict[int, Figures] = defaultdict(Figures)
    by_day: dict[dt.date, Figures] = defaultdict(Figures)
    first_call: dict[int, dt.datetime] = {}
    for ticket_id, moment in (
        TicketEvent.objects.filter(centre=centre, kind=EventKind.CALLED, ticket__day__gte=start, ticket__day__lte=end)
        .order_by("at")
        .values_list("ticket_id", "at")
    ):
        first_call.setdefault(ticket_id, moment)
    tickets = Ticket.objects.filter(centre=centre, day__gte=start, day__lte=end).select_related("topic", "desk")
    for t in tickets:
        groups = [total, by_topic[t.topic.display_name], by_hour[local(t.issued_at).hour], by_day[t.day]]
        if t.desk is not None:
            groups.append(by_desk[t.desk.name])
        called = first_call.get(t.pk)
        for g in groups:
            g.issued += 1
            if t.status == TicketStatus.DONE:
                g.served += 1
                if t.started_at and t.finished_at:
                    g.services.append((t.finished_at - t.started_at).total_seconds() / 60)
            elif t.status == TicketStatus.NO_SHOW:
                g.no_show += 1
            if called is not None:
                g.waits.append(max(0.0, (called - t.queued_at).total_seconds() / 60))
    return Statistics(total, dict(by_topic), dict(by_desk), dict(sorted(by_hour.items())), dict(sorted(by_day.items())))
