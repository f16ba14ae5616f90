"""/api/v1/results/: public programmes, one with its logframe, and its suppressed figures, paged;
400 naming the field for bad parameters, 404 for a programme not made public."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cipnet.results import opendata
from cipnet.results.models import Indicator, Programme
from cipnet.testing import World


def _public(indicator: Indicator) -> Programme:
    Programme.objects.filter(pk=indicator.result.programme_id).update(is_public=True)
    return Programme.objects.get(pk=indicator.result.programme_id)


def _get(name: str, *args: str, **params: Any) -> Any:
    return Client().get(reverse(f"api:{name}", args=args), params, HTTP_ACCEPT_LANGUAGE="en")


def test_the_list_holds_public_programmes_only(world: World, r3: Indicator) -> None:
    assert _get("results-programme-list").json()["results"] == []
    _public(r3)
    body = _get("results-programme-list").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert (item["code"], item["starts_on"], item["ends_on"]) == ("cip-2014", "2014-03-01", "2014-11-30")
    assert item["url"] == "http://testserver/api/v1/results/programmes/cip-2014/"
    assert item["page"] == "http://testserver/en/results/cip-2014/"  # the page in the language asked


def test_one_programme_with_its_logframe_and_links(world: World, r3: Indicator) -> None:
    _public(r3)
    body = _get("results-programme-detail", "cip-2014").json()
    assert [(r["code"], r["level"], r["part_of"]) for r in body["results"]] == [("R3", "output", None)]
    indicator = body["results"][0]["indicators"][0]
    assert (indicator["code"], indicator["target"], indicator["computed"]) == ("R3.1", "80.00", True)
    assert body["figures"] == "http://testserver/api/v1/results/programmes/cip-2014/figures/"
    assert body["data"]["csv"] == "http://testserver/en/results/cip-2014/data/results.csv"
    assert set(body["data"]) == {"csv", "json", "datapackage", "dcat_turtle", "dcat_jsonld"}


def test_figures_are_the_suppressed_table_paged_and_filtered(world: World, r3: Indicator) -> None:
    programme = _public(r3)
    rows = [r.as_dict() for r in opendata.table(programme)]
    first = _get("results-programme-figures", "cip-2014", page_size=50).json()
    assert first["count"] == len(rows) and len(first["results"]) == 50
    assert first["results"][0]["indicator"] == "R3.1"
    assert [r["count"] for r in first["results"]] == [r["count"] for r in rows[:50]]
    total = _get(
        "results-programme-figures", "cip-2014", scope="network", period_type="programme", dimension="total"
    ).json()
    assert [(r["count"], r["suppressed"]) for r in total["results"]] == [(80, False)]
    suppressed = [r for r in rows if r["suppressed"]]
    assert suppressed and all(r["count"] is None for r in suppressed)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"scope": "planet"}, "scope"),
        ({"period_type": "week"}, "period_type"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"colour": "red"}, "colour"),
        ({"lang": "xx"}, "lang"),
    ],
)
def test_bad_parameters_are_named(world: World, r3: Indicator, params: dict[str, str], field: str) -> None:
    _public(r3)
    response = _get("results-programme-figures", "cip-2014", **params)
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid" and list(body["fields"]) == [field]


def test_a_page_past_the_end_is_a_404(world: World, r3: Indicator) -> None:
    _public(r3)
    response = _get("results-programme-figures", "cip-2014", page="999")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_programme_not_made_public_is_a_404_on_every_route(world: World, r3: Indicator) -> None:
    for name in ("results-programme-detail", "results-programme-figures"):
        for code in ("cip-2014", "no-such"):
            response = _get(name, code)
            assert response.status_code == 404, (name, code)
            assert response.json()["error"]["code"] == "not_found"
    assert _get("results-programme-list").json()["count"] == 0
