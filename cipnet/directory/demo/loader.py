"""Load the demo network (`centres.json`) into the directory, idempotently.

Centres, their weekly hours and dated exceptions go through `cipnet.directory.services`,
like every other write. Coordination offices and host institutions have no services
yet, so `coordination_office_upsert` and `host_institution_upsert` live here; they
compare before they write, so that loading the same data twice changes nothing
(`update_or_create` would save, and bump `updated_at`, every time). When the staff
interface gains forms for offices and hosts, these two belong in `services.py`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from cipnet.core.text import name_key
from cipnet.directory.hours import Interval
from cipnet.directory.models import (
    AccessibilityFeature,
    Centre,
    CentreStatus,
    CoordinationOffice,
    HostInstitution,
    HostKind,
    Language,
    OpeningException,
    Region,
    Territory,
    TerritoryLevel,
    Weekday,
)
from cipnet.directory.services import (
    centre_create,
    centre_set_hours,
    centre_update,
    opening_exception_add,
    opening_exception_delete,
)

DEMO_DATA_PATH = Path(__file__).with_name("centres.json")

WEEKDAY_KEYS: Mapping[str, int] = {
    "mon": Weekday.MONDAY, "tue": Weekday.TUESDAY, "wed": Weekday.WEDNESDAY, "thu": Weekday.THURSDAY,
    "fri": Weekday.FRIDAY, "sat": Weekday.SATURDAY, "sun": Weekday.SUNDAY,
}  # fmt: skip

SETTLEMENT_CATEGORIES = frozenset({TerritoryLevel.CITY, TerritoryLevel.SELYSHCHE, TerritoryLevel.VILLAGE})


class DemoDataError(Exception):
    """The demo data cannot be loaded. The message says why and what to do."""


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"


@dataclass
class LoadReport:
    """What a load changed, per kind of record (`centres`, `hosts`, ...)."""

    counts: dict[str, Counter[Outcome]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, kind: str, outcome: Outcome, n: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += n

    def count(self, kind: str, outcome: Outcome) -> int:
        return self.counts.get(kind, Counter())[outcome]

    @property
    def changed(self) -> bool:
        return any(
            counter[outcome] for counter in self.counts.values() for outcome in Outcome if outcome != Outcome.UNCHANGED
        )


# --- Settlements ----------------------------------------------------------------


@dataclass(frozen=True)
class SettlementRef:
    """A settlement as the codifier names it; `hromada` only where the name repeats within the raion."""

    oblast: str
    raion: str
    name: str
    category: str
    hromada: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, str]) -> SettlementRef:
        return cls(
            oblast=data["oblast"],
            raion=data["raion"],
            name=data["name"],
            category=data["category"],
            hromada=data.get("hromada", ""),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.category}), {self.raion}, {self.oblast}"


def _named(name: str) -> Q:
    # Matching on the key too tolerates an importer that kept the codifier's trailing spaces.
    return Q(name=name) | Q(name_key=name_key(name))


class TerritoryResolver:
    """Finds the Territory rows that `import_katottg` created, with clear errors when they are missing."""

    def __init__(self) -> None:
        self._oblasts: dict[str, Territory] = {}
        self._raions: dict[tuple[str, str], Territory] = {}
        self._settlements: dict[SettlementRef, Territory] = {}
        self._regions: dict[str, Region] = {}

    @staticmethod
    def ensure_loaded() -> None:
        if not Territory.objects.filter(level=TerritoryLevel.OBLAST).exists():
            raise DemoDataError(
                _("There are no territories in the database. Run “manage.py import_katottg” first, then load again.")
            )

    @staticmethod
    def _one(qs: models.QuerySet[Territory], what: str) -> Territory:
        found = list(qs.distinct()[:2])
        if not found:
            raise DemoDataError(
                _("“%(what)s” is not among the territories. Run “manage.py import_katottg” first.") % {"what": what}
            )
        if len(found) > 1:
            raise DemoDataError(
                _("“%(what)s” matches more than one territory; name its hromada in the demo data.") % {"what": what}
            )
        return found[0]

    def oblast(self, name: str) -> Territory:
        if name not in self._oblasts:
            qs = Territory.objects.filter(_named(name), level=TerritoryLevel.OBLAST)
            self._oblasts[name] = self._one(qs, name)
        return self._oblasts[name]

    def region(self, oblast_name: str) -> Region:
        if oblast_name not in self._regions:
            try:
                self._regions[oblast_name] = Region.objects.get(territory=self.oblast(oblast_name))
            except Region.DoesNotExist as exc:
                raise DemoDataError(
                    _("The region for “%(oblast)s” is missing. Run “manage.py import_katottg” first.")
                    % {"oblast": oblast_name}
                ) from exc
        return self._regions[oblast_name]

    def raion(self, oblast_name: str, name: str) -> Territory:
        key = (oblast_name, name)
        if key not in self._raions:
            oblast = self.oblast(oblast_name)
            qs = Territory.objects.filter(_named(name), Q(oblast=oblast) | Q(parent=oblast), level=TerritoryLevel.RAION)
            self._raions[key] = self._one(qs, f"{name}, {oblast_name}")
        return self._raions[key]

    def settlement(self, ref: SettlementRef) -> Territory:
        if ref not in self._settlements:
            if ref.category not in SETTLEMENT_CATEGORIES:
                raise DemoDataError(_("“%(what)s”: the category must be M, X or C.") % {"what": str(ref)})
            raion = self.raion(ref.oblast, ref.raion)
            qs = Territory.objects.filter(
                _named(ref.name), Q(raion=raion) | Q(parent__parent=raion), level=ref.category
            )
            if ref.hromada:
                qs = qs.filter(Q(hromada__name=ref.hromada) | Q(parent__name=ref.hromada))
            self._settlements[ref] = self._one(qs, str(ref))
        return self._settlements[ref]


# --- Writes without a service yet ---------------------------------------------------


def upsert[ModelT: models.Model](
    model: type[ModelT], *, lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[ModelT, Outcome]:
    """Create the row found by `lookup`, or bring its `values` up to date; save only what differs."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, Outcome.CREATED
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, Outcome.UNCHANGED
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        changed.append("updated_at")
    obj.save(update_fields=changed)
    return obj, Outcome.UPDATED


