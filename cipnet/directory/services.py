"""Every write to the directory. Views, forms, the API, admin and commands call these."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.core import pagecache
from cipnet.core.errors import Forbidden, NotFoundOrNotAllowed
from cipnet.core.text import transliterate
from cipnet.directory.hours import Interval, find_overlap, week_by_hour
from cipnet.directory.models import (
    Centre,
    CentreFeature,
    OpeningException,
    OpeningHours,
    Region,
    Territory,
    Weekday,
)

#: Fields of a centre that `centre_create` / `centre_update` accept.
CENTRE_FIELDS = (
    "name", "name_en", "name_pl", "description", "description_en", "description_pl", "host", "office",
    "settlement", "address", "postcode", "latitude", "longitude", "phone", "email", "website", "blog_url",
    "status", "opened_on", "public_computers", "languages",
)  # fmt: skip


def region_for_settlement(settlement: Territory) -> Region:
    oblast_id = settlement.oblast_id or settlement.pk
    try:
        return Region.objects.get(territory_id=oblast_id)
    except Region.DoesNotExist as exc:
        raise ValidationError({"settlement": _("This settlement's region is not in the directory.")}) from exc


def _unique_slug(name: str, settlement: Territory) -> str:
    base = slugify(transliterate(f"{settlement.name} {name}"))[:100] or "centre"
    slug, n = base, 2
    while Centre.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@contextmanager
def _unique_violation_as_validation_error() -> Iterator[None]:
    """full_clean checked uniqueness, but a concurrent writer may win the race: say so, don't crash."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ValidationError(
            _("Someone saved a centre with the same name or address a moment ago. Check and try again.")
        ) from exc


def _require(actor: User | None, allowed: bool) -> None:
    # Callers already fetched the record through a scoped selector; this is the second lock.
    if actor is not None and not allowed:
        raise NotFoundOrNotAllowed()


def _require_region(actor: User | None, region_pk: int, message: str) -> None:
    # Adding a centre to a region, or moving one into it, is for that region's coordinators (or
    # the network); the page shows the refusal beside the settlement, the API answers 403.
    if actor is not None and not scope_for(actor).can_create_centre_in(region_pk):
        raise Forbidden(message, field="settlement")


def _can_edit(actor: User, centre: Centre) -> bool:
    scope = scope_for(actor)
    return scope.network or centre.region_id in scope.region_ids or centre.pk in scope.managed_centre_ids


def _can_see(actor: User, centre: Centre) -> bool:
    scope = scope_for(actor)
    return scope.network or centre.region_id in scope.region_ids or centre.pk in scope.centre_ids


@transaction.atomic
def centre_create(*, actor: User | None, features: Iterable[str] = (), slug: str = "", **fields: Any) -> Centre:
    """Create a centre. `actor=None` is the system (imports, demo data)."""
    unknown = set(fields) - set(CENTRE_FIELDS)
    if unknown:
        raise TypeError(f"unknown centre fields: {sorted(unknown)}")
    centre = Centre(**fields)
    if centre.settlement_id:
        centre.region = region_for_settlement(centre.settlement)
        _require_region(actor, centre.region.pk, _("You can add centres only in the regions you coordinate."))
        centre.slug = slug or _unique_slug(centre.name, centre.settlement)
    centre.full_clean()
    with _unique_violation_as_validation_error():
        centre.save()
    centre_set_features(actor=None, centre=centre, features=features)
    return centre


@transaction.atomic
def centre_update(
    *, actor: User | None, centre: Centre, features: Iterable[str] | None = None, **fields: Any
) -> Centre:
    unknown = set(fields) - set(CENTRE_FIELDS)
    if unknown:
        raise TypeError(f"unknown centre fields: {sorted(unknown)}")
    _require(actor, actor is None or _can_edit(actor, centre))
    changed = [name for name, value in fields.items() if getattr(centre, name) != value]
    for name in changed:
        setattr(centre, name, fields[name])
    if "settlement" in changed:
        new_region = region_for_settlement(centre.settlement)
        if new_region.pk != centre.region_id:
            _require_region(actor, new_region.pk, _("You cannot move the centre to a region you do not coordinate."))
            centre.region = new_region
            changed.append("region")
    centre.full_clean()
    if changed:
        with _unique_violation_as_validation_error():
            centre.save(update_fields=[*changed, "updated_at"])
    if features is not None:
        centre_set_features(actor=None, centre=centre, features=features)
    return centre


