"""A donor report's narrative PDF, made with WeasyPrint from the report's frozen figures only (issue 16).

Contents, in the report's language (uk, en or pl; a title missing in that language is shown in
Ukrainian): a title page (programme, donor, funding programme, period, partners, budget, who made it
and when), a summary of the results (how many indicators of each are on track, behind, far behind or
not reported yet), each result's indicators (baseline, target, achieved, share of target, the status
in words and a bar), the figures by centre, the corrections when the figures hold any, and the
SHA-256 checksums of the report's other files. The footer numbers the pages ("Сторінка 3 з 7").

The figures' optional "corrections" section is a list of objects with "date" (ISO day or moment),
"centre", "month" ("YYYY-MM" or an ISO day) and "reason"; a key missing is shown as a dash.

WeasyPrint is loaded only here and only when a PDF is made: a server without Pango still makes the
table and the IATI file (`Unavailable`). It never fetches a URL: the document is self-contained, its
fonts are the system's (DejaVu Sans covers Ukrainian) and the fetcher refuses all but `data:`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from cipnet.core.clock import KYIV
from cipnet.results.models import Measure

HUNDRED = Decimal(100)
FOOTER_PLACEHOLDER = re.compile(r"%\((pages?)\)s")


class Unavailable(RuntimeError):
    """WeasyPrint cannot be loaded on this server (usually Pango is missing)."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: a system library (Pango, GObject) is missing
        raise Unavailable(str(exc)) from exc
    return weasyprint


def local_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every address except inline `data:` ones."""
    return _weasyprint().urls.URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=1)


# Status words: never a colour alone (the same words as the results pages).
STATUSES = ("on_track", "behind", "far_behind", "not_reported", "no_target")
LIGHT_STATUS = {"green": "on_track", "amber": "behind", "red": "far_behind"}


def status_words() -> dict[str, str]:
    return {
        "on_track": "✓ " + _("On track"),
        "behind": "! " + _("Behind"),
        "far_behind": "✗ " + _("Far behind"),
        "not_reported": _("Not reported yet"),
        "no_target": _("No target to compare with"),
    }


def cell_status(cell: dict[str, Any]) -> str:
    """The frozen status of a figure (its traffic light when it had one)."""
    if status := LIGHT_STATUS.get(cell.get("status") or ""):
        return status
    if cell.get("actual") in (None, ""):
        return "not_reported"
    return "no_target"


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _day(value: Any) -> dt.date | None:
    """An ISO day (or the day of an ISO moment, in Kyiv); None when it is not one."""
    if not value:
        return None
    text = str(value)
    try:
        if len(text) > 10:
            moment = dt.datetime.fromisoformat(text)
            return moment.astimezone(KYIV).date() if moment.tzinfo else moment.date()
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _month(value: Any) -> dt.date | None:
    text = str(value or "")
    return _day(f"{text}-01" if len(text) == 7 else text)


def _title(titles: dict[str, str] | None, fallback: str, language: str) -> str:
    titles = titles or {}
    return titles.get(language) or titles.get("uk") or fallback


@dataclass
class Cell:
    start: dt.date
    end: dt.date
    whole: bool
    target: Decimal | None
    actual: Decimal | None
    text: str
    percent: Decimal | None
    status: str
    word: str

    @property
    def bar(self) -> Decimal:
        """The bar's filled width in per cent of the target (at most 100)."""
        return min(self.percent or Decimal(0), HUNDRED)


@dataclass
class IndicatorPart:
    code: str
    title: str
    measure: str
    percentage: bool
    qualitative: bool
    computed: bool
    baseline: Decimal | None
    target_lop: Decimal | None
    cells: list[Cell]

    @property
    def whole(self) -> Cell:
        return self.cells[0]

    @property
    def periods_with_figures(self) -> int:
        return sum(1 for c in self.cells if c.target is not None or c.actual is not None or c.text)


@dataclass
class ResultPart:
    code: str
    title: str
    indicators: list[IndicatorPart] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.indicators if i.whole.status == status)


def _cell(raw: dict[str, Any], span: list[str], *, whole: bool, qualitative: bool, words: dict[str, str]) -> Cell:
    status = cell_status(raw)
    return Cell(
        start=dt.date.fromisoformat(span[0]),
        end=dt.date.fromisoformat(span[1]),
        whole=whole,
        target=_decimal(raw.get("target")),
        actual=None if qualitative else _decimal(raw.get("actual")),
        text=str(raw.get("actual") or "") if qualitative else "",
        percent=_decimal(raw.get("percent")),
        status=status,
        word=words[status] if not (qualitative and status == "no_target") else _("Described in words"),
    )


def _results(figures: dict[str, Any], language: str, words: dict[str, str]) -> list[ResultPart]:
    results: dict[str, ResultPart] = {}
    for row in figures.get("indicators", []):
        result = results.setdefault(
            row["result"],
            ResultPart(row["result"], _title(row.get("result_titles"), row.get("result_title", ""), language)),
        )
        qualitative = row.get("measure") == Measure.QUALITATIVE
        result.indicators.append(
            IndicatorPart(
                code=row["code"],
                title=_title(row.get("titles"), row.get("title", ""), language),
                measure=row.get("measure", ""),
                percentage=row.get("measure") == Measure.PERCENTAGE,
                qualitative=qualitative,
                computed=bool(row.get("computed")),
                baseline=_decimal(row.get("baseline")),
                target_lop=_decimal(row.get("target_lop")),
                cells=[
                    _cell(cell, span, whole=i == 0, qualitative=qualitative, words=words)
                    for i, (span, cell) in enumerate(zip(figures["periods"], row["periods"], strict=True))
                ],
            )
        )
    return list(results.values())


