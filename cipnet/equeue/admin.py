"""The queue in the admin: read-only and scoped to the user's centres. Every change goes
through the staff pages (settings, console), which keep the event log and the boards' version."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cipnet.accounts.admin import ReadOnlyAdmin
from cipnet.accounts.scopes import scope_for
from cipnet.equeue.models import Booking, Desk, PriorityCategory, QueueConfig, QueueTopic, Ticket, TicketEvent


class ReadOnlyScopedAdmin(ReadOnlyAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(scope_for(request.user).centre_q("centre__"))


@admin.register(QueueConfig)
class QueueConfigAdmin(ReadOnlyScopedAdmin):
    list_display = ("centre", "is_enabled", "max_priority_streak", "booking_enabled", "slot_minutes", "version")
    list_filter = ("is_enabled", "booking_enabled")
    exclude = ("kiosk_token",)  # a secret: shown only on the settings page, to the centre's managers
    list_select_related = ("centre",)


@admin.register(QueueTopic)
class QueueTopicAdmin(ReadOnlyScopedAdmin):
    list_display = ("prefix", "name", "centre", "position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en")
    list_select_related = ("centre",)


@admin.register(Desk)
class DeskAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "centre", "is_active", "priority_streak")
    list_filter = ("is_active",)
    list_select_related = ("centre",)


@admin.register(PriorityCategory)
class PriorityCategoryAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "centre", "position", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("centre",)


@admin.register(Ticket)
class TicketAdmin(ReadOnlyScopedAdmin):
    list_display = ("label", "centre", "day", "status", "channel", "desk", "issued_at", "finished_at")
    list_filter = ("status", "channel")
    date_hierarchy = "day"
    exclude = ("code",)  # opens the holder's status page
    list_select_related = ("centre", "desk")
    show_full_result_count = False


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyScopedAdmin):
    list_display = ("at", "ticket", "kind", "desk", "actor")
    list_filter = ("kind",)
    date_hierarchy = "at"
    list_select_related = ("ticket", "desk", "actor")
    show_full_result_count = False


@admin.register(Booking)
class BookingAdmin(ReadOnlyScopedAdmin):
    list_display = ("starts_at", "centre", "topic", "is_cancelled", "ticket")
    list_filter = ("is_cancelled",)
    exclude = ("code",)
    list_select_related = ("centre", "topic", "ticket")
    show_full_result_count = False
