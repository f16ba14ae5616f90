"""Checking a whole import file before anything is written: every problem, with where and why."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from cipnet.core.text import name_key
from cipnet.directory.models import Territory
from cipnet.eservices.interchange.formats import (
    CARD_KEYS,
    CHANNEL_KEYS,
    LANGUAGE_RE,
    LEGAL_KEYS,
    LIST_FIELDS,
    PROVIDER_KEYS,
    SETTLEMENT_LEVELS,
    TERM_KEYS,
    TEXT_FIELDS,
    TOP_LEVELS,
    ImportProblem,
    Term,
    TermModel,
    http_url_validator,
)
from cipnet.eservices.models import (
    Category,
    ChannelType,
    LifeEvent,
    Provider,
    ServiceCard,
)

# --- Validation ---------------------------------------------------------------------------------------


def normalise_channel(channel: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": channel.get("type", ""),
        "url": channel.get("url") or "",
        "label": channel.get("label") or "",
        "historical": bool(channel.get("historical", False)),
    }


def normalise_legal(item: Mapping[str, Any]) -> dict[str, Any]:
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


class CatalogueValidator:
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
                http_url_validator(url)
                return True
            except ValidationError:
                pass
        self.problem(key, gettext("Item %(n)d: “%(url)s” is not a valid link.") % {"n": position, "url": url})
        return False

    def _channels(self, item: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        raw = self._objects(item, "channels", CHANNEL_KEYS)
        if raw is None:
            return None
        channels = [normalise_channel(c) for c in raw]
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
        legal = [normalise_legal(x) for x in raw]
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
            oblasts = Territory.objects.filter(level__in=TOP_LEVELS, name_key=name_key(oblast_name))
            if not place:
                candidates = list(oblasts[:2])
            else:
                levels = [category] if category else list(SETTLEMENT_LEVELS)
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
            bad = [code for code in fields["languages"] if not LANGUAGE_RE.match(code)]
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
