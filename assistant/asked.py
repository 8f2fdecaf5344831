"""Questions asked before, each with the sentence that answers it: a ranking of passages for retrieval.

A new question near one asked before ("does sharing an office with partners help?" / "is co-location
worth the hassle?") is most likely answered by the same sentence, however few words it shares with it:
a small model matches a question with a question more surely than with its answer. The pairs are the
ones the model is adapted on (content/tuning_pairs.jsonl: labelled questions, never a check half),
their questions embedded once per model and kept beside the index; the ranking holds the passages
that contain the answer to a question asked before that is at least NEAR_QUESTION alike, nearest first.
A passage the pairs don't know (a case study added since) is simply not in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

from .adapt import read_pairs
from .embed import embedded_once
from .parse import sentences_of
from .records import Embedder, Passage

# cosine similarity of two questions for the one to vote for the other's answer; out of fold (tune halves and
# our sets, 1,566 questions with key facts): key facts 1,479 without -> 1,484 at 0.7, 1,488 at 0.6, 1,492 at 0.5,
# 1,489 at 0.4, 1,481 with every pair voting; declined and false refusals the same at 0.5
NEAR_QUESTION = 0.5


class AskedQuestions:
    """The pairs' questions as vectors, each row pointing at its answer sentence; answers found per passage once."""

    def __init__(self, vectors: np.ndarray, answers: list[str]):
        self.vectors = vectors  # a row per question asked before
        self.answers = list(dict.fromkeys(answers))  # the sentences answering them, as the corpus words them
        self.number_of = {sentence: number for number, sentence in enumerate(self.answers)}
        self.answer_of = np.array([self.number_of[answer] for answer in answers], dtype=np.int64)  # per row
        self._answers_in: dict[str, list[int]] = {}  # per passage id (its content's hash): the answers it holds

    @classmethod
    def load(cls, pairs: Path | None, embedder: Embedder, cache_dir: Path) -> "AskedQuestions":
        """The pairs of a file of {"question", "answer": "<case study's short title>: <sentence>"}
        (none when the model is used as packaged, without pairs)."""
        if pairs is None:
            return cls(np.zeros((0, 0), dtype=np.float32), [])
        read = [(question, answer.split(": ", 1)[-1].strip()) for question, answer in read_pairs(pairs)]
        read = [(question, answer) for question, answer in read if answer]  # an empty answer is in every passage
        vectors = embedded_once([question for question, _ in read], embedder, cache_dir, "asked-questions")
        return cls(vectors, [answer for _, answer in read])

    def ranking(self, vector: list[float], passages: Mapping[str, Passage]) -> list[str]:
        """The ids of these passages that answer a question asked before near this one, the nearest first."""
        if not self.answers:
            return []
        similarity = self.vectors @ np.asarray(vector, dtype=np.float32)
        near: dict[int, float] = {}
        for row in np.flatnonzero(similarity >= NEAR_QUESTION):
            answer = int(self.answer_of[row])
            near[answer] = max(near.get(answer, -1.0), float(similarity[row]))
        nearest = {}
        for passage_id, passage in passages.items() if near else ():
            alike = [near[answer] for answer in self._held_in(passage_id, passage) if answer in near]
            if alike:
                nearest[passage_id] = max(alike)
        return sorted(nearest, key=lambda passage_id: (-nearest[passage_id], passage_id))

    def _held_in(self, passage_id: str, passage: Passage) -> list[int]:
        """The answers a passage holds (the pairs' answers are its sentences as the index splits them), found
        once per passage: an id names its content."""
        if passage_id not in self._answers_in:
            self._answers_in[passage_id] = [self.number_of[s] for s in sentences_of(passage) if s in self.number_of]
        return self._answers_in[passage_id]
