"""Every write of monthly reporting: a centre submits a month, its region approves it, the network
approves it (or either returns it, saying why); a change to a locked month's rows is refused, or recorded
as a correction with its reason by the centre's manager (ADR 12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core.clock import local, now
from cipnet.core.errors import Forbidden, InvalidTransition, NotFoundOrNotAllowed
from cipnet.directory.models import Centre
from cipnet.reporting.models import (
    Correction,
    MonthAction,
    MonthEvent,
    MonthReport,
    MonthStatus,
    month_of,
)
from cipnet.reporting.selectors import locked_month

REASON_MAX = 1000


def month_label(month: dt.date) -> str:
    return date_format(month, "F Y")


# --- Who may do what ------------------------------------------------------------------------------


def _sees(user: User, centre: Centre) -> bool:
    seen = scope_for(user)
    return seen.network or centre.pk in seen.centre_ids or centre.region_id in seen.region_ids


def can_submit(user: User, centre: Centre) -> bool:
    """The centre's manager; the region's coordinators and the network for a centre without one."""
    seen = scope_for(user)
    return seen.network or centre.pk in seen.managed_centre_ids or centre.region_id in seen.region_ids


def can_approve_region(user: User, centre: Centre) -> bool:
    seen = scope_for(user)
    return seen.network or centre.region_id in seen.region_ids


def can_approve_network(user: User) -> bool:
    return scope_for(user).network


def can_return(user: User, report: MonthReport) -> bool:
    if report.status == MonthStatus.SUBMITTED:
        return can_approve_region(user, report.centre)
    if report.status == MonthStatus.REGION_APPROVED:
        return can_approve_network(user)
    return False


def can_correct(user: User, centre: Centre) -> bool:
    """Only the centre's manager changes a row of a locked month, and says why."""
    return centre.pk in scope_for(user).managed_centre_ids


# --- The month's workflow --------------------------------------------------------------------------


def _row_for_update(centre: Centre, month: dt.date) -> MonthReport:
    try:
        with transaction.atomic():
            MonthReport.objects.get_or_create(centre=centre, month=month)
    except IntegrityError:  # created by a concurrent request: it is there now
        pass
    return MonthReport.objects.select_for_update().select_related("centre").get(centre=centre, month=month)


def _event(report: MonthReport, action: str, actor: User, at: dt.datetime, reason: str = "") -> None:
    MonthEvent.objects.create(month_report=report, action=action, actor=actor, reason=reason, at=at)


def month_submit(*, actor: User, centre: Centre, month: dt.date) -> MonthReport:
    """The centre's month is complete: lock it and send it to the region."""
    if not _sees(actor, centre):
        raise NotFoundOrNotAllowed
    if not can_submit(actor, centre):
        raise Forbidden(_("Only the centre's manager or its region's coordinator can submit the centre's month."))
    if month.day != 1:
        raise ValidationError({"month": _("Choose a month.")})
    moment = now()
    if month >= month_of(local(moment).date()):
        raise InvalidTransition(
            _("%(month)s is not over yet: it can be submitted from its last day on.") % {"month": month_label(month)},
            code="month_not_over",
        )
    with transaction.atomic():
        report = _row_for_update(centre, month)
        if report.status != MonthStatus.OPEN:
            raise InvalidTransition(
                _("%(month)s of this centre is already submitted.") % {"month": month_label(month)},
                code="already_submitted",
            )
        report.status = MonthStatus.SUBMITTED
        report.submitted_at, report.submitted_by = moment, actor
        report.first_submitted_at = report.first_submitted_at or moment
        report.full_clean()
        report.save(update_fields=["status", "submitted_at", "submitted_by", "first_submitted_at", "updated_at"])
        _event(report, MonthAction.SUBMITTED, actor, moment)
    return report


def _locked_report(actor: User, centre: Centre, month: dt.date) -> MonthReport:
    if not _sees(actor, centre):
        raise NotFoundOrNotAllowed
    report = MonthReport.objects.select_for_update().select_related("centre").filter(centre=centre, month=month).first()
    if report is None or report.status == MonthStatus.OPEN:
        raise InvalidTransition(
            _("%(month)s of this centre has not been submitted.") % {"month": month_label(month)},
            code="not_submitted",
        )
    return report


