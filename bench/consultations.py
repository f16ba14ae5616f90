"""Consultation-log benchmark: writes through the services, and dashboard summaries from the
tallies versus a plain GROUP BY over the raw entries, at 1, 5 and 20 million entries.

Runs on a throw-away database: SQLite in a temporary folder, and PostgreSQL too when
BENCH_POSTGRES_URL is set (a database it may drop and recreate). The network is 5,000 centres
in the 25 regions of the real codifier and the shipped catalogue of 100 service cards. Entries
are generated straight into the tables with INSERT … SELECT (not through the services), spread
over four years with skewed centres, days and services; the data set grows 1 M → 5 M → 20 M by
appending. After each step the tallies are rebuilt with an SQL INSERT … SELECT … GROUP BY that
is checked, on the first step, to equal `rollups.rebuild()` (which is timed too). Then, at each
size: p50/p95 of `selectors.summary()` and of the same figures by GROUP BY over the raw rows
(checked equal), and entries per second through `services.consultation_record` and
`services.consultation_record_many`. Writes bench/results/consultations.json and .md.

Sizes: BENCH_CONSULTATION_SIZES (default "20000,100000", a quick check; the committed results
use 1000000,5000000,20000000: about 70 min on 2 CPUs and ~50 GB of disk at the peak, since the
daily tally alone reaches ~96 M rows). `rollups.rebuild()` is timed on the smallest region (about
11,000 tally rows/s, too slow for the whole set). Both databases run at once unless
BENCH_CONSULTATION_PARALLEL=0; timed measurements take turns (see `phase`). Other knobs:
BENCH_CONSULTATION_SINGLE, _BATCHES, _CENTRE_SAMPLES, _REGION_SAMPLES, _CENTRES, _APP_REBUILD_MAX.
"""

# SQL here is built from table names and constants of this module only.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import percentile, recreate_postgres, run_on_databases

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = [int(s) for s in os.environ.get("BENCH_CONSULTATION_SIZES", "20000,100000").split(",") if s.strip()]
CENTRES = int(os.environ.get("BENCH_CONSULTATION_CENTRES", "5000"))
SINGLE = int(os.environ.get("BENCH_CONSULTATION_SINGLE", "1000"))
BULK_BATCHES = int(os.environ.get("BENCH_CONSULTATION_BATCHES", "30"))
BULK_ROWS = 50
CENTRE_SAMPLES = int(os.environ.get("BENCH_CONSULTATION_CENTRE_SAMPLES", "20"))
REGION_SAMPLES = int(os.environ.get("BENCH_CONSULTATION_REGION_SAMPLES", "8"))
#: rollups.rebuild() over every centre at the first size when it is at most this big, else one region.
APP_REBUILD_MAX = int(os.environ.get("BENCH_CONSULTATION_APP_REBUILD_MAX", "0"))
PARALLEL = os.environ.get("BENCH_CONSULTATION_PARALLEL", "1") == "1"
GENERATE_BATCH = 1_000_000
YEARS = 4
SEED = 20261123
CENTRE_SLOTS = 1 << 20
DAY_SLOTS = 1 << 18
CARD_SLOTS = 1 << 16
OCCUPIED = ("krym", "sevastopol")

# --- What the visitors are like: (value, per mille) -----------------------------------------
# One table drives both the SQL generator (CASE over a random 0–999) and the Python inputs.

Dist = list[tuple[Any, int]]
HELP_KIND: Dist = [
    ("eservice", 620),
    ("information", 150),
    ("literacy", 80),
    ("documents", 80),
    ("appeal", 40),
    ("other", 30),
]
OUTCOME: Dist = [("completed", 780), ("partly", 100), ("referred", 60), ("not_possible", 60)]
OBSTACLE: Dist = [
    ("portal_down", 300),
    ("missing_documents", 300),
    ("no_esignature", 200),
    ("not_eligible", 120),
    ("other", 80),
]
REFERRED_TO: Dist = [
    ("ЦНАП", 400),
    ("Пенсійний фонд", 250),
    ("Центр зайнятості", 150),
    ("Ощадбанк", 120),
    ("Безоплатна правнича допомога", 80),
]
CHANNEL: Dist = [("walk_in", 850), ("phone", 120), ("online", 30)]
GENDER: Dist = [("female", 580), ("male", 350), ("not_stated", 60), ("other", 10)]
AGE_BAND: Dist = [
    ("0-17", 20),
    ("18-29", 80),
    ("30-44", 150),
    ("45-59", 220),
    ("60-74", 330),
    ("75+", 120),
    ("not_stated", 80),
]
#: Social categories as the stored bit mask: pensioner 1, disability 2, IDP 4, veteran 8,
#: unemployed 16, student 32, entrepreneur 64, other 128.
CATEGORIES: Dist = [(0, 450), (1, 330), (3, 30), (4, 70), (2, 30), (8, 30), (16, 25), (32, 15), (64, 10), (128, 10)]
SETTLEMENT: Dist = [("city", 450), ("town", 200), ("village", 300), ("not_stated", 50)]
FIRST_VISIT: Dist = [(None, 400), (True, 250), (False, 350)]
SATISFACTION: Dist = [(None, 700), (5, 200), (4, 70), (3, 20), (2, 6), (1, 4)]
SOURCE: Dist = [("quick", 780), ("bulk", 200), ("queue", 20)]
NOTE: Dist = [("", 970), ("Повторний візит", 15), ("Допомогли онуки телефоном", 10), ("Без документів", 5)]
FREE_TEXT: Dist = [
    ("Кабінет споживача Нафтогазу", 300),
    ("Портал Київ Цифровий", 200),
    ("Кабінет ДТЕК", 200),
    ("Особистий кабінет Водоканалу", 150),
    ("Сайт школи", 150),
]
#: Share of e-service entries whose service is typed as free text, and with a second card.
FREE_TEXT_PER_MILLE = 40
SECOND_CARD_PER_MILLE = 250
#: Information-only entries that name a card.
INFORMATION_CARD_PER_MILLE = 500
#: The most asked services (seeds: personal accounts and utility payments, Oschadbank
#: depositors, job search); the other cards share the rest along a steep Zipf curve.
TOP_CARDS = {
    "utility-payments-online": 0.10,
    "pfu-e-services-portal": 0.08,
    "oschadbank-ussr-deposits": 0.08,
    "gas-account-meter-readings": 0.06,
    "dcz-job-vacancies": 0.05,
    "work-ua-job-search": 0.03,
    "tax-e-cabinet": 0.03,
    "diia-digital-documents": 0.03,
    "robota-ua-job-search": 0.02,
}


