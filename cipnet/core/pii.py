"""Spotting personal data in free text: phone numbers, e-mail addresses, tax numbers
(RNOKPP), passport and ID-card numbers.

Used where the product promises to keep no identity (the consultation log refuses such
notes) and, later, to redact published texts. The patterns favour catching too much
over too little: a consultant can always rephrase a note, a leaked number cannot be
taken back. Dates (12.05.2026), times, sums and short counts are not flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class PiiKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    TAX_NUMBER = "tax_number"
    PASSPORT = "passport"


@dataclass(frozen=True)
class Finding:
    kind: PiiKind
    start: int
    end: int
    text: str


_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits joined by spaces, hyphens, brackets or a leading plus: "+38 (050) 123-45-67".
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:[\d\s()\-]*\d)?")
# Local landline numbers written with hyphens: "37-15-80", "237-15-80" — not part of a longer
# number or date ("12.37-15-80", "37-15-80-12"), but a full stop may end the sentence.
_LOCAL_PHONE = re.compile(r"(?<!\d)(?<!\d[.:/])\d{2,3}-\d{2}-\d{2}(?!\d)(?![.:/-]\d)")
# ISO dates ("2026-05-12") are hidden before looking for digit runs, so that a date next to a
# time or another date ("2026-05-12 14:30", "2026-05-12 - 2026-05-19") is not read as a phone.
_ISO_DATE = re.compile(r"(?<![\d-])(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-])")
# Old booklet passport: two Cyrillic (or Latin look-alike) capitals and six digits, "КК 123456",
# "МЕ№123456"; foreign passport: two Latin capitals and six digits, "FA123456".
_PASSPORT = re.compile(r"(?<![\w])[А-ЯІЇЄҐA-Z]{2}\s?(?:№\s?)?\d{6}(?!\d)")
_RNOKPP_WEIGHTS = (-1, 5, 7, 9, 4, 6, 10, 5, 7)


def rnokpp_is_valid(digits: str) -> bool:
    """The check digit of an individual tax number (RNOKPP, 10 digits)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], _RNOKPP_WEIGHTS, strict=True))
    return total % 11 % 10 == int(digits[9])


def find_personal_data(text: str) -> list[Finding]:
    """Every stretch of `text` that looks like personal data, in order of appearance."""
    if not text:
        return []
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: PiiKind, start: int, end: int) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(Finding(kind, start, end, text[start:end]))

    for m in _EMAIL.finditer(text):
        add(PiiKind.EMAIL, m.start(), m.end())
    for m in _PASSPORT.finditer(text):
        add(PiiKind.PASSPORT, m.start(), m.end())
    masked = _ISO_DATE.sub(lambda m: "#" * len(m.group()), text)
    for m in _DIGIT_RUN.finditer(masked):
        chunk = m.group()
        digits = re.sub(r"\D", "", chunk)
        if len(digits) < 9:
            continue
        if len(digits) == 10 and chunk.isdigit() and rnokpp_is_valid(digits):
            kind = PiiKind.TAX_NUMBER
        elif len(digits) == 9 and chunk.isdigit():
            kind = PiiKind.PASSPORT  # ID-card (record) number: nine digits
        else:
            kind = PiiKind.PHONE
        add(kind, m.start(), m.end())
    for m in _LOCAL_PHONE.finditer(text):
        add(PiiKind.PHONE, m.start(), m.end())
    found.sort(key=lambda f: f.start)
    return found


def redact(text: str, replacement: str = "███") -> str:
    """`text` with every finding replaced."""
    out = []
    last = 0
    for f in find_personal_data(text):
        out.append(text[last : f.start])
        out.append(replacement)
        last = f.end
    out.append(text[last:])
    return "".join(out)
