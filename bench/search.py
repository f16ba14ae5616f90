"""Catalogue search benchmark: search() and autocomplete() over 5,000 generated service cards.

Runs on a throw-away database: SQLite in a temporary folder, and PostgreSQL too when
BENCH_POSTGRES_URL is set (a database it may drop and recreate). The catalogue is the shipped
demo one (100 cards) plus generated cards that recombine its Ukrainian names, keywords,
descriptions and guide steps with realistic variations (audiences, regions, related
procedures), indexed by `search.rebuild_index`. Reports the index build time and p50/p95 latency
of `search()` and `autocomplete()` over ~40 resident-style queries (word forms, Russian, typos,
colloquial words, abbreviations, prefixes), and of the same through /api/v1/; writes
bench/results/search.json and search.md.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import percentile, run_on_databases

RESULTS = Path(__file__).resolve().parent / "results"
CARDS = int(os.environ.get("BENCH_CARDS", "5000"))
REPEAT = int(os.environ.get("BENCH_SEARCH_REPEAT", "10"))
SEED = 20261122

#: (what a resident types, kind of query, the demo card that answers it).
QUERIES: list[tuple[str, str, str]] = [
    # Word forms: the card says "пенсія", "субсидія", "вакансії", "квитки", "несудимість".
    ("пенсію", "word forms", "pfu-e-services-portal"),
    ("пенсійного фонду", "word forms", "pfu-e-services-portal"),
    ("субсидію на житло", "word forms", "housing-subsidy"),
    ("вакансій центру зайнятості", "word forms", "dcz-job-vacancies"),
    ("квитків на поїзд", "word forms", "uz-train-tickets"),
    ("довідки про несудимість", "word forms", "criminal-record-certificate"),
    ("закордонного паспорта", "word forms", "foreign-passport"),
    ("трудовій книжці", "word forms", "e-work-record-book"),
    # Russian.
    ("пенсию проверить", "Russian", "pfu-e-services-portal"),
    ("билет на поезд", "Russian", "uz-train-tickets"),
    ("справка о несудимости", "Russian", "criminal-record-certificate"),
    ("работа вакансии", "Russian", "dcz-job-vacancies"),
    ("оплатить коммуналку", "Russian", "utility-payments-online"),
    ("субсидия", "Russian", "housing-subsidy"),
    ("запись к врачу", "Russian", "doctor-appointment-online"),
    # Typos.
    ("пенсйя", "typos", "pfu-e-services-portal"),
    ("кадастрвоа карта", "typos", "public-cadastral-map"),
    ("несудимисть", "typos", "criminal-record-certificate"),
    ("закордоний паспорт", "typos", "foreign-passport"),
    ("субсідія", "typos", "housing-subsidy"),
    ("вакансiї", "typos", "dcz-job-vacancies"),
    # Colloquial words and abbreviations (synonyms).
    ("прописка", "colloquial", "residence-registration"),
    ("комуналка", "colloquial", "utility-payments-online"),
    ("зно реєстрація", "colloquial", "nmt-registration"),
    ("флп закрити", "colloquial", "fop-closing"),
    ("відкрити фоп", "colloquial", "fop-registration"),
    ("довідка впо", "colloquial", "idp-certificate"),
    ("іпн", "colloquial", "rnokpp-tax-number"),
    ("заплатити за світло", "colloquial", "utility-payments-online"),
    # Questions in several words.
    ("як перевірити страховий стаж", "questions", "pfu-insurance-record"),
    ("де подивитися графік відключень світла", "questions", "power-outage-schedules"),
    ("записатися до лікаря онлайн", "questions", "doctor-appointment-online"),
    ("компенсація за зруйноване житло", "questions", "erecovery-housing-compensation"),
    ("податкова знижка за навчання", "questions", "tax-rebate-declaration"),
    ("як оформити пенсію онлайн", "questions", "pension-application-online"),
    ("вклад в ощадбанку срср", "questions", "oschadbank-ussr-deposits"),
    ("електронний щоденник школа", "questions", "school-e-diary"),
    ("черга на кордон", "questions", "echerha-border-queue"),
    ("публічна кадастрова карта", "questions", "public-cadastral-map"),
    ("скарга на банк", "questions", "nbu-bank-complaint"),
]

#: Variations a real catalogue has of one service: audiences, places, related procedures.
AUDIENCES = [
    "для внутрішньо переміщених осіб", "для пенсіонерів", "для ФОП", "для людей з інвалідністю",
    "для ветеранів війни", "для військовослужбовців і їхніх родин", "для іноземців", "для студентів",
    "для батьків", "для багатодітних сімей", "для мешканців сіл", "для громадян за кордоном",
    "для опікунів", "для молоді", "для безробітних", "для фермерів",
]  # fmt: skip
PROCEDURES = [
    "повторна видача", "зміна даних", "продовження строку", "оскарження рішення", "дублікат документа",
    "консультація в ЦНАП", "перевірка статусу заяви", "запис на прийом", "скасування заяви",
    "отримання витягу", "виправлення помилки", "подання через представника",
]  # fmt: skip
OBLASTS = [
    "Вінницька", "Волинська", "Дніпропетровська", "Житомирська", "Закарпатська", "Запорізька",
    "Івано-Франківська", "Київська", "Кіровоградська", "Львівська", "Миколаївська", "Одеська", "Полтавська",
    "Рівненська", "Сумська", "Тернопільська", "Харківська", "Херсонська", "Хмельницька", "Черкаська",
    "Чернівецька", "Чернігівська",
]  # fmt: skip
EXTRA_STEPS = [
    "Перевірте, чи збігаються дані в документах відвідувача",
    "Допоможіть увійти через Дія.Підпис або BankID",
    "Збережіть номер заяви і поясніть, як перевірити її статус",
    "Роздрукуйте квитанцію, якщо відвідувач просить",
    "Поясніть, у який строк надійде відповідь і куди",
    "Запропонуйте записатися на повторну консультацію",
]  # fmt: skip


def _summary(timings: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
    }


def autocomplete_input(query: str) -> str:
    """What a consultant has typed part-way: the last word cut to about two thirds (at least 3 letters)."""
    head, _sep, last = query.rpartition(" ")
    cut = last[: max(3, (len(last) * 2 + 2) // 3)]
    return f"{head} {cut}" if head else cut


def _sentences(text: str) -> list[str]:
    parts = [part.strip() for part in text.replace("!", ".").split(". ") if part.strip()]
    return [part if part.endswith(".") else part + "." for part in parts]


def generate_cards(count: int, rng: random.Random) -> int:
    """`count` new cards recombining the demo catalogue's texts; written in bulk, indexed later."""
    from cipnet.directory.models import Territory
    from cipnet.eservices.models import CardLevel, CardStatus, ServiceCard

    base = list(ServiceCard.objects.order_by("identifier").prefetch_related("categories", "life_events"))
    oblasts = {
        t.name: t.pk for t in Territory.objects.filter(level="O", name__in=OBLASTS).only("pk", "name").order_by("pk")
    }
    by_category: dict[int, list[ServiceCard]] = {}
    for card in base:
        for category in card.categories.all():
            by_category.setdefault(category.pk, []).append(card)

    made: list[ServiceCard] = []
    relations: list[tuple[int, list[int], list[int]]] = []
    for n in range(count):
        card = base[n % len(base)]
        categories = [c.pk for c in card.categories.all()]
        peers = by_category.get(categories[0], base) if categories else base
        other = rng.choice(peers)
        third = rng.choice(base)
        variation = rng.random()
        territory_id = None
        level = CardLevel.NATIONAL
        if variation < 0.45:
            qualifier = rng.choice(AUDIENCES)
        elif variation < 0.8:
            qualifier = rng.choice(PROCEDURES)
        else:
            oblast = rng.choice(OBLASTS)
            qualifier = f"у {oblast[:-1]}ій області" if oblast.endswith("ька") else f"({oblast} область)"
            if oblast in oblasts:
                territory_id, level = oblasts[oblast], CardLevel.REGIONAL
        sentences = _sentences(card.description)
        rng.shuffle(sentences)
        sentences[1:1] = rng.sample(_sentences(other.description), k=min(2, len(_sentences(other.description))))
        keywords = list(dict.fromkeys(rng.sample(card.keywords, k=min(4, len(card.keywords))) + other.keywords[:2]))
        steps = list(card.guide_steps)
        steps.insert(rng.randrange(len(steps) + 1), rng.choice(EXTRA_STEPS))
        if other.guide_steps and rng.random() < 0.5:
            steps.append(rng.choice(other.guide_steps))
        roll = rng.random()
        made.append(
            ServiceCard(
                identifier=f"{card.identifier}-{n}"[:120],
                name=f"{card.name}: {qualifier}"[:250],
                name_en=f"{card.name_en} ({n})"[:250] if card.name_en else "",
                name_pl=card.name_pl,
                short_description=f"{card.short_description} {_sentences(third.short_description)[0]}"[:400],
                short_description_en=card.short_description_en,
                short_description_pl=card.short_description_pl,
                description=" ".join(sentences),
                description_en=card.description_en,
                description_pl=card.description_pl,
                kind=card.kind,
                level=level,
                territory_id=territory_id,
                provider_id=card.provider_id if rng.random() < 0.8 else other.provider_id,
                audience=qualifier if qualifier in AUDIENCES else card.audience,
                keywords=keywords,
                channels=card.channels,
                authentication=card.authentication,
                requirements=list(dict.fromkeys(card.requirements + other.requirements[:1])),
                cost=card.cost,
                processing_time=card.processing_time,
                output=card.output,
                legal_basis=card.legal_basis,
                languages=card.languages,
                guide_steps=steps,
                pitfalls=list(dict.fromkeys(card.pitfalls + third.pitfalls[:1])),
                bring=card.bring,
                status=CardStatus.ACTIVE
                if roll < 0.92
                else CardStatus.OUTDATED
                if roll < 0.97
                else CardStatus.WITHDRAWN,
                verified_on=card.verified_on,
                popularity=rng.randint(0, 60),
            )
        )
        events = [e.pk for e in card.life_events.all()]
        extra = [c.pk for c in other.categories.all()][:1] if rng.random() < 0.3 else []
        relations.append((n, list(dict.fromkeys(categories + extra)), events))
    ServiceCard.objects.bulk_create(made, batch_size=500)
    ids = dict(ServiceCard.objects.filter(identifier__in=[c.identifier for c in made]).values_list("identifier", "pk"))
    category_links = ServiceCard.categories.through
    event_links = ServiceCard.life_events.through
    category_links.objects.bulk_create(
        [
            category_links(servicecard_id=ids[made[n].identifier], category_id=pk)
            for n, pks, _events in relations
            for pk in pks
        ],
        batch_size=2000,
    )
    event_links.objects.bulk_create(
        [
            event_links(servicecard_id=ids[made[n].identifier], lifeevent_id=pk)
            for n, _pks, events in relations
            for pk in events
        ],
        batch_size=2000,
    )
    return len(made)


