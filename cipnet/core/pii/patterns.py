"""Personal data with a shape: e-mail addresses (also written "olena @ ukr.net", "ivan at gmail dot
com"), phone numbers ("+38 (050) 123-45-67", "050.123.45.67", "37-15-80"), tax numbers (RNOKPP, with
its check digit), passports ("КН 123456") and ID cards (nine digits), bank cards (Luhn), Ukrainian
IBANs, car plates ("АА 1234 ВВ"), postal addresses with a house number, postal codes, and dates of
birth (a date, or a year, that the text says is a birth date).

Each finder yields (kind, start, end); `cipnet.core.pii` merges them. The patterns favour catching too
much over too little: a moderator can confirm a false alarm, a leaked number cannot be taken back.
Ordinary dates, times, sums, counts and ticket numbers are not flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cipnet.core.pii.kinds import PiiKind

Span = tuple[PiiKind, int, int]

# --- E-mail ---------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_AT = r"(?:\s*@\s*|\s*[\[(]\s*(?:at|собака|равлик)\s*[\])]\s*|\s+(?:at|собака|равлик)\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\[(]\s*(?:dot|крапка|точка)\s*[\])]\s*|\s+(?:dot|крапка|точка)\s+)"
_TLD = r"(?:com|net|ua|org|ru|info|biz|eu|pl|de|io|me|gov|edu|in)"
#: Written so a robot would not read it: "olena @ ukr.net", "ivan at gmail dot com", "ivan[at]i.ua".
_EMAIL_OBFUSCATED = re.compile(
    rf"(?<![\w.])[A-Za-z0-9][\w.+-]*{_AT}[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*?{_DOT}{_TLD}(?![A-Za-z])",
    re.IGNORECASE,
)

# --- Numbers --------------------------------------------------------------------------------

#: A run of digits joined by spaces, hyphens, dots, brackets or a leading plus: "+38 (050) 123-45-67",
#: "050.123.45.67". A dot or a hyphen joins only digits on both sides.
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:(?:[\s()]|[.\-](?=\d)|(?<=\d)[.\-])*\d)*")
_LOCAL_PHONE = re.compile(r"(?<!\d)(?<!\d[.:/])\d{2,3}-\d{2}-\d{2}(?!\d)(?![.:/-]\d)")
_ISO_DATE = re.compile(r"(?<![\d-])(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-])")
_DOT_DATE = re.compile(r"(?<![\d.])(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./](?:19|20)?\d\d(?![\d])")
_PASSPORT = re.compile(r"(?<![\w])[А-ЯІЇЄҐA-Z]{2}\s?(?:№\s?)?\d{6}(?!\d)")
_IBAN = re.compile(r"(?<![\w])UA\s?\d{2}(?:\s?\d){25}(?!\d)", re.IGNORECASE)
_PLATE_LETTERS = "АВСЕНІКМОРТХABCEHIKMOPTX"
_CAR_PLATE = re.compile(rf"(?<![\w])[{_PLATE_LETTERS}]{{2}}[\s-]?\d{{4}}[\s-]?[{_PLATE_LETTERS}]{{2}}(?![\w])")
_RNOKPP_WEIGHTS = (-1, 5, 7, 9, 4, 6, 10, 5, 7)


def rnokpp_is_valid(digits: str) -> bool:
    """The check digit of an individual tax number (RNOKPP, 10 digits)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], _RNOKPP_WEIGHTS, strict=True))
    return total % 11 % 10 == int(digits[9])


def luhn_is_valid(digits: str) -> bool:
    """The Luhn check of a payment card number."""
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _number_kind(chunk: str, digits: str) -> PiiKind | None:
    plain = re.fullmatch(r"\d+", chunk) is not None
    grouped = re.fullmatch(r"\d+(?:[ -]\d+)*", chunk) is not None
    if len(digits) < 9:
        return None
    if len(digits) == 10 and plain and rnokpp_is_valid(digits):
        return PiiKind.TAX_NUMBER
    if len(digits) == 9 and plain:
        return PiiKind.PASSPORT  # ID-card (record) number: nine digits
    if 13 <= len(digits) <= 19 and grouped and luhn_is_valid(digits):
        return PiiKind.BANK_CARD
    return PiiKind.PHONE


