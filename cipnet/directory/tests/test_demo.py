"""`load_demo` and `demo_logins`: the demo network from the seeds, the demo accounts, idempotency."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import translation

from cipnet.accounts.models import Membership, Role, User
from cipnet.core.clock import local, now
from cipnet.directory.demo.accounts import (
    DEMO_ACCOUNTS,
    LVIV_OBLAST_CENTRE,
    MYKOLAIV_CENTRE,
    DemoAccount,
    demo_logins,
)
from cipnet.directory.demo.loader import DEMO_DATA_PATH, next_occurrence, parse_week
from cipnet.directory.katottg import Row, parse_codifier, territory_import
from cipnet.directory.models import (
    AccessibilityFeature,
    Centre,
    CentreStatus,
    CoordinationOffice,
    HostInstitution,
    HostKind,
    Language,
    OpeningException,
    OpeningHours,
    TerritoryLevel,
)

# The oblasts of the demo network: Vinnytsia, Zakarpattia, Lviv, Mykolaiv, Rivne (real codifier rows).
DEMO_OBLASTS = ("UA05", "UA21", "UA46", "UA48", "UA56")


@pytest.fixture(scope="module")
def demo_territory_rows(katottg_lines: list[str]) -> list[Row]:
    return parse_codifier([katottg_lines[0], *(line for line in katottg_lines[1:] if line.startswith(DEMO_OBLASTS))])


@pytest.fixture
def demo_territories(db: None, demo_territory_rows: list[Row]) -> None:
    territory_import(source=demo_territory_rows)


def load_demo(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def demo(demo_territories: None) -> str:
    return load_demo()


def snapshot() -> dict[str, object]:
    return {
        "centres": sorted(Centre.objects.values_list("slug", "updated_at")),
        "hosts": sorted(HostInstitution.objects.values_list("pk", "updated_at")),
        "offices": sorted(CoordinationOffice.objects.values_list("pk", "updated_at")),
        "hours": sorted(OpeningHours.objects.values_list("pk", "centre_id", "weekday", "opens", "closes")),
        "exceptions": sorted(OpeningException.objects.values_list("pk", "date", "updated_at")),
        "users": sorted(User.objects.values_list("pk", "username", "password", "is_staff", "is_superuser")),
        "memberships": sorted(Membership.objects.values_list("pk", "role", "centre_id", "region_id", "updated_at")),
    }


def demo_data() -> dict:
    return json.loads(DEMO_DATA_PATH.read_text(encoding="utf-8"))


# --- The data file ---------------------------------------------------------------


def test_demo_data_file_is_consistent() -> None:
    data = demo_data()
    centres = data["centres"]
    assert len({c["slug"] for c in centres}) == len(centres)
    host_keys = [h["key"] for h in data["hosts"]]
    assert len(set(host_keys)) == len(host_keys)
    office_keys = {o["key"] for o in data["offices"]}
    for centre in centres:
        assert centre["host"] in host_keys, centre["slug"]
        assert centre["office"] is None or centre["office"] in office_keys, centre["slug"]
        assert set(centre["features"]) <= set(AccessibilityFeature.values), centre["slug"]
        assert set(centre["languages"]) <= set(Language.values), centre["slug"]
        assert 2 <= centre["public_computers"] <= 12, centre["slug"]
        assert centre["status"] in CentreStatus.values
        if centre["opened_on"]:
            assert 2012 <= dt.date.fromisoformat(centre["opened_on"]).year <= 2015, centre["slug"]
        hours = centre["hours"]
        parse_week(data["hours"][hours] if isinstance(hours, str) else hours)
        description = centre["description"]
        texts = data["descriptions"][description] if isinstance(description, str) else description
        assert set(texts) == {"uk", "en", "pl"} and all(texts.values()), centre["slug"]
        assert centre["name_en"] and centre["name_pl"], centre["slug"]
    assert Counter(c["status"] for c in centres) == Counter(active=len(centres) - 3, planned=1, suspended=1, closed=1)


@pytest.mark.parametrize(
    ("given", "today", "expected"),
    [
        ("12-25", dt.date(2026, 3, 1), dt.date(2026, 12, 25)),
        ("12-25", dt.date(2026, 12, 25), dt.date(2026, 12, 25)),
        ("12-25", dt.date(2026, 12, 26), dt.date(2027, 12, 25)),
        ("01-01", dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
        ("02-29", dt.date(2026, 1, 1), dt.date(2028, 2, 29)),
        ("2025-05-01", dt.date(2026, 1, 1), dt.date(2025, 5, 1)),
    ],
)
def test_next_occurrence(given: str, today: dt.date, expected: dt.date) -> None:
    assert next_occurrence(given, today) == expected


def test_parse_week_refuses_unknown_day() -> None:
    with pytest.raises(ValueError, match="unknown weekday"):
        parse_week({"monday": [["09:00", "18:00"]]})


# --- Loading ---------------------------------------------------------------------


def test_load_demo_without_territories_says_to_import_them(db: None) -> None:
    with pytest.raises(CommandError, match="import_katottg"), translation.override("en"):
        call_command("load_demo", stdout=io.StringIO())
    assert Centre.objects.count() == 0
    assert User.objects.count() == 0


@override_settings(CIPNET_DEMO_MODE=False)
def test_load_demo_skips_outside_demo_mode_unless_forced(demo_territories: None) -> None:
    err = io.StringIO()
    with translation.override("en"):
        call_command("load_demo", stdout=io.StringIO(), stderr=err)
    assert "Demo mode is off, so the demo data was not loaded" in err.getvalue()
    assert Centre.objects.count() == 0
    assert User.objects.count() == 0
    load_demo("--force")
    assert Centre.objects.count() == len(demo_data()["centres"])


def test_first_run_reports_counts(demo: str) -> None:
    centres = len(demo_data()["centres"])
    assert f"centres: {centres} created, 0 updated" in demo
    assert "coordination offices: 4 created" in demo
    assert f"demo accounts: {len(DEMO_ACCOUNTS)} created" in demo


def test_network_size_and_offices(demo: str) -> None:
    assert Centre.objects.count() >= 44
    offices = CoordinationOffice.objects.select_related("region", "settlement")
    assert sorted(o.region.slug for o in offices) == ["lvivska", "rivnenska", "vinnytska", "zakarpatska"]
    assert sorted(o.settlement.name for o in offices) == ["Вінниця", "Львів", "Рівне", "Ужгород"]
    for office in offices:
        assert office.name_en and office.name_pl and office.phone and office.email
    # Every centre outside Mykolaiv oblast is coordinated by its own region's office.
    for centre in Centre.objects.exclude(region__slug="mykolaivska").select_related("office"):
        assert centre.office is not None and centre.office.region_id == centre.region_id, centre.slug
    counts = Counter(Centre.objects.values_list("region__slug", flat=True))
    assert counts["lvivska"] >= 15
    assert min(counts["rivnenska"], counts["vinnytska"], counts["zakarpatska"]) >= 3


def test_kropyvnytskyi_library_as_in_the_seed(demo: str) -> None:
    centre = Centre.objects.select_related("settlement__oblast", "settlement__raion", "host__parent").get(
        slug=MYKOLAIV_CENTRE
    )
    assert centre.address == "вул. Потьомкінська, 143а"
    assert centre.postcode == "54003"
    assert [shown for shown, _uri in centre.phone_numbers] == ["(0512) 24-01-10", "(0512) 55-03-60", "(0512) 24-70-28"]
    assert [uri for _shown, uri in centre.phone_numbers] == [
        "tel:+380512240110",
        "tel:+380512550360",
        "tel:+380512247028",
    ]
    assert centre.email == "clib@gorlib.mksat.net"
    assert centre.website == "http://www.niklib.com"
    assert (centre.settlement.name, centre.settlement.level) == ("Миколаїв", TerritoryLevel.CITY)
    assert (centre.settlement.raion.name, centre.settlement.oblast.name) == ("Миколаївський", "Миколаївська")
    assert 46.85 < centre.latitude < 47.02 and 31.90 < centre.longitude < 32.10
    assert centre.opened_on.year == 2012
    assert centre.status == CentreStatus.ACTIVE
    assert centre.host.kind == HostKind.LIBRARY_BRANCH
    assert centre.host.parent.name == "Централізована бібліотечна система для дорослих м. Миколаєва"
    assert centre.host.parent.kind == HostKind.LIBRARY_SYSTEM
    assert centre.hours.count() == 6


def test_mykolaiv_city_has_the_seeds_18_centres(demo: str) -> None:
    in_city = Centre.objects.filter(
        settlement__name="Миколаїв", settlement__level=TerritoryLevel.CITY, settlement__oblast__name="Миколаївська"
    )
    assert in_city.count() >= 18
    branches = in_city.filter(host__parent__name="Централізована бібліотечна система для дорослих м. Миколаєва")
    assert branches.count() >= 18
    for latitude, longitude in in_city.values_list("latitude", "longitude"):
        assert 46.84 < latitude < 47.02 and 31.90 < longitude < 32.10


def test_mykolaiv_in_lviv_oblast_is_another_town(demo: str) -> None:
    centre = Centre.objects.select_related("settlement__raion", "region").get(slug="mykolaiv-stryiskyi")
    assert centre.settlement.name == "Миколаїв"
    assert centre.settlement.raion.name == "Стрийський"
    assert centre.region.slug == "lvivska"


def test_berehove_speaks_hungarian_and_statuses_are_mixed(demo: str) -> None:
    assert "hu" in Centre.objects.get(slug="berehove").languages
    statuses = Counter(Centre.objects.values_list("status", flat=True))
    assert statuses[CentreStatus.PLANNED] == statuses[CentreStatus.SUSPENDED] == statuses[CentreStatus.CLOSED] == 1
    assert OpeningHours.objects.filter(weekday=6).exists()  # somebody is open on Sunday
    assert HostInstitution.objects.filter(kind=HostKind.NGO, name__contains="Європейський діалог").exists()
    assert HostInstitution.objects.filter(kind=HostKind.REGIONAL_LIBRARY, name__contains="Гмирьова").exists()


def test_lunch_breaks_and_holiday_exceptions(demo: str) -> None:
    zhovkva = Centre.objects.get(slug=LVIV_OBLAST_CENTRE)
    monday = [(h.opens, h.closes) for h in zhovkva.hours.filter(weekday=0)]
    assert monday == [(dt.time(9), dt.time(13)), (dt.time(14), dt.time(18))]
    exceptions = OpeningException.objects.filter(centre__slug=MYKOLAIV_CENTRE)
    assert sorted((e.date.month, e.date.day, e.is_closed) for e in exceptions) == [
        (1, 1, True),
        (12, 25, True),
        (12, 31, False),
    ]
    for exception in exceptions:
        assert exception.date >= local(now()).date()


# --- Idempotency -----------------------------------------------------------------


def test_second_run_changes_nothing(demo: str) -> None:
    before = snapshot()
    output = load_demo()
    assert "nothing changed" in output
    assert snapshot() == before


def test_a_changed_centre_is_put_back(demo: str) -> None:
    centre = Centre.objects.get(slug=MYKOLAIV_CENTRE)
    Centre.objects.filter(pk=centre.pk).update(phone="(0512) 00-00-00")
    centre.features.all().delete()
    OpeningHours.objects.filter(centre=centre, weekday=5).delete()
    output = load_demo()
    assert "centres: 1 created" not in output
    assert "centres: 0 created, 1 updated" in output
    assert "weekly opening hours: 0 created, 1 updated" in output
    centre.refresh_from_db()
    assert centre.phone.startswith("(0512) 24-01-10")
    assert set(centre.features.values_list("feature", flat=True)) == {"step_free", "accessible_pc", "child_friendly"}
    assert centre.hours.filter(weekday=5).count() == 1
    assert "nothing changed" in load_demo()


# --- Demo accounts ---------------------------------------------------------------


def account(username: str) -> DemoAccount:
    return next(a for a in DEMO_ACCOUNTS if a.username == username)


def test_one_demo_account_per_role(demo: str) -> None:
    roles = {a.role for a in DEMO_ACCOUNTS}
    assert roles == {*Role, None}
    for demo_account in DEMO_ACCOUNTS:
        user = User.objects.get(username=demo_account.username)
        assert user.is_demo and user.full_name and user.email.endswith("@example.org")
        assert not user.is_superuser
        assert user.is_staff == (demo_account.role == Role.NETWORK_ADMIN)
        memberships = list(user.memberships.select_related("centre", "region", "office"))
        if demo_account.role is None:
            assert memberships == []
            continue
        assert [m.role for m in memberships] == [demo_account.role]


def test_demo_memberships_are_where_the_brief_puts_them(demo: str) -> None:
    for username in ("consultant", "manager", "trainer"):
        membership = Membership.objects.get(user__username=username)
        assert membership.centre.slug == MYKOLAIV_CENTRE
    consultant2 = Membership.objects.select_related("centre__region").get(user__username="consultant2")
    assert consultant2.centre.region.slug == "lvivska"
    coordinator = Membership.objects.select_related("region", "office").get(user__username="coordinator")
    assert coordinator.role == Role.REGIONAL_COORDINATOR
    assert coordinator.region.slug == "lvivska"
    assert coordinator.office is not None and coordinator.office.region_id == coordinator.region_id
    admin = Membership.objects.get(user__username="admin")
    assert (admin.role, admin.centre_id, admin.region_id) == (Role.NETWORK_ADMIN, None, None)
    official = Membership.objects.get(user__username="official")
    assert official.role == Role.AUTHORITY_OFFICIAL
    moderator = Membership.objects.get(user__username="moderator")
    assert (moderator.role, moderator.centre_id, moderator.region_id) == (Role.MODERATOR, None, None)
    assert "moderator" in [login.username for login in demo_logins() if login.available]


def test_demo_accounts_log_in_only_in_demo_mode(demo: str, client: Client) -> None:
    for demo_account in DEMO_ACCOUNTS:
        with override_settings(CIPNET_DEMO_MODE=True):
            assert client.login(username=demo_account.username, password=demo_account.password), demo_account
            client.logout()
        with override_settings(CIPNET_DEMO_MODE=False):
            assert not client.login(username=demo_account.username, password=demo_account.password), demo_account


def test_a_real_account_with_a_demo_username_is_left_alone(demo_territories: None) -> None:
    real = User.objects.create_user(username="admin", password="a-real-secret-123", email="real@example.com")
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("load_demo", stdout=out, stderr=err)
    assert "“admin” is a real account" in err.getvalue()
    real.refresh_from_db()
    assert not real.is_demo and real.check_password("a-real-secret-123")
    assert not real.memberships.exists()


def test_a_changed_demo_password_and_extra_role_are_repaired(demo: str) -> None:
    user = User.objects.get(username="consultant")
    user.set_password("something-else-entirely")
    user.save()
    Membership.objects.create(user=user, role=Role.REGIONAL_COORDINATOR, region=Centre.objects.first().region)
    output = load_demo()
    assert "demo accounts: 0 created, 1 updated" in output
    assert "1 removed" in output
    user.refresh_from_db()
    assert user.check_password(account("consultant").password)
    assert list(user.memberships.values_list("role", flat=True)) == [Role.CONSULTANT]


def test_demo_logins_prints_the_table(demo: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"), override_settings(CIPNET_DEMO_MODE=True):
        call_command("demo_logins", stdout=out, stderr=err)
    text = out.getvalue()
    for demo_account in DEMO_ACCOUNTS:
        assert demo_account.username in text and demo_account.password in text
    assert "Regional coordinator" in text and "Lviv Oblast Coordination Office" in text
    assert "Kropyvnytskyi" in text
    assert "not loaded" not in text
    assert err.getvalue() == ""


def test_demo_logins_warns_when_demo_mode_is_off(db: None) -> None:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"), override_settings(CIPNET_DEMO_MODE=False):
        call_command("demo_logins", stdout=out, stderr=err)
    assert "demo logins are disabled: set CIPNET_DEMO_MODE=1" in err.getvalue()
    assert "not loaded" in out.getvalue()
