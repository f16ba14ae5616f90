"""Public pages through the test client: home, finder, languages (the centre page: cipnet.portal)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cipnet.directory import services
from cipnet.testing import World


def test_home_explains_and_searches(world: World, client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/centres/"' in html
    assert 'name="place"' in html
    assert "/centres/?region=mykolaivska" in html


def test_home_lists_the_nearest_centres_when_located(world: World, client: Client) -> None:
    response = client.get("/", {"lat": "46.97", "lon": "32.0"})
    rows = response.context["nearest"]
    # The other centre is 658 km away: beyond the 400 km that "near" means.
    assert [row.centre.pk for row in rows] == [world.centre_a.pk]
    assert rows[0].distance_km < 2
    assert "km from you" in response.content.decode() or "км від вас" in response.content.decode()


def test_finder_goes_to_the_oblast_centre_and_offers_the_same_named_town(world: World, client: Client) -> None:
    """Both towns called Миколаїв have a centre; the oblast centre is the one people mean (issue 14)."""
    response = client.get(reverse("public:finder"), {"place": "Миколаїв"})
    result = response.context["result"]
    assert result.choices == []
    assert result.place.code == "UA48060150010035747"
    assert [c.territory.code for c in result.alternatives] == ["UA46100110010094231"]
    assert [row.centre.pk for row in result.rows] == [world.centre_a.pk]
    assert "settlement=UA46100110010094231" in response.content.decode()


@pytest.mark.parametrize("typed", ["у Миколаєві", "Mykolaiv", "МИКОЛАЇВ"])
def test_finder_is_tolerant_of_word_forms_and_transliteration(world: World, client: Client, typed: str) -> None:
    result = client.get(reverse("public:finder"), {"place": typed}).context["result"]
    assert result.place.code == "UA48060150010035747"
    assert len(result.alternatives) == 1


def test_a_mixed_script_spelling_still_asks_which(world: World, client: Client) -> None:
    """Only a whole-name match may choose for the resident; "миколаiв" (a Latin i) matches by its beginning."""
    result = client.get(reverse("public:finder"), {"place": "миколаiв"}).context["result"]
    assert len(result.choices) == 2


def test_finder_with_a_chosen_settlement_lists_its_centres_first(world: World, client: Client) -> None:
    response = client.get(reverse("public:finder"), {"settlement": "UA48060150010035747"})
    result = response.context["result"]
    assert [row.centre.pk for row in result.rows] == [world.centre_a.pk]
    assert result.groups[0][1][0].centre.pk == world.centre_a.pk
    assert "вул. Потьомкінська, 143а" in response.content.decode()


def test_finder_place_not_found_says_so(world: World, client: Client) -> None:
    response = client.get(reverse("public:finder"), {"place": "Qwzxxyq"})
    assert response.status_code == 200
    assert response.context["result"].place_not_found is True


def test_finder_near_me_orders_by_distance(world: World, client: Client) -> None:
    services.centre_create(
        actor=None, name="Стрийський ЦІП", host=world.centre_b.host, settlement=world.centre_b.settlement,
        address="вул. Лесі Українки, 3", latitude=49.26, longitude=23.85, status="active",
    )  # fmt: skip  # Stryi, about 32 km south of Mykolaiv (Lviv oblast)
    response = client.get(reverse("public:finder"), {"lat": "49.53", "lon": "23.98"})
    rows = response.context["result"].rows
    assert [row.centre.name for row in rows] == ["ЦІП у Миколаєві Стрийського району", "Стрийський ЦІП"]
    assert rows[0].distance_km < rows[1].distance_km


@pytest.mark.parametrize("params", [{"lat": "abc", "lon": "1"}, {"lat": "999", "lon": "0"}, {"region": "nowhere"}])
def test_finder_bad_input_is_a_page_not_an_error(world: World, client: Client, params: dict) -> None:
    response = client.get(reverse("public:finder"), params)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_finder_filters_by_feature_and_region(world: World, client: Client) -> None:
    response = client.get(reverse("public:finder"), {"features": "step_free"})
    assert [row.centre.pk for row in response.context["result"].rows] == [world.centre_a.pk]
    response = client.get(reverse("public:finder"), {"region": "lvivska"})
    assert [row.centre.pk for row in response.context["result"].rows] == [world.centre_b.pk]


def test_finder_htmx_request_gets_only_the_results(world: World, client: Client) -> None:
    response = client.get(reverse("public:finder"), {"region": "lvivska"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html


def test_finder_list_query_count_does_not_grow_with_centres(
    world: World, client: Client, django_assert_max_num_queries
) -> None:
    for i in range(15):
        services.centre_create(
            actor=None, name=f"Центр {i}", host=world.centre_a.host, settlement=world.centre_a.settlement,
            address=f"вул. Тестова, {i}", latitude=46.96, longitude=31.99, status="active",
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        client.get(reverse("public:finder"))


def test_language_prefixes_and_switcher(world: World, client: Client) -> None:
    assert client.get("/").headers["Content-Language"] == "uk"
    assert client.get("/en/").headers["Content-Language"] == "en"
    assert client.get("/pl/centres/").headers["Content-Language"] == "pl"
    english = client.get(f"/en/centres/{world.centre_a.slug}/").content.decode()
    assert "M. L. Kropyvnytskyi Central Library" in english  # name_en
    assert '<html lang="en"' in english
    response = client.post("/i18n/setlang/", {"language": "pl", "next": f"/centres/{world.centre_a.slug}/"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/pl/centres/{world.centre_a.slug}/"


def test_security_headers(world: World, client: Client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_switching_language_from_an_english_page(world: World, client: Client) -> None:
    path = f"/centres/{world.centre_a.slug}/"
    response = client.post("/i18n/setlang/", {"language": "pl", "next": f"/en{path}"})
    assert response.headers["Location"] == f"/pl{path}"
    response = client.post("/i18n/setlang/", {"language": "uk", "next": f"/pl{path}"})
    assert response.headers["Location"] == path


def test_a_chosen_place_stays_chosen_when_filters_change(world: World, client: Client) -> None:
    params = {"settlement": "UA48060150010035747", "place": "Миколаїв", "features": "step_free"}
    result = client.get(reverse("public:finder"), params).context["result"]
    assert result.place.code == "UA48060150010035747"
    assert result.choices == []


def test_a_newly_typed_place_wins_over_the_earlier_choice(world: World, client: Client) -> None:
    params = {"settlement": "UA48060150010035747", "place": "Qwzxxyq"}
    result = client.get(reverse("public:finder"), params).context["result"]
    assert result.place is None
    assert result.place_not_found is True


def test_oblast_names_in_english_and_polish(world: World, client: Client) -> None:
    assert "Mykolaiv Oblast" in client.get("/en/centres/", {"place": "Mykolaiv"}).content.decode()
    assert "obwód mikołajowski" in client.get("/pl/centres/", {"place": "Mykolaiv"}).content.decode()


def test_a_place_chosen_from_the_list_after_a_loose_spelling_stays_chosen(world: World, client: Client) -> None:
    """ "миколаiв" (a Latin i) matches no name whole; choosing from the list must not ask again."""
    params = {"settlement": "UA48060150010035747", "place": "миколаiв"}
    result = client.get(reverse("public:finder"), params).context["result"]
    assert result.choices == []
    assert result.place.code == "UA48060150010035747"
