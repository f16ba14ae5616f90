"""A small programme for the results tests: seed 000's R3 in two centres."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cipnet.consultations import demo as consultation_demo
from cipnet.results import services
from cipnet.results.models import Indicator, Level, Programme
from cipnet.results.sources import Scope
from cipnet.testing import World

START, END = dt.date(2014, 9, 1), dt.date(2014, 11, 30)


def make_programme(world: World) -> Programme:
    return services.programme_create(
        actor=None,
        centres=[world.centre_a, world.centre_b],
        code="cip-2014",
        title="Центри публічної інформації, етап II",
        donor="MSZ RP",
        starts_on=dt.date(2014, 3, 1),
        ends_on=END,
    )


def make_indicator(programme: Programme, **fields: object) -> Indicator:
    result = services.result_add(actor=None, programme=programme, level=Level.OUTPUT, code="R3", title="Послуги")
    return services.indicator_add(
        actor=None, result=result, code="R3.1", title="Надано послуг", source="consultations", **fields
    )


@pytest.fixture
def r3(world: World) -> Indicator:
    return build_r3(world)


def build_r3(world: World) -> Indicator:
    """Seed 000's R3 in small: 40 consultations per centre in Sep–Nov 2014, a target of 40 each."""
    indicator = make_indicator(
        make_programme(world),
        target=Decimal(80),
        disaggregations=["age_band", "gender", "settlement", "centre", "region"],
    )
    for centre in (world.centre_a, world.centre_b):
        centre.opened_on = None
        services.target_set(
            actor=None, indicator=indicator, scope=Scope(centre_id=centre.pk), starts_on=START, ends_on=END, value=40
        )
    consultation_demo.load_exactly(
        centres=[world.centre_a, world.centre_b], start=START, end=END, per_centre=40, seed=1
    )
    return indicator
