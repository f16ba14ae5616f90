"""The demonstration programmes (`make run`) show the seeds' own figures (issue 16, "Done when")."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from cipnet.appeals import demo as appeals_demo
from cipnet.appeals.models import Appeal, Publication
from cipnet.consultations.models import Consultation
from cipnet.consultations.rollups import rebuild
from cipnet.directory.katottg import Row, territory_import
from cipnet.directory.models import Centre
from cipnet.directory.tests.conftest import katottg_lines  # noqa: F401 - a fixture
from cipnet.directory.tests.test_demo import demo_territory_rows  # noqa: F401 - a fixture
from cipnet.reporting import selectors as reporting_selectors
from cipnet.results import demo
from cipnet.results.figures import figure
from cipnet.results.models import Indicator, Programme
from cipnet.results.sources import Scope


@pytest.fixture
def loaded(db: None, demo_territory_rows: list[Row]) -> None:  # noqa: F811
    territory_import(source=demo_territory_rows)
    with translation.override("en"):
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    appeals_demo.load()
    assert demo.load() == {"programmes": 2}


def _indicator(code: str) -> Indicator:
    return Indicator.objects.select_related("result__programme").get(code=code)


def test_r3_is_800_of_800_with_every_centre_at_40(loaded: None) -> None:
    r3 = _indicator("R3.2")
    network = figure(r3, scope=Scope(), start=demo.SERVICES_FROM, end=demo.SERVICES_TO)
    assert (network.actual, network.target, network.percent_of_target) == (800, 800, 100)
    programme = r3.result.programme
    assert programme.centres.count() == 20
    for centre in programme.centres.all():
        one = figure(r3, scope=Scope(centre_id=centre.pk), start=demo.SERVICES_FROM, end=demo.SERVICES_TO)
        assert (one.actual, one.target, one.light) == (40, 40, "green"), centre.slug


def test_one_centre_at_30_makes_790_and_turns_red(loaded: None) -> None:
    r3 = _indicator("R3.2")
    centre = Centre.objects.get(slug="dubno")
    rows = Consultation.objects.filter(centre=centre, day__range=(demo.SERVICES_FROM, demo.SERVICES_TO))
    Consultation.objects.filter(pk__in=list(rows.order_by("-pk").values_list("pk", flat=True)[:10])).delete()
    rebuild(centre_ids=[centre.pk], start=demo.SERVICES_FROM, end=demo.SERVICES_TO)
    network = figure(r3, scope=Scope(), start=demo.SERVICES_FROM, end=demo.SERVICES_TO)
    assert (network.actual, network.percent_of_target) == (790, Decimal("98.75"))
    short = figure(r3, scope=Scope(centre_id=centre.pk), start=demo.SERVICES_FROM, end=demo.SERVICES_TO)
    assert (short.actual, short.light) == (30, "red")
    assert rows.count() == 30


def test_seed_004_figures(loaded: None) -> None:
    programme = Programme.objects.get(code="mykolaiv-cog-2012")
    start, end = programme.starts_on, programme.ends_on

    def actual(code: str) -> Decimal | None:
        return figure(_indicator(code), scope=Scope(), start=start, end=end).actual

    assert actual("C1") == 2025  # "more than 2,000 people"
    assert actual("C2") == 1607
    share = figure(_indicator("C3"), scope=Scope(), start=start, end=end)
    assert (share.numerator.total, share.denominator.total, share.actual) == (32, 124, Decimal("25.8"))  # type: ignore[union-attr]
    assert actual("L1") == 340 and actual("L4") == 4000
    assert not Appeal.objects.filter(centre__isnull=False, publication=Publication.PUBLISHED, answered_at__year=2012)


def test_manual_figures_carry_their_evidence_and_the_demo_loads_once(loaded: None) -> None:
    brochures = _indicator("R8.1")
    row = brochures.manual_values.get()
    assert row.value == 500 and row.evidence_note
    assert demo.load() == {"programmes": 0}
    programme = Programme.objects.get(code="cip-2014")
    assert [r.code for r in programme.results.filter(parent__isnull=False)] == [f"R{n}" for n in range(1, 9)]
    assert figure(_indicator("R1.1"), scope=Scope(), start=programme.starts_on, end=programme.ends_on).actual == 20
    assert figure(_indicator("R1.2"), scope=Scope(), start=programme.starts_on, end=programme.ends_on).actual == 4


def test_the_demo_months_are_approved_and_november_on_its_way(loaded: None) -> None:
    programme = Programme.objects.get(code="cip-2014")
    sep, octo, nov = reporting_selectors.completeness(
        centres=programme.centres.all(), months=[dt.date(2014, 9, 1), dt.date(2014, 10, 1), dt.date(2014, 11, 1)]
    )
    assert (sep.submitted, sep.on_time, sep.approved, octo.approved) == (20, 20, 20, 20)
    assert (nov.centres, nov.submitted, nov.on_time, nov.region_approved, nov.approved) == (20, 17, 15, 8, 0)
