"""/api/v1/reception/: the virtual reception (citizens' appeals and requests for public information).

- `POST /reception/cases/` saves a case (a draft, or sent at once with `send: true`) for the signed-in
  resident, or for a library visitor by a consultant of the centre (`centre` and `consent`).
- `GET /reception/cases/` and `GET /reception/cases/{id}/`: the cases the caller may see
  (`appeals.selectors`: their own, their centre's, their region's, their authority's once sent); a
  case outside that is a 404. Internal events (assignment, reminders) only for the authority's officials.
- `POST /reception/cases/{id}/{step}/`: one step of the case (`appeals.workflow`), each calling its
  service: officials register, take, assign, mark "no study", extend, forward, ask and answer; the
  author submits a draft, clarifies, withdraws and closes. A step the case's status or the caller's
  part does not allow is **409** `invalid_transition`; wrong input is a 400 naming the field.
- `GET /reception/deadline/`: the public calculator of statutory terms (`appeals.deadlines`).
- `POST /reception/inbound-mail/`: a mail provider delivers a reply to a case's address
  (`appeals.ingest`), authenticated by the shared secret in `X-CIPnet-Mail-Secret`.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from cipnet.accounts.models import User
from cipnet.api.base import LANG, ApiView, error_responses, request_actor
from cipnet.api.fields import ErrorSerializer, RenamedFields, StrictInputSerializer
from cipnet.api.pagination import PagePagination
from cipnet.appeals import attachments, deadlines, selectors, services
from cipnet.appeals.deadlines import Term
from cipnet.appeals.ingest import MAX_MESSAGE_BYTES, IngestStatus, ingest_message
from cipnet.appeals.models import (
    ANSWER_CHANNELS,
    TERM_EXPLANATIONS,
    AnswerForm,
    Appeal,
    AppealEvent,
    AppealType,
    Attachment,
    EventKind,
    Kind,
    Outcome,
    Status,
)
from cipnet.appeals.workflow import API_STEP_NAMES, Party, available_steps
from cipnet.core.clock import KYIV, local, now
from cipnet.core.errors import InvalidTransition
from cipnet.core.workdays import current_calendar
from cipnet.directory.models import Centre

MAIL_SECRET_HEADER = "X-CIPnet-Mail-Secret"  # noqa: S105 — the header's name, not a secret
OFFICIAL_PARTIES = frozenset({Party.OFFICIAL, Party.HEAD})
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


# --- Errors and throttling ----------------------------------------------------------------------


def _conflict(extra: str = "") -> dict[int, OpenApiResponse]:
    description = (
        "`invalid_transition`: the case's status, or your part in it, does not allow this step (the message says "
        "why)." + (" " + extra if extra else "")
    )
    return {409: OpenApiResponse(ErrorSerializer, description=description)}


class DeadlineThrottle(SimpleRateThrottle):
    """The public calculator, per client address for people not signed in (the site's own limits apply too)."""

    scope = "reception-deadline"
    rate = "60/min"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.user is not None and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --- Choice sets, each with its own schema component --------------------------------------------


class _CaseChoiceField(serializers.ChoiceField):
    # A choice set with its own schema component: "kind", "status" and "outcome" already name other
    # choice sets in the API.

    options: ClassVar[Any]  # a TextChoices class, or a list of (value, label)
    component: ClassVar[str]

    def __init__(self, **kwargs: Any) -> None:
        options = self.options
        super().__init__(choices=options.choices if hasattr(options, "choices") else options, **kwargs)


class _CaseChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "cipnet.appeals.api.cases._CaseChoiceField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = self.target
        pairs = [(str(value), str(label)) for value, label in field.choices.items()]
        component = ResolvedComponent(
            name=field.component,
            type=ResolvedComponent.SCHEMA,
            object=field.component,
            schema={
                "type": "string",
                "enum": [value for value, _label in pairs],
                "description": "\n".join(f"* `{value}` - {label}" for value, label in pairs),
            },
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


class CaseKindField(_CaseChoiceField):
    options = Kind
    component = "CaseKindEnum"


class CaseStatusField(_CaseChoiceField):
    options = Status
    component = "CaseStatusEnum"


class CaseOutcomeField(_CaseChoiceField):
    options = Outcome
    component = "CaseOutcomeEnum"


class AppealTypeField(_CaseChoiceField):
    options = AppealType
    component = "AppealTypeEnum"


class AnswerFormField(_CaseChoiceField):
    options = AnswerForm
    component = "AnswerFormEnum"


class AnswerChannelField(_CaseChoiceField):
    options = ANSWER_CHANNELS
    component = "AnswerChannelEnum"


class CaseEventKindField(_CaseChoiceField):
    options = EventKind
    component = "CaseEventKindEnum"


class CaseTermField(_CaseChoiceField):
    options = [(term.value, TERM_EXPLANATIONS[term]) for term in Term]
    component = "CaseTermEnum"


class DeadlineTermField(_CaseChoiceField):
    options = [
        ("standard", _("The ordinary term (appeal: one month; request: 5 working days).")),
        ("urgent", _("Urgent request for information: 48 hours.")),
        ("extended", _("Extended (appeal: 45 days in all; request: 20 working days).")),
        ("no_study", _("Appeal needing no additional study: 15 days.")),
        ("forward", _("Forwarding an appeal to the competent body: 5 days.")),
    ]
    component = "DeadlineTermEnum"


class InboundMailStatusField(_CaseChoiceField):
    options = [
        (IngestStatus.FILED.value, _("Filed to the case.")),
        (IngestStatus.DUPLICATE.value, _("Filed to the case before; nothing new.")),
        (IngestStatus.UNMATCHED.value, _("No case address among the recipients; nothing filed.")),
        (IngestStatus.TOO_LARGE.value, _("Too large; nothing filed.")),
    ]
    component = "InboundMailStatusEnum"


def _case_url(request: Any, pk: int) -> str:
    path = reverse("api:reception-case-detail", args=[pk])
    return request.build_absolute_uri(path) if request is not None else path


# --- Output -------------------------------------------------------------------------------------


class AuthorityRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=_("In the requested language."))


class CasePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class CaseCentreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=_("In the requested language."))


