"""A centre's month: submitted by the centre, approved by the region then the network, returned with a
reason; who may do each step; the lock on the consultation log; corrections with their reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from cipnet.consultations import services as log
from cipnet.consultations.models import Consultation
from cipnet.core.clock import at, local, now
from cipnet.core.errors import Forbidden, InvalidTransition, NotFoundOrNotAllowed
from cipnet.reporting import selectors, services
from cipnet.reporting.models import Correction, MonthEvent, MonthReport, MonthStatus, due_on
from cipnet.testing import World

OCT = dt.date(2014, 10, 1)


def entry(world: World, day: dt.date, outcome: str = "completed") -> Consultation:
    data = log.ConsultationInput(occurred_at=at(day, dt.time(11)), help_kind="information", outcome=outcome)
    c = Consultation(
        centre=world.centre_a, author=world.users["consultant_a"], occurred_at=data.occurred_at,
        help_kind=data.help_kind, outcome=data.outcome, day=day,
    )  # fmt: skip
    c.save()
    return c


def test_due_day_is_the_fifth_of_the_next_month() -> None:
    assert due_on(OCT) == dt.date(2014, 11, 5)
    assert due_on(dt.date(2014, 12, 1)) == dt.date(2015, 1, 5)


def test_the_whole_way_up_and_its_events(world: World) -> None:
    manager, coordinator, admin = (world.users[n] for n in ("manager_a", "coordinator_a", "admin"))
    report = services.month_submit(actor=manager, centre=world.centre_a, month=OCT)
    assert report.status == MonthStatus.SUBMITTED and report.is_locked
    assert report.on_time is False  # 2014 is long past its due day
    with pytest.raises(Forbidden):
        services.month_approve(actor=manager, centre=world.centre_a, month=OCT)
    assert services.month_approve(actor=coordinator, centre=world.centre_a, month=OCT).status == "region_approved"
    with pytest.raises(Forbidden):  # the region has done its step; the network gives the last
        services.month_approve(actor=coordinator, centre=world.centre_a, month=OCT)
    assert services.month_approve(actor=admin, centre=world.centre_a, month=OCT).status == MonthStatus.APPROVED
    with pytest.raises(InvalidTransition):
        services.month_approve(actor=admin, centre=world.centre_a, month=OCT)
    with pytest.raises(InvalidTransition):  # final
        services.month_return(actor=admin, centre=world.centre_a, month=OCT, reason="ще раз")
    actions = list(MonthEvent.objects.values_list("action", flat=True))
    assert actions == ["submitted", "region_approved", "approved"]


@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("manager_a", "ok"),
        ("coordinator_a", "ok"),
        ("admin", "ok"),
        ("consultant_a", "forbidden"),
        ("trainer_a", "forbidden"),
        ("manager_b", "not_found"),
        ("coordinator_b", "not_found"),
        ("official", "not_found"),
        ("resident", "not_found"),
    ],
)
def test_who_may_submit(world: World, role: str, outcome: str) -> None:
    errors = {"forbidden": Forbidden, "not_found": NotFoundOrNotAllowed}
    if outcome == "ok":
        services.month_submit(actor=world.users[role], centre=world.centre_a, month=OCT)
        assert MonthReport.objects.get().status == MonthStatus.SUBMITTED
    else:
        with pytest.raises(errors[outcome]):
            services.month_submit(actor=world.users[role], centre=world.centre_a, month=OCT)
        assert not MonthReport.objects.filter(status=MonthStatus.SUBMITTED).exists()


def test_a_month_not_over_cannot_be_submitted_nor_twice(world: World) -> None:
    manager = world.users["manager_a"]
    this_month = local(now()).date().replace(day=1)
    with pytest.raises(InvalidTransition) as refused:
        services.month_submit(actor=manager, centre=world.centre_a, month=this_month)
    assert refused.value.code == "month_not_over"
    services.month_submit(actor=manager, centre=world.centre_a, month=OCT)
    with pytest.raises(InvalidTransition):
        services.month_submit(actor=manager, centre=world.centre_a, month=OCT)


def test_returned_with_a_reason_opens_the_month_again(world: World) -> None:
    manager, coordinator = world.users["manager_a"], world.users["coordinator_a"]
    services.month_submit(actor=manager, centre=world.centre_a, month=OCT)
    with pytest.raises(ValidationError) as refused:
        services.month_return(actor=coordinator, centre=world.centre_a, month=OCT, reason="   ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(Forbidden):
        services.month_return(actor=manager, centre=world.centre_a, month=OCT, reason="хочу змінити")
    report = services.month_return(actor=coordinator, centre=world.centre_a, month=OCT, reason="Немає 14–18 жовтня")
    assert report.status == MonthStatus.OPEN and not report.is_locked
    assert MonthEvent.objects.last().reason == "Немає 14–18 жовтня"
    again = services.month_submit(actor=manager, centre=world.centre_a, month=OCT)
    assert again.first_submitted_at == report.first_submitted_at  # timeliness counts the first submission


def test_the_lock_refuses_new_entries_and_changes_without_a_reason(world: World) -> None:
    manager, consultant = world.users["manager_a"], world.users["consultant_a"]
    last = (local(now()).date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month: over
    data = log.ConsultationInput(occurred_at=at(last + dt.timedelta(days=9), dt.time(10)), help_kind="information",
                                 outcome="completed")  # fmt: skip
    log.consultation_record(author=consultant, centre=world.centre_a, data=data)  # open: taken
    services.month_submit(actor=manager, centre=world.centre_a, month=last)
    with pytest.raises(ValidationError) as refused:
        log.consultation_record(author=consultant, centre=world.centre_a, data=data)
    assert refused.value.message_dict["occurred_at"][0].startswith(date_format(last, "F Y"))
    assert Consultation.objects.count() == 1
    c = entry(world, dt.date(2014, 10, 14))
    services.month_submit(actor=manager, centre=world.centre_a, month=OCT)
    changed = log.ConsultationInput(occurred_at=c.occurred_at, help_kind="information", outcome="partly")
    with pytest.raises(ValidationError) as refused:
        log.consultation_update(actor=manager, consultation=c, data=changed)
    assert "correction_reason" in refused.value.message_dict
    c.refresh_from_db()
    assert c.outcome == "completed" and not Correction.objects.exists()
    # The author within 24 hours may change an open month's entries, but not a submitted one's.
    fresh = Consultation.objects.get(pk=c.pk)
    with pytest.raises(Forbidden):
        log.consultation_update(actor=consultant, consultation=fresh, data=changed, correction_reason="помилка")
    with pytest.raises(ValidationError):
        log.consultation_delete(actor=manager, consultation=fresh)
    assert Consultation.objects.filter(pk=c.pk).exists()


def test_the_managers_correction_is_recorded_with_its_reason(world: World) -> None:
    manager = world.users["manager_a"]
    c = entry(world, dt.date(2014, 10, 14))
    services.month_submit(actor=manager, centre=world.centre_a, month=OCT)
    changed = log.ConsultationInput(occurred_at=c.occurred_at, help_kind="information", outcome="partly")
    log.consultation_update(actor=manager, consultation=c, data=changed, correction_reason="Результат уточнено")
    (k,) = Correction.objects.all()
    assert (k.record_id, k.action, k.reason, k.status, k.month) == (c.pk, "changed", "Результат уточнено",
                                                                     "submitted", OCT)  # fmt: skip
    assert k.changes["outcome"] == ["completed", "partly"]
    log.consultation_delete(actor=manager, consultation=Consultation.objects.get(pk=c.pk), correction_reason="Дубль")
    assert list(Correction.objects.values_list("action", flat=True)) == ["changed", "deleted"]
    assert not Consultation.objects.filter(pk=c.pk).exists()


def test_moving_an_entry_out_of_a_locked_month_is_a_correction_of_that_month(world: World) -> None:
    manager = world.users["manager_a"]
    this_month = local(now()).date().replace(day=1)
    month = (this_month - dt.timedelta(days=40)).replace(day=1)  # the month before last
    following = (month + dt.timedelta(days=32)).replace(day=1)
    c = entry(world, following - dt.timedelta(days=1))
    services.month_submit(actor=manager, centre=world.centre_a, month=month)
    moved = log.ConsultationInput(occurred_at=at(following, dt.time(11)), help_kind="information",
                                  outcome="completed")  # fmt: skip
    with pytest.raises(ValidationError):
        log.consultation_update(actor=manager, consultation=c, data=moved)
    log.consultation_update(actor=manager, consultation=c, data=moved, correction_reason="Дата: наступного дня")
    assert Correction.objects.get().month == month


def test_completeness_counts_submitted_on_time_and_approved(world: World) -> None:
    from cipnet.directory.models import Centre

    services.month_submit(actor=world.users["manager_a"], centre=world.centre_a, month=OCT)
    services.month_approve(actor=world.users["coordinator_a"], centre=world.centre_a, month=OCT)
    MonthReport.objects.filter(centre=world.centre_a).update(first_submitted_at=at(dt.date(2014, 11, 5), dt.time(23)))
    services.month_submit(actor=world.users["manager_b"], centre=world.centre_b, month=OCT)
    MonthReport.objects.filter(centre=world.centre_b).update(first_submitted_at=at(dt.date(2014, 11, 6), dt.time(0)))
    nov = dt.date(2014, 11, 1)
    (october, november) = selectors.completeness(centres=Centre.objects.all(), months=[OCT, nov])
    assert (october.centres, october.submitted, october.on_time, october.region_approved, october.approved) == (
        2, 2, 1, 1, 0,
    )  # fmt: skip
    assert october.submitted_percent == 100 and october.complete
    assert (november.submitted, november.on_time) == (0, 0)
