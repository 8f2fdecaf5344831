"""Answers in the case studies' own words, each point cited, or an honest refusal.

No LLM: the composer picks the sentences, lessons and quotes from the retrieved passages that
best match the question, groups them by case study, and cites each with [n], the number of
its source. Every sentence of the body is the corpus's own text; only the lead line and the
case-study names are ours. Questions the corpus does not cover are refused (see refuse.py).
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from dataclasses import dataclass, replace
from typing import Generator, Iterator, Sequence

from langchain_core.language_models import BaseChatModel

from .errors import BadQuestion
from .followup import Turn, resolve
from .keyword import terms
from .llm import LLMUnavailable, answer_messages, complete, condense_messages, declined, stream
from .parse import split_sentences
from .records import Answer, Hit
from .refuse import Coverage, assess
from .retrieve import Filters, Retriever, intended_sections
from .settings import Settings
from .verify import Claim, Verifier, looks_like_instruction

RELEVANCE_MARGIN = 0.25  # similarity a source may trail the best by, unless it shares key words
SOURCE_DECAY = 0.7  # each further point from the same passage must be worth more
CONTINUATION_BONUS = 0.3
NAME_WEIGHT = 0.25  # the named case study's own name, in an answer about it
INTENT_BONUS = 0.3  # a number for a how-many question, the asked-for section (lessons, challenges)
MIN_EXTRA_SCORE = 0.2  # share of the question a further point must match to be worth its words
FOCUSED_DEPTH = 2
WHOLE_UNIT_WORDS = 70
MIN_SUPPORTED_SHARE = 0.5  # of a generated answer's sentences, or the offline answer is shown
MAX_LIST_ITEMS = 2  # of a long list, the items that share most words with the question  # lessons, quotes and lists up to this length are quoted whole
_NUMERIC_QUESTION = re.compile(r"\b(how many|how much|how long|what year|which year|when|how old|what age|age range|how big|how large)\b", re.IGNORECASE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def markdown_text(text: str) -> str:
    """Text shown literally when rendered as Markdown: no HTML, links or emphasis from it."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def clean_question(question: str, settings: Settings) -> str:
    """The question as plain text, or BadQuestion with what to do."""
    text = unicodedata.normalize("NFKC", question or "")
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)  # control, format chars
    text = " ".join(text.split())
    if not text:
        raise BadQuestion("Please type a question, for example: How do we handle a power imbalance with a smaller partner?")
    if len(text) > settings.max_question_chars:
        raise BadQuestion(
            f"That question is {len(text):,} characters long; the limit is {settings.max_question_chars:,}. "
            "Please ask a shorter question, or split it into several."
        )
    return text


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
    names = list(dict.fromkeys(candidates[i].passage.short_title for i in cited))
    lead = (f"From the {markdown_text(names[0])} case study:" if len(names) == 1
            else f"{len(names)} case studies speak to this: {markdown_text(', '.join(names[:-1]))} and {markdown_text(names[-1])}.")
    excerpts = [tuple(u.text for u in sorted(chosen, key=lambda u: u.order) if u.hit_index == i) for i in cited]
    return "\n\n".join([lead] + blocks), sources, excerpts


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


class AnswerStream:
    """An answer as it is written: iterate for text pieces, then read `.answer` (the final,
    verified record, whose text replaces what was streamed)."""

    def __init__(self, pieces: Generator[str, None, Answer]):
        self._pieces = pieces
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        self.answer = yield from self._pieces


def _word_pieces(text: str) -> Iterator[str]:
    yield from re.split(r"(?<=\s)", text)


