"""Demo data of the virtual reception: authorities of the demo regions, the demo official, and
cases at every stage, as in seed 004 (Mykolaiv library visitors writing to the mayor's internet
reception). Contact details are invented (example.org / .example); the authorities' names are real.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from cipnet.accounts.models import User
from cipnet.appeals import deadlines, publication, services
from cipnet.appeals.deadlines import Term
from cipnet.appeals.models import (
    AnswerForm,
    Appeal,
    AppealEvent,
    AppealType,
    Authority,
    AuthorityKind,
    AuthorityOfficial,
    Kind,
    Outcome,
    Publication,
    Status,
    Topic,
)
from cipnet.core.clock import at, local, now
from cipnet.core.workdays import current_calendar
from cipnet.directory.demo.accounts import MYKOLAIV_CENTRE
from cipnet.directory.models import Centre, Region

TOPICS = [
    ("housing", "Житлово-комунальне господарство", "Housing and utilities", "Gospodarka komunalna"),
    ("social", "Соціальний захист і пенсії", "Social protection and pensions", "Ochrona socjalna i emerytury"),
    ("land", "Земельні питання", "Land", "Sprawy gruntowe"),
    ("transport", "Транспорт і дороги", "Transport and roads", "Transport i drogi"),
    ("education", "Освіта", "Education", "Edukacja"),
    ("health", "Охорона здоров'я", "Health care", "Ochrona zdrowia"),
]


@dataclass(frozen=True)
class DemoAuthority:
    slug: str
    name: str
    name_en: str
    kind: str
    region_slug: str
    address: str
    topics: tuple[str, ...]
    parent: str = ""


AUTHORITIES = (
    DemoAuthority(
        "mykolaiv-city-council", "Миколаївська міська рада", "Mykolaiv City Council", AuthorityKind.CITY_COUNCIL,
        "mykolaivska", "вул. Адміральська, 20, м. Миколаїв, 54001", ("housing", "transport", "education", "land"),
    ),
    DemoAuthority(
        "mykolaiv-housing-department", "Департамент житлово-комунального господарства Миколаївської міської ради",
        "Housing and Utilities Department of Mykolaiv City Council", AuthorityKind.DEPARTMENT, "mykolaivska",
        "вул. Адміральська, 20, м. Миколаїв, 54001", ("housing",), parent="mykolaiv-city-council",
    ),
    DemoAuthority(
        "mykolaiv-ova", "Миколаївська обласна військова адміністрація", "Mykolaiv Oblast Military Administration",
        AuthorityKind.OBLAST_ADMINISTRATION, "mykolaivska", "вул. Адміральська, 22, м. Миколаїв, 54001",
        ("social", "health", "education"),
    ),
    DemoAuthority(
        "pfu-mykolaiv", "Головне управління Пенсійного фонду України в Миколаївській області",
        "Main Department of the Pension Fund of Ukraine in Mykolaiv Oblast", AuthorityKind.STATE_BODY,
        "mykolaivska", "вул. Морехідна, 1, м. Миколаїв, 54001", ("social",),
    ),
    DemoAuthority(
        "zhovkva-city-council", "Жовківська міська рада", "Zhovkva City Council", AuthorityKind.CITY_COUNCIL,
        "lvivska", "пл. Вічева, 1, м. Жовква, 80300", ("housing", "land", "transport"),
    ),
    DemoAuthority(
        "lviv-ova", "Львівська обласна військова адміністрація", "Lviv Oblast Military Administration",
        AuthorityKind.OBLAST_ADMINISTRATION, "lvivska", "вул. Винниченка, 18, м. Львів, 79008",
        ("social", "health", "education"),
    ),
)  # fmt: skip

#: (kind, type, subject, text, days ago received, final stage, outcome, publish)
CASES = [
    (
        Kind.APPEAL, AppealType.COMPLAINT, "Не працює вуличне освітлення на вул. Садовій",
        "Другий місяць не світять ліхтарі біля будинків 3–9 на вулиці Садовій. Увечері людям похилого віку "
        "небезпечно ходити. Прошу відремонтувати освітлення.", 40, "closed", Outcome.POSITIVE, True,
    ),
    (
        Kind.APPEAL, AppealType.APPLICATION, "Облаштувати пандус біля поліклініки № 3",
        "Прошу облаштувати пандус біля входу до поліклініки № 3: на кріслі колісному туди не потрапити.",
        33, "answered", Outcome.PARTLY, True,
    ),
    (
        Kind.APPEAL, AppealType.PROPOSAL, "Продовжити маршрут автобуса № 21 до села Мішково-Погорілове",
        "Пропоную продовжити маршрут № 21 до зупинки в селі: мешканці ходять пішки 3 км до траси.",
        20, "in_progress", "", False,
    ),
    (
        Kind.INFO_REQUEST, "", "Кошторис ремонту даху школи № 12",
        "Прошу надати копію кошторису та договору підряду на ремонт даху школи № 12 у 2026 році.",
        3, "registered", "", False,
    ),
    (
        Kind.APPEAL, AppealType.COMPLAINT, "Перерахунок плати за опалення",
        "Плату за опалення нараховано за повний місяць, хоча опалення ввімкнули 15 числа. Прошу перерахувати.",
        36, "in_progress", "", False,
    ),
    (
        Kind.INFO_REQUEST, "", "Графік вивезення побутових відходів у Корабельному районі",
        "Прошу надати чинний графік вивезення твердих побутових відходів для вулиць Корабельного району.",
        1, "submitted", "", True,
    ),
]  # fmt: skip

VISITORS = [
    ("Галина Петрівна Коваленко", "вул. Садова, 5, кв. 12, м. Миколаїв, 54017"),
    ("Микола Іванович Шевчук", "просп. Центральний, 140, кв. 3, м. Миколаїв, 54029"),
    ("Людмила Олексіївна Бойко", "вул. Шкільна, 7, с. Мішково-Погорілове, 57101"),
]


def _upsert_authorities() -> dict[str, Authority]:
    topics = {}
    for slug, uk, en, pl in TOPICS:
        topics[slug], _created = Topic.objects.update_or_create(
            slug=slug, defaults={"name": uk, "name_en": en, "name_pl": pl}
        )
    out: dict[str, Authority] = {}
    for a in AUTHORITIES:
        region = Region.objects.filter(slug=a.region_slug).first()
        if region is None:
            continue
        authority, _created = Authority.objects.update_or_create(
            slug=a.slug,
            defaults={
                "name": a.name,
                "name_en": a.name_en,
                "kind": a.kind,
                "region": region,
                "address": a.address,
                "email": f"zvernennya@{a.slug}.example",
                "parent": out.get(a.parent),
            },
        )
        authority.topics.set([topics[t] for t in a.topics])
        out[a.slug] = authority
    return out


def _shift(appeal: Appeal, days: int) -> None:
    """Move a demo case `days` into the past, with its events, and recompute its term."""
    delta = dt.timedelta(days=days)
    fields: dict[str, object] = {}
    for name in ("submitted_at", "received_at", "answered_at", "closed_at", "consent_at"):
        value = getattr(appeal, name)
        if value is not None:
            fields[name] = value - delta
    if appeal.registered_on:
        fields["registered_on"] = appeal.registered_on - delta
    received = fields.get("received_at")
    if isinstance(received, dt.datetime) and appeal.term:
        fields["due_at"] = deadlines.due(Term(appeal.term), received, current_calendar()).due_at
    if appeal.published_at:
        fields["published_at"] = appeal.published_at - delta
    Appeal.objects.filter(pk=appeal.pk).update(**fields)
    AppealEvent.objects.filter(appeal=appeal).update(at=F("at") - delta)


def _answer_later(appeal: Appeal, days: int) -> None:
    """Let a demo answer come `days` after receipt (the steps from the answer on move with it), so
    the authorities' figures show real answer times."""
    appeal.refresh_from_db()
    if appeal.answered_at is None or days <= 0:
        return
    delta = dt.timedelta(days=days)
    fields = {
        name: getattr(appeal, name) + delta
        for name in ("answered_at", "closed_at", "published_at")
        if getattr(appeal, name) is not None
    }
    Appeal.objects.filter(pk=appeal.pk).update(**fields)
    AppealEvent.objects.filter(appeal=appeal, at__gte=appeal.answered_at).update(at=F("at") + delta)


