"""/api/v1/reception/: cases through the API (authorization matrix, 400 naming fields, 409 on illegal
steps), the public deadline calculator under both working-day regimes, and the mail webhook's secret."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cipnet.accounts.models import User
from cipnet.appeals import services
from cipnet.appeals.api.deadline import DeadlineThrottle
from cipnet.appeals.models import Appeal, AppealEvent, EventKind, Status
from cipnet.appeals.tests.conftest import Reception, appeal_input, reception, submitted  # noqa: F401
from cipnet.core.clock import KYIV

MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=KYIV)
CASES = "/api/v1/reception/cases/"
DEADLINE = "/api/v1/reception/deadline/"
INBOUND = "/api/v1/reception/inbound-mail/"
FIXTURES = Path(__file__).resolve().parents[2] / "appeals" / "tests" / "fixtures"
SECRET = "s3cret-for-the-mail-provider"

ClientFor = Callable[[str], APIClient]


def api(**defaults: Any) -> APIClient:
    """A client that reads the messages in English."""
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", **defaults)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Throttles count in the cache.
    cache.clear()
    yield
    cache.clear()


def people(r: Reception) -> dict[str, User]:
    return {**r.world.users, "clerk": r.clerk, "head": r.head, "oblast_clerk": r.oblast_clerk}


@pytest.fixture
def client_for(reception: Reception) -> ClientFor:  # noqa: F811
    users = people(reception)

    def make(who: str) -> APIClient:
        client = api()
        if who != "anonymous":
            token, _created = Token.objects.get_or_create(user=users[who])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def case(reception: Reception) -> Appeal:  # noqa: F811
    """An appeal to the city council, filed at centre A by consultant_a for a visitor, sent on Monday."""
    reception.clock(MONDAY)
    return submitted(reception)


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def url(case: Appeal, action: str = "") -> str:
    return f"{CASES}{case.pk}/" + (f"{action}/" if action else "")


def snapshot(case: Appeal) -> tuple[Any, ...]:
    fresh = Appeal.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.term,
        fresh.due_at,
        fresh.assignee_id,
        fresh.registration_number,
        fresh.outcome,
        AppealEvent.objects.filter(appeal=case).count(),
        Appeal.objects.count(),
    )


def new_case(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "appeal",
        "authority": "mykolaiv-city-council",
        "appeal_type": "complaint",
        "author_name": "Марія Іванівна Петренко",
        "author_address": "вул. Садова, 5, кв. 12, Миколаїв, 54017",
        "author_email": "maria.petrenko@example.org",
        "subject": "Не працює вуличне освітлення",
        "text": "На вулиці Садовій біля будинку 5 другий місяць не світять ліхтарі. Прошу відремонтувати.",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


# --- Authorization matrix --------------------------------------------------------------------------

# (who, may read the case, may register it)
MATRIX = [
    ("anonymous", None, False),
    ("resident", False, False),
    ("consultant_a", True, False),  # filed it
    ("manager_a", True, False),  # a colleague of the centre where it was filed
    ("trainer_a", True, False),
    ("consultant_b", False, False),
    ("manager_b", False, False),
    ("coordinator_a", True, False),  # the centre's and the authority's region
    ("coordinator_b", False, False),
    ("official", False, False),  # an official's role, but no post at this authority
    ("admin", True, False),
    ("clerk", True, True),
    ("head", True, True),
    ("oblast_clerk", False, False),  # an official of another authority
]


@pytest.mark.parametrize(("who", "may_read", "may_register"), MATRIX)
def test_matrix_read_and_register(
    client_for: ClientFor, case: Appeal, who: str, may_read: bool | None, may_register: bool
) -> None:
    client = client_for(who)
    response = client.get(url(case))
    if may_read is None:
        assert response.status_code == 401
        assert error(response)["code"] == "not_authenticated"
    elif may_read:
        assert response.status_code == 200
        assert response.json()["number"] == case.number
    else:
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"

    before = snapshot(case)
    response = client.post(
        url(case, "register"), {"registration_number": "П-1", "registered_on": "2026-11-16"}, format="json"
    )
    if may_register:
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "registered"
        return
    assert response.status_code == {None: 401, True: 409, False: 404}[may_read]
    if may_read:
        assert error(response)["code"] == "invalid_transition"
    assert snapshot(case) == before


ACTIONS: list[tuple[str, dict[str, Any]]] = [
    ("submit", {}),
    ("register", {"registration_number": "П-1", "registered_on": "2026-11-16"}),
    ("take", {}),
    ("assign", {}),  # the assignee is filled in by the test
    ("no-study", {}),
    ("extend", {"reason": "Потрібна перевірка підрядника."}),
    ("forward", {"to": "lviv-oda", "reason": "Питання належить до компетенції області."}),
    ("ask", {"question": "Уточніть номер опори, будь ласка."}),
    ("clarify", {"text": "Опора № 14."}),
    ("answer", {"outcome": "positive", "text": "Освітлення відремонтовано."}),
    ("record-answer", {"outcome": "positive", "text": "Освітлення відремонтовано.", "channel": "post"}),
    ("close", {}),
    ("withdraw", {}),
]


@pytest.mark.parametrize(("action", "body"), ACTIONS, ids=[a for a, _b in ACTIONS])
@pytest.mark.parametrize("who", ["oblast_clerk", "resident", "consultant_b", "coordinator_b", "official"])
def test_outside_the_scope_every_action_is_404_and_changes_nothing(
    reception: Reception,  # noqa: F811
    client_for: ClientFor,
    case: Appeal,
    who: str,
    action: str,
    body: dict[str, Any],
) -> None:
    if action == "assign":
        body = {"assignee": reception.oblast_clerk.pk}
    before = snapshot(case)
    response = client_for(who).post(url(case, action), body, format="json")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    assert snapshot(case) == before


@pytest.mark.parametrize("action", [a for a, _b in ACTIONS])
def test_anonymous_cannot_act(client_for: ClientFor, case: Appeal, action: str) -> None:
    before = snapshot(case)
    assert client_for("anonymous").post(url(case, action), {}, format="json").status_code == 401
    assert snapshot(case) == before


def test_anonymous_cannot_list_or_create(client_for: ClientFor, case: Appeal) -> None:
    anonymous = client_for("anonymous")
    assert anonymous.get(CASES).status_code == 401
    assert anonymous.post(CASES, new_case(), format="json").status_code == 401
    assert Appeal.objects.count() == 1


def test_session_writes_need_the_csrf_token(reception: Reception, case: Appeal) -> None:  # noqa: F811
    client = api(enforce_csrf_checks=True)
    client.force_login(reception.clerk)
    assert client.get(url(case)).status_code == 200
    response = client.post(url(case, "take"), {}, format="json")
    assert response.status_code == 403
    assert Appeal.objects.get(pk=case.pk).status == Status.SUBMITTED


# --- Lists --------------------------------------------------------------------------------------


def test_each_sees_their_own_list(reception: Reception, client_for: ClientFor, case: Appeal) -> None:  # noqa: F811
    r = reception
    resident = r.world.users["resident"]
    mine = services.appeal_save_draft(actor=resident, data=appeal_input(r.city))  # a draft
    to_oblast = services.appeal_submit(
        actor=resident, appeal=services.appeal_save_draft(actor=resident, data=appeal_input(r.oblast))
    )

    def ids(who: str, **params: str) -> list[int]:
        response = client_for(who).get(CASES, params)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == len(body["results"])
        return [item["id"] for item in body["results"]]

    assert ids("resident") == [to_oblast.pk, mine.pk]
    assert ids("consultant_a") == [case.pk]
    assert ids("clerk") == [case.pk]  # not the resident's draft to the same authority
    assert ids("oblast_clerk") == [to_oblast.pk]
    assert ids("consultant_b") == []
    assert ids("admin") == [to_oblast.pk, mine.pk, case.pk]
    assert ids("resident", status="draft") == [mine.pk]
    assert ids("resident", kind="info_request") == []
    assert ids("admin", kind="appeal", status="submitted") == [to_oblast.pk, case.pk]

    item = client_for("clerk").get(CASES).json()["results"][0]
    assert item["number"] == case.number
    assert item["status"] == "submitted" and item["kind"] == "appeal"
    assert item["authority"] == {"slug": "mykolaiv-city-council", "name": "Миколаївська міська рада"}
    assert item["url"].endswith(url(case))

    response = client_for("resident").get(CASES, {"status": "lost", "kind": "letter"})
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"status", "kind"}


def test_the_list_costs_the_same_queries_for_more_cases(
    reception: Reception,  # noqa: F811
    client_for: ClientFor,
    case: Appeal,
) -> None:
    client = client_for("admin")
    client.get(CASES)  # the token and the scope, once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CASES).status_code == 200
        return len(captured)

    one = queries()
    for _i in range(3):
        submitted(reception)
    assert queries() == one


# --- Submitting -----------------------------------------------------------------------------------


def test_a_resident_saves_a_draft_then_sends_it(reception: Reception, client_for: ClientFor) -> None:  # noqa: F811
    reception.clock(MONDAY)
    client = client_for("resident")
    response = client.post(CASES, new_case(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == body["url"]
    assert (body["status"], body["number"], body["due_at"]) == ("draft", None, None)
    assert body["actions"] == ["submit", "withdraw"]
    appeal = Appeal.objects.get(pk=body["id"])
    assert appeal.user == reception.world.users["resident"] and appeal.filed_by is None

    response = client.post(url(appeal, "submit"), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["number"] == "ЗВ-2026-00001"
    assert body["term"] == "appeal_1m"
    assert body["due"]["due_on"] == "2026-12-16"
    assert body["due_at"] == "2026-12-16T23:59:59.999999+02:00"
    assert [e["kind"] for e in body["events"]] == ["submitted"]  # "created" is internal
    assert body["events"][0]["actor"] is None


def test_send_at_once_and_retry_with_the_same_key(reception: Reception, client_for: ClientFor) -> None:  # noqa: F811
    reception.clock(MONDAY)
    key = str(uuid.uuid4())
    client = client_for("resident")
    first = client.post(CASES, new_case(send=True, idempotency_key=key), format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "submitted"
    again = client.post(CASES, new_case(send=True, idempotency_key=key), format="json")
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Appeal.objects.count() == 1
    assert AppealEvent.objects.filter(kind=EventKind.SUBMITTED).count() == 1

    # Somebody else's key: refused, nothing saved, nothing shown.
    other = client_for("manager_b").post(CASES, new_case(idempotency_key=key), format="json")
    assert other.status_code == 409
    assert error(other)["code"] == "idempotency_conflict"
    assert "Марія" not in other.content.decode()
    assert Appeal.objects.count() == 1


def test_a_case_that_cannot_be_sent_is_400_and_not_saved(
    reception: Reception,  # noqa: F811
    client_for: ClientFor,
) -> None:
    reception.clock(MONDAY)
    response = client_for("resident").post(
        CASES, new_case(send=True, author_address="", author_name="Марія", appeal_type=""), format="json"
    )
    assert response.status_code == 400
    e = error(response)
    assert e["code"] == "invalid"
    assert set(e["fields"]) == {"author_address", "author_name", "appeal_type"}
    assert Appeal.objects.count() == 0


def test_input_errors_name_the_fields(reception: Reception, client_for: ClientFor) -> None:  # noqa: F811
    client = client_for("resident")
    response = client.post(
        CASES,
        new_case(kind="letter", authority="nowhere", author_email="not-an-address", text=None, colour="red"),
        format="json",
    )
    assert response.status_code == 400
    fields = error(response)["fields"]
    assert set(fields) == {"kind", "authority", "author_email", "text", "colour"}
    assert fields["authority"] == ["Unknown authority “nowhere”."]
    assert fields["colour"] == ["Unknown field."]
    assert client.post(CASES, "[1, 2]", content_type="application/json").status_code == 400
    assert Appeal.objects.count() == 0


def test_a_consultant_files_for_a_visitor(reception: Reception, client_for: ClientFor) -> None:  # noqa: F811
    reception.clock(MONDAY)
    centre = reception.world.centre_a
    consultant = client_for("consultant_a")
    response = consultant.post(CASES, new_case(centre=centre.pk, send=True), format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"consent"}

    response = consultant.post(CASES, new_case(centre=centre.pk, consent=True, send=True), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["centre"]["id"] == centre.pk and body["consent_at"] is not None
    appeal = Appeal.objects.get(pk=body["id"])
    assert appeal.filed_by == reception.world.users["consultant_a"] and appeal.user is None
    # A colleague of the centre follows it too.
    assert client_for("manager_a").get(url(appeal)).status_code == 200

    # Not one's own centre.
    response = client_for("consultant_b").post(CASES, new_case(centre=centre.pk, consent=True), format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"centre"}
    assert Appeal.objects.count() == 1


# --- Steps ------------------------------------------------------------------------------------------


def test_a_case_from_register_to_close(reception: Reception, client_for: ClientFor, case: Appeal) -> None:  # noqa: F811
    r = reception
    clerk, author = client_for("clerk"), client_for("consultant_a")

    def step(client: APIClient, action: str, **body: Any) -> dict[str, Any]:
        response = client.post(url(case, action), body, format="json")
        assert response.status_code == 200, response.json()
        return response.json()

    assert step(clerk, "register", registration_number="П-1234/26", registered_on="2026-11-16")["status"] == (
        "registered"
    )
    assert step(clerk, "take")["status"] == "in_progress"
    body = step(clerk, "assign", assignee=r.head.pk)
    assert body["assignee"] == {"id": r.head.pk, "name": r.head.display_name}
    assert step(clerk, "ask", question="Уточніть, будь ласка, номер опори.")["status"] == "clarification"
    assert step(author, "clarify", text="Опора № 14.")["status"] == "in_progress"
    body = step(clerk, "no-study")
    assert (body["term"], body["due"]["due_on"]) == ("appeal_15d", "2026-12-01")
    body = step(clerk, "answer", outcome="positive", text="Освітлення відремонтовано 20 листопада.")
    assert (body["status"], body["outcome"]) == ("answered", "positive")
    assert body["answer_text"] == "Освітлення відремонтовано 20 листопада."
    assert step(author, "close")["status"] == "closed"

    # The authority's officials see every step and who took it; the author only the public ones.
    internal = clerk.get(url(case)).json()["events"]
    assert [e["kind"] for e in internal] == [
        "created", "submitted", "registered", "taken", "assigned", "clarify_asked", "clarify_given", "no_study",
        "answered", "closed",
    ]  # fmt: skip
    assert internal[3]["actor"] == {"id": r.clerk.pk, "name": r.clerk.display_name}
    public = author.get(url(case)).json()["events"]
    assert "assigned" not in [e["kind"] for e in public] and "created" not in [e["kind"] for e in public]
    assert all(e["actor"] is None for e in public)
    assert author.get(url(case)).json()["actions"] == []


def test_an_illegal_step_is_409_and_changes_nothing(
    reception: Reception,  # noqa: F811
    client_for: ClientFor,
    case: Appeal,
) -> None:
    before = snapshot(case)
    response = client_for("clerk").post(url(case, "take"), format="json")  # not registered yet
    assert response.status_code == 409
    e = error(response)
    assert e["code"] == "invalid_transition"
    assert e["message"] == "“Take into consideration” is not possible while the case is “Sent”."
    assert snapshot(case) == before

    # Not the author's step.
    response = client_for("clerk").post(url(case, "withdraw"), format="json")
    assert response.status_code == 409
    assert error(response)["message"] == "“Withdraw” is not for you to do on this case."
    # Not the official's step.
    response = client_for("consultant_a").post(
        url(case, "register"), {"registration_number": "1", "registered_on": "2026-11-16"}, format="json"
    )
    assert response.status_code == 409
    assert snapshot(case) == before


def test_step_input_errors_are_400(reception: Reception, client_for: ClientFor, case: Appeal) -> None:  # noqa: F811
    clerk = client_for("clerk")
    before = snapshot(case)
    response = clerk.post(url(case, "register"), {}, format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"registration_number", "registered_on"}
    response = clerk.post(
        url(case, "register"), {"registration_number": "П-1", "registered_on": "2026-11-10"}, format="json"
    )
    assert response.status_code == 400  # before the day of receipt (the service's rule)
    assert set(error(response)["fields"]) == {"registered_on"}
    response = clerk.post(url(case, "take"), {"now": True}, format="json")
    assert response.status_code == 400
    assert error(response)["fields"] == {"now": ["Unknown field."]}
    response = clerk.post(url(case, "assign"), {"assignee": reception.oblast_clerk.pk}, format="json")
    assert response.status_code == 400
    assert error(response)["fields"] == {"assignee": ["Choose an official of this authority."]}
    response = clerk.post(url(case, "answer"), {"outcome": "maybe", "text": "Так."}, format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"outcome"}
    response = clerk.post(url(case, "forward"), {"to": "mykolaiv-city-council", "reason": "Не наше."}, format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"to"}
    assert snapshot(case) == before

    clerk.post(url(case, "register"), {"registration_number": "П-1", "registered_on": "2026-11-16"}, format="json")
    before = snapshot(case)
    response = clerk.post(url(case, "ask"), {"question": "Що?"}, format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"question"}
    assert snapshot(case) == before


def test_only_the_head_extends_an_appeal(reception: Reception, client_for: ClientFor, case: Appeal) -> None:  # noqa: F811
    services.appeal_register(actor=reception.clerk, appeal=case, registration_number="П-1", registered_on=MONDAY.date())
    assert "extend" not in client_for("clerk").get(url(case)).json()["actions"]
    assert "extend" in client_for("head").get(url(case)).json()["actions"]
    before = snapshot(case)
    response = client_for("clerk").post(
        url(case, "extend"), {"reason": "Потрібна перевірка підрядника."}, format="json"
    )
    assert response.status_code == 409
    assert "Only the head" in error(response)["message"]
    assert snapshot(case) == before
    response = client_for("head").post(url(case, "extend"), {"reason": "Потрібна перевірка підрядника."}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["term"]) == ("extended", "appeal_45d")


def test_forwarding_opens_a_case_at_the_other_authority(
    reception: Reception,  # noqa: F811
    client_for: ClientFor,
    case: Appeal,
) -> None:
    response = client_for("clerk").post(
        url(case, "forward"), {"to": "lviv-oda", "reason": "Питання належить до компетенції області."}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == case.pk and body["status"] == "forwarded"
    new = Appeal.objects.get(forwarded_from=case)
    assert body["forwarded_to"] == [new.number]
    seen = client_for("oblast_clerk").get(url(new)).json()
    assert (seen["status"], seen["forwarded_from"]) == ("submitted", case.number)
    assert client_for("oblast_clerk").get(url(case)).status_code == 404


def test_the_author_withdraws(client_for: ClientFor, case: Appeal) -> None:
    response = client_for("manager_a").post(url(case, "withdraw"), format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert client_for("manager_a").post(url(case, "withdraw"), format="json").status_code == 409


def test_an_unknown_case_is_404(client_for: ClientFor, case: Appeal) -> None:
    assert client_for("admin").get(f"{CASES}999999/").status_code == 404
    assert client_for("clerk").post(f"{CASES}999999/take/", format="json").status_code == 404


# --- The deadline calculator --------------------------------------------------------------------------


def deadline(client: APIClient, **params: str) -> Any:
    return client.get(DEADLINE, params)


@pytest.mark.django_db
def test_deadline_of_a_request_under_martial_law() -> None:
    # Tuesday 22.12.2026; Christmas (25.12) is a working day under martial law.
    response = deadline(api(), kind="info_request", received_at="2026-12-22T15:30:00+02:00")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "kind": "info_request",
        "term": "standard",
        "statutory_term": "info_5wd",
        "explanation": "Term: 5 working days, counted from the day after receipt.",
        "received_at": "2026-12-22T15:30:00+02:00",
        "starts_on": "2026-12-23",
        "due_at": "2026-12-29T23:59:59.999999+02:00",
        "due_on": "2026-12-29",
        "moved_from": None,
        "moved_from_holiday": None,
        "martial_law": True,
    }


@pytest.mark.django_db
@override_settings(CIPNET_MARTIAL_LAW={"enabled": False})
def test_deadline_of_a_request_in_peacetime() -> None:
    body = deadline(api(), kind="info_request", received_at="2026-12-22T15:30:00+02:00").json()
    assert (body["due_on"], body["martial_law"]) == ("2026-12-30", False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("martial_law", "due_on", "moved_from", "holiday"),
    [(True, "2026-12-25", None, None), (False, "2026-12-28", "2026-12-25", "Різдво Христове")],
)
def test_deadline_of_an_appeal_ending_on_christmas(
    martial_law: bool, due_on: str, moved_from: str | None, holiday: str | None
) -> None:
    with override_settings(CIPNET_MARTIAL_LAW={"enabled": martial_law}):
        body = deadline(api(), kind="appeal", received_at="2026-11-25T09:00:00").json()
    assert body["statutory_term"] == "appeal_1m"
    assert body["received_at"] == "2026-11-25T09:00:00+02:00"  # without an offset: Kyiv time
    assert (body["due_on"], body["moved_from"], body["moved_from_holiday"]) == (due_on, moved_from, holiday)
    assert body["martial_law"] is martial_law


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "term", "received_at", "statutory", "due_at"),
    [
        ("info_request", "urgent", "2026-11-20T17:45:00+02:00", "info_48h", "2026-11-22T17:45:00+02:00"),
        ("info_request", "extended", "2026-11-16T10:00:00+02:00", "info_20wd", "2026-12-14T23:59:59.999999+02:00"),
        ("appeal", "no_study", "2026-11-16T10:00:00+02:00", "appeal_15d", "2026-12-01T23:59:59.999999+02:00"),
        ("appeal", "extended", "2026-11-16T10:00:00+02:00", "appeal_45d", "2026-12-31T23:59:59.999999+02:00"),
        # 19.11 + 5 days is Tuesday 24.11.
        ("appeal", "forward", "2026-11-19T08:00:00Z", "forward_5d", "2026-11-24T23:59:59.999999+02:00"),
        # 19.11 + one month is Saturday 19.12: the next working day.
        ("appeal", "standard", "2026-11-19T10:00:00+02:00", "appeal_1m", "2026-12-21T23:59:59.999999+02:00"),
    ],
)
def test_deadline_terms(kind: str, term: str, received_at: str, statutory: str, due_at: str) -> None:
    body = deadline(api(), kind=kind, term=term, received_at=received_at).json()
    assert (body["statutory_term"], body["due_at"]) == (statutory, due_at)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"kind", "received_at"}),
        ({"kind": "petition", "received_at": "2026-11-16T10:00"}, {"kind"}),
        ({"kind": "appeal", "received_at": "yesterday"}, {"received_at"}),
        ({"kind": "appeal", "received_at": "2026-11-16T10:00", "term": "urgent"}, {"term"}),
        ({"kind": "info_request", "received_at": "2026-11-16T10:00", "term": "no_study"}, {"term"}),
        ({"kind": "info_request", "received_at": "2026-11-16T10:00", "term": "forever"}, {"term"}),
        ({"kind": "appeal", "received_at": "1900-01-01T10:00"}, {"received_at"}),
    ],
)
def test_deadline_input_errors(params: dict[str, str], fields: set[str]) -> None:
    response = deadline(api(), **params)
    assert response.status_code == 400
    assert set(error(response)["fields"]) == fields


@pytest.mark.django_db
def test_deadline_is_throttled_per_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DeadlineThrottle, "rate", "2/min")
    client = api()
    params = {"kind": "appeal", "received_at": "2026-11-16T10:00"}
    assert [deadline(client, **params).status_code for _i in range(3)] == [200, 200, 429]
    assert error(deadline(client, **params))["code"] == "throttled"


# --- The mail webhook -------------------------------------------------------------------------------


def post_mail(raw: bytes, secret: str | None = SECRET, content_type: str = "message/rfc822") -> Any:
    headers = {"HTTP_X_CIPNET_MAIL_SECRET": secret} if secret is not None else {}
    return api().post(INBOUND, raw, content_type=content_type, **headers)


def reply_to(case: Appeal, name: str = "plain_reply") -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes().replace(b"__TOKEN__", case.reply_token.encode())


def test_webhook_is_off_without_a_secret(case: Appeal) -> None:
    with override_settings(CIPNET_INBOUND_MAIL_SECRET=""):
        response = post_mail(reply_to(case))
    assert response.status_code == 404
    assert not AppealEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED).exists()


@override_settings(CIPNET_INBOUND_MAIL_SECRET=SECRET)
@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET.upper()])
def test_webhook_refuses_a_wrong_secret(case: Appeal, secret: str | None) -> None:
    response = post_mail(reply_to(case), secret=secret)
    assert response.status_code == 403
    assert not AppealEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED).exists()


@override_settings(CIPNET_INBOUND_MAIL_SECRET=SECRET)
def test_webhook_files_a_reply_once(case: Appeal) -> None:
    response = post_mail(reply_to(case, "html_reply_with_pdf"))
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "filed", "case": case.number, "stored": ["opora-14.pdf"], "refused": []}
    again = post_mail(reply_to(case, "html_reply_with_pdf"), content_type="application/octet-stream")
    assert again.json() == {"status": "duplicate", "case": case.number, "stored": [], "refused": []}
    assert AppealEvent.objects.filter(appeal=case, kind=EventKind.MESSAGE_RECEIVED).count() == 1
    refused = post_mail(reply_to(case, "exe_as_pdf")).json()
    assert refused["status"] == "filed" and len(refused["refused"]) == 1
    unknown = post_mail(reply_to(case, "unknown_token"))
    assert unknown.status_code == 200
    assert unknown.json() == {"status": "unmatched", "case": None, "stored": [], "refused": []}
    assert Appeal.objects.get(pk=case.pk).status == Status.SUBMITTED


@override_settings(CIPNET_INBOUND_MAIL_SECRET=SECRET)
def test_webhook_input_errors(case: Appeal) -> None:
    assert post_mail(b"").status_code == 400
    response = api().post(INBOUND, {"message": "hi"}, format="json", HTTP_X_CIPNET_MAIL_SECRET=SECRET)
    assert response.status_code == 415
    assert error(response)["code"] == "unsupported_media_type"


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_answer_with_the_authoritys_document_and_its_download(
    reception: Reception,  # noqa: F811
    client_for: ClientFor,
    case: Appeal,
) -> None:
    clerk = client_for("clerk")
    registered = {"registration_number": "П-7", "registered_on": "2026-11-16"}
    assert clerk.post(url(case, "register"), registered, format="json").status_code == 200
    assert clerk.post(url(case, "take"), {}, format="json").status_code == 200
    response = clerk.post(
        url(case, "answer"),
        {"outcome": "positive", "text": "Освітлення відремонтовано, акт додано.", "files": [upload("акт.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "answered"
    [answered] = [e for e in body["events"] if e["kind"] == "answered"]
    [document] = answered["attachments"]
    assert (document["name"], document["content_type"], document["source"]) == (
        "акт.pdf",
        "application/pdf",
        "authority",
    )
    # The author (the consultant who filed it) downloads it; someone outside the case gets a 404.
    download = client_for("consultant_a").get(document["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    for outsider in ("consultant_b", "oblast_clerk", "resident"):
        assert client_for(outsider).get(document["url"]).status_code == 404, outsider
    assert client_for("anonymous").get(document["url"]).status_code == 401


def test_an_answer_by_post_is_recorded_with_the_scanned_letter(
    reception: Reception,  # noqa: F811
    client_for: ClientFor,
    case: Appeal,
) -> None:
    clerk = client_for("clerk")
    assert "record-answer" in clerk.get(url(case)).json()["actions"]
    body = {"outcome": "explained", "text": "Роз'яснення надіслано листом 18.11.2026.", "channel": "post"}
    # Without the scan: 400 naming the field, nothing changes.
    before = snapshot(case)
    response = clerk.post(url(case, "record-answer"), body, format="multipart")
    assert response.status_code == 400
    assert "files" in error(response)["fields"]
    assert snapshot(case) == before
    # A program named .pdf: refused by its content.
    response = clerk.post(
        url(case, "record-answer"), {**body, "files": [upload("scan.pdf", b"MZ\x90\x00program")]}, format="multipart"
    )
    assert response.status_code == 400
    assert "attachments" in error(response)["fields"]
    assert snapshot(case) == before
    response = clerk.post(url(case, "record-answer"), {**body, "files": [upload("scan.pdf", PDF)]}, format="multipart")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["outcome"]) == ("answered", "explained")
    [recorded] = [e for e in data["events"] if e["kind"] == "answer_recorded"]
    assert recorded["data"]["channel"] == "post"
    assert [a["source"] for a in recorded["attachments"]] == ["scan"]
    # Answered: recording again is a 409.
    again = clerk.post(url(case, "record-answer"), {**body, "files": [upload("scan.pdf", PDF)]}, format="multipart")
    assert again.status_code == 409
