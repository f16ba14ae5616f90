"""Every write to the consultation log: record, record many, change, delete.

Each write keeps the daily/monthly tallies and the audit trail in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.consultations import events, rollups
from cipnet.consultations.models import (
    NOTE_MAX_LENGTH,
    ChangeAction,
    Channel,
    Consultation,
    ConsultationService,
    ConsultationTarget,
    Outcome,
    SocialCategory,
    Source,
    categories_to_mask,
)
from cipnet.core.clock import local, now
from cipnet.core.errors import Forbidden, NotFoundOrNotAllowed
from cipnet.core.pii import LABELS as PII_LABELS
from cipnet.core.pii import PiiKind, find_personal_data
from cipnet.directory.models import Centre
from cipnet.eservices.models import ServiceCard
from cipnet.reporting import services as reporting

EDIT_WINDOW = dt.timedelta(hours=24)
MAX_SERVICES = 3
MAX_AGE = dt.timedelta(days=366)
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
FREE_TEXT_MAX = 200


@dataclass
class ServiceRef:
    """A service used: a catalogue card, or free text when no card fits."""

    card: ServiceCard | None = None
    text: str = ""


@dataclass
class ConsultationInput:
    occurred_at: dt.datetime
    help_kind: str
    outcome: str
    services: list[ServiceRef] = field(default_factory=list)
    obstacle: str = ""
    referred_to: str = ""
    channel: str = Channel.WALK_IN
    duration_minutes: int | None = None
    gender: str = "not_stated"
    age_band: str = "not_stated"
    categories: list[str] = field(default_factory=list)
    settlement_type: str = "not_stated"
    first_visit: bool | None = None
    satisfaction: int | None = None
    note: str = ""
    #: Who helped; defaults to the author.
    consultant: User | None = None


def pii_message(kind: PiiKind) -> str:
    what = PII_LABELS[kind]
    return _(
        "This looks like %(what)s. The log keeps no personal data: remove names, phone numbers, "
        "e-mails, tax and passport numbers."
    ) % {"what": what}


def _check_text(errors: dict[str, list[str]], field_name: str, text: str) -> None:
    findings = find_personal_data(text)
    if findings:
        errors.setdefault(field_name, []).append(pii_message(findings[0].kind))


def validate(
    data: ConsultationInput, *, centre: Centre, at: dt.datetime | None = None, check_time: bool = True
) -> None:
    """The log's rules beyond field types. Raises ValidationError naming the fields.

    `check_time=False` when an edit keeps the entry's time (an old entry's note can still be fixed)."""
    moment = at or now()
    errors: dict[str, list[str]] = {}
    if not check_time:
        pass
    elif data.occurred_at > moment + FUTURE_TOLERANCE:
        errors.setdefault("occurred_at", []).append(_("This time is in the future."))
    elif data.occurred_at < moment - MAX_AGE:
        errors.setdefault("occurred_at", []).append(_("Entries older than a year cannot be added."))
    services = [s for s in data.services if s.card is not None or s.text.strip()]
    if data.help_kind == "eservice" and not services:
        errors.setdefault("services", []).append(
            _("Name the e-service you helped with: choose it from the list, or type it if it is not there.")
        )
    if len(services) > MAX_SERVICES:
        errors.setdefault("services", []).append(_("At most %(n)d services per visitor.") % {"n": MAX_SERVICES})
    free = [s.text.strip() for s in services if s.card is None]
    if len(free) > 1:
        errors.setdefault("services", []).append(
            _("Only one service that is not in the catalogue per visitor; choose the others from the list.")
        )
    for text in free:
        if len(text) > FREE_TEXT_MAX:
            errors.setdefault("services", []).append(
                _("A service name can be at most %(n)d characters.") % {"n": FREE_TEXT_MAX}
            )
        _check_text(errors, "services", text)
    if data.outcome == Outcome.REFERRED and not data.referred_to.strip():
        errors.setdefault("referred_to", []).append(_("Say where the visitor was referred."))
    if data.outcome == Outcome.NOT_POSSIBLE and not data.obstacle:
        errors.setdefault("obstacle", []).append(_("Say why it was not possible."))
    _check_text(errors, "referred_to", data.referred_to)
    _check_text(errors, "note", data.note)
    if len(data.note) > NOTE_MAX_LENGTH:
        errors.setdefault("note", []).append(_("The note can be at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH})
    unknown = set(data.categories) - set(SocialCategory.values)
    if unknown:
        errors.setdefault("categories", []).append(_("Unknown social category."))
    if data.consultant is not None and not _works_in(data.consultant, centre):
        errors.setdefault("consultant", []).append(_("This person does not work in the centre."))
    if errors:
        raise ValidationError(errors)


def _works_in(user: User, centre: Centre) -> bool:
    return centre.pk in scope_for(user).centre_ids


def can_record_in(user: User, centre: Centre) -> bool:
    """Consultants, trainers and managers log for the centres they work in."""
    return _works_in(user, centre)


def can_change(user: User, consultation: Consultation, *, at: dt.datetime | None = None) -> bool:
    """The author for 24 hours after entering it; the centre's manager at any time."""
    scope = scope_for(user)
    if consultation.centre_id in scope.managed_centre_ids:
        return True
    moment = at or now()
    return (
        consultation.author_id == user.pk
        and consultation.centre_id in scope.centre_ids
        and moment - consultation.created_at < EDIT_WINDOW
    )


