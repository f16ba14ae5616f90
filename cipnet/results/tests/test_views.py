"""The results pages: who sees which programme and scope, the dashboard, an indicator's figures by
centre with the rows behind them, bad input, and the public page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cipnet.consultations.models import Consultation
from cipnet.consultations.rollups import rebuild
from cipnet.results import services
from cipnet.results.models import Indicator, Programme
from cipnet.results.sources import Scope
from cipnet.results.tests.conftest import END, START
from cipnet.testing import World, make_user

PERIOD = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}


def client_for(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def test_the_network_sees_the_dashboard_with_every_scope(world: World, r3: Indicator) -> None:
    page = client_for(world, "admin").get(reverse("results:programme", args=["cip-2014"]), PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "R3.1" in html and "Надано послуг" in html
    keys = [key for key, _label in page.context["form"].fields["scope"].choices]
    assert keys == [
        "network",
        f"region-{world.region_b.pk}",  # Львівська, then Миколаївська
        f"region-{world.region_a.pk}",
        f"centre-{world.centre_b.pk}",
        f"centre-{world.centre_a.pk}",
    ]
    (row,) = [r for r in page.context["rows"] if r.figures]
    assert (row.figures[0].actual, row.figures[0].target, row.figures[0].light) == (80, 80, "green")


def test_a_regional_coordinator_sees_their_region_only(world: World, r3: Indicator) -> None:
    client = client_for(world, "coordinator_a")
    url = reverse("results:programme", args=["cip-2014"])
    page = client.get(url, PERIOD)
    assert page.status_code == 200
    keys = {key for key, _label in page.context["form"].fields["scope"].choices}
    assert keys == {f"region-{world.region_a.pk}", f"centre-{world.centre_a.pk}"}
    (row,) = [r for r in page.context["rows"] if r.figures]
    assert row.figures[0].actual == 40  # the region's, not the network's
    assert client.get(url, {**PERIOD, "scope": "network"}).status_code == 404
    assert client.get(url, {**PERIOD, "scope": f"centre-{world.centre_b.pk}"}).status_code == 404


def test_staff_of_a_centre_outside_the_programme_do_not_see_it(world: World, r3: Indicator) -> None:
    programme = r3.result.programme
    programme.centres.set([world.centre_a])
    client = client_for(world, "manager_b")
    assert client.get(reverse("results:programme", args=["cip-2014"])).status_code == 404
    assert not client.get(reverse("results:list")).context["programmes"]
    assert client_for(world, "manager_a").get(reverse("results:list")).context["programmes"][0] == programme
    assert Client().get(reverse("results:list")).status_code == 302  # sign in first
    nobody = Client()
    nobody.force_login(make_user("visitor"))
    assert nobody.get(reverse("results:list")).status_code == 404


def test_a_centre_short_of_its_target_is_red_with_exactly_its_rows(world: World, r3: Indicator) -> None:
    rows = Consultation.objects.filter(centre=world.centre_b).order_by("pk")
    Consultation.objects.filter(pk__in=list(rows.values_list("pk", flat=True)[:10])).delete()
    rebuild(centre_ids=[world.centre_b.pk], start=START, end=END)
    client = client_for(world, "admin")
    page = client.get(reverse("results:indicator", args=["cip-2014", "R3.1"]), PERIOD)
    assert page.status_code == 200
    by_centre = {choice.scope.centre_id: (f, link) for choice, f, link in page.context["centres"]}
    short, link = by_centre[world.centre_b.pk]
    assert (short.actual, short.light) == (30, "red")
    assert "tag--bad" in page.content.decode()
    entries = client.get(link)
    assert entries.status_code == 200 and entries.context["page"].paginator.count == 30
    totals = {dimension: sum(r.count for r in rows) for dimension, _label, rows in page.context["breakdowns"]}
    assert totals and set(totals.values()) == {70}


def test_completed_e_services_link_to_the_narrowed_entries(world: World, r3: Indicator) -> None:
    indicator = services.indicator_add(
        actor=None, result=r3.result, code="R3.2", title="Е-послуги", source="eservices_completed"
    )
    client = client_for(world, "admin")
    page = client.get(
        reverse("results:indicator", args=["cip-2014", "R3.2"]), {**PERIOD, "scope": f"centre-{world.centre_a.pk}"}
    )
    link = page.context["rows_link"]
    assert "help_kind=eservice" in link and "outcome=completed" in link
    entries = client.get(link)
    expected = Consultation.objects.filter(
        centre=world.centre_a, help_kind="eservice", outcome="completed", day__range=(START, END)
    ).count()
    assert entries.context["page"].paginator.count == expected == page.context["fig"].actual
    assert "Тільки записи з" in entries.content.decode() or "Only entries with" in entries.content.decode()
    assert indicator.code == "R3.2"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "custom", "start": "2014-11-30", "end": "2014-09-01"}, "The first day is after the last day."),
        ({"period": "custom", "start": "2014-09-01"}, "Give both the first and the last day."),
        ({"period": "2030-01-01_2030-02-01"}, "Select a valid choice."),
        ({"period": "custom", "start": "not a date", "end": "2014-10-01"}, "Enter a valid date."),
    ],
)
def test_bad_dates_are_explained_and_the_page_still_shows(
    world: World, r3: Indicator, query: dict[str, str], message: str
) -> None:
    with translation.override("en"):
        url = reverse("results:programme", args=["cip-2014"])
    page = client_for(world, "admin").get(url, query)
    assert page.status_code == 200
    assert message in page.content.decode().replace("&#x27;", "'")
    assert (page.context["start"], page.context["end"]) == (dt.date(2014, 3, 1), END)  # the whole programme
    assert next(r for r in page.context["rows"] if r.figures).figures[0].actual == 80


def test_the_public_page_shows_progress_without_staff_links(world: World, r3: Indicator) -> None:
    services.target_set(actor=None, indicator=r3, scope=Scope(), starts_on=dt.date(2014, 3, 1), ends_on=END, value=80)
    url = reverse("results_public:public", args=["cip-2014"])
    assert Client().get(url).status_code == 404  # a programme is not public until made so
    with translation.override("uk"):
        staff_page = client_for(world, "admin").get(reverse("results:programme", args=["cip-2014"]))
    assert "Ці результати не показано публічно." in staff_page.content.decode()
    assert url not in staff_page.content.decode()
    Programme.objects.filter(code="cip-2014").update(is_public=True)
    page = Client().get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "R3.1" in html and "/staff/" not in html.split("<main", 1)[1]
    assert Client().get(reverse("results_public:public", args=["no-such"])).status_code == 404


def test_figures_by_centre_follow_the_chosen_region(world: World, r3: Indicator) -> None:
    page = client_for(world, "admin").get(
        reverse("results:indicator", args=["cip-2014", "R3.1"]), {**PERIOD, "scope": f"region-{world.region_a.pk}"}
    )
    assert [choice.scope.centre_id for choice, _f, _link in page.context["centres"]] == [world.centre_a.pk]


def test_a_large_programme_is_read_by_region_and_a_centre_by_its_address(
    world: World, r3: Indicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cipnet.results import selectors

    monkeypatch.setattr(selectors, "MAX_LISTED_CENTRES", 1)
    admin = client_for(world, "admin")
    with translation.override("uk"):
        page = admin.get(reverse("results:indicator", args=["cip-2014", "R3.1"]), PERIOD)
    keys = [key for key, _label in page.context["form"].fields["scope"].choices]
    assert not [k for k in keys if k.startswith("centre-")]
    assert page.context["too_many_centres"] and not page.context["centres"]
    assert "2 центри — занадто багато, щоб показати тут." in page.content.decode()
    one = admin.get(
        reverse("results:indicator", args=["cip-2014", "R3.1"]), {**PERIOD, "scope": f"centre-{world.centre_b.pk}"}
    )
    assert one.status_code == 200 and one.context["fig"].actual == 40
    assert not one.context["form"].errors and one.context["start"] == START  # the chosen period kept
    coordinator = client_for(world, "coordinator_a")
    outside = {**PERIOD, "scope": f"centre-{world.centre_b.pk}"}
    assert coordinator.get(reverse("results:programme", args=["cip-2014"]), outside).status_code == 404