def numbers(text: str) -> Iterator[Span]:
    for m in _EMAIL.finditer(text):
        yield PiiKind.EMAIL, m.start(), m.end()
    for m in _EMAIL_OBFUSCATED.finditer(text):
        yield PiiKind.EMAIL, m.start(), m.end()
    for m in _IBAN.finditer(text):
        yield PiiKind.IBAN, m.start(), m.end()
    for m in _CAR_PLATE.finditer(text):
        yield PiiKind.CAR_PLATE, m.start(), m.end()
    for m in _PASSPORT.finditer(text):
        yield PiiKind.PASSPORT, m.start(), m.end()
    # Dates are hidden before looking for digit runs, so that a date next to a time or another date
    # ("2026-05-12 14:30", "12.05.2026 - 14.05.2026") is not read as a phone number.
    masked = _ISO_DATE.sub(lambda m: "#" * len(m.group()), text)
    masked = _DOT_DATE.sub(lambda m: "#" * len(m.group()), masked)
    for m in _DIGIT_RUN.finditer(masked):
        chunk = m.group().rstrip(" ()")
        if chunk.count("(") != chunk.count(")") and chunk.startswith("("):
            chunk = chunk.lstrip("(")
        start = m.start() + m.group().index(chunk)
        kind = _number_kind(chunk.strip(), re.sub(r"\D", "", chunk))
        if kind is not None:
            yield kind, start, start + len(chunk)
    for m in _LOCAL_PHONE.finditer(text):
        yield PiiKind.PHONE, m.start(), m.end()


# --- Addresses ------------------------------------------------------------------------------

_STREET_TYPES = (
    r"вулиц[яіюею]|вул\.?|ул\.?|улиц[аыеуой]|проспект[уіа]?|просп\.?|пр-т|пр\.|провулок|провулку|пров\.?"
    r"|переул(?:ок|ка|ке)|пер\.|бульвар[уіа]?|бул\.|б-р|площ[аіуе]|пл\.|узвіз|узвозі|шосе|набережн[аійоу]"
    r"|проїзд[уі]?|тупик[уі]?|мікрорайон[уі]?|мкр\.?|м-н|масив[уі]?|квартал[уі]?|житломасив[уі]?"
)
_STREET_NAME = r"(?:\d{1,3}(?:-[а-яіїє]{1,3})?\s+)?(?:[А-ЯІЇЄҐA-Z][\w'’ʼ.-]*\s+){0,3}?[А-ЯІЇЄҐA-Z][\w'’ʼ-]*"
_HOUSE = r"\d{1,4}(?:\s?[-/]?\s?[А-Яа-яІіЇїЄєA-Za-z](?![\w]))?(?:\s?/\s?\d{1,4})?(?:-?[а-яієї](?![\w]))?"
_HOUSE_WORD = r"(?:буд(?:инок|инку)?\.?|б\.|д\.|дом|будинок\s+№|№)"
_FLAT = r"(?:,?\s*(?:кв(?:артира|артирі|\.)?|квартира\s+№|кім(?:ната|\.)?|оф(?:іс)?\.?)\s*№?\s*\d{1,4}[а-яА-Я]?)"
#: "вул. Шевченка, 12, кв. 5", "проспект Героїв Майдану 7-А", "пров. 8 Березня, буд. 3".
_STREET_ADDRESS = re.compile(
    rf"(?<![\w])(?i:{_STREET_TYPES})\s*{_STREET_NAME},?\s*(?i:{_HOUSE_WORD}\s*)?{_HOUSE}(?![\d.:,]\d)(?i:{_FLAT})?"
)
#: "буд. 12, кв. 5" or "квартира 45" without a street.
_HOUSE_FLAT = re.compile(
    rf"(?<![\w])(?:буд(?:инок|инку)?\.?|будинок\s+№)\s*{_HOUSE}{_FLAT}?|(?<![\w,]\s){_FLAT}(?!\w)", re.IGNORECASE
)
#: A postal code: five digits before a settlement ("54001, м. Миколаїв") or after the word "індекс".
_POSTAL_CODE = re.compile(
    r"(?<![\d\w])\d{5}(?=,?\s+(?:м\.|с\.|смт|сел\.|місто|село|г\.|[А-ЯІЇЄ][а-яіїє']+(?:,|\s+(?:вул|пр|пл))))"
    r"|(?<=індекс\s)\d{5}|(?<=індекс:\s)\d{5}",
    re.IGNORECASE,
)

