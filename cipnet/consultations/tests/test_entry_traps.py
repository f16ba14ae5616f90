"""Quick-entry traps from issue 14: Enter on half a word must not save a fragment as a free-text
service, and the coordinator's history links must open (demo entries have no audit rows).

Assertions are on status codes, the database, form errors' codes and element ids, never on
translated text."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from cipnet.consultations.models import Consultation, ConsultationService
from cipnet.consultations.tests.test_views import (
    BIRTH_CARD,
    PENSION_CARD,
    cards,
    client_for,
    consultant,
    entry_data,
    record,
)
from cipnet.core.clock import now
from cipnet.eservices.models import ServiceCard
from cipnet.testing import World

__all__ = ["cards", "consultant"]  # fixtures


def test_enter_on_a_fragment_saves_nothing_and_keeps_what_was_typed(
    world: World, consultant: Client, cards: dict[str, ServiceCard]
) -> None:
    data = entry_data(
        world.centre_a, service="пенсі", help_kind="eservice", gender="female", age_band="60-74", note="Ще прийде"
    )
    response = consultant.post(reverse("consultations:entry"), data)
    assert response.status_code == 200
    assert Consultation.objects.count() == 0
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["service"]] == ["not_in_catalogue"]
    # Everything typed is still there, and the likely card is offered.
    assert (form["service"].value(), form["gender"].value(), form["note"].value()) == ("пенсі", "female", "Ще прийде")
    assert form.suggestions["service"] == [PENSION_CARD]
    html = response.content.decode()
    assert 'id="suggestions-service"' in html
    assert f'name="pick_service" value="{PENSION_CARD}"' in html


def test_a_fragment_of_the_second_service_is_refused_too(
    world: World, consultant: Client, cards: dict[str, ServiceCard]
) -> None:
    data = entry_data(world.centre_a, service=BIRTH_CARD, service_2="Призн", help_kind="eservice")
    response = consultant.post(reverse("consultations:entry"), data)
    assert response.status_code == 200
    assert Consultation.objects.count() == 0
    assert [e.code for e in response.context["form"].errors.as_data()["service_2"]] == ["not_in_catalogue"]


def test_choosing_a_suggestion_saves_with_the_card(
    world: World, consultant: Client, cards: dict[str, ServiceCard]
) -> None:
    data = entry_data(world.centre_a, service="пенсі", help_kind="eservice", pick_service=PENSION_CARD)
    response = consultant.post(reverse("consultations:entry"), data)
    assert response.status_code == 302
    assert list(ConsultationService.objects.values_list("card_id", "free_text")) == [(cards["pension"].pk, "")]


def test_free_text_is_saved_when_asked_for_explicitly(
    world: World, consultant: Client, cards: dict[str, ServiceCard]
) -> None:
    data = entry_data(world.centre_a, service="Довідка з ЖЕКу", help_kind="eservice", free_text="on")
    assert consultant.post(reverse("consultations:entry"), data).status_code == 302
    assert list(ConsultationService.objects.values_list("card_id", "free_text")) == [(None, "Довідка з ЖЕКу")]


def test_editing_an_entry_with_a_free_text_service_keeps_the_choice(
    world: World, cards: dict[str, ServiceCard]
) -> None:
    from cipnet.consultations.services import ServiceRef

    c = record(world.users["consultant_a"], world.centre_a, services=[ServiceRef(text="Довідка з ЖЕКу")])
    page = client_for(world, "consultant_a").get(reverse("consultations:edit", args=[c.pk]))
    assert page.context["form"]["free_text"].value() is True


def demo_like_entry(world: World) -> Consultation:
    """An entry written the way the demo loader writes them: in bulk, without audit rows."""
    moment = now()
    return Consultation.objects.bulk_create(
        [
            Consultation(
                centre=world.centre_a,
                author=world.users["consultant_a"],
                consultant=world.users["consultant_a"],
                occurred_at=moment,
                day=moment.date(),
                help_kind="information",
                outcome="completed",
            )
        ]
    )[0]


def test_history_of_an_entry_without_audit_rows_opens_within_scope(world: World) -> None:
    c = demo_like_entry(world)
    url = reverse("consultations:history", args=[c.pk])
    for role in ("coordinator_a", "manager_a", "consultant_a", "admin"):
        response = client_for(world, role).get(url)
        assert response.status_code == 200, role
        assert 'id="no-history"' in response.content.decode()
    for role in ("coordinator_b", "consultant_b"):
        assert client_for(world, role).get(url).status_code == 404, role


def test_every_history_link_on_the_coordinators_list_opens(world: World) -> None:
    ids = [demo_like_entry(world).pk for _i in range(3)]
    ids.append(record(world.users["consultant_a"], world.centre_a).pk)
    coordinator = client_for(world, "coordinator_a")
    listing = coordinator.get(reverse("consultations:entries"))
    links = [reverse("consultations:history", args=[pk]) for pk in ids]
    html = listing.content.decode()
    statuses: dict[str, Any] = {}
    for link in links:
        assert f'href="{link}"' in html
        statuses[link] = coordinator.get(link).status_code
    assert set(statuses.values()) == {200}, statuses
