"""Does the corpus cover a question? Decided before anything is composed.

Two measured signals, calibrated on tests/data/scope_questions.jsonl (in- and out-of-scope
questions kept with the tests):
- evidence = cosine similarity of the best passage × share of the question's search terms
  that occur anywhere in the corpus. General-knowledge questions lose on one or the other:
  "What's the weather in Leeds tomorrow?" finds Leeds, but "weather" and "tomorrow" are unknown.
- a name the corpus never uses ("What did Barnardo's learn ...") is not answered from
  other organisations' stories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .compose import markdown_text
from .keyword import KeywordIndex, terms
from .records import Hit

_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w'’&-]*)")


@dataclass(frozen=True)
class Coverage:
    evidence: float
    unknown_names: tuple[str, ...]
    threshold: float

    @property
    def covered(self) -> bool:
        return not self.unknown_names and self.evidence >= self.threshold


def unknown_names(question: str, keyword: KeywordIndex) -> tuple[str, ...]:
    """Capitalised words, not opening a sentence, that the corpus never uses."""
    names = []
    for word in _CAPITALISED.findall(question.strip()):
        word_terms = terms(word)
        if word_terms and not any(keyword.knows(t) for t in word_terms):
            names.append(word.rstrip("'’"))
    return tuple(dict.fromkeys(names))


def assess(question: str, hits: list[Hit], keyword: KeywordIndex, threshold: float) -> Coverage:
    question_terms = terms(question)
    known = sum(1 for t in question_terms if keyword.knows(t))
    share = known / len(question_terms) if question_terms else 0.0
    best = max((h.similarity for h in hits), default=0.0)
    return Coverage(round(best * share, 4), unknown_names(question, keyword), threshold)


def refusal(question: str, coverage: Coverage, hits: list[Hit]) -> str:
    if coverage.unknown_names:
        names = ", ".join(markdown_text(n) for n in coverage.unknown_names)
        opening = f"The case studies don't mention {names}, so I can't answer this from them."
    else:
        opening = "The case studies don't cover this question, so I won't guess an answer."
    nearest = list(dict.fromkeys(h.passage.label for h in hits if h.similarity > 0.15))[:3]
    if nearest:
        return opening + " The nearest topics they do cover: " + "; ".join(markdown_text(n) for n in nearest) + "."
    return opening + " They cover collaboration between larger and smaller charities: power, trust, funding, contracts and leadership."
