"""What is inside an attached file, read without trusting it: office documents (zip) by their central
directory, never inflating more than a few bytes; PDFs scanned for active content.

Every function here takes bytes already bounded by `attachments.MAX_BYTES` and keeps what it reads
bounded too: a zip entry is read through a stream with a byte limit, a PDF's object streams are inflated
with a total output budget.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from enum import Enum

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

#: Limits of a zip-based document, from its directory: what a real letter or scan never reaches.
MAX_ENTRIES = 1000
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 200  # declared size / compressed size of one entry (text XML compresses 5-30 times)
RATIO_FROM = 1024 * 1024  # entries smaller than this may compress as well as they like
#: Archives inside a document are refused: their own directory would need checking again.
NESTED: tuple[str, ...] = (".zip", ".jar", ".7z", ".rar", ".gz", ".tgz", ".bz2", ".xz", ".cab", ".apk", ".epub")
NESTED += (".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".odt", ".ods", ".odp", ".odg")

#: PDF names that make a viewer act on its own: run JavaScript, act on opening or on events, launch a
#: program, carry files or media. Matched after `#xx` escapes in names are decoded (`/J#61vaScript`).
ACTIVE_PDF_NAMES = frozenset(
    {b"JavaScript", b"JS", b"OpenAction", b"AA", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"}
)
_PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9_.+-]|#[0-9A-Fa-f]{2}){1,64})")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")
#: Object streams (PDF 1.5) hide the objects they hold behind compression; they are inflated to be read,
#: up to this many bytes in all. A PDF whose object streams inflate to more is refused as uncheckable.
MAX_PDF_INFLATED = 16 * 1024 * 1024
_DICT_LOOKBACK = 2048


class Problem(Enum):
    TOO_MANY_ENTRIES = "too_many_entries"
    TOO_LARGE_UNPACKED = "too_large_unpacked"
    COMPRESSION_RATIO = "compression_ratio"
    NESTED_ARCHIVE = "nested_archive"
    ACTIVE_CONTENT = "active_content"
    UNCHECKABLE = "uncheckable"


def zip_problem(archive: zipfile.ZipFile) -> Problem | None:
    """What is wrong with a zip by its central directory alone (nothing is inflated)."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        return Problem.TOO_MANY_ENTRIES
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        return Problem.TOO_LARGE_UNPACKED
    for entry in entries:
        if entry.file_size > RATIO_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            return Problem.COMPRESSION_RATIO
        if entry.filename.lower().endswith(NESTED):
            return Problem.NESTED_ARCHIVE
    return None


def read_bounded(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most `limit` bytes of an entry, whatever its directory declares (a lying size inflates no more)."""
    with archive.open(name) as stream:
        return stream.read(limit)


def office_type(data: bytes) -> tuple[str | None, Problem | None]:
    """(type, problem) of a zip-based document: DOCX or ODT, or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            problem = zip_problem(archive)
            if problem is not None:
                return None, problem
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX, None
            if "mimetype" in names and read_bounded(archive, "mimetype", 100).strip() == ODT.encode():
                return ODT, None
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        return None, None
    return None, None


def pdf_problem(data: bytes) -> Problem | None:
    """ACTIVE_CONTENT when a PDF names an action, script or embedded file; UNCHECKABLE when its object
    streams inflate beyond the budget.

    Covered: names written in the file (also hex-escaped) and names inside FlateDecode object streams.
    Not covered: names inside other compressed streams (content and image streams cannot hold these
    dictionary entries) and encrypted PDFs (their object streams are ciphertext; an encrypted PDF's
    /OpenAction in its catalogue is still plain text and found)."""
    if _names_active(data):
        return Problem.ACTIVE_CONTENT
    budget = MAX_PDF_INFLATED
    for match in _STREAM.finditer(data):
        start = match.end()
        header = data[max(0, match.start() - _DICT_LOOKBACK) : match.start()]
        header = header[header.rfind(b"obj") :]
        if b"/ObjStm" not in header or b"/FlateDecode" not in header:
            continue
        end = data.find(b"endstream", start)
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[start : end if end >= 0 else len(data)], budget + 1)
        except zlib.error:
            continue  # a damaged stream holds nothing a viewer would run
        budget -= len(inflated)
        if budget < 0:
            return Problem.UNCHECKABLE
        if _names_active(inflated):
            return Problem.ACTIVE_CONTENT
    return None


def _names_active(data: bytes) -> bool:
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in ACTIVE_PDF_NAMES:
            return True
    return False
