"""The morphological analysers (pymorphy3, Ukrainian and Russian dictionaries), loaded once per
process on first use and shared by everything that needs word forms: the catalogue's search and the
personal-data detector. Loading takes a quarter of a second and tens of megabytes, so never twice."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer

_lock = threading.Lock()
_analysers: tuple[MorphAnalyzer, MorphAnalyzer] | None = None


def analysers() -> tuple[MorphAnalyzer, MorphAnalyzer]:
    """The Ukrainian and the Russian analyser."""
    global _analysers
    if _analysers is None:
        with _lock:
            if _analysers is None:
                from pymorphy3 import MorphAnalyzer

                _analysers = (MorphAnalyzer(lang="uk"), MorphAnalyzer(lang="ru"))
    return _analysers
