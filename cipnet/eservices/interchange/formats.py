"""The interchange formats: the keys and columns of the JSON and CSV files, and the import report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.validators import URLValidator
from django.utils.translation import gettext, ngettext

from cipnet.core.errors import DomainError
from cipnet.directory.models import TerritoryLevel
from cipnet.eservices.models import (
    Category,
    LifeEvent,
    Provider,
)

Term = Provider | Category | LifeEvent
TermModel = type[Provider] | type[Category] | type[LifeEvent]

#: The demo catalogue shipped with the code (`manage.py load_catalogue`).
CATALOGUE_JSON = Path(__file__).resolve().parent.parent / "data" / "catalogue.json"

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

SECTIONS = ("providers", "categories", "life_events", "cards")
SETTLEMENT_LEVELS = (TerritoryLevel.CITY, TerritoryLevel.SELYSHCHE, TerritoryLevel.VILLAGE)
TOP_LEVELS = (TerritoryLevel.OBLAST, TerritoryLevel.SPECIAL_CITY)
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
http_url_validator = URLValidator(schemes=["http", "https"])


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
