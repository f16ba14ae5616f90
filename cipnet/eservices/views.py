"""Public catalogue: search, browse, card pages; and the consultants' autocomplete."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from cipnet.accounts import throttle
from cipnet.core import pagecache
from cipnet.directory import selectors as directory_selectors
from cipnet.directory.placesearch import settlement_search
from cipnet.eservices import search, selectors, services
from cipnet.eservices.forms import CatalogueForm
from cipnet.eservices.jsonld import card_jsonld
from cipnet.eservices.models import ChannelType, ServiceCard

PAGE_SIZE = 20
SEARCH_LIMIT = 30
#: Searches per address per minute before results stop being logged (keeps the log honest).
LOG_LIMIT_PER_MINUTE = 30


def _log_search(request: HttpRequest, text: str, results: int) -> None:
    if not throttle.hit_rate_limit(
        scope="catalogue-search-log", ip=throttle.client_ip(request), limit=LOG_LIMIT_PER_MINUTE, window_seconds=60
    ):
        services.search_log_record(query=text, results=results)


def _log_kept_search(request: HttpRequest, notes: dict[str, Any]) -> None:
    """A search answered with a kept page is logged like any other."""
    if "search" in notes:
        _log_search(request, *notes["search"])


@pagecache.public_page(on_hit=_log_kept_search)
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "facets": selectors.facets()}
    valid = form.is_bound and form.is_valid()
    filters = selectors.CardFilters.from_data(form.cleaned_data if valid else {})
    if filters.text:
        result = search.search(filters.text, limit=SEARCH_LIMIT, filters=filters)
        _log_search(request, filters.text, len(result.hits))
        pagecache.note(request, search=(filters.text, len(result.hits)))
        context.update(result=result, query=filters.text, hits=_hit_rows(result))
    else:
        page = Paginator(selectors.card_list_public(filters), PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(page=page, filtered=filters.narrowed)
        context["most_asked"] = [] if filters.narrowed else selectors.most_asked(region=filters.region)
    query = request.GET.copy()
    query.pop("page", None)
    context["query_string"] = query.urlencode()
    return render(request, "eservices/catalogue.html", context)


#: Results far weaker than the best one are noise to a resident (one common word matched).
RELATIVE_CUTOFF = 0.3


def _hit_rows(result: search.SearchResult) -> list[dict[str, Any]]:
    rows = []
    best = result.hits[0].score if result.hits else 0
    for hit in result.hits:
        if hit.score < best * RELATIVE_CUTOFF:
            break
        card = hit.card
        rows.append(
            {
                "card": card,
                "name": search.highlight(card.display_name, result.terms),
                "summary": search.highlight(card.display_short_description, result.terms),
                "matched": hit.matched,
            }
        )
    return rows


def suggest(request: HttpRequest) -> HttpResponse:
    """Autocomplete: a short list of cards as the consultant types (an HTMX fragment)."""
    text = request.GET.get("q", "")[:200]
    hits = search.autocomplete(text, limit=8) if len(text.strip()) >= 2 else []
    terms = search.analyse(text)
    rows = [{"card": h.card, "name": search.highlight(h.card.display_name, terms)} for h in hits]
    return render(request, "eservices/suggest.html", {"rows": rows, "query": text})


def _log_click(request: HttpRequest, notes: dict[str, Any] | None = None) -> None:
    """A card opened from the search results counts as a click on that search."""
    if request.GET.get("q"):
        services.search_log_click(query=request.GET["q"])


@pagecache.public_page(on_hit=_log_click)
def card_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    card = selectors.card_get_public(identifier=identifier)
    _log_click(request)
    channels = [c for c in card.channels if not c.get("historical")]
    history = [c for c in card.channels if c.get("historical")]
    labels = dict(ChannelType.choices)
    for channel in channels + history:
        channel["type_label"] = labels.get(channel.get("type", ""), "")
    stale = card.needs_verification
    place_text = request.GET.get("place", "")[:100].strip()
    place = None
    place_not_found = False
    if place_text:
        matches = [m for m in settlement_search(place_text, limit=5) if m.exact] or settlement_search(
            place_text, limit=1
        )
        place = matches[0].territory if matches else None
        place_not_found = place is None
    # A consultant prints the card for a visitor at their own centre: list from there.
    origin = directory_selectors.centre_own_first(user=request.user)
    context = {
        "card": card,
        "channels": channels,
        "history": history,
        "centres": selectors.centres_helping_with(
            card=card, near=place, origin=origin, limit=selectors.PRINT_NEAREST if origin else 10
        ),
        "place": place,
        "place_text": place_text,
        "place_not_found": place_not_found,
        "stale": stale,
        "jsonld": card_jsonld(card, request),
        # The print view: the printout's layout (works without JavaScript; with it, the dialog opens).
        "print_view": request.GET.get("print") == "1",
        "card_query": urlencode({"place": place_text}) if place_text else "",
    }
    return render(request, "eservices/card_detail.html", context)


def card_preview_context(card: ServiceCard) -> dict[str, Any]:
    """What the card template needs, for the editor's preview of an unsaved card."""
    labels = dict(ChannelType.choices)
    channels = [dict(c, type_label=labels.get(c.get("type", ""), "")) for c in card.channels]
    return {
        "card": card,
        "channels": [c for c in channels if not c.get("historical")],
        "history": [c for c in channels if c.get("historical")],
        "centres": [],
        "stale": False,
        "preview": True,
    }
