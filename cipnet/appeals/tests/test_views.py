"""The reception through the browser's eyes (Django test client): forms keep what was typed,
scoping is 404, files are checked by content and served only to those allowed."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from cipnet.appeals import services
from cipnet.appeals.models import Appeal, AppealEvent, Attachment, EventKind, Status
from cipnet.appeals.tests.conftest import Reception, appeal_input, submitted
from cipnet.core.clock import KYIV

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=KYIV)


def form_data(r: Reception, **changes: Any) -> dict[str, Any]:
    data = {
        "authority": r.city.pk,
        "appeal_type": "complaint",
        "author_name": "Марія Іванівна Петренко",
        "author_address": "вул. Садова, 5, кв. 12, Миколаїв",
        "author_email": "maria@example.org",
        "subject": "Не працює освітлення",
        "text": "На вулиці Садовій другий місяць не світять ліхтарі. Прошу відремонтувати.",
        "send": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def login(client: Client, username: str) -> Client:
    client.login(username=username, password="correct-horse-battery")
    return client


def test_a_resident_without_account_confirms_then_follows(
    reception: Reception, client: Client, django_capture_on_commit_callbacks
) -> None:
    reception.clock(MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reception:new", args=["appeal"]), form_data(reception))
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()  # English: the messages fixture
    appeal = Appeal.objects.get()
    assert appeal.status == Status.DRAFT and appeal.user is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["maria@example.org"]
    link = re.search(r"https?://\S+/confirm/", mail.outbox[0].body)
    assert link is not None
    path = link.group(0).split("testserver", 1)[1]
    # Opening the link does not send: a mail scanner could open it. The button does.
    assert client.get(path).status_code == 200
    assert Appeal.objects.get().status == Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    appeal.refresh_from_db()
    assert appeal.status == Status.SUBMITTED
    assert response.url == reverse("reception:case", args=[appeal.follow_token])
    page = client.get(response.url).content.decode()
    assert appeal.number in page and "16.12.2026" in page
    assert mail.outbox[-1].to == ["zvernennya@mkrada.example"]


def test_errors_are_shown_and_nothing_typed_is_lost(reception: Reception, client: Client) -> None:
    data = form_data(reception, author_address="", author_name="Марія", text="Коротко про ліхтарі")
    response = client.post(reverse("reception:new", args=["appeal"]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="author_address_error"' in html or "id_author_address_error" in html
    assert "Коротко про ліхтарі" in html and "Не працює освітлення" in html
    # The draft is kept, with what was typed.
    draft = Appeal.objects.get()
    assert draft.status == Status.DRAFT and draft.text == "Коротко про ліхтарі"


def test_correcting_a_refused_form_changes_its_draft_rather_than_making_a_second_case(
    reception: Reception, client: Client
) -> None:
    """The page with the errors posts to the draft the first send saved (its own address, linked)."""
    response = client.post(
        reverse("reception:new", args=["appeal"]), form_data(reception, author_address="", idempotency_key=uuid.uuid4())
    )
    assert response.status_code == 400
    draft = Appeal.objects.get()
    edit = reverse("reception:edit", args=[draft.follow_token])
    html = response.content.decode()
    assert f'action="{edit}"' in html and f'href="{edit}"' in html
    client.post(edit, form_data(reception))
    draft.refresh_from_db()
    assert Appeal.objects.count() == 1 and draft.author_address.startswith("вул. Садова")


def test_a_consultant_correcting_a_refused_form_changes_its_draft(reception: Reception) -> None:
    client = login(Client(), "consultant_a")
    data = form_data(
        reception, author_address="", **{"behalf-consent": "on", "behalf-centre": reception.world.centre_a.pk}
    )
    response = client.post(reverse("reception_staff:new", args=["appeal"]), data)
    assert response.status_code == 400
    draft = Appeal.objects.get()
    assert f'action="{reverse("reception_staff:edit", args=[draft.pk])}"' in response.content.decode()


def test_honeypot_and_rate_limit(reception: Reception, client: Client) -> None:
    response = client.post(reverse("reception:new", args=["appeal"]), form_data(reception, website="http://spam"))
    assert response.status_code == 200 and not Appeal.objects.exists()
    for _i in range(10):
        client.post(reverse("reception:new", args=["appeal"]), form_data(reception, send=None, draft="1"))
    response = client.post(reverse("reception:new", args=["appeal"]), form_data(reception))
    assert response.status_code == 429
    assert Appeal.objects.count() == 10


def test_a_signed_in_resident_sends_at_once_and_sees_it_in_their_list(reception: Reception) -> None:
    reception.clock(MONDAY)
    client = login(Client(), "resident")
    response = client.post(
        reverse("reception:new", args=["info"]),
        form_data(
            reception,
            appeal_type=None,
            answer_form="email",
            subject="Кошторис ремонту школи",
            text="Прошу надати копію кошторису ремонту даху школи № 12.",
        ),
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and appeal.status == Status.SUBMITTED
    assert appeal.due_at is not None and appeal.due_at.astimezone(KYIV).date() == dt.date(2026, 11, 23)
    assert appeal.number in client.get(reverse("reception:mine")).content.decode()


def test_a_consultant_files_for_a_visitor_with_consent(reception: Reception) -> None:
    reception.clock(MONDAY)
    client = login(Client(), "consultant_a")
    url = reverse("reception_staff:new", args=["appeal"])
    response = client.post(url, form_data(reception, **{"behalf-centre": reception.world.centre_a.pk}))
    assert response.status_code == 400 and not Appeal.objects.exclude(status=Status.DRAFT).exists()
    assert "agrees" in response.content.decode() or "згод" in response.content.decode()
    response = client.post(
        url, form_data(reception, **{"behalf-centre": reception.world.centre_a.pk, "behalf-consent": "on"})
    )
    appeal = Appeal.objects.get(status=Status.SUBMITTED)
    assert response.url == reverse("reception_staff:case", args=[appeal.pk])
    assert appeal.filed_by == reception.world.users["consultant_a"] and appeal.consent_at is not None
    page = client.get(response.url).content.decode()
    assert appeal.follow_token in page  # the visitor's private link, to hand over
    # A colleague in the same centre follows it; a consultant elsewhere does not see it.
    assert login(Client(), "manager_a").get(response.url).status_code == 200
    assert login(Client(), "consultant_b").get(response.url).status_code == 404


def test_officials_see_and_act_only_on_their_authority(reception: Reception) -> None:
    r = reception
    r.clock(MONDAY)
    case = submitted(r)
    clerk = Client()
    clerk.force_login(r.clerk)
    other = Client()
    other.force_login(r.oblast_clerk)
    url = reverse("reception_staff:case", args=[case.pk])
    assert case.number in clerk.get(reverse("reception_staff:inbox")).content.decode()
    assert case.number not in other.get(reverse("reception_staff:inbox")).content.decode()
    assert other.get(url).status_code == 404
    step = reverse("reception_staff:step", args=[case.pk, "register"])
    data = {"registration_number": "П-77", "registered_on": "2026-11-16"}
    assert other.post(step, data).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    response = clerk.post(step, {"registration_number": "", "registered_on": "2026-11-16"})
    assert response.status_code == 400
    assert clerk.post(step, data).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.registration_number) == (Status.REGISTERED, "П-77")
    # An illegal step is refused with a message, nothing changes.
    response = clerk.post(reverse("reception_staff:step", args=[case.pk, "close"]), follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_answer_with_a_file_checked_by_content(reception: Reception, django_capture_on_commit_callbacks) -> None:
    r = reception
    r.clock(MONDAY)
    case = submitted(r)
    clerk = Client()
    clerk.force_login(r.clerk)
    clerk.post(
        reverse("reception_staff:step", args=[case.pk, "register"]),
        {"registration_number": "1", "registered_on": "2026-11-16"},
    )
    answer = reverse("reception_staff:step", args=[case.pk, "answer"])
    fake = SimpleUploadedFile("answer.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = clerk.post(answer, {"outcome": "positive", "text": "Ліхтарі відремонтовано.", "attachments": [fake]})
    assert response.status_code == 400 and "answer.pdf" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.REGISTERED and not Attachment.objects.exists()
    good = SimpleUploadedFile("лист-відповідь.pdf", PDF, content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(answer, {"outcome": "positive", "text": "Ліхтарі відремонтовано.", "attachments": [good]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf" and attachment.event.kind == EventKind.ANSWERED
    # The author downloads it by the private link; another link or an outsider cannot.
    anon = Client()
    file_url = reverse("reception:file", args=[case.follow_token, attachment.pk])
    response = anon.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert anon.get(reverse("reception:file", args=["wrong-token", attachment.pk])).status_code == 404
    other = Client()
    other.force_login(r.oblast_clerk)
    assert other.get(reverse("reception_staff:file", args=[case.pk, attachment.pk])).status_code == 404
    page = anon.get(reverse("reception:case", args=[case.follow_token])).content.decode()
    assert "Ліхтарі відремонтовано." in page


def test_the_author_clarifies_and_closes_by_the_private_link(reception: Reception) -> None:
    r = reception
    r.clock(MONDAY)
    case = submitted(r)
    from cipnet.appeals import services

    case = services.appeal_register(actor=r.clerk, appeal=case, registration_number="1", registered_on=MONDAY.date())
    services.appeal_ask(actor=r.clerk, appeal=case, question="Уточніть номер опори, будь ласка.")
    anon = Client()
    url = reverse("reception:step", args=[case.follow_token, "clarify"])
    assert anon.post(url, {"text": ""}).status_code == 400
    assert anon.post(url, {"text": "Опора № 14."}).status_code == 302
    assert AppealEvent.objects.filter(appeal=case, kind=EventKind.CLARIFICATION_GIVEN, note="Опора № 14.").exists()
    assert anon.post(reverse("reception:step", args=["bad-token", "withdraw"])).status_code == 404


@pytest.mark.parametrize(("enabled", "expected"), [(True, "27.08.2026"), (False, "28.08.2026")])
def test_calculator_page_in_both_regimes(client: Client, db: None, enabled: bool, expected: str) -> None:
    with override_settings(CIPNET_MARTIAL_LAW={"enabled": enabled}):
        response = client.get(reverse("reception:calculator"), {"kind": "info", "received_on": "2026-08-20"})
    assert response.status_code == 200 and expected in response.content.decode()
    assert client.get(reverse("reception:calculator"), {"kind": "info", "received_on": "20.08"}).status_code == 400


def test_authorities_are_grouped_by_region_in_the_forms(reception: Reception) -> None:
    page = Client().get(reverse("reception:new", args=["appeal"])).content.decode()
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page, re.S))
    assert reception.city.display_name in groups[reception.world.region_a.display_name]
    assert reception.oblast.display_name in groups[reception.world.region_b.display_name]
    assert reception.oblast.display_name not in groups[reception.world.region_a.display_name]
    # The official's "forward to" list: the same groups, without their own authority.
    case = submitted(reception)
    official = Client()
    official.force_login(reception.clerk)
    staff_page = official.get(reverse("reception_staff:case", args=[case.pk])).content.decode()
    forward = re.search(r'<select name="to"[^>]*>(.*?)</select>', staff_page, re.S)
    assert forward is not None
    assert f'<optgroup label="{reception.world.region_b.display_name}">' in forward.group(1)
    assert reception.city.display_name not in forward.group(1)


def test_a_form_retried_with_another_users_idempotency_key_saves_nothing_on_their_case(reception: Reception) -> None:
    # Regression: the page stored the files on (and redirected to) the case that another user had
    # saved with the same key; the API refused it. Now both ask `services.appeal_file`.
    reception.clock(MONDAY)
    key = uuid.uuid4()
    other = services.appeal_save_draft(
        actor=reception.world.users["consultant_a"],
        data=appeal_input(reception.city),
        centre=reception.world.centre_a,
        consent=True,
        idempotency_key=key,
    )
    client = login(Client(), "resident")
    response = client.post(
        reverse("reception:new", args=["appeal"]),
        form_data(reception, idempotency_key=str(key), attachments=SimpleUploadedFile("a.pdf", PDF, "application/pdf")),
    )
    assert response.status_code == 400
    assert "This idempotency key was used for another case." in response.content.decode()
    assert Appeal.objects.count() == 1 and not Attachment.objects.filter(appeal=other).exists()


def test_an_anonymous_replay_of_another_visitors_key_neither_reveals_nor_changes_their_case(
    reception: Reception,
) -> None:
    # Regression (issue 13, item 6): an anonymous POST with another case's idempotency key was
    # redirected to that case's private edit link. A key is bound to the session that used it.
    reception.clock(MONDAY)
    new = reverse("reception:new", args=["appeal"])
    key = str(uuid.uuid4())
    victim = Client()
    assert victim.get(new).status_code == 200
    first = victim.post(new, form_data(reception, send=None, idempotency_key=key))
    case = Appeal.objects.get()
    assert first.status_code == 302 and first.url == reverse("reception:edit", args=[case.follow_token])

    attacker = Client()
    replay = attacker.post(
        new,
        form_data(
            reception,
            send=None,
            idempotency_key=key,
            author_name="Петро Сидоренко",
            author_address="вул. Лісова, 1, Київ",
            author_email="petro@example.org",
            text="Інший текст " * 3,
        ),
    )
    assert replay.status_code == 302 and case.follow_token not in replay.url
    case.refresh_from_db()
    assert case.author_name == "Марія Іванівна Петренко" and case.text.startswith("На вулиці Садовій")
    assert Appeal.objects.count() == 2
    page = attacker.get(replay.url).content.decode()
    assert "Петренко" not in page and "Садова" not in page and "maria@example.org" not in page

    # The visitor's own retry still lands on their own case, with no duplicate.
    retry = victim.post(new, form_data(reception, send=None, idempotency_key=key))
    assert retry.status_code == 302 and retry.url == first.url
    assert Appeal.objects.count() == 2


def test_a_first_post_without_a_session_is_still_retried_onto_the_same_case(reception: Reception) -> None:
    # A visitor whose form page set no cookie (or who posts at once) gets a session with the first
    # answer; the retry with that cookie and the same key is the same case.
    reception.clock(MONDAY)
    new = reverse("reception:new", args=["appeal"])
    key = str(uuid.uuid4())
    visitor = Client()
    first = visitor.post(new, form_data(reception, send=None, idempotency_key=key))
    retry = visitor.post(new, form_data(reception, send=None, idempotency_key=key))
    assert first.status_code == retry.status_code == 302 and first.url == retry.url
    assert Appeal.objects.count() == 1
