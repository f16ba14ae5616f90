"""Re-index every service card: after an upgrade of the analysis, or a restore from backup."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cipnet.eservices.search import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the catalogue search index (lemmas and the full-text index) for every card."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = rebuild_index()
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(_("Indexed %(count)d cards in %(seconds).1f s.") % {"count": count, "seconds": seconds})
        )
