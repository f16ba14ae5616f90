"""Proposing a case for the public register: copies of its subject, text and answer with personal
data redacted (the author's own details too, which no pattern can know), for a moderator."""

from __future__ import annotations

from cipnet.appeals.models import Appeal, Publication
from cipnet.core.pii import redact


def propose_publication(appeal: Appeal) -> None:
    """Queue for the moderator, with personal data already redacted: the author's own details as
    given, the author's name in any inflected form, and whatever the detector finds."""
    known = [appeal.author_name, appeal.author_address, appeal.author_email]
    known += [appeal.author_phone] if appeal.author_phone else []

    def clean(text: str) -> str:
        for value in sorted({k for k in known if k and len(k) > 2}, key=len, reverse=True):
            text = _replace_ci(text, value)
        # Every form of every part of the author's name, other people's names, addresses, numbers.
        # Replacing a finding changes its neighbours' context: redact until nothing is left.
        for _round in range(3):
            redacted = redact(text, names=[appeal.author_name])
            if redacted == text:
                break
            text = redacted
        return text

    appeal.publication = Publication.PENDING
    appeal.public_subject = clean(appeal.subject)
    appeal.public_text = clean(appeal.text)
    appeal.public_answer = clean(appeal.answer_text)


def _replace_ci(text: str, value: str, replacement: str = "███") -> str:
    lowered, needle = text.casefold(), value.casefold()
    out, i = [], 0
    while True:
        j = lowered.find(needle, i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j] + replacement)
        i = j + len(value)
