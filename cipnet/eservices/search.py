"""Catalogue search that understands Ukrainian: lemmas, synonyms, Russian, typos.

One pipeline serves SQLite and PostgreSQL so that both order results identically:

1. ``normalise_query``: NFC, lower case, one apostrophe, single spaces, capped length;
2. synonyms: the coordinators' ``Synonym`` rows (and a small built-in Russian → Ukrainian
   map) add their expansion to the word or phrase of the query they match;
3. ``analyse``: words → lemmas with pymorphy3 (Ukrainian dictionary, the Russian one for
   words Ukrainian does not know), stop-words dropped, abbreviations kept;
4. typo tolerance: a word whose lemmas are not in the index vocabulary is corrected to the
   closest vocabulary word (restricted Damerau–Levenshtein distance, 1 for words of 4–6
   letters, 2 for longer ones);
5. candidates from the full-text index (FTS5 on SQLite, a ``tsvector`` with a GIN index on
   PostgreSQL; both hold the same lemma strings, written by ``index_card``);
6. ranking in Python: name 8 > keywords 4 > description 2 > guide 1 per query word, a bonus
   when every word matched, a small one for popularity; outdated cards demoted, withdrawn
   cards never shown.

Writes call ``index_card`` explicitly (``services._after_write``): no signals, no triggers.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Max, Q
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from cipnet.core.text import APOSTROPHES, has_cyrillic, normalize_apostrophes
from cipnet.eservices.models import CardSearchDocument, CardStatus, ServiceCard, Synonym
from cipnet.eservices.selectors import CardFilters, card_filter

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer

#: Longest query we look at (characters, after normalising).
MAX_QUERY_LENGTH = 200
#: Points for a query word found in a field; a word counts once, in its best field.
FIELD_WEIGHTS: dict[str, float] = {"name": 8.0, "keywords": 4.0, "description": 2.0, "guide": 1.0}
FIELDS = tuple(FIELD_WEIGHTS)
#: Added when a query of two or more words matched every one of them.
ALL_TERMS_BONUS = 2.0
#: Popularity 0–100 adds up to this much: enough to order equals, never to beat a better field.
POPULARITY_BONUS = 0.5
#: Outdated cards stay findable but below current ones that match as well.
OUTDATED_FACTOR = 0.5
#: At most this many vocabulary words stand in for an unfinished last word (autocomplete).
PREFIX_EXPANSIONS = 40
#: A word of the same stem ("пенсійний" for "пенсія") counts this much of an exact match.
RELATED_FACTOR = 0.5
RELATED_MIN_STEM = 5
RELATED_LIMIT = 10
FTS_TABLE = "eservices_card_fts"

# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------

_APOSTROPHE_CLASS = re.escape(APOSTROPHES + "ʼ")
#: A word: letters and digits, with apostrophes inside (сімʼя); hyphens and dots separate words.
_WORD_RE = re.compile(rf"[^\W_]+(?:[{_APOSTROPHE_CLASS}][^\W_]+)*")
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


_analysers_lock = threading.Lock()
_analysers: tuple[MorphAnalyzer, MorphAnalyzer] | None = None


def _morph() -> tuple[MorphAnalyzer, MorphAnalyzer]:
    """The Ukrainian and Russian analysers, loaded once per process on first use."""
    global _analysers
    if _analysers is None:
        with _analysers_lock:
            if _analysers is None:
                from pymorphy3 import MorphAnalyzer

                _analysers = (MorphAnalyzer(lang="uk"), MorphAnalyzer(lang="ru"))
    return _analysers


def _key(word: str) -> str:
    """How a lemma or word form is stored in the index: no apostrophes, ё as е."""
    return _APOSTROPHE_RE.sub("", word).replace("ё", "е")


@functools.lru_cache(maxsize=200_000)
def _word_lemmas(word: str) -> tuple[str, ...]:
    """Lemmas of one lower-case word, most likely first (at most three).

    Ukrainian dictionary words give every distinct lemma pymorphy3 proposes ("львові" →
    львов, львів, лев), so a card and a query meet even when the first guess differs.
    Words only the Russian dictionary knows give its lemma ("пенсию" → пенсия); words
    neither knows (names, typos, Latin) stay as they are.
    """
    if word in ABBREVIATIONS or _LATIN_RE.match(word) or word.isdigit():
        return (_key(word),)
    uk, ru = _morph()
    parse_form = _APOSTROPHE_RE.sub("'", word)
    if not _RUSSIAN_ONLY_RE.search(word) and uk.word_is_known(parse_form):
        lemmas = [_key(p.normal_form) for p in uk.parse(parse_form)]
    elif ru.word_is_known(word):
        lemmas = [_key(p.normal_form) for p in ru.parse(word)]
    else:
        lemmas = [_key(word)]
    unique = list(dict.fromkeys(lemma for lemma in lemmas if lemma))
    return tuple(unique[:3])


def _is_known_word(word: str) -> bool:
    uk, ru = _morph()
    return uk.word_is_known(_APOSTROPHE_RE.sub("'", word)) or ru.word_is_known(word)


@dataclass(frozen=True)
class _Token:
    form: str  # the word as written, lower case, apostrophes removed
    lemmas: tuple[str, ...]  # most likely first


def _tokens(text: str, *, keep_stop_words: bool = False) -> list[_Token]:
    text = normalize_apostrophes(unicodedata.normalize("NFC", text))
    tokens = []
    for match in _WORD_RE.finditer(text):
        word = match.group()
        if _HAS_LATIN_RE.search(word) and has_cyrillic(word):
            word = word.translate(_LOOKALIKES)
        abbreviation = _ABBREVIATION_RE.match(word)
        if abbreviation and (word.isupper() or abbreviation.group(1).lower() in ABBREVIATIONS):
            short = abbreviation.group(1).lower()
            if keep_stop_words or short not in STOP_WORDS:  # "ЯК ОТРИМАТИ" in a heading
                tokens.append(_Token(form=_key(short), lemmas=(_key(short),)))
            continue
        lower = word.lower()
        if len(lower) < 2 and not lower.isdigit():
            continue
        if not keep_stop_words and lower in STOP_WORDS:
            continue
        lemmas = _word_lemmas(lower)
        if not keep_stop_words:
            if lemmas[0] in STOP_WORDS:
                continue
            lemmas = tuple(lemma for lemma in lemmas if lemma not in STOP_WORDS) or lemmas
        tokens.append(_Token(form=_key(lower), lemmas=lemmas))
    return tokens


def analyse(text: str) -> list[str]:
    """Lemmas of the meaningful words of ``text``, in order, each once.

    A word may give more than one lemma when the dictionary cannot tell which is meant;
    the most likely one comes first.
    """
    lemmas: dict[str, None] = {}
    for token in _tokens(text):
        for lemma in token.lemmas:
            lemmas.setdefault(lemma, None)
    return list(lemmas)


@functools.lru_cache(maxsize=4096)
def _phrase_lemmas(text: str) -> tuple[str, ...]:
    """The most likely lemma of each meaningful word of a synonym term or expansion."""
    return tuple(token.lemmas[0] for token in _tokens(text))


# --------------------------------------------------------------------------------------------
# Index
# --------------------------------------------------------------------------------------------


def _joined(*parts: Any) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, list | tuple):
            out.extend(str(item) for item in part)
        elif part:
            out.append(str(part))
    return "\n".join(out)


def _card_texts(card: ServiceCard) -> dict[str, str]:
    provider = card.provider
    guide = _joined(
        card.guide_steps,
        card.pitfalls,
        card.bring,
        card.requirements,
        provider.name,
        provider.name_en,
        provider.name_pl,
        [c.name for c in card.categories.all()],
        [e.name for e in card.life_events.all()],
    )
    return {
        "name": _joined(card.name, card.name_en, card.name_pl),
        "keywords": _joined(card.keywords),
        "description": _joined(
            card.short_description,
            card.description,
            card.short_description_en,
            card.description_en,
            card.short_description_pl,
            card.description_pl,
        ),
        "guide": guide,
    }


def _fts_upsert(card_id: int, terms: str, forms: str) -> None:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [card_id])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, card_id, terms, forms) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [card_id, card_id, terms, forms],
            )
        elif vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (card_id, terms, forms) VALUES (%s, to_tsvector('simple', %s), %s) "  # noqa: S608
                "ON CONFLICT (card_id) DO UPDATE SET terms = EXCLUDED.terms, forms = EXCLUDED.forms",
                [card_id, terms, forms],
            )


def index_card(card: ServiceCard) -> None:
    """(Re)write the card's lemmatised document and its full-text index row."""
    texts = _card_texts(card)
    field_terms: dict[str, list[str]] = {}
    forms: dict[str, None] = {}
    for name, text in texts.items():
        lemmas: dict[str, None] = {}
        for token in _tokens(text):
            forms.setdefault(token.form, None)
            for lemma in token.lemmas:
                lemmas.setdefault(lemma, None)
        field_terms[name] = list(lemmas)
    CardSearchDocument.objects.update_or_create(
        card=card,
        defaults={
            "name_terms": " ".join(field_terms["name"]),
            "keyword_terms": " ".join(field_terms["keywords"]),
            "description_terms": " ".join(field_terms["description"]),
            "guide_terms": " ".join(field_terms["guide"]),
        },
    )
    all_terms = dict.fromkeys(term for name in FIELDS for term in field_terms[name])
    _fts_upsert(card.pk, " ".join(all_terms), " ".join(forms))
    invalidate_vocabulary()


