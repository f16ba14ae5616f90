"""Load the demo network and the demo accounts. Safe to run again: a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from cipnet.core.clock import local, now
from cipnet.directory.demo.accounts import demo_accounts_ensure
from cipnet.directory.demo.loader import DemoDataError, LoadReport, Outcome, load_demo_directory


def _kind_labels() -> dict[str, str]:
    return {
        "offices": _("coordination offices"),
        "hosts": _("host institutions"),
        "centres": _("centres"),
        "hours": _("weekly opening hours"),
        "exceptions": _("changes to opening hours"),
        "accounts": _("demo accounts"),
        "memberships": _("roles of demo accounts"),
    }


class Command(BaseCommand):
    help = "Load the demo centres, coordination offices and one demo account per role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though CIPNET_DEMO_MODE is off (the demo centres would be shown to residents).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CIPNET_DEMO_MODE and not options["force"]:
            # Not an error: `make run` calls this on every start, also with demo mode switched off.
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "Demo mode is off, so the demo data was not loaded: it would appear in the real directory. "
                        "Set CIPNET_DEMO_MODE=1, or pass --force if you really mean it."
                    )
                )
            )
            return
        report = LoadReport()
        try:
            with transaction.atomic():
                load_demo_directory(today=local(now()).date(), report=report)
                demo_accounts_ensure(report=report)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc

        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if not report.changed:
            self.stdout.write(_("Demo data is up to date: nothing changed."))
            return
        for kind, label in _kind_labels().items():
            created, updated = report.count(kind, Outcome.CREATED), report.count(kind, Outcome.UPDATED)
            removed, unchanged = report.count(kind, Outcome.REMOVED), report.count(kind, Outcome.UNCHANGED)
            if not (created or updated or removed):
                continue
            line = _("%(label)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
                "label": label,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
            }
            if removed:
                line += _(", %(removed)d removed") % {"removed": removed}
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("Demo data loaded. See the logins with “manage.py demo_logins”.")))