class CaseListItemSerializer(serializers.Serializer):
    """A case: a citizen's appeal or a request for public information."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    number = serializers.CharField(allow_null=True, help_text=_("Given when the case is sent, e.g. ЗВ-2026-00017."))
    kind = CaseKindField()
    kind_label = serializers.CharField(source="get_kind_display")
    appeal_type = AppealTypeField(allow_blank=True, help_text=_("Appeals only; empty for information requests."))
    status = CaseStatusField()
    status_label = serializers.CharField(source="get_status_display")
    authority = AuthorityRefSerializer()
    subject = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text=_("The last moment for the answer."))
    overdue = serializers.SerializerMethodField(help_text=_("Still owed an answer, and past the due moment."))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, appeal: Appeal) -> str:
        return _case_url(self.context.get("request"), appeal.pk)

    def get_overdue(self, appeal: Appeal) -> bool:
        return appeal.is_open and deadlines.is_overdue(appeal.due_at, self.context.get("moment") or now())


class CaseDueSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(allow_null=True)
    due_on = serializers.DateField(allow_null=True, help_text=_("The last day, in Kyiv."))
    overdue = serializers.BooleanField()
    working_days_left = serializers.IntegerField(
        allow_null=True, help_text=_("Working days until the due day (0 on it, negative when late); null unless open.")
    )
    running = serializers.BooleanField(help_text=_("The authority owes an answer: the term runs."))


class CaseAttachmentSerializer(RenamedFields, serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text=_("In bytes."))
    source_ = serializers.CharField(help_text=_("author, authority, scan or email."))
    url = serializers.SerializerMethodField(help_text=_("Download it (for those who may see the case)."))

    def get_url(self, attachment: Attachment) -> str:
        path = reverse("api:reception-case-file", args=[attachment.appeal_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class CaseEventSerializer(RenamedFields, serializers.Serializer):
    """One entry of the case's history."""

    # Context: `internal` (the caller is an official of the case's authority: they see who did it).

    id = serializers.IntegerField()
    kind = CaseEventKindField()
    kind_label = serializers.CharField(source="get_kind_display")
    at = serializers.DateTimeField()
    status_from = CaseStatusField(allow_blank=True)
    status_to = CaseStatusField(allow_blank=True)
    note = serializers.CharField(help_text=_("A question, a justification, an answer, an e-mail's text."))
    data_ = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_("Details of the step (e.g. due_at; for an e-mail: from, subject, message_id)."),
    )
    actor = serializers.SerializerMethodField(help_text=_("Who did it: shown to the authority's officials only."))
    attachments = CaseAttachmentSerializer(many=True, source="attachments.all")

    @extend_schema_field(CasePersonSerializer(allow_null=True))
    def get_actor(self, event: AppealEvent) -> dict[str, Any] | None:
        if not self.context.get("internal") or event.actor is None:
            return None
        return {"id": event.actor.pk, "name": event.actor.display_name}


