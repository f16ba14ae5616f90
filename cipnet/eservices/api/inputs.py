"""Input schemas of /api/v1/services/: query parameters and the card a write sends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from cipnet.api.fields import StrictInputSerializer
from cipnet.directory.api.serializers import TerritoryCodeField
from cipnet.directory.models import Region
from cipnet.eservices import search
from cipnet.eservices.api.serializers import CardKindField, CardLevelField, CardStatusField, ChannelTypeField
from cipnet.eservices.models import (
    Authentication,
    Category,
    LifeEvent,
    Provider,
    ServiceCard,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The most cards autocomplete returns.
AUTOCOMPLETE_LIMIT = 8
#: Autocomplete waits for this many letters before it searches.
AUTOCOMPLETE_MIN_LENGTH = 2


def max_length(field: str) -> int | None:
    return getattr(ServiceCard._meta.get_field(field), "max_length", None)


# --- Input ---------------------------------------------------------------------------------------


class CardListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=search.MAX_QUERY_LENGTH,
        help_text=gettext_lazy(
            "What the person needs, in their own words (any word form, Russian, common misspellings): "
            "the best matches first, at most 100 in all pages. Without q: the most asked first."
        ),
    )
    kind = CardKindField(required=False)
    level = CardLevelField(required=False)
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        error_messages={"does_not_exist": gettext_lazy("Unknown category “{value}”.")},
        help_text=gettext_lazy("Category slug."),
    )
    life_event = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=LifeEvent.objects.all(),
        required=False,
        error_messages={"does_not_exist": gettext_lazy("Unknown life event “{value}”.")},
        help_text=gettext_lazy("Life event slug."),
    )
    provider = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Provider.objects.all(),
        required=False,
        error_messages={"does_not_exist": gettext_lazy("Unknown provider “{value}”.")},
        help_text=gettext_lazy("Provider slug."),
    )
    region = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Region.objects.all(),
        required=False,
        error_messages={"does_not_exist": gettext_lazy("Unknown region “{value}”.")},
        help_text=gettext_lazy("Region slug (see /api/v1/regions/): national cards and that region's own."),
    )


class AutocompleteQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=search.MAX_QUERY_LENGTH,
        help_text=gettext_lazy("What the consultant has typed so far; the last word may be unfinished."),
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=AUTOCOMPLETE_LIMIT, default=AUTOCOMPLETE_LIMIT
    )


_http_url = URLValidator(schemes=["http", "https"])


class ChannelUrlField(serializers.CharField):
    """An http(s) address, a tel: number, or empty."""

    default_error_messages = {
        "link": gettext_lazy("Give an http(s) address, a tel: number such as tel:+380441234567, or nothing.")
    }

    def to_internal_value(self, data: Any) -> str:
        text = str(super().to_internal_value(data))
        if not text:
            return text
        if text.startswith("tel:"):
            digits = text.removeprefix("tel:")
            if digits and digits.lstrip("+")[:1].isdigit() and all(c.isdigit() or c in " ()-+" for c in digits):
                return text
            self.fail("link")
        try:
            _http_url(text)
        except Exception:  # django's ValidationError; anything else is not a link either
            self.fail("link")
        return text


class ChannelInputSerializer(StrictInputSerializer):
    type = ChannelTypeField()
    url = ChannelUrlField(required=False, allow_blank=True, default="", max_length=500)
    label = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, default="", max_length=250
    )
    historical = serializers.BooleanField(required=False, default=False)


class LegalInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=500)
    url = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)


def _lines(help_text: StrOrPromise = "", **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, help_text=help_text, **kwargs
    )


class CardWriteSerializer(StrictInputSerializer):
    """What `POST /services/` and `PATCH /services/{identifier}/` accept. Unknown fields are refused.

    `PATCH` changes only the fields sent; a list, when sent, replaces the card's list.
    """

    identifier = serializers.SlugField(
        max_length=max_length("identifier"), help_text=gettext_lazy("Stable slug, e.g. pfu-e-services-portal.")
    )
    name = serializers.CharField(max_length=max_length("name"))
    name_en = serializers.CharField(max_length=max_length("name_en"), required=False, allow_blank=True)
    name_pl = serializers.CharField(max_length=max_length("name_pl"), required=False, allow_blank=True)
    short_description = serializers.CharField(max_length=max_length("short_description"))
    short_description_en = serializers.CharField(
        max_length=max_length("short_description_en"), required=False, allow_blank=True
    )
    short_description_pl = serializers.CharField(
        max_length=max_length("short_description_pl"), required=False, allow_blank=True
    )
    description = serializers.CharField(max_length=20000)
    description_en = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    description_pl = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    kind = CardKindField()
    level = CardLevelField(required=False, help_text=gettext_lazy("National when not given."))
    territory = TerritoryCodeField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("KATOTTG code; required for regional and local cards, null for national ones."),
    )
    provider = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Provider.objects.all(),
        error_messages={"does_not_exist": gettext_lazy("Unknown provider “{value}”.")},
        help_text=gettext_lazy("Provider slug."),
    )
    categories = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        many=True,
        required=False,
        error_messages={"does_not_exist": gettext_lazy("Unknown category “{value}”.")},
        help_text=gettext_lazy("Category slugs (the full list)."),
    )
    life_events = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=LifeEvent.objects.all(),
        many=True,
        required=False,
        error_messages={"does_not_exist": gettext_lazy("Unknown life event “{value}”.")},
        help_text=gettext_lazy("Life event slugs (the full list)."),
    )
    audience = serializers.CharField(max_length=max_length("audience"), required=False, allow_blank=True)
    keywords = _lines(gettext_lazy("Words residents use for it (searched after the name)."))
    channels = serializers.ListField(child=ChannelInputSerializer(), required=False)
    authentication = serializers.ListField(
        child=serializers.ChoiceField(choices=Authentication.choices), required=False
    )
    requirements = _lines(gettext_lazy("Documents and evidence."))
    cost = serializers.CharField(max_length=max_length("cost"), required=False, allow_blank=True)
    processing_time = serializers.CharField(max_length=max_length("processing_time"), required=False, allow_blank=True)
    output = serializers.CharField(max_length=max_length("output"), required=False, allow_blank=True)
    legal_basis = serializers.ListField(child=LegalInputSerializer(), required=False)
    languages = serializers.ListField(
        child=serializers.RegexField(
            r"^[a-z]{2,3}$",
            max_length=3,
            error_messages={"invalid": gettext_lazy("Give an ISO 639 code such as uk, en, pl.")},
        ),
        required=False,
    )
    guide_steps = _lines(gettext_lazy("The consultant's numbered steps, in order."))
    pitfalls = _lines()
    bring = _lines(gettext_lazy("What the visitor must bring."))
    status = CardStatusField(required=False)
    verified_on = serializers.DateField(required=False, allow_null=True)
    popularity = serializers.IntegerField(required=False, min_value=0, max_value=100)
    comment = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Why it changed: kept with the new version of the card."),
    )


def card_service_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """Validated input → keyword arguments of `card_create` / `card_update`, and the version comment."""
    fields = dict(data)
    comment = str(fields.pop("comment", "") or "")
    # Relations by id: `services._apply` compares ids, and a new card has no related object to read yet.
    if "provider" in fields:
        fields["provider"] = fields["provider"].pk
    if "territory" in fields:
        fields["territory"] = fields["territory"].pk if fields["territory"] is not None else None
    for name in ("channels", "legal_basis"):
        if name in fields:
            fields[name] = [dict(item) for item in fields[name]]
    return fields, comment
