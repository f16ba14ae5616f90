"""The catalogue round-trips through JSON and CSV unchanged; a bad file imports nothing and says why."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from pytest_django import DjangoDbBlocker

from cipnet.accounts.models import User
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.directory.models import Territory
from cipnet.eservices import services
from cipnet.eservices.interchange import (
    CSV_COLUMNS,
    CatalogueImportError,
    ImportProblem,
    export_catalogue_csv,
    export_catalogue_json,
    import_catalogue_csv,
    import_catalogue_json,
    join_list_cell,
    split_list_cell,
)
from cipnet.eservices.models import CardVersion, Category, LifeEvent, Provider, ServiceCard
from cipnet.eservices.tests.fixtures import (
    clear_territories,
    demo_catalogue,
    demo_subset,
    import_territories_for,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English (the source language); the interface default is Ukrainian."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def territories(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The oblasts the demo catalogue names, committed once for the module (tests only read them)."""
    with django_db_blocker.unblock():
        import_territories_for(demo_catalogue())
    yield
    with django_db_blocker.unblock():
        clear_territories()


@pytest.fixture
def demo_data(db: None, territories: None) -> dict[str, Any]:
    return demo_catalogue()


@pytest.fixture
def loaded(demo_data: dict[str, Any]) -> dict[str, Any]:
    """The whole demo catalogue, imported."""
    import_catalogue_json(demo_data)
    return demo_data


@pytest.fixture
def some(demo_data: dict[str, Any]) -> dict[str, Any]:
    """A part of the demo catalogue (every kind of territory reference), imported: for the error paths."""
    data = demo_subset(demo_data)
    import_catalogue_json(data)
    return data


def empty_catalogue(*, keep_terms: bool = False) -> None:
    ServiceCard.objects.all().delete()
    if not keep_terms:
        Provider.objects.all().delete()
        Category.objects.all().delete()
        LifeEvent.objects.all().delete()


def state() -> dict[str, Any]:
    """Everything an import could change."""
    return {
        "export": export_catalogue_json(),
        "versions": list(CardVersion.objects.order_by("pk").values_list("pk", "card_id", "number")),
        "updated": list(ServiceCard.objects.order_by("pk").values_list("pk", "updated_at")),
    }


def _normal(key: str, value: Any) -> Any:
    if key == "channels":
        return [
            {
                "type": c["type"],
                "url": c.get("url") or "",
                "label": (c.get("label") or "").strip(),
                "historical": bool(c.get("historical")),
            }
            for c in value or []
        ]
    if key == "legal_basis":
        return [{"title": item["title"].strip(), "url": item.get("url") or ""} for item in value or []]
    if key in ("categories", "life_events"):
        return sorted(value or [])
    if isinstance(value, list):
        return [item.strip() for item in value if item.strip()]
    if isinstance(value, str):
        return value.strip()
    return value


# --- Round trips --------------------------------------------------------------------------------------


def test_json_import_keeps_every_field_of_the_source(demo_data: dict[str, Any]) -> None:
    report = import_catalogue_json(demo_data)

    assert report.cards.created == len(demo_data["cards"])
    assert report.cards.updated == report.cards.unchanged == 0
    assert report.providers.created == len(demo_data["providers"])
    exported = {card["identifier"]: card for card in export_catalogue_json()["cards"]}
    for source in demo_data["cards"]:
        card = exported[source["identifier"]]
        for key, value in source.items():
            if key == "territory":
                if value and "name" not in value:
                    assert card["territory"] == {"oblast": value["oblast"]}
                elif value:
                    assert card["territory"]["oblast"] == value["oblast"]
                    assert card["territory"]["name"] == value["name"]
                else:
                    assert card["territory"] is None
            else:
                assert _normal(key, card[key]) == _normal(key, value), (source["identifier"], key)
    assert ServiceCard.objects.count() == len(demo_data["cards"])
    assert CardVersion.objects.count() == len(demo_data["cards"])


def test_json_round_trip_through_an_empty_database(loaded: dict[str, Any]) -> None:
    first = export_catalogue_json()
    text = json.dumps(first, ensure_ascii=False)
    empty_catalogue()

    report = import_catalogue_json(text.encode("utf-8"))

    assert report.cards.created == len(first["cards"])
    assert export_catalogue_json() == first


