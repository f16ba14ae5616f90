"""Checking that the links on service cards still work (`manage.py check_links`).

Every http(s) address of a card is checked: its channels (historical ones too, though those are expected
to be dead: they are kept as the record of where a service used to be) and the links of its legal basis.
Each address is fetched once however many cards use it: HEAD first, GET when the server refuses HEAD or
answers with an error, following at most `MAX_REDIRECTS` redirects. Only the standard library is used.
The last result per (card, address) is kept in `LinkCheck`; results for addresses a card no longer has
are removed.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cipnet.eservices.models import LinkCheck, ServiceCard

MAX_REDIRECTS = 5
USER_AGENT = "CIPnet-link-checker/1.0 (checks the links of an e-service catalogue)"
_ERROR_MAX = LinkCheck._meta.get_field("error").max_length or 300
_URL_MAX = LinkCheck._meta.get_field("url").max_length or 500


@dataclass(frozen=True)
class LinkTarget:
    """An address on a card and where it appears there."""

    url: str
    source: str  # "channel" or "legal_basis"
    historical: bool = False


@dataclass(frozen=True)
class FetchResult:
    status_code: int | None
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class LinkOutcome:
    check: LinkCheck
    target: LinkTarget
    card: ServiceCard

    @property
    def expected_dead(self) -> bool:
        return self.target.historical


def card_link_targets(card: ServiceCard) -> list[LinkTarget]:
    """The card's http(s) addresses in the order shown on the card, each once."""
    found: dict[str, LinkTarget] = {}
    for channel in card.channels:
        url = str(channel.get("url") or "").strip()
        if url.lower().startswith(("http://", "https://")) and url not in found and len(url) <= _URL_MAX:
            found[url] = LinkTarget(url, "channel", bool(channel.get("historical")))
    for law in card.legal_basis:
        url = str(law.get("url") or "").strip()
        if url.lower().startswith(("http://", "https://")) and url not in found and len(url) <= _URL_MAX:
            found[url] = LinkTarget(url, "legal_basis")
    return list(found.values())


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS
    max_repeats = 2

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        # The standard handler turns a redirected HEAD into a GET; keep asking with HEAD.
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and req.get_method() == "HEAD":
            new.method = "HEAD"
        return new


def _opener() -> urllib.request.OpenerDirector:
    context = ssl.create_default_context()
    return urllib.request.build_opener(_LimitedRedirects(), urllib.request.HTTPSHandler(context=context))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        if 300 <= exc.code < 400:
            return f"too many redirects (more than {MAX_REDIRECTS}) or a redirect loop"
        return f"HTTP {exc.code} {exc.reason}".strip()
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            return "timed out"
        if isinstance(reason, ssl.SSLCertVerificationError):
            return f"certificate problem: {reason.verify_message}"
        if isinstance(reason, socket.gaierror):
            return "host not found"
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused"
        return f"{reason}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"


def _request(opener: urllib.request.OpenerDirector, url: str, method: str, timeout: float) -> FetchResult:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})  # noqa: S310 - http(s) only, checked by the caller
    try:
        with opener.open(request, timeout=timeout) as response:
            if method == "GET":
                response.read(1024)  # the body starts arriving; a page that never sends one times out here
            status = response.status
            return FetchResult(status, 200 <= status < 300)
    except urllib.error.HTTPError as exc:
        exc.close()
        return FetchResult(exc.code, False, _describe(exc)[:_ERROR_MAX])
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException, ValueError) as exc:
        return FetchResult(None, False, _describe(exc)[:_ERROR_MAX])


def fetch(url: str, *, timeout: float = 10) -> FetchResult:
    """HEAD, then GET if HEAD did not give a success (many servers refuse or mishandle HEAD)."""
    opener = _opener()
    head = _request(opener, url, "HEAD", timeout)
    if head.ok or head.error == "timed out":
        return head
    return _request(opener, url, "GET", timeout)


def _with_cards(cards: Iterable[ServiceCard]) -> list[ServiceCard]:
    if isinstance(cards, QuerySet):
        return list(cards.only("pk", "identifier", "name", "channels", "legal_basis").order_by("identifier"))
    return list(cards)


def run_link_checks(
    cards: Iterable[ServiceCard], *, timeout: float = 10, concurrency: int = 8, fetcher: Any = None
) -> list[LinkOutcome]:
    """Check every card's links, record the results, and return them with where each link came from."""
    card_list = _with_cards(cards)
    targets = {card.pk: card_link_targets(card) for card in card_list}
    urls = sorted({t.url for found in targets.values() for t in found})
    do_fetch = fetcher or (lambda url: fetch(url, timeout=timeout))
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        results: dict[str, FetchResult] = dict(zip(urls, pool.map(do_fetch, urls), strict=True))
    checked_at = timezone.now()
    outcomes: list[LinkOutcome] = []
    with transaction.atomic():
        for card in card_list:
            found = targets[card.pk]
            LinkCheck.objects.filter(card=card).exclude(url__in=[t.url for t in found]).delete()
            for target in found:
                result = results[target.url]
                check, _created = LinkCheck.objects.update_or_create(
                    card=card,
                    url=target.url,
                    defaults={
                        "checked_at": checked_at,
                        "status_code": result.status_code,
                        "ok": result.ok,
                        "error": result.error,
                    },
                )
                outcomes.append(LinkOutcome(check=check, target=target, card=card))
    return outcomes


def check_card_links(cards: Iterable[ServiceCard], *, timeout: float = 10, concurrency: int = 8) -> list[LinkCheck]:
    """Check and record the links of the given cards; the stored results, one per (card, address)."""
    return [o.check for o in run_link_checks(cards, timeout=timeout, concurrency=concurrency)]
