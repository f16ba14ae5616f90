"""The electronic queue of a centre: topics with letter prefixes, desks that serve topics,
priority categories, tickets (A-017) that restart daily per topic, optional booked slots,
and an append-only event log from which the statistics are computed."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cipnet.core.i18n import localized
from cipnet.core.models import BaseModel


class QueueConfig(BaseModel):
    """A centre's queue settings. The queue runs only where a manager switched it on."""

    centre = models.OneToOneField(
        "directory.Centre", on_delete=models.CASCADE, related_name="queue_config", verbose_name=_("centre")
    )
    is_enabled = models.BooleanField(_("queue is on"), default=True)
    #: At most this many priority calls in a row at a desk while ordinary tickets wait.
    max_priority_streak = models.PositiveSmallIntegerField(
        _("priority calls in a row, at most"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    booking_enabled = models.BooleanField(_("online booking of a time"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(
        _("length of a booked slot, minutes"), default=20, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    #: Secret part of the kiosk's address, so that tickets are issued only from the centre's tablet.
    kiosk_token = models.CharField(max_length=40, unique=True)
    #: Increases on every change of the queue; boards and status pages use it as their ETag.
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("queue settings")
        verbose_name_plural = _("queue settings")

    def __str__(self) -> str:
        return f"queue of {self.centre_id}"


class QueueTopic(BaseModel):
    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="queue_topics")
    prefix = models.CharField(
        _("letter"),
        max_length=1,
        validators=[RegexValidator(r"^[A-ZА-ЯІЇЄҐ]$", _("One capital letter, e.g. A or П."))],
    )
    name = models.CharField(_("name (Ukrainian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("queue topic")
        verbose_name_plural = _("queue topics")
        ordering = ["centre", "position", "prefix"]
        constraints = [models.UniqueConstraint(fields=["centre", "prefix"], name="queue_topic_prefix_unique")]

    def __str__(self) -> str:
        return f"{self.prefix} — {self.name}"

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class Desk(BaseModel):
    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="desks")
    name = models.CharField(_("name"), max_length=60, help_text=_("As shown on the board, e.g. “Desk 2”."))
    topics = models.ManyToManyField(QueueTopic, related_name="desks", verbose_name=_("topics served"))
    is_active = models.BooleanField(_("open"), default=True)
    #: Priority tickets called in a row at this desk (the anti-starvation rule's counter).
    priority_streak = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["centre", "name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="desk_name_unique")]

    def __str__(self) -> str:
        return self.name


class PriorityCategory(BaseModel):
    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="priority_categories")
    name = models.CharField(_("name (Ukrainian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("priority category")
        verbose_name_plural = _("priority categories")
        ordering = ["centre", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Served")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")


class TicketChannel(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    STAFF = "staff", _("Issued by staff")
    BOOKING = "booking", _("Booked online")


class Ticket(BaseModel):
    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="tickets")
    topic = models.ForeignKey(QueueTopic, on_delete=models.PROTECT, related_name="tickets")
    #: The local (Kyiv) day the ticket belongs to; numbers restart daily per topic.
    day = models.DateField()
    #: The topic's letter and the day's number, kept as issued (a transfer keeps the label).
    prefix = models.CharField(max_length=1)
    number = models.PositiveIntegerField()
    #: Unguessable code for the holder's status page (the QR code on the slip).
    code = models.CharField(max_length=24, unique=True)
    status = models.CharField(max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    priority = models.ForeignKey(
        PriorityCategory, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    channel = models.CharField(max_length=8, choices=TicketChannel.choices, default=TicketChannel.KIOSK)
    #: Place in line: the issue time, or for a booked visitor the booked time (whichever is earlier).
    queued_at = models.DateTimeField()
    issued_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    desk = models.ForeignKey(Desk, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets")
    #: Transferred to a particular desk: only that desk calls it.
    for_desk = models.ForeignKey(Desk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    calls = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "prefix", "number"], name="ticket_number_unique"),
        ]
        indexes = [models.Index(fields=["centre", "day", "status"], name="ticket_centre_day_status")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.prefix}-{self.number:03d}"


class TopicCounter(models.Model):
    """The last number issued per letter and day in a centre (taken under a row lock)."""

    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=1)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "prefix", "day"], name="topic_counter_unique")]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.prefix} {self.day}: {self.last}"


class Booking(BaseModel):
    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="bookings")
    topic = models.ForeignKey(QueueTopic, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField()
    #: Shown to the visitor; typed at the kiosk to check in.
    code = models.CharField(max_length=8)
    ticket = models.OneToOneField(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="booking")
    is_cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["centre", "code"], name="booking_code_unique")]
        indexes = [models.Index(fields=["centre", "starts_at"], name="booking_centre_start")]

    def __str__(self) -> str:
        return f"{self.code} {self.starts_at:%Y-%m-%d %H:%M}"


class EventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    CALLED = "called", _("Called")
    RECALLED = "recalled", _("Called again")
    STARTED = "started", _("Service started")
    FINISHED = "finished", _("Served")
    NO_SHOW = "no_show", _("Did not come")
    TRANSFERRED = "transferred", _("Transferred")
    CANCELLED = "cancelled", _("Cancelled")


class TicketEvent(models.Model):
    """Append-only: what happened to a ticket, where and by whom."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField()
    desk = models.ForeignKey(Desk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["centre", "at"], name="ticket_event_centre_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ticket_id}"
