"""Normalising Ukrainian place names for matching: apostrophes, Russian letters,
word forms and Latin transliteration (the official 2010 table, KMU resolution No. 55)."""

from __future__ import annotations

import re
import unicodedata

# Every way people type the Ukrainian apostrophe.
APOSTROPHES = "'’ʼ`´‘ʹ′＇"
_APOSTROPHE_RE = re.compile(f"[{re.escape(APOSTROPHES)}]")
_SPACES_RE = re.compile(r"[\s\-‐‑–—_.,;:/()]+")
_CYRILLIC_RE = re.compile(r"[а-яіїєґёыэъ]", re.IGNORECASE)

# Russian letters typed on a Ukrainian keyboard's neighbours, mapped to the Ukrainian ones.
_RUSSIAN = str.maketrans({"ё": "е", "ы": "и", "э": "е", "ъ": ""})

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "ʼ": "",
}  # fmt: skip
_TRANSLIT_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC_RE.search(text))


def normalize_apostrophes(text: str) -> str:
    return _APOSTROPHE_RE.sub("ʼ", text)


def transliterate(text: str) -> str:
    """Official Ukrainian → Latin transliteration, keeping the case of the first letter of each word."""
    words = []
    for word in normalize_apostrophes(text.strip()).split():
        out = []
        lower = word.lower()
        for i, ch in enumerate(lower):
            if ch == "г" and i > 0 and lower[i - 1] == "з":
                out.append("gh")
            elif i == 0 and ch in _TRANSLIT_INITIAL:
                out.append(_TRANSLIT_INITIAL[ch])
            else:
                out.append(_TRANSLIT.get(ch, ch))
        latin = "".join(out)
        if word[:1].isupper():
            latin = latin[:1].upper() + latin[1:]
        words.append(latin)
    return " ".join(words)


def search_key(text: str) -> str:
    """Text as a search compares it on every database: NFC, case-folded (Cyrillic too: SQLite's
    LIKE folds only ASCII), one apostrophe, words separated by one space; punctuation kept."""
    return " ".join(normalize_apostrophes(unicodedata.normalize("NFC", text).casefold()).split())


def name_key(text: str) -> str:
    """Lower-case Cyrillic key: no apostrophes, Russian letters folded, words separated by one space."""
    text = unicodedata.normalize("NFC", text).lower().translate(_RUSSIAN)
    text = _APOSTROPHE_RE.sub("", text).replace("ʼ", "")
    return _SPACES_RE.sub(" ", text).strip()


_LOOSE_RULES = [
    ("shch", "sc"), ("sch", "sc"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("tz", "c"),
    ("ch", "c"), ("sh", "s"), ("g", "h"), ("w", "v"), ("x", "ks"), ("q", "k"),
    ("ye", "e"), ("ie", "e"), ("je", "e"), ("yu", "u"), ("iu", "u"), ("ju", "u"),
    ("ya", "a"), ("ia", "a"), ("ja", "a"), ("yi", "i"), ("y", "i"), ("j", "i"),
]  # fmt: skip
_DOUBLE_RE = re.compile(r"(.)\1+")


def latin_key(text: str) -> str:
    """A forgiving Latin key: "Mykolaiv", "Mykolayiv" and "Миколаїв" all give "mikolaiv"."""
    if has_cyrillic(text):
        text = transliterate(name_key(text))
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHE_RE.sub("", text)
    text = _SPACES_RE.sub(" ", text).strip()
    for old, new in _LOOSE_RULES:
        text = text.replace(old, new)
    return _DOUBLE_RE.sub(r"\1", text)
