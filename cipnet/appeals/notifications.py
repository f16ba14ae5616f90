"""E-mails a case causes, and the reminders and escalations of terms.

Each message is first a `Notification` row whose unique `key` names the reason (case, step, due
day), written in the same transaction as the step; the task worker sends it after commit
(`outbox.send_notification`). A retried task, or a reminder run twice, finds the row already sent or
already there, so nobody gets the same e-mail twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from cipnet.accounts.models import Membership, Role
from cipnet.appeals import events
from cipnet.appeals.deadlines import working_days_left
from cipnet.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, AuthorityOfficial, EventKind, Notification
from cipnet.appeals.outbox import reply_address, send_notification
from cipnet.core.clock import local, now
from cipnet.core.workdays import current_calendar


def _due_text(appeal: Appeal) -> str:
    if appeal.due_at is None:
        return ""
    return local(appeal.due_at).strftime("%d.%m.%Y %H:%M")


def _absolute(path: str) -> str:
    return str(settings.CIPNET_BASE_URL or "http://127.0.0.1:8000").rstrip("/") + path


def staff_link(appeal: Appeal) -> str:
    """The case's page for officials, coordinators and the consultant who filed it (signed in)."""
    return _absolute(reverse("reception_staff:case", args=[appeal.pk]))


def follow_link(appeal: Appeal) -> str:
    """The author's private follow link: it opens the case without an account, so it is written
    only into e-mails to the author."""
    return _absolute(reverse("reception:case", args=[appeal.follow_token]))


def _open_line(link: str) -> str:
    return _("Open the case: %(link)s") % {"link": link}


def _author_addresses(appeal: Appeal) -> list[str]:
    """The author, or the consultant who filed the case when the author gave no e-mail."""
    if appeal.author_email:
        return [appeal.author_email]
    if appeal.filed_by is not None and appeal.filed_by.email:
        return [appeal.filed_by.email]
    if appeal.user is not None and appeal.user.email:
        return [appeal.user.email]
    return []


def _author_link(appeal: Appeal, to: str) -> str:
    """The follow link for the author; the staff page for the consultant who filed the case."""
    if to == appeal.author_email or (appeal.user is not None and to == appeal.user.email):
        return follow_link(appeal)
    return staff_link(appeal)


def queue_to_author(
    appeal: Appeal, kind: str, subject: str, body: str, *, suffix: str = "", about: Appeal | None = None
) -> int:
    """`queue` to the author's address, with the link that address may open (to the case `about`,
    by default the case itself)."""
    about = about or appeal
    return sum(
        queue(appeal, kind, [to], subject, body + "\n\n" + _open_line(_author_link(about, to)), suffix=suffix)
        for to in _author_addresses(appeal)
    )


def queue(appeal: Appeal, kind: str, recipients: Iterable[str], subject: str, body: str, *, suffix: str = "") -> int:
    """Write one notification per recipient (skipping those already written) and send them after
    commit. Returns how many were new."""
    created = 0
    for to in sorted({r for r in recipients if r}):
        key = f"{appeal.pk}:{kind}:{suffix}:{to}"[:120]
        try:
            with transaction.atomic():
                note = Notification.objects.create(appeal=appeal, key=key, kind=kind, to=to, subject=subject, body=body)
        except IntegrityError:
            continue
        created += 1
        transaction.on_commit(partial(send_notification.enqueue, notification_id=note.pk))
    return created


def _footer(appeal: Appeal) -> str:
    return _("Case %(number)s. Answer due: %(due)s.") % {"number": appeal.number, "due": _due_text(appeal)}


def confirm_email(appeal: Appeal, link: str) -> None:
    """Residents without an account confirm their address before the case is sent."""
    queue(
        appeal,
        "confirm",
        [appeal.author_email],
        _("Confirm your e-mail to send your case to %(authority)s") % {"authority": appeal.authority.display_name},
        "\n\n".join(
            [
                _("Open this link and press the button to confirm your address and send the case:"),
                link,
                _("If you did not write to an authority through CIPnet, ignore this letter: nothing will be sent."),
            ]
        ),
    )


def case_submitted(appeal: Appeal) -> None:
    queue(
        appeal,
        "submitted",
        [appeal.authority.email],
        _("New %(kind)s %(number)s: %(subject)s")
        % {"kind": appeal.get_kind_display().lower(), "number": appeal.number, "subject": appeal.subject},
        "\n\n".join(
            [
                appeal.text,
                _("From: %(name)s, %(address)s") % {"name": appeal.author_name, "address": appeal.author_address},
                _footer(appeal),
                _("Reply to %(address)s to file your answer to the case.") % {"address": reply_address(appeal)},
                _open_line(staff_link(appeal)),
            ]
        ),
    )


def case_registered(appeal: Appeal) -> None:
    queue_to_author(
        appeal,
        "registered",
        _("Your case %(number)s is registered") % {"number": appeal.number},
        "\n\n".join(
            [
                _("%(authority)s registered it under number %(reg)s.")
                % {"authority": appeal.authority.display_name, "reg": appeal.registration_number},
                _footer(appeal),
            ]
        ),
    )


