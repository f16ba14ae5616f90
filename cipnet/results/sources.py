"""Where computed indicators get their values: a registry of named computations over the modules'
own rows (issue 16: "computed, never retyped").

Each source counts in a scope (the network, a region or a centre) over a span of days and breaks
its counts down by the disaggregations it supports; each breakdown adds up to the total, values
not stated included. A ratio source gives two such counts, the numerator's and the denominator's.
The results app reads other apps only through their selectors.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cipnet.appeals import selectors as appeals
from cipnet.consultations import selectors as consultations
from cipnet.consultations.models import ESERVICE_OUTCOME, Dimension, Outcome
from cipnet.directory.models import Centre, CentreStatus, CoordinationOffice
from cipnet.results.models import Disaggregation

COUNT, RATIO = "count", "ratio"
#: How a source's counts behave over time (what open data may declare about its months):
#: SPAN counts what happened in the span, so consecutive spans add up; AT_END counts what stands on the
#: span's last day; TIMELESS does not depend on the span at all.
SPAN, AT_END, TIMELESS = "span", "at_end", "timeless"


@dataclass(frozen=True)
class Scope:
    """The network (neither), a region or a centre; `within`: only these centres count (a programme's
    own centres), None: every centre."""

    region_id: int | None = None
    centre_id: int | None = None
    within: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.region_id is not None and self.centre_id is not None:
            raise ValueError("a scope is a region or a centre, not both")

    @property
    def is_network(self) -> bool:
        return self.region_id is None and self.centre_id is None

    def centre_ids(self) -> tuple[int, ...] | None:
        """The centres counted, when they are a list (a centre, or a programme's centres); else None."""
        if self.centre_id is not None:
            return (self.centre_id,) if self.within is None or self.centre_id in self.within else ()
        if self.within is None:
            return None
        if self.region_id is None:
            return self.within
        in_region = Centre.objects.filter(pk__in=self.within, region_id=self.region_id)
        return tuple(in_region.order_by("pk").values_list("pk", flat=True))


class Breakdowns(Mapping[str, dict[str, int]]):
    """Disaggregation → value → count, each disaggregation read from its source when first asked for (a
    page shows some of them; a network's by centre is the costliest)."""

    def __init__(self, loaders: Mapping[str, Callable[[], dict[str, int]]]) -> None:
        self._loaders = dict(loaders)
        self._read: dict[str, dict[str, int]] = {}

    def __getitem__(self, key: str) -> dict[str, int]:
        if key not in self._read:
            self._read[key] = self._loaders[key]()
        return self._read[key]

    def __contains__(self, key: object) -> bool:  # without reading it
        return key in self._loaders

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaders)

    def __len__(self) -> int:
        return len(self._loaders)


class Counts:
    """A count and its breakdowns: disaggregation → value → count, each adding up to `total`. The
    breakdowns may be given as a function, read on first use: a dashboard shows totals only, and a
    network's breakdown by centre is the costliest read of a figure."""

    def __init__(
        self,
        total: int = 0,
        by: Mapping[str, dict[str, int]] | None = None,
        *,
        breakdowns: Callable[[], Mapping[str, dict[str, int]]] | None = None,
    ) -> None:
        self.total = total
        self._by = by
        self._breakdowns = breakdowns

    @property
    def by(self) -> Mapping[str, dict[str, int]]:
        if self._by is None:
            self._by = self._breakdowns() if self._breakdowns is not None else {}
        return self._by

    def __repr__(self) -> str:
        return f"Counts(total={self.total}, by={self.by!r})"


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    kind: str  # COUNT or RATIO
    dimensions: tuple[str, ...]
    count: Callable[[Scope, dt.date, dt.date], Counts] | None = None
    ratio: Callable[[Scope, dt.date, dt.date], tuple[Counts, Counts]] | None = None
    over_time: str = SPAN


