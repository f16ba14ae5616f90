"""Demonstration consultations, shaped by the seeds: a target of 40 consultations per two
months per centre (seed 000), and the most asked services of the Mykolaiv programme —
checking personal accounts and paying for utilities, registering former Oschadbank
depositors, job search (seed 004).

Deterministic (a fixed random seed), from the first day of the current reporting period
to yesterday, so "today" stays empty for people trying the log.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from cipnet.accounts.models import Membership, Role
from cipnet.consultations import rollups
from cipnet.consultations.models import (
    AgeBand,
    Channel,
    Consultation,
    ConsultationService,
    ConsultationTarget,
    Gender,
    HelpKind,
    Obstacle,
    Outcome,
    SettlementType,
    SocialCategory,
    Source,
    categories_to_mask,
)
from cipnet.core.clock import KYIV, at, now
from cipnet.directory.models import Centre, CentreStatus
from cipnet.eservices.models import ServiceCard

TARGET_PER_PERIOD = 40
PERIOD_MONTHS = 2
#: Identifier → weight: the seed's most asked services first.
SERVICE_WEIGHTS = {
    "utility-payments-online": 16,
    "oschadbank-ussr-deposits": 11,
    "work-ua-job-search": 6,
    "dcz-job-vacancies": 5,
    "pfu-e-services-portal": 8,
    "pension-application-online": 5,
    "housing-subsidy": 5,
    "idp-certificate": 4,
    "uz-train-tickets": 4,
    "diia-digital-documents": 4,
    "mykolaiv-virtual-reception": 3,
    "e-appeal-public-information-request": 3,
    "qualified-e-signature": 3,
    "doctor-appointment-online": 3,
    "gas-account-meter-readings": 3,
    "power-outage-schedules": 2,
    "land-cadastre-extract": 2,
    "fop-registration": 2,
    "id-card-passport": 2,
    "erecovery-housing-compensation": 2,
}
FREE_TEXT = ["Запис на щеплення через сайт поліклініки", "Оплата за вивіз сміття через сайт перевізника"]
TARGET_START = dt.date(2026, 9, 1)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def load(*, seed: int = 2026, until: dt.date | None = None) -> int:
    """Create the demo consultations and targets once. Returns the number of entries created."""
    if Consultation.objects.filter(source=Source.DEMO).exists():
        return 0
    today = now().astimezone(KYIV).date()
    end = until or today - dt.timedelta(days=1)
    centres = list(Centre.objects.filter(status=CentreStatus.ACTIVE).order_by("pk"))
    cards = {c.identifier: c for c in ServiceCard.objects.filter(identifier__in=list(SERVICE_WEIGHTS))}
    weights = {k: v for k, v in SERVICE_WEIGHTS.items() if k in cards}
    staff: dict[int, list[int]] = {}
    for centre_id, user_id in Membership.objects.filter(
        centre__in=centres, is_active=True, role__in=[Role.CONSULTANT, Role.CENTRE_MANAGER]
    ).values_list("centre_id", "user_id"):
        staff.setdefault(centre_id, []).append(user_id)
    rng = random.Random(seed)  # noqa: S311 — demonstration data, not secrets
    entries: list[Consultation] = []
    uses: list[tuple[int, list[ServiceCard | str]]] = []
    for centre in centres:
        ConsultationTarget.objects.get_or_create(
            centre=centre,
            starts_on=TARGET_START,
            defaults={"period_months": PERIOD_MONTHS, "consultations": TARGET_PER_PERIOD},
        )
        # Busy, average and quiet centres: 0.4–1.3 visitors per working day.
        rate = rng.choice([0.4, 0.6, 0.8, 0.9, 1.3])
        day = TARGET_START
        while day <= end:
            if day.weekday() < 5:
                for _n in range(_poisson(rng, rate)):
                    entries.append(_entry(rng, centre, day, staff.get(centre.pk, [])))
                    services: list[ServiceCard | str] = []
                    if entries[-1].help_kind == HelpKind.ESERVICE:
                        if rng.random() < 0.03:
                            services.append(rng.choice(FREE_TEXT))
                        else:
                            services.append(cards[_pick(rng, weights)])
                            if rng.random() < 0.12:
                                second = cards[_pick(rng, weights)]
                                if second is not services[0]:
                                    services.append(second)
                    uses.append((len(entries) - 1, services))
            day += dt.timedelta(days=1)
    with transaction.atomic():
        created = Consultation.objects.bulk_create(entries, batch_size=1000)
        rows = []
        for index, services in uses:
            for position, item in enumerate(services):
                if isinstance(item, str):
                    rows.append(ConsultationService(consultation=created[index], free_text=item, position=position))
                else:
                    rows.append(ConsultationService(consultation=created[index], card=item, position=position))
        ConsultationService.objects.bulk_create(rows, batch_size=1000)
        rollups.rebuild(centre_ids=[c.pk for c in centres])
    return len(created)


def load_exactly(*, centres: list[Centre], start: dt.date, end: dt.date, per_centre: int, seed: int) -> int:
    """Exactly `per_centre` demo consultations at each centre, on working days in [start, end] (from the
    day it opened), e.g. seed 000's "40 per centre in two months"; tallies rebuilt. Returns how many."""
    rng = random.Random(seed)  # noqa: S311 — demonstration data, not secrets
    entries: list[Consultation] = []
    for centre in centres:
        first = max(start, centre.opened_on or start)
        days = [
            first + dt.timedelta(days=n)
            for n in range((end - first).days + 1)
            if (first + dt.timedelta(days=n)).weekday() < 5
        ]
        if not days:
            raise ValueError(f"{centre} has no working day between {first} and {end}")
        for n in range(per_centre):
            entries.append(_entry(rng, centre, days[n * len(days) // per_centre], []))
    with transaction.atomic():
        Consultation.objects.bulk_create(entries, batch_size=1000)
        rollups.rebuild(centre_ids=[c.pk for c in centres], start=start, end=end)
    return len(entries)


def _poisson(rng: random.Random, rate: float) -> int:
    count, threshold, product = 0, 2.718281828 ** (-rate), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _entry(rng: random.Random, centre: Centre, day: dt.date, staff: list[int]) -> Consultation:
    help_kind = rng.choices(
        [HelpKind.ESERVICE, HelpKind.INFORMATION, HelpKind.APPEAL, HelpKind.LITERACY, HelpKind.DOCUMENTS],
        weights=[62, 14, 8, 9, 7],
    )[0]
    outcome = rng.choices(
        [Outcome.COMPLETED, Outcome.PARTLY, Outcome.REFERRED, Outcome.NOT_POSSIBLE], weights=[74, 12, 7, 7]
    )[0]
    age = rng.choices(
        [AgeBand.FROM_18, AgeBand.FROM_30, AgeBand.FROM_45, AgeBand.FROM_60, AgeBand.FROM_75, AgeBand.NOT_STATED],
        weights=[6, 12, 22, 38, 14, 8],
    )[0]
    categories: list[str] = []
    if age in (AgeBand.FROM_60, AgeBand.FROM_75) and rng.random() < 0.8:
        categories.append(SocialCategory.PENSIONER)
    for category, p in ((SocialCategory.IDP, 0.1), (SocialCategory.DISABILITY, 0.07), (SocialCategory.VETERAN, 0.04)):
        if rng.random() < p:
            categories.append(category)
    if age in (AgeBand.FROM_30, AgeBand.FROM_45) and rng.random() < 0.15:
        categories.append(SocialCategory.UNEMPLOYED)
    moment = at(day, dt.time(rng.randint(9, 17), rng.choice([0, 10, 15, 20, 30, 40, 45, 50])))
    consultant_id = rng.choice(staff) if staff else None
    return Consultation(
        centre=centre,
        consultant_id=consultant_id,
        author_id=consultant_id,
        occurred_at=moment,
        day=day,
        help_kind=help_kind,
        outcome=outcome,
        referred_to="Сервісний центр Пенсійного фонду" if outcome == Outcome.REFERRED else "",
        obstacle=rng.choice(list(Obstacle.values)) if outcome == Outcome.NOT_POSSIBLE else "",
        channel=rng.choices([Channel.WALK_IN, Channel.PHONE, Channel.ONLINE], weights=[85, 12, 3])[0],
        duration_minutes=rng.choice([None, 10, 15, 20, 25, 30, 40, 60]),
        gender=rng.choices([Gender.FEMALE, Gender.MALE, Gender.NOT_STATED], weights=[63, 33, 4])[0],
        age_band=age,
        categories=categories_to_mask(categories),
        settlement_type=rng.choices(
            [SettlementType.CITY, SettlementType.TOWN, SettlementType.VILLAGE, SettlementType.NOT_STATED],
            weights=[55, 20, 20, 5],
        )[0],
        first_visit=rng.choice([True, False, False, None]),
        satisfaction=rng.choice([None, None, 5, 5, 5, 4, 4, 3]),
        source=Source.DEMO,
    )
