"""Public pages: home, about and the centre finder (the centre page is composed by `cipnet.portal`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cipnet.core import pagecache
from cipnet.core.clock import now
from cipnet.core.i18n import place_name
from cipnet.directory import hours, selectors
from cipnet.directory.forms import FinderForm
from cipnet.directory.geography import PlacePoint
from cipnet.directory.models import Centre, CoordinationOffice, Territory, TerritoryLevel
from cipnet.directory.placesearch import Match, settlement_search

PAGE_SIZE = 20
NEAR_LIMIT = 20
NEAREST_TO_PLACE = 10


@dataclass
class CentreRow:
    centre: Centre
    status: hours.Status
    sentence: str
    distance_km: float | None = None
    proximity: int | None = None


def _rows(centres: list[Centre], moment: dt.datetime, distances: dict[int, float] | None = None) -> list[CentreRow]:
    rows = []
    for centre in centres:
        status = hours.status_at(selectors.schedule_for(centre), moment)
        rows.append(
            CentreRow(
                centre=centre,
                status=status,
                sentence=hours.describe(status),
                distance_km=(distances or {}).get(centre.pk),
                proximity=getattr(centre, "proximity", None),
            )
        )
    return rows


def _map_points(rows: list[CentreRow]) -> list[dict[str, Any]]:
    return [
        {
            "name": row.centre.display_name,
            "lat": row.centre.latitude,
            "lon": row.centre.longitude,
            "url": reverse("public:centre", args=[row.centre.slug]),
            "address": row.centre.address,
        }
        for row in rows
        if row.centre.has_coordinates
    ]


HOME_NEAREST = 5


@pagecache.public_page
def home(request: HttpRequest) -> HttpResponse:
    """What a centre is, a place search, and — once the browser shares a location — the nearest centres."""
    regions = selectors.region_list_public()
    form = FinderForm(request.GET or None, regions=regions)
    nearest: list[CentreRow] = []
    located = False
    if (
        form.is_bound
        and form.is_valid()
        and form.cleaned_data["lat"] is not None
        and form.cleaned_data["lon"] is not None
    ):
        located = True
        moment = now()
        base = selectors.centre_list_public(selectors.CentreFilters(), moment=moment)
        pairs = selectors.centres_near(
            base, latitude=form.cleaned_data["lat"], longitude=form.cleaned_data["lon"], limit=HOME_NEAREST
        )
        selectors.attach_schedules([c for c, _d in pairs], moment=moment)
        nearest = _rows([c for c, _d in pairs], moment, {c.pk: d for c, d in pairs})
    context = {
        "form": form,
        "regions": [region for region in regions if region.centre_count],  # type: ignore[attr-defined]
        "nearest": nearest,
        "located": located,
        "query_string": request.GET.urlencode(),
    }
    return render(request, "directory/home.html", context)


@pagecache.public_page
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/about.html", {"regions": selectors.region_list_public()})


@dataclass
class PlaceChoice:
    territory: Territory
    in_hromada: int
    in_oblast: int


@dataclass
class FinderResult:
    rows: list[CentreRow] = field(default_factory=list)
    page: Any = None
    place: Territory | None = None
    choices: list[PlaceChoice] = field(default_factory=list)
    alternatives: list[PlaceChoice] = field(default_factory=list)  # "did you mean" after a clear choice
    place_not_found: bool = False
    near: bool = False
    groups: list[tuple[str, list[CentreRow]]] = field(default_factory=list)
    nothing_here: bool = False  # the place has no centre in it or its hromada: nearest by distance instead
    point: PlacePoint | None = None
    coordinator: CoordinationOffice | None = None
    filtered: bool = False


def _choose_place(query: str) -> tuple[Territory | None, list[PlaceChoice], list[PlaceChoice], bool]:
    """(chosen settlement, choices to offer, other places of that name, not found).

    When one of same-named places is clearly the one meant (`_clear_choice`) it is chosen and the
    others are offered as "did you mean". Otherwise they are offered with how many centres are around
    each, those with centres in their hromada first, so the resident's likely choice is at the top.
    """
    matches = settlement_search(query, limit=12)
    exact = [m for m in matches if m.exact]
    if len(exact) == 1:
        return exact[0].territory, [], [], False
    if not exact and len(matches) == 1:
        return matches[0].territory, [], [], False
    offered = exact or matches
    counts = selectors.centre_counts_around([m.territory for m in offered])
    choices = [PlaceChoice(m.territory, *counts[m.territory.pk]) for m in offered]
    if exact:
        clear = _clear_choice(exact, choices)
        if clear is not None:
            return clear.territory, [], [c for c in choices if c is not clear], False
    choices.sort(key=lambda c: (c.in_hromada == 0, c.in_oblast == 0))
    return None, choices, [], not matches


_CITY_LEVELS = (TerritoryLevel.CITY, TerritoryLevel.SPECIAL_CITY)


def _clear_choice(matches: list[Match], choices: list[PlaceChoice]) -> PlaceChoice | None:
    """The one place people mean by a name several places share, if there is one: the city that is the
    centre of an oblast, else of a raion, else the only place with centres in its hromada, else the only city.
    """
    ranked = list(zip(matches, choices, strict=True))
    tests = (
        lambda m, c: (
            m.territory.level == TerritoryLevel.SPECIAL_CITY
            or (m.territory.level == TerritoryLevel.CITY and m.centre_rank == 0)
        ),
        lambda m, c: m.territory.level == TerritoryLevel.CITY and m.centre_rank <= 1,
        lambda m, c: c.in_hromada > 0,
        lambda m, c: m.territory.level in _CITY_LEVELS,
    )
    for test in tests:
        hits = [choice for match, choice in ranked if test(match, choice)]
        if len(hits) == 1:
            return hits[0]
    return None


@pagecache.public_page
def finder(request: HttpRequest) -> HttpResponse:
    regions = selectors.region_list_public()
    form = FinderForm(request.GET or None, regions=regions)
    moment = now()
    result = FinderResult()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        place: Territory | None = None
        chosen = selectors.territory_get(code=data["settlement"]) if data["settlement"] else None
        if chosen is not None and (not data["place"] or _still_names(data["place"], chosen)):
            # A place chosen from the list stays chosen while filters change...
            place = chosen
        elif data["place"]:
            # ...but a newly typed place wins over the earlier choice.
            place, result.choices, result.alternatives, result.place_not_found = _choose_place(data["place"])
        result.place = place
        result.filtered = bool(data["region"] or data["open_now"] or data["features"])
        filters = selectors.CentreFilters(
            region=data["region"],
            settlement=place,
            open_now=data["open_now"],
            features=data["features"],
        )
        if data["lat"] is not None and data["lon"] is not None and place is None:
            result.near = True
            base = selectors.centre_list_public(filters, moment=moment)
            pairs = selectors.centres_near(base, latitude=data["lat"], longitude=data["lon"], limit=NEAR_LIMIT)
            selectors.attach_schedules([c for c, _d in pairs], moment=moment)
            result.rows = _rows([c for c, _d in pairs], moment, {c.pk: d for c, d in pairs})
        elif result.choices or result.place_not_found:
            result.rows = []
        else:
            paginator = Paginator(selectors.centre_list_page_source(filters, moment=moment), PAGE_SIZE)
            result.page = paginator.get_page(request.GET.get("page"))
            result.rows = _rows(list(result.page.object_list), moment)
        if place is not None:
            if not result.rows or (result.page.number == 1 and (result.rows[0].proximity or 0) >= 2):
                _nearest_instead(result, filters, place, moment)
            else:
                result.groups = _group_by_proximity(result.rows, place)
    else:
        paginator = Paginator(selectors.centre_list_page_source(selectors.CentreFilters(), moment=moment), PAGE_SIZE)
        result.page = paginator.get_page(request.GET.get("page"))
        result.rows = _rows(list(result.page.object_list), moment)
    query = request.GET.copy()
    query.pop("page", None)
    show_map = query.pop("map", None) is not None
    context = {
        "form": form,
        "result": result,
        "result_count": result.page.paginator.count if result.page is not None else len(result.rows),
        "map_points": _map_points(result.rows),
        "show_map": show_map,
        "point_label": f"{_('c.')} {place_name(result.point.centre)}" if result.point else "",
        "query_string": query.urlencode(),
    }
    template = "directory/finder_update.html" if request.headers.get("HX-Request") else "directory/finder.html"
    return render(request, template, context)


def _nearest_instead(
    result: FinderResult, filters: selectors.CentreFilters, place: Territory, moment: dt.datetime
) -> None:
    """No centre in the place or its hromada: the nearest centres by distance, and whom to ask."""
    point, pairs = selectors.centres_near_place(filters, place=place, moment=moment, limit=NEAREST_TO_PLACE)
    if point is None:  # a place the gazetteer cannot locate: keep the list by region
        result.groups = _group_by_proximity(result.rows, place)
        return
    result.nothing_here = True
    result.point = point
    result.page = None
    result.rows = _rows([c for c, _d in pairs], moment, {c.pk: d for c, d in pairs})
    fallback = result.rows[0].centre.region_id if result.rows else None
    result.coordinator = selectors.coordination_office_for(place=place, fallback_region_id=fallback)


def _still_names(text: str, place: Territory) -> bool:
    return any(match.territory.pk == place.pk for match in settlement_search(text, limit=12))


def _group_by_proximity(rows: list[CentreRow], place: Territory) -> list[tuple[str, list[CentreRow]]]:
    titles = {
        0: _("In %(place)s") % {"place": place.display_name},
        1: _("In the same hromada"),
        2: _("In the same raion"),
        3: _("Elsewhere in the region"),
    }
    groups: dict[int, list[CentreRow]] = {}
    for row in rows:
        groups.setdefault(row.proximity if row.proximity is not None else 3, []).append(row)
    return [(titles[key], groups[key]) for key in sorted(groups)]
