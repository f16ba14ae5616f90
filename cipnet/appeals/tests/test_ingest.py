"""Replies by e-mail: the .eml fixtures (with `__TOKEN__` in place of a case's reply token) filed to
the right case, once; files checked by content; nothing written for a message no case matches."""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from cipnet.appeals import services
from cipnet.appeals.ingest import IngestStatus, html_to_text, ingest_message
from cipnet.appeals.models import (
    Appeal,
    AppealEvent,
    Attachment,
    AttachmentSource,
    EventKind,
    Notification,
    Outcome,
    Status,
)
from cipnet.appeals.tests.conftest import Reception, appeal_input, submitted
from cipnet.core.clock import KYIV

FIXTURES = Path(__file__).parent / "fixtures"
MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=KYIV)


def eml(name: str, case: Appeal | None = None) -> bytes:
    raw = (FIXTURES / f"{name}.eml").read_bytes()
    return raw.replace(b"__TOKEN__", case.reply_token.encode()) if case is not None else raw


@pytest.fixture
def case(reception: Reception) -> Appeal:
    reception.clock(MONDAY)
    return submitted(reception)


def messages_of(case: Appeal) -> list[AppealEvent]:
    return list(AppealEvent.objects.filter(appeal=case, kind=EventKind.MESSAGE_RECEIVED))


def test_a_plain_reply_from_the_authority_is_filed_and_changes_nothing(case: Appeal) -> None:
    result = ingest_message(eml("plain_reply", case))
    assert result.status == IngestStatus.FILED
    assert (result.appeal_id, result.number) == (case.pk, case.number)
    assert result.from_authority is True
    assert (result.stored, result.refused) == ((), ())
    [event] = messages_of(case)
    assert event.pk == result.event_id
    assert event.public is True and event.actor is None
    assert event.note == (
        "Доброго дня.\n\nВаше звернення передано КП «Миколаївелектротранс»; ремонт запланований на 20 листопада."
        "\n\nЗ повагою,\nвідділ звернень"
    )
    assert event.data == {
        "from": "zvernennya@mkrada.example",
        "subject": "Re: Не працює вуличне освітлення",
        "message_id": "<reply-1@mkrada.example>",
    }
    # Perhaps the answer, but only an official records an answer: the status stays.
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.answered_at is None and case.outcome == ""
    assert (event.status_from, event.status_to) == ("", "")


def test_the_same_message_is_filed_once(case: Appeal) -> None:
    first = ingest_message(eml("plain_reply", case))
    again = ingest_message(eml("plain_reply", case))
    assert again.status == IngestStatus.DUPLICATE
    assert again.event_id == first.event_id
    assert len(messages_of(case)) == 1


def test_a_message_without_message_id_is_still_filed_once(case: Appeal) -> None:
    raw = eml("plain_reply", case).replace(b"Message-ID: <reply-1@mkrada.example>\n", b"")
    first = ingest_message(raw)
    assert first.status == IngestStatus.FILED
    assert first.message_id.startswith("sha256:")
    assert ingest_message(raw).status == IngestStatus.DUPLICATE
    assert len(messages_of(case)) == 1


def test_html_and_plain_reply_with_a_pdf(case: Appeal) -> None:
    # The case address is in Cc, in capitals: addresses are compared without case.
    result = ingest_message(eml("html_reply_with_pdf", case))
    assert result.status == IngestStatus.FILED
    assert result.from_authority is False
    assert result.stored == ("opora-14.pdf",)
    [event] = messages_of(case)
    assert event.note == "Опора № 14 біля будинку 5.\nФото додаю."  # the plain part, not the HTML
    assert event.data["from"] == "maria.petrenko@example.org"
    assert event.data["subject"] == "Уточнення: номер опори"
    [attachment] = Attachment.objects.filter(appeal=case)
    assert attachment.event == event
    assert (attachment.name, attachment.content_type, attachment.source) == (
        "opora-14.pdf",
        "application/pdf",
        AttachmentSource.EMAIL,
    )
    assert attachment.uploaded_by is None
    with attachment.file.open("rb") as f:
        assert f.read().startswith(b"%PDF-1.4")


