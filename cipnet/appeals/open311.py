"""The public register as Open311 GeoReport v2 sees it: the service types, and how a published case
maps onto one.

GeoReport's "service" is the type of a request. The reception's cases are typed by their kind (a
citizen's appeal or a request for public information) and, for an appeal, by the law's three types
(proposal, application, complaint): that pair is the honest service, and the kind is its group.
Topics belong to authorities, not to cases, so they are not services.

Only published cases are ever described here (`selectors.case_list_open311` starts from the
register's own `case_list_public`); the texts are the moderator's `public_*` copies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cipnet.appeals.models import OPEN_STATUSES, Appeal, AppealType, Kind

#: When the facade's definition (endpoints, services, fields) last changed: discovery's changeset.
CHANGESET = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: The most days one list of requests may span, and the window when none is asked for.
MAX_WINDOW = dt.timedelta(days=90)
#: GeoReport limits a request's description to 4,000 characters.
DESCRIPTION_MAX = 4000


class Open311Status(models.TextChoices):
    """GeoReport's statuses: a case still owed an answer is open, every other published case closed."""

    OPEN = "open"
    CLOSED = "closed"


class Open311ServiceType(models.TextChoices):
    """GeoReport's service types; every case is handled by people as it comes, so "realtime"."""

    REALTIME = "realtime"


OPEN, CLOSED = Open311Status.OPEN.value, Open311Status.CLOSED.value
STATUSES = (OPEN, CLOSED)


@dataclass(frozen=True)
class Service:
    code: str
    kind: str
    appeal_type: str
    name: Promise
    description: Promise
    #: Words a civic tool may tag the service with, comma-separated (translated as one string).
    keywords: Promise

    @property
    def group(self) -> str:
        return str(Kind(self.kind).label)

    def q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}kind": self.kind, f"{prefix}appeal_type": self.appeal_type})


SERVICES: tuple[Service, ...] = (
    Service(
        "appeal-proposal",
        Kind.APPEAL,
        AppealType.PROPOSAL,
        _("Proposal to an authority"),
        _("A citizen's appeal that suggests how an authority could improve its work or its decisions."),
        _("appeal, proposal, suggestion"),
    ),
    Service(
        "appeal-application",
        Kind.APPEAL,
        AppealType.APPLICATION,
        _("Application or petition to an authority"),
        _("A citizen's appeal that asks an authority to help exercise a right or to solve a problem."),
        _("appeal, application, petition"),
    ),
    Service(
        "appeal-complaint",
        Kind.APPEAL,
        AppealType.COMPLAINT,
        _("Complaint to an authority"),
        _("A citizen's appeal that asks to restore a right or interest violated by an authority or an official."),
        _("appeal, complaint"),
    ),
    Service(
        "info-request",
        Kind.INFO_REQUEST,
        "",
        _("Request for public information"),
        _("A request for information that an authority holds, under the Law on Access to Public Information."),
        _("public information, request, access to information"),
    ),
)

BY_CODE = {service.code: service for service in SERVICES}


def service_of(appeal: Appeal) -> Service:
    """The service a case is of. An appeal without a type (only a hand edit could make one) has
    none: `any_service_q` leaves such a case out of the facade, so it is never asked for here."""
    for service in SERVICES:
        if service.kind == appeal.kind and service.appeal_type == appeal.appeal_type:
            return service
    raise LookupError(f"no Open311 service describes case {appeal.pk}")


def any_service_q() -> Q:
    q = Q(pk__in=[])
    for service in SERVICES:
        q |= service.q()
    return q


def status_of(appeal: Appeal) -> str:
    return OPEN if appeal.status in OPEN_STATUSES else CLOSED


def status_q(statuses: tuple[str, ...]) -> Q:
    """Cases in any of GeoReport's `statuses` (both, or none given: every case)."""
    if set(statuses) == {OPEN} or set(statuses) == {CLOSED}:
        q = Q(status__in=OPEN_STATUSES)
        return q if OPEN in statuses else ~q
    return Q()


def requested_at(appeal: Appeal) -> dt.datetime | None:
    """When the authority received the case: its term runs from there (the register's "received")."""
    return appeal.received_at or appeal.submitted_at


def updated_at(appeal: Appeal) -> dt.datetime | None:
    """GeoReport: for a closed request, when it was closed; else the case's last step we know."""
    return appeal.closed_at or appeal.answered_at or requested_at(appeal)


def description_of(appeal: Appeal) -> str:
    """The published question, within GeoReport's 4,000 characters."""
    text = appeal.public_text
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1].rstrip() + "…"


def status_notes_of(appeal: Appeal) -> str | None:
    """The outcome and the published answer, as the register shows them."""
    outcome = str(appeal.get_outcome_display()) if appeal.outcome else ""
    parts = [part for part in (outcome, appeal.public_answer.strip()) if part]
    return "\n\n".join(parts) or None
