"""Reads the API needs that the directory selectors do not offer as such.

Each function composes `cipnet.directory.selectors` (scoping, filters, schedules)
and only adds the prefetching an API response needs, so access rules stay in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from cipnet.accounts.models import User
from cipnet.directory import selectors
from cipnet.directory.models import Centre, CoordinationOffice, Region, Territory
from cipnet.directory.placesearch import settlement_search

#: The most centres a `near` search returns (over all pages).
NEAR_LIMIT = 100


def _detail_queryset(qs: QuerySet[Centre], *, moment: dt.datetime) -> QuerySet[Centre]:
    return selectors.with_schedules(
        qs.select_related(
            "region",
            "host",
            "settlement",
            "settlement__hromada",
            "settlement__raion",
            "settlement__oblast",
            "office__settlement__hromada",
            "office__settlement__raion",
            "office__settlement__oblast",
        ).prefetch_related("features"),
        moment=moment,
    )


def centre_list_public(filters: selectors.CentreFilters, *, moment: dt.datetime) -> QuerySet[Centre]:
    """Public centres matching the filters, with what a list item needs prefetched."""
    return selectors.with_schedules(selectors.centre_list_public(filters, moment=moment), moment=moment)


def centres_near_public(
    filters: selectors.CentreFilters, *, latitude: float, longitude: float, moment: dt.datetime
) -> list[tuple[Centre, float]]:
    """The public centres matching the filters nearest to a point, nearest first, with km."""
    base = selectors.centre_list_public(filters, moment=moment)
    return selectors.centres_near(base, latitude=latitude, longitude=longitude, limit=NEAR_LIMIT)


def centres_with_schedules(centres: Sequence[Centre], *, moment: dt.datetime) -> list[Centre]:
    """The same centres in the same order, fetched again with related rows and schedules.

    Used for one page of `near` results, so the schedules of centres that the
    bounding-box search looked at but did not return are never loaded.
    """
    pks = [centre.pk for centre in centres]
    fetched = {
        c.pk: c for c in selectors.with_schedules(Centre.objects.with_related().filter(pk__in=pks), moment=moment)
    }
    return [fetched[pk] for pk in pks if pk in fetched]


def centre_get_visible(*, slug: str, user: User | AnonymousUser, moment: dt.datetime) -> Centre:
    """A public centre by slug; staff also get the non-public centres in their scope. Otherwise 404."""
    centre = _detail_queryset(Centre.objects.public(), moment=moment).filter(slug=slug).first()
    if centre is not None:
        return centre
    if not isinstance(user, User):
        raise Http404
    pk = Centre.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    visible = selectors.centre_get_for_user(user=user, pk=pk)
    return centre_detail(pk=visible.pk, moment=moment)


def centre_get_for_edit(*, slug: str, user: User) -> Centre:
    """The centre if the user may change it; otherwise 404 (`centre_get_for_user` decides)."""
    pk = Centre.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    return selectors.centre_get_for_user(user=user, pk=pk, for_edit=True)


def centre_detail(*, pk: int, moment: dt.datetime) -> Centre:
    """A centre with everything the detail response shows. No access check: call after one."""
    return _detail_queryset(Centre.objects.all(), moment=moment).get(pk=pk)


def region_list_public() -> QuerySet[Region]:
    return selectors.region_list_public().select_related("territory")


def region_get_public(*, slug: str) -> Region:
    offices = CoordinationOffice.objects.select_related(
        "settlement", "settlement__hromada", "settlement__raion", "settlement__oblast"
    ).order_by("name")
    region = region_list_public().prefetch_related(Prefetch("offices", queryset=offices)).filter(slug=slug).first()
    if region is None:
        raise Http404
    return region


def _territories() -> QuerySet[Territory]:
    return Territory.objects.select_related("parent", "hromada", "raion", "oblast")


def territory_list(*, level: str = "", parent: Territory | None = None) -> QuerySet[Territory]:
    qs = _territories()
    if level:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.order_by("code")


@dataclass(frozen=True)
class TerritoryMatch:
    territory: Territory
    score: float
    exact: bool


def territory_search(
    query: str, *, limit: int, level: str = "", parent: Territory | None = None
) -> list[TerritoryMatch]:
    """Settlements matching what a person typed, best first (`placesearch.settlement_search`)."""
    filtered = bool(level or parent)
    # Filters apply after the search ranks; ask for more so that `limit` survive them.
    matches = settlement_search(query, limit=min(limit * 5, 250) if filtered else limit)
    pks = [match.territory.pk for match in matches]
    fetched = _territories().in_bulk(pks)
    found = []
    for match in matches:
        territory = fetched.get(match.territory.pk)
        if territory is None:
            continue
        if level and territory.level != level:
            continue
        if parent is not None and territory.parent_id != parent.pk:
            continue
        found.append(TerritoryMatch(territory=territory, score=float(match.score), exact=bool(match.exact)))
    return found[:limit]


def territory_get(*, code: str) -> Territory:
    territory = _territories().filter(code=code).first()
    if territory is None:
        raise Http404
    return territory
