"""Donor reports: the indicator tracking table (results × indicators × periods: baseline, target,
actual, share of target) and the figures by centre, frozen when generated (issue 16).

`report_figures` computes what a report holds, as plain JSON (numbers as strings, exact);
`tracking_table_xlsx` writes it as a workbook. Both read only the frozen figures, so a report's file
can always be traced to the figures stored with it.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from cipnet.core.clock import local
from cipnet.core.i18n import localized
from cipnet.directory.models import Centre
from cipnet.reporting import selectors as reporting
from cipnet.reporting.models import month_of, next_month
from cipnet.results.figures import Figure, figure, programme_centre_ids, with_figure_rows
from cipnet.results.models import Direction, Indicator, Measure, Programme, Target
from cipnet.results.sources import Scope


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _cell(fig: Figure) -> dict[str, Any]:
    """A figure as the report keeps it, with its status when made (the traffic light against what
    was expected by the period's end, or by the day of the report when that comes first)."""
    return {
        "target": _text(fig.target),
        "actual": fig.text if fig.indicator.measure == Measure.QUALITATIVE else _text(fig.actual),
        "percent": _text(fig.percent_of_target),
        "expected": _text(fig.expected),
        "status": fig.light,
    }


def _titles(obj: Any) -> dict[str, str]:
    """The title in each language it was written in (Ukrainian always)."""
    return {
        lang: value
        for lang in ("uk", "en", "pl")
        if (value := getattr(obj, "title" if lang == "uk" else f"title_{lang}"))
    }


def report_periods(programme: Programme, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The report's whole span first, then each target period inside it."""
    spans = set(
        Target.objects.filter(indicator__result__programme=programme, starts_on__gte=start, ends_on__lte=end)
        .values_list("starts_on", "ends_on")
        .order_by()
        .distinct()  # a few spans, not every centre's target
    )
    spans.discard((start, end))
    return [(start, end), *sorted(spans)]


def report_figures(
    programme: Programme, *, start: dt.date, end: dt.date, today: dt.date | None = None
) -> dict[str, Any]:
    """Every indicator of the programme for the network in each period, and each computed indicator
    for each of the programme's centres over the whole span. `today`: the day the report is made
    (what is expected of a period not over yet is pro-rated to it; default: none is)."""

    def by(last: dt.date) -> dt.date:
        return last if today is None else min(last, today)

    periods = report_periods(programme, start, end)
    counted = programme_centre_ids(programme)
    indicators = list(
        with_figure_rows(Indicator.objects.filter(result__programme=programme)).order_by(
            "result__position", "result__code", "position", "code"
        )
    )
    rows = []
    for indicator in indicators:
        rows.append(
            {
                "result": indicator.result.code,
                "result_level": indicator.result.level,
                "result_titles": _titles(indicator.result),
                "titles": _titles(indicator),
                "ascending": indicator.direction == Direction.INCREASE,
                "aggregation": indicator.aggregation,
                "result_title": localized(indicator.result, "title"),
                "code": indicator.code,
                "title": localized(indicator, "title"),
                "measure": indicator.measure,
                "measure_label": str(indicator.get_measure_display()),
                "baseline": _text(indicator.baseline),
                "target_lop": _text(indicator.target),
                "computed": bool(indicator.source),
                "periods": [
                    _cell(figure(indicator, scope=Scope(), start=a, end=b, on=by(b), counted=counted))
                    for a, b in periods
                ],
            }
        )

    centres = list(Centre.objects.filter(pk__in=counted).select_related("region").order_by("region__name", "name"))
    by_centre = [
        {
            "centre": str(centre.display_name),
            "region": str(centre.region.display_name),
            "code": indicator.code,
            **_cell(
                figure(indicator, scope=Scope(centre_id=centre.pk), start=start, end=end, on=by(end), counted=counted)
            ),
        }
        for indicator in indicators
        if indicator.source
        for centre in centres
    ]
    return {
        "programme": programme.code,
        "title": localized(programme, "title"),
        "titles": _titles(programme),
        "iati_identifier": programme.iati_identifier,
        "reporting_org": programme.reporting_org,
        "reporting_org_ref": programme.reporting_org_ref,
        "reporting_org_type": programme.reporting_org_type,
        "funding_programme": programme.funding_programme,
        "programme_start": programme.starts_on.isoformat(),
        "programme_end": programme.ends_on.isoformat(),
        "currency": programme.currency,
        "budget": _text(programme.budget),
        "donor": programme.donor,
        "partners": [line.strip() for line in programme.partners.splitlines() if line.strip()],
        "start": start.isoformat(),
        "end": end.isoformat(),
        "periods": [[a.isoformat(), b.isoformat()] for a, b in periods],
        "indicators": rows,
        "by_centre": by_centre,
        **_reporting(programme, start=start, end=end),
    }


def _reporting(programme: Programme, *, start: dt.date, end: dt.date) -> dict[str, Any]:
    """How far the centres' months of the span are submitted and approved, and every correction made to
    a submitted month (ADR 12): a donor sees which figures were changed after submission, and why."""
    counted = programme_centre_ids(programme)
    centres = (
        Centre.objects.filter(pk__in=counted) if counted else Centre.objects.filter(status__in=["active", "suspended"])
    )
    months = []
    month = month_of(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    approval = [
        {
            "month": c.month.isoformat(),
            "centres": c.centres,
            "submitted": c.submitted,
            "on_time": c.on_time,
            "region_approved": c.region_approved,
            "approved": c.approved,
        }
        for c in reporting.completeness(centres=centres, months=months)
    ]
    corrections = [
        {
            "at": local(k.at).isoformat(timespec="minutes"),
            "centre": str(k.centre.display_name),
            "month": k.month.isoformat(),
            "record": f"{k.record_kind} {k.record_id}",
            "action": str(k.get_action_display()),
            "status": str(k.get_status_display()),
            "reason": k.reason,
        }
        for k in reporting.corrections(centres=centres, start=start, end=end)
    ]
    return {"approval": approval, "corrections": corrections}


def _number(value: str | None) -> float | str | None:
    """A figure as a spreadsheet number (exact for what reports hold: counts and two decimals)."""
    if value is None:
        return None
    try:
        return float(Decimal(value))
    except ArithmeticError:
        return value


def tracking_table_xlsx(figures: dict[str, Any], *, generated_at: dt.datetime) -> bytes:
    """The indicator tracking table and the figures by centre as an Excel workbook."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"strings_to_formulas": False, "in_memory": True})
    workbook.set_properties({"title": figures["title"], "created": generated_at.replace(tzinfo=None)})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet(_("Indicators")[:31])
    sheet.write_string(0, 0, figures["title"], bold)
    sheet.write_string(1, 0, f"{figures['donor']} · {figures['start']} – {figures['end']}")
    header = [_("Result"), _("Code"), _("Indicator"), _("Measure"), _("Baseline"), _("Target for the programme")]
    for a, b in figures["periods"]:
        span = f"{a} – {b}"
        header += [f"{_('Target')} {span}", f"{_('Achieved')} {span}", f"{_('Of target')} % {span}"]
    top = 3
    for col, title in enumerate(header):
        sheet.write_string(top, col, title, bold)
    sheet.freeze_panes(top + 1, 3)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 8)
    sheet.set_column(2, 2, 48)
    sheet.set_column(3, len(header), 14)
    for r, row in enumerate(figures["indicators"], start=top + 1):
        cells: list[Any] = [row["result"], row["code"], row["title"], row["measure_label"]]
        cells += [_number(row["baseline"]), _number(row["target_lop"])]
        for period in row["periods"]:
            actual = period["actual"] if row["measure"] == Measure.QUALITATIVE else _number(period["actual"])
            cells += [_number(period["target"]), actual, _number(period["percent"])]
        for col, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value), wrap if col == 2 else None)
    centres = workbook.add_worksheet(_("By centre")[:31])
    centre_header = [_("Centre"), _("Region"), _("Code"), _("Target"), _("Achieved"), f"{_('Of target')} %"]
    for col, title in enumerate(centre_header):
        centres.write_string(0, col, title, bold)
    centres.freeze_panes(1, 0)
    centres.set_column(0, 0, 48)
    centres.set_column(1, 1, 22)
    for r, row in enumerate(figures["by_centre"], start=1):
        centres.write_string(r, 0, row["centre"])
        centres.write_string(r, 1, row["region"])
        centres.write_string(r, 2, row["code"])
        for col, key in ((3, "target"), (4, "actual"), (5, "percent")):
            value = _number(row[key])
            if isinstance(value, float):
                centres.write_number(r, col, value)
            elif value is not None:
                centres.write_string(r, col, value)
    _reporting_sheet(workbook, figures, bold=bold, wrap=wrap)
    workbook.close()
    return output.getvalue()


def _reporting_sheet(workbook: Any, figures: dict[str, Any], *, bold: Any, wrap: Any) -> None:
    """The centres' monthly reports (submitted, on time, approved) and the corrections after submission."""
    if "approval" not in figures:  # a report made before approval existed
        return
    sheet = workbook.add_worksheet(_("Approval")[:31])
    header = [
        _("Month"),
        _("Centres"),
        _("Submitted"),
        _("On time"),
        _("Approved by the region"),
        _("Approved by the network"),
    ]
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, bold)
    sheet.set_column(0, 5, 16)
    keys = ("centres", "submitted", "on_time", "region_approved", "approved")
    for r, row in enumerate(figures["approval"], start=1):
        sheet.write_string(r, 0, row["month"][:7])
        for col, key in enumerate(keys, start=1):
            sheet.write_number(r, col, row[key])
    top = len(figures["approval"]) + 2
    sheet.write_string(top, 0, _("Corrections after submission"), bold)
    titles = [_("When"), _("Centre"), _("Month"), _("Entry"), _("Change"), _("Status"), _("Reason")]
    for col, title in enumerate(titles):
        sheet.write_string(top + 1, col, title, bold)
    for r, row in enumerate(figures["corrections"], start=top + 2):
        values = [
            row["at"],
            row["centre"],
            row["month"][:7],
            row["record"],
            row["action"],
            row["status"],
            row["reason"],
        ]
        for col, value in enumerate(values):
            sheet.write_string(r, col, value, wrap if col == 6 else None)
    if not figures["corrections"]:
        sheet.write_string(top + 2, 0, _("None."))
