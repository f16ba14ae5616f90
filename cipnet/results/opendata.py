"""A public programme's computed results as open data: one long table, small cells suppressed (issue 16).

**The table.** One row per computed indicator × period (each calendar month of the programme, clipped
to its dates, and the whole programme) × scope (the network; each region, by its KATOTTG code; each
centre, by its public address) × dimension ("total", and each disaggregation of people the
indicator's source gives: age band, gender, settlement type) × category. A count indicator gives
`count`; a ratio gives `numerator`, `denominator` and `ratio` (per cent for a percentage indicator,
else a share). Every number is a `cipnet.results.figures.figure` of that scope and span: nothing is
added up here. Values entered by hand (brochures printed, a programme adopted) are not counts of
people nor monthly; they stay on the results page with their evidence.

**What is declared.** The additive relations a reader could use, all true by the rule set and the
sources' contract (each breakdown adds up to its total): the categories of a dimension add up to
the total; centres add up to their region and regions to the network (for sources that break down
by centre and region); a ratio's numerator and the rest add up to its denominator; and over time:
months add up to the whole programme for counts of what happened in a span (not "cumulative"), a
running or standing count of the whole programme equals its last month's, a timeless one every
month's. `cipnet.results.disclosure` then suppresses every count from 1 to 4 and what would give it
away; a ratio is shown only when both its counts are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cipnet.consultations.models import AgeBand, Gender, SettlementType
from cipnet.directory.models import Centre, Region
from cipnet.results import disclosure
from cipnet.results.disclosure import CellKey, Relation
from cipnet.results.figures import figure, programme_centre_ids, with_figure_rows
from cipnet.results.models import Aggregation, Disaggregation, Indicator, Measure, Programme
from cipnet.results.sources import AT_END, COUNT, REGISTRY, SPAN, TIMELESS, Scope

#: The disaggregations of people a table breaks down by (centres and regions are its scopes).
PEOPLE = (Disaggregation.AGE_BAND, Disaggregation.GENDER, Disaggregation.SETTLEMENT)
TOTAL = "total"
MONTH, PROGRAMME = "month", "programme"
NETWORK, REGION, CENTRE = "network", "region", "centre"

#: The CSV's columns, in order (the Table Schema in `cipnet.results.metadata` describes each).
COLUMNS = [
    "indicator",
    "indicator_title",
    "period_type",
    "period_start",
    "period_end",
    "scope",
    "scope_code",
    "scope_name",
    "dimension",
    "category",
    "count",
    "numerator",
    "denominator",
    "ratio",
    "ratio_unit",
    "suppressed",
]


@dataclass(frozen=True)
class Period:
    kind: str  # MONTH or PROGRAMME
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Place:
    kind: str  # NETWORK, REGION or CENTRE
    code: str  # a region's KATOTTG code, a centre's address (slug); "" for the network
    name: str
    scope: Scope
    region_id: int | None = None  # a centre's


@dataclass
class Row:
    indicator: str
    indicator_title: str
    period: Period
    place: Place
    dimension: str
    category: str
    count: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    ratio: Decimal | None = None
    ratio_unit: str = ""
    suppressed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "indicator_title": self.indicator_title,
            "period_type": self.period.kind,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "scope": self.place.kind,
            "scope_code": self.place.code,
            "scope_name": self.place.name,
            "dimension": self.dimension,
            "category": self.category,
            "count": self.count,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ratio": None if self.ratio is None else str(self.ratio),
            "ratio_unit": self.ratio_unit,
            "suppressed": self.suppressed,
        }


def months(programme: Programme) -> list[Period]:
    """The programme's calendar months, the first and last clipped to its dates."""
    out = []
    start = programme.starts_on
    while start <= programme.ends_on:
        following = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        out.append(Period(MONTH, start, min(following - dt.timedelta(days=1), programme.ends_on)))
        start = following
    return out


def periods(programme: Programme) -> list[Period]:
    return [*months(programme), Period(PROGRAMME, programme.starts_on, programme.ends_on)]