def pick(dist: Dist, r: int) -> Any:
    edge = 0
    for value, share in dist:
        edge += share
        if r < edge:
            return value
    return dist[-1][0]


def share_range(dist: Dist, value: Any) -> tuple[int, int]:
    edge = 0
    for v, share in dist:
        if v == value:
            return edge, edge + share
        edge += share
    raise KeyError(value)


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def case(column: str, dist: Dist) -> str:
    """SQL for `pick(dist, column)`."""
    parts = []
    edge = 0
    for value, share in dist[:-1]:
        edge += share
        parts.append(f"WHEN {column} < {edge} THEN {literal(value)}")
    return f"CASE {' '.join(parts)} ELSE {literal(dist[-1][0])} END"


def _summary(timings: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(timings), 2), "p95_ms": round(percentile(timings, 0.95), 2)}


# --- The database, whichever it is ----------------------------------------------------------


class Db:
    """The few statements that differ between SQLite and PostgreSQL."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.pg = self.vendor == "postgresql"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.connection.cursor() as cursor:
            # Without parameters the SQL goes as written (a bare % is the modulo operator).
            cursor.execute(sql, params or None)
            return cursor.rowcount

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params or None)
            return list(cursor.fetchall())

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.fetch(sql, params)[0][0]

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        if self.pg:
            with self.connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            with self.connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def random_below(self, n: int) -> str:
        """An integer in [0, n), fresh per row."""
        if self.pg:
            return f"floor(random() * {n})::int"
        return f"((random() & 9223372036854775807) % {n})"

    def series(self, n: int) -> str:
        """A FROM clause giving column `n` = 1..n."""
        if self.pg:
            return f"generate_series(1, {n}) AS s(n)"
        return f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) SELECT n FROM s) AS s"

    def plus_minutes(self, minutes: str) -> str:
        """The moment `minutes` after the day's local 08:00 (bench_day_slot d). SQLite gets Django's
        text format built with printf, far cheaper than datetime(); no entry crosses UTC midnight."""
        if self.pg:
            return f"(d.base + ({minutes}) * INTERVAL '1 minute')"
        return f"printf('%s %02d:%02d:00', d.base, d.hour + ({minutes}) / 60, ({minutes}) % 60)"

    @property
    def moment_type(self) -> str:
        return "timestamp with time zone" if self.pg else "text"

    def size_bytes(self) -> int:
        if self.pg:
            return int(self.scalar("SELECT pg_database_size(current_database())"))
        return int(self.scalar("PRAGMA page_count")) * int(self.scalar("PRAGMA page_size"))

    def table_bytes(self, table: str) -> int | None:
        if self.pg:
            return int(self.scalar("SELECT pg_total_relation_size(%s)", [table]))
        return None

    def index_bytes(self, table: str) -> dict[str, int] | None:
        if self.pg:
            rows = self.fetch(
                "SELECT i.relname, pg_relation_size(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass ORDER BY i.relname",
                [table],
            )
            return {name: int(size) for name, size in rows}
        return None

    def analyze(self) -> None:
        """What autovacuum does on PostgreSQL after a bulk load (statistics; the tables are not
        vacuumed). SQLite deployments of the app never run ANALYZE, so SQLite stays without."""
        if self.pg:
            self.execute("ANALYZE")

    def droppable_indexes(self, table: str) -> list[tuple[str, str, str]]:
        """(name, DROP, CREATE) for the table's indexes other than the primary key (and, on SQLite,
        the UNIQUE constraints written into the table, which cannot be dropped)."""
        q = self.connection.ops.quote_name
        if self.pg:
            out = [
                (
                    name,
                    f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}",
                    f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}",
                )
                for name, definition in self.fetch(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'u'",
                    [table],
                )
            ]
            constraints = {name for name, _drop, _create in out}
            out += [
                (name, f"DROP INDEX {q(name)}", definition)
                for name, definition in self.fetch(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                    "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY i.relname",
                    [table],
                )
                if name not in constraints
            ]
            return out
        return [
            (name, f"DROP INDEX {q(name)}", definition)
            for name, definition in self.fetch(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
                "ORDER BY name",
                [table],
            )
        ]

    @contextmanager
    def indexes_dropped(self, tables: Sequence[str], spent: dict[str, float]) -> Iterator[None]:
        """Bulk-load practice: drop the secondary indexes, load, build them again in one sort each.
        The seconds spent building go to spent["indexes"]."""
        dropped = [index for table in tables for index in self.droppable_indexes(table)]
        for _name, drop, _create in dropped:
            self.execute(drop)
        try:
            yield
        finally:
            started = time.perf_counter()
            for _name, _drop, create in dropped:
                self.execute(create)
            spent["indexes"] = spent.get("indexes", 0.0) + time.perf_counter() - started

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Generation only: no journal / no fsync on SQLite, no FK triggers on PostgreSQL, more memory."""
        if self.pg:
            self.execute("SET synchronous_commit = off")
            self.execute("SET session_replication_role = replica")
            self.execute("SET work_mem = '1GB'")
            self.execute("SET maintenance_work_mem = '1GB'")
            self.execute("SET jit = off")
        else:
            self.execute("PRAGMA foreign_keys = OFF")
            self.fetch("PRAGMA journal_mode = OFF")
            self.execute("PRAGMA synchronous = OFF")
            self.execute("PRAGMA cache_size = -4000000")
            self.execute("PRAGMA threads = 2")
            self.fetch("PRAGMA mmap_size = 34359738368")
        try:
            yield
        finally:
            if self.pg:
                self.execute("RESET ALL")
            else:
                self.fetch("PRAGMA journal_mode = WAL")
                self.execute("PRAGMA synchronous = FULL")
                self.execute("PRAGMA foreign_keys = ON")
                self.execute("PRAGMA cache_size = -2000")
                self.execute("PRAGMA threads = 0")
                self.fetch("PRAGMA mmap_size = 0")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


# --- The network -----------------------------------------------------------------------------


