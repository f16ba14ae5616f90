from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cipnet.accounts.models import Membership, Role, User
from cipnet.accounts.scopes import scope_for
from cipnet.accounts.services import (
    membership_can_grant,
    membership_grant,
    membership_roles_grantable_by,
    membership_update,
)


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


class MembershipForm(forms.ModelForm):
    """Refuses any role and scope that the signed-in person may not grant (see `accounts.services`)."""

    actor: User | AnonymousUser | None = None

    class Meta:
        model = Membership
        fields = ("user", "role", "centre", "region", "office", "title", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        if role and not membership_can_grant(
            actor=self.actor, role=role, centre=cleaned.get("centre"), region=cleaned.get("region")
        ):
            self.add_error("role", _("You may not grant this role in this scope."))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    """Memberships are granted and changed only through `membership_grant` / `membership_update`:
    the form offers only the roles, centres and regions the person may grant, and refuses a forged
    POST beside the field, with nothing saved."""

    form = MembershipForm
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

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        if obj is None:
            return True
        return membership_can_grant(actor=request.user, role=obj.role, centre=obj.centre, region=obj.region)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            grantable = membership_roles_grantable_by(request.user)
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value in grantable]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scope = scope_for(request.user)
        if not scope.network and db_field.name in ("centre", "region", "office"):
            manager = db_field.remote_field.model._default_manager
            path = "pk" if db_field.name == "region" else "region_id"
            kwargs["queryset"] = manager.filter(**{f"{path}__in": scope.region_ids})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {name: getattr(obj, name) for name in ("office", "title", "is_active")}
        if change:
            membership_update(
                actor=request.user,
                membership=obj,
                user=obj.user,
                role=obj.role,
                centre=obj.centre,
                region=obj.region,
                **values,
            )
            return
        granted = membership_grant(
            actor=request.user, user=obj.user, role=obj.role, centre=obj.centre, region=obj.region, **values
        )
        obj.pk = granted.pk
        obj.created_at, obj.updated_at = granted.created_at, granted.updated_at
        obj._state.adding = False
