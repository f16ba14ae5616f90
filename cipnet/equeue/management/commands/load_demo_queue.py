"""Switch the electronic queue on for the demo centres where the demo staff work."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext

from cipnet.directory.demo.accounts import LVIV_OBLAST_CENTRE, MYKOLAIV_CENTRE
from cipnet.directory.models import Centre
from cipnet.equeue import services
from cipnet.equeue.models import QueueConfig


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = gettext(
            "Set up the electronic queue (topics, priority categories, two desks) for the demo centres."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for slug in (MYKOLAIV_CENTRE, LVIV_OBLAST_CENTRE):
            centre = Centre.objects.filter(slug=slug).first()
            if centre is None:
                continue
            config = services.queue_setup(actor=None, centre=centre)
            if slug == MYKOLAIV_CENTRE and not config.booking_enabled:
                QueueConfig.objects.filter(pk=config.pk).update(booking_enabled=True)
            self.stdout.write(
                gettext("Queue of %(centre)s: board %(board)s")
                % {"centre": centre.display_name, "board": f"/queue/{slug}/board/"}
            )
