"""Form widgets that mark Ukrainian content `lang="uk"` on pages in another language (see `cipnet.core.i18n`).

A choice list of authorities, libraries or topics shows their Ukrainian names when no translation was
entered, and an edit form shows the Ukrainian text being edited: screen readers must read those in
Ukrainian. An `<option>` cannot hold markup, so the mark goes on the element itself.
"""

from __future__ import annotations

from typing import Any

from django import forms

from cipnet.core.i18n import content_language, current_language


def language_attrs(value: object, attrs: dict[str, Any] | None) -> dict[str, Any]:
    """`attrs` with `lang` set when `value` is content in a language other than the page's."""
    language = content_language(value)
    if language and language != current_language():
        return {**(attrs or {}), "lang": language}
    return attrs or {}


class LanguageMarkedSelect(forms.Select):
    """A `<select>` whose options in Ukrainian get `lang="uk"` on an English or Polish page."""

    def create_option(self, name: str, value: Any, label: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, label, *args, **kwargs)
        option["attrs"] = language_attrs(label, option["attrs"])
        return option


class LanguageMarkedTextarea(forms.Textarea):
    """A `<textarea>` that gets `lang="uk"` when the text in it is Ukrainian on another language's page."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"] = language_attrs(widget["value"], widget["attrs"])
        return context
