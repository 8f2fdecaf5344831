"""Question → ranked `Hit`s: dense and BM25 results fused, filtered, focused, diversified.

- fusion: reciprocal-rank fusion of the two lists (robust to their different score scales) and of the
  passages by their best sentence; the passages answering questions asked before that are near this
  one (asked.py) order the hits as a fourth list;
- filters: by case study and by section, applied inside both searches;
- focus: a question that names a case study ("what did Touchstone learn") searches it alone;
- intent: a question about lessons, challenges or enablers favours that section;
- diversity: each further passage from a case study already chosen counts for less, so a
  theme question gathers several case studies instead of five paragraphs of one, unless one case
  study fills most of the head of the ranking (the question is about it without naming it);
- snapshot: it ranks over the published snapshot it is given (snapshot.py), so a search during an
  ingest sees the index before it or after it.
"""

from __future__ import annotations

import threading

from .asked import AskedQuestions
from .asks import intended_sections
from .catalogue import Catalogue
from .embed import PackagedEmbeddings
from .keyword import KeywordIndex
from .records import Embedder, Filters, Hit, Match, Passage
from .settings import Settings
from .snapshot import PublishedIndex, Snapshot
from .store import PASSAGES_KEPT, Store

RRF_K = 60  # the usual constant: a gentle slope (rank 60 still weighs half of rank 1), so being in several lists counts most
SECTION_BOOST = 1.5
# passages: exact similarity over as many as the store keeps decoded beats Chroma's approximate search (the 90
# passages of the eight case studies: ~0.3 ms against ~1.2; at 100,000 a metadata-filtered Chroma query takes ~50 ms)
EXACT_SEARCH_LIMIT = PASSAGES_KEPT
MAX_NEAREST = 4096  # how far past an ingest's unpublished passages a search reads
RECENT_VECTORS = 32  # query vectors kept for reuse
DIVERSITY_DECAY = 0.6  # weight of a case study's second passage, 0.36 for its third, ...
HEAD = 10  # passages of the ranking, before diversity, that show which case study a question is about
LEAD_SHARE = 0.6  # a case study holding this share of the head is not discounted (0.5-0.6 the same out of fold;
# tune halves 388 -> 390 of 414 key facts, users_words 756 -> 764 of 823; nothing declined or refused moved)


