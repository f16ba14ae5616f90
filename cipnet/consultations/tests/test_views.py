"""Staff pages of the consultation log: who may open what, quick entry, the day's tally,
changing and deleting entries, the centre dashboard and the regional/network summary.

Assertions are on status codes, redirects, the database, element ids/names/data-value
attributes and numbers, never on translated text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from cipnet.accounts.models import User
from cipnet.consultations import selectors, services
from cipnet.consultations.models import (
    FREE_TEXT_SERVICE,
    ChangeAction,
    Consultation,
    ConsultationChange,
    ConsultationService,
    ConsultationTarget,
    Dimension,
    Source,
)
from cipnet.consultations.selectors import ScopeFilter
from cipnet.consultations.services import ConsultationInput, ServiceRef
from cipnet.core.clock import KYIV, now
from cipnet.directory.models import Centre
from cipnet.eservices.models import Provider, ServiceCard
from cipnet.testing import World

PASSPORT_CARD = "Оформлення закордонного паспорта"
BIRTH_CARD = "Допомога при народженні дитини"
PENSION_CARD = "Призначення пенсії за віком"
PHONE_TEXT = "Передзвонити на +380 67 123 45 67"

ROLES = [
    "anonymous", "resident", "official", "consultant_a", "manager_a", "trainer_a",
    "consultant_b", "manager_b", "coordinator_a", "coordinator_b", "admin",
]  # fmt: skip
LOGGERS_A = {"consultant_a", "manager_a", "trainer_a"}
STAFF = {
    "consultant_a",
    "manager_a",
    "trainer_a",
    "consultant_b",
    "manager_b",
    "coordinator_a",
    "coordinator_b",
    "admin",
}
STAFF_OF_A = {"consultant_a", "manager_a", "trainer_a", "coordinator_a", "admin"}
#: Who may change an entry of centre A that consultant_a made a minute ago.
CHANGERS_OF_FRESH_A = {"consultant_a", "manager_a"}
TARGET_SETTERS_OF_A = {"coordinator_a", "admin"}
SUMMARY_READERS = {"coordinator_a", "coordinator_b", "admin"}
CANDIDATE_READERS = {"manager_a", "manager_b", "coordinator_a", "coordinator_b", "admin"}
#: Centres whose entries each role may see in lists and exports.
VISIBLE_CENTRES = {
    "consultant_a": {"a"},
    "manager_a": {"a"},
    "trainer_a": {"a"},
    "coordinator_a": {"a"},
    "consultant_b": {"b"},
    "manager_b": {"b"},
    "coordinator_b": {"b"},
    "admin": {"a", "b"},
}


# --- Helpers ---------------------------------------------------------------------------------


def client_for(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def expected(role: str, allowed: set[str], ok: int = 200, refused: int = 404) -> int:
    if role == "anonymous":
        return 302  # to the sign-in page
    return ok if role in allowed else refused


def today() -> dt.date:
    return now().astimezone(KYIV).date()


def make_card(identifier: str, name: str) -> ServiceCard:
    provider = Provider.objects.get_or_create(slug="mincifra", defaults={"name": "Мінцифри"})[0]
    return ServiceCard.objects.create(
        identifier=identifier,
        name=name,
        short_description="Коротко.",
        description="Докладно.",
        kind="administrative",
        provider=provider,
    )


@pytest.fixture
def cards(db: None) -> dict[str, ServiceCard]:
    return {
        "passport": make_card("zakordonnyi-pasport", PASSPORT_CARD),
        "birth": make_card("yedyna-dopomoha", BIRTH_CARD),
        "pension": make_card("pensiia-za-vikom", PENSION_CARD),
    }


def record(user: User, centre: Centre, **fields: Any) -> Consultation:
    values: dict[str, Any] = {"occurred_at": now(), "help_kind": "information"}
    values.setdefault("outcome", "completed")
    values.update(fields)
    return services.consultation_record(author=user, centre=centre, data=ConsultationInput(**values)).consultation


def entry_data(centre: Centre, **changes: Any) -> dict[str, Any]:
    """A valid quick-entry POST: information only, completed, nothing about the visitor."""
    data: dict[str, Any] = {
        "centre": centre.pk,
        "key": str(uuid.uuid4()),
        "service": "",
        "service_2": "",
        "help_kind": "information",
        "outcome": "completed",
        "referred_to": "",
        "obstacle": "",
        "gender": "not_stated",
        "age_band": "not_stated",
        "settlement_type": "not_stated",
        "first_visit": "",
        "channel": "walk_in",
        "duration_minutes": "",
        "satisfaction": "",
        "note": "",
        "occurred_at": "",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def entry_url(centre: Centre | None = None) -> str:
    url = reverse("consultations:entry")
    return f"{url}?{urlencode({'centre': centre.pk})}" if centre else url


def csv_ids(response: Any) -> set[int]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    return {int(r[0]) for r in rows[1:]}


def key_in(html: str) -> str:
    match = re.search(r'name="key" value="([0-9a-f-]{36})"', html)
    assert match, "no idempotency key in the form"
    return match.group(1)


def counts(summary: selectors.Summary) -> dict[str, dict[str, int]]:
    return {dim: {r.value: r.count for r in rows} for dim, rows in summary.breakdowns.items() if rows}


def html_breakdowns(html: str) -> dict[str, dict[str, int]]:
    """{dimension: {data-value: count}} from the rendered breakdown tables."""
    out: dict[str, dict[str, int]] = {}
    for section in re.finditer(
        r'<section class="breakdown" aria-labelledby="bd-([a-z_]+)">(.*?)</section>', html, re.S
    ):
        rows = re.findall(r'<tr data-value="([^"]*)">.*?<td class="num">(\d+)</td>', section.group(2), re.S)
        out[section.group(1)] = {value: int(n) for value, n in rows}
    return out


# --- Authorization matrix ---------------------------------------------------------------------


@pytest.fixture
def entries(world: World) -> dict[str, Consultation]:
    """One entry in each centre, made a minute ago by the centre's consultant."""
    return {
        "a": record(world.users["consultant_a"], world.centre_a),
        "b": record(world.users["consultant_b"], world.centre_b),
    }


