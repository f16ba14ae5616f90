"""Spotting personal data in free text, for the consultation log (which keeps no identity: notes with
personal data are refused) and the public register of appeals (texts are redacted and a moderator
confirms every remaining suspect before publication).

What is found (`PiiKind`): the author's name in any inflected form and other people's names
(`names`, by word forms from pymorphy3); home addresses with a house or flat number, postal codes,
dates of birth, e-mail addresses (also obfuscated), phone numbers, passport and ID-card numbers, tax
numbers, bank cards, IBANs and car plates (`patterns`). The detector favours catching too much over too
little: a consultant can rephrase a note and a moderator can confirm a false alarm; a leaked name
cannot be taken back. Precision and recall per kind over a labelled corpus are in
bench/results/redaction.md (`python -m bench redaction`).
"""

from __future__ import annotations

from collections.abc import Iterable

from cipnet.core.pii.kinds import LABELS, Finding, PiiKind
from cipnet.core.pii.names import find_names
from cipnet.core.pii.patterns import addresses, birth_dates, luhn_is_valid, numbers, rnokpp_is_valid

__all__ = ["LABELS", "Finding", "PiiKind", "find_personal_data", "luhn_is_valid", "redact", "rnokpp_is_valid"]

REPLACEMENT = "███"


def find_personal_data(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """Every stretch of `text` that looks like personal data, in order of appearance, never
    overlapping. `names`: the author's names (full name, maiden name…), found in any form."""
    if not text:
        return []
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: PiiKind, start: int, end: int) -> None:
        if start >= end or any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(Finding(kind, start, end, text[start:end]))

    # Most specific first: a number inside an address or an e-mail is reported once, as that.
    for kind, start, end in numbers(text):
        add(kind, start, end)
    for kind, start, end in birth_dates(text):
        add(kind, start, end)
    for kind, start, end in addresses(text):
        add(kind, start, end)
    for kind, start, end in find_names(text, tuple(names)):
        add(kind, start, end)
    found.sort(key=lambda f: f.start)
    return found


def redact(text: str, replacement: str = REPLACEMENT, *, names: Iterable[str] = ()) -> str:
    """`text` with every finding replaced."""
    out = []
    last = 0
    for f in find_personal_data(text, names=names):
        out.append(text[last : f.start])
        out.append(replacement)
        last = f.end
    out.append(text[last:])
    return "".join(out)
