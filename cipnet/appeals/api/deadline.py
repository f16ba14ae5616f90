"""`GET /reception/deadline/`: the public calculator of statutory terms (`appeals.deadlines`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from cipnet.api.base import LANG, error_responses
from cipnet.api.fields import ErrorSerializer
from cipnet.api.throttling import ClientRateThrottle
from cipnet.appeals import deadlines
from cipnet.appeals.api.cases import ReceptionApiView
from cipnet.appeals.api.serializers import CaseChoiceField, CaseKindField, CaseTermField
from cipnet.appeals.deadlines import Term
from cipnet.appeals.models import (
    TERM_EXPLANATIONS,
    Kind,
)
from cipnet.core.clock import KYIV, local
from cipnet.core.workdays import current_calendar

#: The calculator's `term` for each kind of case.
DEADLINE_TERMS: dict[tuple[str, str], Term] = {
    (Kind.APPEAL, "standard"): Term.APPEAL_STANDARD,
    (Kind.APPEAL, "no_study"): Term.APPEAL_NO_STUDY,
    (Kind.APPEAL, "extended"): Term.APPEAL_EXTENDED,
    (Kind.APPEAL, "forward"): Term.FORWARD,
    (Kind.INFO_REQUEST, "standard"): Term.INFO_STANDARD,
    (Kind.INFO_REQUEST, "urgent"): Term.INFO_URGENT,
    (Kind.INFO_REQUEST, "extended"): Term.INFO_EXTENDED,
}


class DeadlineThrottle(ClientRateThrottle):
    """The public calculator, per client address for people not signed in (the site's own limits apply too)."""

    scope = "reception-deadline"
    rate = "60/min"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.user is not None and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class DeadlineTermField(CaseChoiceField):
    options = [
        ("standard", _("The ordinary term (appeal: one month; request: 5 working days).")),
        ("urgent", _("Urgent request for information: 48 hours.")),
        ("extended", _("Extended (appeal: 45 days in all; request: 20 working days).")),
        ("no_study", _("Appeal needing no additional study: 15 days.")),
        ("forward", _("Forwarding an appeal to the competent body: 5 days.")),
    ]
    component = "DeadlineTermEnum"


class DeadlineSerializer(serializers.Serializer):
    """When the answer is due, by the statutory term."""

    kind = CaseKindField()
    term = DeadlineTermField()
    statutory_term = CaseTermField()
    explanation = serializers.CharField()
    received_at = serializers.DateTimeField()
    starts_on = serializers.DateField(help_text=_("Counting starts the day after receipt."))
    due_at = serializers.DateTimeField(help_text=_("The last moment (the end of the last day in Kyiv, or +48 hours)."))
    due_on = serializers.DateField(help_text=_("The last day, in Kyiv."))
    moved_from = serializers.DateField(
        allow_null=True, help_text=_("The day the count reached, when it fell on a day off and moved to the next.")
    )
    moved_from_holiday = serializers.CharField(allow_null=True, help_text=_("The holiday it fell on, if any."))
    martial_law = serializers.BooleanField(
        help_text=_("Martial law was in force on the day of receipt: public holidays are working days.")
    )


class DeadlineQuerySerializer(serializers.Serializer):
    kind = CaseKindField(help_text=_("An appeal, or a request for public information."))
    received_at = serializers.DateTimeField(
        default_timezone=KYIV,
        help_text=_("When the authority received it (ISO 8601; without an offset, Kyiv time)."),
    )
    term = DeadlineTermField(required=False, default="standard")

    default_error_messages = {
        "term": _("This term does not apply to this kind of case."),
        "range": _("Give a date between 2000 and 2100."),
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs["kind"], attrs["term"]) not in DEADLINE_TERMS:
            raise serializers.ValidationError({"term": [self.error_messages["term"]]})
        if not 2000 <= local(attrs["received_at"]).year <= 2100:
            raise serializers.ValidationError({"received_at": [self.error_messages["range"]]})
        return attrs


class DeadlineView(ReceptionApiView):
    permission_classes = [AllowAny]

    def get_throttles(self) -> list[BaseThrottle]:
        return [*super().get_throttles(), DeadlineThrottle()]

    @extend_schema(
        operation_id="reception_deadline",
        tags=["reception"],
        summary="When is the answer due?",
        description=(
            "The statutory term for an appeal (Law “On Citizens' Appeals”) or a request for public information "
            "(Law “On Access to Public Information”) received at `received_at`, counted with Ukraine's working "
            "days: while martial law is in force, public holidays are working days. Limited to 60 requests a "
            "minute per address for people not signed in."
        ),
        parameters=[DeadlineQuerySerializer, LANG],
        responses={
            200: DeadlineSerializer,
            **error_responses(400),
            429: OpenApiResponse(ErrorSerializer, description="Too many requests from this address; wait a minute."),
        },
    )
    def get(self, request: Request) -> Response:
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        term = DEADLINE_TERMS[(params["kind"], params["term"])]
        received: dt.datetime = params["received_at"]
        explained = deadlines.explain(term, received, current_calendar())
        result = {
            "kind": params["kind"],
            "term": params["term"],
            "statutory_term": term.value,
            "explanation": TERM_EXPLANATIONS[term],
            "received_at": received,
            "starts_on": explained.starts_on,
            "due_at": explained.deadline.due_at,
            "due_on": explained.deadline.due_on,
            "moved_from": explained.deadline.moved_from,
            "moved_from_holiday": explained.moved_holiday,
            "martial_law": explained.martial_law,
        }
        return Response(DeadlineSerializer(result).data)
