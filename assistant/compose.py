"""The offline composer: an answer in the case studies' own words, each point cited.

It picks the sentences, lessons, quotes and lists from the retrieved passages that best match
the question, groups them by case study, and cites each with [n], the number of its source.
Every sentence of the body is the corpus's own text; only the lead line and the case-study
names are ours.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from .keyword import terms
from .parse import split_sentences
from .records import Hit
from .retrieve import intended_sections
from .verify import looks_like_instruction

RELEVANCE_MARGIN = 0.25  # similarity a source may trail the best by, unless it shares key words
SOURCE_DECAY = 0.7  # each further point from the same passage must be worth more
CONTINUATION_BONUS = 0.3
NAME_WEIGHT = 0.25  # the named case study's own name, in an answer about it
INTENT_BONUS = 0.3  # a number for a how-many question, the asked-for section (lessons, challenges)
MIN_EXTRA_SCORE = 0.2  # share of the question a further point must match to be worth its words
WHOLE_UNIT_WORDS = 70  # lessons, quotes and lists up to this length are quoted whole
MAX_LIST_ITEMS = 2  # of a long list, the items that share most words with the question
_NUMERIC_QUESTION = re.compile(r"\b(how many|how much|how long|what year|which year|when|how old|what age|age range|how big|how large)\b", re.IGNORECASE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def markdown_text(text: str) -> str:
    """Text shown literally when rendered as Markdown: no HTML, links or emphasis from it."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


@dataclass
class _Unit:
    """A candidate piece of an answer: a sentence, or a whole lesson, quote or list."""

    hit_index: int
    order: int
    text: str
    score: float = 0.0
    overlap: float = 0.0  # share of the question's (rarity-weighted) terms it contains


def _units(hit_index: int, hit: Hit, question_terms: set[str]) -> list[_Unit]:
    passage = hit.passage
    words = len(passage.text.split())
    if passage.kind in ("lesson", "quote", "list") and words <= WHOLE_UNIT_WORDS:
        return [_Unit(hit_index, 0, passage.text)]
    if passage.kind == "list":  # a long list: its lead-in and the items closest to the question
        lead, _, items = passage.text.partition("\n")
        lead_sentences = split_sentences(lead)
        shared = {item: len(question_terms & set(terms(item))) for item in items.split("\n")}
        best = sorted(shared, key=lambda item: -shared[item])[:MAX_LIST_ITEMS]
        relevant = [item for item in shared if item in best]  # in the list's own order
        return [_Unit(hit_index, i, s) for i, s in enumerate(lead_sentences[:-1])] + [
            _Unit(hit_index, len(lead_sentences), "\n".join([lead_sentences[-1] if lead_sentences else ""] + relevant).strip())
        ]
    return [_Unit(hit_index, i, s) for i, s in enumerate(split_sentences(passage.text))]


def _score_units(question: str, hits: list[Hit], units: list[_Unit], names: set[str]) -> None:
    """Term overlap with the question, weighted by rarity among the candidates, plus rank."""
    question_terms = set(terms(question))
    unit_terms = [set(terms(u.text)) for u in units]
    df = {t: sum(1 for ts in unit_terms if t in ts) for t in question_terms}
    idf = {t: math.log(1 + len(units) / (1 + df[t])) * (NAME_WEIGHT if t in names else 1.0) for t in question_terms}
    total = sum(idf.values()) or 1.0
    numeric = bool(_NUMERIC_QUESTION.search(question))
    asked_sections = set(intended_sections(question))  # "their lessons" is answered by any lesson
    for unit, found in zip(units, unit_terms):
        overlap = sum(idf[t] for t in question_terms & found) / total
        fact = INTENT_BONUS if numeric and re.search(r"\d", unit.text) else 0.0
        section = INTENT_BONUS if hits[unit.hit_index].passage.section in asked_sections else 0.0
        unit.overlap = overlap + fact + section
        unit.score = overlap + fact + hits[unit.hit_index].score - 0.02 * unit.order


def _render_unit(unit: _Unit, hit: Hit, number: int) -> str:
    passage = hit.passage
    if passage.kind == "quote":
        text = unit.text.strip().strip("'‘’\"“”")
        text = re.sub(r"['’\"”]?\s+[-–—]\s*[^'’\"”]{1,80}$", "", text) if passage.attribution else text
        said = f" ({markdown_text(passage.attribution)})" if passage.attribution else ""
        return f"“{markdown_text(text.strip().strip(chr(39) + '‘’'))}”{said} [{number}]"
    if "\n" in unit.text:
        lead, *items = unit.text.split("\n")
        lines = [f"{markdown_text(lead)} [{number}]"] if lead else []
        return "\n".join(lines + [f"  - {markdown_text(i.lstrip('• ').strip())}" for i in items])
    return f"{markdown_text(unit.text)} [{number}]"


