"""The finder (issue 14): light pages with no map until asked, the map when asked, and finder → centre
by keyboard only and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import BrowserContext, Page, expect

from .support import axe_check, uk


def tr(msgid: str) -> str:
    """The Ukrainian of a new interface string, from the project's own catalogue."""
    with translation.override("uk"):
        return translation.gettext(msgid)


PAGE_BUDGET = 150 * 1024  # bytes transferred (encoded), first visit, everything the page loads
MIXED = "миколаiв"  # a Latin "i": no whole-name match, so the finder asks which Миколаїв
FINDER_VIEWS = {
    "no search": "/centres/",
    "a place": "/centres/?place=Миколаїв",
    "the choice list": f"/centres/?place={MIXED}",
    "not found": "/centres/?place=Qwzxxyq",
    "results": "/centres/?region=lvivska",
}


def transferred(context: BrowserContext, path: str) -> tuple[int, list[str]]:
    """Encoded bytes of every response the page loaded (DevTools' own count) and the URLs asked for."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, int] = {}
    urls: list[str] = []
    cdp.on("Network.requestWillBeSent", lambda e: urls.append(e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    page.close()
    return total, urls


@pytest.mark.parametrize("view", list(FINDER_VIEWS))
def test_finder_pages_load_no_map_and_stay_light(
    data: Any, new_context: Callable[..., BrowserContext], view: str
) -> None:
    total, urls = transferred(new_context(), FINDER_VIEWS[view])
    print(f"finder page weight, {view}: {total} bytes encoded")
    assert not [url for url in urls if "leaflet" in url], f"{view}: Leaflet loaded without being asked for"
    # Encoded bytes: HTML compression comes with the compression work of issue 14; until then the
    # HTML counts in full here.
    assert total <= PAGE_BUDGET, f"{view}: {total / 1024:.1f} KB transferred (budget 150 KB)"


def test_the_map_loads_when_asked_with_translated_controls_and_quiet_markers(data: Any, page: Page) -> None:
    page.goto("/centres/?region=lvivska")
    expect(page.locator(".leaflet-container")).to_have_count(0)
    with page.expect_response(re.compile(r"leaflet\.js")):
        page.get_by_role("link", name=tr("Show on map")).click()
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".map-marker")).to_have_count(1)
    markers = page.locator(".map-marker")
    assert markers.first.get_attribute("tabindex") is None
    assert markers.first.get_attribute("aria-hidden") == "true"
    box = markers.first.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", tr("Zoom in"))
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", tr("Zoom out"))
    expect(page.locator(".leaflet-control-attribution a").first).to_have_attribute(
        "title", tr("Leaflet, a library for interactive maps")
    )
    # The markers are not tab stops: tabbing from the map's zoom buttons leaves the map.
    axe_check(page, label="finder map")


def test_near_markers_share_one_numbered_marker(data: Any, page: Page) -> None:
    from cipnet.directory import services

    for n, (lat, lon) in enumerate([(46.9661, 31.9976), (46.9663, 31.9970)]):
        services.centre_create(
            actor=None, name=f"Філія {n}", host=data.centre_a.host, settlement=data.centre_a.settlement,
            address=f"вул. Соборна, {n}", latitude=lat, longitude=lon, status="active",
        )  # fmt: skip
    page.goto("/centres/?region=mykolaivska&map=1")
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".map-marker")).to_have_count(1)
    expect(page.locator(".map-marker")).to_have_text("3")


def test_region_dropdown_waits_for_the_button(data: Any, page: Page) -> None:
    page.goto("/centres/")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "region=" in r.url else None)
    region = page.get_by_label(uk("Region"), exact=True)
    region.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(400)
    assert requests == []
    page.get_by_role("button", name=tr("Show centres")).click()
    expect(page.locator("#finder-status")).to_have_text(re.compile(r"\d"))
    expect(page.locator("#results")).not_to_have_attribute("aria-live", "polite")


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)"))
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab: {seen}")


def test_finder_to_centre_by_keyboard_only(data: Any, page: Page) -> None:
    page.goto("/centres/")
    _tab_to(page, "input[name=place]")
    page.keyboard.type(MIXED)
    page.keyboard.press("Enter")
    expect(page.locator("#results .choices a").first).to_be_visible()
    _tab_to(page, "#results .choices a[href*='UA48060150010035747']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"settlement=UA48060150010035747"))
    _tab_to(page, f"#results a[href$='/centres/{data.centre_a.slug}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/centres/{data.centre_a.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(data.centre_a.name)


def test_finder_to_centre_without_javascript(data: Any, new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/centres/")
    page.get_by_label(uk("City, town or village")).fill("Миколаїв")
    page.get_by_label(uk("City, town or village")).press("Enter")
    page.wait_for_url(re.compile(r"place="))
    # Straight to the oblast centre, with the other Миколаїв offered
    expect(page.locator("#results .choices--other a")).to_have_count(1)
    page.locator("#results").get_by_role("link", name=data.centre_a.name).click()
    page.wait_for_url(re.compile(rf"/centres/{data.centre_a.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(data.centre_a.name)
    # The map link works without JavaScript too: it opens the same list with the map's files and says
    # the map needs JavaScript.
    page.go_back()
    page.get_by_role("link", name=tr("Show on map")).click()
    page.wait_for_url(re.compile(r"map=1"))
    expect(page.locator("#results .result")).to_have_count(1)
