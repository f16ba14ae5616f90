"""Reads of the consultation log, scoped to what the user may see (404 outside).

Dashboards read the tallies of `rollups` (ADR 5); a centre's partial month is read from its
entries through the (centre, day) index.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.consultations import rollups
from cipnet.consultations.models import (
    ESERVICE_OUTCOME,
    FREE_TEXT_SERVICE,
    AgeBand,
    Channel,
    Consultation,
    ConsultationChange,
    ConsultationService,
    ConsultationTarget,
    DailyTotal,
    Dimension,
    Gender,
    HelpKind,
    MonthlyTally,
    Obstacle,
    Outcome,
    RegionDailyTally,
    RegionMonthlyTally,
    SettlementType,
    SocialCategory,
)
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.directory.models import Centre, Region
from cipnet.eservices.models import CardStatus, ServiceCard
from cipnet.eservices.selectors import in_region_q

SUM_FIELDS = ("count", "minutes_sum", "minutes_n", "score_sum", "score_n")


@dataclass(frozen=True)
class ConsultationFilters:
    """What a list of entries is narrowed to: the entries page, the API's list and both
    exports build one from their input and call `consultation_list_visible_to`."""

    centre_id: int | None = None
    region_slug: str = ""
    start: dt.date | None = None  # first day (in Kyiv), included
    end: dt.date | None = None  # last day (in Kyiv), included
    author: User | None = None  # "my entries"
    outcome: str = ""
    help_kind: str = ""
    card: ServiceCard | None = None  # entries where this card was used


def consultation_list_visible_to(*, user: User, filters: ConsultationFilters | None = None) -> QuerySet[Consultation]:
    """The entries the user may see (none for non-staff), narrowed by `filters`, newest first."""
    scope = scope_for(user)
    if not scope.is_staff_member:
        return Consultation.objects.none()
    qs = Consultation.objects.filter(scope.centre_q("centre__")).select_related("centre", "consultant", "author")
    f = filters or ConsultationFilters()
    if f.centre_id is not None:
        qs = qs.filter(centre_id=f.centre_id)
    if f.region_slug:
        qs = qs.filter(centre__region__slug=f.region_slug)
    if f.start is not None:
        qs = qs.filter(day__gte=f.start)
    if f.end is not None:
        qs = qs.filter(day__lte=f.end)
    if f.author is not None:
        qs = qs.filter(author=f.author)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    if f.help_kind:
        qs = qs.filter(help_kind=f.help_kind)
    if f.card is not None:
        qs = qs.filter(Exists(ConsultationService.objects.filter(consultation=OuterRef("pk"), card=f.card)))
    return qs.order_by("-occurred_at", "-id")


def with_details(qs: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """What an entry shows in the API: its centre's region, the people, the services' cards."""
    return qs.select_related("centre__region", "consultant", "author").prefetch_related(
        Prefetch("services", queryset=ConsultationService.objects.select_related("card"))
    )


def consultation_get_for_user(*, user: User, pk: int, details: bool = False) -> Consultation:
    """An entry the user may see (with what the API shows when `details`); 404 outside the scope."""
    qs = consultation_list_visible_to(user=user)
    if details:
        qs = with_details(qs)
    try:
        return qs.get(pk=pk)
    except (Consultation.DoesNotExist, ValueError) as exc:
        raise NotFoundOrNotAllowed from exc


def consultations_of_day(*, centre: Centre, day: dt.date) -> QuerySet[Consultation]:
    """A centre's entries of one day, latest first (the entry page and the centre's dashboard)."""
    return (
        Consultation.objects.filter(centre=centre, day=day)
        .select_related("consultant")
        .prefetch_related("services__card")
        .order_by("-occurred_at", "-id")
    )


def own_entry(*, user: User, centre: Centre, pk: int) -> Consultation | None:
    """An entry the user logged in the centre (the confirmation after saving), or None."""
    return Consultation.objects.filter(pk=pk, author=user, centre=centre).first()


def centres_to_log_for(*, user: User) -> QuerySet[Centre]:
    """Centres the user works in (and so logs consultations for)."""
    ids = scope_for(user).centre_ids
    return Centre.objects.filter(pk__in=ids).order_by("name")


def history(*, consultation_id: int) -> QuerySet[ConsultationChange]:
    return ConsultationChange.objects.filter(consultation_id=consultation_id).select_related("actor")


def history_for_user(*, user: User, consultation_id: int) -> list[ConsultationChange]:
    """An entry's audit trail, as far as the user's scope reaches (kept after a deletion)."""
    return list(history(consultation_id=consultation_id).filter(scope_for(user).centre_q("centre__")))


# --- Periods ------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def split_range(start: dt.date, end: dt.date) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """Whole months inside [start, end], and the leftover day ranges."""
    first = start if start.day == 1 else add_months(start.replace(day=1), 1)
    months: list[dt.date] = []
    m = first
    while month_end(m) <= end:
        months.append(m)
        m = add_months(m, 1)
    if not months:
        return [], [(start, end)] if start <= end else []
    days: list[tuple[dt.date, dt.date]] = []
    if start < months[0]:
        days.append((start, months[0] - dt.timedelta(days=1)))
    after = month_end(months[-1]) + dt.timedelta(days=1)
    if after <= end:
        days.append((after, end))
    return months, days


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def target_for(centre: Centre, *, on: dt.date) -> ConsultationTarget | None:
    return centre.consultation_targets.filter(starts_on__lte=on).order_by("-starts_on").first()


def reporting_period(target: ConsultationTarget, *, on: dt.date) -> Period:
    months = (on.year - target.starts_on.year) * 12 + on.month - target.starts_on.month
    # Whole months since the start: the anniversary in `on`'s month is clamped to the month's
    # length (a start on the 31st has its February anniversary on the 28th/29th).
    if on < _shift(target.starts_on, months):
        months -= 1
    index = max(0, months) // target.period_months
    start = _shift(target.starts_on, index * target.period_months)
    end = _shift(target.starts_on, (index + 1) * target.period_months) - dt.timedelta(days=1)
    return Period(start, end)


def _shift(day: dt.date, months: int) -> dt.date:
    first = add_months(day.replace(day=1), months)
    return first.replace(day=min(day.day, month_end(first).day))


# --- Summaries from the tallies -----------------------------------------------------------


@dataclass(frozen=True)
class ScopeFilter:
    """Which centres a summary covers: some centres, a region, or the whole network."""

    centre_ids: tuple[int, ...] | None = None
    region_id: int | None = None

    def q(self) -> Q:
        if self.centre_ids is not None:
            return Q(centre_id__in=self.centre_ids)
        if self.region_id is not None:
            return Q(centre__region_id=self.region_id)
        return Q()


def summary_where(*, user: User, centre: Centre | None, region: Region | None) -> ScopeFilter:
    """The centres a summary covers: the one asked for (already checked visible), else the user's
    visible ones (in the region)."""
    scope = scope_for(user)
    if centre is not None:
        return ScopeFilter(centre_ids=(centre.pk,))
    if region is not None and (scope.network or region.pk in scope.region_ids):
        return ScopeFilter(region_id=region.pk)
    if scope.network:
        return ScopeFilter()
    centres = Centre.objects.filter(scope.centre_q())
    if region is not None:
        centres = centres.filter(region=region)
    return ScopeFilter(centre_ids=tuple(centres.order_by("pk").values_list("pk", flat=True)))


def _accumulate(out: dict[tuple[str, str], list[int]], rows: Any) -> None:
    for r in rows:
        target = out[(r["dimension"], r["value"])]
        for i, f in enumerate(SUM_FIELDS):
            target[i] += r[f] or 0


def _breakdowns(
    where: ScopeFilter, start: dt.date, end: dt.date, dimensions: tuple[str, ...] | None = None
) -> dict[tuple[str, str], list[int]]:
    """(dimension, value) → sums over [start, end], of every dimension or of those asked. Whole months
    come from the monthly tallies; other days from the regions' daily tally, or, for centres, from those
    days' entries (ADR 5)."""
    months, day_ranges = split_range(start, end)
    sums: dict[str, Any] = {f: Sum(f) for f in SUM_FIELDS}
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    asked = Q(dimension__in=dimensions) if dimensions is not None else Q()

    def grouped(qs: QuerySet) -> Any:
        return qs.filter(asked).values("dimension", "value").annotate(**sums).order_by()

    if where.centre_ids is not None:
        ids = where.centre_ids
        if months:
            _accumulate(
                out, grouped(MonthlyTally.objects.filter(centre_id__in=ids, month__range=(months[0], months[-1])))
            )
        for a, b in day_ranges:
            entries = Consultation.objects.filter(centre_id__in=ids, day__range=(a, b))
            for key, s in rollups.breakdown(rollups.facts_of_entries(entries)).items():
                if dimensions is not None and key[0] not in dimensions:
                    continue
                target = out[key]
                for i, v in enumerate(s):
                    target[i] += v
        return out
    region = Q(region_id=where.region_id) if where.region_id is not None else Q()
    if months:
        _accumulate(out, grouped(RegionMonthlyTally.objects.filter(region, month__range=(months[0], months[-1]))))
    for a, b in day_ranges:
        _accumulate(out, grouped(RegionDailyTally.objects.filter(region, day__range=(a, b))))
    return out