@transaction.atomic
def load(*, reset: bool = False) -> dict[str, int]:
    authorities = _upsert_authorities()
    city = authorities.get("mykolaiv-city-council")
    official = User.objects.filter(username="official").first()
    consultant = User.objects.filter(username="consultant").first()
    moderator = User.objects.filter(username="admin").first()  # the network administrator
    centre = Centre.objects.filter(slug=MYKOLAIV_CENTRE).first()
    if city is not None and official is not None:
        AuthorityOfficial.objects.update_or_create(authority=city, user=official, defaults={"is_head": True})
    counts = {"authorities": len(authorities), "cases": 0}
    if city is None or official is None or consultant is None or centre is None:
        return counts
    if reset:
        Appeal.objects.filter(centre=centre, author_email__endswith="@example.org").delete()
    if Appeal.objects.filter(centre=centre, authority=city).exists():
        return counts
    for i, (kind, appeal_type, subject, text, days_ago, stage, outcome, publish) in enumerate(CASES):
        name, address = VISITORS[i % len(VISITORS)]
        data = services.AppealInput(
            kind=kind,
            authority=city,
            author_name=name,
            subject=subject,
            text=text,
            appeal_type=appeal_type,
            author_address=address,
            author_email=f"visitor{i + 1}@example.org",
            answer_form=AnswerForm.EMAIL,
            publish_consent=publish,
        )
        appeal = services.appeal_save_draft(actor=consultant, data=data, centre=centre, consent=True)
        appeal = services.appeal_submit(actor=consultant, appeal=appeal)
        if stage != "submitted":
            appeal = services.appeal_register(
                actor=official,
                appeal=appeal,
                registration_number=f"Зв-{1200 + i}/26",
                registered_on=local(now()).date(),
            )
        if stage in ("in_progress", "answered", "closed"):
            appeal = services.appeal_take(actor=official, appeal=appeal)
        if stage in ("answered", "closed"):
            appeal = services.appeal_answer(
                actor=official,
                appeal=appeal,
                outcome=outcome,
                text="Дякуємо за звернення. Питання розглянуто, роботи включено до плану й виконано; "
                "за потреби телефонуйте на гарячу лінію 15-58.",
            )
        if stage == "closed":
            appeal = services.appeal_close(actor=consultant, appeal=appeal)
            if appeal.publication == Publication.PENDING and moderator is not None:
                # Through the moderator's step, as in life: the texts were redacted when it was closed.
                appeal = publication.appeal_moderate(
                    actor=moderator,
                    appeal=appeal,
                    publish=True,
                    subject=appeal.public_subject,
                    text=appeal.public_text,
                    answer=appeal.public_answer,
                )
        _shift(appeal, days_ago)
        if stage in ("answered", "closed"):
            _answer_later(appeal, min(12, days_ago - 1))
        counts["cases"] += 1
    assert Appeal.objects.filter(status=Status.DRAFT, centre=centre).count() == 0  # noqa: S101
    return counts