def case_extended(appeal: Appeal) -> None:
    queue_to_author(
        appeal,
        "extended",
        _("The term of your case %(number)s is extended") % {"number": appeal.number},
        "\n\n".join([appeal.extension_reason, _footer(appeal)]),
    )


def case_forwarded(old: Appeal, new: Appeal) -> None:
    queue_to_author(
        old,
        "forwarded",
        _("Your case %(number)s was forwarded to %(authority)s")
        % {"number": old.number, "authority": new.authority.display_name},
        _("It continues as case %(number)s; the term starts again from today.") % {"number": new.number}
        + "\n\n"
        + _footer(new),
        about=new,
    )
    case_submitted(new)


def case_question(appeal: Appeal, question: str) -> None:
    queue_to_author(
        appeal,
        "question",
        _("%(authority)s asks you to clarify case %(number)s")
        % {"authority": appeal.authority.display_name, "number": appeal.number},
        question,
        suffix=str(AppealEvent.objects.filter(appeal=appeal).count()),
    )


def case_clarified(appeal: Appeal, text: str) -> None:
    """The author answered the authority's question: tell whoever handles the case."""
    queue(
        appeal,
        "clarified",
        _officials(appeal),
        _("Clarification received: case %(number)s") % {"number": appeal.number},
        text + "\n\n" + _footer(appeal) + "\n\n" + _open_line(staff_link(appeal)),
        suffix=str(AppealEvent.objects.filter(appeal=appeal).count()),
    )


def message_filed(appeal: Appeal, event: AppealEvent, *, from_authority: bool) -> None:
    """An e-mail to the case's address was filed to it: tell whoever handles the case (not the
    sender). A message from the authority's own address may be its answer, which only an official
    records."""
    sender = str(event.data.get("from", ""))
    lines = [
        _("From: %(sender)s") % {"sender": sender or "—"},
        _("Subject: %(subject)s") % {"subject": event.data.get("subject", "") or "—"},
        "",
        event.note[:4000],
    ]
    if from_authority:
        lines += ["", _("It came from the authority's address. If it is the answer, record it on the case page.")]
    queue(
        appeal,
        "message",
        [to for to in _officials(appeal) if to.strip().lower() != sender],
        _("E-mail filed to case %(number)s") % {"number": appeal.number},
        "\n".join(lines) + "\n\n" + _footer(appeal) + "\n\n" + _open_line(staff_link(appeal)),
        suffix=str(event.pk),
    )


def case_answered(appeal: Appeal) -> None:
    queue_to_author(
        appeal,
        "answered",
        _("Answer to your case %(number)s") % {"number": appeal.number},
        "\n\n".join([appeal.get_outcome_display(), appeal.answer_text]),
    )


# --- Reminders and escalation (run daily: manage.py send_appeal_reminders) -------------------


def _officials(appeal: Appeal, *, heads: bool = False) -> list[str]:
    posts = AuthorityOfficial.objects.filter(authority_id=appeal.authority_id, is_active=True).select_related("user")
    if heads:
        posts = posts.filter(is_head=True)
    if not heads and appeal.assignee_id is not None:
        posts = posts.filter(user_id=appeal.assignee_id)
    return [p.user.email for p in posts if p.user.email]


def _coordinators(appeal: Appeal) -> list[str]:
    rows = Membership.objects.filter(
        role=Role.REGIONAL_COORDINATOR, region_id=appeal.authority.region_id, is_active=True
    ).select_related("user")
    return [m.user.email for m in rows if m.user.email]


def send_reminders(moment: dt.datetime | None = None) -> dict[str, int]:
    """Remind officials 2 working days before a due day; escalate cases past due to the head and
    the regional coordinator. Safe to run any number of times a day."""
    moment = moment or now()
    today = local(moment).date()
    calendar = current_calendar()
    counts = {"reminders": 0, "escalations": 0}
    open_cases = Appeal.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False).select_related("authority")
    for appeal in open_cases.iterator(chunk_size=500):
        if appeal.due_at is None:
            continue
        due_on = local(appeal.due_at).date()
        with transaction.atomic():
            if appeal.due_at < moment:
                n = queue(
                    appeal,
                    "escalation",
                    _officials(appeal, heads=True) + _coordinators(appeal),
                    _("Overdue: case %(number)s to %(authority)s")
                    % {"number": appeal.number, "authority": appeal.authority.display_name},
                    _("The answer was due %(due)s and has not been given.") % {"due": _due_text(appeal)}
                    + "\n\n"
                    + _open_line(staff_link(appeal)),
                    suffix=due_on.isoformat(),
                )
                if n:
                    counts["escalations"] += 1
                    events.record_case_event(appeal, EventKind.ESCALATED, at=moment, public=False, recipients=n)
            elif working_days_left(due_on, today, calendar) <= 2:
                n = queue(
                    appeal,
                    "reminder",
                    _officials(appeal),
                    _("Due soon: case %(number)s") % {"number": appeal.number},
                    _footer(appeal) + "\n\n" + _open_line(staff_link(appeal)),
                    suffix=due_on.isoformat(),
                )
                if n:
                    counts["reminders"] += 1
                    events.record_case_event(appeal, EventKind.REMINDER, at=moment, public=False, recipients=n)
    return counts
