# ruff: noqa: F811 — pytest fixtures imported from the reception tests are parameters here
"""The Open311 GeoReport v2 facade over the public register: every body valid against GeoReport's
JSON schemas (fixtures/open311/), only published cases, nothing personal, the statutory due date as
`expected_datetime`, exact filters and pages, and GeoReport's error array for every refusal."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from rest_framework.throttling import SimpleRateThrottle

from cipnet.appeals import publication, services
from cipnet.appeals.api import open311 as open311_api
from cipnet.appeals.models import Appeal, AppealType, Kind, Outcome, Publication
from cipnet.appeals.tests.conftest import Reception, reception  # noqa: F401 — the fixture
from cipnet.appeals.tests.test_publication import answered, clock, filed, kyiv, pending, published  # noqa: F401
from cipnet.core.clock import local

BASE = "/api/open311/v2/"
SCHEMAS = Path(__file__).parent / "fixtures" / "open311"
NAMES = ["services.json", "service.json", "service-definition.json", "requests.json", "request.json"]
REGISTRY: Registry = Registry().with_resources(
    (name, Resource.from_contents(json.loads((SCHEMAS / name).read_text()), default_specification=DRAFT7))
    for name in NAMES
)
#: GeoReport's error body: an array of {code, description}.
ERRORS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}},
    },
}
#: The keys of a request; no address, location or media: the register publishes none.
REQUEST_KEYS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "requested_datetime", "updated_datetime", "expected_datetime",
}  # fmt: skip
CODES = ["appeal-proposal", "appeal-application", "appeal-complaint", "info-request"]
#: Today for the default 90-day window.
TODAY = kyiv("2026-12-07")


def valid(body: Any, name: str) -> Any:
    """`body`, after checking it against GeoReport's schema `name` (its $refs from the registry)."""
    schema = REGISTRY.contents(name)
    Draft7Validator(schema, registry=REGISTRY, format_checker=Draft7Validator.FORMAT_CHECKER).validate(body)
    return body


def get(path: str, params: dict[str, Any] | None = None, status: int = 200) -> Any:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(BASE + path, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response


def refused(path: str, params: dict[str, Any], status: int = 400) -> list[dict[str, Any]]:
    body = get(path, params, status).json()
    Draft7Validator(ERRORS_SCHEMA).validate(body)
    return body


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(open311_api, "now", lambda: TODAY)


def numbers(body: list[dict[str, Any]]) -> list[str]:
    return [r["service_request_id"] for r in valid(body, "requests.json")]


def published_on(r: Reception, clock: Callable[[dt.datetime], None], day: str, **changes: Any) -> Appeal:
    clock(kyiv(day))
    return published(r, **changes)


INFO_REQUEST = {
    "kind": Kind.INFO_REQUEST,
    "appeal_type": "",
    "subject": "Кошторис ремонту освітлення",
    "text": "Прошу надати копію кошторису ремонту вуличного освітлення на 2026 рік.",
}


# --- Discovery and services -----------------------------------------------------------------


def test_discovery(db: None) -> None:
    assert get("discovery.json").json() == {
        "changeset": "2026-12-07T02:00:00+02:00",
        "contact": "The public register of answers: http://testserver/en/reception/register/",
        "key_service": "No key is needed: the data is public and read-only.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "http://testserver/api/open311/v2/",
                "changeset": "2026-12-07T02:00:00+02:00",
                "type": "production",
                "formats": ["application/json"],
            }
        ],
    }


def test_services_and_their_definitions(db: None) -> None:
    body = valid(get("services.json").json(), "services.json")
    assert [s["service_code"] for s in body] == CODES
    assert body[2] == {
        "service_code": "appeal-complaint",
        "service_name": "Complaint to an authority",
        "description": "A citizen's appeal that asks to restore a right or interest violated by an authority "
        "or an official.",
        "metadata": False,
        "type": "realtime",
        "keywords": "appeal, complaint",
        "group": "Citizen's appeal",
    }
    assert body[3]["group"] == "Request for public information"
    for code in CODES:
        definition = valid(get(f"services/{code}.json").json(), "service-definition.json")
        assert definition == {"service_code": code, "attributes": []}
    assert refused("services/potholes.json", {}, 404) == [
        {"code": 404, "description": "There is no service with this code."}
    ]


