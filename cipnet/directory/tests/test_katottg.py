from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from cipnet.directory.katottg import (
    REGION_NAMES,
    SHIPPED_CODIFIER,
    KatottgFormatError,
    Row,
    RowError,
    parse_codifier,
    read_codifier,
    territory_import,
)
from cipnet.directory.management.commands.import_katottg import Command
from cipnet.directory.models import Region, Territory

HEADER = "Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;Категорія об’єкта;Назва об’єкта"
# Real rows of the codifier; the comment is the row number each gets in the small file below.
SMALL_ROWS = [
    "UA48000000000039575;;;;;O;Миколаївська",  # 2
    "UA48000000000039575;UA48060000000094390;;;;P;Миколаївський",  # 3
    "UA48000000000039575;UA48060000000094390;UA48060150000071713;;;H;Миколаївська ",  # 4
    "UA48000000000039575;UA48060000000094390;UA48060150000071713;UA48060150010035747;;M;Миколаїв",  # 5
    "UA48000000000039575;UA48060000000094390;UA48060150000071713;UA48060150010035747;UA48060150010139573;B;Заводський",  # 6  # noqa: E501
    "UA48000000000039575;UA48060000000094390;UA48060210000081533;;;H;Новоодеська ",  # 7
    "UA48000000000039575;UA48060000000094390;UA48060210000081533;UA48060210010099689;;M;Нова Одеса",  # 8
    "UA80000000000093317;;;;;K;Київ",  # 9
    "UA80000000000093317;UA80000000000093317;UA80000000000093317;UA80000000000093317;UA80000000000126643;B;Голосіївський",  # 10  # noqa: E501
]  # fmt: skip
MYKOLAIV = "UA48060150010035747"
NOVA_ODESA_ROW = 8


