"""The catalogue out, as JSON (the shape `import_catalogue_json` reads back) and as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models

from cipnet.directory.models import Territory
from cipnet.eservices.interchange.formats import (
    CARD_KEYS,
    CSV_COLUMNS,
    CSV_LIST_SEPARATOR,
    FORMAT_VERSION,
    LIST_FIELDS,
    PROVIDER_KEYS,
    RELATION_FIELDS,
    STRUCT_FIELDS,
    TERM_KEYS,
    TOP_LEVELS,
    Term,
)
from cipnet.eservices.interchange.validation import normalise_channel, normalise_legal
from cipnet.eservices.models import (
    Category,
    LifeEvent,
    Provider,
    ServiceCard,
)

# --- Export -------------------------------------------------------------------------------------------


def _cards_queryset(cards: Iterable[ServiceCard] | None) -> list[ServiceCard]:
    if cards is None:
        cards = ServiceCard.objects.all()
    if isinstance(cards, models.QuerySet):
        cards = cards.select_related("provider", "territory", "territory__oblast").prefetch_related(
            "categories", "life_events"
        )
    return sorted(cards, key=lambda card: card.identifier)


def territory_reference(territory: Territory | None) -> dict[str, str] | None:
    """How the JSON file names a territory: by oblast, and by place name and category inside it."""
    if territory is None:
        return None
    if territory.level in TOP_LEVELS:
        return {"oblast": territory.name}
    oblast = territory.oblast
    return {"oblast": oblast.name if oblast else "", "name": territory.name, "category": territory.level}


def card_to_dict(card: ServiceCard) -> dict[str, Any]:
    """One card in the JSON file's shape (keys in `CARD_KEYS` order)."""
    data: dict[str, Any] = {}
    for key in CARD_KEYS:
        if key == "territory":
            data[key] = territory_reference(card.territory)
        elif key == "territory_code":
            data[key] = card.territory.code if card.territory else None
        elif key == "provider":
            data[key] = card.provider.slug
        elif key in RELATION_FIELDS:
            data[key] = sorted(item.slug for item in getattr(card, key).all())
        elif key == "verified_on":
            data[key] = card.verified_on.isoformat() if card.verified_on else None
        elif key == "channels":
            data[key] = [normalise_channel(c) for c in card.channels]
        elif key == "legal_basis":
            data[key] = [normalise_legal(item) for item in card.legal_basis]
        else:
            data[key] = getattr(card, key)
    return data


def _term_to_dict(item: Term, keys: Sequence[str]) -> dict[str, Any]:
    return {key: getattr(item, key) for key in keys}


def export_catalogue_json(cards: Iterable[ServiceCard] | None = None) -> dict[str, Any]:
    """The catalogue (or the given cards) with the providers, categories and life events they use."""
    card_list = _cards_queryset(cards)
    provider_ids = {card.provider_id for card in card_list}
    category_ids = {c.pk for card in card_list for c in card.categories.all()}
    event_ids = {e.pk for card in card_list for e in card.life_events.all()}
    if cards is None:
        # The whole catalogue includes terms no card uses yet, so an export restores everything.
        providers = Provider.objects.order_by("slug")
        categories = Category.objects.order_by("slug")
        life_events = LifeEvent.objects.order_by("slug")
    else:
        providers = Provider.objects.filter(pk__in=provider_ids).order_by("slug")
        categories = Category.objects.filter(pk__in=category_ids).order_by("slug")
        life_events = LifeEvent.objects.filter(pk__in=event_ids).order_by("slug")
    return {
        "source": {"format": "cipnet-catalogue", "version": FORMAT_VERSION},
        "providers": [_term_to_dict(p, PROVIDER_KEYS) for p in providers],
        "categories": [_term_to_dict(c, TERM_KEYS) for c in categories],
        "life_events": [_term_to_dict(e, TERM_KEYS) for e in life_events],
        "cards": [card_to_dict(card) for card in card_list],
    }


def export_catalogue_json_text(cards: Iterable[ServiceCard] | None = None) -> str:
    return json.dumps(export_catalogue_json(cards), ensure_ascii=False, indent=2) + "\n"


def _escape_item(item: str) -> str:
    return item.replace("\\", "\\\\").replace("|", "\\|")


def join_list_cell(items: Sequence[str]) -> str:
    return CSV_LIST_SEPARATOR.join(_escape_item(item) for item in items)


def split_list_cell(cell: str) -> list[str]:
    """The inverse of `join_list_cell`: split on unescaped ``|``, unescape, strip, drop empty items."""
    items: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt in ("|", "\\") else ch + nxt)
        elif ch == "|":
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _card_to_csv_row(card: ServiceCard) -> list[str]:
    data = card_to_dict(card)
    territory = data["territory"] or {}
    row: list[str] = []
    for column in CSV_COLUMNS:
        if column == "territory_code":
            row.append(data["territory_code"] or "")
        elif column == "territory_oblast":
            row.append(territory.get("oblast", ""))
        elif column == "territory_name":
            row.append(territory.get("name", ""))
        elif column == "territory_category":
            row.append(territory.get("category", ""))
        elif column in LIST_FIELDS or column in RELATION_FIELDS:
            row.append(join_list_cell(data[column]))
        elif column in STRUCT_FIELDS:
            row.append(json.dumps(data[column], ensure_ascii=False) if data[column] else "")
        elif column == "verified_on":
            row.append(data[column] or "")
        else:
            row.append(str(data[column]))
    return row


def export_catalogue_csv(cards: Iterable[ServiceCard] | None = None) -> str:
    """One row per card, with a byte-order mark so spreadsheets read it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for card in _cards_queryset(cards):
        writer.writerow(_card_to_csv_row(card))
    return out.getvalue()
