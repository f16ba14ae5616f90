"""The consultation log: one row per visitor helped once, with no identity, and the
rollups that every dashboard reads instead of the raw rows.

Rollups are *marginal* counts — (centre, day, dimension, value) → count — rather than
one row per combination of every attribute: with a dozen visitor attributes the
combinations would be about as many as the entries themselves. Each figure a dashboard
shows is one dimension (outcomes, age bands, services…), so the marginals answer all of
them (ADR 0005).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cipnet.core.models import BaseModel


class HelpKind(models.TextChoices):
    ESERVICE = "eservice", _("Assisted e-service")
    INFORMATION = "information", _("Information only")
    APPEAL = "appeal", _("Filing an appeal or information request")
    LITERACY = "literacy", _("Computer-literacy help")
    DOCUMENTS = "documents", _("Printing, scanning or e-signature help")
    OTHER = "other", _("Other help")


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    PARTLY = "partly", _("Partly done, needs a return visit")
    REFERRED = "referred", _("Referred elsewhere")
    NOT_POSSIBLE = "not_possible", _("Not possible")


class Obstacle(models.TextChoices):
    PORTAL_DOWN = "portal_down", _("The portal or service was down")
    MISSING_DOCUMENTS = "missing_documents", _("Documents were missing")
    NO_ESIGNATURE = "no_esignature", _("No e-signature")
    NOT_ELIGIBLE = "not_eligible", _("Not entitled to the service")
    OTHER = "other", _("Another reason")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    NOT_STATED = "not_stated", _("Not stated")


class AgeBand(models.TextChoices):
    UNDER_18 = "0-17", _("Under 18")
    FROM_18 = "18-29", _("18–29")
    FROM_30 = "30-44", _("30–44")
    FROM_45 = "45-59", _("45–59")
    FROM_60 = "60-74", _("60–74")
    FROM_75 = "75+", _("75 and over")
    NOT_STATED = "not_stated", _("Not stated")


class SocialCategory(models.TextChoices):
    PENSIONER = "pensioner", _("Pensioner")
    DISABILITY = "disability", _("Person with disability")
    IDP = "idp", _("Internally displaced person")
    VETERAN = "veteran", _("Veteran")
    UNEMPLOYED = "unemployed", _("Unemployed")
    STUDENT = "student", _("Student")
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    OTHER = "other", _("Other category")


#: Social categories are stored as a bit mask: one small integer per row instead of a
#: join table, which matters at tens of millions of entries.
CATEGORY_BITS: dict[str, int] = {value: 1 << i for i, value in enumerate(SocialCategory.values)}


def categories_to_mask(values: list[str] | tuple[str, ...] | set[str]) -> int:
    return sum(CATEGORY_BITS[v] for v in set(values))


def mask_to_categories(mask: int) -> list[str]:
    return [value for value, bit in CATEGORY_BITS.items() if mask & bit]


class SettlementType(models.TextChoices):
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")
    NOT_STATED = "not_stated", _("Not stated")


class Source(models.TextChoices):
    QUICK = "quick", _("Quick entry")
    BULK = "bulk", _("Day's tally")
    API = "api", _("API")
    QUEUE = "queue", _("Electronic queue")
    DEMO = "demo", _("Demonstration data")


NOTE_MAX_LENGTH = 500
DURATION_MAX_MINUTES = 480


class Consultation(BaseModel):
    """One visitor helped once. Holds no name, phone, e-mail, tax or passport number."""

    centre = models.ForeignKey(
        "directory.Centre",
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("centre"),
        db_index=False,  # (centre, day) serves it
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations_given",
        verbose_name=_("consultant"),
    )
    #: Who typed the entry (usually the consultant); may change it for 24 hours.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations_entered",
        verbose_name=_("entered by"),
        db_index=False,  # (author, -created_at) serves it
    )
    occurred_at = models.DateTimeField(_("when"))
    #: The local (Kyiv) date of `occurred_at`, kept for indexing and rollups.
    day = models.DateField(_("day"), editable=False)
    help_kind = models.CharField(_("kind of help"), max_length=16, choices=HelpKind.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    obstacle = models.CharField(_("why it was not possible"), max_length=24, choices=Obstacle.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WALK_IN)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration, minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(DURATION_MAX_MINUTES)],
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, default=Gender.NOT_STATED)
    age_band = models.CharField(_("age"), max_length=12, choices=AgeBand.choices, default=AgeBand.NOT_STATED)
    categories = models.PositiveSmallIntegerField(_("social categories"), default=0)
    settlement_type = models.CharField(
        _("lives in"), max_length=12, choices=SettlementType.choices, default=SettlementType.NOT_STATED
    )
    first_visit = models.BooleanField(_("first visit"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    source = models.CharField(_("entered through"), max_length=8, choices=Source.choices, default=Source.QUICK)
    #: Sent by the form or API client; a retry with the same key returns the first entry.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["centre", "day"], name="consultation_centre_day"),
            models.Index(fields=["day"], name="consultation_day"),
            models.Index(fields=["author", "-created_at"], name="consultation_author_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="consultation_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="consultation_satisfaction_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.day} {self.centre_id}"

    @property
    def category_values(self) -> list[str]:
        return mask_to_categories(self.categories)

    def get_categories_display(self) -> list[str]:
        labels = dict(SocialCategory.choices)
        return [str(labels[v]) for v in self.category_values]


class ConsultationService(models.Model):
    """An e-service used in a consultation: a catalogue card, or free text when none fits."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="services")
    card = models.ForeignKey(
        "eservices.ServiceCard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_uses",
        verbose_name=_("service card"),
    )
    free_text = models.CharField(_("service not in the catalogue"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(card__isnull=False) & models.Q(free_text=""))
                | (models.Q(card__isnull=True) & ~models.Q(free_text="")),
                name="consultation_service_card_xor_text",
            ),
        ]

    def __str__(self) -> str:
        return self.free_text or str(self.card_id)


class ChangeAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")


class ConsultationChange(models.Model):
    """Append-only audit trail. Survives the entry's deletion (no foreign key to it)."""

    consultation_id = models.BigIntegerField(db_index=True)
    centre = models.ForeignKey("directory.Centre", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=8, choices=ChangeAction.choices)
    at = models.DateTimeField()
    #: {field: [before, after]} for changes; the full record for creations and deletions.
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.consultation_id}"


class Dimension(models.TextChoices):
    TOTAL = "total", _("All consultations")
    SERVICE = "service", _("Services")
    HELP_KIND = "help_kind", _("Kind of help")
    OUTCOME = "outcome", _("Outcome")
    OBSTACLE = "obstacle", _("Why it was not possible")
    CHANNEL = "channel", _("Channel")
    GENDER = "gender", _("Gender")
    AGE_BAND = "age_band", _("Age")
    CATEGORY = "category", _("Social category")
    SETTLEMENT = "settlement", _("Lives in")
    FIRST_VISIT = "first_visit", _("First visit")
    SATISFACTION = "satisfaction", _("Satisfaction")


#: Rollup value for a service given as free text (no catalogue card).
FREE_TEXT_SERVICE = "text"

#: A cross-tabulation kept in the tallies beside the dimensions (ADR 5: a pair a report needs is its own
#: dimension): the outcome of assisted e-services, which programme results count ("e-services
#: completed") by centre. Not a breakdown of the dashboards, so not one of `Dimension`'s choices.
ESERVICE_OUTCOME = "eservice_outcome"


class Sums(models.Model):
    """The count of consultations (for dimension "service": of service uses) in a slice, plus the
    sums that give its average duration and satisfaction."""

    count = models.IntegerField(default=0)
    minutes_sum = models.IntegerField(default=0)
    minutes_n = models.IntegerField(default=0)
    score_sum = models.IntegerField(default=0)
    score_n = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyTotal(Sums):
    """All consultations of a centre on a day (no breakdown): targets and centre tables."""

    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "day"], name="daily_total_key")]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day}: {self.count}"


class MonthlyTally(Sums):
    """One breakdown value of a centre in a month."""

    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField(help_text="First day of the month.")
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "month", "dimension", "value"], name="monthly_tally_key"),
        ]
        indexes = [
            models.Index(fields=["month", "dimension"], name="monthly_tally_month_dim"),
            # One dimension of some centres over months (a programme's centres' totals): its rows only, not
            # every dimension's.
            models.Index(fields=["dimension", "centre", "month"], name="monthly_tally_dim_centre"),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.month:%Y-%m} {self.dimension}={self.value}: {self.count}"


class RegionDailyTally(Sums):
    """One breakdown value of all the centres of a region on a day."""

    region = models.ForeignKey("directory.Region", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "day", "dimension", "value"], name="region_daily_tally_key"),
        ]
        indexes = [models.Index(fields=["day"], name="region_daily_tally_day")]

    def __str__(self) -> str:
        return f"r{self.region_id} {self.day} {self.dimension}={self.value}: {self.count}"


class RegionMonthlyTally(Sums):
    """One breakdown value of all the centres of a region in a month."""

    region = models.ForeignKey("directory.Region", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField(help_text="First day of the month.")
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "month", "dimension", "value"], name="region_monthly_tally_key"),
        ]
        indexes = [
            models.Index(fields=["month"], name="region_monthly_tally_month"),
            # One dimension of every region over months: the network's total (results dashboards).
            models.Index(fields=["dimension", "month"], name="region_monthly_tally_dim"),
        ]

    def __str__(self) -> str:
        return f"r{self.region_id} {self.month:%Y-%m} {self.dimension}={self.value}: {self.count}"


class ConsultationTarget(BaseModel):
    """How many consultations a centre is expected to deliver per reporting period,
    e.g. 40 per two months (seed 000). Periods run back to back from `starts_on`."""

    centre = models.ForeignKey(
        "directory.Centre", on_delete=models.CASCADE, related_name="consultation_targets", verbose_name=_("centre")
    )
    starts_on = models.DateField(_("first period starts on"))
    period_months = models.PositiveSmallIntegerField(
        _("length of a reporting period, months"), default=2, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    consultations = models.PositiveIntegerField(
        _("consultations per period"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["centre", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["centre", "starts_on"], name="consultation_target_unique")]

    def __str__(self) -> str:
        return f"{self.centre_id}: {self.consultations}/{self.period_months} mo from {self.starts_on}"
