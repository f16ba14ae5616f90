"""/api/v1/services/: the e-service catalogue — list and search, autocomplete, detail, exports,
and the coordinators' writes with their authorization matrix and field errors."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rdflib import Graph, URIRef
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cipnet.eservices import search, services
from cipnet.eservices.models import CardVersion, Category, LifeEvent, Provider, ServiceCard
from cipnet.eservices.tests.conftest import load_catalogue_for_tests
from cipnet.testing import World

SERVICES = "/api/v1/services/"
AUTOCOMPLETE = "/api/v1/services/autocomplete/"
MYKOLAIV = "UA48060150010035747"
MYKOLAIV_OBLAST = "UA48000000000039575"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CPSV_PUBLIC_SERVICE = URIRef("http://purl.org/vocab/cpsv#PublicService")
ClientFor = Callable[[str], APIClient]

# rdflib's JSON-LD parser still builds a ConjunctiveGraph internally.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def card_url(identifier: str) -> str:
    return f"{SERVICES}{identifier}/"


def public_url(identifier: str, language: str = "uk") -> str:
    with translation.override(language):
        return "http://testserver" + reverse("eservices:card", args=[identifier])


def centre_url(world: World, language: str) -> str:
    with translation.override(language):
        return "http://testserver" + reverse("public:centre", args=[world.centre_a.slug])


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def identifiers(response: Any) -> list[str]:
    return [item["identifier"] for item in response.json()["results"]]


@pytest.fixture
def client_for(world: World) -> ClientFor:
    """An API client signed in as one of the world's users (by token), or anonymous."""

    def make(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            token, _created = Token.objects.get_or_create(user=world.users[role])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def demo(world: World) -> dict[str, ServiceCard]:
    """The shipped demo catalogue (100 cards), and centre A helping with the Pension Fund portal."""
    cards = load_catalogue_for_tests()
    services.centre_set_services(actor=None, centre=world.centre_a, cards=[cards["pfu-e-services-portal"]])
    return cards


# A small catalogue of our own, for the tests that do not need the demo one (faster, exact).


@pytest.fixture
def terms(db: None) -> dict[str, Any]:
    return {
        "provider": Provider.objects.create(
            slug="pfu", name="Пенсійний фонд України", name_en="Pension Fund of Ukraine", website="https://pfu.gov.ua"
        ),
        "other_provider": Provider.objects.create(slug="city", name="Міська рада", kind="local_government"),
        "category": Category.objects.create(slug="pensions", name="Пенсії", name_en="Pensions"),
        "other_category": Category.objects.create(slug="travel", name="Подорожі"),
        "event": LifeEvent.objects.create(slug="retirement", name="Вихід на пенсію", name_en="Retirement"),
    }


def make_card(terms: dict[str, Any], identifier: str, **fields: Any) -> ServiceCard:
    values: dict[str, Any] = {
        "identifier": identifier,
        "name": f"Послуга {identifier}",
        "short_description": "Коротко про послугу.",
        "description": "Докладно про послугу.",
        "kind": "administrative",
        "provider": terms["provider"].pk,
        "categories": [terms["category"]],
        "life_events": [terms["event"]],
        **fields,
    }
    return services.card_create(actor=None, **values)


@pytest.fixture
def small(world: World, terms: dict[str, Any]) -> dict[str, ServiceCard]:
    return {
        "pension": make_card(
            terms,
            "pension-portal",
            name="Портал пенсійних послуг",
            name_en="Pension services portal",
            short_description="Перевірити пенсію і стаж онлайн.",
            short_description_en="Check your pension and insurance record online.",
            keywords=["пенсія", "стаж"],
            popularity=90,
            verified_on="2026-01-10",
        ),
        "travel": make_card(
            terms,
            "train-tickets",
            name="Квитки на поїзд",
            provider=terms["other_provider"].pk,
            categories=[terms["other_category"]],
            life_events=[],
            kind="non_administrative",
            popularity=50,
        ),
        "local": make_card(
            terms,
            "mykolaiv-reception",
            name="Приймальня Миколаєва",
            level="local",
            territory=world.territories[MYKOLAIV].pk,
            popularity=10,
        ),
        "withdrawn": make_card(terms, "old-portal", name="Старий портал", status="withdrawn", popularity=100),
    }


def new_card(**extra: Any) -> dict[str, Any]:
    return {
        "identifier": "e-queue-test",
        "name": "Електронна черга до ЦНАП",
        "short_description": "Записатися на прийом без черги.",
        "description": "Запис на зручний час через сайт.",
        "kind": "administrative",
        "provider": "pfu",
        **extra,
    }


# --- List ----------------------------------------------------------------------------------------


def test_list_item_shape_and_public_cards_only(small: dict[str, ServiceCard]) -> None:
    response = APIClient().get(SERVICES, {"lang": "en"})
    assert response.status_code == 200
    body = response.json()
    # Most asked first; the withdrawn card is left out although it is the most popular.
    assert identifiers(response) == ["pension-portal", "train-tickets", "mykolaiv-reception"]
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert body["results"][0] == {
        "identifier": "pension-portal",
        "name": "Pension services portal",
        "short_description": "Check your pension and insurance record online.",
        "kind": "administrative",
        "kind_label": "Administrative service",
        "level": "national",
        "level_label": "National",
        "territory": None,
        "provider": {
            "slug": "pfu",
            "name": "Pension Fund of Ukraine",
            "kind": "authority",
            "kind_label": "Public authority",
            "website": "https://pfu.gov.ua",
        },
        "categories": [{"slug": "pensions", "name": "Pensions"}],
        "life_events": [{"slug": "retirement", "name": "Retirement"}],
        "status": "active",
        "status_label": "Active",
        "verified_on": "2026-01-10",
        "url": public_url("pension-portal", "en"),
        "score": None,
        "matched": None,
    }
    local = body["results"][2]
    assert local["territory"] == {"code": MYKOLAIV, "level": "M", "name": "Mykolaiv", "label": "city Mykolaiv"}
    assert response["Content-Language"] == "en"


def test_list_falls_back_to_ukrainian(small: dict[str, ServiceCard]) -> None:
    item = APIClient().get(SERVICES, {"lang": "pl"}).json()["results"][1]
    assert (item["identifier"], item["name"], item["provider"]["name"]) == (
        "train-tickets",
        "Квитки на поїзд",
        "Міська рада",
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "non_administrative"}, ["train-tickets"]),
        ({"level": "local"}, ["mykolaiv-reception"]),
        ({"category": "travel"}, ["train-tickets"]),
        ({"life_event": "retirement"}, ["pension-portal", "mykolaiv-reception"]),
        ({"provider": "city"}, ["train-tickets"]),
        ({"region": "mykolaivska"}, ["pension-portal", "train-tickets", "mykolaiv-reception"]),
        ({"region": "lvivska"}, ["pension-portal", "train-tickets"]),
        ({"kind": "administrative", "region": "lvivska"}, ["pension-portal"]),
    ],
)
def test_list_filters(small: dict[str, ServiceCard], params: dict[str, str], expected: list[str]) -> None:
    response = APIClient().get(SERVICES, params)
    assert response.status_code == 200, response.content
    assert identifiers(response) == expected


