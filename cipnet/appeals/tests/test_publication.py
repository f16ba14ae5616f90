"""Publication: the author's consent, the moderator's review (who may, what may not be published),
the public register (nothing personal, search in any letter case) and the authorities' figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cipnet.accounts.models import User
from cipnet.appeals import publication, selectors, services
from cipnet.appeals.models import (
    Appeal,
    AppealEvent,
    Authority,
    AuthorityKind,
    EventKind,
    Kind,
    Outcome,
    Publication,
    Status,
)
from cipnet.appeals.tests.conftest import Reception, appeal_input, submitted
from cipnet.core.clock import KYIV
from cipnet.core.errors import InvalidTransition
from cipnet.core.pii import rnokpp_is_valid

MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=KYIV)
#: Everything that identifies the author of the fixture's appeal.
SECRETS = [
    "Марія",
    "Іванівна",
    "Петренко",
    "вул. Садова, 5",
    "кв. 12",
    "maria.petrenko",
    "+380 50 123 45 67",
    "123 45 67",
]


def register(*, query: str, authority_slug: str = "", kind: str = "") -> Any:
    return selectors.case_list_public(selectors.RegisterFilters(text=query, authority_slug=authority_slug, kind=kind))


def kyiv(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day} {time}").replace(tzinfo=KYIV)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture
def clock(reception: Reception, monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Freeze `now` in the services and in the publication module."""

    def set_clock(moment: dt.datetime) -> None:
        reception.clock(moment)
        monkeypatch.setattr(publication, "now", lambda: moment)

    return set_clock


def filed(r: Reception, authority: Authority | None = None, **changes: Any) -> Appeal:
    """As conftest's `submitted`, to any authority."""
    if authority is None:
        return submitted(r, **changes)
    consultant = r.world.users["consultant_a"]
    draft = services.appeal_save_draft(
        actor=consultant, data=appeal_input(authority, **changes), centre=r.world.centre_a, consent=True
    )
    return services.appeal_submit(actor=consultant, appeal=draft)


def answered(
    r: Reception,
    *,
    authority: Authority | None = None,
    at: dt.datetime | None = None,
    outcome: str = Outcome.POSITIVE,
    answer: str = "Освітлення відремонтовано 9 грудня, дякуємо за звернення.",
    **changes: Any,
) -> Appeal:
    """A case filed at centre A on MONDAY (unless the clock was set later), answered at `at`."""
    case = filed(r, authority, **changes)
    officials = {r.city.pk: r.clerk, r.oblast.pk: r.oblast_clerk}
    official = officials[case.authority_id]
    assert case.received_at is not None
    case = services.appeal_register(
        actor=official,
        appeal=case,
        registration_number=f"П-{case.pk}",
        registered_on=case.received_at.astimezone(KYIV).date(),
    )
    if at is not None:
        r.clock(at)
    return services.appeal_answer(actor=official, appeal=case, outcome=outcome, text=answer)


def pending(r: Reception, **changes: Any) -> Appeal:
    """Answered and closed by the consultant with the author's consent: waiting for a moderator."""
    case = answered(r, **changes)
    case = services.appeal_close(actor=r.world.users["consultant_a"], appeal=case)
    assert case.publication == Publication.PENDING
    return case


def published(r: Reception, **changes: Any) -> Appeal:
    case = pending(r, **changes)
    return publication.appeal_moderate(
        actor=r.world.users["admin"],
        appeal=case,
        publish=True,
        subject=case.public_subject,
        text=case.public_text,
        answer=case.public_answer,
    )


def _users(r: Reception) -> dict[str, User]:
    return {**r.world.users, "clerk": r.clerk, "head": r.head, "oblast_clerk": r.oblast_clerk}


