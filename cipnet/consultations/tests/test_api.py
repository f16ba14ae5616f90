"""/api/v1/consultations/: the consultation log — the authorization matrix, create with an
idempotency key, field errors, list filters and query count, changes within the edit window,
the summary from the tallies, and the CSV / XLSX exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cipnet.consultations import services
from cipnet.consultations.models import Consultation, ConsultationChange, Source
from cipnet.consultations.tests.test_exports import make_card, xlsx_cells
from cipnet.core import clock
from cipnet.eservices.models import ServiceCard
from cipnet.testing import World

URL = "/api/v1/consultations/"
SUMMARY = "/api/v1/consultations/summary/"
EXPORT_CSV = "/api/v1/consultations/export.csv"
EXPORT_XLSX = "/api/v1/consultations/export.xlsx"
ClientFor = Callable[[str], APIClient]

ROLES = (
    "anonymous",
    "resident",
    "official",
    "consultant_a",
    "consultant_b",
    "manager_a",
    "coordinator_a",
    "coordinator_b",
    "admin",
)


def detail_url(pk: int) -> str:
    return f"{URL}{pk}/"


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def ago(**delta: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(**delta)


def record(user: Any, centre: Any, **fields: Any) -> Consultation:
    values: dict[str, Any] = {"occurred_at": ago(hours=1), "help_kind": "information", "outcome": "completed", **fields}
    data = services.ConsultationInput(**values)
    return services.consultation_record(author=user, centre=centre, data=data).consultation


@pytest.fixture
def client_for(world: World) -> ClientFor:
    def make(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            token, _created = Token.objects.get_or_create(user=world.users[role])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def cards(world: World) -> dict[str, ServiceCard]:
    return {
        "pension": make_card("pension-portal", "Пенсійний портал", "Pension portal"),
        "tickets": make_card("train-tickets", "Квитки на поїзд"),
    }


@pytest.fixture
def log(world: World, cards: dict[str, ServiceCard]) -> dict[str, Consultation]:
    """a1 by consultant_a and a2 by manager_a in centre A; b1 by consultant_b in centre B."""
    return {
        "a1": record(
            world.users["consultant_a"],
            world.centre_a,
            occurred_at=ago(hours=3),
            help_kind="eservice",
            services=[services.ServiceRef(cards["pension"])],
            satisfaction=4,
            duration_minutes=20,
        ),
        "a2": record(
            world.users["manager_a"],
            world.centre_a,
            occurred_at=ago(hours=2),
            outcome="referred",
            referred_to="ЦНАП",
            satisfaction=2,
        ),
        "b1": record(
            world.users["consultant_b"],
            world.centre_b,
            occurred_at=ago(hours=1),
            help_kind="eservice",
            services=[services.ServiceRef(cards["tickets"]), services.ServiceRef(text="Довідка")],
        ),
    }


def new_entry(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "centre": world.centre_a.pk,
        "help_kind": "eservice",
        "outcome": "completed",
        "services": [{"card": "pension-portal"}],
        **extra,
    }


# --- The authorization matrix ----------------------------------------------------------------

VISIBLE = {
    "consultant_a": {"a1", "a2"},
    "consultant_b": {"b1"},
    "manager_a": {"a1", "a2"},
    "coordinator_a": {"a1", "a2"},
    "coordinator_b": {"b1"},
    "admin": {"a1", "a2", "b1"},
}
REFUSED = {"anonymous": 401, "resident": 403, "official": 403}


@pytest.mark.parametrize("role", ROLES)
def test_list_matrix(log: dict[str, Consultation], client_for: ClientFor, role: str) -> None:
    response = client_for(role).get(URL)
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        assert error(response)["code"] == ("not_authenticated" if role == "anonymous" else "permission_denied")
        return
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["results"]]
    assert ids == [c.pk for c in sorted(log.values(), key=lambda c: c.occurred_at, reverse=True) if c.pk in ids]
    assert set(ids) == {log[key].pk for key in VISIBLE[role]}


DETAIL = {"consultant_a": 200, "consultant_b": 404, "manager_a": 200, "coordinator_a": 200, "coordinator_b": 404}


@pytest.mark.parametrize("role", ROLES)
def test_detail_matrix(log: dict[str, Consultation], client_for: ClientFor, role: str) -> None:
    response = client_for(role).get(detail_url(log["a1"].pk))
    expected = REFUSED.get(role) or DETAIL.get(role, 200)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == log["a1"].pk


CREATE = {
    "consultant_a": 201,
    "consultant_b": 400,  # not a centre they work in: the field is named
    "manager_a": 201,
    "coordinator_a": 403,  # coordinators and administrators work in no centre
    "coordinator_b": 403,
    "admin": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_create_matrix(world: World, cards: dict[str, ServiceCard], client_for: ClientFor, role: str) -> None:
    response = client_for(role).post(URL, new_entry(world), format="json")
    expected = REFUSED.get(role) or CREATE[role]
    assert response.status_code == expected, response.content
    if expected == 201:
        c = Consultation.objects.get()
        assert (c.author, c.consultant, c.centre, c.source) == (
            world.users[role],
            world.users[role],
            world.centre_a,
            Source.API,
        )
    else:
        assert not Consultation.objects.exists()
    if expected == 400:
        assert list(error(response)["fields"]) == ["centre"]
    if role == "anonymous":
        assert response["WWW-Authenticate"] == "Token"


CHANGE = {
    "consultant_a": 200,  # the author, within 24 hours
    "consultant_b": 404,
    "manager_a": 200,  # the centre's manager
    "coordinator_a": 403,  # sees it, may not change it
    "coordinator_b": 404,
    "admin": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_update_matrix(log: dict[str, Consultation], client_for: ClientFor, role: str) -> None:
    a1 = log["a1"]
    response = client_for(role).patch(detail_url(a1.pk), {"note": "Повернеться"}, format="json")
    expected = REFUSED.get(role) or CHANGE[role]
    assert response.status_code == expected, response.content
    a1.refresh_from_db()
    assert a1.note == ("Повернеться" if expected == 200 else "")
    if expected == 200:
        assert response.json()["note"] == "Повернеться"


@pytest.mark.parametrize("role", ROLES)
def test_delete_matrix(log: dict[str, Consultation], client_for: ClientFor, role: str) -> None:
    a1 = log["a1"]
    response = client_for(role).delete(detail_url(a1.pk))
    expected = REFUSED.get(role) or CHANGE[role]
    expected = 204 if expected == 200 else expected
    assert response.status_code == expected, response.content
    assert Consultation.objects.filter(pk=a1.pk).exists() == (expected != 204)


TOTALS = {"consultant_a": 2, "consultant_b": 1, "manager_a": 2, "coordinator_a": 2, "coordinator_b": 1, "admin": 3}


@pytest.mark.parametrize("role", ROLES)
def test_summary_matrix(log: dict[str, Consultation], client_for: ClientFor, role: str) -> None:
    response = client_for(role).get(SUMMARY)
    assert response.status_code == REFUSED.get(role, 200)
    if role not in REFUSED:
        assert response.json()["total"] == TOTALS[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", [EXPORT_CSV, EXPORT_XLSX])
def test_export_matrix(log: dict[str, Consultation], client_for: ClientFor, role: str, url: str) -> None:
    response = client_for(role).get(url)
    assert response.status_code == REFUSED.get(role, 200)
    if role in REFUSED:
        assert error(response)["code"] in {"not_authenticated", "permission_denied"}
        return
    if url == EXPORT_CSV:
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        ids = {int(r[0]) for r in rows[1:]}
    else:
        cells = xlsx_cells(response.content)
        ids = {int(float(value)) for ref, (_kind, value) in cells.items() if ref[0] == "A" and ref != "A1"}
    assert ids == {log[key].pk for key in VISIBLE[role]}


# --- Create ------------------------------------------------------------------------------------


def test_create_with_every_field(world: World, cards: dict[str, ServiceCard], client_for: ClientFor) -> None:
    moment = ago(hours=2)
    body = new_entry(
        world,
        occurred_at=moment.isoformat(),
        services=[{"card": "pension-portal"}, {"text": "Довідка ОК-5"}],
        outcome="not_possible",
        obstacle="no_esignature",
        channel="phone",
        duration_minutes=30,
        gender="female",
        age_band="60-74",
        categories=["pensioner", "idp"],
        settlement_type="village",
        first_visit=True,
        satisfaction=5,
        note="Прийде з ключем",
    )
    response = client_for("consultant_a").post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.content
    data = response.json()
    c = Consultation.objects.get()
    assert response["Location"] == data["url"] == f"http://testserver{detail_url(c.pk)}"
    user = world.users["consultant_a"]
    assert data == {
        "id": c.pk,
        "url": f"http://testserver{detail_url(c.pk)}",
        "centre": {
            "id": world.centre_a.pk,
            "slug": world.centre_a.slug,
            "name": "M. L. Kropyvnytskyi Central Library",
            "region": "mykolaivska",
        },
        "occurred_at": data["occurred_at"],
        "day": c.day.isoformat(),
        "consultant": {"id": user.pk, "name": "consultant_a"},
        "author": {"id": user.pk, "name": "consultant_a"},
        "services": [
            {"card": {"identifier": "pension-portal", "name": "Pension portal"}, "text": ""},
            {"card": None, "text": "Довідка ОК-5"},
        ],
        "help_kind": "eservice",
        "help_kind_label": "Assisted e-service",
        "outcome": "not_possible",
        "outcome_label": "Not possible",
        "referred_to": "",
        "obstacle": "no_esignature",
        "obstacle_label": "No e-signature",
        "channel": "phone",
        "channel_label": "Phone",
        "duration_minutes": 30,
        "gender": "female",
        "gender_label": "Female",
        "age_band": "60-74",
        "age_band_label": "60–74",
        "categories": [
            {"code": "pensioner", "label": "Pensioner"},
            {"code": "idp", "label": "Internally displaced person"},
        ],
        "settlement_type": "village",
        "settlement_type_label": "Village",
        "first_visit": True,
        "satisfaction": 5,
        "note": "Прийде з ключем",
        "source": "api",
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
        "can_change": True,
    }
    assert dt.datetime.fromisoformat(data["occurred_at"]) == moment
    assert c.occurred_at == moment
    assert ConsultationChange.objects.filter(consultation_id=c.pk, action="created").count() == 1


def test_create_defaults(world: World, cards: dict[str, ServiceCard], client_for: ClientFor) -> None:
    before = dt.datetime.now(dt.UTC)
    response = client_for("manager_a").post(URL, new_entry(world), format="json")
    assert response.status_code == 201
    c = Consultation.objects.get()
    assert before - dt.timedelta(seconds=1) <= c.occurred_at <= dt.datetime.now(dt.UTC)
    assert (c.channel, c.gender, c.age_band, c.settlement_type, c.categories) == (
        "walk_in",
        "not_stated",
        "not_stated",
        "not_stated",
        0,
    )
    assert (c.first_visit, c.satisfaction, c.duration_minutes, c.note) == (None, None, None, "")


def test_idempotency_key_makes_a_retry_return_the_first_entry(
    world: World, cards: dict[str, ServiceCard], client_for: ClientFor
) -> None:
    client = client_for("consultant_a")
    key = str(uuid.uuid4())
    first = client.post(URL, new_entry(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(URL, new_entry(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Consultation.objects.count() == 1
    other = client.post(URL, new_entry(world), format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert other.status_code == 201
    without = client.post(URL, new_entry(world), format="json")
    assert without.status_code == 201
    assert Consultation.objects.count() == 3


def test_idempotency_key_is_per_author(world: World, cards: dict[str, ServiceCard], client_for: ClientFor) -> None:
    key = str(uuid.uuid4())
    first = client_for("consultant_a").post(URL, new_entry(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = client_for("manager_a").post(URL, new_entry(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


@pytest.mark.parametrize("key", ["not-a-uuid", "1234", "{zzz}"])
def test_malformed_idempotency_key_is_400(
    world: World, cards: dict[str, ServiceCard], client_for: ClientFor, key: str
) -> None:
    response = client_for("consultant_a").post(URL, new_entry(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["Idempotency-Key"]
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        # The service's rules, each naming its field.
        ({"services": []}, {"services"}),
        ({"outcome": "referred"}, {"referred_to"}),
        ({"outcome": "not_possible"}, {"obstacle"}),
        ({"note": "Телефон 067 123 45 67"}, {"note"}),
        ({"note": "пишіть на someone@example.org"}, {"note"}),
        ({"occurred_at": "2099-01-01T10:00:00+02:00"}, {"occurred_at"}),
        ({"occurred_at": "2001-01-01T10:00:00+02:00"}, {"occurred_at"}),
        (
            {"services": [{"card": "pension-portal"}, {"card": "train-tickets"}, {"text": "a"}, {"text": "b"}]},
            {"services"},
        ),
        # Types and choices.
        (
            {"help_kind": "magic", "outcome": "", "gender": "x", "age_band": 3},
            {"help_kind", "outcome", "gender", "age_band"},
        ),
        ({"duration_minutes": 0, "satisfaction": 6}, {"duration_minutes", "satisfaction"}),
        ({"duration_minutes": 481, "satisfaction": "good"}, {"duration_minutes", "satisfaction"}),
        ({"categories": ["pensioner", "alien"], "first_visit": "maybe"}, {"categories", "first_visit"}),
        ({"occurred_at": "yesterday"}, {"occurred_at"}),
        ({"note": "x" * 501, "referred_to": "y" * 201}, {"note", "referred_to"}),
        ({"services": [{"card": "no-such-card"}]}, {"services"}),
        ({"services": [{"card": "pension-portal", "text": "both"}]}, {"services"}),
        ({"services": [{}]}, {"services"}),
        ({"services": [{"text": "x", "extra": 1}]}, {"services"}),
        ({"services": "pension-portal"}, {"services"}),
        ({"services": ["pension-portal"]}, {"services"}),
        ({"centre": 999999}, {"centre"}),
        ({"centre": "first"}, {"centre"}),
        ({"centre": None}, {"centre"}),
        ({"consultant": 1, "source": "queue"}, {"consultant", "source"}),
    ],
)
def test_bad_input_names_the_fields(
    world: World, cards: dict[str, ServiceCard], client_for: ClientFor, extra: dict[str, Any], fields: set[str]
) -> None:
    response = client_for("consultant_a").post(URL, new_entry(world, **extra), format="json")
    assert response.status_code == 400, response.content
    body = error(response)
    assert body["code"] == "invalid"
    assert set(body["fields"]) == fields
    assert not Consultation.objects.exists()


def test_missing_required_fields(world: World, client_for: ClientFor) -> None:
    response = client_for("consultant_a").post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"centre", "help_kind", "outcome"}


def test_service_item_errors_are_per_index(world: World, cards: dict[str, ServiceCard], client_for: ClientFor) -> None:
    body = new_entry(world, services=[{"card": "pension-portal"}, {"card": "nope"}])
    response = client_for("consultant_a").post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert error(response)["fields"] == {"services": {"1": {"card": ["Unknown service card “nope”."]}}}


@pytest.mark.parametrize("body", [[], "text", 1, None])
def test_body_of_the_wrong_json_type(world: World, client_for: ClientFor, body: Any) -> None:
    response = client_for("consultant_a").post(URL, body, format="json")
    assert response.status_code == 400
    assert error(response)["code"] == "invalid"


def test_body_that_is_not_json(world: World, client_for: ClientFor) -> None:
    response = client_for("consultant_a").post(URL, "{centre:", content_type="application/json")
    assert response.status_code == 400
    assert error(response)["code"] == "parse_error"


def test_session_writes_need_csrf(world: World, cards: dict[str, ServiceCard]) -> None:
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="consultant_a", password="correct-horse-battery")
    assert client.get(URL).status_code == 200
    response = client.post(URL, new_entry(world), format="json")
    assert response.status_code == 403
    assert not Consultation.objects.exists()


# --- List --------------------------------------------------------------------------------------


def test_list_filters(
    world: World, log: dict[str, Consultation], cards: dict[str, ServiceCard], client_for: ClientFor
) -> None:
    client = client_for("admin")
    old = record(world.users["consultant_a"], world.centre_a, occurred_at=ago(days=40), outcome="partly")
    today = log["a1"].day

    def ids(**params: Any) -> set[int]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    a1, a2, b1 = log["a1"].pk, log["a2"].pk, log["b1"].pk
    assert ids() == {a1, a2, b1, old.pk}
    assert ids(centre=world.centre_a.pk) == {a1, a2, old.pk}
    assert ids(region="lvivska") == {b1}
    assert ids(**{"from": (today - dt.timedelta(days=1)).isoformat()}) == {a1, a2, b1}
    assert ids(to=(today - dt.timedelta(days=2)).isoformat()) == {old.pk}
    assert ids(outcome="referred") == {a2}
    assert ids(help_kind="eservice") == {a1, b1}
    assert ids(card="train-tickets") == {b1}
    assert ids(card="pension-portal", centre=world.centre_b.pk) == set()


@pytest.mark.parametrize(
    ("role", "params", "field"),
    [
        ("admin", {"centre": "999999"}, "centre"),
        ("admin", {"centre": "x"}, "centre"),
        ("consultant_b", {"centre": "CENTRE_A"}, "centre"),  # exists, but outside the scope
        ("admin", {"region": "atlantis"}, "region"),
        ("admin", {"from": "2026-13-01"}, "from"),
        ("admin", {"from": "2026-03-10", "to": "2026-03-01"}, "to"),
        ("admin", {"outcome": "great"}, "outcome"),
        ("admin", {"help_kind": "x"}, "help_kind"),
        ("admin", {"card": "no-such-card"}, "card"),
        ("admin", {"lang": "de"}, "lang"),
    ],
)
def test_bad_list_parameters(
    world: World, log: dict[str, Consultation], client_for: ClientFor, role: str, params: dict[str, str], field: str
) -> None:
    params = {k: str(world.centre_a.pk) if v == "CENTRE_A" else v for k, v in params.items()}
    for url in (URL, SUMMARY, EXPORT_CSV, EXPORT_XLSX):
        if url == SUMMARY and field in {"outcome", "help_kind", "card"}:
            continue
        response = client_for(role).get(url, params)
        assert response.status_code == 400, (url, response.content)
        assert list(error(response)["fields"]) == [field]


def test_pagination(world: World, log: dict[str, Consultation], client_for: ClientFor) -> None:
    response = client_for("admin").get(URL, {"page_size": 2})
    body = response.json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"].endswith("page=2&page_size=2")
    assert client_for("admin").get(URL, {"page": 9}).status_code == 404


def test_list_query_count_does_not_grow(
    world: World, log: dict[str, Consultation], cards: dict[str, ServiceCard], client_for: ClientFor
) -> None:
    client = client_for("admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(6):
        extra = make_card(f"extra-{i}", f"Послуга {i}")
        record(
            world.users["consultant_b" if i % 2 else "manager_a"],
            world.centre_b if i % 2 else world.centre_a,
            help_kind="eservice",
            services=[services.ServiceRef(extra), services.ServiceRef(cards["pension"]), services.ServiceRef(text="x")],
            categories=["pensioner"],
        )
    assert count() == few
    # Token, scope, count, page, services with their cards.
    assert few == 5


# --- Change and delete ----------------------------------------------------------------------


def test_update_changes_only_what_is_sent(
    world: World, log: dict[str, Consultation], cards: dict[str, ServiceCard], client_for: ClientFor
) -> None:
    a1 = log["a1"]
    response = client_for("consultant_a").patch(
        detail_url(a1.pk),
        {"services": [{"card": "train-tickets"}, {"text": "Інша"}], "categories": ["veteran"], "satisfaction": None},
        format="json",
    )
    assert response.status_code == 200, response.content
    a1.refresh_from_db()
    assert [(s.card_id, s.free_text) for s in a1.services.all()] == [(cards["tickets"].pk, ""), (None, "Інша")]
    assert (a1.category_values, a1.satisfaction, a1.duration_minutes, a1.help_kind) == (
        ["veteran"],
        None,
        20,
        "eservice",
    )
    change = ConsultationChange.objects.get(consultation_id=a1.pk, action="changed")
    assert set(change.changes) == {"services", "categories", "satisfaction"}


def test_update_refuses_the_centre_and_bad_values(
    world: World, log: dict[str, Consultation], client_for: ClientFor
) -> None:
    a1 = log["a1"]
    response = client_for("manager_a").patch(
        detail_url(a1.pk), {"centre": world.centre_b.pk, "outcome": "referred", "gender": "?"}, format="json"
    )
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"centre", "gender"}
    response = client_for("manager_a").patch(detail_url(a1.pk), {"outcome": "referred"}, format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"referred_to"}
    a1.refresh_from_db()
    assert a1.outcome == "completed"


def test_edit_window(world: World, log: dict[str, Consultation], client_for: ClientFor) -> None:
    a1 = log["a1"]
    Consultation.objects.filter(pk=a1.pk).update(created_at=ago(hours=25))
    detail = client_for("consultant_a").get(detail_url(a1.pk))
    assert detail.json()["can_change"] is False
    response = client_for("consultant_a").patch(detail_url(a1.pk), {"note": "пізно"}, format="json")
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert client_for("consultant_a").delete(detail_url(a1.pk)).status_code == 403
    assert client_for("manager_a").get(detail_url(a1.pk)).json()["can_change"] is True
    assert client_for("manager_a").patch(detail_url(a1.pk), {"note": "можна"}, format="json").status_code == 200


def test_colleague_cannot_change_an_entry(world: World, log: dict[str, Consultation], client_for: ClientFor) -> None:
    a2 = log["a2"]  # by manager_a
    assert client_for("consultant_a").get(detail_url(a2.pk)).json()["can_change"] is False
    assert client_for("consultant_a").patch(detail_url(a2.pk), {"note": "x"}, format="json").status_code == 403


def test_delete_updates_the_tallies_and_the_trail(
    world: World, log: dict[str, Consultation], client_for: ClientFor
) -> None:
    client = client_for("manager_a")
    assert client.get(SUMMARY, {"centre": world.centre_a.pk}).json()["total"] == 2
    assert client.delete(detail_url(log["a1"].pk)).status_code == 204
    assert client.get(SUMMARY, {"centre": world.centre_a.pk}).json()["total"] == 1
    assert ConsultationChange.objects.filter(consultation_id=log["a1"].pk, action="deleted").exists()
    assert client.get(detail_url(log["a1"].pk)).status_code == 404


def test_unknown_entry_is_404(world: World, client_for: ClientFor) -> None:
    for method in ("get", "patch", "delete"):
        response = getattr(client_for("admin"), method)(detail_url(999999), {}, format="json")
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"


# --- Summary ---------------------------------------------------------------------------------


def test_summary_figures(world: World, log: dict[str, Consultation], client_for: ClientFor) -> None:
    response = client_for("coordinator_a").get(SUMMARY, {"region": "mykolaivska", "lang": "en"})
    assert response.status_code == 200
    body = response.json()
    today = clock.local(clock.now()).date()  # not the entry's day: three hours ago may be yesterday
    assert (body["from"], body["to"]) == (today.replace(day=1).isoformat(), today.isoformat())
    assert (body["total"], body["minutes_avg"], body["score_avg"], body["score_n"]) == (2, 20.0, 3.0, 2)
    assert body["breakdowns"]["outcome"] == [
        {"value": "completed", "label": "Completed", "count": 1, "share": 0.5},
        {"value": "referred", "label": "Referred elsewhere", "count": 1, "share": 0.5},
    ]
    assert body["breakdowns"]["service"] == [
        {"value": str(log["a1"].services.get().card_id), "label": "Pension portal", "count": 1, "share": 0.5}
    ]
    assert set(body["breakdowns"]) == {
        "service", "help_kind", "outcome", "obstacle", "channel", "gender", "age_band", "category", "settlement",
        "first_visit", "satisfaction",
    }  # fmt: skip
    assert body["breakdowns"]["obstacle"] == []


def test_summary_scope(world: World, log: dict[str, Consultation], client_for: ClientFor) -> None:
    def total(role: str, **params: Any) -> int:
        response = client_for(role).get(SUMMARY, params)
        assert response.status_code == 200, response.content
        return int(response.json()["total"])

    assert total("admin", centre=world.centre_b.pk) == 1
    assert total("admin", region="mykolaivska") == 2
    # A consultant asking for a region sees only their own centres in it.
    assert total("consultant_a", region="mykolaivska") == 2
    assert total("consultant_a", region="lvivska") == 0
    assert total("coordinator_b", region="mykolaivska") == 0
    # The entries were made one to three hours ago: near midnight in Kyiv, on two days.
    first, last = min(c.day for c in log.values()), max(c.day for c in log.values())
    assert total("admin", **{"from": (last + dt.timedelta(days=1)).isoformat(), "to": "2099-12-31"}) == 0
    assert total("admin", to=(first - dt.timedelta(days=1)).isoformat()) == 0


@pytest.mark.parametrize(
    ("role", "params", "field"),
    [
        ("coordinator_b", {"centre": "CENTRE_A"}, "centre"),
        ("admin", {"centre": "CENTRE_A", "region": "lvivska"}, "region"),
        ("admin", {"from": "2099-01-01"}, "from"),
    ],
)
def test_bad_summary_parameters(
    world: World, log: dict[str, Consultation], client_for: ClientFor, role: str, params: dict[str, str], field: str
) -> None:
    params = {k: str(world.centre_a.pk) if v == "CENTRE_A" else v for k, v in params.items()}
    response = client_for(role).get(SUMMARY, params)
    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]


# --- Exports ---------------------------------------------------------------------------------


def test_csv_export(world: World, log: dict[str, Consultation], client_for: ClientFor) -> None:
    record(world.users["manager_a"], world.centre_a, note="=cmd|' /C calc'!A0")
    response = client_for("coordinator_a").get(EXPORT_CSV, {"lang": "en", "centre": world.centre_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="consultations-')
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Language"] == "en"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Date", "Time"]
    assert [r[0] for r in rows[1:]] == [str(c.pk) for c in Consultation.objects.filter(centre=world.centre_a)]
    assert rows[1][19] == "'=cmd|' /C calc'!A0"
    a1 = next(r for r in rows if r[0] == str(log["a1"].pk))
    assert (a1[6], a1[7], a1[8]) == ("Pension portal", "Assisted e-service", "Completed")


def test_csv_export_filters(world: World, log: dict[str, Consultation], client_for: ClientFor) -> None:
    response = client_for("admin").get(EXPORT_CSV, {"card": "train-tickets"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [str(log["b1"].pk)]
    assert rows[1][6].startswith("Квитки на поїзд; Довідка")


def test_xlsx_export(world: World, log: dict[str, Consultation], client_for: ClientFor) -> None:
    response = client_for("manager_a").get(EXPORT_XLSX, {"lang": "en", "outcome": "referred"}, HTTP_ACCEPT="*/*")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    cells = xlsx_cells(response.content)
    assert cells["A1"][1] == "ID"
    assert float(cells["A2"][1]) == log["a2"].pk
    assert cells["J2"][1] == "ЦНАП"
    assert "A3" not in cells
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert 'name="Consultations"' in archive.read("xl/workbook.xml").decode()


def test_xlsx_export_refuses_too_many_rows(
    world: World, log: dict[str, Consultation], client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cipnet.consultations.api.exports.XLSX_MAX_ROWS", 2)
    response = client_for("admin").get(EXPORT_XLSX)
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["to"]
    assert client_for("admin").get(EXPORT_XLSX, {"centre": world.centre_b.pk}).status_code == 200


def test_export_accepts_any_accept_header(world: World, log: dict[str, Consultation], client_for: ClientFor) -> None:
    response = client_for("admin").get(EXPORT_CSV, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    refused = APIClient().get(EXPORT_CSV, HTTP_ACCEPT="text/csv")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/json"


# --- Schema ----------------------------------------------------------------------------------


def test_schema_lists_the_consultation_operations() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        op["operationId"]
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/consultations/")
        for op in item.values()
    }
    assert operations == {
        "consultations_list",
        "consultations_create",
        "consultations_retrieve",
        "consultations_update",
        "consultations_destroy",
        "consultations_summary",
        "consultations_export_csv",
        "consultations_export_xlsx",
    }
