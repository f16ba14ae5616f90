"""The results pages read a bounded number of queries whatever the number of centres (a network of
5,000: bench/programme.py), and the figures read that way equal those read row by row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse

from cipnet.appeals.models import Appeal, Authority, AuthorityKind, Kind, Outcome, Status
from cipnet.consultations import demo as consultation_demo
from cipnet.core.clock import at
from cipnet.directory import services as directory
from cipnet.directory.models import Centre
from cipnet.results import selectors, services
from cipnet.results.figures import figure, with_figure_rows
from cipnet.results.models import Aggregation, Indicator, Level, Measure, Programme
from cipnet.results.sources import Scope
from cipnet.testing import World

START, END = dt.date(2014, 9, 1), dt.date(2014, 11, 30)
MONTHS = [(dt.date(2014, 9, 1), dt.date(2014, 9, 30)), (dt.date(2014, 10, 1), dt.date(2014, 10, 31))]
PERIOD = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}


def statements(fn: Callable[[], Any]) -> int:
    count = 0

    def counting(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        fn()
    return count


def programme_of_every_source() -> Programme:
    """A programme counting every centre, an indicator of each source and one entered by hand."""
    programme = services.programme_create(
        actor=None, code="network", title="Мережа", donor="Донор", starts_on=dt.date(2014, 3, 1), ends_on=END
    )
    result = services.result_add(actor=None, programme=programme, level=Level.OUTPUT, code="R1", title="Послуги")
    places = ["centre", "region"]
    for code, source, extra in (
        ("C", "consultations", {"disaggregations": ["age_band", "gender", "settlement", *places]}),
        ("CC", "consultations", {"aggregation": Aggregation.CUMULATIVE, "disaggregations": places}),
        ("E", "eservices_completed", {"disaggregations": places}),
        ("O", "centres_operating", {"aggregation": Aggregation.LATEST, "disaggregations": ["region"]}),
        ("B", "coordination_offices", {"aggregation": Aggregation.LATEST}),
        ("A", "appeals_positive_share", {"aggregation": Aggregation.RATIO, "measure": Measure.PERCENTAGE}),
        ("T", "", {}),
    ):
        services.indicator_add(actor=None, result=result, code=code, title=code, source=source, **extra)
    return programme


def add_centres(world: World, programme: Programme, n: int, first: int) -> list[Centre]:
    """`n` centres, half in each region, each with consultations, an appeal answered and targets."""
    centres = []
    for i in range(first, first + n):
        like = world.centre_a if i % 2 else world.centre_b
        centres.append(
            directory.centre_create(
                actor=None, name=f"ЦІП {i}", host=like.host, settlement=like.settlement, address="вул. Тиха, 1"
            )
        )
    Centre.objects.filter(pk__in=[c.pk for c in centres]).update(status="active", opened_on=dt.date(2014, 1, 1))
    consultation_demo.load_exactly(centres=centres, start=START, end=END, per_centre=6, seed=first)
    authority = Authority.objects.get_or_create(
        slug="oda",
        defaults={
            "name": "ОДА",
            "kind": AuthorityKind.OBLAST_ADMINISTRATION,
            "region": world.region_a,
            "address": "вул. Урядова, 1",
            "email": "oda@example.org",
        },
    )[0]
    answered = at(dt.date(2014, 10, 15), dt.time(12))
    for i, centre in enumerate(centres):
        Appeal.objects.create(
            kind=Kind.INFO_REQUEST,
            authority=authority,
            status=Status.ANSWERED,
            author_name="Заявник",
            centre=centre,
            subject="Запит",
            text="Текст",
            answered_at=answered,
            outcome=Outcome.POSITIVE if i % 3 else Outcome.REFUSED,
        )
    indicators = {i.code: i for i in Indicator.objects.filter(result__programme=programme)}
    for i, centre in enumerate(centres):
        for a, b in MONTHS:
            for code in ("C", "E"):
                services.target_set(
                    actor=None,
                    indicator=indicators[code],
                    scope=Scope(centre_id=centre.pk),
                    starts_on=a,
                    ends_on=b,
                    value=Decimal("2.25") + i,
                )
        services.target_set(
            actor=None,
            indicator=indicators["CC"],
            scope=Scope(centre_id=centre.pk),
            starts_on=START,
            ends_on=END,
            value=9,
        )
    return centres


def pages(client: Client, world: World) -> dict[str, int]:
    dashboard = reverse("results:programme", args=["network"])
    indicator = reverse("results:indicator", args=["network", "C"])
    asked = {
        "network dashboard": (dashboard, PERIOD),
        "region dashboard": (dashboard, {**PERIOD, "scope": f"region-{world.region_a.pk}"}),
        "centre dashboard": (dashboard, {**PERIOD, "scope": f"centre-{world.centre_a.pk}"}),
        "indicator, network": (indicator, PERIOD),
        "indicator, region": (indicator, {**PERIOD, "scope": f"region-{world.region_b.pk}"}),
    }

    def get(url: str, query: dict[str, str]) -> None:
        assert client.get(url, query).status_code == 200

    return {label: statements(lambda u=url, q=query: get(u, q)) for label, (url, query) in asked.items()}


def test_the_pages_read_as_many_queries_for_30_centres_as_for_3(world: World) -> None:
    programme = programme_of_every_source()
    client = Client()
    client.force_login(world.users["admin"])
    add_centres(world, programme, 1, first=0)  # with centres a and b: 3
    assert Centre.objects.filter(status="active").count() == 3
    few = pages(client, world)
    add_centres(world, programme, 27, first=1)
    assert Centre.objects.filter(status="active").count() == 30
    many = pages(client, world)
    assert many == few, (few, many)
    # The bound itself (it grows with indicators and panels, not with centres): the figures, plus the
    # months' completeness (centres counted, months grouped) and the corrections list.
    assert few["network dashboard"] <= 28, few


def test_figures_from_added_up_targets_equal_those_read_row_by_row(world: World) -> None:
    programme = programme_of_every_source()
    centres = add_centres(world, programme, 12, first=0)
    # A region's own target, which the region's centres' then no longer add up to.
    region_target = Indicator.objects.get(result__programme=programme, code="E")
    services.target_set(
        actor=None,
        indicator=region_target,
        scope=Scope(region_id=world.region_b.pk),
        starts_on=START,
        ends_on=END,
        value=5,
    )
    scopes = [
        Scope(),
        Scope(region_id=world.region_a.pk),
        Scope(region_id=world.region_b.pk),
        Scope(centre_id=centres[3].pk),
    ]
    for scope in scopes:
        rows = selectors.logframe(programme, scope=scope, start=START, end=END, on=dt.date(2014, 10, 15))
        fast = {f.indicator.code: f for row in rows for f in row.figures}
        slow = {
            i.code: figure(i, scope=scope, start=START, end=END, on=dt.date(2014, 10, 15))
            for i in with_figure_rows(Indicator.objects.filter(result__programme=programme))
        }
        assert set(fast) == set(slow) == {"C", "CC", "E", "O", "B", "A", "T"}
        for code, f in fast.items():
            s = slow[code]
            assert (f.actual, f.target, f.expected, f.text, f.by) == (s.actual, s.target, s.expected, s.text, s.by), (
                scope,
                code,
            )
    network = {
        f.indicator.code: f
        for row in selectors.logframe(programme, scope=Scope(), start=START, end=END)
        for f in row.figures
    }
    # The regions' breakdown comes from the regions' tallies, the centres' from theirs: they agree.
    region_of = dict(Centre.objects.values_list("pk", "region_id"))
    for code in ("C", "CC", "E"):
        by = network[code].by
        summed: dict[str, int] = {}
        for centre_id, n in by["centre"].items():
            key = str(region_of[int(centre_id)])
            summed[key] = summed.get(key, 0) + n
        assert by["region"] == summed and sum(summed.values()) == network[code].actual, code
    # Twelve centres' targets of 2.25, 3.25 … 13.25 for each of two months.
    assert network["C"].target == 2 * sum(Decimal("2.25") + i for i in range(12)) == Decimal("186.00")
    assert network["CC"].target == 9 * 12
    assert network["C"].actual == 6 * 12 and network["A"].actual == Decimal("66.7")  # 8 positive of 12


def test_a_centres_figure_in_the_table_by_centre_equals_its_own(world: World) -> None:
    programme = programme_of_every_source()
    add_centres(world, programme, 5, first=0)
    user = world.users["admin"]
    for code in ("C", "CC", "E", "O", "A"):
        indicator = selectors.indicator_get(programme=programme, code=code)
        choices = selectors.scope_choices(user=user, programme=programme)
        listed, count = selectors.by_centre(indicator, user=user, chosen=choices[0], start=START, end=END)
        assert count == len(listed) == 7
        for choice, f in listed:
            alone = figure(
                selectors.indicator_get(programme=programme, code=code), scope=choice.scope, start=START, end=END
            )
            assert (f.actual, f.target, f.by) == (alone.actual, alone.target, alone.by), (code, choice.key)
