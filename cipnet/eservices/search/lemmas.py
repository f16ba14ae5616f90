"""Words → lemmas: normalising a query, pymorphy3 analysis, stop words, abbreviations."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cipnet.core.morph import analysers
from cipnet.core.text import APOSTROPHES, has_cyrillic, normalize_apostrophes
from cipnet.eservices.search.tuning import MAX_QUERY_LENGTH

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------

_APOSTROPHE_CLASS = re.escape(APOSTROPHES + "ʼ")
#: A word: letters and digits, with apostrophes inside (сімʼя); hyphens and dots separate words.
WORD_RE = re.compile(rf"[^\W_]+(?:[{_APOSTROPHE_CLASS}][^\W_]+)*")
_APOSTROPHE_RE = re.compile(f"[{_APOSTROPHE_CLASS}]")
_SPACE_RE = re.compile(r"\s+")
_RUSSIAN_ONLY_RE = re.compile(r"[ыэёъ]")
_LATIN_RE = re.compile(r"^[a-z0-9]+$")
_HAS_LATIN_RE = re.compile(r"[a-zA-Z]")
#: Latin letters that look Cyrillic, typed by mistake inside a Cyrillic word ("вакансiї").
_LOOKALIKES = str.maketrans("aceiopxykmtbhABCEHIKMOPTXY", "асеіорхукмтвнАВСЕНІКМОРТХУ")
#: ЦНАП, ПФУ, and inflected ЦНАПу / ЦНАПі: capitals with at most a two-letter lower-case ending.
_ABBREVIATION_RE = re.compile(r"^([A-ZА-ЩЬЮЯЄІЇҐ]{2,6})[a-zа-щьюяєіїґ]{0,2}$")

#: Abbreviations kept as they are: the dictionaries must not "inflect" them into other words.
ABBREVIATIONS = frozenset(
    {
        "фоп", "флп", "цнап", "нмт", "зно", "пфу", "дпс", "мвс", "тцк", "впо", "рнокпп", "іпн", "інн", "єдрпоу",
        "осбб", "жек", "атб", "срср", "ссср", "кеп", "ецп", "нбу", "моз", "мон", "дмс", "дсз", "сбу", "нсзу", "тсц",
        "днап", "ддаі", "гсц", "рацс", "драцс", "пдв", "єсв", "пдфо", "убд", "id", "qr", "pdf",
    }
)  # fmt: skip

#: Words that say nothing about which service is wanted ("як перевірити…", "мені треба…").
STOP_WORDS = frozenset(
    {
        # Ukrainian
        "як", "де", "що", "чи", "коли", "куди", "звідки", "скільки", "чому", "навіщо", "який", "яка", "яке", "які",
        "якщо", "щоб", "мені", "мене", "мною", "мій", "моя", "моє", "мої", "мого", "моєї", "моїй", "мою", "я", "ми",
        "нам", "нас", "наш", "наша", "ти", "ви", "вам", "вас", "він", "вона", "воно", "вони", "його", "її", "їх",
        "їм", "свій", "своя", "своє", "свої", "свою", "свого", "собі", "себе", "треба", "потрібно", "необхідно",
        "хочу", "хочемо", "хоче", "хотів", "хотіла", "хотіти", "можна", "можу", "може", "могти", "мочь", "в", "у",
        "на", "для", "до", "з", "із", "зі", "від", "по", "про", "за", "через", "при", "під", "над", "без", "між", "і",
        "й", "та", "а", "але", "або", "не", "ні", "це", "цей", "ця", "ці", "той", "те", "ті", "то", "так", "вже",
        "ще", "же", "ж", "б", "би", "бути", "є", "був", "була", "було", "будь", "ласка", "підкажіть", "допоможіть",
        "дуже", "онлайн", "тут", "там", "зараз", "всі", "все", "весь",
        # Russian
        "как", "где", "что", "когда", "куда", "сколько", "почему", "мне", "меня", "мой", "моё",
        "мое", "надо", "нужно", "хотеть", "можно", "с", "со", "от", "о", "об", "и", "или", "это", "этот",
        "пожалуйста", "помогите", "подскажите", "быть", "есть",
        # English and Polish (cards carry en/pl text)
        "the", "and", "of", "to", "for", "an", "in", "on", "or", "is", "are", "by", "with", "your", "you", "can", "it",
        "at", "be", "from", "through", "do", "this", "that", "as", "if", "not", "no", "all", "any", "which", "who",
        "what", "when", "where", "how", "will", "may", "has", "have", "was", "were", "its", "their", "there", "here",
        "also", "into", "out", "up", "about", "so", "than", "then", "only", "more", "some", "such",
        "na", "w", "z", "dla", "oraz", "lub", "się", "jak", "gdzie", "jest", "są", "nie", "od", "po", "przez", "co",
        "czy", "ich", "jego", "jej", "tak", "przy", "ze", "we", "za", "tym", "ten", "ta", "te",
    }
)  # fmt: skip

#: Russian (and surzhyk) everyday words → Ukrainian, keyed by lemma. Coordinators' ``Synonym``
#: rows come first; this map is language knowledge that should not depend on curation.
RUSSIAN_TO_UKRAINIAN: dict[str, str] = {
    "пенсия": "пенсія", "пенсионный": "пенсійний", "пенсионер": "пенсіонер", "проверить": "перевірити",
    "проверка": "перевірка", "узнать": "дізнатися", "получить": "отримати", "получение": "отримання",
    "оформить": "оформити", "оформление": "оформлення", "заплатить": "заплатити", "оплатить": "оплатити",
    "платеж": "платіж", "справка": "довідка", "прописка": "реєстрація місця проживання",
    "прописаться": "реєстрація місця проживання", "прописать": "реєстрація місця проживання",
    "выписаться": "зняття з реєстрації місця проживання", "коммуналка": "комунальні платежі",
    "квартплата": "комунальні платежі", "коммунальный": "комунальний", "свет": "електроенергія",
    "электричество": "електроенергія", "электроэнергия": "електроенергія", "счетчик": "лічильник",
    "показание": "показники", "долг": "борг", "задолженность": "заборгованість", "билет": "квиток", "поезд": "поїзд",
    "электричка": "електропоїзд", "самолет": "літак", "авиабилет": "авіаквиток", "работа": "робота",
    "вакансия": "вакансія", "безработица": "безробіття", "безработный": "безробітний", "пособие": "допомога",
    "помощь": "допомога", "субсидия": "субсидія", "ребенок": "дитина", "дети": "діти", "рождение": "народження",
    "свидетельство": "свідоцтво", "загранпаспорт": "закордонний паспорт", "водительский": "посвідчення водія",
    "машина": "автомобіль", "автомобиль": "автомобіль", "налог": "податок", "налоговый": "податковий",
    "декларация": "декларація", "участок": "ділянка", "кадастровый": "кадастровий", "недвижимость": "нерухомість",
    "жилье": "житло", "дневник": "щоденник", "оценка": "оцінка", "экзамен": "іспит", "поступление": "вступ",
    "поступить": "вступити", "университет": "університет", "врач": "лікар", "больница": "лікарня", "запись": "запис",
    "записаться": "записатися", "больничный": "лікарняний", "прививка": "щеплення", "жалоба": "скарга",
    "обращение": "звернення", "мэр": "мер", "обсуждение": "обговорення", "проект": "проєкт", "сбербанк": "ощадбанк",
    "ссср": "срср", "компенсация": "компенсація", "предприниматель": "підприємець", "регистрация": "реєстрація",
    "зарегистрировать": "зареєструвати", "открыть": "відкрити", "закрыть": "закрити", "развод": "розірвання шлюбу",
    "свадьба": "шлюб", "наследство": "спадщина", "военкомат": "тцк", "повестка": "повістка",
    "переселенец": "внутрішньо переміщена особа", "удостоверение": "посвідчення", "выписка": "витяг",
    "идентификационный": "ідентифікаційний", "инн": "рнокпп", "почта": "пошта", "посылка": "посилка",
    "электронный": "електронний", "подпись": "підпис", "общественный": "громадський", "информация": "інформація",
    "запрос": "запит", "полиция": "поліція", "очередь": "черга", "садик": "дитячий садок", "детский": "дитячий",
    "лечение": "лікування", "лекарство": "ліки",
}  # fmt: skip

#: Colloquial words and abbreviations that mean the same as a catalogue word (both ways).
BUILTIN_SYNONYMS: dict[str, str] = {
    "прописка": "реєстрація місця проживання",
    "комуналка": "комунальні платежі",
    "зно": "нмт",
    "нмт": "зно",
    "флп": "фоп",
    "фоп": "флп",
    "пфу": "пенсійний фонд",
    "іпн": "рнокпп",
}


def normalise_query(text: str) -> str:
    """The form a query is compared, logged and matched against synonyms in."""
    text = unicodedata.normalize("NFC", str(text or "")).lower()
    text = normalize_apostrophes(text)
    text = _SPACE_RE.sub(" ", text).strip()
    return text[:MAX_QUERY_LENGTH].rstrip()


def _morph() -> tuple[MorphAnalyzer, MorphAnalyzer]:
    """The Ukrainian and Russian analysers, shared with the personal-data detector (core.morph)."""
    return analysers()


def lemma_key(word: str) -> str:
    """How a lemma or word form is stored in the index: no apostrophes, ё as е."""
    return _APOSTROPHE_RE.sub("", word).replace("ё", "е")


@functools.lru_cache(maxsize=200_000)
def word_lemmas(word: str) -> tuple[str, ...]:
    """Lemmas of one lower-case word, most likely first (at most three).

    Ukrainian dictionary words give every distinct lemma pymorphy3 proposes ("львові" →
    львов, львів, лев), so a card and a query meet even when the first guess differs.
    Words only the Russian dictionary knows give its lemma ("пенсию" → пенсия); words
    neither knows (names, typos, Latin) stay as they are.
    """
    if word in ABBREVIATIONS or _LATIN_RE.match(word) or word.isdigit():
        return (lemma_key(word),)
    uk, ru = _morph()
    parse_form = _APOSTROPHE_RE.sub("'", word)
    if not _RUSSIAN_ONLY_RE.search(word) and uk.word_is_known(parse_form):
        lemmas = [lemma_key(p.normal_form) for p in uk.parse(parse_form)]
    elif ru.word_is_known(word):
        lemmas = [lemma_key(p.normal_form) for p in ru.parse(word)]
    else:
        lemmas = [lemma_key(word)]
    unique = list(dict.fromkeys(lemma for lemma in lemmas if lemma))
    return tuple(unique[:3])


def is_known_word(word: str) -> bool:
    uk, ru = _morph()
    return uk.word_is_known(_APOSTROPHE_RE.sub("'", word)) or ru.word_is_known(word)


@dataclass(frozen=True)
class Token:
    form: str  # the word as written, lower case, apostrophes removed
    lemmas: tuple[str, ...]  # most likely first


def tokenise(text: str, *, keep_stop_words: bool = False) -> list[Token]:
    text = normalize_apostrophes(unicodedata.normalize("NFC", text))
    tokens = []
    for match in WORD_RE.finditer(text):
        word = match.group()
        if _HAS_LATIN_RE.search(word) and has_cyrillic(word):
            word = word.translate(_LOOKALIKES)
        abbreviation = _ABBREVIATION_RE.match(word)
        if abbreviation and (word.isupper() or abbreviation.group(1).lower() in ABBREVIATIONS):
            short = abbreviation.group(1).lower()
            if keep_stop_words or short not in STOP_WORDS:  # "ЯК ОТРИМАТИ" in a heading
                tokens.append(Token(form=lemma_key(short), lemmas=(lemma_key(short),)))
            continue
        lower = word.lower()
        if len(lower) < 2 and not lower.isdigit():
            continue
        if not keep_stop_words and lower in STOP_WORDS:
            continue
        lemmas = word_lemmas(lower)
        if not keep_stop_words:
            if lemmas[0] in STOP_WORDS:
                continue
            lemmas = tuple(lemma for lemma in lemmas if lemma not in STOP_WORDS) or lemmas
        tokens.append(Token(form=lemma_key(lower), lemmas=lemmas))
    return tokens


def analyse(text: str) -> list[str]:
    """Lemmas of the meaningful words of ``text``, in order, each once.

    A word may give more than one lemma when the dictionary cannot tell which is meant;
    the most likely one comes first.
    """
    lemmas: dict[str, None] = {}
    for token in tokenise(text):
        for lemma in token.lemmas:
            lemmas.setdefault(lemma, None)
    return list(lemmas)


@functools.lru_cache(maxsize=4096)
def phrase_lemmas(text: str) -> tuple[str, ...]:
    """The most likely lemma of each meaningful word of a synonym term or expansion."""
    return tuple(token.lemmas[0] for token in tokenise(text))


def clear_caches() -> None:
    """Forget every cached analysis (benchmarks measure a cold start with it)."""
    word_lemmas.cache_clear()
    phrase_lemmas.cache_clear()
