"""Input and output of /api/v1/consultations/: separate classes, as in
`cipnet.directory.api.serializers`. The list's query builds the same `ConsultationFilters` as the
entries page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.api.fields import CodeLabelSerializer, NamedChoiceField, RenamedFields, StrictInputSerializer
from cipnet.consultations import selectors, services
from cipnet.consultations.models import (
    DURATION_MAX_MINUTES,
    NOTE_MAX_LENGTH,
    AgeBand,
    Channel,
    Consultation,
    Dimension,
    Gender,
    HelpKind,
    Obstacle,
    Outcome,
    SettlementType,
    SocialCategory,
    Source,
)
from cipnet.consultations.selectors import ConsultationFilters
from cipnet.core import clock
from cipnet.directory.models import Centre, Region
from cipnet.directory.selectors import centre_list_visible_to
from cipnet.eservices.models import ServiceCard

#: The most services one request may name (the log's own rule, 3, is checked by the service).
SERVICES_LIMIT = 20


# --- Choice sets, each with its own schema component ----------------------------------------------


class HelpKindField(NamedChoiceField):
    choices_enum = HelpKind


class OutcomeField(NamedChoiceField):
    choices_enum = Outcome


class ObstacleField(serializers.ChoiceField):
    # May be blank (when the outcome is not "not_possible"): a plain choice field, whose schema
    # drf-spectacular builds as `ObstacleEnum` or `BlankEnum`.

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Obstacle.choices, allow_blank=True, **kwargs)


class ConsultationChannelField(NamedChoiceField):
    choices_enum = Channel


class GenderField(NamedChoiceField):
    choices_enum = Gender


class AgeBandField(NamedChoiceField):
    choices_enum = AgeBand


class SocialCategoryField(NamedChoiceField):
    choices_enum = SocialCategory


class SettlementTypeField(NamedChoiceField):
    choices_enum = SettlementType


class SourceField(NamedChoiceField):
    choices_enum = Source


# --- Output --------------------------------------------------------------------------------------


def _detail_url(request: Any, pk: int) -> str:
    path = reverse("api:consultation-detail", args=[pk])
    return request.build_absolute_uri(path) if request is not None else path


class ConsultationCentreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=_("In the requested language."))
    region = serializers.SlugField(source="region.slug", help_text=_("The region's slug."))


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class ConsultationCardSerializer(serializers.Serializer):
    identifier = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=_("In the requested language."))


class ConsultationServiceSerializer(serializers.Serializer):
    """A service used: a catalogue card, or free text when no card fits."""

    card = ConsultationCardSerializer(allow_null=True)
    text = serializers.CharField(
        source="free_text", help_text=_("The service as typed, when it is not in the catalogue; else empty.")
    )


class ConsultationSerializer(serializers.Serializer):
    """One visitor helped once. Holds no name, phone, e-mail, tax or passport number."""

    # Context: `request` (the user decides `can_change`).

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    centre = ConsultationCentreSerializer()
    occurred_at = serializers.DateTimeField()
    day = serializers.DateField(help_text=_("The date in Kyiv."))
    consultant = PersonSerializer(allow_null=True, help_text=_("Who helped."))
    author = PersonSerializer(allow_null=True, help_text=_("Who entered it."))
    services = ConsultationServiceSerializer(many=True, source="services.all")
    help_kind = HelpKindField()
    help_kind_label = serializers.CharField(source="get_help_kind_display")
    outcome = OutcomeField()
    outcome_label = serializers.CharField(source="get_outcome_display")
    referred_to = serializers.CharField()
    obstacle = ObstacleField()
    obstacle_label = serializers.CharField(source="get_obstacle_display")
    channel = ConsultationChannelField()
    channel_label = serializers.CharField(source="get_channel_display")
    duration_minutes = serializers.IntegerField(allow_null=True)
    gender = GenderField()
    gender_label = serializers.CharField(source="get_gender_display")
    age_band = AgeBandField()
    age_band_label = serializers.CharField(source="get_age_band_display")
    categories = serializers.SerializerMethodField(help_text=_("Social categories."))
    settlement_type = SettlementTypeField()
    settlement_type_label = serializers.CharField(source="get_settlement_type_display")
    first_visit = serializers.BooleanField(allow_null=True)
    satisfaction = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    source = SourceField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    can_change = serializers.SerializerMethodField(
        help_text=_("Whether you may change or delete it (its author for 24 hours, the centre's manager always).")
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, c: Consultation) -> str:
        return _detail_url(self.context.get("request"), c.pk)

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_categories(self, c: Consultation) -> list[dict[str, str]]:
        return [
            {"code": code, "label": label}
            for code, label in zip(c.category_values, c.get_categories_display(), strict=True)
        ]

    def get_can_change(self, c: Consultation) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return isinstance(user, User) and services.can_change(user, c)


class SummaryRowSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_("The code (for services, the card's id or “text”)."))
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    share = serializers.FloatField(help_text=_("Of all consultations, 0–1."))


def _rows(help_text: Any = "") -> SummaryRowSerializer:
    return SummaryRowSerializer(many=True, help_text=help_text)


class BreakdownsSerializer(serializers.Serializer):
    service = _rows(_("Service uses; free-text services together under “text”."))
    help_kind = _rows()
    outcome = _rows()
    obstacle = _rows()
    channel = _rows()
    gender = _rows()
    age_band = _rows()
    category = _rows(_("A visitor may be in several categories; “none” when none was stated."))
    settlement = _rows()
    first_visit = _rows(_("yes, no, or unknown (not asked)."))
    satisfaction = _rows(_("5 to 1, or none (not rated)."))


class SummarySerializer(RenamedFields, serializers.Serializer):
    """The figures of a dashboard for the centres and the dates, from the daily and monthly tallies."""

    from_ = serializers.DateField(source="start")
    to = serializers.DateField(source="end")
    total = serializers.IntegerField(help_text=_("Consultations."))
    minutes_avg = serializers.FloatField(allow_null=True, help_text=_("Average duration, where it was given."))
    score_avg = serializers.FloatField(allow_null=True, help_text=_("Average satisfaction (1–5), where rated."))
    score_n = serializers.IntegerField(help_text=_("Consultations rated."))
    breakdowns = serializers.SerializerMethodField()

    @extend_schema_field(BreakdownsSerializer)
    def get_breakdowns(self, summary: selectors.Summary) -> dict[str, Any]:
        dimensions = [d for d in Dimension.values if d != Dimension.TOTAL]
        return {
            d: [
                {"value": r.value, "label": str(r.label), "count": r.count, "share": round(r.share, 4)}
                for r in summary.breakdown(d)
            ]
            for d in dimensions
        }


# --- Input ---------------------------------------------------------------------------------------


class VisibleCentreField(serializers.PrimaryKeyRelatedField):
    # A centre by id, among those the user may see (the view narrows the queryset).

    default_error_messages = {
        "does_not_exist": _("Unknown centre “{pk_value}”."),
        "incorrect_type": _("Give the centre's id (a number)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Centre.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Centre]:
        request = self.context.get("request")
        if request is None or not isinstance(request.user, User):
            return Centre.objects.none()
        return centre_list_visible_to(user=request.user)


class ConsultationQuerySerializer(RenamedFields, serializers.Serializer):
    centre = VisibleCentreField(required=False, help_text=_("Id of a centre you may see."))
    region = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Region.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("Unknown region “{value}”.")},
        help_text=_("Region slug (see /api/v1/regions/): its centres that you may see."),
    )
    from_ = serializers.DateField(required=False, help_text=_("First day (in Kyiv), included."))
    to = serializers.DateField(required=False, help_text=_("Last day (in Kyiv), included."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"to": [_("The last day is before the first day.")]})
        return attrs


class ConsultationListQuerySerializer(ConsultationQuerySerializer):
    outcome = OutcomeField(required=False)
    help_kind = HelpKindField(required=False)
    card = serializers.SlugRelatedField(
        slug_field="identifier",
        queryset=ServiceCard.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("Unknown service card “{value}”.")},
        help_text=_("Identifier of a service card: the entries where it was used."),
    )


class SummaryQuerySerializer(ConsultationQuerySerializer):
    """`from` defaults to the first day of this month, `to` to today (in Kyiv)."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if attrs.get("centre") is not None and attrs.get("region") is not None:
            raise serializers.ValidationError({"region": [_("Give a centre or a region, not both.")]})
        return attrs


