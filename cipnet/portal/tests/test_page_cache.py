"""Public pages kept ready (cipnet.core.pagecache): reused for visitors who are not signed in, never
older than the data behind them, never someone else's, and the requests' side effects still happen."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from cipnet.core import pagecache
from cipnet.core.models import PublicDataVersion
from cipnet.directory import services as directory_services
from cipnet.eservices.models import CardKind, Provider, SearchLog
from cipnet.testing import WEEKDAYS_9_TO_18, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on() -> Iterator[None]:
    with override_settings(CIPNET_PAGE_CACHE=True, CIPNET_PAGE_CACHE_SECONDS=60):
        pagecache.forget_version_memo()
        cache.clear()
        yield
        pagecache.forget_version_memo()


def kept_pages() -> int:
    return sum(1 for key in cache._cache if ":pagecache:page:" in key)  # type: ignore[attr-defined]


def test_a_page_is_rendered_once_and_then_served_the_same(world: World, django_assert_max_num_queries: Any) -> None:
    client = Client()
    url = reverse("public:centre", args=[world.centre_a.slug])
    first = client.get(url)
    assert first.status_code == 200 and kept_pages() == 1
    pagecache.forget_version_memo()
    with django_assert_max_num_queries(1):  # the data's version, nothing else
        second = Client().get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second.headers.get("Content-Security-Policy") == first.headers.get("Content-Security-Policy")


def test_a_committed_change_is_seen_at_once(world: World, django_capture_on_commit_callbacks: Any) -> None:
    url = reverse("public:centre", args=[world.centre_a.slug])
    assert "ім. М. Л. Кропивницького" in Client().get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        directory_services.centre_update(actor=None, centre=world.centre_a, name="Бібліотека-філія № 9")
    page = Client().get(url).content.decode()
    assert "Бібліотека-філія № 9" in page and "ім. М. Л. Кропивницького" not in page


def test_hours_written_in_bulk_change_the_version_once(world: World, django_capture_on_commit_callbacks: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = pagecache.current_token()
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        directory_services.centre_set_hours(actor=None, centre=world.centre_a, week=WEEKDAYS_9_TO_18)
    bumps = [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "core_publicdataversion"')]
    assert len(bumps) == 1  # one new version per transaction, however many rows it wrote
    pagecache.forget_version_memo()
    assert pagecache.current_token() != before


def test_a_rolled_back_write_changes_nothing_and_the_next_one_does(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    PublicDataVersion.objects.update_or_create(pk=PublicDataVersion.SINGLETON, defaults={"token": "a"})
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        pagecache.data_changed()
        raise RuntimeError
    assert PublicDataVersion.objects.get().token == "a"
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.data_changed()
    assert PublicDataVersion.objects.get().token != "a"


def test_a_signed_in_visitor_gets_a_page_of_their_own(world: World) -> None:
    url = reverse("public:centre", args=[world.centre_a.slug])
    Client().get(url)
    staff = Client()
    staff.force_login(world.users["manager_a"])
    page = staff.get(url).content.decode()
    assert "manager_a" in page or reverse("accounts:logout") in page
    assert kept_pages() == 1


def test_languages_and_the_language_offer_are_kept_apart(world: World) -> None:
    uk = Client(HTTP_ACCEPT_LANGUAGE="uk").get("/about/").content.decode()
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en").get("/about/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="uk").get("/en/about/").content.decode()
    assert 'class="language-hint"' not in uk
    assert 'class="language-hint"' in english_browser
    assert '<html lang="en"' in english and '<html lang="uk"' in uk
    chose = Client(HTTP_ACCEPT_LANGUAGE="en")
    chose.cookies["django_language"] = "uk"
    assert 'class="language-hint"' not in chose.get("/about/").content.decode()


def test_public_pages_carry_no_csrf_token_and_set_no_cookie(world: World) -> None:
    response = Client().get("/")
    assert b"csrfmiddlewaretoken" not in response.content
    assert not response.cookies


def test_every_search_is_logged_even_when_its_page_is_reused(world: World) -> None:
    for _ in range(3):
        assert Client(REMOTE_ADDR="203.0.113.9").get("/services/", {"q": "пенсія"}).status_code == 200
    assert kept_pages() == 1
    assert sum(SearchLog.objects.filter(query="пенсія").values_list("searches", flat=True)) == 3


def test_a_click_from_the_results_is_counted_on_a_reused_page(world: World) -> None:
    from cipnet.eservices import services as catalogue_services

    provider = Provider.objects.create(slug="pfu", name="Пенсійний фонд України")
    card = catalogue_services.card_create(
        actor=None, identifier="pension-online", name="Пенсія онлайн", provider=provider.pk,
        short_description="Пенсія онлайн", description="Пенсія онлайн", kind=CardKind.ADMINISTRATIVE,
    )  # fmt: skip
    catalogue_services.search_log_record(query="пенсія", results=1)
    url = reverse("eservices:card", args=[card.identifier])
    for _ in range(2):
        assert Client().get(url, {"q": "пенсія"}).status_code == 200
    assert SearchLog.objects.get(query="пенсія").clicks == 2


def test_switching_language_needs_no_token_but_only_from_our_own_pages(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    same = client.post("/i18n/setlang/", {"language": "en", "next": "/about/"}, HTTP_SEC_FETCH_SITE="same-origin")
    assert same.status_code == 302 and same["Location"] == "/en/about/"
    old_browser = client.post("/i18n/setlang/", {"language": "pl", "next": "/about/"}, HTTP_ORIGIN="http://testserver")
    assert old_browser.status_code == 302
    for headers in ({"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_ORIGIN": "https://evil.example"},
                    {"HTTP_REFERER": "https://evil.example/page"}, {"HTTP_ORIGIN": "null"}):  # fmt: skip
        refused = client.post("/i18n/setlang/", {"language": "pl", "next": "/about/"}, **headers)
        assert refused.status_code == 403, headers
        assert "django_language" not in refused.cookies
    # The refusal is a page in the visitor's language, saying what to do instead.
    refused = client.post("/i18n/setlang/", {"language": "en", "next": "/about/"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert refused["Content-Type"].startswith("text/html")
    assert "Мову можна змінити лише на сторінках цього сайту" in refused.content.decode()
    polish = client.post("/i18n/setlang/", {"language": "en", "next": "/pl/about/"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert polish.status_code == 403 and "Język można zmienić tylko na stronach tej witryny" in polish.content.decode()


def test_api_lists_reuse_their_data_but_still_throttle(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    client = Client(HTTP_ACCEPT="application/json")
    first = client.get("/api/v1/centres/")
    second = client.get("/api/v1/centres/")
    assert first.json() == second.json() and first.json()["count"] == 2
    assert sum(1 for key in cache._cache if ":pagecache:data:" in key) == 1  # type: ignore[attr-defined]
    # The rates are read when a throttle is made: patched on the class, restored after the test.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "3/min"})
    cache.clear()
    codes = [client.get("/api/v1/centres/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


@pytest.mark.parametrize("uses", ["csrf token", "csp nonce", "cookie", "not found"])
def test_a_page_for_one_visitor_only_is_not_kept(world: World, rf: Any, uses: str) -> None:
    from django.http import Http404, HttpResponse
    from django.middleware.csp import ContentSecurityPolicyMiddleware
    from django.middleware.csrf import get_token

    calls: list[int] = []

    @pagecache.public_page
    def view(request: Any) -> HttpResponse:
        calls.append(1)
        response = HttpResponse("page")
        if uses == "csrf token":
            get_token(request)
        elif uses == "csp nonce":
            str(request._csp_nonce)
        elif uses == "cookie":
            response.set_cookie("seen", "1")
        else:
            raise Http404
        return response

    for _ in range(2):
        request = rf.get("/kept/")
        request.LANGUAGE_CODE = "uk"
        ContentSecurityPolicyMiddleware(lambda r: HttpResponse()).process_request(request)
        with contextlib.suppress(Http404):
            view(request)
    assert len(calls) == 2 and kept_pages() == 0


def test_htmx_asking_for_a_part_of_the_finder_gets_the_part(world: World) -> None:
    full = Client().get("/centres/", {"region": "mykolaivska"})
    part = Client().get("/centres/", {"region": "mykolaivska"}, HTTP_HX_REQUEST="true")
    again = Client().get("/centres/", {"region": "mykolaivska"})
    assert b"<html" in full.content and b"<html" not in part.content
    assert again.content == full.content
    assert kept_pages() == 2
