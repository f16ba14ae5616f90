"""The card's "Print for the visitor" works without JavaScript (issue 14): it is a link to the
card's print view, which shows the printout's layout and opens the print dialog only with JS."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from cipnet.eservices.models import ServiceCard


def test_print_for_the_visitor_is_a_link_to_the_print_view(catalogue: dict[str, ServiceCard]) -> None:
    card = catalogue["pension-application-online"]
    url = reverse("eservices:card", args=[card.identifier])
    html = Client().get(url, {"place": "Миколаїв"}).content.decode()
    link = re.search(r'<a [^>]*id="print-link"[^>]*>', html)
    assert link, "the print control is a link"
    assert " hidden" not in link.group(0)
    assert 'href="?print=1&amp;place=%D0%9C' in link.group(0)
    assert "data-print hidden" not in html  # not a button that only appears with JavaScript


def test_the_print_view_looks_like_the_printout(catalogue: dict[str, ServiceCard]) -> None:
    card = catalogue["pension-application-online"]
    response = Client().get(reverse("eservices:card", args=[card.identifier]), {"print": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<link rel="stylesheet" href="[^"]*print(\.[0-9a-f]+)?\.css" media="all">', html)
    assert "data-autoprint" in html
    assert 'id="print-link"' not in html
    assert 'id="back-to-card"' in html