_CAPITALISED = r"[А-ЯІЇЄҐ][\w'’ʼ-]*"
#: Not a house number when a lowercase word follows ("12 років", "15 км"), unless it is a flat ("12 кв 45").
_NOT_A_COUNT = r"(?!\d)(?![\d.:,]\d)(?!\s*(?!кв|кім|буд)[а-яіїєґёыэъ])"
#: A village house without a street: "с. Луки, 15", "х. Зелений Гай, 6", "смт Гребінка, 4-А".
_SETTLEMENT_HOUSE = re.compile(
    rf"(?<![\w])(?:с\.|х\.|хут\.|сел\.|смт|село|селі|хутір|хуторі)\s*{_CAPITALISED}(?:\s+{_CAPITALISED})?,\s*"
    rf"(?i:{_HOUSE_WORD}\s*)?{_HOUSE}{_NOT_A_COUNT}(?i:{_FLAT})?"
)
#: A street without the word "вулиця" but with a flat: "Лесі Українки 12 кв 45", "Героїв Праці, 33, кв. 7".
_NAMED_HOUSE_FLAT = re.compile(
    rf"(?<![\w])(?:{_CAPITALISED}\s+){{0,2}}{_CAPITALISED},?\s+(?i:{_HOUSE_WORD}\s*)?\d{{1,4}}(?:[-/]?[а-яА-Я](?![\w]))?"
    rf"(?:/\d{{1,4}})?(?i:{_FLAT})"
)
#: A street without the word "вулиця" after "адреса", "живу на", "проживаю по": "Адреса Героїв Праці 33".
_ADDRESS_CUE = re.compile(
    r"(?<![\w])(?i:адрес\w*|прожива\w*|мешка\w*|живу|живемо|живет|живём)(?:\s+(?i:на|по|за|в|у))?[\s:]+"
    rf"((?:{_CAPITALISED}\s+){{0,2}}{_CAPITALISED},?\s+(?i:{_HOUSE_WORD}\s*)?{_HOUSE}){_NOT_A_COUNT}"
)


def addresses(text: str) -> Iterator[Span]:
    for pattern in (_STREET_ADDRESS, _NAMED_HOUSE_FLAT, _SETTLEMENT_HOUSE, _HOUSE_FLAT, _POSTAL_CODE):
        for m in pattern.finditer(text):
            span = m.group()
            end = m.start() + len(span.rstrip(" ,."))
            yield PiiKind.ADDRESS, m.start(), end
    for m in _ADDRESS_CUE.finditer(text):
        span = m.group(1)
        yield PiiKind.ADDRESS, m.start(1), m.start(1) + len(span.rstrip(" ,."))


# --- Dates of birth -------------------------------------------------------------------------

_MONTHS_GEN = (
    r"січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня"
    r"|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
)
_DATE = (
    rf"(?:\d{{1,2}}[./]\d{{1,2}}[./](?:19|20)?\d\d"
    rf"|\d{{1,2}}\s+(?:{_MONTHS_GEN})\s+(?:19|20)\d\d(?:\s*(?:року|р\.|г\.|года))?"
    r"|(?:19|20)\d\d-\d\d-\d\d)"
)
_BIRTH_WORDS = r"народ\w*|нар\.|н\.|д\.\s?н\.|дата\s+народження|р\.\s?н\.|родил\w*|рожд\w*|д\.\s?р\.|р\.\s?р\."
#: "народилася 12.03.1956", "дата народження: 1 травня 1960 р.", "(д.н. 05.06.1971)".
_BIRTH_DATE_AFTER = re.compile(rf"(?:{_BIRTH_WORDS})[\s:,–—-]{{0,4}}(?:\w+\s+){{0,3}}?({_DATE})", re.IGNORECASE)
#: "12.03.1956 р.н.", "1956 року народження", "1956 г.р.".
_BIRTH_DATE_BEFORE = re.compile(
    rf"({_DATE}|(?<!\d)(?:19|20)\d\d)\s*(?:р\.\s?н\.|року\s+народження|р\.\s+народження|г\.\s?р\.|года\s+рождения|рік\s+народження)",
    re.IGNORECASE,
)


def birth_dates(text: str) -> Iterator[Span]:
    for pattern in (_BIRTH_DATE_AFTER, _BIRTH_DATE_BEFORE):
        for m in pattern.finditer(text):
            yield PiiKind.BIRTH_DATE, m.start(1), m.end(1)
