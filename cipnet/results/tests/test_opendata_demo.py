"""The demonstration programmes' open data: nothing from 1 to 4 shown, nothing hidden recoverable, and
the network's totals for the whole programme are the dashboard's."""

from __future__ import annotations

from decimal import Decimal

from cipnet.directory.tests.conftest import katottg_lines  # noqa: F401 - a fixture
from cipnet.directory.tests.test_demo import demo_territory_rows  # noqa: F401 - a fixture
from cipnet.results import opendata
from cipnet.results.disclosure import SMALL, determined_cells
from cipnet.results.figures import figure
from cipnet.results.models import Indicator, Programme
from cipnet.results.sources import Scope
from cipnet.results.tests.test_demo import loaded  # noqa: F401 - a fixture


def _hidden(cells: dict, rows: list[opendata.Row]) -> set:  # type: ignore[type-arg]
    """The cells the rows leave empty, named as the builder names them."""
    pks = dict(Indicator.objects.values_list("code", "pk"))
    out = set()
    for r in rows:
        base = (pks[r.indicator], r.period, r.place.kind, r.place.code, r.dimension, r.category)
        if r.ratio_unit:
            if r.numerator is None:
                out.add((*base, "numerator"))
            if r.denominator is None:
                out.add((*base, "denominator"))
        elif r.count is None:
            out.add((*base, "count"))
    return out


def test_the_demo_programmes_tables_are_safe_and_add_up_to_the_dashboard(loaded: None) -> None:  # noqa: F811
    seen_suppressed = 0
    for code in ("cip-2014", "mykolaiv-cog-2012"):
        programme = Programme.objects.get(code=code)
        cells, relations, rows = opendata.table_for_checks(programme)
        assert rows
        for relation in relations:
            assert cells[relation.whole] == sum(cells[p] for p in relation.parts), relation
        shown = [v for r in rows for v in (r.count, r.numerator, r.denominator) if v is not None]
        assert not [v for v in shown if 1 <= v <= SMALL]
        hidden = _hidden(cells, rows)
        # the ratio's rest (denominator - numerator) is never printed; it counts as hidden when either is
        rests = {(*k[:-1], "rest") for k in hidden if k[-1] in ("numerator", "denominator")}
        assert not determined_cells(relations, hidden | rests)
        seen_suppressed += len(hidden)
        for indicator in opendata.public_indicators(programme):
            dashboard = figure(indicator, scope=Scope(), start=programme.starts_on, end=programme.ends_on)
            whole = next(
                r
                for r in rows
                if r.indicator == indicator.code
                and r.period.kind == "programme"
                and r.place.kind == "network"
                and r.dimension == "total"
            )
            if whole.ratio_unit:
                assert (whole.numerator, whole.denominator, whole.ratio) == (
                    dashboard.numerator.total,  # type: ignore[union-attr]
                    dashboard.denominator.total,  # type: ignore[union-attr]
                    dashboard.actual,
                ), indicator.code
            else:
                key = (indicator.pk, whole.period, "network", "", "total", "", "count")
                assert cells[key] == dashboard.actual, indicator.code  # the table's figure is the dashboard's
                # shown as it is, unless it is small (the 4 coordination offices of seed 000: suppressed)
                assert whole.count == (None if 1 <= cells[key] <= SMALL else dashboard.actual), indicator.code
    assert seen_suppressed > 0


def test_seed_004_share_is_published_whole(loaded: None) -> None:  # noqa: F811
    rows = opendata.table(Programme.objects.get(code="mykolaiv-cog-2012"))
    c3 = next(r for r in rows if r.indicator == "C3" and r.period.kind == "programme" and r.place.kind == "network")
    assert (c3.numerator, c3.denominator, c3.ratio, c3.ratio_unit, c3.suppressed) == (
        32, 124, Decimal("25.8"), "percent", False,
    )  # fmt: skip
    r3 = [r for r in opendata.table(Programme.objects.get(code="cip-2014")) if r.indicator == "R3.2"]
    whole = next(r for r in r3 if r.period.kind == "programme" and r.place.kind == "network" and r.dimension == "total")
    assert whole.count == 800
