"""Check the links of service cards and record the results (LinkCheck)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, ngettext

from cipnet.eservices.links import run_link_checks
from cipnet.eservices.models import ServiceCard


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = gettext(
            "Check every card's web addresses (channels and legal basis) and record the results. "
            "Old addresses kept for the record (historical channels) are expected to be dead."
        )
        parser.add_argument(
            "--card", action="append", default=[], metavar="IDENTIFIER", help=gettext("Only this card (repeatable).")
        )
        parser.add_argument("--timeout", type=float, default=10, help=gettext("Seconds per request (default 10)."))
        parser.add_argument(
            "--concurrency", type=int, default=8, help=gettext("Addresses checked at once (default 8).")
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help=gettext("Exit with an error if a current (not historical) link is broken."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cards = ServiceCard.objects.all()
        if options["card"]:
            cards = cards.filter(identifier__in=options["card"])
            missing = sorted(set(options["card"]) - set(cards.values_list("identifier", flat=True)))
            if missing:
                raise CommandError(gettext("No card with identifier: %(ids)s.") % {"ids": ", ".join(missing)})
        started = time.perf_counter()
        outcomes = run_link_checks(cards, timeout=options["timeout"], concurrency=options["concurrency"])
        elapsed = time.perf_counter() - started
        broken = [o for o in outcomes if not o.check.ok and not o.expected_dead]
        dead_history = [o for o in outcomes if not o.check.ok and o.expected_dead]
        alive_history = [o for o in outcomes if o.check.ok and o.expected_dead]
        card_count = len({o.card.pk for o in outcomes})
        self.stdout.write(
            ngettext(
                "Checked %(links)d link on %(cards)d cards in %(seconds).1f s: %(ok)d working, %(broken)d broken.",
                "Checked %(links)d links on %(cards)d cards in %(seconds).1f s: %(ok)d working, %(broken)d broken.",
                len(outcomes),
            )
            % {
                "links": len(outcomes),
                "cards": card_count,
                "seconds": elapsed,
                "ok": sum(1 for o in outcomes if o.check.ok),
                "broken": len(broken),
            }
        )
        if dead_history or alive_history:
            self.stdout.write(
                gettext(
                    "Historical addresses: %(dead)d dead as expected, %(alive)d still answer "
                    "(see whether they now redirect to the current service)."
                )
                % {"dead": len(dead_history), "alive": len(alive_history)}
            )
        if broken:
            self.stdout.write(gettext("Broken links:"))
            for o in broken:
                reason = o.check.error or f"HTTP {o.check.status_code}"
                self.stdout.write(f"  {o.card.identifier}  {o.check.url}  {reason}")
        if broken and options["strict"]:
            raise CommandError(
                ngettext("%(count)d broken link.", "%(count)d broken links.", len(broken)) % {"count": len(broken)}
            )
