"""Every write of the virtual reception: one service per step of a case, each checked against
`workflow`, each writing its `AppealEvent` in the same transaction; e-mails after commit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.appeals import attachments, deadlines, events, limits, notifications
from cipnet.appeals.attachments import Upload
from cipnet.appeals.deadlines import Term
from cipnet.appeals.models import (
    AnswerForm,
    Appeal,
    AppealType,
    AttachmentSource,
    Authority,
    AuthorityOfficial,
    EventKind,
    Kind,
    Outcome,
    Publication,
    Status,
)
from cipnet.appeals.redaction import propose_publication
from cipnet.appeals.workflow import Party, check
from cipnet.core.clock import local, now
from cipnet.core.errors import InvalidTransition
from cipnet.core.workdays import current_calendar
from cipnet.directory.models import Centre

# --- Who is acting ------------------------------------------------------------------------


def parties_of(actor: User | None, appeal: Appeal, *, token: str | None = None) -> set[Party]:
    """What `actor` is to the case: its author (or the consultant who filed it, or a colleague of
    the same centre), an official of its authority, its head. A follow link counts as the author."""
    parties: set[Party] = set()
    if token and token == appeal.follow_token:
        parties.add(Party.AUTHOR)
    if actor is None or not actor.is_authenticated:
        return parties
    colleague = appeal.centre_id is not None and appeal.centre_id in scope_for(actor).centre_ids
    if actor.pk in (appeal.user_id, appeal.filed_by_id) or colleague:
        parties.add(Party.AUTHOR)
    post = AuthorityOfficial.objects.filter(authority_id=appeal.authority_id, user=actor, is_active=True).first()
    if post is not None:
        parties.add(Party.OFFICIAL)
        if post.is_head:
            parties.add(Party.HEAD)
    return parties


def lock_case(appeal: Appeal) -> Appeal:
    """The case, re-read and locked for the rest of the transaction (every step starts here)."""
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def _received(appeal: Appeal) -> dt.datetime:
    if appeal.received_at is None:
        raise InvalidTransition(_("The case has not been received by the authority yet."))
    return appeal.received_at


def _set_term(appeal: Appeal, term: Term) -> dt.datetime:
    deadline = deadlines.due(term, _received(appeal), current_calendar())
    appeal.term = term.value
    appeal.due_at = deadline.due_at
    return deadline.due_at


# --- Drafts ---------------------------------------------------------------------------------


@dataclass
class AppealInput:
    kind: str
    authority: Authority | None
    author_name: str
    subject: str
    text: str
    appeal_type: str = ""
    author_address: str = ""
    author_email: str = ""
    author_phone: str = ""
    answer_form: str = AnswerForm.EMAIL
    urgent: bool = False
    urgency_reason: str = ""
    publish_consent: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)


def validate(data: AppealInput) -> dict[str, list[str]]:
    """Field → messages; empty when the case may be sent. Drafts are saved whatever this says."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.kind not in Kind.values:
        add("kind", _("Choose an appeal or a request for information."))
    if data.authority is None:
        add("authority", _("Choose the authority to write to."))
    elif not data.authority.is_active:
        add("authority", _("This authority does not receive cases through CIPnet."))
    elif data.kind == Kind.INFO_REQUEST and not data.authority.accepts_info_requests:
        add("authority", _("This authority does not answer requests for public information here."))
    if len(data.author_name.split()) < 2:
        add("author_name", _("Write the full name: surname, first name (and patronymic)."))
    if not data.subject.strip():
        add("subject", _("Write what the case is about, in a few words."))
    if len(data.text.strip()) < 20:
        add("text", _("Describe the case in at least a sentence or two (20 characters or more)."))
    if data.kind == Kind.APPEAL:
        if data.appeal_type not in AppealType.values:
            add("appeal_type", _("Choose: proposal, application or complaint."))
        if not data.author_address.strip():
            add("author_address", _("The law requires a postal address: an appeal without one is not considered."))
    if data.kind == Kind.INFO_REQUEST:
        if data.answer_form not in AnswerForm.values:
            add("answer_form", _("Choose how you want the answer."))
        if data.answer_form == AnswerForm.EMAIL and not data.author_email.strip():
            add("author_email", _("Write the e-mail address the answer should go to."))
        if data.answer_form == AnswerForm.POST and not data.author_address.strip():
            add("author_address", _("Write the postal address the answer should go to."))
        if not (data.author_email.strip() or data.author_address.strip() or data.author_phone.strip()):
            add("author_email", _("Give at least one way to contact you."))
        if data.urgent and len(data.urgency_reason.strip()) < 10:
            add("urgency_reason", _("Say why it is urgent: life or liberty, environment, food, an accident…"))
    elif data.urgent:
        add("urgent", _("Only a request for public information can be urgent."))
    return errors


