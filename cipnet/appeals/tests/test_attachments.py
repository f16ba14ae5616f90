"""Hostile attachments are refused fast and in bounded memory: zip bombs in office documents (by the
zip directory, nothing inflated), nested archives, PDFs with active content."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest

from cipnet.appeals.attachments import Upload, check, sniff

GIB = 1 << 30
MIB = 1 << 20


def _zeros_deflated(size: int) -> bytes:
    """Raw deflate of `size` zero bytes (a multiple of 1 MiB), built without compressing them: after a
    full flush every 1 MiB block compresses to the same bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(MIB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * (size // MIB) + packer.flush()


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand: (name, data as stored, method 0/8, declared uncompressed size) per entry,
    so that sizes can be what an attacker writes rather than what zipfile would."""
    out = io.BytesIO()
    central = b""
    for name, data, method, declared in entries:
        offset = out.tell()
        encoded = name.encode()
        crc = zlib.crc32(data) if method == 0 else 0
        out.write(
            struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), declared, len(encoded), 0)
        )
        out.write(encoded + data)
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(data), declared,
            len(encoded), 0, 0, 0, 0, 0, offset,
        ) + encoded  # fmt: skip
    start = out.tell()
    out.write(central)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0))
    return out.getvalue()


def _docx(extra: list[tuple[str, bytes, int, int]] | None = None) -> bytes:
    body = b"<w:document/>"
    return _zip([("[Content_Types].xml", b"<Types/>", 0, 8), ("word/document.xml", body, 0, len(body)), *(extra or [])])


def _odt_mimetype(deflated: bytes, declared: int) -> bytes:
    return _zip([("mimetype", deflated, 8, declared), ("content.xml", b"<office/>", 0, 9)])


def _refused_quickly(data: bytes, expected: str) -> None:
    tracemalloc.start()
    began = time.perf_counter()
    errors = check([Upload(name="letter", data=data)])
    elapsed = time.perf_counter() - began
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(errors["attachments"]) == 1
    assert expected in errors["attachments"][0]
    assert elapsed < 1.0
    assert peak < 4 * MIB


@pytest.fixture(scope="module")
def gib_of_zeros() -> bytes:
    return _zeros_deflated(GIB)


def test_a_real_docx_and_odt_are_accepted():
    odt = _zip([("mimetype", b"application/vnd.oasis.opendocument.text", 0, 39), ("content.xml", b"<o/>", 0, 4)])
    assert check([Upload(name="a.docx", data=_docx()), Upload(name="b.odt", data=odt)]) == {}
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document>" + "Текст листа. " * 5000 + "</w:document>")
    assert sniff(written.getvalue()) == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_an_odt_whose_mimetype_inflates_to_a_gib_is_refused_by_its_directory(gib_of_zeros):
    _refused_quickly(_odt_mimetype(gib_of_zeros, GIB), "unpacks to more than 100 MB")


def test_an_odt_whose_directory_lies_about_the_mimetype_size_inflates_no_more_than_it_reads(gib_of_zeros):
    # Declared 39 bytes, inflates to 1 GiB: only the first bytes are read, and they are not the type.
    _refused_quickly(_odt_mimetype(gib_of_zeros, 39), "is not one of the accepted kinds")


def test_a_docx_declaring_a_gib_inside_is_refused():
    _refused_quickly(_docx([("word/media/big.bin", _zeros_deflated(MIB), 8, GIB)]), "unpacks to more than 100 MB")


def test_a_docx_with_an_entry_compressed_a_thousand_times_is_refused():
    _refused_quickly(_docx([("word/media/z.bin", _zeros_deflated(8 * MIB), 8, 8 * MIB)]), "compressed far more")


def test_a_docx_with_too_many_entries_is_refused():
    many = [(f"word/p{i}.xml", b"x", 0, 1) for i in range(1001)]
    _refused_quickly(_docx(many), "more than 1000 files inside")


def test_a_docx_with_an_archive_inside_is_refused():
    _refused_quickly(_docx([("word/embeddings/other.zip", _docx(), 0, len(_docx()))]), "another archive inside")


PDF_HEAD = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R"
PDF_TAIL = b" >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_a_plain_pdf_is_accepted():
    assert check([Upload(name="scan.pdf", data=PDF_HEAD + PDF_TAIL)]) == {}


@pytest.mark.parametrize(
    "active",
    [
        b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b" /OpenAction 3 0 R",
        b" /AA << /O << /S /Launch /F (cmd.exe) >> >>",
        b" /Names << /EmbeddedFiles 4 0 R >>",
        b" /Op#65nAction << /S /J#61vaScript >>",  # names with #xx escapes
    ],
)
def test_a_pdf_with_active_content_is_refused(active):
    _refused_quickly(PDF_HEAD + active + PDF_TAIL + b" " * (5 * MIB), "active content")


def test_active_content_inside_a_compressed_object_stream_is_found():
    hidden = zlib.compress(b"3 0 << /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
    objstm = b"5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
    _refused_quickly(PDF_HEAD + PDF_TAIL + objstm + hidden + b"\nendstream\nendobj\n", "active content")


def test_a_word_that_merely_starts_like_an_action_is_not_one():
    assert check([Upload(name="ok.pdf", data=PDF_HEAD + b" /JSONData 1 /AAB 2" + PDF_TAIL)]) == {}
