"""The log's note through the personal-data detector, both ways, over the labelled notes of the
detector's corpus (names, addresses, birth dates, cards, plates… and ordinary notes)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cipnet.consultations import services
from cipnet.consultations.models import Consultation
from cipnet.consultations.tests.test_rules import make_input, record
from cipnet.core.tests.pii_corpus import build_corpus
from cipnet.testing import World

NOTES = [s for s in build_corpus() if s.kind == "note"]
PERSONAL = [s.text for s in NOTES if s.spans] + [
    "Пані Олена Коваль просила передзвонити.",
    "Допомогли Ользі з субсидією.",
    "Писати на olena @ ukr.net",
    "Адреса: вул. Соборна, 12, кв. 5",
    "Картка 4111 1111 1111 1111",
    "Номер авто АА 1234 ВВ",
    "Народилася 12.03.1956",
]
ORDINARY = [s.text for s in NOTES if not s.spans] + [
    "Пояснили, як подати заяву до Миколаївської міської ради.",
    "Ремонт дороги на вулиці Шевченка: направили до ЖКГ.",
    "Віра в себе повернулась, прийде у травні.",
]


def test_the_labelled_set_has_both_kinds() -> None:
    assert len(PERSONAL) >= 30 and len(ORDINARY) >= 30


@pytest.mark.parametrize("note", PERSONAL)
def test_a_note_with_personal_data_is_refused_beside_the_field(world: World, note: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.validate(make_input(note=note), centre=world.centre_a)
    (message,) = exc.value.message_dict["note"]
    assert message.startswith("This looks like ") and "The log keeps no personal data" in message
    with pytest.raises(ValidationError):
        record(world, note=note)
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize("note", ORDINARY)
def test_an_ordinary_note_is_kept(world: World, note: str) -> None:
    assert record(world, note=note).note == note
