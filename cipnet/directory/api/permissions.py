from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from cipnet.accounts.scopes import scope_for


class CanCreateCentres(BasePermission):
    """Adding a centre needs a role that may add one somewhere: network administrator, or
    regional coordinator (the service then checks the settlement's region). Other methods
    pass; changing a centre goes through the scoped selector, which answers 404."""

    message = _("Only network administrators and regional coordinators can add centres.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method != "POST":
            return True
        return scope_for(request.user).can_create_centres
