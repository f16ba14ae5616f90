"""A donor report's frozen figures as an IATI 2.03 activity file (issue 16).

The elements follow the schema's order (`iati-activity` is a sequence): identifier, reporting
organisation, title, description, participating organisations, status, dates, recipient country,
budget, then the results. A result without an indicator is left out (IATI needs at least one); a
qualitative indicator (measure 5) has its text in a comment and no value; a ratio, latest or average
indicator is marked as not to be summed (`aggregation-status="0"`). Validated against the official
schema in the tests (`cipnet/results/data/iati/`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

from cipnet.results.models import Aggregation, Level, Measure

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Our result levels → IATI ResultType (1 output, 2 outcome, 3 impact, 9 other).
RESULT_TYPE = {Level.GOAL: "3", Level.OUTCOME: "2", Level.OUTPUT: "1", Level.ACTIVITY: "9"}
#: Our measures → IATI IndicatorMeasure (1 unit, 2 percentage, 5 qualitative).
MEASURE = {Measure.NUMBER: "1", Measure.PERCENTAGE: "2", Measure.QUALITATIVE: "5"}
SUMMABLE = {Aggregation.SUM, Aggregation.CUMULATIVE}


class NotReady(ValueError):
    """The programme lacks what IATI requires (its identifier, its reporting organisation)."""


def _narratives(parent: ET.Element, titles: dict[str, str], default: str = "uk") -> None:
    for lang, text in titles.items():
        narrative = ET.SubElement(parent, "narrative")
        if lang != default:
            narrative.set(XML_LANG, lang)
        narrative.text = text


def _titled(parent: ET.Element, tag: str, titles: dict[str, str], **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    _narratives(element, titles)
    return element


def activity_xml(figures: dict[str, Any], *, generated_at: dt.datetime) -> bytes:
    """The IATI activities file for one programme's frozen figures."""
    if not figures.get("iati_identifier"):
        raise NotReady("the programme has no IATI identifier")
    if not (figures.get("reporting_org_ref") and figures.get("reporting_org_type") and figures.get("reporting_org")):
        raise NotReady("the programme's reporting organisation is not complete")
    stamp = generated_at.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    root = ET.Element("iati-activities", {"version": "2.03", "generated-datetime": stamp})
    activity = ET.SubElement(
        root,
        "iati-activity",
        {"last-updated-datetime": stamp, XML_LANG: "uk", "default-currency": figures["currency"] or "UAH"},
    )
    ET.SubElement(activity, "iati-identifier").text = figures["iati_identifier"]
    _titled(
        activity,
        "reporting-org",
        {"uk": figures["reporting_org"]},
        ref=figures["reporting_org_ref"],
        type=figures["reporting_org_type"],
    )
    _titled(activity, "title", figures["titles"])
    described = figures.get("funding_programme") or figures["titles"]["uk"]
    _titled(activity, "description", {"uk": described}, type="1")
    _titled(activity, "participating-org", {"uk": figures["donor"]}, role="1")  # funding
    _titled(
        activity,
        "participating-org",
        {"uk": figures["reporting_org"]},
        role="4",  # implementing
        ref=figures["reporting_org_ref"],
        type=figures["reporting_org_type"],
    )
    start, end = figures["programme_start"], figures["programme_end"]
    finished = dt.date.fromisoformat(end) < generated_at.date()
    ET.SubElement(activity, "activity-status", {"code": "4" if finished else "2"})  # closed / implementation
    ET.SubElement(activity, "activity-date", {"iso-date": start, "type": "2"})  # actual start
    ET.SubElement(activity, "activity-date", {"iso-date": end, "type": "4" if finished else "3"})
    ET.SubElement(activity, "recipient-country", {"code": "UA", "percentage": "100"})
    if figures.get("budget"):
        budget = ET.SubElement(activity, "budget", {"type": "1", "status": "2"})  # original, committed
        ET.SubElement(budget, "period-start", {"iso-date": start})
        ET.SubElement(budget, "period-end", {"iso-date": end})
        value = ET.SubElement(budget, "value", {"currency": figures["currency"], "value-date": start})
        value.text = figures["budget"]
    by_result: dict[str, list[dict[str, Any]]] = {}
    for row in figures["indicators"]:
        by_result.setdefault(row["result"], []).append(row)
    for rows in by_result.values():
        first = rows[0]
        summable = all(r["aggregation"] in SUMMABLE for r in rows)
        result = ET.SubElement(
            activity,
            "result",
            {"type": RESULT_TYPE.get(first["result_level"], "9"), "aggregation-status": "1" if summable else "0"},
        )
        _titled(result, "title", {k: f"{first['result']} {v}" for k, v in first["result_titles"].items()})
        for row in rows:
            _indicator(result, row, figures["periods"], start)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _indicator(result: ET.Element, row: dict[str, Any], periods: list[list[str]], start: str) -> None:
    qualitative = row["measure"] == Measure.QUALITATIVE
    attrs = {"measure": MEASURE[row["measure"]], "aggregation-status": "1" if row["aggregation"] in SUMMABLE else "0"}
    if not qualitative:
        attrs["ascending"] = "1" if row["ascending"] else "0"
    indicator = ET.SubElement(result, "indicator", attrs)
    _titled(indicator, "title", {k: f"{row['code']} {v}" for k, v in row["titles"].items()})
    if row["baseline"] is not None and not qualitative:
        ET.SubElement(indicator, "baseline", {"year": start[:4], "iso-date": start, "value": row["baseline"]})
    for (a, b), cell in zip(periods, row["periods"], strict=True):
        if cell["target"] is None and cell["actual"] in (None, ""):
            continue
        period = ET.SubElement(indicator, "period")
        ET.SubElement(period, "period-start", {"iso-date": a})
        ET.SubElement(period, "period-end", {"iso-date": b})
        if cell["target"] is not None and not qualitative:
            ET.SubElement(period, "target", {"value": cell["target"]})
        if cell["actual"] not in (None, ""):
            if qualitative:
                actual = ET.SubElement(period, "actual")
                _titled(actual, "comment", {"uk": cell["actual"]})
            else:
                ET.SubElement(period, "actual", {"value": cell["actual"]})