def _apply_input(appeal: Appeal, data: AppealInput) -> None:
    appeal.kind = data.kind
    appeal.appeal_type = data.appeal_type if data.kind == Kind.APPEAL else ""
    if data.authority is not None:
        appeal.authority = data.authority
    appeal.author_name = " ".join(data.author_name.split())
    appeal.author_address = data.author_address.strip()
    appeal.author_email = data.author_email.strip()
    appeal.author_phone = data.author_phone.strip()
    appeal.subject = data.subject.strip()
    appeal.text = data.text.strip()
    appeal.answer_form = data.answer_form if data.kind == Kind.INFO_REQUEST else AnswerForm.POST
    appeal.urgent = bool(data.urgent) and data.kind == Kind.INFO_REQUEST
    appeal.urgency_reason = data.urgency_reason.strip() if appeal.urgent else ""
    appeal.publish_consent = data.publish_consent


def appeal_save_draft(
    *,
    actor: User | None,
    data: AppealInput,
    appeal: Appeal | None = None,
    centre: Centre | None = None,
    consent: bool = False,
    idempotency_key: uuid.UUID | None = None,
    token: str | None = None,
) -> Appeal:
    """Create or change a draft. A consultant filing for a visitor names the centre and records the
    visitor's consent. Whatever was typed is kept, even what `validate` would refuse."""
    if data.authority is None and appeal is None:
        raise ValidationError({"authority": [_("Choose the authority to write to.")]})
    if appeal is not None:
        if Party.AUTHOR not in parties_of(actor, appeal, token=token):
            raise InvalidTransition(_("You cannot change this case."))
        if appeal.status != Status.DRAFT:
            raise InvalidTransition(_("Only a draft can be changed; this case has been sent."))
    if centre is not None:
        if actor is None or centre.pk not in scope_for(actor).centre_ids:
            raise ValidationError({"centre": [_("You do not work in this centre.")]})
        if not consent:
            raise ValidationError({"consent": [_("Record that the visitor agrees that you write on their behalf.")]})
    with transaction.atomic():
        if idempotency_key is not None:
            existing = Appeal.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        created = appeal is None
        if appeal is None:
            appeal = Appeal(idempotency_key=idempotency_key)
            if centre is not None:
                appeal.filed_by, appeal.centre, appeal.consent_at = actor, centre, now()
            elif actor is not None and actor.is_authenticated:
                appeal.user = actor
        else:
            appeal = lock_case(appeal)
        _apply_input(appeal, data)
        try:
            with transaction.atomic():
                appeal.save()
        except IntegrityError:
            if idempotency_key is None:
                raise
            return Appeal.objects.get(idempotency_key=idempotency_key)
        if created:
            events.record_case_event(appeal, EventKind.CREATED, actor, public=False)
    return appeal


def appeal_file(
    *,
    actor: User | None,
    data: AppealInput,
    appeal: Appeal | None = None,
    token: str | None = None,
    centre: Centre | None = None,
    consent: bool = False,
    idempotency_key: uuid.UUID | None = None,
    key_owner: str = "",
    address: str = "",
    uploads: Sequence[Upload] = (),
) -> Appeal:
    """Writing to an authority, the step before sending (the page and the API): save the draft with
    its files. A retry with the same idempotency key returns the case saved the first time; a key
    that a signed-in user's other case used is refused, and nothing is saved on that case. Without
    an account the key belongs to `key_owner` (the browser's session): the same key from another
    owner is another key, so it can neither reveal nor change the case (none without an owner).
    A new case counts against `limits` (the account, else the client's `address`)."""
    if idempotency_key is not None and not (actor is not None and actor.is_authenticated):
        idempotency_key = uuid.uuid5(idempotency_key, f"session:{key_owner}") if key_owner else None
    with transaction.atomic():
        if appeal is None:
            limits.count_new_case(actor=actor, address=address, idempotency_key=idempotency_key)
        saved = appeal_save_draft(
            actor=actor,
            data=data,
            appeal=appeal,
            token=token,
            centre=centre,
            consent=consent,
            idempotency_key=idempotency_key,
        )
        if (
            appeal is None
            and actor is not None
            and actor.is_authenticated
            and Party.AUTHOR not in parties_of(actor, saved, token=token)
        ):
            raise InvalidTransition(
                str(_("This idempotency key was used for another case.")), code="idempotency_conflict"
            )
        if uploads:
            attachments.store(appeal=saved, uploads=list(uploads), source=AttachmentSource.AUTHOR, user=actor)
    return saved


