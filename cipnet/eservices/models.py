"""The e-service catalogue: service cards modelled on CPSV-AP 3.x (cpsv:PublicService)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cipnet.core.i18n import localized
from cipnet.core.models import BaseModel

#: Cards not verified for this long are flagged to coordinators.
VERIFY_EVERY_DAYS = 365


def verification_due_before(today: dt.date) -> dt.date:
    """A card last verified before this day (or never) needs verifying: the one rule for the
    staff list, the card page, the API and the queryset."""
    return today - dt.timedelta(days=VERIFY_EVERY_DAYS)


#: Plain fields of a card that the editor, the importer and the API may set.
CARD_FIELDS = (
    "identifier", "name", "name_en", "name_pl", "short_description", "short_description_en",
    "short_description_pl", "description", "description_en", "description_pl", "kind", "level", "territory",
    "provider", "audience", "keywords", "channels", "authentication", "requirements", "cost", "processing_time",
    "output", "legal_basis", "languages", "guide_steps", "pitfalls", "bring", "status", "verified_on",
    "popularity",
)  # fmt: skip
M2M_FIELDS = ("categories", "life_events")


class ProviderKind(models.TextChoices):
    AUTHORITY = "authority", _("Public authority")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    STATE_ENTERPRISE = "state_enterprise", _("State enterprise")
    BANK = "bank", _("Bank")
    COMPANY = "company", _("Company")
    NGO = "ngo", _("Non-governmental organisation")


class Translated(models.Model):
    """A small reference row with a slug and a name in uk (required), en and pl."""

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    name = models.CharField(_("name (Ukrainian)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=250, blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class Provider(Translated):
    """The competent authority or company that provides a service (cv:PublicOrganisation)."""

    kind = models.CharField(_("type"), max_length=32, choices=ProviderKind.choices, default=ProviderKind.AUTHORITY)
    website = models.URLField(_("website"), blank=True)

    class Meta(Translated.Meta):
        verbose_name = _("provider")
        verbose_name_plural = _("providers")


class Category(Translated):
    class Meta(Translated.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class LifeEvent(Translated):
    class Meta(Translated.Meta):
        verbose_name = _("life event")
        verbose_name_plural = _("life events")


class CardKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative service")
    NON_ADMINISTRATIVE = "non_administrative", _("Non-administrative service")


class CardLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    LOCAL = "local", _("Local")


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    OUTDATED = "outdated", _("Outdated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChannelType(models.TextChoices):
    WEBSITE = "website", _("Website")
    MOBILE_APP = "mobile_app", _("Mobile app")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")


class Authentication(models.TextChoices):
    NONE = "none", _("No sign-in needed")
    QES = "qes", _("Qualified electronic signature (KEP)")
    BANKID = "bankid", _("BankID")
    DIIA_SIGNATURE = "diia_signature", _("Diia.Signature")
    ID_GOV_UA = "id_gov_ua", _("id.gov.ua")
    ACCOUNT = "account", _("An account on the website")


class ServiceCardQuerySet(models.QuerySet["ServiceCard"]):
    def public(self) -> ServiceCardQuerySet:
        return self.exclude(status=CardStatus.WITHDRAWN)

    def needs_verification(self, today: dt.date) -> ServiceCardQuerySet:
        limit = verification_due_before(today)
        return self.exclude(status=CardStatus.WITHDRAWN).filter(Q(verified_on__isnull=True) | Q(verified_on__lt=limit))


class ServiceCard(BaseModel):
    """One e-service, as a consultant explains it to a visitor."""

    identifier = models.SlugField(_("identifier"), max_length=120, unique=True)
    name = models.CharField(_("name (Ukrainian)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    name_pl = models.CharField(_("name (Polish)"), max_length=250, blank=True)
    short_description = models.CharField(_("short description (Ukrainian)"), max_length=400)
    short_description_en = models.CharField(_("short description (English)"), max_length=400, blank=True)
    short_description_pl = models.CharField(_("short description (Polish)"), max_length=400, blank=True)
    description = models.TextField(_("full description (Ukrainian)"))
    description_en = models.TextField(_("full description (English)"), blank=True)
    description_pl = models.TextField(_("full description (Polish)"), blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=CardKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=CardLevel.choices, default=CardLevel.NATIONAL)
    territory = models.ForeignKey(
        "directory.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory"),
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="cards", verbose_name=_("provider"))
    categories = models.ManyToManyField(Category, related_name="cards", blank=True, verbose_name=_("categories"))
    life_events = models.ManyToManyField(LifeEvent, related_name="cards", blank=True, verbose_name=_("life events"))
    audience = models.CharField(_("who it is for"), max_length=400, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    authentication = models.JSONField(_("sign-in needed"), default=list, blank=True)
    requirements = models.JSONField(_("documents and evidence"), default=list, blank=True)
    cost = models.CharField(_("cost"), max_length=250, blank=True)
    processing_time = models.CharField(_("processing time"), max_length=250, blank=True)
    output = models.CharField(_("what you get"), max_length=400, blank=True)
    legal_basis = models.JSONField(_("legal basis"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    guide_steps = models.JSONField(_("consultant's steps"), default=list, blank=True)
    pitfalls = models.JSONField(_("common pitfalls"), default=list, blank=True)
    bring = models.JSONField(_("what the visitor must bring"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    verified_on = models.DateField(_("last verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    #: Relative demand (0–100) until the consultation log supplies real counts per region.
    popularity = models.PositiveSmallIntegerField(_("popularity"), default=0, validators=[MaxValueValidator(100)])

    objects: ClassVar[ServiceCardQuerySet] = ServiceCardQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("service card")
        verbose_name_plural = _("service cards")
        ordering = ["name"]
        # The search reads MAX(updated_at) before every query to know whether its cache is current.
        indexes = [models.Index(fields=["updated_at"], name="eservices_card_updated_at")]
        constraints = [
            models.CheckConstraint(
                name="eservices_card_territory_matches_level",
                condition=Q(level="national", territory__isnull=True) | ~Q(level="national"),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def authentication_labels(self) -> list[str]:
        labels = dict(Authentication.choices)
        return [str(labels.get(code, code)) for code in self.authentication]

    @property
    def display_short_description(self) -> str:
        return localized(self, "short_description")

    @property
    def display_description(self) -> str:
        return localized(self, "description")

    def needs_verification_on(self, today: dt.date) -> bool:
        """Not verified in the last `VERIFY_EVERY_DAYS` (the same rule as the queryset's)."""
        return self.verified_on is None or self.verified_on < verification_due_before(today)

    @property
    def needs_verification(self) -> bool:
        """`needs_verification_on` today (Kyiv), for templates."""
        return self.needs_verification_on(timezone.localdate())

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.level == CardLevel.NATIONAL and self.territory_id:
            errors["territory"] = _("A national service has no territory. Choose regional or local, or clear it.")
        if self.level != CardLevel.NATIONAL and not self.territory_id:
            errors["territory"] = _("A regional or local service needs its territory.")
        for field in ("keywords", "requirements", "guide_steps", "pitfalls", "bring", "languages", "authentication"):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
                errors[field] = _("Give a list of non-empty lines.")
        if isinstance(self.authentication, list):
            unknown = set(self.authentication) - set(Authentication.values)
            if unknown:
                errors["authentication"] = _("Unknown sign-in method: %(codes)s.") % {
                    "codes": ", ".join(sorted(unknown))
                }
        if not isinstance(self.channels, list) or not all(
            isinstance(c, dict) and c.get("type") in ChannelType.values for c in self.channels
        ):
            errors["channels"] = _("Each channel needs a type: website, mobile app, in person or phone.")
        if not isinstance(self.legal_basis, list) or not all(
            isinstance(item, dict) and str(item.get("title", "")).strip() for item in self.legal_basis
        ):
            errors["legal_basis"] = _("Each legal reference needs a title (and may have a link).")
        if errors:
            raise ValidationError(errors)


class CardVersion(models.Model):
    """An immutable snapshot of a card after each change: who, when, what. Revert restores one."""

    card = models.ForeignKey(ServiceCard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(max_length=300, blank=True)
    changed_fields = models.JSONField(default=list)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["card", "number"], name="eservices_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.card_id} v{self.number}"


class CentreService(models.Model):
    """A centre says it helps with this service (in person)."""

    centre = models.ForeignKey("directory.Centre", on_delete=models.CASCADE, related_name="services")
    card = models.ForeignKey(ServiceCard, on_delete=models.CASCADE, related_name="centres")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "card"], name="eservices_centre_service_unique")]

    def __str__(self) -> str:
        return f"{self.centre_id} → {self.card_id}"


