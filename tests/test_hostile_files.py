"""A crafted corpus file is skipped with a reason, before it costs much, and the rest is read.

Each hostile file is built here, in tmp_path: a few hundred kilobytes on disk that would unpack to
hundreds of megabytes, or a link out of the corpus folder. The assertions name the limit in the
reason, which shows the file was refused by the check rather than after the work.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import docx
import pytest

from assistant.read import (
    MAX_FILE_BYTES,
    MAX_PDF_PAGES,
    MAX_TEXT_CHARS,
    MAX_TEXT_LINES,
    MAX_TITLE_CHARS,
    corpus_files,
    read_corpus,
)

GOOD = "# A good case study\n\nPartners met every week to plan the service together.\n"
MB = 1024 * 1024


def _flate(chunks: Iterable[bytes]) -> bytes:
    """Compressed without ever holding the uncompressed bytes: a bomb costs the test little."""
    compressor = zlib.compressobj(9)
    return b"".join([*(compressor.compress(chunk) for chunk in chunks), compressor.flush()])


def _pdf(contents: list[bytes]) -> bytes:
    """A minimal PDF, one page per FlateDecode content stream, with a correct cross-reference table."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    for index, content in enumerate(contents):
        page, stream = 4 + 2 * index, 5 + 2 * index
        kids.append(b"%d 0 R" % page)
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                         b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % stream)
        objects[stream] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(contents))
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[number] for number in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


_TEXT = _flate([b"BT /F1 12 Tf 72 700 Td (A case study in a PDF) Tj ET\n"])


def _docx(parts: dict[str, Iterable[bytes]] | None = None) -> bytes:
    """A real Word file from python-docx, with `parts` (name: content) streamed into the zip in place of its own."""
    made = io.BytesIO()
    word = docx.Document()
    word.add_paragraph("A case study in a Word file.")
    word.save(made)
    original, out = zipfile.ZipFile(made), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for part in original.infolist():
            if part.filename in (parts or {}):
                with package.open(part.filename, "w") as stream:
                    for chunk in (parts or {})[part.filename]:
                        stream.write(chunk)
            else:
                package.writestr(part.filename, original.read(part))
    return out.getvalue()


