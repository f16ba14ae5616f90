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

Modules: `formats` (keys, columns, the report and `CatalogueImportError`), `export`, `validation`
(the whole file checked first), `importer` (the writes). The names below are the public surface.
"""

from cipnet.eservices.interchange.export import (
    card_to_dict,
    export_catalogue_csv,
    export_catalogue_json,
    export_catalogue_json_text,
    join_list_cell,
    split_list_cell,
    territory_reference,
)
from cipnet.eservices.interchange.formats import (
    CATALOGUE_JSON,
    CSV_COLUMNS,
    FORMAT_VERSION,
    CatalogueImportError,
    ImportProblem,
    ImportReport,
    Tally,
)
from cipnet.eservices.interchange.importer import import_catalogue_csv, import_catalogue_json, load_shipped_catalogue

__all__ = [
    "CATALOGUE_JSON",
    "CSV_COLUMNS",
    "FORMAT_VERSION",
    "CatalogueImportError",
    "ImportProblem",
    "ImportReport",
    "Tally",
    "card_to_dict",
    "export_catalogue_csv",
    "export_catalogue_json",
    "export_catalogue_json_text",
    "import_catalogue_csv",
    "import_catalogue_json",
    "join_list_cell",
    "load_shipped_catalogue",
    "split_list_cell",
    "territory_reference",
]
