"""Who may do what with a centre's queue: the people who work in the centre serve it (the
console, calling, issuing at the desk); its manager, the region's coordinator and network
admins manage it (settings). Services and selectors ask these; views and the API never re-derive
them."""

from __future__ import annotations

from cipnet.accounts.models import User
from cipnet.accounts.scopes import scope_for
from cipnet.directory.models import Centre


def can_manage(user: User, centre: Centre) -> bool:
    scope = scope_for(user)
    return scope.network or centre.pk in scope.managed_centre_ids or centre.region_id in scope.region_ids


def can_serve(user: User, centre: Centre) -> bool:
    return centre.pk in scope_for(user).centre_ids
