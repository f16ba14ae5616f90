"""Every step of a case, every refused step, and the due date at each point."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cipnet.appeals import services
from cipnet.appeals.attachments import Upload
from cipnet.appeals.deadlines import Term, end_of_day
from cipnet.appeals.models import (
    AnswerForm,
    Appeal,
    AppealEvent,
    EventKind,
    Kind,
    Notification,
    Outcome,
    Publication,
    Status,
)
from cipnet.appeals.tests.conftest import Reception, appeal_input, submitted
from cipnet.appeals.workflow import STEPS, Party, allowed, check
from cipnet.core.clock import KYIV
from cipnet.core.errors import InvalidTransition

MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=KYIV)


def kyiv(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day} {time}").replace(tzinfo=KYIV)


# --- The transition table, exhaustively -------------------------------------------------------


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("status", Status.values)
def test_each_step_from_each_status(step: str, status: str) -> None:
    spec = STEPS[step]
    parties = set(spec.parties)
    if status in spec.sources:
        assert check(step, status, parties) is spec
    else:
        with pytest.raises(InvalidTransition, match="not possible while the case is"):
            check(step, status, parties)


@pytest.mark.parametrize("step", sorted(STEPS))
def test_each_step_refuses_the_other_parties(step: str) -> None:
    spec = STEPS[step]
    status = next(iter(spec.sources))
    others = set(Party) - set(spec.parties)
    if others:
        with pytest.raises(InvalidTransition, match="not for you"):
            check(step, status, others)
    with pytest.raises(InvalidTransition):
        check(step, status, set())


def test_buttons_follow_the_table() -> None:
    assert allowed(Status.DRAFT, {Party.AUTHOR}) == ["submit", "withdraw"]
    assert allowed(Status.ANSWERED, {Party.AUTHOR}) == ["close"]
    assert "extend" in allowed(Status.IN_PROGRESS, {Party.OFFICIAL})
    assert allowed(Status.CLOSED, set(Party)) == []
    assert allowed(Status.WITHDRAWN, set(Party)) == []


# --- A whole appeal ---------------------------------------------------------------------------


def test_an_appeal_from_library_to_answer(reception: Reception, django_capture_on_commit_callbacks) -> None:
    r = reception
    r.clock(MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted(r)
    assert case.status == Status.SUBMITTED
    assert case.number == "ЗВ-2026-00001"
    assert case.term == Term.APPEAL_STANDARD
    assert case.due_at == end_of_day(dt.date(2026, 12, 16))
    assert case.filed_by == r.world.users["consultant_a"] and case.centre == r.world.centre_a
    assert case.consent_at == MONDAY
    # The authority got the case by e-mail, with the case's reply address.
    assert [m.to for m in mail.outbox] == [["zvernennya@mkrada.example"]]
    assert mail.outbox[0].reply_to == [f"case-{case.reply_token}@reply.cipnet.localhost"]

    r.clock(kyiv("2026-11-17"))
    with django_capture_on_commit_callbacks(execute=True):
        case = services.appeal_register(
            actor=r.clerk, appeal=case, registration_number="П-1234/26", registered_on=dt.date(2026, 11, 17)
        )
    assert case.status == Status.REGISTERED
    assert mail.outbox[-1].to == ["maria.petrenko@example.org"]
    assert "16.12.2026" in mail.outbox[-1].body

    case = services.appeal_take(actor=r.clerk, appeal=case)
    assert (case.status, case.assignee) == (Status.IN_PROGRESS, r.clerk)
    case = services.appeal_ask(actor=r.clerk, appeal=case, question="Уточніть, будь ласка, номер опори.")
    assert case.status == Status.CLARIFICATION
    case = services.appeal_clarify(actor=r.world.users["consultant_a"], appeal=case, text="Опора № 14.")
    assert case.status == Status.IN_PROGRESS
    assert case.due_at == end_of_day(dt.date(2026, 12, 16))  # a question does not stop the clock

    # Only the head extends an appeal; 45 days in all.
    with pytest.raises(InvalidTransition, match="Only the head"):
        services.appeal_extend(actor=r.clerk, appeal=case, reason="Потрібна перевірка підрядника.")
    case = services.appeal_extend(actor=r.head, appeal=case, reason="Потрібна перевірка підрядника.")
    assert (case.status, case.term) == (Status.EXTENDED, Term.APPEAL_EXTENDED)
    assert case.due_at == end_of_day(dt.date(2026, 12, 31))

    r.clock(kyiv("2026-12-10"))
    case = services.appeal_answer(
        actor=r.clerk, appeal=case, outcome=Outcome.POSITIVE, text="Освітлення відремонтовано 9 грудня."
    )
    assert (case.status, case.outcome) == (Status.ANSWERED, Outcome.POSITIVE)
    answered = AppealEvent.objects.get(appeal=case, kind=EventKind.ANSWERED)
    assert answered.data["in_time"] is True

    case = services.appeal_close(actor=r.world.users["consultant_a"], appeal=case)
    assert case.status == Status.CLOSED
    assert case.publication == Publication.PENDING
    kinds = list(AppealEvent.objects.filter(appeal=case).values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.SUBMITTED,
        EventKind.REGISTERED,
        EventKind.TAKEN,
        EventKind.CLARIFICATION_ASKED,
        EventKind.CLARIFICATION_GIVEN,
        EventKind.EXTENDED,
        EventKind.ANSWERED,
        EventKind.CLOSED,
    ]
    statuses = list(AppealEvent.objects.filter(appeal=case).exclude(status_to="").values_list("status_to", flat=True))
    assert statuses == [
        "submitted",
        "registered",
        "in_progress",
        "clarification",
        "in_progress",
        "extended",
        "answered",
        "closed",
    ]
    # Nothing personal in the texts proposed for publication.
    for text in (case.public_subject, case.public_text, case.public_answer):
        for secret in ("Петренко", "Марія", "Садова, 5", "maria.petrenko", "123 45 67"):
            assert secret not in text


def test_refused_steps_change_nothing(reception: Reception) -> None:
    r = reception
    r.clock(MONDAY)
    case = submitted(r)
    resident = r.world.users["resident"]
    for actor in (resident, r.oblast_clerk, r.world.users["consultant_b"], r.world.users["coordinator_a"]):
        with pytest.raises(InvalidTransition, match="not for you"):
            services.appeal_register(actor=actor, appeal=case, registration_number="1", registered_on=MONDAY.date())
    with pytest.raises(InvalidTransition, match="not possible while the case is"):
        services.appeal_answer(actor=r.clerk, appeal=case, outcome=Outcome.POSITIVE, text="Відповідь по суті.")
    with pytest.raises(InvalidTransition, match="not for you"):
        services.appeal_withdraw(actor=r.clerk, appeal=case)
    with pytest.raises(ValidationError):
        services.appeal_register(actor=r.clerk, appeal=case, registration_number=" ", registered_on=MONDAY.date())
    with pytest.raises(ValidationError):
        services.appeal_register(
            actor=r.clerk, appeal=case, registration_number="1", registered_on=dt.date(2026, 11, 1)
        )
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.registration_number == ""
    assert AppealEvent.objects.filter(appeal=case).count() == 2
    # Withdrawn: nothing more can happen.
    case = services.appeal_withdraw(actor=r.world.users["manager_a"], appeal=case)  # a colleague of the filer
    for step in ("register", "answer", "withdraw"):
        with pytest.raises(InvalidTransition):
            services.check_step(
                step, actor=r.clerk if step != "withdraw" else r.world.users["consultant_a"], appeal=case
            )


def test_no_study_shortens_to_15_days(reception: Reception) -> None:
    r = reception
    r.clock(kyiv("2026-01-30"))
    case = submitted(r)
    assert case.due_at == end_of_day(dt.date(2026, 3, 2))  # 28.02 is a Saturday
    case = services.appeal_register(
        actor=r.clerk, appeal=case, registration_number="7", registered_on=dt.date(2026, 1, 30)
    )
    case = services.appeal_mark_no_study(actor=r.clerk, appeal=case)
    assert case.due_at == end_of_day(dt.date(2026, 2, 16))
    with pytest.raises(InvalidTransition, match="one-month term"):
        services.appeal_mark_no_study(actor=r.clerk, appeal=case)


def test_forwarding_starts_a_new_term_at_the_competent_body(
    reception: Reception, django_capture_on_commit_callbacks
) -> None:
    r = reception
    r.clock(MONDAY)
    case = submitted(r)
    with pytest.raises(ValidationError):
        services.appeal_forward(actor=r.clerk, appeal=case, to=r.city, reason="Не наша компетенція.")
    r.clock(kyiv("2026-11-24"))  # after the 5-day limit (23.11): allowed, marked late
    with django_capture_on_commit_callbacks(execute=True):
        new = services.appeal_forward(actor=r.clerk, appeal=case, to=r.oblast, reason="Питання належить до ОВА.")
    case.refresh_from_db()
    assert case.status == Status.FORWARDED
    assert (new.status, new.authority, new.forwarded_from) == (Status.SUBMITTED, r.oblast, case)
    assert new.number == "ЗВ-2026-00002"
    assert new.received_at == kyiv("2026-11-24")
    assert new.due_at == end_of_day(dt.date(2026, 12, 24))
    event = AppealEvent.objects.get(appeal=case, kind=EventKind.FORWARDED)
    assert event.data["late"] is True and event.data["case"] == new.number
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert "maria.petrenko@example.org" in recipients and "zvernennya@loda.example" in recipients
    # The new body works on it; the old one no longer can.
    services.appeal_register(
        actor=r.oblast_clerk, appeal=new, registration_number="Л-1", registered_on=dt.date(2026, 11, 24)
    )
    with pytest.raises(InvalidTransition):
        services.appeal_register(
            actor=r.clerk, appeal=case, registration_number="2", registered_on=dt.date(2026, 11, 24)
        )


def _info(r: Reception, **changes: object) -> Appeal:
    data = appeal_input(r.city, kind=Kind.INFO_REQUEST, appeal_type="", answer_form=AnswerForm.EMAIL, **changes)
    draft = services.appeal_save_draft(actor=r.world.users["resident"], data=data)
    return services.appeal_submit(actor=r.world.users["resident"], appeal=draft)


def test_information_request_terms(reception: Reception) -> None:
    r = reception
    r.clock(kyiv("2026-11-20", "17:55"))  # Friday evening
    case = _info(r)
    assert case.number == "ЗІ-2026-00001"
    assert case.due_at == end_of_day(dt.date(2026, 11, 27))
    # Extension to 20 working days, only within the first 5.
    r.clock(kyiv("2026-11-27", "18:00"))
    case = services.appeal_extend(
        actor=r.clerk,
        appeal=services.appeal_register(
            actor=r.clerk, appeal=case, registration_number="І-5", registered_on=dt.date(2026, 11, 23)
        ),
        reason="Великий обсяг: понад 300 документів.",
    )
    assert case.due_at == end_of_day(dt.date(2026, 12, 18))
    late = _info(r)
    r.clock(kyiv("2026-12-07"))
    services.appeal_register(actor=r.clerk, appeal=late, registration_number="І-6", registered_on=dt.date(2026, 12, 7))
    with pytest.raises(InvalidTransition, match="first 5 working days"):
        services.appeal_extend(actor=r.clerk, appeal=late, reason="Великий обсяг інформації.")


def test_urgent_request_is_due_in_48_hours_and_cannot_be_extended(reception: Reception) -> None:
    r = reception
    r.clock(kyiv("2026-11-20", "17:55"))
    case = _info(r, urgent=True, urgency_reason="Загроза життю: аварійний будинок.")
    assert case.term == Term.INFO_URGENT
    assert case.due_at == kyiv("2026-11-22", "17:55")
    case = services.appeal_register(
        actor=r.clerk, appeal=case, registration_number="1", registered_on=dt.date(2026, 11, 20)
    )
    with pytest.raises(InvalidTransition, match="48 hours"):
        services.appeal_extend(actor=r.clerk, appeal=case, reason="Великий обсяг інформації.")


def test_validation_names_every_field_and_keeps_the_draft(reception: Reception) -> None:
    r = reception
    r.clock(MONDAY)
    data = appeal_input(r.city, author_name="Марія", author_address="", subject="", text="коротко", appeal_type="")
    draft = services.appeal_save_draft(actor=r.world.users["resident"], data=data)
    assert draft.status == Status.DRAFT and draft.text == "коротко"
    with pytest.raises(ValidationError) as caught:
        services.appeal_submit(actor=r.world.users["resident"], appeal=draft)
    assert set(caught.value.message_dict) == {"author_name", "author_address", "subject", "text", "appeal_type"}
    assert "postal address" in " ".join(caught.value.message_dict["author_address"])
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.number is None
    info = appeal_input(r.city, kind=Kind.INFO_REQUEST, appeal_type="", author_email="", urgent=True, urgency_reason="")
    assert set(services.validate(info)) == {"author_email", "urgency_reason"}


def test_a_consultant_needs_the_visitors_consent_and_their_own_centre(reception: Reception) -> None:
    r = reception
    consultant = r.world.users["consultant_a"]
    with pytest.raises(ValidationError, match="agrees"):
        services.appeal_save_draft(actor=consultant, data=appeal_input(r.city), centre=r.world.centre_a, consent=False)
    with pytest.raises(ValidationError, match="do not work"):
        services.appeal_save_draft(actor=consultant, data=appeal_input(r.city), centre=r.world.centre_b, consent=True)
    assert not Appeal.objects.exists()


def test_without_an_account_the_email_is_confirmed_first(reception: Reception) -> None:
    r = reception
    r.clock(MONDAY)
    draft = services.appeal_save_draft(actor=None, data=appeal_input(r.city))
    with pytest.raises(InvalidTransition, match="Confirm your e-mail"):
        services.appeal_submit(actor=None, appeal=draft, token=draft.follow_token)
    with pytest.raises(InvalidTransition, match="not valid"):
        services.appeal_confirm_email(appeal=draft, token="wrong")
    case = services.appeal_confirm_email(appeal=draft, token=draft.follow_token)
    assert case.status == Status.SUBMITTED and case.email_confirmed_at == MONDAY
    # Opening the link again changes nothing.
    again = services.appeal_confirm_email(appeal=case, token=case.follow_token)
    assert (
        again.number == case.number and AppealEvent.objects.filter(appeal=case, kind=EventKind.SUBMITTED).count() == 1
    )


def test_a_retried_draft_is_saved_once(reception: Reception) -> None:
    import uuid

    key = uuid.uuid4()
    a = services.appeal_save_draft(
        actor=reception.world.users["resident"], data=appeal_input(reception.city), idempotency_key=key
    )
    b = services.appeal_save_draft(
        actor=reception.world.users["resident"], data=appeal_input(reception.city), idempotency_key=key
    )
    assert a.pk == b.pk and Appeal.objects.count() == 1


SCAN = Upload(name="lyst.pdf", data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def test_every_error_of_an_answer_at_once_and_nothing_saved(reception: Reception) -> None:
    r = reception
    r.clock(MONDAY)
    case = submitted(r)
    before = AppealEvent.objects.filter(appeal=case).count()
    with pytest.raises(ValidationError) as raised:
        services.appeal_answer(
            actor=r.clerk,
            appeal=case,
            outcome="maybe",
            text="Так.",
            uploads=[Upload(name="scan.pdf", data=b"MZ\x90\x00program")],
            recorded=True,
            channel="post",
        )
    assert set(raised.value.message_dict) == {"outcome", "text", "attachments"}
    # A recorded answer needs its scan.
    with pytest.raises(ValidationError) as raised:
        services.appeal_answer(
            actor=r.clerk, appeal=case, outcome=Outcome.POSITIVE, text="Відремонтовано 20.11.", recorded=True
        )
    assert set(raised.value.message_dict) == {"attachments"}
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.answered_at is None
    assert AppealEvent.objects.filter(appeal=case).count() == before
    assert not case.attachments.exists()


def test_an_answer_by_post_is_recorded_by_staff(reception: Reception) -> None:
    r = reception
    r.clock(MONDAY)
    case = submitted(r)
    r.clock(kyiv("2026-12-20"))
    case = services.appeal_answer(
        actor=r.world.users["consultant_a"],
        appeal=case,
        outcome=Outcome.EXPLAINED,
        text="Лист від 18.12.2026: роз'яснено порядок.",
        uploads=[SCAN],
        recorded=True,
        channel="post",
    )
    event = AppealEvent.objects.get(appeal=case, kind=EventKind.ANSWER_RECORDED)
    assert event.data == {"outcome": "explained", "channel": "post", "in_time": False}
    assert [(a.name, a.source) for a in event.attachments.all()] == [("lyst.pdf", "scan")]
    assert not Notification.objects.filter(appeal=case, kind="answered", to="zvernennya@mkrada.example").exists()