#: The naive baselines the ranking is compared with, on the same relevance set and the same cards.
BASELINES = {
    "overlap": "lemma overlap: cards ranked by how many of the query's own lemmas (`search.analyse`: no "
    "synonyms, typo corrections or related words) they hold in any field, then popularity, identifier",
    "engine": "the database's own full-text rank over the same index rows (each card's lemmas, no field "
    "weights): FTS5 `bm25()` on SQLite, `ts_rank` on PostgreSQL, for the query's own lemmas OR-ed; ties by "
    "popularity, identifier",
}


def baseline_rankers() -> dict[str, Callable[[str], list[str]]]:
    """Each baseline: query → the identifiers of its top 3 public cards."""
    from django.db import connection

    from cipnet.eservices import search
    from cipnet.eservices.models import CardSearchDocument, CardStatus

    documents = [
        (identifier, popularity, set(" ".join(texts).split()))
        for identifier, popularity, *texts in CardSearchDocument.objects.exclude(
            card__status=CardStatus.WITHDRAWN
        ).values_list(
            "card__identifier", "card__popularity", "name_terms", "keyword_terms", "description_terms", "guide_terms"
        )
    ]

    def overlap(text: str) -> list[str]:
        lemmas = set(search.analyse(text))
        scored = [(-len(lemmas & terms), -popularity, identifier) for identifier, popularity, terms in documents]
        return [identifier for count, _p, identifier in sorted(s for s in scored if s[0] < 0)[:3]]

    def engine(text: str) -> list[str]:
        lemmas = [lemma for lemma in search.analyse(text) if lemma.isalnum()]
        if not lemmas:
            return []
        fts, cards = search.FTS_TABLE, "eservices_servicecard"
        if connection.vendor == "sqlite":
            sql = (
                f"SELECT c.identifier FROM {fts} f JOIN {cards} c ON c.id = f.card_id "  # noqa: S608
                f"WHERE {fts} MATCH %s AND c.status <> %s ORDER BY bm25({fts}), c.popularity DESC, c.identifier LIMIT 3"
            )
            query = " OR ".join(f'"{lemma}"' for lemma in lemmas)
        else:
            sql = (
                f"SELECT c.identifier FROM {fts} f JOIN {cards} c ON c.id = f.card_id "  # noqa: S608
                "WHERE f.terms @@ to_tsquery('simple', %s) AND c.status <> %s "
                "ORDER BY ts_rank(f.terms, to_tsquery('simple', %s)) DESC, c.popularity DESC, c.identifier LIMIT 3"
            )
            query = " | ".join(lemmas)
        params = [query, CardStatus.WITHDRAWN] + ([query] if connection.vendor != "sqlite" else [])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    return {"overlap": overlap, "engine": engine}


