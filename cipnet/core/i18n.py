"""Content translated in the database: a `<field>` in Ukrainian with optional `<field>_en`, `<field>_pl`."""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

from cipnet.core.text import transliterate

CONTENT_LANGUAGES = ("uk", "en", "pl")


def current_language() -> str:
    return (get_language() or "uk").split("-")[0]


class Localized(str):
    """Text from the database that knows its language (`uk` when a translation was missing).

    It is a plain `str` everywhere else; the `|lang` template filter marks it `lang="uk"` on a page
    in another language, so that screen readers read the Ukrainian fallback as Ukrainian.
    """

    language: str

    def __new__(cls, value: object = "", language: str = "uk") -> Localized:
        text = super().__new__(cls, value)
        text.language = language
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (Localized, (str(self), self.language))


def localized(obj: Any, field: str, language: str | None = None) -> Localized:
    """The field in the current language, falling back to Ukrainian."""
    language = language or current_language()
    if language != "uk":
        value = getattr(obj, f"{field}_{language}", "")
        if value:
            return Localized(value, language)
    return Localized(getattr(obj, field, "") or "", "uk")


def content_language(value: object) -> str | None:
    """The language of a piece of content: its own for `Localized`, `uk` for text in Cyrillic letters
    (the content entered only in Ukrainian: addresses, steps, names), else unknown (None)."""
    if isinstance(value, Localized):
        return value.language
    if isinstance(value, str) and any("\u0400" <= char <= "\u04ff" for char in value):
        return "uk"
    return None


def place_name(name: str, language: str | None = None) -> str:
    """Ukrainian place names are shown in Latin transliteration outside the Ukrainian interface."""
    language = language or current_language()
    return name if language == "uk" else transliterate(name)


def marked(value: Any) -> SafeString:
    """`value`, escaped, in `<span lang="uk">` when it is Ukrainian content on a page in another language
    (what the `|lang` template filter does, for Python code)."""
    language = content_language(value)
    if language and language != current_language():
        return format_html('<span lang="{}">{}</span>', language, value)
    return conditional_escape(value)


def _hint(message: str, **examples: object) -> SafeString:
    return mark_safe(escape(gettext(message)) % {name: marked(value) for name, value in examples.items()})


#: A hint that quotes Ukrainian examples (`%(name)s` in a translated message, filled in with the example
#: marked `lang="uk"` on English and Polish pages). Lazy: translated in the language of each request.
hint_with_examples = lazy(_hint, SafeString)


# Django's own empty choice of a select ("- Select an option -"), worded for our users in our
# catalogues (it wins over Django's). Named here so that `make messages` keeps it.
EMPTY_CHOICE = gettext_noop("- Select an option -")
