"""A public programme's open data: the suppressed table, its files, their metadata (Frictionless and
DCAT-AP, validated), and none of it for a programme not made public."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from frictionless import Package, Resource, Schema
from pyshacl import validate
from rdflib import Graph

from cipnet.consultations import demo as consultation_demo
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.results import opendata, selectors
from cipnet.results.disclosure import SMALL, determined_cells
from cipnet.results.figures import figure
from cipnet.results.models import Indicator, Programme
from cipnet.results.sources import Scope
from cipnet.results.tests.conftest import START
from cipnet.testing import World

SHAPES = Path(__file__).parent / "fixtures" / "dcat-ap"
FILES = ["data_csv", "data_json", "datapackage", "dcat_ttl", "dcat_jsonld"]
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def _public(indicator: Indicator) -> Programme:
    programme = indicator.result.programme
    Programme.objects.filter(pk=programme.pk).update(is_public=True)
    programme.refresh_from_db()
    return programme


def _get(name: str, code: str = "cip-2014") -> Any:
    return Client().get(reverse(f"results_public:{name}", args=[code]))


def _rows(programme: Programme) -> list[dict[str, Any]]:
    return [r.as_dict() for r in opendata.table(programme)]


def test_the_table_shows_no_small_count_and_hides_nothing_it_can_give_away(world: World, r3: Indicator) -> None:
    programme = _public(r3)
    cells, relations, rows = opendata.table_for_checks(programme)
    shown = [r for r in rows if not r.suppressed]
    assert shown and any(r.suppressed for r in rows)
    assert not [r for r in shown if r.count is not None and 1 <= r.count <= SMALL]
    shown_keys = set(_shown_keys(rows))
    hidden = {key for key in cells if key not in shown_keys and key[-1] == "count"}
    assert len(hidden) == sum(1 for r in rows if r.suppressed)
    assert not determined_cells(relations, hidden)
    for relation in relations:  # every declared relation is true of the computed figures
        assert cells[relation.whole] == sum(cells[p] for p in relation.parts), relation


def _shown_keys(rows: list[opendata.Row]) -> list[tuple[Any, ...]]:
    """The cells the published rows show (a count indicator's), named as the table's builder names them."""
    pks = dict(Indicator.objects.values_list("code", "pk"))
    return [
        (pks[r.indicator], r.period, r.place.kind, r.place.code, r.dimension, r.category, "count")
        for r in rows
        if not r.suppressed
    ]


def test_the_network_total_is_the_dashboards_and_months_add_up_to_it(world: World, r3: Indicator) -> None:
    programme = _public(r3)
    rows = _rows(programme)
    network = [r for r in rows if r["scope"] == "network" and r["dimension"] == "total"]
    whole = next(r for r in network if r["period_type"] == "programme")
    dashboard = figure(r3, scope=Scope(), start=programme.starts_on, end=programme.ends_on)
    assert whole["count"] == dashboard.actual == 80
    months = [r for r in network if r["period_type"] == "month"]
    assert [r["period_start"] for r in months][:2] == ["2014-03-01", "2014-04-01"]
    assert months[-1]["period_end"] == "2014-11-30" and len(months) == 9
    assert sum(r["count"] for r in months if r["period_start"] < START.isoformat()) == 0
    wholes = [r for r in rows if r["period_type"] == "programme" and r["dimension"] == "total"]
    centres = [r for r in wholes if r["scope"] == "centre"]
    assert sorted((r["scope_code"], r["count"]) for r in centres) == sorted(
        (c.slug, 40) for c in (world.centre_a, world.centre_b)
    )
    region = next(r for r in rows if r["scope"] == "region" and r["period_type"] == "programme")
    assert region["scope_code"] == world.centre_a.region.territory.code or region["scope_code"] == (
        world.centre_b.region.territory.code
    )


def test_a_small_centre_is_suppressed_with_its_complement(world: World, r3: Indicator) -> None:
    programme = _public(r3)
    Indicator.objects.filter(pk=r3.pk).update(disaggregations=[])
    may_start, may_end = START.replace(month=5), START.replace(month=5, day=31)
    consultation_demo.load_exactly(centres=[world.centre_a], start=may_start, end=may_end, per_centre=3, seed=2)
    rows = _rows(programme)
    may = [r for r in rows if r["period_start"] == "2014-05-01" and r["dimension"] == "total"]
    small = next(r for r in may if r["scope_code"] == world.centre_a.slug)
    assert (small["count"], small["suppressed"]) == (None, True)
    network = next(r for r in may if r["scope"] == "network")
    assert network["suppressed"] is True  # 3 in the network too: as small
    whole = [r for r in rows if r["period_type"] == "programme" and r["dimension"] == "total"]
    centre_a = next(r for r in whole if r["scope_code"] == world.centre_a.slug)
    assert centre_a["suppressed"] or any(
        r["suppressed"] for r in rows if r["scope_code"] == world.centre_a.slug and r["period_type"] == "month"
        and r["period_start"] != "2014-05-01" and r["dimension"] == "total"
    )  # fmt: skip


def test_the_files_validate_as_a_frictionless_package(world: World, r3: Indicator, tmp_path: Path) -> None:
    programme = _public(r3)
    csv_response = _get("data_csv")
    assert csv_response.status_code == 200 and csv_response["Content-Type"] == "text/csv; charset=utf-8"
    text = csv_response.content.decode("utf-8")
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header == opendata.COLUMNS
    assert len(lines) == len(_rows(programme))
    descriptor = json.loads(_get("datapackage").content)
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    resource = descriptor["resources"][0]
    assert resource["path"] == "http://testserver" + reverse("results_public:data_csv", args=[programme.code])
    (tmp_path / "results.csv").write_text(text, encoding="utf-8")
    resource["path"] = "results.csv"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    package = Package(str(tmp_path / "datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["type", "note"])
    assert report.tasks[0].stats["rows"] == len(lines)
    bad = text.replace("\r\n", "\r\n", 1).splitlines()
    bad[1] = bad[1].replace(",false", ",maybe", 1)
    (tmp_path / "bad.csv").write_text("\r\n".join(bad), encoding="utf-8")
    broken = Resource(str(tmp_path / "bad.csv"), schema=Schema.from_descriptor(resource["schema"]))
    assert not broken.validate().valid  # the schema does check the rows


def test_the_json_has_the_same_rows(world: World, r3: Indicator) -> None:
    programme = _public(r3)
    body = json.loads(_get("data_json").content)
    assert body == {"programme": "cip-2014", "rows": json.loads(json.dumps(_rows(programme)))}


@pytest.mark.parametrize(("name", "fmt"), [("dcat_ttl", "turtle"), ("dcat_jsonld", "json-ld")])
def test_the_dcat_ap_metadata_conforms(world: World, r3: Indicator, name: str, fmt: str) -> None:
    _public(r3)
    response = _get(name)
    assert response.status_code == 200
    graph = Graph().parse(data=response.content.decode(), format=fmt)
    shapes = Graph().parse(SHAPES / "dcat-ap-3.0.0-SHACL.ttl", format="turtle")
    shapes.parse(SHAPES / "dcat-ap-3.0.0-range.ttl", format="turtle")
    conforms, _graph, text = validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, text
    downloads = {str(o) for o in graph.objects(None, graph.namespace_manager.expand_curie("dcat:downloadURL"))}
    assert downloads == {
        f"http://testserver{reverse(f'results_public:{n}', args=['cip-2014'])}"
        for n in ("data_csv", "data_json", "datapackage")
    }


def test_a_programme_not_made_public_has_no_open_data(world: World, r3: Indicator) -> None:
    for name in ["data", *FILES]:
        assert _get(name).status_code == 404, name
        assert _get(name, "no-such").status_code == 404, name
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.open_data_rows(r3.result.programme)


def test_the_open_data_page_explains_suppression(world: World, r3: Indicator) -> None:
    _public(r3)
    page = Client().get(reverse("results_public:data", args=["cip-2014"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<h2 id="open-data-heading">Відкриті дані</h2>' in html
    assert "Число від 1 до 4 ніколи не показуємо" in html
    for name in FILES:
        assert reverse(f"results_public:{name}", args=["cip-2014"]) in html
    public = Client().get(reverse("results_public:public", args=["cip-2014"])).content.decode()
    assert 'id="open-data"' in public and reverse("results_public:data", args=["cip-2014"]) in public
