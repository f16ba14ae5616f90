"""The kiosk at a centre's entrance (take a ticket, check in a booking) and booking a time online.

The kiosk is a shared tablet reached by the centre's secret address. Its pages never show another
visitor's data: the number screen answers only for a short while after the ticket was issued, no
kiosk page is cached, and every screen goes back to the Ukrainian start page by itself.
Everything works with plain forms; kiosk.js only stops double taps.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.crypto import get_random_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cipnet.accounts import throttle
from cipnet.core.clock import local, now
from cipnet.core.errors import InvalidTransition, NotFoundOrNotAllowed
from cipnet.directory import hours
from cipnet.directory.models import Centre
from cipnet.directory.selectors import schedule_for
from cipnet.equeue import selectors, services
from cipnet.equeue.models import PriorityCategory, QueueConfig, QueueTopic

#: Tickets from one address (the kiosk tablet) per minute; a busy morning stays well below.
KIOSK_ISSUE_LIMIT = 30
#: Booking codes typed at one kiosk per minute (stops guessing codes).
KIOSK_CHECK_IN_LIMIT = 30
#: Online bookings made from one address per hour.
BOOKING_LIMIT = 10
BOOKING_WINDOW_SECONDS = 3600
#: The number screen goes back to the start after this many seconds.
TICKET_SCREEN_SECONDS = 20
#: …and cannot be opened again (e.g. with the Back button) after this many.
TICKET_SCREEN_VALID_SECONDS = 120
#: A half-finished screen left alone goes back to the start.
IDLE_SECONDS = 90
#: The start page reloads now and then to show fresh waiting times.
START_REFRESH_SECONDS = 60
#: How long a submitted kiosk form is remembered, so that a double tap gives one ticket.
DOUBLE_TAP_SECONDS = 20
BOOKING_DAYS = 7
BOOKING_SALT = "cipnet.equeue.booking-done"

_NONCE = re.compile(r"^[A-Za-z0-9]{24}$")


# --- Shared pieces ----------------------------------------------------------------------------


def _client(request: HttpRequest) -> str:
    return throttle.client_ip(request)


def _languages(request: HttpRequest) -> list[dict[str, Any]]:
    """The same page in each language, as plain links (no cookie is left on a shared tablet)."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path() if request.method == "GET" else request.path
    return [
        {
            "code": code,
            "name": translation.get_language_info(code)["name_local"],
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]


def _start_url(token: str) -> str:
    """The kiosk's start page in Ukrainian: where every screen returns, for the next visitor."""
    with translation.override("uk"):
        return reverse("queue_kiosk:start", args=[token])


def _kiosk(token: str) -> tuple[Centre, QueueConfig] | None:
    """The centre of a kiosk address; None when its queue is switched off; 404 for a wrong address."""
    try:
        return selectors.centre_by_kiosk_token(token=token)
    except NotFoundOrNotAllowed:
        if selectors.kiosk_switched_off(token=token):
            return None
        raise


def _kiosk_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    token: str,
    refresh: int | None = IDLE_SECONDS,
    status: int = 200,
) -> HttpResponse:
    context = {
        **context,
        "token": token,
        "languages": _languages(request),
        "start_url": _start_url(token),
        "refresh_seconds": refresh,
    }
    return render(request, template, context, status=status)


def _off(request: HttpRequest, token: str) -> HttpResponse:
    return _kiosk_page(
        request,
        "equeue/kiosk/closed.html",
        {"centre": None, "message": _("The electronic queue is not working now. Please ask at the desk.")},
        token=token,
        refresh=START_REFRESH_SECONDS,
    )


def _priorities(centre: Centre) -> list[PriorityCategory]:
    return list(selectors.priorities_of(centre))


def slip_url(code: str) -> str:
    try:
        return reverse("queue:slip", args=[code])
    except NoReverseMatch:  # the holder's pages are added by another part of the queue
        language = translation.get_language() or "uk"
        prefix = "" if language == "uk" else f"/{language}"
        return f"{prefix}/queue/ticket/{code}/slip/"