def _client(r: Reception, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(_users(r)[who])
    return client


# --- Who moderates ----------------------------------------------------------------------------

# (who, queue page status, sees the case in the queue, may review and decide)
MATRIX = [
    ("anonymous", 302, False, False),
    ("resident", 404, False, False),
    ("consultant_a", 404, False, False),  # filed the case, but does not moderate
    ("manager_a", 404, False, False),
    ("official", 404, False, False),
    ("clerk", 404, False, False),  # the authority that answered does not publish itself
    ("coordinator_a", 200, True, True),  # the authority's region
    ("coordinator_b", 200, False, False),  # a moderator of another region: 404 for this case
    ("admin", 200, True, True),
]


@pytest.mark.parametrize(("who", "queue_status", "sees", "may"), MATRIX)
def test_moderation_pages_and_decision(
    reception: Reception, clock: Callable[[dt.datetime], None], who: str, queue_status: int, sees: bool, may: bool
) -> None:
    clock(MONDAY)
    case = pending(reception)
    client = _client(reception, who)

    response = client.get(reverse("reception_moderation:queue"))
    assert response.status_code == queue_status
    if queue_status == 302:
        assert "/accounts/login/" in response.url
    assert (case.number in response.content.decode()) is sees

    response = client.get(reverse("reception_moderation:review", args=[case.pk]))
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response.url
    else:
        assert response.status_code == (200 if may else 404)

    events = AppealEvent.objects.filter(appeal=case).count()
    response = client.post(
        reverse("reception_moderation:review", args=[case.pk]),
        {"decision": "publish", "subject": case.public_subject, "text": case.public_text, "answer": case.public_answer},
    )
    case.refresh_from_db()
    if may:
        assert response.status_code == 302 and response.url == reverse("reception_moderation:queue")
        assert case.publication == Publication.PUBLISHED
        assert AppealEvent.objects.filter(appeal=case).count() == events + 1
    else:
        assert response.status_code in (302, 404)
        assert (case.publication, case.published_at) == (Publication.PENDING, None)
        assert AppealEvent.objects.filter(appeal=case).count() == events


@pytest.mark.parametrize("who", ["coordinator_b", "consultant_a", "resident", "clerk"])
def test_the_service_refuses_who_does_not_moderate_the_case(
    reception: Reception, clock: Callable[[dt.datetime], None], who: str
) -> None:
    clock(MONDAY)
    case = pending(reception)
    with pytest.raises(InvalidTransition, match="moderates publication"):
        publication.appeal_moderate(
            actor=_users(reception)[who], appeal=case, publish=True, subject="Тема", text="Текст", answer="Відповідь"
        )
    case.refresh_from_db()
    assert case.publication == Publication.PENDING
    assert not AppealEvent.objects.filter(appeal=case, kind=EventKind.PUBLICATION).exists()


def test_the_queue_holds_only_waiting_cases_of_the_moderators_regions(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    r = reception
    clock(MONDAY)
    waiting = pending(r)
    done = published(r)
    private = answered(r, publish_consent=False)
    services.appeal_close(actor=r.world.users["consultant_a"], appeal=private)
    oblast_case = pending(r, authority=r.oblast)
    users = r.world.users
    assert list(publication.moderation_queue_visible_to(user=users["coordinator_a"])) == [waiting]
    assert list(publication.moderation_queue_visible_to(user=users["coordinator_b"])) == [oblast_case]
    assert set(publication.moderation_queue_visible_to(user=users["admin"])) == {waiting, oblast_case}
    assert list(publication.moderation_queue_visible_to(user=users["consultant_a"])) == []
    assert done.publication == Publication.PUBLISHED


# --- The decision -----------------------------------------------------------------------------


def test_publishing_and_rejecting(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    r = reception
    clock(MONDAY)
    case = pending(r)
    clock(kyiv("2026-11-20", "12:30"))
    case = publication.appeal_moderate(
        actor=r.world.users["coordinator_a"],
        appeal=case,
        publish=True,
        subject="  Не працює вуличне освітлення ",
        text="На вулиці ███ не світять ліхтарі.\r\nПрошу відремонтувати.",
        answer="Освітлення відремонтовано.",
    )
    assert (case.publication, case.published_at) == (Publication.PUBLISHED, kyiv("2026-11-20", "12:30"))
    assert case.public_subject == "Не працює вуличне освітлення"
    assert case.public_text == "На вулиці ███ не світять ліхтарі.\nПрошу відремонтувати."
    event = AppealEvent.objects.get(appeal=case, kind=EventKind.PUBLICATION)
    assert (event.data, event.public, event.actor) == ({"published": True}, False, r.world.users["coordinator_a"])
    with pytest.raises(InvalidTransition, match="already been decided"):
        publication.appeal_moderate(
            actor=r.world.users["admin"], appeal=case, publish=False, subject="", text="", answer=""
        )

    other = pending(r)
    other = publication.appeal_moderate(
        actor=r.world.users["admin"], appeal=other, publish=False, subject="", text="", answer=""
    )
    assert (other.publication, other.published_at) == (Publication.REJECTED, None)
    assert other.public_text  # the redacted copy stays as it was
    assert AppealEvent.objects.get(appeal=other, kind=EventKind.PUBLICATION).data == {"published": False}


def _tax_number() -> str:
    for n in range(1000):
        candidate = f"{312456780 + n:09d}"
        for check in "0123456789":
            if rnokpp_is_valid(candidate + check):
                return candidate + check
    raise AssertionError


LEFTOVERS = [
    ("text", "Телефонуйте 050 765 43 21, будь ласка."),
    ("text", "Пишіть на kontakt@example.org щодо ремонту."),
    ("answer", "Ідентифікаційний код {tax} перевірено, освітлення відремонтовано."),
    ("answer", "Паспорт КК 123456 перевірено, освітлення відремонтовано."),
    ("answer", "Паспорт (ID-картка) 012345678 перевірено, освітлення відремонтовано."),
    ("text", "Мешканка ПЕТРЕНКО просить полагодити ліхтарі."),  # a part of the name, any case
    ("text", "Пані петренкові відповіли письмово, ліхтарі полагодять."),  # declined, lower case
    ("text", "Заяву пані Петренка розглянуто, ліхтарі полагодять."),  # declined: the ending changes
    ("answer", "Шановна Маріє Іванівно, ліхтарі полагодять."),  # the vocative
    ("subject", "Звернення Марія Іванівна Петренко"),  # the full name
    ("subject", "Ліхтарі: Марія"),  # the first name
    ("text", "Проживає: вул. садова, 5, кв. 12, миколаїв, 54017. Ліхтарі не світять."),  # the address
    ("answer", "Відповідь надіслано на MARIA.PETRENKO@EXAMPLE.ORG, ліхтарі полагоджено."),
    ("answer", "Дзвонили на +380 50 123 45 67, ліхтарі полагоджено."),
]


@pytest.mark.parametrize(("field", "value"), LEFTOVERS)
def test_publishing_refuses_leftover_personal_data(
    reception: Reception, clock: Callable[[dt.datetime], None], field: str, value: str
) -> None:
    clock(MONDAY)
    case = pending(reception)
    texts = {"subject": case.public_subject, "text": case.public_text, "answer": case.public_answer}
    texts[field] = value.format(tax=_tax_number())
    with pytest.raises(ValidationError) as error:
        publication.appeal_moderate(actor=reception.world.users["admin"], appeal=case, publish=True, **texts)
    assert list(error.value.message_dict) == [field]
    assert "still contains" in error.value.message_dict[field][0]
    case.refresh_from_db()
    assert (case.publication, case.published_at) == (Publication.PENDING, None)
    assert case.public_text != value
    assert not AppealEvent.objects.filter(appeal=case, kind=EventKind.PUBLICATION).exists()


@pytest.mark.parametrize(
    "text",
    [
        "Ліхтарі не світять з 12 листопада 2026 року, опора № 14.",  # dates and short numbers
        "Звернення від ███ щодо ліхтарів на вулиці Садовій.",  # the street alone is not the address
    ],
)
def test_publishing_accepts_clean_text(reception: Reception, clock: Callable[[dt.datetime], None], text: str) -> None:
    clock(MONDAY)
    case = pending(reception)
    case = publication.appeal_moderate(
        actor=reception.world.users["admin"],
        appeal=case,
        publish=True,
        subject="Ліхтарі",
        text=text,
        answer="Відремонтовано.",
    )
    assert case.publication == Publication.PUBLISHED


def test_a_name_inside_another_word_does_not_block(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    clock(MONDAY)
    case = pending(reception, author_name="Олег Лис", author_email="", author_phone="")
    case = publication.appeal_moderate(
        actor=reception.world.users["admin"],
        appeal=case,
        publish=True,
        subject="Ліхтарі",
        text="Ліхтарі не світять з листопада.",
        answer="Відремонтовано.",
    )
    assert case.publication == Publication.PUBLISHED


def test_publishing_needs_every_text(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    clock(MONDAY)
    case = pending(reception)
    with pytest.raises(ValidationError) as error:
        publication.appeal_moderate(
            actor=reception.world.users["admin"], appeal=case, publish=True, subject=" ", text="", answer="Так."
        )
    assert sorted(error.value.message_dict) == ["subject", "text"]


def test_the_review_page_shows_errors_and_keeps_what_was_typed(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    clock(MONDAY)
    case = pending(reception)
    client = _client(reception, "coordinator_a")
    page = client.get(reverse("reception_moderation:review", args=[case.pk])).content.decode()
    # Side by side: the original (with the name) and the redacted copy to edit.
    assert "Марія Іванівна Петренко" in page and case.public_text in page
    typed = "Мешканка Петренко просить полагодити ліхтарі біля будинку."
    response = client.post(
        reverse("reception_moderation:review", args=[case.pk]),
        {"decision": "publish", "subject": "Ліхтарі", "text": typed, "answer": case.public_answer},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert typed in page
    assert 'id="id_text_error"' in page and 'aria-invalid="true"' in page
    assert 'id="error-summary"' in page
    case.refresh_from_db()
    assert case.publication == Publication.PENDING

    # Without a decision (a form sent some other way) nothing happens.
    response = client.post(reverse("reception_moderation:review", args=[case.pk]), {"text": typed})
    assert response.status_code == 400 and typed in response.content.decode()
    case.refresh_from_db()
    assert case.publication == Publication.PENDING

    response = client.post(reverse("reception_moderation:review", args=[case.pk]), {"decision": "reject"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.publication == Publication.REJECTED
    # Decided: the page says so and has no form; a second decision is refused without change.
    page = client.get(reverse("reception_moderation:review", args=[case.pk])).content.decode()
    assert 'name="decision"' not in page
    response = client.post(reverse("reception_moderation:review", args=[case.pk]), {"decision": "publish"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.publication == Publication.REJECTED


def test_a_private_case_is_not_for_moderators(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    clock(MONDAY)
    case = answered(reception, publish_consent=False)
    case = services.appeal_close(actor=reception.world.users["consultant_a"], appeal=case)
    assert case.publication == Publication.PRIVATE
    assert _client(reception, "admin").get(reverse("reception_moderation:review", args=[case.pk])).status_code == 404


# --- The author's consent ---------------------------------------------------------------------


def test_withdrawing_consent_takes_the_case_out_of_the_queue(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    clock(MONDAY)
    case = pending(reception)
    case = publication.appeal_set_publish_consent(actor=None, appeal=case, consent=False, token=case.follow_token)
    assert (case.publish_consent, case.publication) == (False, Publication.PRIVATE)
    assert (case.public_subject, case.public_text, case.public_answer) == ("", "", "")
    assert list(publication.moderation_queue_visible_to(user=reception.world.users["admin"])) == []
    event = AppealEvent.objects.get(appeal=case, kind=EventKind.PUBLICATION)
    assert (event.data, event.public) == ({"consent": False}, False)


def test_consent_given_after_closing_queues_the_case(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    clock(MONDAY)
    case = answered(reception, publish_consent=False)
    # While the case is open, consent only changes the flag.
    case = publication.appeal_set_publish_consent(
        actor=reception.world.users["consultant_a"], appeal=case, consent=True
    )
    assert (case.publish_consent, case.publication) == (True, Publication.PRIVATE)
    case = publication.appeal_set_publish_consent(
        actor=reception.world.users["consultant_a"], appeal=case, consent=False
    )
    case = services.appeal_close(actor=reception.world.users["consultant_a"], appeal=case)
    assert case.publication == Publication.PRIVATE
    case = publication.appeal_set_publish_consent(actor=None, appeal=case, consent=True, token=case.follow_token)
    assert (case.publish_consent, case.publication) == (True, Publication.PENDING)
    for text in (case.public_subject, case.public_text, case.public_answer):
        for secret in SECRETS:
            assert secret not in text
    assert case.public_answer.startswith("Освітлення відремонтовано")


@pytest.mark.parametrize("who", ["clerk", "resident", "coordinator_a", "admin"])
def test_only_the_author_changes_consent(reception: Reception, clock: Callable[[dt.datetime], None], who: str) -> None:
    clock(MONDAY)
    case = pending(reception)
    with pytest.raises(InvalidTransition, match="Only the author"):
        publication.appeal_set_publish_consent(actor=_users(reception)[who], appeal=case, consent=False)
    with pytest.raises(InvalidTransition, match="Only the author"):
        publication.appeal_set_publish_consent(actor=None, appeal=case, consent=False, token="wrong")
    case.refresh_from_db()
    assert (case.publish_consent, case.publication) == (True, Publication.PENDING)


def test_consent_cannot_change_once_published(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    clock(MONDAY)
    case = published(reception)
    with pytest.raises(InvalidTransition, match="already published"):
        publication.appeal_set_publish_consent(actor=None, appeal=case, consent=False, token=case.follow_token)
    case.refresh_from_db()
    assert (case.publish_consent, case.publication) == (True, Publication.PUBLISHED)


# --- The public register ----------------------------------------------------------------------

LEAKY_TEXT = (
    "Я, Марія Іванівна Петренко, мешкаю за адресою вул. Садова, 5, кв. 12, Миколаїв, 54017. "
    "Освітлення біля будинку не працює. Телефон +380 50 123 45 67, пошта maria.petrenko@example.org."
)


def _assert_nothing_personal(page: str, case: Appeal) -> None:
    for secret in SECRETS:
        assert secret not in page, secret
    assert case.text not in page
    assert case.author_address not in page


def test_the_register_shows_nothing_personal(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    clock(MONDAY)
    case = published(reception, text=LEAKY_TEXT, subject="Освітлення — Петренко")
    assert "Петренко" not in case.public_subject
    client = Client()
    pages = [
        client.get(reverse("reception_register:search")),
        client.get(reverse("reception_register:search"), {"q": "освітлення"}),
        client.get(reverse("reception_register:case", args=[case.number])),
        client.get(reverse("reception_register:authority", args=[reception.city.slug])),
        client.get(reverse("reception_register:authorities")),
    ]
    for response in pages:
        assert response.status_code == 200
        _assert_nothing_personal(response.content.decode(), case)
    search, _found, detail = (r.content.decode() for r in pages[:3])
    assert case.number in search
    assert case.public_answer in detail and "███" in detail
    assert reception.city.display_name in detail
    # The author's name is not a way into the register either.
    page = client.get(reverse("reception_register:search"), {"q": "Петренко"}).content.decode()
    assert case.number not in page


@pytest.mark.parametrize("state", ["pending", "rejected", "private"])
def test_only_published_cases_are_in_the_register(
    reception: Reception, clock: Callable[[dt.datetime], None], state: str
) -> None:
    clock(MONDAY)
    case = pending(reception)
    if state == "rejected":
        publication.appeal_moderate(
            actor=reception.world.users["admin"], appeal=case, publish=False, subject="", text="", answer=""
        )
    elif state == "private":
        publication.appeal_set_publish_consent(actor=None, appeal=case, consent=False, token=case.follow_token)
    client = Client()
    assert client.get(reverse("reception_register:case", args=[case.number])).status_code == 404
    assert client.get(reverse("reception_register:case", args=["ЗВ-2026-99999"])).status_code == 404
    assert case.number not in client.get(reverse("reception_register:search")).content.decode()
    assert list(register(query="")) == []


@pytest.mark.parametrize("query", ["освітлення", "Освітлення", "ОСВІТЛЕННЯ", "оСВІТЛЕННЯ вуличне", "зв-2026-00001"])
def test_search_finds_a_ukrainian_word_in_any_case(
    reception: Reception, clock: Callable[[dt.datetime], None], query: str
) -> None:
    clock(MONDAY)
    case = published(
        reception,
        subject="Вуличне освітлення",
        text="Освітлення на вулиці Садовій не працює другий місяць. Прошу відремонтувати.",
    )
    # Each spelling of the word stands only in one place of the case.
    assert case.public_subject == "Вуличне освітлення" and case.public_text.startswith("Освітлення")
    assert [c.pk for c in register(query=query)] == [case.pk]


@pytest.mark.parametrize(
    "query",
    ["цнапу", "ЦНАПУ", "ліхтарі", "ЛІХТАРІ не світять", "СадоВій", "пам'ятника", "памʼятника", "ПАМ’ЯТНИКА", "зв-2026"],
)
def test_search_finds_words_inside_the_text_whatever_their_case(
    reception: Reception, clock: Callable[[dt.datetime], None], query: str
) -> None:
    """Upper- and mixed-case Ukrainian words in the middle of a text, and every apostrophe, on
    SQLite too (its LIKE folds only ASCII letters)."""
    clock(MONDAY)
    case = published(
        reception,
        subject="Темно біля пам'ятника",
        text="Другий місяць на вулиці САДОВІЙ біля Памʼятника Не Світять Ліхтарі. У ЦНАПу сказали писати вам.",
    )
    assert [c.pk for c in register(query=query)] == [case.pk]


def test_search_looks_only_in_what_was_published(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    clock(MONDAY)
    case = published(reception, text=LEAKY_TEXT, subject="Освітлення біля будинку")
    assert "Петренко" in case.text and "Петренко" not in case.public_search
    for query in ("Петренко", "петренко", "maria.petrenko", "54017", "освітлення петренко"):
        assert list(register(query=query)) == [], query
    assert [c.pk for c in register(query="ОСВІТЛЕННЯ будинку")] == [case.pk]


def test_search_by_words_authority_and_kind(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    r = reception
    clock(MONDAY)
    lights = published(r, subject="Не працює вуличне освітлення")
    clock(kyiv("2026-11-17"))
    road = published(
        r,
        subject="Яма на дорозі",
        text="На перехресті велика яма, машини пошкоджують колеса. Прошу відремонтувати дорогу.",
        answer="Дорогу відремонтовано, яму засипано.",
    )
    clock(kyiv("2026-11-18"))
    info = published(
        r,
        kind=Kind.INFO_REQUEST,
        appeal_type="",
        authority=r.oblast,
        subject="Кошторис ремонту доріг",
        text="Прошу надати кошторис ремонту доріг області на 2026 рік, у електронному вигляді.",
        answer="Кошторис доріг додано до відповіді.",
    )

    def numbers(**kwargs: Any) -> list[str | None]:
        return [c.number for c in register(**kwargs)]

    assert numbers(query="") == [info.number, road.number, lights.number]  # newest first
    assert numbers(query="відремонтувати") == [road.number, lights.number]
    assert numbers(query="ремонт доріг") == [info.number]  # every word
    assert numbers(query="ДОРОГ", kind=Kind.APPEAL) == [road.number]
    assert numbers(query="", authority_slug=r.oblast.slug) == [info.number]
    assert numbers(query="яма", authority_slug=r.oblast.slug) == []

    client = Client()
    page = client.get(reverse("reception_register:search"), {"kind": "info_request"}).content.decode()
    assert info.number in page and road.number not in page
    # An authority that has nothing published is not a choice; the other filters still apply.
    page = client.get(reverse("reception_register:search"), {"q": "яма", "authority": "nowhere"}).content.decode()
    assert road.number in page


def test_search_with_apostrophes(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    clock(MONDAY)
    case = published(reception, subject="Пам’ятник у сквері", text="Пам’ятник у сквері пошкоджено, прошу відновити.")
    for query in ("пам'ятник", "ПАМʼЯТНИК", "пам’ятник"):
        assert [c.pk for c in register(query=query)] == [case.pk]


def test_the_register_is_paginated_and_cheap(
    reception: Reception, clock: Callable[[dt.datetime], None], django_assert_max_num_queries: Any
) -> None:
    clock(MONDAY)
    cases = [published(reception) for _i in range(23)]
    client = Client()
    with django_assert_max_num_queries(4):
        first = client.get(reverse("reception_register:search"), {"q": "освітлення"})
    page = first.content.decode()
    assert cases[-1].number in page and cases[3].number in page and cases[2].number not in page
    second = client.get(reverse("reception_register:search"), {"q": "освітлення", "page": 2}).content.decode()
    assert cases[0].number in second and cases[-1].number not in second
    with django_assert_max_num_queries(2):
        assert client.get(reverse("reception_register:case", args=[cases[0].number])).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("reception_register:authority", args=[reception.city.slug])).status_code == 200


# --- Statistics -------------------------------------------------------------------------------


def _statistics_cases(r: Reception) -> None:
    """City council: five received; one answered in time after 10.13 days (positive), one late after
    32 days (refused), one overdue, one not yet due, one forwarded to the oblast, plus a draft.
    Oblast: the forwarded case, answered 3 days after it arrived (explained)."""
    r.clock(MONDAY)
    answered(r, at=kyiv("2026-11-26", "13:12"), outcome=Outcome.POSITIVE)
    r.clock(MONDAY)
    answered(r, at=kyiv("2026-12-18"), outcome=Outcome.REFUSED, answer="Відмовлено: опора не на балансі міста.")
    r.clock(MONDAY)
    submitted(r)  # due 16.12: overdue on 20.12
    forwarded = submitted(r)
    r.clock(kyiv("2026-11-17"))
    new = services.appeal_forward(actor=r.clerk, appeal=forwarded, to=r.oblast, reason="Дорога обласного значення.")
    new = services.appeal_register(
        actor=r.oblast_clerk, appeal=new, registration_number="О-1", registered_on=dt.date(2026, 11, 17)
    )
    r.clock(kyiv("2026-11-20"))
    services.appeal_answer(actor=r.oblast_clerk, appeal=new, outcome=Outcome.EXPLAINED, text="Роз'яснено порядок.")
    r.clock(kyiv("2026-12-14"))
    submitted(r)  # due 14.01.2027
    services.appeal_save_draft(
        actor=r.world.users["consultant_a"], data=appeal_input(r.city), centre=r.world.centre_a, consent=True
    )


def test_statistics_per_authority(
    reception: Reception,
    clock: Callable[[dt.datetime], None],
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    r = reception
    _statistics_cases(r)
    quiet = Authority.objects.create(
        slug="quiet", name="Тиха рада", kind=AuthorityKind.HROMADA_COUNCIL, region=r.world.region_a, address="-",
        email="quiet@example.org",
    )  # fmt: skip
    moment = kyiv("2026-12-20", "12:00")
    with django_assert_num_queries(2):
        rows = {s.authority.slug: s for s in publication.authority_statistics(moment=moment)}
    city, oblast = rows[r.city.slug], rows[r.oblast.slug]
    assert (city.received, city.answered_in_time, city.answered_late, city.overdue) == (5, 1, 1, 1)
    assert (city.answered, city.positive, city.positive_percent, city.average_days) == (2, 1, 50, 21.1)
    assert (oblast.received, oblast.answered_in_time, oblast.answered_late, oblast.overdue) == (1, 1, 0, 0)
    assert (oblast.positive_percent, oblast.average_days) == (0, 3.0)
    assert rows[quiet.slug] == publication.AuthorityStats(quiet, 0, 0, 0, 0, 0, None)
    assert rows[quiet.slug].positive_percent is None

    # On 16.12 at noon the open case is still within its term (the moment only decides "overdue").
    (city_then,) = publication.authority_statistics(authority=r.city, moment=kyiv("2026-12-16", "12:00"))
    assert (city_then.received, city_then.overdue, city_then.answered_late) == (5, 0, 1)

    # The pages, with the clock frozen on 20.12.
    clock(moment)
    client = Client()
    with django_assert_max_num_queries(3):
        page = client.get(reverse("reception_register:authorities")).content.decode()
    assert "21,1" in page or "21.1" in page
    assert "50%" in page
    page = client.get(reverse("reception_register:authority", args=[r.city.slug])).content.decode()
    assert "21,1" in page or "21.1" in page
    assert client.get(reverse("reception_register:authority", args=["nowhere"])).status_code == 404


def test_a_case_still_open_is_overdue_only_after_its_due_moment(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    r = reception
    clock(MONDAY)
    case = submitted(r)
    assert case.due_at is not None
    before, after = case.due_at, case.due_at + dt.timedelta(seconds=1)
    assert publication.authority_statistics(authority=r.city, moment=before)[0].overdue == 0
    assert publication.authority_statistics(authority=r.city, moment=after)[0].overdue == 1
    services.appeal_withdraw(actor=r.world.users["consultant_a"], appeal=case)
    (stats,) = publication.authority_statistics(authority=r.city, moment=after)
    assert (stats.received, stats.overdue, stats.answered) == (1, 0, 0)


def test_statuses_are_as_the_lifecycle_left_them(reception: Reception, clock: Callable[[dt.datetime], None]) -> None:
    """The statistics' set-up itself: statuses and answer moments as intended."""
    _statistics_cases(reception)
    statuses = sorted(Appeal.objects.values_list("authority__slug", "status"))
    assert statuses == sorted(
        [
            (reception.city.slug, Status.ANSWERED),
            (reception.city.slug, Status.ANSWERED),
            (reception.city.slug, Status.SUBMITTED),
            (reception.city.slug, Status.FORWARDED),
            (reception.city.slug, Status.SUBMITTED),
            (reception.city.slug, Status.DRAFT),
            (reception.oblast.slug, Status.ANSWERED),
        ]
    )


def test_text_searches_are_limited_per_address(
    reception: Reception, clock: Callable[[dt.datetime], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    from cipnet.appeals import views_register

    cache.clear()
    monkeypatch.setattr(views_register, "SEARCH_LIMIT", 2)
    clock(MONDAY)
    published(reception)
    client = Client(REMOTE_ADDR="203.0.113.9")
    url = reverse("reception_register:search")
    assert [client.get(url, {"q": "освітлення"}).status_code for _i in range(3)] == [200, 200, 429]
    assert client.get(url).status_code == 200  # browsing without words is not counted
    assert Client(REMOTE_ADDR="203.0.113.10").get(url, {"q": "освітлення"}).status_code == 200
    cache.clear()


# --- Suspects: highlighted, confirmed one by one, never the author's name --------------------

FALSE_ALARM = "Ліхтарі біля пам'ятника Тарасові Шевченку не світять."


def test_a_suspect_blocks_publication_until_the_moderator_confirms_it(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    clock(MONDAY)
    case = pending(reception)
    admin = reception.world.users["admin"]
    texts = {"subject": "Ліхтарі", "text": FALSE_ALARM, "answer": "Відремонтовано."}
    with pytest.raises(ValidationError) as error:
        publication.appeal_moderate(actor=admin, appeal=case, publish=True, **texts)
    assert error.value.message_dict["text"] == [
        "It still contains a person's name: “Тарасові Шевченку”. Replace it with ███ or remove it."
    ]
    case.refresh_from_db()
    assert case.publication == Publication.PENDING
    case = publication.appeal_moderate(actor=admin, appeal=case, publish=True, confirmed=["Тарасові Шевченку"], **texts)
    assert case.publication == Publication.PUBLISHED


def test_the_authors_name_in_any_form_cannot_be_confirmed(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    clock(MONDAY)
    case = pending(reception)  # the author is Марія Іванівна Петренко
    texts = {"subject": "Ліхтарі", "text": "Прошу відповісти Марії Петренко.", "answer": "Відремонтовано."}
    with pytest.raises(ValidationError) as error:
        publication.appeal_moderate(
            actor=reception.world.users["admin"], appeal=case, publish=True, confirmed=["Марії Петренко"], **texts
        )
    assert "the author's name: “Марії Петренко”" in error.value.message_dict["text"][0]
    case.refresh_from_db()
    assert case.publication == Publication.PENDING


def test_the_proposal_redacts_declined_names_of_the_author(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    clock(MONDAY)
    case = pending(reception, text="Прошу допомогти Марії Петренко: Петренкові відмовили, сусідці Ользі Кіт теж.")
    assert "Марії" not in case.public_text and "Петренкові" not in case.public_text
    assert "Ользі" not in case.public_text and "Кіт" not in case.public_text


def test_the_review_page_highlights_suspects_and_takes_confirmations(
    reception: Reception, clock: Callable[[dt.datetime], None]
) -> None:
    clock(MONDAY)
    case = pending(reception)
    client = _client(reception, "coordinator_a")
    url = reverse("reception_moderation:review", args=[case.pk])
    data = {"decision": "publish", "subject": "Ліхтарі", "text": FALSE_ALARM, "answer": "Відремонтовано."}
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert '<mark title="a person&#x27;s name" lang="uk">Тарасові Шевченку</mark>' in page
    assert 'name="confirmed" value="Тарасові Шевченку"' in page
    case.refresh_from_db()
    assert case.publication == Publication.PENDING
    response = client.post(url, {**data, "confirmed": ["Тарасові Шевченку"]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.publication == Publication.PUBLISHED


def test_a_moderator_moderates_the_register_of_every_region_and_nothing_else(
    reception: Reception, clock: Callable[[dt.datetime], None], client: Client
) -> None:
    from cipnet.accounts.models import Membership, Role
    from cipnet.accounts.scopes import scope_for
    from cipnet.directory import selectors as directory_selectors

    r = reception
    clock(MONDAY)
    waiting = pending(r)
    oblast_case = pending(r, authority=r.oblast)
    moderator = r.world.users["moderator"]
    assert Membership.objects.filter(user=moderator, role=Role.MODERATOR).exists()
    assert publication.is_moderator(moderator)
    assert set(publication.moderation_queue_visible_to(user=moderator)) == {waiting, oblast_case}
    assert publication.may_moderate(moderator, oblast_case)
    scope = scope_for(moderator)
    assert not scope.network and not scope.region_ids and not scope.centre_ids
    assert not directory_selectors.centre_list_visible_to(user=moderator).exists()
    assert not selectors.appeal_list_visible_to(user=moderator).exists()
    client.force_login(moderator)
    assert client.get(reverse("reception_moderation:review", args=[waiting.pk])).status_code == 200
    # Signing in lands on the moderation queue.
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "moderator", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == reverse("reception_moderation:queue")


def test_the_staff_home_names_the_officials_authority_not_the_whole_network(
    reception: Reception, client: Client
) -> None:
    from cipnet.accounts.models import Membership, Role

    Membership.objects.create(user=reception.clerk, role=Role.AUTHORITY_OFFICIAL)
    client.force_login(reception.clerk)
    with translation.override("en"):
        page = client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "whole network" not in page
    assert "Миколаївська міська рада" in page or "Mykolaiv" in page