def test_pagination(small: dict[str, ServiceCard]) -> None:
    body = APIClient().get(SERVICES, {"page_size": 2, "page": 2}).json()
    assert body["count"] == 3
    assert [item["identifier"] for item in body["results"]] == ["mykolaiv-reception"]
    assert body["next"] is None
    assert body["previous"].endswith("page_size=2")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "magic"}, "kind"),
        ({"level": "galactic"}, "level"),
        ({"category": "no-such-category"}, "category"),
        ({"life_event": "no-such-event"}, "life_event"),
        ({"provider": "no-such-provider"}, "provider"),
        ({"region": "atlantis"}, "region"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_bad_list_parameters(small: dict[str, ServiceCard], params: dict[str, str], field: str) -> None:
    response = APIClient().get(SERVICES, {**params, "lang": "en"})
    assert response.status_code == 400, response.content
    assert error(response)["code"] == "invalid"
    assert list(error(response)["fields"]) == [field]


def test_bad_page_is_404(small: dict[str, ServiceCard]) -> None:
    response = APIClient().get(SERVICES, {"page": "99"})
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_list_query_count_does_not_grow(world: World, terms: dict[str, Any]) -> None:
    counts: dict[str, list[int]] = {"browse": [], "search": [], "filtered": []}
    cases = {
        "browse": {"page_size": 100},
        "search": {"q": "послуга", "page_size": 100},
        "filtered": {"q": "послуга", "region": "mykolaivska", "category": "pensions", "page_size": 100},
    }
    made = 0
    for size in (3, 12):
        while made < size:
            territory = world.territories[MYKOLAIV].pk if made % 3 == 0 else None
            make_card(
                terms,
                f"card-{made}",
                level="local" if territory else "national",
                territory=territory,
                categories=[terms["category"], terms["other_category"]],
            )
            made += 1
        for label, params in cases.items():
            APIClient().get(SERVICES, params)  # the search vocabulary is loaded once per change
            with CaptureQueriesContext(connection) as queries:
                response = APIClient().get(SERVICES, params)
            assert response.status_code == 200
            assert response.json()["count"] == size
            counts[label].append(len(queries.captured_queries))
    for label, (few, many) in counts.items():
        assert few == many, (label, counts)
    # count, page (with provider and territory), categories, life events
    assert counts["browse"][0] == 4


# --- Search --------------------------------------------------------------------------------------


def test_search_understands_word_forms_russian_and_typos(demo: dict[str, ServiceCard]) -> None:
    client = APIClient()
    for query, expected in [
        ("пенсію", "pfu-e-services-portal"),
        ("пенсійного фонду", "pfu-e-services-portal"),
        ("билет на поезд", "uz-train-tickets"),
        ("прописка", "residence-registration"),
        ("кадастрвоа карта", "public-cadastral-map"),
    ]:
        response = client.get(SERVICES, {"q": query})
        assert response.status_code == 200, response.content
        assert expected in identifiers(response)[:3], (query, identifiers(response)[:5])
    results = client.get(SERVICES, {"q": "пенсію"}).json()["results"]
    scores = [item["score"] for item in results]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)
    # The same order as the catalogue's own search.
    expected_order = [hit.card.identifier for hit in search.search("пенсію", limit=100).hits]
    assert [item["identifier"] for item in results] == expected_order[:20]
    pfu = next(item for item in results if item["identifier"] == "pfu-e-services-portal")
    assert pfu["matched"]["name"] and all(word.startswith("пенс") for word in pfu["matched"]["name"])
    assert set(pfu["matched"]) <= {"name", "keywords", "description", "guide"}
    assert all(words == sorted(words) for words in pfu["matched"].values())


