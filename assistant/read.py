"""Corpus files to `Document`s: bytes to text, one reader per format.

A file that cannot be read (empty, corrupt, not text, unsupported, too large, a link out of the
corpus folder) is reported by name with the reason and skipped, so one bad file never stops the
rest of the corpus. Each limit is checked before the work it bounds (a file's size before it is
read, a Word file's unpacked size before python-docx inflates it), so a hostile file is refused
cheaply instead of exhausting memory or time.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from .records import Document

SUPPORTED = (".md", ".txt", ".pdf", ".docx")
MB = 1024 * 1024
MAX_FILE_BYTES = 50 * MB  # a long report with photographs; checked with stat before reading
# Text is what ingest parses and embeds, so it is capped whatever the format: ten million
# characters is about 4,000 pages, twice the 5 MB report tests/test_read_and_ingest.py reads in full.
MAX_TEXT_CHARS = 10_000_000
# A line can become a passage, and each passage is embedded: 1,000 pages at 50 lines a page is
# 50,000. (A 68 KB .docx of one-letter paragraphs gave 300,000 passages.)
MAX_TEXT_LINES = 100_000
# Every passage carries its document's title, and a PDF's or Word file's metadata can hold anything:
# the seed corpus's longest title is 112 characters; parse's title line (_TITLE_LINE) is 200 plus its organisations.
MAX_TITLE_CHARS = 1_000
MAX_FRONT_MATTER_CHARS = 10_000  # a handful of fields: the seed corpus's longest is 288 characters
MAX_PDF_PAGES = 1_000  # matches MAX_TEXT_LINES at 100 lines a page
# Decoded page content (drawing instructions) pypdf parses in Python, at 0.2-8 MB/s (measured):
# a typeset page is about 3 KB (libtasn1's manual), so 32 MB covers 1,000 pages with charts.
MAX_PDF_CONTENT_BYTES = 32 * MB
MAX_DOCX_PARTS = 1_000  # a Word file has 10-40 parts, plus one per picture
# python-docx parses each XML part into an lxml tree of about 18 times its size (measured: a 20 MB
# document.xml of one-letter paragraphs took 357 MB), and holds every part in memory.
MAX_DOCX_PART_BYTES = 25 * MB
MAX_DOCX_UNPACKED_BYTES = 100 * MB  # pictures are compressed already, so a .docx unpacks to about its own size
_DOCX_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # the only two OOXML allows (ECMA-376 Part 2)
_ZIP_ENCRYPTED = 0x1  # general-purpose flag bit 0 (PKWARE APPNOTE 4.4.4)
_FORMATS = {".md": "Markdown file", ".txt": "text file", ".pdf": "PDF", ".docx": "Word file"}

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_log = logging.getLogger(__name__)


class Unreadable(Exception):
    """A file that cannot be turned into text; the message is the reason."""


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files ingest reads, in a stable order: regular, not hidden, inside the corpus folder, not too large."""
    return _walk(corpus_dir)[0]


def read_corpus(corpus_dir: Path) -> tuple[list[Document], list[Skipped]]:
    files, skipped = _walk(corpus_dir)
    documents = []
    for path in files:
        relative = path.relative_to(corpus_dir).as_posix()
        try:
            documents.append(read_file(path, relative))
        except Unreadable as problem:
            skipped.append(Skipped(relative, str(problem)))
    skipped.sort(key=lambda s: s.path)
    for skip in skipped:  # the ingest report lists them too; the log keeps them for a server's operator
        _log.warning("corpus file skipped: %s: %s", skip.path, skip.reason)
    return documents, skipped


def _walk(corpus_dir: Path) -> tuple[list[Path], list[Skipped]]:
    """The files to read, and what is refused: a link leading out of the corpus folder (a link to
    /etc/passwd made its lines searchable), anything but a regular file (a named pipe never ends),
    or a file too large to read. Linked folders are never entered, so a link cannot lead out or
    round in a loop."""
    root = corpus_dir.resolve()
    files: list[Path] = []
    refused: list[Skipped] = []

    def refuse(path: Path, reason: str) -> None:
        refused.append(Skipped(path.relative_to(corpus_dir).as_posix(), reason))

    def unlistable(error: OSError) -> None:
        refuse(Path(error.filename), f"folder cannot be read: {error.strerror or error}")

    for folder, subfolders, names in os.walk(corpus_dir, onerror=unlistable):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for path in (Path(folder, name) for name in subfolders):
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                refuse(path, "a link to a folder outside the corpus folder: copy the files in instead")
        for path in (Path(folder, name) for name in names if not name.startswith(".")):
            if not path.is_file():  # follows a link: false for one that is broken or loops
                refuse(path, "not a regular file (a broken link, a pipe or a device)")
            elif path.is_symlink() and not path.resolve().is_relative_to(root):
                refuse(path, "a link to a file outside the corpus folder: copy the file in instead")
            elif (size := path.stat().st_size) > MAX_FILE_BYTES:  # here too: ingest's fingerprint reads files whole
                refuse(path, str(_too_large_file(size)))
            else:
                files.append(path)
    return sorted(files), refused


