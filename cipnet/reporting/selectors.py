"""Reads of centres' months: their status, the lock, completeness and timeliness."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from cipnet.core.clock import at
from cipnet.directory.models import Centre
from cipnet.reporting.models import LOCKED, Correction, MonthReport, MonthStatus, due_on, month_of


def locked_month(*, centre_id: int, day: dt.date) -> MonthReport | None:
    """The month report that locks `day` at the centre, or None when its month is open."""
    return MonthReport.objects.filter(centre_id=centre_id, month=month_of(day), status__in=LOCKED).first()


def month_reports(*, centre_ids: Iterable[int], months: Iterable[dt.date]) -> dict[tuple[int, dt.date], MonthReport]:
    """(centre id, month) → its row, for the rows that exist (a missing one is open)."""
    rows = MonthReport.objects.filter(centre_id__in=list(centre_ids), month__in=list(months))
    return {(r.centre_id, r.month): r for r in rows}


@dataclass(frozen=True)
class Completeness:
    month: dt.date
    centres: int
    submitted: int  # submitted or approved at either level
    on_time: int
    region_approved: int  # approved by the region (or further)
    approved: int

    @property
    def submitted_percent(self) -> int:
        return round(100 * self.submitted / self.centres) if self.centres else 0

    @property
    def complete(self) -> bool:
        return self.centres > 0 and self.submitted == self.centres


def completeness(*, centres: QuerySet[Centre], months: Iterable[dt.date]) -> list[Completeness]:
    """Per month: how many of `centres` reported it, on time, and how far it is approved (counted in the
    database, so a network of thousands of centres costs one grouped query)."""
    months = sorted(set(months))
    if not months:
        return []
    total = centres.count()
    on_time = Q()
    for month in months:
        deadline = at(due_on(month) + dt.timedelta(days=1), dt.time(0))
        on_time |= Q(month=month, first_submitted_at__lt=deadline)
    rows = (
        MonthReport.objects.filter(centre_id__in=centres.values("pk"), month__in=months, status__in=LOCKED)
        .values("month", "status")
        .annotate(n=Count("pk"), timely=Count("pk", filter=on_time))
    )
    by: dict[dt.date, dict[str, tuple[int, int]]] = {}
    for row in rows:
        by.setdefault(row["month"], {})[row["status"]] = (row["n"], row["timely"])
    out = []
    for month in months:
        counts = by.get(month, {})
        approved = counts.get(MonthStatus.APPROVED, (0, 0))[0]
        region = counts.get(MonthStatus.REGION_APPROVED, (0, 0))[0] + approved
        out.append(
            Completeness(
                month=month,
                centres=total,
                submitted=sum(n for n, _t in counts.values()),
                on_time=sum(t for _n, t in counts.values()),
                region_approved=region,
                approved=approved,
            )
        )
    return out


def corrections(*, centres: QuerySet[Centre], start: dt.date, end: dt.date) -> QuerySet[Correction]:
    """Corrections to the months of `start`..`end` at these centres, oldest first."""
    return (
        Correction.objects.filter(
            centre_id__in=centres.values("pk"), month__gte=month_of(start), month__lte=month_of(end)
        )
        .select_related("centre", "actor")
        .order_by("at", "pk")
    )
