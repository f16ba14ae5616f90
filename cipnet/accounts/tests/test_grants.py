"""Who may grant which role in which scope: the authorization matrix over every path that grants.

Paths: the service (`membership_grant`, used by commands and loaders), the admin's add form and the
admin's change form (a forged POST included). A refused grant leaves the memberships as they were.
"""

from __future__ import annotations

import pytest
from django.test import Client

from cipnet.accounts.models import Membership, Role, User
from cipnet.accounts.services import membership_can_grant, membership_grant, membership_update
from cipnet.core.errors import Forbidden
from cipnet.testing import World

ACTORS = [
    "resident",
    "consultant_a",
    "manager_a",
    "trainer_a",
    "coordinator_a",
    "coordinator_b",
    "official",
    "admin",
    "superuser",
]

#: name → (role, scope) where scope is "centre_a", "centre_b", "region_a", "region_b" or "".
GRANTS: dict[str, tuple[Role, str]] = {
    "consultant@centre_a": (Role.CONSULTANT, "centre_a"),
    "manager@centre_a": (Role.CENTRE_MANAGER, "centre_a"),
    "trainer@centre_a": (Role.TRAINER, "centre_a"),
    "manager@centre_b": (Role.CENTRE_MANAGER, "centre_b"),
    "coordinator@region_a": (Role.REGIONAL_COORDINATOR, "region_a"),
    "coordinator@region_b": (Role.REGIONAL_COORDINATOR, "region_b"),
    "network_admin": (Role.NETWORK_ADMIN, ""),
    "authority_official": (Role.AUTHORITY_OFFICIAL, ""),
}

#: Who may grant what, written out (not derived from the rule under test).
ALLOWED: dict[str, set[str]] = {
    "admin": set(GRANTS),
    "superuser": set(GRANTS),
    "coordinator_a": {"consultant@centre_a", "manager@centre_a", "trainer@centre_a", "coordinator@region_a"},
    "coordinator_b": {"manager@centre_b", "coordinator@region_b"},
}

CASES = [(actor, grant) for actor in ACTORS for grant in GRANTS]


def _actor(world: World, name: str) -> User:
    if name == "superuser":
        return User.objects.create_superuser("root", "root@example.org", "correct-horse-battery")
    user = world.users[name]
    user.is_staff = True  # every actor can reach the admin: only the grant rule stands in the way
    user.save(update_fields=["is_staff"])
    return User.objects.get(pk=user.pk)


def _scope(world: World, scope: str) -> dict:
    return {
        "centre_a": {"centre": world.centre_a},
        "centre_b": {"centre": world.centre_b},
        "region_a": {"region": world.region_a},
        "region_b": {"region": world.region_b},
        "": {},
    }[scope]


def _snapshot() -> list[tuple]:
    return list(
        Membership.objects.order_by("pk").values_list("pk", "user_id", "role", "centre_id", "region_id", "is_active")
    )


def _form(target: User, role: str, scope: dict) -> dict[str, str]:
    return {
        "user": str(target.pk),
        "role": role,
        "centre": str(scope["centre"].pk) if "centre" in scope else "",
        "region": str(scope["region"].pk) if "region" in scope else "",
        "office": "",
        "title": "",
        "is_active": "on",
    }


@pytest.mark.parametrize(("actor_name", "grant"), CASES)
def test_the_rule(world: World, actor_name: str, grant: str) -> None:
    actor = _actor(world, actor_name)
    role, scope = GRANTS[grant]
    allowed = membership_can_grant(actor=actor, role=role, **_scope(world, scope))
    assert allowed is (grant in ALLOWED.get(actor_name, set()))


@pytest.mark.parametrize(("actor_name", "grant"), CASES)
def test_service_grants_only_what_the_rule_allows(world: World, actor_name: str, grant: str) -> None:
    actor = _actor(world, actor_name)
    role, scope = GRANTS[grant]
    for target in (world.users["resident"], actor):  # another person, and oneself
        before = _snapshot()
        if grant in ALLOWED.get(actor_name, set()):
            membership = membership_grant(actor=actor, user=target, role=role, **_scope(world, scope))
            assert Membership.objects.filter(pk=membership.pk, user=target, role=role, is_active=True).exists()
        else:
            with pytest.raises(Forbidden):
                membership_grant(actor=actor, user=target, role=role, **_scope(world, scope))
            assert _snapshot() == before


@pytest.mark.parametrize(("actor_name", "grant"), CASES)
def test_admin_add_grants_only_what_the_rule_allows(world: World, actor_name: str, grant: str) -> None:
    actor = _actor(world, actor_name)
    role, scope = GRANTS[grant]
    client = Client()
    client.force_login(actor)
    for target in (world.users["resident"], actor):
        before = _snapshot()
        held = Membership.objects.filter(user=target, role=role, **_scope(world, scope)).exists()
        response = client.post("/admin/accounts/membership/add/", _form(target, role, _scope(world, scope)))
        if grant in ALLOWED.get(actor_name, set()) and not held:
            assert response.status_code == 302, response.content.decode()[:2000]
            assert Membership.objects.filter(user=target, role=role, **_scope(world, scope)).exists()
        else:  # refused (or already held: the form says so)
            assert response.status_code in (200, 302, 403)
            assert _snapshot() == before