def month_approve(*, actor: User, centre: Centre, month: dt.date) -> MonthReport:
    """The next approval the month needs: the region's after submission, the network's after the region's."""
    with transaction.atomic():
        report = _locked_report(actor, centre, month)
        moment = now()
        if report.status == MonthStatus.SUBMITTED:
            if not can_approve_region(actor, centre):
                raise Forbidden(_("The region's coordinator approves a submitted month first."))
            report.status = MonthStatus.REGION_APPROVED
            report.region_approved_at, report.region_approved_by = moment, actor
            fields = ["status", "region_approved_at", "region_approved_by", "updated_at"]
            action = MonthAction.REGION_APPROVED
        elif report.status == MonthStatus.REGION_APPROVED:
            if not can_approve_network(actor):
                raise Forbidden(_("The network's administrators give the final approval."))
            report.status = MonthStatus.APPROVED
            report.approved_at, report.approved_by = moment, actor
            fields = ["status", "approved_at", "approved_by", "updated_at"]
            action = MonthAction.APPROVED
        else:
            raise InvalidTransition(
                _("%(month)s of this centre is already approved by the network.") % {"month": month_label(month)},
                code="already_approved",
            )
        report.save(update_fields=fields)
        _event(report, action, actor, moment)
    return report


def months_approve(*, actor: User, centres: Iterable[Centre], month: dt.date, status: str) -> list[MonthReport]:
    """Approve at once every month of these centres that is in `status` and that the actor may approve;
    the others are left as they are (returned: only those approved)."""
    done = []
    for centre in centres:
        report = MonthReport.objects.filter(centre=centre, month=month, status=status).first()
        if report is None:
            continue
        if status == MonthStatus.SUBMITTED and not can_approve_region(actor, centre):
            continue
        if status == MonthStatus.REGION_APPROVED and not can_approve_network(actor):
            continue
        try:
            done.append(month_approve(actor=actor, centre=centre, month=month))
        except InvalidTransition:  # moved by someone else meanwhile
            continue
    return done


def month_return(*, actor: User, centre: Centre, month: dt.date, reason: str) -> MonthReport:
    """Send a submitted (or region-approved) month back to the centre, open again, saying what to fix."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the centre should check or change.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": REASON_MAX}})
    with transaction.atomic():
        report = _locked_report(actor, centre, month)
        if report.status == MonthStatus.APPROVED:
            raise InvalidTransition(
                _("A month approved by the network is final: its entries change only by a correction."),
                code="final",
            )
        if not can_return(actor, report):
            raise Forbidden(_("Only the one who approves this step can return the month."))
        report.status = MonthStatus.OPEN
        report.region_approved_at = None
        report.region_approved_by = None
        report.save(update_fields=["status", "region_approved_at", "region_approved_by", "updated_at"])
        _event(report, MonthAction.RETURNED, actor, now(), reason)
    return report


# --- The lock, asked by the modules before a write ------------------------------------------------


def ensure_open(*, centre: Centre, day: dt.date, field: str = "occurred_at") -> None:
    """Refuse a new row dated in a locked month of the centre."""
    report = locked_month(centre_id=centre.pk, day=day)
    if report is not None:
        raise ValidationError(
            {
                field: _(
                    "%(month)s is already submitted by this centre, so nothing can be added to it. "
                    "Choose another date, or ask the region's coordinator to return the month."
                )
                % {"month": month_label(report.month)}
            }
        )


def change_guard(
    *,
    actor: User,
    centre: Centre,
    days: Iterable[dt.date],
    reason: str,
    record_kind: str,
    record_id: int,
    action: str,
    changes: dict[str, Any],
) -> list[Correction]:
    """Call inside the transaction of a change to a row dated on `days` (its old and new dates). Open
    months: nothing happens. A locked month: refused without a reason (so the form asks for one), and
    refused to anyone but the centre's manager; otherwise recorded as a correction of each locked month."""
    locked = {}
    for day in days:
        report = locked_month(centre_id=centre.pk, day=day)
        if report is not None:
            locked[report.month] = report
    if not locked:
        return []
    names = ", ".join(month_label(m) for m in sorted(locked))
    if not can_correct(actor, centre):
        raise Forbidden(
            _("%(month)s is submitted for approval: only the centre's manager can correct its entries.")
            % {"month": names}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {
                "correction_reason": _(
                    "%(month)s is submitted for approval. To change this entry, say why: the correction "
                    "and its reason are shown in the reports."
                )
                % {"month": names}
            }
        )
    if len(reason) > REASON_MAX:
        raise ValidationError({"correction_reason": _("At most %(n)d characters.") % {"n": REASON_MAX}})
    moment = now()
    return [
        Correction.objects.create(
            centre=centre,
            month=month,
            record_kind=record_kind,
            record_id=record_id,
            action=action,
            reason=reason,
            status=report.status,
            changes=changes,
            actor=actor,
            at=moment,
        )
        for month, report in sorted(locked.items())
    ]
