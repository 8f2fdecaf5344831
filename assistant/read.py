"""Corpus files to `Document`s: bytes to text, one reader per format.

A file that cannot be read (empty, corrupt, not text, unsupported) is reported by name with
the reason and skipped, so one bad file never stops the rest of the corpus.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .records import Document

SUPPORTED = (".md", ".txt", ".pdf", ".docx")
MAX_FILE_BYTES = 50 * 1024 * 1024

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class Unreadable(Exception):
    """A file that cannot be turned into text; the message is the reason."""


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every file under the corpus folder that is not hidden, in a stable order."""
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def read_corpus(corpus_dir: Path) -> tuple[list[Document], list[Skipped]]:
    documents, skipped = [], []
    for path in corpus_files(corpus_dir):
        relative = path.relative_to(corpus_dir).as_posix()
        try:
            documents.append(read_file(path, relative))
        except Unreadable as problem:
            skipped.append(Skipped(relative, str(problem)))
    return documents, skipped


def read_file(path: Path, relative: str) -> Document:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise Unreadable(f"unsupported file type {suffix or '(none)'}: use {', '.join(SUPPORTED)}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Unreadable(f"cannot be read: {error.strerror or error}") from None
    if not data.strip():
        raise Unreadable("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it into smaller files")
    reader = {".md": _read_markdown, ".txt": _read_plain, ".pdf": _read_pdf, ".docx": _read_docx}[suffix]
    document = reader(data, relative)
    if not document.text.strip():
        raise Unreadable("no text found in the file (a scanned PDF needs OCR first)")
    return document


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise Unreadable("binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(f"not UTF-8 text (byte {error.start}): save it as UTF-8") from None
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
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as error:
            raise Unreadable(f"front matter is not valid YAML ({error.__class__.__name__}): fix it or remove it") from None
        meta = loaded if isinstance(loaded, dict) else {}
        text = text[match.end() :]
    organisations = meta.get("organisations") or []
    if isinstance(organisations, str):
        organisations = [organisations]
    return Document(
        path=relative,
        title=str(meta.get("title") or _first_heading(text) or _title_from_name(relative)),
        organisations=tuple(str(o).strip() for o in organisations if str(o).strip()),
        text=text,
        source=str(meta.get("source") or ""),
        published=str(meta.get("published") or ""),
        layout="markdown",
        kind=str(meta.get("kind") or ""),
    )


def _read_plain(data: bytes, relative: str) -> Document:
    text = _decode(data)
    return Document(path=relative, title=_title_from_name(relative), organisations=(), text=text, layout="plain")


def _read_pdf(data: bytes, relative: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unreadable("the PDF is encrypted: save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise Unreadable(f"not a readable PDF ({error.__class__.__name__})") from None
    title = (reader.metadata.title if reader.metadata else None) or _title_from_name(relative)
    return Document(path=relative, title=str(title), organisations=(), text="\n\n".join(pages), layout="plain")


def _read_docx(data: bytes, relative: str) -> Document:
    """Word headings become Markdown headings, so the parser sees one shape for both."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        word = docx.Document(io.BytesIO(data))
    # A corrupt file surfaces as a zip, package or XML (lxml: SyntaxError) error.
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError, OSError) as error:
        raise Unreadable(f"not a readable Word file ({error.__class__.__name__})") from None
    lines, number = [], 0
    for paragraph in word.paragraphs:
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
