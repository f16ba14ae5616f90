"""Every read of programme results that a page or the API needs, scoped to the user (issue 16)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.consultations import selectors as consultations
from cipnet.consultations.models import AgeBand, Gender, SettlementType
from cipnet.core.clock import local, now
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.directory.models import Centre, Region
from cipnet.reporting import selectors as reporting
from cipnet.reporting import services as reporting_services
from cipnet.reporting.models import Correction, MonthEvent, MonthReport, MonthStatus, month_of, next_month
from cipnet.results import opendata
from cipnet.results.figures import Figure, figure_memo, load_figure_rows, programme_centre_ids
from cipnet.results.figures import figure as figure
from cipnet.results.models import Aggregation, Disaggregation, DonorReport, Indicator, Programme, Result
from cipnet.results.reports import report_periods
from cipnet.results.sources import COUNT, REGISTRY, Counts
from cipnet.results.sources import Scope as Scope


def programme_list_visible_to(*, user: User) -> QuerySet[Programme]:
    """The network sees every programme; others, those counting one of their centres, or every centre."""
    seen = scope_for(user)
    qs = Programme.objects.all()
    if seen.network:
        return qs
    if not seen.is_staff_member:
        return qs.none()
    links = Programme.centres.through.objects.filter(programme=OuterRef("pk"))
    mine = links.filter(centre__in=Centre.objects.filter(seen.centre_q()).values("pk"))
    return qs.filter(Q(Exists(mine)) | ~Exists(links))


def programme_get_for_user(*, user: User, code: str) -> Programme:
    programme = programme_list_visible_to(user=user).filter(code=code).first()
    if programme is None:
        raise NotFoundOrNotAllowed
    return programme


def programme_get_public(*, code: str) -> Programme:
    programme = Programme.objects.filter(code=code, is_public=True).first()
    if programme is None:  # a programme not made public (a draft) is not there for the public
        raise Http404
    return programme


@dataclass(frozen=True)
class ScopeChoice:
    key: str  # "network", "region-3", "centre-17"
    label: str
    scope: Scope
    kind: str  # "network", "region" or "centre"


#: Centres listed one by one (in the scope menu and the table by centre) up to this many; a network-wide
#: programme of a large network is read by region, then a centre is opened from its address.
MAX_LISTED_CENTRES = 60


def _counted_centres(programme: Programme) -> QuerySet[Centre]:
    own = programme_centre_ids(programme)
    return Centre.objects.filter(pk__in=own) if own else Centre.objects.filter(status__in=["active", "suspended"])


def scope_choices(*, user: User | None, programme: Programme) -> list[ScopeChoice]:
    """The scopes a user may look at in a programme: the network (the network's staff), their regions
    and, when they are few, the programme's centres they see. None: the public (the network only)."""
    centres = _counted_centres(programme)
    regions = Region.objects.filter(pk__in=centres.values("region_id")).order_by("name")
    network = ScopeChoice("network", "", Scope(), "network")
    if user is None:
        return [network]
    seen = scope_for(user)
    out: list[ScopeChoice] = [network] if seen.network else []
    for region in regions:
        if seen.network or region.pk in seen.region_ids:
            out.append(ScopeChoice(f"region-{region.pk}", region.display_name, Scope(region_id=region.pk), "region"))
    visible = centres.filter(seen.centre_q())
    if visible.count() <= MAX_LISTED_CENTRES:
        out += [_centre_choice(c) for c in visible.select_related("region").order_by("region__name", "name")]
    return out


def _centre_choice(centre: Centre) -> ScopeChoice:
    return ScopeChoice(f"centre-{centre.pk}", centre.display_name, Scope(centre_id=centre.pk), "centre")


def choose_scope(
    choices: list[ScopeChoice], key: str, *, user: User | None = None, programme: Programme | None = None
) -> ScopeChoice:
    """The scope asked for, or the widest one the user has; an unknown or hidden one is a 404. A centre
    not listed (a large programme's) is found by its key when the user sees it and the programme counts it."""
    if not choices:
        raise NotFoundOrNotAllowed
    if not key:
        return choices[0]
    for choice in choices:
        if choice.key == key:
            return choice
    number = key.removeprefix("centre-")
    if user is not None and programme is not None and key.startswith("centre-") and number.isdigit():
        centre = _counted_centres(programme).filter(scope_for(user).centre_q(), pk=int(number)).first()
        if centre is not None:
            return _centre_choice(centre)
    raise NotFoundOrNotAllowed


def periods(programme: Programme) -> list[tuple[dt.date, dt.date]]:
    """The whole programme first, then every period a target is set for within it."""
    return report_periods(programme, programme.starts_on, programme.ends_on)


@dataclass
class ResultRow:
    result: Result
    depth: int
    figures: list[Figure] = field(default_factory=list)


def logframe(
    programme: Programme, *, scope: Scope, start: dt.date, end: dt.date, on: dt.date | None = None
) -> list[ResultRow]:
    """The results tree in order, each with its indicators' figures for the scope and span."""
    results = list(programme.results.order_by("position", "code"))
    indicators: dict[int, list[Indicator]] = {}
    counted = programme_centre_ids(programme)
    items = list(Indicator.objects.filter(result__programme=programme).select_related("result__programme"))
    load_figure_rows(items, [scope])
    for indicator in items:
        indicators.setdefault(indicator.result_id, []).append(indicator)
    memo: dict[Any, Any] = {}
    children: dict[int | None, list[Result]] = {}
    for result in results:
        children.setdefault(result.parent_id, []).append(result)
    rows: list[ResultRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for result in children.get(parent, []):
            items = sorted(indicators.get(result.pk, []), key=lambda i: (i.position, i.code))
            figures = [figure(i, scope=scope, start=start, end=end, on=on, counted=counted, memo=memo) for i in items]
            rows.append(ResultRow(result, depth, figures))
            walk(result.pk, depth + 1)

    walk(None, 0)
    return rows


def indicator_get(*, programme: Programme, code: str) -> Indicator:
    # Its targets and values entered by hand are read for the scope asked (figures.load_figure_rows).
    indicator = (
        Indicator.objects.filter(result__programme=programme, code=code).select_related("result__programme").first()
    )
    if indicator is None:
        raise NotFoundOrNotAllowed
    return indicator


def by_centre(
    indicator: Indicator,
    *,
    user: User,
    chosen: ScopeChoice,
    start: dt.date,
    end: dt.date,
    on: dt.date | None = None,
) -> tuple[list[tuple[ScopeChoice, Figure]], int]:
    """The indicator's figures for each centre of the chosen scope the user may see (the programme's
    centres), and how many centres there are: none listed beyond `MAX_LISTED_CENTRES`."""
    if chosen.kind == "centre":
        return [], 1
    centres = _counted_centres(indicator.result.programme).filter(scope_for(user).centre_q())
    if chosen.scope.region_id is not None:
        centres = centres.filter(region_id=chosen.scope.region_id)
    count = centres.count()
    if count > MAX_LISTED_CENTRES:
        return [], count
    choices = [_centre_choice(c) for c in centres.select_related("region").order_by("region__name", "name")]
    load_figure_rows([indicator], [c.scope for c in choices])
    counted = programme_centre_ids(indicator.result.programme)
    memo = _counts_by_centre(indicator, chosen.scope, [c.scope for c in choices], start, end, counted)
    return [
        (choice, figure(indicator, scope=choice.scope, start=start, end=end, on=on, counted=counted, memo=memo))
        for choice in choices
    ], count


def _counts_by_centre(
    indicator: Indicator, scope: Scope, centres: list[Scope], start: dt.date, end: dt.date, counted: tuple[int, ...]
) -> dict[Any, Any]:
    """Each listed centre's counts from one read of the chosen scope's breakdown by centre (it adds up to
    the scope's total, centre by centre), as `figure`'s memo; a centre's own breakdowns are read only if
    asked for. Empty for a source without a breakdown by centre (each centre is then read on its own)."""
    source = REGISTRY.get(indicator.source) if indicator.source else None
    if source is None or Disaggregation.CENTRE not in source.dimensions:
        return {}
    first = indicator.result.programme.starts_on if indicator.aggregation == Aggregation.CUMULATIVE else start

    def within(s: Scope) -> Scope:  # as `figure` scopes them
        return replace(s, within=counted) if s.within is None and counted else s

    seen = figure_memo(indicator)
    outer = (source.key, within(scope), first, end)
    memo: dict[Any, Any] = {}
    if source.kind == COUNT and source.count is not None:
        count = source.count
        if outer not in seen:
            seen[outer] = count(within(scope), first, end)
        by_centre = seen[outer].by.get(Disaggregation.CENTRE, {})
        for s in map(within, centres):
            memo[(source.key, s, first, end)] = Counts(
                by_centre.get(str(s.centre_id), 0), breakdowns=partial(_breakdowns_of, count, s, first, end)
            )
    elif source.ratio is not None:
        ratio = source.ratio
        if outer not in seen:
            seen[outer] = ratio(within(scope), first, end)
        numerator, denominator = (c.by.get(Disaggregation.CENTRE, {}) for c in seen[outer])
        for s in map(within, centres):
            key = str(s.centre_id)
            memo[(source.key, s, first, end)] = (
                Counts(numerator.get(key, 0), breakdowns=partial(_breakdowns_of, ratio, s, first, end, 0)),
                Counts(denominator.get(key, 0), breakdowns=partial(_breakdowns_of, ratio, s, first, end, 1)),
            )
    return memo


def _breakdowns_of(
    read: Callable[[Scope, dt.date, dt.date], Any], scope: Scope, start: dt.date, end: dt.date, part: int | None = None
) -> dict[str, dict[str, int]]:
    """A centre's own breakdowns, read when a page asks for them (a ratio's numerator 0 or denominator 1)."""
    counts = read(scope, start, end)
    return (counts if part is None else counts[part]).by


def source_label(indicator: Indicator) -> str:
    source = REGISTRY.get(indicator.source)
    return str(source.label) if source is not None else ""


def dimension_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in Disaggregation.choices}


#: The consultation log's bands in their own order (youngest first, "not stated" last).
BAND_ORDER: dict[str, list[str]] = {
    Disaggregation.AGE_BAND: list(AgeBand.values),
    Disaggregation.GENDER: list(Gender.values),
    Disaggregation.SETTLEMENT: list(SettlementType.values),
}


@dataclass
class BreakdownRow:
    label: str
    count: int
    share: int  # % of the total
    bar: int  # % of the largest


def breakdowns(fig: Figure, *, skip: tuple[str, ...] = ()) -> list[tuple[str, str, list[BreakdownRow]]]:
    """(disaggregation, its label, rows) for each disaggregation the indicator reports but `skip`: the
    consultation log's bands in their own order, centres and regions largest first."""
    wanted = [d for d in fig.indicator.disaggregations if d in fig.by and d not in skip]
    total = int(fig.numerator.total) if fig.numerator is not None else 0
    labels = dimension_labels()
    # Names of the centres and regions shown only (a breakdown is read when first asked for).
    shown = {d: [int(v) for v in fig.by[d]] if d in wanted else [] for d in ("centre", "region")}
    centre_names = {
        c.pk: c.display_name
        for c in Centre.objects.filter(pk__in=shown["centre"]).only("pk", "name", "name_en", "name_pl")
    }
    region_names = {r.pk: r.display_name for r in Region.objects.filter(pk__in=shown["region"])}
    out = []
    for dimension in wanted:
        values = fig.by[dimension]
        top = max(values.values(), default=0) or 1
        rows = []
        order = BAND_ORDER.get(dimension)
        ranked = (
            sorted(values.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
            if order
            else sorted(values.items(), key=lambda kv: -kv[1])
        )
        for value, count in ranked:
            if dimension == Disaggregation.CENTRE:
                label = centre_names.get(int(value), value)
            elif dimension == Disaggregation.REGION:
                label = region_names.get(int(value), value)
            else:
                label = consultations.value_label(dimension, value)
            rows.append(
                BreakdownRow(str(label), count, round(count * 100 / total) if total else 0, round(count * 100 / top))
            )
        out.append((dimension, labels.get(dimension, dimension), rows))
    return out


#: The consultation log's list filters that show the rows a source counts.
_ROWS = {"consultations": {}, "eservices_completed": {"help_kind": "eservice", "outcome": "completed"}}


def rows_filter(indicator: Indicator) -> dict[str, str] | None:
    """How the consultation log's entries page shows the rows behind a figure; None: not from the log."""
    found = _ROWS.get(indicator.source)
    return dict(found) if found is not None else None


def counts_every_centre(programme: Programme) -> bool:
    return not programme_centre_ids(programme)


def donor_reports_visible_to(*, user: User, programme: Programme) -> QuerySet[DonorReport]:
    """A donor report holds every centre's figures: the network's staff only."""
    if not scope_for(user).network:
        return DonorReport.objects.none()
    reports = DonorReport.objects.filter(programme=programme).select_related("generated_by")
    return reports.defer("content", "iati_xml", "pdf")


def donor_report_get_for_user(*, user: User, programme: Programme, pk: int) -> DonorReport:
    report = DonorReport.objects.filter(pk=pk, programme=programme).first() if scope_for(user).network else None
    if report is None:
        raise NotFoundOrNotAllowed
    return report


# --- Monthly reporting of the programme's centres (submission and approval, ADR 12) -----------------


def programme_months(programme: Programme, *, start: dt.date, end: dt.date, on: dt.date) -> list[dt.date]:
    """The calendar months (first days) of `start`..`end` that have begun by `on`."""
    months: list[dt.date] = []
    month = month_of(max(start, programme.starts_on))
    last = month_of(min(end, programme.ends_on, on))
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def scope_centres(programme: Programme, scope: Scope) -> QuerySet[Centre]:
    """The programme's centres within a scope."""
    centres = _counted_centres(programme)
    if scope.centre_id is not None:
        return centres.filter(pk=scope.centre_id)
    if scope.region_id is not None:
        return centres.filter(region_id=scope.region_id)
    return centres


def reporting_completeness(
    programme: Programme, *, scope: Scope, start: dt.date, end: dt.date, on: dt.date
) -> list[reporting.Completeness]:
    """Per month of the span: how many of the scope's centres submitted it, on time, and approved."""
    months = programme_months(programme, start=start, end=end, on=on)
    return reporting.completeness(centres=scope_centres(programme, scope), months=months)


@dataclass
class MonthRow:
    centre: Centre
    entries: int
    report: MonthReport | None
    can_submit: bool = False
    can_approve: bool = False
    can_return: bool = False

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else MonthStatus.OPEN

    @property
    def status_label(self) -> str:
        return str(MonthStatus(self.status).label)


def month_rows(*, user: User, programme: Programme, month: dt.date, region_id: int | None = None) -> list[MonthRow]:
    """The programme's centres the user sees (in one region when given), each with its entries in the
    month, its month's status and what the user may do with it."""
    seen = scope_for(user)
    centres = _counted_centres(programme).filter(seen.centre_q()).select_related("region")
    if region_id is not None:
        centres = centres.filter(region_id=region_id)
    listed = list(centres.order_by("region__name", "name")[: MAX_LISTED_CENTRES + 1])
    ids = tuple(c.pk for c in listed)
    end = next_month(month) - dt.timedelta(days=1)
    entries = consultations.totals_by_centre(where=consultations.ScopeFilter(centre_ids=ids), start=month, end=end)
    reports = reporting.month_reports(centre_ids=ids, months=[month])
    over = month < month_of(_today())
    rows = []
    for centre in listed:
        report = reports.get((centre.pk, month))
        row = MonthRow(centre, entries.get(centre.pk, 0), report)
        if row.status == MonthStatus.OPEN:
            row.can_submit = over and reporting_services.can_submit(user, centre)
        elif row.status == MonthStatus.SUBMITTED:
            row.can_approve = row.can_return = reporting_services.can_approve_region(user, centre)
        elif row.status == MonthStatus.REGION_APPROVED:
            row.can_approve = row.can_return = reporting_services.can_approve_network(user)
        rows.append(row)
    return rows


def _today() -> dt.date:
    return local(now()).date()


def month_centre_get(*, user: User, programme: Programme, centre_id: int) -> Centre:
    """A centre of the programme that the user sees (else 404)."""
    centre = _counted_centres(programme).filter(scope_for(user).centre_q(), pk=centre_id).first()
    if centre is None:
        raise NotFoundOrNotAllowed
    return centre


def month_events(*, centre: Centre, month: dt.date) -> QuerySet[MonthEvent]:
    return MonthEvent.objects.filter(month_report__centre=centre, month_report__month=month).select_related("actor")


def corrections(programme: Programme, *, scope: Scope, start: dt.date, end: dt.date) -> QuerySet[Correction]:
    return reporting.corrections(centres=scope_centres(programme, scope), start=start, end=end)


def programme_list_public() -> QuerySet[Programme]:
    """The programmes whose results are open to everyone."""
    return Programme.objects.filter(is_public=True).order_by("-starts_on", "code")


#: How long a public programme's open data table is kept before it is computed again (seconds): as
#: long as its public page (ADR 10).
OPEN_DATA_SECONDS = 60


def open_data_rows(programme: Programme) -> list[dict[str, Any]]:
    """A public programme's open data table (`cipnet.results.opendata`), small cells suppressed, as
    plain rows; kept a minute, as the public page."""
    if not programme.is_public:
        raise NotFoundOrNotAllowed
    key = f"results:open-data:{programme.pk}:{programme.updated_at.isoformat()}"
    rows = cache.get(key)
    if rows is None:
        rows = [row.as_dict() for row in opendata.table(programme)]
        cache.set(key, rows, OPEN_DATA_SECONDS)
    return rows


def open_data_indicators(programme: Programme) -> list[Indicator]:
    return opendata.public_indicators(programme)
