"""Files of a case: size and type limits, the type read from the content (never from the name),
stored in the private storage, served only through a view that checks access."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.appeals.models import Appeal, AppealEvent, Attachment

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
#: What may be attached, by content: (type, extension, label).
ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
}
ALLOWED_LABEL = "PDF, JPEG, PNG, DOCX, ODT"


def sniff(data: bytes) -> str | None:
    """The content type of `data` from its first bytes (and, for office files, its zip directory)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if "word/document.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if "mimetype" in names and z.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return "application/vnd.oasis.opendocument.text"
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
    return None


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
        elif sniff(upload.data) is None:
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
