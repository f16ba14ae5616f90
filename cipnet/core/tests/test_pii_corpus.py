"""The detector over a labelled corpus of 400 appeals and notes (pii_corpus.py): recall per kind,
and the forms and words the issue named."""

from __future__ import annotations

import pytest

from cipnet.core.pii import PiiKind, find_personal_data, redact
from cipnet.core.pii.evaluation import evaluate
from cipnet.core.tests.pii_corpus import KINDS, build_corpus


@pytest.fixture(scope="module")
def scores():
    corpus = build_corpus()
    assert len(corpus) >= 300
    return evaluate((s.text, s.author, s.spans) for s in corpus)


def test_the_authors_name_is_found_in_any_form(scores) -> None:
    score = scores["author_name"]
    assert score.labelled > 500
    assert score.recall >= 0.99, score.missed[:20]


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "author_name"])
def test_every_other_kind_is_found(scores, kind: str) -> None:
    score = scores[kind]
    assert score.labelled >= 20
    assert score.recall >= 0.95, score.missed[:20]


@pytest.mark.parametrize("kind", KINDS)
def test_few_false_alarms(scores, kind: str) -> None:
    assert scores[kind].precision >= 0.9, scores[kind].false_alarms[:20]


@pytest.mark.parametrize(
    ("author", "text", "leaked"),
    [
        ("Ольга Коваль", "Прошу допомогти Ользі з пенсією.", "Ользі"),
        ("Кіт Андрій Петрович", "Відповідь надіслали Котові на пошту.", "Котові"),
        ("Кравець Олена", "Заява від Кравця Петра лежить у справі, а я Кравець.", "Кравця"),
        ("Шкурупій Іван", "Довідку видали Шкурупієві Івану.", "Шкурупієві"),
        ("Иванова Ольга", "Прошу помочь Ольге Ивановой.", "Ивановой"),
    ],
)
def test_declined_forms_of_the_authors_name(author: str, text: str, leaked: str) -> None:
    assert leaked not in redact(text, names=[author])
    assert any(f.kind == PiiKind.AUTHOR_NAME for f in find_personal_data(text, names=[author]))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Olena пише: olena @ ukr.net", "olena @ ukr.net"),
        ("пишіть ivan at gmail dot com", "ivan at gmail dot com"),
        ("тел. 050.123.45.67", "050.123.45.67"),
        ("карта 4111 1111 1111 1111 для виплат", "4111 1111 1111 1111"),
        ("номер АА 1234 ВВ", "АА 1234 ВВ"),
        ("народився 12.03.1956 у селі", "12.03.1956"),
        ("мешкаю: вул. Шевченка, 12, кв. 5", "вул. Шевченка, 12, кв. 5"),
        ("сусід Петро Мельник", "Петро Мельник"),
    ],
)
def test_shapes_the_issue_named(text: str, found: str) -> None:
    assert found in [f.text for f in find_personal_data(text)]


def test_a_card_number_passing_luhn_is_a_bank_card() -> None:
    assert [f.kind for f in find_personal_data("карта 4111 1111 1111 1111")] == [PiiKind.BANK_CARD]
    assert [f.kind for f in find_personal_data("UA21 3223 1300 0002 6007 2335 6600 1")] == [PiiKind.IBAN]


@pytest.mark.parametrize(
    "text",
    [
        "Миколаївська міська рада не відповідає.",
        "На вулиці Шевченка після ремонту водогону яма.",
        "Дорога до школи імені Лесі Українки не освітлюється.",
        "Роботи заплановані на вересень, а ремонт обіцяли у Травні.",
        "Віра в те, що питання вирішиться, пропала.",
        "Надія лише на вас.",
        "Пенсійний фонд у Вінницькій області перерахував пенсію.",
        "Мер Вінниці обіцяв відремонтувати тротуар біля Соборної площі.",
        "Заяву подано 12.03.2026 о 10:30, сплатила 1 500 грн.",
    ],
)
def test_places_authorities_months_and_common_words_are_not_names(text: str) -> None:
    assert find_personal_data(text) == []
