"""An indicator's figures for a scope and a span of days: actual, target, the target expected by a
day (pro-rated), the share achieved and its traffic light. One set of rules for every page, report
and export (issue 16).

Rules, in one place:
- A computed indicator counts its source's rows in the span; "cumulative" counts from the
  programme's first day to the span's last. A ratio is numerator over denominator (never an average
  of percentages); "percentage" shows it × 100.
- A value entered by hand is read at the scope asked; a scope with none of its own adds up (sum,
  cumulative) or takes the latest (latest, average) of the scopes inside it.
- A target is the scope's own rows within the span (summed for sum; the last one for cumulative,
  latest, average and ratio); a scope with none adds up its centres' or regions' targets; for the
  network over the whole programme with no rows, the indicator's life-of-programme target.
- Pro-rating: by day `on`, a sum or cumulative target is expected in proportion to the days passed
  ("day 30 of 61: 393 expected of 800"); other targets are expected whole.
- Traffic light against what is expected: green from 90 %, amber from 80 %, red below; for "less is
  better", the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from cipnet.results.models import Aggregation, Direction, Indicator, ManualValue, Measure, Programme, Target
from cipnet.results.sources import COUNT, REGISTRY, Counts, Scope

GREEN_FROM = Decimal("0.90")
AMBER_FROM = Decimal("0.80")
HUNDRED = Decimal(100)


@dataclass
class Figure:
    indicator: Indicator
    scope: Scope
    start: dt.date
    end: dt.date
    actual: Decimal | None = None
    numerator: Counts | None = None  # a ratio's, or a count's own breakdowns
    denominator: Counts | None = None
    text: str = ""  # qualitative
    target: Decimal | None = None
    expected: Decimal | None = None  # the target pro-rated to the day asked
    day: int = 0  # day N of `days` of the span, for "day 30 of 61"
    days: int = 0

    @property
    def by(self) -> Mapping[str, dict[str, int]]:
        """The breakdowns (of a ratio, its numerator's), read from the source when first asked for."""
        return self.numerator.by if self.numerator is not None else {}

    @property
    def share(self) -> Decimal | None:
        """Actual over expected (or, for "less is better", expected over actual)."""
        if self.actual is None or not self.expected:
            return None
        if self.indicator.direction == Direction.DECREASE:
            return self.expected / self.actual if self.actual else None
        return self.actual / self.expected

    @property
    def percent_of_target(self) -> Decimal | None:
        if self.actual is None or not self.target:
            return None
        return (self.actual / self.target * HUNDRED).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def light(self) -> str:
        share = self.share
        if share is None:
            return ""
        return "green" if share >= GREEN_FROM else "amber" if share >= AMBER_FROM else "red"


def figure(
    indicator: Indicator,
    *,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    on: dt.date | None = None,
    counted: tuple[int, ...] | None = None,
    memo: dict[Any, Any] | None = None,
) -> Figure:
    """`counted`: the programme's own centres when the caller knows them (`programme_centre_ids`,
    once for a page of figures; () = every centre); None: looked up here. `memo`: a page's sources'
    counts, shared by its figures (two indicators of one source and span count once); None: the
    indicator's own (`figure_memo`)."""
    programme = indicator.result.programme
    if counted is None:
        counted = programme_centre_ids(programme)
    if scope.within is None and counted:
        scope = replace(scope, within=counted)
    out = Figure(indicator, scope, start, end)
    _actual(out, first_day=programme.starts_on, memo=figure_memo(indicator) if memo is None else memo)
    out.target = target_for(indicator, scope=scope, start=start, end=end)
    out.days = (end - start).days + 1
    on = min(max(on or end, start - dt.timedelta(days=1)), end)
    out.day = (on - start).days + 1
    if out.target is not None:
        if indicator.aggregation in (Aggregation.SUM, Aggregation.CUMULATIVE):
            out.expected = (out.target * out.day / out.days).quantize(Decimal(1), ROUND_HALF_UP)
        else:
            out.expected = out.target
    return out


def figure_memo(indicator: Indicator) -> dict[Any, Any]:
    """The sources' counts read for this indicator object (a page's, for as long as the page is made),
    by (source, scope, first day, last day)."""
    memo: dict[Any, Any] = indicator.__dict__.setdefault("_source_counts", {})
    return memo


def _actual(out: Figure, *, first_day: dt.date, memo: dict[Any, Any]) -> None:
    indicator = out.indicator
    source = REGISTRY.get(indicator.source) if indicator.source else None
    start = first_day if indicator.aggregation == Aggregation.CUMULATIVE else out.start
    if source is None:
        _manual(out)
        return
    key = (source.key, out.scope, start, out.end)
    if source.kind == COUNT and source.count is not None:
        if key not in memo:
            memo[key] = source.count(out.scope, start, out.end)
        counts = memo[key]
        out.actual = Decimal(counts.total)
        out.numerator = counts
        return
    if source.ratio is None:
        raise ValueError(f"source {source.key} has neither a count nor a ratio")
    if key not in memo:
        memo[key] = source.ratio(out.scope, start, out.end)
    numerator, denominator = memo[key]
    out.numerator, out.denominator = numerator, denominator
    if denominator.total:
        share = Decimal(numerator.total) / Decimal(denominator.total)
        if indicator.measure == Measure.PERCENTAGE:  # "25.8 %": a share of people, to a tenth of a per cent
            out.actual = (share * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)
        else:
            out.actual = share.quantize(Decimal("0.001"), ROUND_HALF_UP)


def with_figure_rows(qs: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """Indicators with what their figures read besides the sources: the programme, targets and values
    entered by hand (each with its centre's region), in three queries for any number of indicators."""
    return qs.select_related("result__programme").prefetch_related(
        Prefetch("targets", queryset=Target.objects.select_related("centre")),
        Prefetch("manual_values", queryset=ManualValue.objects.select_related("centre")),
    )


@dataclass(frozen=True)
class SpanRow:
    """A target or a value entered by hand as a figure reads it; or, with `centre_id` 0, the targets of
    `n` centres (of the region `centre_region_id`, or of the network) for one span, added up."""

    pk: int
    region_id: int | None
    centre_id: int | None
    centre_region_id: int | None
    starts_on: dt.date
    ends_on: dt.date
    value: Decimal | None
    text: str = ""
    n: int = 1


#: Where SpanRows are kept on an indicator: (kind, region id, centre id) → rows.
_LOADED = "_figure_rows"
_KINDS: dict[str, type[Target] | type[ManualValue]] = {"targets": Target, "manual_values": ManualValue}


def load_figure_rows(indicators: Sequence[Indicator], scopes: Iterable[Scope]) -> None:
    """Read what the indicators' figures for these scopes take from targets and values entered by hand,
    in a few queries whatever the number of indicators and centres: a centre's own rows; a region's own
    rows and its centres' targets added up per span; the network's own and regions' rows and every
    centre's targets added up per span (values entered by hand are read row by row: a qualitative one
    shows the latest text)."""
    if not indicators:
        return
    ids = [i.pk for i in indicators]
    found: dict[tuple[int, str, int | None, int | None], list[SpanRow]] = defaultdict(list)
    wanted = {(s.region_id, s.centre_id) for s in scopes}
    centres = sorted(c for _r, c in wanted if c is not None)
    for kind, model in _KINDS.items():
        rows: QuerySet[Any] = model.objects.filter(indicator_id__in=ids)
        if centres:
            for indicator_id, row in _span_rows(kind, rows.filter(centre_id__in=centres)):
                found[(indicator_id, kind, None, row.centre_id)].append(row)
        for region_id, centre_id in wanted:
            if centre_id is not None:
                continue
            if region_id is not None:
                own = rows.filter(region_id=region_id)
                inner = rows.filter(centre__region_id=region_id)
            else:
                own, inner = rows.filter(centre__isnull=True), rows.filter(centre__isnull=False)
            if kind == "targets":
                listed = _span_rows(kind, own) + _added_up(inner, region_id)
            else:
                listed = _span_rows(kind, own | inner)
            for indicator_id, row in listed:
                found[(indicator_id, kind, region_id, None)].append(row)
    for indicator in indicators:
        store = indicator.__dict__.setdefault(_LOADED, {})
        for kind in _KINDS:
            for region_id, centre_id in wanted:
                store[(kind, region_id, centre_id)] = found.get((indicator.pk, kind, region_id, centre_id), [])


def _span_rows(kind: str, qs: QuerySet[Any]) -> list[tuple[int, SpanRow]]:
    text = "text" if kind == "manual_values" else "pk"
    columns = ("indicator_id", "pk", "region_id", "centre_id", "centre__region_id", "starts_on", "ends_on", "value")
    return [
        (
            indicator_id,
            SpanRow(pk, region_id, centre_id, centre_region, a, b, value, t if kind == "manual_values" else ""),
        )
        for indicator_id, pk, region_id, centre_id, centre_region, a, b, value, t in qs.values_list(*columns, text)
    ]


def _added_up(qs: QuerySet[Any], region_id: int | None) -> list[tuple[int, SpanRow]]:
    grouped = qs.values("indicator_id", "starts_on", "ends_on").annotate(total=Sum("value"), n=Count("pk")).order_by()
    return [
        (g["indicator_id"], SpanRow(0, None, 0, region_id, g["starts_on"], g["ends_on"], g["total"], n=g["n"]))
        for g in grouped
    ]


def _rows_for(indicator: Indicator, kind: str, scope: Scope) -> list[SpanRow]:
    """The rows `load_figure_rows` read for the scope; else those prefetched (`with_figure_rows`); else
    read now."""
    loaded = indicator.__dict__.get(_LOADED, {}).get((kind, scope.region_id, scope.centre_id))
    if loaded is not None:
        return loaded
    if kind in getattr(indicator, "_prefetched_objects_cache", {}):
        return [
            SpanRow(
                r.pk,
                r.region_id,
                r.centre_id,
                r.centre.region_id if r.centre is not None else None,
                r.starts_on,
                r.ends_on,
                r.value,
                getattr(r, "text", ""),
            )
            for r in getattr(indicator, kind).all()
        ]
    load_figure_rows([indicator], [scope])
    return indicator.__dict__[_LOADED][(kind, scope.region_id, scope.centre_id)]


def _rows_within(rows: Iterable[SpanRow], scope: Scope, start: dt.date, end: dt.date) -> list[SpanRow]:
    """The rows of the scope itself within the span; a scope with none: those of the scopes inside it
    (a region's centres; the network's regions, or else its centres)."""
    inside = sorted((r for r in rows if r.starts_on >= start and r.ends_on <= end), key=lambda r: (r.ends_on, r.pk))
    own = [r for r in inside if (r.region_id, r.centre_id) == (scope.region_id, scope.centre_id)]
    if own or scope.centre_id is not None:
        return own
    if scope.region_id is not None:
        return [r for r in inside if r.centre_id is not None and r.centre_region_id == scope.region_id]
    inner = [r for r in inside if r.region_id is not None or r.centre_id is not None]
    return [r for r in inner if r.region_id is not None] or inner


def _combine(values: list[tuple[dt.date, Decimal, int]], aggregation: str) -> Decimal | None:
    """Values (day, value, how many rows it adds up) made one by the aggregation."""
    if not values:
        return None
    if aggregation == Aggregation.SUM:
        return sum((v for _d, v, _n in values), Decimal(0))
    last = max(d for d, _v, _n in values)
    # The last period's values (one per scope inside, added up when they are counts).
    at_last = [(v, n) for d, v, n in values if d == last]
    added = sum((v for v, _n in at_last), Decimal(0))
    if aggregation == Aggregation.CUMULATIVE:
        return added
    if aggregation == Aggregation.AVERAGE:
        return (added / sum(n for _v, n in at_last)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return at_last[-1][0] if len(at_last) == 1 else added


def _manual(out: Figure) -> None:
    rows = _rows_within(_rows_for(out.indicator, "manual_values", out.scope), out.scope, out.start, out.end)
    if out.indicator.measure == Measure.QUALITATIVE:
        out.text = rows[-1].text if rows else ""
        return
    out.actual = _combine([(r.ends_on, r.value, r.n) for r in rows if r.value is not None], out.indicator.aggregation)


def target_for(indicator: Indicator, *, scope: Scope, start: dt.date, end: dt.date) -> Decimal | None:
    rows = _rows_within(_rows_for(indicator, "targets", scope), scope, start, end)
    aggregation = Aggregation.SUM if indicator.aggregation == Aggregation.SUM else Aggregation.CUMULATIVE
    if indicator.aggregation == Aggregation.RATIO:
        own = [r for r in rows if (r.region_id, r.centre_id) == (scope.region_id, scope.centre_id)]
        return own[-1].value if own else None
    value = _combine([(r.ends_on, r.value, r.n) for r in rows if r.value is not None], aggregation)
    programme = indicator.result.programme
    whole = start <= programme.starts_on and end >= programme.ends_on
    if value is None and whole and scope.is_network:
        return indicator.target
    return value


def programme_centre_ids(programme: Programme) -> tuple[int, ...]:
    """The programme's own centres (empty: it counts every centre)."""
    return tuple(programme.centres.order_by("pk").values_list("pk", flat=True))
