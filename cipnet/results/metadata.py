"""How a public programme's open data describes itself: a Frictionless data package descriptor (Data
Package v1 with a Table Schema for the CSV) and DCAT-AP 3.0 metadata (a catalogue, the dataset, its
distributions) as an rdflib graph, written as Turtle or JSON-LD. Every address is absolute."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from cipnet.results.models import Programme
from cipnet.results.opendata import CENTRE, COLUMNS, MONTH, NETWORK, PEOPLE, PROGRAMME, REGION, TOTAL

LICENCE = "http://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "CC-BY-4.0"
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
IANA = "http://www.iana.org/assignments/media-types/"
JSONLD_CONTEXT = {"dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "xsd": str(XSD)}

#: file name → (route name, media type, EU file type)
FILES = {
    "results.csv": ("results_public:data_csv", "text/csv", "CSV"),
    "results.json": ("results_public:data_json", "application/json", "JSON"),
    "datapackage.json": ("results_public:datapackage", "application/json", "JSON"),
    "dcat.ttl": ("results_public:dcat_ttl", "text/turtle", "RDF_TURTLE"),
    "dcat.jsonld": ("results_public:dcat_jsonld", "application/ld+json", "JSON_LD"),
}


def file_url(base_url: str, programme: Programme, name: str) -> str:
    return base_url + reverse(FILES[name][0], args=[programme.code])


def table_schema() -> dict[str, Any]:
    """The Table Schema of `results.csv`: a suppressed count is an empty cell (`missingValues`)."""
    count = {"type": "integer", "constraints": {"minimum": 0}}
    fields: dict[str, dict[str, Any]] = {
        "indicator": {"type": "string", "constraints": {"required": True}, "description": "Indicator code."},
        "indicator_title": {"type": "string", "constraints": {"required": True}},
        "period_type": {"type": "string", "constraints": {"required": True, "enum": [MONTH, PROGRAMME]}},
        "period_start": {"type": "date", "constraints": {"required": True}},
        "period_end": {"type": "date", "constraints": {"required": True}},
        "scope": {"type": "string", "constraints": {"required": True, "enum": [NETWORK, REGION, CENTRE]}},
        "scope_code": {
            "type": "string",
            "description": "A region's KATOTTG code, a centre's public address; empty for the network.",
        },
        "scope_name": {"type": "string"},
        "dimension": {"type": "string", "constraints": {"required": True, "enum": [TOTAL, *map(str, PEOPLE)]}},
        "category": {"type": "string", "description": "The dimension's value; empty for the total."},
        "count": {**count, "description": "People or things counted; empty when suppressed or a ratio."},
        "numerator": {**count, "description": "A ratio's numerator; empty when suppressed or a count."},
        "denominator": {**count, "description": "A ratio's denominator; empty when suppressed or a count."},
        "ratio": {
            "type": "number",
            "constraints": {"minimum": 0},
            "description": "Numerator over denominator (per cent or share, see ratio_unit), for the total only.",
        },
        "ratio_unit": {"type": "string", "constraints": {"enum": ["", "percent", "share"]}},
        "suppressed": {
            "type": "boolean",
            "constraints": {"required": True},
            "description": "A count from 1 to 4, or one that would give such a count away, is left empty.",
        },
    }
    return {
        "fields": [{"name": name, **fields[name]} for name in COLUMNS],
        "missingValues": [""],
        "primaryKey": ["indicator", "period_start", "period_end", "scope", "scope_code", "dimension", "category"],
    }


def datapackage(programme: Programme, base_url: str) -> dict[str, Any]:
    title = str(programme.display_title)
    return {
        "profile": "tabular-data-package",
        "name": f"cipnet-results-{programme.code}",
        "title": title,
        "description": _(
            "Results of the programme counted by CIPnet from the centres' own records, by month, region, "
            "centre and the people's age, gender and settlement type. Counts from 1 to 4, and counts "
            "that would give them away, are left empty."
        ),
        "homepage": base_url + reverse("results_public:public", args=[programme.code]),
        "licenses": [{"name": LICENCE_NAME, "path": LICENCE, "title": "Creative Commons Attribution 4.0"}],
        "sources": [
            {"title": _("CIPnet consultation log and virtual reception"), "path": base_url + "/"},
            *([{"title": programme.donor}] if programme.donor else []),
        ],
        "resources": [
            {
                "name": "results",
                "path": file_url(base_url, programme, "results.csv"),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": table_schema(),
            }
        ],
    }


def dcat_graph(programme: Programme, base_url: str, *, modified: dt.date) -> Graph:
    """The catalogue of CIPnet's open results with this programme's dataset and its files."""
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("foaf", FOAF)
    page = base_url + reverse("results_public:public", args=[programme.code])
    catalogue = URIRef(f"{base_url}/results/#catalogue")
    dataset = URIRef(f"{page}data/#dataset")
    publisher = URIRef(f"{base_url}/#publisher")
    licence = URIRef(LICENCE)
    ukraine = EU_COUNTRY.UKR
    titles = {"uk": programme.title, "en": programme.title_en, "pl": programme.title_pl}

    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, DCTERMS.title, Literal(_("CIPnet: programme results"))))
    about = _("Open data of the programmes' results, small counts suppressed.")
    g.add((catalogue, DCTERMS.description, Literal(about)))
    g.add((catalogue, DCTERMS.publisher, publisher))
    g.add((catalogue, DCTERMS.license, licence))
    g.add((catalogue, FOAF.homepage, URIRef(base_url + "/")))
    g.add((URIRef(base_url + "/"), RDF.type, FOAF.Document))
    g.add((catalogue, DCAT.dataset, dataset))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(programme.reporting_org or "CIPnet")))
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))

    g.add((dataset, RDF.type, DCAT.Dataset))
    for lang, value in titles.items():
        if value:
            g.add((dataset, DCTERMS.title, Literal(value, lang=lang)))
    g.add((dataset, DCTERMS.description, Literal(datapackage(programme, base_url)["description"])))
    g.add((dataset, DCTERMS.identifier, Literal(f"cipnet-results-{programme.code}")))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCAT.landingPage, URIRef(page)))
    g.add((URIRef(page), RDF.type, FOAF.Document))
    g.add((dataset, DCTERMS.issued, Literal(programme.created_at.date(), datatype=XSD.date)))
    g.add((dataset, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    g.add((dataset, DCTERMS.spatial, ukraine))
    g.add((ukraine, RDF.type, DCTERMS.Location))
    period = URIRef(f"{page}data/#period")
    g.add((dataset, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(programme.starts_on, datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal(programme.ends_on, datatype=XSD.date)))
    for lang in ("UKR", "ENG", "POL"):
        g.add((dataset, DCTERMS.language, EU_LANGUAGE[lang]))
        g.add((EU_LANGUAGE[lang], RDF.type, DCTERMS.LinguisticSystem))

    for name, (_route, media, file_type) in FILES.items():
        if name.startswith("dcat."):
            continue  # the metadata itself is not a distribution of the data
        url = URIRef(file_url(base_url, programme, name))
        distribution = URIRef(f"{url}#distribution")
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(name)))
        g.add((distribution, DCAT.accessURL, URIRef(page)))
        g.add((distribution, DCAT.downloadURL, url))
        g.add((URIRef(page), RDF.type, RDFS.Resource))
        g.add((url, RDF.type, RDFS.Resource))
        g.add((distribution, DCTERMS.license, licence))
        media_type = URIRef(IANA + media)
        g.add((distribution, DCAT.mediaType, media_type))
        g.add((media_type, RDF.type, DCTERMS.MediaType))
        g.add((distribution, DCTERMS.format, EU_FILE_TYPE[file_type]))
        g.add((EU_FILE_TYPE[file_type], RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((distribution, DCTERMS.issued, Literal(programme.created_at.date(), datatype=XSD.date)))
        g.add((distribution, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    return g


def dcat_turtle(programme: Programme, base_url: str, *, modified: dt.date) -> str:
    return dcat_graph(programme, base_url, modified=modified).serialize(format="turtle")


def dcat_jsonld(programme: Programme, base_url: str, *, modified: dt.date) -> str:
    return dcat_graph(programme, base_url, modified=modified).serialize(
        format="json-ld", context=JSONLD_CONTEXT, indent=2
    )