@dataclass
class Row:
    value: str
    label: str
    count: int
    share: float = 0.0  # of the slice's total, 0–1


@dataclass
class Summary:
    start: dt.date
    end: dt.date
    total: int = 0
    minutes_avg: float | None = None
    score_avg: float | None = None
    score_n: int = 0
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)

    def breakdown(self, dimension: str) -> list[Row]:
        return self.breakdowns.get(dimension, [])

    def count(self, dimension: str, value: str) -> int:
        return next((r.count for r in self.breakdown(dimension) if r.value == value), 0)


_CHOICES: dict[str, Any] = {
    Dimension.HELP_KIND: HelpKind,
    Dimension.OUTCOME: Outcome,
    Dimension.OBSTACLE: Obstacle,
    Dimension.CHANNEL: Channel,
    Dimension.GENDER: Gender,
    Dimension.AGE_BAND: AgeBand,
    Dimension.SETTLEMENT: SettlementType,
    Dimension.CATEGORY: SocialCategory,
}


def value_label(dimension: str, value: str, cards: dict[str, ServiceCard] | None = None) -> str:
    if dimension == Dimension.SERVICE:
        if value == FREE_TEXT_SERVICE:
            return _("Services not in the catalogue")
        card = (cards or {}).get(value)
        return card.display_name if card else _("Card removed")
    if dimension == Dimension.FIRST_VISIT:
        return {"yes": _("First visit"), "no": _("Came before"), "unknown": _("Not asked")}.get(value, value)
    if dimension == Dimension.SATISFACTION:
        return _("Not rated") if value == "none" else value
    if dimension == Dimension.CATEGORY and value == "none":
        return _("No category stated")
    choices = _CHOICES.get(dimension)
    if choices is not None:
        return str(dict(choices.choices).get(value, value))
    return value