def relevance_of(rank: Callable[[str], list[str]]) -> dict[str, int]:
    """Top-3 hits of a ranker on the relevance set: the expected demo card, or it or one of its variants."""
    counts = {"expected_card": 0, "expected_card_or_its_variant": 0}
    for text, _group, expected in QUERIES:
        top = rank(text)[:3]
        counts["expected_card"] += expected in top
        counts["expected_card_or_its_variant"] += any(i == expected or i.startswith(f"{expected}-") for i in top)
    return counts


def _time(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000, value


def run_one(database_url: str) -> dict[str, Any]:
    """Runs in a child process so each database gets a clean Django setup."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cipnet.eservices import search
    from cipnet.eservices.interchange import load_shipped_catalogue
    from cipnet.eservices.models import CardSearchDocument, ServiceCard

    call_command("migrate", verbosity=0)
    call_command("import_katottg", verbosity=0)
    started = time.perf_counter()
    load_shipped_catalogue(actor=None)
    demo_seconds = time.perf_counter() - started
    demo_cards = ServiceCard.objects.count()

    rng = random.Random(SEED)
    started = time.perf_counter()
    generated = generate_cards(max(0, CARDS - demo_cards), rng)
    generate_seconds = time.perf_counter() - started

    # A cold rebuild: the analysers stay loaded, but no word has been lemmatised yet.
    search.clear_caches()
    started = time.perf_counter()
    indexed = search.rebuild_index()
    index_seconds = time.perf_counter() - started

    # The first search after any change to the catalogue reloads the vocabulary (lemmas and word
    # forms of every public card, for typo tolerance and prefixes).
    search.invalidate_vocabulary()
    vocabulary_ms, _result = _time(lambda: search.search("пенсія"))

    def hits(text: str) -> list[Any]:
        return search.search(text, limit=20).hits

    def completions(text: str) -> list[Any]:
        return search.autocomplete(autocomplete_input(text), limit=8)

    cases: dict[str, dict[str, Any]] = {}
    relevance = {"top3": 0, "top3_or_variant": 0}
    load_before = os.getloadavg()[0]
    for kind, fn in (("search", hits), ("autocomplete", completions)):
        timings: list[float] = []
        cpu_timings: list[float] = []
        per_group: dict[str, list[float]] = {}
        slowest: list[tuple[float, str]] = []
        for text, group, expected in QUERIES:
            found = fn(text)  # warm: the query's words are lemmatised once per process
            own: list[float] = []
            for _ in range(REPEAT):
                started, cpu_started = time.perf_counter(), time.process_time()
                fn(text)
                own.append((time.perf_counter() - started) * 1000)
                cpu_timings.append((time.process_time() - cpu_started) * 1000)
            timings += own
            per_group.setdefault(group, []).extend(own)
            slowest.append((statistics.median(own), autocomplete_input(text) if kind == "autocomplete" else text))
            if kind == "search":
                top = [hit.card.identifier for hit in found[:3]]
                relevance["top3"] += expected in top
                relevance["top3_or_variant"] += any(i == expected or i.startswith(f"{expected}-") for i in top)
        slowest.sort(reverse=True)
        cases[kind] = {
            **_summary(timings),
            "cpu": _summary(cpu_timings),
            "queries": len(QUERIES),
            "calls": len(timings),
            "by_kind": {group: _summary(values) for group, values in per_group.items()},
            "slowest": [{"query": q, "p50_ms": round(ms, 2)} for ms, q in slowest[:5]],
        }

    client = Client()
    api: dict[str, dict[str, Any]] = {}
    api_cases = {
        "GET /api/v1/services/ (browse, first page)": ("/api/v1/services/", {}),
        "GET /api/v1/services/?q=пенсію": ("/api/v1/services/", {"q": "пенсію"}),
        "GET /api/v1/services/?q=справка о несудимости": ("/api/v1/services/", {"q": "справка о несудимости"}),
        "GET /api/v1/services/?q=прописка&region=lvivska": (
            "/api/v1/services/",
            {"q": "прописка", "region": "lvivska"},
        ),
        "GET /api/v1/services/autocomplete/?q=пенсі": ("/api/v1/services/autocomplete/", {"q": "пенсі"}),
        "GET /api/v1/services/autocomplete/?q=квитки на по": ("/api/v1/services/autocomplete/", {"q": "квитки на по"}),
    }
    for label, (url, params) in api_cases.items():
        client.get(url, params)
        timings = []
        queries = 0
        for _ in range(REPEAT * 2):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, params)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} {params} answered {response.status_code}")
            queries = len(ctx.captured_queries)
        api[label] = {**_summary(timings), "queries": queries}

    return {
        "database": connection.vendor,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cards": ServiceCard.objects.count(),
        "public_cards": ServiceCard.objects.public().count(),
        "generated_cards": generated,
        "indexed_cards": indexed,
        "index_documents": CardSearchDocument.objects.count(),
        "demo_import_seconds": round(demo_seconds, 1),
        "generate_seconds": round(generate_seconds, 1),
        "index_build_seconds": round(index_seconds, 1),
        "index_build_ms_per_card": round(index_seconds * 1000 / max(indexed, 1), 2),
        "vocabulary_load_ms": round(vocabulary_ms, 1),
        "calls_per_query": REPEAT,
        "search": cases["search"],
        "autocomplete": cases["autocomplete"],
        "relevance_top3": {
            "queries": len(QUERIES),
            "expected_card": relevance["top3"],
            "expected_card_or_its_variant": relevance["top3_or_variant"],
        },
        "baselines_top3": {name: relevance_of(rank) for name, rank in baseline_rankers().items()},
        "api": api,
    }


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Catalogue search benchmark",
        "",
        f"{report['when']} — {report['machine']}. `search()` and `autocomplete()` called directly (server "
        f"time, no HTTP), {REPEAT} calls per query after one warm-up; {len(QUERIES)} resident-style queries "
        "(word forms, Russian, typos, colloquial words and abbreviations, questions in several words). "
        'Autocomplete gets each query with its last word cut to about two thirds ("пенсійного фо"). '
        "API rows go through Django's test client. CPU is this process's CPU time per call (with SQLite it "
        "includes the database's work; PostgreSQL's runs in its own process): less sensitive than wall time to "
        "a shared, loaded machine.",
        "",
        "Baselines (same relevance set, same cards): "
        + "; ".join(f"**{name}**: {text}" for name, text in BASELINES.items())
        + ".",
        "",
    ]
    for run in report["runs"]:
        relevance = run["relevance_top3"]
        lines += [
            f"## {run['database']}: {run['cards']:,} cards ({run['public_cards']:,} public)",
            "",
            f"- index build (`search.rebuild_index`, cold lemma cache): **{run['index_build_seconds']} s** "
            f"({run['index_build_ms_per_card']} ms per card)",
            f"- first search after a catalogue change (vocabulary reload): {run['vocabulary_load_ms']} ms",
            f"- data: demo catalogue import {run['demo_import_seconds']} s, {run['generated_cards']:,} generated "
            f"cards in {run['generate_seconds']} s",
            f"- machine load (1-minute load average, before and after the timed calls): "
            f"{' → '.join(str(x) for x in run.get('load_average_1min', []))}",
            "",
            f"Relevance with {run['generated_cards']:,} look-alike cards, top 3 of {relevance['queries']} queries:",
            "",
            "| ranking | expected demo card | it or one of its generated variants |",
            "|---|---:|---:|",
            f"| `search()` | {relevance['expected_card']} | {relevance['expected_card_or_its_variant']} |",
        ]
        for name, counts in run.get("baselines_top3", {}).items():
            lines.append(f"| baseline: {name} | {counts['expected_card']} | {counts['expected_card_or_its_variant']} |")
        lines += [
            "",
            "| function | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | calls |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for kind in ("search", "autocomplete"):
            case = run[kind]
            cpu = case.get("cpu", {})
            lines.append(
                f"| {kind}() | {case['p50_ms']} | {case['p95_ms']} | {case['max_ms']} | {cpu.get('p50_ms')} | "
                f"{cpu.get('p95_ms')} | {case['calls']} |"
            )
        lines += ["", "| kind of query | search p50 | search p95 | autocomplete p50 | autocomplete p95 |"]
        lines.append("|---|---:|---:|---:|---:|")
        for group, figures in run["search"]["by_kind"].items():
            auto = run["autocomplete"]["by_kind"][group]
            lines.append(
                f"| {group} | {figures['p50_ms']} | {figures['p95_ms']} | {auto['p50_ms']} | {auto['p95_ms']} |"
            )
        lines += ["", "Slowest queries (p50 ms): "]
        for kind in ("search", "autocomplete"):
            slowest = ", ".join(f"“{s['query']}” {s['p50_ms']}" for s in run[kind]["slowest"])
            lines.append(f"- {kind}: {slowest}")
        lines += ["", "| API request | p50 ms | p95 ms | queries |", "|---|---:|---:|---:|"]
        lines += [f"| {k} | {v['p50_ms']} | {v['p95_ms']} | {v['queries']} |" for k, v in run["api"].items()]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(run_one(argv[1]), ensure_ascii=False))
        return
    runs = run_on_databases("bench.search")
    report = {
        "benchmark": "search",
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "queries": [{"query": q, "kind": k, "expected": e} for q, k, e in QUERIES],
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "search.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    text = _markdown(report)
    (RESULTS / "search.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
