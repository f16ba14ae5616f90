"""The catalogue in and out as JSON and CSV: export, and an import that validates the whole file first.

Contract of an import: every problem in the file is collected (where, field, reason) and, if there is
any, `CatalogueImportError` is raised and nothing is written. Otherwise providers, categories and life
events are created or updated by slug, and cards by identifier, in one transaction; cards are written
through `services.card_create` / `services.card_update`, so each change is versioned and re-indexed and
an unchanged card gets no new version. Running the same import twice changes nothing.

A key that is absent from a card (a JSON key, or a CSV column missing from the header) leaves that field
of an existing card as it is; a key that is present, even empty, sets it.

JSON shape (also that of `data/catalogue.json`)::

    {"source": {...}, "providers": [{slug, name, name_en, name_pl, kind, website}],
     "categories": [{slug, name, name_en, name_pl}], "life_events": [...same...],
     "cards": [{identifier, name, ..., territory, territory_code, provider, categories, life_events, ...}]}

`territory` is null, ``{"oblast": "Миколаївська"}`` (the whole oblast, or Kyiv / Sevastopol by name) or
``{"oblast": "Миколаївська", "name": "Миколаїв", "category": "M"}`` (a place in it; the category letter is
the KATOTTG one). `territory_code` (a KATOTTG code) is written by the export and wins over `territory`.

CSV: one row per card, UTF-8 (a byte-order mark is written so Excel reads Cyrillic, and accepted on
import), a header row naming the columns in `CSV_COLUMNS`. List cells join their items with ``" | "``; a
``|`` or ``\\`` inside an item is written ``\\|`` / ``\\\\``. `channels` and `legal_basis` cells hold JSON
arrays (the same objects as in the JSON file). Territory columns: `territory_code`, or `territory_oblast`
+ `territory_name` + `territory_category`. Providers, categories and life events are named by slug and must
already exist.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils.translation import gettext, ngettext

from cipnet.accounts.models import User
from cipnet.core.errors import DomainError, NotFoundOrNotAllowed
from cipnet.core.text import name_key
from cipnet.directory.models import Territory, TerritoryLevel
from cipnet.eservices import services
from cipnet.eservices.models import (
    Category,
    ChannelType,
    LifeEvent,
    Provider,
    ServiceCard,
)

Term = Provider | Category | LifeEvent
TermModel = type[Provider] | type[Category] | type[LifeEvent]

#: The demo catalogue shipped with the code (`manage.py load_catalogue`).
CATALOGUE_JSON = Path(__file__).resolve().parent / "data" / "catalogue.json"

FORMAT_VERSION = 1

TEXT_FIELDS = (
    "name", "name_en", "name_pl", "short_description", "short_description_en", "short_description_pl",
    "description", "description_en", "description_pl", "kind", "level", "audience", "cost", "processing_time",
    "output", "status",
)  # fmt: skip
LIST_FIELDS = ("keywords", "authentication", "requirements", "languages", "guide_steps", "pitfalls", "bring")
STRUCT_FIELDS = ("channels", "legal_basis")
RELATION_FIELDS = ("categories", "life_events")

#: Keys of a card in the JSON file, in the order the export writes them.
CARD_KEYS = (
    "identifier", "name", "name_en", "name_pl", "short_description", "short_description_en",
    "short_description_pl", "description", "description_en", "description_pl", "kind", "level", "territory",
    "territory_code", "provider", "categories", "life_events", "audience", "keywords", "channels",
    "authentication", "requirements", "cost", "processing_time", "output", "legal_basis", "languages",
    "guide_steps", "pitfalls", "bring", "status", "verified_on", "popularity",
)  # fmt: skip
PROVIDER_KEYS = ("slug", "name", "name_en", "name_pl", "kind", "website")
TERM_KEYS = ("slug", "name", "name_en", "name_pl")
CHANNEL_KEYS = ("type", "url", "label", "historical")
LEGAL_KEYS = ("title", "url")

#: Columns of the CSV file, in order. Only `identifier` is required in a header (with `name`,
#: `short_description`, `description`, `kind` and `provider` for files that create cards).
CSV_COLUMNS = (
    "identifier", "name", "name_en", "name_pl", "short_description", "short_description_en",
    "short_description_pl", "description", "description_en", "description_pl", "kind", "level",
    "territory_code", "territory_oblast", "territory_name", "territory_category", "provider", "categories",
    "life_events", "audience", "keywords", "channels", "authentication", "requirements", "cost",
    "processing_time", "output", "legal_basis", "languages", "guide_steps", "pitfalls", "bring", "status",
    "verified_on", "popularity",
)  # fmt: skip
CSV_TERRITORY_COLUMNS = ("territory_code", "territory_oblast", "territory_name", "territory_category")
CSV_LIST_SEPARATOR = " | "

_SECTIONS = ("providers", "categories", "life_events", "cards")
_SETTLEMENT_LEVELS = (TerritoryLevel.CITY, TerritoryLevel.SELYSHCHE, TerritoryLevel.VILLAGE)
_TOP_LEVELS = (TerritoryLevel.OBLAST, TerritoryLevel.SPECIAL_CITY)
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
_http_url = URLValidator(schemes=["http", "https"])


# --- Reports and errors -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong in an import file.

    `row` is the CSV row as a spreadsheet numbers it (header = 1), or the 1-based position of the item in
    its JSON section; 0 means the file as a whole. `field` is empty when the problem is not one field's.
    """

    row: int
    field: str
    reason: str
    section: str = "cards"
    identifier: str = ""

    def __str__(self) -> str:
        if self.row == 0:
            return f"{self.field}: {self.reason}" if self.field else self.reason
        if self.section == "csv":
            where = gettext("Row %(row)d") % {"row": self.row}
        else:
            labels = {
                "cards": gettext("Card"),
                "providers": gettext("Provider"),
                "categories": gettext("Category"),
                "life_events": gettext("Life event"),
            }
            where = gettext("%(section)s #%(row)d") % {
                "section": labels.get(self.section, self.section),
                "row": self.row,
            }
        if self.identifier:
            where = f"{where} ({self.identifier})"
        return f"{where}, {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "row": self.row,
            "identifier": self.identifier,
            "field": self.field,
            "reason": self.reason,
        }


