"""The KATOTTG codifier of administrative-territorial units: reading the official file and importing it.

The file is validated whole before anything is written, so a malformed file imports nothing and the
person running the import gets every problem at once (row and reason), not one per attempt.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from cipnet.core.errors import DomainError
from cipnet.core.text import latin_key, name_key, transliterate
from cipnet.directory.models import Region, Territory, TerritoryLevel

# The edition shipped with the code; `import_katottg` loads it when no file is given.
SHIPPED_CODIFIER = Path(__file__).resolve().parent / "data" / "katottg-2025-05-16.csv.gz"

COLUMN_COUNT = 7  # five code columns, category, name
_CODE_COLUMNS = 5
_CODE_RE = re.compile(r"^UA\d{17}$")
# Which code column (0-based) holds the row's own code, by category letter.
_CATEGORY_COLUMN = {"O": 0, "K": 0, "P": 1, "H": 2, "M": 3, "X": 3, "C": 3, "B": 4}
_GZIP_MAGIC = b"\x1f\x8b"
# Rows per INSERT: few round trips; Django lowers it where the database limits bound parameters (SQLite).
_BATCH = 2000
_DELETE_BATCH = 500  # ids per DELETE … WHERE id IN (…), each followed by the cascade the collector walks

# The stored values of a territory, in `_TERRITORY_FIELDS` order.
_Values = tuple[str | int | None, ...]
_TERRITORY_FIELDS = ("level", "name", "name_key", "latin_key", "parent_id", "oblast_id", "raion_id", "hromada_id")


def _max_length(model: type[Territory] | type[Region], field: str) -> int:
    length = model._meta.get_field(field).max_length  # type: ignore[union-attr]
    assert isinstance(length, int)  # noqa: S101 - a CharField always has one
    return length


class RowError(NamedTuple):
    """One problem in the file. Row numbers count lines as a text editor or spreadsheet does (header = 1);
    row 0 means the file as a whole."""

    row: int
    reason: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.reason
        return gettext("Row %(row)d: %(reason)s") % {"row": self.row, "reason": self.reason}


class KatottgFormatError(DomainError):
    """The file is not a valid codifier; `errors` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        message = ngettext(
            "The codifier file has %(count)d error; nothing was imported.",
            "The codifier file has %(count)d errors; nothing was imported.",
            count,
        ) % {"count": count}
        super().__init__(message, code="katottg_format")


@dataclass(frozen=True, slots=True)
class Row:
    """One valid row of the codifier, with its place in the hierarchy resolved to codes."""

    number: int
    code: str
    level: str
    name: str
    name_key: str
    latin_key: str
    depth: int  # 1 for oblasts and Kyiv / Sevastopol, one more for each distinct level below
    parent_code: str | None
    oblast_code: str
    raion_code: str | None
    hromada_code: str | None


class _Seen(NamedTuple):
    number: int
    path: tuple[str, ...]


def parse_codifier(lines: Iterable[str]) -> list[Row]:
    """Validate every row of a codifier in CSV form (`;`-separated, optional header row).

    Raises `KatottgFormatError` listing all problems if any row is invalid.
    """
    errors: list[RowError] = []
    rows: list[Row] = []
    seen: dict[str, _Seen] = {}
    name_max = _max_length(Territory, "name")
    latin_max = _max_length(Territory, "latin_key")
    reader = csv.reader(lines, delimiter=";")
    for fields in reader:
        number = reader.line_num
        if number == 1 and fields and not _CODE_RE.match(fields[0].lstrip("\ufeff").strip()):
            continue  # the header row
        if not any(value.strip() for value in fields):
            continue  # blank lines, typically one at the end of the file
        row, reasons = _parse_row(number, fields, seen, name_max=name_max, latin_max=latin_max)
        errors.extend(RowError(number, reason) for reason in reasons)
        if row is not None:
            rows.append(row)
    if not rows and not errors:
        errors.append(RowError(0, gettext("The file has no territories in it.")))
    if errors:
        raise KatottgFormatError(errors)
    return rows


