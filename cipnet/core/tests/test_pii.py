"""Table tests of the personal-data detector used by the consultation log."""

from __future__ import annotations

import pytest

from cipnet.core.pii import PiiKind, find_personal_data, redact, rnokpp_is_valid


def _valid_rnokpp(prefix: str) -> str:
    """The first valid tax number starting with the nine digits `prefix` (brute force over the check digit)."""
    for check in "0123456789":
        if rnokpp_is_valid(prefix + check):
            return prefix + check
    raise AssertionError(f"no check digit for {prefix}")  # pragma: no cover


def _invalid_rnokpp(prefix: str) -> str:
    for check in "0123456789":
        if not rnokpp_is_valid(prefix + check):
            return prefix + check
    raise AssertionError(f"every check digit valid for {prefix}")  # pragma: no cover


VALID_TAX = _valid_rnokpp("312456789")
VALID_TAX_2 = _valid_rnokpp("200000001")
INVALID_TAX = _invalid_rnokpp("312456789")


# --- rnokpp_is_valid ---------------------------------------------------------------------


def test_rnokpp_check_digit_by_hand() -> None:
    # 1234567890: weights (-1,5,7,9,4,6,10,5,7) → -1+10+21+36+20+36+70+40+63 = 295; 295 % 11 = 9 → check 9.
    assert rnokpp_is_valid("1234567899") is True
    assert rnokpp_is_valid("1234567890") is False


def test_exactly_one_check_digit_is_valid_for_a_prefix() -> None:
    valid = [d for d in "0123456789" if rnokpp_is_valid("312456789" + d)]
    assert len(valid) == 1
    assert "312456789" + valid[0] == VALID_TAX


@pytest.mark.parametrize("value", ["", "123456789", "12345678901", "12345678a9", "+123456789", " 1234567899"])
def test_rnokpp_rejects_wrong_shapes(value: str) -> None:
    assert rnokpp_is_valid(value) is False


# --- positives -----------------------------------------------------------------------------

POSITIVES = [
    # Mobile numbers in many formats.
    ("+380501234567", PiiKind.PHONE, "+380501234567"),
    ("380501234567", PiiKind.PHONE, "380501234567"),
    ("80501234567", PiiKind.PHONE, "80501234567"),
    ("050 123 45 67", PiiKind.PHONE, "050 123 45 67"),
    ("050-123-45-67", PiiKind.PHONE, "050-123-45-67"),
    ("(050)123-45-67", PiiKind.PHONE, "(050)123-45-67"),
    ("(050) 123 45 67", PiiKind.PHONE, "(050) 123 45 67"),
    ("+38 (050) 123-45-67", PiiKind.PHONE, "+38 (050) 123-45-67"),
    ("+38(050)1234567", PiiKind.PHONE, "+38(050)1234567"),
    ("+380 50 123 4567", PiiKind.PHONE, "+380 50 123 4567"),
    ("тел. 067 765 43 21, дзвонити ввечері", PiiKind.PHONE, "067 765 43 21"),
    # Landlines and local numbers.
    ("(0512) 37-15-80", PiiKind.PHONE, "(0512) 37-15-80"),
    ("(0512)37-15-80", PiiKind.PHONE, "(0512)37-15-80"),
    ("37-15-80", PiiKind.PHONE, "37-15-80"),
    ("237-15-80", PiiKind.PHONE, "237-15-80"),
    ("Телефон сусідки 37-15-80", PiiKind.PHONE, "37-15-80"),
    ("тел. 37-15-80.", PiiKind.PHONE, "37-15-80"),
    ("тел.37-15-80", PiiKind.PHONE, "37-15-80"),
    # E-mail addresses.
    ("ivan.petrenko@ukr.net", PiiKind.EMAIL, "ivan.petrenko@ukr.net"),
    ("пише на o_koval+cip@gmail.com щодня", PiiKind.EMAIL, "o_koval+cip@gmail.com"),
    ("user@mail.gov.ua.", PiiKind.EMAIL, "user@mail.gov.ua"),
    # Tax numbers with a valid check digit.
    (VALID_TAX, PiiKind.TAX_NUMBER, VALID_TAX),
    (f"РНОКПП {VALID_TAX_2}.", PiiKind.TAX_NUMBER, VALID_TAX_2),
    # Ten digits without a valid check digit still look like a (mobile) number.
    (INVALID_TAX, PiiKind.PHONE, INVALID_TAX),
    # Passports: the old booklet, Latin look-alikes, the foreign passport.
    ("КК 123456", PiiKind.PASSPORT, "КК 123456"),
    ("паспорт КК123456 видано", PiiKind.PASSPORT, "КК123456"),
    ("МЕ№123456", PiiKind.PASSPORT, "МЕ№123456"),
    ("МЕ № 123456", PiiKind.PASSPORT, "МЕ № 123456"),
    ("ІЄ 654321", PiiKind.PASSPORT, "ІЄ 654321"),
    ("FA123456", PiiKind.PASSPORT, "FA123456"),
    ("закордонний FA 123456", PiiKind.PASSPORT, "FA 123456"),
    # ID card (record) numbers: nine digits.
    ("123456789", PiiKind.PASSPORT, "123456789"),
    ("ID-картка 004512378", PiiKind.PASSPORT, "004512378"),
]