def test_csv_round_trip_through_an_empty_database(loaded: dict[str, Any]) -> None:
    first_json = export_catalogue_json()
    first_csv = export_catalogue_csv()
    assert first_csv.startswith("\ufeff" + ",".join(CSV_COLUMNS) + "\r\n")
    empty_catalogue(keep_terms=True)

    report = import_catalogue_csv(first_csv.encode("utf-8"))

    assert report.cards.created == len(first_json["cards"])
    assert export_catalogue_csv() == first_csv
    assert export_catalogue_json() == first_json


def test_a_second_import_changes_nothing(loaded: dict[str, Any]) -> None:
    before = state()

    again = import_catalogue_json(copy.deepcopy(loaded))
    csv_again = import_catalogue_csv(export_catalogue_csv())

    assert not again.changed
    assert not csv_again.changed
    assert again.cards.unchanged == csv_again.cards.unchanged == len(loaded["cards"])
    assert str(again) == f"Nothing changed: {len(loaded['cards'])} cards are up to date."
    assert state() == before


def test_a_changed_card_gets_one_new_version_and_the_rest_none(some: dict[str, Any]) -> None:
    data = export_catalogue_json()
    data["cards"][0]["name"] = data["cards"][0]["name"] + " (оновлено)"
    data["cards"][0]["keywords"] = [*data["cards"][0]["keywords"], "нове слово"]
    identifier = data["cards"][0]["identifier"]

    report = import_catalogue_json(data, source="test.json")

    assert (report.cards.created, report.cards.updated, report.cards.unchanged) == (0, 1, len(data["cards"]) - 1)
    card = ServiceCard.objects.get(identifier=identifier)
    assert card.name.endswith(" (оновлено)")
    version = card.versions.first()
    assert version is not None
    assert (version.number, version.comment) == (2, "Imported from test.json")
    assert set(version.changed_fields) == {"name", "keywords"}
    assert CardVersion.objects.count() == len(data["cards"]) + 1


def test_csv_without_optional_columns_updates_only_what_it_has(some: dict[str, Any]) -> None:
    card = ServiceCard.objects.order_by("identifier").first()
    assert card is not None
    before = export_catalogue_json()

    report = import_catalogue_csv(f"identifier,popularity\r\n{card.identifier},7\r\n")

    assert (report.cards.updated, report.cards.unchanged) == (1, 0)
    after = export_catalogue_json()
    changed = next(c for c in after["cards"] if c["identifier"] == card.identifier)
    original = next(c for c in before["cards"] if c["identifier"] == card.identifier)
    assert changed == {**original, "popularity": 7}


def test_list_cells_escape_the_separator() -> None:
    items = ["довідка | ОК-5", "шлях C:\\dir", "просто"]
    cell = join_list_cell(items)
    assert cell == "довідка \\| ОК-5 | шлях C:\\\\dir | просто"
    assert split_list_cell(cell) == items
    assert split_list_cell("") == []
    assert split_list_cell(" a |  | b ") == ["a", "b"]


def test_territory_code_wins_over_the_name_and_names_resolve(demo_data: dict[str, Any]) -> None:
    oblast = Territory.objects.filter(level="O").first()
    assert oblast is not None
    city = Territory.objects.filter(level="M", oblast=oblast).first()
    assert city is not None
    base = {
        "identifier": "test-territory",
        "name": "Тест",
        "short_description": "Тест",
        "description": "Тест",
        "kind": "administrative",
        "level": "local",
        "provider": demo_data["providers"][0]["slug"],
    }
    data = {
        "providers": demo_data["providers"],
        "cards": [
            {**base, "territory_code": city.code, "territory": {"oblast": "Ніде"}},
            {**base, "identifier": "by-name", "territory": {"oblast": oblast.name, "name": city.name, "category": "M"}},
            {**base, "identifier": "oblast-wide", "level": "regional", "territory": {"oblast": oblast.name}},
        ],
    }
    import_catalogue_json(data)
    assert ServiceCard.objects.get(identifier="test-territory").territory == city
    assert ServiceCard.objects.get(identifier="by-name").territory == city
    assert ServiceCard.objects.get(identifier="oblast-wide").territory == oblast


# --- Bad files ----------------------------------------------------------------------------------------


