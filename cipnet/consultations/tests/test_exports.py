"""The consultation log as CSV and XLSX: exact cells, labels in the active language, Kyiv time,
formula injection, and a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from cipnet.accounts.models import User
from cipnet.consultations import exports, services
from cipnet.consultations.models import Consultation
from cipnet.core.clock import KYIV
from cipnet.directory.models import Centre
from cipnet.eservices import services as card_services
from cipnet.eservices.models import Provider, ServiceCard
from cipnet.testing import World

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

HEADER_EN = [
    "ID",
    "Date",
    "Time",
    "Centre",
    "Region",
    "Consultant",
    "Services",
    "Kind of help",
    "Outcome",
    "Referred to",
    "Why it was not possible",
    "Channel",
    "Duration, minutes",
    "Gender",
    "Age",
    "Social categories",
    "Lives in",
    "First visit",
    "Satisfaction (1–5)",
    "Note",
]


def make_card(identifier: str, name: str, name_en: str = "") -> ServiceCard:
    provider = Provider.objects.get_or_create(slug="pfu", defaults={"name": "Пенсійний фонд України"})[0]
    return card_services.card_create(
        actor=None,
        identifier=identifier,
        name=name,
        name_en=name_en,
        short_description="Коротко.",
        description="Докладно.",
        kind="administrative",
        provider=provider.pk,
    )


def record(user: User, centre: Centre, **fields: Any) -> Consultation:
    values: dict[str, Any] = {
        "occurred_at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
        "help_kind": "information",
        "outcome": "completed",
        **fields,
    }
    return services.consultation_record(
        author=user, centre=centre, data=services.ConsultationInput(**values)
    ).consultation


def yesterday_at(hour: int, minute: int) -> dt.datetime:
    """Yesterday (in Kyiv) at the wall-clock time in Kyiv, as an aware moment."""
    day = dt.datetime.now(KYIV).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KYIV)


@pytest.fixture
def entries(world: World) -> dict[str, Any]:
    pension = make_card("pension-portal", "Пенсійний портал", "Pension portal")
    consultant = world.users["consultant_a"]
    consultant.full_name = "Олена Коваль"
    consultant.save()
    full = record(
        consultant,
        world.centre_a,
        occurred_at=yesterday_at(0, 30),  # half past midnight in Kyiv: the UTC date is the day before
        help_kind="eservice",
        outcome="not_possible",
        obstacle="no_esignature",
        services=[services.ServiceRef(card=pension), services.ServiceRef(text="Довідка ОК-5")],
        channel="phone",
        duration_minutes=25,
        gender="female",
        age_band="60-74",
        categories=["pensioner", "idp"],
        settlement_type="village",
        first_visit=True,
        satisfaction=5,
        note="Прийде ще раз",
    )
    bare = record(world.users["manager_b"], world.centre_b, occurred_at=yesterday_at(15, 45))
    return {"full": full, "bare": bare, "pension": pension, "day": yesterday_at(0, 30).date()}


def csv_rows(lines: list[str]) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_cells(content: bytes) -> dict[str, tuple[str | None, str]]:
    """{"A1": (type, text)} of the first worksheet, reading shared and inline strings."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314  # our own output
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    cells: dict[str, tuple[str | None, str]] = {}
    for c in sheet.iter(f"{{{NS['m']}}}c"):
        kind = c.get("t")
        assert c.find("m:f", NS) is None, "no formulas"
        if kind == "inlineStr":
            value = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
        elif kind == "s":
            value = shared[int(c.findtext("m:v", "", NS))]
        else:
            value = c.findtext("m:v", "", NS)
        cells[c.get("r", "")] = (kind, value)
    return cells


