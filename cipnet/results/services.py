"""Every write to programmes, their logframe, targets and values entered by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core.clock import KYIV, now
from cipnet.core.errors import Forbidden
from cipnet.directory.models import Centre
from cipnet.results import iati, narrative, reports
from cipnet.results.models import REPORT_LANGUAGES, DonorReport, Indicator, ManualValue, Programme, Result, Target
from cipnet.results.sources import REGISTRY, Scope


def _require_network(actor: User | None) -> None:
    """Programmes and their logframes are the network's (its coordinators and administrators)."""
    if actor is not None and not scope_for(actor).network:
        raise Forbidden("only the network's coordinators change programmes")


def _require_scope(actor: User | None, scope: Scope) -> None:
    if actor is None:
        return
    seen = scope_for(actor)
    if seen.network:
        return
    if scope.region_id is not None and scope.region_id in seen.region_ids:
        return
    if scope.centre_id is not None and (
        scope.centre_id in seen.centre_ids
        or Centre.objects.filter(pk=scope.centre_id, region_id__in=seen.region_ids).exists()
    ):
        return
    raise Forbidden("outside your centres and regions")


@transaction.atomic
def programme_create(*, actor: User | None, centres: list[Centre] | None = None, **fields: Any) -> Programme:
    _require_network(actor)
    programme = Programme(**fields)
    programme.full_clean()
    programme.save()
    if centres:
        programme.centres.set(centres)
    return programme


def result_add(*, actor: User | None, programme: Programme, parent: Result | None = None, **fields: Any) -> Result:
    _require_network(actor)
    result = Result(programme=programme, parent=parent, **fields)
    result.full_clean()
    result.save()
    return result


def indicator_add(*, actor: User | None, result: Result, **fields: Any) -> Indicator:
    _require_network(actor)
    indicator = Indicator(result=result, **fields)
    indicator.full_clean()
    if indicator.source and indicator.source not in REGISTRY:
        raise ValidationError({"source": _("Choose a source from the list.")})
    indicator.save()
    return indicator


def target_set(
    *,
    actor: User | None,
    indicator: Indicator,
    scope: Scope,
    starts_on: dt.date,
    ends_on: dt.date,
    value: Decimal | int,
) -> Target:
    """Create or change the target of an indicator for a scope and period."""
    _require_scope(actor, scope)
    where: dict[str, Any] = {"region_id": scope.region_id, "centre_id": scope.centre_id}
    target, _created = Target.objects.get_or_create(
        indicator=indicator,
        **where,
        starts_on=starts_on,
        ends_on=ends_on,
        defaults={"value": Decimal(value)},
    )
    if target.value != Decimal(value):
        target.value = Decimal(value)
        target.full_clean()
        target.save(update_fields=["value", "updated_at"])
    return target


def manual_value_record(
    *,
    actor: User | None,
    indicator: Indicator,
    scope: Scope,
    starts_on: dt.date,
    ends_on: dt.date,
    value: Decimal | int | None = None,
    text: str = "",
    evidence_note: str = "",
) -> ManualValue:
    """A value CIPnet cannot observe, with where its evidence is; refused for computed indicators."""
    _require_scope(actor, scope)
    if indicator.source:
        raise ValidationError(_("This indicator is computed from CIPnet's own records; its values are not typed in."))
    row = ManualValue(
        indicator=indicator,
        region_id=scope.region_id,
        centre_id=scope.centre_id,
        starts_on=starts_on,
        ends_on=ends_on,
        value=None if value is None else Decimal(value),
        text=text,
        evidence_note=evidence_note,
        entered_by=actor,
    )
    row.full_clean()
    row.save()
    return row


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest() if content else ""


def donor_report_generate(
    *,
    actor: User | None,
    programme: Programme,
    start: dt.date | None = None,
    end: dt.date | None = None,
    language: str = "uk",
) -> DonorReport:
    """Freeze the programme's figures for the days asked (default: the whole programme) with the files
    made from them alone: the indicator tracking table (XLSX), the IATI activity file when the programme
    is registered, and the narrative PDF in `language` when this server can make PDFs; each with its
    SHA-256. Later changes to the rows behind the figures change a new report, never this one.

    Not one transaction: the report is a single row written last, and drawing its files takes seconds
    that an IMMEDIATE transaction on SQLite would hold every other writer waiting for."""
    _require_network(actor)
    start, end = start or programme.starts_on, end or programme.ends_on
    if start > end:
        raise ValidationError(_("The first day is after the last day."))
    if start < programme.starts_on or end > programme.ends_on:
        raise ValidationError(_("Choose days within the programme."))
    if language not in dict(REPORT_LANGUAGES):
        raise ValidationError({"language": _("Choose Ukrainian, English or Polish.")})
    moment = now()
    figures = reports.report_figures(programme, start=start, end=end, today=moment.astimezone(KYIV).date())
    content = reports.tracking_table_xlsx(figures, generated_at=moment)
    try:
        activity = iati.activity_xml(figures, generated_at=moment)
    except iati.NotReady:
        activity = b""  # the programme is not registered with IATI: the table alone
    checksums = {"xlsx": _sha256(content), "iati": _sha256(activity)}
    try:
        pdf = narrative.narrative_pdf(
            figures,
            language=language,
            generated_at=moment,
            generated_by=actor.display_name if actor is not None else "",
            checksums=checksums,
        )
    except narrative.Unavailable:
        pdf = b""  # this server cannot make PDFs (see docs/deployment.md): the table and IATI file alone
    return DonorReport.objects.create(
        programme=programme,
        starts_on=start,
        ends_on=end,
        generated_by=actor,
        figures=figures,
        content=content,
        sha256=_sha256(content),
        iati_xml=activity,
        iati_sha256=_sha256(activity),
        language=language,
        pdf=pdf,
        pdf_sha256=_sha256(pdf),
    )