def _bad_json(exported: dict[str, Any], change: str) -> tuple[Any, ImportProblem]:
    data = copy.deepcopy(exported)
    cards = data["cards"]
    # A valid change elsewhere in the same file must not be written either.
    cards[-1]["popularity"] = 1 if cards[-1].get("popularity") != 1 else 2
    first = cards[0]["identifier"]
    if change == "kind":
        cards[0]["kind"] = "magic"
        return data, ImportProblem(1, "kind", "Value 'magic' is not a valid choice.", "cards", first)
    if change == "provider":
        cards[1]["provider"] = "no-such-provider"
        return data, ImportProblem(
            2, "provider", "Unknown provider “no-such-provider”.", "cards", cards[1]["identifier"]
        )
    if change == "name":
        del cards[0]["name"]
        ServiceCard.objects.filter(identifier=first).delete()  # a new card: the name is required
        return data, ImportProblem(1, "name", "This field cannot be blank.", "cards", first)
    if change == "duplicate":
        cards.append(copy.deepcopy(cards[0]))
        return data, ImportProblem(
            len(cards),
            "identifier",
            f"The identifier “{first}” is used more than once (first at 1).",
            "cards",
            first,
        )
    if change == "territory":
        cards[0]["level"] = "local"
        cards[0]["territory"] = {"oblast": "Миколаївська", "name": "Атлантида", "category": "M"}
        cards[0].pop("territory_code", None)
        return data, ImportProblem(
            1,
            "territory",
            "No territory “Атлантида, M, Миколаївська” in the KATOTTG codifier (is it imported?).",
            "cards",
            first,
        )
    if change == "channel":
        cards[0]["channels"] = [{"type": "pigeon", "url": "not a link"}]
        return data, ImportProblem(
            1,
            "channels",
            "Item 1: unknown channel type “pigeon” (use one of: website, mobile_app, in_person, phone).",
            "cards",
            first,
        )
    if change == "malformed":
        return json.dumps(data, ensure_ascii=False)[:-20].encode(), ImportProblem(
            0, "", "The file is not valid JSON: Expecting ',' delimiter at line 1, column ", "file"
        )
    if change == "not-utf8":
        return json.dumps(data, ensure_ascii=False).encode("cp1251", errors="replace"), ImportProblem(
            0, "", "The file is not UTF-8 text (bad byte at position ", "file"
        )
    raise AssertionError(change)


@pytest.mark.parametrize(
    "change", ["kind", "provider", "name", "duplicate", "territory", "channel", "malformed", "not-utf8"]
)
def test_a_bad_json_file_imports_nothing_and_says_where(some: dict[str, Any], change: str) -> None:
    data, expected = _bad_json(export_catalogue_json(), change)
    before = state()

    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_json(data)

    problems = caught.value.errors
    if expected.row == 0:
        assert len(problems) == 1
        assert problems[0].row == 0
        assert problems[0].reason.startswith(expected.reason)
    else:
        assert expected in problems, problems
    assert caught.value.message.endswith("nothing was imported.")
    assert state() == before


def test_every_problem_is_reported_at_once(some: dict[str, Any]) -> None:
    data = export_catalogue_json()
    data["cards"][0]["kind"] = "magic"
    data["cards"][1]["provider"] = "nobody"
    data["cards"][2]["popularity"] = 500
    data["cards"][2]["verified_on"] = "вчора"

    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_json(data)

    where = [(p.row, p.field) for p in caught.value.errors]
    assert where == [(1, "kind"), (2, "provider"), (3, "verified_on"), (3, "popularity")]
    assert (
        str(caught.value.errors[1])
        == f"Card #2 ({data['cards'][1]['identifier']}), provider: Unknown provider “nobody”."
    )