def ensure_can_change(user: User, consultation: Consultation) -> None:
    """Refuse (403) a change or deletion that `can_change` does not allow."""
    if not can_change(user, consultation):
        raise Forbidden(
            _("Only its author can change an entry, within 24 hours; the centre's manager can at any time.")
        )


def _apply_input(c: Consultation, data: ConsultationInput) -> None:
    c.occurred_at = data.occurred_at
    c.day = local(data.occurred_at).date()
    c.help_kind = data.help_kind
    c.outcome = data.outcome
    c.referred_to = data.referred_to.strip() if data.outcome == Outcome.REFERRED else ""
    c.obstacle = data.obstacle if data.outcome == Outcome.NOT_POSSIBLE else ""
    c.channel = data.channel
    c.duration_minutes = data.duration_minutes
    c.gender = data.gender
    c.age_band = data.age_band
    c.categories = categories_to_mask(data.categories)
    c.settlement_type = data.settlement_type
    c.first_visit = data.first_visit
    c.satisfaction = data.satisfaction
    c.note = data.note.strip()


def _service_rows(c: Consultation, data: ConsultationInput) -> list[ConsultationService]:
    rows: list[ConsultationService] = []
    seen: set[int | str] = set()
    for ref in data.services:
        if ref.card is not None:
            if ref.card.pk in seen:
                continue
            seen.add(ref.card.pk)
            rows.append(ConsultationService(consultation=c, card=ref.card, position=len(rows)))
        elif ref.text.strip():
            rows.append(ConsultationService(consultation=c, free_text=ref.text.strip(), position=len(rows)))
    return rows


def snapshot(c: Consultation, services: list[ConsultationService]) -> dict[str, Any]:
    """The entry as plain JSON for the audit trail."""
    return {
        "occurred_at": c.occurred_at.isoformat(),
        "consultant": c.consultant_id,
        "help_kind": c.help_kind,
        "outcome": c.outcome,
        "referred_to": c.referred_to,
        "obstacle": c.obstacle,
        "channel": c.channel,
        "duration_minutes": c.duration_minutes,
        "gender": c.gender,
        "age_band": c.age_band,
        "categories": c.category_values,
        "settlement_type": c.settlement_type,
        "first_visit": c.first_visit,
        "satisfaction": c.satisfaction,
        "note": c.note,
        "services": [s.card.identifier if s.card else f"text:{s.free_text}" for s in services],
    }


def _build(
    *, author: User, centre: Centre, data: ConsultationInput, key: uuid.UUID | None, source: str
) -> Consultation:
    c = Consultation(
        centre=centre,
        author=author,
        consultant=data.consultant or author,
        idempotency_key=key,
        source=source,
    )
    _apply_input(c, data)
    c.full_clean(exclude=["day", "idempotency_key", "author"], validate_constraints=False)
    return c


@dataclass
class RecordResult:
    consultation: Consultation
    #: False when the idempotency key matched an entry saved before (a retry).
    created: bool


