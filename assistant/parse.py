"""`Document`s to `Passage`s: the case-study structure people cite.

Understands the report's shape: a title line "What was done (Organisations)", an overview,
the sections Challenges / Enablers / Learning, numbered lessons, quotes with their
attribution, and bullet lists with their lead-in. Markdown (and Word, converted to Markdown)
is split by its headings; a plain `.txt` in the seed's own layout gets the same structure;
anything else falls back to headings and paragraphs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .records import OVERVIEW, Document, Passage
from .text import split_sentences, tidy_title

# Bump when what a passage is, or what is stored with it (its sentences' vectors), changes: it is
# part of every passage id, so the next ingest re-embeds everything and no stale record survives.
PARSER_VERSION = "6"
SECTIONS = ("Challenges", "Enablers", "Learning")
MAX_PASSAGE_CHARS = 1200  # longer paragraphs are cut at sentence ends, so each cites cleanly

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)[\s#]*$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_SECTION_LINE = re.compile(r"^\s*(Challenges|Enablers|Learning)\s*$")
_TITLE_LINE = re.compile(r"^[^\s'‘\"“•\-*].{10,200}\(([^()]+)\)\s*$")
_QUOTE_OPEN = ("'", "‘", '"', "“")
_ATTRIBUTION = re.compile(r"(['’\"”.!?])\s+[-–—]\s*([^'’\"”]{1,80})$")


def sentences_of(passage: Passage) -> list[str]:
    """The sentences of a passage, in order: what the composer quotes and what is embedded one
    by one at ingest. A list gives its lead-in's sentences, then each item."""
    if passage.kind == "list":
        lead, *items = passage.text.split("\n")
        if _BULLET.match(lead) or _NUMBERED.match(lead):
            lead, items = "", [lead, *items]
        return split_sentences(lead) + [item for item in items if item.strip()]
    return split_sentences(passage.text)


def organisations_from_title(title: str) -> tuple[str, ...]:
    """ "... (Shelter and SIFA Fireside)" -> ("Shelter", "SIFA Fireside")."""
    match = re.search(r"\(([^()]+)\)\s*$", title)
    if not match:
        return ()
    names = re.split(r",\s*|\s+and\s+|\s*&\s*", match.group(1).strip())
    return tuple(re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE) for name in names if name.strip())


@dataclass
class _Block:
    kind: str  # "heading", "paragraph", "item"
    text: str
    level: int = 0  # heading level, or the number of a numbered item
    numbered: bool = False