@pytest.mark.parametrize(
    ("lang", "name", "group"),
    [
        ("uk", "Скарга до органу влади", "Звернення громадян"),
        ("pl", "Skarga do organu władzy", "Pismo obywatela"),
    ],
)
def test_services_in_ukrainian_and_polish(db: None, lang: str, name: str, group: str) -> None:
    body = valid(get("services.json", {"lang": lang}).json(), "services.json")
    assert (body[2]["service_name"], body[2]["group"]) == (name, group)


# --- Only what the register publishes -------------------------------------------------------


@pytest.mark.parametrize("state", ["pending", "rejected", "consent withdrawn", "case withdrawn", "private"])
def test_only_published_cases_are_requests(
    reception: Reception, clock: Callable[[dt.datetime], None], state: str
) -> None:
    shown = published_on(reception, clock, "2026-11-16")
    if state == "case withdrawn":
        hidden = filed(reception)
        hidden = services.appeal_withdraw(actor=reception.world.users["consultant_a"], appeal=hidden)
    elif state == "private":
        hidden = answered(reception, publish_consent=False)
        hidden = services.appeal_close(actor=reception.world.users["consultant_a"], appeal=hidden)
    else:
        hidden = pending(reception)
    if state == "rejected":
        publication.appeal_moderate(
            actor=reception.world.users["admin"], appeal=hidden, publish=False, subject="", text="", answer=""
        )
    elif state == "consent withdrawn":
        publication.appeal_set_publish_consent(actor=None, appeal=hidden, consent=False, token=hidden.follow_token)
    hidden.refresh_from_db()
    assert hidden.publication != Publication.PUBLISHED and hidden.number
    assert numbers(get("requests.json").json()) == [shown.number]
    assert numbers(get("requests.json", {"service_request_id": f"{hidden.number},{shown.number}"}).json()) == [
        shown.number
    ]
    body = refused(f"requests/{hidden.number}.json", {}, 404)
    assert body == [{"code": 404, "description": "The register publishes no case with this number."}]
    assert numbers(get(f"requests/{shown.number}.json").json()) == [shown.number]