#: Above this many centres their regions are read for every centre (one short scan) rather than by a
#: list of ids (thousands of parameters).
_MANY_CENTRES = 500


def _centre_regions(centre_ids: list[int]) -> dict[int, int]:
    if len(centre_ids) > _MANY_CENTRES:
        wanted = set(centre_ids)
        return {pk: r for pk, r in Centre.objects.values_list("pk", "region_id") if pk in wanted}
    return dict(Centre.objects.filter(pk__in=centre_ids).values_list("pk", "region_id"))


def _by_place(per_centre: Mapping[int, int]) -> dict[str, dict[str, int]]:
    regions = _centre_regions(list(per_centre))
    by_region: dict[str, int] = defaultdict(int)
    for centre_id, n in per_centre.items():
        by_region[str(regions[centre_id])] += n
    return {
        Disaggregation.CENTRE: {str(c): n for c, n in per_centre.items() if n},
        Disaggregation.REGION: {r: n for r, n in by_region.items() if n},
    }


def _places(
    where: consultations.ScopeFilter,
    per_centre: Callable[[], Mapping[int, int]],
    per_region: Callable[[], Mapping[int, int]],
) -> dict[str, Callable[[], dict[str, int]]]:
    """Loaders of the breakdowns by centre and by region: a region's or the network's regions from the
    regions' own tallies, a list of centres' (a programme's) from theirs."""
    centres = cache(per_centre)

    def by_centre() -> dict[str, int]:
        return _by_place(centres())[Disaggregation.CENTRE]

    def by_region() -> dict[str, int]:
        if where.centre_ids is not None:
            return _by_place(centres())[Disaggregation.REGION]
        return {str(r): n for r, n in per_region().items() if n}

    return {Disaggregation.CENTRE: by_centre, Disaggregation.REGION: by_region}


def _where(scope: Scope) -> consultations.ScopeFilter:
    ids = scope.centre_ids()
    if ids is not None:
        return consultations.ScopeFilter(centre_ids=ids)
    return consultations.ScopeFilter(region_id=scope.region_id)


#: The consultation log's own bands, named as the results app names its disaggregations.
_CONSULTATION_DIMENSIONS = {
    Disaggregation.AGE_BAND: Dimension.AGE_BAND,
    Disaggregation.GENDER: Dimension.GENDER,
    Disaggregation.SETTLEMENT: Dimension.SETTLEMENT,
}


def consultations_count(scope: Scope, start: dt.date, end: dt.date) -> Counts:
    """Residents helped (one consultation each), from the tallies (ADR 5)."""
    where = _where(scope)
    cells = consultations.counts_by_dimension(where=where, start=start, end=end, dimensions=(Dimension.TOTAL,))

    @cache
    def bands() -> dict[tuple[str, str], int]:
        asked = tuple(_CONSULTATION_DIMENSIONS.values())
        return consultations.counts_by_dimension(where=where, start=start, end=end, dimensions=asked)

    def band(theirs: str) -> Callable[[], dict[str, int]]:
        return lambda: {value: n for (dimension, value), n in bands().items() if dimension == theirs}

    loaders = {str(ours): band(theirs) for ours, theirs in _CONSULTATION_DIMENSIONS.items()}
    loaders |= _places(
        where,
        lambda: consultations.totals_by_centre(where=where, start=start, end=end),
        lambda: consultations.totals_by_region(region_id=where.region_id, start=start, end=end),
    )
    return Counts(cells.get((Dimension.TOTAL, ""), 0), Breakdowns(loaders))


def eservices_completed(scope: Scope, start: dt.date, end: dt.date) -> Counts:
    """E-services completed with a consultant's help (kind "assisted e-service", outcome "completed"),
    from the tallies' cross-tabulation of e-services by outcome."""
    where = _where(scope)
    loaders = _places(
        where,
        lambda: consultations.completed_eservices_by_centre(where=where, start=start, end=end),
        lambda: consultations.totals_by_region(
            region_id=where.region_id, start=start, end=end, dimension=ESERVICE_OUTCOME, value=Outcome.COMPLETED
        ),
    )
    return Counts(consultations.completed_eservices(where=where, start=start, end=end), Breakdowns(loaders))


