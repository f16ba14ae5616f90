"""Output schemas of /api/v1/services/ (input schemas: `inputs.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cipnet.api.fields import NamedChoiceField
from cipnet.directory.api.serializers import TerritoryRefSerializer
from cipnet.directory.models import Centre
from cipnet.eservices import search, selectors
from cipnet.eservices.models import (
    Authentication,
    CardKind,
    CardLevel,
    CardStatus,
    ChannelType,
    ProviderKind,
    ServiceCard,
)

#: The most centres a card lists as helping in person.
CENTRES_LIMIT = 100

TEXT_FIELDS = (
    "name", "name_en", "name_pl", "short_description", "short_description_en", "short_description_pl",
    "description", "description_en", "description_pl",
)  # fmt: skip


def absolute_url(request: Any, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def card_url(request: Any, identifier: str) -> str:
    try:
        path = reverse("eservices:card", args=[identifier])
    except NoReverseMatch:
        path = f"/services/{identifier}/"
    return absolute_url(request, path)


def centre_url(request: Any, slug: str) -> str:
    try:
        path = reverse("public:centre", args=[slug])
    except NoReverseMatch:
        path = f"/centres/{slug}/"
    return absolute_url(request, path)


class CardKindField(NamedChoiceField):
    choices_enum = CardKind


class CardLevelField(NamedChoiceField):
    choices_enum = CardLevel


class CardStatusField(NamedChoiceField):
    choices_enum = CardStatus


class ProviderKindField(NamedChoiceField):
    choices_enum = ProviderKind


class ChannelTypeField(NamedChoiceField):
    choices_enum = ChannelType


# --- Output --------------------------------------------------------------------------------------


class CardProviderSerializer(serializers.Serializer):
    """The competent authority or company that provides the service."""

    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=gettext_lazy("In the requested language."))
    kind = ProviderKindField()
    kind_label = serializers.CharField(source="get_kind_display")
    website = serializers.CharField()


class CardTermSerializer(serializers.Serializer):
    """A category or a life event."""

    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=gettext_lazy("In the requested language."))


class CardTextsSerializer(serializers.Serializer):
    """The stored texts in every language, named as `POST` and `PATCH` take them (empty: not translated)."""

    name = serializers.CharField()
    name_en = serializers.CharField()
    name_pl = serializers.CharField()
    short_description = serializers.CharField()
    short_description_en = serializers.CharField()
    short_description_pl = serializers.CharField()
    description = serializers.CharField()
    description_en = serializers.CharField()
    description_pl = serializers.CharField()


class CardChannelSerializer(serializers.Serializer):
    type = ChannelTypeField()
    type_label = serializers.CharField()
    url = serializers.CharField(help_text=gettext_lazy("A web address, a tel: number, or empty (in person)."))
    label = serializers.CharField()  # type: ignore[assignment]
    historical = serializers.BooleanField(
        help_text=gettext_lazy("An old address kept for the record (e.g. the 2013 one); not a way to use it today.")
    )


class CardLegalSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


class CardCodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class CardGuideSerializer(serializers.Serializer):
    """The consultant's guide."""

    steps = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("Numbered steps, in order."))
    pitfalls = serializers.ListField(child=serializers.CharField())
    bring = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("What the visitor must bring."))


class CardCentreSerializer(serializers.Serializer):
    """A public centre whose staff help with this service in person."""

    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=gettext_lazy("In the requested language."))
    url = serializers.SerializerMethodField(help_text=gettext_lazy("The centre's public page."))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, centre: Centre) -> str:
        return centre_url(self.context.get("request"), centre.slug)


class CardListItemSerializer(serializers.Serializer):
    """A service card; with `q`, also its `score` and the `matched` words."""

    # Context: `request`; with a search, `hits` {card pk: search.Hit}.

    identifier = serializers.SlugField()
    name = serializers.CharField(source="display_name", help_text=gettext_lazy("In the requested language."))
    short_description = serializers.CharField(
        source="display_short_description", help_text=gettext_lazy("In the requested language.")
    )
    kind = CardKindField()
    kind_label = serializers.CharField(source="get_kind_display")
    level = CardLevelField()
    level_label = serializers.CharField(source="get_level_display")
    territory = TerritoryRefSerializer(allow_null=True, help_text=gettext_lazy("Only for regional and local cards."))
    provider = CardProviderSerializer()
    categories = CardTermSerializer(many=True, source="categories.all")
    life_events = CardTermSerializer(many=True, source="life_events.all")
    status = CardStatusField()
    status_label = serializers.CharField(source="get_status_display")
    verified_on = serializers.DateField(allow_null=True)
    url = serializers.SerializerMethodField(help_text=gettext_lazy("The card's public page."))
    score = serializers.SerializerMethodField(help_text=gettext_lazy("Only with q: relevance, higher is better."))
    matched = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Only with q: the fields the query matched (name, keywords, description, guide), "
            "each with the query's words (as lemmas) found in it."
        )
    )

    def _hit(self, card: ServiceCard) -> search.Hit | None:
        hits: Mapping[int, search.Hit] = self.context.get("hits") or {}
        return hits.get(card.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, card: ServiceCard) -> str:
        return card_url(self.context.get("request"), card.identifier)

    def get_score(self, card: ServiceCard) -> float | None:
        hit = self._hit(card)
        return None if hit is None else hit.score

    @extend_schema_field(
        serializers.DictField(child=serializers.ListField(child=serializers.CharField()), allow_null=True)
    )
    def get_matched(self, card: ServiceCard) -> dict[str, list[str]] | None:
        hit = self._hit(card)
        if hit is None:
            return None
        return {name: sorted(hit.matched[name]) for name in search.FIELDS if hit.matched.get(name)}


