"""Publication of answered cases: the author's consent, the moderator's review, the public register
and the authorities' statistics.

A case closed with the author's consent waits for a moderator (`Publication.PENDING`) with redacted
copies of its subject, text and answer (`redaction.propose_publication`). A moderator — a network
administrator, a register moderator (`Role.MODERATOR`, network-wide, who does nothing else) or the
coordinator of the authority's region — edits those copies and publishes or
rejects them. Only the `public_*` copies of a published case ever leave this module for the public.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cipnet.accounts.models import Role, User
from cipnet.accounts.scopes import scope_for
from cipnet.appeals import events
from cipnet.appeals.models import Appeal, Authority, EventKind, Outcome, Publication, Status
from cipnet.appeals.redaction import propose_publication
from cipnet.appeals.services import lock_case, parties_of
from cipnet.appeals.workflow import Party
from cipnet.core.clock import now
from cipnet.core.errors import InvalidTransition
from cipnet.core.pii import LABELS as PII_LABELS
from cipnet.core.pii import Finding, PiiKind, find_personal_data
from cipnet.core.text import search_key

# --- Who moderates --------------------------------------------------------------------------


def _moderation_q(user: User | AnonymousUser) -> Q | None:
    """Cases the user moderates (by the authority's region), or None for someone who moderates nothing."""
    scope = scope_for(user)
    if scope.network or Role.MODERATOR in scope.roles:
        return Q()
    if scope.region_ids:
        return Q(authority__region_id__in=scope.region_ids)
    return None


def is_moderator(user: User | AnonymousUser) -> bool:
    return _moderation_q(user) is not None


def may_moderate(user: User | AnonymousUser | None, appeal: Appeal) -> bool:
    if user is None:
        return False
    scope = scope_for(user)
    return scope.network or Role.MODERATOR in scope.roles or appeal.authority.region_id in scope.region_ids


def moderation_queue_visible_to(*, user: User | AnonymousUser) -> QuerySet[Appeal]:
    """Cases waiting for this moderator's decision, the longest waiting first."""
    q = _moderation_q(user)
    if q is None:
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(q, publication=Publication.PENDING)
        .select_related("authority", "authority__region")
        .order_by("closed_at", "id")
    )


def moderation_case_get(*, user: User | AnonymousUser, pk: int) -> Appeal:
    """A case proposed for publication (waiting or decided) within the moderator's regions; else 404."""
    q = _moderation_q(user)
    if q is None:
        raise Http404
    appeal = (
        Appeal.objects.filter(q, pk=pk)
        .exclude(publication=Publication.PRIVATE)
        .select_related("authority", "authority__region")
        .first()
    )
    if appeal is None:
        raise Http404
    return appeal


# --- The moderator's decision ---------------------------------------------------------------

SUBJECT_MAX = 200


_LETTER = r"[^\W\d_]"
#: Endings a Ukrainian name changes when declined ("Петренко" → "Петренка", "Марія" → "Марії").
_ENDINGS = "аеєиіїоуюяйь"


def _name_pattern(part: str) -> re.Pattern[str]:
    """A part of the author's name as a word, declined or not: the stem (without a changing ending,
    when at least four letters remain) and up to three more letters. So "Петренко" catches
    "петренка" and "Петренкові", "Марія" catches "Марії", but "Лис" does not catch "листопада"."""
    folded = search_key(part)
    stem = folded[:-1] if len(folded) > 4 and folded[-1] in _ENDINGS else folded
    return re.compile(rf"(?<!{_LETTER}){re.escape(stem)}{_LETTER}{{0,3}}(?!{_LETTER})")


def _leaks(text: str, appeal: Appeal) -> list[str]:
    """The author's details found in `text`, whatever the letter case: the full name, each part of
    it longer than two letters (as a word, also declined), the postal address, the e-mail address
    and the phone number."""
    folded = search_key(text)
    found = []
    parts = [re.sub(r"^\W+|\W+$", "", p) for p in re.split(r"[\s\-‐–]+", appeal.author_name)]
    for part in dict.fromkeys(p for p in parts if sum(ch.isalpha() for ch in p) > 2):
        if _name_pattern(part).search(folded):
            found.append(part)
    # The whole name matters on its own only when no part of it was long enough to be found.
    values = [appeal.author_address, appeal.author_email, appeal.author_phone]
    if not found:
        values.insert(0, appeal.author_name)
    for value in values:
        if value.strip() and search_key(value) in folded:
            found.append(value.strip())
    return found


