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
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

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


def figure(indicator: Indicator, *, scope: Scope, start: dt.date, end: dt.date, on: dt.date | None = None) -> Figure:
    programme = indicator.result.programme
    if scope.within is None:
        own = programme_centre_ids(programme)
        scope = replace(scope, within=own) if own else scope
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


def _scope_q(scope: Scope) -> Q:
    return Q(region_id=scope.region_id, centre_id=scope.centre_id)


def _inner_q(scope: Scope) -> Q:
    """The scopes inside this one: a region's centres; the network's regions, or else its centres."""
    if scope.centre_id is not None:
        return Q(pk__in=[])
    if scope.region_id is not None:
        return Q(centre__region_id=scope.region_id)
    return Q(region__isnull=False) | Q(centre__isnull=False)


def _rows_within[T: (Target, ManualValue)](qs: QuerySet[T], scope: Scope, start: dt.date, end: dt.date) -> list[T]:
    qs = qs.filter(starts_on__gte=start, ends_on__lte=end).order_by("ends_on", "pk")
    own = list(qs.filter(_scope_q(scope)))
    if own:
        return own
    inner = list(qs.filter(_inner_q(scope)))
    if scope.centre_id is None and scope.region_id is None:
        regions = [row for row in inner if row.region_id is not None]
        return regions or inner
    return inner


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
    rows = _rows_within(ManualValue.objects.filter(indicator=out.indicator), out.scope, out.start, out.end)
    if out.indicator.measure == Measure.QUALITATIVE:
        out.text = rows[-1].text if rows else ""
        return
    out.actual = _combine([(r.ends_on, r.value) for r in rows if r.value is not None], out.indicator.aggregation)


def target_for(indicator: Indicator, *, scope: Scope, start: dt.date, end: dt.date) -> Decimal | None:
    rows = _rows_within(Target.objects.filter(indicator=indicator), scope, start, end)
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