def small_file(tmp_path: Path, rows: list[str] | None = None, name: str = "small.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *(SMALL_ROWS if rows is None else rows)]) + "\r\n").encode())
    return path


def replaced(row_number: int, line: str) -> list[str]:
    rows = list(SMALL_ROWS)
    rows[row_number - 2] = line
    return rows


def with_field(row_number: int, index: int, value: str) -> list[str]:
    fields = SMALL_ROWS[row_number - 2].split(";")
    fields[index] = value
    return replaced(row_number, ";".join(fields))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


# --- The whole real file ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_shipped_codifier_imports_whole_and_a_second_import_changes_nothing() -> None:
    report = territory_import(source=SHIPPED_CODIFIER)

    assert (report.created, report.updated, report.unchanged, report.deleted) == (31748, 0, 0, 0)
    assert (report.regions_created, report.regions_updated) == (27, 0)
    assert report.duration < 60
    assert Territory.objects.count() == 31748
    assert Region.objects.count() == 27
    assert Counter(Territory.objects.values_list("level", flat=True)) == {
        "O": 25, "K": 2, "P": 136, "H": 1772, "M": 461, "X": 2007, "C": 27237, "B": 108,
    }  # fmt: skip
    assert not Territory.objects.filter(name__endswith=" ").exists()

    mykolaiv = Territory.objects.select_related("parent", "oblast", "raion", "hromada").get(code=MYKOLAIV)
    assert (mykolaiv.level, mykolaiv.name, mykolaiv.name_key, mykolaiv.latin_key) == (
        "M",
        "Миколаїв",
        "миколаїв",
        "mikolaiv",
    )
    assert mykolaiv.oblast is not None and mykolaiv.raion is not None and mykolaiv.hromada is not None
    assert (mykolaiv.oblast.code, mykolaiv.oblast.name) == ("UA48000000000039575", "Миколаївська")
    assert (mykolaiv.raion.code, mykolaiv.raion.name) == ("UA48060000000094390", "Миколаївський")
    assert (mykolaiv.hromada.code, mykolaiv.hromada.name) == ("UA48060150000071713", "Миколаївська")
    assert mykolaiv.parent == mykolaiv.hromada
    # The other city called Миколаїв, in Stryi raion of Lviv oblast.
    other = Territory.objects.get(code="UA46100110010094231")
    assert (other.name, other.oblast.name, other.raion.name) == ("Миколаїв", "Львівська", "Стрийський")  # type: ignore[union-attr]
    # Prypiat has no raion or hromada: its row repeats the oblast code in their columns.
    prypiat = Territory.objects.get(code="UA32000000010085013")
    assert (prypiat.parent.code, prypiat.oblast.code, prypiat.raion, prypiat.hromada) == (  # type: ignore[union-attr]
        "UA32000000000030281", "UA32000000000030281", None, None,
    )  # fmt: skip

    region = Region.objects.get(slug="mykolaivska")
    assert (region.territory.code, region.name, region.name_en, region.name_pl) == (
        "UA48000000000039575", "Миколаївська область", "Mykolaiv Oblast", "obwód mikołajowski",
    )  # fmt: skip
    assert Region.objects.get(slug="kyiv").name_pl == "Kijów"
    assert Region.objects.get(territory__code="UA01000000000013043").name == "Автономна Республіка Крим"

    again = territory_import(source=SHIPPED_CODIFIER)
    assert (again.created, again.updated, again.unchanged, again.deleted) == (0, 0, 31748, 0)
    assert (again.regions_created, again.regions_updated) == (0, 0)
    assert not again.changed


def test_region_table_covers_every_oblast_kyiv_and_sevastopol_of_the_codifier(katottg_lines: list[str]) -> None:
    tops = {line[2:4] for line in katottg_lines[1:] if line.split(";")[5] in ("O", "K")}
    assert tops == set(REGION_NAMES)
    assert len({names.slug for names in REGION_NAMES.values()}) == 27
    assert all(names.name and names.name_en and names.name_pl for names in REGION_NAMES.values())


# --- Parsing ------------------------------------------------------------------------------------


def test_rows_get_their_place_in_the_hierarchy() -> None:
    rows = {row.code: row for row in parse_codifier([HEADER, *SMALL_ROWS])}

    assert rows[MYKOLAIV] == Row(
        number=5, code=MYKOLAIV, level="M", name="Миколаїв", name_key="миколаїв", latin_key="mikolaiv", depth=4,
        parent_code="UA48060150000071713", oblast_code="UA48000000000039575", raion_code="UA48060000000094390",
        hromada_code="UA48060150000071713",
    )  # fmt: skip
    district = rows["UA48060150010139573"]
    assert (district.parent_code, district.hromada_code, district.depth) == (MYKOLAIV, "UA48060150000071713", 5)
    hromada = rows["UA48060150000071713"]
    assert (hromada.name, hromada.raion_code, hromada.hromada_code) == ("Миколаївська", "UA48060000000094390", None)
    # Kyiv's districts repeat the city's code in the raion, hromada and settlement columns.
    kyiv_district = rows["UA80000000000126643"]
    assert (kyiv_district.parent_code, kyiv_district.oblast_code, kyiv_district.depth) == (
        "UA80000000000093317",
    ) * 2 + (2,)
    assert (kyiv_district.raion_code, kyiv_district.hromada_code) == (None, None)
    assert rows["UA80000000000093317"].parent_code is None


def test_header_row_is_optional_and_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    assert len(parse_codifier(SMALL_ROWS)) == 9
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff".encode() + ("\r\n".join([HEADER, *SMALL_ROWS])).encode())
    assert [row.number for row in read_codifier(path)][:2] == [2, 3]


def test_gzip_is_recognised_by_content(tmp_path: Path) -> None:
    path = tmp_path / "codifier.data"
    path.write_bytes(gzip.compress(small_file(tmp_path).read_bytes()))
    assert len(read_codifier(path)) == 9


# --- Malformed files ----------------------------------------------------------------------------

MALFORMED = {
    "columns": (
        replaced(8, "UA48000000000039575;UA48060000000094390;UA48060210000081533;UA48060210010099689;M;Нова Одеса"),
        ["Row 8: expected 7 columns separated by “;”, found 6."],
    ),
    "code": (
        with_field(8, 3, "UA4806021001009968"),
        ["Row 8: code “UA4806021001009968” in column 4 is not a KATOTTG code (UA followed by 17 digits)."],
    ),
    "code_letters": (
        with_field(8, 3, "ua48060210010099689"),
        ["Row 8: code “ua48060210010099689” in column 4 is not a KATOTTG code (UA followed by 17 digits)."],
    ),
    "category_unknown": (with_field(8, 5, "Z"), ["Row 8: unknown category “Z”."]),
    "category_column": (
        with_field(8, 5, "H"),
        ["Row 8: category “H” needs its code in column 3, but the last code is in column 4."],
    ),
    "category_district_column": (
        with_field(6, 5, "M"),
        ["Row 6: category “M” needs its code in column 4, but the last code is in column 5."],
    ),
    "name_empty": (with_field(8, 6, "   "), ["Row 8: the name is empty."]),
    "name_long": (with_field(8, 6, "Д" * 151), ["Row 8: the name is longer than 150 characters."]),
    "duplicate": (
        [*SMALL_ROWS, SMALL_ROWS[NOVA_ODESA_ROW - 2]],
        ["Row 11: code “UA48060210010099689” was already used in row 8."],
    ),
    "parent_later": (
        [*SMALL_ROWS[:5], SMALL_ROWS[6], SMALL_ROWS[5], *SMALL_ROWS[7:]],
        ["Row 7: parent code “UA48060210000081533” is not defined in an earlier row."],
    ),
    "parent_elsewhere": (
        with_field(8, 1, "UA48040000000011780"),
        ["Row 8: parent code “UA48060210000081533” is defined in row 7 under different higher levels."],
    ),
    "oblast_missing": (with_field(8, 0, ""), ["Row 8: column 1 (the oblast code) is empty."]),
    "gap": (with_field(8, 2, ""), ["Row 8: column 3 is empty, but a deeper column has a code."]),
    "no_rows": ([], ["The file has no territories in it."]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_file_is_rejected_with_row_and_reason_and_imports_nothing(tmp_path: Path, kind: str) -> None:
    rows, expected = MALFORMED[kind]
    with pytest.raises(KatottgFormatError) as caught:
        territory_import(source=small_file(tmp_path, rows))

    assert [str(error) for error in caught.value.errors] == expected
    assert Territory.objects.count() == 0
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_every_error_in_the_file_is_reported_at_once(tmp_path: Path) -> None:
    rows = with_field(5, 5, "Z")
    rows[NOVA_ODESA_ROW - 2] = SMALL_ROWS[NOVA_ODESA_ROW - 2].replace("Нова Одеса", "")
    rows.append("UA85000000000065278;;;;;K;Севастополь;")

    with pytest.raises(KatottgFormatError) as caught:
        territory_import(source=small_file(tmp_path, rows))

    assert caught.value.errors == [
        RowError(5, "unknown category “Z”."),
        RowError(8, "the name is empty."),
        RowError(11, "expected 7 columns separated by “;”, found 8."),
    ]
    assert caught.value.message == "The codifier file has 3 errors; nothing was imported."
    assert Territory.objects.count() == 0


@pytest.mark.django_db
def test_bytes_that_are_not_utf8_are_reported_by_row(tmp_path: Path) -> None:
    lines = [HEADER, *SMALL_ROWS]
    lines[NOVA_ODESA_ROW - 1] = SMALL_ROWS[NOVA_ODESA_ROW - 2].replace("Нова Одеса", "Нова Одеса\xff")
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"\r\n".join(line.encode("utf-8").replace("\xff".encode(), b"\xff") for line in lines))

    with pytest.raises(KatottgFormatError) as caught:
        territory_import(source=path)

    assert [str(error) for error in caught.value.errors] == ["Row 8: the text is not valid UTF-8."]
    assert Territory.objects.count() == 0


@pytest.mark.django_db
def test_a_broken_gzip_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(gzip.compress(small_file(tmp_path).read_bytes())[:200])

    with pytest.raises(KatottgFormatError) as caught:
        territory_import(source=path)

    assert [str(error) for error in caught.value.errors] == ["The file is not a valid gzip archive."]


@pytest.mark.django_db
def test_a_malformed_file_leaves_earlier_imports_untouched(tmp_path: Path) -> None:
    territory_import(source=small_file(tmp_path))
    with pytest.raises(KatottgFormatError):
        territory_import(source=small_file(tmp_path, [*with_field(8, 5, "Z"), "UA85000000000065278;;;;;K;Севастополь"]))

    assert Territory.objects.count() == 9
    assert not Territory.objects.filter(code="UA85000000000065278").exists()


# --- Updating ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_small_file_import_sets_keys_parents_and_denormalised_units(tmp_path: Path) -> None:
    report = territory_import(source=small_file(tmp_path))

    assert (report.created, report.regions_created) == (9, 2)
    by_code = {t.code: t for t in Territory.objects.all()}
    oblast, kyiv = by_code["UA48000000000039575"], by_code["UA80000000000093317"]
    assert (oblast.oblast_id, oblast.parent_id, kyiv.oblast_id) == (oblast.pk, None, kyiv.pk)
    district = by_code["UA48060150010139573"]
    assert (district.parent_id, district.hromada_id, district.raion_id, district.oblast_id) == (
        by_code[MYKOLAIV].pk, by_code["UA48060150000071713"].pk, by_code["UA48060000000094390"].pk, oblast.pk,
    )  # fmt: skip
    holosiivskyi = by_code["UA80000000000126643"]
    assert (holosiivskyi.parent_id, holosiivskyi.oblast_id, holosiivskyi.raion_id, holosiivskyi.hromada_id) == (
        kyiv.pk, kyiv.pk, None, None,
    )  # fmt: skip
    assert by_code["UA48060210000081533"].name == "Новоодеська"
    assert (by_code["UA48060210010099689"].name_key, by_code["UA48060210010099689"].latin_key) == (
        "нова одеса", "nova odesa",
    )  # fmt: skip
    assert sorted(Region.objects.values_list("slug", "name")) == [
        ("kyiv", "Київ"),
        ("mykolaivska", "Миколаївська область"),
    ]


@pytest.mark.django_db
def test_reimport_updates_only_what_changed_and_keeps_ids(tmp_path: Path) -> None:
    territory_import(source=small_file(tmp_path))
    ids = dict(Territory.objects.values_list("code", "pk"))
    rows = with_field(6, 6, "Заводський (змінено)")
    # Нова Одеса moves to the Mykolaiv hromada: its parent and hromada change.
    rows[NOVA_ODESA_ROW - 2] = (
        "UA48000000000039575;UA48060000000094390;UA48060150000071713;UA48060210010099689;;M;Нова Одеса"
    )

    report = territory_import(source=small_file(tmp_path, rows))

    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 2, 7, 0)
    assert dict(Territory.objects.values_list("code", "pk")) == ids
    district = Territory.objects.get(code="UA48060150010139573")
    assert (district.name, district.name_key) == ("Заводський (змінено)", "заводський змінено")
    nova_odesa = Territory.objects.get(code="UA48060210010099689")
    assert nova_odesa.parent_id == nova_odesa.hromada_id == ids["UA48060150000071713"]


@pytest.mark.django_db
def test_territories_missing_from_the_file_are_kept_unless_replacing(tmp_path: Path) -> None:
    territory_import(source=small_file(tmp_path))
    without_kyiv = small_file(tmp_path, SMALL_ROWS[:7], name="without_kyiv.csv")

    kept = territory_import(source=without_kyiv)
    assert (kept.unchanged, kept.deleted) == (7, 0)
    assert Territory.objects.count() == 9

    replaced_report = territory_import(source=without_kyiv, replace=True)
    assert (replaced_report.unchanged, replaced_report.deleted) == (7, 2)
    assert Territory.objects.count() == 7
    assert list(Region.objects.values_list("slug", flat=True)) == ["mykolaivska"]


# --- The management command -------------------------------------------------------------------


@pytest.mark.django_db
def test_command_imports_a_file_and_prints_the_report(tmp_path: Path) -> None:
    gz = tmp_path / "small.csv.gz"
    gz.write_bytes(gzip.compress(small_file(tmp_path).read_bytes()))
    out = StringIO()

    call_command("import_katottg", file=gz, stdout=out)

    assert "Territories: 9 created, 0 updated, 0 unchanged, 0 deleted. Regions: 2 created, 0 updated." in out.getvalue()
    assert Territory.objects.count() == 9


@pytest.mark.django_db
def test_command_if_empty_skips_existing_territories_but_restores_regions(tmp_path: Path) -> None:
    call_command("import_katottg", "--if-empty", file=small_file(tmp_path), stdout=StringIO())
    assert Territory.objects.count() == 9
    Region.objects.filter(slug="kyiv").delete()
    out = StringIO()

    call_command("import_katottg", "--if-empty", file=SHIPPED_CODIFIER, stdout=out)

    assert out.getvalue().strip() == "Territories are already imported (9); skipped. Regions: 1 created, 0 updated."
    assert Territory.objects.count() == 9
    assert Region.objects.filter(slug="kyiv").exists()


@pytest.mark.django_db
def test_command_reports_each_error_and_fails_without_writing(tmp_path: Path) -> None:
    err = StringIO()
    rows = [*with_field(5, 5, "Z"), "UA85000000000065278;;;;;K;"]

    with pytest.raises(CommandError, match=r"The codifier file has 2 errors; nothing was imported\."):
        call_command("import_katottg", file=small_file(tmp_path, rows), stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == ["Row 5: unknown category “Z”.", "Row 11: the name is empty."]
    assert Territory.objects.count() == 0


@pytest.mark.django_db
def test_command_fails_on_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read the codifier file"):
        call_command("import_katottg", file=tmp_path / "nowhere.csv", stdout=StringIO())


def test_command_exits_non_zero_on_a_malformed_file(tmp_path: Path) -> None:
    # A separate process, as `make run` would start it, with a database that must stay untouched.
    database = tmp_path / "untouched.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "LANGUAGE": "en",
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "manage.py",
            "import_katottg",
            "--skip-checks",
            "--file",
            str(small_file(tmp_path, with_field(8, 5, "Z"))),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    # The message is in the default language (Ukrainian quotes «Z», English “Z”): check row and value.
    assert "8" in result.stderr
    assert "«Z»" in result.stderr or "“Z”" in result.stderr
    assert not database.exists() or database.stat().st_size == 0


def test_command_help_is_translated_text_argparse_can_format() -> None:
    # Regression: lazy translations as argparse help crashed `import_katottg --help`.
    text = Command().create_parser("manage.py", "import_katottg").format_help()

    assert "KATOTTG" in text and "--if-empty" in text
