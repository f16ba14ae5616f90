from __future__ import annotations

import re
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cipnet.core.i18n import current_language, localized, place_name
from cipnet.core.models import BaseModel

# Ukraine's bounding box (mainland and Crimea), generous by a few kilometres.
UKRAINE_LAT = (44.3, 52.4)
UKRAINE_LON = (22.1, 40.3)


class TerritoryLevel(models.TextChoices):
    OBLAST = "O", _("oblast")
    SPECIAL_CITY = "K", _("city with special status")
    RAION = "P", _("raion")
    HROMADA = "H", _("hromada")
    CITY = "M", _("city")
    SELYSHCHE = "X", _("selyshche")
    VILLAGE = "C", _("village")
    CITY_DISTRICT = "B", _("city district")


SETTLEMENT_LEVELS = (TerritoryLevel.CITY, TerritoryLevel.SELYSHCHE, TerritoryLevel.VILLAGE, TerritoryLevel.SPECIAL_CITY)
_SHORT_PREFIX = {"M": _("c."), "X": _("sel."), "C": _("v.")}


class Territory(models.Model):
    """One unit of the KATOTTG codifier, with its ancestors denormalised for fast scoping."""

    code = models.CharField(_("KATOTTG code"), max_length=19, unique=True)
    level = models.CharField(_("level"), max_length=1, choices=TerritoryLevel.choices)
    name = models.CharField(_("name"), max_length=150)
    name_key = models.CharField(max_length=150, db_index=True, editable=False)
    latin_key = models.CharField(max_length=200, db_index=True, editable=False)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    oblast = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    raion = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    hromada = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "name_key"], name="dir_territory_level_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def display_name(self) -> str:
        return place_name(self.name)

    @property
    def label(self) -> str:
        """Name with its kind: "м. Миколаїв", "Миколаївська обл.", "Стрийський р‑н"."""
        name = self.display_name
        if self.level in _SHORT_PREFIX:
            return f"{_SHORT_PREFIX[self.level]} {name}"
        if self.level in (TerritoryLevel.OBLAST, TerritoryLevel.SPECIAL_CITY) and current_language() != "uk":
            # "Mykolaiv Oblast" / "obwód mikołajowski" read better than a transliterated adjective.
            region = (
                Region.objects.filter(territory_id=self.pk).first()
                if "region" not in self._state.fields_cache
                else self._state.fields_cache["region"]
            )
            if region is not None:
                return region.display_name
        # Oblasts are named by an adjective ("Миколаївська"); Crimea by its full name.
        if self.level == TerritoryLevel.OBLAST and self.name.endswith("ька"):
            return str(_("%(name)s oblast") % {"name": name})
        if self.level == TerritoryLevel.RAION:
            return str(_("%(name)s raion") % {"name": name})
        if self.level == TerritoryLevel.HROMADA:
            return str(_("%(name)s hromada") % {"name": name})
        if self.level == TerritoryLevel.CITY_DISTRICT:
            return str(_("%(name)s district") % {"name": name})
        return name

    @property
    def full_label(self) -> str:
        """Enough to tell same-named villages apart: settlement, hromada, raion, oblast."""
        parts = [self.label]
        for ancestor in (self.hromada, self.raion, self.oblast):
            if ancestor is not None and ancestor.pk != self.pk:
                parts.append(ancestor.label)
        return ", ".join(parts)


