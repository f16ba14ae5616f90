from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cipnet.accounts.admin import ReadOnlyAdmin
from cipnet.accounts.scopes import scope_for
from cipnet.consultations.models import Consultation, ConsultationChange, ConsultationTarget


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    """Read-only: entries change only through the log's pages, which keep tallies and audit."""

    list_display = ("occurred_at", "centre", "help_kind", "outcome", "channel", "source")
    list_filter = ("help_kind", "outcome", "channel", "source")
    date_hierarchy = "day"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Consultation]:
        return super().get_queryset(request).filter(scope_for(request.user).centre_q("centre__"))


@admin.register(ConsultationChange)
class ConsultationChangeAdmin(ConsultationAdmin):
    list_display = ("at", "consultation_id", "centre", "action", "actor")  # type: ignore[assignment]
    list_filter = ("action",)  # type: ignore[assignment]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConsultationChange]:  # type: ignore[override]
        return ConsultationChange.objects.filter(scope_for(request.user).centre_q("centre__"))


@admin.register(ConsultationTarget)
class ConsultationTargetAdmin(ConsultationAdmin):
    list_display = ("centre", "starts_on", "period_months", "consultations")  # type: ignore[assignment]
    list_filter = ()  # type: ignore[assignment]
    date_hierarchy = "starts_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConsultationTarget]:  # type: ignore[override]
        return ConsultationTarget.objects.filter(scope_for(request.user).centre_q("centre__"))
