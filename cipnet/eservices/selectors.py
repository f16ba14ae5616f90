"""Reads of the catalogue for pages and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.module_loading import import_string

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.directory import selectors as directory_selectors
from cipnet.directory.models import Centre, Region, Territory
from cipnet.eservices.models import (
    CardStatus,
    CardVersion,
    Category,
    LifeEvent,
    LinkCheck,
    Provider,
    SearchLog,
    ServiceCard,
)

# --- The public catalogue list ---------------------------------------------------------------


@dataclass(frozen=True)
class CardFilters:
    """What narrows the public catalogue: built by the catalogue page (from `CatalogueForm`), the
    API (from its query serializer) and read by `card_list_public` and `search.search` alike."""

    text: str = ""
    kind: str = ""
    level: str = ""
    category: Category | None = None
    life_event: LifeEvent | None = None
    provider: Provider | None = None
    region: Region | None = None  # national cards and the region's own (`in_region_q`)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CardFilters:
        """From a form's `cleaned_data` or a serializer's `validated_data` (the same field names)."""
        return cls(
            text=str(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            level=data.get("level") or "",
            category=data.get("category"),
            life_event=data.get("life_event"),
            provider=data.get("provider"),
            region=data.get("region"),
        )

    @property
    def narrowed(self) -> bool:
        """Any filter besides the text."""
        return bool(self.kind or self.level or self.category or self.life_event or self.provider or self.region)


def in_region_q(region: Region) -> Q:
    """National cards, and the region's own regional and local ones."""
    return Q(territory__isnull=True) | Q(territory__oblast_id=region.territory_id) | Q(territory_id=region.territory_id)


def card_filter(qs: QuerySet[ServiceCard], filters: CardFilters) -> QuerySet[ServiceCard]:
    """The filters other than the text, in SQL (the search ranks the text itself)."""
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.category is not None:
        qs = qs.filter(categories=filters.category)
    if filters.life_event is not None:
        qs = qs.filter(life_events=filters.life_event)
    if filters.provider is not None:
        qs = qs.filter(provider=filters.provider)
    if filters.region is not None:
        qs = qs.filter(in_region_q(filters.region))
    # No DISTINCT: each relation filter matches one (card, term) row at most, so no card repeats; and
    # DISTINCT over every column of a card (long texts, JSON) made PostgreSQL sort the whole catalogue.
    return qs


def card_list_public(filters: CardFilters | None = None) -> QuerySet[ServiceCard]:
    """Public cards (not withdrawn) matching the filters (but the text: see `search.search`), most
    asked first, with what a list item shows."""
    qs: QuerySet[ServiceCard] = (
        ServiceCard.objects.public()
        .select_related("provider", "territory")
        .prefetch_related("categories", "life_events")
    )
    if filters is not None:
        qs = card_filter(qs, filters)
    return qs.order_by("-popularity", "name", "identifier")


def card_get_public(*, identifier: str) -> ServiceCard:
    try:
        return (
            ServiceCard.objects.public()
            .select_related("provider", "territory", "territory__oblast", "verified_by")
            .prefetch_related("categories", "life_events")
            .get(identifier=identifier)
        )
    except ServiceCard.DoesNotExist as exc:
        raise NotFoundOrNotAllowed() from exc


def card_get_any(*, pk: int) -> ServiceCard:
    try:
        return ServiceCard.objects.select_related("provider", "territory", "verified_by").get(pk=pk)
    except ServiceCard.DoesNotExist as exc:
        raise NotFoundOrNotAllowed() from exc


def is_catalogue_editor(user: User | AnonymousUser | None) -> bool:
    """Regional coordinators and network administrators curate the catalogue (nobody: no)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    scope = scope_for(user)
    return scope.network or bool(scope.region_ids)


def card_get_for_user(*, user: User | AnonymousUser | None, identifier: str) -> ServiceCard:
    """A public card; the catalogue's editors also get withdrawn ones. Otherwise not found."""
    qs = ServiceCard.objects.select_related("provider", "territory").prefetch_related("categories", "life_events")
    if not is_catalogue_editor(user):
        qs = qs.public()
    card = qs.filter(identifier=identifier).first()
    if card is None:
        raise NotFoundOrNotAllowed()
    return card


def card_get_for_edit(*, identifier: str) -> ServiceCard:
    card = ServiceCard.objects.filter(identifier=identifier).first()
    if card is None:
        raise NotFoundOrNotAllowed()
    return card


def facets() -> dict[str, QuerySet]:
    """Browse lists with the number of public cards in each."""
    public = Q(cards__status__in=[CardStatus.ACTIVE, CardStatus.OUTDATED])
    return {
        "life_events": LifeEvent.objects.annotate(n=Count("cards", filter=public)).filter(n__gt=0).order_by("name"),
        "categories": Category.objects.annotate(n=Count("cards", filter=public)).filter(n__gt=0).order_by("name"),
        "providers": Provider.objects.annotate(n=Count("cards", filter=public)).filter(n__gt=0).order_by("name"),
    }


#: Where "most asked" reads how often each card was used: a dotted path to a function
#: `(*, region: Region | None, since: date) -> {card id: uses}`. The consultation log lives in an
#: app above the catalogue (consultations imports eservices, never the reverse), so the settings
#: name the reader; without one, the curated popularity alone orders the list.
USAGE_SETTING = "CIPNET_CATALOGUE_USAGE"


