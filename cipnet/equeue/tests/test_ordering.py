"""`ordering.choose_next`: the pure rule of who is called next, as tables and as a property."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cipnet.core.clock import KYIV
from cipnet.equeue.ordering import Candidate, Choice, choose_next

T0 = dt.datetime(2026, 3, 11, 10, 0, tzinfo=KYIV)


def minute(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def P(id_: int, at: int = 0, *, here: bool = False) -> Candidate:
    return Candidate(id_, minute(at), is_priority=True, for_this_desk=here)


def O(id_: int, at: int = 0, *, here: bool = False) -> Candidate:  # noqa: E743
    return Candidate(id_, minute(at), is_priority=False, for_this_desk=here)


# (what waits, the desk's streak, the limit) -> (called ticket, streak after)
TABLE = [
    pytest.param([], 0, 3, None, id="nobody waits"),
    pytest.param([], 3, 3, None, id="nobody waits, streak at the limit"),
    pytest.param([O(1)], 0, 3, Choice(1, 0), id="one ordinary"),
    pytest.param([P(1)], 0, 3, Choice(1, 1), id="one priority"),
    pytest.param([O(1, 0), P(2, 5)], 0, 3, Choice(2, 1), id="priority first, though it came later"),
    pytest.param([O(1, 0), P(2, 5)], 2, 3, Choice(2, 3), id="priority while under the limit"),
    pytest.param([O(1, 0), P(2, 5)], 3, 3, Choice(1, 0), id="limit reached: the ordinary one"),
    pytest.param([O(1, 0), P(2, 5)], 7, 3, Choice(1, 0), id="over the limit (limit lowered): ordinary"),
    pytest.param([P(1), P(2, 1)], 3, 3, Choice(1, 4), id="limit reached but nobody ordinary waits"),
    pytest.param([P(1), O(2)], 1, 1, Choice(2, 0), id="limit of one alternates"),
    pytest.param([P(1), O(2)], 0, 1, Choice(1, 1), id="limit of one, fresh streak"),
    pytest.param([O(1, 0), O(2, 1), O(3, 2)], 0, 3, Choice(1, 0), id="ordinary: earliest first"),
    pytest.param([O(1, 2), O(2, 1), O(3, 3)], 0, 3, Choice(2, 0), id="ordinary: by queued_at, not by id"),
    pytest.param([O(5, 1), O(4, 1), O(6, 1)], 0, 3, Choice(4, 0), id="tie on queued_at: lower id"),
    pytest.param([P(5, 1), P(4, 1), O(1, 0)], 0, 3, Choice(4, 1), id="priority tie: lower id"),
    pytest.param([P(1, 0), O(2, 0), O(3, 9, here=True)], 0, 3, Choice(3, 0), id="transferred here first"),
    pytest.param([P(1, 0), O(3, 9, here=True)], 2, 3, Choice(3, 0), id="transferred ordinary resets the streak"),
    pytest.param([O(1, 0), P(3, 9, here=True)], 3, 3, Choice(3, 4), id="transferred priority even at the limit"),
    pytest.param(
        [O(1, 0, here=True), O(2, 5, here=True), P(3, 0)], 0, 3, Choice(1, 0), id="transferred: earliest first"
    ),
    pytest.param([P(1, 0, here=True), P(2, 0, here=True)], 0, 3, Choice(1, 1), id="transferred tie: lower id"),
]


@pytest.mark.parametrize(("waiting", "streak", "limit", "expected"), TABLE)
def test_choose_next(waiting: list[Candidate], streak: int, limit: int, expected: Choice | None) -> None:
    assert choose_next(waiting, streak=streak, max_streak=limit) == expected


def test_accepts_any_iterable() -> None:
    assert choose_next(iter([O(1), P(2)]), streak=0, max_streak=3) == Choice(2, 1)


def call_until_empty(waiting: list[Candidate], *, limit: int, streak: int = 0) -> list[Candidate]:
    """One desk calling until nobody waits; the called tickets in order."""
    left = {c.id: c for c in waiting}
    called: list[Candidate] = []
    while True:
        choice = choose_next(left.values(), streak=streak, max_streak=limit)
        if choice is None:
            return called
        called.append(left.pop(choice.ticket_id))
        streak = choice.streak


def kinds(called: list[Candidate]) -> str:
    return "".join("P" if c.is_priority else "O" for c in called)


@pytest.mark.parametrize(
    ("priority", "ordinary", "limit", "expected"),
    [
        (5, 2, 3, "PPPOPPO"),
        (7, 2, 3, "PPPOPPPOP"),
        (3, 3, 3, "PPPOOO"),
        (4, 4, 1, "POPOPOPO"),
        (2, 3, 2, "PPOOO"),
        (0, 3, 3, "OOO"),
        (4, 0, 3, "PPPP"),
    ],
)
def test_sequence_at_one_desk(priority: int, ordinary: int, limit: int, expected: str) -> None:
    # Everyone queued at the same moment, so only the rule decides.
    waiting = [P(i) for i in range(1, priority + 1)] + [O(100 + i) for i in range(ordinary)]
    called = call_until_empty(waiting, limit=limit)
    assert kinds(called) == expected
    # Within each group, in ticket order.
    assert [c.id for c in called if c.is_priority] == sorted(c.id for c in called if c.is_priority)
    assert [c.id for c in called if not c.is_priority] == sorted(c.id for c in called if not c.is_priority)


def test_streak_resets_after_an_ordinary_call() -> None:
    waiting = [P(1), P(2), P(3), P(4), P(5), O(10), O(11)]
    streak = 0
    trace = []
    left = {c.id: c for c in waiting}
    while (choice := choose_next(left.values(), streak=streak, max_streak=3)) is not None:
        left.pop(choice.ticket_id)
        streak = choice.streak
        trace.append(streak)
    assert trace == [1, 2, 3, 0, 1, 2, 0]


def test_streak_carried_from_earlier_calls() -> None:
    # The desk already called two priority tickets before these arrived.
    called = call_until_empty([P(1), P(2), O(3)], limit=3, streak=2)
    assert kinds(called) == "POP"


candidates = st.lists(
    st.tuples(st.integers(0, 30), st.booleans(), st.booleans()),
    max_size=40,
).map(
    lambda rows: [
        Candidate(i + 1, minute(at), is_priority=priority, for_this_desk=here)
        for i, (at, priority, here) in enumerate(rows)
    ]
)


@settings(max_examples=300, deadline=None)
@given(waiting=candidates, limit=st.integers(1, 6), streak=st.integers(0, 6))
def test_property_no_starvation_and_each_called_once(waiting: list[Candidate], limit: int, streak: int) -> None:
    called = call_until_empty(waiting, limit=limit, streak=streak)
    # Every ticket is called exactly once.
    assert sorted(c.id for c in called) == sorted(c.id for c in waiting)
    assert len({c.id for c in called}) == len(called)
    # Transferred-here tickets first, then the others.
    here = [c.for_this_desk for c in called]
    assert here == sorted(here, reverse=True)
    # Outside the transferred ones, never more than `limit` priority calls in a row while an
    # ordinary ticket waits (the streak the desk started with counts too).
    run = streak
    left = {c.id for c in waiting}
    for c in called:
        left.discard(c.id)
        ordinary_waits = any(not w.is_priority for w in waiting if w.id in left)
        if c.is_priority and not c.for_this_desk and ordinary_waits:
            assert run < limit, (kinds(called), streak, limit)
        run = run + 1 if c.is_priority else 0
    # Within each group, the earliest place in line first.
    for group in ("here", "priority", "ordinary"):
        members = [
            c
            for c in called
            if (group == "here" and c.for_this_desk)
            or (group == "priority" and not c.for_this_desk and c.is_priority)
            or (group == "ordinary" and not c.for_this_desk and not c.is_priority)
        ]
        assert [(c.queued_at, c.id) for c in members] == sorted((c.queued_at, c.id) for c in members)