def rebuild_index() -> int:
    """Re-index every card (after a change to the analysis); returns how many."""
    count = 0
    with transaction.atomic():
        cards = ServiceCard.objects.select_related("provider").prefetch_related("categories", "life_events")
        ids = []
        for card in cards.iterator(chunk_size=500):
            index_card(card)
            ids.append(card.pk)
            count += 1
        CardSearchDocument.objects.exclude(card_id__in=ids).delete()
        with connection.cursor() as cursor:
            if connection.vendor in ("sqlite", "postgresql"):
                cursor.execute(
                    f"DELETE FROM {FTS_TABLE} WHERE card_id NOT IN (SELECT id FROM {ServiceCard._meta.db_table})"  # noqa: S608
                )
    invalidate_vocabulary()
    return count


# --------------------------------------------------------------------------------------------
# Vocabulary: every lemma and word form of the public cards (for typo tolerance and prefixes)
# --------------------------------------------------------------------------------------------


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass
class _Vocabulary:
    signature: tuple[Any, ...]
    document_frequency: Counter[str]
    sorted_lemmas: list[str]
    spellings: list[str]  # lemmas and word forms together, for nearest-word lookups
    #: Each public card's lemmas per field, so a search scores from memory instead of re-reading them.
    fields: dict[int, dict[str, frozenset[str]]] = field(default_factory=dict)

    def __contains__(self, lemma: str) -> bool:
        return lemma in self.document_frequency

    def related(self, lemma: str) -> list[str]:
        """Words of the same stem: "пенсія" → пенсійний, пенсіонер; "безробіття" → безробітний.

        Ukrainian derives adjectives, verbs and nouns from one stem; the dictionaries give each
        its own lemma. Two lemmas are related when they share their first five letters and differ
        after that only in the last three letters of the shorter one.
        """
        if len(lemma) < RELATED_MIN_STEM or not lemma.isalpha():
            return []
        found = []
        for other in self._starting_with(lemma[:RELATED_MIN_STEM]):
            if other == lemma or not other.isalpha():
                continue
            shared = _shared_prefix(lemma, other)
            if shared >= max(RELATED_MIN_STEM, min(len(lemma), len(other)) - 3):
                found.append(other)
        found.sort(key=lambda other: (-self.document_frequency[other], other))
        return found[:RELATED_LIMIT]

    def _starting_with(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.sorted_lemmas, prefix)
        found = []
        for lemma in self.sorted_lemmas[start:]:
            if not lemma.startswith(prefix):
                break
            found.append(lemma)
        return found

    def with_prefix(self, prefix: str) -> list[str]:
        found = self._starting_with(prefix)
        found.sort(key=lambda lemma: (-self.document_frequency[lemma], len(lemma), lemma))
        return found[:PREFIX_EXPANSIONS]


