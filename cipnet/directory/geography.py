"""Approximate points for places, for "the nearest centres to a place".

The KATOTTG codifier has no coordinates. `data/administrative-centres.csv` gives the point of each
raion's and oblast's administrative centre (Kyiv and Sevastopol too); a place is located at its
raion's centre, or its oblast's where it has no raion. That is within a raion's size (a few tens of
km) of the place itself: good enough to say which centres are nearest, and the page says the
distances are counted from that centre.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cipnet.core.text import name_key
from cipnet.directory.models import Territory, TerritoryLevel

CENTRES_FILE = Path(__file__).resolve().parent / "data" / "administrative-centres.csv"


@dataclass(frozen=True, slots=True)
class PlacePoint:
    latitude: float
    longitude: float
    centre: str  # the administrative centre the point is, e.g. "Кам’янець-Подільський"
    exact: bool  # the place is that centre itself


@cache
def administrative_centres() -> dict[tuple[str, str], tuple[str, float, float]]:
    """(oblast key, raion key or "") → (centre's name, latitude, longitude)."""
    with CENTRES_FILE.open(encoding="utf-8", newline="") as file:
        return {
            (name_key(row["oblast"]), name_key(row["raion"])): (
                row["centre"],
                float(row["latitude"]),
                float(row["longitude"]),
            )
            for row in csv.DictReader(file, delimiter=";")
        }


def place_point(place: Territory) -> PlacePoint | None:
    """Where a place is, as its raion's (or oblast's) administrative centre; None if unknown.

    `place` should come with its `oblast` and `raion` loaded (`selectors.territory_get` does that).
    """
    if place.level in (TerritoryLevel.OBLAST, TerritoryLevel.SPECIAL_CITY):
        oblast: Territory | None = place
    else:
        oblast = place.oblast
    if oblast is None:
        return None
    raion = place if place.level == TerritoryLevel.RAION else place.raion
    points = administrative_centres()
    found = points.get((oblast.name_key, raion.name_key)) if raion is not None else None
    if found is None:
        found = points.get((oblast.name_key, ""))
    if found is None:
        return None
    centre, latitude, longitude = found
    exact = place.level in (TerritoryLevel.CITY, TerritoryLevel.SPECIAL_CITY) and name_key(centre) == place.name_key
    return PlacePoint(latitude, longitude, centre, exact)


__all__ = ["CENTRES_FILE", "PlacePoint", "administrative_centres", "place_point"]