def read_file(path: Path, relative: str) -> Document:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise Unreadable(f"unsupported file type {suffix or '(none)'}: use {', '.join(SUPPORTED)}")
    data = _read_bytes(path)
    if not data.strip():
        raise Unreadable("empty file")
    reader = {".md": _read_markdown, ".txt": _read_plain, ".pdf": _read_pdf, ".docx": _read_docx}[suffix]
    try:
        document = reader(data, relative)
    except Unreadable:
        raise
    # Parsers fail on hostile input in ways no list of exception types keeps up with (pypdf's
    # LimitReachedError, zipfile's NotImplementedError, lxml's SyntaxError, RecursionError).
    except Exception as error:
        _log.debug("cannot read %s", relative, exc_info=error)
        raise Unreadable(f"not a readable {_FORMATS[suffix]} ({_cause(error)})") from error
    if not document.text.strip():
        raise Unreadable("no text found in the file (a scanned PDF needs OCR first)")
    _check_text_size(len(document.text), document.text.count("\n"))
    return replace(document, title=document.title[:MAX_TITLE_CHARS])


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, its size checked before reading and the read itself capped, in case the
    file grows in between."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise Unreadable("not a regular file (a pipe or a device)")
        if status.st_size > MAX_FILE_BYTES:
            raise _too_large_file(status.st_size)
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise Unreadable(f"cannot be read: {error.strerror or error}") from error
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(f"more than {MAX_FILE_BYTES // MB} MB")
    return data


def _too_large(what: str) -> Unreadable:
    return Unreadable(f"too large: {what}: split it into smaller files")


def _too_large_file(size: int) -> Unreadable:
    return _too_large(f"{size / MB:.0f} MB, more than {MAX_FILE_BYTES // MB} MB")


def _check_text_size(chars: int, lines: int) -> None:
    if chars > MAX_TEXT_CHARS:
        raise _too_large(f"more than {MAX_TEXT_CHARS:,} characters of text")
    if lines > MAX_TEXT_LINES:
        raise _too_large(f"more than {MAX_TEXT_LINES:,} lines or paragraphs of text")