def _parse_row(
    number: int, fields: list[str], seen: dict[str, _Seen], *, name_max: int, latin_max: int
) -> tuple[Row | None, list[str]]:
    if len(fields) != COLUMN_COUNT:
        return None, [
            gettext("expected %(expected)d columns separated by “;”, found %(found)d.")
            % {"expected": COLUMN_COUNT, "found": len(fields)}
        ]
    if any("\ufffd" in value for value in fields):
        return None, [gettext("the text is not valid UTF-8.")]

    codes = [value.strip() for value in fields[:_CODE_COLUMNS]]
    category = fields[5].strip()
    name = fields[6].strip()

    reasons = [
        gettext("code “%(code)s” in column %(column)d is not a KATOTTG code (UA followed by 17 digits).")
        % {"code": code, "column": index + 1}
        for index, code in enumerate(codes)
        if code and not _CODE_RE.match(code)
    ]
    if reasons:
        return None, reasons
    if not codes[0]:
        return None, [gettext("column 1 (the oblast code) is empty.")]
    deepest = max(index for index, code in enumerate(codes) if code)
    gap = next((index for index in range(deepest) if not codes[index]), None)
    if gap is not None:
        return None, [gettext("column %(column)d is empty, but a deeper column has a code.") % {"column": gap + 1}]

    code = codes[deepest]
    # A unit outside the usual hierarchy repeats its ancestor's code in the skipped columns: Kyiv and
    # Sevastopol in their districts' rows, Kyiv oblast in the rows of Prypiat and Chornobyl (no raion,
    # no hromada). The hierarchy is the sequence of distinct codes.
    path: list[str] = []
    for value in codes[: deepest + 1]:
        if not path or path[-1] != value:
            path.append(value)
    if len(set(path)) != len(path):
        return None, [gettext("a code appears twice in the level columns.")]

    if category not in _CATEGORY_COLUMN:
        reasons.append(gettext("unknown category “%(category)s”.") % {"category": category})
    elif _CATEGORY_COLUMN[category] != deepest:
        reasons.append(
            gettext(
                "category “%(category)s” needs its code in column %(expected)d, "
                "but the last code is in column %(actual)d."
            )
            % {"category": category, "expected": _CATEGORY_COLUMN[category] + 1, "actual": deepest + 1}
        )
    if not name:
        reasons.append(gettext("the name is empty."))

    keys = (name_key(name), latin_key(name))
    if len(name) > name_max or len(keys[1]) > latin_max:
        reasons.append(gettext("the name is longer than %(max)d characters.") % {"max": name_max})

    if code in seen:
        reasons.append(
            gettext("code “%(code)s” was already used in row %(row)d.") % {"code": code, "row": seen[code].number}
        )
    parent_code = path[-2] if len(path) > 1 else None
    if parent_code is not None:
        parent = seen.get(parent_code)
        if parent is None:
            reasons.append(gettext("parent code “%(code)s” is not defined in an earlier row.") % {"code": parent_code})
        elif parent.path != tuple(path[:-1]):
            reasons.append(
                gettext("parent code “%(code)s” is defined in row %(row)d under different higher levels.")
                % {"code": parent_code, "row": parent.number}
            )

    if code not in seen:
        # Recorded even when the row has other problems, so that its children do not each
        # report a missing parent: one mistake, one message.
        seen[code] = _Seen(number, tuple(path))
    if reasons:
        return None, reasons

    raion_code = codes[1] if deepest >= 1 and codes[1] not in (code, codes[0]) else None
    hromada_code = codes[2] if deepest >= 2 and codes[2] not in (code, codes[1]) else None
    return (
        Row(
            number=number,
            code=code,
            level=category,
            name=name,
            name_key=keys[0],
            latin_key=keys[1],
            depth=len(path),
            parent_code=parent_code,
            oblast_code=codes[0],
            raion_code=raion_code,
            hromada_code=hromada_code,
        ),
        [],
    )


