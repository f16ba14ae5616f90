from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cipnet.core.clock import KYIV
from cipnet.directory import hours, selectors, services
from cipnet.directory.models import Centre, OpeningException, OpeningHours
from cipnet.testing import World

minutes = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def day_intervals(draw: st.DrawFn) -> list[tuple[int, int]]:
    points = sorted(draw(st.sets(minutes, min_size=0, max_size=4)))
    if len(points) % 2:
        points = points[:-1]
    return [(points[i], points[i + 1]) for i in range(0, len(points), 2)]


def as_time(m: int) -> dt.time:
    return dt.time(m // 60, m % 60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    week=st.lists(day_intervals(), min_size=7, max_size=7),
    exception=st.one_of(st.none(), st.just("closed"), day_intervals()),
    moment_minute=st.integers(min_value=0, max_value=7 * 24 * 60 - 1),
)
def test_open_now_sql_agrees_with_the_pure_rule(world: World, week, exception, moment_minute: int) -> None:
    centre = world.centre_a
    OpeningHours.objects.filter(centre=centre).delete()
    OpeningException.objects.filter(centre=centre).delete()
    weekly = {
        day: [hours.Interval(as_time(a), as_time(b)) for a, b in intervals if a < b]
        for day, intervals in enumerate(week)
    }
    weekly = {d: i for d, i in weekly.items() if i and hours.find_overlap(i) is None}
    services.centre_set_hours(actor=None, centre=centre, week=weekly)
    start = dt.datetime(2026, 11, 23, tzinfo=KYIV)  # a Monday
    moment = start + dt.timedelta(minutes=moment_minute)
    if exception == "closed":
        OpeningException.objects.create(centre=centre, date=moment.date(), is_closed=True)
    elif exception:
        a, b = exception[0] if exception else (0, 1)
        if a < b:
            OpeningException.objects.create(
                centre=centre, date=moment.date(), is_closed=False, opens=as_time(a), closes=as_time(b)
            )
    centre = selectors.with_schedules(Centre.objects.filter(pk=centre.pk), moment=moment).get()
    expected = hours.status_at(selectors.schedule_for(centre), moment).is_open
    in_sql = Centre.objects.filter(selectors.open_now_q(moment), pk=centre.pk).exists()
    assert in_sql is expected
    # A centre whose hour-by-hour week is not written yet: the intervals decide, with the same answer.
    Centre.objects.filter(pk=centre.pk).update(week_by_hour="")
    assert Centre.objects.filter(selectors.open_now_q(moment), pk=centre.pk).exists() is expected


def test_centres_near_orders_by_distance(world: World) -> None:
    # From Mykolaiv (south), the Mykolaiv centre is nearer than the one in Lviv oblast.
    pairs = selectors.centres_near(Centre.objects.all(), latitude=46.97, longitude=32.0, limit=5, max_km=2000)
    assert [c.pk for c, _ in pairs] == [world.centre_a.pk, world.centre_b.pk]
    assert pairs[0][1] < 2
    assert 640 < pairs[1][1] < 680  # Mykolaiv → Stryi raion: about 658 km as the crow flies


def test_haversine_known_distance() -> None:
    # Kyiv → Lviv is about 469 km.
    assert selectors.haversine_km(50.4501, 30.5234, 49.8397, 24.0297) == pytest.approx(469, abs=3)


def test_settlement_filter_orders_by_hromada_then_raion(world: World) -> None:
    place = world.centre_b.settlement
    centres = list(selectors.centre_list_public(selectors.CentreFilters(settlement=place)))
    assert [c.pk for c in centres] == [world.centre_b.pk]  # the other centre is in another oblast
    assert centres[0].proximity == 0  # type: ignore[attr-defined]


def test_scoped_lists(world: World) -> None:
    def names(user: str) -> set[int]:
        return set(selectors.centre_list_visible_to(user=world.users[user]).values_list("pk", flat=True))

    a, b = world.centre_a.pk, world.centre_b.pk
    assert names("consultant_a") == {a}
    assert names("coordinator_b") == {b}
    assert names("admin") == {a, b}
    assert names("resident") == set()
    assert names("official") == set()
