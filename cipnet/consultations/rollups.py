"""Daily and monthly marginal tallies, kept equal to a recount of the raw entries.

Writers call `apply()` with the facts of entries added (+1) or removed (-1) inside the
same transaction as the entry itself; an edit is a removal of the old facts and an
addition of the new. The upsert adds to the stored counts in the database
(`INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count`, the same SQL on
SQLite and PostgreSQL), so concurrent writers never lose an increment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from cipnet.consultations.models import (
    CATEGORY_BITS,
    FREE_TEXT_SERVICE,
    Consultation,
    ConsultationService,
    DailyTally,
    Dimension,
    MonthlyTally,
    Tally,
    mask_to_categories,
)

# (centre_id, day, dimension, value)
Key = tuple[int, dt.date, str, str]
# [count, minutes_sum, minutes_n, score_sum, score_n]
Sums = list[int]
SUM_FIELDS = ("count", "minutes_sum", "minutes_n", "score_sum", "score_n")

_SCALAR_DIMENSIONS = {
    Dimension.HELP_KIND: "help_kind",
    Dimension.OUTCOME: "outcome",
    Dimension.CHANNEL: "channel",
    Dimension.GENDER: "gender",
    Dimension.AGE_BAND: "age_band",
    Dimension.SETTLEMENT: "settlement_type",
}


@dataclass(frozen=True)
class Facts:
    """What the tallies need to know about one entry."""

    centre_id: int
    day: dt.date
    help_kind: str
    outcome: str
    obstacle: str
    channel: str
    gender: str
    age_band: str
    categories: int
    settlement_type: str
    first_visit: bool | None
    satisfaction: int | None
    duration_minutes: int | None
    #: Card ids as strings, and FREE_TEXT_SERVICE once if any service was free text.
    services: tuple[str, ...]

    @classmethod
    def of(cls, c: Consultation, services: Iterable[ConsultationService] | None = None) -> Facts:
        rows = list(services if services is not None else c.services.all())
        values = sorted({str(s.card_id) if s.card_id else FREE_TEXT_SERVICE for s in rows})
        return cls(
            centre_id=c.centre_id,
            day=c.day,
            help_kind=c.help_kind,
            outcome=c.outcome,
            obstacle=c.obstacle,
            channel=c.channel,
            gender=c.gender,
            age_band=c.age_band,
            categories=c.categories,
            settlement_type=c.settlement_type,
            first_visit=c.first_visit,
            satisfaction=c.satisfaction,
            duration_minutes=c.duration_minutes,
            services=tuple(values),
        )


def first_visit_value(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def keys_of(facts: Facts) -> Iterator[tuple[str, str]]:
    """The (dimension, value) pairs one entry counts towards."""
    yield Dimension.TOTAL, ""
    for dimension, attr in _SCALAR_DIMENSIONS.items():
        yield dimension, getattr(facts, attr)
    if facts.obstacle:
        yield Dimension.OBSTACLE, facts.obstacle
    categories = mask_to_categories(facts.categories)
    for category in categories or ["none"]:
        yield Dimension.CATEGORY, category
    yield Dimension.FIRST_VISIT, first_visit_value(facts.first_visit)
    yield Dimension.SATISFACTION, str(facts.satisfaction) if facts.satisfaction else "none"
    for service in facts.services:
        yield Dimension.SERVICE, service


def deltas(changes: Iterable[tuple[Facts, int]]) -> dict[Key, Sums]:
    """Sum the contributions of entries added (+1) and removed (-1)."""
    out: dict[Key, Sums] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for facts, sign in changes:
        minutes = facts.duration_minutes
        score = facts.satisfaction
        for dimension, value in keys_of(facts):
            row = out[(facts.centre_id, facts.day, dimension, value)]
            row[0] += sign
            if minutes is not None:
                row[1] += sign * minutes
                row[2] += sign
            if score is not None:
                row[3] += sign * score
                row[4] += sign
    return {k: v for k, v in out.items() if any(v)}


def _upsert(model: type[Tally], period_column: str, rows: dict[Key, Sums]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ["centre_id", period_column, "dimension", "value", *SUM_FIELDS]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    conflict = ", ".join(connection.ops.quote_name(c) for c in columns[:4])
    q = connection.ops.quote_name
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in SUM_FIELDS)
    items = list(rows.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), 400):
            chunk = items[start : start + 400]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
            params: list[Any] = []
            for (centre_id, period, dimension, value), sums in chunk:
                params.extend([centre_id, period, dimension, value, *sums])
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES {placeholders} "  # noqa: S608 — identifiers only
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )


def apply(changes: Iterable[tuple[Facts, int]]) -> None:
    """Add entries (+1) / remove entries (-1) to / from the daily and monthly tallies."""
    daily = deltas(changes)
    if not daily:
        return
    monthly: dict[Key, Sums] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for (centre_id, day, dimension, value), sums in daily.items():
        row = monthly[(centre_id, day.replace(day=1), dimension, value)]
        for i, v in enumerate(sums):
            row[i] += v
    with transaction.atomic():
        _upsert(DailyTally, "day", daily)
        _upsert(MonthlyTally, "month", {k: v for k, v in monthly.items() if any(v)})
        if any(sums[0] < 0 for sums in daily.values()):
            centres = {k[0] for k in daily}
            days = {k[1] for k in daily}
            DailyTally.objects.filter(centre_id__in=centres, day__in=days, count__lte=0).delete()
            months = {d.replace(day=1) for d in days}
            MonthlyTally.objects.filter(centre_id__in=centres, month__in=months, count__lte=0).delete()


# --- Rebuilding from the raw entries ---------------------------------------------------------

_SUMS = {
    "count": Count("id"),
    "minutes_sum": Coalesce(Sum("duration_minutes"), Value(0)),
    "minutes_n": Count("duration_minutes"),
    "score_sum": Coalesce(Sum("satisfaction"), Value(0)),
    "score_n": Count("satisfaction"),
}


def _grouped(qs: QuerySet[Consultation]) -> Iterator[tuple[int, dt.date, str, str, Sums]]:
    """Every (centre, day, dimension, value) with its sums, by GROUP BY over raw entries."""

    def rows(
        q: QuerySet, dimension: str, field: str | None, fmt: Any = str
    ) -> Iterator[tuple[int, dt.date, str, str, Sums]]:
        group = ["centre_id", "day"] + ([field] if field else [])
        for r in q.values(*group).annotate(**_SUMS).order_by():
            value = fmt(r[field]) if field else ""
            yield r["centre_id"], r["day"], dimension, value, [r[f] for f in SUM_FIELDS]

    yield from rows(qs, Dimension.TOTAL, None)
    for dimension, field in _SCALAR_DIMENSIONS.items():
        yield from rows(qs, dimension, field)
    yield from rows(qs.exclude(obstacle=""), Dimension.OBSTACLE, "obstacle")
    for category, bit in CATEGORY_BITS.items():
        flagged = qs.annotate(flag=F("categories").bitand(bit)).filter(flag__gt=0)
        yield from ((c, d, dim, category, s) for c, d, dim, _v, s in rows(flagged, Dimension.CATEGORY, None))
    yield from ((c, d, dim, "none", s) for c, d, dim, _v, s in rows(qs.filter(categories=0), Dimension.CATEGORY, None))
    yield from rows(qs, Dimension.FIRST_VISIT, "first_visit", first_visit_value)
    yield from rows(qs, Dimension.SATISFACTION, "satisfaction", lambda v: str(v) if v else "none")
    # Services: a card appears once per entry; free text counts once per entry however many.
    with_card = qs.filter(services__card__isnull=False)
    yield from rows(with_card, Dimension.SERVICE, "services__card_id")
    free = qs.filter(Q(services__card__isnull=True) & Q(services__isnull=False)).distinct()
    free_ids = Consultation.objects.filter(pk__in=free.values("pk"))
    yield from ((c, d, dim, FREE_TEXT_SERVICE, s) for c, d, dim, _v, s in rows(free_ids, Dimension.SERVICE, None))


def rebuild(
    *, centre_ids: Iterable[int] | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> int:
    """Recompute the tallies from the raw entries (whole months), for some centres or all.

    Returns the number of daily rows written. Run by `manage.py rebuild_consultation_tallies`.
    """
    where = Q()
    if centre_ids is not None:
        ids = list(centre_ids)
        where &= Q(centre_id__in=ids)
    day_q = Q()
    if start is not None:
        start = start.replace(day=1)
        day_q &= Q(day__gte=start)
    if end is not None:
        end = month_last_day(end)
        day_q &= Q(day__lte=end)
    qs = Consultation.objects.filter(where, day_q)
    month_q = Q()
    if start is not None:
        month_q &= Q(month__gte=start)
    if end is not None:
        month_q &= Q(month__lte=end)
    written = 0
    with transaction.atomic():
        DailyTally.objects.filter(where, day_q).delete()
        MonthlyTally.objects.filter(where, month_q).delete()
        batch: list[DailyTally] = []
        for centre_id, day, dimension, value, sums in _grouped(qs):
            batch.append(
                DailyTally(
                    centre_id=centre_id,
                    day=day,
                    dimension=dimension,
                    value=value,
                    **dict(zip(SUM_FIELDS, sums, strict=True)),
                )
            )
            if len(batch) >= 5000:
                DailyTally.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        DailyTally.objects.bulk_create(batch)
        written += len(batch)
        monthly_src = DailyTally.objects.filter(where, day_q)
        totals: dict[Key, Sums] = defaultdict(lambda: [0, 0, 0, 0, 0])
        for row in monthly_src.values_list("centre_id", "day", "dimension", "value", *SUM_FIELDS).iterator(
            chunk_size=20000
        ):
            target = totals[(row[0], row[1].replace(day=1), row[2], row[3])]
            for i in range(5):
                target[i] += row[4 + i]
        MonthlyTally.objects.bulk_create(
            [
                MonthlyTally(centre_id=c, month=m, dimension=dim, value=v, **dict(zip(SUM_FIELDS, s, strict=True)))
                for (c, m, dim, v), s in totals.items()
            ],
            batch_size=5000,
        )
    return written


def month_last_day(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def recount(qs: QuerySet[Consultation]) -> dict[Key, Sums]:
    """The daily tallies the entries in `qs` should produce, computed in Python (tests, checks)."""
    entries = list(qs.prefetch_related("services"))
    return deltas((Facts.of(c, c.services.all()), 1) for c in entries)


def stored_daily(*, centre_ids: Iterable[int] | None = None) -> dict[Key, Sums]:
    qs = DailyTally.objects.all()
    if centre_ids is not None:
        qs = qs.filter(centre_id__in=list(centre_ids))
    return {(r.centre_id, r.day, r.dimension, r.value): [getattr(r, f) for f in SUM_FIELDS] for r in qs}


def stored_monthly_from_daily(daily: dict[Key, Sums]) -> dict[Key, Sums]:
    out: dict[Key, Sums] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for (c, d, dim, v), sums in daily.items():
        row = out[(c, d.replace(day=1), dim, v)]
        for i, x in enumerate(sums):
            row[i] += x
    return dict(out)
