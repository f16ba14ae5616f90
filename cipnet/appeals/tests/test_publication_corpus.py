"""1,000 generated appeals full of personal data (the detector's corpus generator, fixed seed), each
redacted by `propose_publication` and published through `appeal_moderate` without any confirmation:
the register's pages and API hold none of their labelled personal data."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from cipnet.appeals import publication
from cipnet.appeals.models import Appeal, Publication
from cipnet.appeals.redaction import propose_publication
from cipnet.appeals.tests.conftest import Reception
from cipnet.appeals.tests.test_publication import MONDAY, clock, pending  # noqa: F401 (fixture)
from cipnet.core.tests.pii_corpus import build_corpus

COUNT = 1000


def test_a_thousand_redacted_appeals_publish_nothing_personal(
    reception: Reception,
    clock: Callable[[dt.datetime], None],  # noqa: F811
) -> None:
    clock(MONDAY)
    template = pending(reception)
    corpus = build_corpus(seed=1306, appeals=900, ru=100, notes=0)
    assert len(corpus) == COUNT
    clones = []
    for i, sample in enumerate(corpus):
        case = Appeal.objects.get(pk=template.pk)
        case.pk = None
        case.number = f"{template.number}-{i}"
        case.follow_token, case.reply_token, case.idempotency_key = f"follow{i:026d}", f"reply{i:019d}", None
        case.author_name = sample.author
        case.author_email = case.author_phone = case.author_address = ""
        case.subject = "Звернення"
        case.text = sample.text
        case.answer_text = "Відповідь надано."
        propose_publication(case)
        clones.append(case)
    cases = Appeal.objects.bulk_create(clones)
    moderator = reception.world.users["admin"]
    for case in cases:
        publication.appeal_moderate(
            actor=moderator,
            appeal=case,
            publish=True,
            subject=case.public_subject,
            text=case.public_text,
            answer=case.public_answer,
        )
    assert Appeal.objects.filter(publication=Publication.PUBLISHED).count() == COUNT

    client = Client()
    published: dict[str, str] = {}  # number → everything the register shows of it
    page = 1
    while True:
        response = client.get(reverse("api:reception-register"), {"page": page})
        assert response.status_code == 200
        body = response.json()
        for row in body["results"]:
            published[row["number"]] = json.dumps(row, ensure_ascii=False)
        if not body.get("next"):
            break
        page += 1
    assert len(published) == COUNT
    for case in cases:
        response = client.get(reverse("reception_register:case", args=[case.number]))
        assert response.status_code == 200
        published[case.number] += html.unescape(response.content.decode())
    leaks = [
        (kind, sample.text[start:end], case.number)
        for sample, case in zip(corpus, cases, strict=True)
        for kind, start, end in sample.spans
        if re.search(rf"(?<!\w){re.escape(sample.text[start:end])}(?!\w)", published[case.number])
    ]
    assert leaks == []
    # What was checked is the redacted text: each case's question is there.
    for case in cases[:: COUNT // 10]:
        case.refresh_from_db()
        assert json.dumps(case.public_text, ensure_ascii=False)[1:-1] in published[case.number]
