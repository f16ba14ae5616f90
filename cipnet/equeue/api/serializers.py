"""What the queue API reads and answers (output serializers) and what it accepts (input
serializers, unknown fields refused). Component names in the OpenAPI schema are the class names."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cipnet.api.fields import NamedChoiceField, StrictInputSerializer
from cipnet.equeue import selectors
from cipnet.equeue.models import Desk, PriorityCategory, QueueTopic, TicketChannel, TicketStatus

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