def test_no_personal_data_in_any_response(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    secrets = {
        "author_name": "Гонората Северинівна Пшеничнюк-Завальська",
        "author_email": "honorata.pshenychniuk.7731@example.org",
        "author_phone": "+380 67 765 43 21",
        "author_address": "вул. Липова, 77, кв. 31, Миколаїв, 54099",
    }
    text = (
        f"Я, {secrets['author_name']}, прошу відремонтувати ліхтарі на вулиці. Телефон {secrets['author_phone']}, "
        f"пошта {secrets['author_email']}."
    )
    case = published_on(reception, clock, "2026-11-16", text=text, **secrets)
    assert (case.author_email, case.author_phone) == (secrets["author_email"], secrets["author_phone"])
    assert "███" in case.public_text  # the moderator's copy, with the planted details redacted
    pieces = [
        *secrets.values(),
        "Гонората", "Северинівна", "Пшеничнюк", "honorata", "765 43 21", "Липова",
        case.text, case.follow_token, case.reply_token,
    ]  # fmt: skip
    responses = [
        get("discovery.json"),
        get("services.json"),
        get("services/appeal-complaint.json"),
        get("requests.json"),
        get("requests.json", {"service_request_id": case.number}),
        get(f"requests/{case.number}.json"),
        get(f"requests/{case.number}.json", {"lang": "uk"}),
    ]
    for response in responses:
        body = response.content.decode()
        for piece in pieces:
            assert piece not in body and json.dumps(piece)[1:-1] not in body, piece
    (request,) = responses[-2].json()
    assert set(request) == REQUEST_KEYS


# --- The request's fields -------------------------------------------------------------------


def test_a_request_says_what_the_register_says(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    case = published_on(reception, clock, "2026-11-16")
    assert case.received_at is not None and case.closed_at is not None and case.due_at is not None
    (request,) = valid(get(f"requests/{case.number}.json").json(), "requests.json")
    valid(request, "request.json")
    assert request == {
        "service_request_id": case.number,
        "status": "closed",
        "status_notes": f"Resolved positively\n\n{case.public_answer}",
        "service_name": "Complaint to an authority",
        "service_code": "appeal-complaint",
        "description": case.public_text,
        "agency_responsible": "Миколаївська міська рада",
        "requested_datetime": "2026-11-16T10:00:00+02:00",
        "updated_datetime": "2026-11-16T10:00:00+02:00",
        # One month from receipt, to the end of its last day in Kyiv (the deadline's own value).
        "expected_datetime": local(case.due_at).isoformat(timespec="seconds"),
    }
    assert request["expected_datetime"] == "2026-12-16T23:59:59+02:00"
    assert case.public_text and case.public_text != case.text  # the redacted copy, not the original


def test_expected_datetime_is_the_due_date_in_kyiv_with_its_offset(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    summer = published_on(reception, clock, "2026-06-01", **INFO_REQUEST)
    winter = published_on(reception, clock, "2026-11-16")
    ids = f"{summer.number},{winter.number}"
    body = valid(get("requests.json", {"service_request_id": ids}).json(), "requests.json")
    assert [(r["service_request_id"], r["expected_datetime"]) for r in body] == [
        (winter.number, "2026-12-16T23:59:59+02:00"),
        # Five working days from Monday 1 June 2026: Monday 8 June, in summer time.
        (summer.number, "2026-06-08T23:59:59+03:00"),
    ]
    assert body[1]["service_code"] == "info-request"
    assert body[1]["service_name"] == "Request for public information"


def test_a_long_question_is_cut_to_georeports_4000_characters(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    case = published_on(reception, clock, "2026-11-16")
    text = "Ліхтар не світить. " * 400  # 7,600 characters
    Appeal.objects.filter(pk=case.pk).update(public_text=text)
    (request,) = valid(get(f"requests/{case.number}.json").json(), "requests.json")
    assert request["description"] == text[:3999] + "…" and len(request["description"]) == 4000


# --- Filters and pages ----------------------------------------------------------------------


@pytest.fixture
def four(reception: Reception, clock: Callable[[dt.datetime], None]) -> dict[str, str]:
    """Published cases received on 1 September (outside the default window), 2, 16 and 20 November."""
    cases = {
        "sep": published_on(reception, clock, "2026-09-01"),
        "nov2": published_on(reception, clock, "2026-11-02"),
        "nov16": published_on(reception, clock, "2026-11-16", appeal_type=AppealType.PROPOSAL),
        "nov20": published_on(reception, clock, "2026-11-20", **INFO_REQUEST),
    }
    return {key: str(case.number) for key, case in cases.items()}


def test_filters(four: dict[str, str]) -> None:
    sep, nov2, nov16, nov20 = four["sep"], four["nov2"], four["nov16"], four["nov20"]

    def listed(**params: str) -> list[str]:
        return numbers(get("requests.json", params).json())

    assert listed() == [nov20, nov16, nov2]  # the last 90 days, the latest received first
    assert listed(start_date="2026-08-25T00:00:00+03:00", end_date="2026-09-30T00:00:00Z") == [sep]
    assert listed(start_date="2026-11-16T10:00:00+02:00") == [nov20, nov16]  # and the 90 days after
    assert listed(start_date="2026-11-16T10:00:01+02:00") == [nov20]
    assert listed(end_date="2026-11-16T10:00:00") == [nov16, nov2, sep]  # naive: Kyiv; the 90 days before
    assert listed(end_date="2026-11-16T09:59:59+02:00") == [nov2, sep]
    assert listed(service_code="info-request") == [nov20]
    assert listed(service_code="appeal-complaint,appeal-proposal") == [nov16, nov2]
    assert listed(service_code="appeal-application") == []
    assert listed(status="closed") == [nov20, nov16, nov2]
    assert listed(status="closed,open") == [nov20, nov16, nov2]
    assert listed(status="open") == []  # the register publishes closed cases only
    # Numbers override every other filter, the date window included.
    assert listed(service_request_id=f" {sep}, {nov20},{sep}", service_code="appeal-application") == [nov20, sep]
    assert listed(service_request_id="ЗВ-2026-99999") == []
    assert listed(jurisdiction_id="cipnet") == [nov20, nov16, nov2]


def test_pages(four: dict[str, str]) -> None:
    first = get("requests.json", {"page_size": 2})
    assert numbers(first.json()) == [four["nov20"], four["nov16"]]
    assert first["X-Total-Count"] == "3"
    assert first["Link"] == '<http://testserver/api/open311/v2/requests.json?page_size=2&page=2>; rel="next"'
    second = get("requests.json", {"page_size": 2, "page": 2})
    assert numbers(second.json()) == [four["nov2"]]
    assert second["Link"] == '<http://testserver/api/open311/v2/requests.json?page_size=2&page=1>; rel="prev"'
    assert refused("requests.json", {"page_size": 2, "page": 3}) == [
        {"code": 400, "description": "page: There is no page 3: the last is 2.", "parameter": "page"}
    ]
    empty = get("requests.json", {"service_code": "appeal-application"})
    assert (empty.json(), empty["X-Total-Count"], empty.has_header("Link")) == ([], "0", False)


def test_the_list_costs_two_queries_however_long(
    reception: Reception, clock: Callable[[dt.datetime], None], django_assert_max_num_queries: Any
) -> None:
    for day in ("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-09"):
        published_on(reception, clock, day)
    with django_assert_max_num_queries(2):
        assert len(get("requests.json").json()) == 6
    with django_assert_max_num_queries(1):
        assert len(get("requests/ЗВ-2026-00001.json").json()) == 1


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"start_date": "yesterday"}, "start_date", "Datetime has wrong format."),
        ({"end_date": "2026-13-01"}, "end_date", "Datetime has wrong format."),
        ({"start_date": "1999-12-31T00:00:00Z"}, "start_date", "Give a date between 2000 and 2100."),
        ({"end_date": "2101-01-01T00:00:00+02:00"}, "end_date", "Give a date between 2000 and 2100."),
        ({"end_date": "9999-12-31T23:59:59-12:00"}, "end_date", "Datetime value out of range."),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},
            "end_date",
            "The dates span more than 90 days; ask for 90 days at most.",
        ),
        (
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "end_date",
            "The end date is before the start date.",
        ),
        ({"status": "pending"}, "status", "Choose open or closed, or both separated by a comma."),
        ({"service_code": "potholes"}, "service_code", "Unknown service code: “potholes”."),
        ({"service_request_id": " , ,"}, "service_request_id", "Name at least one register number."),
        (
            {"service_request_id": ",".join(str(n) for n in range(101))},
            "service_request_id",
            "Name at most 100 register numbers at once.",
        ),
        ({"page": "0"}, "page", "Ensure this value is greater than or equal to 1."),
        ({"page": "two"}, "page", "A valid integer is required."),
        ({"page_size": "101"}, "page_size", "Ensure this value is less than or equal to 100."),
        ({"jurisdiction_id": "sfgov.org"}, "jurisdiction_id", "This server answers for one jurisdiction only"),
        ({"api_key": "x"}, "api_key", "Unknown field."),
        ({"lang": "de"}, "lang", "Choose one of: uk, en, pl."),
    ],
)
def test_bad_parameters_are_named(db: None, params: dict[str, str], parameter: str, message: str) -> None:
    (error,) = refused("requests.json", params)
    assert error["code"] == 400 and error["parameter"] == parameter
    assert error["description"].startswith(f"{parameter}: {message}"), error["description"]