def card_usage(*, region: Region | None, since: dt.date) -> Mapping[int, int]:
    """Card id → uses since `since` in the region's centres (everywhere without a region)."""
    path = getattr(settings, USAGE_SETTING, "")
    if not path:
        return {}
    reader: Callable[..., Mapping[int, int]] = import_string(path)
    return reader(region=region, since=since)


def most_asked(*, region: Region | None = None, limit: int = 8) -> list[ServiceCard]:
    """The services residents ask about most, for a region (national cards + that region's own):
    ordered by the consultations that used each card in the region's centres over the last twelve
    months (`card_usage`), then by the card's curated popularity."""
    qs = card_list_public(CardFilters(region=region)).filter(status=CardStatus.ACTIVE)
    today = timezone.localdate()
    counts = card_usage(region=region, since=dt.date(today.year - 1, today.month, 1))
    if not counts:
        return list(qs[:limit])
    asked = sorted(qs.filter(pk__in=list(counts)), key=lambda card: (-counts[card.pk], -card.popularity, card.name))
    rest = list(qs.exclude(pk__in=list(counts))[: max(0, limit - len(asked))])
    return (asked + rest)[:limit]


#: How many centres the printed card lists from the consultant's centre.
PRINT_NEAREST = 5


def centres_helping_with(
    *, card: ServiceCard, near: Territory | None = None, origin: Centre | None = None, limit: int = 10
) -> list[Centre]:
    """Public centres that help with this service in person; nearest administrative units first.
    From a consultant's centre (`origin`, with coordinates): that centre first when it helps with
    the service, then the others by distance from it, nearest first."""
    if origin is not None and origin.has_coordinates and near is None:
        helping = Centre.objects.public().with_related().filter(services__card=card)
        own = list(helping.filter(pk=origin.pk)[:1])
        pairs = directory_selectors.centres_near(
            helping.exclude(pk=origin.pk),
            latitude=origin.latitude,  # type: ignore[arg-type]
            longitude=origin.longitude,  # type: ignore[arg-type]
            limit=limit - len(own),
        )
        return own + [centre for centre, _km in pairs]
    if near is not None:
        # Same settlement, then hromada, raion and oblast — the finder's order.
        nearby = directory_selectors.centre_list_public(directory_selectors.CentreFilters(settlement=near))
        return list(nearby.filter(services__card=card)[:limit])
    qs = Centre.objects.public().with_related().filter(services__card=card)
    if card.territory_id and card.territory is not None:
        oblast_id = card.territory.oblast_id or card.territory_id
        qs = qs.filter(settlement__oblast_id=oblast_id)
    return list(qs.order_by("region__name", "name")[:limit])


def cards_helped_with_at(*, centre: Centre) -> list[ServiceCard]:
    """The public cards this centre helps with in person, by name (the catalogue hangs off centres)."""
    return list(ServiceCard.objects.public().filter(centres__centre=centre).order_by("name"))


# --- The editors' card list ---------------------------------------------------------------


@dataclass(frozen=True)
class StaffCardFilters:
    """The editors' list: every card (withdrawn ones too), by status or "needs verification"."""

    status: str = ""  # a CardStatus value, or "" for every status
    unverified_on: dt.date | None = None  # only cards needing verification on that day


def card_list_visible_to(*, user: User | AnonymousUser | None, filters: StaffCardFilters) -> QuerySet[ServiceCard]:
    """Every card, for the catalogue's editors (anyone else: not found)."""
    if not is_catalogue_editor(user):
        raise NotFoundOrNotAllowed()
    if filters.unverified_on is not None:
        return cards_needing_verification(today=filters.unverified_on)
    qs = ServiceCard.objects.select_related("provider", "verified_by").order_by("name")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


def card_versions(*, card: ServiceCard) -> QuerySet[CardVersion]:
    return card.versions.select_related("author").order_by("-number")


def cards_needing_verification(*, today: dt.date) -> QuerySet[ServiceCard]:
    return (
        ServiceCard.objects.needs_verification(today)
        .select_related("provider", "verified_by")
        .order_by("verified_on", "name")
    )


def search_report(*, since: dt.date, limit: int = 50) -> dict[str, list[Any]]:
    """Queries with no results, and queries searched often but rarely followed by a click."""
    rows = (
        SearchLog.objects.filter(day__gte=since)
        .values("query")
        .annotate(searches=Sum("searches"), zero=Sum("zero_results"), clicks=Sum("clicks"))
    )
    zero = [r for r in rows if r["zero"] > 0]
    zero.sort(key=lambda r: (-r["zero"], r["query"]))
    low = [r for r in rows if r["zero"] == 0 and r["searches"] >= 3 and r["clicks"] / r["searches"] < 0.2]
    low.sort(key=lambda r: (-r["searches"], r["query"]))
    return {"zero_results": zero[:limit], "low_clicks": low[:limit]}


def broken_links() -> QuerySet[LinkCheck]:
    return LinkCheck.objects.filter(ok=False).select_related("card").order_by("card__name", "url")


def cards_with_prefetch(qs: QuerySet[ServiceCard]) -> QuerySet[ServiceCard]:
    return qs.prefetch_related(Prefetch("categories"), Prefetch("life_events"))
