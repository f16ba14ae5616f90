from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from cipnet.core.dbstats import refresh_planner_statistics
from cipnet.core.errors import DomainError
from cipnet.directory.katottg import SHIPPED_CODIFIER, KatottgFormatError, region_sync, territory_import
from cipnet.directory.models import Territory


class Command(BaseCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        # Translated here, when the parser is built, rather than at import (argparse cannot take lazy text).
        parser.description = gettext(
            "Import the KATOTTG codifier of territories (the edition shipped with CIPnet unless --file is given)."
        )
        parser.add_argument(
            "--file",
            type=Path,
            default=SHIPPED_CODIFIER,
            help=gettext("Codifier file, .csv or .csv.gz (default: %(default)s)."),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=gettext("Do nothing if territories are already imported (regions are still checked)."),
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=gettext("Also delete territories that are no longer in the codifier."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Territory.objects.exists():
            # `make run` calls this on every start; regions are cheap to check, the territories are not.
            created, updated = region_sync()
            self.stdout.write(
                gettext(
                    "Territories are already imported (%(count)d); skipped. "
                    "Regions: %(created)d created, %(updated)d updated."
                )
                % {"count": Territory.objects.count(), "created": created, "updated": updated}
            )
            return
        path: Path = options["file"]
        try:
            report = territory_import(source=path, replace=options["replace"])
        except KatottgFormatError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        refresh_planner_statistics()  # 31,000 new rows: the place search's indexes need their statistics
        refresh_planner_statistics()  # 31,000 new rows: the place search's indexes need their statistics
        self.stdout.write(self.style.SUCCESS(str(report)))