def test_a_window_of_exactly_90_days_is_accepted_across_the_change_to_summer_time(db: None) -> None:
    assert get("requests.json", {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}).json() == []
    window = {"start_date": "2026-01-01T00:00:00+02:00", "end_date": "2026-04-01T00:00:00+03:00"}
    assert get("requests.json", window).json() == []  # 89 days and 23 hours
    (error,) = refused("requests.json", {**window, "end_date": "2026-04-01T01:00:01+03:00"})
    assert error["parameter"] == "end_date"


@pytest.mark.parametrize("path", ["discovery.json", "services.json", "services/info-request.json", "requests/X.json"])
def test_every_endpoint_checks_the_jurisdiction(db: None, path: str) -> None:
    assert refused(path, {"jurisdiction_id": "sfgov.org"}) == [
        {
            "code": 400,
            "description": "jurisdiction_id: This server answers for one jurisdiction only: “cipnet”.",
            "parameter": "jurisdiction_id",
        }
    ]


@pytest.mark.parametrize(
    ("path", "json_path"),
    [
        ("discovery.xml", "discovery.json"),
        ("services.xml", "services.json"),
        ("services/info-request.xml", "services/info-request.json"),
        ("requests.xml", "requests.json"),
        ("requests/ЗВ-2026-00001.xml", "requests/ЗВ-2026-00001.json"),
    ],
)
def test_xml_is_refused_with_the_json_address(db: None, path: str, json_path: str) -> None:
    assert refused(path, {}) == [
        {"code": 400, "description": f"format: Only JSON is offered: ask for {json_path}.", "parameter": "format"}
    ]


