"""The search index: each public card's lemmas per field, in the full-text table (written by `index_card`)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from cipnet.eservices.models import CardSearchDocument, ServiceCard
from cipnet.eservices.search.lemmas import tokenise
from cipnet.eservices.search.tuning import FIELDS, FTS_TABLE
from cipnet.eservices.search.vocabulary import invalidate_vocabulary

# --------------------------------------------------------------------------------------------
# Index
# --------------------------------------------------------------------------------------------


def _joined(*parts: Any) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, list | tuple):
            out.extend(str(item) for item in part)
        elif part:
            out.append(str(part))
    return "\n".join(out)


def _card_texts(card: ServiceCard) -> dict[str, str]:
    provider = card.provider
    guide = _joined(
        card.guide_steps,
        card.pitfalls,
        card.bring,
        card.requirements,
        provider.name,
        provider.name_en,
        provider.name_pl,
        [c.name for c in card.categories.all()],
        [e.name for e in card.life_events.all()],
    )
    return {
        "name": _joined(card.name, card.name_en, card.name_pl),
        "keywords": _joined(card.keywords),
        "description": _joined(
            card.short_description,
            card.description,
            card.short_description_en,
            card.description_en,
            card.short_description_pl,
            card.description_pl,
        ),
        "guide": guide,
    }


def _fts_upsert(card_id: int, terms: str, forms: str) -> None:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [card_id])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, card_id, terms, forms) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [card_id, card_id, terms, forms],
            )
        elif vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (card_id, terms, forms) VALUES (%s, to_tsvector('simple', %s), %s) "  # noqa: S608
                "ON CONFLICT (card_id) DO UPDATE SET terms = EXCLUDED.terms, forms = EXCLUDED.forms",
                [card_id, terms, forms],
            )


def index_card(card: ServiceCard) -> None:
    """(Re)write the card's lemmatised document and its full-text index row."""
    texts = _card_texts(card)
    field_terms: dict[str, list[str]] = {}
    forms: dict[str, None] = {}
    for name, text in texts.items():
        lemmas: dict[str, None] = {}
        for token in tokenise(text):
            forms.setdefault(token.form, None)
            for lemma in token.lemmas:
                lemmas.setdefault(lemma, None)
        field_terms[name] = list(lemmas)
    CardSearchDocument.objects.update_or_create(
        card=card,
        defaults={
            "name_terms": " ".join(field_terms["name"]),
            "keyword_terms": " ".join(field_terms["keywords"]),
            "description_terms": " ".join(field_terms["description"]),
            "guide_terms": " ".join(field_terms["guide"]),
        },
    )
    all_terms = dict.fromkeys(term for name in FIELDS for term in field_terms[name])
    _fts_upsert(card.pk, " ".join(all_terms), " ".join(forms))
    invalidate_vocabulary()


def rebuild_index() -> int:
    """Re-index every card (after a change to the analysis); returns how many."""
    count = 0
    with transaction.atomic():
        cards = ServiceCard.objects.select_related("provider").prefetch_related("categories", "life_events")
        ids = []
        for card in cards.iterator(chunk_size=500):
            index_card(card)
            ids.append(card.pk)
            count += 1
        CardSearchDocument.objects.exclude(card_id__in=ids).delete()
        with connection.cursor() as cursor:
            if connection.vendor in ("sqlite", "postgresql"):
                cursor.execute(
                    f"DELETE FROM {FTS_TABLE} WHERE card_id NOT IN (SELECT id FROM {ServiceCard._meta.db_table})"  # noqa: S608
                )
    invalidate_vocabulary()
    return count
