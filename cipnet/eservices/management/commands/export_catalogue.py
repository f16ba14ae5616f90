"""Export the e-service catalogue as JSON, CSV, or CPSV-AP 3.2.0 JSON-LD / Turtle."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from cipnet.eservices.cpsv import export_jsonld, export_turtle
from cipnet.eservices.interchange import export_catalogue_csv, export_catalogue_json_text
from cipnet.eservices.management.commands.import_catalogue import format_from
from cipnet.eservices.models import ServiceCard

FORMATS = ("json", "csv", "jsonld", "ttl")


def default_base_url() -> str:
    return str(getattr(settings, "CIPNET_BASE_URL", "") or os.environ.get("CIPNET_BASE_URL") or "http://127.0.0.1:8000")


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = gettext(
            "Export the e-service catalogue: json and csv round-trip through import_catalogue; "
            "jsonld and ttl are CPSV-AP 3.2.0 linked data."
        )
        parser.add_argument("path", nargs="?", default="-", help=gettext("Output file, or - for standard output."))
        parser.add_argument(
            "--format", choices=FORMATS, help=gettext("Output format (default: from the file name's extension).")
        )
        parser.add_argument(
            "--base-url",
            help=gettext("Address of the site, for the IRIs of the CPSV-AP export (default: CIPNET_BASE_URL)."),
        )
        parser.add_argument(
            "--public", action="store_true", help=gettext("Leave out withdrawn cards (as the public site does).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["path"]
        fmt = format_from(path, options["format"], FORMATS) if path != "-" else (options["format"] or "json")
        cards = ServiceCard.objects.public() if options["public"] else ServiceCard.objects.all()
        base_url = options["base_url"] or default_base_url()
        if fmt == "json":
            text = export_catalogue_json_text(None if not options["public"] else cards)
        elif fmt == "csv":
            text = export_catalogue_csv(cards)
        elif fmt == "jsonld":
            text = export_jsonld(cards, base_url)
        else:
            text = export_turtle(cards, base_url)
        if path == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        try:
            # CSV keeps Windows line ends for spreadsheets; newline="" writes them as they are.
            Path(path).write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise CommandError(gettext("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
        self.stderr.write(
            gettext("Wrote %(count)d cards to %(path)s (%(size)d bytes).")
            % {"count": cards.count(), "path": path, "size": len(text.encode("utf-8"))}
        )
