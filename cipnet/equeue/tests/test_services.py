"""The queue's services and selectors: every transition and every refused one, numbering,
opening hours, membership, booking, the waiting estimate and the statistics.

Time is controlled: `now` in the services and selectors reads a clock that starts on a
Wednesday at 10:00 in Kyiv and is moved forward step by step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError

from cipnet.core.clock import KYIV
from cipnet.core.errors import InvalidTransition, NotFoundOrNotAllowed
from cipnet.directory import services as directory_services
from cipnet.equeue import selectors, services
from cipnet.equeue.models import (
    Booking,
    Desk,
    EventKind,
    PriorityCategory,
    QueueConfig,
    QueueTopic,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketStatus,
)
from cipnet.testing import World

#: A Wednesday, 10:00 in Kyiv (centres are open 09–13 and 14–18 on weekdays).
WEDNESDAY_10 = dt.datetime(2026, 3, 11, 10, 0, tzinfo=KYIV)


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> dt.datetime:
        self.current += dt.timedelta(**delta)
        return self.current

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.current = moment
        return moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(WEDNESDAY_10)
    monkeypatch.setattr("cipnet.equeue.services.now", c)
    monkeypatch.setattr("cipnet.equeue.selectors.now", c)
    return c


@dataclass
class Queue:
    config: QueueConfig
    topics: list[QueueTopic]
    priorities: list[PriorityCategory]
    desks: list[Desk]

    @property
    def a(self) -> QueueTopic:
        return self.topics[0]

    @property
    def b(self) -> QueueTopic:
        return self.topics[1]


@pytest.fixture
def queue(world: World, clock: Clock) -> Queue:
    config = services.queue_setup(actor=None, centre=world.centre_a)
    return Queue(
        config,
        list(QueueTopic.objects.filter(centre=world.centre_a).order_by("position")),
        list(PriorityCategory.objects.filter(centre=world.centre_a).order_by("position")),
        list(Desk.objects.filter(centre=world.centre_a).order_by("pk")),
    )


def issue(world: World, topic: QueueTopic, *, priority: PriorityCategory | None = None) -> Ticket:
    return services.ticket_issue(centre=world.centre_a, topic=topic, priority=priority)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("topic", "desk", "centre").get(pk=ticket.pk)


def kinds(ticket: Ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("at", "id").values_list("kind", flat=True))


# --- Set-up -----------------------------------------------------------------------------------


def test_setup_makes_topics_priorities_and_desks(queue: Queue) -> None:
    assert [t.prefix for t in queue.topics] == ["А", "Б", "В", "Г"]
    assert len(queue.priorities) == 4
    assert len(queue.desks) == 2
    assert all(set(d.topics.all()) == set(queue.topics) for d in queue.desks)


def test_setup_twice_changes_nothing(world: World, queue: Queue) -> None:
    again = services.queue_setup(actor=None, centre=world.centre_a)
    assert again.pk == queue.config.pk
    assert QueueTopic.objects.filter(centre=world.centre_a).count() == 4


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("manager_a", True), ("coordinator_a", True), ("admin", True), ("consultant_a", False), ("manager_b", False)],
)
def test_setup_needs_a_manager(world: World, role: str, allowed: bool) -> None:
    if allowed:
        services.queue_setup(actor=world.users[role], centre=world.centre_a)
        assert QueueConfig.objects.filter(centre=world.centre_a).exists()
    else:
        with pytest.raises(NotFoundOrNotAllowed):
            services.queue_setup(actor=world.users[role], centre=world.centre_a)
        assert not QueueConfig.objects.filter(centre=world.centre_a).exists()


# --- Issuing ----------------------------------------------------------------------------------


def test_numbers_count_per_topic(world: World, queue: Queue) -> None:
    labels = [issue(world, t).label for t in (queue.a, queue.a, queue.b, queue.a)]
    assert labels == ["А-001", "А-002", "Б-001", "А-003"]
    t = Ticket.objects.get(prefix="А", number=2)
    assert (t.status, t.channel, t.day) == (TicketStatus.WAITING, TicketChannel.KIOSK, dt.date(2026, 3, 11))
    assert t.queued_at == t.issued_at == WEDNESDAY_10
    assert kinds(t) == [EventKind.ISSUED]


def test_numbers_restart_daily_per_topic(world: World, queue: Queue, clock: Clock) -> None:
    issue(world, queue.a)
    issue(world, queue.a)
    clock.set(dt.datetime(2026, 3, 12, 9, 0, tzinfo=KYIV))  # Thursday
    first = issue(world, queue.a)
    assert (first.label, first.day) == ("А-001", dt.date(2026, 3, 12))
    assert issue(world, queue.b).label == "Б-001"


def test_codes_are_unique_and_unguessable(world: World, queue: Queue) -> None:
    codes = {issue(world, queue.a).code for _i in range(5)}
    assert len(codes) == 5
    assert all(len(code) >= 16 for code in codes)


def test_issue_bumps_the_version(world: World, queue: Queue) -> None:
    issue(world, queue.a)
    queue.config.refresh_from_db()
    assert queue.config.version == 1


@pytest.mark.parametrize(
    ("moment", "says"),
    [
        (dt.datetime(2026, 3, 11, 8, 59, tzinfo=KYIV), "today at 09:00"),
        (dt.datetime(2026, 3, 11, 13, 30, tzinfo=KYIV), "today at 14:00"),
        (dt.datetime(2026, 3, 11, 18, 0, tzinfo=KYIV), "tomorrow at 09:00"),
        (dt.datetime(2026, 3, 14, 11, 0, tzinfo=KYIV), "on Monday at 09:00"),
    ],
)
def test_refused_outside_opening_hours(
    world: World, queue: Queue, clock: Clock, moment: dt.datetime, says: str
) -> None:
    from django.utils import translation

    clock.set(moment)
    with translation.override("en"), pytest.raises(InvalidTransition) as exc:
        issue(world, queue.a)
    assert exc.value.message == f"The centre is closed now, so tickets are not issued. It opens {says}."
    assert exc.value.code == "queue_closed"
    assert not Ticket.objects.exists()


def test_open_at_the_edges(world: World, queue: Queue, clock: Clock) -> None:
    clock.set(dt.datetime(2026, 3, 11, 9, 0, tzinfo=KYIV))
    issue(world, queue.a)
    clock.set(dt.datetime(2026, 3, 11, 17, 59, tzinfo=KYIV))
    issue(world, queue.a)
    assert Ticket.objects.count() == 2


def test_refused_on_a_closed_day_by_exception(world: World, queue: Queue) -> None:
    directory_services.opening_exception_add(
        actor=None, centre=world.centre_a, date=WEDNESDAY_10.date(), is_closed=True, reason="Вимкнення світла"
    )
    with pytest.raises(InvalidTransition):
        issue(world, queue.a)


def test_refused_when_the_queue_is_off(world: World, queue: Queue) -> None:
    QueueConfig.objects.filter(pk=queue.config.pk).update(is_enabled=False)
    with pytest.raises(InvalidTransition):
        issue(world, queue.a)
    assert not Ticket.objects.exists()


def test_refused_where_there_is_no_queue(world: World, queue: Queue) -> None:
    with pytest.raises(InvalidTransition):
        services.ticket_issue(centre=world.centre_b, topic=queue.a)


def test_topic_and_priority_must_be_the_centres(world: World, queue: Queue) -> None:
    services.queue_setup(actor=None, centre=world.centre_b)
    other_topic = QueueTopic.objects.filter(centre=world.centre_b).first()
    other_priority = PriorityCategory.objects.filter(centre=world.centre_b).first()
    with pytest.raises(ValidationError) as exc:
        services.ticket_issue(centre=world.centre_a, topic=other_topic)  # type: ignore[arg-type]
    assert set(exc.value.message_dict) == {"topic"}
    with pytest.raises(ValidationError) as exc:
        services.ticket_issue(centre=world.centre_a, topic=queue.a, priority=other_priority)
    assert set(exc.value.message_dict) == {"priority"}
    QueueTopic.objects.filter(pk=queue.b.pk).update(is_active=False)
    queue.b.refresh_from_db()
    with pytest.raises(ValidationError):
        issue(world, queue.b)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("consultant_a", True),
        ("manager_a", True),
        ("trainer_a", True),
        ("consultant_b", False),
        ("coordinator_a", False),
        ("resident", False),
        ("admin", False),
        ("anonymous", False),
    ],
)
def test_staff_issue_needs_centre_membership(world: World, queue: Queue, role: str, allowed: bool) -> None:
    actor = world.users[role]
    if allowed:
        t = services.ticket_issue(centre=world.centre_a, topic=queue.a, channel=TicketChannel.STAFF, actor=actor)
        assert t.channel == TicketChannel.STAFF
        assert TicketEvent.objects.get(ticket=t).actor == actor
    else:
        with pytest.raises(NotFoundOrNotAllowed):
            services.ticket_issue(centre=world.centre_a, topic=queue.a, channel=TicketChannel.STAFF, actor=actor)
        assert not Ticket.objects.exists()


# --- Calling ----------------------------------------------------------------------------------


def test_call_next_takes_the_earliest(world: World, queue: Queue, clock: Clock) -> None:
    first = issue(world, queue.a)
    clock.advance(minutes=1)
    issue(world, queue.b)
    clock.advance(minutes=1)
    called = services.ticket_call_next(actor=world.users["consultant_a"], desk=queue.desks[0])
    assert called is not None and called.pk == first.pk
    t = fresh(first)
    assert (t.status, t.desk, t.consultant, t.called_at, t.calls) == (
        TicketStatus.CALLED,
        queue.desks[0],
        world.users["consultant_a"],
        clock.current,
        1,
    )
    assert kinds(t) == [EventKind.ISSUED, EventKind.CALLED]


def test_call_next_priority_with_the_streak(world: World, queue: Queue, clock: Clock) -> None:
    QueueConfig.objects.filter(pk=queue.config.pk).update(max_priority_streak=2)
    ordinary = [issue(world, queue.a) for _i in range(2)]
    clock.advance(minutes=1)
    priority = [issue(world, queue.a, priority=queue.priorities[0]) for _i in range(3)]
    consultant, desk = world.users["consultant_a"], queue.desks[0]
    order = []
    while (t := services.ticket_call_next(actor=consultant, desk=desk)) is not None:
        order.append(t.pk)
        clock.advance(minutes=2)
        services.ticket_finish(actor=consultant, ticket=t)
    assert order == [priority[0].pk, priority[1].pk, ordinary[0].pk, priority[2].pk, ordinary[1].pk]
    desk.refresh_from_db()
    assert desk.priority_streak == 0


def test_call_next_while_busy_is_refused(world: World, queue: Queue) -> None:
    issue(world, queue.a)
    second = issue(world, queue.a)
    consultant, desk = world.users["consultant_a"], queue.desks[0]
    first = services.ticket_call_next(actor=consultant, desk=desk)
    assert first is not None
    with pytest.raises(InvalidTransition) as exc:
        services.ticket_call_next(actor=consultant, desk=desk)
    assert "А-001" in exc.value.message
    assert exc.value.code == "invalid_transition"
    assert fresh(second).status == TicketStatus.WAITING
    services.ticket_start(actor=consultant, ticket=first)
    with pytest.raises(InvalidTransition):
        services.ticket_call_next(actor=world.users["manager_a"], desk=desk)
    # Another desk is free.
    assert services.ticket_call_next(actor=world.users["manager_a"], desk=queue.desks[1]) == second


def test_call_next_when_nobody_waits(world: World, queue: Queue) -> None:
    assert services.ticket_call_next(actor=world.users["consultant_a"], desk=queue.desks[0]) is None
    queue.config.refresh_from_db()
    assert queue.config.version == 0


def test_call_next_only_serves_the_desks_topics(world: World, queue: Queue) -> None:
    desk = queue.desks[0]
    desk.topics.set([queue.b])
    issue(world, queue.a)
    b = issue(world, queue.b)
    assert services.ticket_call_next(actor=world.users["consultant_a"], desk=desk) == b
    services.ticket_finish(actor=world.users["consultant_a"], ticket=b)
    assert services.ticket_call_next(actor=world.users["consultant_a"], desk=desk) is None


def test_yesterdays_tickets_are_not_called(world: World, queue: Queue, clock: Clock) -> None:
    issue(world, queue.a)
    clock.set(dt.datetime(2026, 3, 12, 10, 0, tzinfo=KYIV))
    assert services.ticket_call_next(actor=world.users["consultant_a"], desk=queue.desks[0]) is None


@pytest.mark.parametrize("role", ["consultant_b", "coordinator_a", "resident", "admin"])
def test_call_next_needs_centre_membership(world: World, queue: Queue, role: str) -> None:
    t = issue(world, queue.a)
    with pytest.raises(NotFoundOrNotAllowed):
        services.ticket_call_next(actor=world.users[role], desk=queue.desks[0])
    assert fresh(t).status == TicketStatus.WAITING


def test_call_next_at_a_closed_desk(world: World, queue: Queue) -> None:
    t = issue(world, queue.a)
    Desk.objects.filter(pk=queue.desks[0].pk).update(is_active=False)
    queue.desks[0].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.ticket_call_next(actor=world.users["consultant_a"], desk=queue.desks[0])
    assert set(exc.value.message_dict) == {"desk"}
    assert fresh(t).status == TicketStatus.WAITING


# --- Recall, no-show, start, finish, cancel ----------------------------------------------------


@pytest.fixture
def called(world: World, queue: Queue, clock: Clock) -> Ticket:
    issue(world, queue.a)
    clock.advance(minutes=5)
    t = services.ticket_call_next(actor=world.users["consultant_a"], desk=queue.desks[0])
    assert t is not None
    clock.advance(minutes=1)
    return t


def test_recall(world: World, called: Ticket, clock: Clock) -> None:
    t = services.ticket_recall(actor=world.users["consultant_a"], ticket=called)
    assert (t.status, t.calls, t.called_at) == (TicketStatus.CALLED, 2, clock.current)
    assert kinds(t)[-1] == EventKind.RECALLED


def test_no_show(world: World, queue: Queue, called: Ticket, clock: Clock) -> None:
    t = services.ticket_no_show(actor=world.users["consultant_a"], ticket=called)
    assert (t.status, t.finished_at) == (TicketStatus.NO_SHOW, clock.current)
    assert kinds(t)[-1] == EventKind.NO_SHOW
    # The desk is free again.
    assert services.ticket_call_next(actor=world.users["consultant_a"], desk=queue.desks[0]) is None


def test_start_then_finish(world: World, called: Ticket, clock: Clock) -> None:
    started = services.ticket_start(actor=world.users["consultant_a"], ticket=called)
    assert (started.status, started.started_at) == (TicketStatus.SERVING, clock.current)
    start = clock.current
    clock.advance(minutes=12)
    done = services.ticket_finish(actor=world.users["consultant_a"], ticket=called)
    t = fresh(called)
    assert (t.status, t.started_at, t.finished_at) == (TicketStatus.DONE, start, clock.current)
    assert kinds(t)[-3:] == [EventKind.CALLED, EventKind.STARTED, EventKind.FINISHED]
    from cipnet.consultations.services import prefill_read

    prefill = prefill_read(done.prefill)
    assert prefill is not None
    assert (prefill["centre"], prefill["duration_minutes"]) == (t.centre_id, 12)


def test_finish_without_start_counts_from_the_call(world: World, called: Ticket, clock: Clock) -> None:
    clock.advance(minutes=7)
    services.ticket_finish(actor=world.users["consultant_a"], ticket=called)
    t = fresh(called)
    assert t.started_at == t.called_at


def test_cancel(world: World, queue: Queue, clock: Clock) -> None:
    t = issue(world, queue.a)
    clock.advance(minutes=3)
    t = services.ticket_cancel(ticket=t)
    assert (t.status, t.finished_at) == (TicketStatus.CANCELLED, clock.current)
    assert kinds(t) == [EventKind.ISSUED, EventKind.CANCELLED]
    assert services.ticket_call_next(actor=world.users["consultant_a"], desk=queue.desks[0]) is None


def _in_state(world: World, queue: Queue, state: str) -> Ticket:
    consultant = world.users["consultant_a"]
    t = issue(world, queue.a)
    if state == TicketStatus.WAITING:
        return t
    called = services.ticket_call_next(actor=consultant, desk=queue.desks[0])
    assert called == t
    if state == TicketStatus.SERVING:
        services.ticket_start(actor=consultant, ticket=t)
    elif state == TicketStatus.DONE:
        services.ticket_finish(actor=consultant, ticket=t)
    elif state == TicketStatus.NO_SHOW:
        services.ticket_no_show(actor=consultant, ticket=t)
    elif state == TicketStatus.CANCELLED:
        raise AssertionError("a called ticket cannot be cancelled")
    return fresh(t)


ACTIONS = {
    "recall": lambda actor, t: services.ticket_recall(actor=actor, ticket=t),
    "no_show": lambda actor, t: services.ticket_no_show(actor=actor, ticket=t),
    "start": lambda actor, t: services.ticket_start(actor=actor, ticket=t),
    "finish": lambda actor, t: services.ticket_finish(actor=actor, ticket=t),
    "transfer": lambda actor, t: services.ticket_transfer(actor=actor, ticket=t, topic=t.topic),
    "cancel": lambda actor, t: services.ticket_cancel(ticket=t),
}
#: The states each action accepts; every other state is an InvalidTransition.
ALLOWED = {
    "recall": {"called"},
    "no_show": {"called"},
    "start": {"called"},
    "finish": {"called", "serving"},
    "transfer": {"called", "serving"},
    "cancel": {"waiting"},
}
STATES = ["waiting", "called", "serving", "done", "no_show"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_table(world: World, queue: Queue, action: str, state: str) -> None:
    t = _in_state(world, queue, state)
    events = TicketEvent.objects.count()
    if state in ALLOWED[action]:
        ACTIONS[action](world.users["consultant_a"], t)
        assert TicketEvent.objects.count() == events + 1
    else:
        with pytest.raises(InvalidTransition) as exc:
            ACTIONS[action](world.users["consultant_a"], t)
        assert t.label in exc.value.message
        assert exc.value.code == "invalid_transition"
        assert fresh(t).status == state
        assert TicketEvent.objects.count() == events


@pytest.mark.parametrize("state", ["done", "no_show", "cancelled"])
def test_a_closed_ticket_stays_closed(world: World, queue: Queue, state: str) -> None:
    t = issue(world, queue.a)
    Ticket.objects.filter(pk=t.pk).update(status=state)
    for action in ACTIONS:
        with pytest.raises(InvalidTransition):
            ACTIONS[action](world.users["consultant_a"], t)
    assert fresh(t).status == state


@pytest.mark.parametrize("action", ["recall", "no_show", "start", "finish", "transfer"])
@pytest.mark.parametrize("role", ["consultant_b", "coordinator_a", "resident"])
def test_serving_needs_centre_membership(world: World, called: Ticket, action: str, role: str) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        ACTIONS[action](world.users[role], called)
    t = fresh(called)
    assert (t.status, t.calls) == (TicketStatus.CALLED, 1)


# --- Transfer ---------------------------------------------------------------------------------


def test_transfer_to_a_topic_keeps_label_and_place(world: World, queue: Queue, clock: Clock) -> None:
    consultant = world.users["consultant_a"]
    t = issue(world, queue.a)
    clock.advance(minutes=1)
    later_b = issue(world, queue.b)
    clock.advance(minutes=1)
    services.ticket_call_next(actor=consultant, desk=queue.desks[0])
    services.ticket_start(actor=consultant, ticket=t)
    clock.advance(minutes=3)
    moved = services.ticket_transfer(actor=consultant, ticket=t, topic=queue.b)
    m = fresh(moved)
    assert (m.label, m.queued_at, m.topic, m.status) == ("А-001", WEDNESDAY_10, queue.b, TicketStatus.WAITING)
    assert (m.desk, m.for_desk, m.called_at, m.started_at) == (None, None, None, None)
    event = TicketEvent.objects.filter(ticket=t).last()
    assert event is not None
    assert (event.kind, event.detail) == (
        EventKind.TRANSFERRED,
        {"from_topic": queue.a.pk, "from_desk": queue.desks[0].pk, "to_topic": queue.b.pk},
    )
    # Its place in the new line: before the Б ticket issued after it.
    queue.desks[1].topics.set([queue.b])
    assert services.ticket_call_next(actor=consultant, desk=queue.desks[1]) == t
    assert fresh(later_b).status == TicketStatus.WAITING


def test_transfer_to_a_desk(world: World, queue: Queue, clock: Clock) -> None:
    consultant, manager = world.users["consultant_a"], world.users["manager_a"]
    t = issue(world, queue.a)
    clock.advance(minutes=1)
    earlier_priority = issue(world, queue.a, priority=queue.priorities[0])
    services.ticket_call_next(actor=consultant, desk=queue.desks[0])  # the priority ticket
    services.ticket_call_next(actor=manager, desk=queue.desks[1])  # t
    services.ticket_finish(actor=consultant, ticket=earlier_priority)
    clock.advance(minutes=1)
    third = issue(world, queue.a, priority=queue.priorities[1])
    services.ticket_transfer(actor=manager, ticket=t, desk=queue.desks[0])
    m = fresh(t)
    assert (m.label, m.queued_at, m.for_desk, m.topic) == ("А-001", WEDNESDAY_10, queue.desks[0], queue.a)
    # Desk 2 does not get it, even though it is the earliest…
    assert services.ticket_call_next(actor=manager, desk=queue.desks[1]) == third
    # … desk 1 calls it first, before anybody else.
    assert services.ticket_call_next(actor=consultant, desk=queue.desks[0]) == t
    assert fresh(t).for_desk is None


def test_transfer_to_a_desk_that_does_not_serve_the_topic(world: World, queue: Queue, called: Ticket) -> None:
    queue.desks[1].topics.set([queue.b])
    with pytest.raises(ValidationError) as exc:
        services.ticket_transfer(actor=world.users["consultant_a"], ticket=called, desk=queue.desks[1])
    assert set(exc.value.message_dict) == {"desk"}
    assert fresh(called).status == TicketStatus.CALLED
    # With a topic that desk serves, it is fine.
    services.ticket_transfer(actor=world.users["consultant_a"], ticket=called, topic=queue.b, desk=queue.desks[1])
    m = fresh(called)
    assert (m.topic, m.for_desk) == (queue.b, queue.desks[1])


def test_transfer_needs_a_target_of_the_centre(world: World, queue: Queue, called: Ticket) -> None:
    consultant = world.users["consultant_a"]
    with pytest.raises(ValidationError) as exc:
        services.ticket_transfer(actor=consultant, ticket=called)
    assert set(exc.value.message_dict) == {"topic"}
    services.queue_setup(actor=None, centre=world.centre_b)
    other_desk = Desk.objects.filter(centre=world.centre_b).first()
    with pytest.raises(ValidationError) as exc:
        services.ticket_transfer(actor=consultant, ticket=called, desk=other_desk)
    assert set(exc.value.message_dict) == {"desk"}
    assert fresh(called).status == TicketStatus.CALLED


# --- Booking ----------------------------------------------------------------------------------


@pytest.fixture
def booking_on(queue: Queue) -> Queue:
    QueueConfig.objects.filter(pk=queue.config.pk).update(booking_enabled=True, slot_minutes=30)
    queue.config.refresh_from_db()
    return queue


def kyiv(hour: int, minute: int = 0, day: int = 11) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=KYIV)


def test_free_slots(world: World, booking_on: Queue) -> None:
    slots = selectors.free_slots(centre=world.centre_a, topic=booking_on.a, day=dt.date(2026, 3, 11))
    # After 10:00 today: 10:30 … 12:30, then 14:00 … 17:30; two desks serve the topic.
    assert [s.starts_at for s in slots] == [kyiv(10, 30), kyiv(11), kyiv(11, 30), kyiv(12), kyiv(12, 30)] + [
        kyiv(h, m) for h in (14, 15, 16, 17) for m in (0, 30)
    ]
    assert {(s.capacity, s.free) for s in slots} == {(2, 2)}
    # A whole day ahead; none on Saturday.
    assert len(selectors.free_slots(centre=world.centre_a, topic=booking_on.a, day=dt.date(2026, 3, 12))) == 16
    assert selectors.free_slots(centre=world.centre_a, topic=booking_on.a, day=dt.date(2026, 3, 14)) == []


def test_booking_takes_a_place_in_the_slot(world: World, booking_on: Queue) -> None:
    first = services.booking_create(centre=world.centre_a, topic=booking_on.a, starts_at=kyiv(11))
    second = services.booking_create(centre=world.centre_a, topic=booking_on.b, starts_at=kyiv(11))
    assert first.code != second.code and len(first.code) == 6
    with pytest.raises(ValidationError) as exc:
        services.booking_create(centre=world.centre_a, topic=booking_on.a, starts_at=kyiv(11))
    assert set(exc.value.message_dict) == {"starts_at"}
    slot = next(
        s
        for s in selectors.free_slots(centre=world.centre_a, topic=booking_on.a, day=dt.date(2026, 3, 11))
        if s.starts_at == kyiv(11)
    )
    assert (slot.booked, slot.free) == (2, 0)
    assert Booking.objects.count() == 2


@pytest.mark.parametrize("when", [kyiv(9, 30), kyiv(10, 0), kyiv(13, 0), kyiv(11, 10), kyiv(10, 0, day=14)])
def test_booking_only_a_free_slot_ahead(world: World, booking_on: Queue, when: dt.datetime) -> None:
    with pytest.raises(ValidationError):
        services.booking_create(centre=world.centre_a, topic=booking_on.a, starts_at=when)
    assert not Booking.objects.exists()


def test_booking_refused_when_off(world: World, queue: Queue) -> None:
    with pytest.raises(InvalidTransition):
        services.booking_create(centre=world.centre_a, topic=queue.a, starts_at=kyiv(11))


@pytest.mark.parametrize(
    ("arrive", "ok", "queued_at"),
    [
        (kyiv(11, 29), False, None),
        (kyiv(11, 30), True, kyiv(11, 30)),  # 30 minutes early: placed at the time of arrival
        (kyiv(12, 0), True, kyiv(12, 0)),
        (kyiv(12, 15), True, kyiv(12, 0)),  # 15 minutes late: placed at the booked time
        (kyiv(12, 16), False, None),
    ],
)
def test_check_in_window(
    world: World, booking_on: Queue, clock: Clock, arrive: dt.datetime, ok: bool, queued_at: dt.datetime | None
) -> None:
    booking = services.booking_create(centre=world.centre_a, topic=booking_on.a, starts_at=kyiv(12))
    clock.set(arrive)
    if ok:
        t = services.booking_check_in(centre=world.centre_a, code=f" {booking.code.lower()} ")
        assert (t.channel, t.queued_at, t.issued_at, t.topic) == (
            TicketChannel.BOOKING,
            queued_at,
            arrive,
            booking_on.a,
        )
        booking.refresh_from_db()
        assert booking.ticket == t
        with pytest.raises(ValidationError) as exc:
            services.booking_check_in(centre=world.centre_a, code=booking.code)
        assert set(exc.value.message_dict) == {"code"}
        assert Ticket.objects.count() == 1
    else:
        with pytest.raises(ValidationError) as exc:
            services.booking_check_in(centre=world.centre_a, code=booking.code)
        assert set(exc.value.message_dict) == {"code"}
        assert not Ticket.objects.exists()


def test_booked_visitor_goes_before_walk_ins_who_came_after_the_booked_time(
    world: World, booking_on: Queue, clock: Clock
) -> None:
    booking = services.booking_create(centre=world.centre_a, topic=booking_on.a, starts_at=kyiv(12))
    clock.set(kyiv(12, 5))
    walk_in = issue(world, booking_on.a)
    clock.set(kyiv(12, 10))
    booked = services.booking_check_in(centre=world.centre_a, code=booking.code)
    assert services.ticket_call_next(actor=world.users["consultant_a"], desk=booking_on.desks[0]) == booked
    assert fresh(walk_in).status == TicketStatus.WAITING


def test_check_in_unknown_or_other_centres_code(world: World, booking_on: Queue) -> None:
    booking = services.booking_create(centre=world.centre_a, topic=booking_on.a, starts_at=kyiv(10, 30))
    with pytest.raises(ValidationError):
        services.booking_check_in(centre=world.centre_a, code="ZZZZZZ")
    with pytest.raises(ValidationError):
        services.booking_check_in(centre=world.centre_b, code=booking.code)
    Booking.objects.filter(pk=booking.pk).update(is_cancelled=True)
    with pytest.raises(ValidationError):
        services.booking_check_in(centre=world.centre_a, code=booking.code)


# --- Waiting estimate -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ahead", "minutes", "desks", "expected"),
    [
        (0, [5.0], 1, 0),
        (-1, [], 1, 0),
        (1, [], 1, 10),  # no history: 10 minutes a visitor
        (3, [], 2, 15),
        (1, [4.0, 6.0, 50.0], 1, 6),  # the median: one long case does not count
        (2, [4.0, 6.0], 1, 10),
        (1, [0.2], 1, 1),  # at least a minute when somebody is ahead
        (5, [7.0], 0, 35),  # no desk open: as if one
        (3, [10.0], 4, 8),  # rounded up
    ],
)
def test_estimate_minutes(ahead: int, minutes: list[float], desks: int, expected: int) -> None:
    assert selectors.estimate_minutes(ahead=ahead, service_minutes=minutes, desks=desks) == expected


def _serve(world: World, queue: Queue, clock: Clock, topic: QueueTopic, minutes: float) -> None:
    consultant = world.users["consultant_a"]
    t = issue(world, topic)
    called = services.ticket_call_next(actor=consultant, desk=queue.desks[0])
    assert called == t
    services.ticket_start(actor=consultant, ticket=t)
    clock.advance(minutes=minutes)
    services.ticket_finish(actor=consultant, ticket=t)


def test_ticket_view_uses_recent_service_times(world: World, queue: Queue, clock: Clock) -> None:
    for minutes in (4, 8, 30):
        _serve(world, queue, clock, queue.a, minutes)
    _serve(world, queue, clock, queue.b, 60)  # another topic does not count
    waiting = [issue(world, queue.a) for _i in range(4)]
    views = [selectors.ticket_view(t) for t in waiting]
    # Median 8 minutes, two desks serve the topic.
    assert [(v.ahead, v.minutes) for v in views] == [(0, 0), (1, 4), (2, 8), (3, 12)]
    Desk.objects.filter(pk=queue.desks[1].pk).update(is_active=False)
    assert selectors.ticket_view(waiting[3]).minutes == 24


def test_ticket_view_without_history_and_old_history(world: World, queue: Queue, clock: Clock) -> None:
    _serve(world, queue, clock, queue.a, 30)
    clock.advance(days=15)  # older than the two weeks the estimate looks at (a Thursday)
    waiting = [issue(world, queue.a) for _i in range(3)]
    assert selectors.ticket_view(waiting[2]).minutes == 10  # 2 ahead × 10 min / 2 desks


def test_ahead_counts_priority_before_ordinary(world: World, queue: Queue, clock: Clock) -> None:
    o1 = issue(world, queue.a)
    clock.advance(minutes=1)
    p1 = issue(world, queue.a, priority=queue.priorities[0])
    clock.advance(minutes=1)
    o2 = issue(world, queue.a)
    clock.advance(minutes=1)
    p2 = issue(world, queue.a, priority=queue.priorities[1])
    issue(world, queue.b)  # another topic's line
    assert [selectors.ahead_of(t) for t in (o1, p1, o2, p2)] == [2, 0, 3, 1]
    called = services.ticket_call_next(actor=world.users["consultant_a"], desk=queue.desks[0])
    assert called == p1
    assert selectors.ahead_of(fresh(p1)) == 0
    assert [selectors.ahead_of(t) for t in (o1, o2, p2)] == [1, 2, 0]


def test_expected_wait_for_new(world: World, queue: Queue) -> None:
    for _i in range(3):
        issue(world, queue.a)
    assert selectors.expected_wait_for_new(queue.a) == (3, 15)
    assert selectors.expected_wait_for_new(queue.b) == (0, 0)


# --- Board ------------------------------------------------------------------------------------


def test_board_snapshot(world: World, queue: Queue, clock: Clock) -> None:
    consultant = world.users["consultant_a"]
    first, second, _third = issue(world, queue.a), issue(world, queue.a), issue(world, queue.b)
    services.ticket_call_next(actor=consultant, desk=queue.desks[0])
    services.ticket_finish(actor=consultant, ticket=first)
    clock.advance(minutes=1)
    services.ticket_call_next(actor=consultant, desk=queue.desks[0])
    queue.config.refresh_from_db()
    snap = selectors.board_snapshot(world.centre_a, queue.config)
    assert snap["version"] == queue.config.version
    assert [(c["ticket"], c["desk"], c["calls"], c["serving"]) for c in snap["calling"]] == [
        ("А-002", queue.desks[0].name, 1, False)
    ]
    assert snap["recent"] == [{"ticket": "А-001", "desk": queue.desks[0].name}]
    assert [(w["prefix"], w["count"]) for w in snap["waiting"]] == [("А", 0), ("Б", 1), ("В", 0), ("Г", 0)]
    assert second.pk


# --- Statistics -------------------------------------------------------------------------------


def test_statistics_equal_what_happened(world: World, queue: Queue, clock: Clock) -> None:
    consultant, manager = world.users["consultant_a"], world.users["manager_a"]
    d1, d2 = queue.desks
    d1.topics.set([queue.a])
    d2.topics.set([queue.b])
    # 10:00 А-001 and Б-001; 10:10 А-002.
    a1, b1 = issue(world, queue.a), issue(world, queue.b)
    clock.advance(minutes=10)
    a2 = issue(world, queue.a)
    # 10:20 desk 1 calls А-001 (waited 20), serves 10 minutes; desk 2 calls Б-001 (waited 20): no-show.
    clock.advance(minutes=10)
    services.ticket_call_next(actor=consultant, desk=d1)
    services.ticket_call_next(actor=manager, desk=d2)
    services.ticket_start(actor=consultant, ticket=a1)
    services.ticket_recall(actor=manager, ticket=b1)
    clock.advance(minutes=5)
    services.ticket_no_show(actor=manager, ticket=b1)
    clock.advance(minutes=5)
    services.ticket_finish(actor=consultant, ticket=a1)
    # 10:30 desk 1 calls А-002 (waited 20), serves 20 minutes.
    services.ticket_call_next(actor=consultant, desk=d1)
    services.ticket_start(actor=consultant, ticket=a2)
    clock.advance(minutes=20)
    services.ticket_finish(actor=consultant, ticket=a2)
    # 14:00 А-003 issued, still waiting; next day 09:00 А-001 (day 2) called after 6 minutes, served 4.
    clock.set(kyiv(14))
    issue(world, queue.a)
    clock.set(kyiv(9, day=12))
    n1 = issue(world, queue.a)
    clock.advance(minutes=6)
    services.ticket_call_next(actor=consultant, desk=d1)
    clock.advance(minutes=4)
    services.ticket_finish(actor=consultant, ticket=n1)

    stats = selectors.statistics(centre=world.centre_a, start=dt.date(2026, 3, 11), end=dt.date(2026, 3, 12))
    total = stats.total
    assert (total.issued, total.served, total.no_show) == (5, 3, 1)
    assert sorted(total.waits) == [6.0, 20.0, 20.0, 20.0]
    assert sorted(total.services) == [4.0, 10.0, 20.0]
    assert (total.no_show_rate, total.wait_avg, total.wait_max, total.service_avg) == (0.25, 16.5, 20.0, 11.3)
    a_name, b_name = queue.a.display_name, queue.b.display_name
    assert set(stats.by_topic) == {a_name, b_name}
    a, b = stats.by_topic[a_name], stats.by_topic[b_name]
    assert (a.issued, a.served, a.no_show, a.no_show_rate, sorted(a.waits)) == (4, 3, 0, 0.0, [6.0, 20.0, 20.0])
    assert (b.issued, b.served, b.no_show, b.no_show_rate, b.waits, b.service_avg) == (1, 0, 1, 1.0, [20.0], None)
    assert {name: (f.issued, f.served, f.no_show) for name, f in stats.by_desk.items()} == {
        d1.name: (3, 3, 0),
        d2.name: (1, 0, 1),
    }
    assert {hour: f.issued for hour, f in stats.by_hour.items()} == {9: 1, 10: 3, 14: 1}
    assert list(stats.by_hour) == [9, 10, 14]
    assert stats.by_hour[10].wait_avg == 20.0
    day1, day2 = stats.by_day[dt.date(2026, 3, 11)], stats.by_day[dt.date(2026, 3, 12)]
    assert (day1.issued, day1.served, day1.no_show, day1.wait_avg) == (4, 2, 1, 20.0)
    assert (day2.issued, day2.served, day2.wait_avg, day2.service_avg) == (1, 1, 6.0, 4.0)
    # One day only.
    only = selectors.statistics(centre=world.centre_a, start=dt.date(2026, 3, 12), end=dt.date(2026, 3, 12))
    assert (only.total.issued, only.total.waits) == (1, [6.0])


def test_statistics_of_an_empty_period(world: World, queue: Queue) -> None:
    stats = selectors.statistics(centre=world.centre_a, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 2))
    assert (stats.total.issued, stats.total.no_show_rate, stats.total.wait_avg, stats.by_topic) == (0, None, None, {})