class CaseDetailSerializer(CaseListItemSerializer):
    """A case with its author, text, term, answer and history."""

    # Context: `request`, `moment`, `parties` (the caller's part in the case), `internal`.

    author_name = serializers.CharField()
    author_address = serializers.CharField()
    author_email = serializers.CharField()
    author_phone = serializers.CharField()
    centre = CaseCentreSerializer(allow_null=True, help_text=_("The library centre where it was filed, if any."))
    consent_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the visitor agreed to a filing for them.")
    )
    text = serializers.CharField()
    answer_form = AnswerFormField()
    urgent = serializers.BooleanField()
    urgency_reason = serializers.CharField()
    publish_consent = serializers.BooleanField()
    received_at = serializers.DateTimeField(allow_null=True, help_text=_("The term counts from here."))
    registration_number = serializers.CharField()
    registered_on = serializers.DateField(allow_null=True)
    term = CaseTermField(allow_blank=True)
    term_explanation = serializers.CharField(source="get_term_explanation")
    due = serializers.SerializerMethodField()
    assignee = CasePersonSerializer(allow_null=True)
    extension_reason = serializers.CharField()
    forwarded_from = serializers.CharField(
        source="forwarded_from.number", allow_null=True, help_text=_("Number of the case this one came from.")
    )
    forwarded_to = serializers.SerializerMethodField(help_text=_("Numbers of the cases it was forwarded as."))
    answered_at = serializers.DateTimeField(allow_null=True)
    outcome = CaseOutcomeField(allow_blank=True)
    answer_text = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    actions = serializers.SerializerMethodField(
        help_text=_("The steps you may take now: POST /api/v1/reception/cases/{id}/{step}/.")
    )
    events = serializers.SerializerMethodField()

    @extend_schema_field(CaseDueSerializer)
    def get_due(self, appeal: Appeal) -> dict[str, Any]:
        info = selectors.due_info(appeal, self.context.get("moment"))
        return dict(CaseDueSerializer(info).data)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_forwarded_to(self, appeal: Appeal) -> list[str]:
        return [number for number in appeal.forwarded_to.order_by("pk").values_list("number", flat=True) if number]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, appeal: Appeal) -> list[str]:
        return [API_STEP_NAMES[s] for s in available_steps(appeal, set(self.context.get("parties") or ()))]

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, appeal: Appeal) -> list[Any]:
        internal = bool(self.context.get("internal"))
        events = selectors.timeline(appeal=appeal, internal=internal)
        return list(CaseEventSerializer(events, many=True, context={"internal": internal}).data)


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


class InboundMailResultSerializer(serializers.Serializer):
    status = InboundMailStatusField()
    case = serializers.CharField(allow_null=True, help_text=_("The case's number, when filed."))
    stored = serializers.ListField(child=serializers.CharField(), help_text=_("Files stored with the message."))
    refused = serializers.ListField(
        child=serializers.CharField(), help_text=_("Why each refused file was refused; the message is filed anyway.")
    )


# --- Input --------------------------------------------------------------------------------------


def _max(field: str) -> int | None:
    return getattr(Appeal._meta.get_field(field), "max_length", None)


