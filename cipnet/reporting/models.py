"""A centre's month of figures, submitted by the centre and approved bottom-up (region, then network),
and the corrections made to it after it was locked (issue 16, ADR 12).

This app sits below the domain apps: it knows centres and months, not consultations or appeals, so the
consultation log (and the next modules) can ask it "is this month locked?" before a write without an
import cycle. A record it has to name (a corrected entry) is named by kind and id.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cipnet.core.clock import local
from cipnet.core.models import BaseModel
from cipnet.directory.models import Centre


class MonthStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted by the centre")
    REGION_APPROVED = "region_approved", _("Approved by the region")
    APPROVED = "approved", _("Approved by the network")


#: A month in one of these is locked: its rows change only as a recorded correction.
LOCKED = (MonthStatus.SUBMITTED, MonthStatus.REGION_APPROVED, MonthStatus.APPROVED)

#: Submitted by this day of the following month counts as on time.
DUE_DAY = 5


class MonthReport(BaseModel):
    """One centre's one month. No row means "open"; a row returned for changes is open again."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="month_reports")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=20, choices=MonthStatus.choices, default=MonthStatus.OPEN)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region_approved_at = models.DateTimeField(null=True, blank=True)
    region_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Set when the month was submitted on time the first time it was submitted (kept when returned).
    first_submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("centre's month")
        verbose_name_plural = _("centres' months")
        constraints = [
            models.UniqueConstraint(fields=["centre", "month"], name="reporting_one_row_per_centre_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="reporting_month_is_first_day"),
        ]
        indexes = [models.Index(fields=["month", "status"])]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.month:%Y-%m} {self.status}"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED

    @property
    def due_on(self) -> dt.date:
        return due_on(self.month)

    @property
    def on_time(self) -> bool | None:
        """None while never submitted."""
        if self.first_submitted_at is None:
            return None
        return local(self.first_submitted_at).date() <= self.due_on


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def due_on(month: dt.date) -> dt.date:
    return next_month(month).replace(day=DUE_DAY)


class MonthAction(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REGION_APPROVED = "region_approved", _("Approved by the region")
    APPROVED = "approved", _("Approved by the network")
    RETURNED = "returned", _("Returned for changes")


class MonthEvent(models.Model):
    """Append-only: who moved a month, when, and why (a return always says why)."""

    month_report = models.ForeignKey(MonthReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=MonthAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.month_report_id} {self.action}"


class CorrectionAction(models.TextChoices):
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")


class Correction(models.Model):
    """A change to a row of a locked month, made on purpose and with its reason; shown in the reports.
    Append-only, and it survives the row (no foreign key to it)."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="corrections")
    month = models.DateField()
    #: What kind of row ("consultation") and its id.
    record_kind = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=CorrectionAction.choices)
    reason = models.TextField(_("reason for the correction"))
    #: The month's status when it was corrected.
    status = models.CharField(max_length=20, choices=MonthStatus.choices)
    changes = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["centre", "month"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__day=1), name="reporting_correction_month_first_day"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="reporting_correction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.record_kind} {self.record_id} {self.action}"
