"""Programme results at a network's scale: the dashboard of a programme counting every centre of a
5,000-centre network, its region and centre dashboards, an indicator page with its breakdowns, and the
figures alone (no template), over 10 million consultations. Writes bench/results/programme.{json,md}.

The network is bench/consultations.py's (5,000 centres in the 25 regions of the real codifier, the
shipped catalogue, skewed centres and days), over two years ending yesterday; its entries are
generated the same way (INSERT … SELECT) and the tallies rebuilt by `rollups.rebuild()`. Then: a
coordination office per region, opening dates for the centres, answered appeals filed at centres
(BENCH_PROGRAMME_APPEALS), and two programmes over the two calendar years of the data — one counting
every centre, one the centres of the largest region — each with a logframe whose indicators use every
registered source (and one value entered by hand per region and quarter), targets per centre and
quarter for the counts, per region for the offices, for the network for the rest.

Pages go through Django's test Client (the whole view: middleware, selectors, template), signed in as a
network administrator, with the connection kept between requests as in production. Each page: a few
untimed requests to warm up, then BENCH_PROGRAMME_REQUESTS timed ones (p50, p95, max) and the SQL
statements of one request. The figures of the network programme are checked against counts over the
raw rows (consultations, completed e-services, appeals).

Databases: SQLite in a temporary folder, and PostgreSQL at BENCH_PROGRAMME_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/cipnet_bench_programme, dropped and recreated; "" skips it). Both
generate at once; the timed measurements take turns (a lock file, bench.consultations.phase).

Sizes: BENCH_PROGRAMME_CONSULTATIONS (default 200,000: a quick `make bench`; the committed results are
10,000,000), BENCH_PROGRAMME_CENTRES (5,000), BENCH_PROGRAMME_APPEALS (default 100,000). To measure
again without generating: BENCH_PROGRAMME_KEEP=<folder> keeps the SQLite file there (and the PostgreSQL
database); a later run with the same folder and BENCH_PROGRAMME_REUSE=1 measures the data it finds.
"""

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
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import percentile, recreate_postgres

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CONSULTATIONS = int(os.environ.get("BENCH_PROGRAMME_CONSULTATIONS", "200000"))
CENTRES = int(os.environ.get("BENCH_PROGRAMME_CENTRES", "5000"))
APPEALS = int(os.environ.get("BENCH_PROGRAMME_APPEALS", "100000"))
REQUESTS = int(os.environ.get("BENCH_PROGRAMME_REQUESTS", "100"))
WARM_UP = int(os.environ.get("BENCH_PROGRAMME_WARM_UP", "5"))
POSTGRES_URL = os.environ.get(
    "BENCH_PROGRAMME_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/cipnet_bench_programme"
)
KEEP = os.environ.get("BENCH_PROGRAMME_KEEP", "")
REUSE = os.environ.get("BENCH_PROGRAMME_REUSE", "0") == "1"
YEARS = 2
SEED = 20261207
#: p95 a page must stay within (the issue's budget), in milliseconds.
BUDGET_MS = 100
NETWORK_CODE, REGION_CODE = "bench-network", "bench-region"


