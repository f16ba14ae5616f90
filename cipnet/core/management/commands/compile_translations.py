"""Compile the message catalogues (.po → .mo) with polib, so the machine needs no GNU gettext.

`manage.py compile_translations` writes every LOCALE_PATHS/<lang>/LC_MESSAGES/*.po next to itself as .mo;
`--check` writes nothing and fails when a .mo is missing or says something other than its .po.
Like msgfmt, only translated, non-fuzzy entries (and the header) go into the .mo.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

#: (msgctxt, msgid, msgid_plural) → the translation, one string per plural form.
Catalogue = dict[tuple[str, str, str], tuple[str, ...]]


def po_files() -> list[Path]:
    """Every catalogue in the project's locale folders, in a stable order."""
    found: list[Path] = []
    for folder in settings.LOCALE_PATHS:
        found.extend(sorted(Path(folder).glob("*/LC_MESSAGES/*.po")))
    return found


def entry_key(entry: polib.POEntry | polib.MOEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def entry_value(entry: polib.POEntry | polib.MOEntry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(text for _, text in sorted(entry.msgstr_plural.items(), key=lambda item: int(item[0])))
    return (entry.msgstr,)


def catalogue(entries: list[Any]) -> Catalogue:
    return {entry_key(e): entry_value(e) for e in entries if e.msgid}


def po_catalogue(po: polib.POFile) -> Catalogue:
    """What msgfmt would compile: translated, non-fuzzy, non-obsolete entries."""
    return catalogue(po.translated_entries())


def mo_catalogue(mo: polib.MOFile) -> Catalogue:
    return catalogue(list(mo))


def mo_is_current(po: polib.POFile, mo_path: Path) -> bool:
    """True when the .mo exists and holds exactly the .po's translations and header."""
    if not mo_path.is_file():
        return False
    try:
        mo = polib.mofile(str(mo_path))
    except (OSError, ValueError):
        return False
    return mo_catalogue(mo) == po_catalogue(po) and dict(mo.metadata) == dict(po.metadata)


def load_po(path: Path) -> polib.POFile:
    try:
        return polib.pofile(str(path))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc


class Command(BaseCommand):
    help = (
        "Compile every locale/*/LC_MESSAGES/*.po to .mo with polib (no GNU gettext needed). "
        "With --check, write nothing and fail if a .mo is missing or out of date."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check that each .mo is up to date with its .po; exit with an error otherwise.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = po_files()
        if not paths:
            folders = ", ".join(str(folder) for folder in settings.LOCALE_PATHS)
            raise CommandError(f"No .po files found under {folders}.")
        stale: list[str] = []
        for po_path in paths:
            mo_path = po_path.with_suffix(".mo")
            shown = self._shown(po_path)
            po = load_po(po_path)
            if options["check"]:
                if mo_is_current(po, mo_path):
                    self.stdout.write(f"{shown}: .mo is up to date")
                else:
                    stale.append(shown)
                    self.stderr.write(self.style.ERROR(f"{shown}: .mo is missing or out of date"))
                continue
            data = po.to_binary()
            if mo_path.is_file() and mo_path.read_bytes() == data:
                self.stdout.write(f"{shown}: unchanged")
                continue
            mo_path.write_bytes(data)
            translated, total = len(po.translated_entries()), len([e for e in po if not e.obsolete])
            self.stdout.write(self.style.SUCCESS(f"{shown}: compiled ({translated} of {total} translated)"))
        if stale:
            raise CommandError(
                f"{len(stale)} .mo file(s) out of date: run “manage.py compile_translations” and commit the .mo files."
            )

    @staticmethod
    def _shown(path: Path) -> str:
        try:
            return str(path.relative_to(Path(settings.BASE_DIR)))
        except ValueError:
            return str(path)
