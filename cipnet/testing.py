"""Shared fixtures: a small real slice of the codifier, two centres in two regions,
and one user per role, so every test can ask "who may do what to which centre"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from cipnet.accounts.models import Membership, Role, User
from cipnet.directory import services
from cipnet.directory.hours import Interval
from cipnet.directory.models import Centre, CoordinationOffice, HostInstitution, HostKind, Region, Territory

# (code, level, name, parent code) — real KATOTTG rows.
TERRITORIES = [
    ("UA48000000000039575", "O", "Миколаївська", None),
    ("UA48060000000094390", "P", "Миколаївський", "UA48000000000039575"),
    ("UA48060150000071713", "H", "Миколаївська", "UA48060000000094390"),
    ("UA48060150010035747", "M", "Миколаїв", "UA48060150000071713"),
    ("UA46000000000026241", "O", "Львівська", None),
    ("UA46100000000023056", "P", "Стрийський", "UA46000000000026241"),
    ("UA46100110000018989", "H", "Миколаївська", "UA46100000000023056"),
    ("UA46100110010094231", "M", "Миколаїв", "UA46100110000018989"),
]
REGION_NAMES = {
    "UA48000000000039575": ("mykolaivska", "Миколаївська область", "Mykolaiv Oblast", "obwód mikołajowski"),
    "UA46000000000026241": ("lvivska", "Львівська область", "Lviv Oblast", "obwód lwowski"),
}

T = dt.time
WEEKDAYS_9_TO_18 = {day: [Interval(T(9), T(13)), Interval(T(14), T(18))] for day in range(5)}


def make_territories() -> dict[str, Territory]:
    from cipnet.core.text import latin_key, name_key

    made: dict[str, Territory] = {}
    for code, level, name, parent_code in TERRITORIES:
        parent = made.get(parent_code) if parent_code else None
        chain = []
        node = parent
        while node is not None:
            chain.append(node)
            node = node.parent
        by_level = {t.level: t for t in chain}
        territory = Territory.objects.create(
            code=code,
            level=level,
            name=name,
            name_key=name_key(name),
            latin_key=latin_key(name),
            parent=parent,
            oblast=by_level.get("O"),
            raion=by_level.get("P"),
            hromada=by_level.get("H"),
        )
        if level == "O":
            territory.oblast = territory
            territory.save(update_fields=["oblast"])
            slug, uk, en, pl = REGION_NAMES[code]
            Region.objects.create(territory=territory, slug=slug, name=uk, name_en=en, name_pl=pl)
        made[code] = territory
    return made


@dataclass
class World:
    territories: dict[str, Territory]
    region_a: Region
    region_b: Region
    centre_a: Centre
    centre_b: Centre
    office_b: CoordinationOffice
    users: dict[str, User] = field(default_factory=dict)


def make_user(username: str, *memberships: dict) -> User:
    user = User.objects.create_user(
        username=username, password="correct-horse-battery", email=f"{username}@example.org"
    )
    for membership in memberships:
        Membership.objects.create(user=user, **membership)
    return user


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def build_world() -> World:
    """The world of the `world` fixture, for callers that build it once (the API fuzz run)."""
    t = make_territories()
    region_a = Region.objects.get(slug="mykolaivska")
    region_b = Region.objects.get(slug="lvivska")
    mykolaiv, stryi_mykolaiv = t["UA48060150010035747"], t["UA46100110010094231"]
    host_a = HostInstitution.objects.create(
        name="ЦБС для дорослих м. Миколаєва", kind=HostKind.LIBRARY_SYSTEM, settlement=mykolaiv
    )
    host_b = HostInstitution.objects.create(
        name="Миколаївська міська бібліотека", kind=HostKind.LIBRARY_BRANCH, settlement=stryi_mykolaiv
    )
    office_b = CoordinationOffice.objects.create(
        region=region_b, name="Львівське обласне бюро", settlement=stryi_mykolaiv
    )
    centre_a = services.centre_create(
        actor=None,
        name="Центральна бібліотека ім. М. Л. Кропивницького",
        name_en="M. L. Kropyvnytskyi Central Library",
        host=host_a,
        settlement=mykolaiv,
        address="вул. Потьомкінська, 143а",
        postcode="54003",
        latitude=46.9659,
        longitude=31.9974,
        phone="(0512) 24-01-10, (0512) 55-03-60",
        status="active",
        public_computers=10,
        languages=["uk", "en"],
        features=["step_free"],
    )
    centre_b = services.centre_create(
        actor=None,
        name="ЦІП у Миколаєві Стрийського району",
        host=host_b,
        settlement=stryi_mykolaiv,
        address="вул. Шевченка, 10",
        latitude=49.5275,
        longitude=23.9795,
        status="active",
        public_computers=4,
    )
    for centre in (centre_a, centre_b):
        services.centre_set_hours(actor=None, centre=centre, week=WEEKDAYS_9_TO_18)
    w = World(t, region_a, region_b, centre_a, centre_b, office_b)
    w.users = {
        "anonymous": None,  # type: ignore[dict-item]
        "resident": make_user("resident"),
        "consultant_a": make_user("consultant_a", {"role": Role.CONSULTANT, "centre": centre_a}),
        "manager_a": make_user("manager_a", {"role": Role.CENTRE_MANAGER, "centre": centre_a}),
        "trainer_a": make_user("trainer_a", {"role": Role.TRAINER, "centre": centre_a}),
        "consultant_b": make_user("consultant_b", {"role": Role.CONSULTANT, "centre": centre_b}),
        "manager_b": make_user("manager_b", {"role": Role.CENTRE_MANAGER, "centre": centre_b}),
        "coordinator_a": make_user("coordinator_a", {"role": Role.REGIONAL_COORDINATOR, "region": region_a}),
        "coordinator_b": make_user(
            "coordinator_b", {"role": Role.REGIONAL_COORDINATOR, "region": region_b, "office": office_b}
        ),
        "official": make_user("official", {"role": Role.AUTHORITY_OFFICIAL}),
        "admin": make_user("admin", {"role": Role.NETWORK_ADMIN}),
        "moderator": make_user("moderator", {"role": Role.MODERATOR}),
    }
    return w


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Every test starts with an empty cache: rate-limit counters, cached queue versions and the
    like must not leak from one test into the next (database ids are reused after a flush)."""
    from django.core.cache import cache

    cache.clear()
