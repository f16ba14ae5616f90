"""Every change to a queue: setting it up, issuing tickets, calling, serving, transferring,
booking. One service per transition. Refusals are `core.errors`: wrong input `InvalidInput` (per
field); an illegal transition `InvalidTransition` (code "invalid_transition"; "queue_closed" when
no tickets now); a record out of the user's reach `NotFoundOrNotAllowed`. Every `TicketEvent` is
written through `equeue.events` in the transaction of the change.

Concurrency: "call next" locks the desk row, then takes the first waiting ticket with
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so two desks pressing at the same moment
get different tickets without waiting on each other; on SQLite every write transaction is
IMMEDIATE (settings), so writers are serialised. Ticket numbers come from a per-topic,
per-day counter row incremented under a row lock.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.core import pagecache
from cipnet.core.clock import local, now
from cipnet.core.errors import InvalidInput, InvalidTransition, NotFoundOrNotAllowed
from cipnet.directory import hours
from cipnet.directory.models import Centre
from cipnet.directory.selectors import schedule_for
from cipnet.equeue import live
from cipnet.equeue.access import can_manage, can_serve
from cipnet.equeue.events import record_ticket_event
from cipnet.equeue.models import (
    Booking,
    Desk,
    EventKind,
    PriorityCategory,
    QueueConfig,
    QueueTopic,
    Ticket,
    TicketChannel,
    TicketStatus,
    TopicCounter,
)
from cipnet.equeue.ordering import Candidate, choose_next
from cipnet.equeue.selectors import free_slots


def queue_closed(message: str) -> InvalidTransition:
    """No tickets (or bookings) now: the queue is off, or the centre is closed (409 `queue_closed`)."""
    return InvalidTransition(message, code="queue_closed")


# --- Set-up -----------------------------------------------------------------------------------

DEFAULT_TOPICS = [
    ("А", "Пенсії та соціальні питання", "Pensions and social matters", "Emerytury i sprawy socjalne"),
    ("Б", "Звернення та запити", "Appeals and requests", "Wnioski i zapytania"),
    ("В", "Квитки та оплати", "Tickets and payments", "Bilety i płatności"),
    ("Г", "Компʼютерна допомога", "Computer help", "Pomoc komputerowa"),
]
DEFAULT_PRIORITIES = [
    ("Особа з інвалідністю", "Person with a disability", "Osoba z niepełnosprawnością"),
    ("Вагітна жінка", "Pregnant woman", "Kobieta w ciąży"),
    ("З дитиною до 3 років", "With a child under 3", "Z dzieckiem do lat 3"),
    ("Людина старша 75 років", "Person over 75", "Osoba powyżej 75 lat"),
]


def queue_setup(*, actor: User | None, centre: Centre, desks: int = 2) -> QueueConfig:
    """Switch the queue on for a centre with the usual topics, priority categories and desks."""
    if actor is not None and not can_manage(actor, centre):
        raise NotFoundOrNotAllowed
    with transaction.atomic():
        config, created = QueueConfig.objects.get_or_create(
            centre=centre, defaults={"kiosk_token": secrets.token_urlsafe(18)}
        )
        if created:
            topics = [
                QueueTopic.objects.create(centre=centre, prefix=p, name=uk, name_en=en, name_pl=pl, position=i)
                for i, (p, uk, en, pl) in enumerate(DEFAULT_TOPICS)
            ]
            for i, (uk, en, pl) in enumerate(DEFAULT_PRIORITIES):
                PriorityCategory.objects.create(centre=centre, name=uk, name_en=en, name_pl=pl, position=i)
            for n in range(1, desks + 1):
                with translation.override(settings.LANGUAGE_CODE):  # names are data: the default language
                    name = _("Desk %(n)d") % {"n": n}
                desk = Desk.objects.create(centre=centre, name=name)
                desk.topics.set(topics)
    return config


def kiosk_token_renew(*, actor: User, centre: Centre) -> QueueConfig:
    if not can_manage(actor, centre):
        raise NotFoundOrNotAllowed
    config = QueueConfig.objects.get(centre=centre)
    config.kiosk_token = secrets.token_urlsafe(18)
    config.save(update_fields=["kiosk_token", "updated_at"])
    return config


def _bump(centre_id: int) -> None:
    """Mark the queue changed; boards learn it after the transaction commits."""
    QueueConfig.objects.filter(centre_id=centre_id).update(version=F("version") + 1)
    pagecache.data_changed()  # the centre page's waiting count
    # Robust: the write is done; a failed announcement (Redis down, a busy database) is logged and
    # must not turn the caller's success into an error (a retry would then be refused).
    transaction.on_commit(lambda: live.announce(centre_id), robust=True)


# --- Settings --------------------------------------------------------------------------------


def queue_config_update(*, config: QueueConfig, fields: list[str]) -> QueueConfig:
    config.full_clean()
    with transaction.atomic():
        config.save(update_fields=[*fields, "updated_at"])
        _bump(config.centre_id)
    return config


def queue_topic_save(*, centre: Centre, topic: QueueTopic, fields: list[str]) -> QueueTopic:
    """Add or change a topic. A letter is unique in the centre, and not reused on a day when
    tickets with it were already issued (their numbers would clash with the new topic's)."""
    topic.centre = centre
    clash = QueueTopic.objects.filter(centre=centre, prefix=topic.prefix).exclude(pk=topic.pk).first()
    letter_taken = _("The letter %(letter)s is already used by the topic “%(name)s”. Choose another letter.")
    if clash is not None:
        raise InvalidInput({"prefix": letter_taken % {"letter": topic.prefix, "name": clash.display_name}})
    old_prefix = QueueTopic.objects.filter(pk=topic.pk).values_list("prefix", flat=True).first() if topic.pk else None
    if (
        old_prefix != topic.prefix
        and Ticket.objects.filter(centre=centre, day=local(now()).date(), prefix=topic.prefix).exists()
    ):
        raise InvalidInput(
            {
                "prefix": _(
                    "Tickets with the letter %(letter)s were already issued today. "
                    "Choose another letter, or change it tomorrow."
                )
                % {"letter": topic.prefix}
            }
        )
    topic.full_clean()
    try:
        with transaction.atomic():
            if topic.pk:
                topic.save(update_fields=[*fields, "updated_at"])
            else:
                topic.save()
            _bump(centre.pk)
    except IntegrityError as exc:  # another manager took the letter at the same moment
        raise InvalidInput({"prefix": letter_taken % {"letter": topic.prefix, "name": "?"}}) from exc
    return topic


def desk_save(*, centre: Centre, desk: Desk, topics: list[QueueTopic], fields: list[str]) -> Desk:
    desk.centre = centre
    name_taken = _("Another desk of this centre is already called “%(name)s”.")
    if Desk.objects.filter(centre=centre, name=desk.name).exclude(pk=desk.pk).exists():
        raise InvalidInput({"name": name_taken % {"name": desk.name}})
    if any(t.centre_id != centre.pk for t in topics):
        raise InvalidInput({"topics": _("Choose topics of this centre.")})
    desk.full_clean()
    try:
        with transaction.atomic():
            if desk.pk:
                desk.save(update_fields=[f for f in fields if f != "topics"] + ["updated_at"])
            else:
                desk.save()
            desk.topics.set(topics)
            _bump(centre.pk)
    except IntegrityError as exc:
        raise InvalidInput({"name": name_taken % {"name": desk.name}}) from exc
    return desk


def priority_category_save(*, centre: Centre, category: PriorityCategory, fields: list[str]) -> PriorityCategory:
    category.centre = centre
    category.full_clean()
    with transaction.atomic():
        if category.pk:
            category.save(update_fields=[*fields, "updated_at"])
        else:
            category.save()
        _bump(centre.pk)
    return category


# --- Issuing ----------------------------------------------------------------------------------


def is_open_for_tickets(centre: Centre, at: dt.datetime) -> bool:
    return hours.status_at(schedule_for(centre), at).is_open


def closed_for_tickets(centre: Centre, at: dt.datetime) -> str | None:
    """Why no tickets are issued at `at`, with the next opening; None while the centre is open.
    The kiosk shows it before a visitor chooses; `ticket_issue` refuses with it."""
    if is_open_for_tickets(centre, at):
        return None
    status = hours.status_at(schedule_for(centre), at)
    if status.opens_at is not None:
        return _("The centre is closed now, so tickets are not issued. It opens %(when)s.") % {
            "when": hours.describe_moment(status.opens_at, at)
        }
    return _("The centre is closed now, so tickets are not issued.")


def _next_number(topic: QueueTopic, day: dt.date) -> int:
    """Numbers run per letter and day (a letter moved to another topic keeps counting)."""
    counter, _created = TopicCounter.objects.select_for_update().get_or_create(
        centre_id=topic.centre_id, prefix=topic.prefix, day=day
    )
    TopicCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return counter.last


def ticket_issue(
    *,
    centre: Centre,
    topic: QueueTopic,
    priority: PriorityCategory | None = None,
    channel: str = TicketChannel.KIOSK,
    actor: User | None = None,
    queued_at: dt.datetime | None = None,
) -> Ticket:
    """A new ticket (A-017) for a topic. Refused when the queue is off or the centre is closed."""
    moment = now()
    config = QueueConfig.objects.filter(centre=centre).first()
    if config is None or not config.is_enabled:
        raise queue_closed(_("This centre does not use the electronic queue."))
    if topic.centre_id != centre.pk or not topic.is_active:
        raise InvalidInput({"topic": _("Choose one of the centre's topics.")})
    if priority is not None and (priority.centre_id != centre.pk or not priority.is_active):
        raise InvalidInput({"priority": _("Choose one of the listed categories.")})
    if channel == TicketChannel.STAFF and (actor is None or not can_serve(actor, centre)):
        raise NotFoundOrNotAllowed
    closed = closed_for_tickets(centre, moment)
    if closed is not None:
        raise queue_closed(closed)
    day = local(moment).date()
    with transaction.atomic():
        number = _next_number(topic, day)
        ticket = Ticket.objects.create(
            centre=centre,
            topic=topic,
            day=day,
            prefix=topic.prefix,
            number=number,
            code=secrets.token_urlsafe(12),
            priority=priority,
            channel=channel,
            queued_at=min(queued_at, moment) if queued_at else moment,
            issued_at=moment,
        )
        record_ticket_event(ticket, EventKind.ISSUED, at=moment, actor=actor, channel=channel)
        _bump(centre.pk)
    return ticket


# --- Serving ----------------------------------------------------------------------------------


def _lock_ticket(ticket: Ticket) -> Ticket:
    # `of=("self",)`: desk and priority are nullable (outer joins), which PostgreSQL cannot lock.
    return Ticket.objects.select_for_update(of=("self",)).select_related("topic", "desk", "priority").get(pk=ticket.pk)


def _require(ticket: Ticket, allowed: set[str], action: str) -> None:
    if ticket.status not in allowed:
        raise InvalidTransition(
            _("Ticket %(label)s cannot be %(action)s: it is “%(status)s”.")
            % {"label": ticket.label, "action": action, "status": ticket.get_status_display()}
        )


def _check_desk(actor: User, desk: Desk) -> None:
    if not can_serve(actor, desk.centre):
        raise NotFoundOrNotAllowed
    if not desk.is_active:
        raise InvalidInput({"desk": _("This desk is closed.")})


def _first_waiting(qs: Any) -> Ticket | None:
    qs = qs.order_by("queued_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return qs.first()


def ticket_call_next(*, actor: User, desk: Desk) -> Ticket | None:
    """Call the next visitor to the desk (None when nobody waits)."""
    _check_desk(actor, desk)
    moment = now()
    with transaction.atomic():
        # Lock only the desk row: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
        # join to the (reverse one-to-one) queue settings.
        locked_desk = (
            Desk.objects.select_for_update(of=("self",)).select_related("centre__queue_config").get(pk=desk.pk)
        )
        busy = Ticket.objects.filter(
            desk=locked_desk, day=local(moment).date(), status__in=[TicketStatus.CALLED, TicketStatus.SERVING]
        ).first()
        if busy is not None:
            raise InvalidTransition(
                _("Finish ticket %(label)s, or mark that the visitor did not come, before calling the next one.")
                % {"label": busy.label}
            )
        waiting = Ticket.objects.filter(
            centre_id=locked_desk.centre_id,
            day=local(moment).date(),
            status=TicketStatus.WAITING,
            topic__in=locked_desk.topics.all(),
        ).filter(Q(for_desk__isnull=True) | Q(for_desk=locked_desk))
        # At most three candidates decide: transferred here, oldest priority, oldest ordinary.
        picks = [
            _first_waiting(waiting.filter(for_desk=locked_desk)),
            _first_waiting(waiting.filter(for_desk__isnull=True, priority__isnull=False)),
            _first_waiting(waiting.filter(for_desk__isnull=True, priority__isnull=True)),
        ]
        candidates = [
            Candidate(t.pk, t.queued_at, t.priority_id is not None, t.for_desk_id == locked_desk.pk)
            for t in picks
            if t is not None
        ]
        config = locked_desk.centre.queue_config
        choice = choose_next(candidates, streak=locked_desk.priority_streak, max_streak=config.max_priority_streak)
        if choice is None:
            return None
        ticket = next(t for t in picks if t is not None and t.pk == choice.ticket_id)
        ticket.status = TicketStatus.CALLED
        ticket.desk = locked_desk
        ticket.for_desk = None
        ticket.consultant = actor
        ticket.called_at = moment
        ticket.calls = F("calls") + 1
        ticket.save(update_fields=["status", "desk", "for_desk", "consultant", "called_at", "calls", "updated_at"])
        ticket.refresh_from_db(fields=["calls"])
        locked_desk.priority_streak = choice.streak
        locked_desk.save(update_fields=["priority_streak", "updated_at"])
        record_ticket_event(ticket, EventKind.CALLED, at=moment, actor=actor)
        _bump(ticket.centre_id)
    return ticket


def _serve(actor: User, ticket: Ticket) -> None:
    if not can_serve(actor, ticket.centre):
        raise NotFoundOrNotAllowed


def ticket_recall(*, actor: User, ticket: Ticket) -> Ticket:
    _serve(actor, ticket)
    moment = now()
    with transaction.atomic():
        t = _lock_ticket(ticket)
        _require(t, {TicketStatus.CALLED}, _("called again"))
        t.calls = F("calls") + 1
        t.called_at = moment
        t.save(update_fields=["calls", "called_at", "updated_at"])
        t.refresh_from_db(fields=["calls"])
        record_ticket_event(t, EventKind.RECALLED, at=moment, actor=actor)
        _bump(t.centre_id)
    return t


def ticket_no_show(*, actor: User, ticket: Ticket) -> Ticket:
    _serve(actor, ticket)
    moment = now()
    with transaction.atomic():
        t = _lock_ticket(ticket)
        _require(t, {TicketStatus.CALLED}, _("marked as not come"))
        t.status = TicketStatus.NO_SHOW
        t.finished_at = moment
        t.save(update_fields=["status", "finished_at", "updated_at"])
        record_ticket_event(t, EventKind.NO_SHOW, at=moment, actor=actor)
        _bump(t.centre_id)
    return t


def ticket_start(*, actor: User, ticket: Ticket) -> Ticket:
    _serve(actor, ticket)
    moment = now()
    with transaction.atomic():
        t = _lock_ticket(ticket)
        _require(t, {TicketStatus.CALLED}, _("started"))
        t.status = TicketStatus.SERVING
        t.started_at = moment
        t.save(update_fields=["status", "started_at", "updated_at"])
        record_ticket_event(t, EventKind.STARTED, at=moment, actor=actor)
        _bump(t.centre_id)
    return t


@dataclass
class Finished:
    ticket: Ticket
    #: Token that opens the consultation log's quick entry pre-filled for this visit.
    prefill: str


def ticket_finish(*, actor: User, ticket: Ticket) -> Finished:
    """The visitor was served. Returns the consultation log's pre-fill token for the visit."""
    from cipnet.consultations.services import consultation_prefill

    _serve(actor, ticket)
    moment = now()
    with transaction.atomic():
        t = _lock_ticket(ticket)
        _require(t, {TicketStatus.CALLED, TicketStatus.SERVING}, _("finished"))
        if t.started_at is None:
            t.started_at = t.called_at or moment
        t.status = TicketStatus.DONE
        t.finished_at = moment
        t.save(update_fields=["status", "started_at", "finished_at", "updated_at"])
        record_ticket_event(t, EventKind.FINISHED, at=moment, actor=actor)
        _bump(t.centre_id)
        # Inside the transaction: nothing reads the database after the commit, so a caller that
        # retries a refused (e.g. locked) call never finds the ticket already finished.
        token = consultation_prefill(centre=t.centre, started_at=t.started_at or moment, finished_at=moment)
    return Finished(t, token)


def ticket_transfer(
    *, actor: User, ticket: Ticket, topic: QueueTopic | None = None, desk: Desk | None = None
) -> Ticket:
    """Send a called or served visitor back to the line, for another topic or a particular desk.
    They keep their number and their place (the time they first queued)."""
    _serve(actor, ticket)
    if topic is None and desk is None:
        raise InvalidInput({"topic": _("Choose a topic or a desk to transfer to.")})
    if topic is not None and (topic.centre_id != ticket.centre_id or not topic.is_active):
        raise InvalidInput({"topic": _("Choose one of the centre's topics.")})
    if desk is not None and (desk.centre_id != ticket.centre_id or not desk.is_active):
        raise InvalidInput({"desk": _("Choose an open desk of the centre.")})
    moment = now()
    with transaction.atomic():
        t = _lock_ticket(ticket)
        _require(t, {TicketStatus.CALLED, TicketStatus.SERVING}, _("transferred"))
        detail: dict[str, Any] = {"from_topic": t.topic_id, "from_desk": t.desk_id}
        if topic is not None:
            t.topic = topic
            detail["to_topic"] = topic.pk
        if desk is not None:
            if not desk.topics.filter(pk=(topic or t.topic).pk).exists():
                raise InvalidInput({"desk": _("That desk does not serve this topic; choose a topic too.")})
            detail["to_desk"] = desk.pk
        t.for_desk = desk
        t.status = TicketStatus.WAITING
        t.desk = None
        t.called_at = None
        t.started_at = None
        t.save(update_fields=["topic", "for_desk", "status", "desk", "called_at", "started_at", "updated_at"])
        record_ticket_event(t, EventKind.TRANSFERRED, at=moment, actor=actor, **detail)
        _bump(t.centre_id)
    return t


def ticket_cancel(*, ticket: Ticket) -> Ticket:
    """The holder gives up their place (from the status page)."""
    moment = now()
    with transaction.atomic():
        t = _lock_ticket(ticket)
        _require(t, {TicketStatus.WAITING}, _("cancelled"))
        t.status = TicketStatus.CANCELLED
        t.finished_at = moment
        t.save(update_fields=["status", "finished_at", "updated_at"])
        record_ticket_event(t, EventKind.CANCELLED, at=moment)
        _bump(t.centre_id)
    return t


# --- Booking ----------------------------------------------------------------------------------


def booking_create(*, centre: Centre, topic: QueueTopic, starts_at: dt.datetime) -> Booking:
    """Book a free slot (see selectors.free_slots). The code is checked in at the kiosk."""
    config = QueueConfig.objects.filter(centre=centre, is_enabled=True, booking_enabled=True).first()
    if config is None:
        raise queue_closed(_("This centre does not take bookings."))
    if topic.centre_id != centre.pk or not topic.is_active:
        raise InvalidInput({"topic": _("Choose one of the centre's topics.")})
    with transaction.atomic():
        QueueConfig.objects.select_for_update().get(pk=config.pk)  # one booking at a time per centre
        slots = free_slots(centre=centre, topic=topic, day=local(starts_at).date())
        if starts_at not in {s.starts_at for s in slots if s.free > 0}:
            raise InvalidInput({"starts_at": _("This time is no longer free. Choose another.")})
        for _attempt in range(10):
            code = "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _i in range(6))
            try:
                with transaction.atomic():
                    return Booking.objects.create(centre=centre, topic=topic, starts_at=starts_at, code=code)
            except IntegrityError:
                continue
    raise InvalidInput(_("Could not make a booking code; try again."))


CHECK_IN_EARLY = dt.timedelta(minutes=30)
CHECK_IN_LATE = dt.timedelta(minutes=15)


def booking_check_in(*, centre: Centre, code: str) -> Ticket:
    """The booked visitor arrived: a ticket placed in line at the booked time."""
    code = code.strip().upper().replace(" ", "")
    moment = now()
    booking = Booking.objects.filter(centre=centre, code=code, is_cancelled=False).select_related("topic").first()
    if booking is None:
        raise InvalidInput({"code": _("No booking with this code at this centre. Check the code.")})
    if booking.ticket_id is not None:
        raise InvalidInput({"code": _("This booking has already been used.")})
    if not (booking.starts_at - CHECK_IN_EARLY <= moment <= booking.starts_at + CHECK_IN_LATE):
        raise InvalidInput(
            {
                "code": _("Your booking is for %(time)s. Check in up to 30 minutes before and 15 minutes after.")
                % {"time": local(booking.starts_at).strftime("%d.%m %H:%M")}
            }
        )
    with transaction.atomic():
        ticket = ticket_issue(
            centre=centre, topic=booking.topic, channel=TicketChannel.BOOKING, queued_at=booking.starts_at
        )
        booking.ticket = ticket
        booking.save(update_fields=["ticket", "updated_at"])
    return ticket
