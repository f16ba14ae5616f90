"""The catalogue in: JSON and CSV imports (all or nothing), and the shipped demo catalogue."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from cipnet.accounts.models import User
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.eservices import events, services
from cipnet.eservices.interchange.export import split_list_cell
from cipnet.eservices.interchange.formats import (
    CATALOGUE_JSON,
    CSV_COLUMNS,
    CSV_TERRITORY_COLUMNS,
    LIST_FIELDS,
    RELATION_FIELDS,
    SECTIONS,
    STRUCT_FIELDS,
    CatalogueImportError,
    ImportProblem,
    ImportReport,
)
from cipnet.eservices.interchange.validation import CatalogueValidator
from cipnet.eservices.models import (
    Category,
    LifeEvent,
    Provider,
    ServiceCard,
)

# --- Import -------------------------------------------------------------------------------------------


def _check_actor(actor: User | None) -> None:
    if not services.can_edit_catalogue(actor):
        raise NotFoundOrNotAllowed()


def import_catalogue_json(data: Any, *, actor: User | None = None, source: str = "JSON") -> ImportReport:
    """Import a catalogue in the JSON shape: a dict, or its text / bytes (which are parsed here)."""
    _check_actor(actor)
    validator = CatalogueValidator()
    if isinstance(data, bytes | str):
        data = _parse_json(data, validator)
    if not validator.problems:
        _check_nul(data, validator)
    if not validator.problems:
        if not isinstance(data, dict):
            validator.file_problem(gettext("Expected a JSON object with a “cards” list."))
        else:
            unknown = sorted(set(data) - {"source", *SECTIONS})
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


def _parse_json(data: bytes | str, validator: CatalogueValidator) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            validator.file_problem(
                gettext("The file is not UTF-8 text (bad byte at position %(pos)d).") % {"pos": exc.start}
            )
            return None
    try:
        parsed = _load_json(data.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        validator.file_problem(
            gettext("The file is not valid JSON: %(msg)s at line %(line)d, column %(col)d.")
            % {"msg": exc.msg, "line": exc.lineno, "col": exc.colno}
        )
        return None
    except _TooDeepError:
        validator.file_problem(
            gettext(
                "The file nests lists and objects too deeply (more than %(max)d levels); a catalogue needs %(need)d."
            )
            % {"max": MAX_JSON_DEPTH, "need": 4}
        )
        return None
    return parsed


#: How deep lists and objects may nest in an imported file: the catalogue's shape needs 4 levels
#: (file → section → card → channel); deeper input is refused before anything walks it recursively.
MAX_JSON_DEPTH = 8


class _TooDeepError(ValueError):
    pass


def _load_json(text: str) -> Any:
    """`json.loads`, refusing nesting deeper than MAX_JSON_DEPTH (and never a RecursionError)."""
    try:
        parsed = json.loads(text)
    except RecursionError as exc:
        raise _TooDeepError from exc
    pending: list[tuple[Any, int]] = [(parsed, 1)]
    while pending:  # a loop, not recursion: the bound is checked before anything else recurses
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > MAX_JSON_DEPTH:
                    raise _TooDeepError
                pending.append((child, depth + 1))
    return parsed


def _has_nul(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            pending += item
    return False


def _nul_reason() -> str:
    return gettext("Contains a NUL character, which text cannot hold; remove it.")


def _check_nul(data: Any, validator: CatalogueValidator) -> None:
    """NUL characters are refused where they are (PostgreSQL cannot store them; SQLite would)."""
    if not isinstance(data, dict):
        return
    for section, items in data.items():
        if not isinstance(items, list):
            if _has_nul(items) or _has_nul(section):
                validator.file_problem(_nul_reason(), str(section).replace("\x00", ""))
            continue
        for position, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                if _has_nul(item):
                    validator.problems.append(ImportProblem(position, "", _nul_reason(), str(section)))
                continue
            identifier = item.get("identifier", item.get("slug", ""))
            identifier = identifier.replace("\x00", "") if isinstance(identifier, str) else ""
            for key, value in item.items():
                if _has_nul(key) or _has_nul(value):
                    where = str(key).replace("\x00", "")
                    validator.problems.append(ImportProblem(position, where, _nul_reason(), str(section), identifier))


def import_catalogue_csv(text: str | bytes, *, actor: User | None = None, source: str = "CSV") -> ImportReport:
    """Import cards from CSV (see the module docstring for the columns and cell encodings)."""
    _check_actor(actor)
    validator = CatalogueValidator(csv_rows=True)
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


def _csv_cards(text: str, validator: CatalogueValidator) -> tuple[list[dict[str, Any]], list[int]]:
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
            row = dict(zip(header, cells, strict=True))
            nul_columns = [column for column, cell in row.items() if "\x00" in cell]
            if nul_columns:
                identifier = row.get("identifier", "").replace("\x00", "")
                for column in nul_columns:
                    validator.problems.append(ImportProblem(row_number, column, _nul_reason(), "csv", identifier))
                continue
            card = _csv_row_to_card(row, row_number, validator)
            cards.append(card)
            rows.append(row_number)
    except csv.Error as exc:
        validator.file_problem(gettext("The file is not valid CSV: %(msg)s.") % {"msg": exc})
    return cards, rows


def _csv_row_to_card(row: dict[str, str], row_number: int, validator: CatalogueValidator) -> dict[str, Any]:
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
                card[column] = _load_json(cell)
            except _TooDeepError:
                validator.problems.append(
                    ImportProblem(
                        row_number,
                        column,
                        gettext("Lists and objects nest too deeply (more than %(max)d levels).")
                        % {"max": MAX_JSON_DEPTH},
                        "csv",
                        row.get("identifier", ""),
                    )
                )
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
def _write(validator: CatalogueValidator, *, actor: User | None, source: str) -> ImportReport:
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
    current = events.card_snapshot(card)
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
