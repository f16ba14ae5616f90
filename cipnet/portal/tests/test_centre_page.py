"""The public centre page: the directory's data with the queue's and the catalogue's panels."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from cipnet.core.clock import at
from cipnet.directory import services
from cipnet.directory.models import OpeningException
from cipnet.equeue import services as queue_services
from cipnet.equeue.models import QueueTopic
from cipnet.eservices import services as catalogue_services
from cipnet.eservices.models import CardKind, CardStatus, CentreService, Provider, ServiceCard
from cipnet.testing import World

WEDNESDAY_10 = at(dt.date(2026, 3, 11), dt.time(10))


def jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def make_card(identifier: str, name: str) -> ServiceCard:
    provider, _ = Provider.objects.get_or_create(slug="pfu", defaults={"name": "Пенсійний фонд України"})
    return catalogue_services.card_create(
        actor=None,
        identifier=identifier,
        name=name,
        provider=provider.pk,
        short_description="Опис послуги",
        description="Докладний опис послуги",
        kind=CardKind.ADMINISTRATIVE,
    )


def test_centre_page(world: World, client: Client) -> None:
    OpeningException.objects.create(centre=world.centre_a, date="2099-01-01", is_closed=True)
    response = client.get(reverse("public:centre", args=[world.centre_a.slug]))
    html = response.content.decode()
    assert 'href="tel:+380512240110"' in html
    data = jsonld(html)
    assert data["@type"] == "Library"  # hosted by a library system
    assert data["address"]["streetAddress"] == "вул. Потьомкінська, 143а"
    assert {spec["dayOfWeek"] for spec in data["openingHoursSpecification"]} == {
        "https://schema.org/Monday", "https://schema.org/Tuesday", "https://schema.org/Wednesday",
        "https://schema.org/Thursday", "https://schema.org/Friday",
    }  # fmt: skip
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 46.9659, "longitude": 31.9974}
    assert "openstreetmap.org/directions?to=46.965900%2C31.997400" in html


def test_planned_and_closed_centres_are_not_public(world: World, client: Client) -> None:
    services.centre_update(actor=None, centre=world.centre_b, status="closed")
    assert client.get(reverse("public:centre", args=[world.centre_b.slug])).status_code == 404
    assert client.get(reverse("public:centre", args=["no-such-centre"])).status_code == 404


def test_the_services_helped_with_here_by_name_without_withdrawn_ones(world: World, client: Client) -> None:
    pension = make_card("pfu-e-services", "Пенсійний фонд: електронні послуги")
    diia = make_card("diia-birth", "ЄМалятко")
    withdrawn = make_card("old-service", "Архівна послуга")
    ServiceCard.objects.filter(pk=withdrawn.pk).update(status=CardStatus.WITHDRAWN)
    elsewhere = make_card("elsewhere", "Послуга іншого центру")
    for card in (pension, diia, withdrawn):
        CentreService.objects.create(centre=world.centre_a, card=card)
    CentreService.objects.create(centre=world.centre_b, card=elsewhere)

    response = client.get(reverse("public:centre", args=[world.centre_a.slug]))
    assert response.context["services"] == [diia, pension]
    html = response.content.decode()
    assert f'href="/services/{pension.identifier}/"' in html
    assert "Архівна послуга" not in html and "Послуга іншого центру" not in html
    english = client.get(f"/en/centres/{world.centre_a.slug}/").content.decode()
    assert "E-services the consultants help with" in english


def test_no_services_no_heading(world: World, client: Client) -> None:
    response = client.get(f"/en/centres/{world.centre_a.slug}/")
    assert response.context["services"] == []
    assert "E-services the consultants help with" not in response.content.decode()


def test_the_queue_panel_shows_who_waits_when_the_centre_uses_the_queue(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("cipnet.equeue.services", "cipnet.equeue.selectors"):
        monkeypatch.setattr(f"{module}.now", lambda: WEDNESDAY_10)
    url = f"/en/centres/{world.centre_a.slug}/"
    assert "Electronic queue" not in client.get(url).content.decode()

    config = queue_services.queue_setup(actor=None, centre=world.centre_a)
    topic = QueueTopic.objects.filter(centre=world.centre_a).order_by("prefix").first()
    assert topic is not None
    queue_services.ticket_issue(centre=world.centre_a, topic=topic)
    response = client.get(url)
    assert response.context["queue_config"] == config
    assert response.context["queue_waiting"]
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "Electronic queue" in html
    assert "1 person waiting now" in html
