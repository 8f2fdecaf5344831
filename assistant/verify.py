"""Claim-by-claim verification of a generated answer against the passages it cites.

A sentence is kept only if every check passes:
- it cites at least one source, and every [n] is in range;
- text it puts in quotation marks appears verbatim in a cited passage;
- every number and every name it states appears in a cited passage (or its case study's title);
- it neither repeats the assistant's instructions nor an instruction planted in a source;
- it does not turn its source round (contradict.py): negations kept, no opposites, numbers and
  names attached to what the source attaches them to, no clause in another language;
- support = mean of the cosine similarity (sentence, passage) and the share of the sentence's
  search terms found in the passage, for its best cited passage, reaches SUPPORT_THRESHOLD,
  calibrated on tests/data/support_pairs.jsonl (supported and unsupported pairs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .contradict import inversion
from .records import Passage
from .text import STOPWORDS, names_in, split_sentences, straight_quotes, terms

# Kept so that no supported pair of tests/data/support_pairs.jsonl is dropped: 0.58 with the packaged model;
# each adaptation (adapt.py) has scored the closest supported pairs a little lower. Adapted on 1,151 pairs,
# the lowest scores 0.516: at 0.5 it keeps all 146 and catches 184 of the 189 unsupported (185 at 0.58 before)
SUPPORT_THRESHOLD = 0.5
_CITATIONS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# an apostrophe inside or after a word ("partnership's", "partners'") opens no quotation
_QUOTED = re.compile(r"(?<!\w)[“\"‘']([^“”\"‘’']{12,})[”\"’']")
_NUMBER = re.compile(r"£?\d[\d,.]*%?")
# opening a sentence, a capital means nothing, unless it is a possessive or an acronym
_OPENING_NAME = re.compile(r"^([A-Z][A-Za-z&-]+['’]s|[A-Z]{2,})\b")

_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.]{0,40}\b(instructions?|rules|prompt)\b|\bsystem (prompt|notice)\b|"
    r"\byou are now\b|\bnew instructions\b", re.IGNORECASE)
PROMPT_ECHO_WORDS = 5  # a claim sharing this many words in a row with the instructions repeats them

Embed = Callable[[list[str]], list[list[float]]]


def looks_like_instruction(text: str) -> bool:
    """Text addressed to the model rather than the reader ("ignore previous instructions ...")."""
    return _INSTRUCTION.search(text) is not None


def _runs(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", _plain(text))
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@dataclass(frozen=True)
class Claim:
    text: str  # the sentence without its citation marks
    citations: tuple[int, ...]
    problem: str = ""  # why it is not supported; empty if it is

    @property
    def supported(self) -> bool:
        return not self.problem


def _plain(text: str) -> str:
    return " ".join(straight_quotes(text).split()).lower()


def claims_of(answer: str) -> list[tuple[str, tuple[int, ...]]]:
    """Sentences of an answer with the source numbers each cites: "A [1]. B [2, 3]." ->
    [("A.", (1,)), ("B.", (2, 3))]. A mark after the full stop belongs to that sentence."""
    text = re.sub(r"^\s*(?:[-*•]|\d+\.)\s+", "", answer, flags=re.MULTILINE)
    text = re.sub(r"([.!?])\s*((?:\[\d+(?:\s*,\s*\d+)*\]\s*)+)", r" \2\1 ", text)  # "x. [1]" -> "x [1]."
    found = []
    for sentence in split_sentences(" ".join(text.split())):
        numbers = tuple(int(n) for group in _CITATIONS.findall(sentence) for n in re.split(r"\s*,\s*", group))
        plain = " ".join(_CITATIONS.sub("", sentence).split()).replace(" .", ".")
        if plain.strip(" .!?"):
            found.append((plain, numbers))
    return found


def support(sentence: str, passage: Passage, sentence_vector: Sequence[float], passage_vector: Sequence[float]) -> float:
    sentence_terms = set(terms(sentence))
    passage_terms = set(terms(passage.text + " " + passage.case_study))
    overlap = len(sentence_terms & passage_terms) / len(sentence_terms) if sentence_terms else 0.0
    norms = float(np.linalg.norm(sentence_vector) * np.linalg.norm(passage_vector)) or 1.0
    cosine = float(np.dot(sentence_vector, passage_vector)) / norms
    return 0.5 * cosine + 0.5 * overlap


def _missing_facts(sentence: str, cited: list[Passage]) -> str:
    sources = _plain(" ".join(p.text + " " + p.case_study for p in cited))
    for quote in _QUOTED.findall(sentence):
        if _plain(quote) not in sources:
            return f"quoted text not in the source: “{quote}”"
    for number in _NUMBER.findall(sentence):
        number = number.rstrip(".,")
        if number and number.lower() not in sources:
            return f"number not in the source: {number}"
    for name in names_in(sentence) + _OPENING_NAME.findall(sentence):
        plain = re.sub(r"'s$", "", _plain(name))
        if plain not in STOPWORDS and plain not in sources:
            return f"name not in the source: {name}"
    return ""


class Verifier:
    """Checks sentences against a fixed list of numbered sources (embedded once)."""

    def __init__(self, sources: list[Passage], embed: Embed, instructions: str = ""):
        self.sources = sources
        self._embed = embed
        self._vectors = embed([p.text for p in sources]) if sources else []
        self._instruction_runs = _runs(instructions, PROMPT_ECHO_WORDS)
        # sentences of a source addressed to a model: repeating them is obeying them
        self._injected = [[s for s in split_sentences(p.text) if looks_like_instruction(s)] for p in sources]

    def check(self, answer: str) -> list[Claim]:
        pairs = claims_of(answer)
        if not pairs:
            return []
        sentence_vectors = self._embed([text for text, _ in pairs])
        return [self._claim(text, numbers, vector) for (text, numbers), vector in zip(pairs, sentence_vectors, strict=True)]

    def _claim(self, text: str, numbers: tuple[int, ...], vector: Sequence[float]) -> Claim:
        if not numbers:
            return Claim(text, numbers, "no citation")
        if any(not 1 <= n <= len(self.sources) for n in numbers):
            return Claim(text, numbers, "citation out of range")
        if _runs(text, PROMPT_ECHO_WORDS) & self._instruction_runs or looks_like_instruction(text):
            return Claim(text, numbers, "repeats the assistant's instructions")
        claim_terms = set(terms(text))
        for n in numbers:
            for injected in self._injected[n - 1]:
                if claim_terms and len(claim_terms & set(terms(injected))) >= 0.5 * len(claim_terms):
                    return Claim(text, numbers, "repeats an instruction found inside a source")
        best = max(support(text, self.sources[n - 1], vector, self._vectors[n - 1]) for n in numbers)
        cited = [self.sources[n - 1] for n in numbers]
        problem = _missing_facts(text, cited) or inversion(text, cited)
        if not problem and best < SUPPORT_THRESHOLD:
            problem = f"weak support ({best:.2f})"
        return Claim(text, numbers, problem)
