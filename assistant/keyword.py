"""BM25 over the same passages as the dense index: the exact words (names, numbers, "co-location")
that a small embedding model blurs.

Built at ingest and saved beside the index, keyed by the corpus fingerprint, so it is not
rebuilt per query or per process start.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from .records import Passage

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves tell me please us one ones get got make made way ways""".split()
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Search terms of a text: "How was it funded?" -> ["fund"]."""
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    return _stemmer().stemWords([w for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit())])


class KeywordIndex:
    """BM25 scores for passages, with the case study and section of each for filtering."""

    def __init__(self, bm25: bm25s.BM25, ids: list[str], case_studies: list[str], sections: list[str]):
        self._bm25 = bm25
        self.ids = ids
        self._case_studies = np.array(case_studies, dtype=object)
        self._sections = np.array(sections, dtype=object)
        self._vocabulary = set(bm25.vocab_dict) if getattr(bm25, "vocab_dict", None) else set()

    @classmethod
    def build(cls, passages: list[Passage]) -> "KeywordIndex":
        bm25 = bm25s.BM25()
        vocabulary: dict[str, int] = {}
        # token ids, not strings: at 100,000 passages the difference is hundreds of megabytes
        ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in terms(p.indexed_text) or ["\u2205"]] for p in passages]
        if passages:
            bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocabulary), show_progress=False)
        return cls(bm25, [p.id for p in passages], [p.case_study for p in passages], [p.section for p in passages])

    def save(self, folder: Path, fingerprint: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self._bm25.save(str(folder), show_progress=False)
        rows = {"fingerprint": fingerprint, "ids": self.ids,
                "case_studies": list(self._case_studies), "sections": list(self._sections)}
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
        except (OSError, ValueError, KeyError):
            return None
        return cls(bm25, rows["ids"], rows["case_studies"], rows["sections"])

    def ids_for(self, case_studies: list[str], sections: list[str] | None = None) -> list[str]:
        """Every passage id of these case studies (and sections), from the index's own table."""
        mask = np.isin(self._case_studies, case_studies)
        if sections:
            mask &= np.isin(self._sections, sections)
        return [self.ids[i] for i in np.flatnonzero(mask)]

    def knows(self, term: str) -> bool:
        return term in self._vocabulary

    def search(self, query: str, n: int, case_studies: list[str] | None = None,
               sections: list[str] | None = None) -> list[tuple[str, float]]:
        """The n best (passage id, BM25 score) pairs with a positive score."""
        query_terms = [t for t in terms(query) if t in self._vocabulary]
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
