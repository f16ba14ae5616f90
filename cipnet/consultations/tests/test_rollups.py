"""The tallies stay equal to a recount of the raw entries whatever the writes; the dashboard
summary read from them equals a count of the raw entries; and reads are scoped."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cipnet.consultations import rollups, selectors, services
from cipnet.consultations.models import (
    FREE_TEXT_SERVICE,
    AgeBand,
    Channel,
    Consultation,
    ConsultationChange,
    DailyTotal,
    Dimension,
    Gender,
    HelpKind,
    MonthlyTally,
    Obstacle,
    Outcome,
    RegionDailyTally,
    RegionMonthlyTally,
    SettlementType,
    SocialCategory,
)
from cipnet.consultations.services import ConsultationInput, ServiceRef
from cipnet.core.clock import KYIV, local, now
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.eservices.models import Provider, ServiceCard
from cipnet.testing import World

N_CARDS = 5


@pytest.fixture
def cards(db: Any) -> list[ServiceCard]:
    provider = Provider.objects.create(slug="mincifra", name="Мінцифри")
    return [
        ServiceCard.objects.create(
            identifier=f"card-{i}",
            name=f"Послуга {i}",
            short_description="Коротко",
            description="Докладно",
            kind="administrative",
            provider=provider,
        )
        for i in range(N_CARDS)
    ]


def assert_tallies_match_entries() -> None:
    expected = rollups.recount(Consultation.objects.all())
    assert rollups.stored() == expected
    for model in (DailyTotal, MonthlyTally, RegionDailyTally, RegionMonthlyTally):
        assert not model.objects.filter(count__lte=0).exists()


# --- random entries -------------------------------------------------------------------------


def _month_edges_back() -> list[int]:
    """Days back from today of the last and first days of the last few months (in Kyiv)."""
    today = local(now()).date()
    out = []
    for k in range(0, 4):
        first = selectors.add_months(today.replace(day=1), -k)
        for day in (first - dt.timedelta(days=1), first):
            back = (today - day).days
            if 1 <= back <= 120:
                out.append(back)
    return out


@dataclass(frozen=True)
class Spec:
    days_back: int
    minute: int
    utc: bool
    help_kind: str
    outcome: str
    obstacle: str
    cards: tuple[int, ...]
    free_text: str
    channel: str
    duration: int | None
    gender: str
    age_band: str
    categories: tuple[str, ...]
    settlement: str
    first_visit: bool | None
    satisfaction: int | None

    def to_input(self, cards: list[ServiceCard]) -> ConsultationInput:
        today = local(now()).date()
        day = today - dt.timedelta(days=self.days_back)
        moment = dt.datetime.combine(
            day, dt.time(self.minute // 60, self.minute % 60), tzinfo=dt.UTC if self.utc else KYIV
        )
        if moment > now():  # yesterday late in UTC is still ahead in Kyiv's first hours of the day
            moment -= dt.timedelta(days=1)
        refs = [ServiceRef(card=cards[i]) for i in self.cards]
        if self.free_text:
            refs.append(ServiceRef(text=self.free_text))
        return ConsultationInput(
            occurred_at=moment,
            help_kind=self.help_kind,
            outcome=self.outcome,
            services=refs,
            obstacle=self.obstacle,
            referred_to="ЦНАП" if self.outcome == Outcome.REFERRED else "",
            channel=self.channel,
            duration_minutes=self.duration,
            gender=self.gender,
            age_band=self.age_band,
            categories=list(self.categories),
            settlement_type=self.settlement,
            first_visit=self.first_visit,
            satisfaction=self.satisfaction,
        )


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    cards = tuple(draw(st.lists(st.integers(0, N_CARDS - 1), max_size=3, unique=True)))
    free_text = draw(st.sampled_from(["", "", "Субсидія", "Пенсія"])) if len(cards) < 3 else ""
    help_kind = draw(st.sampled_from(HelpKind.values))
    if help_kind == HelpKind.ESERVICE and not cards and not free_text:
        free_text = "Єдине вікно"
    outcome = draw(st.sampled_from(Outcome.values))
    return Spec(
        days_back=draw(st.one_of(st.sampled_from(_month_edges_back()), st.integers(1, 100))),
        minute=draw(st.one_of(st.sampled_from([0, 1, 60 * 23 - 1, 60 * 23 + 59, 60 * 2 + 30]), st.integers(0, 1439))),
        utc=draw(st.booleans()),
        help_kind=help_kind,
        outcome=outcome,
        obstacle=draw(st.sampled_from(Obstacle.values)) if outcome == Outcome.NOT_POSSIBLE else "",
        cards=cards,
        free_text=free_text,
        channel=draw(st.sampled_from(Channel.values)),
        duration=draw(st.one_of(st.none(), st.integers(1, 480))),
        gender=draw(st.sampled_from(Gender.values)),
        age_band=draw(st.sampled_from(AgeBand.values)),
        categories=tuple(draw(st.lists(st.sampled_from(SocialCategory.values), max_size=3))),
        settlement=draw(st.sampled_from(SettlementType.values)),
        first_visit=draw(st.sampled_from([None, True, False])),
        satisfaction=draw(st.one_of(st.none(), st.integers(1, 5))),
    )


AUTHORS = {0: ["consultant_a", "manager_a", "trainer_a"], 1: ["consultant_b", "manager_b"]}
MANAGERS = {0: "manager_a", 1: "manager_b"}

operations = st.one_of(
    st.tuples(st.just("record"), st.integers(0, 1), st.integers(0, 2), specs(), st.sampled_from([None, 0, 1])),
    st.tuples(
        st.just("record_many"),
        st.integers(0, 1),
        st.integers(0, 2),
        st.lists(st.tuples(specs(), st.booleans()), min_size=1, max_size=4),
        st.sampled_from([None, 0, 1]),
    ),
    st.tuples(st.just("update"), st.integers(0, 1000), st.booleans(), specs()),
    st.tuples(st.just("delete"), st.integers(0, 1000), st.booleans()),
)


class _Rollback(Exception):
    pass


def _run(world: World, cards: list[ServiceCard], ops: list[tuple]) -> None:
    centres = [world.centre_a, world.centre_b]
    keys = [uuid.uuid4(), uuid.uuid4()]
    expected_rows = 0
    for op in ops:
        kind = op[0]
        if kind == "record":
            _k, ci, ai, spec, key_i = op
            author = world.users[AUTHORS[ci][ai % len(AUTHORS[ci])]]
            key = None if key_i is None else keys[key_i]
            result = services.consultation_record(
                author=author, centre=centres[ci], data=spec.to_input(cards), idempotency_key=key
            )
            expected_rows += int(result.created)
        elif kind == "record_many":
            _k, ci, ai, rows, key_i = op
            author = world.users[AUTHORS[ci][ai % len(AUTHORS[ci])]]
            data = {}
            for i, (spec, broken) in enumerate(rows):
                row = spec.to_input(cards)
                if broken:  # a row the grid sends back with its errors
                    row.outcome = Outcome.REFERRED
                    row.referred_to = ""
                data[i] = row
            key = None if key_i is None else keys[key_i]
            many = services.consultation_record_many(author=author, centre=centres[ci], rows=data, idempotency_key=key)
            assert sorted(many.errors) == [
                i for i, (_s, broken) in enumerate(rows) if broken and i not in many.already_saved
            ]
            expected_rows += len(many.saved)
        else:
            entries = list(Consultation.objects.order_by("pk"))
            if not entries:
                continue
            target = entries[op[1] % len(entries)]
            # The centre's manager may change at any time; the author within 24 hours.
            actor = world.users[MANAGERS[0 if target.centre_id == world.centre_a.pk else 1]] if op[2] else target.author
            assert actor is not None
            if kind == "update":
                services.consultation_update(actor=actor, consultation=target, data=op[3].to_input(cards))
            else:
                services.consultation_delete(actor=actor, consultation=target)
                expected_rows -= 1
    assert Consultation.objects.count() == expected_rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operations, min_size=1, max_size=8))
def test_tallies_equal_a_recount_after_any_writes(world: World, cards: list[ServiceCard], ops: list[tuple]) -> None:
    try:
        with transaction.atomic():
            assert not DailyTotal.objects.exists()
            _run(world, cards, ops)
            assert_tallies_match_entries()
            before = rollups.stored()
            written = rollups.rebuild()
            assert written == sum(len(rows) for rows in before.values())
            assert rollups.stored() == before
            # Rebuilding some centres and months only leaves the others as they were.
            today = local(now()).date()
            rollups.rebuild(centre_ids=[world.centre_b.pk], start=today - dt.timedelta(days=40), end=today)
            assert rollups.stored() == before
            raise _Rollback
    except _Rollback:
        pass


def test_rebuild_repairs_damaged_tallies(world: World, cards: list[ServiceCard]) -> None:
    rng = random.Random(7)
    for _ in range(12):
        ci = rng.randrange(2)
        services.consultation_record(
            author=world.users[AUTHORS[ci][0]],
            centre=[world.centre_a, world.centre_b][ci],
            data=ConsultationInput(
                occurred_at=now() - dt.timedelta(days=rng.randrange(1, 90), minutes=rng.randrange(1440)),
                help_kind=HelpKind.ESERVICE,
                outcome=Outcome.COMPLETED,
                services=[ServiceRef(card=cards[rng.randrange(N_CARDS)]), ServiceRef(text="Субсидія")],
                duration_minutes=rng.choice([None, 5, 30]),
                satisfaction=rng.choice([None, 4, 5]),
                categories=rng.sample(SocialCategory.values, rng.randrange(3)),
            ),
        )
    expected = rollups.recount(Consultation.objects.all())
    RegionDailyTally.objects.filter(dimension=Dimension.SERVICE).delete()
    MonthlyTally.objects.update(count=999)
    RegionMonthlyTally.objects.filter(dimension=Dimension.AGE_BAND).update(score_n=7)
    DailyTotal.objects.create(centre=world.centre_a, day=dt.date(2020, 1, 1), count=3)
    assert rollups.stored() != expected
    rollups.rebuild()
    assert rollups.stored() == expected
    # Each entry has one card and one free-text service: both counted once.
    services_total = sum(s[0] for k, s in expected["centre_month"].items() if k[2] == Dimension.SERVICE)
    assert services_total == 2 * Consultation.objects.count()


# --- the summary a dashboard reads ----------------------------------------------------------


def _make_entries(world: World, cards: list[ServiceCard], n: int, seed: int) -> None:
    rng = random.Random(seed)
    today = local(now()).date()
    first = selectors.add_months(today.replace(day=1), -4)
    span = (today - first).days
    free_texts = ["Субсидія", "Пенсія", "Єдине вікно"]
    for i in range(n):
        ci = rng.randrange(2)
        day = first + dt.timedelta(days=rng.randrange(span))
        outcome = rng.choice(Outcome.values)
        chosen = rng.sample(cards, rng.randrange(3))
        refs = [ServiceRef(card=c) for c in chosen]
        if rng.random() < 0.4:
            refs.append(ServiceRef(text=rng.choice(free_texts)))
        data = ConsultationInput(
            occurred_at=dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), tzinfo=KYIV),
            help_kind=HelpKind.ESERVICE if refs else rng.choice(HelpKind.values[1:]),
            outcome=outcome,
            services=refs,
            obstacle=rng.choice(Obstacle.values) if outcome == Outcome.NOT_POSSIBLE else "",
            referred_to="ЦНАП" if outcome == Outcome.REFERRED else "",
            channel=rng.choice(Channel.values),
            duration_minutes=rng.choice([None, 1, 10, 25, 60, 480]),
            gender=rng.choice(Gender.values),
            age_band=rng.choice(AgeBand.values),
            categories=rng.sample(SocialCategory.values, rng.choice([0, 0, 1, 2])),
            settlement_type=rng.choice(SettlementType.values),
            first_visit=rng.choice([None, True, False]),
            satisfaction=rng.choice([None, 1, 2, 3, 4, 5]),
        )
        if i % 5 == 0:
            services.consultation_record_many(
                author=world.users[AUTHORS[ci][0]], centre=[world.centre_a, world.centre_b][ci], rows={0: data}
            )
        else:
            services.consultation_record(
                author=world.users[AUTHORS[ci][i % len(AUTHORS[ci])]],
                centre=[world.centre_a, world.centre_b][ci],
                data=data,
            )


def _expected(entries: list[Consultation]) -> dict[str, dict[str, int]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for c in entries:
        out[Dimension.HELP_KIND][c.help_kind] += 1
        out[Dimension.OUTCOME][c.outcome] += 1
        if c.obstacle:
            out[Dimension.OBSTACLE][c.obstacle] += 1
        out[Dimension.CHANNEL][c.channel] += 1
        out[Dimension.GENDER][c.gender] += 1
        out[Dimension.AGE_BAND][c.age_band] += 1
        out[Dimension.SETTLEMENT][c.settlement_type] += 1
        for category in c.category_values or ["none"]:
            out[Dimension.CATEGORY][category] += 1
        out[Dimension.FIRST_VISIT][{None: "unknown", True: "yes", False: "no"}[c.first_visit]] += 1
        out[Dimension.SATISFACTION][str(c.satisfaction) if c.satisfaction else "none"] += 1
        for value in {str(s.card_id) if s.card_id else FREE_TEXT_SERVICE for s in c.services.all()}:
            out[Dimension.SERVICE][value] += 1
    return {dim: dict(counter) for dim, counter in out.items()}


def _check_summary(where: selectors.ScopeFilter, entries: list[Consultation], start: dt.date, end: dt.date) -> None:
    summary = selectors.summary(where=where, start=start, end=end)
    assert (summary.start, summary.end) == (start, end)
    assert summary.total == len(entries)
    minutes = [c.duration_minutes for c in entries if c.duration_minutes is not None]
    scores = [c.satisfaction for c in entries if c.satisfaction is not None]
    assert summary.minutes_avg == (round(sum(minutes) / len(minutes), 1) if minutes else None)
    assert summary.score_avg == (round(sum(scores) / len(scores), 2) if scores else None)
    assert summary.score_n == len(scores)
    expected = _expected(entries)
    assert set(summary.breakdowns) == set(expected)
    for dimension, counts in expected.items():
        rows = summary.breakdown(dimension)
        assert {r.value: r.count for r in rows} == counts, dimension
        assert len(rows) == len(counts)
        for r in rows:
            assert r.share == pytest.approx(r.count / len(entries))
            assert summary.count(dimension, r.value) == r.count
    assert summary.count(Dimension.OUTCOME, "no-such-value") == 0
    ids = where.centre_ids or ()
    by_centre = selectors.totals_by_centre(where=where, start=start, end=end)
    assert by_centre == dict(Counter(c.centre_id for c in entries))
    for cid in ids:
        assert by_centre.get(cid, 0) == sum(1 for c in entries if c.centre_id == cid)


def test_summary_equals_a_count_of_the_raw_entries(world: World, cards: list[ServiceCard]) -> None:
    _make_entries(world, cards, n=90, seed=20260512)
    today = local(now()).date()
    m0 = today.replace(day=1)
    ranges = [
        # Partial month, two whole months, partial month.
        (selectors.add_months(m0, -4) + dt.timedelta(days=9), selectors.add_months(m0, -1) + dt.timedelta(days=14)),
        # Whole months only.
        (selectors.add_months(m0, -3), m0 - dt.timedelta(days=1)),
        # Within one month.
        (selectors.add_months(m0, -2) + dt.timedelta(days=3), selectors.add_months(m0, -2) + dt.timedelta(days=20)),
        # Across one month boundary, no whole month.
        (selectors.add_months(m0, -2) - dt.timedelta(days=5), selectors.add_months(m0, -2) + dt.timedelta(days=5)),
        # Everything up to today.
        (selectors.add_months(m0, -6), today),
    ]
    all_entries = list(Consultation.objects.prefetch_related("services"))
    assert len(all_entries) == 90
    scopes = [
        (selectors.ScopeFilter(), lambda c: True),
        (selectors.ScopeFilter(centre_ids=(world.centre_a.pk,)), lambda c: c.centre_id == world.centre_a.pk),
        (selectors.ScopeFilter(region_id=world.region_b.pk), lambda c: c.centre_id == world.centre_b.pk),
    ]
    for start, end in ranges:
        months, days = selectors.split_range(start, end)
        for where, keep in scopes:
            entries = [c for c in all_entries if keep(c) and start <= c.day <= end]
            _check_summary(where, entries, start, end)
    # The first range really mixes whole months with partial ones.
    months, days = selectors.split_range(*ranges[0])
    assert (len(months), len(days)) == (2, 2)


def test_summary_labels(world: World, cards: list[ServiceCard]) -> None:
    services.consultation_record(
        author=world.users["consultant_a"],
        centre=world.centre_a,
        data=ConsultationInput(
            occurred_at=now() - dt.timedelta(hours=2),
            help_kind=HelpKind.ESERVICE,
            outcome=Outcome.COMPLETED,
            services=[ServiceRef(card=cards[2]), ServiceRef(text="Субсидія")],
            satisfaction=4,
        ),
    )
    day = local(now() - dt.timedelta(hours=2)).date()
    summary = selectors.summary(where=selectors.ScopeFilter(), start=day, end=day)
    assert summary.total == 1
    labels = {r.value: r.label for r in summary.breakdown(Dimension.SERVICE)}
    assert labels[str(cards[2].pk)] == "Послуга 2"
    assert set(labels) == {str(cards[2].pk), FREE_TEXT_SERVICE}
    assert [r.value for r in summary.breakdown(Dimension.SATISFACTION)] == ["4"]
    assert [r.value for r in summary.breakdown(Dimension.CATEGORY)] == ["none"]


def test_progress_counts_the_current_period(world: World) -> None:
    today = local(now()).date()
    m0 = today.replace(day=1)
    services.consultation_target_set(
        actor=world.users["coordinator_a"],
        centre=world.centre_a,
        starts_on=selectors.add_months(m0, -4),
        period_months=2,
        consultations=4,
    )
    period = selectors.reporting_period(world.centre_a.consultation_targets.get(), on=today)
    inside = [period.start, today]
    outside = [period.start - dt.timedelta(days=1)]
    for day in inside + outside:
        services.consultation_record(
            author=world.users["consultant_a"],
            centre=world.centre_a,
            data=ConsultationInput(
                occurred_at=min(now(), dt.datetime.combine(day, dt.time(0, 5), tzinfo=KYIV)),
                help_kind=HelpKind.INFORMATION,
                outcome=Outcome.COMPLETED,
            ),
        )
    progress = selectors.progress(world.centre_a, on=today)
    assert (progress.period, progress.done, progress.percent) == (period, 2, 50)
    assert selectors.progress(world.centre_b, on=today).target is None


# --- who sees which entries -------------------------------------------------------------------


@pytest.fixture
def entries(world: World) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {"a": [], "b": []}
    for name, centre, author in (
        ("a", world.centre_a, "consultant_a"),
        ("a", world.centre_a, "manager_a"),
        ("b", world.centre_b, "consultant_b"),
    ):
        result = services.consultation_record(
            author=world.users[author],
            centre=centre,
            data=ConsultationInput(
                occurred_at=now() - dt.timedelta(hours=3), help_kind=HelpKind.INFORMATION, outcome=Outcome.COMPLETED
            ),
        )
        out[name].append(result.consultation.pk)
    return out


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("consultant_a", "a"),
        ("manager_a", "a"),
        ("trainer_a", "a"),
        ("consultant_b", "b"),
        ("manager_b", "b"),
        ("coordinator_a", "a"),
        ("coordinator_b", "b"),
        ("admin", "ab"),
        ("resident", ""),
        ("official", ""),
    ],
)
def test_entries_visible_only_in_scope(world: World, entries: dict[str, list[int]], who: str, sees: str) -> None:
    user = world.users[who]
    expected = sorted(pk for name in sees for pk in entries[name])
    visible = selectors.consultation_list_visible_to(user=user)
    assert sorted(visible.values_list("pk", flat=True)) == expected
    for name in "ab":
        for pk in entries[name]:
            if name in sees:
                assert selectors.consultation_get_for_user(user=user, pk=pk).pk == pk
            else:
                with pytest.raises(NotFoundOrNotAllowed):
                    selectors.consultation_get_for_user(user=user, pk=pk)


def test_anonymous_sees_nothing(world: World, entries: dict[str, list[int]]) -> None:
    anonymous = AnonymousUser()
    assert list(selectors.consultation_list_visible_to(user=anonymous)) == []  # type: ignore[arg-type]
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.consultation_get_for_user(user=anonymous, pk=entries["a"][0])  # type: ignore[arg-type]


def test_missing_or_malformed_pk_is_404(world: World, entries: dict[str, list[int]]) -> None:
    admin = world.users["admin"]
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.consultation_get_for_user(user=admin, pk=max(entries["a"] + entries["b"]) + 1)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.consultation_get_for_user(user=admin, pk="abc")  # type: ignore[arg-type]


def test_history_and_centre_lists(world: World, entries: dict[str, list[int]]) -> None:
    assert list(selectors.centres_to_log_for(user=world.users["consultant_b"])) == [world.centre_b]
    assert list(selectors.centres_to_log_for(user=world.users["coordinator_a"])) == []
    assert [r.slug for r in selectors.regions_visible_to(user=world.users["coordinator_a"])] == ["mykolaivska"]
    assert selectors.regions_visible_to(user=world.users["admin"]).count() == 2
    assert ConsultationChange.objects.count() == 3
