"""Authorization matrix: who may open a case's staff page and take the authority's step on it.
A case outside one's scope is 404; a denied step changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cipnet.appeals.models import AppealEvent, Status
from cipnet.appeals.tests.conftest import Reception, submitted
from cipnet.core.clock import KYIV

MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=KYIV)

# (who, may open the case, may register it)
MATRIX = [
    ("anonymous", None, False),
    ("resident", False, False),
    ("consultant_a", True, False),  # the filer
    ("manager_a", True, False),  # a colleague in the centre where it was filed
    ("consultant_b", False, False),
    ("coordinator_a", True, False),  # the centre's and the authority's region
    ("coordinator_b", False, False),
    ("official", False, False),  # an official role without a post at this authority
    ("admin", True, False),
    ("clerk", True, True),
    ("head", True, True),
    ("oblast_clerk", False, False),
]


def _client(r: Reception, who: str) -> Client:
    client = Client()
    users = {**r.world.users, "clerk": r.clerk, "head": r.head, "oblast_clerk": r.oblast_clerk}
    if who != "anonymous":
        client.force_login(users[who])
    return client


@pytest.mark.parametrize(("who", "may_open", "may_register"), MATRIX)
def test_staff_case_page_and_step(reception: Reception, who: str, may_open: bool | None, may_register: bool) -> None:
    reception.clock(MONDAY)
    case = submitted(reception)
    client = _client(reception, who)
    response = client.get(reverse("reception_staff:case", args=[case.pk]))
    if may_open is None:
        assert response.status_code == 302 and "/accounts/login/" in response.url
    else:
        assert response.status_code == (200 if may_open else 404)
    events = AppealEvent.objects.filter(appeal=case).count()
    response = client.post(
        reverse("reception_staff:step", args=[case.pk, "register"]),
        {"registration_number": "П-1", "registered_on": "2026-11-16"},
    )
    case.refresh_from_db()
    if may_register:
        assert case.status == Status.REGISTERED
    else:
        assert response.status_code in (302, 404)
        assert case.status == Status.SUBMITTED
        assert AppealEvent.objects.filter(appeal=case).count() == events


@pytest.mark.parametrize(("who", "sees"), [("clerk", True), ("head", True), ("oblast_clerk", False)])
def test_inbox_shows_only_the_officials_authority(reception: Reception, who: str, sees: bool) -> None:
    reception.clock(MONDAY)
    case = submitted(reception)
    page = _client(reception, who).get(reverse("reception_staff:inbox")).content.decode()
    assert (case.number in page) is sees


def test_the_inbox_is_not_for_residents(reception: Reception) -> None:
    assert _client(reception, "resident").get(reverse("reception_staff:inbox")).status_code == 404


def test_drafts_stay_with_their_author(reception: Reception) -> None:
    from cipnet.appeals import services
    from cipnet.appeals.tests.conftest import appeal_input

    draft = services.appeal_save_draft(actor=reception.world.users["resident"], data=appeal_input(reception.city))
    assert _client(reception, "clerk").get(reverse("reception_staff:case", args=[draft.pk])).status_code == 404
    assert _client(reception, "resident").get(reverse("reception_staff:case", args=[draft.pk])).status_code == 200