def suspects(text: str, appeal: Appeal) -> list[Finding]:
    """What the detector suspects in a text to publish: the author's name in any form, other
    people's names, addresses, dates of birth, numbers (`cipnet.core.pii`)."""
    return find_personal_data(text, names=[appeal.author_name])


def confirmable(finding: Finding) -> bool:
    """A moderator may confirm a suspect is not personal data, except the author's name."""
    return finding.kind != PiiKind.AUTHOR_NAME


def personal_data_errors(text: str, appeal: Appeal, confirmed: Collection[str] = ()) -> list[str]:
    """Why `text` may not be published: every suspect the moderator has not confirmed as not
    personal data (the author's name is never confirmable), and the author's own details."""
    messages = []
    for finding in suspects(text, appeal):
        if confirmable(finding) and finding.text.strip() in confirmed:
            continue
        messages.append(
            _("It still contains %(what)s: “%(text)s”. Replace it with ███ or remove it.")
            % {"what": PII_LABELS[finding.kind], "text": finding.text}
        )
    leaks = _leaks(text, appeal)
    if leaks:
        messages.append(
            _("It still contains the author's details: %(values)s. Replace them with ███ or remove them.")
            % {"values": ", ".join(f"“{value}”" for value in leaks)}
        )
    return messages


def _clean_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def appeal_moderate(
    *,
    actor: User,
    appeal: Appeal,
    publish: bool,
    subject: str,
    text: str,
    answer: str,
    confirmed: Collection[str] = (),
) -> Appeal:
    """Publish the moderator's (redacted) subject, text and answer, or reject publication.
    Refuses texts that still hold a suspect the moderator has not confirmed as not personal data
    (`confirmed`: the suspects' texts); writes an internal `PUBLICATION` event."""
    confirmed = {c.strip() for c in confirmed}
    subject, text, answer = _clean_text(subject), _clean_text(text), _clean_text(answer)
    with transaction.atomic():
        appeal = lock_case(appeal)
        if not may_moderate(actor, appeal):
            raise InvalidTransition(
                _("Only a network administrator or the region's coordinator moderates publication.")
            )
        if appeal.publication != Publication.PENDING:
            raise InvalidTransition(
                _("Publication has already been decided: “%(state)s”.")
                % {"state": Publication(appeal.publication).label}
            )
        if publish:
            errors: dict[str, list[str]] = {}
            for name, value, required in (
                ("subject", subject, _("Write the subject to publish.")),
                ("text", text, _("Write the question to publish.")),
                ("answer", answer, _("Write the answer to publish.")),
            ):
                problems = personal_data_errors(value, appeal, confirmed) if value else [required]
                if problems:
                    errors[name] = problems
            if len(subject) > SUBJECT_MAX:
                errors.setdefault("subject", []).append(_("The subject is at most 200 characters."))
            if errors:
                raise ValidationError(errors)
            appeal.public_subject, appeal.public_text, appeal.public_answer = subject, text, answer
            appeal.public_search = register_search_text(appeal)
            appeal.publication = Publication.PUBLISHED
            appeal.published_at = now()
        else:
            appeal.publication = Publication.REJECTED
        appeal.full_clean()
        appeal.save(
            update_fields=[
                "public_subject",
                "public_text",
                "public_answer",
                "public_search",
                "publication",
                "published_at",
                "updated_at",
            ]
        )
        events.record_case_event(appeal, EventKind.PUBLICATION, actor, public=False, published=publish)
    return appeal


def appeal_set_publish_consent(
    *, actor: User | None, appeal: Appeal, consent: bool, token: str | None = None
) -> Appeal:
    """The author changes their mind about publication, until the case is published. Withdrawing
    takes a waiting case out of the queue; consenting on a closed case puts it in the queue."""
    with transaction.atomic():
        appeal = lock_case(appeal)
        if Party.AUTHOR not in parties_of(actor, appeal, token=token):
            raise InvalidTransition(_("Only the author can decide about publication."))
        if appeal.publication == Publication.PUBLISHED:
            raise InvalidTransition(_("The case is already published; write to the moderator to remove it."))
        if appeal.publish_consent == consent:
            return appeal
        appeal.publish_consent = consent
        if not consent and appeal.publication == Publication.PENDING:
            appeal.publication = Publication.PRIVATE
            appeal.public_subject = appeal.public_text = appeal.public_answer = ""
        elif consent and appeal.status == Status.CLOSED and appeal.publication == Publication.PRIVATE:
            propose_publication(appeal)
        appeal.save(
            update_fields=[
                "publish_consent",
                "publication",
                "public_subject",
                "public_text",
                "public_answer",
                "updated_at",
            ]
        )
        events.record_case_event(appeal, EventKind.PUBLICATION, actor, public=False, consent=consent)
    return appeal


