"""A quiet offer of the visitor's own language on the Ukrainian pages.

Ukrainian is the default and its pages have no language prefix, so a browser that prefers English
or Polish still gets Ukrainian at `/`. Rather than redirect (which would hijack a shared library PC
or a Ukrainian speaker with an English browser), the page shows one line, in the browser's language,
with a button that switches language (and so sets the language cookie, after which the line is gone).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from cipnet.core.i18n import current_language

#: Browsers in these languages are read by people who read Ukrainian: no offer for them.
READS_UKRAINIAN = ("uk", "ru")


@dataclass(frozen=True)
class LanguageHint:
    code: str
    name: str  # the language's own name: "English", "Polski"
    message: str  # in that language
    next: str  # the page, to come back to in the new language


def preferred_language(accept_language: str) -> str | None:
    """The first language of the Accept-Language header that CIPnet speaks, or None."""
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(accept_language):
        base = code.split("-")[0].lower()
        if base in READS_UKRAINIAN:
            return settings.LANGUAGE_CODE
        if base in supported:
            return base
    return None


def language_hint(request: HttpRequest) -> LanguageHint | None:
    """The offer for this request, or None: only on a page in the default language, only to a visitor
    who never chose a language, only when the browser prefers another language that CIPnet speaks."""
    if request.method != "GET" or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return None
    if translation.get_language_from_path(request.path_info) or current_language() != settings.LANGUAGE_CODE:
        return None
    wanted = preferred_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
    if wanted is None or wanted == settings.LANGUAGE_CODE:
        return None
    with translation.override(wanted):
        message = translation.gettext("This site is also in your language:")
        name = translation.get_language_info(wanted)["name_local"]
    return LanguageHint(code=wanted, name=str(name).capitalize(), message=message, next=request.get_full_path())