class Network:
    """Regions, centres with their share of the traffic, cards with theirs, consultants."""

    def __init__(self, rng: random.Random, *, centre_count: int = CENTRES, years: int = YEARS) -> None:
        from cipnet.accounts.models import Membership, Role, User
        from cipnet.consultations.models import Consultation
        from cipnet.core.clock import local, now
        from cipnet.directory.models import Centre, CentreStatus, HostInstitution, HostKind, Region, Territory
        from cipnet.eservices.models import ServiceCard

        self.rng = rng
        regions = list(Region.objects.exclude(slug__in=OCCUPIED).order_by("pk"))
        self.region_ids = [r.pk for r in regions]
        region_weight = {r.pk: rng.lognormvariate(0, 0.5) for r in regions}
        settlements: dict[int, list[int]] = {}
        for pk, oblast_id in Territory.objects.filter(level__in=["M", "X", "C"]).values_list("pk", "oblast_id"):
            settlements.setdefault(oblast_id, []).append(pk)
        for r in regions:  # Kyiv is a region and a city at once
            settlements.setdefault(r.territory_id, [r.territory_id])
        hosts = HostInstitution.objects.bulk_create(
            [
                HostInstitution(
                    name=f"Обласна бібліотечна система {r.slug}",
                    kind=HostKind.LIBRARY_SYSTEM,
                    settlement_id=settlements[r.territory_id][0],
                )
                for r in regions
            ]
        )
        host_of = {r.pk: h.pk for r, h in zip(regions, hosts, strict=True)}
        territory_of = {r.pk: r.territory_id for r in regions}
        weights = [region_weight[pk] for pk in self.region_ids]
        centres = []
        for i in range(centre_count):
            region_id = rng.choices(self.region_ids, weights)[0]
            centres.append(
                Centre(
                    slug=f"bench-centre-{i}",
                    name=f"ЦІП {i}",
                    host_id=host_of[region_id],
                    region_id=region_id,
                    settlement_id=rng.choice(settlements[territory_of[region_id]]),
                    address=f"вул. Бібліотечна, {i % 200 + 1}",
                    status=CentreStatus.ACTIVE,
                    public_computers=rng.randint(1, 8),
                )
            )
        Centre.objects.bulk_create(centres, batch_size=1000)
        self.centres = list(Centre.objects.order_by("pk").values_list("pk", "region_id"))
        # A few busy city centres, most quiet: log-normal, with one in twenty a hub.
        self.centre_weight = {
            pk: rng.lognormvariate(0, 1.0) * (4 if rng.random() < 0.05 else 1) * region_weight[region_id] ** 0.5
            for pk, region_id in self.centres
        }
        self.centres_of_region: dict[int, list[int]] = {}
        for pk, region_id in self.centres:
            self.centres_of_region.setdefault(region_id, []).append(pk)

        cards = list(ServiceCard.objects.order_by("identifier"))
        self.cards = cards
        rest = [c for c in cards if c.identifier not in TOP_CARDS]
        rng.shuffle(rest)
        left = 1 - sum(TOP_CARDS.values())
        zipf = [1 / (k + 1) ** 1.3 for k in range(len(rest))]
        self.card_weight = {c.pk: TOP_CARDS[c.identifier] for c in cards if c.identifier in TOP_CARDS}
        self.card_weight.update({c.pk: left * z / sum(zipf) for c, z in zip(rest, zipf, strict=True)})

        # The four years of entries end yesterday; day weights: weekdays, growth, summer and New Year.
        today = local(now()).date()
        self.end = today - dt.timedelta(days=1)
        self.start = dt.date(self.end.year - years, self.end.month, 1) + dt.timedelta(days=31)
        self.start = self.start.replace(day=1)
        self.days = [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]
        weekday = [1.0, 1.0, 1.0, 1.0, 0.9, 0.3, 0.05]
        season = {1: 0.85, 7: 0.8, 8: 0.8, 12: 1.05}
        self.day_weight = {
            d: weekday[d.weekday()]
            * season.get(d.month, 1.0)
            * (0.3 if d.month == 1 and d.day <= 7 else 1.0)
            * (1 + 0.3 * i / 365)
            for i, d in enumerate(self.days)
        }

        # Consultants who type entries for the insert test, in centres of every size.
        busy = sorted(self.centre_weight, key=self.centre_weight.__getitem__, reverse=True)
        chosen = busy[:20] + rng.sample(busy[20:], 20)
        self.consultants: list[tuple[Any, Any]] = []
        by_pk = Centre.objects.in_bulk(chosen)
        for i, centre_id in enumerate(chosen):
            user = User.objects.create_user(username=f"bench-consultant-{i}", password=None)
            Membership.objects.create(user=user, role=Role.CONSULTANT, centre_id=centre_id)
            self.consultants.append((user, by_pk[centre_id]))
        self.consultation_table = Consultation._meta.db_table

    @staticmethod
    def slots(weights: dict[Any, float], total: int) -> list[tuple[int, Any]]:
        """Spread `total` slots over the keys in proportion to the weights (at least one each)."""
        whole = sum(weights.values())
        out: list[tuple[int, Any]] = []
        keys = list(weights)
        spare = total - len(keys)
        cumulative = 0.0
        given = 0
        for key in keys:
            cumulative += weights[key]
            upto = round(cumulative / whole * spare)
            for _ in range(1 + upto - given):
                out.append((len(out), key))
            given = upto
        return out


# --- Generation ------------------------------------------------------------------------------