def column(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def test_export_rows_in_english(entries: dict[str, Any]) -> None:
    full, bare = entries["full"], entries["bare"]
    with translation.override("en"):
        rows = list(exports.export_rows(Consultation.objects.order_by("id")))
    assert rows[0] == HEADER_EN
    assert rows[1] == [
        full.pk,
        entries["day"],
        dt.time(0, 30),
        "M. L. Kropyvnytskyi Central Library",
        "Mykolaiv Oblast",
        "Олена Коваль",
        "Pension portal; Довідка ОК-5 (not in the catalogue)",
        "Assisted e-service",
        "Not possible",
        "",
        "No e-signature",
        "Phone",
        25,
        "Female",
        "60–74",
        "Pensioner; Internally displaced person",
        "Village",
        "Yes",
        5,
        "Прийде ще раз",
    ]
    assert rows[2] == [
        bare.pk,
        entries["day"],
        dt.time(15, 45),
        "ЦІП у Миколаєві Стрийського району",  # no English name: the Ukrainian one
        "Lviv Oblast",
        "manager_b",
        "",
        "Information only",
        "Completed",
        "",
        "",
        "Walk-in",
        None,
        "Not stated",
        "Not stated",
        "",
        "Not stated",
        "",
        None,
        "",
    ]


def test_csv_has_bom_and_exact_cells(entries: dict[str, Any]) -> None:
    full = entries["full"]
    with translation.override("en"):
        lines = list(exports.csv_stream(Consultation.objects.order_by("id")))
    assert len(lines) == 3  # one line per row
    rows = csv_rows(lines)
    assert rows[0] == HEADER_EN
    assert rows[1][:4] == [str(full.pk), entries["day"].isoformat(), "00:30", "M. L. Kropyvnytskyi Central Library"]
    assert rows[1][12:] == [
        "25",
        "Female",
        "60–74",
        "Pensioner; Internally displaced person",
        "Village",
        "Yes",
        "5",
        "Прийде ще раз",
    ]
    assert rows[2][12] == rows[2][18] == ""  # no duration, no rating: empty, not "None"
    assert "".join(lines).encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_csv_labels_follow_the_language_active_when_the_stream_was_made(entries: dict[str, Any]) -> None:
    with translation.override("uk"):
        expected_region = gettext("Region")
        stream = exports.csv_stream(Consultation.objects.order_by("id"))
    assert expected_region != "Region"
    with translation.override("en"):
        rows = csv_rows(list(stream))  # consumed later, under another language, as a streaming response is
    assert rows[0][4] == expected_region
    assert rows[2][4] == "Львівська область"


def test_csv_escapes_formulas(world: World) -> None:
    user = world.users["consultant_a"]
    record(user, world.centre_a, note="=1+2", outcome="referred", referred_to="@SUM(A1)")
    record(user, world.centre_a, note="-2+3", help_kind="eservice", services=[services.ServiceRef(text="+cmd")])
    record(user, world.centre_a, note="звичайна примітка = 1")
    with translation.override("en"):
        rows = csv_rows(list(exports.csv_stream(Consultation.objects.order_by("id"))))
    notes = [(r[9], r[6], r[19]) for r in rows[1:]]
    assert notes == [
        ("'@SUM(A1)", "", "'=1+2"),
        ("", "'+cmd (not in the catalogue)", "'-2+3"),
        ("", "", "звичайна примітка = 1"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=A1", "'=A1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("a=b", "a=b"), ("", "")],
)
def test_escape_formula(text: str, expected: str) -> None:
    assert exports.escape_formula(text) == expected


def test_xlsx_cells_types_and_layout(entries: dict[str, Any]) -> None:
    full, bare = entries["full"], entries["bare"]
    with translation.override("en"):
        content = exports.xlsx_bytes(Consultation.objects.order_by("id"), title="Consultations: March/April")
    cells = xlsx_cells(content)
    assert [cells[f"{column(i)}1"][1] for i in range(20)] == HEADER_EN
    assert cells["A2"] == (None, str(full.pk)) or cells["A2"] == ("n", str(full.pk))
    assert float(cells["B2"][1]) == excel_serial(entries["day"])  # a real date
    assert float(cells["C2"][1]) == pytest.approx(30 / 1440)  # a real time: 00:30
    assert float(cells["C3"][1]) == pytest.approx((15 * 60 + 45) / 1440)
    assert cells["D2"][1] == "M. L. Kropyvnytskyi Central Library"
    assert cells["G2"][1] == "Pension portal; Довідка ОК-5 (not in the catalogue)"
    assert float(cells["M2"][1]) == 25
    assert cells["P2"][1] == "Pensioner; Internally displaced person"
    assert float(cells["S2"][1]) == 5
    assert cells["T2"][1] == "Прийде ще раз"
    assert cells["A3"][1] == str(bare.pk)
    assert "M3" not in cells and "S3" not in cells  # empty cells are left out
    assert "A4" not in cells
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
        workbook = archive.read("xl/workbook.xml").decode()
        core = archive.read("docProps/core.xml").decode()
    assert re.search(r'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>', sheet)
    assert '<col min="7" max="7" width="40.7109375" customWidth="1"/>' in sheet
    assert "<b/>" in styles
    assert 'name="Consultations  March April"' in workbook  # a valid worksheet name
    assert "Consultations: March/April" in core


def test_xlsx_writes_formula_like_text_as_text(world: World) -> None:
    record(world.users["consultant_a"], world.centre_a, note='=HYPERLINK("http://example.org","x")')
    cells = xlsx_cells(exports.xlsx_bytes(Consultation.objects.all(), title="Log"))
    assert cells["T2"] == ("inlineStr", '=HYPERLINK("http://example.org","x")')


def test_xlsx_of_no_entries_has_the_header_only(world: World) -> None:
    cells = xlsx_cells(exports.xlsx_bytes(Consultation.objects.none(), title="Log"))
    assert {ref for ref in cells if not ref.endswith("1")} == set()
    assert len(cells) == 20


@pytest.mark.parametrize(("title", "name"), [("", "Sheet1"), ("a" * 40, "a" * 31), ("x[1]:y", "x 1  y")])
def test_sheet_name(title: str, name: str) -> None:
    assert exports.sheet_name(title) == name


def test_query_count_does_not_grow_with_rows(world: World) -> None:
    cards = [make_card(f"card-{i}", f"Послуга {i}") for i in range(4)]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            list(exports.csv_stream(Consultation.objects.all()))
            exports.xlsx_bytes(Consultation.objects.all(), title="Log")
        return len(ctx.captured_queries)

    record(world.users["consultant_a"], world.centre_a, help_kind="eservice", services=[services.ServiceRef(cards[0])])
    few = count()
    for i, card in enumerate(cards):
        user = world.users["consultant_a" if i % 2 else "consultant_b"]
        centre = world.centre_a if i % 2 else world.centre_b
        record(user, centre, help_kind="eservice", services=[services.ServiceRef(card), services.ServiceRef(text="x")])
    assert count() == few
