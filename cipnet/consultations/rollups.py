"""Consultation tallies, kept equal to a recount of the raw entries (ADR 5).

Four tables, chosen so that no dashboard reads more than a few thousand rows whatever its scope
(the 20-million benchmark is in bench/results/consultations.md):

- `DailyTotal` (centre, day): how many, without breakdown — targets and the table of centres;
- `MonthlyTally` (centre, month, dimension, value): a centre's breakdowns;
- `RegionDailyTally` (region, day, dimension, value) and `RegionMonthlyTally` (region, month, …):
  the breakdowns of a region, and of the network as the sum of its regions.

A centre's breakdown for the days of a partial month is computed from those days' entries, read
through the (centre, day) index: at a few visitors per centre and day a per-centre daily breakdown
would hold more rows than the entries themselves (ADR 5).

Writers call `apply()` with the facts of entries added (+1) or removed (-1) inside the same
transaction as the entry itself; an edit is a removal of the old facts and an addition of the new.
The upsert adds to the stored counts in the database (`INSERT … ON CONFLICT … DO UPDATE SET count =
count + excluded.count`, the same SQL on SQLite and PostgreSQL), so concurrent writers never lose an
increment. `rebuild()` recomputes them with INSERT … SELECT … GROUP BY, one statement per dimension
(region months are summed from region days).
"""

# SQL here is built from table names and constants of this module only; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from cipnet.consultations.models import (
    CATEGORY_BITS,
    ESERVICE_OUTCOME,
    FREE_TEXT_SERVICE,
    Consultation,
    ConsultationService,
    DailyTotal,
    Dimension,
    HelpKind,
    MonthlyTally,
    RegionDailyTally,
    RegionMonthlyTally,
    mask_to_categories,
)
from cipnet.directory.models import Centre

# A tally key: (owner id, day or first of month[, dimension, value]).
Key = tuple[Any, ...]
# [count, minutes_sum, minutes_n, score_sum, score_n]
Sums = list[int]
SUM_FIELDS = ("count", "minutes_sum", "minutes_n", "score_sum", "score_n")
#: Every table: (name, model, owner column, period column, has dimension and value).
TABLES: tuple[tuple[str, type[models.Model], str, str, bool], ...] = (
    ("daily_total", DailyTotal, "centre_id", "day", False),
    ("centre_month", MonthlyTally, "centre_id", "month", True),
    ("region_day", RegionDailyTally, "region_id", "day", True),
    ("region_month", RegionMonthlyTally, "region_id", "month", True),
)
Tallies = dict[str, dict[Key, Sums]]

_SCALAR_DIMENSIONS = {
    Dimension.HELP_KIND: "help_kind",
    Dimension.OUTCOME: "outcome",
    Dimension.CHANNEL: "channel",
    Dimension.GENDER: "gender",
    Dimension.AGE_BAND: "age_band",
    Dimension.SETTLEMENT: "settlement_type",
}
#: The columns `Facts` is made of, for reading entries with values_list().
FACT_COLUMNS = (
    "id",
    "centre_id",
    "day",
    "help_kind",
    "outcome",
    "obstacle",
    "channel",
    "gender",
    "age_band",
    "categories",
    "settlement_type",
    "first_visit",
    "satisfaction",
    "duration_minutes",
)


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
            services=service_values(s.card_id for s in rows),
        )


def service_values(card_ids: Iterable[int | None]) -> tuple[str, ...]:
    return tuple(sorted({str(card) if card else FREE_TEXT_SERVICE for card in card_ids}))


def facts_of_entries(qs: models.QuerySet[Consultation]) -> Iterator[Facts]:
    """The facts of the entries in `qs`, in two queries (entries, then their services)."""
    rows = list(qs.order_by().values_list(*FACT_COLUMNS))
    cards: dict[int, list[int | None]] = defaultdict(list)
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for consultation_id, card_id in ConsultationService.objects.filter(consultation_id__in=chunk).values_list(
            "consultation_id", "card_id"
        ):
            cards[consultation_id].append(card_id)
    for r in rows:
        yield Facts(**dict(zip(FACT_COLUMNS[1:], r[1:], strict=True)), services=service_values(cards.get(r[0], [])))


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
    if facts.help_kind == HelpKind.ESERVICE:
        yield ESERVICE_OUTCOME, facts.outcome


def sums_of(facts: Facts, sign: int = 1) -> Sums:
    minutes, score = facts.duration_minutes, facts.satisfaction
    return [
        sign,
        sign * minutes if minutes is not None else 0,
        sign if minutes is not None else 0,
        sign * score if score is not None else 0,
        sign if score is not None else 0,
    ]


def _add(target: dict[Key, Sums], key: Key, sums: Sums) -> None:
    row = target.get(key)
    if row is None:
        target[key] = list(sums)
    else:
        for i, v in enumerate(sums):
            row[i] += v


def breakdown(facts: Iterable[Facts]) -> dict[tuple[str, str], Sums]:
    """(dimension, value) → sums over some entries: a partial month of a centre."""
    out: dict[Key, Sums] = {}
    for f in facts:
        sums = sums_of(f)
        for key in keys_of(f):
            _add(out, key, sums)
    return out


