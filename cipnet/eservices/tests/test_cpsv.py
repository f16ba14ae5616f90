"""The CPSV-AP 3.2.0 export of the whole demo catalogue conforms to the official SHACL shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from pyshacl import validate
from pytest_django import DjangoDbBlocker
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

from cipnet.directory.models import Territory
from cipnet.eservices import cpsv
from cipnet.eservices.cpsv import (
    catalogue_graph,
    export_jsonld,
    export_turtle,
    parse_cost,
    parse_processing_time,
)
from cipnet.eservices.interchange import import_catalogue_json
from cipnet.eservices.models import ServiceCard
from cipnet.eservices.tests.fixtures import (
    SHAPES,
    clear_territories,
    demo_catalogue,
    demo_subset,
    import_territories_for,
)

BASE = "https://cip.example.org"
# Namespaces are used through their modules: pytest looks up attributes on test-module globals, and
# rdflib's closed namespaces warn about every unknown name they are asked for.
RDF, DCTERMS, FOAF, SKOS = ns.RDF, ns.DCTERMS, ns.FOAF, ns.SKOS
XSD_DURATION = URIRef("http://www.w3.org/2001/XMLSchema#duration")
XSD_DOUBLE = URIRef("http://www.w3.org/2001/XMLSchema#double")
SH = "http://www.w3.org/ns/shacl#"
# rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@pytest.fixture(scope="module")
def territories(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        import_territories_for(demo_catalogue())
    yield
    with django_db_blocker.unblock():
        clear_territories()


@pytest.fixture
def demo_data(db: None, territories: None) -> dict[str, Any]:
    """The whole demo catalogue, imported."""
    data = demo_catalogue()
    import_catalogue_json(data)
    return data


@pytest.fixture
def some(db: None, territories: None) -> dict[str, Any]:
    """A part of the demo catalogue, imported: national cards and every kind of territory."""
    data = demo_subset(demo_catalogue())
    import_catalogue_json(data)
    return data


def shacl_report(graph: Graph, shapes: Graph) -> tuple[bool, str, set[str]]:
    """(conforms, the report as text, the paths of the properties reported)."""
    conforms, results, text = validate(
        graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False, abort_on_first=False
    )
    paths = {str(path) for path in results.objects(None, URIRef(SH + "resultPath"))}
    return bool(conforms), str(text), paths


def service(card: ServiceCard) -> URIRef:
    return URIRef(f"{BASE}/services/{card.identifier}/")


def test_the_whole_demo_catalogue_conforms_to_the_cpsv_ap_shapes(demo_data: dict[str, Any], shapes: Graph) -> None:
    cards = ServiceCard.objects.all()
    text = export_jsonld(cards, BASE)
    graph = Graph().parse(data=text, format="json-ld")

    conforms, report, _paths = shacl_report(graph, shapes)

    print(report)  # shown by pytest when the test fails
    assert conforms, report
    assert len(set(graph.subjects(RDF.type, cpsv.CPSV.PublicService))) == len(demo_data["cards"])


def test_jsonld_and_turtle_say_the_same(demo_data: dict[str, Any]) -> None:
    cards = ServiceCard.objects.all()
    jsonld = Graph().parse(data=export_jsonld(cards, BASE), format="json-ld")
    turtle = Graph().parse(data=export_turtle(cards, BASE), format="turtle")
    assert isomorphic(jsonld, turtle)
    assert isomorphic(jsonld, catalogue_graph(cards, BASE))


def test_jsonld_has_a_prefix_context(some: dict[str, Any]) -> None:
    import json

    document = json.loads(export_jsonld(ServiceCard.objects.all(), BASE))
    assert document["@context"]["cpsv"] == "http://purl.org/vocab/cpsv#"
    assert document["@context"]["cv"] == "http://data.europa.eu/m8g/"
    types = {
        t
        for node in document["@graph"]
        for t in ([node["@type"]] if isinstance(node.get("@type"), str) else node.get("@type", []))
    }
    assert "cpsv:PublicService" in types


def test_titles_are_language_tagged_and_the_authority_is_named(some: dict[str, Any]) -> None:
    card = ServiceCard.objects.select_related("provider").exclude(name_en="").order_by("identifier").first()
    assert card is not None
    graph = catalogue_graph(ServiceCard.objects.all(), BASE)
    node = service(card)

    titles = set(graph.objects(node, DCTERMS.title))
    assert Literal(card.name, lang="uk") in titles
    assert Literal(card.name_en, lang="en") in titles
    assert all(isinstance(t, Literal) and t.language in ("uk", "en", "pl") for t in titles)
    assert list(graph.objects(node, DCTERMS.identifier)) == [Literal(card.identifier)]

    authority = graph.value(node, cpsv.CV.hasCompetentAuthority)
    assert (authority, RDF.type, cpsv.CV.PublicOrganisation) in graph
    assert Literal(card.provider.name, lang="uk") in set(graph.objects(authority, SKOS.prefLabel))
    assert graph.value(authority, DCTERMS.spatial) is not None
    assert (node, DCTERMS.language, cpsv.EU_LANGUAGE.UKR) in graph or not card.languages
    if "uk" in card.languages:
        assert (cpsv.EU_LANGUAGE.UKR, RDF.type, DCTERMS.LinguisticSystem) in graph


def test_places_carry_their_katottg_code(some: dict[str, Any]) -> None:
    graph = catalogue_graph(ServiceCard.objects.all(), BASE)
    local = ServiceCard.objects.exclude(territory=None).select_related("territory").first()
    assert local is not None and local.territory is not None
    place = graph.value(service(local), DCTERMS.spatial)
    assert (place, RDF.type, DCTERMS.Location) in graph
    assert graph.value(place, DCTERMS.identifier) == Literal(local.territory.code)
    national = ServiceCard.objects.filter(territory=None).first()
    assert national is not None
    assert graph.value(service(national), DCTERMS.spatial) == cpsv.UKRAINE
    assert (cpsv.UKRAINE, RDF.type, DCTERMS.Location) in graph


def test_channels_requirements_costs_and_laws(demo_data: dict[str, Any]) -> None:
    graph = catalogue_graph(ServiceCard.objects.all(), BASE)
    for card in ServiceCard.objects.all():
        node = service(card)
        channels = list(graph.objects(node, cpsv.CV.hasChannel))
        live = [c for c in card.channels if not c.get("historical")]
        assert len(channels) == len(live), card.identifier
        pages = {str(graph.value(c, FOAF.page)) for c in channels if graph.value(c, FOAF.page)}
        assert pages == {c["url"] for c in live if c["url"].startswith("http")}
        for channel in channels:
            kind = graph.value(channel, DCTERMS.type)
            assert (kind, RDF.type, SKOS.Concept) in graph
        phones = {c["url"].removeprefix("tel:") for c in live if c["url"].startswith("tel:")}
        contact_phones = {str(graph.value(cp, cpsv.CV.telephone)) for cp in graph.objects(node, cpsv.CV.contactPoint)}
        assert contact_phones == phones
        evidence = {str(graph.value(e, DCTERMS.title)) for e in graph.objects(node, cpsv.CPSV.hasInput)}
        assert evidence == set(card.requirements)
        assert len(list(graph.objects(node, cpsv.CV.hasLegalResource))) == len(card.legal_basis)
        assert len(list(graph.objects(node, cpsv.CV.hasCost))) == (1 if card.cost else 0)
        duration = graph.value(node, cpsv.CV.processingTime)
        expected = parse_processing_time(card.processing_time)
        assert (duration.toPython() if duration is not None else None) is not None or expected is None
        if duration is not None:
            assert duration.datatype == XSD_DURATION
            assert duration == Literal(expected, datatype=XSD_DURATION)
        for category in card.categories.all():
            concept = URIRef(f"{BASE}/id/category/{category.slug}")
            assert (node, cpsv.CV.thematicArea, concept) in graph
            assert (concept, RDF.type, SKOS.Concept) in graph
        for event in card.life_events.all():
            event_node = URIRef(f"{BASE}/id/life-event/{event.slug}")
            assert (node, cpsv.CV.isGroupedBy, event_node) in graph
            assert (event_node, RDF.type, cpsv.CV.Event) in graph


def test_iris_do_not_depend_on_the_interface_language(some: dict[str, Any]) -> None:
    cards = ServiceCard.objects.all()
    with translation.override("en"):
        english = catalogue_graph(cards, BASE)
    with translation.override("pl"):
        polish = catalogue_graph(cards, BASE)
    assert isomorphic(english, polish)
    assert all("/en/" not in str(s) for s in english.subjects())


def test_the_validator_catches_a_broken_service(some: dict[str, Any], shapes: Graph) -> None:
    """The conformance test above means something: a service without its identifier is reported."""
    graph = catalogue_graph(ServiceCard.objects.all(), BASE)
    node = next(iter(graph.subjects(RDF.type, cpsv.CPSV.PublicService)))
    graph.remove((node, DCTERMS.identifier, None))
    graph.remove((graph.value(node, cpsv.CV.hasCompetentAuthority), DCTERMS.spatial, None))

    conforms, report, paths = shacl_report(graph, shapes)

    assert not conforms
    assert paths == {str(DCTERMS.identifier), str(DCTERMS.spatial)}, report


def test_a_card_in_a_territory_without_codifier_parents(db: None, territories: None, shapes: Graph) -> None:
    """An oblast-wide card: the oblast is its own oblast and lies in Ukraine."""
    oblast = Territory.objects.filter(level="O").first()
    assert oblast is not None
    import_catalogue_json(
        {
            "providers": [{"slug": "ova", "name": "Обласна адміністрація", "kind": "authority"}],
            "cards": [
                {
                    "identifier": "oblast-card",
                    "name": "Обласна послуга",
                    "short_description": "Коротко",
                    "description": "Докладно",
                    "kind": "administrative",
                    "level": "regional",
                    "territory_code": oblast.code,
                    "provider": "ova",
                    "processing_time": "протягом 2 годин",
                    "cost": "1 200 грн",
                    "languages": ["uk", "xx"],
                }
            ],
        }
    )
    graph = catalogue_graph(ServiceCard.objects.all(), BASE)
    place = URIRef(f"{BASE}/id/territory/{oblast.code}")
    assert (place, DCTERMS.isPartOf, cpsv.UKRAINE) in graph
    node = URIRef(f"{BASE}/services/oblast-card/")
    assert graph.value(node, cpsv.CV.processingTime) == Literal("PT2H", datatype=XSD_DURATION)
    cost = graph.value(node, cpsv.CV.hasCost)
    assert graph.value(cost, cpsv.CV.hasValue) == Literal(1200.0, datatype=XSD_DOUBLE)
    assert list(graph.objects(node, DCTERMS.language)) == [cpsv.EU_LANGUAGE.UKR]
    conforms, report, _paths = shacl_report(graph, shapes)
    assert conforms, report


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 днів", "P30D"),
        ("до 30 календарних днів", "P30D"),
        ("1–3 дні", "P3D"),
        ("від 1 до 5 днів", "P5D"),
        ("протягом 2 тижнів", "P14D"),
        ("до 5 хвилин", "PT5M"),
        ("10 хв", "PT10M"),
        ("2 години", "PT2H"),
        ("1 місяць", "P1M"),
        ("1 рік", "P1Y"),
        ("миттєво", "PT0S"),
        ("Одразу після оплати", "PT0S"),
        ("Зазвичай протягом доби", "P1D"),
        ("У день звернення", "P1D"),
        ("Від 1 години на серіал", None),
        ("Від кількох хвилин до 30 днів, якщо потрібна перевірка", None),
        ("Кілька хвилин", None),
        ("Збір підписів — до 3 місяців; відповідь — у встановлений строк", None),
        ("Зазвичай 1–2 робочі дні", None),
        ("до 10 робочих днів", None),
        ("онлайн — 1 день, у ЦНАП — 10 днів", None),
        ("залежно від запиту", None),
        ("", None),
    ],
)
def test_processing_time(text: str, expected: str | None) -> None:
    assert parse_processing_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Безкоштовно", 0.0),
        ("безоплатно для громадян", 0.0),
        ("150 грн", 150.0),
        ("Адміністративний збір 85,50 грн", 85.5),
        ("1 200 грн", 1200.0),
        ("Від 85 грн", None),
        ("Безоплатно; термінове — 300 грн", None),
        ("0,2 прожиткового мінімуму", None),
        ("За тарифом перевізника", None),
        ("", None),
    ],
)
def test_cost(text: str, expected: float | None) -> None:
    assert parse_cost(text) == expected