# --- Kiosk: choose a topic --------------------------------------------------------------------


@never_cache
@require_GET
def kiosk_start(request: HttpRequest, token: str) -> HttpResponse:
    found = _kiosk(token)
    if found is None:
        return _off(request, token)
    centre, _config = found
    closed = services.closed_for_tickets(centre, now())
    rows = []
    if closed is None:
        for topic in selectors.topics_of(centre):
            waiting, minutes = selectors.expected_wait_for_new(topic)
            rows.append({"topic": topic, "waiting": waiting, "minutes": minutes})
    return _kiosk_page(
        request,
        "equeue/kiosk/start.html",
        {"centre": centre, "closed": closed, "rows": rows},
        token=token,
        refresh=START_REFRESH_SECONDS,
    )


# --- Kiosk: priority, then the ticket ---------------------------------------------------------


def _claim_submission(config: QueueConfig, nonce: str) -> tuple[str | None, str | None]:
    """(cache key to fill with the ticket code, code of a ticket already issued for this form).

    A double tap sends the same form twice; the second request waits for the first one's ticket
    instead of taking a second number."""
    if not _NONCE.fullmatch(nonce):
        return None, None
    key = f"queue-kiosk-form:{config.pk}:{nonce}"
    if cache.add(key, "", timeout=DOUBLE_TAP_SECONDS):
        return key, None
    for _attempt in range(30):
        code = cache.get(key)
        if code:
            return None, str(code)
        if code is None:  # the first request failed and forgot the form: try again
            return (key, None) if cache.add(key, "", timeout=DOUBLE_TAP_SECONDS) else (None, None)
        time.sleep(0.1)
    return None, None


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_priority(request: HttpRequest, token: str, topic_id: int) -> HttpResponse:
    found = _kiosk(token)
    if found is None:
        return _off(request, token)
    centre, config = found
    topic = get_object_or_404(selectors.topics_of(centre), pk=topic_id)
    priorities = _priorities(centre)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        key, done = _claim_submission(config, request.POST.get("nonce", ""))
        if done:
            return redirect("queue_kiosk:ticket", token=token, code=done)
        choice = request.POST.get("priority", "none")
        priority = next((p for p in priorities if str(p.pk) == choice), None)
        try:
            if choice != "none" and priority is None:
                raise ValidationError(_("Choose one of the listed categories."))
            if throttle.hit_rate_limit(
                scope="queue-kiosk-ticket", ip=_client(request), limit=KIOSK_ISSUE_LIMIT, window_seconds=60
            ):
                status = 429
                raise ValidationError(
                    _("Too many tickets were taken here in the last minute. Please wait a minute and try again.")
                )
            ticket = services.ticket_issue(centre=centre, topic=topic, priority=priority)
        except InvalidTransition as e:  # the queue is off, or the centre is closed
            if key:
                cache.delete(key)
            return _kiosk_page(
                request,
                "equeue/kiosk/closed.html",
                {"centre": centre, "message": e.message},
                token=token,
                refresh=TICKET_SCREEN_SECONDS,
            )
        except ValidationError as e:
            if key:
                cache.delete(key)
            errors = e.messages
            status = 429 if status == 429 else 400
        else:
            if key:
                cache.set(key, ticket.code, timeout=DOUBLE_TAP_SECONDS)
            return redirect("queue_kiosk:ticket", token=token, code=ticket.code)
    closed = services.closed_for_tickets(centre, now()) if request.method == "GET" else None
    if closed:
        return _kiosk_page(request, "equeue/kiosk/closed.html", {"centre": centre, "message": closed}, token=token)
    return _kiosk_page(
        request,
        "equeue/kiosk/priority.html",
        {
            "centre": centre,
            "topic": topic,
            "priorities": priorities,
            "errors": errors,
            "nonce": get_random_string(24),
        },
        token=token,
        status=status,
    )


