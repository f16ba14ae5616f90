"""Who may see and change what: one place that turns a user's memberships into a scope.

Every selector that returns staff data filters through a `Scope`, so a record
outside the user's centre / region is simply not found (a 404, never a 403).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from cipnet.accounts.models import Membership, Role, User

_CACHE_ATTR = "_cipnet_scope"


@dataclass(frozen=True)
class Scope:
    network: bool = False
    #: Regions the user coordinates.
    region_ids: frozenset[int] = frozenset()
    #: Centres the user works in (any centre role).
    centre_ids: frozenset[int] = frozenset()
    #: Centres the user manages.
    managed_centre_ids: frozenset[int] = frozenset()
    roles: frozenset[str] = frozenset()

    @property
    def is_staff_member(self) -> bool:
        return bool(self.network or self.region_ids or self.centre_ids)

    def centre_q(self, prefix: str = "") -> Q:
        """Centres visible to the user: their own, their regions' centres, or all."""
        if self.network:
            return Q()
        return Q(**{f"{prefix}id__in": self.centre_ids}) | Q(**{f"{prefix}region_id__in": self.region_ids})

    def centre_edit_q(self, prefix: str = "") -> Q:
        """Centres whose details the user may change: managed ones, their regions', or all."""
        if self.network:
            return Q()
        return Q(**{f"{prefix}id__in": self.managed_centre_ids}) | Q(**{f"{prefix}region_id__in": self.region_ids})

    def region_q(self, prefix: str = "") -> Q:
        if self.network:
            return Q()
        return Q(**{f"{prefix}id__in": self.region_ids})

    def can_create_centre_in(self, region_id: int) -> bool:
        return self.network or region_id in self.region_ids

    @property
    def can_create_centres(self) -> bool:
        return self.network or bool(self.region_ids)


EMPTY = Scope()


def scope_for(user: User | AnonymousUser) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    network = bool(user.is_superuser)
    regions: set[int] = set()
    centres: set[int] = set()
    managed: set[int] = set()
    roles: set[str] = set()
    rows = Membership.objects.filter(user_id=user.pk, is_active=True).values_list("role", "centre_id", "region_id")
    for role, centre_id, region_id in rows:
        roles.add(role)
        if role == Role.NETWORK_ADMIN:
            network = True
        elif region_id is not None:
            regions.add(region_id)
        elif centre_id is not None:
            centres.add(centre_id)
            if role == Role.CENTRE_MANAGER:
                managed.add(centre_id)
    scope = Scope(network, frozenset(regions), frozenset(centres), frozenset(managed), frozenset(roles))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
