"""The outbox is the source of truth (issue 13, item 3): a notification whose send task was never
queued (the web process died after commit) is sent by the worker's periodic dispatcher, once; a
claim (lease) keeps two senders off the same row; task rows a killed worker left RUNNING are
run again after a timeout."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from cipnet.appeals import outbox, tasks
from cipnet.appeals.models import Notification
from cipnet.appeals.tests.conftest import Reception, submitted
from cipnet.core import worker
from cipnet.core.clock import now

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def lost_after_commit(reception: Reception, django_capture_on_commit_callbacks: Any) -> Notification:
    """A case sent, whose on-commit enqueue never ran (as when the web process is killed then)."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = submitted(reception)
    assert len(callbacks) == 1 and mail.outbox == []
    return Notification.objects.get(appeal=case)


def test_a_notification_whose_task_was_never_queued_is_sent_by_the_dispatcher_once(
    reception: Reception, django_capture_on_commit_callbacks: Any
) -> None:
    note = lost_after_commit(reception, django_capture_on_commit_callbacks)
    assert outbox.dispatch_due() == 1
    assert [m.to for m in mail.outbox] == [["zvernennya@mkrada.example"]]
    note.refresh_from_db()
    assert note.sent_at is not None
    assert outbox.dispatch_due() == 0
    # The fast path's task, arriving late, finds it sent.
    assert outbox.send_notification.call(notification_id=note.pk) is False
    assert len(mail.outbox) == 1
    # The e-mail carries an id made from the notification's unique key: a resend is recognisable.
    assert mail.outbox[0].extra_headers["Message-ID"] == outbox.message_id(note)


def test_a_live_claim_keeps_every_other_sender_off_and_an_expired_one_is_taken_over(
    reception: Reception, django_capture_on_commit_callbacks: Any
) -> None:
    note = lost_after_commit(reception, django_capture_on_commit_callbacks)
    moment = now()
    assert outbox.claim(note.pk, moment) is True
    assert outbox.claim(note.pk, moment) is False  # a second dispatcher
    assert outbox.send_notification.call(notification_id=note.pk) is False  # the fast path
    assert outbox.dispatch_due() == 0 and mail.outbox == []
    # The claimer died before sending: after the lease another sender takes it, once.
    Notification.objects.filter(pk=note.pk).update(claimed_at=moment - outbox.lease() - dt.timedelta(seconds=1))
    assert outbox.dispatch_due() == 1 and len(mail.outbox) == 1
    assert outbox.claim(note.pk, now()) is False  # sent: nobody claims it again


def test_a_send_that_fails_releases_its_claim_for_the_next_run(
    reception: Reception, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = lost_after_commit(reception, django_capture_on_commit_callbacks)

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(ConnectionRefusedError):
        outbox.dispatch_due()
    note.refresh_from_db()
    assert note.sent_at is None and note.claimed_at is None
    monkeypatch.undo()
    assert outbox.dispatch_due() == 1 and len(mail.outbox) == 1


def test_when_the_server_accepts_the_mail_only_the_commit_is_left(
    reception: Reception, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row is marked sent inside the sender's transaction before the SMTP hand-off, so a sender
    killed after "accepted" can only lose the COMMIT, the narrowest window to a second copy."""
    note = lost_after_commit(reception, django_capture_on_commit_callbacks)
    seen: list[object] = []
    original = EmailMessage.send

    def spy(self: EmailMessage, fail_silently: bool = False) -> int:
        seen.append(Notification.objects.get(pk=note.pk).sent_at)  # same connection, same transaction
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", spy)
    assert outbox.dispatch_due() == 1
    assert len(seen) == 1 and seen[0] is not None


def test_the_dispatcher_books_its_next_run_once_and_runs_the_outbox(
    reception: Reception, django_capture_on_commit_callbacks: Any
) -> None:
    assert tasks.schedule_dispatcher() is False  # the immediate backend of the tests cannot defer
    note = lost_after_commit(reception, django_capture_on_commit_callbacks)
    with override_settings(TASKS=DB_TASKS):
        assert tasks.schedule_dispatcher() is True
        assert tasks.schedule_dispatcher() is False  # one chain, however often it is asked
        rows = DBTaskResult.objects.filter(task_path=tasks.dispatch_outbox.module_path, status="READY")
        assert rows.count() == 1
        rows.delete()
        # A run books the next one first (a kill during the run does not end the chain), then sends.
        result = tasks.dispatch_outbox.call()
        assert result["sent"] == 1 and rows.count() == 1
    note.refresh_from_db()
    assert note.sent_at is not None


def test_task_rows_left_running_by_a_killed_worker_run_again_after_the_timeout(reception: Reception) -> None:
    with override_settings(TASKS=DB_TASKS):
        stuck = outbox.send_notification.enqueue(notification_id=1)
        fresh = outbox.send_notification.enqueue(notification_id=2)
    moment = now()
    DBTaskResult.objects.filter(pk=stuck.id).update(
        status="RUNNING", started_at=moment - worker.stuck_after() - dt.timedelta(seconds=1), worker_ids=["dead"]
    )
    DBTaskResult.objects.filter(pk=fresh.id).update(status="RUNNING", started_at=moment, worker_ids=["alive"])
    assert worker.recover_stuck_tasks(moment) == 1
    assert DBTaskResult.objects.get(pk=stuck.id).status == "READY"
    assert DBTaskResult.objects.ready().filter(pk=stuck.id).exists()
    assert DBTaskResult.objects.get(pk=fresh.id).status == "RUNNING"


def test_the_schedule_command_books_the_dispatcher_with_the_reminders(reception: Reception) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with override_settings(TASKS=DB_TASKS):
        call_command("send_appeal_reminders", "--schedule", stdout=out)
        call_command("send_appeal_reminders", "--schedule", stdout=StringIO())
    assert "outbox dispatcher is booked" in out.getvalue()
    booked = DBTaskResult.objects.filter(status="READY")
    assert sorted(booked.values_list("task_path", flat=True)) == sorted(
        [tasks.dispatch_outbox.module_path, tasks.daily_reminders.module_path]
    )


def test_the_daily_run_prunes_old_finished_task_rows(reception: Reception) -> None:
    # The dispatcher runs every minute: its finished rows must not pile up for ever.
    with override_settings(TASKS=DB_TASKS):
        old_done, old_failed, recent_done, waiting = (
            outbox.send_notification.enqueue(notification_id=n) for n in (1, 2, 3, 4)
        )
    moment = now()
    DBTaskResult.objects.filter(pk=old_done.id).update(status="SUCCESSFUL", finished_at=moment - dt.timedelta(days=8))
    DBTaskResult.objects.filter(pk=old_failed.id).update(status="FAILED", finished_at=moment - dt.timedelta(days=8))
    DBTaskResult.objects.filter(pk=recent_done.id).update(
        status="SUCCESSFUL", finished_at=moment - dt.timedelta(days=1)
    )
    assert worker.prune_finished_tasks(moment) == 1
    left = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert left == {str(old_failed.id), str(recent_done.id), str(waiting.id)}
