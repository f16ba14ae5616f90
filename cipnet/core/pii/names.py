"""People's names in free text, by their word forms (pymorphy3): the author's in any inflected form,
and anyone else's.

The author's name: every part of it (first name, surname, patronymic) matches its whole lexeme in the
Ukrainian and Russian dictionaries (Ольга → Ользі, Ольгою, Ольге; Кіт → Котові; Кравець → Кравця), the
same lemma, and, for a surname no dictionary knows, its stem with a case ending (Шкурупій → Шкурупієві).

Other people: a capitalised word the analyser reads as a first name, surname or patronymic (its tags
Name, Surn, Patr), or a capitalised unknown word with a surname's ending, or one next to such a word,
with the initials beside them ("Петренко О. В."). Not flagged: the name of a street, square or
institution after its type word ("вулиця Шевченка", "школа імені Лесі Українки") — a street is a
public place; a home address with its house number is found as an address —, words in quotes (firms,
newspapers), month names, and a sentence's first word that is also a common word ("Віра в те, що…"),
unless a name or an initial stands beside it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cipnet.core.morph import analysers
from cipnet.core.pii.kinds import PiiKind

_NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_RUSSIAN_ONLY = re.compile(r"[ыэёъ]", re.IGNORECASE)
_ENDINGS = "аеєиіїоуюяйь"
_SURNAME_ENDINGS = re.compile(
    r"(?:енк|ук|юк|чук|як|ишин|ин|ів|ов|ев|єв|ич|ський|цький|ська|цька|ий|ко|ак|ар|ець|ій|ун|ан)[а-яіїєґ]{0,3}$"
)
_ADJECTIVAL_SURNAME = re.compile(r"(?:ськ|цьк|зьк|ск|цк)(?:ий|ого|ому|им|ім|а|ої|ій|у|ою|ая|ой|ую)$")
_MONTHS = frozenset(
    [
        "січень",
        "лютий",
        "березень",
        "квітень",
        "травень",
        "червень",
        "липень",
        "серпень",
        "вересень",
        "жовтень",
        "листопад",
        "грудень",
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ]
)
#: A capitalised run after one of these names a place or an institution, not a person.
_PLACE_WORDS = frozenset(
    [
        "вулиця",
        "вулиці",
        "вулицю",
        "вулицею",
        "вул",
        "ул",
        "улица",
        "улице",
        "улицы",
        "проспект",
        "проспекту",
        "проспекті",
        "просп",
        "провулок",
        "провулку",
        "пров",
        "переулок",
        "переулке",
        "пер",
        "бульвар",
        "бульвару",
        "бульварі",
        "бул",
        "площа",
        "площі",
        "площу",
        "пл",
        "узвіз",
        "шосе",
        "набережна",
        "набережній",
        "проїзд",
        "тупик",
        "мікрорайон",
        "мкр",
        "масив",
        "імені",
        "ім",
        "им",
        "имени",
        "станція",
        "станції",
        "метро",
    ]
)
_PLACE_ABBREVIATIONS = frozenset({"вул", "ул", "просп", "пров", "пер", "бул", "пл", "мкр", "ім", "им"})
_SENTENCE_END = re.compile(r"(?:^|[.!?…]\s*|\n\s*|[«\"„“]\s*)$")
_INITIAL = re.compile(r"(?<![\w])[А-ЯІЇЄҐA-Z]\.(?:\s?[А-ЯІЇЄҐA-Z]\.)?")
_QUOTES = "«\"„“'"
_FUNCTION_POS = frozenset({"NPRO", "PREP", "CONJ", "PRCL", "INTJ"})


@dataclass(frozen=True)
class _Word:
    tags: frozenset[str]  # Name / Surn / Patr readings
    common: bool  # another reading: a common word
    known: bool
    verb: bool  # the first reading is a verb
    function: bool  # a pronoun, preposition, conjunction or particle reading ("Мені", "Але")
    adjective: bool  # an adjective reading ("Вінницькій області")
    noun_or_adjective: bool  # the first reading
    lemmas: frozenset[str]


@functools.lru_cache(maxsize=100_000)
def _analyse(lower: str) -> _Word:
    """Both dictionaries' readings: a Ukrainian text may hold a Russian pronoun ("Меня зовут") and
    the Ukrainian dictionary lacks some first names the Russian one has ("Богдан")."""
    uk, ru = analysers()
    uk_known = not _RUSSIAN_ONLY.search(lower) and uk.word_is_known(lower)
    ru_known = ru.word_is_known(lower)
    main = uk if uk_known or not ru_known else ru
    parses = main.parse(lower)
    every = parses + (ru.parse(lower) if ru_known and main is uk else [])
    tags: set[str] = set()
    common = False
    for p in parses:
        found = _NAME_TAGS & set(p.tag.grammemes)
        tags |= found
        if not found:
            common = True
    for p in every:
        tags |= _NAME_TAGS & set(p.tag.grammemes)
    return _Word(
        tags=frozenset(tags),
        common=common,
        known=uk_known or ru_known,
        verb=bool(parses) and parses[0].tag.POS == "VERB",
        function=any(p.tag.POS in _FUNCTION_POS for p in every),
        adjective=any(p.tag.POS == "ADJF" for p in parses),
        noun_or_adjective=bool(parses) and parses[0].tag.POS in ("NOUN", "ADJF"),
        lemmas=frozenset(p.normal_form for p in parses),
    )


@dataclass(frozen=True)
class AuthorNames:
    """Every form of the author's name parts, for matching words of a text."""

    forms: frozenset[str]
    lemmas: frozenset[str]
    stems: tuple[str, ...]

    def matches(self, lower: str, *, capitalised: bool) -> bool:
        if lower in self.forms:
            return capitalised or not _analyse(lower).common
        if not capitalised:
            return False
        if self.lemmas & _analyse(lower).lemmas:
            return True
        return any(lower.startswith(stem) and _is_ending(lower[len(stem) :]) for stem in self.stems)