def _csv_with(text: str, row: int, column: str, value: str) -> str:
    import csv

    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    rows[row - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("column", "value", "field", "reason"),
    [
        ("kind", "magic", "kind", "Value 'magic' is not a valid choice."),
        ("provider", "nobody", "provider", "Unknown provider “nobody”."),
        ("channels", "[{broken", "channels", "Not valid JSON (Expecting property name enclosed in double quotes)"),
        ("categories", "{category} | no-such-category", "categories", "Unknown: no-such-category."),
        ("verified_on", "31.12.2026", "verified_on", "Expected a date as YYYY-MM-DD."),
    ],
)
def test_a_bad_csv_row_imports_nothing_and_names_row_and_column(
    some: dict[str, Any], column: str, value: str, field: str, reason: str
) -> None:
    category = Category.objects.order_by("slug").first()
    assert category is not None
    text = _csv_with(export_catalogue_csv(), 3, column, value.replace("{category}", category.slug))
    text = _csv_with(text, 2, "popularity", "3")  # a valid change that must not be written
    before = state()

    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_csv(text)

    problems = [p for p in caught.value.errors if p.field == field]
    assert len(problems) == 1, caught.value.errors
    assert (problems[0].section, problems[0].row) == ("csv", 3)
    assert problems[0].reason.startswith(reason)
    assert str(problems[0]).startswith(f"Row 3 ({problems[0].identifier}), {field}: ")
    assert state() == before


def test_csv_with_a_missing_name_for_a_new_card(some: dict[str, Any]) -> None:
    provider = Provider.objects.first()
    assert provider is not None
    text = (
        "identifier,name,short_description,description,kind,provider\r\n"
        f"brand-new,,Коротко,Докладно,administrative,{provider.slug}\r\n"
    )
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_csv(text)
    assert caught.value.errors == [ImportProblem(2, "name", "This field cannot be blank.", "csv", "brand-new")]
    assert not ServiceCard.objects.filter(identifier="brand-new").exists()


def test_csv_with_a_duplicate_identifier(some: dict[str, Any]) -> None:
    text = export_catalogue_csv()
    lines = text.split("\r\n")
    before = state()
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_csv("\r\n".join([*lines[:2], lines[1], *lines[2:]]))
    duplicate = [p for p in caught.value.errors if p.field == "identifier"]
    assert [(p.row, p.section) for p in duplicate] == [(3, "csv")]
    assert "is used more than once (first at 2)" in duplicate[0].reason
    assert state() == before


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("identifier,nmae,kind", "Unknown columns in the header row: nmae."),
        ("name,kind", "The header row has no “identifier” column."),
        ("identifier,name,name", "Columns named more than once: name."),
    ],
)
def test_a_wrong_csv_header_imports_nothing(some: dict[str, Any], header: str, reason: str) -> None:
    before = state()
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_csv(f"{header}\r\npfu-e-services,Назва,administrative\r\n")
    assert [(p.row, p.field) for p in caught.value.errors] == [(0, "header")]
    assert caught.value.errors[0].reason.startswith(reason)
    assert state() == before


def test_csv_that_is_not_utf8_imports_nothing(some: dict[str, Any]) -> None:
    before = state()
    text = export_catalogue_csv().removeprefix("\ufeff")
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_csv(text.encode("cp1251", errors="replace"))
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].row == 0
    assert "not UTF-8" in caught.value.errors[0].reason
    assert state() == before


def test_a_row_with_the_wrong_number_of_cells(some: dict[str, Any]) -> None:
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_csv("identifier,popularity\r\npfu-e-services,1,extra\r\n")
    assert caught.value.errors == [ImportProblem(3 - 1, "", "The row has 3 cells; the header has 2.", "csv")]


def test_an_import_needs_a_catalogue_editor(some: dict[str, Any]) -> None:
    resident = User.objects.create_user(username="resident", password="x-correct-horse")
    before = state()
    with pytest.raises(NotFoundOrNotAllowed):
        import_catalogue_json(export_catalogue_json(), actor=resident)
    assert state() == before


