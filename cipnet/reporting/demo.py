"""Demonstration months: how far a programme's centres have reported (no users needed; loaded once)."""

from __future__ import annotations

import datetime as dt

from cipnet.core.clock import at
from cipnet.directory.models import Centre
from cipnet.reporting.models import MonthAction, MonthEvent, MonthReport, MonthStatus, due_on


def load_months(*, centres: list[Centre], approved: list[dt.date], last: dt.date) -> int:
    """Every centre's `approved` months approved by the network, on time; `last` submitted by all but
    three centres (two of them late), half of those approved by their region."""
    made = 0
    for month in approved:
        for centre in centres:
            submitted = at(due_on(month) - dt.timedelta(days=2), dt.time(16))
            region = submitted + dt.timedelta(days=3)
            network = region + dt.timedelta(days=4)
            report = MonthReport.objects.create(
                centre=centre, month=month, status=MonthStatus.APPROVED, submitted_at=submitted,
                first_submitted_at=submitted, region_approved_at=region, approved_at=network,
            )  # fmt: skip
            MonthEvent.objects.bulk_create(
                [
                    MonthEvent(month_report=report, action=MonthAction.SUBMITTED, at=submitted),
                    MonthEvent(month_report=report, action=MonthAction.REGION_APPROVED, at=region),
                    MonthEvent(month_report=report, action=MonthAction.APPROVED, at=network),
                ]
            )
            made += 1
    reporting = centres[: max(0, len(centres) - 3)]
    for i, centre in enumerate(reporting):
        late = i >= len(reporting) - 2
        submitted = at(due_on(last) + dt.timedelta(days=3 if late else -1), dt.time(11))
        region_approved = i % 2 == 0 and not late
        report = MonthReport.objects.create(
            centre=centre, month=last,
            status=MonthStatus.REGION_APPROVED if region_approved else MonthStatus.SUBMITTED,
            submitted_at=submitted, first_submitted_at=submitted,
            region_approved_at=submitted + dt.timedelta(days=2) if region_approved else None,
        )  # fmt: skip
        MonthEvent.objects.create(month_report=report, action=MonthAction.SUBMITTED, at=submitted)
        if region_approved:
            MonthEvent.objects.create(
                month_report=report, action=MonthAction.REGION_APPROVED, at=submitted + dt.timedelta(days=2)
            )
        made += 1
    return made
