"""Issue 14, the HTTP side of the layout items: a favicon, compressed pages and static files,
and the offer of the browser's language on the Ukrainian pages."""

from __future__ import annotations

import gzip

import pytest
from django.conf import settings
from django.test import Client

from cipnet.core.language_hint import preferred_language

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_served() -> None:
    client = Client()
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_link_their_icon() -> None:
    html = Client().get("/about/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html


def test_pages_and_static_files_are_compressed_for_browsers_that_accept_gzip() -> None:
    client = Client(headers={"accept-encoding": "gzip, deflate, br"})
    page = client.get("/about/")
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    assert "<html" in gzip.decompress(page.content).decode()
    css = client.get("/static/cipnet/css/cipnet.css")
    assert css.status_code == 200 and css["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("pl-PL,pl;q=0.9,en;q=0.5", "pl"),
        ("uk-UA,uk;q=0.9,en;q=0.8", "uk"),
        ("ru-RU,ru;q=0.9,en;q=0.5", "uk"),  # read by people who read Ukrainian
        ("de-DE,de;q=0.9,en;q=0.7", "en"),
        ("de-DE", None),
        ("", None),
    ],
)
def test_preferred_language(header: str, expected: str | None) -> None:
    assert preferred_language(header) == expected


def test_an_english_browser_is_offered_english_on_the_ukrainian_home_page() -> None:
    html = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/").content.decode()
    assert '<html lang="uk"' in html  # no redirect: the page stays Ukrainian
    assert 'class="language-hint" lang="en"' in html
    assert "This site is also in your language:" in html
    assert 'name="language" value="en"' in html


def test_a_polish_browser_is_offered_polish_in_polish() -> None:
    html = Client(headers={"accept-language": "pl"}).get("/").content.decode()
    assert 'class="language-hint" lang="pl"' in html
    assert "Ta strona jest dostępna także w Twoim języku:" in html
    assert ">Polski</button>" in html


@pytest.mark.parametrize(
    ("path", "header", "cookie"),
    [
        ("/", "uk-UA,uk", None),  # a Ukrainian browser
        ("/en/", "en", None),  # already in English
        ("/", "en", "uk"),  # chose Ukrainian once: never asked again
        ("/", "en", "en"),  # a cookie of any language means the visitor chose
    ],
)
def test_no_offer_when_it_would_not_help(path: str, header: str, cookie: str | None) -> None:
    client = Client(headers={"accept-language": header})
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    html = client.get(path).content.decode()
    assert "language-hint" not in html


def test_the_offer_switches_language_and_comes_back_to_the_page() -> None:
    client = Client(headers={"accept-language": "en"})
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/about/"})
    assert response.status_code == 302 and response["Location"] == "/en/about/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
