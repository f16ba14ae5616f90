"""Demo: which services the demo centres help with in person.

Seed 004 lists what the Mykolaiv city libraries' Citizen Service Centres did with visitors;
the other demo centres help with a general set. Only in demo mode, only when no centre has
declared its services yet, so a real network's choices are never overwritten.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from cipnet.directory.models import Centre
from cipnet.eservices import services
from cipnet.eservices.models import CentreService, ServiceCard

#: Seed 004: internet receptions, FOP registration, Pension Fund, job search, Shodennyk.ua,
#: train and plane tickets, Oschadbank USSR deposits register, accounts and utility payments.
MYKOLAIV_SERVICES = (
    "mykolaiv-virtual-reception", "e-appeal-public-information-request", "fop-registration",
    "pfu-e-services-portal", "dcz-job-vacancies", "school-e-diary", "uz-train-tickets",
    "air-tickets-passenger-rights", "oschadbank-ussr-deposits", "utility-payments-online",
)  # fmt: skip
GENERAL_SERVICES = (
    "pfu-e-services-portal", "utility-payments-online", "uz-train-tickets", "public-cadastral-map",
    "e-appeal-public-information-request", "dcz-job-vacancies", "residence-registration", "qualified-e-signature",
)  # fmt: skip


@transaction.atomic
def link_demo_centres() -> int:
    """Returns how many centres were given services (0 when nothing was done)."""
    if not settings.CIPNET_DEMO_MODE or CentreService.objects.exists():
        return 0
    cards = {
        c.identifier: c for c in ServiceCard.objects.filter(identifier__in={*MYKOLAIV_SERVICES, *GENERAL_SERVICES})
    }
    linked = 0
    for centre in Centre.objects.public().select_related("settlement"):
        wanted = MYKOLAIV_SERVICES if centre.settlement.code == "UA48060150010035747" else GENERAL_SERVICES
        services.centre_set_services(actor=None, centre=centre, cards=[cards[i] for i in wanted if i in cards])
        linked += 1
    return linked