def compose(question: str, hits: list[Hit], answer_words: int,
            names: frozenset[str] = frozenset()) -> tuple[str, list[Hit], list[tuple[str, ...]]]:
    """The answer text, its numbered sources (every source cited, every [n] in range) and,
    per source, the text the answer quotes from it. `names`: question terms that mostly say
    which case study is meant, not what about it; they count for less.

    First the best point of each case study (breadth for theme questions), then the points
    that best match the question (a chosen sentence's next one counts for more: it often
    says how the problem was solved), within the word budget.
    """
    question_terms = set(terms(question))
    every_unit = [u for i, h in enumerate(hits) for u in _units(i, h, question_terms)]
    # text addressed to a model rather than the reader is left out, unless it is all there is
    units = [u for u in every_unit if not looks_like_instruction(u.text)] or every_unit
    _score_units(question, hits, units, names)
    # a source stays if it is close to the best by meaning, or shares the question's key words
    best = max(h.similarity for h in hits)
    kept = [i for i, h in enumerate(hits) if h.similarity >= best - RELEVANCE_MARGIN
            or any(u.overlap >= MIN_EXTRA_SCORE for u in units if u.hit_index == i)]
    candidates = [hits[i] for i in kept]
    units = [replace(u, hit_index=kept.index(u.hit_index)) for u in units if u.hit_index in kept]
    ranked = sorted(units, key=lambda u: -u.score)

    chosen: list[_Unit] = []
    words = 0

    def take(unit: _Unit) -> None:
        nonlocal words
        chosen.append(unit)
        words += len(unit.text.split())

    for case_study in dict.fromkeys(h.passage.case_study for h in candidates):
        unit = next(u for u in ranked if candidates[u.hit_index].passage.case_study == case_study)
        if not chosen or words + len(unit.text.split()) <= answer_words:
            take(unit)
    while True:
        picked = {(u.hit_index, u.order) for u in chosen}

        def worth(unit: _Unit) -> float:
            from_source = sum(1 for c in chosen if c.hit_index == unit.hit_index)
            follows = (unit.hit_index, unit.order - 1) in picked  # keeps a passage's thought together
            return (unit.overlap + (CONTINUATION_BONUS if follows else 0.0)) * SOURCE_DECAY ** from_source

        remaining = [u for u in ranked if (u.hit_index, u.order) not in picked
                     and (u.overlap > 0 or (u.hit_index, u.order - 1) in picked)
                     and words + len(u.text.split()) <= answer_words]
        if not remaining:
            break
        unit = max(remaining, key=worth)
        if worth(unit) < MIN_EXTRA_SCORE:
            break
        take(unit)

    cited = sorted({u.hit_index for u in chosen})
    sources = [candidates[i] for i in cited]
    number = {hit_index: n + 1 for n, hit_index in enumerate(cited)}
    lead_unit = max(chosen, key=lambda u: u.score)
    leads_with_fact = bool(_NUMERIC_QUESTION.search(question))  # else each case reads in text order
    case_order = list(dict.fromkeys(
        [candidates[lead_unit.hit_index].passage.case_study] + [candidates[i].passage.case_study for i in cited]))

    blocks = []
    for case_study in case_order:
        here = sorted((u for u in chosen if candidates[u.hit_index].passage.case_study == case_study),
                      key=lambda u: (not (leads_with_fact and u is lead_unit), candidates[u.hit_index].passage.position, u.order))
        label = candidates[here[0].hit_index].passage.short_title
        body = " ".join(_render_unit(u, candidates[u.hit_index], number[u.hit_index]) for u in here)
        blocks.append(f"**{markdown_text(label)}**: {body}")
    titles = list(dict.fromkeys(candidates[i].passage.short_title for i in cited))
    lead = (f"From the {markdown_text(titles[0])} case study:" if len(titles) == 1
            else f"{len(titles)} case studies speak to this: {markdown_text(', '.join(titles[:-1]))} and {markdown_text(titles[-1])}.")
    excerpts = [tuple(u.text for u in sorted(chosen, key=lambda u: u.order) if u.hit_index == i) for i in cited]
    return "\n\n".join([lead] + blocks), sources, excerpts
