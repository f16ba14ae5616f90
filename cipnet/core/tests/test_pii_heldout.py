"""The detector over a held-out set of 86 hand-written appeals and consultants' notes
(pii_heldout.jsonl), written one by one and not from the templates of pii_corpus.py that the
detector was tuned on: recall per kind against the issue's thresholds.

Each line: {"id", "kind": "appeal" | "note", "lang": "uk" | "ru" | "surzhyk", "author" (the author's
full name, "" when unknown or a note), "text", "spans": [[kind, start, end, the span's text], ...]}.
Kinds with fewer than MIN_SUPPORT labelled spans are measured (bench/results/redaction.md) but not
asserted: one miss would swing their recall by a fifth or more.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from cipnet.core.pii.evaluation import evaluate
from cipnet.core.tests.pii_corpus import KINDS

HELDOUT = Path(__file__).with_name("pii_heldout.jsonl")
MIN_SUPPORT = 5


def load_heldout() -> list[dict]:
    return [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def heldout_samples() -> list[tuple[str, str, list[tuple[str, int, int]]]]:
    return [(r["text"], r["author"], [(k, s, e) for k, s, e, _ in r["spans"]]) for r in load_heldout()]


@pytest.fixture(scope="module")
def scores():
    return evaluate(heldout_samples())


def test_the_heldout_file_is_well_formed() -> None:
    rows = load_heldout()
    assert len(rows) >= 80
    assert len({r["id"] for r in rows}) == len(rows)
    assert sum(r["kind"] == "note" for r in rows) >= 10
    assert any(not r["spans"] for r in rows), "some texts carry no personal data"
    for r in rows:
        assert r["kind"] in ("appeal", "note")
        assert isinstance(r["author"], str) and isinstance(r["text"], str) and r["text"]
        for kind, start, end, quoted in r["spans"]:
            assert kind in KINDS, (r["id"], kind)
            assert 0 <= start < end <= len(r["text"]), (r["id"], start, end)
            assert r["text"][start:end] == quoted, (r["id"], quoted)
        if any(k == "author_name" for k, *_ in r["spans"]):
            assert r["author"], r["id"]
        spans = sorted((s, e) for _, s, e, _ in r["spans"])
        assert all(a[1] <= b[0] for a, b in pairwise(spans)), (r["id"], "overlapping spans")


def test_the_authors_name_is_found_in_any_form(scores) -> None:
    score = scores["author_name"]
    assert score.labelled >= 40
    assert score.recall >= 0.99, score.missed


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "author_name"])
def test_every_other_kind_is_found(scores, kind: str) -> None:
    score = scores.get(kind)
    if score is None or score.labelled < MIN_SUPPORT:
        pytest.skip(f"{kind}: {score.labelled if score else 0} labelled spans, fewer than {MIN_SUPPORT}; reported only")
    assert score.recall >= 0.95, score.missed
