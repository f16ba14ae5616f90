"""Remind officials of terms ending in 2 working days and escalate overdue cases (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from cipnet.appeals.notifications import send_reminders


class Command(BaseCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        counts = send_reminders()
        self.stdout.write(gettext("Reminders: %(reminders)d cases; escalations: %(escalations)d cases.") % counts)