def centre_set_features(*, actor: User | None, centre: Centre, features: Iterable[str]) -> None:
    _require(actor, actor is None or _can_edit(actor, centre))
    wanted = set(features)
    current = set(centre.features.values_list("feature", flat=True))
    CentreFeature.objects.filter(centre=centre, feature__in=current - wanted).delete()
    CentreFeature.objects.bulk_create([CentreFeature(centre=centre, feature=f) for f in sorted(wanted - current)])
    pagecache.data_changed()  # bulk_create sends no signal


def validate_week(week: Mapping[int, Sequence[Interval]]) -> None:
    """Overlapping ranges on one day are refused, naming the day."""
    errors = {}
    for weekday, intervals in week.items():
        overlap = find_overlap(intervals)
        if overlap:
            first, second = overlap
            errors[f"day_{weekday}"] = _(
                "%(day)s: %(a)s and %(b)s overlap. Leave a break between them or join them into one range."
            ) % {
                "day": Weekday(weekday).label,
                "a": f"{first.opens:%H:%M}–{first.closes:%H:%M}",
                "b": f"{second.opens:%H:%M}–{second.closes:%H:%M}",
            }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def centre_set_hours(*, actor: User | None, centre: Centre, week: Mapping[int, Sequence[Interval]]) -> None:
    """Replace the centre's weekly hours."""
    _require(actor, actor is None or _can_edit(actor, centre))
    validate_week(week)
    OpeningHours.objects.filter(centre=centre).delete()
    OpeningHours.objects.bulk_create(
        [
            OpeningHours(centre=centre, weekday=weekday, opens=interval.opens, closes=interval.closes)
            for weekday, intervals in sorted(week.items())
            for interval in sorted(intervals)
        ]
    )
    Centre.objects.filter(pk=centre.pk).update(updated_at=timezone.now(), week_by_hour=week_by_hour(week))
    pagecache.data_changed()  # bulk_create and update send no signal


def centres_refresh_week_by_hour(centre_ids: Iterable[int]) -> int:
    """Write `Centre.week_by_hour` again from the centres' hours as stored (after the admin's inline
    forms, or hours written in bulk); the number of centres whose value changed."""
    ids = list(centre_ids)
    weekly: dict[int, dict[int, list[Interval]]] = {pk: {} for pk in ids}
    for chunk in itertools.batched(ids, 900):  # SQLite's limit on a statement's parameters
        rows = OpeningHours.objects.filter(centre_id__in=chunk).values_list("centre_id", "weekday", "opens", "closes")
        for pk, weekday, opens, closes in rows:
            weekly[pk].setdefault(weekday, []).append(Interval(opens, closes))
    changed = []
    for chunk in itertools.batched(ids, 900):
        for centre in Centre.objects.filter(pk__in=chunk).only("pk", "week_by_hour"):
            value = week_by_hour(weekly[centre.pk])
            if centre.week_by_hour != value:
                centre.week_by_hour = value
                changed.append(centre)
    Centre.objects.bulk_update(changed, ["week_by_hour"], batch_size=500)
    if changed:
        pagecache.data_changed()
    return len(changed)


def opening_exception_add(
    *,
    actor: User | None,
    centre: Centre,
    date: dt.date,
    is_closed: bool,
    opens: dt.time | None = None,
    closes: dt.time | None = None,
    reason: str = "",
) -> OpeningException:
    """Any staff member of the centre may record a closure or a short day (power cuts happen)."""
    _require(actor, actor is None or _can_see(actor, centre))
    exception = OpeningException(
        centre=centre, date=date, is_closed=is_closed, opens=opens, closes=closes, reason=reason
    )
    if OpeningException.objects.filter(centre=centre, date=date).exists():
        raise ValidationError({"date": _("There is already a change recorded for this day. Delete it first.")})
    exception.full_clean()
    exception.save()
    return exception


def opening_exception_delete(*, actor: User | None, exception: OpeningException) -> None:
    _require(actor, actor is None or _can_see(actor, exception.centre))
    exception.delete()
