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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet

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
    by: dict[str, dict[str, int]] = field(default_factory=dict)

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
) -> Figure:
    """`counted`: the programme's own centres when the caller knows them (`programme_centre_ids`,
    once for a page of figures; () = every centre); None: looked up here."""
    programme = indicator.result.programme
    if counted is None:
        counted = programme_centre_ids(programme)
    if scope.within is None and counted:
        scope = replace(scope, within=counted)
    out = Figure(indicator, scope, start, end)
    _actual(out, first_day=programme.starts_on)
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


def _actual(out: Figure, *, first_day: dt.date) -> None:
    indicator = out.indicator
    source = REGISTRY.get(indicator.source) if indicator.source else None
    start = first_day if indicator.aggregation == Aggregation.CUMULATIVE else out.start
    if source is None:
        _manual(out)
        return
    if source.kind == COUNT and source.count is not None:
        counts = source.count(out.scope, start, out.end)
        out.actual = Decimal(counts.total)
        out.numerator = counts
        out.by = counts.by
        return
    if source.ratio is None:
        raise ValueError(f"source {source.key} has neither a count nor a ratio")
    numerator, denominator = source.ratio(out.scope, start, out.end)
    out.numerator, out.denominator = numerator, denominator
    out.by = numerator.by
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


def _rows_within[T: (Target, ManualValue)](rows: Iterable[T], scope: Scope, start: dt.date, end: dt.date) -> list[T]:
    """The rows of the scope itself within the span; a scope with none: those of the scopes inside it
    (a region's centres; the network's regions, or else its centres)."""
    inside = sorted((r for r in rows if r.starts_on >= start and r.ends_on <= end), key=lambda r: (r.ends_on, r.pk))
    own = [r for r in inside if (r.region_id, r.centre_id) == (scope.region_id, scope.centre_id)]
    if own or scope.centre_id is not None:
        return own
    if scope.region_id is not None:
        return [r for r in inside if r.centre is not None and r.centre.region_id == scope.region_id]
    inner = [r for r in inside if r.region_id is not None or r.centre_id is not None]
    return [r for r in inner if r.region_id is not None] or inner


def _combine(values: list[tuple[dt.date, Decimal]], aggregation: str) -> Decimal | None:
    if not values:
        return None
    if aggregation == Aggregation.SUM:
        return sum((v for _d, v in values), Decimal(0))
    last = max(d for d, _v in values)
    # The last period's values (one per scope inside, added up when they are counts).
    at_last = [v for d, v in values if d == last]
    if aggregation == Aggregation.CUMULATIVE:
        return sum(at_last, Decimal(0))
    if aggregation == Aggregation.AVERAGE:
        return (sum(at_last, Decimal(0)) / len(at_last)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return at_last[-1] if len(at_last) == 1 else sum(at_last, Decimal(0))


def _manual(out: Figure) -> None:
    rows = _rows_within(out.indicator.manual_values.all(), out.scope, out.start, out.end)
    if out.indicator.measure == Measure.QUALITATIVE:
        out.text = rows[-1].text if rows else ""
        return
    out.actual = _combine([(r.ends_on, r.value) for r in rows if r.value is not None], out.indicator.aggregation)


def target_for(indicator: Indicator, *, scope: Scope, start: dt.date, end: dt.date) -> Decimal | None:
    rows = _rows_within(indicator.targets.all(), scope, start, end)
    aggregation = Aggregation.SUM if indicator.aggregation == Aggregation.SUM else Aggregation.CUMULATIVE
    if indicator.aggregation == Aggregation.RATIO:
        own = [r for r in rows if (r.region_id, r.centre_id) == (scope.region_id, scope.centre_id)]
        return own[-1].value if own else None
    value = _combine([(r.ends_on, r.value) for r in rows], aggregation)
    programme = indicator.result.programme
    whole = start <= programme.starts_on and end >= programme.ends_on
    if value is None and whole and scope.is_network:
        return indicator.target
    return value


def programme_centre_ids(programme: Programme) -> tuple[int, ...]:
    """The programme's own centres (empty: it counts every centre)."""
    return tuple(programme.centres.order_by("pk").values_list("pk", flat=True))