def _order(dimension: str) -> list[str] | None:
    """Natural order of a breakdown; None means "largest first"."""
    if dimension == Dimension.SATISFACTION:
        return ["5", "4", "3", "2", "1", "none"]
    if dimension == Dimension.FIRST_VISIT:
        return ["yes", "no", "unknown"]
    if dimension == Dimension.CATEGORY:
        return [*SocialCategory.values, "none"]
    choices = _CHOICES.get(dimension)
    if dimension in (Dimension.AGE_BAND, Dimension.OUTCOME, Dimension.GENDER, Dimension.SETTLEMENT) and choices:
        return list(choices.values)
    return None


def summary(*, where: ScopeFilter, start: dt.date, end: dt.date) -> Summary:
    """Every figure of a dashboard for the centres and dates, from the tallies (2 queries + cards)."""
    result = Summary(start, end)
    grouped: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for (dimension, value), sums in _breakdowns(where, start, end).items():
        if sums[0] and dimension in Dimension.values:  # cross-tabulations kept for reports are not breakdowns
            grouped[dimension][value] = sums
    total = grouped.get(Dimension.TOTAL, {}).get("", [0, 0, 0, 0, 0])
    result.total = total[0]
    result.minutes_avg = round(total[1] / total[2], 1) if total[2] else None
    result.score_avg = round(total[3] / total[4], 2) if total[4] else None
    result.score_n = total[4]
    service_ids = [v for v in grouped.get(Dimension.SERVICE, {}) if v != FREE_TEXT_SERVICE]
    cards = {
        str(c.pk): c
        for c in ServiceCard.objects.filter(pk__in=[int(v) for v in service_ids if v.isdigit()]).only(
            "pk", "name", "name_en", "name_pl"
        )
    }
    for dimension, values in grouped.items():
        if dimension == Dimension.TOTAL:
            continue
        rows = [
            Row(value, value_label(dimension, value, cards), sums[0], sums[0] / result.total if result.total else 0.0)
            for value, sums in values.items()
            if sums[0] > 0
        ]
        order = _order(dimension)
        if order is None:
            rows.sort(key=lambda r: (-r.count, r.label))
        else:
            rank = {v: i for i, v in enumerate(order)}
            rows.sort(key=lambda r: rank.get(r.value, len(rank)))
        result.breakdowns[dimension] = rows
    return result


