"""BM25 over the same passages as the dense index: the exact words (names, numbers, "co-location")
that a small embedding model blurs.

Built at ingest and saved beside the index, keyed by the corpus fingerprint, so it is not
rebuilt per query or per process start.
"""

from __future__ import annotations

import bisect
import json
from pathlib import Path

import bm25s
import numpy as np

from .records import Passage
from .text import YEAR, initialisms, terms

# A query word's stem may differ from the corpus's for the same word family ("coproduction" ->
# coproduct, "coproducing" -> coproduc): an unknown stem matches a known one that differs only in
# its last NEAR_STEM_CHARS letters, if both keep at least MIN_STEM_CHARS.
NEAR_STEM_CHARS = 2
MIN_STEM_CHARS = 5
# bump when the terms a passage is indexed under, the names a case study is known by, or what is saved change:
# the corpus fingerprint includes it, so a saved index is then built again
KEYWORDS_VERSION = "4"


def _indexed_terms(passage: Passage) -> list[str]:
    return [*terms(passage.indexed_text), *initialisms(passage.indexed_text)]


class KeywordIndex:
    """BM25 scores for passages, with the case study and section of each for filtering."""

    def __init__(self, bm25: bm25s.BM25, ids: list[str], case_studies: list[str], sections: list[str],
                 latest_year: int | None):
        self._bm25 = bm25
        self.ids = ids
        self._case_studies = np.array(case_studies, dtype=object)
        self._sections = np.array(sections, dtype=object)
        self._vocabulary = set(bm25.vocab_dict) if getattr(bm25, "vocab_dict", None) else set()
        self._sorted_vocabulary = sorted(self._vocabulary)
        self.latest_year = latest_year  # what the case studies can tell of ends here: "in 2025" asks what happened since

    @classmethod
    def build(cls, passages: list[Passage]) -> "KeywordIndex":
        bm25 = bm25s.BM25()
        vocabulary: dict[str, int] = {}
        # token ids, not strings, and each passage's terms let go as soon as they are numbered: at
        # 100,000 passages all their strings at once would be hundreds of megabytes
        ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in _indexed_terms(p) or ["\u2205"]] for p in passages]
        if passages:
            bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocabulary), show_progress=False)
        years = [int(p.published[:4]) for p in passages if YEAR.fullmatch(p.published[:4])]
        years += [int(term) for term in vocabulary if YEAR.fullmatch(term)]  # a case study may not say when it was written
        return cls(bm25, [p.id for p in passages], [p.case_study for p in passages], [p.section for p in passages],
                   max(years, default=None))

    def save(self, folder: Path, fingerprint: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self._bm25.save(str(folder), show_progress=False)
        rows = {"fingerprint": fingerprint, "ids": self.ids,
                "case_studies": list(self._case_studies), "sections": list(self._sections), "latest_year": self.latest_year}
        temporary = folder / "passages.json.tmp"
        temporary.write_text(json.dumps(rows), encoding="utf-8")
        temporary.replace(folder / "passages.json")  # last, so a half-written index never looks complete

    @classmethod
    def load(cls, folder: Path, fingerprint: str) -> "KeywordIndex | None":
        """The saved index if it was built for this fingerprint, else None."""
        try:
            rows = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
            if rows.get("fingerprint") != fingerprint:
                return None
            bm25 = bm25s.BM25.load(str(folder), show_progress=False) if rows["ids"] else bm25s.BM25()
            return cls(bm25, rows["ids"], rows["case_studies"], rows["sections"], rows["latest_year"])
        except (OSError, ValueError, KeyError):
            return None

    def ids_for(self, case_studies: list[str], sections: list[str] | None = None) -> list[str]:
        """Every passage id of these case studies (all, when none is given) and sections, from the index's own table."""
        mask = np.isin(self._case_studies, case_studies) if case_studies else np.ones(len(self.ids), dtype=bool)
        if sections:
            mask &= np.isin(self._sections, sections)
        return [self.ids[i] for i in np.flatnonzero(mask)]

    def knows(self, term: str) -> bool:
        return self.known_form(term) is not None

    def known_form(self, term: str) -> str | None:
        """The corpus's own stem for a search term: itself, a near stem of its word family, or None."""
        if term in self._vocabulary:
            return term
        if len(term) < MIN_STEM_CHARS:
            return None
        stem = term[: max(MIN_STEM_CHARS, len(term) - NEAR_STEM_CHARS)]
        start = bisect.bisect_left(self._sorted_vocabulary, stem)
        for known in self._sorted_vocabulary[start : start + 50]:
            if not known.startswith(stem):
                break
            if abs(len(known) - len(term)) <= NEAR_STEM_CHARS:
                return known
        return None

    def search(self, query: str, n: int, case_studies: list[str] | None = None,
               sections: list[str] | None = None) -> list[tuple[str, float]]:
        """The n best (passage id, BM25 score) pairs with a positive score."""
        query_terms = [k for k in map(self.known_form, terms(query)) if k is not None]
        if not query_terms or not self.ids:
            return []
        scores = self._bm25.get_scores(query_terms)
        if case_studies:
            scores = scores * np.isin(self._case_studies, case_studies)
        if sections:
            scores = scores * np.isin(self._sections, sections)
        n = min(n, len(scores))
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best])]
        return [(self.ids[i], float(scores[i])) for i in best if scores[i] > 0]
