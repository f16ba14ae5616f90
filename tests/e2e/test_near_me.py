"""Centres near me: the browser shares its location; the nearest centres come first, with distances."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import BrowserContext, expect

from cipnet.directory import services

from .support import MYKOLAIV, axe_check, uk


def add_centre(data: Any, name: str, latitude: float, longitude: float) -> Any:
    return services.centre_create(
        actor=None,
        name=name,
        host=data.centre_a.host,
        settlement=data.centre_a.settlement,
        address="вул. Нікольська, 1",
        latitude=latitude,
        longitude=longitude,
        status="active",
    )


def test_centres_near_me_are_listed_nearest_first_with_distances(
    data: Any, new_context: Callable[..., BrowserContext]
) -> None:
    # Two more centres in Mykolaiv, made farther one first: the order must come from the distance.
    farther = add_centre(data, "ЦІП у бібліотеці-філії № 5", 46.9750, 32.0600)  # about 4.9 km
    nearer = add_centre(data, "ЦІП у бібліотеці-філії № 2", 46.9500, 31.9800)  # about 2.2 km
    context = new_context(geolocation=MYKOLAIV, permissions=["geolocation"])
    page = context.new_page()
    page.goto("/centres/")
    page.get_by_role("button", name=uk("Find centres near me")).click()

    page.wait_for_url(re.compile(r"lat=46\.9659\d*&lon=31\.9974"))
    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_have_text(uk("Centres nearest to you"))
    names = results.locator(".result h3 a")
    # The centre in Lviv oblast, some 650 km away, is beyond the 400 km the finder looks within.
    expect(names).to_have_text([data.centre_a.name, nearer.name, farther.name])

    unit = re.escape(uk("%(distance)s km from you")).replace(re.escape("%(distance)s"), r"(\d+(?:[.,]\d)?)")
    distances = []
    for text in results.locator(".result").all_inner_texts():
        found = re.search(unit, text)
        assert found, f"no distance in {text!r}"
        distances.append(float(found.group(1).replace(",", ".")))
    assert distances == sorted(distances)
    assert distances == [0.0, 2.2, 4.9]  # shown to 0.1 km under 10 km; the library is where we stand
    axe_check(page, label="near me")
