"""Board briefings: a document a trustee can circulate, with every claim cited to case study,
section and lesson, nothing invented, and what the case studies do not say stated plainly.

Sections: summary; what the case studies show (lessons across them); challenges others met;
what enabled them; questions for the board (from the curated themes file); what these case
studies do not tell you. Each passage is quoted in one section only, and each section lists its
own sources under it, quoting the sentence cited. Exported as Markdown and as Word (python-docx).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from .answer import Answerer
from .compose import compose
from .records import Filters, Hit, Passage
from .refuse import declined_text
from .text import markdown_text, printable, split_sentences
from .themes import Theme, ThemeMap

SCOPE = "This briefing quotes only the assistant's {}: what they do not say, it does not say either."
TOPIC_THEME_MIN = 0.35  # cosine similarity of topic and theme description for the theme to apply
WEAK_COVERAGE = 0.45  # a theme whose best case study scores below this is covered weakly
SECTION_WORDS = 110
LESSON_MARGIN = 0.2  # a lesson whose similarity trails the best lesson's by more is not one the topic asks for


@dataclass
class Briefing:
    topic: str
    covered: bool
    summary: str = ""
    lessons: list[str] = field(default_factory=list)
    challenges: str = ""
    enablers: str = ""
    board_questions: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    sources: list[Hit] = field(default_factory=list)
    quoted: list[tuple[str, ...]] = field(default_factory=list)  # per source: the text the briefing quotes


@dataclass(frozen=True)
class Citation:
    number: int
    passage: Passage
    quoted: tuple[str, ...]  # the text the document quotes from the passage


@dataclass(frozen=True)
class Part:
    """One section of a document (a briefing, a guide) as it is shown and exported: its sources are
    listed right under it, so a reader finds them beside the claims rather than pages away."""

    heading: str
    text: str  # Markdown, with [n] marks
    citations: list[Citation] = field(default_factory=list)


_CITED = re.compile(r"(?<!\\)\[(\d+)\]")  # [3] as a section writes it; "\[3\]" is quoted text


class _Sources:
    """One numbered source list for the whole briefing; sections' own [n] are renumbered into it."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.quoted: list[tuple[str, ...]] = []

    def __contains__(self, hit: Hit) -> bool:
        return any(known.passage.id == hit.passage.id for known in self.hits)

    def number(self, hit: Hit, quoted: tuple[str, ...]) -> int:
        self.hits.append(hit)
        self.quoted.append(quoted)
        return len(self.hits)

    def renumber(self, text: str, local: list[Hit], quoted: list[tuple[str, ...]]) -> str:
        numbers = {n: self.number(hit, quoted[n - 1]) for n, hit in enumerate(local, 1)}
        return _CITED.sub(lambda m: f"[{numbers[int(m.group(1))]}]", text)

    def fresh(self, hits: list[Hit], k: int) -> list[Hit]:
        """The first k hits the briefing has not quoted yet: a passage is used in one section only."""
        return [hit for hit in hits if hit not in self][:k]


def _body(composed_text: str) -> str:
    """A composed answer without its lead line ("3 case studies speak to this: ...")."""
    return composed_text.split("\n\n", 1)[1] if "\n\n" in composed_text else composed_text


def build_briefing(answerer: Answerer, topic: str, themes: ThemeMap) -> Briefing:
    retriever, settings = answerer.retriever, answerer.settings
    scope = SCOPE.format(retriever.catalogue.description())
    hits, coverage, _ = answerer.scope(topic, topic, None, None)
    if not hits or not coverage.covered:
        return Briefing(topic, False, summary=declined_text(coverage, hits, board=True), gaps=[scope])

    sources = _Sources()
    briefing = Briefing(topic, True)
    briefing.summary = sources.renumber(*compose(topic, hits, SECTION_WORDS))

    def search(section: str, k: int) -> list[Hit]:
        found = retriever.search(topic, k=k + len(sources.hits), filters=Filters(sections=(section,)))
        return sources.fresh(found, k)

    lessons = search("Learning", settings.top_k)
    best = max((h.similarity for h in lessons), default=0.0)
    for hit in lessons:
        if hit.similarity >= best - LESSON_MARGIN:
            p = hit.passage
            briefing.lessons.append(f"**{markdown_text(p.short_title)}, lesson {p.lesson}**: "
                                    f"{markdown_text(p.text)} [{sources.number(hit, (p.text,))}]")
    for section, attribute in (("Challenges", "challenges"), ("Enablers", "enablers")):
        if found := search(section, 4):
            text, local, quoted = compose(topic, found, SECTION_WORDS)
            setattr(briefing, attribute, sources.renumber(_body(text), local, quoted))

    applicable = _themes_for(topic, answerer, themes.themes)
    briefing.board_questions = [q for theme in applicable for q in theme.board_questions]
    for theme in applicable:
        row = themes.scores[themes.themes.index(theme)]
        if max(row) < WEAK_COVERAGE:
            briefing.gaps.append(f"{theme.name}: the case studies touch on this only in passing.")
    silent = sorted({c.short_title for c in themes.cases} - {h.passage.short_title for h in sources.hits})
    if silent:
        briefing.gaps.append("Not quoted in this briefing (they may touch on the topic in other words): "
                             + ", ".join(silent) + ".")
    briefing.gaps.append(scope)
    briefing.sources, briefing.quoted = sources.hits, sources.quoted
    return briefing


