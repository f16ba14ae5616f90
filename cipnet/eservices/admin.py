from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cipnet.eservices import services
from cipnet.eservices.models import Category, LifeEvent, LinkCheck, Provider, SearchLog, ServiceCard, Synonym


class CatalogueAdmin(admin.ModelAdmin):
    """The catalogue is shared by the whole network: coordinators and administrators curate it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff and services.can_edit_catalogue(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


@admin.register(Provider)
class ProviderAdmin(CatalogueAdmin):
    list_display = ("name", "kind", "website")
    search_fields = ("name", "name_en", "slug")


@admin.register(Category, LifeEvent)
class TermAdmin(CatalogueAdmin):
    list_display = ("name", "name_en", "name_pl", "slug")
    search_fields = ("name", "slug")


@admin.register(ServiceCard)
class ServiceCardAdmin(CatalogueAdmin):
    """Read and find cards here; edit them in the staff editor, which keeps versions and the index."""

    list_display = ("name", "provider", "kind", "level", "status", "verified_on")
    list_filter = ("status", "kind", "level", "provider")
    search_fields = ("name", "identifier")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Synonym)
class SynonymAdmin(CatalogueAdmin):
    list_display = ("term", "expansion", "note")
    search_fields = ("term", "expansion")


@admin.register(SearchLog)
class SearchLogAdmin(CatalogueAdmin):
    list_display = ("day", "query", "searches", "zero_results", "clicks")
    list_filter = ("day",)
    search_fields = ("query",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(LinkCheck)
class LinkCheckAdmin(SearchLogAdmin):
    list_display = ("url", "card", "ok", "status_code", "error", "checked_at")  # type: ignore[assignment]
    list_filter = ("ok",)
    search_fields = ("url",)
