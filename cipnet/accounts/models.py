from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cipnet.core.models import BaseModel


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Consultant")
    CENTRE_MANAGER = "centre_manager", _("Centre manager")
    TRAINER = "trainer", _("Trainer")
    REGIONAL_COORDINATOR = "regional_coordinator", _("Regional coordinator")
    NETWORK_ADMIN = "network_admin", _("Network administrator")
    AUTHORITY_OFFICIAL = "authority_official", _("Authority official")
    #: Publishes or rejects answered cases for the public register, in every region; nothing else.
    MODERATOR = "moderator", _("Register moderator")


#: Which scope each role is held in. Residents need no membership: any account is a resident's.
CENTRE_ROLES = frozenset({Role.CONSULTANT, Role.CENTRE_MANAGER, Role.TRAINER})
REGION_ROLES = frozenset({Role.REGIONAL_COORDINATOR})
NETWORK_ROLES = frozenset({Role.NETWORK_ADMIN, Role.MODERATOR})
#: Authority officials are scoped to an authority (the appeals module adds that link).
AUTHORITY_ROLES = frozenset({Role.AUTHORITY_OFFICIAL})


class User(AbstractUser):
    """A person with an account. Without memberships the person is a resident."""

    email = models.EmailField(_("email address"), blank=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("uk", "Українська"), ("en", "English"), ("pl", "Polski")],
        default="uk",
    )
    #: Demo accounts sign in only while settings.CIPNET_DEMO_MODE is on.
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="accounts_user_unique_email")
        ]

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)


class Membership(BaseModel):
    """A role that a person holds in a scope: a centre, a region, or the whole network."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    centre = models.ForeignKey(
        "directory.Centre",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("centre"),
    )
    region = models.ForeignKey(
        "directory.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("region"),
    )
    office = models.ForeignKey(
        "directory.CoordinationOffice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("coordination office"),
    )
    title = models.CharField(_("job title"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="accounts_membership_scope_matches_role",
                condition=(
                    Q(role__in=sorted(CENTRE_ROLES), centre__isnull=False, region__isnull=True)
                    | Q(role__in=sorted(REGION_ROLES), centre__isnull=True, region__isnull=False)
                    | Q(role__in=sorted(NETWORK_ROLES | AUTHORITY_ROLES), centre__isnull=True, region__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "centre"],
                condition=Q(centre__isnull=False),
                name="accounts_membership_unique_centre",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="accounts_membership_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(centre__isnull=True, region__isnull=True),
                name="accounts_membership_unique_network",
            ),
        ]

    def __str__(self) -> str:
        scope: object = self.centre or self.region or _("whole network")
        if self.role == Role.AUTHORITY_OFFICIAL:
            scope = _("an authority")
        return f"{self.user} — {self.get_role_display()} ({scope})"

    def clean(self) -> None:
        role = self.role
        if role in CENTRE_ROLES and (self.centre_id is None or self.region_id is not None):
            raise ValidationError({"centre": _("This role is held in a centre: choose the centre.")})
        if role in REGION_ROLES and (self.region_id is None or self.centre_id is not None):
            raise ValidationError({"region": _("This role is held in a region: choose the region.")})
        if role in NETWORK_ROLES | AUTHORITY_ROLES and (self.region_id or self.centre_id):
            raise ValidationError(_("This role is not tied to a centre or a region."))
        if self.office_id and self.office and self.region_id and self.office.region_id != self.region_id:
            raise ValidationError({"office": _("The coordination office must be in the same region.")})
