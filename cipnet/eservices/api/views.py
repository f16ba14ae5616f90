"""/api/v1/services/: the e-service catalogue. Public reads, search, autocomplete and exports;
writes for the people who curate the catalogue (regional coordinators and network administrators).

Every write goes through `eservices.services.card_create` / `card_update`, so each change is
versioned and re-indexed exactly as an edit in the staff form is. Input and output schemas are
separate classes, as in `cipnet.directory.api.serializers`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.validators import URLValidator
from django.db.models import Count, Max, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cipnet.accounts.models import User
from cipnet.api.base import LANG, ApiView, error_responses, request_actor
from cipnet.api.fields import AnyAccept, NamedChoiceField, StrictInputSerializer
from cipnet.api.pagination import PagePagination
from cipnet.directory.api.serializers import TerritoryCodeField, TerritoryRefSerializer
from cipnet.directory.models import Centre, Region
from cipnet.eservices import search, selectors, services
from cipnet.eservices.cpsv import export_jsonld, export_turtle
from cipnet.eservices.interchange import export_catalogue_csv, export_catalogue_json_text
from cipnet.eservices.models import (
    VERIFY_EVERY_DAYS,
    Authentication,
    CardKind,
    CardLevel,
    CardStatus,
    CardVersion,
    Category,
    ChannelType,
    LifeEvent,
    Provider,
    ProviderKind,
    ServiceCard,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The most results a search (`q`) returns, over all pages.
SEARCH_LIMIT = 100
#: The most cards autocomplete returns.
AUTOCOMPLETE_LIMIT = 8
#: Autocomplete waits for this many letters before it searches.
AUTOCOMPLETE_MIN_LENGTH = 2
#: The most centres a card lists as helping in person.
CENTRES_LIMIT = 100
#: How long clients and shared caches may keep an export before they revalidate (seconds).
EXPORT_MAX_AGE = 300
#: How long the server keeps a generated export under its ETag (seconds).
EXPORT_CACHE_SECONDS = 3600

TEXT_FIELDS = (
    "name", "name_en", "name_pl", "short_description", "short_description_en", "short_description_pl",
    "description", "description_en", "description_pl",
)  # fmt: skip


def _max_length(field: str) -> int | None:
    return getattr(ServiceCard._meta.get_field(field), "max_length", None)


def _absolute(request: Any, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _card_url(request: Any, identifier: str) -> str:
    try:
        path = reverse("eservices:card", args=[identifier])
    except NoReverseMatch:
        path = f"/services/{identifier}/"
    return _absolute(request, path)


def _centre_url(request: Any, slug: str) -> str:
    try:
        path = reverse("public:centre", args=[slug])
    except NoReverseMatch:
        path = f"/centres/{slug}/"
    return _absolute(request, path)


def _is_editor(user: User | AnonymousUser | None) -> bool:
    # `can_edit_catalogue(None)` means "the system" and says yes: never ask it about nobody.
    return isinstance(user, User) and user.is_authenticated and services.can_edit_catalogue(user)


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


# --- Reads ---------------------------------------------------------------------------------------


def card_list_public(
    *,
    kind: str = "",
    level: str = "",
    category: Category | None = None,
    life_event: LifeEvent | None = None,
    provider: Provider | None = None,
    region: Region | None = None,
) -> QuerySet[ServiceCard]:
    """Public cards (not withdrawn) matching the filters, most asked first, with what a list item shows."""
    qs = selectors.card_list_public()
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if category is not None:
        qs = qs.filter(categories=category)
    if life_event is not None:
        qs = qs.filter(life_events=life_event)
    if provider is not None:
        qs = qs.filter(provider=provider)
    if region is not None:
        qs = qs.filter(selectors.in_region_q(region))
    # No DISTINCT: each relation filter matches one (card, term) row at most, so no card repeats; and
    # DISTINCT over every column of a card (long texts, JSON) made PostgreSQL sort the whole catalogue.
    return qs.order_by("-popularity", "name", "identifier")


def card_detail(*, identifier: str, user: User | AnonymousUser) -> ServiceCard:
    """A public card; editors of the catalogue also get withdrawn ones. Otherwise 404."""
    qs = ServiceCard.objects.select_related("provider", "territory").prefetch_related("categories", "life_events")
    if not _is_editor(user):
        qs = qs.public()
    card = qs.filter(identifier=identifier).first()
    if card is None:
        raise Http404
    return card


def card_for_edit(*, identifier: str) -> ServiceCard:
    card = ServiceCard.objects.filter(identifier=identifier).first()
    if card is None:
        raise Http404
    return card


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
        return _centre_url(self.context.get("request"), centre.slug)


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
        return _card_url(self.context.get("request"), card.identifier)

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
        return _card_url(self.context.get("request"), card.identifier)

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
        today = self.context["today"]
        return card.verified_on is None or (today - card.verified_on).days > VERIFY_EVERY_DAYS

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
        max_length=_max_length("identifier"), help_text=gettext_lazy("Stable slug, e.g. pfu-e-services-portal.")
    )
    name = serializers.CharField(max_length=_max_length("name"))
    name_en = serializers.CharField(max_length=_max_length("name_en"), required=False, allow_blank=True)
    name_pl = serializers.CharField(max_length=_max_length("name_pl"), required=False, allow_blank=True)
    short_description = serializers.CharField(max_length=_max_length("short_description"))
    short_description_en = serializers.CharField(
        max_length=_max_length("short_description_en"), required=False, allow_blank=True
    )
    short_description_pl = serializers.CharField(
        max_length=_max_length("short_description_pl"), required=False, allow_blank=True
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
    audience = serializers.CharField(max_length=_max_length("audience"), required=False, allow_blank=True)
    keywords = _lines(gettext_lazy("Words residents use for it (searched after the name)."))
    channels = serializers.ListField(child=ChannelInputSerializer(), required=False)
    authentication = serializers.ListField(
        child=serializers.ChoiceField(choices=Authentication.choices), required=False
    )
    requirements = _lines(gettext_lazy("Documents and evidence."))
    cost = serializers.CharField(max_length=_max_length("cost"), required=False, allow_blank=True)
    processing_time = serializers.CharField(max_length=_max_length("processing_time"), required=False, allow_blank=True)
    output = serializers.CharField(max_length=_max_length("output"), required=False, allow_blank=True)
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


def _service_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
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


# --- Views ---------------------------------------------------------------------------------------


class CanEditCatalogue(BasePermission):
    """Writes need a role that curates the catalogue: regional coordinator or network administrator."""

    message = gettext_lazy("Only regional coordinators and network administrators can change the catalogue.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return _is_editor(request.user)


class ServiceApiView(ApiView):
    permission_classes = [IsAuthenticatedOrReadOnly, CanEditCatalogue]

    def card_response(self, card: ServiceCard, code: int = status.HTTP_200_OK) -> Response:
        fresh = card_detail(identifier=card.identifier, user=self.request.user)
        data = CardDetailSerializer(fresh, context=self.context(today=_today())).data
        headers = {"Location": data["url"]} if code == status.HTTP_201_CREATED else None
        return Response(data, status=code, headers=headers)


def _today() -> dt.date:
    return timezone.localdate()


class CardListView(ServiceApiView):
    pagination_class = PagePagination

    @extend_schema(
        operation_id="services_list",
        tags=["services"],
        summary="Find e-services",
        description=(
            "Public service cards (withdrawn ones are left out). With `q`: the best matches first, each with "
            "`score` and the `matched` words per field. Without `q`: the most asked first. Filters combine."
        ),
        parameters=[CardListQuerySerializer, LANG],
        responses={200: CardListItemSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = CardListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        text = params.get("q", "").strip()
        if not text:
            qs = card_list_public(
                kind=params.get("kind", ""),
                level=params.get("level", ""),
                category=params.get("category"),
                life_event=params.get("life_event"),
                provider=params.get("provider"),
                region=params.get("region"),
            )
            page = self.paginate_queryset(qs) or []
            return self.get_paginated_response(CardListItemSerializer(page, many=True, context=self.context()).data)
        region: Region | None = params.get("region")
        filters = search.SearchFilters(
            kind=params.get("kind") or None,
            level=params.get("level") or None,
            category=params["category"].slug if params.get("category") else None,
            life_event=params["life_event"].slug if params.get("life_event") else None,
            provider=params["provider"].slug if params.get("provider") else None,
            region=region.territory_id if region is not None else None,
        )
        result = search.search(text, limit=SEARCH_LIMIT, filters=filters)
        hits: Sequence[search.Hit] = self.paginate_queryset(result.hits) or []
        cards = [hit.card for hit in hits]
        prefetch_related_objects(cards, "categories", "life_events")
        context = self.context(hits={hit.card.pk: hit for hit in hits})
        return self.get_paginated_response(CardListItemSerializer(cards, many=True, context=context).data)

    @extend_schema(
        operation_id="services_create",
        tags=["services"],
        summary="Add a service card",
        description="Regional coordinators and network administrators. The first version of the card is recorded.",
        parameters=[LANG],
        request=CardWriteSerializer,
        responses={201: CardDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        serializer = CardWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, comment = _service_fields(serializer.validated_data)
        card = services.card_create(actor=actor, comment=comment, **fields)
        return self.card_response(card, status.HTTP_201_CREATED)


class CardDetailView(ServiceApiView):
    @extend_schema(
        operation_id="services_retrieve",
        tags=["services"],
        summary="One service card",
        description="Public cards for everyone; the catalogue's editors also see withdrawn ones.",
        parameters=[LANG],
        responses={200: CardDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, identifier: str) -> Response:
        card = card_detail(identifier=identifier, user=request.user)
        return Response(CardDetailSerializer(card, context=self.context(today=_today())).data)

    @extend_schema(
        operation_id="services_update",
        tags=["services"],
        summary="Change a service card",
        description=(
            "Only the fields sent are changed; a list, when sent, replaces the card's list. A change is recorded "
            "as a new version of the card (nothing is recorded when nothing changed)."
        ),
        parameters=[LANG],
        request=CardWriteSerializer,
        responses={200: CardDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, identifier: str) -> Response:
        actor = request_actor(request)
        card = card_for_edit(identifier=identifier)
        serializer = CardWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields, comment = _service_fields(serializer.validated_data)
        card = services.card_update(actor=actor, card=card, comment=comment, **fields)
        return self.card_response(card)


class AutocompleteView(ServiceApiView):
    @extend_schema(
        operation_id="services_autocomplete",
        tags=["services"],
        summary="Cards as a consultant types",
        description=(
            f"At most {AUTOCOMPLETE_LIMIT} public cards, best first; the last word may be unfinished. Fewer than "
            f"{AUTOCOMPLETE_MIN_LENGTH} letters give no results. The `Server-Timing` header says how long the "
            "search took."
        ),
        parameters=[AutocompleteQuerySerializer, LANG],
        responses={200: AutocompleteSerializer, **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        query = AutocompleteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text: str = query.validated_data.get("q", "")
        started = time.perf_counter()
        hits = search.autocomplete(text, limit=query.validated_data["limit"]) if len(text.strip()) >= 2 else []
        elapsed = (time.perf_counter() - started) * 1000
        results = [
            {
                "identifier": hit.card.identifier,
                "name": hit.card.display_name,
                "provider": hit.card.provider.display_name,
                "url": _card_url(request, hit.card.identifier),
            }
            for hit in hits
        ]
        response = Response(AutocompleteSerializer({"results": results}).data)
        response["Server-Timing"] = f"search;dur={elapsed:.1f}"
        return response


# --- Exports -------------------------------------------------------------------------------------


def _base_url(request: HttpRequest) -> str:
    configured = str(getattr(settings, "CIPNET_BASE_URL", "") or "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")


def catalogue_etag(fmt: str, base_url: str) -> str:
    """Changes whenever the public catalogue's export would.

    A card's own change moves `updated_at`; a change of categories or life events alone records a
    version without saving the card, hence the last version; a withdrawn or restored card changes the
    count; providers, categories and life events have no timestamps, so their rows are hashed (small).
    """
    cards = ServiceCard.objects.public().aggregate(n=Count("pk"), changed=Max("updated_at"))
    last_version = CardVersion.objects.aggregate(last=Max("pk"))["last"]
    terms = (
        list(
            Provider.objects.order_by("pk").values_list("pk", "slug", "name", "name_en", "name_pl", "kind", "website")
        ),
        list(Category.objects.order_by("pk").values_list("pk", "slug", "name", "name_en", "name_pl")),
        list(LifeEvent.objects.order_by("pk").values_list("pk", "slug", "name", "name_en", "name_pl")),
    )
    state = repr((fmt, base_url, cards["n"], cards["changed"], last_version, terms))
    return hashlib.sha256(state.encode("utf-8")).hexdigest()[:40]


class ExportView(ServiceApiView):
    """The whole public catalogue in one format, with an ETag (304 when unchanged)."""

    content_negotiation_class = AnyAccept
    # The same file for everyone: no sign-in is read, so no session is touched and no cache is
    # told to keep a copy per cookie.
    authentication_classes = []
    permission_classes = [AllowAny]
    fmt: ClassVar[str] = ""
    content_type: ClassVar[str] = ""
    extension: ClassVar[str] = ""

    def render_export(self, base_url: str) -> str:
        raise NotImplementedError

    def get(self, request: Request) -> HttpResponseBase:
        django_request = request._request
        base_url = _base_url(django_request)
        etag = quote_etag(catalogue_etag(self.fmt, base_url))
        not_modified = get_conditional_response(django_request, etag=etag)
        if not_modified is not None:
            response: HttpResponseBase = not_modified
        else:
            key = f"cipnet:api:services-export:{etag}"
            content = cache.get(key)
            if not isinstance(content, str):
                content = self.render_export(base_url)
                cache.set(key, content, EXPORT_CACHE_SECONDS)
            response = HttpResponse(content.encode("utf-8"), content_type=self.content_type)
            response["Content-Disposition"] = f'attachment; filename="cipnet-services.{self.extension}"'
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=EXPORT_MAX_AGE)
        return response

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code in (status.HTTP_200_OK, status.HTTP_304_NOT_MODIFIED):
            # The same bytes for every language and every visitor: let shared caches keep one copy.
            for header in ("Vary", "Content-Language"):
                if header in response:
                    del response[header]
        return response


def _export_schema(fmt: str, media_type: str, summary: str, description: str) -> Any:
    return extend_schema(
        operation_id=f"services_export_{fmt}",
        tags=["services"],
        summary=summary,
        description=description + " Cached: send the ETag back in `If-None-Match` to get 304 when nothing changed.",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                required=False,
                description="The ETag of the copy you have.",
            )
        ],
        responses={
            (200, media_type): OpenApiResponse(
                OpenApiTypes.OBJECT if "json" in media_type else OpenApiTypes.STR,
                description="The whole public catalogue, as a file to save.",
            ),
            304: OpenApiResponse(description="Not modified since the copy with this ETag."),
        },
    )


class ExportJsonView(ExportView):
    fmt, content_type, extension = "json", "application/json", "json"

    def render_export(self, base_url: str) -> str:
        return export_catalogue_json_text(ServiceCard.objects.public())

    @_export_schema(
        "json",
        "application/json",
        "The catalogue as JSON",
        "Providers, categories, life events and cards in the shape `import_catalogue` reads back.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)


class ExportCsvView(ExportView):
    fmt, content_type, extension = "csv", "text/csv; charset=utf-8", "csv"

    def render_export(self, base_url: str) -> str:
        return export_catalogue_csv(ServiceCard.objects.public())

    @_export_schema(
        "csv",
        "text/csv",
        "The catalogue as CSV",
        "One row per card (UTF-8 with a byte-order mark); lists joined with “ | ”, channels and legal basis as JSON.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)


class ExportJsonLdView(ExportView):
    fmt, content_type, extension = "jsonld", "application/ld+json", "jsonld"

    def render_export(self, base_url: str) -> str:
        return export_jsonld(ServiceCard.objects.public(), base_url)

    @_export_schema(
        "jsonld",
        "application/ld+json",
        "The catalogue as CPSV-AP JSON-LD",
        "CPSV-AP 3.2.0 linked data: one cpsv:PublicService per card, conforming to the official SHACL shapes.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)


class ExportTurtleView(ExportView):
    fmt, content_type, extension = "ttl", "text/turtle; charset=utf-8", "ttl"

    def render_export(self, base_url: str) -> str:
        return export_turtle(ServiceCard.objects.public(), base_url)

    @_export_schema(
        "ttl",
        "text/turtle",
        "The catalogue as CPSV-AP Turtle",
        "The same CPSV-AP 3.2.0 graph as the JSON-LD export, in Turtle.",
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)