def public_indicators(programme: Programme) -> list[Indicator]:
    """The programme's computed indicators, in the logframe's order."""
    qs = Indicator.objects.filter(result__programme=programme).exclude(source="")
    items = with_figure_rows(qs).order_by("result__position", "result__code", "position", "code")
    return [i for i in items if i.source in REGISTRY]


#: The consultation log's bands in their own order, every one listed (a zero is a published count).
CATEGORIES: dict[str, list[str]] = {
    Disaggregation.AGE_BAND: list(AgeBand.values),
    Disaggregation.GENDER: list(Gender.values),
    Disaggregation.SETTLEMENT: list(SettlementType.values),
}


def _categories(dimension: str) -> list[str]:
    return CATEGORIES[dimension]


class _Builder:
    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.counted = programme_centre_ids(programme)
        self.periods = periods(programme)
        self.cells: dict[CellKey, int] = {}
        self.relations: list[Relation] = []
        self.rows: list[tuple[Row, tuple[CellKey, ...]]] = []  # each row with the cells it shows

    def places(self, indicator: Indicator, whole: Any) -> list[Place]:
        """The network, then the regions and centres the source breaks down by: the programme's own
        centres (or every active one), and any other centre the network's figure counted, so that
        centres add up to their region exactly."""
        source = REGISTRY[indicator.source]
        out = [Place(NETWORK, "", "", Scope())]
        by = whole.numerator.by if whole.numerator is not None else {}
        if whole.denominator is not None:
            by = {**by, **{k: {**by.get(k, {}), **v} for k, v in whole.denominator.by.items()}}
        centre_ids = set(self.counted) or set(
            Centre.objects.filter(status__in=["active", "suspended"]).values_list("pk", flat=True)
        )
        centre_ids |= {int(c) for c in by.get(Disaggregation.CENTRE, {})}
        centres = list(Centre.objects.filter(pk__in=centre_ids).select_related("region").order_by("slug"))
        region_ids = {c.region_id for c in centres} | {int(r) for r in by.get(Disaggregation.REGION, {})}
        if Disaggregation.REGION in source.dimensions:
            for region in Region.objects.filter(pk__in=region_ids).select_related("territory").order_by("name"):
                out.append(Place(REGION, region.territory.code, region.display_name, Scope(region_id=region.pk)))
        if Disaggregation.CENTRE in source.dimensions:
            out += [
                Place(CENTRE, c.slug, c.display_name, Scope(centre_id=c.pk), region_id=c.region_id) for c in centres
            ]
        return out

    def add(self, indicator: Indicator) -> None:
        source = REGISTRY[indicator.source]
        whole_period = self.periods[-1]
        whole = figure(indicator, scope=Scope(), start=whole_period.start, end=whole_period.end, counted=self.counted)
        places = self.places(indicator, whole)
        dimensions = [str(d) for d in PEOPLE if d in source.dimensions]
        parts = ("count",) if source.kind == COUNT else ("numerator", "denominator", "rest")
        title = str(indicator.display_title)
        unit = "percent" if indicator.measure == Measure.PERCENTAGE else "share"
        for period in self.periods:
            for place in places:
                fig = (
                    whole
                    if period is whole_period and place.kind == NETWORK
                    else figure(indicator, scope=place.scope, start=period.start, end=period.end, counted=self.counted)
                )
                counts = [fig.numerator] if source.kind == COUNT else [fig.numerator, fig.denominator]
                for dimension, category in [(TOTAL, ""), *((d, c) for d in dimensions for c in _categories(d))]:
                    values = [
                        (c.total if dimension == TOTAL else c.by.get(dimension, {}).get(category, 0))
                        if c is not None
                        else 0
                        for c in counts
                    ]
                    keys = tuple((indicator.pk, period, place.kind, place.code, dimension, category, p) for p in parts)
                    if source.kind == COUNT:
                        self.cells[keys[0]] = values[0]
                        row = Row(indicator.code, title, period, place, dimension, category)
                    else:
                        numerator, denominator = values
                        self.cells.update(zip(keys, (numerator, denominator, denominator - numerator), strict=True))
                        self.relations.append(Relation(keys[1], (keys[0], keys[2])))
                        row = Row(indicator.code, title, period, place, dimension, category, ratio_unit=unit)
                        if dimension == TOTAL:
                            row.ratio = fig.actual
                    self.rows.append((row, keys[:2] if source.kind != COUNT else keys))
        self._relate(indicator, places, dimensions, parts)

    def _relate(self, indicator: Indicator, places: list[Place], dimensions: list[str], parts: tuple[str, ...]) -> None:
        source = REGISTRY[indicator.source]
        cats = [(d, c) for d in dimensions for c in _categories(d)]
        every = [(TOTAL, ""), *cats]
        regions = [p for p in places if p.kind == REGION]
        centres = [p for p in places if p.kind == CENTRE]
        region_of = {p.scope.region_id: p for p in regions}
        month_list, whole = self.periods[:-1], self.periods[-1]

        def key(period: Period, place: Place, dimension: str, category: str, part: str) -> CellKey:
            return (indicator.pk, period, place.kind, place.code, dimension, category, part)

        for part in parts:
            for period in self.periods:
                for place in places:
                    for dimension in dimensions:  # the categories add up to the total
                        self.relations.append(
                            Relation(
                                key(period, place, TOTAL, "", part),
                                tuple(key(period, place, dimension, c, part) for c in _categories(dimension)),
                            )
                        )
                for dimension, category in every:
                    network = key(period, places[0], dimension, category, part)
                    if regions:
                        self.relations.append(
                            Relation(network, tuple(key(period, r, dimension, category, part) for r in regions))
                        )
                        for region in regions:
                            inside = [c for c in centres if c.region_id == region.scope.region_id]
                            if centres:
                                self.relations.append(
                                    Relation(
                                        key(period, region, dimension, category, part),
                                        tuple(key(period, c, dimension, category, part) for c in inside),
                                    )
                                )
                        if centres and any(c.region_id not in region_of for c in centres):
                            raise ValueError("a centre's region is missing from the table")
                    elif centres:
                        self.relations.append(
                            Relation(network, tuple(key(period, c, dimension, category, part) for c in centres))
                        )
            for place in places:
                for dimension, category in every:
                    total = key(whole, place, dimension, category, part)
                    each = [key(m, place, dimension, category, part) for m in month_list]
                    if source.over_time == SPAN and indicator.aggregation != Aggregation.CUMULATIVE:
                        self.relations.append(Relation(total, tuple(each)))
                    elif source.over_time in (SPAN, AT_END):  # a running total, or what stands on the last day
                        self.relations.append(Relation(total, (each[-1],)))
                    elif source.over_time == TIMELESS:
                        self.relations += [Relation(total, (m,)) for m in each]

    def build(self) -> list[Row]:
        hidden = disclosure.suppress(self.cells, self.relations)
        out = []
        for row, keys in self.rows:
            shown = [None if k in hidden else self.cells[k] for k in keys]
            row.suppressed = any(k in hidden for k in keys)
            if len(keys) == 1:
                row.count = shown[0]
            else:
                row.numerator, row.denominator = shown
                if row.suppressed:
                    row.ratio = None
            out.append(row)
        return out


def table(programme: Programme) -> list[Row]:
    """The programme's open data table, suppressed (see the module docstring)."""
    builder = _Builder(programme)
    for indicator in public_indicators(programme):
        builder.add(indicator)
    return builder.build()


def table_for_checks(programme: Programme) -> tuple[dict[CellKey, int], list[Relation], list[Row]]:
    """The cells and relations behind the table, and the table: for tests that prove what it hides."""
    builder = _Builder(programme)
    for indicator in public_indicators(programme):
        builder.add(indicator)
    cells, relations = dict(builder.cells), list(builder.relations)
    return cells, relations, builder.build()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_lines(rows: list[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_value(row[c]) for c in COLUMNS])
    yield buffer.getvalue()


def as_csv(rows: list[dict[str, Any]]) -> str:
    return "".join(csv_lines(rows))
