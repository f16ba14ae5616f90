"""The rules of an indicator's figures (cipnet.results.figures): computed actuals, targets by scope,
pro-rating, traffic lights, and the seed 000 acceptance case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cipnet.consultations.models import Consultation
from cipnet.consultations.rollups import rebuild
from cipnet.results import services
from cipnet.results.figures import figure, target_for
from cipnet.results.models import Aggregation, Indicator, Level, Measure
from cipnet.results.sources import Scope
from cipnet.results.tests.conftest import END, START, make_indicator, make_programme
from cipnet.testing import World


def test_every_centre_at_target_and_the_network_adds_up(world: World, r3: Indicator) -> None:
    network = figure(r3, scope=Scope(), start=START, end=END)
    assert (network.actual, network.target, network.percent_of_target, network.light) == (80, 80, 100, "green")
    for centre in (world.centre_a, world.centre_b):
        one = figure(r3, scope=Scope(centre_id=centre.pk), start=START, end=END)
        assert (one.actual, one.target, one.light) == (40, 40, "green")
    by_region = figure(r3, scope=Scope(region_id=world.region_a.pk), start=START, end=END)
    assert (by_region.actual, by_region.target) == (40, 40)


def test_one_centre_short_turns_red_and_the_network_shows_it(world: World, r3: Indicator) -> None:
    ten = Consultation.objects.filter(centre=world.centre_b).order_by("pk")[:10]
    Consultation.objects.filter(pk__in=list(ten.values_list("pk", flat=True))).delete()
    rebuild(centre_ids=[world.centre_b.pk], start=START, end=END)
    network = figure(r3, scope=Scope(), start=START, end=END)
    assert (network.actual, network.percent_of_target, network.light) == (70, Decimal("87.50"), "amber")
    short = figure(r3, scope=Scope(centre_id=world.centre_b.pk), start=START, end=END)
    assert (short.actual, short.percent_of_target, short.light) == (30, 75, "red")


def test_breakdowns_add_up_to_the_total(world: World, r3: Indicator) -> None:
    network = figure(r3, scope=Scope(), start=START, end=END)
    assert set(network.by) >= {"age_band", "gender", "settlement", "centre", "region"}
    for values in network.by.values():
        assert sum(values.values()) == network.actual


def test_pro_rated_target_and_day_count(world: World, r3: Indicator) -> None:
    middle = figure(r3, scope=Scope(), start=START, end=END, on=dt.date(2014, 9, 30))
    assert (middle.day, middle.days, middle.expected) == (30, 91, Decimal(26))  # 80 × 30 / 91 = 26.4


def test_a_programme_counts_only_its_own_centres(world: World, r3: Indicator) -> None:
    r3.result.programme.centres.set([world.centre_a])
    assert figure(r3, scope=Scope(), start=START, end=END).actual == 40
    assert figure(r3, scope=Scope(centre_id=world.centre_b.pk), start=START, end=END).actual == 0


def test_network_target_of_its_own_wins_over_the_sum_of_centres(world: World, r3: Indicator) -> None:
    services.target_set(actor=None, indicator=r3, scope=Scope(), starts_on=START, ends_on=END, value=100)
    assert target_for(r3, scope=Scope(), start=START, end=END) == 100
    assert target_for(r3, scope=Scope(centre_id=world.centre_a.pk), start=START, end=END) == 40


def test_life_of_programme_target_when_nothing_finer_is_set(world: World) -> None:
    indicator = make_indicator(make_programme(world), target=Decimal(800))
    programme = indicator.result.programme
    assert target_for(indicator, scope=Scope(), start=programme.starts_on, end=programme.ends_on) == 800
    assert target_for(indicator, scope=Scope(), start=START, end=END) is None  # a part of the programme


@pytest.mark.parametrize(
    ("aggregation", "values", "expected"),
    [
        (Aggregation.SUM, [(9, 500), (11, 300)], 800),
        (Aggregation.CUMULATIVE, [(9, 500), (11, 800)], 800),
        (Aggregation.LATEST, [(9, 500), (11, 300)], 300),
        (Aggregation.AVERAGE, [(9, 500), (11, 300)], 300),
    ],
)
def test_values_entered_by_hand_follow_the_aggregation(
    world: World, aggregation: str, values: list[tuple[int, int]], expected: int
) -> None:
    programme = make_programme(world)
    result = services.result_add(actor=None, programme=programme, level=Level.OUTPUT, code="R8", title="Видання")
    indicator = services.indicator_add(
        actor=None, result=result, code="R8.1", title="Брошури", aggregation=aggregation, measure=Measure.NUMBER
    )
    for month, value in values:
        services.manual_value_record(
            actor=None,
            indicator=indicator,
            scope=Scope(),
            starts_on=dt.date(2014, month, 1),
            ends_on=dt.date(2014, month, 28),
            value=value,
            evidence_note="Накладна друкарні",
        )
    assert figure(indicator, scope=Scope(), start=programme.starts_on, end=programme.ends_on).actual == expected


@pytest.mark.parametrize(
    ("value", "places", "language", "shown"),
    [
        (Decimal("87.50"), 2, "uk", "87,5"),
        (Decimal("98.75"), 2, "uk", "98,75"),
        (Decimal("100.00"), 2, "uk", "100"),
        (Decimal("1607"), 2, "uk", "1\xa0607"),
        (Decimal("2000.00"), 2, "en", "2,000"),
        (Decimal("25.81"), 1, "pl", "25,8"),
        (None, 2, "uk", ""),
    ],
)
def test_figures_are_written_as_people_write_them(
    value: Decimal | None, places: int, language: str, shown: str
) -> None:
    from django.utils import translation

    from cipnet.core.templatetags.cipnet import number

    with translation.override(language):
        assert number(value, places) == shown
