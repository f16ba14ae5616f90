"""Catalogue fixtures for the search tests: the shipped demo catalogue, loaded through the services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cipnet.core.text import latin_key, name_key
from cipnet.directory.models import Territory, TerritoryLevel
from cipnet.eservices import services
from cipnet.eservices.models import CARD_FIELDS, Category, LifeEvent, Provider, ServiceCard, Synonym

CATALOGUE_JSON = Path(__file__).resolve().parents[1] / "data" / "catalogue.json"
SEED_SYNONYMS_MIGRATION = "cipnet.eservices.migrations.0003_seed_synonyms"

_CARD_FIELDS = set(CARD_FIELDS) - {"territory", "provider", "verified_on"}


def _territory(reference: dict[str, str] | None, made: dict[tuple[str, ...], Territory]) -> Territory | None:
    """The Territory a card names, found by name or, when the test database lacks it, made minimally."""
    if not reference:
        return None
    oblast_name = reference.get("oblast", "")
    oblast = (
        Territory.objects.filter(
            level__in=[TerritoryLevel.OBLAST, TerritoryLevel.SPECIAL_CITY], name_key=name_key(oblast_name)
        )
        .order_by("code")
        .first()
    )
    if oblast is None:
        key = ("O", oblast_name)
        if key not in made:
            made[key] = _make_territory(code=f"UAT{len(made):016d}", level="O", name=oblast_name, parent=None)
        oblast = made[key]
    if not reference.get("name"):
        return oblast
    place = (
        Territory.objects.filter(
            level=reference.get("category") or TerritoryLevel.CITY,
            name_key=name_key(reference["name"]),
            oblast_id=oblast.pk,
        )
        .order_by("code")
        .first()
    )
    if place is None:
        key = ("P", oblast_name, reference["name"], reference.get("category", "M"))
        if key not in made:
            made[key] = _make_territory(
                code=f"UAT{len(made):016d}",
                level=reference.get("category") or "M",
                name=reference["name"],
                parent=oblast,
            )
        place = made[key]
    return place


def _make_territory(*, code: str, level: str, name: str, parent: Territory | None) -> Territory:
    territory = Territory.objects.create(
        code=code,
        level=level,
        name=name,
        name_key=name_key(name),
        latin_key=latin_key(name),
        parent=parent,
        oblast=parent,
    )
    if parent is None:
        territory.oblast = territory
        territory.save(update_fields=["oblast"])
    return territory


def _terms(model: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for row in rows:
        defaults = {k: v for k, v in row.items() if k != "slug" and v is not None}
        out[row["slug"]] = model.objects.update_or_create(slug=row["slug"], defaults=defaults)[0]
    return out


def load_catalogue(data: dict[str, Any]) -> dict[str, ServiceCard]:
    """Providers, categories, life events and cards from a catalogue in the JSON file's shape."""
    providers = _terms(Provider, data.get("providers", []))
    categories = _terms(Category, data.get("categories", []))
    life_events = _terms(LifeEvent, data.get("life_events", []))
    made: dict[tuple[str, ...], Territory] = {}
    cards = {}
    for row in data["cards"]:
        fields = {k: v for k, v in row.items() if k in _CARD_FIELDS and v is not None}
        # Ids, not instances: `services._apply` reads the current value of a new card's relation.
        fields["provider"] = providers[row["provider"]].pk
        territory = _territory(row.get("territory"), made)
        fields["territory"] = territory.pk if territory else None
        fields["categories"] = [categories[slug] for slug in row.get("categories", [])]
        fields["life_events"] = [life_events[slug] for slug in row.get("life_events", [])]
        cards[row["identifier"]] = services.card_create(actor=None, **fields)
    return cards


def catalogue_data() -> dict[str, Any]:
    """The shipped demo catalogue (``data/catalogue.json``)."""
    return json.loads(CATALOGUE_JSON.read_text(encoding="utf-8"))


def load_catalogue_for_tests() -> dict[str, ServiceCard]:
    """The demo catalogue and the seeded synonyms, created through `services.card_create`."""
    seed_synonyms()
    return load_catalogue(catalogue_data())


def seed_synonyms() -> None:
    """The synonyms the data migration seeds (a flushing test may have removed them)."""
    import importlib

    seed = importlib.import_module(SEED_SYNONYMS_MIGRATION).SYNONYMS
    for term, expansion, note in seed:
        Synonym.objects.get_or_create(term=term, defaults={"expansion": expansion, "note": note})


@pytest.fixture
def catalogue(db: Any) -> dict[str, ServiceCard]:
    return load_catalogue_for_tests()
