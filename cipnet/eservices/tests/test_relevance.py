"""Relevance on the demo catalogue: what residents type, and the card a consultant would open.

Queries are written the way people ask at a Public Information Centre: word forms, Russian,
colloquial words, abbreviations and typos. A query counts as answered when one of its expected
cards is among the first three results. The same figures must hold on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from cipnet.directory.models import Region, Territory
from cipnet.eservices import search
from cipnet.eservices.models import CardLevel, CardStatus, ServiceCard
from cipnet.eservices.selectors import CardFilters

#: (query, the card(s) that answer it). Several cards only where each fully answers the question.
RELEVANCE: list[tuple[str, tuple[str, ...]]] = [
    # Pensions: word forms, Russian, a typo.
    ("як перевірити пенсію", ("pfu-e-services-portal", "pfu-pension-income-certificate")),
    ("пенсії", ("pfu-e-services-portal",)),
    ("пенсійного фонду", ("pfu-e-services-portal",)),
    ("пенсию проверить", ("pfu-e-services-portal", "pfu-pension-income-certificate")),
    ("пенсйя", ("pfu-e-services-portal",)),
    ("оформити пенсію онлайн", ("pension-application-online",)),
    ("стаж", ("pfu-insurance-record",)),
    ("трудова книжка", ("e-work-record-book",)),
    # Home and utilities.
    ("прописка", ("residence-registration",)),
    ("прописатися онлайн", ("residence-registration",)),
    ("комуналка", ("utility-payments-online",)),
    ("оплатить коммуналку", ("utility-payments-online",)),
    ("заплатити за світло", ("utility-payments-online",)),
    ("графік відключень світла", ("power-outage-schedules",)),
    ("показники газ лічильник", ("gas-account-meter-readings",)),
    ("субсидія", ("housing-subsidy",)),
    ("субсидия", ("housing-subsidy",)),
    ("компенсація за зруйноване житло", ("erecovery-housing-compensation",)),
    # Travel.
    ("квиток на потяг до Львова", ("uz-train-tickets",)),
    ("билет на поезд", ("uz-train-tickets",)),
    ("авіаквитки", ("air-tickets-passenger-rights",)),
    ("автобус квиток", ("bus-tickets-online",)),
    ("загранпаспорт", ("foreign-passport",)),
    ("черга на кордон", ("echerha-border-queue",)),
    # Education.
    ("зно реєстрація", ("nmt-registration",)),
    ("нмт", ("nmt-registration",)),
    ("щоденник школа", ("school-e-diary",)),
    ("вступ до університету", ("university-admission-cabinet",)),
    # Business and taxes.
    ("відкрити фоп", ("fop-registration",)),
    ("флп закрити", ("fop-closing",)),
    ("податкова декларація фоп", ("fop-single-tax-declaration",)),
    ("кабінет платника податків", ("tax-e-cabinet",)),
    ("податкова знижка за навчання", ("tax-rebate-declaration",)),
    ("ідентифікаційний код", ("rnokpp-tax-number",)),
    # Land and property.
    ("кадастрова карта", ("public-cadastral-map",)),
    ("кадастрвоа карта", ("public-cadastral-map",)),
    ("ділянка земля витяг", ("land-cadastre-extract",)),
    ("ціна землі оренда паю", ("land-information-zem-ua",)),
    # Work and social support.
    ("робота вакансії", ("dcz-job-vacancies",)),
    ("работа вакансии", ("dcz-job-vacancies",)),
    ("вакансiї", ("dcz-job-vacancies",)),  # a Latin "i" typed inside the word
    ("безробіття стати на облік", ("unemployment-registration",)),
    ("довідка впо", ("idp-certificate",)),
    ("переселенці допомога", ("idp-living-allowance",)),
    # Banking.
    ("вклад ощадбанк срср", ("oschadbank-ussr-deposits",)),
    # Documents, health, family.
    ("довідка про несудимість", ("criminal-record-certificate",)),
    ("справка о несудимости", ("criminal-record-certificate",)),
    ("паспорт id картка", ("id-card-passport",)),
    ("записатися до лікаря", ("doctor-appointment-online",)),
    ("сімейний лікар декларація", ("family-doctor-declaration",)),
    ("лікарняний", ("e-sick-leave",)),
    ("народження дитини", ("emalyatko-birth-services",)),
    ("одружитися", ("marriage-registration",)),
    ("електронний підпис", ("qualified-e-signature",)),
    ("кеп", ("qualified-e-signature",)),
    # Vehicles and post.
    ("штрафи пдр", ("traffic-fines",)),
    ("обміняти права", ("driving-licence-exchange",)),
    ("продати машину", ("vehicle-reregistration",)),
    ("сервісний центр мвс запис", ("hsc-e-queue",)),
    ("відстежити посилку укрпошта", ("ukrposhta-tracking-shipping",)),
    ("нова пошта", ("nova-poshta-parcels",)),
    # Appeals and participation.
    ("звернення до мера миколаєва", ("mykolaiv-virtual-reception",)),
    ("запит на публічну інформацію", ("e-appeal-public-information-request",)),
    ("законопроект обговорення", ("public-consultations-draft-acts",)),
    ("гаряча лінія уряду", ("government-hotline-1545",)),
    ("1545", ("government-hotline-1545",)),
    ("петиція президенту", ("petition-president",)),
    ("безкоштовний адвокат", ("free-legal-aid",)),
    ("борги перевірити", ("debtors-register",)),
    ("військовий облік", ("reserve-plus",)),
    ("цнап львів", ("lviv-cnap",)),
]

MIN_TOP3_HIT_RATE = 0.9


def _rank(query: str, expected: tuple[str, ...]) -> tuple[int | None, list[str]]:
    found = [hit.card.identifier for hit in search.search(query, limit=10).hits]
    ranks = [found.index(identifier) + 1 for identifier in expected if identifier in found]
    return (min(ranks) if ranks else None), found[:3]


@pytest.mark.django_db
def test_relevance_set_names_real_public_cards(catalogue: dict[str, ServiceCard]) -> None:
    assert len(RELEVANCE) >= 40
    assert len({query for query, _expected in RELEVANCE}) == len(RELEVANCE)
    for query, expected in RELEVANCE:
        for identifier in expected:
            assert identifier in catalogue, f"{query!r}: no card {identifier!r} in the demo catalogue"
            assert catalogue[identifier].status != CardStatus.WITHDRAWN, identifier


@pytest.mark.django_db
def test_top3_hit_rate(catalogue: dict[str, ServiceCard]) -> None:
    failures = []
    for query, expected in RELEVANCE:
        rank, top = _rank(query, expected)
        if rank is None or rank > 3:
            failures.append(f"  {query!r}: expected {' or '.join(expected)} (rank {rank}), got {top}")
    rate = 1 - len(failures) / len(RELEVANCE)
    print(f"\nTop-3 hit rate on {connection_vendor()}: {rate:.3f} ({len(RELEVANCE) - len(failures)}/{len(RELEVANCE)})")
    print("\n".join(failures))
    assert rate >= MIN_TOP3_HIT_RATE, "\n".join(failures)


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


@pytest.mark.django_db
def test_region_filter_on_the_catalogue(catalogue: dict[str, ServiceCard]) -> None:
    lviv = catalogue["lviv-oblast-outage-schedules"].territory
    assert lviv is not None
    oblast_id = lviv.oblast_id or lviv.pk
    result = search.search("графік відключень", filters=CardFilters(region=Region(territory_id=oblast_id)))
    found = [hit.card for hit in result.hits]
    assert found[0].identifier in {"lviv-oblast-outage-schedules", "power-outage-schedules"}
    assert "lviv-oblast-outage-schedules" in [card.identifier for card in found[:2]]
    for card in found:
        if card.level != CardLevel.NATIONAL:
            territory = Territory.objects.get(pk=card.territory_id)
            assert oblast_id in (territory.pk, territory.oblast_id), card.identifier
