"""Load the demonstration consultations (once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext

from cipnet.consultations import demo


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = gettext(
            "Create demonstration consultations and targets for the active demo centres (skipped if already there)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo.load()
        if created:
            self.stdout.write(gettext("%(n)d demonstration consultations created.") % {"n": created})
        else:
            self.stdout.write(gettext("Demonstration consultations are already there."))
