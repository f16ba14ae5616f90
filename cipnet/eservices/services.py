"""Every write to the catalogue. Each change to a card is versioned and re-indexed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core import pagecache
from cipnet.core.errors import NotFoundOrNotAllowed
from cipnet.directory.models import Centre
from cipnet.eservices import events, selectors
from cipnet.eservices.models import (
    CARD_FIELDS,
    M2M_FIELDS,
    CardVersion,
    Category,
    CentreService,
    LifeEvent,
    Provider,
    SearchLog,
    ServiceCard,
    Synonym,
)


def can_edit_catalogue(user: User | None) -> bool:
    """Coordinators (regional) and network administrators curate the catalogue."""
    if user is None:
        return True
    return selectors.is_catalogue_editor(user)


def _require_editor(actor: User | None) -> None:
    if not can_edit_catalogue(actor):
        raise NotFoundOrNotAllowed()


def _after_write(card: ServiceCard) -> None:
    from cipnet.eservices.search import index_card

    index_card(card)


def _apply(card: ServiceCard, fields: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name in ("territory", "provider"):
            # Compare ids: reading card.provider on an unsaved card would raise.
            new_id = value.pk if hasattr(value, "pk") else value
            if getattr(card, f"{name}_id") != new_id:
                setattr(card, f"{name}_id", new_id)
                changed.append(name)
        elif getattr(card, name) != value:
            setattr(card, name, value)
            changed.append(name)
    return changed


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CARD_FIELDS) - set(M2M_FIELDS)
    if unknown:
        raise TypeError(f"unknown card fields: {sorted(unknown)}")


@transaction.atomic
def card_create(*, actor: User | None, comment: str = "", **fields: Any) -> ServiceCard:
    _require_editor(actor)
    _check_fields(fields)
    relations = {name: fields.pop(name) for name in M2M_FIELDS if name in fields}
    card = ServiceCard()
    _apply(card, fields)
    card.full_clean()
    card.save()
    for name, values in relations.items():
        getattr(card, name).set(values)
    events.record_card_version(card=card, actor=actor, comment=comment or _("Created"), previous=None)
    _after_write(card)
    return card


@transaction.atomic
def card_update(*, actor: User | None, card: ServiceCard, comment: str = "", **fields: Any) -> ServiceCard:
    _require_editor(actor)
    _check_fields(fields)
    card = ServiceCard.objects.select_for_update().get(pk=card.pk)
    previous = events.card_snapshot(card)
    relations = {name: fields.pop(name) for name in M2M_FIELDS if name in fields}
    changed = _apply(card, fields)
    card.full_clean()
    if changed:
        card.save(update_fields=[*changed, "updated_at"])
    relation_changed = False
    for name, values in relations.items():
        wanted = sorted(v.pk if hasattr(v, "pk") else int(v) for v in values)
        if wanted != previous[name]:
            getattr(card, name).set(wanted)
            relation_changed = True
    if changed or relation_changed:
        events.record_card_version(card=card, actor=actor, comment=comment, previous=previous)
        _after_write(card)
    return card


@transaction.atomic
def card_revert(*, actor: User | None, card: ServiceCard, version: CardVersion) -> ServiceCard:
    """Restore a version's content as a new version (history is never rewritten)."""
    if version.card_id != card.pk:
        raise NotFoundOrNotAllowed()
    data = dict(version.data)
    if data.get("verified_on"):
        data["verified_on"] = dt.date.fromisoformat(data["verified_on"])
    return card_update(
        actor=actor, card=card, comment=_("Reverted to version %(number)s") % {"number": version.number}, **data
    )


@transaction.atomic
def card_verify(*, actor: User, card: ServiceCard, on: dt.date | None = None) -> ServiceCard:
    """A coordinator confirms the card is still true today; who checked it is kept on the card."""
    card = card_update(actor=actor, card=card, comment=_("Verified"), verified_on=on or timezone.localdate())
    ServiceCard.objects.filter(pk=card.pk).update(verified_by=actor)
    card.verified_by = actor
    return card


@transaction.atomic
def centre_set_services(*, actor: User | None, centre: Centre, cards: Iterable[ServiceCard]) -> None:
    """The services a centre helps with in person (its manager, coordinator or an administrator)."""
    if actor is not None:
        scope = scope_for(actor)
        if not (scope.network or centre.region_id in scope.region_ids or centre.pk in scope.managed_centre_ids):
            raise NotFoundOrNotAllowed()
    wanted = {card.pk for card in cards}
    current = set(CentreService.objects.filter(centre=centre).values_list("card_id", flat=True))
    CentreService.objects.filter(centre=centre, card_id__in=current - wanted).delete()
    CentreService.objects.bulk_create([CentreService(centre=centre, card_id=pk) for pk in sorted(wanted - current)])
    pagecache.data_changed()  # bulk_create sends no signal


def term_save(
    *, actor: User | None, model: type[Provider | Category | LifeEvent], slug: str, values: dict[str, Any]
) -> tuple[Provider | Category | LifeEvent, str]:
    """Create or update a provider, category or life event by slug; returns (row, "created"|"updated"|"unchanged")."""
    _require_editor(actor)
    existing = model.objects.filter(slug=slug).first()
    if existing is None:
        row = model(slug=slug, **values)
        row.full_clean()
        row.save()
        return row, "created"
    changed = [key for key, value in values.items() if getattr(existing, key) != value]
    if not changed:
        return existing, "unchanged"
    for key in changed:
        setattr(existing, key, values[key])
    existing.full_clean(validate_unique=False)
    existing.save(update_fields=changed)
    return existing, "updated"


def synonym_save(*, actor: User | None, term: str, expansion: str, note: str = "") -> Synonym:
    _require_editor(actor)
    from cipnet.eservices.search import normalise_query

    term_key = normalise_query(term)
    if not term_key or not expansion.strip():
        raise ValidationError({"term": _("Give the word people type and what it should find.")})
    synonym, _created = Synonym.objects.update_or_create(
        term=term_key, defaults={"expansion": expansion.strip(), "note": note.strip()}
    )
    return synonym


def synonym_delete(*, actor: User | None, synonym: Synonym) -> None:
    _require_editor(actor)
    synonym.delete()


def search_log_record(*, query: str, results: int, day: dt.date | None = None) -> None:
    """Count a search (no user, no address). Safe under concurrency: F() increments."""
    from cipnet.eservices.search import normalise_query

    key = normalise_query(query)[:200]
    if not key:
        return
    day = day or timezone.localdate()
    row, _created = SearchLog.objects.get_or_create(day=day, query=key)
    SearchLog.objects.filter(pk=row.pk).update(
        searches=F("searches") + 1, zero_results=F("zero_results") + (1 if results == 0 else 0)
    )


def search_log_click(*, query: str, day: dt.date | None = None) -> None:
    from cipnet.eservices.search import normalise_query

    key = normalise_query(query)[:200]
    if key:
        SearchLog.objects.filter(day=day or timezone.localdate(), query=key).update(clicks=F("clicks") + 1)