def test_search_with_filters_and_no_results(demo: dict[str, ServiceCard]) -> None:
    client = APIClient()
    administrative = client.get(SERVICES, {"q": "пенсія", "kind": "non_administrative"}).json()["results"]
    assert administrative
    assert {item["kind"] for item in administrative} == {"non_administrative"}
    outages = identifiers(client.get(SERVICES, {"q": "графік відключень світла", "region": "mykolaivska"}))
    assert "mykolaiv-oblast-outage-schedules" in outages
    assert "lviv-oblast-outage-schedules" not in outages
    # Withdrawn cards are never found.
    assert "mykolaiv-mayor-blog" not in identifiers(client.get(SERVICES, {"q": "блог мера"}))
    nothing = client.get(SERVICES, {"q": "ґзщфхцчшщ"}).json()
    assert nothing == {"count": 0, "next": None, "previous": None, "results": []}


# --- Autocomplete --------------------------------------------------------------------------------


def test_autocomplete(demo: dict[str, ServiceCard]) -> None:
    client = APIClient()
    response = client.get(AUTOCOMPLETE, {"q": "пенсійн", "lang": "en"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert 1 <= len(results) <= 8
    assert set(results[0]) == {"identifier", "name", "provider", "url"}
    assert "pfu-e-services-portal" in [item["identifier"] for item in results[:3]]
    pfu = next(item for item in results if item["identifier"] == "pfu-e-services-portal")
    card = demo["pfu-e-services-portal"]
    assert pfu == {
        "identifier": "pfu-e-services-portal",
        "name": card.name_en,
        "provider": card.provider.name_en or card.provider.name,
        "url": public_url("pfu-e-services-portal", "en"),
    }
    assert response["Server-Timing"].startswith("search;dur=")
    assert client.get(AUTOCOMPLETE, {"q": "п"}).json() == {"results": []}
    assert client.get(AUTOCOMPLETE).json() == {"results": []}
    assert len(client.get(AUTOCOMPLETE, {"q": "довідка", "limit": 3}).json()["results"]) == 3
    bad = client.get(AUTOCOMPLETE, {"q": "пенсія", "limit": 50})
    assert bad.status_code == 400
    assert list(error(bad)["fields"]) == ["limit"]


def test_autocomplete_is_fast_on_the_demo_catalogue(demo: dict[str, ServiceCard]) -> None:
    client = APIClient()
    queries = ["пен", "пенсі", "кадастр", "прописк", "квитки на по", "фоп", "субсид", "довідка про", "лікар", "зно"]
    for text in queries:
        client.get(AUTOCOMPLETE, {"q": text})  # warm: dictionaries and the vocabulary are loaded once
    server_ms = []
    for text in queries * 3:
        response = client.get(AUTOCOMPLETE, {"q": text})
        assert response.status_code == 200
        server_ms.append(float(response["Server-Timing"].split("dur=")[1]))
    # The target is < 100 ms server time; the median leaves room for a busy test machine.
    assert statistics.median(server_ms) < 100, server_ms


# --- Detail --------------------------------------------------------------------------------------


def test_detail_has_every_field(demo: dict[str, ServiceCard], world: World) -> None:
    card = demo["pfu-e-services-portal"]
    response = APIClient().get(card_url(card.identifier), {"lang": "en"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "identifier", "url", "name", "short_description", "description", "texts", "kind", "kind_label", "level",
        "level_label", "territory", "provider", "categories", "life_events", "audience", "keywords", "channels",
        "authentication", "requirements", "cost", "processing_time", "output", "legal_basis", "languages", "guide",
        "status", "status_label", "verified_on", "needs_verification", "popularity", "centres", "updated_at",
    }  # fmt: skip
    assert (body["name"], body["short_description"], body["description"]) == (
        card.name_en,
        card.short_description_en,
        card.description_en,
    )
    assert body["texts"] == {
        "name": card.name,
        "name_en": card.name_en,
        "name_pl": card.name_pl,
        "short_description": card.short_description,
        "short_description_en": card.short_description_en,
        "short_description_pl": card.short_description_pl,
        "description": card.description,
        "description_en": card.description_en,
        "description_pl": card.description_pl,
    }
    assert body["url"] == public_url(card.identifier, "en")
    assert body["provider"]["slug"] == card.provider.slug
    assert [c["slug"] for c in body["categories"]] == sorted(c.slug for c in card.categories.all())
    assert sorted(e["slug"] for e in body["life_events"]) == sorted(e.slug for e in card.life_events.all())
    assert body["keywords"] == card.keywords
    assert [(c["type"], c["url"], c["historical"]) for c in body["channels"]] == [
        (c["type"], c.get("url") or "", bool(c.get("historical"))) for c in card.channels
    ]
    assert all(c["type_label"] for c in body["channels"])
    assert [a["code"] for a in body["authentication"]] == card.authentication
    assert body["requirements"] == card.requirements
    assert body["legal_basis"] == [{"title": x["title"], "url": x.get("url") or ""} for x in card.legal_basis]
    assert body["guide"] == {"steps": card.guide_steps, "pitfalls": card.pitfalls, "bring": card.bring}
    assert (body["cost"], body["processing_time"], body["output"]) == (
        card.cost,
        card.processing_time,
        card.output,
    )
    assert body["languages"] == card.languages
    assert (body["status"], body["verified_on"]) == (
        "active",
        card.verified_on.isoformat() if card.verified_on else None,
    )
    assert body["centres"] == [
        {
            "slug": world.centre_a.slug,
            "name": "M. L. Kropyvnytskyi Central Library",
            "url": centre_url(world, "en"),
        }
    ]


def test_detail_of_a_local_card_in_ukrainian(small: dict[str, ServiceCard]) -> None:
    body = APIClient().get(card_url("mykolaiv-reception")).json()
    assert body["territory"] == {"code": MYKOLAIV, "level": "M", "name": "Миколаїв", "label": "м. Миколаїв"}
    assert (body["name"], body["centres"], body["needs_verification"]) == ("Приймальня Миколаєва", [], True)
    assert body["channels"] == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 404),
        ("resident", 404),
        ("consultant_a", 404),
        ("manager_a", 404),
        ("official", 404),
        ("coordinator_a", 200),
        ("coordinator_b", 200),
        ("admin", 200),
    ],
)
def test_withdrawn_card_is_seen_only_by_editors(
    small: dict[str, ServiceCard], client_for: ClientFor, role: str, status: int
) -> None:
    response = client_for(role).get(card_url("old-portal"))
    assert response.status_code == status
    if status == 200:
        assert response.json()["status"] == "withdrawn"
    else:
        assert error(response)["code"] == "not_found"


