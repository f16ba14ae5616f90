"""The finder and places: big cities go straight to the city, and a place with no centre near it
gets the nearest centres by distance and the regional coordinator (issue 14, finder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from cipnet.core.text import name_key
from cipnet.directory import services
from cipnet.directory.geography import administrative_centres
from cipnet.directory.katottg import parse_codifier, territory_import
from cipnet.directory.models import CoordinationOffice, HostInstitution, HostKind, Region, Territory
from cipnet.directory.selectors import haversine_km

# Vinnytsia, Zakarpattia, Kyiv oblast, Lviv, Mykolaiv, Rivne and Khmelnytskyi oblasts: Bila Tserkva the
# city (Kyiv oblast) and the village (Zakarpattia), Kamianets-Podilskyi, and the cities people type.
OBLASTS = ("UA05", "UA21", "UA32", "UA46", "UA48", "UA56", "UA68")
KAMIANETS = "UA68020110010097898"
BILA_TSERKVA_CITY = "UA32020010010081183"
BILA_TSERKVA_VILLAGE = "UA21080110020020640"
DEMO = Path(__file__).resolve().parents[1] / "demo" / "centres.json"


@pytest.fixture
def places(db: None, katottg_lines: list[str]) -> None:
    territory_import(
        source=parse_codifier([katottg_lines[0], *(x for x in katottg_lines[1:] if x.startswith(OBLASTS))])
    )


def _city(oblast: str, name: str) -> Territory:
    return Territory.objects.get(code__startswith=oblast, level="M", name=name)


def _centre(settlement: Territory, name: str, lat: float, lon: float) -> None:
    host = HostInstitution.objects.create(
        name=f"Бібліотека {name}", kind=HostKind.LIBRARY_BRANCH, settlement=settlement
    )
    services.centre_create(
        actor=None, name=name, host=host, settlement=settlement, address="вул. Соборна, 1",
        latitude=lat, longitude=lon, status="active",
    )  # fmt: skip


@pytest.fixture
def vinnytsia_centres(places: None) -> CoordinationOffice:
    """Centres only in Vinnytsia oblast (Bar, Vinnytsia) and its coordination office, as in the demo."""
    _centre(_city("UA05", "Бар"), "ЦІП у Барі", 49.077, 27.68)
    _centre(_city("UA05", "Вінниця"), "ЦІП обласної бібліотеки", 49.233, 28.47)
    return CoordinationOffice.objects.create(
        region=Region.objects.get(slug="vinnytska"), name="Вінницьке обласне бюро координації",
        settlement=_city("UA05", "Вінниця"), phone="(0432) 55-55-55", email="bureau@example.org",
    )  # fmt: skip


def finder(client: Client, **params: str):  # type: ignore[no-untyped-def]
    return client.get(reverse("public:finder"), params)


# --- Where places are --------------------------------------------------------------------------


def test_every_raion_and_oblast_of_the_codifier_has_a_point(katottg_lines: list[str]) -> None:
    points = administrative_centres()
    rows = parse_codifier(katottg_lines)
    missing = [row.name for row in rows if row.level in ("O", "K") and (name_key(row.name), "") not in points]
    oblasts = {row.code[:4]: name_key(row.name) for row in rows if row.level in ("O", "K")}
    for row in rows:
        if row.level == "P" and (oblasts[row.code[:4]], name_key(row.name)) not in points:
            missing.append(row.name)
    assert missing == []


def test_the_demo_centres_lie_near_their_raion_centre() -> None:
    """A check of the hand-kept points: each demo centre is within 60 km of its raion's centre."""
    points = administrative_centres()
    far = []
    for centre in json.loads(DEMO.read_text(encoding="utf-8"))["centres"]:
        place = centre["settlement"]
        _name, lat, lon = points[(name_key(place["oblast"]), name_key(place["raion"]))]
        distance = haversine_km(lat, lon, centre["latitude"], centre["longitude"])
        if distance > 60:
            far.append((centre["slug"], round(distance)))
    assert far == []