class Generator:
    """Appends entries with INSERT … SELECT: random draws go to a scratch table first, so every
    column derived from one draw sees the same value; then one statement per table."""

    DRAWS = ("cs", "ds", "mi", "hk", "oc", "ob", "ch", "du", "ge", "ag", "ca", "se", "fv", "sa", "so", "s1", "s2", "sx")

    def __init__(self, db: Db, network: Network) -> None:
        from cipnet.consultations.models import ConsultationService
        from cipnet.core.clock import at

        self.db = db
        self.net = network
        self.service_table = ConsultationService._meta.db_table
        db.execute("CREATE TEMP TABLE bench_centre_slot (slot integer PRIMARY KEY, centre_id bigint NOT NULL)")
        db.execute(
            "CREATE TEMP TABLE bench_day_slot "
            f"(slot integer PRIMARY KEY, day date, base {db.moment_type}, hour integer)"
        )
        db.execute("CREATE TEMP TABLE bench_card_slot (slot integer PRIMARY KEY, card_id bigint NOT NULL)")
        db.execute(f"CREATE TEMP TABLE bench_gen (n bigint, {', '.join(f'{c} integer' for c in self.DRAWS)})")
        db.execute(f"CREATE TEMP TABLE bench_draws ({', '.join(f'{c} integer' for c in self.DRAWS)})")
        db.bulk_insert("bench_centre_slot", ["slot", "centre_id"], Network.slots(network.centre_weight, CENTRE_SLOTS))
        day_rows = []
        for slot, day in Network.slots(network.day_weight, DAY_SLOTS):
            # Local 08:00 (after any DST switch) as UTC; entries fall between 08:00 and 18:58.
            base = at(day, dt.time(8)).astimezone(dt.UTC)
            day_rows.append((slot, day, base if db.pg else base.date().isoformat(), base.hour))
        db.bulk_insert("bench_day_slot", ["slot", "day", "base", "hour"], day_rows)
        db.bulk_insert("bench_card_slot", ["slot", "card_id"], Network.slots(network.card_weight, CARD_SLOTS))
        if db.pg:
            for table in ("bench_centre_slot", "bench_day_slot", "bench_card_slot"):
                db.execute(f"ANALYZE {table}")
        self.generated = 0

    def draws_sql(self, n: int) -> str:
        size = {"cs": CENTRE_SLOTS, "ds": DAY_SLOTS, "mi": 330, "s1": CARD_SLOTS, "s2": CARD_SLOTS}
        exprs = []
        for column in self.DRAWS:
            if column == "mi":  # two halves: busier around midday
                exprs.append(f"{self.db.random_below(330)} + {self.db.random_below(330)}")
            else:
                exprs.append(self.db.random_below(size.get(column, 1000)))
        return f"INSERT INTO bench_draws SELECT {', '.join(exprs)} FROM {self.db.series(n)}"

    def number_sql(self) -> str:
        """Number the draws in time order (day slots run in date order), so that ids grow with time
        as in a real log and every insert appends."""
        columns = ", ".join(self.DRAWS)
        return f"INSERT INTO bench_gen SELECT row_number() OVER (ORDER BY ds, mi), {columns} FROM bench_draws"

    def consultations_sql(self, base_id: int) -> str:
        referred = share_range(OUTCOME, "referred")
        impossible = share_range(OUTCOME, "not_possible")
        occurred = self.db.plus_minutes("g.mi")
        entered = self.db.plus_minutes("g.mi + 5 + g.sx % 20")
        columns = (
            "id, created_at, updated_at, occurred_at, day, help_kind, outcome, referred_to, obstacle, channel, "
            "duration_minutes, gender, age_band, categories, settlement_type, first_visit, satisfaction, note, "
            "source, idempotency_key, author_id, centre_id, consultant_id"
        )
        return (
            f"INSERT INTO {self.net.consultation_table} ({columns}) "
            f"SELECT {base_id} + g.n, {entered}, {entered}, {occurred}, d.day, {case('g.hk', HELP_KIND)}, "
            f"{case('g.oc', OUTCOME)}, "
            f"CASE WHEN g.oc >= {referred[0]} AND g.oc < {referred[1]} THEN {case('g.ob', REFERRED_TO)} ELSE '' END, "
            f"CASE WHEN g.oc >= {impossible[0]} AND g.oc < {impossible[1]} THEN {case('g.ob', OBSTACLE)} "
            "ELSE '' END, "
            f"{case('g.ch', CHANNEL)}, CASE WHEN g.du < 300 THEN NULL ELSE 5 + g.du % 56 END, "
            f"{case('g.ge', GENDER)}, {case('g.ag', AGE_BAND)}, {case('g.ca', CATEGORIES)}, "
            f"{case('g.se', SETTLEMENT)}, {case('g.fv', FIRST_VISIT)}, {case('g.sa', SATISFACTION)}, "
            f"{case('(g.so * 7 + g.sx) % 1000', NOTE)}, {case('g.so', SOURCE)}, NULL, NULL, c.centre_id, NULL "
            "FROM bench_gen g JOIN bench_centre_slot c ON c.slot = g.cs JOIN bench_day_slot d ON d.slot = g.ds "
            "ORDER BY g.n"
        )

    def services_sql(self, base_id: int) -> list[str]:
        eservice = share_range(HELP_KIND, "eservice")
        information = share_range(HELP_KIND, "information")
        table = self.service_table
        first = (
            f"INSERT INTO {table} (consultation_id, card_id, free_text, position) "
            f"SELECT {base_id} + g.n, CASE WHEN g.sx < {FREE_TEXT_PER_MILLE} THEN NULL ELSE k.card_id END, "
            f"CASE WHEN g.sx < {FREE_TEXT_PER_MILLE} THEN {case('g.s2 % 1000', FREE_TEXT)} ELSE '' END, 0 "
            "FROM bench_gen g JOIN bench_card_slot k ON k.slot = g.s1 "
            f"WHERE (g.hk >= {eservice[0]} AND g.hk < {eservice[1]}) "
            f"OR (g.hk >= {information[0]} AND g.hk < {information[1]} AND g.sx < {INFORMATION_CARD_PER_MILLE})"
        )
        second = (
            f"INSERT INTO {table} (consultation_id, card_id, free_text, position) "
            f"SELECT {base_id} + g.n, k2.card_id, '', 1 "
            "FROM bench_gen g JOIN bench_card_slot k1 ON k1.slot = g.s1 JOIN bench_card_slot k2 ON k2.slot = g.s2 "
            f"WHERE g.hk >= {eservice[0]} AND g.hk < {eservice[1]} AND g.sx >= {1000 - SECOND_CARD_PER_MILLE} "
            "AND k2.card_id <> k1.card_id"
        )
        return [first, second]

    def append(self, count: int) -> dict[str, float]:
        """Add `count` entries (and their services); seconds per phase."""
        from django.db import transaction

        spent = {"draws": 0.0, "consultations": 0.0, "services": 0.0}
        done = 0
        # PostgreSQL loads faster without the secondary indexes and builds them after; SQLite, with a
        # big page cache, keeps them (building eight indexes over 20 M rows costs it more).
        tables = [self.net.consultation_table, self.service_table] if self.db.pg else []
        with self.db.indexes_dropped(tables, spent):
            while done < count:
                n = min(GENERATE_BATCH, count - done)
                base_id = int(self.db.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {self.net.consultation_table}"))
                with transaction.atomic():
                    self.db.execute("DELETE FROM bench_gen")
                    self.db.execute("DELETE FROM bench_draws")
                    seconds, _rows = timed(
                        lambda n=n: (self.db.execute(self.draws_sql(n)), self.db.execute(self.number_sql()))  # type: ignore[misc]
                    )
                    spent["draws"] += seconds
                    seconds, _rows = timed(lambda b=base_id: self.db.execute(self.consultations_sql(b)))  # type: ignore[misc]
                    spent["consultations"] += seconds
                    started = time.perf_counter()
                    for sql in self.services_sql(base_id):
                        self.db.execute(sql)
                    spent["services"] += time.perf_counter() - started
                done += n
        if self.db.pg:
            self.db.execute(
                f"SELECT setval(pg_get_serial_sequence('{self.net.consultation_table}', 'id'), "
                f"(SELECT MAX(id) FROM {self.net.consultation_table}))"
            )
        self.generated += count
        return {k: round(v, 1) for k, v in spent.items()}


# --- Tallies ---------------------------------------------------------------------------------

SUMS = (
    "COUNT(*), COALESCE(SUM(x.duration_minutes), 0), COUNT(x.duration_minutes), "
    "COALESCE(SUM(x.satisfaction), 0), COUNT(x.satisfaction)"
)


def rebuild(db: Db) -> dict[str, Any]:
    """Time rollups.rebuild() over everything (what `rebuild_consultation_tallies` runs) and count
    the rows of each tally."""
    from cipnet.consultations import rollups

    seconds, written = timed(rollups.rebuild)
    rows = {name: int(db.scalar(f"SELECT COUNT(*) FROM {model._meta.db_table}")) for name, model, *_ in rollups.TABLES}
    if sum(rows.values()) != written:
        raise SystemExit(f"rollups.rebuild() reported {written} rows, the tables hold {sum(rows.values())}")
    return {"seconds": round(seconds, 1), "rows": rows}


_lock_file: Any = None


@contextmanager
def phase(kind: str) -> Iterator[None]:
    """When both databases run at once (BENCH_CONSULTATION_LOCK names a lock file), generation and
    rebuilds ("load") may overlap each other, but every timed measurement ("measure") runs alone."""
    global _lock_file
    path = os.environ.get("BENCH_CONSULTATION_LOCK")
    if not path:
        yield
        return
    import fcntl

    if _lock_file is None:
        _lock_file = open(path, "a+")  # noqa: SIM115 — held for the whole process
    fcntl.flock(_lock_file, fcntl.LOCK_EX if kind == "measure" else fcntl.LOCK_SH)
    try:
        yield
    finally:
        fcntl.flock(_lock_file, fcntl.LOCK_UN)


# --- Summaries: tallies versus the raw rows ----------------------------------------------------


def raw_columns() -> list[tuple[str, str, str]]:
    """(dimension, value, condition) for every figure a summary shows, services apart."""
    from cipnet.consultations.models import (
        CATEGORY_BITS,
        AgeBand,
        Channel,
        Dimension,
        Gender,
        HelpKind,
        Obstacle,
        Outcome,
        SettlementType,
    )

    out: list[tuple[str, str, str]] = []
    for dimension, column, choices in (
        (Dimension.HELP_KIND, "help_kind", HelpKind),
        (Dimension.OUTCOME, "outcome", Outcome),
        (Dimension.OBSTACLE, "obstacle", Obstacle),
        (Dimension.CHANNEL, "channel", Channel),
        (Dimension.GENDER, "gender", Gender),
        (Dimension.AGE_BAND, "age_band", AgeBand),
        (Dimension.SETTLEMENT, "settlement_type", SettlementType),
    ):
        out += [(str(dimension), v, f"x.{column} = {literal(v)}") for v in choices.values]
    out += [(str(Dimension.CATEGORY), name, f"(x.categories & {bit}) <> 0") for name, bit in CATEGORY_BITS.items()]
    out.append((str(Dimension.CATEGORY), "none", "x.categories = 0"))
    out += [
        (str(Dimension.FIRST_VISIT), "yes", "x.first_visit IS TRUE"),
        (str(Dimension.FIRST_VISIT), "no", "x.first_visit IS FALSE"),
        (str(Dimension.FIRST_VISIT), "unknown", "x.first_visit IS NULL"),
    ]
    out += [(str(Dimension.SATISFACTION), str(k), f"x.satisfaction = {k}") for k in range(1, 6)]
    out.append((str(Dimension.SATISFACTION), "none", "x.satisfaction IS NULL"))
    return out


class RawSummary:
    """The figures of selectors.summary() by GROUP BY over the raw entries: one pass with a
    filtered count per value, and one over the services; the (centre, day) index bounds both."""

    def __init__(self) -> None:
        from cipnet.consultations.models import Consultation, ConsultationService
        from cipnet.directory.models import Centre

        self.columns = raw_columns()
        cons = Consultation._meta.db_table
        service = ConsultationService._meta.db_table
        centre = Centre._meta.db_table
        counts = ", ".join(f"COUNT(*) FILTER (WHERE {cond})" for _d, _v, cond in self.columns)
        self.sql: dict[str, tuple[str, str]] = {}
        for kind, join, where in (
            ("centre", "", "x.centre_id = %s"),
            ("region", f"JOIN {centre} c ON c.id = x.centre_id", "c.region_id = %s"),
        ):
            main = f"SELECT {SUMS}, {counts} FROM {cons} x {join} WHERE {where} AND x.day >= %s AND x.day <= %s"
            services = (
                f"SELECT s.card_id, COUNT(DISTINCT s.consultation_id) FROM {service} s "
                f"JOIN {cons} x ON x.id = s.consultation_id {join} "
                f"WHERE {where} AND x.day >= %s AND x.day <= %s GROUP BY s.card_id"
            )
            self.sql[kind] = (main, services)

    def __call__(self, db: Db, kind: str, scope_id: int, start: dt.date, end: dt.date) -> dict[tuple[str, str], Any]:
        main, services = self.sql[kind]
        params = [scope_id, start, end]
        row = db.fetch(main, params)[0]
        total, minutes_sum, minutes_n, score_sum, score_n = (int(v or 0) for v in row[:5])
        figures: dict[tuple[str, str], Any] = {
            ("total", ""): total,
            ("minutes_avg", ""): round(minutes_sum / minutes_n, 1) if minutes_n else None,
            ("score_avg", ""): round(score_sum / score_n, 2) if score_n else None,
        }
        for (dimension, value, _cond), count in zip(self.columns, row[5:], strict=True):
            if count:
                figures[(dimension, value)] = int(count)
        for card_id, count in db.fetch(services, params):
            figures[("service", "text" if card_id is None else str(card_id))] = int(count)
        return figures


def summary_figures(summary: Any) -> dict[tuple[str, str], Any]:
    figures: dict[tuple[str, str], Any] = {
        ("total", ""): summary.total,
        ("minutes_avg", ""): summary.minutes_avg,
        ("score_avg", ""): summary.score_avg,
    }
    for dimension, rows in summary.breakdowns.items():
        for row in rows:
            figures[(str(dimension), row.value)] = row.count
    return figures


def summary_cases(network: Network, rng: random.Random) -> dict[str, list[tuple[str, int, dt.date, dt.date]]]:
    """The dashboards' questions: (kind, centre or region id, first day, last day)."""
    from cipnet.consultations.selectors import add_months, month_end

    end = network.end
    months = [add_months(end.replace(day=1), -k) for k in range(1, 37)]
    years = [y for y in range(network.start.year, end.year + 1) if dt.date(y, 1, 1) >= network.start and y < end.year]
    centre_ids = [pk for pk, _region in network.centres]
    weights = [network.centre_weight[pk] for pk in centre_ids]

    def centre(i: int) -> int:
        # Half the dashboards opened are of any centre, half of centres in proportion to their work.
        return rng.choice(centre_ids) if i % 2 else rng.choices(centre_ids, weights)[0]

    cases: dict[str, list[tuple[str, int, dt.date, dt.date]]] = {
        "centre, one month": [],
        "centre, last 30 days": [],
        "region, one year": [],
        "region, last 365 days": [],
    }
    for i in range(CENTRE_SAMPLES):
        month = rng.choice(months)
        cases["centre, one month"].append(("centre", centre(i), month, month_end(month)))
        cases["centre, last 30 days"].append(("centre", centre(i), end - dt.timedelta(days=29), end))
    for _ in range(REGION_SAMPLES):
        year = rng.choice(years)
        cases["region, one year"].append(
            ("region", rng.choice(network.region_ids), dt.date(year, 1, 1), dt.date(year, 12, 31))
        )
        cases["region, last 365 days"].append(
            ("region", rng.choice(network.region_ids), end - dt.timedelta(days=364), end)
        )
    return cases


class SqlTimer:
    """Database time of the statements run inside `connection.execute_wrapper(timer)`."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.statements = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.statements += 1


def measure_summaries(db: Db, network: Network, rng: random.Random) -> dict[str, Any]:
    from cipnet.consultations import selectors

    raw = RawSummary()
    out: dict[str, Any] = {}
    for label, samples in summary_cases(network, rng).items():
        tally_ms: list[float] = []
        tally_sql_ms: list[float] = []
        raw_ms: list[float] = []
        entries: list[int] = []
        timer = SqlTimer()
        for n, (kind, scope_id, start, end) in enumerate(samples):
            where = (
                selectors.ScopeFilter(centre_ids=(scope_id,))
                if kind == "centre"
                else selectors.ScopeFilter(region_id=scope_id)
            )
            if n == 0:  # warm-up, not timed
                selectors.summary(where=where, start=start, end=end)
                raw(db, kind, scope_id, start, end)
            timer.seconds, timer.statements = 0.0, 0
            with db.connection.execute_wrapper(timer):
                seconds, summary = timed(lambda w=where, a=start, b=end: selectors.summary(where=w, start=a, end=b))  # type: ignore[misc]
            tally_ms.append(seconds * 1000)
            tally_sql_ms.append(timer.seconds * 1000)
            seconds, figures = timed(lambda k=kind, s=scope_id, a=start, b=end: raw(db, k, s, a, b))  # type: ignore[misc]
            raw_ms.append(seconds * 1000)
            got = summary_figures(summary)
            if got != figures:
                wrong = sorted(k for k in set(got) | set(figures) if got.get(k) != figures.get(k))
                raise SystemExit(
                    f"{label} {kind} {scope_id} {start}–{end}: tallies and raw rows differ on {wrong[:10]}"
                )
            entries.append(summary.total)
        tallies, plain = _summary(tally_ms), _summary(raw_ms)
        out[label] = {
            "samples": len(samples),
            "entries_median": int(statistics.median(entries)),
            "entries_max": max(entries),
            "tallies": tallies,
            # Of the tallies' time, the statements themselves (the rest is Python: cards, labels, sorting).
            "tallies_sql_p50_ms": round(statistics.median(tally_sql_ms), 2),
            "tallies_statements": timer.statements,
            "raw_group_by": plain,
            "raw_over_tallies_p50": round(plain["p50_ms"] / tallies["p50_ms"], 1) if tallies["p50_ms"] else None,
        }
    return out


# --- Writes through the services ---------------------------------------------------------------


def make_input(rng: random.Random, network: Network, day: dt.date) -> Any:
    from cipnet.consultations.models import mask_to_categories
    from cipnet.consultations.services import ConsultationInput, ServiceRef
    from cipnet.core.clock import at

    minutes = rng.randrange(330) + rng.randrange(330)
    help_kind = pick(HELP_KIND, rng.randrange(1000))
    outcome = pick(OUTCOME, rng.randrange(1000))
    cards = list(network.card_weight)
    card_weights = list(network.card_weight.values())
    by_pk = {c.pk: c for c in network.cards}
    services: list[Any] = []
    roll = rng.randrange(1000)
    if help_kind == "eservice" or (help_kind == "information" and roll < INFORMATION_CARD_PER_MILLE):
        if help_kind == "eservice" and roll < FREE_TEXT_PER_MILLE:
            services.append(ServiceRef(text=pick(FREE_TEXT, rng.randrange(1000))))
        else:
            first, second = rng.choices(cards, card_weights, k=2)
            services.append(ServiceRef(card=by_pk[first]))
            if help_kind == "eservice" and roll >= 1000 - SECOND_CARD_PER_MILLE and second != first:
                services.append(ServiceRef(card=by_pk[second]))
    duration = rng.randrange(1000)
    return ConsultationInput(
        occurred_at=at(day, dt.time(8)) + dt.timedelta(minutes=minutes),
        help_kind=help_kind,
        outcome=outcome,
        services=services,
        obstacle=pick(OBSTACLE, rng.randrange(1000)) if outcome == "not_possible" else "",
        referred_to=pick(REFERRED_TO, rng.randrange(1000)) if outcome == "referred" else "",
        channel=pick(CHANNEL, rng.randrange(1000)),
        duration_minutes=None if duration < 300 else 5 + duration % 56,
        gender=pick(GENDER, rng.randrange(1000)),
        age_band=pick(AGE_BAND, rng.randrange(1000)),
        categories=mask_to_categories(pick(CATEGORIES, rng.randrange(1000))),
        settlement_type=pick(SETTLEMENT, rng.randrange(1000)),
        first_visit=pick(FIRST_VISIT, rng.randrange(1000)),
        satisfaction=pick(SATISFACTION, rng.randrange(1000)),
        note=pick(NOTE, rng.randrange(1000)),
    )


def measure_inserts(network: Network, rng: random.Random) -> dict[str, Any]:
    """Entries per second through the services (tallies and audit trail included), at the
    application's own database settings."""
    from cipnet.consultations import services

    def recent_day() -> dt.date:
        return network.end - dt.timedelta(days=rng.randrange(300))

    single_ms: list[float] = []
    started = time.perf_counter()
    for _ in range(SINGLE):
        user, centre = rng.choice(network.consultants)
        data = make_input(rng, network, recent_day())
        t0 = time.perf_counter()
        services.consultation_record(author=user, centre=centre, data=data, idempotency_key=uuid.uuid4())
        single_ms.append((time.perf_counter() - t0) * 1000)
    single_seconds = time.perf_counter() - started

    batch_ms: list[float] = []
    saved = 0
    for _ in range(BULK_BATCHES):
        user, centre = rng.choice(network.consultants)
        day = recent_day()  # a day's paper tally
        rows = {i: make_input(rng, network, day) for i in range(BULK_ROWS)}
        t0 = time.perf_counter()
        result = services.consultation_record_many(author=user, centre=centre, rows=rows, idempotency_key=uuid.uuid4())
        batch_ms.append((time.perf_counter() - t0) * 1000)
        if result.errors:
            raise SystemExit(f"consultation_record_many refused rows: {result.errors}")
        saved += len(result.saved)
    return {
        "single": {
            "entries": SINGLE,
            # Input building included in the wall time; the per-call figures are the service alone.
            "per_second": round(SINGLE / (sum(single_ms) / 1000), 1),
            "wall_seconds": round(single_seconds, 1),
            **_summary(single_ms),
        },
        "bulk": {
            "batches": BULK_BATCHES,
            "rows_per_batch": BULK_ROWS,
            "entries": saved,
            "per_second": round(saved / (sum(batch_ms) / 1000), 1),
            **_summary(batch_ms),
        },
    }


# --- One database --------------------------------------------------------------------------------


def run_one(database_url: str) -> dict[str, Any]:
    """Runs in a child process so each database gets a clean Django setup."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    from cipnet.consultations.models import (
        Consultation,
        ConsultationService,
        DailyTotal,
        MonthlyTally,
        RegionDailyTally,
        RegionMonthlyTally,
    )
    from cipnet.eservices.interchange import load_shipped_catalogue

    run_started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("import_katottg", verbosity=0)
    load_shipped_catalogue(actor=None)
    rng = random.Random(SEED)
    db = Db()
    network = Network(rng)
    generator = Generator(db, network)
    tables = [
        m._meta.db_table
        for m in (Consultation, ConsultationService, DailyTotal, MonthlyTally, RegionDailyTally, RegionMonthlyTally)
    ]
    steps: list[dict[str, Any]] = []
    inserted = 0

    def say(size: int, what: str) -> None:
        print(f"[{db.vendor} {time.strftime('%H:%M:%S')}] {size:,}: {what}", file=sys.stderr, flush=True)

    for size in SIZES:
        step: dict[str, Any] = {"size": size}
        say(size, "generating")
        with phase("load"), db.bulk_load():
            seconds, phases = timed(lambda s=size: generator.append(s - generator.generated))  # type: ignore[misc]
        step["generate"] = {
            "entries_added": size - (steps[-1]["size"] if steps else 0),
            "seconds": round(seconds, 1),
            **phases,
        }
        say(size, "rollups.rebuild()")
        with phase("load"), db.bulk_load():
            step["rebuild"] = rebuild(db)
            seconds, _none = timed(db.analyze)
        step["analyze_seconds"] = round(seconds, 1)
        step["entries"] = size + inserted
        step["database_bytes"] = db.size_bytes()
        step["table_bytes"] = {t: db.table_bytes(t) for t in tables} if db.pg else None
        step["index_bytes"] = {t: db.index_bytes(t) for t in tables} if db.pg else None
        with phase("measure"):
            say(size, "summaries")
            step["summaries"] = measure_summaries(db, network, rng)
            say(size, "inserts")
            step["inserts"] = measure_inserts(network, rng)
        inserted += step["inserts"]["single"]["entries"] + step["inserts"]["bulk"]["entries"]
        steps.append(step)
        say(size, "done")
    return {
        "database": db.vendor,
        "centres": len(network.centres),
        "regions": len(network.region_ids),
        "cards": len(network.cards),
        "period": [network.start.isoformat(), network.end.isoformat()],
        "total_seconds": round(time.perf_counter() - run_started, 1),
        "steps": steps,
    }


# --- Report --------------------------------------------------------------------------------------


def _mb(n: int | None) -> str:
    return "–" if n is None else f"{n / 1e6:,.0f} MB"


def _markdown(report: dict[str, Any]) -> str:
    together = (
        "Both databases ran at the same time (one child process each on the 2 CPUs); generation and "
        "rebuilds overlapped, every timed summary and insert ran alone (a lock file), so those timings "
        "are clean while generation and rebuild seconds are upper bounds. "
        if report.get("databases_at_once")
        else ""
    )
    lines = [
        "# Consultation log benchmark",
        "",
        f"{report['when']} — {report['machine']}. Sizes {', '.join(f'{n:,}' for n in report['sizes'])} "
        f"(appended, not regenerated). Total run time {report['total_minutes']} min.",
        "",
        "Dashboards call `selectors.summary()` (ADR 5): whole months from the monthly tallies (per centre, "
        "or per region), other days from the regions' daily tally, or, for a centre, from those days' "
        "entries through the (centre, day) index. *Raw* computes the same figures (total, averages, "
        "every breakdown; checked equal on every sample) from the entries: one pass with a filtered COUNT "
        "per value plus one over the services, bounded by the (centre, day) index (regions join the "
        "centres). *Raw ÷ tallies* above 1 means the tallies are faster. *SQL* is the part of the tallies' "
        "time spent in its statements (the rest is Python: the card look-up, labels, sorting, and a centre's "
        "partial month). Centres are sampled half uniformly, half in proportion to their traffic; months "
        'from the last three years, years among the complete calendar years; "last 30/365 days" end '
        "yesterday, so they include partial months. Entries are generated with INSERT … SELECT (no audit "
        "trail); the tallies are then rebuilt by `rollups.rebuild()` (INSERT … SELECT … GROUP BY, what "
        "`manage.py rebuild_consultation_tallies` runs; timed with the generator's bulk settings: no "
        "journal on SQLite, no FK triggers on PostgreSQL); inserts go through "
        "`services.consultation_record` (one entry, 1–2 cards) and `consultation_record_many` (batches of "
        f"{BULK_ROWS} for one day), both with tallies and audit trail, at the application's SQLite settings "
        "(WAL, synchronous=FULL). "
        f"{together}",
        "",
    ]
    for run in report["runs"]:
        lines += [
            f"## {run['database']}",
            "",
            f"{run['centres']:,} centres in {run['regions']} regions, {run['cards']} service cards, entries "
            f"from {run['period'][0]} to {run['period'][1]}; this database's run took "
            f"{run['total_seconds'] / 60:.1f} min.",
            "",
            "| entries | query | samples | entries in slice (median / max) | tallies p50 ms | tallies p95 ms "
            "| of which SQL (p50) | raw p50 ms | raw p95 ms | raw ÷ tallies (p50) |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for step in run["steps"]:
            for label, case_ in step["summaries"].items():
                lines.append(
                    f"| {step['size']:,} | {label} | {case_['samples']} | {case_['entries_median']:,} / "
                    f"{case_['entries_max']:,} | {case_['tallies']['p50_ms']} | {case_['tallies']['p95_ms']} | "
                    f"{case_.get('tallies_sql_p50_ms', '–')} | {case_['raw_group_by']['p50_ms']} | "
                    f"{case_['raw_group_by']['p95_ms']} | {case_['raw_over_tallies_p50']}× |"
                )
        lines += [
            "",
            "| entries | single inserts/s (p50 / p95 ms) | bulk inserts/s (p50 / p95 ms per batch) "
            "| generation s (rows added) | rebuild s | tally rows (per entry) | centre days | centre months "
            "| region days | region months | database size |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for step in run["steps"]:
            ins = step["inserts"]
            rows = step["rebuild"]["rows"]
            total = sum(rows.values())
            lines.append(
                f"| {step['size']:,} | {ins['single']['per_second']} ({ins['single']['p50_ms']} / "
                f"{ins['single']['p95_ms']}) | {ins['bulk']['per_second']} ({ins['bulk']['p50_ms']} / "
                f"{ins['bulk']['p95_ms']}) | {step['generate']['seconds']} (+{step['generate']['entries_added']:,}) "
                f"| {step['rebuild']['seconds']} | {total:,} ({total / step['size']:.2f}) | "
                f"{rows['daily_total']:,} | {rows['centre_month']:,} | {rows['region_day']:,} | "
                f"{rows['region_month']:,} | {_mb(step['database_bytes'])} |"
            )
        last = run["steps"][-1]
        if last.get("index_bytes"):
            lines += ["", f"Sizes at {last['size']:,} entries:", ""]
            for table, size in (last["table_bytes"] or {}).items():
                indexes = ", ".join(f"{name} {_mb(b)}" for name, b in last["index_bytes"][table].items())
                lines.append(f"- {table}: {_mb(size)} with indexes ({indexes})")
        lines.append("")
    return "\n".join(lines)


def run_databases() -> list[dict[str, Any]]:
    """Like common.run_on_databases, but both databases at once when BENCH_CONSULTATION_PARALLEL=1
    (the default): generation and rebuilds take tens of minutes per database and each uses about
    one CPU, while the timed measurements take turns through a lock file (see `phase`)."""
    if not PARALLEL:
        return run_on_databases("bench.consultations")
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite:///{tmp}/bench.sqlite3"]
        pg = os.environ.get("BENCH_POSTGRES_URL")
        if pg:
            try:
                recreate_postgres(pg)
            except Exception as exc:
                print(f"PostgreSQL run skipped: {exc}", file=sys.stderr)
            else:
                urls.append(pg)
        env = {**os.environ, "BENCH_CONSULTATION_LOCK": f"{tmp}/measure.lock"}
        children: list[tuple[subprocess.Popen[str], Path, str]] = []
        for n, url in enumerate(urls):
            out = Path(tmp) / f"child-{n}.out"
            with out.open("w") as stdout:
                process = subprocess.Popen(
                    [sys.executable, "-m", "bench.consultations", "--child", url],
                    stdout=stdout,
                    text=True,
                    cwd=Path(__file__).resolve().parent.parent,
                    env=env,
                )
            children.append((process, out, url))
        runs = []
        for process, out, url in children:
            if process.wait() != 0:
                raise SystemExit(f"the run on {url} failed with exit code {process.returncode}")
            runs.append(json.loads(out.read_text().strip().splitlines()[-1]))
        return runs


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(run_one(argv[1]), ensure_ascii=False))
        return
    started = time.perf_counter()
    runs = run_databases()
    report = {
        "benchmark": "consultations",
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "sizes": SIZES,
        "databases_at_once": PARALLEL,
        "total_minutes": round((time.perf_counter() - started) / 60, 1),
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "consultations.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    text = _markdown(report)
    (RESULTS / "consultations.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