def test_unknown_card_is_404(small: dict[str, ServiceCard]) -> None:
    response = APIClient().get(card_url("no-such-card"))
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


# --- Exports -------------------------------------------------------------------------------------


def _get_export(client: APIClient, fmt: str, **headers: str) -> Any:
    return client.get(f"{SERVICES}export.{fmt}", **headers)


def test_exports_are_parseable_and_public_only(demo: dict[str, ServiceCard]) -> None:
    client = APIClient()
    public = sorted(ServiceCard.objects.public().values_list("identifier", flat=True))
    withdrawn = set(ServiceCard.objects.filter(status="withdrawn").values_list("identifier", flat=True))
    assert withdrawn

    response = _get_export(client, "json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="cipnet-services.json"'
    data = json.loads(response.content.decode("utf-8"))
    assert [card["identifier"] for card in data["cards"]] == public

    response = _get_export(client, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cipnet-services.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert sorted(row["identifier"] for row in rows) == public
    pfu = next(row for row in rows if row["identifier"] == "pfu-e-services-portal")
    assert pfu["name"] == demo["pfu-e-services-portal"].name

    for fmt, content_type, rdf_format in (
        ("jsonld", "application/ld+json", "json-ld"),
        ("ttl", "text/turtle; charset=utf-8", "turtle"),
    ):
        response = _get_export(client, fmt)
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="cipnet-services.{fmt}"'
        graph = Graph().parse(data=response.content.decode("utf-8"), format=rdf_format)
        services_in_graph = set(graph.subjects(RDF_TYPE, CPSV_PUBLIC_SERVICE))
        assert len(services_in_graph) == len(public), fmt
        assert URIRef(public_url("pfu-e-services-portal")) in services_in_graph


@pytest.mark.parametrize("fmt", ["json", "csv", "jsonld", "ttl"])
def test_export_etag_and_conditional_get(small: dict[str, ServiceCard], terms: dict[str, Any], fmt: str) -> None:
    client = APIClient()
    first = _get_export(client, fmt)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    # One copy for every visitor: the view asks no cache to keep one per cookie. (LocaleMiddleware
    # adds Accept-Language to every unprefixed path.)
    assert "Cookie" not in first.get("Vary", "")
    # Whatever the client says it accepts, it gets the file (not a 406).
    assert _get_export(client, fmt, HTTP_ACCEPT="text/html").status_code == 200

    again = _get_export(client, fmt, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    # A change of categories alone (which does not save the card row) still changes the ETag...
    services.card_update(actor=None, card=small["pension"], categories=[terms["other_category"]])
    changed = _get_export(client, fmt, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    # ...and so do a renamed provider and a withdrawn card.
    etag = changed["ETag"]
    Provider.objects.filter(slug="city").update(name="Миколаївська міська рада")
    renamed = _get_export(client, fmt, HTTP_IF_NONE_MATCH=etag)
    assert renamed.status_code == 200
    assert renamed["ETag"] != etag
    services.card_update(actor=None, card=small["travel"], status="withdrawn")
    assert _get_export(client, fmt, HTTP_IF_NONE_MATCH=renamed["ETag"]).status_code == 200


def test_export_content_follows_changes(small: dict[str, ServiceCard]) -> None:
    client = APIClient()
    before = json.loads(_get_export(client, "json").content)
    assert [c["identifier"] for c in before["cards"]] == ["mykolaiv-reception", "pension-portal", "train-tickets"]
    services.card_update(actor=None, card=small["travel"], name="Квитки на потяг")
    after = json.loads(_get_export(client, "json").content)
    assert next(c for c in after["cards"] if c["identifier"] == "train-tickets")["name"] == "Квитки на потяг"


# --- Create: authorization -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("resident", 403),
        ("consultant_a", 403),
        ("manager_a", 403),
        ("trainer_a", 403),
        ("official", 403),
        ("coordinator_a", 201),
        ("coordinator_b", 201),
        ("admin", 201),
    ],
)
def test_create_authorization(
    small: dict[str, ServiceCard], client_for: ClientFor, world: World, role: str, status: int
) -> None:
    cards_before = ServiceCard.objects.count()
    versions_before = CardVersion.objects.count()
    response = client_for(role).post(SERVICES, new_card(), format="json")
    assert response.status_code == status, response.content
    if status == 201:
        card = ServiceCard.objects.get(identifier="e-queue-test")
        version = card.versions.get()
        assert (version.number, version.author) == (1, world.users[role])
        body = response.json()
        assert response["Location"] == body["url"] == public_url("e-queue-test")
        assert (body["identifier"], body["name"], body["level"], body["status"]) == (
            "e-queue-test",
            "Електронна черга до ЦНАП",
            "national",
            "active",
        )
    else:
        assert ServiceCard.objects.count() == cards_before
        assert CardVersion.objects.count() == versions_before
        assert error(response)["code"] == ("not_authenticated" if role == "anonymous" else "permission_denied")
    if role == "anonymous":
        assert response["WWW-Authenticate"] == "Token"


def test_create_with_every_field(small: dict[str, ServiceCard], client_for: ClientFor) -> None:
    data = new_card(
        name_en="Electronic queue",
        name_pl="Kolejka elektroniczna",
        short_description_en="Book a visit.",
        description_pl="Zapis przez stronę.",
        kind="non_administrative",
        level="regional",
        territory=MYKOLAIV_OBLAST,
        categories=["pensions", "travel"],
        life_events=["retirement"],
        audience="Мешканці області",
        keywords=["черга", "запис у ЦНАП"],
        channels=[
            {"type": "website", "url": "https://cnap.example.org/queue", "label": "Сайт"},
            {"type": "phone", "url": "tel:+380 512 00 00 00"},
            {"type": "in_person", "url": "", "label": "ЦНАП"},
            {"type": "website", "url": "http://old.example.org/", "historical": True},
        ],
        authentication=["bankid", "diia_signature"],
        requirements=["Паспорт"],
        cost="Безоплатно",
        processing_time="Одразу",
        output="Талон",
        legal_basis=[{"title": "Закон «Про адміністративні послуги»", "url": "https://zakon.rada.gov.ua/x"}],
        languages=["uk", "en"],
        guide_steps=["Відкрийте сайт", "Оберіть послугу"],
        pitfalls=["Немає вільних місць"],
        bring=["Телефон"],
        status="outdated",
        verified_on="2026-02-01",
        popularity=40,
        comment="Додано з API",
    )
    response = client_for("admin").post(f"{SERVICES}?lang=en", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    card = ServiceCard.objects.get(identifier="e-queue-test")
    assert card.territory is not None and card.territory.code == MYKOLAIV_OBLAST
    assert sorted(card.categories.values_list("slug", flat=True)) == ["pensions", "travel"]
    assert card.channels[1] == {"type": "phone", "url": "tel:+380 512 00 00 00", "label": "", "historical": False}
    assert card.legal_basis == [{"title": "Закон «Про адміністративні послуги»", "url": "https://zakon.rada.gov.ua/x"}]
    assert card.versions.get().comment == "Додано з API"
    assert (body["name"], body["level"], body["status"], body["popularity"]) == (
        "Electronic queue",
        "regional",
        "outdated",
        40,
    )
    assert body["territory"]["code"] == MYKOLAIV_OBLAST
    assert body["guide"] == {
        "steps": ["Відкрийте сайт", "Оберіть послугу"],
        "pitfalls": ["Немає вільних місць"],
        "bring": ["Телефон"],
    }
    # Indexed on the way in: the search finds it at once.
    assert "e-queue-test" in identifiers(APIClient().get(SERVICES, {"q": "електронна черга"}))


def test_session_writes_need_csrf(small: dict[str, ServiceCard], world: World) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["admin"])
    response = client.post(SERVICES, new_card(), format="json")
    assert response.status_code == 403
    assert "CSRF" in error(response)["message"]
    assert not ServiceCard.objects.filter(identifier="e-queue-test").exists()


# --- Update: authorization -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("resident", 403),
        ("consultant_a", 403),
        ("manager_a", 403),
        ("official", 403),
        ("coordinator_a", 200),
        ("coordinator_b", 200),
        ("admin", 200),
    ],
)
def test_update_authorization(
    small: dict[str, ServiceCard], client_for: ClientFor, world: World, role: str, status: int
) -> None:
    card = small["pension"]
    versions = card.versions.count()
    response = client_for(role).patch(
        card_url(card.identifier), {"name": "Пенсійний портал", "keywords": ["пенсія"]}, format="json"
    )
    assert response.status_code == status, response.content
    card.refresh_from_db()
    if status == 200:
        assert (card.name, card.keywords) == ("Пенсійний портал", ["пенсія"])
        assert response.json()["name"] == "Пенсійний портал"
        latest = card.versions.first()
        assert latest is not None
        assert (card.versions.count(), latest.author) == (versions + 1, world.users[role])
        assert latest.changed_fields == ["keywords", "name"]
    else:
        assert (card.name, card.keywords) == ("Портал пенсійних послуг", ["пенсія", "стаж"])
        assert card.versions.count() == versions
        assert error(response)["code"] in {"not_authenticated", "permission_denied"}