def test_an_html_only_reply_is_filed_as_its_text(case: Appeal) -> None:
    message = EmailMessage()
    message["From"] = "zvernennya@mkrada.example"
    message["To"] = f"case-{case.reply_token}@reply.cipnet.localhost"
    message["Subject"] = "Відповідь"
    message["Message-ID"] = "<html-only@mkrada.example>"
    message.set_content(
        "<html><head><title>Лист</title><style>p { color: red }</style><script>alert(1)</script></head>"
        "<body><p>Ремонт&nbsp;виконано <b>20.11.2026</b>.</p><p>Дякуємо&#33;</p></body></html>",
        subtype="html",
    )
    result = ingest_message(message.as_bytes())
    assert result.status == IngestStatus.FILED
    [event] = messages_of(case)
    assert event.note == "Ремонт виконано 20.11.2026.\n\nДякуємо!"


def test_html_to_text() -> None:
    assert html_to_text("<div>a<br>b</div><ul><li>один</li><li>два &amp; три</li></ul>") == "a\nb\n\nодин\n\nдва & три"
    assert html_to_text("<style>x{}</style><p>  кілька   пробілів </p>") == "кілька пробілів"


def test_a_program_disguised_as_pdf_is_refused_but_the_message_is_filed(case: Appeal) -> None:
    # The case address only in Delivered-To / X-Original-To (To: undisclosed recipients).
    result = ingest_message(eml("exe_as_pdf", case))
    assert result.status == IngestStatus.FILED
    assert result.stored == ()
    assert len(result.refused) == 1 and "dovidka.pdf" in result.refused[0]
    [event] = messages_of(case)
    assert event.note == "Відкрийте документ."
    assert not Attachment.objects.filter(appeal=case).exists()


def test_an_unknown_token_files_nothing(case: Appeal) -> None:
    events = AppealEvent.objects.count()
    result = ingest_message(eml("unknown_token", case))
    assert result.status == IngestStatus.UNMATCHED
    assert (result.appeal_id, result.event_id) == (None, None)
    assert AppealEvent.objects.count() == events


@pytest.mark.parametrize(
    "address",
    [
        "case-{token}@evil.example",  # another domain
        "case-{token}@reply.cipnet.localhost.evil.example",
        "notcase-{token}@reply.cipnet.localhost",
        "case-{token}x@reply.cipnet.localhost",
    ],
)
def test_only_the_case_address_matches(case: Appeal, address: str) -> None:
    raw = eml("plain_reply", case).replace(
        f"case-{case.reply_token}@reply.cipnet.localhost".encode(), address.format(token=case.reply_token).encode()
    )
    assert ingest_message(raw).status == IngestStatus.UNMATCHED
    assert messages_of(case) == []


@override_settings(CIPNET_REPLY_DOMAIN="Mail.Example.org")
def test_the_reply_domain_comes_from_the_settings(case: Appeal) -> None:
    raw = eml("plain_reply", case)
    assert ingest_message(raw).status == IngestStatus.UNMATCHED
    moved = raw.replace(b"@reply.cipnet.localhost", b"@mail.example.ORG")
    assert ingest_message(moved).status == IngestStatus.FILED


def test_a_draft_has_no_address_yet(reception: Reception) -> None:
    draft = services.appeal_save_draft(actor=reception.world.users["resident"], data=appeal_input(reception.city))
    assert ingest_message(eml("plain_reply", draft)).status == IngestStatus.UNMATCHED
    assert messages_of(draft) == []


def test_a_closed_case_still_files_replies_not_as_an_answer(reception: Reception, case: Appeal) -> None:
    case = services.appeal_register(
        actor=reception.clerk, appeal=case, registration_number="П-1", registered_on=MONDAY.date()
    )
    case = services.appeal_answer(
        actor=reception.clerk, appeal=case, outcome=Outcome.EXPLAINED, text="Роз'яснено порядок ремонту освітлення."
    )
    case = services.appeal_close(actor=reception.clerk, appeal=case)
    result = ingest_message(eml("plain_reply", case))
    assert result.status == IngestStatus.FILED
    assert result.from_authority is False  # the case is not open: it cannot be its answer
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_at_most_five_files_per_case(case: Appeal) -> None:
    message = EmailMessage()
    message["From"] = "maria.petrenko@example.org"
    message["To"] = f"case-{case.reply_token}@reply.cipnet.localhost"
    message["Message-ID"] = "<six@example.org>"
    message.set_content("Шість документів.")
    pdf = b"%PDF-1.4\n%%EOF\n"
    for i in range(6):
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"doc-{i}.pdf")
    result = ingest_message(message.as_bytes())
    assert result.stored == tuple(f"doc-{i}.pdf" for i in range(5))
    assert len(result.refused) == 1
    assert Attachment.objects.filter(appeal=case).count() == 5