def _is_ending(rest: str) -> bool:
    return len(rest) <= 3 and all(ch in _ENDINGS + "мвхгоу" for ch in rest)


@functools.lru_cache(maxsize=1024)
def author_names(full_names: tuple[str, ...]) -> AuthorNames:
    uk, ru = analysers()
    forms: set[str] = set()
    lemmas: set[str] = set()
    stems: set[str] = set()
    for full in full_names:
        for part in _WORD.findall(full or ""):
            lower = part.lower()
            if len(lower) < 2:
                continue
            forms.add(lower)
            for morph in (uk, ru):
                for p in morph.parse(lower):
                    if _NAME_TAGS & set(p.tag.grammemes):
                        lemmas.add(p.normal_form)
                        forms.update(f.word for f in p.lexeme)
            stem = lower[:-1] if lower[-1] in _ENDINGS and len(lower) > 3 else lower
            if stem.endswith("ець") or stem.endswith("ец"):
                stems.add(stem[:-2] + "ц")  # Кравець → Кравця
            if len(stem) >= 3 and stem[-2] in "іо":
                stems.add(stem[:-2] + "о" + stem[-1])  # Кіт → Котові
                stems.add(stem[:-2] + "е" + stem[-1])  # Ковалів → Ковалева
            if len(stem) >= 3:
                stems.add(stem)
    # The author's lemmas must not catch common words: only name readings count.
    return AuthorNames(frozenset(forms), frozenset(lemmas), tuple(sorted(stems, key=len, reverse=True)))


@dataclass
class _Token:
    start: int
    end: int
    text: str
    lower: str
    author: bool = False
    name: bool = False


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (word[1:].islower() or (word.isupper() and len(word) >= 3))