def read_codifier(path: str | os.PathLike[str]) -> list[Row]:
    """Parse a codifier file, plain CSV or gzip-compressed (recognised by content, not by name)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DomainError(
            gettext("Cannot read the codifier file %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror},
            code="katottg_unreadable",
        ) from exc
    if data.startswith(_GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise KatottgFormatError([RowError(0, gettext("The file is not a valid gzip archive."))]) from exc
    # Undecodable bytes become U+FFFD so that every affected row is reported, not just the first.
    text = data.decode("utf-8-sig", errors="replace")
    return parse_codifier(io.StringIO(text, newline=""))


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    regions_created: int = 0
    regions_updated: int = 0
    duration: float = 0.0  # seconds, parsing included

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.regions_created or self.regions_updated)

    def __str__(self) -> str:
        return gettext(
            "Territories: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(deleted)d deleted. "
            "Regions: %(regions_created)d created, %(regions_updated)d updated. Took %(duration).1f s."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "regions_created": self.regions_created,
            "regions_updated": self.regions_updated,
            "duration": self.duration,
        }


def territory_import(
    *, source: str | os.PathLike[str] | Iterable[str] | Sequence[Row], replace: bool = False
) -> ImportReport:
    """Create or update territories (and their regions) from the codifier.

    `source` is a file path (CSV or CSV.gz), the file's lines, or rows already parsed. Existing
    territories are matched by code and updated in place, so records pointing at them stay valid;
    with `replace`, territories no longer in the codifier are deleted (refused if still in use).
    Nothing is written unless the whole file is valid. Running it twice changes nothing.
    """
    started = time.perf_counter()
    rows = _rows_from(source)
    report = ImportReport()
    with transaction.atomic():
        _write_territories(rows, report)
        if replace:
            report.deleted = _delete_missing({row.code for row in rows})
        report.regions_created, report.regions_updated = region_sync()
    report.duration = time.perf_counter() - started
    return report


def _rows_from(source: str | os.PathLike[str] | Iterable[str] | Sequence[Row]) -> list[Row]:
    if isinstance(source, str | os.PathLike):
        return read_codifier(source)
    items = list(source)
    rows = [item for item in items if isinstance(item, Row)]
    if rows and len(rows) == len(items):
        return rows
    return parse_codifier(str(item) for item in items)


def _write_territories(rows: list[Row], report: ImportReport) -> None:
    existing: dict[str, _Values] = {}
    ids: dict[str, int] = {}
    for pk, code, *values in Territory.objects.order_by().values_list("pk", "code", *_TERRITORY_FIELDS):
        ids[code] = pk
        existing[code] = tuple(values)

    by_depth: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_depth[row.depth].append(row)

    to_update: list[_Values] = []
    # One depth at a time, so that every ancestor has an id before its descendants refer to it.
    for depth in sorted(by_depth):
        new: list[Territory] = []
        for row in by_depth[depth]:
            values = _values(row, ids)
            if row.code not in existing:
                new.append(Territory(code=row.code, **dict(zip(_TERRITORY_FIELDS, values, strict=True))))
            elif existing[row.code] != values:
                to_update.append((*values, ids[row.code]))
            else:
                report.unchanged += 1
        # Rows were validated by the parser; a full_clean per row would cost a query each for the unique code.
        Territory.objects.bulk_create(new, batch_size=_BATCH)
        report.created += len(new)
        if any(territory.pk is None for territory in new):  # backends that cannot return ids from a bulk insert
            ids = dict(Territory.objects.order_by().values_list("code", "pk"))
        else:
            ids.update((territory.code, territory.pk) for territory in new)
        # An oblast is its own oblast (so scoping by oblast includes it); its id exists only now.
        tops = [t.pk for t in new if t.level in (TerritoryLevel.OBLAST, TerritoryLevel.SPECIAL_CITY)]
        if tops:
            Territory.objects.filter(pk__in=tops).update(oblast=F("pk"))

    _update_rows(to_update)
    report.updated = len(to_update)


def _update_rows(rows: list[_Values]) -> None:
    """UPDATE each territory by id: values in `_TERRITORY_FIELDS` order, then the id.

    `bulk_update` builds a CASE expression per field and row; for a new edition that renames thousands of
    units that took 30-45 s in Python alone. One prepared statement run for many parameter sets (sqlite3
    and psycopg both batch `executemany`) does the same in about a second, on either database.
    """
    if not rows:
        return
    columns = {field.attname: str(field.column) for field in Territory._meta.concrete_fields}
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(columns[field])} = %s" for field in _TERRITORY_FIELDS)
    sql = f"UPDATE {quote(Territory._meta.db_table)} SET {assignments} WHERE {quote(columns['id'])} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _values(row: Row, ids: dict[str, int]) -> _Values:
    """The stored values of a territory, in `_TERRITORY_FIELDS` order."""
    is_top = row.level in (TerritoryLevel.OBLAST, TerritoryLevel.SPECIAL_CITY)
    return (
        row.level,
        row.name,
        row.name_key,
        row.latin_key,
        ids[row.parent_code] if row.parent_code else None,
        ids.get(row.code) if is_top else ids[row.oblast_code],
        ids[row.raion_code] if row.raion_code else None,
        ids[row.hromada_code] if row.hromada_code else None,
    )


def _delete_missing(codes: set[str]) -> int:
    stale = [pk for code, pk in Territory.objects.order_by().values_list("code", "pk") if code not in codes]
    if not stale:
        return 0
    try:
        Region.objects.filter(territory_id__in=stale).delete()
        for start in range(0, len(stale), _DELETE_BATCH):
            Territory.objects.filter(pk__in=stale[start : start + _DELETE_BATCH]).delete()
    except (ProtectedError, RestrictedError) as exc:
        raise DomainError(
            gettext(
                "Some territories (or their regions) that are no longer in the codifier are still used, for "
                "example by centres; move those records to current territories first. Nothing was imported."
            ),
            code="katottg_in_use",
        ) from exc
    return len(stale)


class RegionNames(NamedTuple):
    slug: str
    name: str
    name_en: str
    name_pl: str


# Keyed by the two digits after "UA" in the oblast code, which the codifier keeps stable between editions.
REGION_NAMES: dict[str, RegionNames] = {
    "01": RegionNames(
        "krym", "Автономна Республіка Крим", "Autonomous Republic of Crimea", "Autonomiczna Republika Krymu"
    ),
    "05": RegionNames("vinnytska", "Вінницька область", "Vinnytsia Oblast", "obwód winnicki"),
    "07": RegionNames("volynska", "Волинська область", "Volyn Oblast", "obwód wołyński"),
    "12": RegionNames("dnipropetrovska", "Дніпропетровська область", "Dnipropetrovsk Oblast", "obwód dniepropetrowski"),
    "14": RegionNames("donetska", "Донецька область", "Donetsk Oblast", "obwód doniecki"),
    "18": RegionNames("zhytomyrska", "Житомирська область", "Zhytomyr Oblast", "obwód żytomierski"),
    "21": RegionNames("zakarpatska", "Закарпатська область", "Zakarpattia Oblast", "obwód zakarpacki"),
    "23": RegionNames("zaporizka", "Запорізька область", "Zaporizhzhia Oblast", "obwód zaporoski"),
    "26": RegionNames(
        "ivano-frankivska", "Івано-Франківська область", "Ivano-Frankivsk Oblast", "obwód iwanofrankiwski"
    ),
    "32": RegionNames("kyivska", "Київська область", "Kyiv Oblast", "obwód kijowski"),
    "35": RegionNames("kirovohradska", "Кіровоградська область", "Kirovohrad Oblast", "obwód kirowohradzki"),
    "44": RegionNames("luhanska", "Луганська область", "Luhansk Oblast", "obwód ługański"),
    "46": RegionNames("lvivska", "Львівська область", "Lviv Oblast", "obwód lwowski"),
    "48": RegionNames("mykolaivska", "Миколаївська область", "Mykolaiv Oblast", "obwód mikołajowski"),
    "51": RegionNames("odeska", "Одеська область", "Odesa Oblast", "obwód odeski"),
    "53": RegionNames("poltavska", "Полтавська область", "Poltava Oblast", "obwód połtawski"),
    "56": RegionNames("rivnenska", "Рівненська область", "Rivne Oblast", "obwód rówieński"),
    "59": RegionNames("sumska", "Сумська область", "Sumy Oblast", "obwód sumski"),
    "61": RegionNames("ternopilska", "Тернопільська область", "Ternopil Oblast", "obwód tarnopolski"),
    "63": RegionNames("kharkivska", "Харківська область", "Kharkiv Oblast", "obwód charkowski"),
    "65": RegionNames("khersonska", "Херсонська область", "Kherson Oblast", "obwód chersoński"),
    "68": RegionNames("khmelnytska", "Хмельницька область", "Khmelnytskyi Oblast", "obwód chmielnicki"),
    "71": RegionNames("cherkaska", "Черкаська область", "Cherkasy Oblast", "obwód czerkaski"),
    "73": RegionNames("chernivetska", "Чернівецька область", "Chernivtsi Oblast", "obwód czerniowiecki"),
    "74": RegionNames("chernihivska", "Чернігівська область", "Chernihiv Oblast", "obwód czernihowski"),
    "80": RegionNames("kyiv", "Київ", "Kyiv", "Kijów"),
    "85": RegionNames("sevastopol", "Севастополь", "Sevastopol", "Sewastopol"),
}


def region_names(territory: Territory) -> RegionNames:
    """The region's names: from the table above, or derived from the territory for a unit it does not know."""
    known = REGION_NAMES.get(territory.code[2:4])
    if known is not None:
        return known
    latin = transliterate(territory.name)
    if territory.level == TerritoryLevel.SPECIAL_CITY:
        return RegionNames(slugify(latin), territory.name, latin, "")
    return RegionNames(slugify(latin), f"{territory.name} область", f"{latin} Oblast", "")


def region_sync() -> tuple[int, int]:
    """Make sure every oblast, Kyiv and Sevastopol has its Region, with current names. Returns (created, updated)."""
    created = updated = 0
    regions = {region.territory_id: region for region in Region.objects.all()}
    tops = Territory.objects.filter(level__in=[TerritoryLevel.OBLAST, TerritoryLevel.SPECIAL_CITY]).order_by("code")
    with transaction.atomic():
        for territory in tops:
            names = region_names(territory)
            region = regions.get(territory.pk)
            if region is None:
                region = Region(territory=territory, **names._asdict())
                region.full_clean()
                region.save()
                created += 1
                continue
            changed = [field for field, value in names._asdict().items() if getattr(region, field) != value]
            if changed:
                for field in changed:
                    setattr(region, field, getattr(names, field))
                region.full_clean()
                region.save(update_fields=changed)
                updated += 1
    return created, updated


__all__ = [
    "SHIPPED_CODIFIER",
    "ImportReport",
    "KatottgFormatError",
    "Row",
    "RowError",
    "parse_codifier",
    "read_codifier",
    "region_names",
    "region_sync",
    "territory_import",
]
