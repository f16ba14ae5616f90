"""Tallies under concurrent writers, the rebuild command, and the catalogue's "most asked" hook."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from cipnet.consultations import rollups, services
from cipnet.consultations.models import Consultation, DailyTotal, MonthlyTally, RegionDailyTally
from cipnet.consultations.services import ConsultationInput, ServiceRef
from cipnet.core.clock import now
from cipnet.eservices import selectors as eservices_selectors
from cipnet.eservices.models import ServiceCard
from cipnet.eservices.tests.conftest import load_catalogue_for_tests


def _visit(card: ServiceCard | None, **extra: Any) -> ConsultationInput:
    return ConsultationInput(
        occurred_at=now() - dt.timedelta(minutes=1),
        help_kind="eservice",
        outcome="completed",
        services=[ServiceRef(card=card)] if card else [ServiceRef(text="Довідка з місця проживання")],
        **extra,
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_lose_an_increment(world: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is only possible on PostgreSQL")
    load_catalogue_for_tests()
    card = ServiceCard.objects.get(identifier="housing-subsidy")
    users = [world.users["consultant_a"], world.users["manager_a"], world.users["trainer_a"]]
    barrier = threading.Barrier(len(users) * 2)
    failures: list[BaseException] = []

    def write(user: Any, gender: str) -> None:
        try:
            barrier.wait(timeout=10)
            for _n in range(15):
                services.consultation_record(
                    author=user, centre=world.centre_a, data=_visit(card, gender=gender, duration_minutes=10)
                )
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(u, g)) for u in users for g in ("female", "male")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert Consultation.objects.count() == 90
    assert rollups.stored() == rollups.recount(Consultation.objects.all())
    total = DailyTotal.objects.get()
    assert (total.count, total.minutes_sum, total.minutes_n) == (90, 900, 90)


def test_rebuild_command_repairs_tallies(world: Any) -> None:
    load_catalogue_for_tests()
    card = ServiceCard.objects.get(identifier="uz-train-tickets")
    for user in (world.users["consultant_a"], world.users["consultant_b"]):
        centre = world.centre_a if user.username.endswith("_a") else world.centre_b
        services.consultation_record(author=user, centre=centre, data=_visit(card))
        services.consultation_record(author=user, centre=centre, data=_visit(None))
    expected = rollups.stored()
    RegionDailyTally.objects.filter(dimension="service").update(count=99)
    MonthlyTally.objects.all().delete()
    out = StringIO()
    call_command("rebuild_consultation_tallies", stdout=out)
    assert rollups.stored() == expected
    assert MonthlyTally.objects.filter(dimension="total").count() == 2
    written = sum(len(rows) for rows in expected.values())
    assert f"підсумків: {written} за" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("rebuild_consultation_tallies", "--from", "2026-13-01")
    with pytest.raises(CommandError):
        call_command("rebuild_consultation_tallies", "--from", "2026-11-01", "--to", "2026-10-01")


def test_most_asked_services_follow_the_consultation_log(world: Any) -> None:
    load_catalogue_for_tests()
    tickets = ServiceCard.objects.get(identifier="uz-train-tickets")
    gas = ServiceCard.objects.get(identifier="gas-account-meter-readings")
    consultant = world.users["consultant_a"]
    for card, times in ((tickets, 3), (gas, 2)):
        for _n in range(times):
            services.consultation_record(author=consultant, centre=world.centre_a, data=_visit(card))
    asked = eservices_selectors.most_asked(region=world.region_a, limit=4)
    assert [c.identifier for c in asked[:2]] == ["uz-train-tickets", "gas-account-meter-readings"]
    assert len(asked) == 4
    # Another region's figures are its own: nothing logged there, so the curated order.
    curated = eservices_selectors.card_list_public().filter(
        eservices_selectors.in_region_q(world.region_b), status="active"
    )
    assert eservices_selectors.most_asked(region=world.region_b, limit=4) == list(curated[:4])