@pytest.mark.parametrize("role", ROLES)
def test_read_pages(world: World, entries: dict[str, Consultation], role: str) -> None:
    client = client_for(world, role)
    a, pk = world.centre_a.pk, entries["a"].pk
    cases = [
        (entry_url(world.centre_a), LOGGERS_A),
        (f"{reverse('consultations:tally')}?centre={a}", LOGGERS_A),
        (reverse("consultations:entries"), STAFF),
        (reverse("consultations:edit", args=[pk]), STAFF_OF_A),
        (reverse("consultations:delete", args=[pk]), STAFF_OF_A),
        (reverse("consultations:history", args=[pk]), STAFF_OF_A),
        (reverse("consultations:centre", args=[a]), STAFF_OF_A),
        (reverse("consultations:summary"), SUMMARY_READERS),
        (reverse("consultations:export", args=["csv"]), STAFF),
        (reverse("consultations:export", args=["xlsx"]), STAFF),
        (reverse("consultations:candidates"), CANDIDATE_READERS),
    ]
    for url, allowed in cases:
        response = client.get(url)
        want = expected(role, allowed)
        if want == 200 and ("/edit/" in url or "/delete/" in url) and role not in CHANGERS_OF_FRESH_A:
            want = 403  # visible, but not theirs to change: the "locked" page
        assert response.status_code == want, (url, role, response.status_code)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("role", ROLES)
def test_entry_post(world: World, role: str) -> None:
    client = client_for(world, role)
    before = Consultation.objects.count()
    response = client.post(reverse("consultations:entry"), entry_data(world.centre_a))
    assert response.status_code == expected(role, LOGGERS_A, ok=302)
    created = Consultation.objects.count() - before
    assert created == (1 if role in LOGGERS_A else 0)
    if role in LOGGERS_A:
        c = Consultation.objects.latest("id")
        assert (c.centre_id, c.author_id, c.source) == (world.centre_a.pk, world.users[role].pk, Source.QUICK)


@pytest.mark.parametrize("role", ROLES)
def test_tally_post(world: World, role: str) -> None:
    client = client_for(world, role)
    data = tally_data(world.centre_a, today() - dt.timedelta(days=1), {0: {"time": "10:00"}})
    response = client.post(reverse("consultations:tally"), data)
    assert response.status_code == expected(role, LOGGERS_A, ok=302)
    assert Consultation.objects.count() == (1 if role in LOGGERS_A else 0)