@pytest.mark.parametrize("grant", list(GRANTS))
def test_admin_change_cannot_turn_a_membership_into_more(world: World, grant: str) -> None:
    """Coordinator A changes a consultant's membership in their own centre into each grant."""
    actor = _actor(world, "coordinator_a")
    membership = Membership.objects.get(user=world.users["consultant_a"])
    role, scope = GRANTS[grant]
    client = Client()
    client.force_login(actor)
    before = _snapshot()
    response = client.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        _form(world.users["consultant_a"], role, _scope(world, scope)),
    )
    if grant in ALLOWED["coordinator_a"]:
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.role == role
    else:
        assert response.status_code in (200, 403)
        assert _snapshot() == before


def test_admin_offers_only_what_the_actor_may_grant(world: World) -> None:
    actor = _actor(world, "coordinator_a")
    client = Client()
    client.force_login(actor)
    form = client.get("/admin/accounts/membership/add/").context["adminform"].form
    roles = {value for value, _label in form.fields["role"].choices if value}
    assert roles == {Role.CONSULTANT, Role.CENTRE_MANAGER, Role.TRAINER, Role.REGIONAL_COORDINATOR}
    assert set(form.fields["region"].queryset) == {world.region_a}
    assert set(form.fields["centre"].queryset) == {world.centre_a}


def test_a_change_must_be_in_the_actors_power_before_and_after(world: World) -> None:
    coordinator = _actor(world, "coordinator_a")
    foreign = Membership.objects.get(user=world.users["manager_b"])
    before = _snapshot()
    with pytest.raises(Forbidden):
        membership_update(actor=coordinator, membership=foreign, centre=world.centre_a)
    assert _snapshot() == before


def test_the_system_grants_anything(world: World) -> None:
    membership = membership_grant(actor=None, user=world.users["resident"], role=Role.NETWORK_ADMIN)
    assert membership.role == Role.NETWORK_ADMIN


@pytest.mark.parametrize("actor_name", ["coordinator_a", "admin"])
@pytest.mark.parametrize(
    "field_values",
    [
        {"is_superuser": "on"},
        {"is_staff": "on", "groups": "1"},
        {"user_permissions": "1"},
    ],
)
def test_user_admin_gives_no_way_to_superuser_groups_or_permissions(
    world: World, actor_name: str, field_values: dict[str, str]
) -> None:
    """Coordinators cannot open the user admin at all; a network administrator (not a superuser)
    can, but cannot make anybody (themselves included) a superuser or give groups or permissions."""
    from django.contrib.auth.models import Group, Permission

    Group.objects.create(pk=1, name="everything")
    Group.objects.get(pk=1).permissions.set(Permission.objects.all())
    actor = _actor(world, actor_name)
    client = Client()
    client.force_login(actor)
    target = world.users["resident"]
    for user in (target, actor):
        data = {"username": user.username, "date_joined_0": "2026-12-01", "date_joined_1": "10:00:00"}
        data.update({"preferred_language": "uk", **field_values})
        if "user_permissions" in field_values:
            data["user_permissions"] = str(Permission.objects.order_by("pk").first().pk)  # type: ignore[union-attr]
        response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
        assert response.status_code in (302, 403), response.content.decode()[:2000]
    for user in (User.objects.get(pk=target.pk), User.objects.get(pk=actor.pk)):
        assert not user.is_superuser
        assert not user.groups.exists()
        assert not user.user_permissions.exists()
    if actor_name == "coordinator_a":
        assert User.objects.get(pk=target.pk).is_staff is False


def _admin_post_data(response) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The change page's main form as the browser would send it back unchanged."""
    data: dict[str, object] = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False or value == []:
            continue
        if hasattr(value, "all"):
            value = [v.pk for v in value.all()]
        data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


@pytest.mark.parametrize("actor_name", ["coordinator_a", "manager_a", "admin"])
def test_an_official_post_is_granted_only_by_a_network_administrator(world: World, actor_name: str) -> None:
    """An official post opens the authority's cases: a coordinator must not give it (to themselves
    or anyone) through the authority's admin page."""
    from cipnet.appeals.models import Authority, AuthorityKind, AuthorityOfficial

    authority = Authority.objects.create(
        slug="mykolaiv-city-council",
        name="Миколаївська міська рада",
        kind=AuthorityKind.CITY_COUNCIL,
        region=world.region_a,
        address="вул. Адміральська, 20, Миколаїв, 54001",
        email="zvernennya@mkrada.example",
    )
    actor = _actor(world, actor_name)
    client = Client()
    client.force_login(actor)
    page = client.get(f"/admin/appeals/authority/{authority.pk}/change/")
    if page.status_code != 200:
        assert actor_name != "admin"
        assert not AuthorityOfficial.objects.exists()
        return
    data = _admin_post_data(page)
    data.update({"officials-TOTAL_FORMS": "1", "officials-INITIAL_FORMS": "0", "officials-MIN_NUM_FORMS": "0"})
    data.update({"officials-MAX_NUM_FORMS": "1000", "officials-0-user": str(actor.pk), "officials-0-is_head": "on"})
    data["officials-0-is_active"] = "on"
    data["officials-0-authority"] = str(authority.pk)
    response = client.post(f"/admin/appeals/authority/{authority.pk}/change/", data)
    if actor_name == "admin":
        assert response.status_code == 302, response.content.decode()[:3000]
        assert AuthorityOfficial.objects.filter(authority=authority, user=actor, is_head=True).exists()
    else:
        assert not AuthorityOfficial.objects.exists()