def test_update_changes_only_what_is_sent(small: dict[str, ServiceCard], client_for: ClientFor) -> None:
    card = small["pension"]
    response = client_for("admin").patch(
        card_url(card.identifier), {"name_pl": "Portal emerytalny", "comment": "переклад"}, format="json"
    )
    assert response.status_code == 200
    card.refresh_from_db()
    assert (card.name, card.name_pl, card.popularity, card.keywords) == (
        "Портал пенсійних послуг",
        "Portal emerytalny",
        90,
        ["пенсія", "стаж"],
    )
    assert sorted(card.categories.values_list("slug", flat=True)) == ["pensions"]
    latest = card.versions.first()
    assert latest is not None and latest.comment == "переклад"
    # Sending the same values again records nothing.
    versions = card.versions.count()
    same = client_for("admin").patch(card_url(card.identifier), {"name_pl": "Portal emerytalny"}, format="json")
    assert same.status_code == 200
    assert card.versions.count() == versions


def test_update_relations_and_reindex(small: dict[str, ServiceCard], client_for: ClientFor) -> None:
    card = small["travel"]
    response = client_for("coordinator_a").patch(
        card_url(card.identifier),
        {"categories": ["pensions"], "life_events": ["retirement"], "keywords": ["залізниця", "укрзалізниця"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [c["slug"] for c in response.json()["categories"]] == ["pensions"]
    assert identifiers(APIClient().get(SERVICES, {"q": "укрзалізниця"})) == ["train-tickets"]
    assert identifiers(APIClient().get(SERVICES, {"category": "pensions"})) == [
        "pension-portal",
        "train-tickets",
        "mykolaiv-reception",
    ]


def test_editor_restores_a_withdrawn_card(small: dict[str, ServiceCard], client_for: ClientFor) -> None:
    response = client_for("coordinator_b").patch(card_url("old-portal"), {"status": "active"}, format="json")
    assert response.status_code == 200
    assert APIClient().get(card_url("old-portal")).status_code == 200


def test_patch_unknown_card_is_404(small: dict[str, ServiceCard], client_for: ClientFor) -> None:
    response = client_for("admin").patch(card_url("no-such-card"), {"name": "x"}, format="json")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_methods_not_offered(small: dict[str, ServiceCard], client_for: ClientFor) -> None:
    url = card_url("pension-portal")
    assert client_for("admin").delete(url).status_code == 405
    assert client_for("admin").put(url, new_card(), format="json").status_code == 405
    assert client_for("admin").post(f"{SERVICES}export.json", {}, format="json").status_code == 405
    assert ServiceCard.objects.filter(identifier="pension-portal").exists()


# --- Validation: bad input is a 400 naming the field, never a 500 -------------------------------


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"kind": "magic"}, {"kind"}),
        ({"provider": "no-such-provider"}, {"provider"}),
        ({"provider": None}, {"provider"}),
        ({"provider": ["pfu"]}, {"provider"}),
        ({"territory": "UA00000000000000000", "level": "local"}, {"territory"}),
        ({"territory": {"code": MYKOLAIV}, "level": "local"}, {"territory"}),
        ({"level": "local"}, {"territory"}),  # a local card needs its territory (the model says so)
        ({"territory": MYKOLAIV}, {"territory"}),  # ...and a national one has none
        ({"channels": "https://example.org"}, {"channels"}),
        ({"channels": ["https://example.org"]}, {"channels"}),
        ({"channels": [{"url": "https://example.org"}]}, {"channels"}),
        ({"channels": [{"type": "fax", "url": "https://example.org"}]}, {"channels"}),
        ({"channels": [{"type": "website", "url": "javascript:alert(1)"}]}, {"channels"}),
        ({"channels": [{"type": "phone", "url": "tel:call-me"}]}, {"channels"}),
        ({"channels": [{"type": "website", "url": "https://example.org", "colour": "red"}]}, {"channels"}),
        ({"channels": [{"type": "website", "historical": "often"}]}, {"channels"}),
        ({"legal_basis": [{"url": "https://zakon.rada.gov.ua"}]}, {"legal_basis"}),
        ({"legal_basis": [{"title": "Закон", "url": "not a link"}]}, {"legal_basis"}),
        ({"keywords": ["пенсія", "   "]}, {"keywords"}),
        ({"keywords": "пенсія"}, {"keywords"}),
        ({"keywords": [["nested"]]}, {"keywords"}),
        ({"authentication": ["fingerprint"]}, {"authentication"}),
        ({"languages": ["Ukrainian"]}, {"languages"}),
        ({"categories": ["no-such-category"]}, {"categories"}),
        ({"categories": "pensions"}, {"categories"}),
        ({"life_events": [None]}, {"life_events"}),
        ({"status": "deleted"}, {"status"}),
        ({"verified_on": "yesterday"}, {"verified_on"}),
        ({"popularity": 101}, {"popularity"}),
        ({"popularity": 10**30}, {"popularity"}),
        ({"identifier": "not a slug!"}, {"identifier"}),
        ({"identifier": "pension-portal"}, {"identifier"}),  # taken
        ({"name": ""}, {"name"}),
        ({"name": "x" * 251}, {"name"}),
        ({"name": "a\x00b"}, {"name"}),
        ({"description": None}, {"description"}),
        ({"colour": "red"}, {"colour"}),
        ({"kind": "magic", "provider": "nope", "colour": "red"}, {"kind", "provider", "colour"}),
    ],
)
def test_bad_fields_are_named_and_nothing_is_created(
    small: dict[str, ServiceCard], client_for: ClientFor, changes: dict[str, Any], fields: set[str]
) -> None:
    cards = ServiceCard.objects.count()
    versions = CardVersion.objects.count()
    response = client_for("admin").post(f"{SERVICES}?lang=en", new_card(**changes), format="json")
    assert response.status_code == 400, response.content
    assert error(response)["code"] == "invalid"
    assert set(error(response)["fields"]) == fields
    assert (ServiceCard.objects.count(), CardVersion.objects.count()) == (cards, versions)