# --- A place with no centre ----------------------------------------------------------------------


def test_kamianets_podilskyi_gets_the_nearest_centres_by_distance(
    vinnytsia_centres: CoordinationOffice, client: Client
) -> None:
    response = finder(client, place="Кам’янець-Подільський")
    result = response.context["result"]
    assert result.place.code == KAMIANETS
    assert [row.centre.name for row in result.rows] == ["ЦІП у Барі", "ЦІП обласної бібліотеки"]
    assert 85 < result.rows[0].distance_km < 97  # "near me" from the town finds Bar 91 km away
    html = response.content.decode()
    assert "У м. Кам’янець-Подільський центру немає." in html
    assert "Найближчі центри" in html
    assert "за 91 км" in html
    # Nobody set a filter, so nobody is told to untick one.
    assert "фільтр" not in html.lower()
    assert "Відкрито зараз”" not in html
    # Khmelnytskyi oblast has no coordination office: the nearest centre's region's is shown.
    assert result.coordinator == vinnytsia_centres
    assert "(0432) 55-55-55" in html
    assert "bureau@example.org" in html


def test_bila_tserkva_goes_to_the_city_and_offers_the_village(
    vinnytsia_centres: CoordinationOffice, client: Client
) -> None:
    response = finder(client, place="Біла Церква")
    result = response.context["result"]
    assert result.place.code == BILA_TSERKVA_CITY
    assert [c.territory.code for c in result.alternatives] == [BILA_TSERKVA_VILLAGE]
    assert result.choices == []
    assert result.rows and result.rows[0].distance_km is not None
    html = response.content.decode()
    assert "Можливо, ви мали на увазі" in html
    assert f"settlement={BILA_TSERKVA_VILLAGE}" in html
    assert "У м. Біла Церква центру немає." in html


def test_the_region_of_the_place_gives_its_own_coordinator(
    vinnytsia_centres: CoordinationOffice, client: Client
) -> None:
    own = CoordinationOffice.objects.create(
        region=Region.objects.get(slug="khmelnytska"), name="Хмельницьке бюро",
        settlement=_city("UA68", "Хмельницький"), phone="(0382) 11-11-11",
    )  # fmt: skip
    result = finder(client, place="Кам’янець-Подільський").context["result"]
    assert result.coordinator == own


def test_filters_are_mentioned_only_when_set(vinnytsia_centres: CoordinationOffice, client: Client) -> None:
    html = finder(client, place="Кам’янець-Подільський", features="hearing_loop").content.decode()
    assert "фільтр" in html.lower()
    html = finder(client, place="Біла Церква").content.decode()
    assert "фільтр" not in html.lower()


def test_a_place_with_a_centre_of_its_own_is_listed_as_before(
    vinnytsia_centres: CoordinationOffice, client: Client
) -> None:
    result = finder(client, place="Бар").context["result"]
    assert result.place.name == "Бар"
    assert result.rows[0].centre.name == "ЦІП у Барі"
    assert result.rows[0].distance_km is None
    assert result.groups


# --- Big cities ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "oblast"),
    [("Миколаїв", "UA48"), ("Львів", "UA46"), ("Рівне", "UA56"), ("Вінниця", "UA05"), ("Mykolaiv", "UA48"),
     ("у Львові", "UA46"), ("Rivne", "UA56")],
)  # fmt: skip
def test_big_cities_go_straight_to_the_city(places: None, client: Client, typed: str, oblast: str) -> None:
    result = finder(client, place=typed).context["result"]
    assert result.choices == []
    assert result.place is not None
    assert result.place.level == "M"
    assert result.place.code.startswith(oblast)


def test_same_named_villages_still_ask_which(places: None, client: Client) -> None:
    result = finder(client, place="Підмонастирок").context["result"]
    assert result.place is None
    assert len(result.choices) == 2