def appeals_positive_share(scope: Scope, start: dt.date, end: dt.date) -> tuple[Counts, Counts]:
    """Appeals and requests filed at a centre and answered: resolved positively over all answered. The
    totals by outcome; the breakdowns by centre when a page shows them."""
    ids = scope.centre_ids()
    totals = appeals.answered_by_outcome(start=start, end=end, region_id=scope.region_id, centre_ids=ids)

    @cache
    def per_centre() -> dict[int, dict[str, int]]:
        answered = appeals.answered_by_centre(start=start, end=end, region_id=scope.region_id)
        if ids is None:
            return answered
        wanted = set(ids)
        return {c: o for c, o in answered.items() if c in wanted}

    def positive() -> Mapping[str, dict[str, int]]:
        return _by_place({c: o.get("positive", 0) for c, o in per_centre().items()})

    def every() -> Mapping[str, dict[str, int]]:
        return _by_place({c: sum(o.values()) for c, o in per_centre().items()})

    return (
        Counts(totals.get("positive", 0), breakdowns=positive),
        Counts(sum(totals.values()), breakdowns=every),
    )


def centres_operating(scope: Scope, start: dt.date, end: dt.date) -> Counts:
    """Centres open by the span's last day (opened on or before it, not merely planned). A centre closed
    since still counts: the directory keeps no closing date."""
    centres = _centres(scope).filter(opened_on__lte=end).exclude(status=CentreStatus.PLANNED)
    per_centre = dict.fromkeys(centres.order_by().values_list("pk", flat=True), 1)
    return Counts(len(per_centre), breakdowns=lambda: _by_place(per_centre))


def coordination_offices(scope: Scope, start: dt.date, end: dt.date) -> Counts:
    """Coordination offices of the regions the scope's centres are in."""
    regions = set(_centres(scope).order_by().values_list("region_id", flat=True).distinct())
    offices = CoordinationOffice.objects.filter(region_id__in=regions).values_list("region_id", flat=True)
    by_region: dict[str, int] = defaultdict(int)
    for region_id in offices:
        by_region[str(region_id)] += 1
    return Counts(sum(by_region.values()), {Disaggregation.REGION: dict(by_region)})


def _centres(scope: Scope) -> QuerySet[Centre]:
    ids = scope.centre_ids()
    if ids is not None:
        return Centre.objects.filter(pk__in=ids)
    if scope.region_id is not None:
        return Centre.objects.filter(region_id=scope.region_id)
    return Centre.objects.all()


REGISTRY: dict[str, Source] = {
    s.key: s
    for s in [
        Source(
            "consultations",
            _("Residents helped (consultations in the log)"),
            COUNT,
            (*_CONSULTATION_DIMENSIONS, Disaggregation.CENTRE, Disaggregation.REGION),
            count=consultations_count,
        ),
        Source(
            "eservices_completed",
            _("E-services completed with a consultant's help"),
            COUNT,
            (Disaggregation.CENTRE, Disaggregation.REGION),
            count=eservices_completed,
        ),
        Source(
            "centres_operating",
            _("Centres operating"),
            COUNT,
            (Disaggregation.CENTRE, Disaggregation.REGION),
            count=centres_operating,
            over_time=AT_END,
        ),
        Source(
            "coordination_offices",
            _("Coordination offices of the regions"),
            COUNT,
            (Disaggregation.REGION,),
            count=coordination_offices,
            over_time=TIMELESS,
        ),
        Source(
            "appeals_positive_share",
            _("Appeals answered positively, of all answered"),
            RATIO,
            (Disaggregation.CENTRE, Disaggregation.REGION),
            ratio=appeals_positive_share,
        ),
    ]
}
