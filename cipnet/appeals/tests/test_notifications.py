"""E-mails are sent after commit and never twice; reminders before the due day, escalation after."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.core.management import call_command

from cipnet.accounts.models import Membership, Role
from cipnet.appeals import services
from cipnet.appeals.models import AppealEvent, EventKind, Notification
from cipnet.appeals.notifications import send_reminders
from cipnet.appeals.tasks import send_notification
from cipnet.appeals.tests.conftest import Reception, submitted
from cipnet.core.clock import KYIV


def kyiv(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day} {time}").replace(tzinfo=KYIV)


def test_nothing_is_sent_before_commit_and_a_retry_sends_nothing(
    reception: Reception, django_capture_on_commit_callbacks
) -> None:
    reception.clock(kyiv("2026-11-16"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = submitted(reception)
    assert mail.outbox == []
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    note = Notification.objects.get(appeal=case)
    assert note.sent_at is not None
    # The worker retries the same task: nothing more is sent.
    assert send_notification.call(notification_id=note.pk) is False
    assert len(mail.outbox) == 1


def test_reminder_two_working_days_before_and_escalation_once_overdue(
    reception: Reception, django_capture_on_commit_callbacks
) -> None:
    r = reception
    Membership.objects.filter(user=r.world.users["coordinator_a"]).update(is_active=True)
    r.clock(kyiv("2026-11-16"))  # due Wednesday 16.12.2026
    case = submitted(r)
    case = services.appeal_register(
        actor=r.clerk, appeal=case, registration_number="1", registered_on=dt.date(2026, 11, 16)
    )
    case = services.appeal_take(actor=r.clerk, appeal=case)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(kyiv("2026-12-11")) == {"reminders": 0, "escalations": 0}  # Fri: 3 working days left
        assert send_reminders(kyiv("2026-12-14")) == {"reminders": 1, "escalations": 0}  # Mon: 2 left
        assert send_reminders(kyiv("2026-12-14", "15:00")) == {"reminders": 0, "escalations": 0}  # once
        assert send_reminders(kyiv("2026-12-15")) == {"reminders": 0, "escalations": 0}
    assert [m.to for m in mail.outbox] == [["clerk@example.org"]]  # the assignee only
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(kyiv("2026-12-16", "23:00")) == {"reminders": 0, "escalations": 0}  # still in time
        assert send_reminders(kyiv("2026-12-17", "00:01")) == {"reminders": 0, "escalations": 1}
        assert send_reminders(kyiv("2026-12-18")) == {"reminders": 0, "escalations": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator_a@example.org", "head@example.org"]
    kinds = list(AppealEvent.objects.filter(appeal=case, public=False).values_list("kind", flat=True))
    assert kinds.count(EventKind.REMINDER) == 1 and kinds.count(EventKind.ESCALATED) == 1
    # Answered cases are left alone.
    services.appeal_answer(actor=r.clerk, appeal=case, outcome="positive", text="Зроблено, дякуємо.")
    assert send_reminders(kyiv("2026-12-19")) == {"reminders": 0, "escalations": 0}


def test_reminder_command(reception: Reception) -> None:
    from io import StringIO

    out = StringIO()
    call_command("send_appeal_reminders", stdout=out)
    assert "0" in out.getvalue()
    assert Role.REGIONAL_COORDINATOR


def test_the_official_hears_of_a_clarification(reception: Reception, django_capture_on_commit_callbacks) -> None:
    r = reception
    r.clock(kyiv("2026-11-16"))
    case = submitted(r)
    case = services.appeal_register(
        actor=r.clerk, appeal=case, registration_number="1", registered_on=dt.date(2026, 11, 16)
    )
    case = services.appeal_take(actor=r.clerk, appeal=case)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.appeal_ask(actor=r.clerk, appeal=case, question="Уточніть адресу опори, будь ласка.")
        services.appeal_clarify(actor=r.world.users["consultant_a"], appeal=case, text="Опора № 14 біля будинку 5.")
    assert mail.outbox[-2].to == ["maria.petrenko@example.org"] and "Уточніть" in mail.outbox[-2].body
    assert mail.outbox[-1].to == ["clerk@example.org"] and "Опора № 14" in mail.outbox[-1].body


def test_the_worker_books_one_daily_reminder_run(reception: Reception) -> None:
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from cipnet.appeals.tasks import daily_reminders, next_reminder_run, schedule_daily_reminders

    assert next_reminder_run(kyiv("2026-11-16", "07:59")) == kyiv("2026-11-16", "08:00")
    assert next_reminder_run(kyiv("2026-11-16", "08:00")) == kyiv("2026-11-17", "08:00")
    assert schedule_daily_reminders() is False  # the immediate backend of the tests cannot defer
    reception.clock(kyiv("2026-11-16", "12:00"))
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        assert schedule_daily_reminders() is True
        assert schedule_daily_reminders() is False  # a second `make run` books nothing more
        rows = DBTaskResult.objects.filter(task_path=daily_reminders.module_path)
        assert rows.count() == 1 and rows.get().run_after == kyiv("2026-11-17", "08:00")


BASE = "https://cip.example.org"


def _links(body: str) -> list[str]:
    return [word for word in body.split() if word.startswith(BASE)]


def test_every_email_links_to_the_page_it_is_about(reception: Reception, django_capture_on_commit_callbacks) -> None:
    """The author gets the private follow link (it works without an account); officials and the
    consultant who filed the case get the staff page of the case; nobody else gets the follow link."""
    from django.test import override_settings
    from django.urls import reverse

    from cipnet.appeals import notifications

    r = reception
    Membership.objects.filter(user=r.world.users["coordinator_a"]).update(is_active=True)
    r.clock(kyiv("2026-11-16"))
    with override_settings(CIPNET_BASE_URL=BASE + "/"), django_capture_on_commit_callbacks(execute=True):
        case = submitted(r)
        follow = BASE + reverse("reception:case", args=[case.follow_token])
        staff = BASE + reverse("reception_staff:case", args=[case.pk])
        case = services.appeal_register(
            actor=r.clerk, appeal=case, registration_number="1", registered_on=dt.date(2026, 11, 16)
        )
        case = services.appeal_take(actor=r.clerk, appeal=case)
        case = services.appeal_extend(actor=r.head, appeal=case, reason="Потрібна перевірка на місці.")
        case = services.appeal_ask(actor=r.clerk, appeal=case, question="Уточніть адресу опори.")
        case = services.appeal_clarify(actor=r.world.users["consultant_a"], appeal=case, text="Опора № 14.")
        event = AppealEvent.objects.create(
            appeal=case, kind=EventKind.MESSAGE_RECEIVED, at=kyiv("2026-11-17"), data={"from": "x@example.org"}
        )
        notifications.message_filed(case, event, from_authority=False)
        send_reminders(kyiv("2027-06-01"))  # overdue: the head and the coordinator
        services.appeal_answer(actor=r.clerk, appeal=case, outcome="positive", text="Зроблено, дякуємо за звернення.")
        notifications.confirm_email(case, BASE + reverse("reception:confirm", args=[case.follow_token]))
    by_kind = {n.kind: n for n in Notification.objects.filter(appeal=case)}
    expected = {
        "submitted": staff,
        "registered": follow,
        "extended": follow,
        "question": follow,
        "clarified": staff,
        "message": staff,
        "escalation": staff,
        "answered": follow,
    }
    for kind, link in expected.items():
        assert kind in by_kind, kind
        assert link in _links(by_kind[kind].body), (kind, by_kind[kind].body)
    assert by_kind["confirm"].body.count(BASE) == 1
    # The follow link goes only to the author.
    for note in Notification.objects.filter(appeal=case):
        if note.to != "maria.petrenko@example.org":
            assert case.follow_token not in note.body, note.kind
    sent = {m.subject: m.body for m in mail.outbox}
    assert any(follow in body for body in sent.values())


def test_the_reminder_and_forwarding_link_to_their_case(
    reception: Reception, django_capture_on_commit_callbacks
) -> None:
    from django.test import override_settings
    from django.urls import reverse

    r = reception
    r.clock(kyiv("2026-11-16"))
    with override_settings(CIPNET_BASE_URL=BASE), django_capture_on_commit_callbacks(execute=True):
        case = submitted(r)
        case = services.appeal_register(
            actor=r.clerk, appeal=case, registration_number="1", registered_on=dt.date(2026, 11, 16)
        )
        case = services.appeal_take(actor=r.clerk, appeal=case)
        send_reminders(kyiv("2026-12-14"))
        reminder = Notification.objects.get(appeal=case, kind="reminder")
        assert BASE + reverse("reception_staff:case", args=[case.pk]) in _links(reminder.body)
        new = services.appeal_forward(actor=r.clerk, appeal=case, to=r.oblast, reason="Не наша компетенція.")
    forwarded = Notification.objects.get(appeal=case, kind="forwarded")
    assert BASE + reverse("reception:case", args=[new.follow_token]) in _links(forwarded.body)
    submitted_new = Notification.objects.get(appeal=new, kind="submitted")
    assert BASE + reverse("reception_staff:case", args=[new.pk]) in _links(submitted_new.body)


def test_a_consultant_without_the_authors_email_gets_the_staff_page(
    reception: Reception, django_capture_on_commit_callbacks
) -> None:
    from django.test import override_settings
    from django.urls import reverse

    r = reception
    r.clock(kyiv("2026-11-16"))
    with override_settings(CIPNET_BASE_URL=BASE), django_capture_on_commit_callbacks(execute=True):
        case = submitted(r, author_email="")
        case = services.appeal_register(
            actor=r.clerk, appeal=case, registration_number="1", registered_on=dt.date(2026, 11, 16)
        )
    note = Notification.objects.get(appeal=case, kind="registered")
    assert note.to == r.world.users["consultant_a"].email
    assert _links(note.body) == [BASE + reverse("reception_staff:case", args=[case.pk])]
    assert case.follow_token not in note.body