class CardDetailSerializer(serializers.Serializer):
    """A service card with every field: what it is, who provides it, how to use it, and where to get help."""

    identifier = serializers.SlugField()
    url = serializers.SerializerMethodField(help_text=gettext_lazy("The card's public page."))
    name = serializers.CharField(source="display_name", help_text=gettext_lazy("In the requested language."))
    short_description = serializers.CharField(
        source="display_short_description", help_text=gettext_lazy("In the requested language.")
    )
    description = serializers.CharField(
        source="display_description", help_text=gettext_lazy("In the requested language.")
    )
    texts = serializers.SerializerMethodField()
    kind = CardKindField()
    kind_label = serializers.CharField(source="get_kind_display")
    level = CardLevelField()
    level_label = serializers.CharField(source="get_level_display")
    territory = TerritoryRefSerializer(allow_null=True, help_text=gettext_lazy("Only for regional and local cards."))
    provider = CardProviderSerializer()
    categories = CardTermSerializer(many=True, source="categories.all")
    life_events = CardTermSerializer(many=True, source="life_events.all")
    audience = serializers.CharField(help_text=gettext_lazy("Who it is for."))
    keywords = serializers.ListField(child=serializers.CharField())
    channels = serializers.SerializerMethodField()
    authentication = serializers.SerializerMethodField(help_text=gettext_lazy("Sign-in the service needs."))
    requirements = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("Documents and evidence.")
    )
    cost = serializers.CharField()
    processing_time = serializers.CharField()
    output = serializers.CharField(help_text=gettext_lazy("What you get."))
    legal_basis = serializers.SerializerMethodField()
    languages = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("ISO 639 codes."))
    guide = serializers.SerializerMethodField()
    status = CardStatusField()
    status_label = serializers.CharField(source="get_status_display")
    verified_on = serializers.DateField(allow_null=True)
    needs_verification = serializers.SerializerMethodField(
        help_text=gettext_lazy("Not verified in the last 12 months.")
    )
    popularity = serializers.IntegerField(help_text=gettext_lazy("Relative demand, 0–100."))
    centres = serializers.SerializerMethodField(help_text=gettext_lazy("Public centres that help with it in person."))
    updated_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, card: ServiceCard) -> str:
        return card_url(self.context.get("request"), card.identifier)

    @extend_schema_field(CardTextsSerializer)
    def get_texts(self, card: ServiceCard) -> dict[str, str]:
        return {name: getattr(card, name) for name in TEXT_FIELDS}

    @extend_schema_field(CardChannelSerializer(many=True))
    def get_channels(self, card: ServiceCard) -> list[dict[str, Any]]:
        labels = dict(ChannelType.choices)
        return [
            {
                "type": str(channel.get("type", "")),
                "type_label": str(labels.get(channel.get("type", ""), "")),
                "url": str(channel.get("url") or ""),
                "label": str(channel.get("label") or ""),
                "historical": bool(channel.get("historical", False)),
            }
            for channel in card.channels
            if isinstance(channel, dict)
        ]

    @extend_schema_field(CardCodeLabelSerializer(many=True))
    def get_authentication(self, card: ServiceCard) -> list[dict[str, str]]:
        labels = dict(Authentication.choices)
        return [{"code": code, "label": str(labels.get(code, code))} for code in card.authentication]

    @extend_schema_field(CardLegalSerializer(many=True))
    def get_legal_basis(self, card: ServiceCard) -> list[dict[str, str]]:
        return [
            {"title": str(item.get("title", "")), "url": str(item.get("url") or "")}
            for item in card.legal_basis
            if isinstance(item, dict)
        ]

    @extend_schema_field(CardGuideSerializer)
    def get_guide(self, card: ServiceCard) -> dict[str, list[str]]:
        return {"steps": list(card.guide_steps), "pitfalls": list(card.pitfalls), "bring": list(card.bring)}

    def get_needs_verification(self, card: ServiceCard) -> bool:
        return card.needs_verification_on(self.context["today"])

    @extend_schema_field(CardCentreSerializer(many=True))
    def get_centres(self, card: ServiceCard) -> list[dict[str, Any]]:
        centres = selectors.centres_helping_with(card=card, limit=CENTRES_LIMIT)
        return list(CardCentreSerializer(centres, many=True, context=self.context).data)


class AutocompleteItemSerializer(serializers.Serializer):
    identifier = serializers.SlugField()
    name = serializers.CharField(help_text=gettext_lazy("In the requested language."))
    provider = serializers.CharField(help_text=gettext_lazy("The provider's name, in the requested language."))
    url = serializers.URLField(help_text=gettext_lazy("The card's public page."))


class AutocompleteSerializer(serializers.Serializer):
    results = AutocompleteItemSerializer(many=True)
