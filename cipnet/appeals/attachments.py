"""Files of a case: size and type limits, the type read from the content (never from the name),
stored in the private storage, served only through a view that checks access."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.appeals import filecheck
from cipnet.appeals.models import Appeal, AppealEvent, Attachment

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
#: What may be attached, by content: (type, extension, label).
ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    filecheck.DOCX: "docx",
    filecheck.ODT: "odt",
}
ALLOWED_LABEL = "PDF, JPEG, PNG, DOCX, ODT"


def examine(data: bytes) -> tuple[str | None, filecheck.Problem | None]:
    """(content type from the first bytes and, for office files, the zip directory; what is wrong inside)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf", filecheck.pdf_problem(data)
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", None
    if data.startswith(b"PK\x03\x04"):
        return filecheck.office_type(data)
    return None, None


def sniff(data: bytes) -> str | None:
    """The content type of `data`, or None when it is not an accepted kind or something inside is refused."""
    content_type, problem = examine(data)
    return content_type if problem is None else None


def _problem_message(name: str, problem: filecheck.Problem) -> str:
    messages = {
        filecheck.Problem.TOO_MANY_ENTRIES: _("“%(name)s” holds more than %(n)d files inside."),
        filecheck.Problem.TOO_LARGE_UNPACKED: _("“%(name)s” unpacks to more than %(mb)d MB."),
        filecheck.Problem.COMPRESSION_RATIO: _("“%(name)s” is compressed far more than a document can be."),
        filecheck.Problem.NESTED_ARCHIVE: _("“%(name)s” has another archive inside it."),
        filecheck.Problem.ACTIVE_CONTENT: _(
            "“%(name)s” contains active content (scripts, automatic actions or embedded files). "
            "Save it again without them, for example by printing it to PDF, and attach it again."
        ),
        filecheck.Problem.UNCHECKABLE: _("“%(name)s” cannot be checked; save it again as a plain PDF."),
    }
    return messages[problem] % {
        "name": name,
        "n": filecheck.MAX_ENTRIES,
        "mb": filecheck.MAX_UNPACKED // (1024 * 1024),
    }


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def check(uploads: list[Upload], *, already: int = 0) -> dict[str, list[str]]:
    """Field errors for a set of files (empty when they may be stored)."""
    errors: list[str] = []
    if len(uploads) + already > MAX_FILES:
        errors.append(_("At most %(n)d files per case.") % {"n": MAX_FILES})
    for upload in uploads:
        if len(upload.data) > MAX_BYTES:
            errors.append(
                _("“%(name)s” is larger than %(mb)d MB.") % {"name": upload.name, "mb": MAX_BYTES // (1024 * 1024)}
            )
        elif not upload.data:
            errors.append(_("“%(name)s” is empty.") % {"name": upload.name})
        else:
            content_type, problem = examine(upload.data)
            if problem is not None:
                errors.append(_problem_message(upload.name, problem))
            elif content_type is None:
                errors.append(
                    _("“%(name)s” is not one of the accepted kinds of file (%(kinds)s).")
                    % {"name": upload.name, "kinds": ALLOWED_LABEL}
                )
    return {"attachments": errors} if errors else {}


def store(
    *, appeal: Appeal, uploads: list[Upload], source: str, user: User | None, event: AppealEvent | None = None
) -> list[Attachment]:
    """Save checked files (call `check` first; this refuses what it would refuse)."""
    errors = check(uploads, already=appeal.attachments.count())
    if errors:
        raise ValidationError(errors)
    saved = []
    for upload in uploads:
        content_type = sniff(upload.data) or "application/octet-stream"
        stem = get_valid_filename(upload.name.rsplit(".", 1)[0])[:80] or "file"
        name = f"{stem}.{ALLOWED[content_type]}"
        attachment = Attachment(
            appeal=appeal,
            event=event,
            name=name,
            content_type=content_type,
            size=len(upload.data),
            source=source,
            uploaded_by=user if user is not None and user.is_authenticated else None,
        )
        attachment.file.save(name, ContentFile(upload.data), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def uploads_of(files: list[UploadedFile]) -> list[Upload]:
    out = []
    for f in files:
        # Read at most one byte more than allowed: the size check needs no more.
        data = f.read(MAX_BYTES + 1)
        out.append(Upload(name=f.name or "file", data=data))
    return out


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download, only ever as an attachment with the type read from its content; the
    caller has checked that the user may see the case."""
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