def counts_by_dimension(
    *, where: ScopeFilter, start: dt.date, end: dt.date, dimensions: tuple[str, ...] | None = None
) -> dict[tuple[str, str], int]:
    """(dimension, value) → consultations in the centres and dates, from the tallies (ADR 5), of every
    dimension or of those asked; the values of each dimension but "service" and "category" add up to
    ("total", "")'s count."""
    return {key: sums[0] for key, sums in _breakdowns(where, start, end, dimensions).items() if sums[0]}


def completed_eservices(*, where: ScopeFilter, start: dt.date, end: dt.date) -> int:
    """Assisted e-services completed in the centres and dates, from the tallies' cross-tabulation."""
    cells = counts_by_dimension(where=where, start=start, end=end, dimensions=(ESERVICE_OUTCOME,))
    return cells.get((ESERVICE_OUTCOME, Outcome.COMPLETED.value), 0)


def completed_eservices_by_centre(*, where: ScopeFilter, start: dt.date, end: dt.date) -> dict[int, int]:
    """Centre id → assisted e-services completed in [start, end]: whole months from the centres' monthly
    tally of e-services' outcomes (a cross-tabulation, ADR 5), other days from those days' entries."""
    months, day_ranges = split_range(start, end)
    scope = Q(centre__region_id=where.region_id) if where.region_id is not None else where.q()
    out: dict[int, int] = defaultdict(int)
    queries: list[QuerySet] = []
    if months:
        tally = MonthlyTally.objects.filter(
            scope, month__range=(months[0], months[-1]), dimension=ESERVICE_OUTCOME, value=Outcome.COMPLETED
        )
        queries.append(tally.values("centre_id").annotate(n=Sum("count")))
    for a, b in day_ranges:
        rows = Consultation.objects.filter(
            scope, day__range=(a, b), help_kind=HelpKind.ESERVICE, outcome=Outcome.COMPLETED
        )
        queries.append(rows.values("centre_id").annotate(n=Count("*")))
    for qs in queries:
        for centre_id, n in qs.order_by().values_list("centre_id", "n"):
            out[centre_id] += n or 0
    return {k: v for k, v in out.items() if v}