def _number(appeal: Appeal) -> str:
    prefix = "ЗВ" if appeal.kind == Kind.APPEAL else "ЗІ"
    year = local(now()).year
    stem = f"{prefix}-{year}-"
    last = Appeal.objects.filter(number__startswith=stem).order_by("-number").values_list("number", flat=True).first()
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:05d}"


def _receive(appeal: Appeal, at: dt.datetime) -> None:
    """The authority has it now: give a number, start the clock."""
    appeal.received_at = at
    if appeal.kind == Kind.INFO_REQUEST:
        _set_term(appeal, Term.INFO_URGENT if appeal.urgent else Term.INFO_STANDARD)
    else:
        _set_term(appeal, Term.APPEAL_STANDARD)
    for _attempt in range(5):
        appeal.number = _number(appeal)
        try:
            with transaction.atomic():
                appeal.save()
            return
        except IntegrityError:
            continue
    raise IntegrityError("could not give the case a number")


def appeal_submit(*, actor: User | None, appeal: Appeal, token: str | None = None) -> Appeal:
    """Send a draft. Residents without an account must have confirmed their e-mail address."""
    with transaction.atomic():
        appeal = lock_case(appeal)
        check("submit", appeal.status, parties_of(actor, appeal, token=token))
        errors = validate(_input_of(appeal))
        if errors:
            raise ValidationError(errors)
        signed_in = actor is not None and actor.is_authenticated
        if not signed_in and appeal.email_confirmed_at is None:
            raise InvalidTransition(_("Confirm your e-mail address first: open the link we sent you."))
        before = appeal.status
        appeal.status = Status.SUBMITTED
        appeal.submitted_at = now()
        _receive(appeal, appeal.submitted_at)
        events.record_case_event(
            appeal,
            EventKind.SUBMITTED,
            actor,
            before=before,
            due_at=appeal.due_at.isoformat() if appeal.due_at else None,
        )
        notifications.case_submitted(appeal)
    return appeal


def _input_of(appeal: Appeal) -> AppealInput:
    return AppealInput(
        kind=appeal.kind,
        authority=appeal.authority,
        author_name=appeal.author_name,
        subject=appeal.subject,
        text=appeal.text,
        appeal_type=appeal.appeal_type,
        author_address=appeal.author_address,
        author_email=appeal.author_email,
        author_phone=appeal.author_phone,
        answer_form=appeal.answer_form,
        urgent=appeal.urgent,
        urgency_reason=appeal.urgency_reason,
        publish_consent=appeal.publish_consent,
    )


def appeal_confirm_email(*, appeal: Appeal, token: str) -> Appeal:
    """The resident opened the confirmation link: the address is theirs, the draft is sent."""
    with transaction.atomic():
        appeal = lock_case(appeal)
        if token != appeal.follow_token:
            raise InvalidTransition(_("This confirmation link is not valid."))
        if appeal.email_confirmed_at is None:
            appeal.email_confirmed_at = now()
            appeal.save(update_fields=["email_confirmed_at", "updated_at"])
    if appeal.status == Status.DRAFT:
        appeal = appeal_submit(actor=None, appeal=appeal, token=token)
    return appeal


# --- The authority's steps ------------------------------------------------------------------


def _step(name: str, actor: User | None, appeal: Appeal, token: str | None = None) -> tuple[Appeal, str, set[Party]]:
    appeal = lock_case(appeal)
    parties = parties_of(actor, appeal, token=token)
    step = check(name, appeal.status, parties)
    before = appeal.status
    if step.target is not None:
        appeal.status = step.target
    return appeal, before, parties


def check_step(name: str, *, actor: User | None, appeal: Appeal, token: str | None = None) -> None:
    """Raise InvalidTransition unless `actor` may take the step now (views use it to show buttons)."""
    check(name, appeal.status, parties_of(actor, appeal, token=token))


