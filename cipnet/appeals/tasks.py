from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task

from cipnet.appeals.models import Notification
from cipnet.core.clock import now


@task()
def send_notification(*, notification_id: int) -> bool:
    """Send one case e-mail, once: a retried or duplicated task finds it sent and does nothing."""
    from cipnet.appeals.notifications import reply_address

    with transaction.atomic():
        note = Notification.objects.select_for_update().select_related("appeal").filter(pk=notification_id).first()
        if note is None or note.sent_at is not None:
            return False
        EmailMessage(subject=note.subject, body=note.body, to=[note.to], reply_to=[reply_address(note.appeal)]).send()
        note.sent_at = now()
        note.save(update_fields=["sent_at"])
    return True
