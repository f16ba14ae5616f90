"""Remind officials of terms ending in 2 working days and escalate overdue cases (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext

from cipnet.appeals.notifications import send_reminders
from cipnet.appeals.tasks import schedule_daily_reminders, schedule_dispatcher


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help=gettext("Book the daily run in the task worker (08:00 Kyiv) instead of sending now."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            if schedule_dispatcher():
                self.stdout.write(gettext("The outbox dispatcher is booked in the task worker (every minute)."))
            booked = schedule_daily_reminders()
            self.stdout.write(
                gettext("Daily reminders booked in the task worker.")
                if booked
                else gettext("Daily reminders were already booked (or the task backend cannot defer tasks).")
            )
            return
        counts = send_reminders()
        self.stdout.write(gettext("Reminders: %(reminders)d cases; escalations: %(escalations)d cases.") % counts)
