"""Print the demo accounts: role, username, password and where the role is held."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cipnet.directory.demo.accounts import demo_logins


class Command(BaseCommand):
    help = "List the demo accounts with their passwords (they work only while CIPNET_DEMO_MODE is on)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_logins()
        header = (_("Role"), _("Username"), _("Password"), _("Where"))
        rows = [
            (login.role, login.username, login.password, login.where if login.available else _("not loaded"))
            for login in logins
        ]
        widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write(line(header))
        self.stdout.write("  ".join("-" * width for width in widths))
        for row in rows:
            self.stdout.write(line(row))
        if not all(login.available for login in logins):
            self.stdout.write(_("Some demo accounts are missing: run “manage.py load_demo”."))
        if not settings.CIPNET_DEMO_MODE:
            self.stderr.write(self.style.WARNING(_("demo logins are disabled: set CIPNET_DEMO_MODE=1")))