@never_cache
@require_GET
def kiosk_ticket(request: HttpRequest, token: str, code: str) -> HttpResponse:
    found = _kiosk(token)
    if found is None:
        return _off(request, token)
    centre, _config = found
    try:
        ticket = selectors.ticket_by_code(code=code)
    except NotFoundOrNotAllowed:
        return redirect(_start_url(token))
    # Only just after issuing: a later visitor pressing Back must not see someone else's ticket.
    fresh = now() - ticket.issued_at <= dt.timedelta(seconds=TICKET_SCREEN_VALID_SECONDS)
    if ticket.centre_id != centre.pk or not fresh:
        return redirect(_start_url(token))
    view = selectors.ticket_view(ticket)
    return _kiosk_page(
        request,
        "equeue/kiosk/ticket.html",
        {"centre": centre, "ticket": ticket, "view": view, "slip_url": slip_url(ticket.code)},
        token=token,
        refresh=TICKET_SCREEN_SECONDS,
    )


# --- Kiosk: "I have a booking" ----------------------------------------------------------------


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Booking code"),
        help_text=gettext_lazy("6 letters and digits, for example K7M2QX."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "class": "kiosk-code"}
        ),
        error_messages={"required": gettext_lazy("Enter the code of your booking.")},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_booking(request: HttpRequest, token: str) -> HttpResponse:
    found = _kiosk(token)
    if found is None:
        return _off(request, token)
    centre, _config = found
    form = CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if throttle.hit_rate_limit(
            scope="queue-kiosk-check-in", ip=_client(request), limit=KIOSK_CHECK_IN_LIMIT, window_seconds=60
        ):
            status = 429
            form.add_error(None, _("Too many codes were typed here in the last minute. Please wait a minute."))
        else:
            try:
                ticket = services.booking_check_in(centre=centre, code=form.cleaned_data["code"])
            except InvalidTransition as e:  # the queue is off, or the centre is closed
                form.add_error(None, e.message)
            except ValidationError as e:
                form.add_error("code" if hasattr(e, "error_dict") and "code" in e.error_dict else None, e.messages)
            else:
                return redirect("queue_kiosk:ticket", token=token, code=ticket.code)
    if form.errors and status == 200:
        status = 400
    return _kiosk_page(
        request, "equeue/kiosk/booking.html", {"centre": centre, "form": form}, token=token, status=status
    )


# --- Online booking ---------------------------------------------------------------------------


def _bookable_days(centre: Centre) -> list[dt.date]:
    """Today and the next six days on which the centre has opening hours."""
    schedule = schedule_for(centre)
    today = local(now()).date()
    days = (today + dt.timedelta(days=n) for n in range(BOOKING_DAYS))
    return [day for day in days if schedule.intervals_on(day)]


def day_label(day: dt.date, today: dt.date) -> str:
    text = f"{hours.weekday_label(day.weekday())}, {date_format(day, 'j E')}"
    if day == today:
        return _("%(day)s (today)") % {"day": text}
    if day == today + dt.timedelta(days=1):
        return _("%(day)s (tomorrow)") % {"day": text}
    return text


