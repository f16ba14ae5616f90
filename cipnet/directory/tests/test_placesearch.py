from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from cipnet.directory.placesearch import Match, settlement_search

# Real codes from the codifier (the subset of Lviv, Mykolaiv, Odesa oblasts and Kyiv).
MYKOLAIV = "UA48060150010035747"  # the oblast centre
MYKOLAIV_LVIV_OBLAST = "UA46100110010094231"  # the town in Stryi raion
LVIV = "UA46060250010015970"
KYIV = "UA80000000000093317"
STRYI = "UA46100230010074173"
NOVA_ODESA = "UA48060210010099689"
ODESA = "UA51100270010076757"
BEREZIVKA = "UA51020030010083756"  # the city; there are villages of that name too
VOZNESENSK = "UA48040070010053688"
BRODY = "UA46040010010077682"
SAMBIR = "UA46080130010066889"
MYKOLAIVKA_SELYSHCHE = "UA51020150010053472"
MARIANIVKA_VILLAGES = {
    "UA48020110080084541", "UA48020130190049452", "UA48080010060084969", "UA48080050220084074",
    "UA51020030140041748", "UA51020150100076343", "UA51020310050029567", "UA51100110100034524",
    "UA51100130050016076", "UA51140070190052819",
}  # fmt: skip

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("katottg_subset_module")]


@pytest.fixture(autouse=True)
def _ukrainian() -> Iterator[None]:
    with translation.override("uk"):
        yield


def first(query: str) -> Match:
    matches = settlement_search(query)
    assert matches, f"nothing found for {query!r}"
    return matches[0]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # The name as written in the codifier, and in other cases of the noun.
        ("Миколаїв", MYKOLAIV),
        ("Миколаєві", MYKOLAIV),
        ("Миколаєва", MYKOLAIV),
        ("у Миколаєві", MYKOLAIV),
        ("Львів", LVIV),
        ("у Львові", LVIV),
        ("до Львова", LVIV),
        ("Львовом", LVIV),
        ("Київ", KYIV),
        ("Києва", KYIV),
        ("в Києві", KYIV),
        ("Стрий", STRYI),
        ("Стрию", STRYI),
        ("Стрия", STRYI),
        ("Нова Одеса", NOVA_ODESA),
        ("Новій Одесі", NOVA_ODESA),
        ("з Нової Одеси", NOVA_ODESA),
        ("в Одесі", ODESA),
        ("Вознесенську", VOZNESENSK),
        ("Самбора", SAMBIR),
        ("у Бродах", BRODY),
        ("з Бродів", BRODY),
        ("у Миколаївці", MYKOLAIVKA_SELYSHCHE),
        # Kinds of place and punctuation in front of the name.
        ("м. Львів", LVIV),
        ("місто Миколаїв", MYKOLAIV),
        ("  МИКОЛАЇВ  ", MYKOLAIV),
        # Russian letters typed on a Russian keyboard layout, and Russian spellings.
        ("Стрый", STRYI),
        ("Одэса", ODESA),
        ("Берёзівка", BEREZIVKA),
        ("Львов", LVIV),
        ("Миколаів", MYKOLAIV),
        ("Марянивка", "UA48020110080084541"),
        # Latin transliteration, official and otherwise.
        ("Mykolaiv", MYKOLAIV),
        ("Mykolayiv", MYKOLAIV),
        ("mykolaiv", MYKOLAIV),
        ("Lviv", LVIV),
        ("Stryi", STRYI),
        ("Stryj", STRYI),
        ("Kyiv", KYIV),
        ("Nova Odesa", NOVA_ODESA),
        ("Odesa", ODESA),
    ],
)
def test_whole_names_are_found_in_any_form(query: str, code: str) -> None:
    match = first(query)

    assert match.territory.code == code
    assert match.exact is True


@pytest.mark.parametrize("query", ["Мар’янівка", "Мар'янівка", "Марʼянівка", "Мар`янівка", "Марянівка", "Маръянівка"])
def test_apostrophe_variants_and_a_missing_apostrophe_find_the_same_villages(query: str) -> None:
    matches = settlement_search(query, limit=50)

    exact = [m for m in matches if m.exact]
    assert {m.territory.code for m in exact} == MARIANIVKA_VILLAGES
    assert {m.territory.name for m in exact} == {"Мар’янівка"}
    assert matches[: len(exact)] == exact  # whole-name matches come before the rest