class Synonym(BaseModel):
    """A word residents use (colloquial, Russian, abbreviation) and what it means in the catalogue."""

    term = models.CharField(_("what people type"), max_length=100, unique=True)
    expansion = models.CharField(_("search for"), max_length=250)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.expansion}"


class SearchLog(models.Model):
    """Queries counted per normalised text and day: no user, no address, no session."""

    day = models.DateField()
    query = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="eservices_searchlog_unique")]
        indexes = [models.Index(fields=["query"], name="eservices_searchlog_query")]

    def __str__(self) -> str:
        return f"{self.day} {self.query} ×{self.searches}"


class CardSearchDocument(models.Model):
    """Lemmatised text of a card per field, rebuilt by `search.index_card` after every write.

    The full-text index over it (FTS5 on SQLite, a tsvector + GIN on PostgreSQL) finds
    candidates; ranking happens in Python so both databases order results the same way.
    """

    card = models.OneToOneField(ServiceCard, on_delete=models.CASCADE, related_name="search_document", primary_key=True)
    name_terms = models.TextField(blank=True)
    keyword_terms = models.TextField(blank=True)
    description_terms = models.TextField(blank=True)
    guide_terms = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search document of card {self.card_id}"


class LinkCheck(models.Model):
    """The last check of one URL of a card (by `manage.py check_links`)."""

    card = models.ForeignKey(ServiceCard, on_delete=models.CASCADE, related_name="link_checks")
    url = models.CharField(max_length=500)
    checked_at = models.DateTimeField()
    status_code = models.IntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["card", "url"], name="eservices_linkcheck_unique")]

    def __str__(self) -> str:
        return f"{self.url} {'OK' if self.ok else self.status_code or self.error}"
