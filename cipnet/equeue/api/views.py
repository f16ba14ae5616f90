"""/api/v1/queue/: the electronic queue of a centre.

- `POST /queue/{slug}/tickets/` issues a ticket: from the centre's kiosk (the kiosk token in the
  `X-Kiosk-Token` header; rate-limited per address when nobody is signed in), or by a person who
  works in the centre (session or token; the ticket is then "issued by staff").
- `GET /queue/tickets/{code}/` is the holder's status page (the code is the secret on the slip);
  `POST /queue/tickets/{code}/cancel/` gives the place up.
- `POST /queue/desks/{id}/call-next/` and `POST /queue/tickets/{id}/{recall,no-show,start,finish,
  transfer}/` are for the people of the centre; a desk or ticket of another centre is a 404.
- `GET /queue/{slug}/board/` is the display board's snapshot, with an ETag (the queue's version).

Every write goes through `equeue.services`, every read through `equeue.selectors`. An action the
ticket's state does not allow, and a ticket refused because the queue is off or the centre is
closed, are the services' `InvalidTransition`: the API's one exception handler answers them
**409 Conflict** with the usual error body (codes `invalid_transition` and `queue_closed`); wrong
input is a 400 naming the field.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from cipnet.accounts.models import User
from cipnet.api.base import LANG, ApiView, error_responses, request_actor
from cipnet.api.fields import ErrorSerializer
from cipnet.api.throttling import ClientRateThrottle
from cipnet.core.clock import local
from cipnet.equeue import access, selectors, services
from cipnet.equeue.api.serializers import (
    QueueBoardSerializer,
    QueueCallNextSerializer,
    QueueFinishedSerializer,
    QueueIssuedTicketSerializer,
    QueueStaffTicketSerializer,
    QueueTicketIssueSerializer,
    QueueTicketStatusSerializer,
    QueueTransferSerializer,
)
from cipnet.equeue.models import (
    Ticket,
    TicketChannel,
)

KIOSK_HEADER = "X-Kiosk-Token"


# --- Errors -------------------------------------------------------------------------------------


def conflicts(*codes: str) -> dict[int, OpenApiResponse]:
    descriptions = {
        "invalid_transition": "`invalid_transition`: the ticket's state does not allow this (e.g. finishing a "
        "waiting ticket, or calling the next one while the desk still has a called ticket).",
        "queue_closed": "`queue_closed`: the queue is off, or the centre is closed now (the message says when it "
        "opens).",
    }
    return {
        409: OpenApiResponse(ErrorSerializer, description=" ".join(descriptions[code] for code in codes)),
    }


class KioskIssueThrottle(ClientRateThrottle):
    """Anonymous tickets (the kiosk) per client address; signed-in staff are not limited here."""

    scope = "queue-issue"
    rate = "30/min"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.user is not None and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --- Views --------------------------------------------------------------------------------------


def _no_store(response: Response) -> Response:
    patch_cache_control(response, private=True, no_store=True)
    return response


KIOSK_PARAMETER = OpenApiParameter(
    KIOSK_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The centre's kiosk token (from the queue settings). Needed when nobody is signed in.",
)


class TicketIssueView(ApiView):
    permission_classes = [AllowAny]

    def get_throttles(self) -> list[BaseThrottle]:
        return [*super().get_throttles(), KioskIssueThrottle()]

    @extend_schema(
        operation_id="queue_tickets_create",
        tags=["queue"],
        summary="Take a ticket",
        description=(
            "From the centre's kiosk: send its token in the `X-Kiosk-Token` header (limited to 30 tickets a "
            "minute per address). Or signed in as a person who works in the centre: the ticket is marked "
            "“issued by staff”. Refused with 409 `queue_closed` when the queue is off or the centre is closed now."
        ),
        parameters=[KIOSK_PARAMETER, LANG],
        request=QueueTicketIssueSerializer,
        responses={
            201: QueueIssuedTicketSerializer,
            **error_responses(400, 401, 403, 404),
            **conflicts("queue_closed"),
            429: OpenApiResponse(ErrorSerializer, description="Too many tickets from this address; wait a minute."),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        centre, config = selectors.centre_for_tickets(slug=slug)
        token = request.headers.get(KIOSK_HEADER, "").strip()
        user = request.user if isinstance(request.user, User) else None
        if token:
            if not secrets.compare_digest(token.encode(), config.kiosk_token.encode()):
                raise exceptions.PermissionDenied(_("This is not the kiosk token of this centre."))
            channel, actor = TicketChannel.KIOSK, user
        elif user is not None:
            if not access.can_serve(user, centre):
                raise exceptions.PermissionDenied(
                    _("Only the people who work in this centre, or its kiosk, can issue tickets.")
                )
            channel, actor = TicketChannel.STAFF, user
        else:
            raise exceptions.NotAuthenticated(_("Send the kiosk token in the X-Kiosk-Token header, or sign in."))
        serializer = QueueTicketIssueSerializer(data=request.data, context=self.context(centre=centre))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = services.ticket_issue(
            centre=centre, topic=data["topic"], priority=data.get("priority"), channel=channel, actor=actor
        )
        view = selectors.ticket_view(selectors.ticket_by_code(code=ticket.code))
        body = QueueIssuedTicketSerializer(view, context=self.context()).data
        return _no_store(Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["status_url"]}))


class TicketStatusView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="queue_tickets_status",
        tags=["queue"],
        summary="A ticket's place in line",
        description="For the holder (the code is on the slip): the status, how many are ahead, the expected "
        "wait, and the desk once called.",
        parameters=[LANG],
        responses={200: QueueTicketStatusSerializer, **error_responses(404)},
    )
    def get(self, request: Request, code: str) -> Response:
        view = selectors.ticket_view(selectors.ticket_by_code(code=code))
        return _no_store(Response(QueueTicketStatusSerializer(view, context=self.context()).data))


class TicketCancelView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="queue_tickets_cancel",
        tags=["queue"],
        summary="Give up the place in line",
        description="For the holder, while the ticket waits.",
        request=None,
        parameters=[LANG],
        responses={200: QueueTicketStatusSerializer, **error_responses(404), **conflicts("invalid_transition")},
    )
    def post(self, request: Request, code: str) -> Response:
        services.ticket_cancel(ticket=selectors.ticket_by_code(code=code))
        view = selectors.ticket_view(selectors.ticket_by_code(code=code))
        return _no_store(Response(QueueTicketStatusSerializer(view, context=self.context()).data))


class CallNextView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="queue_desks_call_next",
        tags=["queue"],
        summary="Call the next visitor to a desk",
        description=(
            "Transferred-to-this-desk tickets first, then priority before ordinary (at most the centre's limit of "
            "priority calls in a row while ordinary tickets wait), earliest first. Always 200: `ticket` is null "
            "when nobody waits. Two desks pressing at the same moment never get the same ticket. 409 "
            "`invalid_transition` while the desk still has a called or served ticket."
        ),
        request=None,
        parameters=[LANG],
        responses={
            200: QueueCallNextSerializer,
            **error_responses(400, 401, 404),
            **conflicts("invalid_transition"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        desk = selectors.desk_get_for_user(user=actor, pk=pk)
        ticket = services.ticket_call_next(actor=actor, desk=desk)
        data = QueueCallNextSerializer(
            {"ticket": selectors.ticket_get_for_user(user=actor, pk=ticket.pk) if ticket is not None else None},
            context=self.context(),
        ).data
        return _no_store(Response(data))


class TicketActionView(ApiView):
    """A transition of a ticket by the people of its centre (404 for everyone else)."""

    permission_classes = [IsAuthenticated]

    def ticket(self, pk: int) -> Ticket:
        return selectors.ticket_get_for_user(user=request_actor(self.request), pk=pk)

    def done(self, ticket: Ticket) -> Response:
        fresh = self.ticket(ticket.pk)
        return _no_store(Response(QueueStaffTicketSerializer(fresh, context=self.context()).data))


def _action_schema(name: str, summary: str, description: str) -> Any:
    return extend_schema(
        operation_id=f"queue_tickets_{name}",
        tags=["queue"],
        summary=summary,
        description=description + " For the people who work in the ticket's centre.",
        request=None,
        parameters=[LANG],
        responses={200: QueueStaffTicketSerializer, **error_responses(401, 404), **conflicts("invalid_transition")},
    )


class TicketRecallView(TicketActionView):
    @_action_schema("recall", "Call the visitor again", "Only a called ticket; the board shows it again.")
    def post(self, request: Request, pk: int) -> Response:
        return self.done(services.ticket_recall(actor=request_actor(request), ticket=self.ticket(pk)))


class TicketNoShowView(TicketActionView):
    @_action_schema("no_show", "The visitor did not come", "Only a called ticket; the desk is free again.")
    def post(self, request: Request, pk: int) -> Response:
        return self.done(services.ticket_no_show(actor=request_actor(request), ticket=self.ticket(pk)))


class TicketStartView(TicketActionView):
    @_action_schema("start", "Start serving", "Only a called ticket.")
    def post(self, request: Request, pk: int) -> Response:
        return self.done(services.ticket_start(actor=request_actor(request), ticket=self.ticket(pk)))


class TicketFinishView(TicketActionView):
    @extend_schema(
        operation_id="queue_tickets_finish",
        tags=["queue"],
        summary="The visitor was served",
        description="A called or served ticket. Answers with the address of the consultation log's entry form, "
        "pre-filled for this visit. For the people who work in the ticket's centre.",
        request=None,
        parameters=[LANG],
        responses={200: QueueFinishedSerializer, **error_responses(401, 404), **conflicts("invalid_transition")},
    )
    def post(self, request: Request, pk: int) -> Response:
        finished = services.ticket_finish(actor=request_actor(request), ticket=self.ticket(pk))
        url = request.build_absolute_uri(reverse("consultations:entry") + "?prefill=" + finished.prefill)
        data = {"ticket": self.ticket(finished.ticket.pk), "consultation_url": url}
        return _no_store(Response(QueueFinishedSerializer(data, context=self.context()).data))


class TicketTransferView(TicketActionView):
    @extend_schema(
        operation_id="queue_tickets_transfer",
        tags=["queue"],
        summary="Send the visitor to another topic or desk",
        description=(
            "A called or served ticket goes back to the line, for another topic and/or a particular desk. It keeps "
            "its number and its place (the time it first queued). For the people who work in the ticket's centre."
        ),
        parameters=[LANG],
        request=QueueTransferSerializer,
        responses={
            200: QueueStaffTicketSerializer,
            **error_responses(400, 401, 404),
            **conflicts("invalid_transition"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        ticket = self.ticket(pk)
        serializer = QueueTransferSerializer(data=request.data, context=self.context(centre=ticket.centre))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = services.ticket_transfer(
            actor=request_actor(request), ticket=ticket, topic=data.get("topic"), desk=data.get("desk")
        )
        return self.done(moved)


class BoardView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="queue_board",
        tags=["queue"],
        summary="The display board",
        description=(
            "Who is called to which desk, the last calls, and how many wait per topic. Send the `ETag` back in "
            "`If-None-Match`: while the queue has not changed the answer is `304 Not Modified`, without a body."
        ),
        parameters=[
            LANG,
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                required=False,
                description="The ETag of the snapshot you have.",
            ),
        ],
        responses={
            200: QueueBoardSerializer,
            304: OpenApiResponse(description="Not modified: the snapshot you have is current."),
            **error_responses(404),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        centre, config = selectors.centre_with_queue(slug=slug)
        # The snapshot changes with the queue's version, the day (yesterday's calls drop off) and the language.
        day = local(selectors.now()).date().isoformat()
        etag = f'"queue-{centre.pk}-{config.version}-{day}-{translation.get_language()}"'
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(QueueBoardSerializer(selectors.board_snapshot(centre, config)).data)
        response["ETag"] = etag
        patch_cache_control(response, no_cache=True)
        return response
