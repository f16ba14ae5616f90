"""Centres' months, their steps and corrections: shown in the admin within the user's scope, changed
only through the monthly reports page (which keeps the steps' log)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cipnet.accounts.admin import ReadOnlyAdmin
from cipnet.accounts.scopes import scope_for
from cipnet.directory.models import Centre
from cipnet.reporting.models import Correction, MonthEvent, MonthReport


class CentreScopedReadOnly(ReadOnlyAdmin):
    """Rows of the centres the user sees."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        visible = Centre.objects.filter(scope_for(request.user).centre_q()).values("pk")
        return super().get_queryset(request).filter(centre__in=visible)


class MonthEventInline(admin.TabularInline):
    model = MonthEvent
    extra = 0
    fields = ("at", "action", "actor", "reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MonthReport)
class MonthReportAdmin(CentreScopedReadOnly):
    list_display = ("centre", "month", "status", "first_submitted_at", "approved_at")
    list_filter = ("status", "month")
    search_fields = ("centre__name",)
    inlines = (MonthEventInline,)


@admin.register(Correction)
class CorrectionAdmin(CentreScopedReadOnly):
    list_display = ("at", "centre", "month", "record_kind", "record_id", "action", "reason", "actor")
    list_filter = ("action", "month")
    search_fields = ("centre__name", "reason")