@pytest.mark.parametrize("path", ["", "tokens/abc.json", "requests", "requests.json/more", "servicez.json"])
def test_other_addresses_are_not_found(db: None, path: str) -> None:
    assert refused(path, {}, 404) == [{"code": 404, "description": "There is no such Open311 resource."}]


def test_writes_are_refused(db: None) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(BASE + "requests.json", {"service_code": "info-request"})
    assert response.status_code == 405
    (error,) = response.json()
    assert error["code"] == 405


def test_the_public_api_throttle_applies(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The rates are read when a throttle is made: patched on the class, restored after the test.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "2/min"})
    cache.clear()
    responses = [Client(HTTP_ACCEPT_LANGUAGE="en").get(BASE + "services.json") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    (error,) = responses[2].json()
    assert error["code"] == 429 and int(responses[2]["Retry-After"]) > 0
    cache.clear()


def test_outcome_alone_when_nothing_else_is_published(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    case = published_on(reception, clock, "2026-11-16", outcome=Outcome.REFUSED)
    Appeal.objects.filter(pk=case.pk).update(public_answer="  ")
    (request,) = get(f"requests/{case.number}.json").json()
    assert request["status_notes"] == "Refused"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("requests/" + "Я" * 300 + ".json", {}),
        ("requests.json", {"service_request_id": "Я" * 3001}),
        ("requests.json", {"service_code": "info-request," * 50}),
        ("requests.json", {"start_date": "2026-11-16T25:00:00"}),
        ("requests.json", {"page": "9" * 40}),
        ("services/" + "%C3%28" + ".json", {}),
    ],
)
def test_nonsense_is_refused_not_a_server_error(db: None, path: str, params: dict[str, str]) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(BASE + path, params)
    assert response.status_code in (400, 404), response.content
    Draft7Validator(ERRORS_SCHEMA).validate(response.json())


@pytest.mark.parametrize(
    ("path", "params"),
    [("requests/%00.json", {}), ("requests.json", {"service_request_id": "ЗВ\x00"}), ("services/%00.json", {})],
)
def test_a_nul_is_refused_before_the_facade(db: None, path: str, params: dict[str, str]) -> None:
    """The project's guard answers a NUL in the address with its own 400 (`cipnet.core`), for every
    endpoint alike: never a 500 from the database."""
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(BASE + path, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