class Region(models.Model):
    """An oblast (or Kyiv / Sevastopol) as a unit of the network's coordination."""

    territory = models.OneToOneField(Territory, on_delete=models.PROTECT, related_name="region")
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name (Ukrainian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class CoordinationOffice(BaseModel):
    """A regional coordination bureau that supports the centres of one region."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="offices", verbose_name=_("region"))
    name = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=200, blank=True)
    settlement = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("settlement"))
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("coordination office")
        verbose_name_plural = _("coordination offices")
        ordering = ["region__name", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="dir_office_unique_name")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class HostKind(models.TextChoices):
    REGIONAL_LIBRARY = "regional_library", _("Regional library")
    LIBRARY_SYSTEM = "library_system", _("Centralised library system")
    LIBRARY_BRANCH = "library_branch", _("Library branch")
    VILLAGE_LIBRARY = "village_library", _("Village library")
    NGO = "ngo", _("Non-governmental organisation")
    LOCAL_GOVERNMENT = "local_government", _("Local government body")
    OTHER = "other", _("Other institution")


class HostInstitution(BaseModel):
    """The library (or NGO) that hosts one or more centres."""

    name = models.CharField(_("name"), max_length=250)
    kind = models.CharField(_("type"), max_length=32, choices=HostKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("part of"),
    )
    settlement = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("settlement"))
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("host institution")
        verbose_name_plural = _("host institutions")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "settlement"], name="dir_host_unique_name")]

    def __str__(self) -> str:
        return self.name


class CentreStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Temporarily suspended")
    CLOSED = "closed", _("Closed")


class AccessibilityFeature(models.TextChoices):
    STEP_FREE = "step_free", _("Step-free entrance")
    ACCESSIBLE_TOILET = "accessible_toilet", _("Accessible toilet")
    HEARING_LOOP = "hearing_loop", _("Hearing loop")
    ACCESSIBLE_PC = "accessible_pc", _("Computer with large print or screen reader")
    PARKING = "parking", _("Parking for people with disabilities")
    LIFT = "lift", _("Lift")
    SIGN_LANGUAGE = "sign_language", _("Consultant who knows sign language")
    CHILD_FRIENDLY = "child_friendly", _("Place for parents with small children")


class Language(models.TextChoices):
    UKRAINIAN = "uk", _("Ukrainian")
    ENGLISH = "en", _("English")
    POLISH = "pl", _("Polish")
    HUNGARIAN = "hu", _("Hungarian")
    ROMANIAN = "ro", _("Romanian")
    CRIMEAN_TATAR = "crh", _("Crimean Tatar")
    SIGN = "ukl", _("Ukrainian Sign Language")


_PHONE_SPLIT_RE = re.compile(r"[,;]+")
_PHONE_OK_RE = re.compile(r"^\+?[\d\s()\-]{5,20}$")


def validate_phones(value: str) -> None:
    for part in _PHONE_SPLIT_RE.split(value):
        part = part.strip()
        if part and not _PHONE_OK_RE.match(part):
            raise ValidationError(
                _("“%(phone)s” does not look like a phone number. Use digits, spaces, brackets and dashes."),
                params={"phone": part},
                code="phone",
            )


def validate_languages(value: object) -> None:
    valid = set(Language.values)
    if not isinstance(value, list) or not all(isinstance(v, str) and v in valid for v in value):
        raise ValidationError(_("Choose languages from the list."), code="languages")


def validate_latitude(value: float) -> None:
    if not UKRAINE_LAT[0] <= value <= UKRAINE_LAT[1]:
        raise ValidationError(
            _(
                "Latitude %(value)s is outside Ukraine (between %(low)s and %(high)s). "
                "Are latitude and longitude swapped?"
            ),
            params={"value": value, "low": UKRAINE_LAT[0], "high": UKRAINE_LAT[1]},
            code="outside_ukraine",
        )


def validate_longitude(value: float) -> None:
    if not UKRAINE_LON[0] <= value <= UKRAINE_LON[1]:
        raise ValidationError(
            _(
                "Longitude %(value)s is outside Ukraine (between %(low)s and %(high)s). "
                "Are latitude and longitude swapped?"
            ),
            params={"value": value, "low": UKRAINE_LON[0], "high": UKRAINE_LON[1]},
            code="outside_ukraine",
        )


class CentreQuerySet(models.QuerySet["Centre"]):
    def public(self) -> CentreQuerySet:
        """Centres a resident may be sent to (planned and closed ones are hidden)."""
        return self.filter(status__in=[CentreStatus.ACTIVE, CentreStatus.SUSPENDED])

    def with_related(self) -> CentreQuerySet:
        return self.select_related(
            "region", "host", "settlement", "settlement__hromada", "settlement__raion", "settlement__oblast"
        )


class Centre(BaseModel):
    """A Public Information Centre: a place where consultants help residents with e-services."""

    slug = models.SlugField(_("address of the page"), max_length=120, unique=True)
    name = models.CharField(_("name (Ukrainian)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=250, blank=True)
    description = models.TextField(_("what help is offered (Ukrainian)"), blank=True)
    description_en = models.TextField(_("what help is offered (English)"), blank=True)
    description_pl = models.TextField(_("what help is offered (Polish)"), blank=True)
    host = models.ForeignKey(
        HostInstitution, on_delete=models.PROTECT, related_name="centres", verbose_name=_("host institution")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="centres", verbose_name=_("region"))
    office = models.ForeignKey(
        CoordinationOffice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="centres",
        verbose_name=_("coordination office"),
    )
    settlement = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="centres", verbose_name=_("settlement")
    )
    address = models.CharField(_("street address"), max_length=250)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=[validate_latitude])
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=[validate_longitude])
    phone = models.CharField(_("phone numbers"), max_length=200, blank=True, validators=[validate_phones])
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    blog_url = models.URLField(_("blog"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CentreStatus.choices, default=CentreStatus.PLANNED)
    opened_on = models.DateField(_("opening date"), null=True, blank=True)
    public_computers = models.PositiveSmallIntegerField(
        _("computers for visitors"), default=0, validators=[MaxValueValidator(500)]
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True, validators=[validate_languages])
    #: The weekly hours hour by hour (`hours.week_by_hour`), written with them by `services.centre_set_hours`;
    #: empty until then, which "open now" reads as "ask the intervals".
    week_by_hour = models.CharField(max_length=168, blank=True, default="", editable=False)

    objects: ClassVar[CentreQuerySet] = CentreQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["host", "name"], name="dir_centre_unique_in_host"),
            models.CheckConstraint(
                name="dir_centre_coordinates_pair",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="dir_centre_lat_lon"),
            models.Index(fields=["status", "region"], name="dir_centre_status_region"),
            # The finder's list, region by region in name order (`selectors.RegionOrderedCentres`).
            models.Index(fields=["region", "name"], name="dir_centre_region_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_description(self) -> str:
        return localized(self, "description")

    @property
    def phone_numbers(self) -> list[tuple[str, str]]:
        """(as written, tel: URI). Local numbers without a country code get +380."""
        numbers = []
        for part in _PHONE_SPLIT_RE.split(self.phone):
            shown = part.strip()
            if not shown:
                continue
            digits = re.sub(r"\D", "", shown)
            if shown.startswith("+") or digits.startswith("380"):
                uri = f"+{digits}"
            elif digits.startswith("0"):
                uri = f"+38{digits}"
            else:
                uri = digits
            numbers.append((shown, f"tel:{uri}"))
        return numbers

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Give both latitude and longitude, or neither."
            )
        if self.office is not None and self.region_id and self.office.region_id != self.region_id:
            errors["office"] = _("The coordination office must be in the centre's region.")
        if self.settlement_id and self.settlement.level not in (*SETTLEMENT_LEVELS, TerritoryLevel.CITY_DISTRICT):
            errors["settlement"] = _("Choose a city, town or village, not a larger territory.")
        if errors:
            raise ValidationError(errors)


class CentreFeature(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="features")
    feature = models.CharField(max_length=32, choices=AccessibilityFeature.choices)

    class Meta:
        verbose_name = _("accessibility feature")
        verbose_name_plural = _("accessibility features")
        constraints = [models.UniqueConstraint(fields=["centre", "feature"], name="dir_feature_unique")]

    def __str__(self) -> str:
        return self.get_feature_display()


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening interval on a weekday; several intervals on a day make breaks."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(name="dir_hours_opens_before_closes", condition=Q(opens__lt=models.F("closes"))),
            models.UniqueConstraint(fields=["centre", "weekday", "opens"], name="dir_hours_unique_start"),
        ]
        # "Open now" over every centre reads this index alone (`selectors.open_now_q`).
        indexes = [models.Index(fields=["weekday", "opens", "closes", "centre"], name="dir_hours_open_at")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OpeningException(BaseModel):
    """A dated change: closed for a holiday, or a shorter day."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    is_closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("change to opening hours")
        verbose_name_plural = _("changes to opening hours")
        ordering = ["date"]
        indexes = [models.Index(fields=["date", "centre"], name="dir_exception_day")]  # "open now": one day
        constraints = [
            models.UniqueConstraint(fields=["centre", "date"], name="dir_exception_unique_day"),
            models.CheckConstraint(
                name="dir_exception_hours_valid",
                condition=Q(is_closed=True, opens__isnull=True, closes__isnull=True)
                | Q(is_closed=False, opens__isnull=False, closes__isnull=False, opens__lt=models.F("closes")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"

    def clean(self) -> None:
        if self.is_closed:
            self.opens = self.closes = None
            return
        errors = {}
        if self.opens is None:
            errors["opens"] = _("Give the opening time, or tick “closed all day”.")
        if self.closes is None:
            errors["closes"] = _("Give the closing time, or tick “closed all day”.")
        if not errors and self.opens and self.closes and self.closes <= self.opens:
            errors["closes"] = _("The closing time must be later than the opening time.")
        if errors:
            raise ValidationError(errors)


__all__ = [
    "AccessibilityFeature",
    "Centre",
    "CentreFeature",
    "CentreStatus",
    "CoordinationOffice",
    "HostInstitution",
    "HostKind",
    "Language",
    "OpeningException",
    "OpeningHours",
    "Region",
    "Territory",
    "TerritoryLevel",
    "Weekday",
]
