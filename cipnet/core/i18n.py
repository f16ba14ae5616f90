"""Content translated in the database: a `<field>` in Ukrainian with optional `<field>_en`, `<field>_pl`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from cipnet.core.text import transliterate

CONTENT_LANGUAGES = ("uk", "en", "pl")


def current_language() -> str:
    return (get_language() or "uk").split("-")[0]


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """The field in the current language, falling back to Ukrainian."""
    language = language or current_language()
    if language != "uk":
        value = getattr(obj, f"{field}_{language}", "")
        if value:
            return str(value)
    return str(getattr(obj, field, "") or "")


def place_name(name: str, language: str | None = None) -> str:
    """Ukrainian place names are shown in Latin transliteration outside the Ukrainian interface."""
    language = language or current_language()
    return name if language == "uk" else transliterate(name)
