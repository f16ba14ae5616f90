"""The message catalogues are complete, keep their placeholders, and their compiled .mo files are current.

Every .po under cipnet/locale/<lang>/LC_MESSAGES/ is checked, so a new domain (djangojs) is covered too.
When one of these fails after `make messages`: translate the listed entries, remove `#, fuzzy`, then run
`manage.py compile_translations` and commit the .po and .mo files together.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import django
import polib
import pytest
from django.conf import settings
from django.utils import translation

import cipnet

LOCALE_DIR = Path(cipnet.__file__).resolve().parent / "locale"
DJANGO_LOCALE_DIR = Path(django.__file__).resolve().parent / "conf" / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))

# printf-style: %(name)s, %(duration).1f, %d, %s … ("%%" is a literal percent sign, not a placeholder).
PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")
# str.format: {value}, {0}, {name!r:>10} ("{{" and "}}" are literal braces).
BRACE = re.compile(r"{{|}}|{([^{}]*)}")


PLURAL_FORMS = {
    "uk": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "en": "nplurals=2; plural=(n != 1);",
}


def po_id(path: Path) -> str:
    return str(path.relative_to(LOCALE_DIR))


def load(path: Path) -> polib.POFile:
    return polib.pofile(str(path))


def forms(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [text for _, text in sorted(entry.msgstr_plural.items(), key=lambda item: int(item[0]))]
    return [entry.msgstr]


def nplurals(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def placeholders(text: str, flags: list[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(named placeholders, positional placeholders in order) of the formats the entry is flagged with."""
    named: set[str] = set()
    positional: list[str] = []
    if "python-format" in flags or "javascript-format" in flags:
        for match in PERCENT.finditer(text):
            token = match.group(0)
            if token == "%%":
                continue
            (named.add if match.group("name") is not None else positional.append)(token)
    if "python-brace-format" in flags:
        for match in BRACE.finditer(text):
            if match.group(1) is not None:
                named.add("{" + match.group(1) + "}")
    return frozenset(named), tuple(positional)


def describe(entry: polib.POEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r}"


def test_every_language_has_a_django_catalogue() -> None:
    missing = [lang for lang in LANGUAGES if not (LOCALE_DIR / lang / "LC_MESSAGES" / "django.po").is_file()]
    assert not missing, f"no django.po for: {', '.join(missing)} (run `make messages`)"


def test_catalogues_were_found() -> None:
    assert {path.parts[-3] for path in PO_FILES} >= set(LANGUAGES)


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_header(path: Path) -> None:
    po = load(path)
    lang = path.parts[-3]
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    assert po.metadata.get("Language") == lang
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    # Our own plural rule (the CLDR rule for whole numbers: 3 forms in uk and pl, 2 in en); Django keeps a
    # catalogue with another rule (its own uk/pl ones have a 4th form for fractions) apart, so both work.
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS[lang]


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_everything_is_translated(path: Path) -> None:
    po = load(path)
    expected_forms = nplurals(po)
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        texts = forms(entry)
        if entry.fuzzy:
            problems.append(f"fuzzy: {describe(entry)}")
        elif any(not text for text in texts):
            problems.append(f"untranslated: {describe(entry)}")
        elif entry.msgid_plural and len(texts) != expected_forms:
            problems.append(f"{len(texts)} plural forms instead of {expected_forms}: {describe(entry)}")
    assert not problems, f"{po_id(path)}: {len(problems)} entries to fix:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_placeholders_are_kept(path: Path) -> None:
    po = load(path)
    problems = []
    for entry in po:
        if entry.obsolete or not any(flag.endswith("-format") for flag in entry.flags):
            continue
        # A plural form may follow either the singular ("Your centre") or the plural ("Your %(counter)s
        # centres"): languages such as Ukrainian use the "singular" form for 21, 31 … as well.
        allowed = {placeholders(entry.msgid, entry.flags)}
        if entry.msgid_plural:
            allowed.add(placeholders(entry.msgid_plural, entry.flags))
        for text in forms(entry):
            if text and placeholders(text, entry.flags) not in allowed:
                problems.append(f"{describe(entry)} → {text!r}")
    assert not problems, f"{po_id(path)}: placeholders differ from the msgid:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_mo_is_compiled_from_the_current_po(path: Path) -> None:
    mo_path = path.with_suffix(".mo")
    assert mo_path.is_file(), f"{po_id(mo_path)} is missing: run `manage.py compile_translations`"
    po, mo = load(path), polib.mofile(str(mo_path))

    def key(entry: polib.POEntry | polib.MOEntry) -> tuple[str, str, str]:
        return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")

    wanted = {key(e): forms(e) for e in po.translated_entries() if e.msgid}
    compiled = {key(e): forms(e) for e in mo if e.msgid}
    stale = sorted(repr(k[1]) for k in wanted.keys() | compiled.keys() if wanted.get(k) != compiled.get(k))
    assert not stale, (
        f"{po_id(mo_path)} is stale (run `manage.py compile_translations`); differing entries:\n" + "\n".join(stale)
    )
    assert dict(mo.metadata) == dict(po.metadata), f"{po_id(mo_path)} has an old header"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_django_serves_the_compiled_translations(lang: str) -> None:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"
    entries = [e for e in load(path).translated_entries() if not e.msgid_plural and not e.msgctxt]
    assert entries
    with translation.override(lang):
        wrong = [e.msgid for e in entries if translation.gettext(e.msgid) != e.msgstr]
    # Django's own catalogues win for nothing of ours: every msgid must come back as our msgstr.
    assert not wrong, f"{lang}: Django does not return our translation for: {wrong[:10]}"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_catalogues_hold_every_message_of_the_code(tmp_path: Path, domain: str) -> None:
    """Extract the messages again (as `make messages` does, in a copy of the code) and find each in
    the committed Ukrainian catalogue: a new string nobody extracted fails here, not in front of a user."""
    import shutil
    import subprocess
    import sys

    root = LOCALE_DIR.parent.parent
    ignore = shutil.ignore_patterns("locale", "node_modules", "vendor", "__pycache__", "*.pyc", "tests")
    shutil.copytree(root / "cipnet", tmp_path / "cipnet", ignore=ignore)
    shutil.copytree(root / "config", tmp_path / "config", ignore=ignore)
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    (tmp_path / "cipnet" / "locale").mkdir()
    args = ["makemessages", "-d", domain, "-l", "uk", "--no-obsolete", "--no-location", "--ignore=static/vendor"]
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, "../manage.py", *args],
        cwd=tmp_path / "cipnet",
        env={**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=True,
        capture_output=True,
    )
    fresh = tmp_path / "cipnet" / "locale" / "uk" / "LC_MESSAGES" / f"{domain}.po"
    ours = LOCALE_DIR / "uk" / "LC_MESSAGES" / f"{domain}.po"
    extracted = load(fresh) if fresh.is_file() else []  # no file: the code has no such message
    known = {(e.msgctxt, e.msgid) for e in load(ours) if not e.obsolete} if ours.is_file() else set()
    missing = [describe(e) for e in extracted if (e.msgctxt, e.msgid) not in known]
    assert not missing, "not in the catalogues (run `make messages` and translate):\n" + "\n".join(missing)
