"""schema.org description of a centre for search engines and assistants."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cipnet.directory.hours import Schedule
from cipnet.directory.models import Centre, HostKind

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_LIBRARY_KINDS = {HostKind.REGIONAL_LIBRARY, HostKind.LIBRARY_SYSTEM, HostKind.LIBRARY_BRANCH, HostKind.VILLAGE_LIBRARY}


def centre_jsonld(centre: Centre, schedule: Schedule, request: HttpRequest) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("public:centre", args=[centre.slug]))
    specs: list[dict[str, Any]] = []
    for weekday in range(7):
        for interval in schedule.weekly.get(weekday, ()):
            specs.append(
                {
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": f"https://schema.org/{_DAYS[weekday]}",
                    "opens": f"{interval.opens:%H:%M}",
                    "closes": f"{interval.closes:%H:%M}",
                }
            )
    special = []
    for day, intervals in sorted(schedule.exceptions.items()):
        if not intervals:
            special.append(
                {"@type": "OpeningHoursSpecification", "validFrom": day.isoformat(), "validThrough": day.isoformat(),
                 "opens": "00:00", "closes": "00:00"}
            )  # fmt: skip
        for interval in intervals:
            special.append(
                {"@type": "OpeningHoursSpecification", "validFrom": day.isoformat(), "validThrough": day.isoformat(),
                 "opens": f"{interval.opens:%H:%M}", "closes": f"{interval.closes:%H:%M}"}
            )  # fmt: skip
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Library" if centre.host.kind in _LIBRARY_KINDS else "GovernmentOffice",
        "@id": url,
        "url": url,
        "name": centre.display_name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": centre.address,
            "postalCode": centre.postcode or None,
            "addressLocality": centre.settlement.display_name,
            "addressRegion": centre.region.display_name,
            "addressCountry": "UA",
        },
        "openingHoursSpecification": specs,
        "isAccessibleForFree": True,
        "parentOrganization": {"@type": "Organization", "name": centre.host.name},
    }
    if special:
        data["specialOpeningHoursSpecification"] = special
    if centre.has_coordinates:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": centre.latitude, "longitude": centre.longitude}
    if centre.phone_numbers:
        data["telephone"] = centre.phone_numbers[0][1].removeprefix("tel:")
    if centre.email:
        data["email"] = centre.email
    sites = [u for u in (centre.website, centre.blog_url) if u]
    if sites:
        data["sameAs"] = sites
    data["address"] = {k: v for k, v in data["address"].items() if v is not None}
    return data
