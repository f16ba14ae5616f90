"""The consultation log as a file to download: CSV (streamed) and XLSX.

One row per entry, with human-readable labels in the active language. The caller passes
a queryset already scoped to what the user may see (`selectors.consultation_list_visible_to`).

Both formats are safe to open in a spreadsheet: in CSV, a text cell that a spreadsheet would
read as a formula (starting with = + - @, a tab or a carriage return) gets a leading
apostrophe; in XLSX, text is always written as a string cell, never as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cipnet.consultations.models import (
    AgeBand,
    Channel,
    Consultation,
    ConsultationService,
    Dimension,
    Gender,
    HelpKind,
    Obstacle,
    Outcome,
    SettlementType,
    SocialCategory,
)
from cipnet.core.clock import local

#: Rows fetched from the database at a time.
CHUNK_SIZE = 2000
#: Characters a spreadsheet may take as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Joins the services of one entry in a cell.
SERVICE_SEPARATOR = "; "

# Column widths in the XLSX (characters), in column order.
_WIDTHS = (8, 11, 6, 30, 22, 22, 40, 26, 24, 24, 26, 10, 10, 11, 11, 30, 11, 10, 10, 40)


def _verbose(field: str) -> str:
    model_field = Consultation._meta.get_field(field)
    if not isinstance(model_field, models.Field):
        raise TypeError(field)
    return str(capfirst(model_field.verbose_name))


def header() -> list[str]:
    """Column titles in the active language."""
    return [
        _("ID"),
        _("Date"),
        _("Time"),
        _verbose("centre"),
        _("Region"),
        _verbose("consultant"),
        str(Dimension.SERVICE.label),
        _verbose("help_kind"),
        _verbose("outcome"),
        _verbose("referred_to"),
        _verbose("obstacle"),
        _verbose("channel"),
        _verbose("duration_minutes"),
        _verbose("gender"),
        _verbose("age_band"),
        _verbose("categories"),
        _verbose("settlement_type"),
        _verbose("first_visit"),
        _verbose("satisfaction"),
        _verbose("note"),
    ]


def _label(choices: Any, value: str) -> str:
    if not value:
        return ""
    return str(dict(choices.choices).get(value, value))


def _services(c: Consultation) -> str:
    names = []
    for s in c.services.all():
        if s.card is not None:
            names.append(s.card.display_name)
        else:
            names.append(_("%(name)s (not in the catalogue)") % {"name": s.free_text})
    return SERVICE_SEPARATOR.join(names)


def _first_visit(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def row(c: Consultation) -> list[Any]:
    """One entry as cells: int, date, time, str or None (empty)."""
    moment = local(c.occurred_at)
    categories = dict(SocialCategory.choices)
    return [
        c.pk,
        moment.date(),
        moment.time().replace(second=0, microsecond=0),
        c.centre.display_name,
        c.centre.region.display_name,
        c.consultant.display_name if c.consultant is not None else "",
        _services(c),
        _label(HelpKind, c.help_kind),
        _label(Outcome, c.outcome),
        c.referred_to,
        _label(Obstacle, c.obstacle),
        _label(Channel, c.channel),
        c.duration_minutes,
        _label(Gender, c.gender),
        _label(AgeBand, c.age_band),
        SERVICE_SEPARATOR.join(str(categories[v]) for v in c.category_values),
        _label(SettlementType, c.settlement_type),
        _first_visit(c.first_visit),
        c.satisfaction,
        c.note,
    ]


def for_export(qs: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """The queryset with everything a row shows, in a fixed number of queries per chunk."""
    return qs.select_related("centre__region", "consultant").prefetch_related(
        Prefetch("services", queryset=ConsultationService.objects.select_related("card"))
    )


def export_rows(qs: QuerySet[Consultation]) -> Iterator[list[Any]]:
    """The header, then one row per entry (in the queryset's order)."""
    yield header()
    for c in for_export(qs).iterator(chunk_size=CHUNK_SIZE):
        yield row(c)


# --- CSV ----------------------------------------------------------------------------------


def escape_formula(text: str) -> str:
    """Text a spreadsheet would run as a formula, made plain text with a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, str):
        return escape_formula(value)
    return str(value)


class _Line:
    """A file-like object whose write() returns what is written (for csv.writer)."""

    def write(self, text: str) -> str:
        return text


def csv_stream(qs: QuerySet[Consultation]) -> Iterator[str]:
    """CSV lines for a StreamingHttpResponse: a UTF-8 byte-order mark first (so that Excel
    reads Cyrillic correctly), the header, then one line per entry.

    Labels are in the language active when this is called, even though the lines are made
    later, while the response is sent.
    """
    return _csv_lines(qs, translation.get_language())


def _csv_lines(qs: QuerySet[Consultation], language: str | None) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    rows = export_rows(qs)
    first = True
    while True:
        with translation.override(language):
            cells = next(rows, None)
            if cells is None:
                return
            line: str = writer.writerow([_csv_cell(v) for v in cells])
        if first:
            line = "\ufeff" + line
            first = False
        yield line


# --- XLSX ---------------------------------------------------------------------------------

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str) -> str:
    """A valid worksheet name: at most 31 characters, none of []:*?/\\."""
    name = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip().strip("'")[:31].strip()
    return name or "Sheet1"


def xlsx_bytes(qs: QuerySet[Consultation], *, title: str) -> bytes:
    """The entries as an Excel workbook: bold, frozen header row; dates and times as real
    Excel values; text always as text (a cell starting with "=" is not a formula)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_formulas": False})
    workbook.set_properties({"title": title})
    sheet = workbook.add_worksheet(sheet_name(title))
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    time_format = workbook.add_format({"num_format": "hh:mm"})
    for col, width in enumerate(_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    rows = export_rows(qs)
    for col, title_cell in enumerate(next(rows)):
        sheet.write_string(0, col, str(title_cell), bold)
    last = 0
    for r, cells in enumerate(rows, start=1):
        last = r
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, col, value, date_format)
            elif isinstance(value, dt.time):
                sheet.write_datetime(r, col, value, time_format)
            elif isinstance(value, bool | int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    sheet.autofilter(0, 0, last, len(_WIDTHS) - 1)
    workbook.close()
    return output.getvalue()
