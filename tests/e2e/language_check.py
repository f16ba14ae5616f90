"""Interface text in the wrong language, as a reader of the rendered page meets it.

`wrong_language_problems(page, language)` lists, for a page rendered in `language`:

- on English and Polish pages, every piece of Ukrainian (Cyrillic) text, in a text node or in an
  attribute people hear or see (placeholder, title, aria-label, alt, a button's value), that has no
  ancestor marked `lang="uk"`: either an untranslated interface string or content shown in Ukrainian
  for want of a translation, which a screen reader would then mispronounce;
- on Ukrainian and Polish pages, every piece of text that is exactly an English interface string of
  the project (the English `msgstr` of an entry of the English catalogue whose Ukrainian or Polish
  translation differs), or a short run of common English interface words (Django's and widgets'
  own strings the catalogue does not hold), outside anything marked `lang="en"`;
- on every page, a choice list whose empty choice reads "---------" (Django's untranslated default).

A crawl of every page calls it; `test_languages.py` runs it over a representative set of pages.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import polib
from playwright.sync_api import Page

LOCALE = Path(__file__).resolve().parents[2] / "cipnet" / "locale"

#: English words that are interface words and not words of Ukrainian or Polish written in Latin letters.
ENGLISH_UI_WORDS = frozenset(
    {
        "the",
        "and",
        "of",
        "your",
        "you",
        "please",
        "select",
        "option",
        "choose",
        "search",
        "submit",
        "cancel",
        "save",
        "delete",
        "remove",
        "close",
        "open",
        "next",
        "previous",
        "back",
        "more",
        "less",
        "show",
        "hide",
        "loading",
        "required",
        "optional",
        "file",
        "files",
        "browse",
        "upload",
        "download",
        "zoom",
        "sign",
        "page",
        "yes",
        "no",
        "this",
        "field",
    }
)
# Text that is the same in every language, or not words at all: numbers, codes, e-mail and web addresses.
_NOT_WORDS = re.compile(r"^[\W\d_]*$")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")

_COLLECT_JS = """
() => {
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "svg"]);
  const out = [];
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 3; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) s += "#" + e.id;
      else if (e.classList.length) s += "." + [...e.classList].slice(0, 2).join(".");
      parts.unshift(s);
    }
    return parts.join(" > ");
  };
  const langOf = (el) => {
    const marked = el.closest("[lang]");
    return marked ? marked.getAttribute("lang").toLowerCase().split("-")[0] : "";
  };
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    // The document's <title> cannot carry markup (a Ukrainian name in it cannot be marked): skip <head>.
    if (!el || skip.has(el.tagName) || el.closest("head, script, style, noscript, template, svg")) continue;
    const text = node.nodeValue.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    out.push({text, lang: langOf(el), where: describe(el), tag: el.tagName.toLowerCase()});
  }
  const attrs = ["placeholder", "title", "aria-label", "alt", "aria-roledescription"];
  for (const el of document.querySelectorAll("*")) {
    if (el.closest("svg")) continue;
    for (const name of attrs) {
      const value = (el.getAttribute(name) || "").replace(/\\s+/g, " ").trim();
      if (value) out.push({text: value, lang: langOf(el), where: describe(el) + "@" + name, tag: "@"});
    }
    if (el.matches("input[type=submit], input[type=button], input[type=reset]") && el.value) {
      out.push({text: el.value.trim(), lang: langOf(el), where: describe(el) + "@value", tag: "@"});
    }
  }
  return out;
}
"""


@functools.cache
def _catalogue(language: str) -> dict[str, str]:
    """msgid (and plural msgid) → translation (all plural forms joined by newlines) in one language."""
    translations: dict[str, str] = {}
    for entry in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po")):
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            forms = "\n".join(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            translations[entry.msgid] = forms
            translations[entry.msgid_plural] = forms
        else:
            translations[entry.msgid] = entry.msgstr
    return translations


@functools.cache
def english_interface_strings(language: str) -> frozenset[str]:
    """The project's English interface strings that read differently in `language`.

    Only whole strings without placeholders, of at least one Latin word, are kept: a text node equal
    to one of them on a Ukrainian or Polish page is an untranslated interface string.
    """
    english = _catalogue("en")
    other = _catalogue(language)
    found: set[str] = set()
    for msgid, translated in english.items():
        for text in translated.split("\n"):
            text = " ".join(text.split())
            if not text or "%(" in text or "{" in text or "%s" in text or not _LATIN_WORD.search(text):
                continue
            if " ".join(other.get(msgid, "").split()) in (text, ""):
                continue  # the same in both languages (a name, "OK", "PDF"), or untranslated in the file
            found.add(text)
    return frozenset(found)


def _looks_english(text: str) -> bool:
    """A run of Latin words most of which are common English interface words (not a name, not Polish)."""
    if _CYRILLIC.search(text) or re.search(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]", text):
        return False
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    if not words or len(words) > 12:
        return False
    english = sum(1 for w in words if w in ENGLISH_UI_WORDS)
    return (english >= 2 and english * 2 >= len(words)) or (len(words) == 1 and english == 1 and len(text) > 3)


def wrong_language_problems(page: Page, language: str) -> list[str]:
    """Every piece of interface text on `page` that is not in `language` (see the module's docstring)."""
    items = page.evaluate(_COLLECT_JS)
    problems: list[str] = []
    english = english_interface_strings(language) if language in ("uk", "pl") else frozenset()
    for item in items:
        text, lang, where, tag = item["text"], item["lang"] or language, item["where"], item["tag"]
        short = text if len(text) <= 80 else text[:77] + "..."
        if tag == "option" and re.fullmatch(r"-{3,}", text):
            problems.append(f"{page.url}: an untranslated empty choice {short!r} at {where}")
            continue
        if _NOT_WORDS.match(text):
            continue
        if language in ("en", "pl") and _CYRILLIC.search(text) and lang != "uk":
            problems.append(f'{page.url}: Ukrainian text without lang="uk" at {where}: {short!r}')
        elif language in ("uk", "pl") and lang not in ("en",) and (text in english or _looks_english(text)):
            problems.append(f"{page.url}: English text on a {language} page at {where}: {short!r}")
    return problems
