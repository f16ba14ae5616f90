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

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from cipnet.accounts.models import User
from cipnet.api.base import LANG, ApiView, error_responses, request_actor
from cipnet.api.fields import ErrorSerializer, NamedChoiceField, StrictInputSerializer
from cipnet.core.clock import local
from cipnet.equeue import access, selectors, services
from cipnet.equeue.models import (
    Desk,
    PriorityCategory,
    QueueTopic,
    Ticket,
    TicketChannel,
    TicketStatus,
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


class KioskIssueThrottle(SimpleRateThrottle):
    """Anonymous tickets (the kiosk) per client address; signed-in staff are not limited here."""

    scope = "queue-issue"
    rate = "30/min"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.user is not None and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --- Output -------------------------------------------------------------------------------------


class TicketStatusField(NamedChoiceField):
    choices_enum = TicketStatus


class TicketChannelField(NamedChoiceField):
    choices_enum = TicketChannel


class QueueTopicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    prefix = serializers.CharField(help_text=_("The topic's letter, e.g. А."))
    name = serializers.CharField(source="display_name", help_text=_("In the requested language."))


class QueuePrioritySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name", help_text=_("In the requested language."))


class QueueDeskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class QueueTicketStatusSerializer(serializers.Serializer):
    """What the holder of a ticket sees: their place and the expected wait."""

    label = serializers.CharField(  # type: ignore[assignment]  # a declared field, not Field.label
        source="ticket.label", help_text=_("As printed on the slip, e.g. А-017.")
    )
    status = TicketStatusField(source="ticket.status")
    status_label = serializers.CharField(source="ticket.get_status_display")
    topic = QueueTopicSerializer(source="ticket.topic")
    centre = serializers.SlugField(source="ticket.centre.slug", help_text=_("The centre's slug."))
    ahead = serializers.IntegerField(help_text=_("People who will be called before you (0 unless waiting)."))
    minutes = serializers.IntegerField(help_text=_("Expected wait in minutes (0 unless waiting)."))
    desk = serializers.SerializerMethodField(help_text=_("The desk to go to while called or served; else null."))
    issued_at = serializers.DateTimeField(source="ticket.issued_at")
    called_at = serializers.DateTimeField(source="ticket.called_at", allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_desk(self, view: selectors.TicketView) -> str | None:
        t = view.ticket
        return t.desk.name if t.desk is not None and t.status in (TicketStatus.CALLED, TicketStatus.SERVING) else None


class QueueIssuedTicketSerializer(QueueTicketStatusSerializer):
    """A ticket just issued: what the kiosk prints."""

    id = serializers.IntegerField(source="ticket.id", help_text=_("For the staff endpoints."))
    code = serializers.CharField(
        source="ticket.code", help_text=_("The secret of the holder's status page (the QR code on the slip).")
    )
    status_url = serializers.SerializerMethodField()
    channel = TicketChannelField(source="ticket.channel")

    @extend_schema_field(OpenApiTypes.URI)
    def get_status_url(self, view: selectors.TicketView) -> str:
        path = reverse("api:queue-ticket-status", args=[view.ticket.code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class QueueStaffTicketSerializer(serializers.Serializer):
    """A ticket as the staff of its centre see it."""

    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    status = TicketStatusField()
    status_label = serializers.CharField(source="get_status_display")
    topic = QueueTopicSerializer()
    priority = QueuePrioritySerializer(allow_null=True)
    channel = TicketChannelField()
    desk = QueueDeskSerializer(allow_null=True, help_text=_("Where it is called or served."))
    for_desk = QueueDeskSerializer(allow_null=True, help_text=_("Transferred to this desk: only it calls the ticket."))
    calls = serializers.IntegerField(help_text=_("How many times it was called."))
    queued_at = serializers.DateTimeField(help_text=_("Its place in line (kept by a transfer)."))
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class QueueCallNextSerializer(serializers.Serializer):
    ticket = QueueStaffTicketSerializer(allow_null=True, help_text=_("The visitor called; null when nobody waits."))


class QueueFinishedSerializer(serializers.Serializer):
    ticket = QueueStaffTicketSerializer()
    consultation_url = serializers.CharField(
        help_text=_("Opens the consultation log's quick entry pre-filled for this visit (valid for a day).")
    )


class BoardCallSerializer(serializers.Serializer):
    ticket = serializers.CharField(help_text=_("The ticket's label."))
    desk = serializers.CharField()
    called_at = serializers.DateTimeField(allow_null=True)
    calls = serializers.IntegerField()
    serving = serializers.BooleanField(help_text=_("The visitor is being served (no longer only called)."))


class BoardRecentSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    desk = serializers.CharField()


class BoardWaitingSerializer(serializers.Serializer):
    topic = serializers.CharField(help_text=_("In the requested language."))
    prefix = serializers.CharField()
    count = serializers.IntegerField()


class QueueBoardSerializer(serializers.Serializer):
    centre = serializers.CharField()
    version = serializers.IntegerField(help_text=_("Grows with every change of the queue."))
    calling = BoardCallSerializer(many=True, help_text=_("Who is called to which desk now, latest first."))
    recent = BoardRecentSerializer(many=True, help_text=_("The last few calls today."))
    waiting = BoardWaitingSerializer(many=True, help_text=_("How many wait, per topic."))


# --- Input --------------------------------------------------------------------------------------


class TopicRefField(serializers.CharField):
    # The centre's topic by its letter (А) or its id; `context["centre"]` says which centre.

    default_error_messages = {"unknown": _("Unknown topic “{value}”: give the letter or the id of a topic offered.")}

    def to_internal_value(self, data: Any) -> QueueTopic:  # type: ignore[override]
        text = super().to_internal_value(str(data) if isinstance(data, int) and not isinstance(data, bool) else data)
        topics = selectors.topics_of(self.context["centre"])
        topic = topics.filter(pk=int(text)).first() if text.isdigit() else topics.filter(prefix=text.upper()).first()
        if topic is None:
            self.fail("unknown", value=text)
        return topic


class CentrePriorityField(serializers.PrimaryKeyRelatedField):
    # One of the centre's priority categories, by id; `context["centre"]` says which centre.

    default_error_messages = {
        "does_not_exist": _("Unknown priority category “{pk_value}”."),
        "incorrect_type": _("Give the priority category's id (a number)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", PriorityCategory.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[PriorityCategory]:
        centre = self.context.get("centre")
        if centre is None:
            return PriorityCategory.objects.none()
        return selectors.priorities_of(centre)


class CentreDeskField(serializers.PrimaryKeyRelatedField):
    # One of the centre's open desks, by id; `context["centre"]` says which centre.

    default_error_messages = {
        "does_not_exist": _("Unknown desk “{pk_value}”."),
        "incorrect_type": _("Give the desk's id (a number)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Desk.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Desk]:
        centre = self.context.get("centre")
        if centre is None:
            return Desk.objects.none()
        return selectors.desk_list(selectors.DeskFilters(centre=centre, active_only=True))


class QueueTicketIssueSerializer(StrictInputSerializer):
    """What `POST /queue/{slug}/tickets/` accepts. Unknown fields are refused."""

    topic = TopicRefField(help_text=_("The topic's letter (e.g. А) or id."))
    priority = CentrePriorityField(
        required=False,
        allow_null=True,
        help_text=_("Id of one of the centre's priority categories; leave out for an ordinary ticket."),
    )


class QueueTransferSerializer(StrictInputSerializer):
    """What `POST /queue/tickets/{id}/transfer/` accepts: a topic, a desk, or both."""

    topic = TopicRefField(required=False, help_text=_("Another topic (letter or id): back to that line."))
    desk = CentreDeskField(
        required=False, help_text=_("Id of an open desk of the centre: only that desk will call the visitor.")
    )


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
