"""One limit on new cases for every path (issue 13, item 7): 20 an hour from an account, 10 an
hour from an address without one; the form and the API count the same cases."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cipnet.appeals import limits
from cipnet.appeals.models import Appeal, CaseStart
from cipnet.appeals.tests.conftest import Reception
from cipnet.appeals.tests.test_api import CASES, new_case
from cipnet.appeals.tests.test_views import form_data, login

NEW = "/en/reception/new/appeal/"


def token_client(reception: Reception, who: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _created = Token.objects.get_or_create(user=reception.world.users[who])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_api_allows_an_account_twenty_new_cases_an_hour_then_429_with_retry_after(reception: Reception) -> None:
    client = token_client(reception, "resident")
    key = str(uuid.uuid4())
    for i in range(limits.ACCOUNT_PER_HOUR):
        body: dict[str, Any] = new_case(idempotency_key=key) if i == 0 else new_case()
        assert client.post(CASES, body, format="json").status_code == 201
    refused = client.post(CASES, new_case(send=True), format="json")
    assert refused.status_code == 429
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    assert refused.json()["error"]["code"] == "throttled"
    assert "Too many cases" in refused.json()["error"]["message"]
    assert Appeal.objects.count() == limits.ACCOUNT_PER_HOUR
    # A retry of a case already saved creates nothing, so it is not refused.
    assert client.post(CASES, new_case(idempotency_key=key), format="json").status_code == 201
    # Another account has its own hour.
    assert token_client(reception, "consultant_a").post(CASES, new_case(), format="json").status_code == 201


def test_one_limit_for_the_page_and_the_api(reception: Reception) -> None:
    api = token_client(reception, "resident")
    for _i in range(limits.ACCOUNT_PER_HOUR - 1):
        assert api.post(CASES, new_case(), format="json").status_code == 201
    page = login(Client(), "resident")
    assert page.post(NEW, form_data(reception, send=None)).status_code == 302
    response = page.post(NEW, form_data(reception, send=None, subject="Ще одна тема"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many cases were sent from here in the last hour" in html
    assert "Ще одна тема" in html  # what was typed is shown again
    assert Appeal.objects.count() == limits.ACCOUNT_PER_HOUR


def test_an_address_without_an_account_starts_ten_cases_an_hour(reception: Reception) -> None:
    visitor = Client(REMOTE_ADDR="203.0.113.7")
    for _i in range(limits.ADDRESS_PER_HOUR):
        assert visitor.post(NEW, form_data(reception, send=None)).status_code == 302
    assert visitor.post(NEW, form_data(reception, send=None)).status_code == 429
    # Editing one's own draft is not a new case.
    draft = Appeal.objects.first()
    assert draft is not None
    edit = reverse("reception:edit", args=[draft.follow_token])
    assert visitor.post(edit, form_data(reception, send=None, subject="Змінена тема")).status_code == 302
    # Another address has its own hour.
    assert Client(REMOTE_ADDR="203.0.113.8").post(NEW, form_data(reception, send=None)).status_code == 302
    assert Appeal.objects.count() == limits.ADDRESS_PER_HOUR + 1


def test_a_refused_case_does_not_use_up_the_hour(reception: Reception) -> None:
    client = token_client(reception, "resident")
    for _i in range(limits.ACCOUNT_PER_HOUR + 5):
        bad = client.post(CASES, new_case(send=True, author_address=""), format="json")
        assert bad.status_code == 400
    assert client.post(CASES, new_case(), format="json").status_code == 201


def test_the_hour_passes(reception: Reception) -> None:
    client = token_client(reception, "resident")
    for _i in range(limits.ACCOUNT_PER_HOUR):
        assert client.post(CASES, new_case(), format="json").status_code == 201
    assert client.post(CASES, new_case(), format="json").status_code == 429
    CaseStart.objects.update(created_at=limits.now() - dt.timedelta(hours=1, seconds=1))
    assert client.post(CASES, new_case(), format="json").status_code == 201
