"""The demonstration consultations: shaped by the seeds, deterministic, loaded once, tallies exact."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum

from cipnet.consultations import demo, rollups
from cipnet.consultations.models import Consultation, ConsultationTarget, Dimension, MonthlyTally, Source
from cipnet.eservices.models import ServiceCard
from cipnet.eservices.tests.conftest import load_catalogue_for_tests


def test_demo_consultations_are_loaded_once_with_exact_tallies(world: Any) -> None:
    load_catalogue_for_tests()
    created = demo.load(until=dt.date(2026, 11, 20))
    assert created == Consultation.objects.filter(source=Source.DEMO).count() > 0
    assert not Consultation.objects.filter(day__gt=dt.date(2026, 11, 20)).exists()
    assert not Consultation.objects.filter(day__lt=demo.TARGET_START).exists()
    # Every active centre has the seed's target: 40 consultations per two months.
    targets = ConsultationTarget.objects.filter(centre__in=[world.centre_a, world.centre_b])
    assert {(t.consultations, t.period_months, t.starts_on) for t in targets} == {(40, 2, dt.date(2026, 9, 1))}
    assert rollups.stored() == rollups.recount(Consultation.objects.all())
    # The seed's most asked services lead (deterministic: the generator has a fixed seed).
    top = list(
        MonthlyTally.objects.filter(dimension=Dimension.SERVICE)
        .exclude(value="text")
        .values("value")
        .order_by()
        .annotate(n=Sum("count"))
        .order_by("-n")[:3]
    )
    leaders = set(
        ServiceCard.objects.filter(pk__in=[int(r["value"]) for r in top]).values_list("identifier", flat=True)
    )
    assert "utility-payments-online" in leaders
    assert demo.load(until=dt.date(2026, 11, 20)) == 0  # loaded once
