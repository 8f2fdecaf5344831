"""Onboarding guides: each case study at a glance, its challenges, enablers and numbered
lessons, with reflection questions from the curated themes file; and a reading path through
all the case studies for a new member of staff. Built only from the case studies' own text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalogue import CaseStudy
from .records import OVERVIEW, Passage
from .retrieve import Retriever
from .text import markdown_text, split_sentences
from .themes import ThemeMap, reading_path

_FIGURE = re.compile(r"£\s?\d|\d[\d,.]*\s*(%|per cent|people|organisations|partners|members|years|months|a year|each year|a week)|\b\d{4}\b|\d{2,}")


@dataclass(frozen=True)
class Guide:
    case: CaseStudy
    summary: str  # the overview's first sentence: who they are
    figures: list[str]  # sentences that state scale, money, places and dates
    challenges: list[Passage]
    enablers: list[Passage]
    lessons: list[Passage]
    quotes: list[Passage]
    themes: list[tuple[str, float]]
    reflection_questions: list[str]


def build_guide(retriever: Retriever, case: CaseStudy, themes: ThemeMap) -> Guide:
    passages = retriever.passages_of(case.title)
    overview = [p for p in passages if p.section == OVERVIEW and p.kind != "quote"]
    sentences = [s for p in passages if p.kind != "quote" for s in split_sentences(p.text.split("\n")[0])]
    strongest = themes.strongest_themes(case.title)
    return Guide(
        case=case,
        summary=split_sentences(overview[0].text)[0] if overview else "",
        figures=list(dict.fromkeys(s for s in sentences if _FIGURE.search(s))),
        challenges=[p for p in passages if p.section == "Challenges"],
        enablers=[p for p in passages if p.section == "Enablers"],
        lessons=[p for p in passages if p.kind == "lesson"],
        quotes=[p for p in passages if p.kind == "quote"],
        themes=[(t.name, themes.score(t.name, case.title)) for t in strongest],
        reflection_questions=[q for t in strongest for q in t.reflection_questions],
    )


def guide_markdown(guide: Guide) -> str:
    case = guide.case
    lines = [f"# {markdown_text(case.title)}", "", "## At a glance", "",
             f"- **Who**: {markdown_text(', '.join(case.organisations))}"]
    if guide.summary:
        lines.append(f"- {markdown_text(guide.summary)}")
    lines += [f"- {markdown_text(s)}" for s in guide.figures if s != guide.summary]
    lines += ["- **Strongest themes**: " + ", ".join(name for name, _ in guide.themes), ""]  # no raw scores for readers
    for title, items in (("Challenges", guide.challenges), ("Enablers", guide.enablers)):
        if items:
            lines += [f"## {title}", ""] + [markdown_text(p.text) + "\n" for p in items]
    if guide.lessons:
        lines += ["## Learning", ""] + [f"{p.lesson}. {markdown_text(p.text)}" for p in guide.lessons] + [""]
    if guide.quotes:
        lines += ["## In their words", ""] + [f"> {markdown_text(p.text)}\n" for p in guide.quotes]
    lines += ["## Questions to reflect on", ""] + [f"- {markdown_text(q)}" for q in guide.reflection_questions] + [""]
    return "\n".join(lines)


def reading_path_markdown(themes: ThemeMap) -> str:
    lines = ["# A reading path through the case studies", "",
             "Theme by theme, the case study that speaks to it most strongly among those not yet read.", ""]
    for n, (case, theme) in enumerate(reading_path(themes), 1):
        lines.append(f"{n}. **{markdown_text(case.short_title)}**: read it for *{markdown_text(theme.name.lower())}*. "
                     f"{markdown_text(case.title)}")
    return "\n".join(lines) + "\n"