def consultation_record(
    *,
    author: User,
    centre: Centre,
    data: ConsultationInput,
    idempotency_key: uuid.UUID | None = None,
    source: str = Source.QUICK,
) -> RecordResult:
    """Log one visitor helped once. A retry with the same key returns the first entry."""
    if not can_record_in(author, centre):
        raise NotFoundOrNotAllowed  # a centre the user does not work in is not theirs to log for
    if idempotency_key is not None:
        existing = Consultation.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing is not None:
            return RecordResult(existing, False)
    validate(data, centre=centre)
    reporting.ensure_open(centre=centre, day=local(data.occurred_at).date())
    c = _build(author=author, centre=centre, data=data, key=idempotency_key, source=source)
    try:
        with transaction.atomic():
            c.save()
            services = _service_rows(c, data)
            ConsultationService.objects.bulk_create(services)
            rollups.apply([(rollups.Facts.of(c, services), 1)])
            events.record_consultation_event(
                c, actor=author, action=ChangeAction.CREATED, changes=snapshot(c, services)
            )
    except IntegrityError:
        # Two submissions with one key raced; the other one won.
        if idempotency_key is None:
            raise
        existing = Consultation.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return RecordResult(existing, False)
    return RecordResult(c, True)


@dataclass
class ManyResult:
    saved: list[Consultation]
    #: Row index → errors by field, for rows not saved.
    errors: dict[int, ValidationError]
    #: Rows whose key matched earlier entries (a re-submitted grid): not saved twice.
    already_saved: list[int]


def row_key(key: uuid.UUID, index: int) -> uuid.UUID:
    """A stable key for row `index` of a grid submitted with `key`."""
    return uuid.uuid5(key, str(index))


def consultation_record_many(*, author: User, centre: Centre, **kwargs: Any) -> ManyResult:
    """Log many visitors at once (a day's paper tally). Valid rows are saved, invalid rows
    are returned with their errors; nothing is dropped silently. Re-submitting the same
    grid (same key) saves nothing twice, even when two submissions race."""
    try:
        return _record_many(author=author, centre=centre, **kwargs)
    except IntegrityError:
        # The same grid was saved by a concurrent request: its rows now count as saved before.
        return _record_many(author=author, centre=centre, **kwargs)


def _record_many(
    *,
    author: User,
    centre: Centre,
    rows: dict[int, ConsultationInput],
    idempotency_key: uuid.UUID | None = None,
    source: str = Source.BULK,
) -> ManyResult:
    if not can_record_in(author, centre):
        raise NotFoundOrNotAllowed  # a centre the user does not work in is not theirs to log for
    errors: dict[int, ValidationError] = {}
    built: list[tuple[int, Consultation, ConsultationInput]] = []
    keys = {i: row_key(idempotency_key, i) for i in rows} if idempotency_key else {}
    done = set(
        Consultation.objects.filter(author=author, idempotency_key__in=list(keys.values())).values_list(
            "idempotency_key", flat=True
        )
    )
    already = [i for i, k in keys.items() if k in done]
    moment = now()
    for i, data in rows.items():
        if i in already:
            continue
        try:
            validate(data, centre=centre, at=moment)
            reporting.ensure_open(centre=centre, day=local(data.occurred_at).date())
            c = _build(author=author, centre=centre, data=data, key=keys.get(i), source=source)
        except ValidationError as exc:
            errors[i] = exc
            continue
        built.append((i, c, data))
    saved: list[Consultation] = []
    if built:
        with transaction.atomic():
            created = Consultation.objects.bulk_create([c for _i, c, _d in built])
            all_services: list[ConsultationService] = []
            facts = []
            audit = []
            for (_i, _c, data), obj in zip(built, created, strict=True):
                services = _service_rows(obj, data)
                all_services.extend(services)
                facts.append((rollups.Facts.of(obj, services), 1))
                audit.append(
                    events.change_of(
                        obj, actor=author, action=ChangeAction.CREATED, changes=snapshot(obj, services), at=moment
                    )
                )
            ConsultationService.objects.bulk_create(all_services)
            rollups.apply(facts)
            events.record_consultation_events(audit)
            saved = list(created)
    return ManyResult(saved, errors, already)


