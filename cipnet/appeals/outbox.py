"""The case e-mail outbox: each `Notification` row is sent once by the task worker, with the
case's own reply address (replies to it are filed to the case by `ingest`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task

from cipnet.appeals.models import Appeal, Notification
from cipnet.core.clock import now


def reply_address(appeal: Appeal) -> str:
    """The case's own address: replies to it are filed to the case (`ingest_appeal_mail`)."""
    domain = getattr(settings, "CIPNET_REPLY_DOMAIN", "reply.cipnet.localhost")
    return f"case-{appeal.reply_token}@{domain}"


@task()
def send_notification(*, notification_id: int) -> bool:
    """Send one case e-mail, once: a retried or duplicated task finds it sent and does nothing."""
    with transaction.atomic():
        note = Notification.objects.select_for_update().select_related("appeal").filter(pk=notification_id).first()
        if note is None or note.sent_at is not None:
            return False
        EmailMessage(subject=note.subject, body=note.body, to=[note.to], reply_to=[reply_address(note.appeal)]).send()
        note.sent_at = now()
        note.save(update_fields=["sent_at"])
    return True