class ServiceRefInputSerializer(StrictInputSerializer):
    """A service used: `{"card": identifier}`, or `{"text": "..."}` when no card fits."""

    card = serializers.SlugRelatedField(
        slug_field="identifier",
        queryset=ServiceCard.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("Unknown service card “{value}”.")},
        help_text=_("Identifier of the service card."),
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.FREE_TEXT_MAX,
        help_text=_("The service's name, only when it is not in the catalogue."),
    )

    default_error_messages = {"card_or_text": _("Give either a card or a text.")}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_card = attrs.get("card") is not None
        has_text = bool(str(attrs.get("text", "")).strip())
        if has_card == has_text:
            raise serializers.ValidationError({"non_field_errors": [self.error_messages["card_or_text"]]})
        return attrs


class ConsultationUpdateSerializer(StrictInputSerializer):
    """What `PATCH /consultations/{id}/` accepts: only the fields sent are changed; `services` and
    `categories`, when sent, replace the entry's lists. Unknown fields are refused."""

    occurred_at = serializers.DateTimeField(help_text=_("When the visitor was helped; not in the future."))
    services = serializers.ListField(
        child=ServiceRefInputSerializer(),
        max_length=SERVICES_LIMIT,
        required=False,
        help_text=_("At most 3, of which at most one free text. Required for an assisted e-service."),
    )
    help_kind = HelpKindField()
    outcome = OutcomeField()
    referred_to = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("Required when the outcome is “referred”.")
    )
    obstacle = ObstacleField(required=False, help_text=_("Required when the outcome is “not_possible”."))
    channel = ConsultationChannelField(required=False)
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=DURATION_MAX_MINUTES
    )
    gender = GenderField(required=False)
    age_band = AgeBandField(required=False)
    categories = serializers.ListField(
        child=SocialCategoryField(), required=False, help_text=_("Social categories; empty when none was stated.")
    )
    settlement_type = SettlementTypeField(required=False)
    first_visit = serializers.BooleanField(required=False, allow_null=True)
    satisfaction = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("No names, phone numbers, e-mails, tax or passport numbers."),
    )


