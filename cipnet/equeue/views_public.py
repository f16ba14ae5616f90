"""Public queue pages: the display board for a TV, the ticket holder's status page, the
printable slip, and the live channel they share.

Live updates: the page opens `events/` (Server-Sent Events); each event carries the queue's
version, and the page then fetches the JSON with `If-None-Match`. Unchanged state is answered
`304 Not Modified` from the cache alone (no database query), so polling clients — where push is
unavailable — stay cheap too."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import segno
from asgiref.sync import sync_to_async
from django.contrib import messages
from django.db import connection as db_connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.http.response import HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from cipnet.core.clock import local, now
from cipnet.core.errors import InvalidTransition
from cipnet.equeue import broker, live, selectors, services
from cipnet.equeue.models import Ticket, TicketStatus

#: A comment line this often keeps proxies and the browser from dropping an idle stream.
HEARTBEAT_SECONDS = 15.0
#: The browser reconnects after this many milliseconds when the stream breaks.
RETRY_MS = 3000
#: Streams are closed after this long (the browser reconnects at once with Last-Event-ID),
#: so clients spread over web processes again after a restart or a scale-up.
MAX_STREAM_SECONDS = 3600.0


# --- Conditional GET ---------------------------------------------------------------------------


def _not_modified(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or etag in tags


def _json(data: dict[str, Any], etag: str) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def _304(etag: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def _centre_id_for_slug(slug: str) -> int:
    """The centre of a board (cached; the database only on a miss). 404 when the queue is off.
    On a miss the connection is given back at once (to the pool, on PostgreSQL): the stream that
    follows keeps this request's thread for up to an hour."""
    centre_id = live.cached_centre_for_slug(slug)
    if centre_id is None:
        try:
            centre, _config = selectors.centre_with_queue(slug=slug)
        finally:
            if not db_connection.in_atomic_block:  # (a test's transaction, never a request's)
                db_connection.close()
        centre_id = centre.pk
        live.remember_slug(slug, centre_id)
    return centre_id


# --- The board ---------------------------------------------------------------------------------


