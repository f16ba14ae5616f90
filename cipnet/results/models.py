"""Programmes, their logframe (results and indicators) and targets (issue 16).

An indicator's actual values are never typed in when CIPnet holds the rows behind them: its
`source` names a registered computation over the modules' own records (`cipnet.results.sources`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cipnet.core.i18n import Localized, localized
from cipnet.core.models import BaseModel


class Programme(BaseModel):
    """A funded programme with results to prove, e.g. seed 000's 2014 stage II (332,700 PLN)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_pl = models.CharField(_("title (Polish)"), max_length=300, blank=True)
    donor = models.CharField(_("donor"), max_length=200)
    funding_programme = models.CharField(_("funding programme"), max_length=300, blank=True)
    partners = models.TextField(_("partners"), blank=True, help_text=_("One per line."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="UAH", help_text=_("ISO 4217, e.g. PLN."))
    iati_identifier = models.CharField(
        _("IATI activity identifier"),
        max_length=150,
        blank=True,
        help_text=_(
            "The reporting organisation's identifier, a hyphen and the programme's own; never changed once published."
        ),
    )
    reporting_org = models.CharField(_("reporting organisation"), max_length=300, blank=True)
    reporting_org_ref = models.CharField(
        _("reporting organisation's identifier"),
        max_length=100,
        blank=True,
        help_text=_("As in IATI, e.g. PL-KRS-0000012345."),
    )
    reporting_org_type = models.CharField(
        _("reporting organisation's type"),
        max_length=3,
        blank=True,
        choices=[
            ("10", _("Government")),
            ("21", _("International NGO")),
            ("22", _("National NGO")),
            ("23", _("Regional NGO")),
            ("80", _("Academic, training and research")),
            ("90", _("Other")),
        ],
    )
    is_public = models.BooleanField(
        _("results shown to the public"),
        default=False,
        help_text=_("Its results page is open to everyone (the network's totals only)."),
    )
    centres = models.ManyToManyField(
        "directory.Centre",
        blank=True,
        related_name="+",
        verbose_name=_("centres"),
        help_text=_("The centres whose work the programme counts; none means every centre."),
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(name="results_programme_dates", condition=Q(starts_on__lte=models.F("ends_on")))
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> Localized:
        return localized(self, "title")


class Level(models.TextChoices):
    GOAL = "goal", _("Goal")
    OUTCOME = "outcome", _("Outcome")
    OUTPUT = "output", _("Output")
    ACTIVITY = "activity", _("Activity")


LEVEL_ORDER = [Level.GOAL, Level.OUTCOME, Level.OUTPUT, Level.ACTIVITY]


class Result(BaseModel):
    """A node of the logframe: goal → outcomes → outputs → activities, coded like "R3"."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="results")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("part of")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title (Ukrainian)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    title_pl = models.CharField(_("title (Polish)"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["programme", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="results_result_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def display_title(self) -> Localized:
        return localized(self, "title")

    def clean(self) -> None:
        if self.parent is not None:
            if self.parent.programme_id != self.programme_id:
                raise ValidationError({"parent": _("A result can only be part of a result of the same programme.")})
            if LEVEL_ORDER.index(Level(self.parent.level)) >= LEVEL_ORDER.index(Level(self.level)):
                raise ValidationError(
                    {
                        "parent": _(
                            "A result can only be part of a result of a higher level "
                            "(goal → outcome → output → activity)."
                        )
                    }
                )


class Measure(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENTAGE = "percentage", _("Percentage")
    QUALITATIVE = "qualitative", _("Qualitative")


class Direction(models.TextChoices):
    INCREASE = "increase", _("More is better")
    DECREASE = "decrease", _("Less is better")


class Aggregation(models.TextChoices):
    """How period values make a programme's value (the rule every report, dashboard and export uses)."""

    SUM = "sum", _("Sum of the periods")
    CUMULATIVE = "cumulative", _("Running total (the latest value counts)")
    LATEST = "latest", _("Latest value")
    AVERAGE = "average", _("Average")
    RATIO = "ratio", _("Ratio of two counts")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    PROGRAMME = "programme", _("Once, for the whole programme")


class Disaggregation(models.TextChoices):
    """The cuts an indicator reports; the consultation log's bands, so every module cuts the same way."""

    AGE_BAND = "age_band", _("Age")
    GENDER = "gender", _("Gender")
    SETTLEMENT = "settlement", _("Lives in")
    CENTRE = "centre", _("Centre")
    REGION = "region", _("Region")


class Indicator(BaseModel):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title (Ukrainian)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    title_pl = models.CharField(_("title (Polish)"), max_length=500, blank=True)
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices, default=Measure.NUMBER)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    aggregation = models.CharField(
        _("aggregation"), max_length=12, choices=Aggregation.choices, default=Aggregation.SUM
    )
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(
        _("target for the whole programme"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    frequency = models.CharField(_("reported"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    verification = models.TextField(_("means of verification"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    disaggregations = models.JSONField(_("disaggregations"), default=list, blank=True)
    #: A key of `cipnet.results.sources.REGISTRY`; empty: values are entered by hand with evidence.
    source = models.CharField(_("computed from"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["result", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["result", "code"], name="results_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def display_title(self) -> Localized:
        return localized(self, "title")

    def clean(self) -> None:
        if not isinstance(self.disaggregations, list) or any(
            d not in Disaggregation.values for d in self.disaggregations
        ):
            raise ValidationError({"disaggregations": _("Choose disaggregations from the list.")})
        if self.measure == Measure.QUALITATIVE and (self.target is not None or self.baseline is not None):
            raise ValidationError({"target": _("A qualitative indicator has no numeric baseline or target.")})


class ScopedSpan(BaseModel):
    """A row about an indicator for a scope — the network (no region, no centre), a region or a
    centre — and a span of days: one per indicator, span and scope."""

    region = models.ForeignKey("directory.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))

    class Meta:
        abstract = True
        ordering = ["indicator", "starts_on"]
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_dates", condition=Q(starts_on__lte=models.F("ends_on"))
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_one_scope", condition=Q(region__isnull=True) | Q(centre__isnull=True)
            ),
            models.UniqueConstraint(
                fields=["indicator", "starts_on", "ends_on"],
                condition=Q(region__isnull=True, centre__isnull=True),
                name="%(app_label)s_%(class)s_network",
            ),
            models.UniqueConstraint(
                fields=["indicator", "starts_on", "ends_on", "region"],
                condition=Q(region__isnull=False),
                name="%(app_label)s_%(class)s_region",
            ),
            models.UniqueConstraint(
                fields=["indicator", "starts_on", "ends_on", "centre"],
                condition=Q(centre__isnull=False),
                name="%(app_label)s_%(class)s_centre",
            ),
        ]


class Target(ScopedSpan):
    """An indicator's target for a scope and a period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    value = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta(ScopedSpan.Meta):
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        indexes = [
            # A network's or a region's figures add up their centres' targets per span, and the periods
            # offered are the targets' spans: both read from this index, in its order (5,000 centres ×
            # 8 quarters are 40,000 rows an indicator).
            models.Index(fields=["indicator", "starts_on", "ends_on", "centre", "value"], name="results_target_spans")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.starts_on}–{self.ends_on}: {self.value}"


def evidence_path(instance: ManualValue, filename: str) -> str:
    return f"results/evidence/{instance.indicator_id}/{filename}"


class ManualValue(ScopedSpan):
    """A fact CIPnet cannot observe (brochures printed, a programme adopted), entered with its evidence
    and who entered it. Indicators computed from CIPnet's own rows never take one."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="manual_values")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("what was achieved"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    evidence_note = models.CharField(_("where the evidence is"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(ScopedSpan.Meta):
        verbose_name = _("value entered by hand")
        verbose_name_plural = _("values entered by hand")

    def __str__(self) -> str:
        shown = self.value if self.value is not None else self.text
        return f"{self.indicator_id} {self.starts_on}–{self.ends_on}: {shown}"


REPORT_LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English")), ("pl", _("Polish"))]


class DonorReport(BaseModel):
    """A report generated for a donor, kept as it was made: its figures, its file and the file's SHA-256
    never change, whatever happens to the rows behind them afterwards."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="reports")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    figures = models.JSONField(_("figures"), default=dict)
    content = models.BinaryField(_("file"), editable=False)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, editable=False)
    #: The same frozen figures as an IATI 2.03 activity file (when the programme has an IATI identifier).
    iati_xml = models.BinaryField(_("IATI activity file"), editable=False, default=b"")
    iati_sha256 = models.CharField(_("SHA-256 of the IATI file"), max_length=64, editable=False, blank=True)
    #: The language of the narrative PDF (the table and the IATI file carry every language they have).
    language = models.CharField(_("language of the report"), max_length=2, choices=REPORT_LANGUAGES, default="uk")
    #: The same frozen figures as a narrative PDF; empty when the server could not make PDFs (no Pango).
    pdf = models.BinaryField(_("narrative report (PDF)"), editable=False, default=b"")
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, editable=False, blank=True)

    class Meta:
        verbose_name = _("donor report")
        verbose_name_plural = _("donor reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.starts_on}–{self.ends_on} {self.sha256[:12]}"
