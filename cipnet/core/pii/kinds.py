"""What kinds of personal data the detector knows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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


LABELS: dict[PiiKind, Promise] = {
    PiiKind.AUTHOR_NAME: _("the author's name"),
    PiiKind.PERSON_NAME: _("a person's name"),
    PiiKind.ADDRESS: _("an address"),
    PiiKind.BIRTH_DATE: _("a date of birth"),
    PiiKind.EMAIL: _("an e-mail address"),
    PiiKind.PHONE: _("a phone number"),
    PiiKind.PASSPORT: _("a passport or ID-card number"),
    PiiKind.TAX_NUMBER: _("a tax number"),
    PiiKind.BANK_CARD: _("a bank card number"),
    PiiKind.IBAN: _("a bank account (IBAN)"),
    PiiKind.CAR_PLATE: _("a car plate"),
}