class ConsultationPatchSerializer(ConsultationUpdateSerializer):
    """`PATCH /consultations/{id}/`: the fields to change, and why when the entry's month is submitted."""

    correction_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text=_(
            "Required when the entry's month is submitted for approval: the change is then a correction, "
            "made by the centre's manager and shown in the reports."
        ),
    )


class CorrectionQuerySerializer(serializers.Serializer):
    """`DELETE /consultations/{id}/?correction_reason=…`."""

    correction_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text=_("Required when the entry's month is submitted for approval (the deletion is a correction)."),
    )


class ConsultationCreateSerializer(ConsultationUpdateSerializer):
    """What `POST /consultations/` accepts. Unknown fields are refused."""

    centre = VisibleCentreField(help_text=_("Id of a centre you work in."))
    occurred_at = serializers.DateTimeField(
        required=False, help_text=_("When the visitor was helped; now when not given.")
    )

    default_error_messages = {"not_your_centre": _("Choose a centre you work in.")}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        if attrs["centre"].pk not in scope_for(request.user).centre_ids:
            raise serializers.ValidationError({"centre": [self.error_messages["not_your_centre"]]})
        return attrs


_INPUT_FIELDS = (
    "occurred_at", "help_kind", "outcome", "obstacle", "referred_to", "channel", "duration_minutes", "gender",
    "age_band", "categories", "settlement_type", "first_visit", "satisfaction", "note",
)  # fmt: skip


def _refs(items: list[Mapping[str, Any]]) -> list[services.ServiceRef]:
    return [services.ServiceRef(card=item.get("card"), text=str(item.get("text", ""))) for item in items]


def input_for_create(data: Mapping[str, Any]) -> services.ConsultationInput:
    values = {name: data[name] for name in _INPUT_FIELDS if name in data}
    values.setdefault("occurred_at", clock.now())
    return services.ConsultationInput(services=_refs(data.get("services", [])), **values)


def input_for_update(c: Consultation, data: Mapping[str, Any]) -> services.ConsultationInput:
    """The entry as it is, with the fields sent changed."""
    current = services.ConsultationInput(
        occurred_at=c.occurred_at,
        help_kind=c.help_kind,
        outcome=c.outcome,
        services=[services.ServiceRef(card=s.card, text=s.free_text) for s in c.services.all()],
        obstacle=c.obstacle,
        referred_to=c.referred_to,
        channel=c.channel,
        duration_minutes=c.duration_minutes,
        gender=c.gender,
        age_band=c.age_band,
        categories=c.category_values,
        settlement_type=c.settlement_type,
        first_visit=c.first_visit,
        satisfaction=c.satisfaction,
        note=c.note,
    )
    for name in _INPUT_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    if "services" in data:
        current.services = _refs(data["services"])
    return current


def list_filters(params: Mapping[str, Any]) -> ConsultationFilters:
    """The filters of the list and the exports, from a validated `ConsultationListQuerySerializer`."""
    centre, region = params.get("centre"), params.get("region")
    return ConsultationFilters(
        centre_id=centre.pk if centre is not None else None,
        region_slug=region.slug if region is not None else "",
        start=params.get("from"),
        end=params.get("to"),
        outcome=params.get("outcome") or "",
        help_kind=params.get("help_kind") or "",
        card=params.get("card"),
    )
