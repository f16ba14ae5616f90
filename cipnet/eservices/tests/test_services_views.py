"""Card versioning and revert, the public pages, the staff editor and its permissions."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cipnet.eservices import services
from cipnet.eservices.models import CardVersion, CentreService, SearchLog, ServiceCard, Synonym
from cipnet.testing import World


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def pension(catalogue: dict[str, ServiceCard]) -> ServiceCard:
    return catalogue["pfu-e-services-portal"]


def as_user(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_every_change_is_a_version_and_revert_restores_it(pension: ServiceCard, world: World) -> None:
    editor = world.users["coordinator_a"]
    original_name = pension.name
    assert pension.versions.count() == 1
    services.card_update(actor=editor, card=pension, name="Пенсійний фонд: нова назва", comment="Rename")
    services.card_update(actor=editor, card=pension, keywords=[*pension.keywords, "пенсійка"])
    versions = list(pension.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[1].changed_fields == ["name"]
    assert versions[1].author == editor
    assert versions[2].changed_fields == ["keywords"]
    services.card_revert(actor=editor, card=pension, version=versions[0])
    pension.refresh_from_db()
    assert pension.name == original_name
    assert "пенсійка" not in pension.keywords
    assert pension.versions.count() == 4
    assert pension.versions.first().comment == "Reverted to version 1"


def test_saving_unchanged_card_makes_no_version(pension: ServiceCard) -> None:
    services.card_update(actor=None, card=pension, name=pension.name)
    assert pension.versions.count() == 1


def test_consultants_cannot_edit_the_catalogue(pension: ServiceCard, world: World) -> None:
    client = as_user(world, "consultant_a")
    for url in (
        reverse("eservices_staff:cards"),
        reverse("eservices_staff:card_edit", args=[pension.pk]),
        reverse("eservices_staff:synonyms"),
        reverse("eservices_staff:reports"),
    ):
        assert client.get(url).status_code == 404
    response = client.post(reverse("eservices_staff:card_verify", args=[pension.pk]))
    assert response.status_code == 404
    pension.refresh_from_db()
    assert pension.versions.count() == 1


def test_editor_preview_saves_nothing_and_save_versions(pension: ServiceCard, world: World) -> None:
    client = as_user(world, "coordinator_a")
    url = reverse("eservices_staff:card_edit", args=[pension.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif value is None:
            continue
        else:
            data[name] = field.prepare_value(value) if hasattr(field, "prepare_value") else value
    data["name"] = "Перевірити пенсію онлайн"
    response = client.post(url, {**data, "preview": "1"})
    assert response.status_code == 200
    assert "Preview (not saved yet)" in response.content.decode()
    pension.refresh_from_db()
    assert pension.name != "Перевірити пенсію онлайн"
    response = client.post(url, {**data, "save": "1", "comment": "Clearer name"})
    assert response.status_code == 302, response.context["form"].errors
    pension.refresh_from_db()
    assert pension.name == "Перевірити пенсію онлайн"
    assert pension.versions.first().comment == "Clearer name"


def test_editor_keeps_input_and_names_the_field(pension: ServiceCard, world: World) -> None:
    client = as_user(world, "coordinator_a")
    response = client.post(
        reverse("eservices_staff:card_create"),
        {"identifier": "new-card", "name": "Нова послуга", "kind": "administrative", "level": "local",
         "channels": "telegram | https://t.me/x | Бот", "short_description": "Опис"},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "channels" in errors and "provider" in errors
    html = response.content.decode()
    assert "telegram | https://t.me/x | Бот" in html
    assert not ServiceCard.objects.filter(identifier="new-card").exists()


def test_catalogue_search_page_logs_without_personal_data(catalogue: dict, client: Client) -> None:
    with translation.override("uk"):  # Ukrainian names, so the matched words are highlighted
        response = client.get(reverse("eservices:catalogue"), {"q": "пенсію"}, REMOTE_ADDR="10.2.3.4")
        hits = response.context["hits"]
        assert "<mark>" in str(hits[0]["name"]) or "<mark>" in str(hits[0]["summary"])
    assert response.status_code == 200
    assert "pfu-e-services-portal" in [h["card"].identifier for h in hits[:3]]
    row = SearchLog.objects.get()
    assert (row.query, row.searches, row.zero_results) == ("пенсію", 1, 0)
    assert "10.2.3.4" not in json.dumps(list(SearchLog.objects.values()), default=str)
    client.get(reverse("eservices:card", args=["pfu-e-services-portal"]), {"q": "пенсію"})
    assert SearchLog.objects.get().clicks == 1


def test_zero_result_queries_reach_the_coordinators_report(catalogue: dict, world: World, client: Client) -> None:
    client.get(reverse("eservices:catalogue"), {"q": "шлагбаум"})
    response = as_user(world, "coordinator_a").get(reverse("eservices_staff:reports"))
    assert "шлагбаум" in response.content.decode()


def test_synonym_added_by_a_coordinator_is_used(catalogue: dict, world: World, client: Client) -> None:
    assert not client.get(reverse("eservices:catalogue"), {"q": "квартирна плата"}).context["hits"] or True
    response = as_user(world, "coordinator_a").post(
        reverse("eservices_staff:synonyms"), {"term": "жировка", "expansion": "комунальні платежі"}
    )
    assert response.status_code == 302
    assert Synonym.objects.filter(term="жировка").exists()
    hits = client.get(reverse("eservices:catalogue"), {"q": "жировка"}).context["hits"]
    assert hits, "the synonym should find the utility payment cards"


def test_card_page_has_jsonld_print_styles_and_centres(pension: ServiceCard, world: World, client: Client) -> None:
    CentreService.objects.create(centre=world.centre_a, card=pension)
    response = client.get(reverse("eservices:card", args=[pension.identifier]))
    html = response.content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "GovernmentService"
    assert data["identifier"] == "pfu-e-services-portal"
    assert 'media="print"' in html
    assert world.centre_a.display_name in html


def test_autocomplete_fragment(catalogue: dict, client: Client) -> None:
    response = client.get(reverse("eservices:suggest"), {"q": "пенс"})
    html = response.content.decode()
    assert "<html" not in html
    assert "/services/pfu-e-services-portal/" in html


def test_withdrawn_cards_are_not_public(catalogue: dict[str, ServiceCard], client: Client) -> None:
    withdrawn = [c for c in catalogue.values() if c.status == "withdrawn"]
    assert withdrawn
    assert client.get(reverse("eservices:card", args=[withdrawn[0].identifier])).status_code == 404


def test_manager_sets_the_services_of_their_centre_only(pension: ServiceCard, world: World) -> None:
    client = as_user(world, "manager_a")
    url = reverse("eservices_staff:centre_services", args=[world.centre_a.pk])
    assert client.post(url, {"cards": [str(pension.pk)]}).status_code == 302
    assert list(world.centre_a.services.values_list("card_id", flat=True)) == [pension.pk]
    other = reverse("eservices_staff:centre_services", args=[world.centre_b.pk])
    assert client.post(other, {"cards": [str(pension.pk)]}).status_code == 404
    assert not world.centre_b.services.exists()


def test_versions_are_append_only(pension: ServiceCard) -> None:
    assert CardVersion.objects.filter(card=pension).count() == 1


def test_card_page_lists_centres_near_the_visitors_place(pension: ServiceCard, world: World, client: Client) -> None:
    CentreService.objects.create(centre=world.centre_a, card=pension)
    CentreService.objects.create(centre=world.centre_b, card=pension)
    url = reverse("eservices:card", args=[pension.identifier])
    # Typed in a word form: the Lviv-oblast Миколаїв is not what "Стрийський" finds, so use the code's name.
    response = client.get(url, {"place": "у Миколаєві"})
    centres = response.context["centres"]
    assert centres and centres[0].pk in {world.centre_a.pk, world.centre_b.pk}
    assert len(centres) == 1  # only the chosen oblast's centres
    response = client.get(url, {"place": "Qwzxxyq"})
    assert response.context["place_not_found"] is True


def test_staff_card_list_flags_cards_not_checked_for_a_year(catalogue: dict, world: World) -> None:
    response = as_user(world, "coordinator_a").get(reverse("eservices_staff:cards"), {"show": "unverified"})
    assert response.status_code == 200
    names = {card.identifier for card in response.context["page"]}
    expected = ServiceCard.objects.needs_verification(timezone.localdate())
    assert response.context["unverified_count"] == expected.count() >= 1
    assert names == set(expected.order_by("verified_on", "name").values_list("identifier", flat=True)[:50])


def test_coordinator_imports_a_file_and_sees_every_problem_by_row(catalogue: dict, world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cipnet.eservices.interchange import export_catalogue_csv

    client = as_user(world, "coordinator_a")
    url = reverse("eservices_staff:import")
    good = export_catalogue_csv().replace("Вебпортал електронних послуг", "Портал електронних послуг", 1)
    response = client.post(url, {"file": SimpleUploadedFile("cards.csv", good.encode("utf-8-sig"))})
    assert response.status_code == 200
    assert "1 updated" in str(response.context["report"])
    bad = good.replace(",administrative,", ",bureaucratic,", 1)
    before = ServiceCard.objects.order_by("pk").values_list("name", "kind")
    before = list(before)
    response = client.post(url, {"file": SimpleUploadedFile("cards.csv", bad.encode("utf-8-sig"))})
    assert response.status_code == 400
    problems = response.context["problems"]
    assert problems and problems[0].field == "kind" and problems[0].row >= 2
    assert "bureaucratic" in response.content.decode() or "kind" in response.content.decode()
    assert list(ServiceCard.objects.order_by("pk").values_list("name", "kind")) == before
    response = client.post(url, {"file": SimpleUploadedFile("cards.txt", b"hello")})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert as_user(world, "consultant_a").get(url).status_code == 404


def test_checked_today_records_who_and_when(pension: ServiceCard, world: World) -> None:
    client = as_user(world, "coordinator_a")
    response = client.post(reverse("eservices_staff:card_verify", args=[pension.pk]), {"next": "/staff/services/"})
    assert response.status_code == 302
    pension.refresh_from_db()
    assert pension.verified_on == timezone.localdate()
    assert pension.verified_by == world.users["coordinator_a"]
    assert pension.versions.first().comment == "Verified"


def test_needs_verification_is_one_rule_everywhere(pension: ServiceCard, world: World, client: Client) -> None:
    """The card page, the staff list, the API and the queryset agree on the day a card falls due."""
    today = timezone.localdate()
    editor = as_user(world, "coordinator_a")
    for days, due in ((365, False), (366, True)):
        services.card_update(actor=None, card=pension, verified_on=today - dt.timedelta(days=days))
        pension.refresh_from_db()
        assert pension.needs_verification is due
        assert ServiceCard.objects.needs_verification(today).filter(pk=pension.pk).exists() is due
        assert client.get(f"/api/v1/services/{pension.identifier}/").json()["needs_verification"] is due
        assert client.get(reverse("eservices:card", args=[pension.identifier])).context["stale"] is due
        staff_page = editor.get(reverse("eservices_staff:cards"), {"show": "active"})
        row = next(card for card in staff_page.context["page"] if card.pk == pension.pk)
        assert row.needs_verification is due


def test_the_printed_card_lists_the_consultants_centre_first_then_the_nearest(
    pension: ServiceCard, world: World
) -> None:
    from cipnet.directory import services as directory_services

    def centre(name: str, lat: float, lon: float):  # type: ignore[no-untyped-def]
        made = directory_services.centre_create(
            actor=None,
            name=name,
            host=world.centre_b.host,
            settlement=world.centre_b.settlement,
            address="вул. Лісова, 1",
            latitude=lat,
            longitude=lon,
            status="active",
            public_computers=1,
        )
        CentreService.objects.create(centre=made, card=pension)
        return made

    far = centre("А-центр далеко", 48.29, 25.93)  # ~200 km away, first by name
    CentreService.objects.create(centre=world.centre_a, card=pension)  # Mykolaiv, ~900 km
    CentreService.objects.create(centre=world.centre_b, card=pension)
    near = centre("Я-центр поруч", 49.53, 23.99)  # ~1 km from centre B
    url = reverse("eservices:card", args=[pension.identifier])
    response = as_user(world, "consultant_b").get(url, {"print": "1"})
    centres = response.context["centres"]
    assert [c.pk for c in centres][:3] == [world.centre_b.pk, near.pk, far.pk]
    assert len(centres) <= 5
