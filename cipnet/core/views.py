from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils import translation
from django.views.i18n import set_language as django_set_language


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, reading the page's own language from its address.

    Ukrainian pages have no prefix, English and Polish ones have /en/ and /pl/. Django
    translates `next` by resolving it in the active language; the switch itself lives
    outside the prefixed URLs, so we activate the language of `next` first, otherwise
    /en/… could not be resolved and would be returned unchanged.
    """
    next_url = request.POST.get("next", request.GET.get("next", ""))
    page_language = translation.get_language_from_path(urlsplit(next_url).path) or settings.LANGUAGE_CODE
    with translation.override(page_language):
        return django_set_language(request)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and bookmarking tools ask for whatever the page says: the static icon.
    A temporary redirect, because in production the static file's name carries its hash."""
    response = HttpResponseRedirect(static("cipnet/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
