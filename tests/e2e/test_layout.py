"""Issue 14, phones, keyboard and screen readers: focus that can be seen on the dark header and the
kiosk, tap targets of at least 44 px on phones, a booking time grid that fits a phone, and error
summaries that take the focus after a failed submit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .support import FROZEN_NOW, PHONE

#: WCAG contrast of two CSS colours "rgb(r, g, b)" / "rgba(…)" (alpha ignored: opaque colours only).
CONTRAST_JS = """([a, b]) => {
    const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
}"""

#: The focused element's own colours, and the background around it (the first opaque ancestor's).
FOCUS_COLOURS_JS = """el => {
    const opaque = c => c && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c);
    let around = null;
    for (let p = el.parentElement; p; p = p.parentElement) {
        const bg = getComputedStyle(p).backgroundColor; if (opaque(bg)) { around = bg; break; } }
    const s = getComputedStyle(el);
    const indicator = opaque(s.backgroundColor) ? s.backgroundColor
        : (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? s.outlineColor : null);
    const background = opaque(s.backgroundColor) ? s.backgroundColor : around;
    return {text: s.color, background, indicator, around: around || 'rgb(255, 255, 255)',
            label: el.tagName.toLowerCase() + ' "' + (el.innerText || '').trim().slice(0, 30) + '"'};
}"""


def focus_problems(page: Page, selector: str) -> list[str]:
    """Tab to each element of `selector` (by focusing it from the keyboard's point of view) and measure."""
    problems: list[str] = []
    elements = page.locator(selector)
    count = elements.count()
    assert count, f"nothing matches {selector}"
    for i in range(count):
        element = elements.nth(i)
        # Focus as the keyboard does, so :focus-visible applies.
        element.evaluate("el => el.setAttribute('data-target', '1')")
        page.keyboard.press("Tab")  # leave the page's first focus to the keyboard heuristics
        page.evaluate("() => document.querySelector('[data-target]').focus({focusVisible: true})")
        colours = element.evaluate(FOCUS_COLOURS_JS)
        element.evaluate("el => el.removeAttribute('data-target')")
        if colours["indicator"] is None:
            problems.append(f"{colours['label']}: no focus indicator")
            continue
        indicator = page.evaluate(CONTRAST_JS, [colours["indicator"], colours["around"]])
        text = page.evaluate(CONTRAST_JS, [colours["text"], colours["background"]])
        if indicator < 3:
            problems.append(f"{colours['label']}: focus indicator {indicator:.2f}:1 against its surroundings")
        if text < 4.5:
            problems.append(f"{colours['label']}: text {text:.2f}:1 on its focused background")
    return problems


@pytest.mark.parametrize("path", ["/", "/en/about/"])
def test_focused_header_links_and_language_buttons_are_readable(data: Any, page: Page, path: str) -> None:
    page.goto(path)
    page.keyboard.press("Tab")
    problems = focus_problems(page, ".site-header a, .site-header .lang-switch button")
    assert not problems, "\n".join(problems)


def test_focused_kiosk_language_links_are_readable(
    data: Any, new_context: Callable[..., BrowserContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cipnet.equeue import services

    config = services.queue_setup(actor=None, centre=data.centre_a)
    page = new_context(viewport={"width": 1024, "height": 1366}, has_touch=True).new_page()
    page.goto(f"/queue/kiosk/{config.kiosk_token}/")
    page.keyboard.press("Tab")
    problems = focus_problems(page, ".kiosk-langs a")
    assert not problems, "\n".join(problems)


TAP_TARGETS = {
    "header links": ".site-nav a",
    "language buttons": ".lang-switch button",
    "breadcrumb links": ".breadcrumbs a",
    "footer links": ".site-footer a",
}


def small_targets(page: Page, selector: str) -> list[str]:
    sizes = page.locator(selector).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [e.tagName.toLowerCase() + ' \"' + (e.innerText || e.name || '').trim().slice(0, 30) + '\"',"
        " Math.round(r.width), Math.round(r.height)]; })"
    )
    assert sizes, f"nothing matches {selector}"
    return [f"{name}: {w}×{h} px" for name, w, h in sizes if h < 44 or w < 24]


def test_tap_targets_are_at_least_44_px_on_a_phone(data: Any, new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(**PHONE).new_page()
    problems: list[str] = []
    page.goto(f"/centres/{data.centre_a.slug}/")
    for label, selector in TAP_TARGETS.items():
        problems += [f"{label}: {p}" for p in small_targets(page, selector)]
    page.goto("/reception/new/appeal/")
    # A radio or checkbox row: its label is what a finger taps.
    problems += [f"radio/checkbox row: {p}" for p in small_targets(page, ".checkbox label")]
    problems += [f"file input: {p}" for p in small_targets(page, "input[type=file]")]
    assert not problems, "\n".join(problems)


def test_booking_times_fit_a_phone(data: Any, new_context: Callable[..., BrowserContext], monkeypatch: Any) -> None:
    import cipnet.equeue.selectors
    import cipnet.equeue.services
    import cipnet.equeue.views_kiosk
    from cipnet.equeue import services
    from cipnet.equeue.models import QueueTopic

    for module in (cipnet.equeue.services, cipnet.equeue.selectors, cipnet.equeue.views_kiosk):
        monkeypatch.setattr(module, "now", lambda: FROZEN_NOW)
    config = services.queue_setup(actor=None, centre=data.centre_a)
    config.booking_enabled = True
    config.save(update_fields=["booking_enabled"])
    topic = QueueTopic.objects.filter(centre=data.centre_a).order_by("position").first()
    assert topic is not None
    day = (FROZEN_NOW + dt.timedelta(days=1)).date().isoformat()
    for width in (320, 390):
        page = new_context(**{**PHONE, "viewport": {"width": width, "height": 844}}).new_page()
        page.goto(f"/queue/{data.centre_a.slug}/book/?topic={topic.pk}&day={day}")
        assert page.locator(".time-option").count() > 4
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= width, f"the time grid is {scroll_width} px wide on a {width} px screen"


@pytest.mark.parametrize(
    ("path", "submit"),
    [
        ("/accounts/login/", "main button[type=submit]"),
        ("/reception/new/appeal/", "main form button[type=submit]"),
    ],
)
def test_the_error_summary_takes_the_focus_after_a_failed_submit(data: Any, page: Page, path: str, submit: str) -> None:
    page.goto(path)
    page.locator(submit).last.click()
    # The summary is in the HTML at once; base.js moves the focus to it when the page has loaded.
    expect(page.locator("#error-summary")).to_be_focused()
