"""Load the demo e-service catalogue shipped in cipnet/eservices/data/catalogue.json (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from cipnet.eservices.demo import link_demo_centres
from cipnet.eservices.interchange import CATALOGUE_JSON, CatalogueImportError, load_shipped_catalogue


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = gettext(
            "Load the e-service catalogue shipped with CIPnet. Run import_katottg first: regional and local "
            "cards name their territory. Running it again changes nothing."
        )
        parser.add_argument(
            "--file", type=Path, default=CATALOGUE_JSON, help=gettext("Catalogue file (default: %(default)s).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(gettext("No catalogue file at %(path)s.") % {"path": path})
        try:
            report = load_shipped_catalogue(path=path)
        except CatalogueImportError as exc:
            for problem in exc.errors:
                self.stderr.write(str(problem))
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(str(report)) if report.changed else str(report))
        linked = link_demo_centres()
        if linked:
            self.stdout.write(
                gettext("Demo centres linked to the services they help with: %(count)d.") % {"count": linked}
            )
