"""Replies by e-mail: a message to a case's own address (`outbox.reply_address`) is filed to
the case as an `AppealEvent` ("E-mail received") with its files.

The case is found only from the recipient headers (To, Cc, Delivered-To, X-Original-To): the address
`case-<reply_token>@<CIPNET_REPLY_DOMAIN>` is the secret. The sender is recorded and never trusted:
a message from the authority's own address may well be its answer, but it changes nothing; officials
record an answer with `services.appeal_answer(recorded=True)`.

Filing is idempotent: the same Message-ID (or, without one, the same bytes) is filed to a case once,
so a Maildir run repeated after a crash, or a webhook delivered twice, files nothing new.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses
from enum import StrEnum
from html.parser import HTMLParser
from typing import cast

from django.conf import settings
from django.db import transaction

from cipnet.appeals import attachments, events, notifications
from cipnet.appeals.attachments import Upload
from cipnet.appeals.models import Appeal, AppealEvent, AttachmentSource, EventKind, Status

#: The largest message filed (the files' own limits are in `attachments`; base64 adds a third).
MAX_MESSAGE_BYTES = 80 * 1024 * 1024
#: The longest note kept from a message's text (long quoted threads are cut).
MAX_NOTE_CHARS = 20_000
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")
_LOCAL_PART = re.compile(r"case-([a-z0-9]{6,24})", re.IGNORECASE)


class IngestStatus(StrEnum):
    FILED = "filed"
    DUPLICATE = "duplicate"  # this message was filed to the case before: nothing written
    UNMATCHED = "unmatched"  # no case address among the recipients: nothing written
    TOO_LARGE = "too_large"  # larger than MAX_MESSAGE_BYTES: not read, nothing written


@dataclass(frozen=True)
class IngestResult:
    status: IngestStatus
    appeal_id: int | None = None
    number: str | None = None
    event_id: int | None = None
    message_id: str = ""
    #: Names of the files stored with the message.
    stored: tuple[str, ...] = ()
    #: Why each refused file was refused (the message itself is filed all the same).
    refused: tuple[str, ...] = ()
    #: Sent from the authority's own address to a case it still owes an answer: perhaps its answer.
    from_authority: bool = False


@dataclass
class ParsedMessage:
    tokens: list[str]
    sender: str
    subject: str
    message_id: str
    text: str
    files: list[Upload] = field(default_factory=list)


# --- Parsing (no database) ---------------------------------------------------------------------


def reply_domain() -> str:
    return str(getattr(settings, "CIPNET_REPLY_DOMAIN", "") or "reply.cipnet.localhost").lower()


def _clean(text: str) -> str:
    # PostgreSQL refuses NUL in text and JSON.
    return text.replace("\x00", "")


def _header_values(message: Message, name: str) -> list[str]:
    values = []
    for value in message.get_all(name) or []:
        try:
            values.append(str(value))
        except (ValueError, LookupError, TypeError):  # a header the parser could not make sense of
            continue
    return values


def case_tokens(message: Message) -> list[str]:
    """Reply tokens of the case addresses among the recipients, in header order, each once."""
    domain = reply_domain()
    tokens: list[str] = []
    for name in RECIPIENT_HEADERS:
        for _display, address in getaddresses(_header_values(message, name)):
            local, at, host = address.strip().rpartition("@")
            if not at or host.lower().rstrip(".") != domain:
                continue
            match = _LOCAL_PART.fullmatch(local)
            if match is not None and match.group(1).lower() not in tokens:
                tokens.append(match.group(1).lower())
    return tokens


def _sender(message: Message) -> str:
    for _display, address in getaddresses(_header_values(message, "From")):
        if "@" in address:
            return _clean(address.strip().lower())[:254]
    return ""


class _TextOfHtml(HTMLParser):
    """The readable text of an HTML body: tags dropped, entities decoded, blocks on their own lines."""

    SKIP = frozenset({"script", "style", "head", "title", "template"})
    BREAK = frozenset(
        {"br", "p", "div", "tr", "li", "ul", "ol", "table", "blockquote", "pre", "hr", "section", "article"}
        | {"h1", "h2", "h3", "h4", "h5", "h6"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text_of(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
        if isinstance(content, str):
            return content
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _body(message: EmailMessage) -> tuple[str, set[int]]:
    """The plain-text body, or the text of the HTML body when there is no plain one; and the ids
    of the parts that make the body (they are not attachments)."""
    used: set[int] = set()
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    for part in (plain, html):
        if part is not None:
            used.add(id(part))
    if plain is not None:
        text = _text_of(plain)
    elif html is not None:
        text = html_to_text(_text_of(html))
    else:
        text = ""
    text = _clean(text.replace("\r\n", "\n")).strip()
    return text[:MAX_NOTE_CHARS], used


def _files(message: EmailMessage, body_parts: set[int]) -> list[Upload]:
    files = []
    for part in message.walk():
        if part.is_multipart() or id(part) in body_parts:
            continue
        name = part.get_filename()
        if not name and part.get_content_disposition() != "attachment":
            continue  # an alternative text or an inline part without a name: not a file
        data = part.get_payload(decode=True)
        files.append(Upload(name=_clean(name or "attachment")[:200], data=data if isinstance(data, bytes) else b""))
    return files


def parse(raw: bytes) -> ParsedMessage:
    """What the filing needs from an RFC 822 message. Never raises on what a sender can put in it."""
    message = cast(EmailMessage, email.message_from_bytes(raw, policy=email.policy.default))
    text, body_parts = _body(message)
    message_id = " ".join(_header_values(message, "Message-ID")[:1]).strip()
    if not message_id:
        # No Message-ID: the bytes themselves identify the message (a redelivery is the same file).
        message_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    subject = " ".join(" ".join(_header_values(message, "Subject")[:1]).split())
    return ParsedMessage(
        tokens=case_tokens(message),
        sender=_sender(message),
        subject=_clean(subject)[:300],
        message_id=_clean(message_id)[:300],
        text=text,
        files=_files(message, body_parts),
    )


# --- Filing -----------------------------------------------------------------------------------


def _case_for(tokens: list[str]) -> Appeal | None:
    """The first case named by a token. A draft has an address nobody was given: not a case yet."""
    for token in tokens:
        appeal = Appeal.objects.filter(reply_token=token).exclude(status=Status.DRAFT).first()
        if appeal is not None:
            return appeal
    return None


def ingest_message(raw: bytes) -> IngestResult:
    """File one message to the case its recipients name; see the module's docstring."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return IngestResult(IngestStatus.TOO_LARGE)
    parsed = parse(raw)
    if not parsed.tokens:
        return IngestResult(IngestStatus.UNMATCHED, message_id=parsed.message_id)
    found = _case_for(parsed.tokens)
    if found is None:
        return IngestResult(IngestStatus.UNMATCHED, message_id=parsed.message_id)
    with transaction.atomic():
        # The lock makes "filed before?" and "file it" one step for two deliveries at the same time.
        appeal = Appeal.objects.select_for_update().select_related("authority").get(pk=found.pk)
        known = AppealEvent.objects.filter(
            appeal=appeal, kind=EventKind.MESSAGE_RECEIVED, data__message_id=parsed.message_id
        ).first()
        from_authority = appeal.is_open and parsed.sender == appeal.authority.email.strip().lower()
        if known is not None:
            return IngestResult(
                IngestStatus.DUPLICATE,
                appeal_id=appeal.pk,
                number=appeal.number,
                event_id=known.pk,
                message_id=parsed.message_id,
                from_authority=from_authority,
            )
        event = events.record_case_event(
            appeal,
            EventKind.MESSAGE_RECEIVED,
            note=parsed.text,
            data={"from": parsed.sender, "subject": parsed.subject, "message_id": parsed.message_id},
        )
        accepted: list[Upload] = []
        refused: list[str] = []
        already = appeal.attachments.count()
        for upload in parsed.files:
            errors = attachments.check([upload], already=already + len(accepted))
            if errors:
                refused.extend(str(m) for m in errors["attachments"])
            else:
                accepted.append(upload)
        stored = attachments.store(
            appeal=appeal, uploads=accepted, source=AttachmentSource.EMAIL, user=None, event=event
        )
        notifications.message_filed(appeal, event, from_authority=from_authority)
    return IngestResult(
        IngestStatus.FILED,
        appeal_id=appeal.pk,
        number=appeal.number,
        event_id=event.pk,
        message_id=parsed.message_id,
        stored=tuple(a.name for a in stored),
        refused=tuple(refused),
        from_authority=from_authority,
    )
