"""The entrance kiosk and online booking, through the test client, with time frozen on a
Wednesday at 10:00 in Kyiv (the world's centres open 09:00–13:00 and 14:00–18:00 on weekdays).

Messages are checked on the English pages (/en/…): the Ukrainian wording belongs to the catalogue."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from cipnet.core.clock import at
from cipnet.equeue import selectors, services, views_kiosk
from cipnet.equeue.models import Booking, PriorityCategory, QueueConfig, QueueTopic, Ticket, TicketChannel
from cipnet.testing import World

WEDNESDAY = dt.date(2026, 3, 11)
T = dt.time


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def set(self, day: dt.date, time: dt.time) -> None:
        self.moment = at(day, time)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()  # rate-limit counters and double-tap keys
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(at(WEDNESDAY, T(10)))
    for module in ("cipnet.equeue.services", "cipnet.equeue.selectors", "cipnet.equeue.views_kiosk"):
        monkeypatch.setattr(f"{module}.now", clock)
    return clock


@pytest.fixture
def config(world: World, clock: Clock) -> QueueConfig:
    return services.queue_setup(actor=None, centre=world.centre_a)


@pytest.fixture
def booking_config(config: QueueConfig) -> QueueConfig:
    QueueConfig.objects.filter(pk=config.pk).update(booking_enabled=True)
    config.refresh_from_db()
    return config


def topic(config: QueueConfig, prefix: str) -> QueueTopic:
    return QueueTopic.objects.get(centre=config.centre, prefix=prefix)


def start_url(config: QueueConfig, language: str = "uk") -> str:
    with translation.override(language):
        return reverse("queue_kiosk:start", args=[config.kiosk_token])


def priority_url(config: QueueConfig, prefix: str, language: str = "uk") -> str:
    with translation.override(language):
        return reverse("queue_kiosk:priority", args=[config.kiosk_token, topic(config, prefix).pk])


def booking_url(config: QueueConfig, language: str = "uk") -> str:
    with translation.override(language):
        return reverse("queue_kiosk:booking", args=[config.kiosk_token])


def book_url(config: QueueConfig, language: str = "uk") -> str:
    with translation.override(language):
        return reverse("queue_kiosk:book", args=[config.centre.slug])


_nonces = iter(range(10**6))


def nonce() -> str:
    return f"{next(_nonces):024d}"


def take(client: Client, config: QueueConfig, prefix: str, priority: str = "none", ip: str = "127.0.0.1") -> Ticket:
    """Press the topic, then a priority button; returns the ticket shown."""
    response = client.post(priority_url(config, prefix), {"priority": priority, "nonce": nonce()}, REMOTE_ADDR=ip)
    assert response.status_code == 302, response.content.decode()[:500]
    code = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Ticket.objects.get(code=code)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Kiosk ------------------------------------------------------------------------------------


def test_start_offers_topics_with_people_waiting_and_minutes(config: QueueConfig, client: Client) -> None:
    response = client.get(start_url(config))
    assert response.status_code == 200
    html = text(response)
    assert '<html lang="uk">' in html
    assert [row["topic"].prefix for row in response.context["rows"]] == ["А", "Б", "В", "Г"]
    for prefix in "АБВГ":
        assert f'href="{priority_url(config, prefix)}"' in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]

    take(client, config, "А")
    take(client, config, "А")
    html = text(client.get(start_url(config, "en")))
    # Two people ahead, ten minutes each by default, two desks serve the topic.
    assert "2 people waiting, about 10 minutes" in html
    assert html.count("Nobody is waiting") == 3


def test_numbers_restart_per_topic_and_the_screen_shows_the_place(config: QueueConfig, client: Client) -> None:
    first = take(client, config, "А")
    other = take(client, config, "Б")
    second = take(client, config, "А")
    assert [first.label, other.label, second.label] == ["А-001", "Б-001", "А-002"]
    assert {t.channel for t in (first, other, second)} == {TicketChannel.KIOSK}

    with translation.override("en"):
        screen = reverse("queue_kiosk:ticket", args=[config.kiosk_token, second.code])
    response = client.get(screen)
    html = text(response)
    assert response.status_code == 200
    assert "Your number:</span>" in html and ">А-002<" in html
    assert "1 person before you, about 5 minutes." in html
    try:
        slip = reverse("queue:slip", args=[second.code])
    except NoReverseMatch:
        slip = f"/en/queue/ticket/{second.code}/slip/"
    assert f'href="{slip}"' in html
    assert "QR code" in html
    # Back to the Ukrainian start page after 20 seconds, for the next visitor.
    assert f'<meta http-equiv="refresh" content="20;url={start_url(config)}">' in html
    # Nobody else's ticket is on the screen.
    assert "А-001" not in html and "Б-001" not in html


def test_priority_ticket(config: QueueConfig, client: Client) -> None:
    take(client, config, "А")
    category = PriorityCategory.objects.filter(centre=config.centre).order_by("position")[3]
    response = client.get(priority_url(config, "А", "en"))
    html = text(response)
    assert html.count('name="priority"') == 5  # "No" and the four categories
    assert f'value="{category.pk}"' in html

    ticket = take(client, config, "А", priority=str(category.pk))
    assert ticket.label == "А-002"
    assert ticket.priority == category
    with translation.override("en"):
        screen = text(client.get(reverse("queue_kiosk:ticket", args=[config.kiosk_token, ticket.code])))
    assert "Nobody is before you" in screen
    assert "Person over 75" in screen


def test_an_unknown_priority_issues_nothing(config: QueueConfig, world: World, client: Client) -> None:
    services.queue_setup(actor=None, centre=world.centre_b)
    foreign = PriorityCategory.objects.filter(centre=world.centre_b).first()
    assert foreign is not None
    for value in (str(foreign.pk), "x"):
        response = client.post(priority_url(config, "А", "en"), {"priority": value, "nonce": nonce()})
        assert response.status_code == 400
        assert "Choose one of the listed categories." in text(response)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("day", "time", "expected"),
    [
        (WEDNESDAY, T(13, 30), "It opens today at 14:00."),
        (WEDNESDAY + dt.timedelta(days=4), T(11), "It opens tomorrow at 09:00."),
        (WEDNESDAY, T(18, 30), "It opens tomorrow at 09:00."),
    ],
)
def test_closed_centre_says_when_it_opens(
    config: QueueConfig, client: Client, clock: Clock, day: dt.date, time: dt.time, expected: str
) -> None:
    clock.set(day, time)
    response = client.get(start_url(config, "en"))
    html = text(response)
    assert response.status_code == 200
    assert "Tickets are not issued now" in html
    assert f"The centre is closed now, so tickets are not issued. {expected}" in html
    assert response.context["rows"] == []

    assert expected in text(client.get(priority_url(config, "А", "en")))
    # A topic screen left open over lunch: pressing a button explains, and issues nothing.
    response = client.post(priority_url(config, "А", "en"), {"priority": "none", "nonce": nonce()})
    assert response.status_code == 200
    assert f"The centre is closed now, so tickets are not issued. {expected}" in text(response)
    assert not Ticket.objects.exists()


def test_queue_switched_off_says_so(config: QueueConfig, client: Client) -> None:
    QueueConfig.objects.filter(pk=config.pk).update(is_enabled=False)
    for url in (start_url(config, "en"), priority_url(config, "А", "en"), booking_url(config, "en")):
        response = client.get(url)
        assert response.status_code == 200
        assert "The electronic queue is not working now." in text(response)
    client.post(priority_url(config, "А"), {"priority": "none", "nonce": nonce()})
    assert not Ticket.objects.exists()


def test_wrong_kiosk_address_is_404(config: QueueConfig, client: Client) -> None:
    token = "not-" + config.kiosk_token
    urls = [
        reverse("queue_kiosk:start", args=[token]),
        reverse("queue_kiosk:priority", args=[token, topic(config, "А").pk]),
        reverse("queue_kiosk:booking", args=[token]),
        reverse("queue_kiosk:ticket", args=[token, "whatever"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(urls[1], {"priority": "none", "nonce": nonce()}).status_code == 404
    assert not Ticket.objects.exists()


def test_another_centres_topic_is_404(config: QueueConfig, world: World, client: Client) -> None:
    services.queue_setup(actor=None, centre=world.centre_b)
    foreign = QueueTopic.objects.get(centre=world.centre_b, prefix="А")
    url = reverse("queue_kiosk:priority", args=[config.kiosk_token, foreign.pk])
    assert client.post(url, {"priority": "none", "nonce": nonce()}).status_code == 404
    assert not Ticket.objects.exists()


def test_number_screen_is_not_shown_later_or_at_another_kiosk(
    config: QueueConfig, world: World, client: Client, clock: Clock
) -> None:
    ticket = take(client, config, "А")
    other = services.queue_setup(actor=None, centre=world.centre_b)
    assert client.get(reverse("queue_kiosk:ticket", args=[other.kiosk_token, ticket.code]))["Location"] == (
        start_url(other)
    )
    assert client.get(reverse("queue_kiosk:ticket", args=[config.kiosk_token, "no-such-code"])).status_code == 302
    clock.moment += dt.timedelta(minutes=3)
    response = client.get(reverse("queue_kiosk:ticket", args=[config.kiosk_token, ticket.code]))
    assert response.status_code == 302
    assert response["Location"] == start_url(config)


def test_a_double_tap_gives_one_ticket(config: QueueConfig, client: Client) -> None:
    data = {"priority": "none", "nonce": nonce()}
    first = client.post(priority_url(config, "А"), data)
    second = client.post(priority_url(config, "А"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Ticket.objects.count() == 1
    # A fresh form (a new visitor) gets a new number.
    assert take(client, config, "А").label == "А-002"


def test_ticket_issuing_is_rate_limited_per_address(config: QueueConfig, client: Client) -> None:
    for _i in range(views_kiosk.KIOSK_ISSUE_LIMIT):
        take(client, config, "В")
    response = client.post(priority_url(config, "В", "en"), {"priority": "none", "nonce": nonce()})
    assert response.status_code == 429
    assert "Too many tickets were taken here in the last minute." in text(response)
    assert Ticket.objects.count() == views_kiosk.KIOSK_ISSUE_LIMIT
    # Another address is not affected.
    assert take(client, config, "В", ip="10.0.0.9").number == views_kiosk.KIOSK_ISSUE_LIMIT + 1


def test_plain_forms_with_csrf_work_without_javascript(config: QueueConfig) -> None:
    browser = Client(enforce_csrf_checks=True)
    start = text(browser.get(start_url(config)))
    href = re.search(r'<a class="kiosk-button" href="([^"]+)"', start)
    assert href and href.group(1) == priority_url(config, "А")
    page = text(browser.get(href.group(1)))
    form = re.search(r'<form method="post" action="([^"]+)"', page)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    form_nonce = re.search(r'name="nonce" value="([^"]+)"', page)
    assert form and csrf and form_nonce
    assert '<button type="submit" class="kiosk-button" name="priority" value="none">' in page

    assert browser.post(form.group(1), {"priority": "none", "nonce": form_nonce.group(1)}).status_code == 403
    response = browser.post(
        form.group(1), {"priority": "none", "nonce": form_nonce.group(1), "csrfmiddlewaretoken": csrf.group(1)}
    )
    assert response.status_code == 302
    assert browser.get(response["Location"]).status_code == 200
    assert Ticket.objects.get().label == "А-001"


def test_kiosk_pages_are_labelled_for_assistive_technology(config: QueueConfig, client: Client) -> None:
    for url in (start_url(config, "en"), priority_url(config, "А", "en"), booking_url(config, "en")):
        html = text(client.get(url))
        assert '<html lang="en">' in html
        assert html.count("<h1") == 1
        assert '<main id="main"' in html
        assert 'aria-label="Language"' in html
        # The same page in the other languages, as plain links.
        assert f'href="{url.removeprefix("/en")}" lang="uk" hreflang="uk"' in html
        assert f'href="/pl{url.removeprefix("/en")}" lang="pl" hreflang="pl"' in html
        assert '<meta http-equiv="refresh"' in html  # left alone, it goes back to the Ukrainian start
        assert f"url={start_url(config)}" in html
    html = text(client.get(booking_url(config, "en")))
    field = re.search(r'<label for="(id_code)">Booking code</label>', html)
    assert field and 'id="id_code"' in html
    assert 'aria-describedby="id_code_hint"' in html
    html = text(client.get(priority_url(config, "А", "en")))
    assert "<fieldset> <legend><h1>Do you have a priority right?</h1></legend>" in html


# --- Booking online and checking in at the kiosk ----------------------------------------------


def book(
    client: Client, config: QueueConfig, prefix: str, day: dt.date, time: dt.time, ip: str = "127.0.0.1"
) -> Booking:
    query = f"?topic={topic(config, prefix).pk}&day={day.isoformat()}"
    response = client.post(book_url(config) + query, {"starts_at": at(day, time).isoformat()}, REMOTE_ADDR=ip)
    assert response.status_code == 302, text(response)[:2000]
    return Booking.objects.latest("id")


def test_booking_offers_days_with_hours_and_free_times(booking_config: QueueConfig, client: Client) -> None:
    response = client.get(book_url(booking_config, "en"))
    assert response.status_code == 200
    form = response.context["choose"]
    # Today and the next six days, without the weekend.
    assert [value for value, _label in form.fields["day"].choices] == [
        "2026-03-11", "2026-03-12", "2026-03-13", "2026-03-16", "2026-03-17",
    ]  # fmt: skip
    html = text(response)
    assert "Wednesday, 11 March (today)" in html and "Thursday, 12 March (tomorrow)" in html
    assert 'type="radio" name="topic"' in html and '<form method="get"' in html
    assert "name" not in [f for f in form.fields if f not in ("topic", "day")]

    query = {"topic": str(topic(booking_config, "А").pk), "day": "2026-03-11"}
    response = client.get(book_url(booking_config, "en"), query)
    times = [label for _value, label in response.context["form"].fields["starts_at"].choices]
    # 20-minute slots from now on, the lunch break left out.
    assert times[:3] == ["10:20", "10:40", "11:00"]
    assert "12:40" in times and "13:00" not in times and "14:00" in times and times[-1] == "17:40"
    html = text(response)
    assert html.count('type="radio" name="starts_at"') == len(times)
    assert 'name="csrfmiddlewaretoken"' in html


def test_booking_and_checking_in_at_the_kiosk(booking_config: QueueConfig, client: Client) -> None:
    booking = book(client, booking_config, "Б", WEDNESDAY, T(10, 20))
    assert booking.starts_at == at(WEDNESDAY, T(10, 20))
    assert booking.topic.prefix == "Б"

    confirmation = client.get(Client().post(
        book_url(booking_config, "en") + f"?topic={topic(booking_config, 'Б').pk}&day=2026-03-11",
        {"starts_at": at(WEDNESDAY, T(10, 40)).isoformat()},
    )["Location"])  # fmt: skip
    later = Booking.objects.latest("id")
    html = text(confirmation)
    assert confirmation.status_code == 200
    assert f"<span>{later.code[:3]}</span><span>{later.code[3:]}</span>" in html
    assert "Show this code at the kiosk in the centre when you arrive" in html
    assert "from 10:10 to 10:55" in html
    assert "10:40" in html

    # At the kiosk, typed in lower case with a space.
    response = client.post(booking_url(booking_config), {"code": f"{booking.code[:3].lower()} {booking.code[3:]}"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.ticket is not None
    assert booking.ticket.channel == TicketChannel.BOOKING
    assert booking.ticket.label == "Б-001"
    assert response["Location"] == reverse("queue_kiosk:ticket", args=[booking_config.kiosk_token, booking.ticket.code])
    assert ">Б-001<" in text(client.get(response["Location"]))


def test_check_in_refusals_keep_the_booking(booking_config: QueueConfig, client: Client, clock: Clock) -> None:
    early = book(client, booking_config, "А", WEDNESDAY, T(11, 0))
    soon = book(client, booking_config, "А", WEDNESDAY, T(10, 20))
    url = booking_url(booking_config, "en")

    response = client.post(url, {"code": early.code})
    assert response.status_code == 400
    assert "Your booking is for 11.03 11:00. Check in up to 30 minutes before and 15 minutes after." in text(response)
    assert f'value="{early.code}"' in text(response)  # what was typed is kept

    response = client.post(url, {"code": "ZZZZZZ"})
    assert response.status_code == 400
    assert "No booking with this code at this centre. Check the code." in text(response)

    response = client.post(url, {"code": ""})
    assert "Enter the code of your booking." in text(response)

    assert client.post(url, {"code": soon.code}).status_code == 302
    response = client.post(url, {"code": soon.code})
    assert response.status_code == 400
    assert "This booking has already been used." in text(response)
    assert Ticket.objects.count() == 1

    # Too late: more than 15 minutes after the booked time.
    clock.set(WEDNESDAY, T(11, 16))
    assert "Your booking is for 11.03 11:00." in text(client.post(url, {"code": early.code}))
    # Right on time it works.
    clock.set(WEDNESDAY, T(10, 45))
    assert client.post(url, {"code": early.code}).status_code == 302
    early.refresh_from_db()
    assert early.ticket is not None


def test_a_time_taken_meanwhile_asks_to_choose_again(booking_config: QueueConfig, client: Client) -> None:
    a = topic(booking_config, "А")
    # Two desks serve the topic: two bookings fill the 10:20 slot.
    for _i in range(2):
        services.booking_create(centre=booking_config.centre, topic=a, starts_at=at(WEDNESDAY, T(10, 20)))
    query = f"?topic={a.pk}&day=2026-03-11"
    response = client.post(book_url(booking_config, "en") + query, {"starts_at": at(WEDNESDAY, T(10, 20)).isoformat()})
    assert response.status_code in (400, 409)
    html = text(response)
    assert "This time is no longer free. Choose another." in html
    assert 'value="2026-03-11T10:20:00+02:00"' not in html
    assert 'value="2026-03-11T10:40:00+02:00"' in html
    assert Booking.objects.count() == 2


def test_a_time_taken_between_the_form_and_the_service(
    booking_config: QueueConfig, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = services.booking_create

    def someone_was_quicker(**kwargs: Any) -> Booking:
        original(**kwargs)
        original(**kwargs)
        return original(**kwargs)

    monkeypatch.setattr(services, "booking_create", someone_was_quicker)
    query = f"?topic={topic(booking_config, 'А').pk}&day=2026-03-11"
    response = client.post(book_url(booking_config, "en") + query, {"starts_at": at(WEDNESDAY, T(10, 20)).isoformat()})
    assert response.status_code == 409
    html = text(response)
    assert "This time is no longer free. Choose another." in html
    assert 'value="2026-03-11T10:20:00+02:00"' not in html


def test_bookings_switched_off_between_the_form_and_the_service(
    booking_config: QueueConfig, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The service refuses with InvalidTransition("queue_closed"), no longer a ValidationError: the
    # page still says why, beside the times, with the same 409 (not the generic refusal page).
    original = services.booking_create

    def switched_off_meanwhile(**kwargs: Any) -> Booking:
        QueueConfig.objects.filter(pk=booking_config.pk).update(booking_enabled=False)
        return original(**kwargs)

    monkeypatch.setattr(services, "booking_create", switched_off_meanwhile)
    query = f"?topic={topic(booking_config, 'А').pk}&day=2026-03-11"
    response = client.post(book_url(booking_config, "en") + query, {"starts_at": at(WEDNESDAY, T(10, 20)).isoformat()})
    assert response.status_code == 409
    html = text(response)
    assert "This centre does not take bookings." in html
    assert 'value="2026-03-11T10:40:00+02:00"' in html  # the booking page with its times
    assert not Booking.objects.exists()


def test_booking_form_errors_are_shown_next_to_the_fields(booking_config: QueueConfig, client: Client) -> None:
    response = client.get(book_url(booking_config, "en"), {"topic": "", "day": "2026-03-14"})  # a Saturday
    assert response.status_code == 400
    html = text(response)
    assert "Choose what you need help with." in html
    assert "Choose one of the options shown." in html
    assert 'class="error-summary"' in html

    query = f"?topic={topic(booking_config, 'А').pk}&day=2026-03-11"
    response = client.post(book_url(booking_config, "en") + query, {})
    assert response.status_code == 400
    assert "Choose a time." in text(response)
    response = client.post(book_url(booking_config, "en") + query, {"starts_at": "yesterday"})
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_booking_is_404_when_off(config: QueueConfig, client: Client) -> None:
    assert client.get(book_url(config)).status_code == 404  # booking not enabled
    QueueConfig.objects.filter(pk=config.pk).update(booking_enabled=True, is_enabled=False)
    assert client.get(book_url(config)).status_code == 404
    assert client.get(reverse("queue_kiosk:book", args=["no-such-centre"])).status_code == 404


def test_booking_confirmation_needs_its_signed_address(
    booking_config: QueueConfig, world: World, client: Client
) -> None:
    booking = book(client, booking_config, "А", WEDNESDAY, T(10, 20))
    token = signing.dumps(booking.pk, salt=views_kiosk.BOOKING_SALT)
    assert client.get(reverse("queue_kiosk:booked", args=[world.centre_a.slug, token])).status_code == 200
    assert client.get(reverse("queue_kiosk:booked", args=[world.centre_b.slug, token])).status_code == 404
    assert client.get(reverse("queue_kiosk:booked", args=[world.centre_a.slug, f"{booking.pk}:x"])).status_code == 404


def test_booking_is_rate_limited_per_address(booking_config: QueueConfig, client: Client) -> None:
    slots = [T(10, 20), T(10, 40), T(11, 0), T(11, 20), T(11, 40), T(12, 0), T(12, 20), T(12, 40), T(14, 0)]
    day = WEDNESDAY + dt.timedelta(days=1)
    for time in [*slots, T(14, 20)][: views_kiosk.BOOKING_LIMIT]:
        book(client, booking_config, "А", day, time)
    query = f"?topic={topic(booking_config, 'А').pk}&day={day.isoformat()}"
    response = client.post(book_url(booking_config, "en") + query, {"starts_at": at(day, T(15)).isoformat()})
    assert response.status_code == 429
    assert "Too many bookings were made from this connection." in text(response)
    assert Booking.objects.count() == views_kiosk.BOOKING_LIMIT
    book(client, booking_config, "А", day, T(15), ip="10.0.0.9")


# --- The panel on the centre's page -----------------------------------------------------------


def test_centre_panel_shows_people_waiting_and_the_booking_link(
    config: QueueConfig, world: World, client: Client
) -> None:
    take(client, config, "А")
    take(client, config, "А")
    take(client, config, "Г")
    with translation.override("en"):
        context = {"centre": world.centre_a, **selectors.centre_queue_panel(world.centre_a)}
        html = re.sub(r"\s+", " ", render_to_string("equeue/kiosk/centre_queue_panel.html", context))
        assert "Electronic queue" in html
        assert "2 people waiting now" in html and "1 person waiting now" in html
        assert html.count("nobody is waiting now") == 2
        assert "Book a time" not in html

        QueueConfig.objects.filter(pk=config.pk).update(booking_enabled=True)
        context = {"centre": world.centre_a, **selectors.centre_queue_panel(world.centre_a)}
        html = render_to_string("equeue/kiosk/centre_queue_panel.html", context)
        assert f'href="{reverse("queue_kiosk:book", args=[world.centre_a.slug])}"' in html

        QueueConfig.objects.filter(pk=config.pk).update(is_enabled=False)
        assert selectors.centre_queue_panel(world.centre_a) == {}
        html = render_to_string("equeue/kiosk/centre_queue_panel.html", {"centre": world.centre_a})
        assert html.strip() == ""
    assert selectors.centre_queue_panel(world.centre_b) == {}