HISTORY_SUBJECTS = [
    "Ремонт прибудинкової території",
    "Освітлення вулиці",
    "Вивезення сміття",
    "Ремонт даху багатоквартирного будинку",
    "Робота громадського транспорту",
    "Перерахунок плати за опалення",
]


def load_history(
    *,
    centres: list[Centre],
    authority: Authority,
    start: dt.date,
    end: dt.date,
    answered: int,
    positive: int,
    seed: int,
) -> int:
    """Closed appeals filed at the centres and answered within [start, end], `positive` of them resolved
    positively: the reception's past as a programme reports it (seed 004: 124 visitors wrote to the
    mayor's internet reception, 32 appeals were resolved positively). Private: never in the register."""
    rng = random.Random(seed)  # noqa: S311 — demonstration data, not secrets
    days = (end - start).days + 1
    outcomes = [Outcome.POSITIVE] * positive + rng.choices(
        [Outcome.EXPLAINED, Outcome.PARTLY, Outcome.REFUSED], weights=[60, 25, 15], k=answered - positive
    )
    rng.shuffle(outcomes)
    cases = []
    for i, outcome in enumerate(outcomes):
        answered_on = start + dt.timedelta(days=(i * days) // answered)
        received = at(answered_on - dt.timedelta(days=rng.randint(3, 14)), dt.time(10, rng.randint(0, 59)))
        answered_at = at(answered_on, dt.time(15, rng.randint(0, 59)))
        cases.append(
            Appeal(
                kind=Kind.APPEAL,
                appeal_type=AppealType.APPLICATION,
                number=f"ЗВ-{received.year}-H{i + 1:04d}",
                authority=authority,
                status=Status.CLOSED,
                author_name=f"Відвідувач бібліотеки {i + 1}",
                centre=centres[i % len(centres)],
                consent_at=received,
                subject=HISTORY_SUBJECTS[i % len(HISTORY_SUBJECTS)],
                text="Звернення подано через інтернет-приймальню міського голови в бібліотеці.",
                submitted_at=received,
                received_at=received,
                answered_at=answered_at,
                outcome=outcome,
                answer_text="Звернення розглянуто.",
                closed_at=answered_at,
                publication=Publication.PRIVATE,
            )
        )
    with transaction.atomic():
        created = Appeal.objects.bulk_create(cases)
        for case in created:  # when they were, not when the demo was loaded
            Appeal.objects.filter(pk=case.pk).update(created_at=case.submitted_at, updated_at=case.closed_at)
    return len(created)
