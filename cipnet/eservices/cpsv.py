"""The catalogue as CPSV-AP 3.2.0 linked data (JSON-LD and Turtle), conforming to the official SHACL shapes.

Mapping of a card (a `cpsv:PublicService`, IRI = the card's public page):

- `dct:identifier` (exactly one), `dct:title` / `dct:description` in uk, en, pl (language-tagged),
  `dcat:keyword` (uk), `dct:language` (EU authority table IRIs, typed `dct:LinguisticSystem`);
- `cv:hasCompetentAuthority` → the provider as a `cv:PublicOrganisation` with `skos:prefLabel` and
  `dct:spatial` (Ukraine, or the territories of its regional and local cards: `dct:Location` nodes with the
  KATOTTG code as `dct:identifier`); the service's own `dct:spatial` is its territory or Ukraine;
- `cv:hasChannel` → `cv:Channel` (its type a `skos:Concept`; the address as `foaf:page`, a phone as a
  `cv:ContactPoint` of the service). Historical channels (the 2013 addresses kept for the record) are not
  exported: they are not a way to use the service today;
- `cpsv:hasInput` → one `cv:Evidence` per required document; `cpsv:produces` → `cv:Output`;
  `cv:hasCost` → `cv:Cost` (a value in UAH only when the text names a single amount, or is free of charge);
  `cv:hasLegalResource` → `eli:LegalResource`;
- `cv:thematicArea` → categories (`skos:Concept`); `cv:isGroupedBy` → life events (`cv:Event` and
  `cv:LifeEvent`); `cv:isClassifiedBy` → kind and level (`skos:Concept`); `adms:status`;
- `cv:processingTime` as `xsd:duration` only when the text states a single duration in calendar units;
  working days have no fixed length, so those are omitted;
- every linked code-list item is typed (`skos:Concept`, `dct:Location`, `dct:LinguisticSystem`), as the
  shapes require; the services are parts (`dct:hasPart`) of one `dcat:Dataset` published by CIPnet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from cipnet.core.text import transliterate
from cipnet.directory.models import Territory, TerritoryLevel
from cipnet.eservices.models import (
    CardKind,
    CardLevel,
    CardStatus,
    Category,
    ChannelType,
    LifeEvent,
    Provider,
    ServiceCard,
)

CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
EU_CURRENCY = Namespace("http://publications.europa.eu/resource/authority/currency/")
ADMS_STATUS = Namespace("http://purl.org/adms/status/")

PREFIXES: dict[str, Namespace] = {
    "cpsv": CPSV,
    "cv": CV,
    "dct": Namespace(str(DCTERMS)),
    "dcat": Namespace(str(DCAT)),
    "skos": Namespace(str(SKOS)),
    "foaf": Namespace(str(FOAF)),
    "eli": ELI,
    "adms": ADMS,
    "xsd": Namespace(str(XSD)),
}
#: The JSON-LD @context: the prefixes, so the document reads as compact IRIs.
JSONLD_CONTEXT: dict[str, str] = {prefix: str(ns) for prefix, ns in PREFIXES.items()}

UKRAINE = EU_COUNTRY.UKR
#: ISO 639-1 (and 639-2 where no 639-1 exists) → the EU Publications Office language authority table.
EU_LANGUAGE_CODES = {
    "uk": "UKR", "en": "ENG", "pl": "POL", "ru": "RUS", "de": "DEU", "fr": "FRA", "hu": "HUN",
    "ro": "RON", "crh": "CRH", "be": "BEL", "sk": "SLK", "cs": "CES", "it": "ITA", "es": "SPA",
}  # fmt: skip
_LANGS = ("uk", "en", "pl")
_STATUS = {
    CardStatus.ACTIVE: ADMS_STATUS.Completed,
    CardStatus.OUTDATED: ADMS_STATUS.Deprecated,
    CardStatus.WITHDRAWN: ADMS_STATUS.Withdrawn,
}
_STATUS_LABELS = {
    ADMS_STATUS.Completed: ("Чинна", "Completed"),
    ADMS_STATUS.Deprecated: ("Застаріла", "Deprecated"),
    ADMS_STATUS.Withdrawn: ("Відкликана", "Withdrawn"),
}
# Labels of our own code lists, in uk / en / pl (data, not interface text: the same in every export).
_CHANNEL_LABELS = {
    ChannelType.WEBSITE: ("Вебсайт", "Website", "Strona internetowa"),
    ChannelType.MOBILE_APP: ("Мобільний застосунок", "Mobile app", "Aplikacja mobilna"),
    ChannelType.IN_PERSON: ("Особисто", "In person", "Osobiście"),
    ChannelType.PHONE: ("Телефон", "Phone", "Telefon"),
}
_KIND_LABELS = {
    CardKind.ADMINISTRATIVE: ("Адміністративна послуга", "Administrative service", "Usługa administracyjna"),
    CardKind.NON_ADMINISTRATIVE: (
        "Неадміністративна послуга",
        "Non-administrative service",
        "Usługa nieadministracyjna",
    ),
}
_LEVEL_LABELS = {
    CardLevel.NATIONAL: ("Загальнодержавна", "National", "Krajowa"),
    CardLevel.REGIONAL: ("Регіональна", "Regional", "Regionalna"),
    CardLevel.LOCAL: ("Місцева", "Local", "Lokalna"),
}
_SCHEME_TITLES = {
    "channel-type": ("Типи каналів", "Channel types"),
    "service-kind": ("Види послуг", "Kinds of service"),
    "service-level": ("Рівні послуг", "Levels of service"),
    "category": ("Категорії послуг", "Service categories"),
}


# --- Processing time and cost ------------------------------------------------------------------------

_NUMBER = r"(\d+)(?:\s*(?:[-–—]|до)\s*(\d+))?"
_DURATION_RE = re.compile(
    _NUMBER + r"\s*(календарн\w*\s+|робоч\w*\s+)?"
    r"(хвилин\w*|хв\b|годин\w*|год\b|дн\w*|день|доб\w*|тиж\w*|місяц\w*|міс\b|рок\w*|рік)",
    re.IGNORECASE,
)
_INSTANT_RE = re.compile(r"^\s*(миттєво|одразу|відразу|негайно|в режимі реального часу)\b", re.IGNORECASE)
_ONE_DAY_RE = re.compile(r"^\s*(зазвичай\s+)?(протягом доби|у день звернення|в день звернення)\b", re.IGNORECASE)
_LOWER_BOUND_RE = re.compile(r"\b(від|понад|не менше)\b", re.IGNORECASE)


def parse_processing_time(text: str) -> str | None:
    """An xsd:duration for "до 30 днів", "2 години", "миттєво"; None when it is not one clear duration.

    A range gives its upper bound (the time to expect at most). Working days, a lower bound alone ("від 1
    години") and texts with several durations (e.g. online vs in person) are not converted.
    """
    if not text.strip() or ";" in text:
        return None  # nothing, or several parts with times of their own
    matches = list(_DURATION_RE.finditer(text))
    if not matches:
        if _INSTANT_RE.match(text):
            return "PT0S"
        return "P1D" if _ONE_DAY_RE.match(text) else None
    if len(matches) > 1:
        return None
    match = matches[0]
    if match.group(2) is None and _LOWER_BOUND_RE.search(text):
        return None  # "від 1 години": a least time says nothing of the most
    if match.group(3) and match.group(3).lower().startswith("робоч"):
        return None
    amount = int(match.group(2) or match.group(1))
    unit = match.group(4).lower()
    if unit.startswith(("хв", "хвилин")):
        return f"PT{amount}M"
    if unit.startswith("год"):
        return f"PT{amount}H"
    if unit.startswith(("дн", "день", "доб")):
        return f"P{amount}D"
    if unit.startswith("тиж"):
        return f"P{amount * 7}D"
    if unit.startswith(("місяц", "міс")):
        return f"P{amount}M"
    return f"P{amount}Y"


_FREE_RE = re.compile(r"\b(безкоштовно|безоплатно|безплатно|free of charge|free)\b", re.IGNORECASE)
_AMOUNT_RE = re.compile(r"^\D*?(\d+(?:[.,]\d+)?)\s*(?:грн|гривень|гривні|гривня|UAH)\b", re.IGNORECASE)
_VAGUE_RE = re.compile(r"\b(від|до|понад|близько|залежить|from|up to|about)\b|%", re.IGNORECASE)


def parse_cost(text: str) -> float | None:
    """The amount in hryvnias when the text names exactly one (0 for free of charge), else None."""
    text = re.sub(r"(?<=\d)[\s\u00a0](?=\d{3}\b)", "", text.strip())  # "1 200 грн" → "1200 грн"
    numbers = re.findall(r"\d+(?:[.,]\d+)?", text)
    if _FREE_RE.match(text):
        return None if numbers else 0.0
    match = _AMOUNT_RE.match(text)
    if match is None or len(numbers) != 1 or _VAGUE_RE.search(text) or _FREE_RE.search(text):
        return None
    try:
        return float(Decimal(match.group(1).replace(",", ".")))
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None


# --- The graph ---------------------------------------------------------------------------------------


def _iri_safe(url: str) -> str:
    return quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~-._")


class _Builder:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.g = Graph()
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns, override=True)
        self.dataset = URIRef(f"{self.base}/id/catalogue")
        self._done: set[URIRef] = set()

    def page(self, name: str, *args: str) -> URIRef:
        """A public page's address in the default language (no language prefix), so IRIs never vary."""
        with translation.override(settings.LANGUAGE_CODE):
            return URIRef(self.base + reverse(name, args=args))

    def iri(self, *parts: str) -> URIRef:
        return URIRef("/".join([self.base, "id", *(quote(p, safe="") for p in parts)]))

    def add(self, s: URIRef | BNode, p: URIRef, o: Any) -> None:
        self.g.add((s, p, o))

    def texts(self, node: URIRef, predicate: URIRef, obj: Any, field: str) -> None:
        for lang in _LANGS:
            value = getattr(obj, field if lang == "uk" else f"{field}_{lang}", "")
            if value and value.strip():
                self.add(node, predicate, Literal(value.strip(), lang=lang))

    def once(self, node: URIRef) -> bool:
        """True the first time a shared node (concept, place, organisation) is described."""
        if node in self._done:
            return False
        self._done.add(node)
        return True

    # -- shared nodes -----------------------------------------------------------------------------------

    def concept(self, scheme: str, code: str, labels: tuple[str, ...]) -> URIRef:
        node = self.iri(scheme, code)
        if self.once(node):
            scheme_node = self.iri(scheme)
            self.add(node, RDF.type, SKOS.Concept)
            self.add(node, SKOS.notation, Literal(code))
            self.add(node, SKOS.inScheme, scheme_node)
            for lang, label in zip(_LANGS, labels, strict=False):
                if label:
                    self.add(node, SKOS.prefLabel, Literal(label, lang=lang))
            if self.once(scheme_node):
                self.add(scheme_node, RDF.type, SKOS.ConceptScheme)
                for lang, title in zip(("uk", "en"), _SCHEME_TITLES[scheme], strict=True):
                    self.add(scheme_node, DCTERMS.title, Literal(title, lang=lang))
        return node

    def ukraine(self) -> URIRef:
        if self.once(UKRAINE):
            self.add(UKRAINE, RDF.type, DCTERMS.Location)
            self.add(UKRAINE, DCTERMS.identifier, Literal("UA"))
            for lang, label in (("uk", "Україна"), ("en", "Ukraine"), ("pl", "Ukraina")):
                self.add(UKRAINE, SKOS.prefLabel, Literal(label, lang=lang))
        return UKRAINE

    def location(self, territory: Territory) -> URIRef:
        node = self.iri("territory", territory.code)
        if self.once(node):
            self.add(node, RDF.type, DCTERMS.Location)
            self.add(node, DCTERMS.identifier, Literal(territory.code))
            label = territory.name
            if territory.level == TerritoryLevel.OBLAST and label.endswith("ька"):
                label = f"{label} область"
            self.add(node, SKOS.prefLabel, Literal(label, lang="uk"))
            self.add(node, SKOS.prefLabel, Literal(transliterate(label), lang="en"))
            oblast = territory.oblast
            parent = self.location(oblast) if oblast is not None and oblast.pk != territory.pk else self.ukraine()
            self.add(node, DCTERMS.isPartOf, parent)
        return node

    def language(self, code: str) -> URIRef | None:
        eu = EU_LANGUAGE_CODES.get(code.lower())
        if eu is None:
            return None
        node = EU_LANGUAGE[eu]
        if self.once(node):
            self.add(node, RDF.type, DCTERMS.LinguisticSystem)
            self.add(node, DCTERMS.identifier, Literal(eu))
        return node

    def organisation(self, provider: Provider, places: set[URIRef]) -> URIRef:
        node = self.iri("organisation", provider.slug)
        if self.once(node):
            self.add(node, RDF.type, CV.PublicOrganisation)
            self.add(node, DCTERMS.identifier, Literal(provider.slug))
            self.texts(node, SKOS.prefLabel, provider, "name")
            if provider.website:
                self.add(node, FOAF.homepage, URIRef(_iri_safe(provider.website)))
            for place in sorted(places or {self.ukraine()}):
                self.add(node, DCTERMS.spatial, place)
        return node

    def category(self, category: Category) -> URIRef:
        node = self.concept("category", category.slug, (category.name, category.name_en, category.name_pl))
        return node

    def life_event(self, event: LifeEvent) -> URIRef:
        node = self.iri("life-event", event.slug)
        if self.once(node):
            self.add(node, RDF.type, CV.Event)
            self.add(node, RDF.type, CV.LifeEvent)
            self.add(node, DCTERMS.identifier, Literal(event.slug))
            self.texts(node, DCTERMS.title, event, "name")
        return node

    def status(self, status: str) -> URIRef:
        node = _STATUS.get(CardStatus(status), ADMS_STATUS.Completed)
        if self.once(node):
            self.add(node, RDF.type, SKOS.Concept)
            for lang, label in zip(("uk", "en"), _STATUS_LABELS[node], strict=True):
                self.add(node, SKOS.prefLabel, Literal(label, lang=lang))
        return node

    def currency_uah(self) -> URIRef:
        node = EU_CURRENCY.UAH
        if self.once(node):
            self.add(node, RDF.type, SKOS.Concept)
            self.add(node, SKOS.prefLabel, Literal("гривня", lang="uk"))
            self.add(node, SKOS.prefLabel, Literal("Ukrainian hryvnia", lang="en"))
        return node

    # -- the service ------------------------------------------------------------------------------------

    def service(self, card: ServiceCard, organisation: URIRef) -> URIRef:
        node = self.page("eservices:card", card.identifier)
        ident = card.identifier
        add = self.add
        add(node, RDF.type, CPSV.PublicService)
        add(node, DCTERMS.identifier, Literal(ident))
        self.texts(node, DCTERMS.title, card, "name")
        self.texts(node, DCTERMS.description, card, "description")
        add(node, CV.hasCompetentAuthority, organisation)
        add(node, DCTERMS.spatial, self.location(card.territory) if card.territory else self.ukraine())
        add(node, DCTERMS.isPartOf, self.dataset)
        add(self.dataset, DCTERMS.hasPart, node)
        add(node, ADMS.status, self.status(card.status))
        add(node, CV.isClassifiedBy, self.concept("service-kind", card.kind, _KIND_LABELS[CardKind(card.kind)]))
        add(node, CV.isClassifiedBy, self.concept("service-level", card.level, _LEVEL_LABELS[CardLevel(card.level)]))
        for keyword in card.keywords:
            add(node, DCAT.keyword, Literal(keyword, lang="uk"))
        for code in card.languages:
            language = self.language(code)
            if language is not None:
                add(node, DCTERMS.language, language)
        for category in card.categories.all():
            add(node, CV.thematicArea, self.category(category))
        for event in card.life_events.all():
            event_node = self.life_event(event)
            add(node, CV.isGroupedBy, event_node)
            add(event_node, CV.hasRelatedService, node)
        duration = parse_processing_time(card.processing_time)
        if duration:
            add(node, CV.processingTime, Literal(duration, datatype=XSD.duration))
        self._channels(card, node)
        for n, requirement in enumerate(card.requirements, start=1):
            evidence = URIRef(f"{node}#evidence-{n}")
            add(node, CPSV.hasInput, evidence)
            add(evidence, RDF.type, CV.Evidence)
            add(evidence, DCTERMS.identifier, Literal(f"{ident}/evidence-{n}"))
            add(evidence, DCTERMS.title, Literal(requirement, lang="uk"))
        if card.output.strip():
            output = URIRef(f"{node}#output")
            add(node, CPSV.produces, output)
            add(output, RDF.type, CV.Output)
            add(output, DCTERMS.identifier, Literal(f"{ident}/output"))
            add(output, DCTERMS.title, Literal(card.output.strip(), lang="uk"))
        if card.cost.strip():
            cost = URIRef(f"{node}#cost")
            add(node, CV.hasCost, cost)
            add(cost, RDF.type, CV.Cost)
            add(cost, DCTERMS.identifier, Literal(f"{ident}/cost"))
            add(cost, DCTERMS.description, Literal(card.cost.strip(), lang="uk"))
            value = parse_cost(card.cost)
            if value is not None:
                add(cost, CV.hasValue, Literal(value, datatype=XSD.double))
                add(cost, CV.currency, self.currency_uah())
        for n, law in enumerate(card.legal_basis, start=1):
            url = str(law.get("url") or "").strip()
            legal = URIRef(_iri_safe(url)) if url.startswith(("http://", "https://")) else URIRef(f"{node}#law-{n}")
            add(node, CV.hasLegalResource, legal)
            add(legal, RDF.type, ELI.LegalResource)
            add(legal, DCTERMS.title, Literal(str(law.get("title", "")).strip(), lang="uk"))
        return node

    def _channels(self, card: ServiceCard, node: URIRef) -> None:
        live = [c for c in card.channels if not c.get("historical")]
        for n, channel in enumerate(live, start=1):
            kind = ChannelType(channel["type"])
            channel_node = URIRef(f"{node}#channel-{n}")
            self.add(node, CV.hasChannel, channel_node)
            self.add(channel_node, RDF.type, CV.Channel)
            self.add(channel_node, DCTERMS.identifier, Literal(f"{card.identifier}/channel-{n}"))
            self.add(channel_node, DCTERMS.type, self.concept("channel-type", kind.value, _CHANNEL_LABELS[kind]))
            label = str(channel.get("label") or "").strip()
            if label:
                self.add(channel_node, DCTERMS.description, Literal(label, lang="uk"))
            url = str(channel.get("url") or "").strip()
            if url.startswith(("http://", "https://")):
                self.add(channel_node, FOAF.page, URIRef(_iri_safe(url)))
            elif url.startswith("tel:"):
                contact = URIRef(f"{node}#contact-{n}")
                self.add(node, CV.contactPoint, contact)
                self.add(contact, RDF.type, CV.ContactPoint)
                self.add(contact, CV.telephone, Literal(url.removeprefix("tel:")))

    def describe_dataset(self, publisher_name: str) -> None:
        ds = self.dataset
        self.add(ds, RDF.type, DCAT.Dataset)
        self.add(ds, DCTERMS.identifier, Literal("cipnet-eservices"))
        self.add(ds, DCTERMS.title, Literal("Каталог електронних послуг", lang="uk"))
        self.add(ds, DCTERMS.title, Literal("E-service catalogue", lang="en"))
        self.add(
            ds,
            DCTERMS.description,
            Literal("Електронні послуги, з якими допомагають центри публічної інформації.", lang="uk"),
        )
        self.add(ds, DCTERMS.description, Literal("E-services that Public Information Centres help with.", lang="en"))
        landing = self.page("eservices:catalogue")
        self.add(ds, DCAT.landingPage, landing)
        self.add(landing, RDF.type, FOAF.Document)
        publisher = self.iri("publisher")
        self.add(ds, DCTERMS.publisher, publisher)
        self.add(publisher, RDF.type, FOAF.Agent)
        self.add(publisher, DCTERMS.identifier, Literal("cipnet"))
        self.add(publisher, DCTERMS.title, Literal(publisher_name, lang="uk"))


def _with_relations(cards: Iterable[ServiceCard]) -> list[ServiceCard]:
    if isinstance(cards, QuerySet):
        cards = cards.select_related("provider", "territory", "territory__oblast").prefetch_related(
            "categories", "life_events"
        )
    return sorted(cards, key=lambda card: card.identifier)


def catalogue_graph(cards: Iterable[ServiceCard], base_url: str, *, publisher_name: str = "CIPnet") -> Graph:
    """The cards as CPSV-AP 3.2.0: one `cpsv:PublicService` each, in a `dcat:Dataset`.

    `base_url` (e.g. ``https://cipnet.example.org``) roots every IRI minted here: the services are their
    card pages, the rest lives under ``/id/``.
    """
    builder = _Builder(base_url)
    builder.describe_dataset(publisher_name)
    card_list = _with_relations(cards)
    # A provider's area: Ukraine if it has national cards, plus the territories of its other cards.
    places: dict[int, set[URIRef]] = {}
    for card in card_list:
        area = builder.location(card.territory) if card.territory else builder.ukraine()
        places.setdefault(card.provider_id, set()).add(area)
    for card in card_list:
        organisation = builder.organisation(card.provider, places[card.provider_id])
        builder.service(card, organisation)
    return builder.g


def export_jsonld(cards: Iterable[ServiceCard], base_url: str) -> str:
    """JSON-LD with a prefix @context (compact IRIs such as ``cpsv:PublicService``)."""
    return catalogue_graph(cards, base_url).serialize(format="json-ld", context=JSONLD_CONTEXT, indent=2)


def export_turtle(cards: Iterable[ServiceCard], base_url: str) -> str:
    return catalogue_graph(cards, base_url).serialize(format="turtle")
