"""Input and output schemas of /api/v1/. Input and output are separate classes on purpose:
what a client may send is not what it reads back.

Serializers parse and render only; every rule about what is allowed lives in the
models and services (a `ValidationError` from a service becomes a 400 naming the field).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cipnet.api.fields import CodeLabelSerializer, StrictInputSerializer
from cipnet.directory import hours as opening_hours
from cipnet.directory.models import (
    AccessibilityFeature,
    Centre,
    CentreStatus,
    CoordinationOffice,
    HostInstitution,
    HostKind,
    Language,
    Region,
    Territory,
    TerritoryLevel,
)
from cipnet.directory.selectors import schedule_for


def _max_length(field: str) -> int | None:
    return getattr(Centre._meta.get_field(field), "max_length", None)


# --- Errors -------------------------------------------------------------------


# --- Query parameters -----------------------------------------------------------


class LatLonField(serializers.CharField):
    # "50.45,30.52" → (50.45, 30.52).

    default_error_messages = {
        "format": _("Give the point as latitude,longitude in degrees, e.g. 50.4501,30.5234."),
        "range": _("Latitude must be between -90 and 90 and longitude between -180 and 180."),
    }

    def to_internal_value(self, data: Any) -> tuple[float, float]:  # type: ignore[override]
        text = super().to_internal_value(data)
        parts = text.split(",")
        if len(parts) != 2:
            self.fail("format")
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            self.fail("format")
        if not (math.isfinite(lat) and math.isfinite(lon)):
            self.fail("format")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.fail("range")
        return lat, lon


class TerritoryCodeField(serializers.SlugRelatedField):
    # A territory given by its KATOTTG code.

    default_error_messages = {
        "does_not_exist": _("Unknown territory code “{value}”."),
        "invalid": _("Give a KATOTTG code, e.g. UA46060250010015970."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "queryset", Territory.objects.select_related("parent", "hromada", "raion", "oblast").order_by("code")
        )
        super().__init__(slug_field="code", **kwargs)


class CentreListQuerySerializer(serializers.Serializer):
    region = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Region.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("Unknown region “{value}”.")},
        help_text=_("Region slug (see /api/v1/regions/)."),
    )
    settlement = TerritoryCodeField(
        required=False,
        help_text=_(
            "KATOTTG code of a settlement: centres of its oblast, the settlement's own first, "
            "then its hromada's, its raion's and the rest of the oblast."
        ),
    )
    open_now = serializers.BooleanField(required=False, default=False, help_text=_("Only centres open right now."))
    feature = serializers.ListField(
        child=serializers.ChoiceField(choices=AccessibilityFeature.choices),
        required=False,
        default=list,
        help_text=_("Accessibility feature the centre must have; repeat for several."),
    )
    near = LatLonField(
        required=False,
        help_text=_(
            "latitude,longitude: the nearest centres first, with distance_km (at most 100 centres in all pages)."
        ),
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=_("Words in the name or the address.")
    )


class TerritoryListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("Settlement name as people type it (any spelling, Latin or Cyrillic); best matches first."),
    )
    level = serializers.ChoiceField(choices=TerritoryLevel.choices, required=False, help_text=_("Territory level."))
    parent = TerritoryCodeField(required=False, help_text=_("KATOTTG code of the parent territory."))  # type: ignore[assignment]
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=50,
        default=10,
        help_text=_("With q: how many matches to return (at most 50)."),
    )

    def validate_q(self, value: str) -> str:
        if value.strip() and sum(char.isalpha() for char in value) < 2:
            raise serializers.ValidationError(_("Type at least two letters of the settlement's name."))
        return value


# --- Output: small parts ---------------------------------------------------------------


class PhoneSerializer(serializers.Serializer):
    display = serializers.CharField(help_text=_("The number as written by the centre."))
    tel = serializers.CharField(help_text=_("tel: URI to dial."))


class HostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=HostKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")


class RegionRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name")


class SettlementSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    label = serializers.CharField()  # type: ignore[assignment]
    full_label = serializers.CharField()


class TerritoryRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.ChoiceField(choices=TerritoryLevel.choices)
    name = serializers.CharField(source="display_name")
    label = serializers.CharField()  # type: ignore[assignment]


class OfficeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    address = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    website = serializers.CharField()
    settlement = SettlementSerializer()


class WeeklyHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text=_("0 = Monday … 6 = Sunday."))
    weekday_label = serializers.CharField(source="get_weekday_display")
    opens = serializers.TimeField(format="%H:%M")
    closes = serializers.TimeField(format="%H:%M")


class OpeningExceptionSerializer(serializers.Serializer):
    date = serializers.DateField()
    is_closed = serializers.BooleanField()
    opens = serializers.TimeField(format="%H:%M", allow_null=True)
    closes = serializers.TimeField(format="%H:%M", allow_null=True)
    reason = serializers.CharField()


TEXT_FIELDS = ("name", "name_en", "name_pl", "description", "description_en", "description_pl")


class CentreTextsSerializer(serializers.Serializer):
    """The stored texts in every language, named as `POST` and `PATCH` take them."""

    name = serializers.CharField()
    name_en = serializers.CharField()
    name_pl = serializers.CharField()
    description = serializers.CharField()
    description_en = serializers.CharField()
    description_pl = serializers.CharField()


# --- Output: centres ------------------------------------------------------------------


class CentreListItemSerializer(serializers.Serializer):
    """A public information centre."""

    # Context: `request`, `moment` (for the opening-hours status), optionally `distances` {pk: km}.

    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=_("In the requested language."))
    host = HostSerializer()
    region = RegionRefSerializer()
    settlement = SettlementSerializer()
    address = serializers.CharField()
    postcode = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    phones = serializers.SerializerMethodField()
    email = serializers.CharField()
    website = serializers.CharField()
    status = serializers.ChoiceField(choices=CentreStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    open_now = serializers.SerializerMethodField()
    hours_status = serializers.SerializerMethodField(
        help_text=_("One sentence, e.g. “Open now. Closes at 18:00.”, in the requested language.")
    )
    distance_km = serializers.SerializerMethodField(help_text=_("Only with `near`: great-circle distance in km."))
    url = serializers.SerializerMethodField(help_text=_("The centre's public page."))

    def _status(self, centre: Centre) -> opening_hours.Status:
        # The root serializer's context dict, shared by the items of a list.
        cache: dict[int, opening_hours.Status] = cast(dict[str, Any], self.context).setdefault("_hours_status", {})
        if centre.pk not in cache:
            cache[centre.pk] = opening_hours.status_at(schedule_for(centre), self.context["moment"])
        return cache[centre.pk]

    @extend_schema_field(PhoneSerializer(many=True))
    def get_phones(self, centre: Centre) -> list[dict[str, str]]:
        return [{"display": shown, "tel": tel} for shown, tel in centre.phone_numbers]

    def get_open_now(self, centre: Centre) -> bool:
        return self._status(centre).is_open

    def get_hours_status(self, centre: Centre) -> str:
        return opening_hours.describe(self._status(centre))

    def get_distance_km(self, centre: Centre) -> float | None:
        distances: Mapping[int, float] = self.context.get("distances") or {}
        distance = distances.get(centre.pk)
        return None if distance is None else round(distance, 2)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, centre: Centre) -> str:
        try:
            path = reverse("public:centre", args=[centre.slug])
        except NoReverseMatch:
            path = f"/centres/{centre.slug}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class CentreDetailSerializer(CentreListItemSerializer):
    """A public information centre with its description, hours and accessibility."""

    description = serializers.CharField(source="display_description", help_text=_("In the requested language."))
    texts = serializers.SerializerMethodField()
    blog_url = serializers.CharField()
    opened_on = serializers.DateField(allow_null=True)
    public_computers = serializers.IntegerField()
    languages = serializers.SerializerMethodField()
    features = serializers.SerializerMethodField()
    hours = WeeklyHoursSerializer(many=True, source="hours.all")
    exceptions = OpeningExceptionSerializer(
        many=True, source="exceptions.all", help_text=_("Changes to the opening hours in the next two weeks.")
    )
    office = OfficeSerializer(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(CentreTextsSerializer)
    def get_texts(self, centre: Centre) -> dict[str, str]:
        return {name: getattr(centre, name) for name in TEXT_FIELDS}

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_languages(self, centre: Centre) -> list[dict[str, str]]:
        labels = dict(Language.choices)
        return [{"code": code, "label": str(labels.get(code, code))} for code in centre.languages]

    @extend_schema_field(CodeLabelSerializer(many=True))
    def get_features(self, centre: Centre) -> list[dict[str, str]]:
        rows = sorted(centre.features.all(), key=lambda row: row.feature)
        return [{"code": row.feature, "label": row.get_feature_display()} for row in rows]


# --- Input: centres ----------------------------------------------------------------------


class CentreWriteSerializer(StrictInputSerializer):
    """What `POST /centres/` and `PATCH /centres/{slug}/` accept. Unknown fields are refused."""

    name = serializers.CharField(max_length=_max_length("name"))
    name_en = serializers.CharField(max_length=_max_length("name_en"), required=False, allow_blank=True)
    name_pl = serializers.CharField(max_length=_max_length("name_pl"), required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    description_pl = serializers.CharField(required=False, allow_blank=True)
    host = serializers.PrimaryKeyRelatedField(
        queryset=HostInstitution.objects.all(), help_text=_("Id of the host institution.")
    )
    office = serializers.PrimaryKeyRelatedField(
        queryset=CoordinationOffice.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Id of the coordination office."),
    )
    settlement = TerritoryCodeField(help_text=_("KATOTTG code of the city, town or village; sets the region."))
    address = serializers.CharField(max_length=_max_length("address"))
    postcode = serializers.CharField(max_length=_max_length("postcode"), required=False, allow_blank=True)
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    phone = serializers.CharField(
        max_length=_max_length("phone"),
        required=False,
        allow_blank=True,
        help_text=_("One or more numbers separated by commas."),
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    blog_url = serializers.URLField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=CentreStatus.choices, required=False)
    opened_on = serializers.DateField(required=False, allow_null=True)
    public_computers = serializers.IntegerField(required=False, min_value=0)
    languages = serializers.ListField(child=serializers.ChoiceField(choices=Language.choices), required=False)
    features = serializers.ListField(
        child=serializers.ChoiceField(choices=AccessibilityFeature.choices),
        required=False,
        help_text=_("The full list of accessibility features (replaces the current one)."),
    )


# --- Output: regions and territories ---------------------------------------------------


class RegionSerializer(serializers.Serializer):
    """A region (oblast, or Kyiv) of the network."""

    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=_("In the requested language."))
    territory = serializers.CharField(source="territory.code", help_text=_("KATOTTG code of the oblast."))
    centre_count = serializers.IntegerField(help_text=_("Public centres (active or temporarily suspended)."))


class RegionDetailSerializer(RegionSerializer):
    """A region with its coordination offices."""

    offices = OfficeSerializer(many=True, source="offices.all")


class TerritorySerializer(serializers.Serializer):
    """A territory (KATOTTG unit)."""

    code = serializers.CharField()
    level = serializers.ChoiceField(choices=TerritoryLevel.choices)
    level_label = serializers.CharField(source="get_level_display")
    name = serializers.CharField(source="display_name", help_text=_("Latin transliteration outside Ukrainian."))
    label = serializers.CharField()  # type: ignore[assignment]
    full_label = serializers.CharField()
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, help_text=_("Code of the parent territory.")
    )


class TerritoryMatchSerializer(TerritorySerializer):
    """A territory (KATOTTG unit); `score` and `exact` are given only when searching with q."""

    score = serializers.SerializerMethodField()
    exact = serializers.SerializerMethodField()

    def get_score(self, territory: Territory) -> float | None:
        scores: Mapping[int, tuple[float, bool]] = self.context.get("matches") or {}
        match = scores.get(territory.pk)
        return None if match is None else match[0]

    def get_exact(self, territory: Territory) -> bool | None:
        scores: Mapping[int, tuple[float, bool]] = self.context.get("matches") or {}
        match = scores.get(territory.pk)
        return None if match is None else match[1]


class TerritoryDetailSerializer(TerritorySerializer):
    """A territory (KATOTTG unit) with the larger units it belongs to."""

    parents = serializers.SerializerMethodField(help_text=_("Oblast, raion and hromada, the largest first."))

    @extend_schema_field(TerritoryRefSerializer(many=True))
    def get_parents(self, territory: Territory) -> list[dict[str, Any]]:
        chain = [t for t in (territory.oblast, territory.raion, territory.hromada) if t and t.pk != territory.pk]
        return [dict(TerritoryRefSerializer(t).data) for t in chain]
