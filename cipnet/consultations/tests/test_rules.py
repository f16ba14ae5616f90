"""The consultation log's rules: validation, idempotency, who may record / change, the audit
trail, targets and reporting periods, and the hand-over token from the electronic queue."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import translation

from cipnet.consultations import selectors, services
from cipnet.consultations.models import (
    CATEGORY_BITS,
    ChangeAction,
    Consultation,
    ConsultationChange,
    ConsultationService,
    ConsultationTarget,
    Source,
)
from cipnet.consultations.services import ConsultationInput, ServiceRef
from cipnet.core.clock import KYIV, now
from cipnet.core.errors import Forbidden, NotFoundOrNotAllowed
from cipnet.eservices.models import Provider, ServiceCard
from cipnet.testing import World


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
        for i in range(5)
    ]


def make_input(**overrides: Any) -> ConsultationInput:
    values: dict[str, Any] = {
        "occurred_at": now() - dt.timedelta(hours=1),
        "help_kind": "information",
        "outcome": "completed",
    }
    values.update(overrides)
    return ConsultationInput(**values)


def errors_of(data: ConsultationInput, world: World, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        services.validate(data, centre=world.centre_a, **kwargs)
    return exc.value.message_dict


def record(world: World, who: str = "consultant_a", **overrides: Any) -> Consultation:
    result = services.consultation_record(author=world.users[who], centre=world.centre_a, data=make_input(**overrides))
    assert result.created is True
    return result.consultation


# --- validate -------------------------------------------------------------------------------


def test_a_plain_entry_is_valid(world: World) -> None:
    assert services.validate(make_input(), centre=world.centre_a) is None


def test_future_time_is_refused_beyond_five_minutes(world: World) -> None:
    moment = dt.datetime(2026, 5, 12, 12, 0, tzinfo=KYIV)
    services.validate(make_input(occurred_at=moment + dt.timedelta(minutes=5)), centre=world.centre_a, at=moment)
    with translation.override("en"):
        errors = errors_of(make_input(occurred_at=moment + dt.timedelta(minutes=6)), world, at=moment)
    assert errors == {"occurred_at": ["This time is in the future."]}


def test_entries_older_than_a_year_are_refused(world: World) -> None:
    moment = dt.datetime(2026, 5, 12, 12, 0, tzinfo=KYIV)
    services.validate(make_input(occurred_at=moment - dt.timedelta(days=366)), centre=world.centre_a, at=moment)
    with translation.override("en"):
        errors = errors_of(make_input(occurred_at=moment - dt.timedelta(days=366, seconds=1)), world, at=moment)
    assert errors == {"occurred_at": ["Entries older than a year cannot be added."]}


def test_future_time_is_refused_by_record(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        record(world, occurred_at=now() + dt.timedelta(hours=1))
    assert list(exc.value.message_dict) == ["occurred_at"]
    assert Consultation.objects.count() == 0


def test_eservice_needs_a_service(world: World, cards: list[ServiceCard]) -> None:
    assert list(errors_of(make_input(help_kind="eservice"), world)) == ["services"]
    # Blank free text does not count as a service.
    assert list(errors_of(make_input(help_kind="eservice", services=[ServiceRef(text="   ")]), world)) == ["services"]
    services.validate(make_input(help_kind="eservice", services=[ServiceRef(card=cards[0])]), centre=world.centre_a)
    services.validate(make_input(help_kind="eservice", services=[ServiceRef(text="Пенсія")]), centre=world.centre_a)


def test_at_most_three_services(world: World, cards: list[ServiceCard]) -> None:
    three = [ServiceRef(card=c) for c in cards[:3]]
    services.validate(make_input(help_kind="eservice", services=three), centre=world.centre_a)
    four = [ServiceRef(card=c) for c in cards[:4]]
    with translation.override("en"):
        errors = errors_of(make_input(help_kind="eservice", services=four), world)
    assert errors == {"services": ["At most 3 services per visitor."]}


def test_at_most_one_free_text_service(world: World, cards: list[ServiceCard]) -> None:
    one = [ServiceRef(card=cards[0]), ServiceRef(text="Субсидія")]
    services.validate(make_input(help_kind="eservice", services=one), centre=world.centre_a)
    two = [ServiceRef(text="Субсидія"), ServiceRef(text="Пенсія")]
    with translation.override("en"):
        errors = errors_of(make_input(help_kind="eservice", services=two), world)
    assert errors == {
        "services": ["Only one service that is not in the catalogue per visitor; choose the others from the list."]
    }


def test_free_text_service_length(world: World) -> None:
    services.validate(make_input(services=[ServiceRef(text="a" * 200)]), centre=world.centre_a)
    assert list(errors_of(make_input(services=[ServiceRef(text="a" * 201)]), world)) == ["services"]


def test_referred_needs_where(world: World) -> None:
    with translation.override("en"):
        assert errors_of(make_input(outcome="referred"), world) == {
            "referred_to": ["Say where the visitor was referred."]
        }
        assert errors_of(make_input(outcome="referred", referred_to="   "), world) == {
            "referred_to": ["Say where the visitor was referred."]
        }
    services.validate(make_input(outcome="referred", referred_to="ЦНАП"), centre=world.centre_a)


def test_not_possible_needs_an_obstacle(world: World) -> None:
    with translation.override("en"):
        assert errors_of(make_input(outcome="not_possible"), world) == {"obstacle": ["Say why it was not possible."]}
    services.validate(make_input(outcome="not_possible", obstacle="portal_down"), centre=world.centre_a)


def test_referred_to_and_obstacle_are_cleared_for_other_outcomes(world: World) -> None:
    c = record(world, outcome="completed", referred_to="ЦНАП", obstacle="portal_down")
    c.refresh_from_db()
    assert (c.referred_to, c.obstacle) == ("", "")
    c = record(world, outcome="referred", referred_to="  ЦНАП  ", obstacle="portal_down")
    c.refresh_from_db()
    assert (c.outcome, c.referred_to, c.obstacle) == ("referred", "ЦНАП", "")
    c = record(world, outcome="not_possible", referred_to="ЦНАП", obstacle="no_esignature")
    c.refresh_from_db()
    assert (c.outcome, c.referred_to, c.obstacle) == ("not_possible", "", "no_esignature")


@pytest.mark.parametrize(
    ("overrides", "field", "what"),
    [
        ({"note": "Просила передзвонити +380501234567"}, "note", "a phone number"),
        ({"note": "пошта olena@ukr.net"}, "note", "an e-mail address"),
        ({"note": "паспорт КК 123456"}, "note", "a passport or ID-card number"),
        ({"outcome": "referred", "referred_to": "до ЦНАПу, 050 123 45 67"}, "referred_to", "a phone number"),
        ({"outcome": "referred", "referred_to": "до лікаря Петренка"}, "referred_to", "a person's name"),
        ({"services": [ServiceRef(text="Довідка для olena@ukr.net")]}, "services", "an e-mail address"),
        ({"services": [ServiceRef(text="Картка 123456789")]}, "services", "a passport or ID-card number"),
    ],
)
def test_personal_data_is_refused_naming_the_field(
    world: World, overrides: dict[str, Any], field: str, what: str
) -> None:
    with translation.override("en"):
        errors = errors_of(make_input(**overrides), world)
    assert errors == {
        field: [
            f"This looks like {what}. The log keeps no personal data: remove names, phone numbers, "
            "e-mails, tax and passport numbers."
        ]
    }
    with pytest.raises(ValidationError):
        record(world, **overrides)
    assert Consultation.objects.count() == 0


def test_several_errors_are_reported_together(world: World) -> None:
    errors = errors_of(
        make_input(
            occurred_at=now() + dt.timedelta(days=1),
            help_kind="eservice",
            outcome="not_possible",
            note="тел. 37-15-80",
            categories=["nonsense"],
        ),
        world,
    )
    assert set(errors) == {"occurred_at", "services", "obstacle", "note", "categories"}


def test_consultant_must_work_in_the_centre(world: World) -> None:
    assert list(errors_of(make_input(consultant=world.users["consultant_b"]), world)) == ["consultant"]
    services.validate(make_input(consultant=world.users["trainer_a"]), centre=world.centre_a)


def test_dates_and_times_in_a_note_are_fine(world: World) -> None:
    c = record(world, note="Повернеться 2026-05-12 14:30, сплатив 1 500 грн, талон А-017")
    assert c.note == "Повернеться 2026-05-12 14:30, сплатив 1 500 грн, талон А-017"


# --- recording: what is stored -------------------------------------------------------------


def test_record_stores_the_entry_services_and_audit(world: World, cards: list[ServiceCard]) -> None:
    moment = dt.datetime.combine(now().astimezone(KYIV).date() - dt.timedelta(days=2), dt.time(0, 30), tzinfo=KYIV)
    c = record(
        world,
        occurred_at=moment,
        help_kind="eservice",
        services=[ServiceRef(card=cards[1]), ServiceRef(card=cards[1]), ServiceRef(text=" Субсидія ")],
        categories=["idp", "pensioner", "idp"],
        duration_minutes=25,
        satisfaction=5,
    )
    c.refresh_from_db()
    # 00:30 in Kyiv is still the previous day in UTC; the day is the Kyiv one.
    assert c.day == moment.date()
    assert c.categories == CATEGORY_BITS["idp"] | CATEGORY_BITS["pensioner"]
    assert sorted(c.category_values) == ["idp", "pensioner"]
    assert (c.author, c.consultant, c.source) == (world.users["consultant_a"], world.users["consultant_a"], "quick")
    assert [(s.card_id, s.free_text, s.position) for s in c.services.all()] == [
        (cards[1].pk, "", 0),
        (None, "Субсидія", 1),
    ]
    [change] = ConsultationChange.objects.filter(consultation_id=c.pk)
    assert change.action == ChangeAction.CREATED
    assert change.actor == world.users["consultant_a"]
    assert change.centre_id == world.centre_a.pk
    assert change.changes["services"] == ["card-1", "text:Субсидія"]
    assert change.changes["categories"] == ["pensioner", "idp"]
    assert change.changes["duration_minutes"] == 25


def test_another_consultant_may_be_named(world: World) -> None:
    c = record(world, who="manager_a", consultant=world.users["trainer_a"])
    assert (c.author, c.consultant) == (world.users["manager_a"], world.users["trainer_a"])


# --- idempotency ------------------------------------------------------------------------------


def test_same_key_twice_saves_one_entry(world: World) -> None:
    key = uuid.uuid4()
    author = world.users["consultant_a"]
    first = services.consultation_record(author=author, centre=world.centre_a, data=make_input(), idempotency_key=key)
    again = services.consultation_record(
        author=author, centre=world.centre_a, data=make_input(note="інша нотатка"), idempotency_key=key
    )
    assert (first.created, again.created) == (True, False)
    assert again.consultation.pk == first.consultation.pk
    assert Consultation.objects.count() == 1
    assert Consultation.objects.get().note == ""
    assert ConsultationChange.objects.count() == 1


def test_same_key_from_different_authors_saves_two_entries(world: World) -> None:
    key = uuid.uuid4()
    a = services.consultation_record(
        author=world.users["consultant_a"], centre=world.centre_a, data=make_input(), idempotency_key=key
    )
    b = services.consultation_record(
        author=world.users["manager_a"], centre=world.centre_a, data=make_input(), idempotency_key=key
    )
    assert (a.created, b.created) == (True, True)
    assert a.consultation.pk != b.consultation.pk
    assert Consultation.objects.count() == 2


def test_without_a_key_every_submission_is_saved(world: World) -> None:
    record(world)
    record(world)
    assert Consultation.objects.count() == 2


# --- record_many ----------------------------------------------------------------------------


def test_record_many_saves_good_rows_and_returns_bad_ones(world: World, cards: list[ServiceCard]) -> None:
    rows = {
        0: make_input(),
        1: make_input(help_kind="eservice"),  # no service
        2: make_input(help_kind="eservice", services=[ServiceRef(card=cards[0])]),
        3: make_input(note="+380501234567"),
        4: make_input(outcome="not_possible", obstacle="portal_down"),
        5: make_input(occurred_at=now() + dt.timedelta(days=1)),
    }
    result = services.consultation_record_many(author=world.users["consultant_a"], centre=world.centre_a, rows=rows)
    assert len(result.saved) == 3
    assert sorted(result.errors) == [1, 3, 5]
    assert list(result.errors[1].message_dict) == ["services"]
    assert list(result.errors[3].message_dict) == ["note"]
    assert list(result.errors[5].message_dict) == ["occurred_at"]
    assert result.already_saved == []
    assert Consultation.objects.count() == 3
    assert set(Consultation.objects.values_list("source", flat=True)) == {Source.BULK}
    assert ConsultationService.objects.get().card == cards[0]
    assert ConsultationChange.objects.filter(action=ChangeAction.CREATED).count() == 3
    assert sorted(ConsultationChange.objects.values_list("consultation_id", flat=True)) == sorted(
        c.pk for c in result.saved
    )


def test_record_many_resubmitted_saves_nothing_twice(world: World) -> None:
    key = uuid.uuid4()
    author = world.users["consultant_a"]
    rows = {0: make_input(), 1: make_input(note="+380501234567"), 2: make_input(channel="phone")}
    first = services.consultation_record_many(author=author, centre=world.centre_a, rows=rows, idempotency_key=key)
    assert (len(first.saved), sorted(first.errors), first.already_saved) == (2, [1], [])
    again = services.consultation_record_many(author=author, centre=world.centre_a, rows=rows, idempotency_key=key)
    assert (again.saved, sorted(again.errors), sorted(again.already_saved)) == ([], [1], [0, 2])
    assert Consultation.objects.count() == 2
    # The fixed row is saved on the next submission, the others still not twice.
    rows[1] = make_input(note="дзвонив родич")
    third = services.consultation_record_many(author=author, centre=world.centre_a, rows=rows, idempotency_key=key)
    assert (len(third.saved), third.errors, sorted(third.already_saved)) == (1, {}, [0, 2])
    assert Consultation.objects.count() == 3
    assert Consultation.objects.filter(idempotency_key=services.row_key(key, 1)).count() == 1


def test_record_many_with_only_bad_rows_saves_nothing(world: World) -> None:
    result = services.consultation_record_many(
        author=world.users["consultant_a"], centre=world.centre_a, rows={7: make_input(outcome="referred")}
    )
    assert (result.saved, list(result.errors), result.already_saved) == ([], [7], [])
    assert Consultation.objects.count() == 0


# --- who may record ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["consultant_a", "manager_a", "trainer_a"])
def test_centre_staff_may_record(world: World, who: str) -> None:
    assert services.can_record_in(world.users[who], world.centre_a) is True
    record(world, who=who)
    assert Consultation.objects.get().author == world.users[who]


@pytest.mark.parametrize("who", ["consultant_b", "manager_b", "coordinator_a", "coordinator_b", "resident", "official"])
def test_others_may_not_record(world: World, who: str) -> None:
    user = world.users[who]
    assert services.can_record_in(user, world.centre_a) is False
    with pytest.raises(NotFoundOrNotAllowed):
        services.consultation_record(author=user, centre=world.centre_a, data=make_input())
    with pytest.raises(NotFoundOrNotAllowed):
        services.consultation_record_many(author=user, centre=world.centre_a, rows={0: make_input()})
    assert Consultation.objects.count() == 0


# --- who may change -----------------------------------------------------------------------


def test_author_may_change_within_24_hours(world: World) -> None:
    c = record(world)
    author = world.users["consultant_a"]
    assert services.can_change(author, c, at=c.created_at + dt.timedelta(hours=23, minutes=59)) is True
    assert services.can_change(author, c, at=c.created_at + dt.timedelta(hours=24)) is False
    assert services.can_change(author, c, at=c.created_at + dt.timedelta(days=3)) is False


def test_author_may_not_change_after_24_hours(world: World) -> None:
    c = record(world)
    Consultation.objects.filter(pk=c.pk).update(created_at=now() - dt.timedelta(hours=25))
    c.refresh_from_db()
    author = world.users["consultant_a"]
    assert services.can_change(author, c) is False
    with pytest.raises(Forbidden):
        services.consultation_update(actor=author, consultation=c, data=make_input(channel="phone"))
    with pytest.raises(Forbidden):
        services.consultation_delete(actor=author, consultation=c)
    assert Consultation.objects.get().channel == "walk_in"


def test_manager_may_change_at_any_time(world: World) -> None:
    c = record(world)
    manager = world.users["manager_a"]
    assert services.can_change(manager, c, at=c.created_at + dt.timedelta(days=300)) is True
    Consultation.objects.filter(pk=c.pk).update(created_at=now() - dt.timedelta(days=30))
    c.refresh_from_db()
    services.consultation_update(actor=manager, consultation=c, data=make_input(channel="phone"))
    assert Consultation.objects.get().channel == "phone"


@pytest.mark.parametrize("who", ["trainer_a", "consultant_b", "manager_b", "coordinator_a", "admin", "resident"])
def test_others_may_not_change(world: World, who: str) -> None:
    c = record(world)
    assert services.can_change(world.users[who], c, at=c.created_at + dt.timedelta(minutes=1)) is False


# --- the audit trail ------------------------------------------------------------------------


def test_update_and_delete_write_the_history(world: World, cards: list[ServiceCard]) -> None:
    author = world.users["consultant_a"]
    c = record(world, help_kind="eservice", services=[ServiceRef(card=cards[0])], duration_minutes=10)
    services.consultation_update(
        actor=author,
        consultation=c,
        data=make_input(
            occurred_at=c.occurred_at,
            help_kind="eservice",
            services=[ServiceRef(card=cards[2])],
            duration_minutes=15,
        ),
    )
    # An update that changes nothing writes no row.
    services.consultation_update(
        actor=author,
        consultation=c,
        data=make_input(
            occurred_at=c.occurred_at, help_kind="eservice", services=[ServiceRef(card=cards[2])], duration_minutes=15
        ),
    )
    c.refresh_from_db()
    services.consultation_delete(actor=world.users["manager_a"], consultation=c)
    assert not Consultation.objects.filter(pk=c.pk).exists()
    assert ConsultationService.objects.count() == 0
    changes = list(selectors.history(consultation_id=c.pk))
    assert [(h.action, h.actor.username) for h in changes] == [
        ("created", "consultant_a"),
        ("changed", "consultant_a"),
        ("deleted", "manager_a"),
    ]
    assert changes[1].changes == {"duration_minutes": [10, 15], "services": [["card-0"], ["card-2"]]}
    assert changes[2].changes["services"] == ["card-2"]
    assert changes[2].changes["duration_minutes"] == 15
    assert changes[2].changes["occurred_at"] == c.occurred_at.isoformat()
    assert changes[0].changes["services"] == ["card-0"]
    assert {h.centre_id for h in changes} == {world.centre_a.pk}


def test_update_moves_the_day(world: World) -> None:
    c = record(world)
    new_time = (now() - dt.timedelta(days=40)).astimezone(KYIV).replace(hour=23, minute=45)
    updated = services.consultation_update(
        actor=world.users["consultant_a"], consultation=c, data=make_input(occurred_at=new_time)
    )
    assert updated.day == new_time.date()
    assert Consultation.objects.get().day == new_time.date()


def test_update_is_validated(world: World) -> None:
    c = record(world)
    with pytest.raises(ValidationError) as exc:
        services.consultation_update(
            actor=world.users["consultant_a"], consultation=c, data=make_input(note="olena@ukr.net")
        )
    assert list(exc.value.message_dict) == ["note"]
    assert Consultation.objects.get().note == ""
    assert ConsultationChange.objects.filter(action=ChangeAction.CHANGED).count() == 0


# --- targets ---------------------------------------------------------------------------------


def test_coordinator_sets_targets_in_their_region(world: World) -> None:
    coordinator = world.users["coordinator_a"]
    target = services.consultation_target_set(
        actor=coordinator, centre=world.centre_a, starts_on=dt.date(2026, 9, 1), period_months=2, consultations=40
    )
    assert (target.centre, target.period_months, target.consultations, target.set_by) == (
        world.centre_a,
        2,
        40,
        coordinator,
    )
    # Setting it again from the same date replaces it.
    services.consultation_target_set(
        actor=coordinator, centre=world.centre_a, starts_on=dt.date(2026, 9, 1), period_months=1, consultations=25
    )
    assert list(ConsultationTarget.objects.values_list("period_months", "consultations")) == [(1, 25)]
    services.consultation_target_set(
        actor=world.users["admin"],
        centre=world.centre_b,
        starts_on=dt.date(2026, 9, 1),
        period_months=2,
        consultations=10,
    )
    assert ConsultationTarget.objects.count() == 2


@pytest.mark.parametrize("who", ["coordinator_b", "manager_a", "consultant_a", "official", "resident"])
def test_others_may_not_set_targets(world: World, who: str) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        services.consultation_target_set(
            actor=world.users[who],
            centre=world.centre_a,
            starts_on=dt.date(2026, 9, 1),
            period_months=2,
            consultations=40,
        )
    assert ConsultationTarget.objects.count() == 0


def test_target_values_are_validated(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.consultation_target_set(
            actor=world.users["coordinator_a"],
            centre=world.centre_a,
            starts_on=dt.date(2026, 9, 1),
            period_months=13,
            consultations=0,
        )
    assert set(exc.value.message_dict) == {"period_months", "consultations"}


# --- reporting periods --------------------------------------------------------------------

D = dt.date


@pytest.mark.parametrize(
    ("starts_on", "months", "on", "start", "end"),
    [
        (D(2026, 9, 1), 2, D(2026, 9, 1), D(2026, 9, 1), D(2026, 10, 31)),
        (D(2026, 9, 1), 2, D(2026, 10, 31), D(2026, 9, 1), D(2026, 10, 31)),
        (D(2026, 9, 1), 2, D(2026, 11, 1), D(2026, 11, 1), D(2026, 12, 31)),
        (D(2026, 9, 1), 2, D(2026, 12, 31), D(2026, 11, 1), D(2026, 12, 31)),
        (D(2026, 9, 1), 2, D(2027, 1, 1), D(2027, 1, 1), D(2027, 2, 28)),
        (D(2026, 9, 1), 2, D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 31)),  # before the start: the first period
        (D(2026, 9, 1), 3, D(2026, 12, 1), D(2026, 12, 1), D(2027, 2, 28)),
        (D(2026, 9, 1), 12, D(2027, 8, 31), D(2026, 9, 1), D(2027, 8, 31)),
        (D(2026, 9, 15), 1, D(2026, 10, 14), D(2026, 9, 15), D(2026, 10, 14)),
        (D(2026, 9, 15), 1, D(2026, 10, 15), D(2026, 10, 15), D(2026, 11, 14)),
        # Starting on the 31st: the anniversary falls on the last day of shorter months.
        (D(2026, 1, 31), 1, D(2026, 2, 27), D(2026, 1, 31), D(2026, 2, 27)),
        (D(2026, 1, 31), 1, D(2026, 2, 28), D(2026, 2, 28), D(2026, 3, 30)),
        (D(2026, 1, 31), 1, D(2026, 3, 30), D(2026, 2, 28), D(2026, 3, 30)),
        (D(2026, 1, 31), 1, D(2026, 3, 31), D(2026, 3, 31), D(2026, 4, 29)),
        (D(2026, 1, 31), 1, D(2026, 4, 30), D(2026, 4, 30), D(2026, 5, 30)),
        (D(2026, 1, 31), 2, D(2026, 3, 30), D(2026, 1, 31), D(2026, 3, 30)),
        (D(2026, 1, 31), 2, D(2026, 3, 31), D(2026, 3, 31), D(2026, 5, 30)),
        (D(2025, 12, 31), 2, D(2026, 2, 27), D(2025, 12, 31), D(2026, 2, 27)),
        (D(2025, 12, 31), 2, D(2026, 2, 28), D(2026, 2, 28), D(2026, 4, 29)),
        (D(2027, 12, 31), 2, D(2028, 2, 28), D(2027, 12, 31), D(2028, 2, 28)),  # leap year
        (D(2027, 12, 31), 2, D(2028, 2, 29), D(2028, 2, 29), D(2028, 4, 29)),
        (D(2026, 8, 31), 6, D(2027, 2, 28), D(2027, 2, 28), D(2027, 8, 30)),
    ],
)
def test_reporting_period(starts_on: dt.date, months: int, on: dt.date, start: dt.date, end: dt.date) -> None:
    target = ConsultationTarget(starts_on=starts_on, period_months=months, consultations=40)
    assert selectors.reporting_period(target, on=on) == selectors.Period(start, end)


@pytest.mark.parametrize("starts_on", [D(2026, 1, 1), D(2026, 1, 15), D(2026, 1, 29), D(2026, 1, 30), D(2026, 1, 31)])
@pytest.mark.parametrize("months", [1, 2, 3, 12])
def test_reporting_periods_tile_the_calendar(starts_on: dt.date, months: int) -> None:
    """Every day from the start on lies in its period, and periods run back to back."""
    target = ConsultationTarget(starts_on=starts_on, period_months=months, consultations=1)
    previous: selectors.Period | None = None
    day = starts_on
    while day < D(2029, 1, 1):
        period = selectors.reporting_period(target, on=day)
        assert period.start <= day <= period.end
        if previous is not None and period != previous:
            assert period.start == previous.end + dt.timedelta(days=1)
        previous = period
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "months", "days"),
    [
        (D(2026, 1, 1), D(2026, 1, 31), [D(2026, 1, 1)], []),
        (D(2026, 1, 1), D(2026, 3, 31), [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)], []),
        (
            D(2026, 1, 15),
            D(2026, 3, 10),
            [D(2026, 2, 1)],
            [(D(2026, 1, 15), D(2026, 1, 31)), (D(2026, 3, 1), D(2026, 3, 10))],
        ),
        (D(2026, 1, 1), D(2026, 2, 27), [D(2026, 1, 1)], [(D(2026, 2, 1), D(2026, 2, 27))]),
        (D(2026, 1, 2), D(2026, 2, 28), [D(2026, 2, 1)], [(D(2026, 1, 2), D(2026, 1, 31))]),
        (D(2026, 1, 15), D(2026, 2, 10), [], [(D(2026, 1, 15), D(2026, 2, 10))]),
        (D(2026, 1, 1), D(2026, 1, 30), [], [(D(2026, 1, 1), D(2026, 1, 30))]),
        (D(2026, 5, 12), D(2026, 5, 12), [], [(D(2026, 5, 12), D(2026, 5, 12))]),
        (
            D(2025, 12, 31),
            D(2026, 2, 1),
            [D(2026, 1, 1)],
            [(D(2025, 12, 31), D(2025, 12, 31)), (D(2026, 2, 1), D(2026, 2, 1))],
        ),
        (D(2025, 11, 1), D(2026, 1, 31), [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1)], []),
        (D(2028, 2, 1), D(2028, 2, 29), [D(2028, 2, 1)], []),
        (D(2028, 2, 1), D(2028, 2, 28), [], [(D(2028, 2, 1), D(2028, 2, 28))]),
        (D(2026, 3, 10), D(2026, 3, 1), [], []),  # empty range
    ],
)
def test_split_range(start: dt.date, end: dt.date, months: list[dt.date], days: list[tuple[dt.date, dt.date]]) -> None:
    assert selectors.split_range(start, end) == (months, days)


def test_split_range_covers_every_day_once() -> None:
    start = D(2025, 12, 20)
    for length in range(0, 120, 7):
        end = start + dt.timedelta(days=length)
        months, days = selectors.split_range(start, end)
        covered: list[dt.date] = []
        for m in months:
            d = m
            while d.month == m.month:
                covered.append(d)
                d += dt.timedelta(days=1)
        for a, b in days:
            covered.extend(a + dt.timedelta(days=i) for i in range((b - a).days + 1))
        assert sorted(covered) == [start + dt.timedelta(days=i) for i in range(length + 1)]


# --- the queue hand-over token ------------------------------------------------------------


def test_prefill_round_trip(world: World, cards: list[ServiceCard]) -> None:
    started = dt.datetime(2026, 5, 12, 10, 0, tzinfo=KYIV)
    token = services.consultation_prefill(
        centre=world.centre_a,
        started_at=started,
        finished_at=started + dt.timedelta(minutes=17, seconds=40),
        cards=[cards[0], cards[3]],
        channel="walk_in",
    )
    assert services.prefill_read(token) == {
        "centre": world.centre_a.pk,
        "occurred_at": started.isoformat(),
        "duration_minutes": 18,
        "cards": ["card-0", "card-3"],
        "channel": "walk_in",
        "help_kind": "eservice",
    }


@pytest.mark.parametrize(
    ("finish_after", "minutes"),
    [(None, None), (dt.timedelta(0), None), (dt.timedelta(minutes=-5), None), (dt.timedelta(seconds=10), 1)],
)
def test_prefill_duration(world: World, finish_after: dt.timedelta | None, minutes: int | None) -> None:
    started = dt.datetime(2026, 5, 12, 10, 0, tzinfo=KYIV)
    token = services.consultation_prefill(
        centre=world.centre_a,
        started_at=started,
        finished_at=None if finish_after is None else started + finish_after,
        help_kind="information",
    )
    data = services.prefill_read(token)
    assert data is not None
    assert (data["duration_minutes"], data["cards"], data["help_kind"]) == (minutes, [], "information")


def test_tampered_prefill_token_is_refused(world: World) -> None:
    token = services.consultation_prefill(centre=world.centre_a, started_at=now())
    assert services.prefill_read(token) is not None
    payload, _sep, signature = token.rpartition(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert services.prefill_read(f"{payload}:{flipped}") is None
    assert services.prefill_read(token[:-3]) is None
    assert services.prefill_read("") is None
    assert services.prefill_read("not-a-token") is None
    # Signed with another salt (another feature's token) is not accepted either.
    other = signing.dumps({"centre": world.centre_a.pk}, salt="something.else")
    assert services.prefill_read(other) is None


def test_old_prefill_token_is_refused(world: World) -> None:
    token = services.consultation_prefill(centre=world.centre_a, started_at=now())
    assert services.prefill_read(token, max_age=dt.timedelta(days=1)) is not None
    assert services.prefill_read(token, max_age=dt.timedelta(seconds=-1)) is None