def coordination_office_upsert(
    *, region: Region, name: str, settlement: Territory, **values: Any
) -> tuple[CoordinationOffice, Outcome]:
    """An office is identified by its region and Ukrainian name."""
    return upsert(
        CoordinationOffice, lookup={"region": region, "name": name}, values={"settlement": settlement, **values}
    )


def host_institution_upsert(
    *, name: str, settlement: Territory, kind: str, parent: HostInstitution | None = None, website: str = ""
) -> tuple[HostInstitution, Outcome]:
    """A host is identified by its name and settlement."""
    return upsert(
        HostInstitution,
        lookup={"name": name, "settlement": settlement},
        values={"kind": kind, "parent": parent, "website": website},
    )


# --- Reading the data ------------------------------------------------------------


def read_demo_data(path: Path = DEMO_DATA_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def next_occurrence(month_day: str, today: dt.date) -> dt.date:
    """ "12-25" → the next 25 December on or after `today`; a full "2026-12-25" is taken as it is."""
    if len(month_day) == len("2026-12-25"):
        return dt.date.fromisoformat(month_day)
    month, day = (int(part) for part in month_day.split("-"))
    for year in range(today.year, today.year + 9):  # 29 February comes at least once in 8 years
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise ValueError(f"no date {month_day!r} after {today}")


def parse_week(spec: Mapping[str, Iterable[Iterable[str]]]) -> dict[int, list[Interval]]:
    """{"mon": [["09:00", "13:00"], ["14:00", "18:00"]], ...} → {0: [Interval, Interval], ...}."""
    week: dict[int, list[Interval]] = {}
    for day, ranges in spec.items():
        if day not in WEEKDAY_KEYS:
            raise ValueError(f"unknown weekday {day!r}; use {', '.join(WEEKDAY_KEYS)}")
        intervals = [Interval(dt.time.fromisoformat(opens), dt.time.fromisoformat(closes)) for opens, closes in ranges]
        if intervals:
            week[WEEKDAY_KEYS[day]] = intervals
    return week


def _choices(values: Iterable[str], allowed: Iterable[str], what: str) -> list[str]:
    allowed = set(allowed)
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise ValueError(f"unknown {what}: {wrong}; choose from {sorted(allowed)}")
    return list(values)


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
        return " ".join(error.messages)
    return str(error)


# --- Loading ------------------------------------------------------------------------


@dataclass
class DemoDirectory:
    """What the load produced, by the keys the data file uses."""

    offices: dict[str, CoordinationOffice] = field(default_factory=dict)
    hosts: dict[str, HostInstitution] = field(default_factory=dict)
    centres: dict[str, Centre] = field(default_factory=dict)


class DirectoryLoader:
    def __init__(self, data: Mapping[str, Any], *, today: dt.date, report: LoadReport) -> None:
        self.data = data
        self.today = today
        self.report = report
        self.territories = TerritoryResolver()
        self.result = DemoDirectory()

    def load(self) -> DemoDirectory:
        self.territories.ensure_loaded()
        for entry in self.data["offices"]:
            self._guard("office", entry["key"], self._load_office, entry)
        for entry in self.data["hosts"]:
            self._guard("host", entry["key"], self._load_host, entry)
        for entry in self.data["centres"]:
            self._guard("centre", entry["slug"], self._load_centre, entry)
        return self.result

    @staticmethod
    def _guard(kind: str, key: str, load: Callable[[Mapping[str, Any]], None], entry: Mapping[str, Any]) -> None:
        try:
            load(entry)
        except DemoDataError:
            raise
        except (KeyError, ValueError, TypeError, ValidationError) as exc:
            detail = f"missing {exc}" if isinstance(exc, KeyError) else _describe(exc)
            raise DemoDataError(
                _("Demo %(kind)s “%(key)s”: %(detail)s") % {"kind": kind, "key": key, "detail": detail}
            ) from exc

    def _load_office(self, entry: Mapping[str, Any]) -> None:
        ref = SettlementRef.from_data(entry["settlement"])
        office, outcome = coordination_office_upsert(
            region=self.territories.region(ref.oblast),
            name=entry["name"],
            settlement=self.territories.settlement(ref),
            name_en=entry.get("name_en", ""),
            name_pl=entry.get("name_pl", ""),
            address=entry.get("address", ""),
            phone=entry.get("phone", ""),
            email=entry.get("email", ""),
            website=entry.get("website", ""),
        )
        self.report.add("offices", outcome)
        self.result.offices[entry["key"]] = office

    def _load_host(self, entry: Mapping[str, Any]) -> None:
        parent_key = entry.get("parent")
        if parent_key and parent_key not in self.result.hosts:
            raise ValueError(f"parent {parent_key!r} must be listed before its branches")
        host, outcome = host_institution_upsert(
            name=entry["name"],
            settlement=self.territories.settlement(SettlementRef.from_data(entry["settlement"])),
            kind=_choices([entry["kind"]], HostKind.values, "host kind")[0],
            parent=self.result.hosts[parent_key] if parent_key else None,
            website=entry.get("website", ""),
        )
        self.report.add("hosts", outcome)
        self.result.hosts[entry["key"]] = host

    def _description(self, entry: Mapping[str, Any]) -> Mapping[str, str]:
        value = entry.get("description", {})
        if isinstance(value, str):
            value = self.data["descriptions"][value]
        return value

    def _centre_fields(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        description = self._description(entry)
        office_key = entry.get("office")
        opened_on = entry.get("opened_on")
        return {
            "name": entry["name"],
            "name_en": entry.get("name_en", ""),
            "name_pl": entry.get("name_pl", ""),
            "description": description.get("uk", ""),
            "description_en": description.get("en", ""),
            "description_pl": description.get("pl", ""),
            "host": self.result.hosts[entry["host"]],
            "office": self.result.offices[office_key] if office_key else None,
            "settlement": self.territories.settlement(SettlementRef.from_data(entry["settlement"])),
            "address": entry["address"],
            "postcode": entry.get("postcode", ""),
            "latitude": entry.get("latitude"),
            "longitude": entry.get("longitude"),
            "phone": entry.get("phone", ""),
            "email": entry.get("email", ""),
            "website": entry.get("website", ""),
            "blog_url": entry.get("blog_url", ""),
            "status": _choices([entry.get("status", CentreStatus.ACTIVE)], CentreStatus.values, "status")[0],
            "opened_on": dt.date.fromisoformat(opened_on) if opened_on else None,
            "public_computers": entry.get("public_computers", 0),
            "languages": _choices(entry.get("languages", []), Language.values, "language"),
        }

    def _load_centre(self, entry: Mapping[str, Any]) -> None:
        slug = entry["slug"]
        fields = self._centre_fields(entry)
        features = set(_choices(entry.get("features", []), AccessibilityFeature.values, "accessibility feature"))
        centre = Centre.objects.filter(slug=slug).first()
        if centre is None:
            centre = centre_create(actor=None, slug=slug, features=sorted(features), **fields)
            self.report.add("centres", Outcome.CREATED)
        else:
            changed = {name: value for name, value in fields.items() if getattr(centre, name) != value}
            features_changed = set(centre.features.values_list("feature", flat=True)) != features
            if changed or features_changed:
                centre_update(
                    actor=None, centre=centre, features=sorted(features) if features_changed else None, **changed
                )
                self.report.add("centres", Outcome.UPDATED)
            else:
                self.report.add("centres", Outcome.UNCHANGED)
        self._load_hours(centre, entry)
        self._load_exceptions(centre, entry.get("exceptions", []))
        self.result.centres[slug] = centre

    def _load_hours(self, centre: Centre, entry: Mapping[str, Any]) -> None:
        spec = entry.get("hours", {})
        week = parse_week(self.data["hours"][spec] if isinstance(spec, str) else spec)
        wanted = {(day, interval) for day, intervals in week.items() for interval in intervals}
        current = {(h.weekday, Interval(h.opens, h.closes)) for h in centre.hours.all()}
        if wanted == current:
            self.report.add("hours", Outcome.UNCHANGED)
            return
        centre_set_hours(actor=None, centre=centre, week=week)
        self.report.add("hours", Outcome.CREATED if not current else Outcome.UPDATED)

    def _load_exceptions(self, centre: Centre, entries: Iterable[Mapping[str, Any]]) -> None:
        for entry in entries:
            is_closed = bool(entry.get("closed", True))
            opens = None if is_closed else dt.time.fromisoformat(entry["opens"])
            closes = None if is_closed else dt.time.fromisoformat(entry["closes"])
            reason = entry.get("reason", "")
            date = next_occurrence(entry["date"], self.today)
            existing = OpeningException.objects.filter(centre=centre, date=date).first()
            if existing is not None:
                if (existing.is_closed, existing.opens, existing.closes, existing.reason) == (
                    is_closed, opens, closes, reason,
                ):  # fmt: skip
                    self.report.add("exceptions", Outcome.UNCHANGED)
                    continue
                opening_exception_delete(actor=None, exception=existing)
            opening_exception_add(
                actor=None, centre=centre, date=date, is_closed=is_closed, opens=opens, closes=closes, reason=reason
            )
            self.report.add("exceptions", Outcome.CREATED if existing is None else Outcome.UPDATED)


def load_demo_directory(*, today: dt.date, report: LoadReport, data: Mapping[str, Any] | None = None) -> DemoDirectory:
    """Offices, hosts and centres from the demo data. Call inside a transaction."""
    return DirectoryLoader(data if data is not None else read_demo_data(), today=today, report=report).load()
