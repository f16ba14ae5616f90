from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language as django_set_language


def from_this_site(request: HttpRequest) -> bool:
    """The form was sent from one of our own pages, by what the browser says of where it came from:
    `Sec-Fetch-Site`, else `Origin`, else `Referer`. A request that names none of them (an old browser,
    a privacy tool) is let through: the worst a forged one can do is change the page's language."""
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site in ("same-origin", "none")
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value:
            return value != "null" and url_has_allowed_host_and_scheme(
                value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
    return True


# The switch carries no CSRF token, so that the public pages carry none and the same page can be
# served to every visitor who is not signed in (cipnet.core.pagecache, ADR 10); where the request
# came from is checked instead (`from_this_site`).
@csrf_exempt
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, reading the page's own language from its address.

    Ukrainian pages have no prefix, English and Polish ones have /en/ and /pl/. Django
    translates `next` by resolving it in the active language; the switch itself lives
    outside the prefixed URLs, so we activate the language of `next` first, otherwise
    /en/… could not be resolved and would be returned unchanged.
    """
    next_url = request.POST.get("next", request.GET.get("next", ""))
    page_language = translation.get_language_from_path(urlsplit(next_url).path) or settings.LANGUAGE_CODE
    if request.method == "POST" and not from_this_site(request):
        request.LANGUAGE_CODE = page_language  # the refusal is in the language of the page it came from
        with translation.override(page_language):
            message = _(
                "The language can only be changed from this site's own pages. "
                "Open the page you want and choose the language there."
            )
            return TemplateResponse(request, "refused.html", {"message": message}, status=403).render()
    with translation.override(page_language):
        return django_set_language(request)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and bookmarking tools ask for whatever the page says: the static icon.
    A temporary redirect, because in production the static file's name carries its hash."""
    response = HttpResponseRedirect(static("cipnet/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
