"""Import service cards (and, from JSON, providers, categories and life events) from a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from cipnet.eservices.interchange import CatalogueImportError, import_catalogue_csv, import_catalogue_json

FORMATS = ("json", "csv")


def format_from(path: str, given: str | None, allowed: tuple[str, ...]) -> str:
    if given:
        return given
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = {"ttl": "ttl", "jsonld": "jsonld"}.get(suffix, suffix)
    if suffix in allowed:
        return suffix
    raise CommandError(
        gettext("Cannot tell the format from “%(path)s”: give --format (%(formats)s).")
        % {"path": path, "formats": ", ".join(allowed)}
    )


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = gettext(
            "Import the e-service catalogue from JSON or CSV. The whole file is checked first: "
            "if anything is wrong, every problem is listed and nothing is imported."
        )
        parser.add_argument("path", help=gettext("The file to import, or - for standard input."))
        parser.add_argument(
            "--format", choices=FORMATS, help=gettext("File format (default: from the file name's extension).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["path"]
        fmt = format_from(path, options["format"], FORMATS) if path != "-" else (options["format"] or "json")
        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(gettext("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
        source = "stdin" if path == "-" else Path(path).name
        try:
            if fmt == "csv":
                report = import_catalogue_csv(raw, source=source)
            else:
                report = import_catalogue_json(raw, source=source)
        except CatalogueImportError as exc:
            for problem in exc.errors:
                self.stderr.write(str(problem))
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(str(report)))
