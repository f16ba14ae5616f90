"""Every read of the directory that a view or the API needs."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core.clock import local, now
from cipnet.directory.geography import PlacePoint, place_point
from cipnet.directory.hours import CLOSED_HOUR, OPEN_HOUR
from cipnet.directory.models import (
    Centre,
    CentreFeature,
    CoordinationOffice,
    HostInstitution,
    OpeningException,
    OpeningHours,
    Region,
    Territory,
)

# The paginated lists and the opening schedules have their own modules; the apps read them from here.
from cipnet.directory.paging import IdsFirstCentres as IdsFirstCentres
from cipnet.directory.paging import RegionOrderedCentres as RegionOrderedCentres
from cipnet.directory.placesearch import settlement_search
from cipnet.directory.schedules import attach_schedules as attach_schedules
from cipnet.directory.schedules import schedule_for as schedule_for
from cipnet.directory.schedules import schedule_from_rows as schedule_from_rows
from cipnet.directory.schedules import with_schedules as with_schedules

EARTH_RADIUS_KM = 6371.0088


# --- Public ------------------------------------------------------------------


@dataclass(frozen=True)
class CentreFilters:
    region: Region | None = None
    settlement: Territory | None = None
    open_now: bool = False
    features: Sequence[str] = ()
    text: str = ""


class _Like(Func):
    """`text LIKE pattern` as a condition (the pattern's `_` and `%` are wildcards, not escaped)."""

    arg_joiner = " LIKE "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def open_now_q(moment: dt.datetime | None = None) -> Q:
    """Centres open at `moment`, in SQL; the same rule as `hours.status_at` (tested against it)."""
    moment = local(moment or now())
    day, time = moment.date(), moment.time()
    # The week: the centre's own hour-by-hour mark (`hours.week_by_hour`) decides almost every hour without
    # a look at the intervals, which are asked (a semi-join over the (weekday, opens, closes, centre) index)
    # only in an hour when a centre opens or closes, or for a centre not marked yet. The mark is read with
    # LIKE '___…1%' (SUBSTR walks the UTF-8 text: 5 ms more on PostgreSQL at 20,000 centres); SQLite's
    # whole "open now + feature" count went from 13-16 ms to 9 ms, PostgreSQL's from 18-21 to 14.
    skip = "_" * (day.weekday() * 24 + time.hour)
    open_by_week = OpeningHours.objects.filter(weekday=day.weekday(), opens__lte=time, closes__gt=time).values(
        "centre_id"
    )
    by_week = Q(_Like("week_by_hour", Value(f"{skip}{OPEN_HOUR}%"))) | (
        ~Q(_Like("week_by_hour", Value(f"{skip}{CLOSED_HOUR}%"))) & Q(pk__in=open_by_week)
    )
    # A day's exceptions: semi-joins over the (date, centre) index (a day's rows: none on most days).
    excepted_today = OpeningException.objects.filter(date=day).values("centre_id")
    open_by_exception = excepted_today.filter(is_closed=False, opens__lte=time, closes__gt=time)
    return Q(pk__in=open_by_exception) | (~Q(pk__in=excepted_today) & by_week)


def centre_list_public(filters: CentreFilters, *, moment: dt.datetime | None = None) -> QuerySet[Centre]:
    """Public centres matching the filters; with a settlement, ordered hromada → raion → oblast."""
    qs = Centre.objects.public().with_related()
    if filters.region is not None:
        qs = qs.filter(region=filters.region)
    for feature in filters.features:
        qs = qs.filter(pk__in=CentreFeature.objects.filter(feature=feature).values("centre_id"))
    if filters.open_now:
        qs = qs.filter(open_now_q(moment))
    if filters.text:
        qs = qs.filter(Q(name__icontains=filters.text) | Q(address__icontains=filters.text))
    if filters.settlement is not None:
        place = filters.settlement
        oblast_id = place.oblast_id or place.pk
        whens = [When(settlement_id=place.pk, then=Value(0))]
        if place.hromada_id is not None:
            whens.append(When(settlement__hromada_id=place.hromada_id, then=Value(1)))
        if place.raion_id is not None:
            whens.append(When(settlement__raion_id=place.raion_id, then=Value(2)))
        # The oblast through the centre's region (its settlement's oblast, kept so by `services`): the
        # (status, region) index instead of a join to every centre's settlement (5-7 ms at 20,000).
        qs = qs.filter(region__territory_id=oblast_id).annotate(
            proximity=Case(*whens, default=Value(3), output_field=IntegerField())
        )
        return qs.order_by("proximity", "name")
    return qs.order_by("region__name", "name")


def centre_get_public(*, slug: str) -> Centre:
    try:
        return (
            Centre.objects.public().with_related().select_related("office").prefetch_related("features").get(slug=slug)
        )
    except Centre.DoesNotExist as exc:
        raise Http404 from exc


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def centre_own_first(*, user: User | AnonymousUser) -> Centre | None:
    """The centre where the user works (the first of their centre memberships), or None."""
    centre_ids = scope_for(user).centre_ids
    if not centre_ids:
        return None
    return Centre.objects.filter(pk=min(centre_ids)).first()


def centres_near(
    base: QuerySet[Centre], *, latitude: float, longitude: float, limit: int = 20, max_km: float = 400.0
) -> list[tuple[Centre, float]]:
    """The `limit` nearest centres within `max_km`, with distances in km, nearest first.

    A bounding box on the (latitude, longitude) index narrows the rows. The box holds the
    circle of `radius` km, so once `limit` centres lie inside that circle no centre outside
    the box can be nearer; otherwise the box grows until it reaches `max_km`.
    """
    radius = min(10.0, max_km)
    while True:
        dlat = radius / 111.0
        dlon = radius / (111.0 * max(math.cos(math.radians(latitude)), 0.01))
        # Only the coordinates of the rows in the box: the whole rows (and what `base` prefetches)
        # are read for the nearest `limit` alone.
        box = base.filter(
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        ).values_list("pk", "latitude", "longitude")
        scored = [
            (pk, haversine_km(latitude, longitude, lat, lon))
            for pk, lat, lon in box
            if lat is not None and lon is not None
        ]
        inside = [pair for pair in scored if pair[1] <= radius]
        if len(inside) >= limit or radius >= max_km:
            inside.sort(key=lambda pair: (pair[1], pair[0]))
            nearest = dict(inside[:limit])
            centres = {centre.pk: centre for centre in base.filter(pk__in=list(nearest))} if nearest else {}
            return [(centres[pk], distance) for pk, distance in nearest.items() if pk in centres]
        radius = min(radius * 2.5, max_km)


def centre_counts_around(places: Sequence[Territory]) -> dict[int, tuple[int, int]]:
    """For each settlement: (public centres in its hromada, public centres in its oblast). Two queries."""
    hromadas = {p.hromada_id for p in places if p.hromada_id}
    oblasts = {p.oblast_id or p.pk for p in places}
    public = Centre.objects.public()
    by_hromada = dict(
        public.filter(settlement__hromada_id__in=hromadas)
        .values_list("settlement__hromada_id")
        .annotate(n=Count("id"))
        .values_list("settlement__hromada_id", "n")
    )
    by_oblast = dict(
        public.filter(region__territory_id__in=oblasts)
        .values_list("region__territory_id")
        .annotate(n=Count("*"))
        .values_list("region__territory_id", "n")
    )
    return {
        p.pk: (by_hromada.get(p.hromada_id, 0) if p.hromada_id else 0, by_oblast.get(p.oblast_id or p.pk, 0))
        for p in places
    }


def centres_near_place(
    filters: CentreFilters, *, place: Territory, moment: dt.datetime, limit: int = 10
) -> tuple[PlacePoint | None, list[tuple[Centre, float]]]:
    """The public centres matching the filters (in any region unless one is chosen) nearest to a place.

    The place is located at its raion's administrative centre (`geography.place_point`); a place
    that cannot be located gets no centres. Ukraine is about 1,300 km wide: none is out of reach.
    """
    point = place_point(place)
    if point is None:
        return None, []
    unplaced = CentreFilters(region=filters.region, open_now=filters.open_now, features=filters.features)
    base = centre_list_public_with_schedules(unplaced, moment=moment)
    pairs = centres_near(base, latitude=point.latitude, longitude=point.longitude, limit=limit, max_km=1500.0)
    return point, pairs


def coordination_office_for(*, place: Territory, fallback_region_id: int | None = None) -> CoordinationOffice | None:
    """The coordination office of the place's region, else of the fallback region (the nearest centre's)."""
    oblast_id = place.oblast_id or place.pk
    offices = CoordinationOffice.objects.select_related("region").order_by("name")
    office = offices.filter(region__territory_id=oblast_id).first()
    if office is None and fallback_region_id is not None:
        office = offices.filter(region_id=fallback_region_id).first()
    return office


def region_list_public() -> QuerySet[Region]:
    """Regions, each with its number of public centres."""
    # A count per region through the (status, region) index: a join and GROUP BY over every centre
    # costs 20-35 ms at 20,000 centres, this under 1 ms.
    public_here = (
        Centre.objects.public()
        .filter(region=OuterRef("pk"))
        .order_by()
        .values("region")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        Region.objects.annotate(centre_count=Coalesce(Subquery(public_here, output_field=IntegerField()), 0))
        .select_related("territory")
        .order_by("name")
    )


def region_get(*, slug: str) -> Region | None:
    return Region.objects.filter(slug=slug).first()


def territory_get(*, code: str) -> Territory | None:
    return Territory.objects.select_related("hromada", "raion", "oblast", "oblast__region").filter(code=code).first()


# --- Staff (scoped) -----------------------------------------------------------


def centre_list_visible_to(*, user: User) -> QuerySet[Centre]:
    scope = scope_for(user)
    if not scope.is_staff_member:
        return Centre.objects.none()
    return Centre.objects.with_related().filter(scope.centre_q()).order_by("region__name", "name")


def centre_form_choices(*, user: User) -> tuple[QuerySet[HostInstitution], QuerySet[CoordinationOffice]]:
    """The host institutions and coordination offices a user may choose for a centre: all for the
    network; otherwise the hosts in their regions (and of the centres they see) and their offices."""
    if scope_for(user).network:
        return HostInstitution.objects.order_by("name"), CoordinationOffice.objects.order_by("name")
    region_territories = list(region_list_visible_to(user=user).values_list("territory_id", flat=True))
    centre_hosts = centre_list_visible_to(user=user).values("host_id")
    hosts = HostInstitution.objects.filter(
        settlement__oblast_id__in=region_territories
    ) | HostInstitution.objects.filter(id__in=centre_hosts)
    return hosts.order_by("name").distinct(), office_list_visible_to(user=user).order_by("name")


def centre_get_for_user(*, user: User, pk: int, for_edit: bool = False) -> Centre:
    """The centre if the user may see it (or change it, with for_edit); otherwise 404."""
    scope = scope_for(user)
    if not scope.is_staff_member:
        raise Http404
    q = scope.centre_edit_q() if for_edit else scope.centre_q()
    try:
        return Centre.objects.with_related().select_related("office").filter(q).get(pk=pk)
    except Centre.DoesNotExist as exc:
        raise Http404 from exc


def centre_can_edit(*, user: User, centre: Centre) -> bool:
    scope = scope_for(user)
    return scope.network or centre.region_id in scope.region_ids or centre.pk in scope.managed_centre_ids


def region_list_visible_to(*, user: User) -> QuerySet[Region]:
    scope = scope_for(user)
    if scope.network:
        return Region.objects.order_by("name")
    return Region.objects.filter(id__in=scope.region_ids).order_by("name")


def office_list_visible_to(*, user: User) -> QuerySet[CoordinationOffice]:
    scope = scope_for(user)
    if not scope.is_staff_member:
        return CoordinationOffice.objects.none()
    if scope.network:
        qs = CoordinationOffice.objects.all()
    else:
        centre_regions = Centre.objects.filter(id__in=scope.centre_ids).values("region_id")
        qs = CoordinationOffice.objects.filter(Q(region_id__in=scope.region_ids) | Q(region_id__in=centre_regions))
    return (
        qs.select_related("region", "settlement")
        .annotate(centre_count=Count("centres"))
        .order_by("region__name", "name")
    )


def office_get_for_user(*, user: User, pk: int) -> CoordinationOffice:
    try:
        return office_list_visible_to(user=user).get(pk=pk)
    except CoordinationOffice.DoesNotExist as exc:
        raise Http404 from exc


# --- Reads with what a detail response shows (the API and the pages) ------------------------

#: The most centres a `near` search returns (over all pages).
NEAR_LIMIT = 100


def centre_detail_queryset(qs: QuerySet[Centre], *, moment: dt.datetime) -> QuerySet[Centre]:
    return with_schedules(
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


def centre_list_public_with_schedules(filters: CentreFilters, *, moment: dt.datetime) -> QuerySet[Centre]:
    """Public centres matching the filters, with what a list item needs (the finder page and the API)."""
    return with_schedules(centre_list_public(filters, moment=moment), moment=moment)


def centre_list_page_source(filters: CentreFilters, *, moment: dt.datetime) -> IdsFirstCentres | RegionOrderedCentres:
    """What the finder and the API paginate: with a place, the queryset in order of proximity (one oblast's
    centres); otherwise the list read region by region (`RegionOrderedCentres`)."""
    rows = Centre.objects.with_related()
    if filters.settlement is not None:
        return IdsFirstCentres(centre_list_public(filters, moment=moment), rows=rows, moment=moment)
    simple = not (filters.open_now or filters.features or filters.text)
    return RegionOrderedCentres(centre_list_public(filters, moment=moment), rows=rows, moment=moment, per_region=simple)


def centres_near_public(
    filters: CentreFilters, *, latitude: float, longitude: float, moment: dt.datetime
) -> list[tuple[Centre, float]]:
    """The public centres matching the filters nearest to a point, nearest first, with km: only their ids
    and coordinates are read (up to NEAR_LIMIT); a page of them is read whole by `centres_with_schedules`."""
    base = centre_list_public(filters, moment=moment).select_related(None).only("pk", "latitude", "longitude")
    return centres_near(base, latitude=latitude, longitude=longitude, limit=NEAR_LIMIT)


def centres_with_schedules(centres: Sequence[Centre], *, moment: dt.datetime) -> list[Centre]:
    """The same centres in the same order, fetched again with related rows and schedules.

    Used for one page of `near` results, so the schedules of centres that the
    bounding-box search looked at but did not return are never loaded.
    """
    pks = [centre.pk for centre in centres]
    fetched = {c.pk: c for c in Centre.objects.with_related().filter(pk__in=pks)}
    found = [fetched[pk] for pk in pks if pk in fetched]
    attach_schedules(found, moment=moment)
    return found


def centre_get_visible(*, slug: str, user: User | AnonymousUser, moment: dt.datetime) -> Centre:
    """A public centre by slug; staff also get the non-public centres in their scope. Otherwise 404."""
    centre = centre_detail_queryset(Centre.objects.public(), moment=moment).filter(slug=slug).first()
    if centre is not None:
        return centre
    if not isinstance(user, User):
        raise Http404
    pk = Centre.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    visible = centre_get_for_user(user=user, pk=pk)
    return centre_detail(pk=visible.pk, moment=moment)


def centre_get_for_edit(*, slug: str, user: User) -> Centre:
    """The centre if the user may change it; otherwise 404 (`centre_get_for_user` decides)."""
    pk = Centre.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    return centre_get_for_user(user=user, pk=pk, for_edit=True)


def centre_detail(*, pk: int, moment: dt.datetime) -> Centre:
    """A centre with everything the detail response shows. No access check: call after one."""
    return centre_detail_queryset(Centre.objects.all(), moment=moment).get(pk=pk)


def region_get_public(*, slug: str) -> Region:
    offices = CoordinationOffice.objects.select_related(
        "settlement", "settlement__hromada", "settlement__raion", "settlement__oblast"
    ).order_by("name")
    region = region_list_public().prefetch_related(Prefetch("offices", queryset=offices)).filter(slug=slug).first()
    if region is None:
        raise Http404
    return region


def territory_queryset() -> QuerySet[Territory]:
    return Territory.objects.select_related("parent", "hromada", "raion", "oblast")


def territory_list(*, level: str = "", parent: Territory | None = None) -> QuerySet[Territory]:
    qs = territory_queryset()
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
    fetched = territory_queryset().in_bulk(pks)
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


def territory_get_detail(*, code: str) -> Territory:
    """A territory with its parents, or 404."""
    territory = territory_queryset().filter(code=code).first()
    if territory is None:
        raise Http404
    return territory