def appeal_register(*, actor: User, appeal: Appeal, registration_number: str, registered_on: dt.date) -> Appeal:
    registration_number = registration_number.strip()
    if not registration_number:
        raise ValidationError({"registration_number": [_("Write the registration number.")]})
    with transaction.atomic():
        appeal, before, _parties = _step("register", actor, appeal)
        received = local(appeal.received_at).date() if appeal.received_at else registered_on
        if registered_on < received or registered_on > local(now()).date():
            raise ValidationError(
                {"registered_on": [_("The registration date is between the day of receipt and today.")]}
            )
        appeal.registration_number, appeal.registered_on = registration_number, registered_on
        appeal.save()
        events.record_case_event(appeal, EventKind.REGISTERED, actor, before=before, number=registration_number)
        notifications.case_registered(appeal)
    return appeal


def appeal_take(*, actor: User, appeal: Appeal) -> Appeal:
    with transaction.atomic():
        appeal, before, _parties = _step("take", actor, appeal)
        appeal.assignee = appeal.assignee or actor
        appeal.save()
        events.record_case_event(appeal, EventKind.TAKEN, actor, before=before)
    return appeal


def appeal_assign(*, actor: User, appeal: Appeal, assignee: User) -> Appeal:
    with transaction.atomic():
        appeal, _before, _parties = _step("assign", actor, appeal)
        if not AuthorityOfficial.objects.filter(
            authority_id=appeal.authority_id, user=assignee, is_active=True
        ).exists():
            raise ValidationError({"assignee": [_("Choose an official of this authority.")]})
        appeal.assignee = assignee
        appeal.save(update_fields=["assignee", "updated_at"])
        events.record_case_event(appeal, EventKind.ASSIGNED, actor, public=False, assignee=assignee.pk)
    return appeal


def appeal_mark_no_study(*, actor: User, appeal: Appeal) -> Appeal:
    """An appeal that needs no additional study is answered within 15 days."""
    with transaction.atomic():
        appeal, _before, _parties = _step("no_study", actor, appeal)
        if appeal.kind != Kind.APPEAL or appeal.term != Term.APPEAL_STANDARD:
            raise InvalidTransition(_("Only an appeal with the one-month term can be shortened to 15 days."))
        due_at = _set_term(appeal, Term.APPEAL_NO_STUDY)
        if due_at < now():
            raise InvalidTransition(_("15 days since receipt have already passed; the one-month term stays."))
        appeal.save()
        events.record_case_event(appeal, EventKind.NO_STUDY, actor, due_at=due_at.isoformat())
    return appeal