class ChooseForm(forms.Form):
    topic = forms.TypedChoiceField(
        label=gettext_lazy("What do you need help with?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what you need help with.")},
    )
    day = forms.ChoiceField(
        label=gettext_lazy("Which day?"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a day.")},
    )

    def __init__(self, *args: Any, topics: list[QueueTopic], days: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = local(now()).date()
        cast(forms.ChoiceField, self.fields["topic"]).choices = [(t.pk, t.display_name) for t in topics]
        cast(forms.ChoiceField, self.fields["day"]).choices = [(d.isoformat(), day_label(d, today)) for d in days]
        invalid = gettext_lazy("Choose one of the options shown.")
        self.fields["topic"].error_messages["invalid_choice"] = invalid
        self.fields["day"].error_messages["invalid_choice"] = invalid


class TimeForm(forms.Form):
    starts_at = forms.ChoiceField(
        label=gettext_lazy("Choose a time"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose a time."),
            "invalid_choice": gettext_lazy("This time is no longer free. Choose another."),
        },
    )

    def __init__(self, *args: Any, slots: list[selectors.Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {s.starts_at.isoformat(): s for s in slots}
        cast(forms.ChoiceField, self.fields["starts_at"]).choices = [
            (k, f"{local(s.starts_at):%H:%M}") for k, s in self.slots.items()
        ]

    def clean_starts_at(self) -> dt.datetime:
        return self.slots[self.cleaned_data["starts_at"]].starts_at


def _booking_centre(slug: str) -> tuple[Centre, QueueConfig]:
    centre, config = selectors.centre_with_queue(slug=slug)
    if not config.booking_enabled:
        raise Http404
    return centre, config


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slug: str) -> HttpResponse:
    """Book a time: first what and which day (a GET form), then one of the free times."""
    centre, _config = _booking_centre(slug)
    topics = list(selectors.topics_of(centre))
    days = _bookable_days(centre)
    chosen = "topic" in request.GET or "day" in request.GET
    choose = ChooseForm(request.GET if chosen else None, topics=topics, days=days)
    context: dict[str, Any] = {"centre": centre, "choose": choose, "has_days": bool(days)}
    if not choose.is_bound or not choose.is_valid():
        if request.method == "POST":
            return redirect("queue_kiosk:book", slug=slug)
        return render(request, "equeue/kiosk/book_choose.html", context, status=400 if choose.errors else 200)

    topic = next(t for t in topics if t.pk == choose.cleaned_data["topic"])
    day = dt.date.fromisoformat(choose.cleaned_data["day"])

    def free() -> list[selectors.Slot]:
        return [s for s in selectors.free_slots(centre=centre, topic=topic, day=day) if s.free > 0]

    form = TimeForm(request.POST if request.method == "POST" else None, slots=free())
    status = 200
    if request.method == "POST":
        if throttle.hit_rate_limit(
            scope="queue-booking", ip=_client(request), limit=BOOKING_LIMIT, window_seconds=BOOKING_WINDOW_SECONDS
        ):
            form.is_valid()
            form.add_error(None, _("Too many bookings were made from this connection. Please try again later."))
            status = 429
        elif form.is_valid():
            try:
                booking = services.booking_create(centre=centre, topic=topic, starts_at=form.cleaned_data["starts_at"])
            except (ValidationError, InvalidTransition) as e:
                # Taken by someone else meanwhile (or bookings switched off): show the times still free.
                form = TimeForm(None, slots=free())
                context["taken"] = e.message if isinstance(e, InvalidTransition) else " ".join(e.messages)
                status = 409
            else:
                done = signing.dumps(booking.pk, salt=BOOKING_SALT)
                return redirect("queue_kiosk:booked", slug=slug, token=done)
        else:
            status = 400
    context.update(
        topic=topic,
        day=day,
        day_text=day_label(day, local(now()).date()),
        form=form,
        change_url=f"{reverse('queue_kiosk:book', args=[slug])}?{request.GET.urlencode()}",
    )
    return render(request, "equeue/kiosk/book_time.html", context, status=status)


@require_GET
def booked(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The confirmation with the code; its address is signed, so it works as the visitor's bookmark."""
    try:
        pk = signing.loads(token, salt=BOOKING_SALT)
    except signing.BadSignature:
        raise Http404 from None
    booking = selectors.booking_get(pk=pk, centre_slug=slug)
    starts = local(booking.starts_at)
    context = {
        "centre": booking.centre,
        "booking": booking,
        "starts": starts,
        "day_text": day_label(starts.date(), local(now()).date()),
        "code_groups": [booking.code[:3], booking.code[3:]],
        "check_in_from": starts - services.CHECK_IN_EARLY,
        "check_in_until": starts + services.CHECK_IN_LATE,
    }
    return render(request, "equeue/kiosk/booked.html", context)
