"""Numbers meet nouns in the right form: every plural message, in Ukrainian and Polish, for 0–200,
against an independent reading of the CLDR rules; and no template puts a count before a bare noun."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.translation import ngettext

import cipnet

LOCALE_DIR = Path(cipnet.__file__).resolve().parent / "locale"
TEMPLATES = Path(cipnet.__file__).resolve().parent / "templates"
ONE, FEW, MANY = 0, 1, 2


def cldr_uk(n: int) -> int:
    """CLDR for Ukrainian whole numbers: one (1, 21, 31… not 11), few (2–4, 22–24… not 12–14), many."""
    last, last_two = n % 10, n % 100
    if last == 1 and last_two != 11:
        return ONE
    if last in (2, 3, 4) and last_two not in (12, 13, 14):
        return FEW
    return MANY


def cldr_pl(n: int) -> int:
    """CLDR for Polish whole numbers: one (only 1), few (2–4, 22–24… not 12–14), many (the rest)."""
    if n == 1:
        return ONE
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return FEW
    return MANY


RULES = {"uk": cldr_uk, "pl": cldr_pl}


def test_the_reference_rules_themselves() -> None:
    expected_uk = {1: ONE, 2: FEW, 4: FEW, 5: MANY, 11: MANY, 20: MANY, 21: ONE, 22: FEW, 25: MANY, 111: MANY}
    expected_uk |= {112: MANY, 121: ONE, 0: MANY}
    assert {n: cldr_uk(n) for n in expected_uk} == expected_uk
    expected_pl = {1: ONE, 2: FEW, 4: FEW, 5: MANY, 12: MANY, 14: MANY, 21: MANY, 22: FEW, 24: FEW, 0: MANY}
    assert {n: cldr_pl(n) for n in expected_pl} == expected_pl


def plural_entries(lang: str) -> list[polib.POEntry]:
    po = polib.pofile(str(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"))
    return [entry for entry in po if entry.msgid_plural and not entry.obsolete]


@pytest.mark.parametrize("lang", ["uk", "pl"])
def test_every_plural_message_takes_the_cldr_form_from_0_to_200(lang: str) -> None:
    entries = plural_entries(lang)
    assert len(entries) >= 10
    wrong = []
    with translation.override(lang):
        for entry in entries:
            if entry.msgctxt:
                continue
            for n in range(201):
                expected = entry.msgstr_plural[RULES[lang](n)]
                if ngettext(entry.msgid, entry.msgid_plural, n) != expected:
                    wrong.append(f"{entry.msgid!r} for {n}")
                    break
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", ["uk", "pl"])
def test_every_plural_message_has_three_forms(lang: str) -> None:
    short = [
        e.msgid
        for e in plural_entries(lang)
        if sorted(e.msgstr_plural) != [0, 1, 2] or not all(e.msgstr_plural.values())
    ]
    assert not short, short


NOUNS = (
    "centre|centres|consultation|consultations|ticket|tickets|visitor|visitors|day|days|working days|card|cards"
    "|entry|entries|minute|minutes|hour|hours|file|files|appeal|appeals|case|cases|people|link|links"
)
#: `{{ count }} {% translate "noun" %}` or `{{ count }} noun` outside a {% blocktranslate count %}.
BARE_COUNT = re.compile(
    r"\{\{\s*[\w.]*(?:count|total|number|_n\b|\bn\b)[\w.]*\s*\}\}(?:</strong>|</b>|</span>)?\s*"
    rf"(?:\{{%\s*(?:trans|translate)\s+[\"'](?:{NOUNS})\b|(?:{NOUNS})\b)",
    re.IGNORECASE,
)


BLOCKTRANSLATE = re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.DOTALL)


def test_no_template_puts_a_count_before_a_bare_noun() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = BLOCKTRANSLATE.sub("", path.read_text(encoding="utf-8"))  # plural handling is there
        found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in BARE_COUNT.finditer(text)]
    assert not found, "use {% blocktranslate count %}:\n" + "\n".join(found)
