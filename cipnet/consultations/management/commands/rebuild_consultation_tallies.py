"""Recompute the consultation tallies from the raw entries."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from cipnet.consultations import rollups


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(gettext("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from exc


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = gettext(
            "Recompute the consultation tallies from the entries, for all centres or some "
            "(and their regions), for whole months."
        )
        parser.add_argument(
            "--centre", type=int, action="append", default=None, help=gettext("Centre id (repeatable).")
        )
        parser.add_argument("--from", dest="start", default=None, help=gettext("First month (YYYY-MM-DD)."))
        parser.add_argument("--to", dest="end", default=None, help=gettext("Last month (YYYY-MM-DD)."))

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["start"]) if options["start"] else None
        end = _date(options["end"]) if options["end"] else None
        if start and end and start > end:
            raise CommandError(gettext("The first month is after the last."))
        began = time.perf_counter()
        written = rollups.rebuild(centre_ids=options["centre"], start=start, end=end)
        self.stdout.write(
            gettext("%(rows)d tally rows written in %(seconds).1f s.")
            % {"rows": written, "seconds": time.perf_counter() - began}
        )
