"""Ukrainian content on English and Polish pages is marked lang="uk"; interface strings are translated
in the language of the request, not once at import."""

from __future__ import annotations

import pytest
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.template import Context, Template
from django.utils import translation

from cipnet.core.i18n import Localized, localized


class Named:
    name = "Центральна бібліотека"
    name_en = "Central Library"
    name_pl = ""


def render(source: str, **context: object) -> str:
    return Template("{% load cipnet %}" + source).render(Context(context))


def test_a_fallback_knows_its_language() -> None:
    with translation.override("pl"):
        value = localized(Named(), "name")
    assert value == "Центральна бібліотека" and value.language == "uk"
    with translation.override("en"):
        assert localized(Named(), "name").language == "en"


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_ukrainian_content_is_marked_on_other_pages(lang: str) -> None:
    with translation.override(lang):
        assert render("{{ v|lang }}", v=Localized("<вул>", "uk")) == '<span lang="uk">&lt;вул&gt;</span>'
        assert render("{{ v|lang }}", v="вул. Шевченка, 10") == '<span lang="uk">вул. Шевченка, 10</span>'
        assert render("{{ v|lang }}", v=Localized("Library", lang)) == "Library"
        assert render("<li{{ v|lang_attr }}>", v="Крок") == '<li lang="uk">'


def test_nothing_is_marked_on_ukrainian_pages() -> None:
    with translation.override("uk"):
        assert render("{{ v|lang }}<li{{ v|lang_attr }}>", v=Localized("вул", "uk")) == "вул<li>"


@pytest.mark.parametrize(("lang", "expected"), [("en", "Up to 5 files"), ("pl", "Do 5 plików"), ("uk", "До 5 файлів")])
def test_the_attachment_hint_speaks_the_language_of_the_request(lang: str, expected: str) -> None:
    from cipnet.appeals.forms import ATTACHMENTS_HELP

    with translation.override(lang):
        assert str(ATTACHMENTS_HELP).startswith(expected)


@pytest.mark.parametrize(("lang", "expected"), [("uk", "— Оберіть —"), ("pl", "— Wybierz —")])
def test_djangos_empty_choice_is_translated(lang: str, expected: str) -> None:
    with translation.override(lang):
        assert str(BLANK_CHOICE_LABEL) == expected


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_ukrainian_options_and_text_areas_are_marked_on_other_pages(lang: str) -> None:
    from cipnet.core.widgets import LanguageMarkedSelect, LanguageMarkedTextarea

    select = LanguageMarkedSelect(choices=[("", "—"), ("1", "Миколаївська міська рада"), ("2", "City council")])
    with translation.override(lang):
        html = select.render("authority", "1")
        assert '<option value="1" selected lang="uk">Миколаївська міська рада</option>' in html
        assert '<option value="2">City council</option>' in html
        assert '<textarea name="d" cols="40" rows="10" lang="uk">\nКрок</textarea>' in LanguageMarkedTextarea().render(
            "d", "Крок"
        )
        assert "lang=" not in LanguageMarkedTextarea().render("d", "Step")
    with translation.override("uk"):
        assert "lang=" not in select.render("authority", "1")
        assert "lang=" not in LanguageMarkedTextarea().render("d", "Крок")


def test_hints_mark_their_ukrainian_examples_and_typed_words_stay_escaped() -> None:
    from django.utils.translation import gettext_noop

    from cipnet.core.i18n import hint_with_examples

    hint = hint_with_examples(gettext_noop("For example: %(places)s, Mykolaiv"), places="Миколаїв, Стрий")
    with translation.override("pl"):
        assert render("{{ h }}", h=hint) == 'Na przykład: <span lang="uk">Миколаїв, Стрий</span>, Mykolaiv'
        typed = (
            "{% load i18n %}{% blocktranslate with place=q|lang %}"
            "Which “{{ place }}” do you mean?{% endblocktranslate %}"
        )
        assert '<span lang="uk">&lt;b&gt;Стрий</span>' in render(typed, q="<b>Стрий")
    with translation.override("uk"):
        assert render("{{ h }}", h=hint) == "Наприклад: Миколаїв, Стрий, Mykolaiv"
        assert "&lt;b&gt;Стрий" in render(typed, q="<b>Стрий")