def test_latin_apostrophe_spelling_finds_the_villages() -> None:
    exact = [m for m in settlement_search("Marianivka", limit=50) if m.exact]
    assert {m.territory.code for m in exact} == MARIANIVKA_VILLAGES
    assert {m.territory.code for m in settlement_search("Mar'yanivka", limit=50) if m.exact} == MARIANIVKA_VILLAGES


def test_same_named_cities_are_all_returned_and_told_apart_by_their_full_label() -> None:
    matches = settlement_search("Миколаїв")

    cities = [m.territory for m in matches if m.territory.level == "M"]
    assert [c.code for c in cities] == [MYKOLAIV, MYKOLAIV_LVIV_OBLAST]
    # The words around the names ("м.", "р-н") depend on the translations; the names tell the places apart.
    assert "Миколаївський" in cities[0].full_label and "Стрийський" in cities[1].full_label
    assert [c.oblast.name for c in cities] == ["Миколаївська", "Львівська"]  # type: ignore[union-attr]
    exact = [m.territory for m in matches if m.exact]
    assert {t.name for t in exact} == {"Миколаїв"}
    assert [t.level for t in exact] == ["M", "M", "C", "C"]  # the cities first, then the villages
    assert matches[: len(exact)] == [m for m in matches if m.exact]
    assert len({m.territory.full_label for m in matches}) == len(matches)


def test_typing_the_first_letters_lists_cities_first_then_longer_names() -> None:
    matches = settlement_search("Микол")

    assert [m.territory.code for m in matches[:2]] == [MYKOLAIV, MYKOLAIV_LVIV_OBLAST]
    names = [m.territory.name for m in matches]
    assert "Миколаївка" in names
    assert names.index("Миколаївка") > 1
    assert all(m.territory.name.startswith("Микол") for m in matches)
    assert not any(m.exact for m in matches)
    assert all(m.score == matches[0].score for m in matches)


@pytest.mark.parametrize(
    ("query", "name"), [("Льв", "Львів"), ("Lvi", "Львів"), ("Нова Од", "Нова Одеса"), ("Strf", None)]
)
def test_prefixes(query: str, name: str | None) -> None:
    matches = settlement_search(query)
    if name is None:
        assert all(not m.exact for m in matches)
    else:
        assert matches[0].territory.name == name
        assert matches[0].exact is False


@pytest.mark.parametrize(("query", "code"), [("Вознесеськ", VOZNESENSK), ("Одесса", ODESA), ("Mykolaev", MYKOLAIV)])
def test_misspellings_are_found_by_similarity_but_not_called_exact(query: str, code: str) -> None:
    match = first(query)

    assert match.territory.code == code
    assert match.exact is False


def test_a_typo_is_found_by_similarity_but_not_called_exact() -> None:
    match = first("Вознесеськ")

    assert match.territory.code == VOZNESENSK
    assert match.exact is False
    assert 0 < match.score < first("Возн").score


def test_ranking_exact_then_word_forms_then_prefix_then_fuzzy() -> None:
    exact, word_form, prefix, fuzzy = first("Стрий"), first("Стрию"), first("Стри"), first("Вознесеськ")

    assert exact.score > word_form.score > prefix.score > fuzzy.score
    assert (exact.exact, word_form.exact, prefix.exact, fuzzy.exact) == (True, True, False, False)


def test_only_settlements_are_searched_not_districts_or_hromadas() -> None:
    assert not any(m.territory.level == "B" for m in settlement_search("Голосіївський", limit=50))
    assert {m.territory.level for m in settlement_search("Миколаївськ", limit=50)} <= {"M", "X", "C", "K"}
    assert first("Київ").territory.level == "K"


@pytest.mark.parametrize("query", ["", "   ", "М", "'", "у", "-"])
def test_too_short_queries_find_nothing(query: str) -> None:
    assert settlement_search(query) == []


def test_limit() -> None:
    assert len(settlement_search("Мар’янівка", limit=3)) == 3
    assert settlement_search("Мар’янівка", limit=0) == []


def test_a_search_is_two_queries_and_labels_need_none(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(2):
        matches = settlement_search("Миколаїв", limit=10)
    with django_assert_num_queries(0):
        labels = [m.territory.full_label for m in matches]
    assert len(labels) == 10


def test_unknown_place_finds_nothing() -> None:
    assert settlement_search("Ґуґуґу") == []
    assert settlement_search("Xyzzy") == []


@pytest.mark.parametrize("query", ["00", "12345", "№ 5", "-- 7", "!!"])
def test_a_query_without_letters_finds_nothing(query):
    # Regression: digits only left no name prefix to search by, and OR-ing no conditions raised (a 500).
    assert settlement_search(query) == []