def _document_xml(paragraph: bytes, count: int) -> Iterable[bytes]:
    yield b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    for _ in range(count // 1000):
        yield paragraph * 1000
    yield b"</w:body></w:document>"


def _patch_document_xml(data: bytes, local_offset: int, central_offset: int, value: int) -> bytes:
    """Overwrite a 2-byte field of word/document.xml's local header and central directory record,
    as a hand-made zip would have it (zipfile writes only what it supports)."""
    package = zipfile.ZipFile(io.BytesIO(data))
    part = package.getinfo("word/document.xml")
    patched = bytearray(data)
    central = patched.index(part.filename.encode(), package.start_dir) - 46  # the name follows 46 bytes of record
    struct.pack_into("<H", patched, part.header_offset + local_offset, value)
    struct.pack_into("<H", patched, central + central_offset, value)
    return bytes(patched)


def _alias_bomb() -> bytes:
    """Billion laughs: 9 levels of 9 aliases is 387 million strings once turned into text."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    return ("---\n" + "\n".join(lines) + "\ntitle: *a8\n---\n" + GOOD).encode()


HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    ("billion-laughs.md", _alias_bomb, "front matter uses a YAML alias"),
    ("long-front-matter.md", lambda: f"---\ntitle: {'x' * 20_000}\n---\n{GOOD}".encode(), "front matter longer than"),
    ("deep-front-matter.md", lambda: f"---\ntitle: {'[' * 3000}{']' * 3000}\n---\n{GOOD}".encode(),
     "front matter is not valid YAML (RecursionError)"),
    ("huge-text.txt", lambda: b"Partners met every week. " * (MAX_TEXT_CHARS // 25 + 1),
     "too large: more than 10,000,000 characters"),
    ("many-lines.md", lambda: b"x\n" * (MAX_TEXT_LINES + 1), "too large: more than 100,000 lines"),
    ("zip-bomb.docx",
     lambda: _docx({"word/document.xml": _document_xml(b"<w:p><w:r><w:t>" + b"a" * 1000 + b"</w:t></w:r></w:p>", 200_000)}),
     "too large: a part of the .docx unpacks to more than 25 MB"),
    ("many-paragraphs.docx", lambda: _docx({"word/document.xml": _document_xml(b"<w:p><w:r><w:t>a</w:t></w:r></w:p>", 150_000)}),
     "too large: 150,000 paragraphs"),
    ("encrypted.docx", lambda: _patch_document_xml(_docx(), 6, 8, 0x1), "the .docx is encrypted"),
    ("odd-compression.docx", lambda: _patch_document_xml(_docx(), 8, 10, 77), "unknown compression method (77)"),
    ("flate-bomb.pdf", lambda: _pdf([_flate([b"BT /F1 12 Tf 72 700 Td (Hi) Tj ET\n", *[b" " * MB] * 150])]),
     "too large or too complex to read safely (LimitReachedError"),
    ("heavy-pages.pdf", lambda: _pdf([_TEXT, *[_flate([b" " * MB] * 12)] * 3]), "more than 32 MB of page content"),
    ("many-pages.pdf", lambda: _pdf([_TEXT] * (MAX_PDF_PAGES + 1)), "too large: 1,001 pages"),
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus folder holding one good file, beside which each hostile file is put."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD)
    return folder


@pytest.mark.parametrize("name, build, reason", HOSTILE, ids=[name for name, _, _ in HOSTILE])
def test_a_hostile_file_is_skipped_with_its_reason(corpus: Path, name: str, build: Callable[[], bytes], reason: str):
    (corpus / name).write_bytes(build())
    documents, skipped = read_corpus(corpus)
    assert [d.path for d in documents] == ["good.md"]
    assert [s.path for s in skipped] == [name]
    assert reason in skipped[0].reason


def test_a_file_too_large_is_refused_by_its_size_before_it_is_read(corpus: Path):
    with (corpus / "sparse.txt").open("wb") as file:
        file.truncate(8 * 1024 * MB)  # 8 GB on paper, nothing on disk: reading it would need the memory
    assert corpus_files(corpus) == [corpus / "good.md"]  # ingest's fingerprint hashes these whole
    documents, skipped = read_corpus(corpus)
    assert [d.path for d in documents] == ["good.md"]
    assert skipped[0].path == "sparse.txt"
    assert f"too large: 8192 MB, more than {MAX_FILE_BYTES // MB} MB" in skipped[0].reason


def test_a_title_from_a_files_metadata_is_cut_short(corpus: Path):
    core = [b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>', b"A title " * 100_000, b"</dc:title></cp:coreProperties>"]
    (corpus / "long-title.docx").write_bytes(_docx({"docProps/core.xml": core}))  # every passage would carry the title
    documents, skipped = read_corpus(corpus)
    assert skipped == [] and len(documents[1].title) == MAX_TITLE_CHARS


def test_links_out_of_the_corpus_are_refused_and_links_within_it_read(corpus: Path, tmp_path: Path):
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "passwd.md").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (outside / "folder" / "secret.md").write_text("# Secret\n\nNot part of the corpus.\n")
    (corpus / "passwd.md").symlink_to(outside / "passwd.md")
    (corpus / "elsewhere").symlink_to(outside / "folder", target_is_directory=True)
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)  # within the corpus: not entered
    (corpus / "same-case.md").symlink_to(corpus / "good.md")  # within the corpus: read
    documents, skipped = read_corpus(corpus)
    assert [d.path for d in documents] == ["good.md", "same-case.md"]
    assert [(s.path, s.reason) for s in skipped] == [
        ("elsewhere", "a link to a folder outside the corpus folder: copy the files in instead"),
        ("passwd.md", "a link to a file outside the corpus folder: copy the file in instead"),
    ]


def test_a_named_pipe_is_refused_not_waited_on(corpus: Path):
    os.mkfifo(corpus / "pipe.md")
    documents, skipped = read_corpus(corpus)
    assert [d.path for d in documents] == ["good.md"]
    assert [(s.path, s.reason) for s in skipped] == [("pipe.md", "not a regular file (a broken link, a pipe or a device)")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_a_file_without_read_permission_is_skipped(corpus: Path):
    (corpus / "private.md").write_text(GOOD)
    (corpus / "private.md").chmod(0)
    documents, skipped = read_corpus(corpus)
    assert [d.path for d in documents] == ["good.md"]
    assert [(s.path, s.reason) for s in skipped] == [("private.md", "cannot be read: Permission denied")]
