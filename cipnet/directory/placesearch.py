"""Finding a settlement from what a person typed.

People write "у Миколаєві", "Марянівка", Russian letters (ы, э, ё, ъ), "Mykolayiv", or just the first
letters. The database narrows the candidates with an indexed prefix match on `name_key` / `latin_key`
(plain `LIKE 'x%'`, so SQLite and PostgreSQL give the same candidates), and the ranking is done here in
Python, where Ukrainian word forms can be handled (PostgreSQL has no Ukrainian text-search configuration).
Queries in Latin letters match whole names and beginnings through `latin_key`; their word forms
("Lvova") are not recognised, and a typo in the first letters of a query is not forgiven.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q

from cipnet.core.text import has_cyrillic, latin_key, name_key
from cipnet.directory.models import SETTLEMENT_LEVELS, Territory, TerritoryLevel

SCORE_EXACT = 1.0
SCORE_LOOSE_EXACT = 0.95  # и/і/ї/й or е/є confused: Марянивка, Миколаів
SCORE_WORD_FORM = 0.9
SCORE_PREFIX = 0.7
FUZZY_MIN_RATIO = 0.8
_FUZZY_WEIGHT = 0.6  # a fuzzy match always ranks below a prefix match

# Cities (and Kyiv) first, then selyshche, then villages: the bigger place is the likelier meaning.
# Within a level, a place that names its oblast, raion or hromada comes first (see `_centre_rank`).
_LEVEL_RANK: dict[str, int] = {
    TerritoryLevel.SPECIAL_CITY: 0,
    TerritoryLevel.CITY: 0,
    TerritoryLevel.SELYSHCHE: 1,
    TerritoryLevel.VILLAGE: 2,
}

# Words in front of a name that are not part of it: prepositions ("у Львові") and kinds ("м. Львів").
_LEADING_WORDS = frozenset(
    {"у", "в", "до", "з", "із", "зі", "біля", "під", "м", "місто", "с", "село", "смт", "сел", "селище"}
    | {"m", "misto", "s", "selo", "smt", "city", "town", "village"}
)

# Letters people confuse when typing without a Ukrainian layout (the Latin key is looser still, and would
# make "Стри" equal "Стрий", so it is used only for queries written in Latin).
_LOOSE_CYRILLIC = str.maketrans({"і": "и", "ї": "и", "й": "и", "є": "е", "ь": None})
_VOWELS = frozenset("аеєиіїоуюя")
# Vowels of a closed last syllable that change in other forms: Львів/Львова, Київ/Києва, Бердичів/Бердичева.
_ALTERNATING = frozenset("іїоеє")
# Case endings of nouns and adjectives in place names; each one a word has is tried.
_QUERY_ENDINGS = (
    "ого", "ому", "ими", "ами", "ями", "ою", "ею", "єю", "ій", "ої", "ий", "ім", "их", "ах", "ях", "ам", "ям",
    "ом", "ем", "єм", "ів", "їв", "ей", "ії", "ію", "ія",
    "а", "я", "у", "ю", "і", "ї", "е", "є", "о", "и", "й", "ь", "",
)  # fmt: skip
# The endings a name has in the codifier (nominative).
_NAME_ENDINGS = ("ий", "ій", "ія", "а", "я", "о", "е", "є", "и", "і", "ї", "й", "ь", "")
# Before the dative/locative "-і" of feminine nouns к, г, х become ц, з, с: Миколаївка → у Миколаївці.
_SOFTENED = {"ц": "к", "з": "г", "с": "х"}
_MIN_STEM = 2

_UKRAINIAN_ORDER = {letter: index for index, letter in enumerate(" абвгґдеєжзиіїйклмнопрстуфхцчшщьюя")}


@dataclass(frozen=True, slots=True)
class Match:
    territory: Territory
    score: float
    exact: bool  # the whole name matched (any word form or spelling variant), not just its beginning
    centre_rank: int = 3  # 0: the oblast is named after it, 1: the raion, 2: the hromada, 3: none (`_centre_rank`)


def settlement_search(query: str, *, limit: int = 10) -> list[Match]:
    """Settlements (cities, selyshche, villages, Kyiv and Sevastopol) matching `query`, best first.

    Same-named places are all returned; `territory.full_label` tells them apart without further queries.
    """
    prepared = _Query.parse(query)
    if prepared is None or limit <= 0:
        return []
    conditions = [_starts_with("name_key", prefix) for prefix in prepared.name_prefixes]
    conditions += [_starts_with("latin_key", prefix) for prefix in prepared.latin_prefixes]
    if not conditions:  # nothing to search by (digits, signs): no settlement is named so
        return []
    candidates = (
        Territory.objects.filter(reduce(or_, conditions), level__in=SETTLEMENT_LEVELS)
        .order_by()
        .values_list(
            "pk", "code", "level", "name_key", "latin_key", "oblast__name_key", "raion__name_key", "hromada__name_key"
        )
    )
    scored: list[tuple[tuple[float, int, int, str, str], int, float, bool]] = []
    for pk, code, level, key, latin, *units in candidates:
        score, exact = prepared.score(key, latin)
        if score > 0:
            order = (-score, _LEVEL_RANK.get(level, 3), _centre_rank(key, units), _collation_key(key), code)
            scored.append((order, pk, score, exact))
    scored.sort()
    best = scored[:limit]
    territories = Territory.objects.select_related("hromada", "raion", "oblast", "oblast__region").in_bulk(
        [pk for _, pk, _, _ in best]
    )
    return [
        Match(territory=territories[pk], score=score, exact=exact, centre_rank=order[2])
        for order, pk, score, exact in best
    ]


# Above every character: a key that starts with the prefix sorts below the prefix followed by this.
_LAST_CHARACTER = "\U0010ffff"


def _starts_with(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, in a form the database answers from the field's index.

    SQLite does not use an index for Django's `LIKE 'x%' ESCAPE` (its LIKE folds case), and scans
    31,000 territories (17 ms); keys compare byte by byte there, so the range holds exactly the keys with
    that beginning (0.1 ms). PostgreSQL answers LIKE from the field's pattern index, while a range
    could be cut differently by a language's collation, so it keeps LIKE."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _LAST_CHARACTER})
    return Q(**{f"{field}__startswith": prefix})


@dataclass(frozen=True, slots=True)
class _Query:
    key: str  # name_key of the query without leading prepositions
    loose: str  # the key with и/і/ї/й and е/є not told apart
    latin: str
    cyrillic: bool
    words: tuple[str, ...]
    word_stems: tuple[frozenset[str], ...]  # possible stems of each word, if the query is Cyrillic
    name_prefixes: tuple[str, ...]
    latin_prefixes: tuple[str, ...]

    @classmethod
    def parse(cls, query: str) -> _Query | None:
        words = name_key(query).split()
        while len(words) > 1 and words[0] in _LEADING_WORDS:
            words.pop(0)
        key = " ".join(words)
        if len(key.replace(" ", "")) < _MIN_STEM:
            return None
        latin = latin_key(key)
        cyrillic = has_cyrillic(key)
        word_stems: tuple[frozenset[str], ...] = ()
        name_prefixes: set[str] = set()
        if cyrillic:
            word_stems = tuple(frozenset(_stem_key(stem) for stem in _query_stems(word)) for word in words)
            name_prefixes = _prefixes(words[0])
        latin_prefixes = {latin[:3]} if len(latin) >= _MIN_STEM else set()
        return cls(
            key,
            key.translate(_LOOSE_CYRILLIC),
            latin,
            cyrillic,
            tuple(words),
            word_stems,
            _minimal(name_prefixes),
            _minimal(latin_prefixes),
        )

    def score(self, key: str, latin: str) -> tuple[float, bool]:
        if self.cyrillic:
            if key == self.key:
                return SCORE_EXACT, True
            if key.translate(_LOOSE_CYRILLIC) == self.loose:
                return SCORE_LOOSE_EXACT, True
            if self._same_word_forms(key):
                return SCORE_WORD_FORM, True
        elif latin == self.latin:
            return SCORE_EXACT, True
        if (self.cyrillic and key.startswith(self.key)) or latin.startswith(self.latin):
            return SCORE_PREFIX, False
        ratio = max(_ratio(self.key, key) if self.cyrillic else 0.0, _ratio(self.latin, latin))
        if ratio >= FUZZY_MIN_RATIO:
            return round(_FUZZY_WEIGHT * ratio, 3), False
        return 0.0, False

    def _same_word_forms(self, key: str) -> bool:
        words = key.split()
        if len(words) != len(self.word_stems):
            return False
        return all(
            _is_form_of(typed, word, stems)
            for word, typed, stems in zip(words, self.words, self.word_stems, strict=True)
        )


def _is_form_of(typed: str, word: str, typed_stems: frozenset[str]) -> bool:
    # A beginning of the name is being typed, not a form of it ("Стри" is not Стрий), except for the
    # genitive plural of plural names, which is their bare stem: з Черкас, до Сум.
    if word != typed and word.startswith(typed) and word[-1] not in "иі":
        return False
    return bool(typed_stems & {_stem_key(stem) for stem in _name_stems(word)})


def _query_stems(word: str) -> set[str]:
    """What is left of a word of any case after taking off each ending it might have."""
    stems = set()
    for ending in _QUERY_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            stem = word[: len(word) - len(ending)]
            stems.add(stem)
            if ending == "і" and stem[-1] in _SOFTENED:
                stems.add(stem[:-1] + _SOFTENED[stem[-1]])
    return stems


def _name_stems(word: str) -> set[str]:
    return {
        word[: len(word) - len(ending)]
        for ending in _NAME_ENDINGS
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM
    }


def _stem_key(stem: str) -> str:
    """A stem with its last-syllable vowel neutralised, so Львів and Львов-а, Київ and Києв-а compare equal.

    The soft sign goes too, which also lets Russian spellings (Харьков) meet Ukrainian ones (Харків)."""
    stem = stem.replace("ь", "")
    for index in range(len(stem) - 1, -1, -1):
        if stem[index] in _VOWELS:
            if stem[index] in _ALTERNATING:
                return f"{stem[:index]}*{stem[index + 1 :]}"
            break
    return stem


def _prefixes(word: str) -> set[str]:
    """Beginnings that the nominative of the first word must have: each possible stem, with every
    alternative for a vowel of the last syllable that may alternate (Києв-а → Киї…, Рог-у → Рі…)."""
    prefixes = set()
    for stem in _query_stems(word) | {word}:
        variants = {stem}
        for index in range(len(stem) - 1, -1, -1):
            if stem[index] in _VOWELS:
                if stem[index] in _ALTERNATING:
                    variants = {stem[:index] + vowel for vowel in _ALTERNATING}
                break
        prefixes |= {variant for variant in variants if len(variant) >= _MIN_STEM}
    return prefixes


def _minimal(prefixes: set[str]) -> tuple[str, ...]:
    """Drop prefixes made redundant by a shorter one (the database would return their rows anyway)."""
    kept = sorted(prefixes, key=len)
    result: list[str] = []
    for prefix in kept:
        if not any(prefix.startswith(shorter) for shorter in result):
            result.append(prefix)
    return tuple(sorted(result))


def _ratio(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_MIN_RATIO or matcher.quick_ratio() < FUZZY_MIN_RATIO:
        return 0.0
    return matcher.ratio()


def _centre_rank(key: str, unit_keys: Sequence[str | None]) -> int:
    """0 if the oblast is named after the place (Миколаїв → Миколаївська), 1 the raion, 2 the hromada, else 3.

    Of two same-named cities the one that gives its name to the oblast or raion is its centre, and far
    more likely the one meant; the codifier carries no population to rank by."""
    stem = key.replace(" ", "")
    stem = stem[: max(3, len(stem) - 2)]
    for rank, unit_key in enumerate(unit_keys):
        if unit_key and unit_key.replace(" ", "").startswith(stem):
            return rank
    return len(unit_keys)


def _collation_key(key: str) -> str:
    """Ukrainian alphabetical order (Unicode puts і, ї, є, ґ after я)."""
    return "".join(chr(0x100 + _UKRAINIAN_ORDER[ch]) if ch in _UKRAINIAN_ORDER else chr(0x1000 + ord(ch)) for ch in key)


__all__ = ["Match", "settlement_search"]