@pytest.mark.parametrize(("text", "kind", "found"), POSITIVES)
def test_personal_data_is_found(text: str, kind: PiiKind, found: str) -> None:
    findings = find_personal_data(text)
    assert [(f.kind, f.text) for f in findings] == [(kind, found)]
    start = text.index(found)
    assert (findings[0].start, findings[0].end) == (start, start + len(found))


@pytest.mark.parametrize(("text", "kind", "found"), POSITIVES)
def test_redact_replaces_the_finding(text: str, kind: PiiKind, found: str) -> None:
    assert redact(text) == text.replace(found, "███", 1)
    assert redact(text, "[…]") == text.replace(found, "[…]", 1)


def test_several_findings_in_order_of_appearance() -> None:
    text = f"Ім'я Олена, +380501234567, olena@ukr.net, паспорт КК 123456, ІПН {VALID_TAX}, дім 37-15-80"
    assert [(f.kind, f.text) for f in find_personal_data(text)] == [
        (PiiKind.PERSON_NAME, "Олена"),
        (PiiKind.PHONE, "+380501234567"),
        (PiiKind.EMAIL, "olena@ukr.net"),
        (PiiKind.PASSPORT, "КК 123456"),
        (PiiKind.TAX_NUMBER, VALID_TAX),
        (PiiKind.PHONE, "37-15-80"),
    ]
    assert redact(text) == "Ім'я ███, ███, ███, паспорт ███, ІПН ███, дім ███"


def test_overlapping_patterns_give_one_finding() -> None:
    # The local-number pattern also matches the tail of the landline: reported once.
    findings = find_personal_data("(0512) 37-15-80")
    assert len(findings) == 1
    # Digits in an e-mail address are part of the address, not a second finding.
    assert [(f.kind, f.text) for f in find_personal_data("0501234567@ukr.net")] == [
        (PiiKind.EMAIL, "0501234567@ukr.net")
    ]


# --- negatives -----------------------------------------------------------------------------

NEGATIVES = [
    "",
    "Допомога з ID-карткою, все вийшло",
    "12.05.2026",
    "2026-05-12",
    "12-05-2026",
    "05/12/2026",
    "14:30",
    "з 9:00 до 18:00",
    "14:30-15:00",
    "Прийшов 12.05.2026 о 14:30, сплатив 1 500 грн",
    "12.05.2026 14:30",
    "2026-05-12 14:30",
    "2026-05-12, 12:30",
    "з 2026-05-12 до 2026-05-19",
    "2026-05-12 - 2026-05-19",
    "з 12.05.2026 по 14.05.2026",
    "12.05.2026 - 14.05.2026",
    "1 500 грн",
    "10 000 грн",
    "1 500 000 грн",
    "до 31.12.2026 року 100 000 грн",
    "у 2025 році 1500 грн",
    "40 послуг",
    "40 послуг 12 відвідувачів",
    "2026 рік, 12 відвідувачів, 14 послуг",
    "А-017",
    "квиток А-017, талон Б-102",
    "2013–2026",
    "роки 2013-2026",
    "у 2013 - 2026 роках",
    "12",
    "№ 12345",
    "12345678",
    "кімн. 12-14",
    "КК 12345",  # five digits: not a passport number
    "Кк 123456",  # not two capitals
    "КК1234567",  # seven digits
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_not_personal_data(text: str) -> None:
    assert find_personal_data(text) == []
    assert redact(text) == text