@pytest.mark.parametrize("role", ROLES)
def test_edit_and_delete_post(world: World, entries: dict[str, Consultation], role: str) -> None:
    client = client_for(world, role)
    c = entries["a"]
    response = client.post(reverse("consultations:edit", args=[c.pk]), entry_data(world.centre_a, outcome="partly"))
    want = expected(role, STAFF_OF_A, ok=302)
    if want == 302 and role != "anonymous" and role not in CHANGERS_OF_FRESH_A:
        want = 403
    assert response.status_code == want
    c.refresh_from_db()
    assert c.outcome == ("partly" if role in CHANGERS_OF_FRESH_A else "completed")

    response = client.post(reverse("consultations:delete", args=[c.pk]))
    assert response.status_code == want
    assert Consultation.objects.filter(pk=c.pk).exists() is (role not in CHANGERS_OF_FRESH_A)
    assert Consultation.objects.filter(pk=entries["b"].pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_target_post(world: World, role: str) -> None:
    client = client_for(world, role)
    start = today().replace(day=1)
    response = client.post(
        reverse("consultations:target", args=[world.centre_a.pk]),
        {"consultations": 40, "period_months": 2, "starts_on": start.isoformat()},
    )
    assert response.status_code == expected(role, TARGET_SETTERS_OF_A, ok=302)
    targets = list(ConsultationTarget.objects.values_list("centre_id", "consultations", "period_months", "starts_on"))
    if role in TARGET_SETTERS_OF_A:
        assert response["Location"] == reverse("consultations:centre", args=[world.centre_a.pk])
        assert targets == [(world.centre_a.pk, 40, 2, start)]
    else:
        assert targets == []


@pytest.mark.parametrize("role", sorted(STAFF))
def test_lists_and_exports_hold_only_visible_centres(world: World, entries: dict[str, Consultation], role: str) -> None:
    client = client_for(world, role)
    visible = {entries[k].pk for k in VISIBLE_CENTRES[role]}
    response = client.get(reverse("consultations:entries"))
    assert response.status_code == 200
    assert {c.pk for c in response.context["page"].object_list} == visible
    # Asking for the other centre explicitly does not widen the scope.
    response = client.get(reverse("consultations:entries"), {"centre": world.centre_b.pk})
    assert {c.pk for c in response.context["page"].object_list} == visible & {entries["b"].pk}

    response = client.get(reverse("consultations:export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert csv_ids(response) == visible
    response = client.get(reverse("consultations:export", args=["csv"]), {"centre": world.centre_a.pk})
    assert csv_ids(response) == visible & {entries["a"].pk}
    response = client.get(reverse("consultations:export", args=["xlsx"]))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_consultant_b_cannot_log_for_centre_a_through_the_form(world: World) -> None:
    client = client_for(world, "consultant_b")
    assert client.get(entry_url(world.centre_b)).status_code == 200
    assert client.get(entry_url(world.centre_a)).status_code == 404
    assert client.post(reverse("consultations:entry"), entry_data(world.centre_a)).status_code == 404
    assert client.get(reverse("consultations:centre", args=[world.centre_a.pk])).status_code == 404
    assert Consultation.objects.count() == 0


def test_history_of_unknown_entry_is_404(world: World) -> None:
    client = client_for(world, "admin")
    assert client.get(reverse("consultations:history", args=[999999])).status_code == 404
    assert client.get(reverse("consultations:export", args=["pdf"])).status_code == 404


# --- Quick entry --------------------------------------------------------------------------------


@pytest.fixture
def consultant(world: World) -> Client:
    return client_for(world, "consultant_a")


def test_quick_entry_saves_and_redirects(world: World, consultant: Client, cards: dict[str, ServiceCard]) -> None:
    data = entry_data(
        world.centre_a,
        service=BIRTH_CARD,
        service_2="Довідка з ЖЕКу",
        free_text="on",
        help_kind="eservice",
        outcome="partly",
        gender="female",
        age_band="30-44",
        categories=["idp", "unemployed"],
        settlement_type="village",
        first_visit="yes",
        channel="phone",
        duration_minutes="25",
        satisfaction="4",
        note="Потрібна ще одна довідка",
    )
    response = consultant.post(reverse("consultations:entry"), data)
    assert response.status_code == 302
    c = Consultation.objects.get()
    assert response["Location"] == f"{reverse('consultations:entry')}?centre={world.centre_a.pk}&saved={c.pk}"
    assert (c.centre_id, c.author_id, c.consultant_id) == (world.centre_a.pk, *[world.users["consultant_a"].pk] * 2)
    assert (c.help_kind, c.outcome, c.gender, c.age_band, c.settlement_type) == (
        "eservice",
        "partly",
        "female",
        "30-44",
        "village",
    )
    assert sorted(c.category_values) == ["idp", "unemployed"]
    assert (c.first_visit, c.channel, c.duration_minutes, c.satisfaction) == (True, "phone", 25, 4)
    assert (c.note, c.idempotency_key, c.source, c.day) == (
        "Потрібна ще одна довідка",
        uuid.UUID(data["key"]),
        Source.QUICK,
        today(),
    )
    assert abs((now() - c.occurred_at).total_seconds()) < 60
    assert [(s.card_id, s.free_text, s.position) for s in c.services.all()] == [
        (cards["birth"].pk, "", 0),
        (None, "Довідка з ЖЕКу", 1),
    ]
    assert list(ConsultationChange.objects.values_list("consultation_id", "action")) == [(c.pk, ChangeAction.CREATED)]

    # The page it redirects to shows the saved notice.
    page = consultant.get(response["Location"])
    assert page.status_code == 200
    assert page.context["saved"] == c
    assert page.context["repeated"] is False
    assert 'id="saved-notice"' in page.content.decode()

    # The same form sent again (same key): nothing saved twice.
    again = consultant.post(reverse("consultations:entry"), data)
    assert again.status_code == 302
    assert again["Location"] == (f"{reverse('consultations:entry')}?centre={world.centre_a.pk}&saved={c.pk}&repeated=1")
    assert Consultation.objects.count() == 1
    assert ConsultationService.objects.count() == 2
    assert selectors.summary(where=ScopeFilter(centre_ids=(world.centre_a.pk,)), start=today(), end=today()).total == 1
    page = consultant.get(again["Location"])
    assert page.context["repeated"] is True


def test_quick_entry_matches_a_card_by_its_exact_name_only(
    world: World, consultant: Client, cards: dict[str, ServiceCard]
) -> None:
    consultant.post(reverse("consultations:entry"), entry_data(world.centre_a, service=f"  {PENSION_CARD} "))
    consultant.post(
        reverse("consultations:entry"), entry_data(world.centre_a, service="Призначення пенсії", free_text="on")
    )
    rows = list(ConsultationService.objects.order_by("consultation_id").values_list("card_id", "free_text"))
    assert rows == [(cards["pension"].pk, ""), (None, "Призначення пенсії")]


def test_quick_entry_with_htmx_returns_the_panel(world: World, consultant: Client) -> None:
    first = consultant.get(entry_url())
    key = key_in(first.content.decode())
    response = consultant.post(
        reverse("consultations:entry"), entry_data(world.centre_a, key=key), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="entry-panel">')
    assert "<html" not in html
    assert 'id="saved-notice"' in html
    c = Consultation.objects.get()
    assert response.context["saved"] == c
    assert str(c.idempotency_key) == key
    new_key = key_in(html)
    assert new_key != key
    assert response.context["today_count"] == 1

    # The next visitor, with the fresh key, is a second entry.
    consultant.post(
        reverse("consultations:entry"), entry_data(world.centre_a, key=new_key), headers={"HX-Request": "true"}
    )
    assert Consultation.objects.count() == 2
    # A retry of the first one is not.
    retry = consultant.post(
        reverse("consultations:entry"), entry_data(world.centre_a, key=key), headers={"HX-Request": "true"}
    )
    assert retry.status_code == 200
    assert retry.context["repeated"] is True
    assert retry.context["saved"] == c
    assert Consultation.objects.count() == 2


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"note": "Зателефонувати 067 123 45 67 увечері"}, "note"),
        ({"note": "Пише на ivan.petrenko@example.com"}, "note"),
        ({"help_kind": "eservice", "service": ""}, "service"),
        ({"help_kind": "eservice", "service": PHONE_TEXT}, "service"),
        ({"outcome": "referred", "referred_to": ""}, "referred_to"),
        ({"outcome": "not_possible", "obstacle": ""}, "obstacle"),
        ({"occurred_at": (now().astimezone(KYIV) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")}, "occurred_at"),
        ({"duration_minutes": "0"}, "duration_minutes"),
    ],
)
def test_quick_entry_errors(world: World, consultant: Client, changes: dict, field: str, htmx: bool) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    data = entry_data(world.centre_a, **changes)
    response = consultant.post(reverse("consultations:entry"), data, headers=headers)
    assert response.status_code == 200
    assert Consultation.objects.count() == 0
    form = response.context["form"]
    assert list(form.errors) == [field], form.errors
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert key_in(html) == data["key"]  # the same key, so a fixed resubmission is not a new visitor
    for name, value in changes.items():
        if value:
            assert form[name].value() == value
            assert str(value) in html  # what was typed is kept


def test_quick_entry_referred_with_place_is_saved(world: World, consultant: Client) -> None:
    data = entry_data(world.centre_a, outcome="referred", referred_to="Сервісний центр ПФУ")
    assert consultant.post(reverse("consultations:entry"), data).status_code == 302
    assert Consultation.objects.get().referred_to == "Сервісний центр ПФУ"


def test_same_profile_copies_the_last_visitor(world: World, consultant: Client) -> None:
    consultant_a = world.users["consultant_a"]
    record(consultant_a, world.centre_a, gender="female", age_band="18-29", categories=["student"])
    record(
        consultant_a,
        world.centre_a,
        gender="male",
        age_band="60-74",
        categories=["pensioner", "disability"],
        settlement_type="town",
        first_visit=False,
    )
    # Another consultant's later entry is not "my last visitor".
    record(world.users["manager_a"], world.centre_a, gender="other", age_band="0-17", first_visit=True)
    data = entry_data(
        world.centre_a, service="Субсидія на оплату житла", gender="female", age_band="30-44", action="same_profile"
    )
    response = consultant.post(reverse("consultations:entry"), data)
    assert response.status_code == 200
    assert Consultation.objects.count() == 3
    form = response.context["form"]
    assert not form.is_bound
    assert form.errors == {}
    assert form["gender"].value() == "male"
    assert form["age_band"].value() == "60-74"
    assert sorted(form["categories"].value()) == ["disability", "pensioner"]
    assert form["settlement_type"].value() == "town"
    assert form["first_visit"].value() == "no"
    assert form["service"].value() == "Субсидія на оплату житла"
    assert form["key"].value() == data["key"]
    html = response.content.decode()
    assert re.search(r'name="gender" value="male"[^>]*checked', html)
    assert re.search(r'name="categories" value="pensioner"[^>]*checked', html)
    assert re.search(r'name="first_visit" value="no"[^>]*checked', html)
    assert 'value="Субсидія на оплату житла"' in html

    # Then saving the form as shown records that profile.
    saved = consultant.post(
        reverse("consultations:entry"),
        entry_data(
            world.centre_a,
            key=data["key"],
            service="Субсидія на оплату житла",
            free_text="on",
            gender="male",
            age_band="60-74",
            categories=["pensioner", "disability"],
            settlement_type="town",
            first_visit="no",
        ),
    )
    assert saved.status_code == 302
    c = Consultation.objects.latest("id")
    assert (c.gender, c.age_band, sorted(c.category_values), c.settlement_type, c.first_visit) == (
        "male",
        "60-74",
        ["disability", "pensioner"],
        "town",
        False,
    )


def test_same_profile_without_earlier_visitor_changes_nothing(world: World, consultant: Client) -> None:
    data = entry_data(world.centre_a, service="Субсидія", gender="female", action="same_profile")
    response = consultant.post(reverse("consultations:entry"), data)
    assert response.status_code == 200
    assert Consultation.objects.count() == 0
    form = response.context["form"]
    assert (form["gender"].value(), form["service"].value()) == ("female", "Субсидія")


def test_prefill_token(world: World, consultant: Client, cards: dict[str, ServiceCard]) -> None:
    started = now() - dt.timedelta(minutes=30)
    token = services.consultation_prefill(
        centre=world.centre_a,
        started_at=started,
        finished_at=started + dt.timedelta(minutes=17),
        cards=[cards["passport"], cards["birth"]],
        channel="online",
    )
    response = consultant.get(reverse("consultations:entry"), {"prefill": token})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["service"].value() == PASSPORT_CARD
    assert form["service_2"].value() == BIRTH_CARD
    assert form["duration_minutes"].value() == 17
    assert form["channel"].value() == "online"
    assert form["occurred_at"].value() == started.astimezone(KYIV).replace(tzinfo=None, microsecond=0)
    html = response.content.decode()
    assert f'name="service" value="{PASSPORT_CARD}"' in html
    assert 'name="duration_minutes" value="17"' in html

    # A token made for another centre is ignored, as is a forged one.
    other = services.consultation_prefill(
        centre=world.centre_b, started_at=started, finished_at=started + dt.timedelta(minutes=9), cards=[cards["birth"]]
    )
    for bad in (other, token[:-2] + "xx"):
        response = consultant.get(reverse("consultations:entry"), {"prefill": bad})
        assert response.status_code == 200
        form = response.context["form"]
        assert form["service"].value() in (None, "")
        assert form["duration_minutes"].value() is None
        assert form["channel"].value() == "walk_in"


# --- The day's tally ---------------------------------------------------------------------------


def tally_data(centre: Centre, day: dt.date, rows: dict[int, dict[str, str]], *, n: int = 10, key: str = "") -> dict:
    data: dict[str, Any] = {
        "centre": centre.pk,
        "key": key or str(uuid.uuid4()),
        "day": day.isoformat(),
        "row-TOTAL_FORMS": n,
        "row-INITIAL_FORMS": 0,
        "row-MIN_NUM_FORMS": 0,
        "row-MAX_NUM_FORMS": 100,
    }
    fields = ("time", "service", "help_kind", "outcome", "gender", "age_band", "category", "settlement_type")
    for i in range(n):
        for name in (*fields, "first_visit"):
            data[f"row-{i}-{name}"] = rows.get(i, {}).get(name, "")
    return data


def test_tally_grid_rows(world: World, consultant: Client) -> None:
    url = reverse("consultations:tally")
    response = consultant.get(url)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 10
    assert len(re.findall(r'<tr id="line-\d+"', response.content.decode())) == 10
    assert response.context["header"]["day"].value() == today()
    response = consultant.get(url, {"rows": 30})
    assert len(response.context["formset"].forms) == 30
    assert len(re.findall(r'<tr id="line-\d+"', response.content.decode())) == 30
    for silly in ("0", "1000", "abc"):
        assert len(consultant.get(url, {"rows": silly}).context["formset"].forms) == 10


def test_tally_saves_good_rows_and_returns_bad_ones(
    world: World, consultant: Client, cards: dict[str, ServiceCard]
) -> None:
    day = today() - dt.timedelta(days=1)
    rows = {
        0: {"time": "09:15", "service": PENSION_CARD, "outcome": "completed", "gender": "female", "age_band": "60-74"},
        1: {"time": "10:40", "help_kind": "literacy", "category": "pensioner", "first_visit": "yes"},
        2: {"service": "Довідка про склад сім'ї", "outcome": "partly", "settlement_type": "village"},
        3: {"time": "11:05", "service": PHONE_TEXT, "gender": "male", "age_band": "45-59"},
    }
    data = tally_data(world.centre_a, day, rows)
    response = consultant.post(reverse("consultations:tally"), data)
    assert response.status_code == 200
    assert response.context["saved_count"] == 3
    assert response.context["error_count"] == 1
    saved = list(Consultation.objects.order_by("occurred_at"))
    assert len(saved) == 3
    assert [(c.occurred_at.astimezone(KYIV).time(), c.day, c.source) for c in saved] == [
        (dt.time(9, 15), day, Source.BULK),
        (dt.time(10, 40), day, Source.BULK),
        (dt.time(12, 0), day, Source.BULK),  # no time given: noon
    ]
    first, second, third = saved
    assert (first.help_kind, first.outcome, first.gender, first.age_band) == (
        "eservice",
        "completed",
        "female",
        "60-74",
    )
    assert [s.card_id for s in first.services.all()] == [cards["pension"].pk]
    assert (second.help_kind, second.category_values, second.first_visit) == ("literacy", ["pensioner"], True)
    assert list(second.services.all()) == []
    assert (third.help_kind, third.outcome, third.settlement_type) == ("eservice", "partly", "village")
    assert [s.free_text for s in third.services.all()] == ["Довідка про склад сім'ї"]

    html = response.content.decode()
    bad = re.search(r'<tr id="line-4" class="grid__error">(.*?)</tr>', html, re.S)
    assert bad, "the bad line is marked"
    assert f'value="{PHONE_TEXT}"' in bad.group(1)
    assert re.search(r'<option value="male" selected>', bad.group(1))
    assert 'value="11:05"' in bad.group(1)
    assert "service" in response.context["formset"].forms[3].errors
    assert len(re.findall(r'class="grid__saved"', html)) == 3
    assert len(re.findall(r'class="grid__error"', html)) == 1
    for i in range(5, 11):  # empty lines stay empty editable lines
        assert re.search(rf'<tr id="line-{i}">', html)

    # The same grid sent again (e.g. a double click): nothing is saved twice.
    again = consultant.post(reverse("consultations:tally"), data)
    assert again.status_code == 200
    assert Consultation.objects.count() == 3
    assert again.context["saved_count"] == 0
    assert again.context["error_count"] == 1

    # The bad line corrected, in the same grid: only it is added.
    rows[3]["service"] = "Довідка про доходи"
    fixed = consultant.post(reverse("consultations:tally"), tally_data(world.centre_a, day, rows, key=data["key"]))
    assert fixed.status_code == 302
    assert fixed["Location"] == f"{reverse('consultations:tally')}?centre={world.centre_a.pk}"
    assert Consultation.objects.count() == 4
    total = selectors.summary(where=ScopeFilter(centre_ids=(world.centre_a.pk,)), start=day, end=day).total
    assert total == 4


def test_tally_day_in_the_future_saves_nothing(world: World, consultant: Client) -> None:
    data = tally_data(world.centre_a, today() + dt.timedelta(days=1), {0: {"time": "10:00"}, 1: {"time": "11:00"}})
    response = consultant.post(reverse("consultations:tally"), data)
    assert response.status_code == 200
    assert "day" in response.context["header"].errors
    assert Consultation.objects.count() == 0


def test_tally_empty_grid_saves_nothing(world: World, consultant: Client) -> None:
    response = consultant.post(reverse("consultations:tally"), tally_data(world.centre_a, today(), {}))
    assert response.status_code == 200
    assert response.context["header"].non_field_errors()
    assert Consultation.objects.count() == 0


# --- Change and delete -----------------------------------------------------------------------------


def centre_a_summary(world: World, day: dt.date) -> selectors.Summary:
    return selectors.summary(where=ScopeFilter(centre_ids=(world.centre_a.pk,)), start=day, end=day)


def test_author_changes_within_24_hours_then_only_the_manager(world: World, consultant: Client) -> None:
    consultant.post(reverse("consultations:entry"), entry_data(world.centre_a, gender="female"))
    c = Consultation.objects.get()
    day = c.day
    s = centre_a_summary(world, day)
    assert (s.total, s.count(Dimension.OUTCOME, "completed"), s.count(Dimension.OUTCOME, "partly")) == (1, 1, 0)

    edit = reverse("consultations:edit", args=[c.pk])
    page = consultant.get(edit)
    assert page.status_code == 200
    assert page.context["form"]["outcome"].value() == "completed"
    assert page.context["form"]["gender"].value() == "female"
    response = consultant.post(edit, entry_data(world.centre_a, outcome="partly", gender="female"))
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:entries")
    c.refresh_from_db()
    assert c.outcome == "partly"
    assert c.day == day  # "when" left empty keeps the time
    s = centre_a_summary(world, day)
    assert (s.total, s.count(Dimension.OUTCOME, "completed"), s.count(Dimension.OUTCOME, "partly")) == (1, 0, 1)
    assert s.count(Dimension.GENDER, "female") == 1

    # An invalid change is refused beside the field; nothing changes.
    response = consultant.post(edit, entry_data(world.centre_a, outcome="referred"))
    assert response.status_code == 200
    assert "referred_to" in response.context["form"].errors
    c.refresh_from_db()
    assert c.outcome == "partly"

    Consultation.objects.filter(pk=c.pk).update(created_at=now() - dt.timedelta(hours=25))
    assert consultant.get(edit).status_code == 403
    response = consultant.post(edit, entry_data(world.centre_a, outcome="not_possible", obstacle="portal_down"))
    assert response.status_code == 403
    assert consultant.post(reverse("consultations:delete", args=[c.pk])).status_code == 403
    c.refresh_from_db()
    assert c.outcome == "partly"
    listing = consultant.get(reverse("consultations:entries"))
    assert [x.can_change for x in listing.context["page"].object_list] == [False]

    manager = client_for(world, "manager_a")
    assert manager.get(edit).status_code == 200
    response = manager.post(edit, entry_data(world.centre_a, outcome="not_possible", obstacle="portal_down"))
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.outcome, c.obstacle) == ("not_possible", "portal_down")
    s = centre_a_summary(world, day)
    assert (s.total, s.count(Dimension.OUTCOME, "partly"), s.count(Dimension.OUTCOME, "not_possible")) == (1, 0, 1)
    assert s.count(Dimension.OBSTACLE, "portal_down") == 1

    response = manager.post(reverse("consultations:delete", args=[c.pk]))
    assert response.status_code == 302
    assert not Consultation.objects.filter(pk=c.pk).exists()
    s = centre_a_summary(world, day)
    assert (s.total, s.breakdowns) == (0, {})

    history = manager.get(reverse("consultations:history", args=[c.pk]))
    assert history.status_code == 200
    changes = history.context["changes"]
    assert [ch.action for ch in changes] == ["created", "changed", "changed", "deleted"]
    assert [ch.actor.username for ch in changes] == ["consultant_a", "consultant_a", "manager_a", "manager_a"]
    assert changes[1].changes["outcome"] == ["completed", "partly"]
    assert changes[2].changes["obstacle"] == ["", "portal_down"]
    assert client_for(world, "coordinator_a").get(reverse("consultations:history", args=[c.pk])).status_code == 200
    assert client_for(world, "consultant_b").get(reverse("consultations:history", args=[c.pk])).status_code == 404


def test_author_deletes_within_24_hours(world: World, consultant: Client, cards: dict[str, ServiceCard]) -> None:
    consultant.post(
        reverse("consultations:entry"), entry_data(world.centre_a, help_kind="eservice", service=BIRTH_CARD)
    )
    c = Consultation.objects.get()
    s = centre_a_summary(world, c.day)
    assert (s.total, s.count(Dimension.SERVICE, str(cards["birth"].pk))) == (1, 1)
    delete = reverse("consultations:delete", args=[c.pk])
    assert consultant.get(delete).status_code == 200
    assert consultant.post(delete).status_code == 302
    assert Consultation.objects.count() == 0
    assert ConsultationService.objects.count() == 0
    assert centre_a_summary(world, c.day).total == 0
    history = consultant.get(reverse("consultations:history", args=[c.pk]))
    assert [ch.action for ch in history.context["changes"]] == ["created", "deleted"]
    assert consultant.get(delete).status_code == 404


# --- Centre dashboard --------------------------------------------------------------------------------

TEN_VISITORS: list[dict[str, Any]] = [
    {"service": "passport", "help_kind": "eservice", "outcome": "completed", "gender": "female", "age_band": "18-29",
     "categories": ["student"], "settlement_type": "city", "first_visit": "yes", "channel": "walk_in",
     "duration_minutes": "20", "satisfaction": "5"},
    {"service": "passport", "service_2": "birth", "help_kind": "eservice", "outcome": "partly", "gender": "female",
     "age_band": "30-44", "categories": ["idp", "unemployed"], "settlement_type": "town", "first_visit": "no",
     "channel": "walk_in", "duration_minutes": "40"},
    {"service": "pension", "help_kind": "eservice", "outcome": "completed", "gender": "male", "age_band": "60-74",
     "categories": ["pensioner"], "settlement_type": "village", "first_visit": "yes", "channel": "phone",
     "satisfaction": "4"},
    {"service": "text:Довідка про склад сім'ї", "help_kind": "eservice", "outcome": "referred",
     "referred_to": "ЦНАП", "gender": "male", "age_band": "45-59", "settlement_type": "city", "channel": "walk_in"},
    {"help_kind": "information", "outcome": "completed", "gender": "other", "age_band": "75+",
     "categories": ["pensioner", "disability"], "settlement_type": "village", "first_visit": "no",
     "channel": "online", "duration_minutes": "10", "satisfaction": "3"},
    {"service": "birth", "help_kind": "eservice", "outcome": "not_possible", "obstacle": "no_esignature",
     "gender": "female", "age_band": "30-44", "categories": ["veteran"], "settlement_type": "town",
     "channel": "walk_in"},
    {"help_kind": "literacy", "outcome": "completed", "gender": "not_stated", "age_band": "not_stated",
     "settlement_type": "not_stated", "channel": "walk_in", "duration_minutes": "30"},
    {"service": "pension", "help_kind": "appeal", "outcome": "not_possible", "obstacle": "missing_documents",
     "gender": "male", "age_band": "60-74", "categories": ["pensioner"], "settlement_type": "city",
     "first_visit": "yes", "channel": "phone", "satisfaction": "2"},
    {"service": "text:Субсидія на оплату житла", "help_kind": "eservice", "outcome": "partly", "gender": "female",
     "age_band": "0-17", "categories": ["student"], "settlement_type": "village", "channel": "online"},
    {"help_kind": "documents", "outcome": "completed", "gender": "female", "age_band": "45-59",
     "categories": ["entrepreneur"], "settlement_type": "city", "first_visit": "no", "channel": "walk_in",
     "duration_minutes": "15", "satisfaction": "5"},
]  # fmt: skip


def visitor_post(world: World, cards: dict[str, ServiceCard], spec: dict[str, Any]) -> dict[str, Any]:
    data = dict(spec)
    for name in ("service", "service_2"):
        if name in data:
            value = data[name]
            data[name] = value.removeprefix("text:") if value.startswith("text:") else cards[value].name
            if value.startswith("text:"):
                data["free_text"] = "on"
    return entry_data(world.centre_a, **data)


def expected_breakdowns(cards: dict[str, ServiceCard], specs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    c: dict[str, Counter[str]] = {str(d): Counter() for d in Dimension if d != Dimension.TOTAL}
    for spec in specs:
        for name in ("service", "service_2"):
            if name in spec:
                value = spec[name]
                c["service"][FREE_TEXT_SERVICE if value.startswith("text:") else str(cards[value].pk)] += 1
        for dim, name in [
            ("help_kind", "help_kind"),
            ("outcome", "outcome"),
            ("channel", "channel"),
            ("gender", "gender"),
            ("age_band", "age_band"),
            ("settlement", "settlement_type"),
        ]:
            c[dim][spec[name]] += 1
        if spec.get("obstacle"):
            c["obstacle"][spec["obstacle"]] += 1
        for category in spec.get("categories") or ["none"]:
            c["category"][category] += 1
        c["first_visit"][{"yes": "yes", "no": "no"}.get(spec.get("first_visit", ""), "unknown")] += 1
        c["satisfaction"][spec.get("satisfaction") or "none"] += 1
    return {dim: dict(counter) for dim, counter in c.items() if counter}


def test_dashboard_counts_exactly_the_ten_visitors(
    world: World, consultant: Client, cards: dict[str, ServiceCard]
) -> None:
    for spec in TEN_VISITORS:
        response = consultant.post(reverse("consultations:entry"), visitor_post(world, cards, spec))
        assert response.status_code == 302, response.context and response.context["form"].errors
    assert Consultation.objects.filter(centre=world.centre_a).count() == 10
    # An entry in the other centre never shows on centre A's dashboard.
    record(world.users["consultant_b"], world.centre_b, gender="male")

    coordinator = client_for(world, "coordinator_a")
    start = today().replace(day=1)
    response = coordinator.post(
        reverse("consultations:target", args=[world.centre_a.pk]),
        {"consultations": 40, "period_months": 2, "starts_on": start.isoformat()},
    )
    assert response.status_code == 302

    manager = client_for(world, "manager_a")
    response = manager.get(
        reverse("consultations:centre", args=[world.centre_a.pk]),
        {"start": today().isoformat(), "end": today().isoformat()},
    )
    assert response.status_code == 200
    summary = response.context["summary"]
    want = expected_breakdowns(cards, TEN_VISITORS)
    assert summary.total == 10
    assert counts(summary) == want
    assert summary.minutes_avg == round((20 + 40 + 10 + 30 + 15) / 5, 1)
    assert summary.score_avg == round((5 + 4 + 3 + 2 + 5) / 5, 2)
    assert summary.score_n == 5
    assert want["service"] == {
        str(cards["passport"].pk): 2,
        str(cards["birth"].pk): 2,
        str(cards["pension"].pk): 2,
        FREE_TEXT_SERVICE: 2,
    }
    # The rendered tables say the same, dimension by dimension.
    html = response.content.decode()
    assert html_breakdowns(html) == want
    # Today's table: the ten visitors, newest first.
    todays = list(response.context["todays"])
    assert len(todays) == 10
    assert {c.centre_id for c in todays} == {world.centre_a.pk}
    assert todays == list(Consultation.objects.filter(centre=world.centre_a).order_by("-occurred_at", "-id"))
    assert response.context["month_count"] == 10
    progress = response.context["progress"]
    assert (progress.done, progress.target.consultations, progress.percent, progress.on_track) == (10, 40, 25, False)
    assert progress.period.start == start
    assert response.context["can_log"] is True
    assert response.context["can_set_target"] is False

    # The coordinator sees the same figures, may set the target but cannot log here.
    response = coordinator.get(
        reverse("consultations:centre", args=[world.centre_a.pk]),
        {"start": today().isoformat(), "end": today().isoformat()},
    )
    assert counts(response.context["summary"]) == want
    assert (response.context["can_log"], response.context["can_set_target"]) == (False, True)
    assert 'action="{}"'.format(reverse("consultations:target", args=[world.centre_a.pk])) in response.content.decode()

    # The CSV export of the dashboard's dates holds exactly these ten.
    export = manager.get(
        reverse("consultations:export", args=["csv"]),
        {"centre": world.centre_a.pk, "start": today().isoformat(), "end": today().isoformat()},
    )
    assert csv_ids(export) == set(Consultation.objects.filter(centre=world.centre_a).values_list("pk", flat=True))


def many_rows(cards: list[ServiceCard], n: int, offset: int = 0) -> dict[int, ConsultationInput]:
    genders = ["female", "male", "other", "not_stated"]
    ages = ["18-29", "30-44", "45-59", "60-74", "75+"]
    outcomes = ["completed", "partly", "completed"]
    moment = now()
    return {
        i: ConsultationInput(
            occurred_at=moment,
            help_kind="eservice",
            outcome=outcomes[(i + offset) % 3],
            services=[ServiceRef(card=cards[(i + offset) % len(cards)])]
            if i % 7
            else [ServiceRef(text=f"Послуга {i + offset}")],
            gender=genders[i % 4],
            age_band=ages[i % 5],
            categories=["pensioner", "idp"][: i % 3],
            first_visit=[None, True, False][i % 3],
            duration_minutes=5 + i % 30,
            satisfaction=1 + i % 5,
        )
        for i in range(n)
    }


def count_queries(client: Client, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_summary_queries_do_not_grow_with_entries(
    world: World, cards: dict[str, ServiceCard], django_assert_max_num_queries: Any
) -> None:
    extra = [make_card(f"extra-{i}", f"Додаткова послуга {i}") for i in range(20)]
    all_cards = [*cards.values(), *extra]
    author = world.users["consultant_a"]
    services.consultation_record_many(author=author, centre=world.centre_a, rows=many_rows(all_cards, 2))
    start = today().replace(day=1)
    services.consultation_target_set(
        actor=world.users["admin"], centre=world.centre_a, starts_on=start, period_months=2, consultations=40
    )
    manager, coordinator = client_for(world, "manager_a"), client_for(world, "coordinator_a")
    dashboard = reverse("consultations:centre", args=[world.centre_a.pk])
    summary = reverse("consultations:summary")
    params = {"start": (today() - dt.timedelta(days=40)).isoformat(), "end": today().isoformat()}
    few = (count_queries(manager, dashboard, params), count_queries(coordinator, summary, params))

    result = services.consultation_record_many(
        author=author, centre=world.centre_a, rows=many_rows(all_cards, 200, offset=2)
    )
    assert len(result.saved) == 200 and not result.errors
    many = (count_queries(manager, dashboard, params), count_queries(coordinator, summary, params))
    assert many == few

    with django_assert_max_num_queries(20):
        response = manager.get(dashboard, params)
    assert response.context["summary"].total == 202
    assert len(response.context["todays"]) == 50
    with django_assert_max_num_queries(20):
        response = coordinator.get(summary, params)
    assert response.context["summary"].total == 202
    assert [(line.centre.pk, line.count) for line in response.context["lines"]] == [(world.centre_a.pk, 202)]


# --- Regional and network summary ----------------------------------------------------------------


def test_summary_sorts_and_counts_centres_below_target(world: World) -> None:
    start = today().replace(day=1)
    for _i in range(5):
        record(world.users["consultant_a"], world.centre_a)
    for _i in range(3):
        record(world.users["consultant_b"], world.centre_b)
    admin = world.users["admin"]
    services.consultation_target_set(
        actor=admin, centre=world.centre_a, starts_on=start, period_months=2, consultations=4
    )
    services.consultation_target_set(
        actor=admin, centre=world.centre_b, starts_on=start, period_months=2, consultations=10
    )
    a, b = world.centre_a.pk, world.centre_b.pk
    by_name = [c.pk for c in sorted([world.centre_a, world.centre_b], key=lambda c: c.display_name)]
    params = {"start": start.isoformat(), "end": today().isoformat()}

    client = client_for(world, "admin")
    response = client.get(reverse("consultations:summary"), params)
    assert response.status_code == 200
    assert response.context["region"] is None
    assert response.context["summary"].total == 8
    assert response.context["below"] == 1
    lines = response.context["lines"]
    assert [(line.centre.pk, line.count, line.period_count, line.percent, line.below_target) for line in lines] == [
        (a, 5, 5, 125, False),
        (b, 3, 3, 30, True),
    ]
    for sort, order in [("count", [a, b]), ("progress", [b, a]), ("name", by_name), ("nonsense", [a, b])]:
        response = client.get(reverse("consultations:summary"), {**params, "sort": sort})
        assert response.status_code == 200
        assert [line.centre.pk for line in response.context["lines"]] == order, sort
        html = response.content.decode()
        table = re.search(r'<table class="compact" id="centre-table">(.*?)</table>', html, re.S)
        assert table
        links = re.findall(r'href="/staff/log/centre/(\d+)/"', table.group(1))
        assert [int(x) for x in links] == order, sort

    # A region narrows it down.
    response = client.get(reverse("consultations:summary"), {**params, "region": world.region_b.slug})
    assert response.context["region"] == world.region_b
    assert [line.centre.pk for line in response.context["lines"]] == [b]
    assert (response.context["summary"].total, response.context["below"]) == (3, 1)
    assert client.get(reverse("consultations:summary"), {"region": "atlantyda"}).status_code == 404

    # A coordinator sees only their region, and may not ask for another.
    coordinator = client_for(world, "coordinator_a")
    response = coordinator.get(reverse("consultations:summary"), params)
    assert response.context["region"] == world.region_a
    assert [(line.centre.pk, line.count) for line in response.context["lines"]] == [(a, 5)]
    assert (response.context["summary"].total, response.context["below"]) == (5, 0)
    response = coordinator.get(reverse("consultations:summary"), {**params, "region": world.region_b.slug})
    assert response.status_code == 404


def test_candidates_lists_free_text_services_in_scope(world: World, cards: dict[str, ServiceCard]) -> None:
    a, b = world.users["consultant_a"], world.users["consultant_b"]
    record(a, world.centre_a, help_kind="eservice", services=[ServiceRef(text="субсидія")])
    record(a, world.centre_a, help_kind="eservice", services=[ServiceRef(text="субсидія")])
    record(a, world.centre_a, help_kind="eservice", services=[ServiceRef(card=cards["birth"])])
    record(b, world.centre_b, help_kind="eservice", services=[ServiceRef(text="ловля риби")])
    response = client_for(world, "manager_a").get(reverse("consultations:candidates"))
    assert [(r["key"], r["count"], r["centres"]) for r in response.context["rows"]] == [("субсидія", 2, 1)]
    response = client_for(world, "admin").get(reverse("consultations:candidates"))
    assert [(r["key"], r["count"]) for r in response.context["rows"]] == [("субсидія", 2), ("ловля риби", 1)]