_vocabulary_lock = threading.Lock()
_vocabulary: _Vocabulary | None = None


def invalidate_vocabulary() -> None:
    global _vocabulary
    _vocabulary = None


def _vocabulary_signature() -> tuple[Any, ...]:
    # Another process may have indexed cards: a cheap aggregate tells us when to reload.
    stats = ServiceCard.objects.aggregate(n=Max("pk"), changed=Max("updated_at"))
    return (CardSearchDocument.objects.count(), stats["n"], stats["changed"])


def _read_forms(public_ids: set[int]) -> Iterable[str]:
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT card_id, forms FROM {FTS_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    forms: set[str] = set()
    for card_id, text in rows:
        if int(card_id) in public_ids and text:
            forms.update(text.split())
    return forms


def _get_vocabulary() -> _Vocabulary:
    global _vocabulary
    signature = _vocabulary_signature()
    current = _vocabulary
    if current is not None and current.signature == signature:
        return current
    with _vocabulary_lock:
        frequency: Counter[str] = Counter()
        public_ids: set[int] = set()
        rows = CardSearchDocument.objects.exclude(card__status=CardStatus.WITHDRAWN).values_list(
            "card_id", "name_terms", "keyword_terms", "description_terms", "guide_terms"
        )
        fields: dict[int, dict[str, frozenset[str]]] = {}
        for card_id, *texts in rows:
            public_ids.add(card_id)
            frequency.update(set(" ".join(texts).split()))
            fields[card_id] = {name: frozenset(text.split()) for name, text in zip(FIELDS, texts, strict=True)}
        spellings = sorted(set(frequency) | set(_read_forms(public_ids)))
        current = _Vocabulary(
            signature=signature,
            document_frequency=frequency,
            sorted_lemmas=sorted(frequency),
            spellings=spellings,
            fields=fields,
        )
        _vocabulary = current
    return current


def _typo_limit(word: str, *, known: bool) -> int:
    """How many edits a word may be off: none under 4 letters, 1 up to 6, 2 beyond.

    A word the dictionaries know is probably not a typo, only one edit is allowed.
    """
    if len(word) < 4:
        return 0
    limit = 1 if len(word) <= 6 else 2
    if known:
        return 1 if len(word) >= 5 else 0
    return limit


def _nearest(word: str, vocabulary: _Vocabulary, *, known: bool) -> tuple[str, tuple[str, ...]] | None:
    """The closest spelling in the vocabulary and the indexed lemmas it stands for."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    limit = _typo_limit(word, known=known)
    if not limit:
        return None
    matches = process.extract(word, vocabulary.spellings, scorer=OSA.distance, score_cutoff=limit, limit=None)
    best: tuple[tuple[float, int, int, str], str, tuple[str, ...]] | None = None
    for spelling, distance, _index in matches:
        if spelling == word:
            continue
        lemmas = tuple(lemma for lemma in (spelling, *_word_lemmas(spelling)) if lemma in vocabulary)
        if not lemmas:
            continue
        frequency = max(vocabulary.document_frequency[lemma] for lemma in lemmas)
        rank = (distance, -frequency, 0 if spelling in vocabulary else 1, spelling)
        if best is None or rank < best[0]:
            best = (rank, spelling, tuple(dict.fromkeys(lemmas)))
    return (best[1], best[2]) if best else None


# --------------------------------------------------------------------------------------------
# Query
# --------------------------------------------------------------------------------------------


@dataclass
class Hit:
    card: ServiceCard
    score: float
    #: Field ("name", "keywords", "description", "guide") → the query lemmas found in it.
    matched: dict[str, set[str]]


@dataclass
class SearchResult:
    hits: list[Hit]
    query: str  # normalised
    terms: list[str]  # every lemma searched for, for highlighting
    corrected: dict[str, str]  # word as typed → vocabulary word it was read as
    expanded_by_synonym: list[str]  # phrases added by synonyms


@dataclass
class _Group:
    """One word of the query and what may stand for it.

    Each alternative is a phrase (its lemmas) with a factor: 1 for the word's own lemmas, a
    synonym, a typo correction or a completion; ``RELATED_FACTOR`` for a word of the same stem.
    """

    token: _Token
    alternatives: dict[tuple[str, ...], float] = field(default_factory=dict)
    completions: set[str] = field(default_factory=set)  # added for an unfinished word: no related words

    def add(self, phrase: tuple[str, ...], factor: float = 1.0) -> bool:
        if not phrase or self.alternatives.get(phrase, 0.0) >= factor:
            return False
        self.alternatives[phrase] = factor
        return True

    def terms(self) -> list[str]:
        return [lemma for phrase in self.alternatives for lemma in phrase]


def _expansion_phrases(expansion: str) -> list[tuple[str, ...]]:
    """A synonym may list several things to search for, separated by commas or semicolons."""
    phrases = (_phrase_lemmas(part.strip()) for part in re.split(r"[,;]", expansion))
    return list(dict.fromkeys(phrase for phrase in phrases if phrase))


def _synonym_pairs() -> list[tuple[str, str]]:
    """Coordinators' synonyms first, then the built-in ones they do not override."""
    pairs = [(normalise_query(term), expansion) for term, expansion in Synonym.objects.values_list("term", "expansion")]
    seen = {term for term, _expansion in pairs}
    for builtin in (BUILTIN_SYNONYMS, RUSSIAN_TO_UKRAINIAN):
        for term, expansion in builtin.items():
            if term not in seen:
                pairs.append((term, expansion))
                seen.add(term)
    return pairs


@functools.lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")


def _match_spans(term: str, query: str, tokens: Sequence[_Token], spans: Sequence[tuple[int, int]]) -> list[int]:
    """Indexes of the query tokens a synonym term covers (empty when it does not match).

    A term matches the whole query, a word or phrase written inside it, or the same words in
    other forms (lemma by lemma: "прописку" matches the term "прописка").
    """
    if not term or not tokens:
        return []
    if term == query:
        return list(range(len(tokens)))
    covered: list[int] = []
    for match in _term_pattern(term).finditer(query):
        covered.extend(i for i, (start, end) in enumerate(spans) if start >= match.start() and end <= match.end())
    if covered:
        return sorted(set(covered))
    lemmas = _phrase_lemmas(term)
    n = len(lemmas)
    if not n:
        return []
    for i in range(len(tokens) - n + 1):
        if all(lemmas[j] in tokens[i + j].lemmas for j in range(n)):
            covered.extend(range(i, i + n))
    return sorted(set(covered))


def _query_tokens(query: str) -> tuple[list[_Token], list[tuple[int, int]]]:
    """Meaningful tokens of a normalised query with their character spans."""
    tokens: list[_Token] = []
    spans: list[tuple[int, int]] = []
    for match in _WORD_RE.finditer(query):
        found = _tokens(match.group())
        if found:
            tokens.append(found[0])
            spans.append((match.start(), match.end()))
    return tokens, spans


@dataclass
class _Plan:
    query: str
    groups: list[_Group]
    corrected: dict[str, str]
    expanded: list[str]
    prefix: str | None

    def terms(self) -> list[str]:
        return list(dict.fromkeys(term for group in self.groups for term in group.terms()))

    def scorer(self) -> _Scorer:
        return _Scorer(self)


class _Scorer:
    """Scores one card's fields against a plan; built once per search (a search may rank thousands)."""

    def __init__(self, plan: _Plan) -> None:
        self.terms = frozenset(plan.terms())
        self.groups: list[tuple[dict[str, float], list[tuple[tuple[str, ...], float]]]] = []
        for group in plan.groups:
            singles: dict[str, float] = {}
            phrases = []
            for phrase, factor in group.alternatives.items():
                if len(phrase) == 1:
                    singles[phrase[0]] = max(factor, singles.get(phrase[0], 0.0))
                else:
                    phrases.append((phrase, factor))
            self.groups.append((singles, phrases))

    def __call__(
        self, fields: Mapping[str, AbstractSet[str]], popularity: int, status: str
    ) -> tuple[float, dict[str, set[str]]]:
        matched = {name: set(found) for name in FIELDS if (found := fields[name] & self.terms)}
        if not matched:
            return 0.0, {}
        weights: dict[str, float] = {}
        for name in reversed(FIELDS):  # a word counts once, in its best field
            for term in matched.get(name, ()):
                weights[term] = FIELD_WEIGHTS[name]
        total = 0.0
        matched_groups = 0
        for singles, phrases in self.groups:
            best = max((singles[term] * weights[term] for term in singles.keys() & weights.keys()), default=0.0)
            for phrase, factor in phrases:
                best = max(best, factor * sum(weights.get(lemma, 0.0) for lemma in phrase) / len(phrase))
            if best > 0:
                matched_groups += 1
            total += best
        if len(self.groups) > 1 and matched_groups == len(self.groups):
            total += ALL_TERMS_BONUS
        total += POPULARITY_BONUS * min(max(popularity, 0), 100) / 100
        if status == CardStatus.OUTDATED:
            total *= OUTDATED_FACTOR
        return round(total, 6), matched


def _plan(query: str, *, prefix: bool, vocabulary: _Vocabulary) -> _Plan:
    tokens, spans = _query_tokens(query)
    groups = [_Group(token=token, alternatives={(lemma,): 1.0 for lemma in token.lemmas}) for token in tokens]
    expanded: list[str] = []
    for term, expansion in _synonym_pairs():
        covered = _match_spans(term, query, tokens, spans)
        if not covered:
            continue
        added = False
        for phrase in _expansion_phrases(expansion):
            for i in covered:
                added = groups[i].add(phrase) or added
        if added and expansion not in expanded:
            expanded.append(expansion)

    last_prefix: str | None = None
    if prefix and groups:
        last = groups[-1]
        # Only an unfinished word at the very end of the text is a prefix.
        if spans[-1][1] == len(query):
            last_prefix = last.token.form
            for lemma in vocabulary.with_prefix(last_prefix):
                if last.add((lemma,)):
                    last.completions.add(lemma)

    corrected: dict[str, str] = {}
    for group in groups:
        if any(term in vocabulary for term in group.terms()):
            continue
        word = group.token.form
        nearest = _nearest(word, vocabulary, known=_is_known_word(word))
        if nearest is None:
            continue
        spelling, lemmas = nearest
        corrected[word] = spelling
        for lemma in lemmas:
            group.add((lemma,))

    for group in groups:
        for phrase in list(group.alternatives):
            if len(phrase) == 1 and phrase[0] not in group.completions:
                for related in vocabulary.related(phrase[0]):
                    group.add((related,), RELATED_FACTOR)
    return _Plan(query=query, groups=groups, corrected=corrected, expanded=expanded, prefix=last_prefix)


def _fts_query(terms: Sequence[str], prefix: str | None) -> str:
    words = [t for t in dict.fromkeys(terms) if _LEXEME_RE.match(t)]
    if connection.vendor == "postgresql":
        parts = list(words)
        if prefix and _LEXEME_RE.match(prefix):
            parts.append(f"{prefix}:*")
        return " | ".join(parts)
    parts = [f'"{t}"' for t in words]
    if prefix and _LEXEME_RE.match(prefix):
        parts.append(f'"{prefix}"*')
    return " OR ".join(parts)


#: What may go into a full-text query literally: the index holds only such words.
_LEXEME_RE = re.compile(r"^[^\W_]+$")


def _candidate_filter(terms: Sequence[str], prefix: str | None) -> Q | None:
    """A condition selecting the cards whose index row contains any term."""
    fts = _fts_query(terms, prefix)
    if not fts:
        return None
    if connection.vendor == "sqlite":
        sql = f"SELECT card_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    elif connection.vendor == "postgresql":
        sql = f"SELECT card_id FROM {FTS_TABLE} WHERE terms @@ to_tsquery('simple', %s)"  # noqa: S608
    else:  # Other databases: no full-text index, Python ranks every card.
        return Q()
    return Q(pk__in=RawSQL(sql, [fts]))  # noqa: S611 - constant SQL, the query is a parameter


def search(query: str, *, limit: int = 20, filters: CardFilters | None = None, prefix: bool = False) -> SearchResult:
    """Cards for what a person typed, best first, among those the filters' other fields allow
    (``selectors.card_filter``: the catalogue list's own rule). ``prefix`` reads the last word as
    unfinished."""
    normalised = normalise_query(query)
    if not normalised:
        return SearchResult(hits=[], query=normalised, terms=[], corrected={}, expanded_by_synonym=[])
    vocabulary = _get_vocabulary()
    # A space after the last word says it is finished.
    plan = _plan(normalised, prefix=prefix and not query[-1:].isspace(), vocabulary=vocabulary)
    terms = plan.terms()
    result = SearchResult(
        hits=[], query=normalised, terms=terms, corrected=plan.corrected, expanded_by_synonym=plan.expanded
    )
    if not plan.groups:
        return result
    condition = _candidate_filter([t for t in terms if t in vocabulary], plan.prefix)
    if condition is None:
        return result
    qs = ServiceCard.objects.public().filter(condition)
    if filters is not None:
        qs = card_filter(qs, filters)
    qs = qs.filter(search_document__isnull=False)
    rows = qs.values_list("pk", "name", "identifier", "popularity", "status")
    score_card = plan.scorer()
    scored: list[tuple[tuple[float, int, str, str], int, float, dict[str, set[str]]]] = []
    for pk, name, identifier, popularity, status in rows:
        fields = vocabulary.fields.get(pk)
        if fields is None:  # indexed after the cache was read: read this one card's terms
            fields = _document_fields(pk)
        score, matched = score_card(fields, popularity, status)
        if score > 0:
            scored.append(((-score, -popularity, name, identifier), pk, score, matched))
    scored.sort(key=lambda row: row[0])
    top = scored[: max(limit, 0)]
    cards = ServiceCard.objects.select_related("provider", "territory").in_bulk([row[1] for row in top])
    result.hits = [Hit(card=cards[pk], score=score, matched=matched) for _key, pk, score, matched in top if pk in cards]
    return result


def _document_fields(card_id: int) -> dict[str, frozenset[str]]:
    texts = CardSearchDocument.objects.filter(card_id=card_id).values_list(
        "name_terms", "keyword_terms", "description_terms", "guide_terms"
    ).first() or ("", "", "", "")
    return {name: frozenset(text.split()) for name, text in zip(FIELDS, texts, strict=True)}


def autocomplete(text: str, *, limit: int = 8) -> list[Hit]:
    """Cards as a consultant types: the last word may be unfinished."""
    return search(text, limit=limit, prefix=True).hits


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """``text`` HTML-escaped, with the words whose lemma is among ``terms`` in ``<mark>``."""
    wanted = {_key(normalise_query(term)) for term in terms if term}
    text = str(text or "")
    if not wanted:
        return mark_safe(html.escape(text))  # escaped just above
    out: list[str] = []
    position = 0
    for match in _WORD_RE.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        word = match.group()
        tokens = _tokens(word, keep_stop_words=True)
        lemmas = set(tokens[0].lemmas) | {tokens[0].form} if tokens else set()
        if lemmas & wanted:
            out.append(f"<mark>{html.escape(word)}</mark>")
        else:
            out.append(html.escape(word))
        position = match.end()
    out.append(html.escape(text[position:]))
    return mark_safe("".join(out))  # every piece is escaped
