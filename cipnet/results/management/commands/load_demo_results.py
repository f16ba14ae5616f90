"""Load the demonstration programmes of seeds 000 and 004 with the rows behind their figures (once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext

from cipnet.results import demo


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = gettext(
            "Create the demonstration programmes, their results, indicators and targets (skipped if already there)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        made = demo.load()
        if made["programmes"]:
            self.stdout.write(gettext("%(n)d demonstration programmes created.") % {"n": made["programmes"]})
        else:
            self.stdout.write(gettext("Demonstration programmes are already there (or the demo centres are not)."))
