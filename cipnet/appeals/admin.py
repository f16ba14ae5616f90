"""Authorities, their topics and officials are kept in the admin by the network's and regions'
coordinators (scoped by region). Cases are read-only here: they change only through the
reception's steps, which keep the event log and the terms."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cipnet.accounts.admin import ReadOnlyAdmin, ScopedAdmin
from cipnet.accounts.models import Role
from cipnet.accounts.scopes import scope_for
from cipnet.accounts.services import membership_can_grant
from cipnet.appeals.models import Appeal, AppealEvent, Authority, AuthorityOfficial, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "name_pl", "slug")
    search_fields = ("name", "name_en", "name_pl")
    prepopulated_fields = {"slug": ("name_en",)}


class OfficialInline(admin.TabularInline):
    """An official post opens the authority's cases, so it follows the one rule of who may grant
    the official's role (`accounts.services.membership_can_grant`): network administrators only."""

    model = AuthorityOfficial
    extra = 1
    autocomplete_fields = ("user",)

    def _may_grant(self, request: HttpRequest) -> bool:
        return membership_can_grant(actor=request.user, role=Role.AUTHORITY_OFFICIAL)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff and scope_for(request.user).is_staff_member)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_grant(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_grant(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_grant(request)


@admin.register(Authority)
class AuthorityAdmin(ScopedAdmin):
    region_path = "region"
    list_display = ("name", "kind", "region", "email", "is_active")
    list_filter = ("kind", "region", "is_active", "accepts_info_requests")
    search_fields = ("name", "name_en", "slug", "email")
    autocomplete_fields = ("territory", "parent")
    filter_horizontal = ("topics",)
    inlines = (OfficialInline,)


class EventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    fields = ("at", "kind", "actor", "status_from", "status_to", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "authority", "status", "due_at", "publication")
    list_filter = ("kind", "status", "publication")
    search_fields = ("number", "subject")
    inlines = (EventInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appeal]:
        scope = scope_for(request.user)
        qs = super().get_queryset(request)
        return qs if scope.network else qs.filter(authority__region_id__in=scope.region_ids)