def deltas(changes: Iterable[tuple[Facts, int]], regions: dict[int, int]) -> Tallies:
    """What entries added (+1) and removed (-1) change in every table; zero rows dropped."""
    out: Tallies = {name: {} for name, *_ in TABLES}
    for facts, sign in changes:
        sums = sums_of(facts, sign)
        month = facts.day.replace(day=1)
        region = regions[facts.centre_id]
        _add(out["daily_total"], (facts.centre_id, facts.day), sums)
        for dimension, value in keys_of(facts):
            _add(out["centre_month"], (facts.centre_id, month, dimension, value), sums)
            _add(out["region_day"], (region, facts.day, dimension, value), sums)
            _add(out["region_month"], (region, month, dimension, value), sums)
    return {name: {k: v for k, v in rows.items() if any(v)} for name, rows in out.items()}


def _upsert(model: type[models.Model], columns: list[str], rows: dict[Key, Sums]) -> None:
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    all_columns = [*columns, *SUM_FIELDS]
    quoted = ", ".join(q(c) for c in all_columns)
    conflict = ", ".join(q(c) for c in columns)
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in SUM_FIELDS)
    items = list(rows.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), 300):
            chunk = items[start : start + 300]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(all_columns)) + ")"] * len(chunk))
            params: list[Any] = []
            for key, sums in chunk:
                params.extend([*key, *sums])
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES {placeholders} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )


def apply(changes: Iterable[tuple[Facts, int]]) -> None:
    """Add entries (+1) / remove entries (-1) to / from every tally."""
    changes = list(changes)
    if not changes:
        return
    centre_ids = {f.centre_id for f, _ in changes}
    regions = dict(Centre.objects.filter(pk__in=centre_ids).values_list("pk", "region_id"))
    tallies = deltas(changes, regions)
    removed = any(sign < 0 for _, sign in changes)
    with transaction.atomic():
        for name, model, owner, period, detailed in TABLES:
            rows = tallies[name]
            columns = [owner, period, *(["dimension", "value"] if detailed else [])]
            _upsert(model, columns, rows)
            if removed and rows:
                owners = {k[0] for k in rows}
                periods = {k[1] for k in rows}
                model._default_manager.filter(
                    **{f"{owner}__in": owners, f"{period}__in": periods, "count__lte": 0}
                ).delete()


# --- Rebuilding from the raw entries ---------------------------------------------------------

_SUMS_SQL = (
    "COUNT(*), COALESCE(SUM(x.duration_minutes), 0), COUNT(x.duration_minutes), "
    "COALESCE(SUM(x.satisfaction), 0), COUNT(x.satisfaction)"
)


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _sources() -> list[tuple[str, str, str, str]]:
    """(dimension, value expression, FROM, extra condition) for every dimension. `x` is the entry,
    `c` its centre."""
    q = connection.ops.quote_name
    cons = q(Consultation._meta.db_table)
    service = q(ConsultationService._meta.db_table)
    centre = q(Centre._meta.db_table)
    base = f"{cons} x JOIN {centre} c ON c.id = x.centre_id"
    bits = " UNION ALL ".join(
        [f"SELECT 0 AS bit, '{'none'}' AS name"] + [f"SELECT {bit}, '{name}'" for name, bit in CATEGORY_BITS.items()]
    )
    specs: list[tuple[str, str, str, str]] = [(Dimension.TOTAL, "''", base, "")]
    specs += [(dim, f"x.{col}", base, "") for dim, col in _SCALAR_DIMENSIONS.items()]
    specs.append((Dimension.OBSTACLE, "x.obstacle", base, "x.obstacle <> ''"))
    specs.append(
        (
            Dimension.CATEGORY,
            "b.name",
            f"{base} JOIN ({bits}) b ON ((x.categories & b.bit) <> 0 OR (b.bit = 0 AND x.categories = 0))",
            "",
        )
    )
    specs.append(
        (
            Dimension.FIRST_VISIT,
            "CASE WHEN x.first_visit IS NULL THEN 'unknown' WHEN x.first_visit THEN 'yes' ELSE 'no' END",
            base,
            "",
        )
    )
    specs.append((Dimension.SATISFACTION, "COALESCE(CAST(x.satisfaction AS TEXT), 'none')", base, ""))
    specs.append((ESERVICE_OUTCOME, "x.outcome", base, f"x.help_kind = '{HelpKind.ESERVICE.value}'"))
    specs.append(
        (
            Dimension.SERVICE,
            "CAST(s.card_id AS TEXT)",
            f"{service} s JOIN {cons} x ON x.id = s.consultation_id JOIN {centre} c ON c.id = x.centre_id",
            "s.card_id IS NOT NULL",
        )
    )
    specs.append(
        (
            Dimension.SERVICE,
            f"'{FREE_TEXT_SERVICE}'",
            f"{base} JOIN (SELECT DISTINCT consultation_id FROM {service} WHERE card_id IS NULL) f "
            "ON f.consultation_id = x.id",
            "",
        )
    )
    return specs


