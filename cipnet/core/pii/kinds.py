"""What kinds of personal data the detector knows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PiiKind(StrEnum):
    AUTHOR_NAME = "author_name"
    PERSON_NAME = "person_name"
    ADDRESS = "address"
    BIRTH_DATE = "birth_date"
    EMAIL = "email"
    PHONE = "phone"
    PASSPORT = "passport"
    TAX_NUMBER = "tax_number"
    BANK_CARD = "bank_card"
    IBAN = "iban"
    CAR_PLATE = "car_plate"


@dataclass(frozen=True)
class Finding:
    kind: PiiKind
    start: int
    end: int
    text: str
