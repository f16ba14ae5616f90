"""File e-mail replies to their cases: every message in a Maildir's `new/` (then moved to `cur/`),
or one .eml file. Safe to run again: a message already filed is not filed twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from cipnet.appeals.ingest import IngestResult, IngestStatus, ingest_message


class Command(BaseCommand):
    help = "File e-mail replies to their cases (a Maildir or one .eml file)."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--maildir", type=Path, help="A Maildir: each message in new/ is filed, then moved to cur/."
        )
        source.add_argument("--file", type=Path, help="One message (.eml).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"] is not None:
            path: Path = options["file"]
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise CommandError(gettext("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
            self.report(path.name, ingest_message(raw))
            return
        self.maildir(options["maildir"])

    def maildir(self, root: Path) -> None:
        new, cur = root / "new", root / "cur"
        if not new.is_dir():
            raise CommandError(gettext("%(path)s is not a Maildir: it has no new/ folder.") % {"path": root})
        cur.mkdir(exist_ok=True)
        counts = dict.fromkeys(IngestStatus, 0)
        for path in sorted(p for p in new.iterdir() if p.is_file() and not p.name.startswith(".")):
            result = ingest_message(path.read_bytes())
            counts[result.status] += 1
            self.report(path.name, result)
            # Maildir: a message read leaves new/ for cur/, its name gaining the "seen" flag.
            name = path.name if ":2," in path.name else f"{path.name}:2,S"
            path.rename(cur / name)
        self.stdout.write(
            gettext("Filed: %(filed)d; already filed: %(duplicate)d; unmatched: %(unmatched)d; too large: %(large)d.")
            % {
                "filed": counts[IngestStatus.FILED],
                "duplicate": counts[IngestStatus.DUPLICATE],
                "unmatched": counts[IngestStatus.UNMATCHED],
                "large": counts[IngestStatus.TOO_LARGE],
            }
        )

    def report(self, name: str, result: IngestResult) -> None:
        values = {"name": name, "case": result.number or result.appeal_id, "files": len(result.stored)}
        if result.status == IngestStatus.FILED:
            self.stdout.write(gettext("%(name)s: filed to case %(case)s with %(files)d file(s).") % values)
        elif result.status == IngestStatus.DUPLICATE:
            self.stdout.write(gettext("%(name)s: already filed to case %(case)s.") % values)
        elif result.status == IngestStatus.UNMATCHED:
            self.stdout.write(gettext("%(name)s: unmatched, no case address among the recipients.") % values)
        else:
            self.stdout.write(gettext("%(name)s: too large, not filed.") % values)
        for reason in result.refused:
            self.stdout.write(gettext("%(name)s: file refused: %(reason)s") % {"name": name, "reason": reason})
        if result.from_authority and result.status == IngestStatus.FILED:
            self.stdout.write(
                gettext("%(name)s: sent from the authority's address; if it is the answer, record it on the case.")
                % values
            )
