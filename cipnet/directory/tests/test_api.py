"""/api/v1/: the public directory, staff writes with their authorization matrix, errors, schema."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

from cipnet.directory.models import Centre, CentreFeature
from cipnet.directory.tests.api_fixtures import (
    KYIV,
    LVIV,
    LVIV_HROMADA,
    LVIV_OBLAST,
    LVIV_POINT,
    LVIV_RAION,
    NOW,
    PUSTOMYTY_POINT,
    STRYI,
    STRYI_POINT,
    VYNNYKY,
    VYNNYKY_POINT,
    Directory,
)

CENTRES = "/api/v1/centres/"
ClientAs = Callable[[str], APIClient]


def centre_url(slug: str) -> str:
    return f"{CENTRES}{slug}/"


def slugs(response: Any) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def public_url(slug: str, language: str) -> str:
    with translation.override(language):
        return "http://testserver" + reverse("public:centre", args=[slug])


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    # Independent of the selector's implementation: the spherical law of cosines.
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    return 6371.0088 * math.acos(math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))


# --- Centre list -------------------------------------------------------------------------------


def test_list_item_shape(directory: Directory) -> None:
    a = directory.centres["a"]
    response = APIClient().get(CENTRES, {"lang": "en", "q": "Львів"})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert body["results"] == [
        {
            "slug": a.slug,
            "name": "Lviv Centre",
            "host": {
                "id": directory.lviv_host.pk,
                "name": "Львівська обласна бібліотека",
                "kind": "regional_library",
                "kind_label": "Regional library",
            },
            "region": {"slug": "lvivska", "name": "Lviv Oblast"},
            "settlement": {
                "code": LVIV,
                "name": "Lviv",
                "label": "city Lviv",
                "full_label": "city Lviv, Lvivska hromada, Lvivskyi raion, Lviv Oblast",
            },
            "address": "вул. Тестова, 1",
            "postcode": "79000",
            "latitude": LVIV_POINT[0],
            "longitude": LVIV_POINT[1],
            "phones": [
                {"display": "(032) 123-45-67", "tel": "tel:+380321234567"},
                {"display": "+380 67 000 00 00", "tel": "tel:+380670000000"},
            ],
            "email": "lviv@example.org",
            "website": "",
            "status": "active",
            "status_label": "Active",
            "open_now": True,
            "hours_status": "Open now. Closes at 13:00.",
            "distance_km": None,
            "url": public_url(a.slug, "en"),
        }
    ]
    assert response["Content-Language"] == "en"


def test_list_shows_only_public_centres(directory: Directory) -> None:
    response = APIClient().get(CENTRES)
    assert response.status_code == 200
    c = directory.centres
    # Region name, then centre name: Київ < Львівська область; Винники < Львів < Пустомити < Стрий.
    assert slugs(response) == [c["kyiv"].slug, c["b"].slug, c["a"].slug, c["pustomyty"].slug, c["stryi"].slug]
    assert {item["status"] for item in response.json()["results"]} == {"active", "suspended"}


def test_filter_by_region(directory: Directory) -> None:
    response = APIClient().get(CENTRES, {"region": "kyiv"})
    assert slugs(response) == [directory.centres["kyiv"].slug]


def test_filter_by_settlement_orders_hromada_raion_oblast(directory: Directory) -> None:
    c = directory.centres
    response = APIClient().get(CENTRES, {"settlement": VYNNYKY})
    # Vynnyky itself, then Lviv (same hromada), Pustomyty (same raion), Stryi (same oblast); not Kyiv.
    assert slugs(response) == [c["b"].slug, c["a"].slug, c["pustomyty"].slug, c["stryi"].slug]


def test_filter_by_features_requires_all(directory: Directory) -> None:
    c = directory.centres
    both = APIClient().get(CENTRES, {"feature": ["step_free", "lift"]})
    assert slugs(both) == [c["a"].slug]
    one = APIClient().get(CENTRES, {"feature": "step_free"})
    assert slugs(one) == [c["b"].slug, c["a"].slug]


def test_filter_by_text(directory: Directory) -> None:
    response = APIClient().get(CENTRES, {"q": "Стрий"})
    assert slugs(response) == [directory.centres["stryi"].slug]


def test_open_now(directory: Directory) -> None:
    c = directory.centres
    response = APIClient().get(CENTRES, {"open_now": "true", "lang": "en"})
    # Vynnyky opens on Mondays only; Pustomyty is closed today by an exception.
    assert slugs(response) == [c["kyiv"].slug, c["a"].slug, c["stryi"].slug]
    assert all(item["open_now"] for item in response.json()["results"])
    everything = {item["slug"]: item for item in APIClient().get(CENTRES, {"lang": "en"}).json()["results"]}
    assert everything[c["b"].slug]["open_now"] is False
    assert everything[c["b"].slug]["hours_status"] == "Closed. Opens on Monday at 09:00."
    assert everything[c["pustomyty"].slug]["open_now"] is False
    assert everything[c["pustomyty"].slug]["hours_status"] == "Closed. Opens tomorrow at 09:00."


def test_open_now_false_means_no_filter(directory: Directory) -> None:
    assert APIClient().get(CENTRES, {"open_now": "false"}).json()["count"] == 5


def test_pagination(directory: Directory) -> None:
    first = APIClient().get(CENTRES, {"page_size": 2})
    body = first.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (5, 2, None)
    assert body["next"] == "http://testserver/api/v1/centres/?page=2&page_size=2"
    last = APIClient().get(CENTRES, {"page_size": 2, "page": 3}).json()
    assert (len(last["results"]), last["next"]) == (1, None)


def test_page_out_of_range_is_404_with_error_body(directory: Directory) -> None:
    response = APIClient().get(CENTRES, {"page": 99})
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_near_orders_by_distance(directory: Directory) -> None:
    c = directory.centres
    response = APIClient().get(CENTRES, {"near": f"{LVIV_POINT[0]},{LVIV_POINT[1]}", "region": "lvivska"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["slug"] for item in results] == [c["a"].slug, c["b"].slug, c["pustomyty"].slug, c["stryi"].slug]
    expected = [0.0, km(LVIV_POINT, VYNNYKY_POINT), km(LVIV_POINT, PUSTOMYTY_POINT), km(LVIV_POINT, STRYI_POINT)]
    assert [item["distance_km"] for item in results] == [pytest.approx(d, abs=0.01) for d in expected]
    assert 7 < results[1]["distance_km"] < 8
    assert 64 < results[3]["distance_km"] < 67


def test_near_pages_keep_the_order(directory: Directory) -> None:
    c = directory.centres
    params: dict[str, Any] = {"near": "49.8397,24.0297", "region": "lvivska", "page_size": 2}
    first = APIClient().get(CENTRES, params)
    second = APIClient().get(CENTRES, {**params, "page": 2})
    assert first.json()["count"] == 4
    assert slugs(first) + slugs(second) == [c["a"].slug, c["b"].slug, c["pustomyty"].slug, c["stryi"].slug]


def test_near_combines_with_open_now(directory: Directory) -> None:
    response = APIClient().get(CENTRES, {"near": "49.8397,24.0297", "region": "lvivska", "open_now": "1"})
    assert slugs(response) == [directory.centres["a"].slug, directory.centres["stryi"].slug]


def _many_centres(directory: Directory, count: int, *, start: int = 0) -> None:
    for n in range(start, start + count):
        directory.add_centre(
            f"extra{n}",
            name=f"ЦІП номер {n}",
            latitude=LVIV_POINT[0] + n / 1000,
            longitude=LVIV_POINT[1],
            features=["lift"],
        )


@pytest.mark.parametrize("params", [{}, {"near": "49.8397,24.0297"}, {"open_now": "1", "feature": "lift"}])
def test_list_query_count_does_not_grow_with_centres(directory: Directory, params: dict[str, Any]) -> None:
    counts = []
    for start, extra in ((0, 5), (5, 20)):  # 5, then 25 extra centres
        _many_centres(directory, extra, start=start)
        with CaptureQueriesContext(connection) as queries:
            response = APIClient().get(CENTRES, {**params, "page_size": 100})
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


def test_list_query_count_is_exact(directory: Directory) -> None:
    _many_centres(directory, 25)
    with CaptureQueriesContext(connection) as queries:
        response = APIClient().get(CENTRES, {"page_size": 100})
    body = response.json()
    assert body["count"] == 30
    regions = {item["region"]["slug"] for item in body["results"]}
    # counts by region, the page's ids in each region it spans (in name order, from the (region, name)
    # index), the page's centres (with host, region, settlement and its parents), weekly hours, exceptions
    assert len(queries.captured_queries) == 4 + len(regions)


# --- Localisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "centre", "region", "settlement"),
    [
        ("uk", "ЦІП Львів", "Львівська область", "Львів"),
        ("en", "Lviv Centre", "Lviv Oblast", "Lviv"),
        ("pl", "Centrum Lwów", "Obwód lwowski", "Lviv"),
        ("pl-PL,pl;q=0.9,en;q=0.5", "Centrum Lwów", "Obwód lwowski", "Lviv"),
    ],
)
def test_names_follow_accept_language(
    directory: Directory, accept: str, centre: str, region: str, settlement: str
) -> None:
    response = APIClient().get(centre_url(directory.centres["a"].slug), HTTP_ACCEPT_LANGUAGE=accept)
    body = response.json()
    assert (body["name"], body["region"]["name"], body["settlement"]["name"]) == (centre, region, settlement)
    assert response["Content-Language"] == accept[:2]


def test_missing_translation_falls_back_to_ukrainian(directory: Directory) -> None:
    response = APIClient().get(centre_url(directory.centres["b"].slug), HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["name"] == "ЦІП Винники"


def test_lang_parameter_wins_over_accept_language(directory: Directory) -> None:
    response = APIClient().get(CENTRES, {"lang": "pl", "region": "lvivska", "q": "Львів"}, HTTP_ACCEPT_LANGUAGE="en")
    assert [item["name"] for item in response.json()["results"]] == ["Centrum Lwów"]
    assert response["Content-Language"] == "pl"


def test_unknown_lang_is_400(directory: Directory) -> None:
    response = APIClient().get(CENTRES, {"lang": "de"})
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"lang"}


# --- Centre detail -----------------------------------------------------------------------------


def test_detail(directory: Directory) -> None:
    a = directory.centres["a"]
    response = APIClient().get(centre_url(a.slug), {"lang": "en"})
    assert response.status_code == 200
    body = response.json()
    list_item = APIClient().get(CENTRES, {"lang": "en", "q": "Львів"}).json()["results"][0]
    assert {key: body[key] for key in list_item} == list_item
    assert body["description"] == "Help with Diia."
    assert body["texts"] == {
        "name": "ЦІП Львів",
        "name_en": "Lviv Centre",
        "name_pl": "Centrum Lwów",
        "description": "Допомога з Дією.",
        "description_en": "Help with Diia.",
        "description_pl": "",
    }
    assert body["public_computers"] == 6
    assert body["opened_on"] is None
    assert body["languages"] == [{"code": "uk", "label": "Ukrainian"}, {"code": "en", "label": "English"}]
    assert body["features"] == [{"code": "lift", "label": "Lift"}, {"code": "step_free", "label": "Step-free entrance"}]
    assert body["hours"][:2] == [
        {"weekday": 0, "weekday_label": "Monday", "opens": "09:00", "closes": "13:00"},
        {"weekday": 0, "weekday_label": "Monday", "opens": "14:00", "closes": "18:00"},
    ]
    assert len(body["hours"]) == 10
    assert body["exceptions"] == []
    assert body["office"]["name"] == "Lviv regional office"
    assert body["office"]["settlement"]["code"] == LVIV


def test_detail_lists_upcoming_exceptions(directory: Directory) -> None:
    body = APIClient().get(centre_url(directory.centres["pustomyty"].slug)).json()
    assert body["exceptions"] == [
        {"date": NOW.date().isoformat(), "is_closed": True, "opens": None, "closes": None, "reason": "Вимкнення світла"}
    ]
    assert body["office"] is None


def test_detail_of_unknown_centre_is_404(directory: Directory) -> None:
    response = APIClient().get(centre_url("no-such-centre"), {"lang": "en"})
    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "Not found."}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 404),
        ("resident", 404),
        ("consultant_a", 404),
        ("manager_b", 404),
        ("coordinator_kyiv", 404),
        ("coordinator_lviv", 200),
        ("admin", 200),
    ],
)
def test_planned_centre_is_visible_only_to_staff_in_scope(
    directory: Directory, client_as: ClientAs, role: str, status: int
) -> None:
    response = client_as(role).get(centre_url(directory.centres["planned"].slug))
    assert response.status_code == status
    if status == 200:
        assert response.json()["status"] == "planned"


# --- Create: authorization -----------------------------------------------------------------


def new_centre(settlement: str = LVIV, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Новий ЦІП",
        "host": None,
        "settlement": settlement,
        "address": "вул. Нова, 5",
        **extra,
    }


@pytest.mark.parametrize(
    ("role", "settlement", "status"),
    [
        ("anonymous", LVIV, 401),
        ("resident", LVIV, 403),
        ("consultant_a", LVIV, 403),
        ("manager_a", LVIV, 403),
        ("coordinator_lviv", LVIV, 201),
        ("coordinator_lviv", KYIV, 403),
        ("coordinator_kyiv", LVIV, 403),
        ("coordinator_kyiv", KYIV, 201),
        ("admin", LVIV, 201),
        ("admin", KYIV, 201),
    ],
)
def test_create_authorization(
    directory: Directory, client_as: ClientAs, role: str, settlement: str, status: int
) -> None:
    before = set(Centre.objects.values_list("pk", flat=True))
    data = new_centre(settlement, host=directory.lviv_host.pk)
    response = client_as(role).post(CENTRES, data, format="json")
    assert response.status_code == status, response.content
    created = set(Centre.objects.values_list("pk", flat=True)) - before
    if status == 201:
        assert len(created) == 1
        centre = Centre.objects.get(pk=created.pop())
        assert centre.settlement.code == settlement
        assert centre.region == (directory.kyiv_region if settlement == KYIV else directory.lviv_region)
    else:
        assert created == set()
        assert error(response)["code"] in {"not_authenticated", "permission_denied"}


def test_anonymous_write_asks_for_a_token(directory: Directory) -> None:
    response = APIClient().post(CENTRES, new_centre(host=directory.lviv_host.pk), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error(response)["code"] == "not_authenticated"


def test_create_returns_the_centre(directory: Directory, client_as: ClientAs) -> None:
    data = new_centre(
        host=directory.lviv_host.pk,
        name_en="New centre",
        latitude=49.8,
        longitude=24.0,
        phone="(032) 111-22-33",
        status="active",
        public_computers=3,
        languages=["uk", "pl"],
        features=["hearing_loop", "lift"],
        opened_on="2026-01-15",
        office=directory.office.pk,
    )
    response = client_as("coordinator_lviv").post(f"{CENTRES}?lang=en", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    centre = Centre.objects.get(slug=body["slug"])
    assert response["Location"] == body["url"] == public_url(centre.slug, "en")
    assert (body["name"], body["status"], body["public_computers"], body["opened_on"]) == (
        "New centre",
        "active",
        3,
        "2026-01-15",
    )
    assert [f["code"] for f in body["features"]] == ["hearing_loop", "lift"]
    assert sorted(CentreFeature.objects.filter(centre=centre).values_list("feature", flat=True)) == [
        "hearing_loop",
        "lift",
    ]
    assert body["region"] == {"slug": "lvivska", "name": "Lviv Oblast"}
    assert body["hours"] == []
    assert body["hours_status"] == "Closed. No opening hours in the next two weeks."


def test_session_writes_need_csrf(directory: Directory) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(directory.users["admin"])
    before = Centre.objects.count()
    response = client.post(f"{CENTRES}?lang=en", new_centre(host=directory.lviv_host.pk), format="json")
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert "CSRF" in error(response)["message"]
    assert Centre.objects.count() == before
    assert client.get(CENTRES).status_code == 200  # reading needs no token


def test_session_write_with_csrf_token(directory: Directory) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(directory.users["admin"])
    secret = "abcdefghijklmnopqrstuvwxyz012345"  # a CSRF secret: 32 letters and digits
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = client.post(CENTRES, new_centre(host=directory.lviv_host.pk), format="json", HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201, response.content


# --- Update: authorization -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("resident", 404),
        ("consultant_a", 404),
        ("manager_a", 200),
        ("manager_b", 404),
        ("coordinator_lviv", 200),
        ("coordinator_kyiv", 404),
        ("admin", 200),
    ],
)
def test_update_authorization(directory: Directory, client_as: ClientAs, role: str, status: int) -> None:
    centre = directory.centres["a"]
    response = client_as(role).patch(
        centre_url(centre.slug), {"public_computers": 12, "features": ["parking"]}, format="json"
    )
    assert response.status_code == status, response.content
    centre.refresh_from_db()
    features = sorted(centre.features.values_list("feature", flat=True))
    if status == 200:
        assert (centre.public_computers, features) == (12, ["parking"])
        assert response.json()["public_computers"] == 12
    else:
        assert (centre.public_computers, features) == (6, ["lift", "step_free"])
        assert error(response)["code"] in {"not_authenticated", "not_found"}


def test_update_changes_only_what_is_sent(directory: Directory, client_as: ClientAs) -> None:
    centre = directory.centres["a"]
    response = client_as("manager_a").patch(centre_url(centre.slug), {"name_pl": "Centrum"}, format="json")
    assert response.status_code == 200
    centre.refresh_from_db()
    assert (centre.name, centre.name_pl, centre.public_computers) == ("ЦІП Львів", "Centrum", 6)
    assert sorted(centre.features.values_list("feature", flat=True)) == ["lift", "step_free"]


def test_update_of_a_planned_centre_by_its_coordinator(directory: Directory, client_as: ClientAs) -> None:
    centre = directory.centres["planned"]
    response = client_as("coordinator_lviv").patch(centre_url(centre.slug), {"status": "active"}, format="json")
    assert response.status_code == 200
    assert Centre.objects.get(pk=centre.pk).status == "active"


def test_coordinator_cannot_move_a_centre_out_of_the_region(directory: Directory, client_as: ClientAs) -> None:
    centre = directory.centres["a"]
    response = client_as("coordinator_lviv").patch(centre_url(centre.slug), {"settlement": KYIV}, format="json")
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    centre.refresh_from_db()
    assert (centre.settlement.code, centre.region_id) == (LVIV, directory.lviv_region.pk)


def test_the_region_rule_speaks_the_same_on_the_page_and_in_the_api(directory: Directory, client_as: ClientAs) -> None:
    # One rule in `services.centre_create` / `centre_update` (a `Forbidden` naming the settlement):
    # the API answers 403 with its message, the staff form shows the same words beside the field.
    refused = client_as("coordinator_lviv").post(
        f"{CENTRES}?lang=en", new_centre(settlement=KYIV, host=directory.lviv_host.pk), format="json"
    )
    assert refused.status_code == 403
    assert error(refused)["message"] == "You can add centres only in the regions you coordinate."
    moved = client_as("coordinator_lviv").patch(
        f"{centre_url(directory.centres['a'].slug)}?lang=en", {"settlement": KYIV}, format="json"
    )
    assert error(moved)["message"] == "You cannot move the centre to a region you do not coordinate."
    page = Client()
    page.force_login(directory.users["coordinator_lviv"])
    with translation.override("en"):
        form = page.post(
            "/en/staff/centres/new/",
            {
                "name": "Новий ЦІП",
                "host": directory.lviv_host.pk,
                "settlement": KYIV,
                "address": "вул. Нова, 5",
                "status": "planned",
                "public_computers": 2,
            },
        )
    assert form.status_code == 200
    assert form.context["form"].errors.get("settlement") == ["You can add centres only in the regions you coordinate."]
    assert Centre.objects.filter(name="Новий ЦІП").count() == 0


def test_admin_moves_a_centre_and_its_region_follows(directory: Directory, client_as: ClientAs) -> None:
    centre = directory.centres["a"]
    # Its Lviv coordination office cannot follow it to Kyiv: that is refused, naming the field...
    response = client_as("admin").patch(centre_url(centre.slug), {"settlement": KYIV}, format="json")
    assert response.status_code == 400
    assert "office" in error(response)["fields"]
    # ...and accepted once the office is cleared.
    response = client_as("admin").patch(centre_url(centre.slug), {"settlement": KYIV, "office": None}, format="json")
    assert response.status_code == 200
    assert response.json()["region"]["slug"] == "kyiv"
    centre.refresh_from_db()
    assert centre.region_id == directory.kyiv_region.pk


def test_patch_unknown_centre_is_404(directory: Directory, client_as: ClientAs) -> None:
    response = client_as("admin").patch(centre_url("no-such-centre"), {"name": "x"}, format="json")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_methods_not_offered(directory: Directory, client_as: ClientAs) -> None:
    url = centre_url(directory.centres["a"].slug)
    assert client_as("admin").delete(url).status_code == 405
    assert client_as("admin").put(url, {}, format="json").status_code == 405
    assert error(client_as("admin").delete(url))["code"] == "method_not_allowed"
    assert Centre.objects.filter(pk=directory.centres["a"].pk).exists()


# --- Validation: bad input is a 400 naming the field, never a 500 ----------------------------


def post_as_admin(client_as: ClientAs, data: Any) -> Any:
    return client_as("admin").post(f"{CENTRES}?lang=en", data, format="json")


def test_every_bad_field_is_named(directory: Directory, client_as: ClientAs) -> None:
    before = Centre.objects.count()
    response = post_as_admin(
        client_as,
        {
            "name": "",
            "host": "abc",
            "office": 10**9,
            "settlement": "UA00000000000000000",
            "latitude": "north",
            "longitude": [1],
            "public_computers": "many",
            "email": "not-an-email",
            "website": "ftp//x",
            "status": "open",
            "opened_on": "yesterday",
            "languages": ["uk", "xx"],
            "features": ["step_free", "teleport"],
            "lattitude": 49.8,
            "region": "kyiv",
        },
    )
    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {
        "name",
        "host",
        "office",
        "settlement",
        "latitude",
        "longitude",
        "public_computers",
        "email",
        "website",
        "status",
        "opened_on",
        "languages",
        "features",
        "lattitude",
        "region",
        "address",
    }
    assert body["fields"]["settlement"] == ["Unknown territory code “UA00000000000000000”."]
    assert body["fields"]["lattitude"] == ["Unknown field."]
    assert body["fields"]["features"] == {"1": ['"teleport" is not a valid choice.']}
    assert body["fields"]["address"] == ["This field is required."]
    assert Centre.objects.count() == before


@pytest.mark.parametrize(
    ("extra", "field", "message_part"),
    [
        ({"latitude": 91, "longitude": 24}, "latitude", "outside Ukraine"),
        ({"latitude": 49.8, "longitude": -200}, "longitude", "outside Ukraine"),
        ({"latitude": "1e999", "longitude": 24}, "latitude", "valid number"),
        ({"latitude": "nan", "longitude": 24}, "latitude", "valid number"),
        ({"latitude": 49.8}, "longitude", "both latitude and longitude"),
        ({"phone": "call me maybe"}, "phone", "does not look like a phone number"),
        ({"public_computers": 10**20}, "public_computers", "500"),
        ({"public_computers": -1}, "public_computers", "0"),
        ({"settlement": LVIV_RAION}, "settlement", "not a larger territory"),
        ({"name": "x" * 300}, "name", "250"),
        ({"name": "a\x00b"}, "name", "Null characters"),
        ({"languages": "uk"}, "languages", "list"),
        ({"features": "lift"}, "features", "list"),
        ({"features": [None]}, "features", "null"),
        ({"features": None}, "features", "null"),
        ({"languages": [1]}, "languages", "valid choice"),
        ({"settlement": [LVIV]}, "settlement", "Unknown territory code"),
        ({"settlement": {"code": LVIV}}, "settlement", "Unknown territory code"),
        ({"host": True}, "host", "Incorrect type"),
        ({"host": [1]}, "host", "Incorrect type"),
        ({"host": 10**30}, "host", "does not exist"),
        ({"office": 10**30}, "office", "does not exist"),
        ({"office": -1}, "office", "does not exist"),
        ({"name": {"uk": "x"}}, "name", "Not a valid string"),
        ({"public_computers": 1.5}, "public_computers", "valid integer"),
        ({"public_computers": True}, "public_computers", "valid integer"),
        ({"opened_on": "2026-02-30"}, "opened_on", "wrong format"),
        ({"status": None}, "status", "null"),
        ({"email": "a@b"}, "email", "valid email"),
    ],
)
def test_domain_and_type_errors(
    directory: Directory, client_as: ClientAs, extra: dict[str, Any], field: str, message_part: str
) -> None:
    before = Centre.objects.count()
    data = {**new_centre(host=directory.lviv_host.pk), **extra}
    response = post_as_admin(client_as, data)
    assert response.status_code == 400, response.content
    fields = error(response)["fields"]
    assert list(fields) == [field]
    assert message_part in str(fields[field])
    assert Centre.objects.count() == before


def test_same_name_in_the_same_host_is_refused(directory: Directory, client_as: ClientAs) -> None:
    data = new_centre(host=directory.lviv_host.pk, name="ЦІП Львів")
    response = post_as_admin(client_as, data)
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["non_field_errors"]


@pytest.mark.parametrize("body", [[], ["name"], "name", 5, None, True])
def test_body_of_the_wrong_json_type(directory: Directory, client_as: ClientAs, body: Any) -> None:
    response = client_as("admin").post(CENTRES, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert error(response)["code"] in {"invalid", "parse_error"}
    patch = client_as("admin").patch(
        centre_url(directory.centres["a"].slug), json.dumps(body), content_type="application/json"
    )
    assert patch.status_code == 400


@pytest.mark.parametrize(
    ("payload", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'{"name": NaN}', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b"", "application/json", 400),
        (b"name=x", "application/x-www-form-urlencoded", 415),
        (b"hello", "text/plain", 415),
    ],
)
def test_body_that_is_not_json(
    directory: Directory, client_as: ClientAs, payload: bytes, content_type: str, status: int
) -> None:
    before = Centre.objects.count()
    response = client_as("admin").generic("POST", CENTRES, payload, content_type=content_type)  # type: ignore[arg-type]
    assert response.status_code == status, response.content
    assert error(response)["code"] in {"parse_error", "invalid", "unsupported_media_type"}
    assert Centre.objects.count() == before


def test_patch_garbage_names_fields_and_changes_nothing(directory: Directory, client_as: ClientAs) -> None:
    centre = directory.centres["a"]
    response = client_as("manager_a").patch(
        centre_url(centre.slug),
        {"public_computers": "12 computers", "settlement": "Львів", "colour": "red", "host": None},
        format="json",
    )
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"public_computers", "settlement", "colour", "host"}
    centre.refresh_from_db()
    assert (centre.public_computers, centre.settlement.code) == (6, LVIV)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"open_now": "maybe"}, "open_now"),
        ({"feature": "teleport"}, "feature"),
        ({"region": "atlantis"}, "region"),
        ({"settlement": "UA0"}, "settlement"),
        ({"near": "abc"}, "near"),
        ({"near": "49.8"}, "near"),
        ({"near": "91,24"}, "near"),
        ({"near": "49.8,nan"}, "near"),
        ({"near": "inf,24"}, "near"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_bad_query_parameters(directory: Directory, params: dict[str, str], field: str) -> None:
    response = APIClient().get(CENTRES, {**params, "lang": "en"})
    assert response.status_code == 400, response.content
    assert list(error(response)["fields"]) == [field]


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "-1"}, {"page": "0"}])
def test_bad_page_is_404(directory: Directory, params: dict[str, str]) -> None:
    response = APIClient().get(CENTRES, params)
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


@pytest.mark.parametrize("page_size", ["abc", "-5", "0", "100000"])
def test_bad_page_size_falls_back(directory: Directory, page_size: str) -> None:
    response = APIClient().get(CENTRES, {"page_size": page_size})
    assert response.status_code == 200
    assert response.json()["count"] == 5


def test_bad_token_is_401(directory: Directory) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(CENTRES)
    assert response.status_code == 401
    assert error(response)["code"] == "authentication_failed"


# --- Regions -----------------------------------------------------------------------------------


def test_regions(directory: Directory) -> None:
    response = APIClient().get("/api/v1/regions/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.json() == [
        {"slug": "kyiv", "name": "Kyiv", "territory": KYIV, "centre_count": 1},
        {"slug": "lvivska", "name": "Lviv Oblast", "territory": LVIV_OBLAST, "centre_count": 4},
    ]


def test_region_list_query_count(directory: Directory) -> None:
    with CaptureQueriesContext(connection) as queries:
        APIClient().get("/api/v1/regions/")
    assert len(queries.captured_queries) == 1


def test_region_detail(directory: Directory) -> None:
    response = APIClient().get("/api/v1/regions/lvivska/", {"lang": "uk"})
    assert response.status_code == 200
    body = response.json()
    with translation.override("uk"):
        lviv = directory.places[LVIV]
        label, full_label = lviv.label, lviv.full_label
    assert (body["name"], body["centre_count"]) == ("Львівська область", 4)
    assert body["offices"] == [
        {
            "id": directory.office.pk,
            "name": "Львівське обласне бюро",
            "address": "пл. Ринок, 1",
            "phone": "(032) 000-00-00",
            "email": "",
            "website": "",
            "settlement": {
                "code": LVIV,
                "name": "Львів",
                "label": label,
                "full_label": full_label,
            },
        }
    ]
    assert APIClient().get("/api/v1/regions/atlantis/").status_code == 404


# --- Territories -------------------------------------------------------------------------------

TERRITORIES = "/api/v1/territories/"


def test_territory_list_filters(directory: Directory) -> None:
    by_level = APIClient().get(TERRITORIES, {"level": "M"}).json()
    assert [t["code"] for t in by_level["results"]] == sorted(
        t.code for t in directory.places.values() if t.level == "M"
    )
    by_parent = APIClient().get(TERRITORIES, {"parent": LVIV_HROMADA}).json()
    assert [t["code"] for t in by_parent["results"]] == [LVIV, VYNNYKY]
    assert by_parent["results"][0]["parent"] == LVIV_HROMADA
    assert by_parent["results"][0]["score"] is None
    everything = APIClient().get(TERRITORIES, {"page_size": 5}).json()
    assert (everything["count"], len(everything["results"])) == (len(directory.places), 5)


def test_territory_list_query_count(directory: Directory) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = APIClient().get(TERRITORIES)
    assert response.json()["count"] == len(directory.places)
    assert len(queries.captured_queries) == 2  # count, page (with parent and ancestors)


def test_territory_list_bad_parameters(directory: Directory) -> None:
    for params, field in [({"level": "Z"}, "level"), ({"parent": "nope"}, "parent"), ({"limit": "0"}, "limit")]:
        response = APIClient().get(TERRITORIES, params)
        assert response.status_code == 400
        assert list(error(response)["fields"]) == [field]


def test_territory_detail_has_parents(directory: Directory) -> None:
    response = APIClient().get(f"{TERRITORIES}{VYNNYKY}/", {"lang": "uk"})
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["level"], body["name"], body["parent"]) == (VYNNYKY, "M", "Винники", LVIV_HROMADA)
    assert [(p["code"], p["level"]) for p in body["parents"]] == [
        (LVIV_OBLAST, "O"),
        (LVIV_RAION, "P"),
        (LVIV_HROMADA, "H"),
    ]
    oblast = APIClient().get(f"{TERRITORIES}{LVIV_OBLAST}/").json()
    assert (oblast["parent"], oblast["parents"]) == (None, [])
    assert APIClient().get(f"{TERRITORIES}UA99/").status_code == 404


def test_territory_search(directory: Directory) -> None:
    response = APIClient().get(TERRITORIES, {"q": "у Львові", "lang": "uk"})
    assert response.status_code == 200
    body = response.json()
    assert (body["next"], body["previous"]) == (None, None)
    first = body["results"][0]
    assert (first["code"], first["exact"]) == (LVIV, True)
    assert first["score"] > 0
    assert body["count"] == len(body["results"])


def test_territory_search_in_latin_with_filters(directory: Directory) -> None:
    results = APIClient().get(TERRITORIES, {"q": "Stryi"}).json()["results"]
    assert [r["code"] for r in results] == [STRYI]
    none = APIClient().get(TERRITORIES, {"q": "Stryi", "level": "C"}).json()
    assert none == {"count": 0, "next": None, "previous": None, "results": []}
    in_parent = APIClient().get(TERRITORIES, {"q": "Винники", "parent": LVIV_HROMADA}).json()["results"]
    assert [r["code"] for r in in_parent] == [VYNNYKY]


# --- Schema ----------------------------------------------------------------------------------

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = "manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn --lang en"


def test_schema_is_valid_without_warnings_and_checked_in(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    GENERATOR_STATS.reset()
    # Raises CommandError on any warning or a schema that does not validate.
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn", "--lang", "en")
    assert SCHEMA_FILE.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
        f"docs/openapi.yaml is out of date; run: {REGENERATE}"
    )


@pytest.mark.django_db
def test_schema_is_served() -> None:
    yaml_response = APIClient().get("/api/v1/schema/")
    assert yaml_response.status_code == 200
    assert b"/api/v1/centres/{slug}/" in yaml_response.content
    json_response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert json_response.json()["info"]["title"] == "CIPnet API"


@pytest.mark.parametrize("query", ["00", "12345", " 7 ", "№"])
def test_territory_search_without_letters_is_a_400_naming_q(directory: Directory, query: str) -> None:
    # Regression: `?q=00` was a 500.
    response = APIClient().get(TERRITORIES, {"q": query, "lang": "en"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"q": ["Type at least two letters of the settlement's name."]}


def test_finder_page_with_a_place_in_digits_says_not_found(client, directory: Directory) -> None:
    response = client.get("/centres/", {"place": "00"})
    assert response.status_code == 200
