"""Board briefings: a document a trustee can circulate, with every claim cited to case study,
section and lesson, nothing invented, and what the case studies do not say stated plainly.

Sections: summary; what the case studies show (lessons across them); challenges others met;
what enabled them; questions for the board (from the curated themes file); what these case
studies do not tell you; numbered sources. Exported as Markdown and as Word (python-docx).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from .answer import Answerer
from .compose import compose
from .records import Hit
from .refuse import declined_text
from .retrieve import Filters
from .text import markdown_text, printable
from .themes import Theme, ThemeMap

SCOPE = ("These are eight case studies from England, published in 2021 and told by the organisations "
         "themselves. They describe what happened and what the partners learned; they are not independent "
         "evaluations, and they give few figures on costs or outcomes.")
TOPIC_THEME_MIN = 0.35  # cosine similarity of topic and theme description for the theme to apply
WEAK_COVERAGE = 0.45  # a theme whose best case study scores below this is covered weakly
SECTION_WORDS = 110


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


class _Sources:
    """One numbered source list for the whole briefing; sections' own [n] are renumbered into it."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []

    def number(self, hit: Hit) -> int:
        for n, known in enumerate(self.hits, 1):
            if known.passage.id == hit.passage.id:
                return n
        self.hits.append(hit)
        return len(self.hits)

    def renumber(self, text: str, local: list[Hit]) -> str:
        return re.sub(r"\[(\d+)\]", lambda m: f"[{self.number(local[int(m.group(1)) - 1])}]", text)


def _body(composed_text: str) -> str:
    """A composed answer without its lead line ("3 case studies speak to this: ...")."""
    return composed_text.split("\n\n", 1)[1] if "\n\n" in composed_text else composed_text


def build_briefing(answerer: Answerer, topic: str, themes: ThemeMap) -> Briefing:
    retriever, settings = answerer.retriever, answerer.settings
    hits, coverage, _ = answerer.scope(topic, topic, None, None)
    if not hits or not coverage.covered:
        return Briefing(topic, False, summary=declined_text(coverage, hits, board=True), gaps=[SCOPE])

    sources = _Sources()
    briefing = Briefing(topic, True)
    text, local, _ = compose(topic, hits, SECTION_WORDS)
    briefing.summary = sources.renumber(text, local)

    lessons = retriever.search(topic, k=settings.top_k, filters=Filters(sections=("Learning",)))
    best = max((h.similarity for h in lessons), default=0.0)
    for hit in lessons:
        if hit.similarity >= best - 0.2:
            p = hit.passage
            briefing.lessons.append(f"**{markdown_text(p.short_title)}, lesson {p.lesson}**: "
                                    f"{markdown_text(p.text)} [{sources.number(hit)}]")
    for section, attribute in (("Challenges", "challenges"), ("Enablers", "enablers")):
        found = retriever.search(topic, k=4, filters=Filters(sections=(section,)))
        if found:
            text, local, _ = compose(topic, found, SECTION_WORDS)
            setattr(briefing, attribute, sources.renumber(_body(text), local))

    applicable = _themes_for(topic, answerer, themes.themes)
    briefing.board_questions = [q for theme in applicable for q in theme.board_questions]
    for theme in applicable:
        row = themes.scores[themes.themes.index(theme)]
        if max(row) < WEAK_COVERAGE:
            briefing.gaps.append(f"{theme.name}: the case studies touch on this only in passing "
                                 f"(strongest match {max(row):.2f}).")
    silent = sorted({c.short_title for c in themes.cases} - {h.passage.short_title for h in sources.hits})
    if silent:
        briefing.gaps.append("Case studies that say nothing quoted here about this topic: " + ", ".join(silent) + ".")
    briefing.gaps.append(SCOPE)
    briefing.sources = sources.hits
    return briefing


def _themes_for(topic: str, answerer: Answerer, themes: list[Theme]) -> list[Theme]:
    """The curated themes closest to the topic (at most three)."""
    embed = answerer.retriever.embedder
    vectors = np.asarray(embed.embed_documents([t.description for t in themes]))
    similarity = vectors @ np.asarray(embed.embed_query(topic))
    ranked = sorted(range(len(themes)), key=lambda i: -similarity[i])
    return [themes[i] for i in ranked[:3] if similarity[i] >= TOPIC_THEME_MIN] or [themes[ranked[0]]]


def source_line(n: int, hit: Hit) -> str:
    p = hit.passage
    where = f"{p.section}, lesson {p.lesson}" if p.lesson else p.section
    excerpt = " ".join(p.text.split()[:25]) + ("…" if len(p.text.split()) > 25 else "")
    return f"{n}. {p.case_study} — {where}: “{excerpt}”"


def briefing_markdown(briefing: Briefing) -> str:
    lines = [f"# Board briefing: {markdown_text(briefing.topic)}", "", "## Summary", "", briefing.summary, ""]
    if briefing.covered:
        lines += ["## What the case studies show", ""] + [f"- {lesson}" for lesson in briefing.lessons] + [""]
        if briefing.challenges:
            lines += ["## Challenges others met", "", briefing.challenges, ""]
        if briefing.enablers:
            lines += ["## What enabled them", "", briefing.enablers, ""]
        lines += ["## Questions for the board", ""] + [f"- {markdown_text(q)}" for q in briefing.board_questions] + [""]
    lines += ["## What these case studies do not tell you", ""] + [f"- {markdown_text(g)}" for g in briefing.gaps] + [""]
    if briefing.sources:
        lines += ["## Sources", ""] + [markdown_text(source_line(n, h)) for n, h in enumerate(briefing.sources, 1)] + [""]
    return "\n".join(lines)


def _plain(markdown: str) -> str:
    """Markdown as the plain text a Word paragraph holds, without characters Word cannot store."""
    return printable(re.sub(r"\\(.)", r"\1", markdown.replace("**", "")))


AUTHOR = "Case-study lessons assistant"  # the product writes the document, not python-docx


def briefing_docx(briefing: Briefing, now: datetime | None = None) -> bytes:
    """The briefing as a Word document to circulate: real headings, a numbered source list, A4,
    its title, author and date in the file's properties and a line saying where it comes from."""
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

    def paragraphs(text: str) -> None:
        for block in text.split("\n\n"):
            if block.strip():
                document.add_paragraph(_plain(block))

    document.add_heading("Summary", level=1)
    paragraphs(briefing.summary)
    if briefing.covered:
        document.add_heading("What the case studies show", level=1)
        for lesson in briefing.lessons:
            document.add_paragraph(_plain(lesson), style="List Bullet")
        for title, text in (("Challenges others met", briefing.challenges), ("What enabled them", briefing.enablers)):
            if text:
                document.add_heading(title, level=1)
                paragraphs(text)
        document.add_heading("Questions for the board", level=1)
        for question in briefing.board_questions:
            document.add_paragraph(printable(question), style="List Bullet")
    document.add_heading("What these case studies do not tell you", level=1)
    for gap in briefing.gaps:
        document.add_paragraph(printable(gap), style="List Bullet")
    if briefing.sources:
        document.add_heading("Sources", level=1)
        for n, hit in enumerate(briefing.sources, 1):
            document.add_paragraph(printable(source_line(n, hit).split(". ", 1)[1]), style="List Number")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