def rebuild(
    *, centre_ids: Iterable[int] | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> int:
    """Recompute the tallies from the raw entries, for whole months, with INSERT … SELECT … GROUP BY.

    With `centre_ids`, the centres' own tallies and those of their regions are rebuilt (a region's
    figures depend on all its centres). Returns the number of rows written. Run by
    `manage.py rebuild_consultation_tallies`.
    """
    first = start.replace(day=1) if start is not None else None
    last = month_last_day(end) if end is not None else None
    centres = sorted(set(centre_ids)) if centre_ids is not None else None
    regions = (
        sorted(set(Centre.objects.filter(pk__in=centres).values_list("region_id", flat=True)))
        if centres is not None
        else None
    )
    q = connection.ops.quote_name
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for name, model, owner, period, detailed in TABLES:
            owners = centres if owner == "centre_id" else regions
            owner_key = "centre_id" if owner == "centre_id" else "region_id"
            flt: dict[str, Any] = {}
            if owners is not None:
                flt[f"{owner_key}__in"] = owners
            if first is not None:
                flt[f"{period}__gte"] = first
            if last is not None:
                flt[f"{period}__lte"] = last
            model._default_manager.filter(**flt).delete()
            if owners is not None and not owners:
                continue
            # Conditions on the entries (x) and their centres (c).
            where: list[str] = []
            params: list[Any] = []
            if owners is not None:
                column = "x.centre_id" if owner == "centre_id" else "c.region_id"
                where.append(f"{column} IN ({', '.join(['%s'] * len(owners))})")
                params += owners
            if first is not None:
                where.append("x.day >= %s")
                params.append(first)
            if last is not None:
                where.append("x.day <= %s")
                params.append(last)
            owner_sql = "x.centre_id" if owner == "centre_id" else "c.region_id"
            period_sql = "x.day" if period == "day" else _month_sql("x.day")
            table = q(model._meta.db_table)
            sums = ", ".join(q(c) for c in SUM_FIELDS)
            if name == "region_month":
                # Summed from the region days just written: a few million rows, not every entry.
                month_sql = _month_sql("d.day")
                flt_sql = [w.replace("c.region_id", "d.region_id").replace("x.day", "d.day") for w in where]
                where_sql = f"WHERE {' AND '.join(flt_sql)}" if flt_sql else ""
                sums_of_days = ", ".join(f"SUM(d.{q(c)})" for c in SUM_FIELDS)
                cursor.execute(
                    f"INSERT INTO {table} ({q(owner)}, {q(period)}, dimension, value, {sums}) "
                    f"SELECT d.region_id, {month_sql}, d.dimension, d.value, {sums_of_days} "
                    f"FROM {q(RegionDailyTally._meta.db_table)} d {where_sql} "
                    f"GROUP BY d.region_id, {month_sql}, d.dimension, d.value",
                    params,
                )
                written += max(cursor.rowcount, 0)
                continue
            specs = _sources() if detailed else [(Dimension.TOTAL, "''", _sources()[0][2], "")]
            for dimension, value, source, extra in specs:
                conditions = [*where, *([extra] if extra else [])]
                where_sql = f"WHERE {' AND '.join(conditions)}" if conditions else ""
                constant = value.startswith("'")
                group = f"{owner_sql}, {period_sql}" + ("" if constant else f", {value}")
                if detailed:
                    columns = f"{q(owner)}, {q(period)}, dimension, value, {sums}"
                    select = f"{owner_sql}, {period_sql}, '{dimension}', {value}, {_SUMS_SQL}"
                else:
                    columns = f"{q(owner)}, {q(period)}, {sums}"
                    select = f"{owner_sql}, {period_sql}, {_SUMS_SQL}"
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT {select} FROM {source} {where_sql} GROUP BY {group}",
                    params,
                )
                written += max(cursor.rowcount, 0)
    return written


def month_last_day(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


# --- Checks ----------------------------------------------------------------------------------


def recount(qs: models.QuerySet[Consultation]) -> Tallies:
    """The tallies the entries in `qs` should produce, computed in Python (tests, checks)."""
    entries = list(facts_of_entries(qs))
    regions = dict(Centre.objects.filter(pk__in={f.centre_id for f in entries}).values_list("pk", "region_id"))
    return deltas(((f, 1) for f in entries), regions)


def stored(*, centre_ids: Iterable[int] | None = None) -> Tallies:
    """What the tables hold (for some centres: their own rows, and their regions')."""
    out: Tallies = {}
    ids = list(centre_ids) if centre_ids is not None else None
    regions = list(Centre.objects.filter(pk__in=ids).values_list("region_id", flat=True)) if ids is not None else None
    for name, model, owner, period, detailed in TABLES:
        qs = model._default_manager.all()
        if ids is not None:
            qs = qs.filter(**{f"{owner}__in": ids if owner == "centre_id" else regions})
        columns = [owner, period, *(["dimension", "value"] if detailed else []), *SUM_FIELDS]
        width = len(columns) - len(SUM_FIELDS)
        out[name] = {tuple(r[:width]): list(r[width:]) for r in qs.values_list(*columns)}
    return out
