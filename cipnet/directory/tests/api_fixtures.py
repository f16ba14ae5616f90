"""A small directory for the API tests: two regions (Lviv oblast and Kyiv), a few settlements
at known distances, centres made through the services, and one user per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cipnet.accounts.models import Membership, Role, User
from cipnet.core.clock import KYIV as KYIV_TIME
from cipnet.core.text import latin_key, name_key
from cipnet.directory import services
from cipnet.directory.hours import Interval
from cipnet.directory.models import Centre, CoordinationOffice, HostInstitution, HostKind, Region, Territory

#: Wednesday, 11:00 in Kyiv: the moment every API test runs at.
NOW = dt.datetime(2026, 3, 11, 11, 0, tzinfo=KYIV_TIME)

LVIV_OBLAST = "UA46000000000026241"
LVIV_RAION = "UA46060000000042587"
LVIV_HROMADA = "UA46060250000025047"
LVIV = "UA46060250010015970"
VYNNYKY = "UA46060250020075401"
PUSTOMYTY_HROMADA = "UA46060370000065306"
PUSTOMYTY = "UA46060370010033942"
STRYI_RAION = "UA46100000000023056"
STRYI_HROMADA = "UA46100250000036436"
STRYI = "UA46100250010074208"
KYIV = "UA80000000000093317"

# (code, level, name, parent code)
TERRITORIES: list[tuple[str, str, str, str | None]] = [
    (LVIV_OBLAST, "O", "Львівська", None),
    (LVIV_RAION, "P", "Львівський", LVIV_OBLAST),
    (LVIV_HROMADA, "H", "Львівська", LVIV_RAION),
    (LVIV, "M", "Львів", LVIV_HROMADA),
    (VYNNYKY, "M", "Винники", LVIV_HROMADA),
    (PUSTOMYTY_HROMADA, "H", "Пустомитівська", LVIV_RAION),
    (PUSTOMYTY, "M", "Пустомити", PUSTOMYTY_HROMADA),
    (STRYI_RAION, "P", "Стрийський", LVIV_OBLAST),
    (STRYI_HROMADA, "H", "Стрийська", STRYI_RAION),
    (STRYI, "M", "Стрий", STRYI_HROMADA),
    (KYIV, "K", "Київ", None),
]

# Points used by the `near` tests (latitude, longitude).
LVIV_POINT = (49.8397, 24.0297)
VYNNYKY_POINT = (49.8156, 24.1297)
PUSTOMYTY_POINT = (49.7167, 23.9050)
STRYI_POINT = (49.2600, 23.8500)
KYIV_POINT = (50.4501, 30.5234)

WORKDAYS_9_TO_18 = {day: [Interval(dt.time(9), dt.time(13)), Interval(dt.time(14), dt.time(18))] for day in range(5)}


def make_territories() -> dict[str, Territory]:
    made: dict[str, Territory] = {}
    for code, level, name, parent_code in TERRITORIES:
        parent = made[parent_code] if parent_code else None
        ancestors: dict[str, Territory] = {}
        node = parent
        while node is not None:
            ancestors[node.level] = node
            node = node.parent
        territory = Territory.objects.create(
            code=code,
            level=level,
            name=name,
            name_key=name_key(name),
            latin_key=latin_key(name),
            parent=parent,
            oblast=ancestors.get("O"),
            raion=ancestors.get("P"),
            hromada=ancestors.get("H"),
        )
        if level in ("O", "K"):
            territory.oblast = territory
            territory.save(update_fields=["oblast"])
        made[code] = territory
    return made


@dataclass
class Directory:
    places: dict[str, Territory]
    lviv_region: Region
    kyiv_region: Region
    lviv_host: HostInstitution
    kyiv_host: HostInstitution
    office: CoordinationOffice
    centres: dict[str, Centre] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def add_centre(self, key: str, **fields: Any) -> Centre:
        settlement = fields.pop("settlement", self.places[LVIV])
        assert isinstance(settlement, Territory)
        host = self.kyiv_host if settlement.code == KYIV else self.lviv_host
        values: dict[str, Any] = {
            "host": host,
            "settlement": settlement,
            "address": "вул. Тестова, 1",
            "status": "active",
            **fields,
        }
        hours = values.pop("hours", WORKDAYS_9_TO_18)
        centre = services.centre_create(actor=None, **values)
        services.centre_set_hours(actor=None, centre=centre, week=hours)
        self.centres[key] = centre
        return centre


ROLES = (
    "anonymous",
    "resident",
    "consultant_a",
    "manager_a",
    "manager_b",
    "coordinator_lviv",
    "coordinator_kyiv",
    "admin",
)


def _user(username: str, **membership: object) -> User:
    user = User.objects.create_user(username=username, password="correct-horse-battery-staple")
    if membership:
        Membership.objects.create(user=user, **membership)
    return user


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    monkeypatch.setattr("cipnet.core.clock.now", lambda: NOW)
    return NOW


@pytest.fixture
def directory(db: None, fixed_now: dt.datetime) -> Directory:
    places = make_territories()
    lviv_region = Region.objects.create(
        territory=places[LVIV_OBLAST],
        slug="lvivska",
        name="Львівська область",
        name_en="Lviv Oblast",
        name_pl="Obwód lwowski",
    )
    kyiv_region = Region.objects.create(territory=places[KYIV], slug="kyiv", name="Київ", name_en="Kyiv")
    office = CoordinationOffice.objects.create(
        region=lviv_region,
        name="Львівське обласне бюро",
        name_en="Lviv regional office",
        settlement=places[LVIV],
        address="пл. Ринок, 1",
        phone="(032) 000-00-00",
    )
    d = Directory(
        places=places,
        lviv_region=lviv_region,
        kyiv_region=kyiv_region,
        lviv_host=HostInstitution.objects.create(
            name="Львівська обласна бібліотека", kind=HostKind.REGIONAL_LIBRARY, settlement=places[LVIV]
        ),
        kyiv_host=HostInstitution.objects.create(
            name="Бібліотека Києва", kind=HostKind.LIBRARY_SYSTEM, settlement=places[KYIV]
        ),
        office=office,
    )
    d.add_centre(
        "a",
        name="ЦІП Львів",
        name_en="Lviv Centre",
        name_pl="Centrum Lwów",
        description="Допомога з Дією.",
        description_en="Help with Diia.",
        latitude=LVIV_POINT[0],
        longitude=LVIV_POINT[1],
        phone="(032) 123-45-67, +380 67 000 00 00",
        email="lviv@example.org",
        postcode="79000",
        office=office,
        public_computers=6,
        languages=["uk", "en"],
        features=["step_free", "lift"],
    )
    d.add_centre(
        "b",
        name="ЦІП Винники",
        settlement=places[VYNNYKY],
        latitude=VYNNYKY_POINT[0],
        longitude=VYNNYKY_POINT[1],
        features=["step_free"],
        hours={0: [Interval(dt.time(9), dt.time(17))]},  # Mondays only: closed now
    )
    d.add_centre(
        "stryi",
        name="ЦІП Стрий",
        settlement=places[STRYI],
        latitude=STRYI_POINT[0],
        longitude=STRYI_POINT[1],
        status="suspended",
    )
    d.add_centre(
        "pustomyty",
        name="ЦІП Пустомити",
        settlement=places[PUSTOMYTY],
        latitude=PUSTOMYTY_POINT[0],
        longitude=PUSTOMYTY_POINT[1],
    )
    d.add_centre("kyiv", name="ЦІП Київ", settlement=places[KYIV], latitude=KYIV_POINT[0], longitude=KYIV_POINT[1])
    d.add_centre("planned", name="ЦІП Запланований", status="planned")
    d.add_centre("closed", name="ЦІП Закритий", status="closed")
    # Closed today by an exception, although its weekly hours say open.
    services.opening_exception_add(
        actor=None, centre=d.centres["pustomyty"], date=NOW.date(), is_closed=True, reason="Вимкнення світла"
    )
    d.users = {
        "resident": _user("resident"),
        "consultant_a": _user("consultant_a", role=Role.CONSULTANT, centre=d.centres["a"]),
        "manager_a": _user("manager_a", role=Role.CENTRE_MANAGER, centre=d.centres["a"]),
        "manager_b": _user("manager_b", role=Role.CENTRE_MANAGER, centre=d.centres["b"]),
        "coordinator_lviv": _user("coordinator_lviv", role=Role.REGIONAL_COORDINATOR, region=lviv_region),
        "coordinator_kyiv": _user("coordinator_kyiv", role=Role.REGIONAL_COORDINATOR, region=kyiv_region),
        "admin": _user("admin", role=Role.NETWORK_ADMIN),
    }
    return d


@pytest.fixture
def client_as(directory: Directory) -> Callable[[str], APIClient]:
    """An API client signed in as the role (by token), or anonymous."""

    def make(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            token, _created = Token.objects.get_or_create(user=directory.users[role])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
