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

from cipnet.core.clock import now
from cipnet.directory import hours, selectors
from cipnet.directory.forms import FinderForm
from cipnet.directory.models import Centre, Territory
from cipnet.directory.placesearch import settlement_search

PAGE_SIZE = 20
NEAR_LIMIT = 20


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
        base = selectors.centre_list_public_with_schedules(selectors.CentreFilters(), moment=moment)
        pairs = selectors.centres_near(
            base, latitude=form.cleaned_data["lat"], longitude=form.cleaned_data["lon"], limit=HOME_NEAREST
        )
        nearest = _rows([c for c, _d in pairs], moment, {c.pk: d for c, d in pairs})
    context = {
        "form": form,
        "regions": [region for region in regions if region.centre_count],  # type: ignore[attr-defined]
        "nearest": nearest,
        "located": located,
        "query_string": request.GET.urlencode(),
    }
    return render(request, "directory/home.html", context)


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
    place_not_found: bool = False
    near: bool = False
    groups: list[tuple[str, list[CentreRow]]] = field(default_factory=list)


def _choose_place(query: str) -> tuple[Territory | None, list[PlaceChoice], bool]:
    """(chosen settlement, choices to offer, not found).

    Same-named places are offered with how many centres are around each, those with
    centres in their hromada first, so the resident's likely choice is at the top.
    """
    matches = settlement_search(query, limit=12)
    exact = [m for m in matches if m.exact]
    if len(exact) == 1:
        return exact[0].territory, [], False
    if not exact and len(matches) == 1:
        return matches[0].territory, [], False
    offered = exact or matches
    counts = selectors.centre_counts_around([m.territory for m in offered])
    choices = [PlaceChoice(m.territory, *counts[m.territory.pk]) for m in offered]
    choices.sort(key=lambda c: (c.in_hromada == 0, c.in_oblast == 0))
    return None, choices, not matches


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
            place, result.choices, result.place_not_found = _choose_place(data["place"])
        result.place = place
        filters = selectors.CentreFilters(
            region=data["region"],
            settlement=place,
            open_now=data["open_now"],
            features=data["features"],
        )
        base = selectors.centre_list_public_with_schedules(filters, moment=moment)
        if data["lat"] is not None and data["lon"] is not None and place is None:
            result.near = True
            pairs = selectors.centres_near(base, latitude=data["lat"], longitude=data["lon"], limit=NEAR_LIMIT)
            result.rows = _rows([c for c, _d in pairs], moment, {c.pk: d for c, d in pairs})
        elif result.choices or result.place_not_found:
            result.rows = []
        else:
            paginator = Paginator(base, PAGE_SIZE)
            result.page = paginator.get_page(request.GET.get("page"))
            result.rows = _rows(list(result.page.object_list), moment)
        if place is not None:
            result.groups = _group_by_proximity(result.rows, place)
    else:
        base = selectors.centre_list_public_with_schedules(selectors.CentreFilters(), moment=moment)
        paginator = Paginator(base, PAGE_SIZE)
        result.page = paginator.get_page(request.GET.get("page"))
        result.rows = _rows(list(result.page.object_list), moment)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "result": result,
        "map_points": _map_points(result.rows),
        "query_string": query.urlencode(),
    }
    template = "directory/finder.html#results" if request.headers.get("HX-Request") else "directory/finder.html"
    return render(request, template, context)


def _still_names(text: str, place: Territory) -> bool:
    return any(match.territory.pk == place.pk for match in settlement_search(text, limit=12) if match.exact)


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