# --- The public register --------------------------------------------------------------------


def register_search_text(appeal: Appeal) -> str:
    """What the register's search looks in: the published texts only, never the originals."""
    return search_key(" ".join((appeal.number or "", appeal.public_subject, appeal.public_text, appeal.public_answer)))


def register_case(*, number: str) -> Appeal:
    appeal = (
        Appeal.objects.filter(publication=Publication.PUBLISHED, number=number)
        .select_related("authority", "authority__region")
        .first()
    )
    if appeal is None:
        raise Http404
    return appeal


def register_authorities() -> QuerySet[Authority]:
    """Authorities with at least one published case (the register's filter)."""
    published = Appeal.objects.filter(authority_id=OuterRef("pk"), publication=Publication.PUBLISHED)
    return Authority.objects.filter(Exists(published)).order_by("name")


def authority_get_public(*, slug: str) -> Authority:
    authority = Authority.objects.select_related("region").filter(slug=slug).first()
    if authority is None:
        raise Http404
    return authority


# --- Statistics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorityStats:
    authority: Authority
    #: Sent and received by the authority (forwarded-away cases included).
    received: int
    answered_in_time: int
    answered_late: int
    #: Still owed an answer and past the due moment.
    overdue: int
    positive: int
    #: Mean time from receipt to answer, in days, one decimal; None before any answer.
    average_days: float | None

    @property
    def answered(self) -> int:
        return self.answered_in_time + self.answered_late

    @property
    def positive_percent(self) -> int | None:
        """Answers that resolved the case positively, in whole percent of the answers."""
        if not self.answered:
            return None
        return round(100 * self.positive / self.answered)


def authority_statistics(
    *, authority: Authority | None = None, moment: dt.datetime | None = None
) -> list[AuthorityStats]:
    """Figures per authority (every authority, or one), in two queries whatever their number."""
    moment = moment or now()
    forwarded_away = Appeal.objects.filter(forwarded_from_id=OuterRef("pk"))
    received = Appeal.objects.exclude(status=Status.DRAFT).filter(received_at__isnull=False)
    if authority is not None:
        received = received.filter(authority_id=authority.pk)
    answered = Q(answered_at__isnull=False, away=False)
    rows = (
        received.alias(away=Exists(forwarded_away))
        .values("authority_id")
        .annotate(
            received=Count("pk"),
            in_time=Count("pk", filter=answered & (Q(due_at__isnull=True) | Q(answered_at__lte=F("due_at")))),
            late=Count("pk", filter=answered & Q(answered_at__gt=F("due_at"))),
            overdue=Count("pk", filter=Q(pk__in=Appeal.objects.overdue(moment).values("pk"))),
            positive=Count("pk", filter=answered & Q(outcome=Outcome.POSITIVE)),
            duration=Avg(
                ExpressionWrapper(F("answered_at") - F("received_at"), output_field=DurationField()),
                filter=answered,
            ),
        )
        .order_by()
    )
    by_authority: dict[int, dict[str, Any]] = {row["authority_id"]: dict(row) for row in rows}
    authorities = (
        [authority] if authority is not None else list(Authority.objects.select_related("region").order_by("name"))
    )
    out = []
    for a in authorities:
        row = by_authority.get(a.pk, {})
        duration: dt.timedelta | None = row.get("duration")
        out.append(
            AuthorityStats(
                authority=a,
                received=row.get("received", 0),
                answered_in_time=row.get("in_time", 0),
                answered_late=row.get("late", 0),
                overdue=row.get("overdue", 0),
                positive=row.get("positive", 0),
                average_days=round(duration.total_seconds() / 86400, 1) if duration is not None else None,
            )
        )
    return out