def _by_centre(figures: dict[str, Any], results: list[ResultPart], words: dict[str, str]) -> list[dict[str, Any]]:
    """The computed indicators, each with its centres' figures over the report's whole span."""
    indicators = {i.code: i for r in results for i in r.indicators}
    groups: dict[str, dict[str, Any]] = {}
    for row in figures.get("by_centre", []):
        indicator = indicators.get(row["code"])
        if indicator is None:
            continue
        group = groups.setdefault(row["code"], {"indicator": indicator, "rows": [], "has_target": False})
        status = cell_status(row)
        group["has_target"] = group["has_target"] or row.get("target") is not None
        group["rows"].append(
            {
                "centre": row["centre"],
                "region": row["region"],
                "target": _decimal(row.get("target")),
                "actual": _decimal(row.get("actual")),
                "percent": _decimal(row.get("percent")),
                "status": status,
                "word": words[status],
            }
        )
    return list(groups.values())


def _corrections(figures: dict[str, Any]) -> list[dict[str, Any]]:
    rows = figures.get("corrections") or []
    if not isinstance(rows, list):
        return []
    return [
        {
            "date": _day(row.get("at") or row.get("date")),
            "centre": str(row.get("centre") or ""),
            "month": _month(row.get("month")),
            "action": str(row.get("action") or ""),
            "record": str(row.get("record") or ""),
            "reason": str(row.get("reason") or ""),
        }
        for row in rows
        if isinstance(row, dict)
    ]


def page_footer_css(text: str) -> str:
    """A translated "Page %(page)s of %(pages)s" as a CSS `content` value with the page counters."""
    out, position = [], 0
    for match in FOOTER_PLACEHOLDER.finditer(text):
        if match.start() > position:
            out.append(_css_string(text[position : match.start()]))
        out.append(f"counter({match.group(1)})")
        position = match.end()
    if position < len(text):
        out.append(_css_string(text[position:]))
    return " ".join(out)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _file_names() -> dict[str, str]:
    return {"xlsx": _("Indicator table (Excel, XLSX)"), "iati": _("IATI 2.03 activity file (XML)")}


def context(
    figures: dict[str, Any],
    *,
    language: str,
    generated_at: dt.datetime,
    generated_by: str,
    checksums: dict[str, str],
) -> dict[str, Any]:
    """What the PDF shows, from the frozen figures (call with the report's language active).
    `checksums`: the SHA-256 of the report's other files by kind ("xlsx", "iati"; empty: none)."""
    words = status_words()
    results = _results(figures, language, words)
    totals = [(words[status], sum(r.count(status) for r in results)) for status in STATUSES]
    return {
        "language": language,
        "title": _title(figures.get("titles"), figures.get("title", ""), language),
        "programme": figures.get("programme", ""),
        "programme_css": _css_string(str(figures.get("programme", ""))),
        "donor": figures.get("donor", ""),
        "funding_programme": figures.get("funding_programme", ""),
        "partners": [p for p in figures.get("partners", []) if p],
        "budget": _decimal(figures.get("budget")),
        "currency": figures.get("currency", ""),
        "start": dt.date.fromisoformat(figures["start"]),
        "end": dt.date.fromisoformat(figures["end"]),
        "programme_start": _day(figures.get("programme_start")),
        "programme_end": _day(figures.get("programme_end")),
        "results": results,
        "totals": totals,
        "indicator_count": sum(len(r.indicators) for r in results),
        "statuses": [words[s] for s in STATUSES],
        "by_centre": _by_centre(figures, results, words),
        "corrections": _corrections(figures),
        "approval": [
            {**row, "month": _month(row.get("month"))} for row in figures.get("approval") or [] if isinstance(row, dict)
        ],
        "checksums": [(label, checksums[key]) for key, label in _file_names().items() if checksums.get(key)],
        "generated_at": generated_at.astimezone(KYIV),
        "generated_by": generated_by,
        "footer": page_footer_css(_("Page %(page)s of %(pages)s")),
    }


def narrative_pdf(
    figures: dict[str, Any],
    *,
    language: str,
    generated_at: dt.datetime,
    generated_by: str,
    checksums: dict[str, str],
) -> bytes:
    """The narrative PDF of a donor report's frozen figures. Raises `Unavailable` when WeasyPrint
    cannot be loaded here."""
    weasyprint = _weasyprint()
    with translation.override(language):
        html = render_to_string(
            "results/report_pdf.html",
            context(
                figures, language=language, generated_at=generated_at, generated_by=generated_by, checksums=checksums
            ),
        )
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=local_only_fetcher())
    # Tagged: a screen reader reads the headings and tables in order.
    pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf
