from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cipnet.accounts.admin import ReadOnlyAdmin, ScopedAdmin
from cipnet.directory import services
from cipnet.directory.models import (
    Centre,
    CentreFeature,
    CoordinationOffice,
    HostInstitution,
    OpeningException,
    OpeningHours,
    Region,
    Territory,
)


@admin.register(Territory)
class TerritoryAdmin(ReadOnlyAdmin):
    """The codifier is reference data: read-only here, changed only by `import_katottg`."""

    list_display = ("code", "name", "level", "oblast", "raion", "hromada")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("oblast", "raion", "hromada")
    show_full_result_count = False


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ("name", "name_en", "name_pl", "slug")
    search_fields = ("name", "name_en")
    readonly_fields = ("territory", "slug")
    region_path = "id"
    editable_by_managers = False


@admin.register(CoordinationOffice)
class CoordinationOfficeAdmin(ScopedAdmin):
    list_display = ("name", "region", "phone", "email")
    list_filter = ("region",)
    search_fields = ("name",)
    raw_id_fields = ("settlement",)
    region_path = "region_id"


@admin.register(HostInstitution)
class HostInstitutionAdmin(ScopedAdmin):
    list_display = ("name", "kind", "settlement")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("settlement", "parent")
    region_path = "centres__region_id"
    centre_path = "centres__id"


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class OpeningExceptionInline(admin.TabularInline):
    model = OpeningException
    extra = 0


class CentreFeatureInline(admin.TabularInline):
    model = CentreFeature
    extra = 0


@admin.register(Centre)
class CentreAdmin(ScopedAdmin):
    list_display = ("name", "settlement", "region", "status", "public_computers")
    list_filter = ("status", "region")
    search_fields = ("name", "address", "slug")
    raw_id_fields = ("settlement",)
    list_select_related = ("settlement", "region")
    readonly_fields = ("region", "slug")
    inlines = [OpeningHoursInline, OpeningExceptionInline, CentreFeatureInline]
    centre_path = "id"
    region_path = "region_id"

    def save_model(self, request: HttpRequest, obj: Centre, form: Any, change: bool) -> None:
        fields = {name: getattr(obj, name) for name in services.CENTRE_FIELDS}
        if change:
            original = Centre.objects.get(pk=obj.pk)
            services.centre_update(actor=request.user, centre=original, **fields)  # type: ignore[arg-type]
            obj.refresh_from_db()
        else:
            created = services.centre_create(actor=request.user, **fields)  # type: ignore[arg-type]
            obj.pk = created.pk
            obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The inline hours are saved by the admin's own formsets: the hour-by-hour week follows them.
        services.centres_refresh_week_by_hour([form.instance.pk])
