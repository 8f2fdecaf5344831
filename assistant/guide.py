"""Onboarding guides: each case study at a glance, its challenges, enablers and numbered
lessons, with reflection questions from the curated themes file; and a reading path through
all the case studies for a new member of staff. Built only from the case studies' own text; each
sentence picked out "at a glance" cites the passage it comes from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .brief import Citation, Part, parts_markdown
from .catalogue import CaseStudy
from .records import OVERVIEW, Passage
from .retrieve import Retriever
from .text import markdown_text, split_sentences
from .themes import ThemeMap, reading_path

_FIGURE = re.compile(r"£\s?\d|\d[\d,.]*\s*(%|per cent|people|organisations|partners|members|years|months|a year|each year|a week)"
                     r"|\b\d{4}\b|\d{2,}")


@dataclass(frozen=True)
class Guide:
    case: CaseStudy
    summary: tuple[str, Passage] | None  # the overview's first sentence (who they are) and its passage
    figures: list[tuple[str, Passage]]  # sentences that state scale, money, places and dates, and their passages
    challenges: list[Passage]
    enablers: list[Passage]
    lessons: list[Passage]
    quotes: list[Passage]
    themes: list[tuple[str, float]]
    reflection_questions: list[str]


def build_guide(retriever: Retriever, case: CaseStudy, themes: ThemeMap) -> Guide:
    passages = retriever.passages_of(case.title)
    overview = [p for p in passages if p.section == OVERVIEW and p.kind != "quote"]
    figures: dict[str, Passage] = {}
    for passage in passages:
        for sentence in split_sentences(passage.text.split("\n")[0]) if passage.kind != "quote" else []:
            if _FIGURE.search(sentence):
                figures.setdefault(sentence, passage)
    strongest = themes.strongest_themes(case.title)
    return Guide(
        case=case,
        summary=(split_sentences(overview[0].text)[0], overview[0]) if overview else None,
        figures=list(figures.items()),
        challenges=[p for p in passages if p.section == "Challenges"],
        enablers=[p for p in passages if p.section == "Enablers"],
        lessons=[p for p in passages if p.kind == "lesson"],
        quotes=[p for p in passages if p.kind == "quote"],
        themes=[(t.name, themes.score(t.name, case.title)) for t in strongest],
        reflection_questions=[q for t in strongest for q in t.reflection_questions],
    )


def guide_parts(guide: Guide) -> list[Part]:
    """The guide's sections in order; "At a glance" cites each sentence to its passage, listed under it."""
    quoted: dict[Passage, list[str]] = {}  # in the order first cited: that order numbers them
    glance = [f"- **Who**: {markdown_text(', '.join(guide.case.organisations))}"]
    summary = [guide.summary] if guide.summary else []
    for sentence, passage in summary + [figure for figure in guide.figures if figure not in summary]:
        quoted.setdefault(passage, []).append(sentence)
        glance.append(f"- {markdown_text(sentence)} [{list(quoted).index(passage) + 1}]")
    glance.append("- **Strongest themes**: " + ", ".join(name for name, _ in guide.themes))  # no raw scores for readers
    parts = [Part("At a glance", "\n".join(glance),
                  [Citation(n, passage, tuple(sentences)) for n, (passage, sentences) in enumerate(quoted.items(), 1)])]
    for title, items in (("Challenges", guide.challenges), ("Enablers", guide.enablers)):
        parts.append(Part(title, "\n\n".join(markdown_text(p.text) for p in items)))
    parts.append(Part("Learning", "\n".join(f"{p.lesson}. {markdown_text(p.text)}" for p in guide.lessons)))
    parts.append(Part("In their words", "\n\n".join(f"> {markdown_text(p.text)}" for p in guide.quotes)))
    parts.append(Part("Questions to reflect on", "\n".join(f"- {markdown_text(q)}" for q in guide.reflection_questions)))
    return [part for part in parts if part.text]


def guide_markdown(guide: Guide) -> str:
    """The guide to download: its sources name where each sentence is (the sentence is the claim itself)."""
    return parts_markdown(guide.case.title, guide_parts(guide), quote=False)


def reading_path_markdown(themes: ThemeMap) -> str:
    lines = ["# A reading path through the case studies", "",
             "Theme by theme, the case study that speaks to it most strongly among those not yet read.", ""]
    for n, (case, theme) in enumerate(reading_path(themes), 1):
        lines.append(f"{n}. **{markdown_text(case.short_title)}**: read it for *{markdown_text(theme.name.lower())}*. "
                     f"{markdown_text(case.title)}")
    return "\n".join(lines) + "\n"
