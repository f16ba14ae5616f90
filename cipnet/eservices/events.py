"""The catalogue's audit log: each write of a card records a numbered `CardVersion` (who, when,
why, a full snapshot and the changed fields), written by `services` in the same transaction."""

from __future__ import annotations

from typing import Any

from cipnet.accounts.models import User
from cipnet.eservices.models import CARD_FIELDS, CardVersion, ServiceCard


def card_snapshot(card: ServiceCard) -> dict[str, Any]:
    """Everything a version must restore: plain fields by value, relations by id."""
    data: dict[str, Any] = {}
    for name in CARD_FIELDS:
        if name in ("territory", "provider"):
            data[name] = getattr(card, f"{name}_id")
        elif name == "verified_on":
            data[name] = card.verified_on.isoformat() if card.verified_on else None
        else:
            data[name] = getattr(card, name)
    data["categories"] = sorted(card.categories.values_list("pk", flat=True))
    data["life_events"] = sorted(card.life_events.values_list("pk", flat=True))
    return data


def record_card_version(
    *, card: ServiceCard, actor: User | None, comment: str, previous: dict[str, Any] | None
) -> None:
    """A new version of the card (its full snapshot, and the fields that changed since `previous`),
    in the transaction of the write that made it."""
    snapshot = card_snapshot(card)
    changed = sorted(k for k in snapshot if previous is None or previous.get(k) != snapshot[k])
    last = card.versions.order_by("-number").values_list("number", flat=True).first() or 0
    CardVersion.objects.create(
        card=card, number=last + 1, data=snapshot, author=actor, comment=comment[:300], changed_fields=changed
    )
