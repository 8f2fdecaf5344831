"""A conversation as a Markdown document someone can take to a meeting: each answer followed
by its sources, every [n] resolved to case study, section and lesson."""

from __future__ import annotations

from datetime import date
from typing import Sequence

from .records import Answer
from .text import markdown_text


def transcript_markdown(turns: Sequence[tuple[str, Answer]], corpus: str, today: date | None = None) -> str:
    """(question, answer) pairs in order -> Markdown. `corpus`: what the answers quote from, as
    `Catalogue.description` says it ("8 case studies, published in 2021")."""
    lines = ["# Conversation with the case-study lessons assistant", "",
             f"*{(today or date.today()).isoformat()}. Answers quote {markdown_text(corpus)}; [n] refers to the "
             "sources under each answer.*", ""]
    for number, (question, answer) in enumerate(turns, 1):
        lines += [f"## {number}. {markdown_text(question)}", "", answer.text, ""]
        if answer.notice:  # what the reader was told beside the answer: a widened filter, a dated text
            lines += [f"*Note: {markdown_text(answer.notice)}*", ""]
        if answer.sources:
            lines += ["Sources:", ""]
            for n, hit in enumerate(answer.sources, 1):
                passage = hit.passage
                lines.append(f"{n}. {markdown_text(passage.case_study)}: {markdown_text(passage.section)}"
                             + (f", lesson {passage.lesson}" if passage.lesson else ""))
            lines.append("")
    return "\n".join(lines)