def test_missing_required_fields(small: dict[str, ServiceCard], client_for: ClientFor) -> None:
    response = client_for("admin").post(f"{SERVICES}?lang=en", {}, format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {
        "identifier",
        "name",
        "short_description",
        "description",
        "kind",
        "provider",
    }
    assert error(response)["fields"]["kind"] == ["This field is required."]


def test_channel_errors_are_per_item(small: dict[str, ServiceCard], client_for: ClientFor) -> None:
    channels = [{"type": "website", "url": "https://ok.example.org"}, {"type": "fax"}]
    response = client_for("admin").post(f"{SERVICES}?lang=en", new_card(channels=channels), format="json")
    assert response.status_code == 400
    assert error(response)["fields"] == {"channels": {"1": {"type": ['"fax" is not a valid choice.']}}}


@pytest.mark.parametrize("body", [[], ["name"], "name", 5, None, True])
def test_body_of_the_wrong_json_type(small: dict[str, ServiceCard], client_for: ClientFor, body: Any) -> None:
    response = client_for("admin").post(SERVICES, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert error(response)["code"] in {"invalid", "parse_error"}
    patch = client_for("admin").patch(card_url("pension-portal"), json.dumps(body), content_type="application/json")
    assert patch.status_code == 400


@pytest.mark.parametrize(
    ("payload", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'{"name": NaN}', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b"", "application/json", 400),
        (b"name=x", "application/x-www-form-urlencoded", 415),
    ],
)
def test_body_that_is_not_json(
    small: dict[str, ServiceCard], client_for: ClientFor, payload: bytes, content_type: str, status: int
) -> None:
    cards = ServiceCard.objects.count()
    response = client_for("admin").generic("POST", SERVICES, payload, content_type=content_type)  # type: ignore[arg-type]
    assert response.status_code == status, response.content
    assert ServiceCard.objects.count() == cards


def test_patch_garbage_names_fields_and_changes_nothing(small: dict[str, ServiceCard], client_for: ClientFor) -> None:
    card = small["pension"]
    versions = card.versions.count()
    response = client_for("coordinator_a").patch(
        card_url(card.identifier),
        {"popularity": "lots", "channels": [{"type": "website", "url": "ftp//x"}], "x": 1},
        format="json",
    )
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"popularity", "channels", "x"}
    # A rule of the model (a national card has no territory) is a 400 too, with nothing saved.
    response = client_for("coordinator_a").patch(
        card_url(card.identifier), {"territory": MYKOLAIV, "name": "Змінено"}, format="json"
    )
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"territory"}
    card.refresh_from_db()
    assert (card.name, card.popularity, card.territory_id) == ("Портал пенсійних послуг", 90, None)
    assert card.versions.count() == versions


@pytest.mark.django_db
def test_schema_lists_the_catalogue_operations() -> None:
    paths = APIClient().get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/v1/services/"]) == {"get", "post"}
    assert set(paths["/api/v1/services/{identifier}/"]) == {"get", "patch"}
    for fmt in ("json", "csv", "jsonld", "ttl"):
        assert set(paths[f"/api/v1/services/export.{fmt}"]) == {"get"}
    assert "/api/v1/services/autocomplete/" in paths