def totals_by_centre(*, where: ScopeFilter, start: dt.date, end: dt.date) -> dict[int, int]:
    """Centre id → consultations in [start, end]: whole months from the monthly tally's totals,
    other days from the daily totals."""
    months, day_ranges = split_range(start, end)
    scope = where.q()
    if where.region_id is not None:
        scope = Q(centre__region_id=where.region_id)
    out: dict[int, int] = defaultdict(int)
    queries: list[QuerySet] = []
    if months:
        queries.append(
            MonthlyTally.objects.filter(scope, dimension=Dimension.TOTAL, month__range=(months[0], months[-1]))
        )
    queries += [DailyTotal.objects.filter(scope, day__range=(a, b)) for a, b in day_ranges]
    for qs in queries:
        for centre_id, n in qs.values("centre_id").annotate(n=Sum("count")).order_by().values_list("centre_id", "n"):
            out[centre_id] += n or 0
    return {k: v for k, v in out.items() if v}


def totals_by_region(
    *, region_id: int | None, start: dt.date, end: dt.date, dimension: str = Dimension.TOTAL, value: str = ""
) -> dict[int, int]:
    """Region id → consultations in [start, end] (of one dimension's value: by default all of them), of one
    region or of every region, from the regions' tallies: whole months monthly, other days daily."""
    months, day_ranges = split_range(start, end)
    where = Q(dimension=dimension, value=value) & (Q(region_id=region_id) if region_id is not None else Q())
    queries: list[QuerySet] = []
    if months:
        queries.append(RegionMonthlyTally.objects.filter(where, month__range=(months[0], months[-1])))
    queries += [RegionDailyTally.objects.filter(where, day__range=(a, b)) for a, b in day_ranges]
    out: dict[int, int] = defaultdict(int)
    for qs in queries:
        for region, n in qs.values("region_id").annotate(n=Sum("count")).order_by().values_list("region_id", "n"):
            out[region] += n or 0
    return {k: v for k, v in out.items() if v}


@dataclass
class Progress:
    target: ConsultationTarget | None
    period: Period | None
    done: int = 0

    @property
    def share(self) -> float | None:
        if self.target is None:
            return None
        return self.done / self.target.consultations

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)

    @property
    def on_track(self) -> bool | None:
        """The target of the current period has been met."""
        if self.target is None or self.period is None:
            return None
        return self.done >= self.target.consultations


def progress(centre: Centre, *, on: dt.date) -> Progress:
    target = target_for(centre, on=on)
    if target is None:
        return Progress(None, None)
    period = reporting_period(target, on=on)
    done = totals_by_centre(where=ScopeFilter(centre_ids=(centre.pk,)), start=period.start, end=period.end).get(
        centre.pk, 0
    )
    return Progress(target, period, done)


@dataclass
class CentreLine:
    centre: Centre
    count: int
    target: ConsultationTarget | None
    period: Period | None
    period_count: int

    @property
    def percent(self) -> int | None:
        if self.target is None:
            return None
        return round(self.period_count * 100 / self.target.consultations)

    @property
    def below_target(self) -> bool:
        return self.target is not None and self.period_count < self.target.consultations


def centre_table(*, centres: QuerySet[Centre], start: dt.date, end: dt.date, on: dt.date) -> list[CentreLine]:
    """One line per centre: consultations in [start, end] and progress in the current period."""
    centre_list = list(centres.select_related("settlement", "region"))
    ids = tuple(c.pk for c in centre_list)
    counts = totals_by_centre(where=ScopeFilter(centre_ids=ids), start=start, end=end)
    targets: dict[int, ConsultationTarget] = {}
    for t in ConsultationTarget.objects.filter(centre_id__in=ids, starts_on__lte=on).order_by("centre_id", "starts_on"):
        targets[t.centre_id] = t  # the latest that has started
    # Centres share periods when their targets do: count each distinct period once.
    periods = {cid: reporting_period(t, on=on) for cid, t in targets.items()}
    by_period: dict[Period, list[int]] = defaultdict(list)
    for cid, p in periods.items():
        by_period[p].append(cid)
    period_counts: dict[int, int] = {}
    for p, cids in by_period.items():
        period_counts.update(totals_by_centre(where=ScopeFilter(centre_ids=tuple(cids)), start=p.start, end=p.end))
    return [
        CentreLine(c, counts.get(c.pk, 0), targets.get(c.pk), periods.get(c.pk), period_counts.get(c.pk, 0))
        for c in centre_list
    ]