def find_names(text: str, known: Iterable[str] = ()) -> Iterator[tuple[PiiKind, int, int]]:
    """(kind, start, end) of each run of name words: the author's (AUTHOR_NAME) or anyone's."""
    author = author_names(tuple(k for k in known if k))
    tokens = [_Token(m.start(), m.end(), m.group(), m.group().lower()) for m in _WORD.finditer(text)]
    for i, tok in enumerate(tokens):
        cap = _capitalised(tok.text)
        if author.forms and author.matches(tok.lower, capitalised=cap):
            tok.author = tok.name = True
            continue
        if not cap or len(tok.lower) < 2:
            continue
        prev = tokens[i - 1] if i else None
        if prev is not None and _place_context(text, tokens, i):
            continue
        if text[max(0, tok.start - 1) : tok.start] in _QUOTES and tok.start > 0:
            continue
        word = _analyse(tok.lower)
        if word.lemmas & _MONTHS or word.function:
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            word.adjective
            and nxt is not None
            and _adjacent(text, tok, nxt)
            and nxt.text.islower()
            and _analyse(nxt.lower).noun_or_adjective
        ):
            continue  # "Вінницькій області", "Миколаївська міська рада"
        initial = _SENTENCE_END.search(text[: tok.start]) is not None and not _after_initial(text, tok.start)
        if word.tags:
            beside_a_name = (
                nxt is not None
                and _adjacent(text, tok, nxt)
                and _capitalised(nxt.text)
                and bool(_analyse(nxt.lower).tags)
            )
            tok.name = not initial or not word.common or beside_a_name or _initials_after(text, tok.end)
        elif not word.known and not initial and _SURNAME_ENDINGS.search(tok.lower):
            tok.name = True
    # Neighbours: an unknown or adjectival capitalised word beside a name is part of it.
    for i, tok in enumerate(tokens):
        if tok.name or not _capitalised(tok.text):
            continue
        neighbours = [tokens[j] for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
        if any(n.name and _adjacent(text, n, tok) for n in neighbours):
            word = _analyse(tok.lower)
            if (not word.known or _ADJECTIVAL_SURNAME.search(tok.lower)) and not (word.lemmas & _MONTHS):
                tok.name = True
    yield from _runs(text, tokens)


def _place_context(text: str, tokens: list[_Token], i: int) -> bool:
    """Whether token i continues a place or institution name: a type word up to three capitalised
    words (or a number) before it, within the sentence, as in "вул. Героїв Майдану", "імені Тараса
    Шевченка"."""
    j = i - 1
    while j >= 0 and i - j <= 4:
        prev = tokens[j]
        between = text[prev.end : tokens[j + 1].start]
        if prev.lower in _PLACE_WORDS:
            # A full stop only after an abbreviation ("вул. Шевченка"), not at a sentence's end ("площі. Сусід").
            dot = r"\.?" if prev.lower in _PLACE_ABBREVIATIONS else ""
            return re.fullmatch(rf"{dot}[\s\-\d]*", between) is not None
        if not _capitalised(prev.text) or not re.fullmatch(r"[\s\-\d]*", between):
            return False
        j -= 1
    return False


def _after_initial(text: str, start: int) -> bool:
    return re.search(r"(?<![\w])[А-ЯІЇЄҐA-Z]\.\s*$", text[max(0, start - 4) : start]) is not None


def _initials_after(text: str, end: int) -> bool:
    return _INITIAL.match(text[end : end + 8].lstrip()) is not None


def _adjacent(text: str, a: _Token, b: _Token) -> bool:
    first, second = (a, b) if a.start < b.start else (b, a)
    return re.fullmatch(r"[\s\-‐–]{1,3}", text[first.end : second.start]) is not None


def _runs(text: str, tokens: list[_Token]) -> Iterator[tuple[PiiKind, int, int]]:
    run: list[_Token] = []

    def close() -> Iterator[tuple[PiiKind, int, int]]:
        if not run:
            return
        start, end = run[0].start, run[-1].end
        # Initials before or after the run: "О. В. Петренко", "Петренко О.В."
        before = re.search(r"(?:(?<![\w])[А-ЯІЇЄҐA-Z]\.\s?){1,2}\s*$", text[max(0, start - 8) : start])
        if before:
            start -= len(before.group())
        after = _INITIAL.match(text, end + (len(text[end:]) - len(text[end:].lstrip(" "))))
        if after and after.start() - end <= 1:
            end = after.end()
        kind = PiiKind.AUTHOR_NAME if any(t.author for t in run) else PiiKind.PERSON_NAME
        yield kind, start, end

    for tok in tokens:
        if tok.name and run and _adjacent(text, run[-1], tok):
            run.append(tok)
            continue
        yield from close()
        run = [tok] if tok.name else []
    yield from close()