def test_import_goes_through_the_services(some: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_update = services.card_update

    def spy(**kwargs: Any) -> ServiceCard:
        calls.append(kwargs["card"].identifier)
        return real_update(**kwargs)

    monkeypatch.setattr(services, "card_update", spy)
    data = export_catalogue_json()
    data["cards"][1]["popularity"] = (data["cards"][1]["popularity"] + 1) % 100
    import_catalogue_json(data)
    assert calls == [data["cards"][1]["identifier"]]


# --- Commands -----------------------------------------------------------------------------------------


def test_load_catalogue_twice_prints_nothing_changed(demo_data: dict[str, Any], tmp_path: Path) -> None:
    demo_data = demo_subset(demo_data)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(demo_data, ensure_ascii=False), encoding="utf-8")
    first, second = io.StringIO(), io.StringIO()

    call_command("load_catalogue", "--file", str(path), stdout=first)
    call_command("load_catalogue", "--file", str(path), stdout=second)

    assert f"Cards: {len(demo_data['cards'])} created, 0 updated, 0 unchanged." in first.getvalue()
    assert second.getvalue().strip() == f"Nothing changed: {len(demo_data['cards'])} cards are up to date."


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_commands(some: dict[str, Any], tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"catalogue.{fmt}"
    call_command("export_catalogue", str(path), stderr=io.StringIO())
    exported = export_catalogue_json()
    empty_catalogue(keep_terms=fmt == "csv")
    out = io.StringIO()

    call_command("import_catalogue", str(path), stdout=out)

    assert f"Cards: {len(exported['cards'])} created" in out.getvalue()
    assert export_catalogue_json() == exported
    if fmt == "csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbfidentifier,name,")


@pytest.mark.parametrize(("fmt", "start"), [("jsonld", '{\n  "@context"'), ("ttl", "@prefix adms:")])
def test_export_command_writes_cpsv(some: dict[str, Any], tmp_path: Path, fmt: str, start: str) -> None:
    path = tmp_path / f"catalogue.{fmt}"
    call_command("export_catalogue", str(path), "--base-url", "https://cip.example.org", stderr=io.StringIO())
    text = path.read_text(encoding="utf-8")
    assert text.startswith(start)
    assert "https://cip.example.org/services/" in text


def test_import_command_lists_every_problem(some: dict[str, Any], tmp_path: Path) -> None:
    data = export_catalogue_json()
    data["cards"][0]["kind"] = "magic"
    data["cards"][1]["provider"] = "nobody"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 errors; nothing was imported"):
        call_command("import_catalogue", str(path), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert lines == [
        f"Card #1 ({data['cards'][0]['identifier']}), kind: Value 'magic' is not a valid choice.",
        f"Card #2 ({data['cards'][1]['identifier']}), provider: Unknown provider “nobody”.",
    ]


def test_import_command_needs_a_known_format(db: None, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.xlsx"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="give --format"):
        call_command("import_catalogue", str(path))


# --- Hostile files: NUL characters, deep nesting (regressions: a 500 on PostgreSQL, a RecursionError) ---


def test_a_nul_in_a_card_name_imports_nothing_and_says_where(some: dict[str, Any]) -> None:
    data = export_catalogue_json()
    data["cards"][1]["name"] = "Довідка\x00про доходи"
    data["cards"][2]["keywords"] = ["пенсія", "ok\x00"]
    before = state()
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_json(json.dumps(data, ensure_ascii=False).encode())
    nul = "Contains a NUL character, which text cannot hold; remove it."
    assert ImportProblem(2, "name", nul, "cards", data["cards"][1]["identifier"]) in caught.value.errors
    assert ImportProblem(3, "keywords", nul, "cards", data["cards"][2]["identifier"]) in caught.value.errors
    assert state() == before


def test_a_nul_in_a_csv_cell_imports_nothing_and_names_row_and_column(some: dict[str, Any]) -> None:
    text = _csv_with(export_catalogue_csv(), 3, "name", "Назва\x00")
    before = state()
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_csv(text)
    assert [(p.row, p.field, p.section) for p in caught.value.errors] == [(3, "name", "csv")]
    assert "NUL" in caught.value.errors[0].reason
    assert state() == before


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_refused_with_a_message(some: dict[str, Any], depth: int) -> None:
    nested = "[" * depth + "]" * depth
    text = '{"cards": [{"identifier": "x", "channels": ' + nested + "}]}"
    before = state()
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_json(text.encode())
    assert [(p.row, p.section) for p in caught.value.errors] == [(0, "file")]
    assert caught.value.errors[0].reason.startswith("The file nests lists and objects too deeply")
    assert state() == before


def test_deeply_nested_json_in_a_csv_cell_is_refused(some: dict[str, Any]) -> None:
    text = _csv_with(export_catalogue_csv(), 2, "channels", "[" * 50_000 + "]" * 50_000)
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue_csv(text)
    assert [(p.row, p.field) for p in caught.value.errors] == [(2, "channels")]
    assert "too deeply" in caught.value.errors[0].reason
