"""Search at scale: precomputed postings rank exactly as the per-card rule did, in few queries.

``search_snapshot.json`` holds, for the demo catalogue and every query of the relevance set (and
the same with the last word cut, as autocomplete sees it), the top results with their scores and
matched words as the per-card scorer gave them before postings replaced it (issue 15). Rewrite it
only for a deliberate change of ranking: ``SEARCH_SNAPSHOT_WRITE=1 pytest <this file>``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cipnet.eservices import search, services
from cipnet.eservices.models import CardKind, Provider, ServiceCard
from cipnet.eservices.selectors import CardFilters
from cipnet.eservices.tests.test_relevance import RELEVANCE

SNAPSHOT = Path(__file__).resolve().parent / "fixtures" / "search_snapshot.json"


def _cut(query: str) -> str:
    head, _sep, last = query.rpartition(" ")
    cut = last[: max(3, (len(last) * 2 + 2) // 3)]
    return f"{head} {cut}" if head else cut


def _rows(hits: list[search.Hit]) -> list[list[Any]]:
    return [
        [hit.card.identifier, hit.score, {name: sorted(words) for name, words in sorted(hit.matched.items())}]
        for hit in hits
    ]


def _observed() -> dict[str, Any]:
    queries = [query for query, _expected in RELEVANCE]
    return {
        "search": {query: _rows(search.search(query, limit=20).hits) for query in queries},
        "autocomplete": {_cut(query): _rows(search.autocomplete(_cut(query), limit=8)) for query in queries},
        "filtered": {
            query: _rows(search.search(query, limit=20, filters=CardFilters(kind=CardKind.ADMINISTRATIVE)).hits)
            for query in ("довідка", "реєстрація", "пенсія")
        },
    }


def _dump(observed: dict[str, Any]) -> str:
    """One line per query, so that a change of ranking reads as a short diff."""
    blocks = []
    for kind, results in observed.items():
        lines = [
            f"  {json.dumps(query, ensure_ascii=False)}: {json.dumps(rows, ensure_ascii=False)}"
            for query, rows in results.items()
        ]
        blocks.append(f" {json.dumps(kind)}: {{\n" + ",\n".join(lines) + "\n }")
    return "{\n" + ",\n".join(blocks) + "\n}\n"


@pytest.mark.django_db
def test_ranking_is_the_recorded_one(catalogue: dict[str, ServiceCard]) -> None:
    observed = _observed()
    if os.environ.get("SEARCH_SNAPSHOT_WRITE"):
        SNAPSHOT.write_text(_dump(observed), encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for kind, results in expected.items():
        for query, rows in results.items():
            assert observed[kind][query] == rows, (kind, query)


def _card(provider: Provider, identifier: str, name: str, **fields: Any) -> ServiceCard:
    fields.setdefault("short_description", "Опис послуги")
    fields.setdefault("description", "Докладний опис послуги")
    fields.setdefault("kind", CardKind.ADMINISTRATIVE)
    return services.card_create(actor=None, identifier=identifier, name=name, provider=provider.pk, **fields)


def _queries(text: str, **kwargs: Any) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        hits = search.search(text, **kwargs).hits
    return len(ctx.captured_queries), [hit.card.identifier for hit in hits]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_candidates(db: Any) -> None:
    provider = Provider.objects.create(slug="pfu", name="Пенсійний фонд України")
    for n in range(3):
        _card(provider, f"few-{n}", f"Довідка номер {n}", popularity=n)
    search.search("довідка")  # the vocabulary is read once per catalogue change
    few, found = _queries("довідка", limit=2)
    assert found == ["few-2", "few-1"]
    for n in range(40):
        _card(provider, f"many-{n}", f"Довідка для громади {n}", popularity=50 + n)
    search.search("довідка")
    many, found = _queries("довідка", limit=2)
    assert found == ["many-39", "many-38"]
    assert many == few
    # Reading the vocabulary, synonyms, the shown cards and their matched words: a handful, not one per card.
    assert many <= 6


@pytest.mark.django_db
def test_cached_ranking_follows_every_card_change(db: Any) -> None:
    provider = Provider.objects.create(slug="pfu", name="Пенсійний фонд України")
    first = _card(provider, "first", "Субсидія на житло", popularity=10)
    second = _card(provider, "second", "Субсидія для пенсіонерів", popularity=20)
    assert _queries("субсидія")[1] == ["second", "first"]
    services.card_update(actor=None, card=first, popularity=90)
    assert _queries("субсидія")[1] == ["first", "second"]
    services.card_update(actor=None, card=first, status="outdated")
    assert _queries("субсидія")[1] == ["second", "first"]
    services.card_update(actor=None, card=second, status="withdrawn")
    assert _queries("субсидія")[1] == ["first"]
    services.card_update(actor=None, card=first, name="Житлова допомога", keywords=[])
    assert _queries("субсидія")[1] == []
    assert _queries("житлова допомога")[1] == ["first"]
