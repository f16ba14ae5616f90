"""Writes on accounts: who may grant which role in which scope, and the one service that grants.

The rule (`membership_can_grant`) is the only place that decides it; the admin, staff pages, the
API, management commands and demo loaders all create or change memberships through
`membership_grant` / `membership_update`, so no path can grant more than the rule allows:

- the system (``actor=None``: commands, demo loaders, migrations) may grant anything;
- a network administrator (or a superuser) may grant any role in any scope;
- a regional coordinator may grant centre roles in the centres of their regions, and the
  coordinator's role in their own regions — never a network or authority role, nothing elsewhere;
- everybody else (centre managers included) grants nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from cipnet.accounts.models import CENTRE_ROLES, REGION_ROLES, Membership, Role, User
from cipnet.accounts.scopes import Scope, forget_scope, scope_for
from cipnet.core.errors import Forbidden

#: Who acts: a person (an anonymous visitor grants nothing), or None for the system itself
#: (management commands, demo loaders) — never pass None for a request's user.
type Actor = User | AnonymousUser | None


def _centre_region_id(centre: Any) -> int | None:
    return getattr(centre, "region_id", None) if centre is not None else None


def membership_can_grant(*, actor: Actor, role: str, centre: Any = None, region: Any = None) -> bool:
    """May `actor` grant (or hold the power to change, or take back) `role` in this scope?"""
    if actor is None:
        return True
    if not actor.is_active:
        return False
    scope: Scope = scope_for(actor)
    if scope.network:
        return True
    if not scope.region_ids:
        return False
    if role in CENTRE_ROLES:
        return centre is not None and region is None and _centre_region_id(centre) in scope.region_ids
    if role in REGION_ROLES:
        return region is not None and centre is None and region.pk in scope.region_ids
    return False


def membership_roles_grantable_by(actor: Actor) -> frozenset[str]:
    """The roles `actor` may grant in at least one scope (what a form should offer)."""
    if actor is None or scope_for(actor).network:
        return frozenset(Role.values)
    if actor.is_active and scope_for(actor).region_ids:
        return frozenset(CENTRE_ROLES | REGION_ROLES)
    return frozenset()


def _ensure_can_grant(*, actor: Actor, role: str, centre: Any, region: Any) -> None:
    if not membership_can_grant(actor=actor, role=role, centre=centre, region=region):
        raise Forbidden(_("You may not grant this role in this scope."), field="role")


@transaction.atomic
def membership_grant(
    *,
    actor: Actor,
    user: User,
    role: str,
    centre: Any = None,
    region: Any = None,
    office: Any = None,
    title: str = "",
    is_active: bool = True,
) -> Membership:
    """Give `user` the `role` in the scope, or bring the existing membership for it up to date."""
    _ensure_can_grant(actor=actor, role=role, centre=centre, region=region)
    membership = Membership.objects.filter(user=user, role=role, centre=centre, region=region).first()
    if membership is None:
        membership = Membership(user=user, role=role, centre=centre, region=region)
    elif (membership.office_id, membership.title, membership.is_active) == (
        getattr(office, "pk", None),
        title,
        is_active,
    ):
        return membership  # already held as asked: nothing to write
    membership.office = office
    membership.title = title
    membership.is_active = is_active
    membership.full_clean()
    membership.save()
    forget_scope(user)
    return membership


@transaction.atomic
def membership_update(*, actor: Actor, membership: Membership, **changes: Any) -> Membership:
    """Change a membership: the actor must be able to grant what it was and what it becomes."""
    stored = Membership.objects.select_related("centre", "region").get(pk=membership.pk)
    _ensure_can_grant(actor=actor, role=stored.role, centre=stored.centre, region=stored.region)
    allowed = {"user", "role", "centre", "region", "office", "title", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"membership_update() got unexpected fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(membership, name, value)
    _ensure_can_grant(actor=actor, role=membership.role, centre=membership.centre, region=membership.region)
    membership.full_clean()
    membership.save()
    forget_scope(membership.user)
    return membership
