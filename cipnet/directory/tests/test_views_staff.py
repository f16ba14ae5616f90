"""Staff forms: bad input is shown beside the field, what was typed is kept, nothing is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cipnet.directory import services
from cipnet.directory.models import Centre, OpeningException, OpeningHours
from cipnet.testing import World


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are checked in English; the request (under /en/) and the assertions both use it."""
    with translation.override("en"):
        yield


@pytest.fixture
def manager(world: World) -> Client:
    client = Client()
    client.force_login(world.users["manager_a"])
    return client


def centre_data(world: World, **changes: object) -> dict:
    centre = world.centre_a
    data = {
        "name": centre.name,
        "host": centre.host_id,
        "status": centre.status,
        "settlement": centre.settlement.code,
        "address": centre.address,
        "latitude": centre.latitude,
        "longitude": centre.longitude,
        "public_computers": centre.public_computers,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"latitude": "31.99", "longitude": "46.96"}, "latitude", "outside Ukraine"),
        ({"latitude": "52.23", "longitude": "21.01"}, "longitude", "outside Ukraine"),  # Warsaw
        ({"latitude": "46.96", "longitude": ""}, "longitude", "both latitude and longitude"),
        ({"settlement": "UA99999999999999999"}, "settlement", "Unknown territory code"),
        ({"settlement": "UA48060150000071713"}, "settlement", "not a city, town or village"),
        ({"settlement": "Миколаїв"}, "settlement", "several places"),
        ({"settlement": "Атлантида"}, "settlement", "No settlement called"),
        ({"phone": "call me maybe"}, "phone", "does not look like a phone number"),
        ({"public_computers": "-3"}, "public_computers", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_edit_form_errors(world: World, manager: Client, changes: dict, field: str, message: str) -> None:
    response = manager.post(reverse("staff:centre_edit", args=[world.centre_a.pk]), centre_data(world, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html  # the message sits next to the field
    assert 'class="error-summary"' in html
    for value in changes.values():
        if value:
            assert str(value) in html  # what was typed is kept
    world.centre_a.refresh_from_db()
    assert world.centre_a.name == "Центральна бібліотека ім. М. Л. Кропивницького"


def test_duplicate_centre_in_one_host_is_refused(world: World) -> None:
    client = Client()
    client.force_login(world.users["admin"])
    data = centre_data(world, address="вул. Інша, 1")
    before = Centre.objects.count()
    response = client.post(reverse("staff:centre_create"), data)
    assert response.status_code == 200
    assert "already has a centre with this name" in " ".join(response.context["form"].errors["name"])
    assert Centre.objects.count() == before


def test_settlement_by_unambiguous_name_and_new_centre(world: World) -> None:
    client = Client()
    client.force_login(world.users["coordinator_a"])
    data = centre_data(world, name="Новий центр", settlement="UA48060150010035747", status="planned")
    response = client.post(reverse("staff:centre_create"), data)
    assert response.status_code == 302
    centre = Centre.objects.get(name="Новий центр")
    assert centre.region == world.region_a
    assert response.headers["Location"] == reverse("staff:centre_hours", args=[centre.pk])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"d0_0_opens": "18:00", "d0_0_closes": "09:00"}, "d0_0_closes", "later than the opening time"),
        ({"d1_0_opens": "09:00"}, "d1_0_closes", "closing time too"),
        ({"d2_0_closes": "13:00"}, "d2_0_opens", "opening time too"),
        ({"d3_0_opens": "09:00", "d3_0_closes": "14:00", "d3_1_opens": "13:00", "d3_1_closes": "18:00"},
         "d3_1_opens", "overlap"),
        ({"d4_0_opens": "9 ранку", "d4_0_closes": "13:00"}, "d4_0_opens", "valid time"),
    ],
)  # fmt: skip
def test_hours_form_errors(world: World, manager: Client, data: dict, field: str, message: str) -> None:
    before = list(OpeningHours.objects.filter(centre=world.centre_a).values_list("weekday", "opens", "closes"))
    response = manager.post(reverse("staff:centre_hours", args=[world.centre_a.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    html = response.content.decode()
    for value in data.values():
        assert f'value="{value}"' in html
    assert list(OpeningHours.objects.filter(centre=world.centre_a).values_list("weekday", "opens", "closes")) == before


def test_hours_with_a_lunch_break_are_saved(world: World, manager: Client) -> None:
    data = {"d0_0_opens": "09:00", "d0_0_closes": "13:00", "d0_1_opens": "14:00", "d0_1_closes": "18:00"}
    response = manager.post(reverse("staff:centre_hours", args=[world.centre_a.pk]), data)
    assert response.status_code == 302
    rows = list(OpeningHours.objects.filter(centre=world.centre_a).values_list("weekday", "opens", "closes"))
    assert [(d, f"{o:%H:%M}", f"{c:%H:%M}") for d, o, c in rows] == [(0, "09:00", "13:00"), (0, "14:00", "18:00")]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date": "2030-01-01", "opens": "10:00", "closes": "09:00"}, "closes"),
        ({"date": "2030-01-01", "opens": "10:00"}, "closes"),
        ({"date": "not a date", "is_closed": "on"}, "date"),
    ],
)
def test_exception_form_errors(world: World, manager: Client, data: dict, field: str) -> None:
    response = manager.post(reverse("staff:exception_add", args=[world.centre_a.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not OpeningException.objects.filter(centre=world.centre_a).exists()


def test_exception_twice_on_one_day_is_refused(world: World, manager: Client) -> None:
    url = reverse("staff:exception_add", args=[world.centre_a.pk])
    assert manager.post(url, {"date": "2030-01-01", "is_closed": "on"}).status_code == 302
    response = manager.post(url, {"date": "2030-01-01", "opens": "10:00", "closes": "12:00"})
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert OpeningException.objects.filter(centre=world.centre_a).count() == 1


def test_a_shared_name_is_answered_by_picking_the_place_not_by_typing_a_code(world: World) -> None:
    """Issue 14: a coordinator creating a centre in a same-named place is offered the places, as in
    the finder; picking one saves the centre there (no 19-character KATOTTG code to type)."""
    client = Client()
    client.force_login(world.users["admin"])
    url = reverse("staff:centre_create")
    data = centre_data(
        world, name="Центр у Миколаєві", settlement="Миколаїв", status="planned", office=world.office_b.pk
    )
    response = client.post(url, data)
    assert response.status_code == 200
    field = response.context["form"].fields["settlement"]
    codes = [place.code for place in field.candidates]
    assert world.centre_b.settlement.code in codes and world.centre_a.settlement.code in codes
    html = response.content.decode()
    assert "Which place do you mean?" in html
    assert f'name="settlement_pick" id="id_settlement_pick_{codes.index(world.centre_b.settlement.code) + 1}"' in html
    assert 'name="settlement_for" value="Миколаїв"' in html
    assert not Centre.objects.filter(name="Центр у Миколаєві").exists()

    picked = {**data, "settlement_pick": world.centre_b.settlement.code, "settlement_for": "Миколаїв"}
    response = client.post(url, picked)
    assert response.status_code == 302, response.context["form"].errors
    assert Centre.objects.get(name="Центр у Миколаєві").settlement == world.centre_b.settlement


def test_a_pick_does_not_count_once_the_typed_name_changed(world: World) -> None:
    client = Client()
    client.force_login(world.users["admin"])
    data = centre_data(world, name="Центр у Миколаєві", settlement="Атлантида", status="planned")
    data |= {"settlement_pick": world.centre_b.settlement.code, "settlement_for": "Миколаїв"}
    response = client.post(reverse("staff:centre_create"), data)
    assert response.status_code == 200
    assert "No settlement called" in " ".join(response.context["form"].errors["settlement"])


def test_a_misspelt_name_offers_the_places_it_may_mean(world: World, manager: Client) -> None:
    response = manager.post(
        reverse("staff:centre_edit", args=[world.centre_a.pk]), centre_data(world, settlement="Миколаi")
    )
    assert response.status_code == 200
    assert "Choose one of the places below" in " ".join(response.context["form"].errors["settlement"])
    assert response.context["form"].fields["settlement"].candidates


def test_hours_hour_by_hour_follow_every_way_of_writing_hours(world: World, manager: Client) -> None:
    centre = world.centre_a
    data = {"d2_0_opens": "09:30", "d2_0_closes": "13:00"}  # Wednesday
    assert manager.post(reverse("staff:centre_hours", args=[centre.pk]), data).status_code == 302
    centre.refresh_from_db()
    assert centre.week_by_hour[2 * 24 + 9 : 2 * 24 + 14] == "~1110"
    assert centre.week_by_hour.count("0") == 168 - 4
    # Written some other way (in bulk, or by the admin's inline forms): refreshed from the rows stored.
    OpeningHours.objects.filter(centre=centre).update(opens=dt.time(10))
    assert services.centres_refresh_week_by_hour([centre.pk, world.centre_b.pk]) == 1
    centre.refresh_from_db()
    assert centre.week_by_hour[2 * 24 + 9 : 2 * 24 + 14] == "01110"
    assert services.centres_refresh_week_by_hour([centre.pk]) == 0  # nothing changed


def test_admin_inline_hours_refresh_the_week(world: World, django_user_model: Any) -> None:
    admin_user = django_user_model.objects.create_superuser("admin-hours", "admin-hours@example.org", "x-9f!Kq2#vLm")
    client = Client()
    client.force_login(admin_user)
    url = f"/admin/directory/centre/{world.centre_a.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data: dict[str, object] = {}
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()  # as the page's form shows it
        if value is not None:
            data[name] = value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is not None:
                    data[sub.add_prefix(name)] = value
    hours_prefix = next(
        i.formset.prefix for i in page.context["inline_admin_formsets"] if i.formset.model is OpeningHours
    )
    total = int(data[f"{hours_prefix}-TOTAL_FORMS"])  # type: ignore[arg-type]
    data[f"{hours_prefix}-TOTAL_FORMS"] = total + 1
    data.update(
        {
            f"{hours_prefix}-{total}-weekday": 6,
            f"{hours_prefix}-{total}-opens": "10:00",
            f"{hours_prefix}-{total}-closes": "12:30",
        }
    )
    data[f"{hours_prefix}-{total}-centre"] = world.centre_a.pk
    response = client.post(url, {k: ("on" if v is True else v) for k, v in data.items() if v is not False})
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    world.centre_a.refresh_from_db()
    assert world.centre_a.week_by_hour[6 * 24 + 10 : 6 * 24 + 13] == "11~"