def appeal_extend(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    """Appeal: the head extends it to 45 days in all. Information request: to 20 working days, only
    within the first 5 working days, with the justification sent to the requester."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": [_("Explain why the term is extended; the author will read it.")]})
    with transaction.atomic():
        appeal, before, parties = _step("extend", actor, appeal)
        if appeal.kind == Kind.APPEAL:
            if Party.HEAD not in parties:
                raise InvalidTransition(_("Only the head of the authority can extend the term of an appeal."))
            term = Term.APPEAL_EXTENDED
        else:
            if appeal.term == Term.INFO_URGENT:
                raise InvalidTransition(_("An urgent request cannot be extended: it is answered within 48 hours."))
            window = deadlines.extension_window(_received(appeal), current_calendar())
            if now() > window.due_at:
                raise InvalidTransition(
                    _("The term can only be extended within the first 5 working days (until %(day)s).")
                    % {"day": window.due_on.strftime("%d.%m.%Y")}
                )
            term = Term.INFO_EXTENDED
        due_at = _set_term(appeal, term)
        appeal.extension_reason = reason
        appeal.save()
        events.record_case_event(
            appeal, EventKind.EXTENDED, actor, before=before, note=reason, due_at=due_at.isoformat()
        )
        notifications.case_extended(appeal)
    return appeal


def appeal_forward(*, actor: User, appeal: Appeal, to: Authority, reason: str) -> Appeal:
    """Send the case to the competent body; its term starts when that body receives it (now).
    Returns the new case; the old one stays, "forwarded", with a link to it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the other body is competent; the author will read it.")]})
    if not to.is_active:
        raise ValidationError({"to": [_("This authority does not receive cases through CIPnet.")]})
    with transaction.atomic():
        appeal, before, _parties = _step("forward", actor, appeal)
        if to.pk == appeal.authority_id:
            raise ValidationError({"to": [_("Choose another authority than this one.")]})
        limit = deadlines.due(Term.FORWARD, _received(appeal), current_calendar())
        appeal.save()
        moment = now()
        new = Appeal(
            kind=appeal.kind,
            appeal_type=appeal.appeal_type,
            authority=to,
            status=Status.SUBMITTED,
            user=appeal.user,
            author_name=appeal.author_name,
            author_address=appeal.author_address,
            author_email=appeal.author_email,
            author_phone=appeal.author_phone,
            filed_by=appeal.filed_by,
            centre=appeal.centre,
            consent_at=appeal.consent_at,
            subject=appeal.subject,
            text=appeal.text,
            answer_form=appeal.answer_form,
            urgent=appeal.urgent,
            urgency_reason=appeal.urgency_reason,
            publish_consent=appeal.publish_consent,
            submitted_at=appeal.submitted_at,
            email_confirmed_at=appeal.email_confirmed_at,
            forwarded_from=appeal,
        )
        _receive(new, moment)
        late = moment > limit.due_at
        events.record_case_event(
            appeal, EventKind.FORWARDED, actor, before=before, note=reason, to=to.pk, case=new.number, late=late
        )
        events.record_case_event(
            new,
            EventKind.RECEIVED_BY_FORWARDING,
            actor,
            note=reason,
            case=appeal.number,
            due_at=new.due_at.isoformat() if new.due_at else None,
        )
        notifications.case_forwarded(appeal, new)
    return new


def appeal_ask(*, actor: User, appeal: Appeal, question: str) -> Appeal:
    question = question.strip()
    if len(question) < 10:
        raise ValidationError({"question": [_("Write what the author should clarify.")]})
    with transaction.atomic():
        appeal, before, _parties = _step("ask", actor, appeal)
        appeal.save()
        events.record_case_event(appeal, EventKind.CLARIFICATION_ASKED, actor, before=before, note=question)
        notifications.case_question(appeal, question)
    return appeal


def appeal_clarify(*, actor: User | None, appeal: Appeal, text: str, token: str | None = None) -> Appeal:
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write the clarification.")]})
    with transaction.atomic():
        appeal, before, _parties = _step("clarify", actor, appeal, token)
        appeal.save()
        events.record_case_event(appeal, EventKind.CLARIFICATION_GIVEN, actor, before=before, note=text)
        notifications.case_clarified(appeal, text)
    return appeal


def appeal_answer(
    *,
    actor: User,
    appeal: Appeal,
    outcome: str,
    text: str,
    uploads: Sequence[Upload] = (),
    recorded: bool = False,
    channel: str = "",
) -> Appeal:
    """The authority's answer with its files (the authority's documents). `recorded`: an answer that
    came by post or e-mail outside CIPnet, entered by staff with the scanned letter, which is then
    required. Every field error (outcome, text, attachments) is raised at once and nothing is saved."""
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    if len(text.strip()) < 10:
        errors["text"] = [
            _("Write the answer; a refusal must give its reason.")
            if outcome == Outcome.REFUSED
            else _("Write the answer.")
        ]
    errors.update(attachments.check(list(uploads), already=appeal.attachments.count()))
    if recorded and not uploads:
        errors.setdefault("attachments", []).insert(0, _("Attach the scanned answer."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        appeal, before, _parties = _step("record_answer" if recorded else "answer", actor, appeal)
        appeal.outcome = outcome
        appeal.answer_text = text.strip()
        appeal.answered_at = now()
        appeal.save()
        event = events.record_case_event(
            appeal,
            EventKind.ANSWER_RECORDED if recorded else EventKind.ANSWERED,
            actor,
            before=before,
            note=appeal.answer_text,
            outcome=outcome,
            channel=channel or None,
            in_time=appeal.due_at is None or appeal.answered_at <= appeal.due_at,
        )
        attachments.store(
            appeal=appeal,
            uploads=list(uploads),
            source=AttachmentSource.SCAN if recorded else AttachmentSource.AUTHORITY,
            user=actor,
            event=event,
        )
        notifications.case_answered(appeal)
    return appeal


def appeal_close(*, actor: User | None, appeal: Appeal, token: str | None = None) -> Appeal:
    with transaction.atomic():
        appeal, before, _parties = _step("close", actor, appeal, token)
        appeal.closed_at = now()
        if appeal.publish_consent and appeal.publication == Publication.PRIVATE:
            propose_publication(appeal)
        appeal.save()
        events.record_case_event(appeal, EventKind.CLOSED, actor, before=before)
    return appeal


def appeal_withdraw(*, actor: User | None, appeal: Appeal, token: str | None = None) -> Appeal:
    with transaction.atomic():
        appeal, before, _parties = _step("withdraw", actor, appeal, token)
        appeal.closed_at = now()
        appeal.save()
        events.record_case_event(appeal, EventKind.WITHDRAWN, actor, before=before)
    return appeal