class Answerer:
    """Question (and conversation) in, `Answer` out: offline, or from a chat model whose every
    sentence is verified against the passages it cites."""

    def __init__(self, retriever: Retriever, settings: Settings, chat_model: BaseChatModel | None = None):
        self.retriever = retriever
        self.settings = settings
        self.chat_model = chat_model

    @property
    def mode(self) -> str:
        return f"llm:{self.settings.llm}" if self.chat_model is not None else "offline"

    def ask(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None,
            answer_words: int | None = None) -> Answer:
        streaming = self.ask_stream(question, history, filters, answer_words)
        for _ in streaming:
            pass
        assert streaming.answer is not None
        return streaming.answer

    def ask_stream(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None,
                   answer_words: int | None = None) -> AnswerStream:
        """Validates the question at once (BadQuestion), then streams the answer."""
        return AnswerStream(self._pieces(clean_question(question, self.settings), history, filters,
                                         answer_words or self.settings.answer_words))

    def _pieces(self, question: str, history: Sequence[Turn], filters: Filters | None,
                words: int) -> Generator[str, None, Answer]:
        started = time.perf_counter()
        resolved = resolve(question, history, self.retriever.catalogue)
        query, notice = resolved.query, ""
        if self.chat_model is not None and history and resolved.focus is None:
            try:  # an LLM can say what "it" refers to better than our rules
                query = complete(self.chat_model, condense_messages(question, history)).strip().splitlines()[0]
            except LLMUnavailable as error:
                notice = f"The language model is unavailable ({error}); answering from the case studies' own words."
        # narrowed to one case study, any of its passages may hold the answer: read more of it
        k = self.settings.top_k * (FOCUSED_DEPTH if resolved.focus and len(resolved.focus) == 1 else 1)
        hits = self.retriever.search(query, k=k, filters=filters, focus=resolved.focus)
        retrieved = time.perf_counter()
        coverage = assess(question if resolved.focus is None else resolved.query, hits, self.retriever.keyword,
                          self.settings.refusal_threshold)
        timings = {"retrieve": round((retrieved - started) * 1000, 2)}

        def finish(answer: Answer) -> Answer:
            timings["answer"] = round((time.perf_counter() - retrieved) * 1000, 2)
            timings["total"] = round((time.perf_counter() - started) * 1000, 2)
            return replace(answer, timings_ms=timings)

        if not hits or not coverage.covered:
            text = refusal(question, coverage, hits)
            yield from _word_pieces(text)
            return finish(Answer(question, text, [], refused=True, notice=notice))
        text, sources, excerpts = compose(question, hits, words,
                                          frozenset(self.retriever.catalogue.name_terms(resolved.focus or [])))
        offline = Answer(question, text, sources, excerpts=excerpts, notice=notice)
        if self.chat_model is None or notice:
            yield from _word_pieces(text)
            return finish(offline)
        generated = yield from self._generated(question, hits[: self.settings.top_k], words)
        if isinstance(generated, str):  # the reason the generated answer cannot be shown
            yield "\n\n"
            yield from _word_pieces(text)
            return finish(replace(offline, notice=generated))
        return finish(generated)

    def _generated(self, question: str, hits: list[Hit], words: int) -> Generator[str, None, Answer | str]:
        """Streams the model's supported sentences; returns the verified answer, or why not."""
        messages = answer_messages(question, hits, words)
        verifier = Verifier([h.passage for h in hits], self.retriever.embedder.embed_documents, str(messages[0].content))
        claims: list[Claim] = []
        written, buffer = "", ""
        try:
            for piece in stream(self.chat_model, messages):  # type: ignore[arg-type]
                written += piece
                buffer += piece
                complete_part, buffer = _split_complete(buffer)
                for claim in verifier.check(complete_part) if complete_part else []:
                    claims.append(claim)
                    if claim.supported:
                        yield f"{claim.text} [{', '.join(map(str, claim.citations))}] "
            for claim in verifier.check(buffer) if buffer.strip() else []:
                claims.append(claim)
                if claim.supported:
                    yield f"{claim.text} [{', '.join(map(str, claim.citations))}] "
        except LLMUnavailable as error:
            return f"The language model is unavailable ({error}); this is the answer in the case studies' own words."
        kept = [c for c in claims if c.supported]
        if declined(written) or not kept or len(kept) < MIN_SUPPORTED_SHARE * len(claims):
            reason = "the model said the passages do not cover this" if declined(written) else \
                f"only {len(kept)} of {len(claims)} of its sentences are supported by the passages they cite"
            return f"The language model's answer was not shown: {reason}. This is the answer in the case studies' own words."
        cited = sorted({n for c in kept for n in c.citations})
        number = {old: new for new, old in enumerate(cited, 1)}
        text = " ".join(f"{markdown_text(c.text)} [{', '.join(str(number[n]) for n in c.citations)}]" for c in kept)
        dropped = len(claims) - len(kept)
        return Answer(question, text, [hits[n - 1] for n in cited], mode=self.mode,
                      excerpts=[() for _ in cited],
                      notice=f"{dropped} of the model's {len(claims)} sentences were removed: the passages they cite "
                             "do not support them." if dropped else "")


def _split_complete(buffer: str) -> tuple[str, str]:
    """Sentences whose end (and citation marks) have arrived, and the rest still being written."""
    ends = list(re.finditer(r"[.!?](?:\s*\[\d+(?:\s*,\s*\d+)*\])*\s+(?=\S)", buffer))
    if not ends:
        return "", buffer
    cut = ends[-1].end()
    return buffer[:cut], buffer[cut:]
