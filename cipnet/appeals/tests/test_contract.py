"""The pages and the API show the same cases for the same filters: the officials' inbox and a
consultant's filed cases against `GET /reception/cases/`, the public register against
`GET /reception/register/` (both sides ask one selector: `case_list_visible_to`, `case_list_public`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cipnet.accounts.models import User
from cipnet.appeals import publication, services
from cipnet.appeals.models import Appeal, Authority, Kind, Outcome, Status
from cipnet.appeals.tests.conftest import Reception, appeal_input
from cipnet.core.clock import KYIV

MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=KYIV)
PASSWORD = "correct-horse-battery"
CASE_LINK = re.compile(r'href="(?:/[a-z]{2})?/staff/reception/(\d+)/"')
DRAFT_LINK = re.compile(r'href="(?:/[a-z]{2})?/staff/reception/(\d+)/edit/"')


def people(r: Reception) -> dict[str, User]:
    return {**r.world.users, "clerk": r.clerk, "head": r.head, "oblast_clerk": r.oblast_clerk}


def draft(r: Reception, authority: Authority, **changes: Any) -> Appeal:
    return services.appeal_save_draft(
        actor=r.world.users["consultant_a"],
        data=appeal_input(authority, **changes),
        centre=r.world.centre_a,
        consent=True,
    )


def sent(r: Reception, authority: Authority, **changes: Any) -> Appeal:
    return services.appeal_submit(actor=r.world.users["consultant_a"], appeal=draft(r, authority, **changes))


def official_of(r: Reception, appeal: Appeal) -> User:
    return r.clerk if appeal.authority_id == r.city.pk else r.oblast_clerk


def answered(r: Reception, authority: Authority, **changes: Any) -> Appeal:
    case = sent(r, authority, **changes)
    official = official_of(r, case)
    assert case.received_at is not None
    case = services.appeal_register(
        actor=official,
        appeal=case,
        registration_number=f"П-{case.pk}",
        registered_on=case.received_at.astimezone(KYIV).date(),
    )
    return services.appeal_answer(
        actor=official, appeal=case, outcome=Outcome.POSITIVE, text="Освітлення відремонтовано, дякуємо."
    )


def published(r: Reception, authority: Authority, **changes: Any) -> Appeal:
    case = services.appeal_close(actor=r.world.users["consultant_a"], appeal=answered(r, authority, **changes))
    return publication.appeal_moderate(
        actor=r.world.users["admin"],
        appeal=case,
        publish=True,
        subject=case.public_subject,
        text=case.public_text,
        answer=case.public_answer,
    )


INFO = {"kind": Kind.INFO_REQUEST, "appeal_type": "", "answer_form": "email"}


@pytest.fixture
def cases(reception: Reception) -> list[Appeal]:
    """Cases in several statuses, of both kinds, to two authorities; one draft."""
    r = reception
    r.clock(MONDAY)
    cache.clear()
    made = [
        sent(r, r.city),
        sent(r, r.city, **INFO, subject="Кошторис ремонту школи"),
        sent(r, r.oblast, subject="Дорога до села"),
        answered(r, r.city, subject="Ліхтарі на Садовій"),
        answered(r, r.oblast, **INFO, subject="Кошторис доріг області"),
        draft(r, r.city, subject="Чернетка"),
    ]
    registered = sent(r, r.city, subject="Зареєстроване звернення")
    assert registered.received_at is not None
    made.append(
        services.appeal_register(
            actor=r.clerk,
            appeal=registered,
            registration_number="П-1",
            registered_on=registered.received_at.astimezone(KYIV).date(),
        )
    )
    return made


def page_ids(client: Client, query: dict[str, str], pattern: re.Pattern[str] = CASE_LINK) -> set[int]:
    response = client.get(reverse("reception_staff:inbox"), query)
    assert response.status_code == 200
    return {int(pk) for pk in pattern.findall(response.content.decode())}


def api_ids(client: APIClient, query: dict[str, str]) -> set[int]:
    response = client.get("/api/v1/reception/cases/", {**query, "page_size": "100"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return {item["id"] for item in body["results"]}


def clients(user: User) -> tuple[Client, APIClient]:
    page = Client()
    assert page.login(username=user.username, password=PASSWORD)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    return page, api


STATUSES = ["all", Status.SUBMITTED, Status.REGISTERED, Status.ANSWERED, Status.CLOSED]
KINDS = ["", Kind.APPEAL, Kind.INFO_REQUEST]


@pytest.mark.parametrize("who", ["clerk", "head", "oblast_clerk"])
def test_the_inbox_and_the_api_list_the_same_cases_for_officials(
    reception: Reception, cases: list[Appeal], who: str
) -> None:
    page, api = clients(people(reception)[who])
    seen = set()
    for status in STATUSES:
        for kind in KINDS:
            query = {"status": status, "kind": kind}
            api_query = {k: v for k, v in query.items() if v and v != "all"}
            expected = api_ids(api, api_query)
            assert page_ids(page, query) == expected, query
            seen |= expected
    assert seen  # the combinations are not all empty


def test_a_consultants_filed_cases_and_drafts_are_the_apis(reception: Reception, cases: list[Appeal]) -> None:
    page, api = clients(reception.world.users["consultant_a"])
    everything = api_ids(api, {})
    drafts = api_ids(api, {"status": Status.DRAFT})
    assert page_ids(page, {}) == everything - drafts
    assert page_ids(page, {}, DRAFT_LINK) == drafts
    assert len(everything) == len(cases) and len(drafts) == 1


def test_another_centres_consultant_sees_none_of_them_on_either(reception: Reception, cases: list[Appeal]) -> None:
    page, api = clients(reception.world.users["consultant_b"])
    assert page_ids(page, {}) == page_ids(page, {}, DRAFT_LINK) == api_ids(api, {}) == set()


def register_numbers_page(query: dict[str, str]) -> list[str]:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("reception_register:search"), query)
    assert response.status_code == 200
    links = re.findall(r'<h3><a href="(?:/[a-z]{2})?/reception/register/([^"/]+)/">', response.content.decode())
    return [unquote(number) for number in links]


def register_numbers_api(query: dict[str, str]) -> list[str]:
    response = APIClient().get("/api/v1/reception/register/", query)
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["results"]]


def test_the_register_page_and_the_api_list_the_same_published_cases(reception: Reception) -> None:
    r = reception
    r.clock(MONDAY)
    cache.clear()
    made = [
        published(r, r.city, subject="Ліхтарі на Садовій"),
        published(r, r.oblast, **INFO, subject="Кошторис доріг області"),
        published(r, r.city, subject="Ремонт доріг у місті"),
    ]
    answered(r, r.city, subject="Ремонт доріг без згоди")  # not published: in neither
    queries: list[dict[str, str]] = [
        {},
        {"q": "доріг"},
        {"q": "ліхтарі"},
        {"kind": Kind.APPEAL},
        {"kind": Kind.INFO_REQUEST},
        {"authority": r.city.slug},
        {"authority": r.oblast.slug, "q": "доріг"},
        {"q": "нічого такого"},
    ]
    for query in queries:
        numbers = register_numbers_api(query)
        assert register_numbers_page(query) == [n for n in numbers if n], query
    assert set(register_numbers_api({})) == {c.number for c in made}