def say(vendor: str, what: str) -> None:
    print(f"[programme {vendor} {time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


# --- The data ------------------------------------------------------------------------------------


def quarters(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    from cipnet.consultations.selectors import add_months

    out = []
    q = start
    while q <= end:
        nxt = add_months(q, 3)
        out.append((q, min(nxt - dt.timedelta(days=1), end)))
        q = nxt
    return out


def add_places(network: Any, rng: random.Random, programme_start: dt.date) -> None:
    """A coordination office per region; opening dates (most centres open before the programme, one in
    ten during it, a few still planned)."""
    from cipnet.directory.models import Centre, CentreStatus, CoordinationOffice, Region

    regions = Region.objects.filter(pk__in=network.region_ids)
    CoordinationOffice.objects.bulk_create(
        [
            CoordinationOffice(region=r, name=f"Координаційне бюро {r.slug}", settlement_id=r.territory_id)
            for r in regions
        ]
    )
    centres = list(Centre.objects.filter(pk__in=[pk for pk, _r in network.centres]))
    for centre in centres:
        roll = rng.random()
        if roll < 0.02:
            centre.status, centre.opened_on = CentreStatus.PLANNED, None
        elif roll < 0.12:
            centre.opened_on = programme_start + dt.timedelta(days=rng.randrange(600))
        else:
            centre.opened_on = programme_start - dt.timedelta(days=rng.randrange(1, 3000))
    Centre.objects.bulk_update(centres, ["status", "opened_on"], batch_size=1000)


def add_appeals(network: Any, rng: random.Random, count: int) -> None:
    """Appeals and requests filed at centres (weighted by their traffic) and answered in the data's span."""
    from cipnet.appeals.models import Appeal, Authority, AuthorityKind, Kind, Outcome, Status
    from cipnet.core.clock import at
    from cipnet.directory.models import Region

    authorities = Authority.objects.bulk_create(
        [
            Authority(
                slug=f"bench-oda-{r.slug}",
                name=f"Обласна адміністрація {r.slug}",
                kind=AuthorityKind.OBLAST_ADMINISTRATION,
                region=r,
                address="вул. Урядова, 1",
                email=f"oda-{r.slug}@example.org",
            )
            for r in Region.objects.filter(pk__in=network.region_ids)
        ]
    )
    authority_of = {a.region_id: a.pk for a in authorities}
    centre_ids = [pk for pk, _r in network.centres]
    region_of = dict(network.centres)
    weights = [network.centre_weight[pk] for pk in centre_ids]
    outcomes = [(Outcome.POSITIVE, 0.35), (Outcome.EXPLAINED, 0.40), (Outcome.PARTLY, 0.15), (Outcome.REFUSED, 0.10)]
    span = (network.end - network.start).days
    batch: list[Appeal] = []
    for n in range(count):
        centre_id = rng.choices(centre_ids, weights)[0]
        filed = at(network.start + dt.timedelta(days=rng.randrange(span)), dt.time(10))
        answered = filed + dt.timedelta(days=rng.randrange(1, 30), hours=rng.randrange(8))
        kind = Kind.APPEAL if rng.random() < 0.7 else Kind.INFO_REQUEST
        batch.append(
            Appeal(
                kind=kind,
                appeal_type="application" if kind == Kind.APPEAL else "",
                authority_id=authority_of[region_of[centre_id]],
                status=Status.ANSWERED,
                author_name="Заявник",
                centre_id=centre_id,
                subject="Звернення",
                text="Текст звернення.",
                submitted_at=filed,
                received_at=filed,
                answered_at=answered,
                outcome=rng.choices([o for o, _w in outcomes], [w for _o, w in outcomes])[0],
            )
        )
        if len(batch) == 5000 or n == count - 1:
            Appeal.objects.bulk_create(batch)
            batch = []


def add_programmes(network: Any, rng: random.Random, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The two programmes, their logframes and targets; returns what the pages need to know."""
    from cipnet.directory.models import Centre
    from cipnet.results import services
    from cipnet.results.models import Aggregation, Level, ManualValue, Measure, Target

    by_region: dict[int, list[int]] = network.centres_of_region
    largest = max(by_region, key=lambda r: len(by_region[r]))
    spans = quarters(start, end)
    total_weight = sum(network.centre_weight.values())
    per_quarter = CONSULTATIONS / ((network.end - network.start).days + 1) * 91
    made: dict[str, Any] = {"region_id": largest, "quarters": len(spans), "targets": 0, "manual_values": 0}
    for code, centre_ids in ((NETWORK_CODE, None), (REGION_CODE, by_region[largest])):
        programme = services.programme_create(
            actor=None,
            centres=list(Centre.objects.filter(pk__in=centre_ids)) if centre_ids else None,
            code=code,
            title=f"Центри публічної інформації: {code}",
            donor="Бенчмарк",
            starts_on=start,
            ends_on=end,
        )
        counted = centre_ids or [pk for pk, _r in network.centres]
        goal = services.result_add(actor=None, programme=programme, level=Level.GOAL, code="G", title="Мета")
        outcome = services.result_add(
            actor=None, programme=programme, parent=goal, level=Level.OUTCOME, code="O1", title="Результат"
        )
        outputs = [
            services.result_add(
                actor=None, programme=programme, parent=outcome, level=Level.OUTPUT, code=f"R{i}", title=f"Продукт {i}"
            )
            for i in (1, 2, 3)
        ]
        places = ["centre", "region"]
        indicators = {
            "consultations": services.indicator_add(
                actor=None,
                result=outputs[0],
                code="R1.1",
                title="Консультації",
                source="consultations",
                disaggregations=["age_band", "gender", "settlement", *places],
            ),
            "cumulative": services.indicator_add(
                actor=None,
                result=outputs[0],
                code="R1.2",
                title="Консультації наростаючим підсумком",
                source="consultations",
                aggregation=Aggregation.CUMULATIVE,
                disaggregations=places,
            ),
            "eservices": services.indicator_add(
                actor=None,
                result=outputs[1],
                code="R2.1",
                title="Е-послуги",
                source="eservices_completed",
                disaggregations=places,
            ),
            "centres": services.indicator_add(
                actor=None,
                result=outputs[2],
                code="R3.1",
                title="Центри",
                source="centres_operating",
                aggregation=Aggregation.LATEST,
                target=Decimal(len(counted)),
                disaggregations=["region"],
            ),
            "offices": services.indicator_add(
                actor=None,
                result=outputs[2],
                code="R3.2",
                title="Бюро",
                source="coordination_offices",
                aggregation=Aggregation.LATEST,
            ),
            "appeals": services.indicator_add(
                actor=None,
                result=outcome,
                code="O1.1",
                title="Позитивні відповіді",
                source="appeals_positive_share",
                aggregation=Aggregation.RATIO,
                measure=Measure.PERCENTAGE,
                disaggregations=places,
            ),
            "trained": services.indicator_add(
                actor=None, result=outputs[2], code="R3.3", title="Навчено консультантів", source=""
            ),
        }
        targets: list[Target] = []
        for centre_id in counted:
            share = network.centre_weight[centre_id] / total_weight
            for a, b in spans:
                base = round(share * per_quarter * 1.05) + 1
                targets.append(
                    Target(
                        indicator=indicators["consultations"], centre_id=centre_id, starts_on=a, ends_on=b, value=base
                    )
                )
                targets.append(
                    Target(
                        indicator=indicators["eservices"],
                        centre_id=centre_id,
                        starts_on=a,
                        ends_on=b,
                        value=base // 2 + 1,
                    )
                )
            targets.append(
                Target(
                    indicator=indicators["cumulative"],
                    centre_id=centre_id,
                    starts_on=start,
                    ends_on=end,
                    value=base * len(spans),
                )
            )
        counted_set = set(counted)
        regions = sorted(r for r, ids in by_region.items() if counted_set.intersection(ids))
        targets += [
            Target(indicator=indicators["offices"], region_id=r, starts_on=start, ends_on=end, value=1) for r in regions
        ]
        targets.append(Target(indicator=indicators["appeals"], starts_on=start, ends_on=end, value=Decimal(40)))
        Target.objects.bulk_create(targets, batch_size=2000)
        manual = [
            ManualValue(
                indicator=indicators["trained"], region_id=r, starts_on=a, ends_on=b, value=rng.randrange(5, 40)
            )
            for r in regions
            for a, b in spans
            if b < network.end
        ]
        ManualValue.objects.bulk_create(manual, batch_size=2000)
        made["targets"] += len(targets)
        made["manual_values"] += len(manual)
    return made


def generate(vendor: str) -> dict[str, Any]:
    """Everything from an empty database; the seconds of each step."""
    from django.core.management import call_command

    from bench.consultations import Db, Generator, Network, phase, rebuild
    from cipnet.accounts.models import Membership, Role, User
    from cipnet.consultations.selectors import add_months, month_end
    from cipnet.eservices.interchange import load_shipped_catalogue

    seconds: dict[str, float] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        say(vendor, name)
        started = time.perf_counter()
        value = fn()
        seconds[name] = round(time.perf_counter() - started, 1)
        return value

    with phase("load"):
        step("migrate", lambda: call_command("migrate", verbosity=0))
        step(
            "codifier and catalogue",
            lambda: (call_command("import_katottg", verbosity=0), load_shipped_catalogue(actor=None)),
        )
        rng = random.Random(SEED)
        db = Db()
        network = step("network", lambda: Network(rng, centre_count=CENTRES, years=YEARS))
        generator = Generator(db, network)
        with db.bulk_load():
            step("consultations", lambda: generator.append(CONSULTATIONS))
            rebuilt = step("tallies (rollups.rebuild)", lambda: rebuild(db))
        start = network.start.replace(day=1)
        end = month_end(add_months(start, 12 * YEARS - 1))
        step("places", lambda: add_places(network, rng, start))
        step("appeals", lambda: add_appeals(network, rng, APPEALS))
        made = step("programmes and targets", lambda: add_programmes(network, rng, start, end))
        admin = User.objects.create_user(username="bench-network-admin", password=None)
        Membership.objects.create(user=admin, role=Role.NETWORK_ADMIN)
        step("analyze", db.analyze)
    busiest = max(network.centre_weight, key=network.centre_weight.__getitem__)
    return {
        "centres": len(network.centres),
        "regions": len(network.region_ids),
        "consultations": CONSULTATIONS,
        "appeals": APPEALS,
        "entries_from": network.start.isoformat(),
        "entries_to": network.end.isoformat(),
        "programme": [start.isoformat(), end.isoformat()],
        "region_id": made["region_id"],
        "region_centres": len(network.centres_of_region[made["region_id"]]),
        "centre_id": busiest,
        "targets": made["targets"],
        "manual_values": made["manual_values"],
        "tally_rows": rebuilt["rows"],
        "database_bytes": db.size_bytes(),
        "seconds": seconds,
        "generation_minutes": round(sum(seconds.values()) / 60, 1),
    }


# --- The measurements --------------------------------------------------------------------------------


def timings(fn: Callable[[], Any]) -> dict[str, Any]:
    from django.db import connection

    for _ in range(WARM_UP):
        fn()
    statements = 0

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    ms = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - started) * 1000)
    return {
        "requests": REQUESTS,
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "max_ms": round(max(ms), 1),
        "queries": statements,
    }


def check_figures(info: dict[str, Any]) -> dict[str, Any]:
    """The network programme's figures over its whole span against counts over the raw rows."""
    from django.db.models import Q

    from cipnet.appeals.models import Appeal
    from cipnet.consultations.models import Consultation, HelpKind, Outcome
    from cipnet.core.clock import at
    from cipnet.results import selectors
    from cipnet.results.models import Programme

    programme = Programme.objects.get(code=NETWORK_CODE)
    start, end = programme.starts_on, programme.ends_on
    rows = selectors.logframe(programme, scope=selectors.Scope(), start=start, end=end)
    got = {f.indicator.code: f for row in rows for f in row.figures}
    entries = Consultation.objects.filter(day__range=(start, end))
    answered = Appeal.objects.filter(
        centre__isnull=False,
        answered_at__gte=at(start, dt.time(0)),
        answered_at__lt=at(end + dt.timedelta(days=1), dt.time(0)),
    ).exclude(outcome="")
    raw = {
        "R1.1": entries.count(),
        "R2.1": entries.filter(help_kind=HelpKind.ESERVICE, outcome=Outcome.COMPLETED).count(),
        "O1.1 numerator": answered.filter(outcome="positive").count(),
        "O1.1 denominator": answered.count(),
        "R1.1 region": entries.filter(Q(centre__region_id=info["region_id"])).count(),
    }
    figures = {
        "R1.1": int(got["R1.1"].actual or 0),
        "R2.1": int(got["R2.1"].actual or 0),
        "O1.1 numerator": got["O1.1"].numerator.total if got["O1.1"].numerator else 0,
        "O1.1 denominator": got["O1.1"].denominator.total if got["O1.1"].denominator else 0,
        "R1.1 region": int(got["R1.1"].by.get("region", {}).get(str(info["region_id"]), 0)),
    }
    if figures != raw:
        raise SystemExit(f"the figures differ from the raw rows: {figures} != {raw}")
    return {
        "checked": raw,
        "shown": {
            code: {
                "actual": str(f.actual) if f.actual is not None else f.text,
                "target": str(f.target),
                "light": f.light,
            }
            for code, f in got.items()
        },
    }


def measure(info: dict[str, Any]) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from cipnet.accounts.models import User
    from cipnet.results import selectors
    from cipnet.results.models import Programme

    client = Client()
    client.force_login(User.objects.get(username="bench-network-admin"))
    network = reverse("results:programme", args=[NETWORK_CODE])
    regional = reverse("results:programme", args=[REGION_CODE])
    pages: dict[str, tuple[str, dict[str, str]]] = {
        "network dashboard": (network, {}),
        "region dashboard": (network, {"scope": f"region-{info['region_id']}"}),
        "centre dashboard": (network, {"scope": f"centre-{info['centre_id']}"}),
        "indicator page (network, breakdowns)": (reverse("results:indicator", args=[NETWORK_CODE, "R1.1"]), {}),
        "indicator page (region, breakdowns)": (
            reverse("results:indicator", args=[NETWORK_CODE, "R1.1"]),
            {"scope": f"region-{info['region_id']}"},
        ),
        "region programme dashboard": (regional, {}),
    }
    out: dict[str, Any] = {}
    for label, (url, query) in pages.items():

        def get(url: str = url, query: dict[str, str] = query) -> None:
            response = client.get(url, query)
            if response.status_code != 200:
                raise SystemExit(f"{url} {query}: {response.status_code}")

        out[label] = timings(get)
    programme = Programme.objects.get(code=NETWORK_CODE)
    on = dt.date.fromisoformat(info["entries_to"])
    out["network figures, no template"] = timings(
        lambda: selectors.logframe(
            Programme.objects.get(pk=programme.pk),
            scope=selectors.Scope(),
            start=programme.starts_on,
            end=programme.ends_on,
            on=on,
        )
    )
    return out


def run_one(database_url: str) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection

    from bench.consultations import phase

    # As served: the connection is kept between requests (the test settings close it after each).
    connection.settings_dict["CONN_MAX_AGE"] = 300
    vendor = connection.vendor
    saved = Path(KEEP) / f"programme-{vendor}.json" if KEEP else None
    if REUSE and saved is not None and saved.exists():
        info = json.loads(saved.read_text())
        say(vendor, f"reusing the data of {saved}")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the code measured may have added an index since
    else:
        info = generate(vendor)
        if saved is not None:
            saved.write_text(json.dumps(info, indent=2) + "\n")
    with phase("measure"):
        say(vendor, "checking the figures against the raw rows")
        checked = check_figures(info)
        say(vendor, "measuring")
        pages = measure(info)
    return {"database": vendor, **info, "figures": checked, "pages": pages}


# --- Both databases, and the report -------------------------------------------------------------------


def run_databases() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(KEEP) if KEEP else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        sqlite = folder / "programme.sqlite3"
        if not REUSE and sqlite.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
        urls = [f"sqlite:///{sqlite}"]
        if POSTGRES_URL:
            try:
                if not REUSE:
                    recreate_postgres(POSTGRES_URL)
            except Exception as exc:
                print(f"PostgreSQL run skipped: {exc}", file=sys.stderr)
            else:
                urls.append(POSTGRES_URL)
        env = {**os.environ, "BENCH_CONSULTATION_LOCK": f"{tmp}/measure.lock"}
        children = []
        for n, url in enumerate(urls):
            out = Path(tmp) / f"child-{n}.out"
            with out.open("w") as stdout:
                process = subprocess.Popen(
                    [sys.executable, "-m", "bench.programme", "--child", url],
                    stdout=stdout,
                    text=True,
                    cwd=ROOT,
                    env=env,
                )
            children.append((process, out, url))
        runs = []
        for process, out, url in children:
            if process.wait() != 0:
                raise SystemExit(f"the run on {url} failed with exit code {process.returncode}")
            runs.append(json.loads(out.read_text().strip().splitlines()[-1]))
        return runs


def _markdown(report: dict[str, Any]) -> str:
    first = report["runs"][0]
    lines = [
        "# Programme results at a network's scale",
        "",
        f"{report['when']} — {report['machine']}. {first['consultations']:,} consultations in {first['centres']:,} "
        f"centres of {first['regions']} regions ({first['entries_from']} to {first['entries_to']}), "
        f"{first['appeals']:,} answered appeals; total run time {report['total_minutes']} min"
        + (" (measured again on the data of an earlier run)" if report.get("reused") else "")
        + ".",
        "",
        f"Two programmes over {first['programme'][0]} – {first['programme'][1]}: one counting every centre, one the "
        f"{first['region_centres']} centres of the largest region. Each has seven indicators: consultations (a "
        "sum with age, gender, settlement, centre and region breakdowns, and a running total), completed "
        "e-services, centres operating, coordination offices, the share of appeals answered positively (a "
        "ratio) and one entered by hand per region and quarter; targets per centre and quarter for the counts "
        f"({first['targets']:,} target rows in all). Pages through Django's test Client signed in as a network "
        "administrator (middleware, selectors and template; the connection kept between requests as in "
        f"production), {WARM_UP} untimed requests then {report['requests']} timed ones each; *queries* are the SQL "
        "statements of one request. The default span is the whole programme. The network programme's "
        "figures were checked equal to counts over the raw rows (consultations, completed e-services, "
        "the appeals' ratio, the largest region's consultations). Budget: p95 ≤ "
        f"{BUDGET_MS} ms. Both databases generated at once; the timed measurements took turns.",
        "",
        "| page | " + " | ".join(f"{r['database']} p50 ms | p95 ms | queries" for r in report["runs"]) + " |",
        "|---|" + "---:|---:|---:|" * len(report["runs"]),
    ]
    for label in first["pages"]:
        cells = []
        for run in report["runs"]:
            page = run["pages"][label]
            cells.append(f"{page['p50_ms']} | {page['p95_ms']} | {page['queries']}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| database | generation min | of which entries s | tallies rebuilt s | tally rows | database size |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in report["runs"]:
        s = run["seconds"]
        lines.append(
            f"| {run['database']} | {run['generation_minutes']} | {s.get('consultations', '–')} | "
            f"{s.get('tallies (rollups.rebuild)', '–')} | {sum(run['tally_rows'].values()):,} | "
            f"{run['database_bytes'] / 1e6:,.0f} MB |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(run_one(argv[1]), ensure_ascii=False))
        return
    started = time.perf_counter()
    runs = run_databases()
    report = {
        "benchmark": "programme",
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "requests": REQUESTS,
        "reused": REUSE,
        "total_minutes": round((time.perf_counter() - started) / 60, 1),
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "programme.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    text = _markdown(report)
    (RESULTS / "programme.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
