"""The vocabulary of the index: every lemma and word form of the public cards (typos, prefixes)."""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection

from cipnet.eservices.models import CardSearchDocument, CardStatus, ServiceCard
from cipnet.eservices.search.lemmas import word_lemmas
from cipnet.eservices.search.tuning import (
    FIELD_WEIGHTS,
    FIELDS,
    FTS_TABLE,
    POPULARITY_BONUS,
    PREFIX_EXPANSIONS,
    RELATED_LIMIT,
    RELATED_MIN_STEM,
)

# --------------------------------------------------------------------------------------------
# Vocabulary: every lemma and word form of the public cards (for typo tolerance and prefixes)
# --------------------------------------------------------------------------------------------


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class CardFacts(NamedTuple):
    name: str
    identifier: str
    popularity: int
    status: str


@dataclass
class Vocabulary:
    signature: tuple[Any, ...]
    document_frequency: Counter[str]
    sorted_lemmas: list[str]
    spellings: list[str]  # lemmas and word forms together, for nearest-word lookups
    #: Postings: lemma → ((field weight, the public cards whose best field holding it has that
    #: weight), …), best weight first. A search scores only the cards in its words' postings (ADR 4).
    postings: dict[str, tuple[tuple[float, frozenset[int]], ...]] = field(default_factory=dict)
    #: Public card id → what ranking reads besides the text: (name, identifier, popularity, status).
    cards: dict[int, CardFacts] = field(default_factory=dict)
    #: Public card id → POPULARITY_BONUS × popularity / 100, added to each of its scores.
    popularity_bonus: dict[int, float] = field(default_factory=dict)
    outdated: frozenset[int] = frozenset()

    def __contains__(self, lemma: str) -> bool:
        return lemma in self.document_frequency

    def related(self, lemma: str) -> list[str]:
        """Words of the same stem: "пенсія" → пенсійний, пенсіонер; "безробіття" → безробітний.

        Ukrainian derives adjectives, verbs and nouns from one stem; the dictionaries give each
        its own lemma. Two lemmas are related when they share their first five letters and differ
        after that only in the last three letters of the shorter one.
        """
        if len(lemma) < RELATED_MIN_STEM or not lemma.isalpha():
            return []
        found = []
        for other in self._starting_with(lemma[:RELATED_MIN_STEM]):
            if other == lemma or not other.isalpha():
                continue
            shared = _shared_prefix(lemma, other)
            if shared >= max(RELATED_MIN_STEM, min(len(lemma), len(other)) - 3):
                found.append(other)
        found.sort(key=lambda other: (-self.document_frequency[other], other))
        return found[:RELATED_LIMIT]

    def _starting_with(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.sorted_lemmas, prefix)
        found = []
        for lemma in self.sorted_lemmas[start:]:
            if not lemma.startswith(prefix):
                break
            found.append(lemma)
        return found

    def with_prefix(self, prefix: str) -> list[str]:
        found = self._starting_with(prefix)
        found.sort(key=lambda lemma: (-self.document_frequency[lemma], len(lemma), lemma))
        return found[:PREFIX_EXPANSIONS]


_vocabulary_lock = threading.Lock()
_vocabulary: Vocabulary | None = None


def invalidate_vocabulary() -> None:
    global _vocabulary
    _vocabulary = None


def _vocabulary_signature() -> tuple[Any, ...]:
    # Another process may have indexed cards: a cheap aggregate tells us when to reload. One
    # statement, read before every search: MAX(updated_at) is an index lookup (eservices 0004).
    cards = ServiceCard._meta.db_table
    documents = CardSearchDocument._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {documents}), (SELECT MAX(id) FROM {cards}), "  # noqa: S608
            f"(SELECT MAX(updated_at) FROM {cards})"
        )
        return tuple(cursor.fetchone() or ())


def _read_forms(public_ids: set[int]) -> Iterable[str]:
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT card_id, forms FROM {FTS_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    forms: set[str] = set()
    for card_id, text in rows:
        if int(card_id) in public_ids and text:
            forms.update(text.split())
    return forms


def get_vocabulary() -> Vocabulary:
    global _vocabulary
    signature = _vocabulary_signature()
    current = _vocabulary
    if current is not None and current.signature == signature:
        return current
    with _vocabulary_lock:
        rows = CardSearchDocument.objects.exclude(card__status=CardStatus.WITHDRAWN).values_list(
            "card_id",
            "card__name",
            "card__identifier",
            "card__popularity",
            "card__status",
            "name_terms",
            "keyword_terms",
            "description_terms",
            "guide_terms",
        )
        by_weight: dict[str, dict[float, list[int]]] = {}
        cards: dict[int, CardFacts] = {}
        weights = [FIELD_WEIGHTS[name] for name in reversed(FIELDS)]
        for card_id, name, identifier, popularity, status, *texts in rows:
            cards[card_id] = CardFacts(name, identifier, popularity, status)
            best: dict[str, float] = {}
            for weight, text in zip(weights, reversed(texts), strict=True):  # a word counts in its best field
                for term in text.split():
                    best[term] = weight
            for term, weight in best.items():
                by_weight.setdefault(term, {}).setdefault(weight, []).append(card_id)
        postings = {
            term: tuple((weight, frozenset(ids)) for weight, ids in sorted(tiers.items(), reverse=True))
            for term, tiers in by_weight.items()
        }
        frequency = Counter({term: sum(len(ids) for _w, ids in tiers) for term, tiers in postings.items()})
        spellings = sorted(set(frequency) | set(_read_forms(set(cards))))
        current = Vocabulary(
            signature=signature,
            document_frequency=frequency,
            sorted_lemmas=sorted(frequency),
            spellings=spellings,
            postings=postings,
            cards=cards,
            popularity_bonus={
                card: POPULARITY_BONUS * min(max(facts.popularity, 0), 100) / 100 for card, facts in cards.items()
            },
            outdated=frozenset(card for card, facts in cards.items() if facts.status == CardStatus.OUTDATED),
        )
        _vocabulary = current
    return current


def _typo_limit(word: str, *, known: bool) -> int:
    """How many edits a word may be off: none under 4 letters, 1 up to 6, 2 beyond.

    A word the dictionaries know is probably not a typo, only one edit is allowed.
    """
    if len(word) < 4:
        return 0
    limit = 1 if len(word) <= 6 else 2
    if known:
        return 1 if len(word) >= 5 else 0
    return limit


def nearest_word(word: str, vocabulary: Vocabulary, *, known: bool) -> tuple[str, tuple[str, ...]] | None:
    """The closest spelling in the vocabulary and the indexed lemmas it stands for."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    limit = _typo_limit(word, known=known)
    if not limit:
        return None
    matches = process.extract(word, vocabulary.spellings, scorer=OSA.distance, score_cutoff=limit, limit=None)
    best: tuple[tuple[float, int, int, str], str, tuple[str, ...]] | None = None
    for spelling, distance, _index in matches:
        if spelling == word:
            continue
        lemmas = tuple(lemma for lemma in (spelling, *word_lemmas(spelling)) if lemma in vocabulary)
        if not lemmas:
            continue
        frequency = max(vocabulary.document_frequency[lemma] for lemma in lemmas)
        rank = (distance, -frequency, 0 if spelling in vocabulary else 1, spelling)
        if best is None or rank < best[0]:
            best = (rank, spelling, tuple(dict.fromkeys(lemmas)))
    return (best[1], best[2]) if best else None
