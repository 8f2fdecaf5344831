"""Question → ranked `Hit`s: dense and BM25 results fused, filtered, focused, diversified.

- fusion: reciprocal-rank fusion of the two lists (robust to their different score scales);
- filters: by case study and by section, applied inside both searches;
- focus: a question that names a case study ("what did Touchstone learn") searches it alone;
- intent: a question about lessons, challenges or enablers favours that section;
- diversity: each further passage from a case study already chosen counts for less, so a
  theme question gathers several case studies instead of five paragraphs of one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from .catalogue import Catalogue
from .embed import PackagedEmbeddings
from .errors import IndexMissing
from .keyword import KeywordIndex
from .records import Hit
from .settings import Settings
from .store import Store

RRF_K = 60  # the usual constant: ranks past ~60 barely count
SECTION_BOOST = 1.5
EXACT_SEARCH_LIMIT = 2000  # passages; at 100,000 a metadata-filtered Chroma query takes ~50 ms, this ~2
DIVERSITY_DECAY = 0.6  # weight of a case study's second passage, 0.36 for its third, ...
_SECTION_INTENT = {
    "Learning": re.compile(r"\b(learn\w*|lessons?|takeaways?|advice)\b", re.IGNORECASE),
    "Challenges": re.compile(r"\b(challeng\w*|difficult\w*|problems?|barriers?|obstacles?|went wrong)\b", re.IGNORECASE),
    "Enablers": re.compile(r"\b(enabl\w*|success factors?|made it work|helped it work)\b", re.IGNORECASE),
}


@dataclass(frozen=True)
class Filters:
    """Restrict a search: empty means no restriction."""

    case_studies: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()


def intended_sections(question: str) -> list[str]:
    return [section for section, pattern in _SECTION_INTENT.items() if pattern.search(question)]


class Retriever:
    def __init__(self, store: Store, keyword: KeywordIndex, catalogue: Catalogue,
                 embedder: Embeddings, settings: Settings):
        self.store = store
        self.keyword = keyword
        self.catalogue = catalogue
        self.embedder = embedder
        self.settings = settings

    @classmethod
    def open(cls, settings: Settings, store: Store | None = None,
             embedder: Embeddings | None = None) -> "Retriever":
        """The retriever over an existing index; rebuilds the local keyword index and
        catalogue from the store when they are missing (a fresh app instance on a server)."""
        store = store or Store(settings)
        state = store.state()
        if not state.fingerprint:
            raise IndexMissing("no index yet: run `python -m assistant ingest` (or `make run`, which builds it)")
        folder = settings.sidecar_dir
        keyword = KeywordIndex.load(folder / "keyword", state.fingerprint)
        catalogue = Catalogue.load(folder / "catalogue.json", state.fingerprint)
        if keyword is None or catalogue is None:
            passages = store.passages()
            keyword, catalogue = KeywordIndex.build(passages), Catalogue.build(passages)
            keyword.save(folder / "keyword", state.fingerprint)
            catalogue.save(folder / "catalogue.json", state.fingerprint)
        return cls(store, keyword, catalogue, embedder or PackagedEmbeddings(settings.model), settings)

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               focus: list[str] | None = None) -> list[Hit]:
        """The k best passages. `focus` overrides the case studies named in the query."""
        k = k or self.settings.top_k
        filters = filters or Filters()
        named = focus if focus is not None else self.catalogue.named_in(query)
        cases = list(filters.case_studies)
        if named:
            cases = [c for c in cases if c in named] if cases else list(named)
            if filters.case_studies and not cases:
                return []  # the question names a case study the filter excludes
        sections = list(filters.sections)

        vector = self.embedder.embed_query(query)
        in_scope = self.keyword.ids_for(cases, sections) if cases else []
        if cases and len(in_scope) <= EXACT_SEARCH_LIMIT:
            # a few case studies: exact similarity over their passages beats a filtered ANN search
            dense = sorted(self.store.hits(in_scope, vector), key=lambda h: -h.similarity)[: self.settings.candidates]
        else:
            dense = self.store.query(vector, self.settings.candidates, _where(cases, sections))
        keyword = self.keyword.search(query, self.settings.candidates, cases or None, sections or None)

        fused: dict[str, float] = {}
        for ranking in ([h.passage.id for h in dense], [i for i, _ in keyword]):
            for rank, passage_id in enumerate(ranking):
                fused[passage_id] = fused.get(passage_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        hits = {h.passage.id: h for h in dense}
        hits.update((h.passage.id, h) for h in self.store.hits([i for i in fused if i not in hits], vector))

        boosted = set(intended_sections(query))
        best_possible = 2.0 / (RRF_K + 1) * (SECTION_BOOST if boosted else 1.0)
        scored = [
            Hit(hits[i].passage, score * (SECTION_BOOST if hits[i].passage.section in boosted else 1.0) / best_possible,
                hits[i].similarity)
            for i, score in fused.items() if i in hits
        ]
        return _diversify(sorted(scored, key=lambda h: -h.score), k)


def _where(cases: list[str], sections: list[str]) -> dict | None:
    clauses = []
    if cases:
        clauses.append({"case_study": {"$in": cases}})
    if sections:
        clauses.append({"section": {"$in": sections}})
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


def _diversify(ranked: list[Hit], k: int) -> list[Hit]:
    """Greedy: each pick's score is discounted by how many of its case study are already in."""
    chosen: list[Hit] = []
    taken: dict[str, int] = {}
    pool = list(ranked)
    while pool and len(chosen) < k:
        best = max(pool, key=lambda h: h.score * DIVERSITY_DECAY ** taken.get(h.passage.case_study, 0))
        pool.remove(best)
        chosen.append(best)
        taken[best.passage.case_study] = taken.get(best.passage.case_study, 0) + 1
    return chosen