class AuthorityField(serializers.SlugRelatedField):
    # An authority that receives cases through CIPnet, by its slug.

    default_error_messages = {
        "does_not_exist": _("Unknown authority “{value}”."),
        "invalid": _("Give the authority's identifier (slug)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", selectors.authorities_for_choice())
        super().__init__(slug_field="slug", **kwargs)


class CaseCreateSerializer(StrictInputSerializer):
    """What `POST /reception/cases/` accepts. Unknown fields are refused."""

    kind = CaseKindField()
    authority = AuthorityField(help_text=_("The authority's identifier (slug)."))
    appeal_type = AppealTypeField(required=False, allow_blank=True, help_text=_("Required for an appeal."))
    author_name = serializers.CharField(max_length=_max("author_name"), help_text=_("Surname, first name, patronymic."))
    author_address = serializers.CharField(
        max_length=_max("author_address"), required=False, allow_blank=True, help_text=_("Required for an appeal.")
    )
    author_email = serializers.EmailField(required=False, allow_blank=True)
    author_phone = serializers.CharField(max_length=_max("author_phone"), required=False, allow_blank=True)
    subject = serializers.CharField(max_length=_max("subject"))
    text = serializers.CharField(max_length=_max("text"))
    answer_form = AnswerFormField(required=False, help_text=_("Information requests: how the answer should come."))
    urgent = serializers.BooleanField(required=False, default=False, help_text=_("Information requests: 48 hours."))
    urgency_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    publish_consent = serializers.BooleanField(required=False, default=False)
    idempotency_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("A UUID made by the client: a retry with the same key returns the case saved the first time."),
    )
    send = serializers.BooleanField(
        required=False, default=False, help_text=_("Send it to the authority now; otherwise it stays a draft.")
    )
    centre = serializers.PrimaryKeyRelatedField(
        queryset=Centre.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("Unknown centre “{pk_value}”."), "incorrect_type": _("Give an id.")},
        help_text=_("Consultants: id of your centre, to file for a visitor."),
    )
    consent = serializers.BooleanField(
        required=False, default=False, help_text=_("With centre: the visitor agrees that you write on their behalf.")
    )

    def to_input(self) -> services.AppealInput:
        d = self.validated_data
        return services.AppealInput(
            kind=d["kind"],
            authority=d["authority"],
            author_name=d["author_name"],
            subject=d["subject"],
            text=d["text"],
            appeal_type=d.get("appeal_type", ""),
            author_address=d.get("author_address", ""),
            author_email=d.get("author_email", ""),
            author_phone=d.get("author_phone", ""),
            answer_form=d.get("answer_form", AnswerForm.EMAIL),
            urgent=d["urgent"],
            urgency_reason=d.get("urgency_reason", ""),
            publish_consent=d["publish_consent"],
        )


class CaseListQuerySerializer(serializers.Serializer):
    status = CaseStatusField(required=False, help_text=_("Only cases in this status."))
    kind = CaseKindField(required=False, help_text=_("Only appeals, or only information requests."))


class NoInputSerializer(StrictInputSerializer):
    """Nothing to send (an empty object, or no body)."""


class RegisterInputSerializer(StrictInputSerializer):
    registration_number = serializers.CharField(max_length=_max("registration_number"))
    registered_on = serializers.DateField(help_text=_("Between the day of receipt and today."))


class ColleagueField(serializers.PrimaryKeyRelatedField):
    # An active official of the case's authority, by user id; `context["appeal"]` says which case.

    default_error_messages = {
        "does_not_exist": _("Choose an official of this authority."),
        "incorrect_type": _("Give the official's user id (a number)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[User]:
        appeal = self.context.get("appeal")
        return selectors.colleagues(appeal=appeal) if appeal is not None else User.objects.none()


class AssignInputSerializer(StrictInputSerializer):
    assignee = ColleagueField(help_text=_("User id of an official of the case's authority."))


class ReasonInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=5000, help_text=_("Why; the author will read it."))


class ForwardInputSerializer(StrictInputSerializer):
    to = AuthorityField(help_text=_("The competent authority's identifier (slug)."))
    reason = serializers.CharField(max_length=5000, help_text=_("Why that body is competent; the author reads it."))


class AskInputSerializer(StrictInputSerializer):
    question = serializers.CharField(max_length=5000, help_text=_("What the author should clarify."))


class ClarifyInputSerializer(StrictInputSerializer):
    text = serializers.CharField(max_length=10000, help_text=_("The clarification."))


class AnswerInputSerializer(StrictInputSerializer):
    outcome = CaseOutcomeField()
    text = serializers.CharField(max_length=50000, help_text=_("The answer; a refusal gives its reason."))
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=5,
        help_text=_("The authority's documents (multipart/form-data): PDF, JPEG, PNG, DOCX or ODT, 10 MB each."),
    )