@require_GET
def board(request: HttpRequest, slug: str) -> HttpResponse:
    centre, config = selectors.centre_with_queue(slug=slug)
    live.remember_slug(slug, centre.pk)
    snapshot = selectors.board_snapshot(centre, config)
    response = render(
        request,
        "equeue/public/board.html",
        {
            "centre": centre,
            "snapshot": snapshot,
            "etag": live.etag(centre.pk, config.version),
            "now": local(now()),
        },
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def board_json(request: HttpRequest, slug: str) -> HttpResponseBase:
    centre_id = _centre_id_for_slug(slug)
    version = live.current_version(centre_id)
    if version is not None and _not_modified(request, live.etag(centre_id, version)):
        return _304(live.etag(centre_id, version))
    centre, config = selectors.centre_with_queue(slug=slug)
    snapshot = selectors.board_snapshot(centre, config)
    return _json(snapshot, live.etag(centre.pk, config.version))


def _sse(version: int) -> str:
    return f"id: {version}\nevent: version\ndata: {json.dumps({'version': version})}\n\n"


def _version_now(centre_id: int) -> int | None:
    """The queue's version, without keeping a database session open for the stream's lifetime
    (a board stays connected for up to an hour; a thousand boards must not hold a thousand sessions)."""
    try:
        return live.current_version(centre_id)
    finally:
        db_connection.close()


async def board_stream(centre_id: int, last_event_id: str | None) -> AsyncIterator[str]:
    """The event stream of one client: the current version at once (unless the client has it,
    per Last-Event-ID), then each new version; a comment line as heartbeat."""
    deadline = time.monotonic() + MAX_STREAM_SECONDS
    async with broker.listen(centre_id) as changes:
        # Subscribed first, then read: a change in between arrives as an event, not lost.
        yield f"retry: {RETRY_MS}\n\n"
        sent = await sync_to_async(_version_now)(centre_id)
        if sent is not None and str(sent) != last_event_id:
            yield _sse(sent)
        while time.monotonic() < deadline:
            try:
                async with asyncio.timeout(HEARTBEAT_SECONDS):
                    version = await anext(changes)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            if version is None:  # the push channel reconnected: re-read what we may have missed
                version = await sync_to_async(_version_now)(centre_id)
            if version is not None and (sent is None or version > sent):
                sent = version
                yield _sse(version)


@require_GET
async def events(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    centre_id = await sync_to_async(_centre_id_for_slug)(slug)
    response = StreamingHttpResponse(
        board_stream(centre_id, request.headers.get("Last-Event-ID")), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


# --- The ticket holder's pages -----------------------------------------------------------------


def _status_text(view: selectors.TicketView) -> tuple[str, str]:
    """(headline, detail) saying where the holder stands, in plain words."""
    ticket = view.ticket
    desk = ticket.desk.name if ticket.desk else ""
    if ticket.status == TicketStatus.WAITING and ticket.day != local(now()).date():
        return (
            _("This ticket was for %(date)s.") % {"date": ticket.day.strftime("%d.%m.%Y")},
            _("Take a new ticket if you need help."),
        )
    match ticket.status:
        case TicketStatus.WAITING:
            if view.ahead == 0:
                return _("You are next."), _("Please stay near the desks and watch the board.")
            people = ngettext("%(count)d person before you", "%(count)d people before you", view.ahead) % {
                "count": view.ahead
            }
            minutes = ngettext("about %(count)d minute", "about %(count)d minutes", view.minutes) % {
                "count": view.minutes
            }
            return f"{people}, {minutes}", _("This page updates by itself. We will show your desk here.")
        case TicketStatus.CALLED:
            return _("Your turn! Go to %(desk)s") % {"desk": desk}, _("Please go to the desk now.")
        case TicketStatus.SERVING:
            return _("You are being served at %(desk)s.") % {"desk": desk}, ""
        case TicketStatus.DONE:
            return _("You have been served. Thank you for coming!"), ""
        case TicketStatus.NO_SHOW:
            return (
                _("You were called, but did not come to the desk."),
                _("Please ask at the desk or take a new ticket."),
            )
        case _:
            return _("You gave up your place in the queue."), _("Take a new ticket if you need help.")


def _can_cancel(ticket: Ticket) -> bool:
    return ticket.status == TicketStatus.WAITING and ticket.day == local(now()).date()


def _ticket_data(view: selectors.TicketView, version: int) -> dict[str, Any]:
    ticket = view.ticket
    headline, detail = _status_text(view)
    return {
        "version": version,
        "ticket": ticket.label,
        "status": ticket.status,
        "status_display": ticket.get_status_display(),
        "desk": ticket.desk.name
        if ticket.desk and ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
        else "",
        "ahead": view.ahead,
        "minutes": view.minutes,
        "called": ticket.status == TicketStatus.CALLED,
        "calls": ticket.calls,
        "final": ticket.status in (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED),
        "can_cancel": _can_cancel(ticket),
        "headline": headline,
        "detail": detail,
    }


def qr_svg(url: str) -> str:
    """The status page's address as an inline SVG QR code (no image request, no inline style)."""
    return segno.make(url, error="m").svg_inline(
        scale=4, border=2, omitsize=True, svgclass="qr", title=_("QR code: open this page on your phone")
    )


def _ticket_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    view = selectors.ticket_view(ticket)
    version = live.current_version(ticket.centre_id) or 0
    status_url = request.build_absolute_uri(reverse("queue:ticket", args=[ticket.code]))
    data = _ticket_data(view, version)
    return {
        "ticket": ticket,
        "view": view,
        "data": data,
        "status_url": status_url,
        "qr_svg": qr_svg(status_url),
        "etag": live.etag(ticket.centre_id, version),
        "board_events_url": reverse("queue:events", args=[ticket.centre.slug]),
    }


@require_GET
def ticket_status(request: HttpRequest, code: str) -> HttpResponse:
    ticket = selectors.ticket_by_code(code=code)
    response = render(request, "equeue/public/status.html", _ticket_context(request, ticket))
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def ticket_status_json(request: HttpRequest, code: str) -> HttpResponseBase:
    centre_id = live.centre_for_code(code)
    if centre_id is None:
        raise Http404
    version = live.current_version(centre_id)
    if version is not None and _not_modified(request, live.etag(centre_id, version)):
        return _304(live.etag(centre_id, version))
    ticket = selectors.ticket_by_code(code=code)
    version = version or 0
    return _json(_ticket_data(selectors.ticket_view(ticket), version), live.etag(centre_id, version))


@require_GET
def ticket_slip(request: HttpRequest, code: str) -> HttpResponse:
    ticket = selectors.ticket_by_code(code=code)
    context = _ticket_context(request, ticket)
    context["autoprint"] = request.GET.get("print") == "1"
    return render(request, "equeue/public/slip.html", context)


@require_http_methods(["GET", "POST"])
def ticket_cancel(request: HttpRequest, code: str) -> HttpResponse:
    """GET asks "are you sure?" (a place in line is precious); POST gives the place up."""
    ticket = selectors.ticket_by_code(code=code)
    if request.method == "POST":
        try:
            services.ticket_cancel(ticket=ticket)
        except InvalidTransition:
            messages.error(request, _("Your place could not be cancelled: the ticket is no longer waiting."))
        else:
            messages.success(request, _("Your place in the queue is cancelled."))
        return redirect("queue:ticket", code=ticket.code)
    if not _can_cancel(ticket):
        return redirect("queue:ticket", code=ticket.code)
    return render(request, "equeue/public/cancel.html", {"ticket": ticket})
