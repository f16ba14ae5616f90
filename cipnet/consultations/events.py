"""The consultation log's audit trail: every `ConsultationChange` is written here, by the
services, in the same transaction as the change it records (append-only; it survives deletion)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cipnet.accounts.models import User
from cipnet.consultations.models import ChangeAction, Consultation, ConsultationChange
from cipnet.core.clock import now


def change_of(
    consultation: Consultation, *, actor: User, action: ChangeAction, changes: dict[str, Any], at: dt.datetime
) -> ConsultationChange:
    """An unsaved audit row for `consultation` (for `record_consultation_events`)."""
    return ConsultationChange(
        consultation_id=consultation.pk,
        centre_id=consultation.centre_id,
        actor=actor,
        action=action,
        at=at,
        changes=changes,
    )


def record_consultation_event(
    consultation: Consultation,
    *,
    actor: User,
    action: ChangeAction,
    changes: dict[str, Any],
    at: dt.datetime | None = None,
) -> ConsultationChange:
    """One audit row: who did what to the entry, when, and the fields (a snapshot, or before/after)."""
    change = change_of(consultation, actor=actor, action=action, changes=changes, at=at or now())
    change.save()
    return change


def record_consultation_events(changes: Sequence[ConsultationChange]) -> None:
    """Many audit rows in one query (a day's tally)."""
    ConsultationChange.objects.bulk_create(changes)