def free_text_candidates(*, user: User, start: dt.date, end: dt.date, limit: int = 100) -> list[dict[str, Any]]:
    """Services typed as free text, most frequent first: candidates for new catalogue cards.

    Grouped case-insensitively in Python: SQLite's LOWER() folds only Latin letters."""
    visible = consultation_list_visible_to(user=user, filters=ConsultationFilters(start=start, end=end))
    rows = (
        ConsultationService.objects.filter(card__isnull=True, consultation__in=visible.values("pk"))
        .values("free_text", "consultation__centre_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    centres: dict[str, set[int]] = defaultdict(set)
    for row in rows.iterator(chunk_size=5000):
        key = " ".join(row["free_text"].split()).casefold()
        counts[key] += row["n"]
        centres[key].add(row["consultation__centre_id"])
    ordered = sorted(counts, key=lambda k: (-counts[k], k))[:limit]
    return [{"key": k, "count": counts[k], "centres": len(centres[k])} for k in ordered]


def regions_visible_to(*, user: User) -> QuerySet[Region]:
    scope = scope_for(user)
    if scope.network:
        return Region.objects.order_by("name")
    return Region.objects.filter(pk__in=scope.region_ids).order_by("name")


def last_profile(*, user: User, centre: Centre) -> Consultation | None:
    """The user's latest entry in the centre ("same as last visitor")."""
    return Consultation.objects.filter(author=user, centre=centre).order_by("-created_at", "-id").first()


def service_usage(*, centre_ids: tuple[int, ...], since: dt.date) -> dict[int, int]:
    """Card id → consultations that used it since a month start (from the monthly tally)."""
    rows = (
        MonthlyTally.objects.filter(centre_id__in=centre_ids, month__gte=since, dimension=Dimension.SERVICE)
        .exclude(value=FREE_TEXT_SERVICE)
        .values("value")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {int(r["value"]): r["n"] or 0 for r in rows if r["value"].isdigit()}


def service_names_for(*, centre: Centre, today: dt.date) -> list[str]:
    """Names for the service field's suggestion list: the region's active cards, those this
    centre used most in the last year first (from the tallies), then the rest by name."""
    cards = list(
        ServiceCard.objects.filter(status=CardStatus.ACTIVE).filter(in_region_q(centre.region)).order_by("name")[:600]
    )
    usage = service_usage(centre_ids=(centre.pk,), since=today.replace(day=1) - dt.timedelta(days=365))
    cards.sort(key=lambda c: (-usage.get(c.pk, 0), c.display_name))
    return [c.display_name for c in cards]


def card_usage_by_region(*, region: Region | None, since: dt.date, limit: int = 200) -> dict[int, int]:
    """Card id → consultations that used it since a month start, in the region's centres (all
    centres without a region): the `limit` most used. The catalogue's "most asked" reads it
    through the `CIPNET_CATALOGUE_USAGE` setting (eservices may not import consultations)."""
    usage = MonthlyTally.objects.filter(dimension=Dimension.SERVICE, month__gte=since).exclude(value=FREE_TEXT_SERVICE)
    if region is not None:
        usage = usage.filter(centre__region=region)
    return {
        int(row["value"]): row["n"]
        for row in usage.values("value").annotate(n=Sum("count")).order_by("-n")[:limit]
        if row["value"].isdigit()
    }