class CatalogueImportError(DomainError):
    """The file has problems; `errors` lists all of them. Nothing was imported."""

    def __init__(self, errors: Sequence[ImportProblem]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        message = ngettext(
            "The catalogue file has %(count)d error; nothing was imported.",
            "The catalogue file has %(count)d errors; nothing was imported.",
            count,
        ) % {"count": count}
        super().__init__(message, code="catalogue_import")


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated


@dataclass
class ImportReport:
    cards: Tally = field(default_factory=Tally)
    providers: Tally = field(default_factory=Tally)
    categories: Tally = field(default_factory=Tally)
    life_events: Tally = field(default_factory=Tally)

    @property
    def changed(self) -> bool:
        return any(t.changed for t in (self.cards, self.providers, self.categories, self.life_events))

    def __str__(self) -> str:
        if not self.changed:
            return gettext("Nothing changed: %(cards)d cards are up to date.") % {"cards": self.cards.unchanged}
        parts = [
            gettext("Cards: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % vars(self.cards)
        ]
        for label, tally in (
            (gettext("Providers"), self.providers),
            (gettext("Categories"), self.categories),
            (gettext("Life events"), self.life_events),
        ):
            if tally.changed:
                parts.append(
                    gettext("%(label)s: %(created)d created, %(updated)d updated.")
                    % {"label": label, "created": tally.created, "updated": tally.updated}
                )
        return " ".join(parts)


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
    if territory.level in _TOP_LEVELS:
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
            data[key] = [_normalise_channel(c) for c in card.channels]
        elif key == "legal_basis":
            data[key] = [_normalise_legal(item) for item in card.legal_basis]
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


# --- Validation ---------------------------------------------------------------------------------------


def _normalise_channel(channel: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": channel.get("type", ""),
        "url": channel.get("url") or "",
        "label": channel.get("label") or "",
        "historical": bool(channel.get("historical", False)),
    }


def _normalise_legal(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"title": str(item.get("title", "")).strip(), "url": item.get("url") or ""}


@dataclass
class _Term:
    """A provider, category or life event from the file, validated and ready to save."""

    model: TermModel
    slug: str
    values: dict[str, Any]
    existing: Term | None

    @property
    def changed(self) -> bool:
        return self.existing is None or any(getattr(self.existing, k) != v for k, v in self.values.items())


@dataclass
class _CardPlan:
    identifier: str
    fields: dict[str, Any]
    provider_slug: str | None
    category_slugs: list[str] | None
    event_slugs: list[str] | None
    existing: ServiceCard | None


class _Validator:
    """Checks a whole catalogue (already parsed into the JSON shape) without writing anything."""

    def __init__(self, *, csv_rows: bool = False) -> None:
        self.problems: list[ImportProblem] = []
        self.csv_rows = csv_rows
        self.terms: dict[str, dict[str, _Term]] = {"providers": {}, "categories": {}, "life_events": {}}
        self.cards: list[_CardPlan] = []
        self._territories: dict[str, Territory | None] = {}

    # Where a problem is: (section, row, identifier); set while one item is checked.
    _where: tuple[str, int, str] = ("", 0, "")

    def problem(self, field_name: str, reason: str) -> None:
        section, row, identifier = self._where
        self.problems.append(ImportProblem(row, field_name, str(reason), section, identifier))

    def file_problem(self, reason: str, field_name: str = "") -> None:
        self.problems.append(ImportProblem(0, field_name, str(reason), "file"))

    # -- value checks --------------------------------------------------------------------------------

    def _text(self, item: Mapping[str, Any], key: str) -> str | None:
        value = item[key]
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(key, gettext("Expected text."))
            return None
        return value.strip()

    def _string_list(self, item: Mapping[str, Any], key: str) -> list[str] | None:
        value = item[key]
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, gettext("Expected a list of lines of text."))
            return None
        return [v.strip() for v in value if v.strip()]

    def _objects(self, item: Mapping[str, Any], key: str, keys: Sequence[str]) -> list[dict[str, Any]] | None:
        value = item[key]
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, gettext("Expected a list of objects."))
            return None
        ok = True
        for position, entry in enumerate(value, start=1):
            unknown = sorted(set(entry) - set(keys))
            if unknown:
                self.problem(
                    key,
                    gettext("Item %(n)d has unknown keys: %(keys)s (allowed: %(allowed)s).")
                    % {"n": position, "keys": ", ".join(unknown), "allowed": ", ".join(keys)},
                )
                ok = False
            for k in keys:
                if k == "historical":
                    if not isinstance(entry.get(k, False), bool):
                        self.problem(key, gettext("Item %(n)d: “historical” must be true or false.") % {"n": position})
                        ok = False
                elif entry.get(k) is not None and not isinstance(entry.get(k), str):
                    self.problem(key, gettext("Item %(n)d: “%(key)s” must be text.") % {"n": position, "key": k})
                    ok = False
        return list(value) if ok else None

    def _check_url(self, key: str, position: int, url: str, *, allow_tel: bool) -> bool:
        if not url:
            return True
        if allow_tel and url.startswith("tel:"):
            if re.fullmatch(r"tel:\+?[0-9][0-9 ()\-]*", url):
                return True
        else:
            try:
                _http_url(url)
                return True
            except ValidationError:
                pass
        self.problem(key, gettext("Item %(n)d: “%(url)s” is not a valid link.") % {"n": position, "url": url})
        return False

    def _channels(self, item: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        raw = self._objects(item, "channels", CHANNEL_KEYS)
        if raw is None:
            return None
        channels = [_normalise_channel(c) for c in raw]
        ok = True
        for position, channel in enumerate(channels, start=1):
            if channel["type"] not in ChannelType.values:
                self.problem(
                    "channels",
                    gettext("Item %(n)d: unknown channel type “%(type)s” (use one of: %(allowed)s).")
                    % {"n": position, "type": channel["type"], "allowed": ", ".join(ChannelType.values)},
                )
                ok = False
            ok = self._check_url("channels", position, channel["url"], allow_tel=True) and ok
        return channels if ok else None

    def _legal(self, item: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        raw = self._objects(item, "legal_basis", LEGAL_KEYS)
        if raw is None:
            return None
        legal = [_normalise_legal(x) for x in raw]
        ok = True
        for position, entry in enumerate(legal, start=1):
            if not entry["title"]:
                self.problem("legal_basis", gettext("Item %(n)d has no title.") % {"n": position})
                ok = False
            ok = self._check_url("legal_basis", position, entry["url"], allow_tel=False) and ok
        return legal if ok else None

    def _date(self, item: Mapping[str, Any], key: str) -> tuple[bool, dt.date | None]:
        value = item[key]
        if value in (None, ""):
            return True, None
        if isinstance(value, str):
            try:
                return True, dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(key, gettext("Expected a date as YYYY-MM-DD."))
        return False, None

    def _int(self, item: Mapping[str, Any], key: str) -> int | None:
        value = item[key]
        if value in (None, ""):
            return 0
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, gettext("Expected a whole number."))
            return None
        return value

    def _validation_error(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            for message in messages:
                self.problem("" if key == "__all__" else key, message)

    # -- territories ---------------------------------------------------------------------------------

    def _territory(self, item: Mapping[str, Any]) -> tuple[bool, Territory | None]:
        """(valid, territory) from `territory_code` or, failing that, the `territory` reference."""
        code = item.get("territory_code")
        if code not in (None, ""):
            if not isinstance(code, str):
                self.problem("territory_code", gettext("Expected a KATOTTG code as text."))
                return False, None
            territory = Territory.objects.select_related("oblast").filter(code=code.strip()).first()
            if territory is None:
                self.problem(
                    "territory_code",
                    gettext("No territory has the KATOTTG code “%(code)s” (is the codifier imported?).")
                    % {"code": code},
                )
                return False, None
            return True, territory
        reference = item.get("territory")
        if reference in (None, {}):
            return True, None
        if not isinstance(reference, dict) or not isinstance(reference.get("oblast"), str):
            self.problem("territory", gettext("Expected null or an object with “oblast” (and “name”, “category”)."))
            return False, None
        unknown = sorted(set(reference) - {"oblast", "name", "category"})
        if unknown:
            self.problem("territory", gettext("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
            return False, None
        return self._resolve_territory(reference)

    def _resolve_territory(self, reference: Mapping[str, Any]) -> tuple[bool, Territory | None]:
        oblast_name = str(reference.get("oblast") or "").strip()
        place = str(reference.get("name") or "").strip()
        category = str(reference.get("category") or "").strip()
        cache_key = f"{oblast_name}\n{place}\n{category}"
        if cache_key not in self._territories:
            oblasts = Territory.objects.filter(level__in=_TOP_LEVELS, name_key=name_key(oblast_name))
            if not place:
                candidates = list(oblasts[:2])
            else:
                levels = [category] if category else list(_SETTLEMENT_LEVELS)
                candidates = list(
                    Territory.objects.select_related("oblast").filter(
                        level__in=levels, name_key=name_key(place), oblast__in=oblasts
                    )[:2]
                )
            self._territories[cache_key] = candidates[0] if len(candidates) == 1 else None
            if len(candidates) > 1:
                self._territories[cache_key + "\nambiguous"] = None
        territory = self._territories[cache_key]
        if territory is not None:
            return True, territory
        label = ", ".join(part for part in (place, category, oblast_name) if part)
        if cache_key + "\nambiguous" in self._territories:
            self.problem(
                "territory",
                gettext("“%(place)s” matches more than one territory; give its KATOTTG code in territory_code.")
                % {"place": label},
            )
        else:
            self.problem(
                "territory",
                gettext("No territory “%(place)s” in the KATOTTG codifier (is it imported?).") % {"place": label},
            )
        return False, None

    # -- sections ------------------------------------------------------------------------------------

    def check_terms(self, section: str, items: Any) -> None:
        models_by_section: dict[str, TermModel] = {
            "providers": Provider,
            "categories": Category,
            "life_events": LifeEvent,
        }
        model = models_by_section[section]
        keys = PROVIDER_KEYS if section == "providers" else TERM_KEYS
        if items is None:
            return
        if not isinstance(items, list):
            self.file_problem(gettext("Expected a list."), section)
            return
        existing = {obj.slug: obj for obj in model.objects.all()}
        for position, item in enumerate(items, start=1):
            slug = item.get("slug") if isinstance(item, dict) else None
            self._where = (section, position, slug if isinstance(slug, str) else "")
            if not isinstance(item, dict):
                self.problem("", gettext("Expected an object."))
                continue
            unknown = sorted(set(item) - set(keys))
            if unknown:
                self.problem("", gettext("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
            if not isinstance(slug, str) or not slug.strip():
                self.problem("slug", gettext("Every item needs a slug."))
                continue
            slug = slug.strip()
            if slug in self.terms[section]:
                self.problem("slug", gettext("“%(slug)s” appears more than once.") % {"slug": slug})
                continue
            values: dict[str, Any] = {}
            for key in keys:
                if key != "slug" and key in item:
                    text = self._text(item, key)
                    if text is not None:
                        values[key] = text
            current = existing.get(slug)
            candidate = model(**{k: getattr(current, k) for k in keys} if current else {"slug": slug})
            for key, value in values.items():
                setattr(candidate, key, value)
            try:
                candidate.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                self._validation_error(exc)
            self.terms[section][slug] = _Term(model, slug, values, current)

    def _known_slugs(self, section: str, model: TermModel) -> set[str]:
        return set(model.objects.values_list("slug", flat=True)) | set(self.terms[section])

    def check_cards(self, items: Any, *, rows: Sequence[int] | None = None) -> None:
        if not isinstance(items, list):
            self.file_problem(gettext("Expected a list of cards."), "cards")
            return
        providers = self._known_slugs("providers", Provider)
        categories = self._known_slugs("categories", Category)
        events = self._known_slugs("life_events", LifeEvent)
        identifiers = [item.get("identifier") for item in items if isinstance(item, dict)]
        existing_cards = {
            card.identifier: card
            for card in ServiceCard.objects.filter(identifier__in=[i for i in identifiers if isinstance(i, str)])
            .select_related("provider")
            .prefetch_related("categories", "life_events")
        }
        seen: dict[str, int] = {}
        for position, item in enumerate(items, start=1):
            row = rows[position - 1] if rows else position
            section = "csv" if self.csv_rows else "cards"
            identifier = item.get("identifier") if isinstance(item, dict) else None
            self._where = (section, row, identifier if isinstance(identifier, str) else "")
            if not isinstance(item, dict):
                self.problem("", gettext("Expected an object."))
                continue
            unknown = sorted(set(item) - set(CARD_KEYS))
            if unknown:
                self.problem("", gettext("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
            if not isinstance(identifier, str) or not identifier.strip():
                self.problem("identifier", gettext("Every card needs an identifier."))
                continue
            identifier = identifier.strip()
            if identifier in seen:
                self.problem(
                    "identifier",
                    gettext("The identifier “%(identifier)s” is used more than once (first at %(first)d).")
                    % {"identifier": identifier, "first": seen[identifier]},
                )
                continue
            seen[identifier] = row
            self._check_card(item, identifier, existing_cards.get(identifier), providers, categories, events)

    def _check_card(
        self,
        item: Mapping[str, Any],
        identifier: str,
        existing: ServiceCard | None,
        providers: set[str],
        categories: set[str],
        events: set[str],
    ) -> None:
        fields: dict[str, Any] = {}
        valid = True
        for key in TEXT_FIELDS:
            if key in item:
                text = self._text(item, key)
                valid = valid and text is not None
                fields[key] = text
        for key in LIST_FIELDS:
            if key in item:
                items = self._string_list(item, key)
                valid = valid and items is not None
                fields[key] = items
        if fields.get("languages"):
            bad = [code for code in fields["languages"] if not _LANGUAGE_RE.match(code)]
            if bad:
                self.problem(
                    "languages",
                    gettext("Give languages as ISO 639 codes such as uk, en, pl (not: %(codes)s).")
                    % {"codes": ", ".join(bad)},
                )
                valid = False
        if "channels" in item:
            fields["channels"] = self._channels(item)
            valid = valid and fields["channels"] is not None
        if "legal_basis" in item:
            fields["legal_basis"] = self._legal(item)
            valid = valid and fields["legal_basis"] is not None
        if "verified_on" in item:
            ok, date = self._date(item, "verified_on")
            valid = valid and ok
            fields["verified_on"] = date
        if "popularity" in item:
            popularity = self._int(item, "popularity")
            valid = valid and popularity is not None
            fields["popularity"] = popularity
        if "territory" in item or "territory_code" in item:
            ok, territory = self._territory(item)
            valid = valid and ok
            fields["territory"] = territory.pk if territory else None
            territory_obj = territory
        else:
            territory_obj = existing.territory if existing else None

        provider_slug: str | None = None
        if "provider" in item:
            provider_slug = item["provider"] if isinstance(item["provider"], str) else None
            if not provider_slug:
                self.problem("provider", gettext("Every card needs a provider (its slug)."))
                valid = False
            elif provider_slug not in providers:
                self.problem("provider", gettext("Unknown provider “%(slug)s”.") % {"slug": provider_slug})
                valid = False
        elif existing is None:
            self.problem("provider", gettext("Every card needs a provider (its slug)."))
            valid = False
        relation_slugs: dict[str, list[str] | None] = {"categories": None, "life_events": None}
        for key, known in (("categories", categories), ("life_events", events)):
            if key in item:
                slugs = self._string_list(item, key)
                if slugs is None:
                    valid = False
                    continue
                missing = [slug for slug in slugs if slug not in known]
                if missing:
                    self.problem(key, gettext("Unknown: %(slugs)s.") % {"slugs": ", ".join(missing)})
                    valid = False
                relation_slugs[key] = sorted(set(slugs))

        candidate = _copy_card(existing)
        candidate.identifier = identifier
        for key, value in fields.items():
            if key == "territory":
                candidate.territory = territory_obj
            elif value is not None or key == "verified_on":
                setattr(candidate, key, value)
        try:
            candidate.clean_fields(exclude=["provider", "territory", "verified_by"])
        except ValidationError as exc:
            self._validation_error(exc)
            valid = False
        try:
            candidate.clean()
        except ValidationError as exc:
            # A bad value already reported (e.g. a territory not found) shows again here: report it once.
            reported = {p.field for p in self.problems if self._where == (p.section, p.row, p.identifier)}
            for key, messages in exc.message_dict.items():
                if key not in reported and not (key == "territory" and "territory_code" in reported):
                    for message in messages:
                        self.problem("" if key == "__all__" else key, message)
            valid = False
        if valid:
            self.cards.append(
                _CardPlan(
                    identifier=identifier,
                    fields=fields,
                    provider_slug=provider_slug,
                    category_slugs=relation_slugs["categories"],
                    event_slugs=relation_slugs["life_events"],
                    existing=existing,
                )
            )


def _copy_card(existing: ServiceCard | None) -> ServiceCard:
    """An unsaved card to validate changes on, so the real instance stays untouched."""
    if existing is None:
        return ServiceCard()
    copy = ServiceCard()
    for f in ServiceCard._meta.concrete_fields:
        setattr(copy, f.attname, getattr(existing, f.attname))
    return copy


# --- Import -------------------------------------------------------------------------------------------


def _check_actor(actor: User | None) -> None:
    if not services.can_edit_catalogue(actor):
        raise NotFoundOrNotAllowed()


def import_catalogue_json(data: Any, *, actor: User | None = None, source: str = "JSON") -> ImportReport:
    """Import a catalogue in the JSON shape: a dict, or its text / bytes (which are parsed here)."""
    _check_actor(actor)
    validator = _Validator()
    if isinstance(data, bytes | str):
        data = _parse_json(data, validator)
    if not validator.problems:
        if not isinstance(data, dict):
            validator.file_problem(gettext("Expected a JSON object with a “cards” list."))
        else:
            unknown = sorted(set(data) - {"source", *_SECTIONS})
            if unknown:
                validator.file_problem(gettext("Unknown sections: %(keys)s.") % {"keys": ", ".join(unknown)})
            if "cards" not in data:
                validator.file_problem(gettext("The file has no “cards” list."), "cards")
            else:
                for section in ("providers", "categories", "life_events"):
                    validator.check_terms(section, data.get(section))
                validator.check_cards(data["cards"])
    if validator.problems:
        raise CatalogueImportError(validator.problems)
    return _write(validator, actor=actor, source=source)


def _parse_json(data: bytes | str, validator: _Validator) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            validator.file_problem(
                gettext("The file is not UTF-8 text (bad byte at position %(pos)d).") % {"pos": exc.start}
            )
            return None
    try:
        return json.loads(data.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        validator.file_problem(
            gettext("The file is not valid JSON: %(msg)s at line %(line)d, column %(col)d.")
            % {"msg": exc.msg, "line": exc.lineno, "col": exc.colno}
        )
        return None


def import_catalogue_csv(text: str | bytes, *, actor: User | None = None, source: str = "CSV") -> ImportReport:
    """Import cards from CSV (see the module docstring for the columns and cell encodings)."""
    _check_actor(actor)
    validator = _Validator(csv_rows=True)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            validator.file_problem(
                gettext("The file is not UTF-8 text (bad byte at position %(pos)d). Save it as “CSV UTF-8”.")
                % {"pos": exc.start}
            )
            raise CatalogueImportError(validator.problems) from exc
    text = text.removeprefix("\ufeff")
    cards, rows = _csv_cards(text, validator)
    if not any(problem.row == 0 for problem in validator.problems):
        # Rows with a bad cell are still checked, so the report lists every problem at once.
        validator.check_cards(cards, rows=rows)
    if validator.problems:
        raise CatalogueImportError(sorted(validator.problems, key=lambda problem: problem.row))
    return _write(validator, actor=actor, source=source)


def _csv_cards(text: str, validator: _Validator) -> tuple[list[dict[str, Any]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        validator.file_problem(gettext("The file is empty."))
        return [], []
    except csv.Error as exc:
        validator.file_problem(gettext("The file is not valid CSV: %(msg)s.") % {"msg": exc})
        return [], []
    unknown = [column for column in header if column not in CSV_COLUMNS]
    duplicates = sorted({column for column in header if header.count(column) > 1})
    if unknown:
        validator.file_problem(
            gettext("Unknown columns in the header row: %(columns)s. Allowed columns: %(allowed)s.")
            % {"columns": ", ".join(unknown), "allowed": ", ".join(CSV_COLUMNS)},
            "header",
        )
    if duplicates:
        validator.file_problem(
            gettext("Columns named more than once: %(columns)s.") % {"columns": ", ".join(duplicates)}, "header"
        )
    if "identifier" not in header:
        validator.file_problem(gettext("The header row has no “identifier” column."), "header")
    if validator.problems:
        return [], []
    cards: list[dict[str, Any]] = []
    rows: list[int] = []
    row_number = 1
    try:
        for cells in reader:
            row_number += 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                validator.problems.append(
                    ImportProblem(
                        row_number,
                        "",
                        gettext("The row has %(got)d cells; the header has %(want)d.")
                        % {"got": len(cells), "want": len(header)},
                        "csv",
                    )
                )
                continue
            card = _csv_row_to_card(dict(zip(header, cells, strict=True)), row_number, validator)
            cards.append(card)
            rows.append(row_number)
    except csv.Error as exc:
        validator.file_problem(gettext("The file is not valid CSV: %(msg)s.") % {"msg": exc})
    return cards, rows


def _csv_row_to_card(row: dict[str, str], row_number: int, validator: _Validator) -> dict[str, Any]:
    card: dict[str, Any] = {}
    for column, cell in row.items():
        if column in CSV_TERRITORY_COLUMNS:
            continue
        if column in LIST_FIELDS or column in RELATION_FIELDS:
            card[column] = split_list_cell(cell)
        elif column in STRUCT_FIELDS:
            if not cell.strip():
                card[column] = []
                continue
            try:
                card[column] = json.loads(cell)
            except json.JSONDecodeError as exc:
                validator.problems.append(
                    ImportProblem(
                        row_number,
                        column,
                        gettext("Not valid JSON (%(msg)s); write a list such as %(example)s.")
                        % {"msg": exc.msg, "example": '[{"type": "website", "url": "https://…", "label": "…"}]'},
                        "csv",
                        row.get("identifier", ""),
                    )
                )
        else:
            card[column] = cell
    if "territory_code" in row:
        card["territory_code"] = row["territory_code"].strip() or None
    if "territory_oblast" in row:
        oblast = row["territory_oblast"].strip()
        reference = {"oblast": oblast} if oblast else None
        if reference and row.get("territory_name", "").strip():
            reference["name"] = row["territory_name"].strip()
            if row.get("territory_category", "").strip():
                reference["category"] = row["territory_category"].strip()
        card["territory"] = reference
    return card


@transaction.atomic
def _write(validator: _Validator, *, actor: User | None, source: str) -> ImportReport:
    report = ImportReport()
    slug_to_pk: dict[str, dict[str, int]] = {}
    for section, model in (("providers", Provider), ("categories", Category), ("life_events", LifeEvent)):
        tally = getattr(report, section)
        for term in validator.terms[section].values():
            _row, outcome = services.term_save(actor=actor, model=model, slug=term.slug, values=dict(term.values))
            setattr(tally, outcome, getattr(tally, outcome) + 1)
        slug_to_pk[section] = dict(model.objects.values_list("slug", "pk"))
    comment = gettext("Imported from %(source)s") % {"source": source}
    for plan in validator.cards:
        fields = dict(plan.fields)
        if plan.provider_slug is not None:
            fields["provider"] = slug_to_pk["providers"][plan.provider_slug]
        if plan.category_slugs is not None:
            fields["categories"] = sorted(slug_to_pk["categories"][s] for s in plan.category_slugs)
        if plan.event_slugs is not None:
            fields["life_events"] = sorted(slug_to_pk["life_events"][s] for s in plan.event_slugs)
        if plan.existing is None:
            services.card_create(actor=actor, comment=comment, identifier=plan.identifier, **fields)
            report.cards.created += 1
        elif _differs(plan.existing, fields):
            services.card_update(actor=actor, card=plan.existing, comment=comment, **fields)
            report.cards.updated += 1
        else:
            report.cards.unchanged += 1
    return report


def _differs(card: ServiceCard, fields: Mapping[str, Any]) -> bool:
    current = services.card_snapshot(card)
    for key, value in fields.items():
        wanted = value.isoformat() if isinstance(value, dt.date) else value
        if current.get(key) != wanted:
            return True
    return False


# --- The shipped demo catalogue -----------------------------------------------------------------------


def load_shipped_catalogue(*, actor: User | None = None, path: Path | None = None) -> ImportReport:
    """Import `data/catalogue.json` (idempotent: a second run changes nothing)."""
    path = path or CATALOGUE_JSON
    return import_catalogue_json(path.read_bytes(), actor=actor, source=path.name)