def test_nul_characters_are_dropped(case: Appeal) -> None:
    raw = eml("plain_reply", case).replace("Доброго дня.".encode(), "Доброго\x00 дня.".encode())
    assert ingest_message(raw).status == IngestStatus.FILED
    assert messages_of(case)[0].note.startswith("Доброго дня.")


def test_garbage_is_unmatched() -> None:
    assert ingest_message(b"").status == IngestStatus.UNMATCHED
    assert ingest_message(b"\x00\xff not a message at all").status == IngestStatus.UNMATCHED


# --- The command ------------------------------------------------------------------------------


def test_command_files_a_maildir(case: Appeal, tmp_path: Path) -> None:
    for sub in ("new", "cur", "tmp"):
        (tmp_path / sub).mkdir()
    (tmp_path / "new" / "1.host").write_bytes(eml("plain_reply", case))
    (tmp_path / "new" / "2.host").write_bytes(eml("html_reply_with_pdf", case))
    (tmp_path / "new" / "3.host").write_bytes(eml("unknown_token", case))
    out = io.StringIO()
    call_command("ingest_appeal_mail", "--maildir", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert f"1.host: filed to case {case.number} with 0 file(s)." in text
    assert f"2.host: filed to case {case.number} with 1 file(s)." in text
    assert "3.host: unmatched" in text
    assert "Filed: 2; already filed: 0; unmatched: 1; too large: 0." in text
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "cur").iterdir()) == ["1.host:2,S", "2.host:2,S", "3.host:2,S"]
    assert len(messages_of(case)) == 2

    # Delivered again (a crash before the move): filed once.
    (tmp_path / "new" / "4.host").write_bytes(eml("plain_reply", case))
    out = io.StringIO()
    call_command("ingest_appeal_mail", "--maildir", str(tmp_path), stdout=out)
    assert "Filed: 0; already filed: 1; unmatched: 0; too large: 0." in out.getvalue()
    assert len(messages_of(case)) == 2


def test_command_files_one_file_and_reports_refused_files(case: Appeal, tmp_path: Path) -> None:
    path = tmp_path / "exe.eml"
    path.write_bytes(eml("exe_as_pdf", case))
    out = io.StringIO()
    call_command("ingest_appeal_mail", "--file", str(path), stdout=out)
    assert f"exe.eml: filed to case {case.number} with 0 file(s)." in out.getvalue()
    assert "exe.eml: file refused: " in out.getvalue()
    assert path.exists()  # a single file is left where it was


def test_command_needs_a_maildir(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("ingest_appeal_mail", "--maildir", str(tmp_path))
    with pytest.raises(CommandError):
        call_command("ingest_appeal_mail", "--file", str(tmp_path / "missing.eml"))


def test_the_officials_are_told_once_that_a_message_was_filed(
    reception: Reception, case: Appeal, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = ingest_message(eml("plain_reply", case))
        ingest_message(eml("plain_reply", case))  # delivered twice: told once
    told = Notification.objects.filter(appeal=case, kind="message")
    # Nobody has taken the case: every official of the authority.
    assert sorted(n.to for n in told) == ["clerk@example.org", "head@example.org"]
    sent = [m for m in mail.outbox if m.subject == f"E-mail filed to case {case.number}"]
    assert sorted(m.to[0] for m in sent) == ["clerk@example.org", "head@example.org"]
    body = sent[0].body
    assert "From: zvernennya@mkrada.example" in body
    assert "ремонт запланований на 20 листопада" in body
    assert "If it is the answer, record it on the case page." in body
    assert str(first.event_id) in told.first().key  # type: ignore[union-attr]


def test_once_taken_only_the_assignee_is_told_and_never_the_sender(
    reception: Reception, case: Appeal, django_capture_on_commit_callbacks
) -> None:
    case = services.appeal_register(
        actor=reception.clerk, appeal=case, registration_number="1", registered_on=MONDAY.date()
    )
    services.appeal_take(actor=reception.clerk, appeal=case)
    from_the_author = eml("plain_reply", case).replace(b"zvernennya@mkrada.example", b"maria.petrenko@example.org")
    from_the_clerk = (
        eml("plain_reply", case)
        .replace(b"zvernennya@mkrada.example", b"clerk@example.org")
        .replace(b"<reply-1@", b"<reply-2@")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest_message(from_the_author).from_authority is False
        assert ingest_message(from_the_clerk).status == IngestStatus.FILED
    told = list(Notification.objects.filter(appeal=case, kind="message"))
    assert [n.to for n in told] == ["clerk@example.org"]  # for the author's message only
    assert "If it is the answer" not in told[0].body
