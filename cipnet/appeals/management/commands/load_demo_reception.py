"""Load the virtual reception's demo authorities, the demo official's post and demo cases."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext

from cipnet.appeals import demo


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = gettext("Load demo authorities and cases of the virtual reception.")
        parser.add_argument("--reset", action="store_true", help=gettext("Replace the demo cases."))

    def handle(self, *args: Any, **options: Any) -> None:
        counts = demo.load(reset=options["reset"])
        self.stdout.write(gettext("Authorities: %(authorities)d; demo cases added: %(cases)d.") % counts)
