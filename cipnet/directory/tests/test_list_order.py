"""The finder's and the API's paginated lists (selectors.RegionOrderedCentres, IdsFirstCentres) give
exactly the order of the plain sorted query, page by page, with and without filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator

from cipnet.directory import selectors
from cipnet.directory.models import Centre
from cipnet.directory.tests.api_fixtures import KYIV, NOW, STRYI, VYNNYKY, Directory

NAMES = ["Яблунів", "Андріївка", "Ґалаґан", "Єрки", "Бережани", "Іршава", "Жовква", "Вишнівка", "Їжаківка"]


@pytest.fixture
def many(directory: Directory) -> Directory:
    places = [directory.places[KYIV], directory.places[STRYI], directory.places[VYNNYKY]]
    for n in range(27):
        directory.add_centre(
            f"c{n}",
            name=f"ЦІП {NAMES[n % len(NAMES)]} {n // len(NAMES) or ''}".strip(),
            settlement=places[n % 3],
            features=["step_free"] if n % 2 else [],
            status="planned" if n % 9 == 4 else "active",
        )
    return directory


def _reference(filters: selectors.CentreFilters) -> list[int]:
    qs = selectors.centre_list_public(filters, moment=NOW)
    if filters.settlement is not None:
        return list(qs.order_by("proximity", "name", "pk").values_list("pk", flat=True))
    return list(qs.order_by("region__name", "name", "pk").values_list("pk", flat=True))


def _paged(filters: selectors.CentreFilters, size: int) -> list[int]:
    paginator = Paginator(selectors.centre_list_page_source(filters, moment=NOW), size)  # type: ignore[arg-type]
    return [centre.pk for number in paginator.page_range for centre in paginator.page(number).object_list]


FILTERS: list[dict[str, Any]] = [
    {},
    {"features": ("step_free",)},
    {"open_now": True},
    {"open_now": True, "features": ("step_free",)},
    {"text": "Андр"},
]


@pytest.mark.parametrize("size", [1, 4, 7, 20])
@pytest.mark.parametrize("fields", FILTERS)
def test_pages_follow_region_then_name_across_regions(many: Directory, fields: dict[str, Any], size: int) -> None:
    filters = selectors.CentreFilters(**fields)
    expected = _reference(filters)
    assert expected, "the case must list something"
    assert _paged(filters, size) == expected
    assert len(selectors.centre_list_page_source(filters, moment=NOW)) == len(expected)  # type: ignore[arg-type]


def test_one_region_alone_and_with_filters(many: Directory) -> None:
    for fields in ({}, {"features": ("step_free",), "open_now": True}):
        filters = selectors.CentreFilters(region=many.lviv_region, **fields)
        assert _reference(filters)
        assert _paged(filters, 5) == _reference(filters)


def test_nothing_matches(many: Directory) -> None:
    filters = selectors.CentreFilters(text="Немає такого")
    assert _paged(filters, 5) == [] and len(selectors.centre_list_page_source(filters, moment=NOW)) == 0  # type: ignore[arg-type]


def test_a_place_lists_by_proximity_with_it_on_each_centre(many: Directory) -> None:
    filters = selectors.CentreFilters(settlement=many.places[STRYI])
    expected = _reference(filters)
    assert _paged(filters, 4) == expected
    page = Paginator(selectors.centre_list_page_source(filters, moment=NOW), 50).page(1)  # type: ignore[arg-type]
    assert [c.proximity for c in page.object_list] == sorted(c.proximity for c in page.object_list)  # type: ignore[attr-defined]
    assert page.object_list[0].settlement == many.places[STRYI]


def test_single_items_and_the_end_of_the_list(many: Directory) -> None:
    listed = selectors.centre_list_page_source(selectors.CentreFilters(), moment=NOW)
    expected = _reference(selectors.CentreFilters())
    assert isinstance(listed[0], Centre) and listed[0].pk == expected[0]
    assert listed[len(expected) - 1].pk == expected[-1] and listed[-1].pk == expected[-1]
    with pytest.raises(IndexError):
        listed[len(expected)]
    assert [c.pk for c in listed] == expected
