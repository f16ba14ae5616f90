from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from cipnet.accounts.models import Membership, User
from cipnet.accounts.scopes import scope_for


class ScopedAdmin(admin.ModelAdmin):
    """Admin pages that show only what the user's memberships cover.

    Subclasses say how a row relates to a centre (`centre_path`) or a region (`region_path`).
    Network administrators (and superusers) see everything; others see their scope.
    """

    centre_path: str | None = None
    region_path: str | None = None
    #: Regional coordinators may change rows in their regions; centre managers, their centres.
    editable_by_managers: bool = True

    def scope_q(self, request: HttpRequest, *, for_edit: bool) -> Q | None:
        scope = scope_for(request.user)
        if scope.network:
            return Q()
        q = Q(pk__in=[])
        if self.region_path:
            q |= Q(**{f"{self.region_path}__in": scope.region_ids})
        if self.centre_path:
            centre_ids = scope.managed_centre_ids if for_edit else scope.centre_ids
            if for_edit and not self.editable_by_managers:
                centre_ids = frozenset()
            q |= Q(**{f"{self.centre_path}__in": centre_ids})
        return q

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        q = self.scope_q(request, for_edit=False)
        if q is None:
            return qs.none()
        # A subquery, so that paths through reverse relations never duplicate rows.
        return qs.filter(pk__in=self.model._default_manager.filter(q).values("pk"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff and scope_for(request.user).is_staff_member)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        if obj is None:
            return True
        q = self.scope_q(request, for_edit=True)
        return q is not None and type(obj).objects.filter(q, pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = scope_for(request.user)
        return self.has_module_permission(request) and (scope.network or bool(scope.region_ids))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return scope_for(request.user).network and self.has_module_permission(request)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Admin pages that only show: such rows change through the product's own pages or commands,
    which keep their logs and derived figures. Subclasses scope `get_queryset`."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff and scope_for(request.user).is_staff_member)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "email", "is_active", "is_demo")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("CIPnet", {"fields": ("full_name", "phone", "preferred_language", "is_demo")}),
    )

    def _network(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff and scope_for(request.user).network)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._network(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._network(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only superusers may grant or change superuser status.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return self._network(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._network(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ("is_superuser", "user_permissions", "groups")
        return fields


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ("user", "role", "centre", "region", "office", "is_active")
    list_filter = ("role", "is_active", "region")
    search_fields = ("user__username", "user__full_name", "centre__name")
    autocomplete_fields = ("user", "centre")
    centre_path = "centre_id"
    region_path = "region_id"
    editable_by_managers = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        scope = scope_for(request.user)
        if scope.network:
            return qs
        # Coordinators also see memberships of the centres in their regions.
        return Membership.objects.filter(
            Q(pk__in=qs.values("pk")) | Q(centre__region_id__in=scope.region_ids)
        ).select_related("user", "centre", "region")
