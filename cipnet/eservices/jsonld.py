"""schema.org GovernmentService description of a card."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cipnet.eservices.models import ServiceCard


def card_jsonld(card: ServiceCard, request: HttpRequest) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("eservices:card", args=[card.identifier]))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "@id": url,
        "url": url,
        "identifier": card.identifier,
        "name": card.display_name,
        "description": card.display_short_description,
        "serviceType": card.get_kind_display(),
        "provider": {"@type": "GovernmentOrganization", "name": card.provider.display_name},
        "areaServed": (
            {"@type": "AdministrativeArea", "name": card.territory.display_name}
            if card.territory is not None
            else {"@type": "Country", "name": "Україна"}
        ),
        "availableChannel": [
            {
                "@type": "ServiceChannel",
                "name": channel.get("label") or channel.get("type"),
                **({"serviceUrl": channel["url"]} if str(channel.get("url", "")).startswith("http") else {}),
                **(
                    {"servicePhone": {"@type": "ContactPoint", "telephone": channel["url"].removeprefix("tel:")}}
                    if str(channel.get("url", "")).startswith("tel:")
                    else {}
                ),
            }
            for channel in card.channels
            if not channel.get("historical")
        ],
    }
    if card.provider.website:
        data["provider"]["url"] = card.provider.website
    if card.audience:
        data["audience"] = {"@type": "Audience", "audienceType": card.audience}
    return data
