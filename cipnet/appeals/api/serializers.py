"""The reception API's serializers: its choice sets (each its own schema component), what a case
looks like, and what the case endpoints accept."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cipnet.accounts.models import User
from cipnet.api.fields import RenamedFields, StrictInputSerializer
from cipnet.appeals import deadlines, selectors, services
from cipnet.appeals.deadlines import Term
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
from cipnet.appeals.workflow import API_STEP_NAMES, available_steps
from cipnet.core.clock import now
from cipnet.directory.models import Centre


class CaseChoiceField(serializers.ChoiceField):
    # A choice set with its own schema component: "kind", "status" and "outcome" already name other
    # choice sets in the API.

    options: ClassVar[Any]  # a TextChoices class, or a list of (value, label)
    component: ClassVar[str]

    def __init__(self, **kwargs: Any) -> None:
        options = self.options
        super().__init__(choices=options.choices if hasattr(options, "choices") else options, **kwargs)


class CaseChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "cipnet.appeals.api.serializers.CaseChoiceField"
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


class CaseKindField(CaseChoiceField):
    options = Kind
    component = "CaseKindEnum"


class CaseStatusField(CaseChoiceField):
    options = Status
    component = "CaseStatusEnum"


class CaseOutcomeField(CaseChoiceField):
    options = Outcome
    component = "CaseOutcomeEnum"


class AppealTypeField(CaseChoiceField):
    options = AppealType
    component = "AppealTypeEnum"


class AnswerFormField(CaseChoiceField):
    options = AnswerForm
    component = "AnswerFormEnum"


class AnswerChannelField(CaseChoiceField):
    options = ANSWER_CHANNELS
    component = "AnswerChannelEnum"


class CaseEventKindField(CaseChoiceField):
    options = EventKind
    component = "CaseEventKindEnum"


class CaseTermField(CaseChoiceField):
    options = [(term.value, TERM_EXPLANATIONS[term]) for term in Term]
    component = "CaseTermEnum"


def _case_url(request: Any, pk: int) -> str:
    path = reverse("api:reception-case-detail", args=[pk])
    return request.build_absolute_uri(path) if request is not None else path


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