class RecordAnswerInputSerializer(AnswerInputSerializer):
    channel = AnswerChannelField(help_text=_("How the answer came."))
    files = serializers.ListField(
        child=serializers.FileField(),
        min_length=1,
        max_length=5,
        help_text=_("The scanned answer letter (multipart/form-data): PDF, JPEG, PNG, DOCX or ODT, 10 MB each."),
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


class RawMessageParser(BaseParser):
    """The raw RFC 822 message, as bytes (at most MAX_MESSAGE_BYTES)."""

    media_type = "message/rfc822"

    def parse(  # type: ignore[override]  # the body as it came, not a mapping
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> bytes:
        data = stream.read(MAX_MESSAGE_BYTES + 1) if stream is not None else b""
        if len(data) > MAX_MESSAGE_BYTES:
            raise exceptions.ValidationError({"message": [_("The message is too large.")]})
        return bytes(data)


class OctetStreamMessageParser(RawMessageParser):
    media_type = "application/octet-stream"


# --- Views --------------------------------------------------------------------------------------


class ReceptionApiView(ApiView):
    def case_response(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        user = request_actor(self.request)
        appeal = selectors.appeal_get_for_user(user=user, pk=pk)
        parties = services.parties_of(user, appeal)
        context = self.context(moment=now(), parties=parties, internal=bool(parties & OFFICIAL_PARTIES))
        data = CaseDetailSerializer(appeal, context=context).data
        headers = {"Location": data["url"]} if code == status.HTTP_201_CREATED else None
        response = Response(data, status=code, headers=headers)
        patch_cache_control(response, private=True, no_store=True)
        return response


class CaseListView(ReceptionApiView):
    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="reception_cases_list",
        tags=["reception"],
        summary="The cases you may see",
        description=(
            "Residents: their own. Library staff: also the cases filed at their centres; regional coordinators: "
            "their region's; officials: their authority's (once sent); network administrators: all. Newest first."
        ),
        parameters=[CaseListQuerySerializer, LANG],
        responses={200: CaseListItemSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        query = CaseListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        filters = selectors.CaseFilters(status=params.get("status", ""), kind=params.get("kind", ""))
        cases = selectors.case_list_visible_to(user=request_actor(request), filters=filters)
        page = self.paginate_queryset(cases) or []
        data = CaseListItemSerializer(page, many=True, context=self.context(moment=now())).data
        response = self.get_paginated_response(data)
        patch_cache_control(response, private=True, no_store=True)
        return response

    @extend_schema(
        operation_id="reception_cases_create",
        tags=["reception"],
        summary="Write to an authority",
        description=(
            "Saves a draft, or with `send: true` sends it at once (it then gets its number and its term). "
            "A consultant files for a library visitor with `centre` (their centre) and `consent: true`. "
            "A case that cannot be sent is not saved either: the 400 names each field to correct."
        ),
        parameters=[LANG],
        request=CaseCreateSerializer,
        responses={
            201: CaseDetailSerializer,
            **error_responses(400, 401),
            **_conflict("`idempotency_conflict`: another case was saved with this `idempotency_key`."),
        },
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        serializer = CaseCreateSerializer(data=request.data, context=self.context())
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        with transaction.atomic():
            appeal = services.appeal_save_draft(
                actor=actor,
                data=serializer.to_input(),
                centre=d.get("centre"),
                consent=d["consent"],
                idempotency_key=d.get("idempotency_key"),
            )
            if Party.AUTHOR not in services.parties_of(actor, appeal):
                # Only a key another case already used gets here: nothing was saved.
                raise InvalidTransition(
                    str(_("This idempotency key was used for another case.")), code="idempotency_conflict"
                )
            if d["send"] and appeal.status == Status.DRAFT:
                appeal = services.appeal_submit(actor=actor, appeal=appeal)
        return self.case_response(appeal.pk, status.HTTP_201_CREATED)


class CaseDetailView(ReceptionApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reception_cases_retrieve",
        tags=["reception"],
        summary="One case with its term and history",
        description="Internal steps (assignment, reminders) and who took each step: for the authority's officials.",
        parameters=[LANG],
        responses={200: CaseDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.case_response(pk)


class CaseStepView(ReceptionApiView):
    """One step of a case. A case the caller may not see is a 404, whatever the step."""

    permission_classes = [IsAuthenticated]
    input_class: ClassVar[type[StrictInputSerializer]] = NoInputSerializer

    def run(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        appeal = selectors.appeal_get_for_user(user=actor, pk=pk)
        serializer = self.input_class(data=request.data, context=self.context(appeal=appeal))
        serializer.is_valid(raise_exception=True)
        self.perform(actor, appeal, serializer.validated_data)
        return self.case_response(appeal.pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        raise NotImplementedError


def _step_schema(name: str, summary: str, description: str, request: Any = None) -> Any:
    return extend_schema(
        operation_id=f"reception_cases_{name.replace('-', '_')}",
        tags=["reception"],
        summary=summary,
        description=description,
        parameters=[LANG],
        request=request,
        responses={200: CaseDetailSerializer, **error_responses(400, 401, 404), **_conflict()},
    )


class CaseSubmitView(CaseStepView):
    @_step_schema("submit", "Send a draft", "The author. The case gets its number and its term.")
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_submit(actor=actor, appeal=appeal)


class CaseRegisterView(CaseStepView):
    input_class = RegisterInputSerializer

    @_step_schema("register", "Register", "An official of the authority, for a sent case.", RegisterInputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_register(
            actor=actor,
            appeal=appeal,
            registration_number=data["registration_number"],
            registered_on=data["registered_on"],
        )


class CaseTakeView(CaseStepView):
    @_step_schema("take", "Take into consideration", "An official; they become its handler unless one is named.")
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_take(actor=actor, appeal=appeal)


class CaseAssignView(CaseStepView):
    input_class = AssignInputSerializer

    @_step_schema("assign", "Assign to an official", "An official of the authority.", AssignInputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_assign(actor=actor, appeal=appeal, assignee=data["assignee"])


class CaseNoStudyView(CaseStepView):
    @_step_schema(
        "no-study",
        "No additional study: 15 days",
        "An official, for an appeal with the one-month term, while 15 days since receipt have not passed.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_mark_no_study(actor=actor, appeal=appeal)


class CaseExtendView(CaseStepView):
    input_class = ReasonInputSerializer

    @_step_schema(
        "extend",
        "Extend the term",
        "An appeal: the head of the authority, to 45 days in all. A request for information: an official, to "
        "20 working days, within the first 5 working days (not an urgent one).",
        ReasonInputSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_extend(actor=actor, appeal=appeal, reason=data["reason"])


class CaseForwardView(CaseStepView):
    input_class = ForwardInputSerializer

    @_step_schema(
        "forward",
        "Forward to the competent body",
        "An official. The case becomes “forwarded”; a new case is opened at the other authority, whose term "
        "starts now. Answers with this case (its `forwarded_to` names the new one).",
        ForwardInputSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_forward(actor=actor, appeal=appeal, to=data["to"], reason=data["reason"])


class CaseAskView(CaseStepView):
    input_class = AskInputSerializer

    @_step_schema("ask", "Ask the author for clarification", "An official. The term keeps running.", AskInputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_ask(actor=actor, appeal=appeal, question=data["question"])


class CaseClarifyView(CaseStepView):
    input_class = ClarifyInputSerializer

    @_step_schema("clarify", "Give the clarification", "The author, when asked.", ClarifyInputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_clarify(actor=actor, appeal=appeal, text=data["text"])


class CaseAnswerView(CaseStepView):
    input_class: ClassVar[type[StrictInputSerializer]] = AnswerInputSerializer
    parser_classes = [JSONParser, MultiPartParser]
    #: An answer that came outside CIPnet, entered with its scan (`record-answer`).
    recorded: ClassVar[bool] = False

    @_step_schema(
        "answer",
        "Give the answer",
        "An official of the authority. JSON, or multipart/form-data to attach the authority's documents (`files`).",
        {"application/json": AnswerInputSerializer, "multipart/form-data": AnswerInputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_answer(
            actor=actor,
            appeal=appeal,
            outcome=data["outcome"],
            text=data["text"],
            uploads=attachments.uploads_of(data.get("files") or []),
            recorded=self.recorded,
            channel=data.get("channel", ""),
        )


class CaseRecordAnswerView(CaseAnswerView):
    input_class = RecordAnswerInputSerializer
    parser_classes = [MultiPartParser]
    recorded = True

    @_step_schema(
        "record-answer",
        "Record an answer received by post or e-mail",
        "An official of the authority, or the author: the answer that came outside CIPnet, with the scanned letter.",
        {"multipart/form-data": RecordAnswerInputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)


class CaseFileView(ReceptionApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reception_cases_file",
        tags=["reception"],
        summary="Download a file of a case",
        description=(
            "Only for those who may see the case. Served as an attachment; its type was read from its content."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **error_responses(401, 404),
        },
    )
    def get(self, request: Request, pk: int, file_pk: int) -> FileResponse:
        appeal = selectors.appeal_get_for_user(user=request_actor(request), pk=pk)
        return attachments.attachment_response(selectors.attachment_for(appeal=appeal, pk=file_pk))


class CaseCloseView(CaseStepView):
    @_step_schema("close", "Close", "The author or an official, once answered.")
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_close(actor=actor, appeal=appeal)


class CaseWithdrawView(CaseStepView):
    @_step_schema("withdraw", "Withdraw", "The author, while the case is a draft or still open.")
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def perform(self, actor: User, appeal: Appeal, data: Mapping[str, Any]) -> None:
        services.appeal_withdraw(actor=actor, appeal=appeal)


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


MAIL_SECRET_PARAMETER = OpenApiParameter(
    MAIL_SECRET_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The shared secret (setting CIPNET_INBOUND_MAIL_SECRET).",
)


class InboundMailView(ReceptionApiView):
    # The mail provider authenticates with the shared secret, not as a user: no session (so no CSRF),
    # and no per-address limit (a provider delivers in bursts from few addresses).
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    parser_classes = [RawMessageParser, OctetStreamMessageParser]

    @extend_schema(
        operation_id="reception_inbound_mail",
        tags=["reception"],
        summary="Deliver an e-mail to a case's reply address",
        description=(
            "For the mail provider: the raw RFC 822 message as the body. It is filed to the case whose address "
            "(case-…@the reply domain) is among its recipients, with its files (those of an accepted kind). "
            "Delivering the same message again files nothing new. Answers 200 also when no case matched "
            "(`status` says so), so that the provider does not retry. 404 while no secret is configured."
        ),
        parameters=[MAIL_SECRET_PARAMETER],
        request={
            "message/rfc822": OpenApiTypes.BINARY,
            "application/octet-stream": OpenApiTypes.BINARY,
        },
        responses={
            200: InboundMailResultSerializer,
            **error_responses(400),
            403: OpenApiResponse(ErrorSerializer, description="The secret header is missing or wrong."),
            404: OpenApiResponse(ErrorSerializer, description="No secret is configured: the webhook is off."),
            415: OpenApiResponse(ErrorSerializer, description="Send message/rfc822 or application/octet-stream."),
        },
    )
    def post(self, request: Request) -> Response:
        secret = str(getattr(settings, "CIPNET_INBOUND_MAIL_SECRET", "") or "")
        if not secret:
            raise Http404
        given = request.headers.get(MAIL_SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            raise exceptions.PermissionDenied(_("The mail secret is missing or wrong."))
        raw = request.data if isinstance(request.data, bytes) else b""
        if not raw.strip():
            raise exceptions.ValidationError({"message": [_("Send the raw e-mail message as the request body.")]})
        result = ingest_message(raw)
        data = {
            "status": result.status.value,
            "case": result.number if result.status in (IngestStatus.FILED, IngestStatus.DUPLICATE) else None,
            "stored": list(result.stored),
            "refused": list(result.refused),
        }
        return Response(InboundMailResultSerializer(data).data)
