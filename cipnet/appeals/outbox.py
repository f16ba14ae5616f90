"""The case e-mail outbox, the source of truth for what must be sent: each `Notification` row is
sent once, with the case's own reply address (replies to it are filed to the case by `ingest`).

Two paths send a row, through the same claim:
- the fast path: `send_notification`, queued after the commit that wrote the row;
- the dispatcher: `dispatch_due`, run by the worker every minute (`tasks.dispatch_outbox`), sends
  every unsent row nobody holds, so a row whose task was never queued (the web process was killed
  between the commit and the enqueue) or whose sender died still goes out.

A sender first claims the row: an atomic conditional UPDATE that sets `claimed_at` only if the row
is unsent and unclaimed (or its claim is older than the lease), so of two senders exactly one wins,
on SQLite and on PostgreSQL (where the dispatcher also picks its batch with SKIP LOCKED). A failed
send releases the claim. Each e-mail's Message-ID is derived from the row's unique key: should a
sender die between the SMTP server's "accepted" and writing `sent_at`, the copy sent again after the
lease carries the same id, which mail systems fold into one. That window is kept to the commit
itself: the row is held and marked sent before sending, so after the server's "accepted" nothing is
left but the COMMIT, which waits for no other writer."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.tasks import task

from cipnet.appeals.models import Appeal, Notification
from cipnet.core.clock import now

#: How long a sender's claim holds before another sender may take the row over.
DEFAULT_LEASE_SECONDS = 300
#: Rows one dispatcher run claims at a time.
BATCH = 50


def reply_address(appeal: Appeal) -> str:
    """The case's own address: replies to it are filed to the case (`ingest_appeal_mail`)."""
    domain = getattr(settings, "CIPNET_REPLY_DOMAIN", "reply.cipnet.localhost")
    return f"case-{appeal.reply_token}@{domain}"


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "CIPNET_OUTBOX_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)))


def message_id(note: Notification) -> str:
    """The same for every attempt to send this row."""
    domain = getattr(settings, "CIPNET_REPLY_DOMAIN", "reply.cipnet.localhost")
    return f"<n{note.pk}.{hashlib.sha256(note.key.encode()).hexdigest()[:24]}@{domain}>"


def _claimable(moment: dt.datetime) -> Q:
    return Q(sent_at__isnull=True) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=moment - lease()))


def claim(pk: int, moment: dt.datetime) -> bool:
    """Take the row for sending, unless it is sent or another sender's claim is live."""
    return Notification.objects.filter(_claimable(moment), pk=pk).update(claimed_at=moment) == 1


def deliver(pk: int, moment: dt.datetime) -> bool:
    """Send a row this sender claimed at `moment` and mark it sent, in one transaction that holds the
    row (PostgreSQL: its lock; SQLite: the IMMEDIATE transaction's write lock), so that the mark is
    written the moment the send returns rather than after waiting for other writers; a failed send
    releases the claim."""
    try:
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update()
                .select_related("appeal")
                .filter(pk=pk, claimed_at=moment, sent_at__isnull=True)
                .first()
            )
            if note is None:
                return False
            # Marked before the send, inside the same transaction: after the server accepts the
            # mail only the COMMIT is left, the narrowest window there is (a failed send rolls it back).
            note.sent_at = now()
            note.save(update_fields=["sent_at"])
            EmailMessage(
                subject=note.subject,
                body=note.body,
                to=[note.to],
                reply_to=[reply_address(note.appeal)],
                headers={"Message-ID": message_id(note)},
            ).send()
    except BaseException:
        Notification.objects.filter(pk=pk, claimed_at=moment, sent_at__isnull=True).update(claimed_at=None)
        raise
    return True


@task()
def send_notification(*, notification_id: int) -> bool:
    """Send one case e-mail, once: a retried or duplicated task, or one that comes after the
    dispatcher, finds it sent or claimed and does nothing."""
    moment = now()
    return claim(notification_id, moment) and deliver(notification_id, moment)


def _claim_batch(moment: dt.datetime) -> list[int]:
    due = Notification.objects.filter(_claimable(moment)).order_by("created_at", "id")
    if connection.vendor != "postgresql":
        return [pk for pk in due.values_list("pk", flat=True)[:BATCH] if claim(pk, moment)]
    with transaction.atomic():
        pks = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:BATCH])
        Notification.objects.filter(pk__in=pks).update(claimed_at=moment)
    return pks


def dispatch_due() -> int:
    """Send every unsent notification nobody holds, batch by batch; how many were sent."""
    sent = 0
    while True:
        moment = now()
        pks = _claim_batch(moment)
        try:
            for pk in pks:
                sent += deliver(pk, moment)
        except BaseException:  # the rest of the batch goes back to the outbox at once
            Notification.objects.filter(pk__in=pks, claimed_at=moment, sent_at__isnull=True).update(claimed_at=None)
            raise
        if len(pks) < BATCH:
            return sent