def consultation_update(
    *, actor: User, consultation: Consultation, data: ConsultationInput, correction_reason: str = ""
) -> Consultation:
    """Change an entry (the author within 24 hours, the centre's manager at any time). In a month the
    centre has submitted, only its manager can, as a correction with its reason (ADR 12)."""
    ensure_can_change(actor, consultation)
    validate(data, centre=consultation.centre, check_time=data.occurred_at != consultation.occurred_at)
    with transaction.atomic():
        c = Consultation.objects.select_for_update().get(pk=consultation.pk)
        old_services = list(c.services.select_related("card"))
        before = snapshot(c, old_services)
        before_at = c.occurred_at
        old_facts = rollups.Facts.of(c, old_services)
        _apply_input(c, data)
        if data.consultant is not None:
            c.consultant = data.consultant
        c.full_clean(exclude=["day", "idempotency_key", "author"], validate_constraints=False)
        c.save()
        c.services.all().delete()
        services = _service_rows(c, data)
        ConsultationService.objects.bulk_create(services)
        after = snapshot(c, services)
        diff = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
        if diff:
            reporting.change_guard(
                actor=actor,
                centre=c.centre,
                days=[c.day, local(before_at).date()],
                reason=correction_reason,
                record_kind="consultation",
                record_id=c.pk,
                action="changed",
                changes=diff,
            )
            rollups.apply([(old_facts, -1), (rollups.Facts.of(c, services), 1)])
            events.record_consultation_event(c, actor=actor, action=ChangeAction.CHANGED, changes=diff)
    return c


def consultation_delete(*, actor: User, consultation: Consultation, correction_reason: str = "") -> None:
    """Delete an entry (who may change it may delete it; in a submitted month, as a correction)."""
    ensure_can_change(actor, consultation)
    with transaction.atomic():
        c = Consultation.objects.select_for_update().get(pk=consultation.pk)
        services = list(c.services.select_related("card"))
        reporting.change_guard(
            actor=actor,
            centre=c.centre,
            days=[c.day],
            reason=correction_reason,
            record_kind="consultation",
            record_id=c.pk,
            action="deleted",
            changes=snapshot(c, services),
        )
        rollups.apply([(rollups.Facts.of(c, services), -1)])
        events.record_consultation_event(c, actor=actor, action=ChangeAction.DELETED, changes=snapshot(c, services))
        c.delete()


def consultation_target_set(
    *, actor: User, centre: Centre, starts_on: dt.date, period_months: int, consultations: int
) -> ConsultationTarget:
    """Set (or replace) the centre's target from a date. Regional coordinators and network admins."""
    scope = scope_for(actor)
    if not (scope.network or centre.region_id in scope.region_ids):
        raise NotFoundOrNotAllowed  # targets are the region's coordinators' (and the network's)
    target = ConsultationTarget.objects.filter(centre=centre, starts_on=starts_on).first() or ConsultationTarget(
        centre=centre, starts_on=starts_on
    )
    target.period_months = period_months
    target.consultations = consultations
    target.set_by = actor
    target.full_clean(validate_constraints=False)
    target.save()
    return target


# --- Hand-over from the electronic queue --------------------------------------------------

_PREFILL_SALT = "cipnet.consultations.prefill"


def consultation_prefill(
    *,
    centre: Centre,
    started_at: dt.datetime,
    finished_at: dt.datetime | None = None,
    cards: list[ServiceCard] | None = None,
    channel: str = Channel.WALK_IN,
    help_kind: str = "eservice",
) -> str:
    """A signed token that opens the quick-entry form pre-filled for a visit just served
    (e.g. a finished queue ticket): `reverse("consultations:entry") + "?prefill=" + token`."""
    minutes = None
    if finished_at is not None and finished_at > started_at:
        minutes = max(1, round((finished_at - started_at).total_seconds() / 60))
    payload = {
        "centre": centre.pk,
        "occurred_at": started_at.isoformat(),
        "duration_minutes": minutes,
        "cards": [card.identifier for card in cards or []],
        "channel": channel,
        "help_kind": help_kind,
    }
    return signing.dumps(payload, salt=_PREFILL_SALT, compress=True)


def prefill_read(token: str, *, max_age: dt.timedelta = dt.timedelta(days=1)) -> dict[str, Any] | None:
    """The payload of a prefill token, or None if it is forged or older than a day."""
    try:
        data = signing.loads(token, salt=_PREFILL_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None