def _cause(error: BaseException) -> str:
    """ "KeyError" or "BadZipFile: File is not a zip file": the type, and the message's first line."""
    lines = str(error).strip().splitlines()
    return f"{error.__class__.__name__}: {lines[0][:160]}" if lines else error.__class__.__name__


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise Unreadable("binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(f"not UTF-8 text (byte {error.start}): save it as UTF-8") from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _title_from_name(relative: str) -> str:
    stem = Path(relative).stem
    return re.sub(r"^\d+[-_ ]+", "", stem).replace("-", " ").replace("_", " ").strip().capitalize() or stem


def _first_heading(text: str) -> str | None:
    match = re.search(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _read_markdown(data: bytes, relative: str) -> Document:
    text = _decode(data)
    meta: dict = {}
    match = _FRONT_MATTER.match(text)
    if match:
        meta = _front_matter(match.group(1))
        text = text[match.end() :]
    organisations = meta.get("organisations") or []
    if isinstance(organisations, str):
        organisations = [organisations]
    return Document(
        path=relative,
        title=str(meta.get("title") or _first_heading(text) or _title_from_name(relative)),
        organisations=tuple(str(o).strip() for o in organisations if str(o).strip()),
        text=text,
        published=str(meta.get("published") or ""),
        layout="markdown",
        kind=str(meta.get("kind") or ""),
    )


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML without aliases: 524 bytes of nested aliases ("billion laughs") took 5 GB and
    48 s once the values were turned into text. Front matter has no use for them."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise Unreadable("front matter uses a YAML alias (*name): write the value out instead")
        return super().compose_node(parent, index)


def _front_matter(block: str) -> dict:
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise Unreadable(f"front matter longer than {MAX_FRONT_MATTER_CHARS:,} characters: move the text below it")
    try:
        loaded = yaml.load(block, Loader=_FrontMatterLoader)
    except (yaml.YAMLError, RecursionError) as error:
        raise Unreadable(f"front matter is not valid YAML ({error.__class__.__name__}): fix it or remove it") from error
    return loaded if isinstance(loaded, dict) else {}


def _read_plain(data: bytes, relative: str) -> Document:
    text = _decode(data)
    return Document(path=relative, title=_title_from_name(relative), organisations=(), text=text, layout="plain")


def _read_pdf(data: bytes, relative: str) -> Document:
    """Pages are counted, and their decoded content and text totted up, before the next is read:
    pypdf bounds each stream (75 MB) but not a file of many."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unreadable("the PDF is encrypted: save an unprotected copy")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise _too_large(f"{len(reader.pages):,} pages, more than {MAX_PDF_PAGES:,}")
        pages: list[str] = []
        content_bytes = chars = lines = 0
        for page in reader.pages:
            content = page.get_contents()
            content_bytes += len(content.get_data()) if content is not None else 0
            if content_bytes > MAX_PDF_CONTENT_BYTES:
                raise _too_large(f"more than {MAX_PDF_CONTENT_BYTES // MB} MB of page content once unpacked")
            pages.append(page.extract_text() or "")
            chars, lines = chars + len(pages[-1]), lines + pages[-1].count("\n") + 2
            _check_text_size(chars, lines)
        title = (reader.metadata.title if reader.metadata else None) or _title_from_name(relative)
    except LimitReachedError as error:  # a stream unpacking past 75 MB, a loop in the page tree...
        raise Unreadable(f"too large or too complex to read safely ({_cause(error)})") from error
    return Document(path=relative, title=str(title), organisations=(), text="\n\n".join(pages), layout="plain")


def _read_docx(data: bytes, relative: str) -> Document:
    """Word headings become Markdown headings, so the parser sees one shape for both."""
    import docx

    _check_word_package(data)
    word = docx.Document(io.BytesIO(data))
    paragraphs = word.paragraphs
    if len(paragraphs) > MAX_TEXT_LINES:  # before reading each one's text and style, which is slow
        raise _too_large(f"{len(paragraphs):,} paragraphs, more than {MAX_TEXT_LINES:,}")
    lines, number = [], 0
    for paragraph in paragraphs:
        text, style = paragraph.text.strip(), (paragraph.style.name if paragraph.style is not None else "")
        if not text:
            continue
        level = re.match(r"Heading (\d)", style)
        if style == "Title" or level:
            lines.append("#" * (int(level.group(1)) if level else 1) + " " + text)
            number = 0
        elif style.startswith("List Number"):
            number += 1
            lines.append(f"{number}. {text}")
        elif style.startswith("List"):
            lines.append(f"- {text}")
        else:
            lines.append(text)
        lines.append("")
    text = "\n".join(lines)
    title = word.core_properties.title or _first_heading(text) or _title_from_name(relative)
    return Document(path=relative, title=title, organisations=(), text=text, layout="markdown")


def _check_word_package(data: bytes) -> None:
    """Refuse a .docx before python-docx inflates it: zipfile raises on an encrypted part or an
    unknown compression method, and a small zip can unpack to gigabytes (2.7 MB once took 10 GB).
    The sizes the zip declares are checked first, then what each part really inflates to."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = package.infolist()
        if len(parts) > MAX_DOCX_PARTS:
            raise _too_large(f"{len(parts):,} parts in the .docx, more than {MAX_DOCX_PARTS:,}")
        for part in parts:
            if part.flag_bits & _ZIP_ENCRYPTED:
                raise Unreadable("the .docx is encrypted: save an unprotected copy")
            if part.compress_type not in _DOCX_COMPRESSIONS:
                raise Unreadable(f"the .docx uses an unknown compression method ({part.compress_type}): save it again from Word")
        _check_unpacked_size([part.file_size for part in parts])
        unpacked: list[int] = []
        for part in parts:
            unpacked.append(0)
            with package.open(part) as stream:
                while chunk := stream.read(MB):
                    unpacked[-1] += len(chunk)
                    _check_unpacked_size(unpacked)


def _check_unpacked_size(sizes: list[int]) -> None:
    if max(sizes, default=0) > MAX_DOCX_PART_BYTES:
        raise _too_large(f"a part of the .docx unpacks to more than {MAX_DOCX_PART_BYTES // MB} MB")
    if sum(sizes) > MAX_DOCX_UNPACKED_BYTES:
        raise _too_large(f"the .docx unpacks to more than {MAX_DOCX_UNPACKED_BYTES // MB} MB")