def _themes_for(topic: str, answerer: Answerer, themes: list[Theme]) -> list[Theme]:
    """The curated themes closest to the topic (at most three)."""
    embed = answerer.retriever.embedder
    vectors = np.asarray(embed.embed_documents([t.description for t in themes]))
    similarity = vectors @ np.asarray(embed.embed_query(topic))
    ranked = sorted(range(len(themes)), key=lambda i: -similarity[i])
    return [themes[i] for i in ranked[:3] if similarity[i] >= TOPIC_THEME_MIN] or [themes[ranked[0]]]


_CLOSING_QUOTE = re.compile(r"(?<=[.!?…])['’\"”](?=( …)?$)")


def _unquoted(sentence: str) -> str:
    """A quote's own marks give way to ours: “Shelter’s team helped us.”, not “'Shelter’s team helped us.'”."""
    return _CLOSING_QUOTE.sub("", sentence[1:]) if sentence[:1] in "'‘\"“" else sentence


def cited_sentence(quoted: tuple[str, ...]) -> str:
    """The first sentence a claim quotes, with "…" when it quotes more: what to look for in the passage."""
    lines = [" ".join(line.removeprefix("• ").split()) for text in quoted for line in text.strip().split("\n")]
    sentences = [sentence for line in lines for sentence in split_sentences(line)]  # a list's lead-in, then its items
    return sentences[0] + (" …" if len(sentences) > 1 else "") if sentences else ""


def source_line(citation: Citation, quote: bool = True) -> str:
    """A numbered source as plain text: "[3] Case study — Learning, lesson 2: “the sentence cited”"."""
    p = citation.passage
    where = f"{p.section}, lesson {p.lesson}" if p.lesson else p.section
    said = f": “{_unquoted(cited_sentence(citation.quoted))}”" if quote else ""
    return f"[{citation.number}] {p.case_study} — {where}{said}"


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {markdown_text(item)}" for item in items)


def briefing_parts(briefing: Briefing) -> list[Part]:
    """The briefing's sections in order, each with the sources it cites."""
    def part(heading: str, text: str) -> Part:
        numbers = dict.fromkeys(int(n) for n in _CITED.findall(text))
        return Part(heading, text, [Citation(n, briefing.sources[n - 1].passage, briefing.quoted[n - 1]) for n in numbers])

    parts = [part("Summary", briefing.summary)]
    if briefing.covered:
        parts += [part("What the case studies show", "\n".join(f"- {lesson}" for lesson in briefing.lessons)),
                  part("Challenges others met", briefing.challenges), part("What enabled them", briefing.enablers),
                  part("Questions for the board", _bullets(briefing.board_questions))]
    parts.append(part("What these case studies do not tell you", _bullets(briefing.gaps)))
    return [p for p in parts if p.text]


def parts_markdown(title: str, parts: list[Part], quote: bool = True) -> str:
    """A document as Markdown: each section, then "Sources:" and the sources it cites."""
    lines = [f"# {markdown_text(title)}", ""]
    for part in parts:
        lines += [f"## {part.heading}", "", part.text, ""]
        if part.citations:
            lines += ["Sources:", ""] + [f"- {markdown_text(source_line(c, quote))}" for c in part.citations] + [""]
    return "\n".join(lines)


def briefing_markdown(briefing: Briefing) -> str:
    return parts_markdown(f"Board briefing: {briefing.topic}", briefing_parts(briefing))


def plain_text(markdown: str) -> str:
    """Markdown as the plain text a Word paragraph or the clipboard holds, without characters Word cannot store."""
    return printable(re.sub(r"\\(.)", r"\1", markdown.replace("**", "")))


AUTHOR = "Case-study lessons assistant"  # the product writes the document, not python-docx


def briefing_docx(briefing: Briefing, now: datetime | None = None) -> bytes:
    """The briefing as a Word document to circulate: real headings, each section's numbered sources
    under it, A4, its title, author and date in the file's properties and a line saying where it comes from."""
    import docx
    from docx.shared import Mm

    now = now or datetime.now(timezone.utc)
    document = docx.Document()
    title = printable(f"Board briefing: {briefing.topic}")
    document.core_properties.title, document.core_properties.author = title, AUTHOR
    document.core_properties.created = document.core_properties.modified = now
    document.core_properties.last_modified_by = AUTHOR
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
    document.add_heading(title, level=0)
    cases = list(dict.fromkeys(hit.passage.case_study for hit in briefing.sources))
    origin = (f"from {len(cases)} of the case studies in its library: " + "; ".join(cases) + "."
              if cases else "from the case studies in its library.")
    document.add_paragraph(printable(f"Prepared on {now:%d %B %Y} by the {AUTHOR.lower()}, {origin} Every point is "
                                     "their own words, with a numbered source."))

    for part in briefing_parts(briefing):
        document.add_heading(part.heading, level=1)
        for block in part.text.split("\n\n"):
            if block.startswith("- "):  # a Markdown list: a bullet per item
                for item in block.split("\n"):
                    document.add_paragraph(plain_text(item.removeprefix("- ")), style="List Bullet")
            elif block.strip():
                document.add_paragraph(plain_text(block))
        if part.citations:
            document.add_paragraph("Sources:")
            for citation in part.citations:
                document.add_paragraph(printable(source_line(citation)))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