class Retriever:
    """Searches the published snapshot of the index (`PublishedIndex`, which follows re-ingests)."""

    def __init__(self, index: PublishedIndex, embedder: Embedder, settings: Settings, asked: AskedQuestions):
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.asked = asked
        self._embedding = threading.Lock()
        self._vectors: dict[str, list[float]] = {}

    @classmethod
    def open(cls, settings: Settings, store: Store | None = None,
             embedder: Embedder | None = None) -> "Retriever":
        index = PublishedIndex(settings, store or Store(settings))
        embedder = embedder or PackagedEmbeddings.for_settings(settings)
        return cls(index, embedder, settings, AskedQuestions.load(settings.tuning_pairs, embedder, settings.questions_dir))

    def embed(self, text: str) -> list[float]:
        """The query vector of a text; the last few are kept, so the coverage decision reuses the
        vector retrieval computed for the same question."""
        with self._embedding:
            if text in self._vectors:
                return self._vectors[text]
        vector = self.embedder.embed_query(text)
        with self._embedding:
            self._vectors[text] = vector
            while len(self._vectors) > RECENT_VECTORS:
                self._vectors.pop(next(iter(self._vectors)))
        return vector

    @property
    def store(self) -> Store:
        return self.index.store

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot searches last followed (no call to the store: read several times a question)."""
        return self.index.followed

    @property
    def keyword(self) -> KeywordIndex:
        return self.snapshot.keyword

    @property
    def catalogue(self) -> Catalogue:
        return self.snapshot.catalogue

    def passages_of(self, case_study: str) -> list[Passage]:
        """One case study whole, as the snapshot holds it (not half an ingest's edits)."""
        return self.index.read(lambda snapshot: [p for p in self.store.passages_of(case_study) if p.id in snapshot.members])

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               focus: list[str] | None = None) -> list[Hit]:
        """The k best passages of the published snapshot, read whole. `focus` overrides the case
        studies named in the query."""
        return self.index.read(lambda snapshot: self._search(snapshot, query, k or self.settings.top_k,
                                                            filters or Filters(), focus))

    def _search(self, snapshot: Snapshot, query: str, k: int, filters: Filters, focus: list[str] | None) -> list[Hit]:
        named = focus if focus is not None else snapshot.catalogue.named_in(query)
        cases = list(filters.case_studies)
        if named:
            cases = [c for c in cases if c in named] if cases else list(named)
            if filters.case_studies and not cases:
                return []  # the question names a case study the filter excludes
        sections = list(filters.sections)

        vector = self.embed(query)
        in_scope = snapshot.keyword.ids_for(cases, sections)
        if len(in_scope) <= EXACT_SEARCH_LIMIT:
            dense = sorted(self.store.matches(in_scope, vector), key=lambda m: -m.similarity)[: self.settings.candidates]
        else:
            dense = self._nearest(snapshot, vector, Filters(tuple(cases), tuple(sections)))
        keyword = snapshot.keyword.search(query, self.settings.candidates, cases or None, sections or None)

        hits = {m.passage.id: m for m in dense}
        hits.update((m.passage.id, m) for m in self.store.matches([i for i, _ in keyword if i not in hits], vector))
        # the candidates again, by their best sentence: a passage with one sentence that answers
        # the question outranks one that is vaguely about it throughout
        by_sentence = sorted(hits, key=lambda i: (-max(hits[i].sentence_similarities, default=hits[i].similarity), i))
        rankings = ([h.passage.id for h in dense], [i for i, _ in keyword], by_sentence)
        fused = _fuse(rankings)
        # the passages answering questions asked before that are near this one order the hits too, but add
        # nothing to a hit's score: the coverage decision reads the best score as the three rankings' agreement
        ordered = _fuse((*rankings, self.asked.ranking(vector, {i: m.passage for i, m in hits.items()})))

        boosted = set(intended_sections(query))
        boost = {i: SECTION_BOOST if hits[i].passage.section in boosted else 1.0 for i in hits}
        best_possible = len(rankings) / (RRF_K + 1) * (SECTION_BOOST if boosted else 1.0)
        scored = [Hit(hits[i].passage, score * boost[i] / best_possible, hits[i].similarity, hits[i].sentence_similarities)
                  for i, score in fused.items() if i in hits]
        priority = {i: ordered[i] * boost[i] for i in hits}
        # ties: the same order every time
        return _diversify(sorted(scored, key=lambda h: (-priority[h.passage.id], h.passage.id)), k, priority)

    def _nearest(self, snapshot: Snapshot, vector: list[float], filters: Filters) -> list[Match]:
        """The nearest passages of the snapshot. While an ingest runs the store also holds its
        unpublished passages; those are skipped, reading further if they crowd the top."""
        wanted = self.settings.candidates
        n = wanted
        while True:
            found = self.store.query(vector, n, filters)
            kept = [h for h in found if h.passage.id in snapshot.members]
            if len(kept) >= wanted or len(found) < n or n >= MAX_NEAREST:
                return kept[:wanted]
            n *= 4


def _fuse(rankings: tuple[list[str], ...]) -> dict[str, float]:
    """Reciprocal rank fusion: each list gives a passage 1 / (RRF_K + its rank), summed over lists."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, passage_id in enumerate(ranking):
            fused[passage_id] = fused.get(passage_id, 0.0) + 1.0 / (RRF_K + rank + 1)
    return fused


def _diversify(ranked: list[Hit], k: int, priority: dict[str, float]) -> list[Hit]:
    """Greedy: each pick's priority is discounted by how many of its case study are already in,
    except the case study that fills most of the head of the ranking: a question about one case
    study that does not name it ("the west country mental health lot") reads on in it."""
    head = [h.passage.case_study for h in ranked[:HEAD]]
    lead = max(head, key=head.count, default="")
    undiscounted = lead if head and head.count(lead) >= LEAD_SHARE * len(head) else None
    taken: dict[str, int] = {}

    def weight(hit: Hit) -> float:
        case_study = hit.passage.case_study
        return priority[hit.passage.id] * (1.0 if case_study == undiscounted else DIVERSITY_DECAY ** taken.get(case_study, 0))

    chosen: list[Hit] = []
    pool = list(ranked)
    while pool and len(chosen) < k:
        best = max(pool, key=weight)
        pool.remove(best)
        chosen.append(best)
        taken[best.passage.case_study] = taken.get(best.passage.case_study, 0) + 1
    return chosen