@dataclass
class _Case:
    title: str
    organisations: tuple[str, ...]
    section: str = OVERVIEW
    passages: list[tuple[str, str, str, int | None, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.title = tidy_title(self.title)


PREFACE = "preface"


def parse(document: Document) -> list[Passage]:
    """Passages of one document's case studies, in reading order. A preface (front matter
    `kind: preface`, or the text before the first case study of a multi-case file) says
    nothing a reader would cite as a case study's: it gives no passages."""
    if document.kind.lower() == PREFACE:
        return []
    blocks = _blocks(document)
    cases = _cases(document, blocks)
    if len(cases) > 1 and not cases[0].organisations:
        cases = cases[1:]
    passages: list[Passage] = []
    for case in cases:
        for section, kind, text, lesson, attribution in case.passages:
            passages.append(_passage(document, case, section, kind, text, lesson, attribution, len(passages)))
    return passages


def _blocks(document: Document) -> list[_Block]:
    lines = document.text.split("\n")
    seed_layout = document.layout == "plain" and any(_SECTION_LINE.match(line) for line in lines)
    blocks: list[_Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(_Block("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for index, raw in enumerate(lines):
        line = raw.strip()
        heading = _HEADING.match(line) if document.layout == "markdown" else None
        if not line:
            flush()
        elif heading:
            flush()
            blocks.append(_Block("heading", heading.group(2).strip(), level=len(heading.group(1))))
        elif seed_layout and _SECTION_LINE.match(line):
            flush()
            blocks.append(_Block("heading", line, level=2))
        elif seed_layout and _TITLE_LINE.match(line) and not paragraph and _ends_paragraph(lines, index):
            flush()
            blocks.append(_Block("heading", line, level=1))
        elif match := _NUMBERED.match(raw):
            flush()
            blocks.append(_Block("item", match.group(2).strip(), level=int(match.group(1)), numbered=True))
        elif match := _BULLET.match(raw):
            flush()
            blocks.append(_Block("item", match.group(1).strip()))
        elif blocks and blocks[-1].kind == "item" and not paragraph and index and lines[index - 1].strip():
            blocks[-1].text += " " + line  # a wrapped list item
        else:
            paragraph.append(line)
    flush()
    return blocks


def _ends_paragraph(lines: list[str], index: int) -> bool:
    return index + 1 >= len(lines) or not lines[index + 1].strip()


def _cases(document: Document, blocks: list[_Block]) -> list[_Case]:
    """Group blocks into case studies and turn them into passage parts."""
    cases = [_Case(document.title, document.organisations)]
    index = 0
    while index < len(blocks):
        block, case = blocks[index], cases[-1]
        if block.kind == "heading":
            if document.layout == "plain" and block.level == 1:
                if case.passages:
                    cases.append(_Case(block.text, organisations_from_title(block.text)))
                else:
                    cases[-1] = _Case(block.text, organisations_from_title(block.text))
            elif block.text.strip().lower() != case.title.strip().lower():
                known = [s for s in SECTIONS if s.lower() == block.text.strip().lower()]
                case.section = known[0] if known else block.text.strip()
            index += 1
            continue
        if block.kind == "item":
            items = _take_items(blocks, index)
            index += len(items)
            if case.section == "Learning" and items[0].numbered:
                for item in items:
                    case.passages.append((case.section, "lesson", item.text, item.level, None))
            else:
                case.passages.append((case.section, "list", _list_text(None, items), None, None))
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is not None and following.kind == "item" and not (case.section == "Learning" and following.numbered):
            items = _take_items(blocks, index + 1)
            case.passages.append((case.section, "list", _list_text(block.text, items), None, None))
            index += 1 + len(items)
            continue
        if block.text.startswith(_QUOTE_OPEN):
            attribution = _ATTRIBUTION.search(block.text)
            case.passages.append((case.section, "quote", block.text, None, attribution.group(2).strip() if attribution else None))
        else:
            for piece in _pieces(block.text):
                case.passages.append((case.section, "paragraph", piece, None, None))
        index += 1
    return [case for case in cases if case.passages]


def _take_items(blocks: list[_Block], start: int) -> list[_Block]:
    items = []
    for block in blocks[start:]:
        if block.kind != "item":
            break
        items.append(block)
    return items


def _list_text(lead_in: str | None, items: list[_Block]) -> str:
    lines = [lead_in] if lead_in else []
    lines += [f"{item.level}. {item.text}" if item.numbered else f"• {item.text}" for item in items]
    return "\n".join(lines)


def _pieces(text: str) -> list[str]:
    """A long paragraph as sentence-aligned pieces of at most MAX_PASSAGE_CHARS."""
    if len(text) <= MAX_PASSAGE_CHARS:
        return [text]
    pieces, current = [], ""
    for sentence in split_sentences(text):
        while len(sentence) > MAX_PASSAGE_CHARS:  # a run-on "sentence": cut at a space
            cut = sentence.rfind(" ", 0, MAX_PASSAGE_CHARS)
            cut = cut if cut > 0 else MAX_PASSAGE_CHARS
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > MAX_PASSAGE_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def _passage(document: Document, case: _Case, section: str, kind: str, text: str,
             lesson: int | None, attribution: str | None, position: int) -> Passage:
    draft = Passage(id="", case_study=case.title, organisations=case.organisations, section=section,
                    lesson=lesson, kind=kind, text=text, source=document.path, position=position,
                    content_hash="", attribution=attribution, published=document.published)
    # the date too: a corrected date reaches the index like a corrected sentence
    hashed = f"{PARSER_VERSION}\n{document.published}\n{draft.indexed_text}"
    content_hash = hashlib.sha256(hashed.encode("utf-8")).hexdigest()[:16]
    return Passage(**{**draft.__dict__, "id": f"{document.path}#{position}:{content_hash}", "content_hash": content_hash})
