"""Public pages kept ready: a rendered page (or an API list's data) is reused while the data behind
it has not changed, for visitors who are not signed in (issue 15, ADR 10).

**Keyed by the data's version.** `PublicDataVersion` holds one token that changes after every
committed write to the models public pages show (`CIPNET_PUBLIC_DATA_APPS`: the centres, the
catalogue, the queue; cipnet.core.apps connects the signals). A write that bypasses the signals
(`QuerySet.update`, `bulk_create`) calls `data_changed()` itself. The token is read at most once a
second per process (`VERSION_MEMO_SECONDS`), and a page is also kept no longer than
`CIPNET_PAGE_CACHE_SECONDS` (60): the key carries the current minute, so a page that shows the time
of day ("open now", the queue's waiting count) is never older than that, whatever changed.

**Only what is the same for everyone.** A page is kept only when the request carries no session
and no messages (so nobody is signed in and nothing is addressed to this visitor), and the response
is a 200 that set no cookie and used no CSRF token and no CSP nonce. The key holds the address with
its query, the page's language, what the language hint depends on (the language cookie, the
browser's language), whether HTMX asked for a part of the page (`HX-Request`, `HX-Target`) and, for
the API, `Accept`.

**Side effects still happen.** A view whose request has an effect (the catalogue's search log, the
card's click count) passes `on_hit`, which runs on every reuse with what the view noted with `note()`.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from cipnet.core.language_hint import preferred_language

VERSION_MEMO_SECONDS = 1.0
#: Response headers a kept page is served with (the middleware adds the rest on the way out).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control", "Link", "Allow")

_memo: dict[str, Any] = {"token": None, "at": 0.0}
_memo_lock = threading.Lock()
_sequence = itertools.count()
_thread = threading.local()


def enabled() -> bool:
    return bool(getattr(settings, "CIPNET_PAGE_CACHE", True))


# --- The data's version ---------------------------------------------------------------------------


def current_token() -> str:
    """The public data's version token (memoised for up to a second in this process)."""
    now = time.monotonic()
    token = _memo["token"]
    if token is not None and now - _memo["at"] < VERSION_MEMO_SECONDS:
        return str(token)
    from cipnet.core.models import PublicDataVersion

    token = PublicDataVersion.objects.filter(pk=PublicDataVersion.SINGLETON).values_list("token", flat=True).first()
    if token is None:
        token = _new_token()
        PublicDataVersion.objects.get_or_create(pk=PublicDataVersion.SINGLETON, defaults={"token": token})
    with _memo_lock:
        _memo.update(token=token, at=now)
    return str(token)


def _new_token() -> str:
    return uuid.uuid4().hex


def _bump(registered: int) -> None:
    """After a commit: a new version, unless one was made in this thread after this callback was
    registered (a transaction that wrote fifty rows registered fifty callbacks; the first one runs
    after the commit, so the other forty-nine have nothing left to do)."""
    from cipnet.core.models import PublicDataVersion

    if getattr(_thread, "last_bump", -1) > registered:
        return
    _thread.last_bump = next(_sequence)
    token = _new_token()
    if not PublicDataVersion.objects.filter(pk=PublicDataVersion.SINGLETON).update(token=token):
        PublicDataVersion.objects.update_or_create(pk=PublicDataVersion.SINGLETON, defaults={"token": token})
    with _memo_lock:
        _memo.update(token=token, at=time.monotonic())


def data_changed(**_signal_kwargs: Any) -> None:
    """Something public pages show has changed: a new version once the transaction commits (one per
    transaction, however many rows it wrote; at once outside a transaction)."""
    if enabled():  # with no pages kept, there is no version to keep
        transaction.on_commit(functools.partial(_bump, next(_sequence)), robust=True)


def forget_version_memo() -> None:
    """For tests: read the version from the database on the next request."""
    with _memo_lock:
        _memo.update(token=None, at=0.0)


# --- Keys -----------------------------------------------------------------------------------------


def request_is_shared(request: HttpRequest) -> bool:
    """True when the answer to this request would be the same for any visitor who is not signed in."""
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def key_for(request: HttpRequest, kind: str) -> str:
    language_cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    hint = "" if language_cookie else (preferred_language(request.headers.get("Accept-Language", "")) or "")
    accept = request.headers.get("Accept", "") if kind == "data" else ""
    minute = int(time.time() // max(1, int(getattr(settings, "CIPNET_PAGE_CACHE_SECONDS", 60))))
    htmx = request.headers.get("HX-Request", "") + "\x1e" + request.headers.get("HX-Target", "")
    parts = [kind, current_token(), str(minute), getattr(request, "LANGUAGE_CODE", ""), language_cookie, hint,
             accept, htmx, request.get_full_path()]  # fmt: skip
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
    return f"pagecache:{kind}:{digest}"


# --- Pages ----------------------------------------------------------------------------------------


def note(request: HttpRequest, **values: Any) -> None:
    """Keep, with the page, what its `on_hit` needs to repeat the request's side effects."""
    request.page_cache_notes = {**getattr(request, "page_cache_notes", {}), **values}  # type: ignore[attr-defined]


def _response_is_shared(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(request, "_csp_nonce", None)  # a nonce is for one response only
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def public_page[View: Callable[..., HttpResponse]](
    view: View | None = None, *, on_hit: Callable[[HttpRequest, dict[str, Any]], None] | None = None
) -> Any:
    """Decorate a public view: its page is reused for visitors who are not signed in (see above)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not enabled() or not request_is_shared(request):
                return view(request, *args, **kwargs)
            key = key_for(request, "page")
            kept = cache.get(key)
            if kept is not None:
                status, headers, content, notes = kept
                if on_hit is not None:
                    on_hit(request, notes)
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response[name] = value
                return response
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            if _response_is_shared(request, response):
                headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
                notes = getattr(request, "page_cache_notes", {})
                cache.set(key, (response.status_code, headers, response.content, notes), _seconds())
            return response

        return wrapper  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


def shared_data(request: HttpRequest, compute: Callable[[], Any]) -> Any:
    """An API list's serialised data, reused for visitors who are not signed in (the view still
    authenticates, throttles and renders each request)."""
    if not enabled() or not request_is_shared(request) or getattr(request, "user", None) is None:
        return compute()
    if request.user.is_authenticated:
        return compute()
    key = key_for(request, "data")
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, _seconds())
    return data


def _seconds() -> int:
    return max(1, int(getattr(settings, "CIPNET_PAGE_CACHE_SECONDS", 60)))
