"""Precision and recall of the personal-data detector over a labelled corpus, per kind.

Recall of a kind: the share of its labelled spans whose every letter and digit is covered by some
finding (of any kind: what counts is that it does not reach the public). Precision of a kind: the
share of its findings that overlap a labelled span (of any kind). Used by the corpus test and by
`python -m bench redaction`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cipnet.core.pii import find_personal_data


@dataclass
class Score:
    labelled: int = 0
    recalled: int = 0
    found: int = 0
    correct: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.recalled / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def evaluate(samples: Iterable[tuple[str, str, Sequence[tuple[str, int, int]]]]) -> dict[str, Score]:
    """`samples`: (text, the author's name, labelled (kind, start, end) spans)."""
    scores: dict[str, Score] = {}
    for text, author, spans in samples:
        findings = find_personal_data(text, names=[author] if author else [])
        covered = [False] * len(text)
        for f in findings:
            for i in range(f.start, f.end):
                covered[i] = True
        for kind, start, end in spans:
            score = scores.setdefault(kind, Score())
            score.labelled += 1
            if all(covered[i] for i in range(start, end) if text[i].isalnum()):
                score.recalled += 1
            else:
                score.missed.append(text[start:end])
        for f in findings:
            score = scores.setdefault(str(f.kind), Score())
            score.found += 1
            if any(f.start < end and start < f.end for _, start, end in spans):
                score.correct += 1
            else:
                score.false_alarms.append(f.text)
    return scores
