"""Search over the catalogue: analysis, index, synonyms, typos, ranking, filters, highlighting."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from cipnet.directory.models import Region, Territory
from cipnet.eservices import search, services
from cipnet.eservices.models import (
    CardKind,
    CardLevel,
    CardSearchDocument,
    CardStatus,
    Category,
    LifeEvent,
    Provider,
    ServiceCard,
)
from cipnet.eservices.selectors import CardFilters

_numbers = itertools.count(1)


@pytest.fixture
def provider(db: Any) -> Provider:
    return Provider.objects.create(slug="pfu", name="Пенсійний фонд України")


def make_card(provider: Provider, identifier: str, name: str, **fields: Any) -> ServiceCard:
    fields.setdefault("short_description", "Опис послуги")
    fields.setdefault("description", "Докладний опис послуги")
    fields.setdefault("kind", CardKind.ADMINISTRATIVE)
    return services.card_create(actor=None, identifier=identifier, name=name, provider=provider.pk, **fields)


def ids(result: search.SearchResult) -> list[str]:
    return [hit.card.identifier for hit in result.hits]


@pytest.fixture
def pension(provider: Provider) -> ServiceCard:
    return make_card(
        provider,
        "pfu-e-services",
        "Електронні послуги Пенсійного фонду України",
        short_description="Пенсія, страховий стаж і довідки в особистому кабінеті.",
        description="Перевірити, яку пенсію призначено, і замовити довідку про доходи.",
        keywords=["пенсія", "стаж"],
        popularity=80,
    )


# --- Analysis ------------------------------------------------------------------------------------


def test_normalise_query_folds_case_apostrophes_and_spaces() -> None:
    assert search.normalise_query("  Сім'я   та\tДІТИ ") == "сімʼя та діти"
    assert search.normalise_query("сім’я") == search.normalise_query("сімʼя") == "сімʼя"
    assert search.normalise_query("Киі\u0308в") == "київ"  # NFC: ї typed as і + diaeresis
    assert len(search.normalise_query("а" * 1000)) == search.MAX_QUERY_LENGTH
    assert search.normalise_query("") == ""


@pytest.mark.parametrize("word", ["пенсія", "пенсію", "пенсії", "пенсією", "пенсіями"])
def test_word_forms_share_a_lemma(word: str) -> None:
    assert search.analyse(word)[0] == "пенсія"


def test_analyse_drops_stop_words_and_keeps_abbreviations() -> None:
    assert search.analyse("Як мені перевірити пенсію?") == ["перевірити", "пенсія"]
    assert search.analyse("Де знайти ЦНАП") == ["знайти", "цнап"]
    assert search.analyse("у ЦНАПі") == ["цнап"]
    assert search.analyse("ПФУ, ФОП, НМТ, ЗНО") == ["пфу", "фоп", "нмт", "зно"]
    assert search.analyse("треба хочу для на в") == []


def test_analyse_reads_russian_words_with_the_russian_dictionary() -> None:
    assert search.analyse("пенсию") == ["пенсия"]
    assert search.analyse("проверить пенсию") == ["проверить", "пенсия"]


def test_apostrophes_in_any_form_give_one_lemma() -> None:
    assert search.analyse("сім'ї") == search.analyse("сім’ї") == search.analyse("сімʼї") == ["сімя"]


# --- Finding cards -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["пенсія", "пенсію", "пенсії", "пенсійного фонду", "ПЕНСІЙНИЙ ФОНД"])
def test_any_word_form_finds_the_pension_fund_card(pension: ServiceCard, query: str) -> None:
    assert ids(search.search(query))[:1] == ["pfu-e-services"]


@pytest.mark.django_db
def test_russian_query_finds_the_ukrainian_card(pension: ServiceCard) -> None:
    result = search.search("проверить пенсию")
    assert ids(result) == ["pfu-e-services"]
    assert "пенсія" in result.terms
    assert "пенсія" in result.expanded_by_synonym


@pytest.mark.django_db
def test_synonym_added_by_a_coordinator_takes_effect_at_once(provider: Provider) -> None:
    make_card(provider, "residence", "Реєстрація місця проживання", short_description="Задекларувати адресу.")
    assert ids(search.search("місто жительства")) == []
    services.synonym_save(actor=None, term="Жительства", expansion="місце проживання")
    result = search.search("місто жительства")
    assert ids(result) == ["residence"]
    assert result.expanded_by_synonym == ["місце проживання"]


@pytest.mark.django_db
def test_synonym_term_matches_other_word_forms_and_phrases(provider: Provider) -> None:
    make_card(provider, "utilities", "Оплата комунальних послуг")
    services.synonym_save(actor=None, term="комуналка", expansion="комунальні послуги")
    services.synonym_save(actor=None, term="за світло", expansion="оплата комунальних послуг")
    assert ids(search.search("де платити комуналку")) == ["utilities"]
    assert ids(search.search("скільки за світло")) == ["utilities"]


@pytest.mark.django_db
def test_deleted_synonym_stops_working(provider: Provider) -> None:
    make_card(provider, "residence", "Реєстрація місця проживання")
    synonym = services.synonym_save(actor=None, term="житло адреса", expansion="місце проживання")
    assert ids(search.search("житло адреса")) == ["residence"]
    services.synonym_delete(actor=None, synonym=synonym)
    assert ids(search.search("житло адреса")) == []


@pytest.mark.django_db
def test_a_synonym_may_list_several_things_to_search_for(provider: Provider) -> None:
    make_card(provider, "fees", "Сплата адміністративного збору")
    services.synonym_save(actor=None, term="заплатити", expansion="оплата, сплата")
    result = search.search("заплатити")
    assert ids(result) == ["fees"]
    assert result.expanded_by_synonym == ["оплата, сплата"]


@pytest.mark.django_db
def test_words_of_the_same_stem_match_at_half_weight(db: Any) -> None:
    provider = Provider.objects.create(slug="minsoc", name="Мінсоцполітики")
    make_card(provider, "certificate", "Пенсійне посвідчення")
    make_card(provider, "pension", "Пенсія за віком")
    result = search.search("пенсія")
    assert ids(result) == ["pension", "certificate"]
    assert result.hits[1].matched == {"name": {"пенсійний"}}
    assert result.hits[1].score == pytest.approx(search.FIELD_WEIGHTS["name"] * search.RELATED_FACTOR)


@pytest.mark.django_db
def test_latin_letters_typed_inside_a_cyrillic_word(pension: ServiceCard) -> None:
    result = search.search("пенсiя")  # Latin "i"
    assert ids(result) == ["pfu-e-services"]
    assert result.corrected == {}


@pytest.mark.django_db
def test_typos_are_corrected_to_the_nearest_indexed_word(pension: ServiceCard) -> None:
    result = search.search("пенсйя")
    assert ids(result) == ["pfu-e-services"]
    assert result.corrected == {"пенсйя": "пенсія"}
    # Two letters swapped in a long word are one edit.
    result = search.search("пенсінйого фонду")
    assert ids(result) == ["pfu-e-services"]
    assert "пенсінйого" in result.corrected


@pytest.mark.django_db
def test_typo_tolerance_has_limits(pension: ServiceCard) -> None:
    assert search.search("пнсйа").hits == []  # two edits in a five-letter word
    assert search.search("стж").hits == []  # short words are never corrected
    assert search.search("фонд").corrected == {}


@pytest.mark.django_db
def test_ranking_name_over_keywords_over_description_over_guide(provider: Provider) -> None:
    # Popularity runs the other way: it must not beat a better field.
    make_card(provider, "in-guide", "Послуга чотири", guide_steps=["Перевірте ґрунтозахист"], popularity=100)
    make_card(provider, "in-description", "Послуга три", description="Про ґрунтозахист.", popularity=70)
    make_card(provider, "in-keywords", "Послуга два", keywords=["ґрунтозахист"], popularity=40)
    make_card(provider, "in-name", "Ґрунтозахист полів", popularity=0)
    result = search.search("ґрунтозахисту")
    assert ids(result) == ["in-name", "in-keywords", "in-description", "in-guide"]
    assert [hit.matched for hit in result.hits] == [
        {"name": {"ґрунтозахист"}},
        {"keywords": {"ґрунтозахист"}},
        {"description": {"ґрунтозахист"}},
        {"guide": {"ґрунтозахист"}},
    ]
    scores = [hit.score for hit in result.hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.django_db
def test_matching_every_word_beats_one_word_in_a_better_field(provider: Provider) -> None:
    make_card(provider, "one-word", "Меліорація", popularity=100)
    make_card(provider, "both-words", "Послуга", keywords=["меліорація", "дренаж"])
    assert ids(search.search("меліорація дренаж")) == ["both-words", "one-word"]


@pytest.mark.django_db
def test_popularity_orders_equal_matches(provider: Provider) -> None:
    make_card(provider, "rare", "Довідка про несудимість", popularity=10)
    make_card(provider, "popular", "Довідка про доходи", popularity=90)
    assert ids(search.search("довідка")) == ["popular", "rare"]


@pytest.mark.django_db
def test_withdrawn_cards_are_never_found_and_outdated_ones_come_last(provider: Provider) -> None:
    make_card(provider, "withdrawn", "Субсидія на житло", status=CardStatus.WITHDRAWN, popularity=100)
    make_card(provider, "outdated", "Субсидія для пенсіонерів", status=CardStatus.OUTDATED, popularity=100)
    make_card(provider, "active", "Субсидія онлайн", popularity=0)
    assert ids(search.search("субсидія")) == ["active", "outdated"]
    assert [hit.card.identifier for hit in search.autocomplete("субс")] == ["active", "outdated"]


@pytest.mark.django_db
def test_card_changes_are_indexed_at_once(pension: ServiceCard) -> None:
    assert search.search("стаж").hits[0].matched == {"keywords": {"стаж"}, "description": {"стаж"}}
    services.card_update(actor=None, card=pension, name="Кабінет пенсіонера", keywords=[])
    assert ids(search.search("кабінет пенсіонера")) == ["pfu-e-services"]
    assert search.search("стаж").hits[0].matched == {"description": {"стаж"}}
    assert CardSearchDocument.objects.get(card=pension).name_terms.split() == ["кабінет", "пенсіонер"]


@pytest.mark.django_db
def test_search_document_fields(provider: Provider) -> None:
    category = Category.objects.create(slug="pensions", name="Пенсії")
    card = make_card(
        provider,
        "doc",
        "Довідка про стаж",
        name_en="Certificate of service",
        keywords=["трудова книжка"],
        short_description="Замовити довідку.",
        description="Довідка надходить в кабінет.",
        guide_steps=["Увійдіть з КЕП"],
        pitfalls=["Прострочений ключ"],
        bring=["паспорт"],
        requirements=["заява"],
        categories=[category],
    )
    document = CardSearchDocument.objects.get(card=card)
    assert document.name_terms.split() == ["довідка", "стаж", "certificate", "service"]
    assert document.keyword_terms.split() == ["трудовий", "книжка"]
    assert {"замовити", "довідка", "надходити", "кабінет"} <= set(document.description_terms.split())
    guide = set(document.guide_terms.split())
    assert {"увійти", "кеп", "прострочений", "ключ", "паспорт", "заява", "пенсійний", "фонд", "пенсія"} <= guide


@pytest.mark.django_db
def test_rebuild_index_and_command(pension: ServiceCard) -> None:
    CardSearchDocument.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {search.FTS_TABLE}")  # noqa: S608
    search.invalidate_vocabulary()
    assert search.search("пенсія").hits == []
    assert search.rebuild_index() == 1
    assert ids(search.search("пенсія")) == ["pfu-e-services"]
    call_command("rebuild_search_index", stdout=open_null())
    assert ids(search.search("пенсії")) == ["pfu-e-services"]


def open_null() -> Any:
    import io

    return io.StringIO()


@pytest.mark.django_db
def test_empty_and_meaningless_queries(pension: ServiceCard) -> None:
    for query in ("", "   ", "як мені", "???", "<script>"):
        result = search.search(query)
        assert result.hits == []


@pytest.mark.django_db
def test_query_syntax_characters_are_harmless(pension: ServiceCard) -> None:
    for query in ('"пенсія', "пенсія*", "пенсія OR фонд", "пенсія & | ! : ( )", "NEAR(пенсія)", "пенсія'"):
        assert ids(search.search(query))[:1] == ["pfu-e-services"], query


# --- Filters -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_filters(provider: Provider) -> None:
    other = Provider.objects.create(slug="dia", name="Дія")
    oblast_a = Territory.objects.create(code="UAT0000000000000001", level="O", name="Миколаївська")
    oblast_b = Territory.objects.create(code="UAT0000000000000002", level="O", name="Львівська")
    city_a = Territory.objects.create(code="UAT0000000000000003", level="M", name="Миколаїв", oblast=oblast_a)
    category = Category.objects.create(slug="land", name="Земля")
    event = LifeEvent.objects.create(slug="property", name="Нерухомість")
    make_card(provider, "national", "Довідка національна", categories=[category])
    make_card(
        provider,
        "mykolaiv",
        "Довідка міська",
        level=CardLevel.LOCAL,
        territory=city_a.pk,
        kind=CardKind.NON_ADMINISTRATIVE,
        life_events=[event],
    )
    make_card(other, "lviv", "Довідка обласна", level=CardLevel.REGIONAL, territory=oblast_b.pk)

    region_a, region_b = Region(territory=oblast_a), Region(territory=oblast_b)

    def found(**filters: Any) -> list[str]:
        return sorted(ids(search.search("довідка", filters=CardFilters(**filters))))

    assert found() == ["lviv", "mykolaiv", "national"]
    assert found(region=region_a) == ["mykolaiv", "national"]
    assert found(region=region_b) == ["lviv", "national"]
    assert found(kind=CardKind.NON_ADMINISTRATIVE) == ["mykolaiv"]
    assert found(level=CardLevel.REGIONAL) == ["lviv"]
    assert found(category=category) == ["national"]
    assert found(life_event=event) == ["mykolaiv"]
    assert found(provider=other) == ["lviv"]
    assert found(provider=provider, region=region_b) == ["national"]


# --- Autocomplete --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_autocomplete_reads_the_last_word_as_a_prefix(pension: ServiceCard, provider: Provider) -> None:
    make_card(Provider.objects.create(slug="minsoc", name="Мінсоцполітики"), "subsidy", "Житлова субсидія")
    assert [h.card.identifier for h in search.autocomplete("пенс")] == ["pfu-e-services"]
    assert [h.card.identifier for h in search.autocomplete("житлова суб")] == ["subsidy"]
    assert [h.card.identifier for h in search.autocomplete("ПЕНСІЙН")] == ["pfu-e-services"]
    # A space says the word is finished: no prefix any more.
    assert search.autocomplete("пенс ") == []
    assert search.search("пенс").hits == []
    assert len(search.autocomplete("п", limit=8)) <= 8


# --- Highlighting --------------------------------------------------------------------------------


def test_highlight_marks_word_forms_and_escapes_html() -> None:
    html = search.highlight("Пенсії <script>alert(1)</script> & «пенсійний» стаж", ["пенсія", "стаж"])
    assert html == ("<mark>Пенсії</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; «пенсійний» <mark>стаж</mark>")
    assert search.highlight("<b>ФОП</b>", []) == "&lt;b&gt;ФОП&lt;/b&gt;"
    assert search.highlight("Відкрити ФОП", search.analyse("фоп")) == "Відкрити <mark>ФОП</mark>"
    assert search.highlight("сім'я", ["сімʼя"]) == "<mark>сім&#x27;я</mark>"


# --- Same order on every database ----------------------------------------------------------------

#: (identifier, name, extra fields). Ties in score are broken by popularity, then by name in code-point
#: order ("Є" < "Д" < "Ґ"), which no database collation gives: Python orders, not SQL.
ORDER_CARDS: list[tuple[str, str, dict[str, Any]]] = [
    ("dovidka-dokhody", "Довідка про доходи", {"popularity": 50}),
    ("yedyna-dovidka", "Єдина довідка", {"popularity": 50}),
    ("gruntova-dovidka", "Ґрунтова довідка", {"popularity": 50}),
    ("reyestratsiya-prozhyvannya", "Реєстрація місця проживання", {"keywords": ["довідка"], "popularity": 10}),
    ("reyestratsiya-biznesu", "Реєстрація бізнесу", {"description": "Довідка з реєстру.", "popularity": 90}),
    ("dovidka-pro-reyestratsiyu", "Довідка про реєстрацію", {"popularity": 0}),
    ("insha-posluga", "Інша послуга", {"guide_steps": ["Візьміть довідку про реєстрацію"], "popularity": 100}),
    ("zastarila", "Довідка застаріла", {"status": CardStatus.OUTDATED, "popularity": 100}),
]
#: Recorded once; the test passes on SQLite and on PostgreSQL, so both give exactly this order.
EXPECTED_ORDERS: dict[str, list[str]] = {
    "довідка": [
        "yedyna-dovidka", "dovidka-dokhody", "gruntova-dovidka", "dovidka-pro-reyestratsiyu", "zastarila",
        "reyestratsiya-prozhyvannya", "reyestratsiya-biznesu", "insha-posluga",
    ],
    "реєстрація": ["reyestratsiya-biznesu", "reyestratsiya-prozhyvannya", "dovidka-pro-reyestratsiyu", "insha-posluga"],
    "довідки про реєстрацію": [
        "dovidka-pro-reyestratsiyu", "reyestratsiya-prozhyvannya", "reyestratsiya-biznesu", "yedyna-dovidka",
        "dovidka-dokhody", "gruntova-dovidka", "insha-posluga", "zastarila",
    ],
    "реєстр": ["reyestratsiya-biznesu", "reyestratsiya-prozhyvannya", "dovidka-pro-reyestratsiyu", "insha-posluga"],
}  # fmt: skip
EXPECTED_COMPLETIONS: dict[str, list[str]] = {
    "дові": EXPECTED_ORDERS["довідка"],
    "реєс": EXPECTED_ORDERS["реєстрація"],
}


@pytest.mark.django_db
def test_same_order_on_every_database(provider: Provider) -> None:
    for identifier, name, fields in ORDER_CARDS:
        make_card(provider, identifier, name, **fields)
    for query, expected in EXPECTED_ORDERS.items():
        assert ids(search.search(query)) == expected, query
    for text, expected in EXPECTED_COMPLETIONS.items():
        assert [hit.card.identifier for hit in search.autocomplete(text, limit=20)] == expected, text
