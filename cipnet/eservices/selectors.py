"""Reads of the catalogue for pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

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


def card_list_public() -> QuerySet[ServiceCard]:
    return (
        ServiceCard.objects.public()
        .select_related("provider", "territory")
        .prefetch_related("categories", "life_events")
        .order_by("-popularity", "name")
    )


def card_get_public(*, identifier: str) -> ServiceCard:
    try:
        return (
            ServiceCard.objects.public()
            .select_related("provider", "territory", "territory__oblast", "verified_by")
            .prefetch_related("categories", "life_events")
            .get(identifier=identifier)
        )
    except ServiceCard.DoesNotExist as exc:
        raise Http404 from exc


def card_get_any(*, pk: int) -> ServiceCard:
    try:
        return ServiceCard.objects.select_related("provider", "territory", "verified_by").get(pk=pk)
    except ServiceCard.DoesNotExist as exc:
        raise Http404 from exc


def facets() -> dict[str, QuerySet]:
    """Browse lists with the number of public cards in each."""
    public = Q(cards__status__in=[CardStatus.ACTIVE, CardStatus.OUTDATED])
    return {
        "life_events": LifeEvent.objects.annotate(n=Count("cards", filter=public)).filter(n__gt=0).order_by("name"),
        "categories": Category.objects.annotate(n=Count("cards", filter=public)).filter(n__gt=0).order_by("name"),
        "providers": Provider.objects.annotate(n=Count("cards", filter=public)).filter(n__gt=0).order_by("name"),
    }


def most_asked(*, region: Region | None = None, limit: int = 8) -> list[ServiceCard]:
    """The services residents ask about most, for a region (national cards + that region's own):
    ordered by the consultations that used each card in the region's centres over the last twelve
    months (from the consultation log's monthly tally), then by the card's curated popularity."""
    from cipnet.consultations.models import FREE_TEXT_SERVICE, Dimension, MonthlyTally

    qs = card_list_public().filter(status=CardStatus.ACTIVE)
    if region is not None:
        qs = qs.filter(in_region_q(region))
    today = timezone.localdate()
    since = dt.date(today.year - 1, today.month, 1)
    usage = MonthlyTally.objects.filter(dimension=Dimension.SERVICE, month__gte=since).exclude(value=FREE_TEXT_SERVICE)
    if region is not None:
        usage = usage.filter(centre__region=region)
    counts = {
        int(row["value"]): row["n"]
        for row in usage.values("value").annotate(n=Sum("count")).order_by("-n")[:200]
        if row["value"].isdigit()
    }
    if not counts:
        return list(qs[:limit])
    asked = sorted(qs.filter(pk__in=list(counts)), key=lambda card: (-counts[card.pk], -card.popularity, card.name))
    rest = list(qs.exclude(pk__in=list(counts))[: max(0, limit - len(asked))])
    return (asked + rest)[:limit]


def in_region_q(region: Region) -> Q:
    """National cards, and the region's own regional and local ones."""
    return Q(territory__isnull=True) | Q(territory__oblast_id=region.territory_id) | Q(territory_id=region.territory_id)


def centres_helping_with(*, card: ServiceCard, near: Territory | None = None, limit: int = 10) -> list[Centre]:
    """Public centres that help with this service in person; nearest administrative units first."""
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
