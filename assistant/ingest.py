"""Corpus → passages → store, incrementally, safe to re-run and to kill half-way.

Passage ids derive from file, position and content hash, and writes are upserts: an
unchanged corpus embeds nothing, an edited file re-embeds only passages whose text changed
(a passage that merely moved keeps its embedding), and a deleted file's passages go.
New passages are written first and invisible to readers until the new snapshot is published;
the passages they replace are deleted after that, and only then is the index marked settled
(see snapshot.py). So questions asked during an ingest are answered from the index before it
or after it, and an interrupted ingest leaves an index that is seen as unfinished and completed
by the next run.
"""

from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from .embed import PackagedEmbeddings
from .keyword import KEYWORDS_VERSION
from .memory import release_freed_memory
from .parse import PARSER_VERSION, parse, sentences_of
from .read import Skipped, corpus_files, read_corpus
from .records import Embedder, Passage
from .settings import Settings
from .snapshot import Snapshot
from .store import Embedded, Store

EMBED_BATCH = 256
NO_INDEX = "no index yet"  # the one reason to build an index that is not about a stale one
_log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, message)


@dataclass
class IngestReport:
    files: int = 0
    passages: int = 0
    embedded: int = 0  # passages whose text was new to the index
    reused: int = 0  # new ids whose text was already embedded (moved within a file)
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"{self.files} files, {self.passages} passages: {self.embedded} embedded, {self.reused} reused, "
            f"{self.unchanged} unchanged, {self.removed} removed, {len(self.skipped)} skipped ({self.seconds:.1f} s)"
        ]
        lines += [f"  skipped {s.path}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


def corpus_fingerprint(settings: Settings) -> str:
    """Changes whenever a corpus file, the parser, the keyword index's terms or the embedding model
    or encoder changes."""
    digest = hashlib.sha256(f"parser {PARSER_VERSION}\nkeywords {KEYWORDS_VERSION}\nmodel {settings.embedding}\n".encode())
    if settings.corpus_dir.is_dir():
        for path in corpus_files(settings.corpus_dir):
            try:
                content = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                content = "unreadable"
            digest.update(f"{path.relative_to(settings.corpus_dir).as_posix()} {content}\n".encode())
    return digest.hexdigest()[:32]


def stale_reason(settings: Settings, store: Store) -> str | None:
    """Why the index cannot be served as it is, or None if it matches corpus and model."""
    state = store.state()
    if state.passages == 0 and not state.fingerprint:
        return NO_INDEX
    if state.model and state.model != settings.embedding:
        return f"the index was built with the model {state.model!r}, not {settings.embedding!r}"
    if not state.fingerprint or not state.settled:
        return "the last ingest did not finish"
    if state.fingerprint != corpus_fingerprint(settings):
        return "the corpus has changed since the index was built"
    return None


def ingest(settings: Settings, store: Store | None = None, embedder: Embedder | None = None,
           rebuild: bool = False, progress: Progress | None = None) -> IngestReport:
    started = time.perf_counter()
    store = store or (Store.rebuilt(settings) if rebuild else Store(settings))
    embedder = embedder or PackagedEmbeddings.for_settings(settings)
    report_progress = progress or (lambda done, total, message: None)
    fingerprint = corpus_fingerprint(settings)

    report_progress(0, 1, "reading the case studies")  # no server path: visitors see this
    documents, skipped = read_corpus(settings.corpus_dir) if settings.corpus_dir.is_dir() else ([], [])
    passages = [p for document in documents for p in parse(document)]
    report = IngestReport(files=len(documents), passages=len(passages), skipped=skipped)
    del documents  # their whole texts, as large again as the passages', for the rest of a long ingest

    state = store.state()
    if rebuild or (state.model and state.model != settings.embedding):
        if rebuild:
            _log.info("rebuilding the index: every passage is embedded again")
        else:
            _log.warning("dropping the index built with %r: every passage is embedded again with %r",
                         state.model, settings.embedding)
        store.reset()
        Snapshot.prune(settings, keep=set())
        state = store.state()
    store.set_state(settings.embedding, state.fingerprint, state.built_at, settled=False)  # readers keep the old snapshot
    stored = store.content_hashes()
    current = {p.id for p in passages}
    new = [p for p in passages if p.id not in stored]
    removed = [i for i in stored if i not in current]
    report.unchanged = len(passages) - len(new)

    reusable = _reusable_embeddings(store, new, stored)
    to_embed = [p for p in new if p.content_hash not in reusable]
    report.reused, report.embedded = len(new) - len(to_embed), len(to_embed)

    if to_embed:  # the first embedding may wait for the model to be adapted (adapt.py): say so, not "reading"
        report_progress(0, len(new), f"embedding {len(to_embed)} passages (on a first start the model is first "
                                     "adapted to the case studies' questions: about three minutes)")
    # the keyword index and catalogue first: readers open them only once the state names this
    # fingerprint, and building them before the vector index has grown keeps a large ingest's peak lower
    Snapshot.save(settings, passages, fingerprint)
    release_freed_memory()  # what building them took, before Chroma and the model take theirs
    _write_new(store, embedder, new, reusable, report_progress)
    built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    store.set_state(settings.embedding, fingerprint, built_at, settled=False)  # published: readers move to it
    store.delete(removed)
    report.removed = len(removed)
    store.set_state(settings.embedding, fingerprint, built_at, settled=True)
    Snapshot.prune(settings, keep={fingerprint, state.fingerprint})
    report.seconds = time.perf_counter() - started
    _log.info("index ready: %s", report.summary().splitlines()[0])  # the skipped files were logged as read
    report_progress(1, 1, "index ready")
    return report


def _embedded(embedder: Embedder, passages: list[Passage]) -> dict[str, Embedded]:
    """Each passage's vector and its sentences' vectors, in one call to the model."""
    # each sentence with its case study's name, as the passage is embedded with it: a sentence that
    # happens to repeat the name is then no closer to "what did Touchstone learn?" than its neighbours
    sentences = [[f"{p.short_title}: {sentence}" for sentence in sentences_of(p)] for p in passages]
    vectors = embedder.embed_documents([p.indexed_text for p in passages] + [s for group in sentences for s in group])
    found, position = {}, len(passages)
    for passage, vector, group in zip(passages, vectors, sentences, strict=False):
        found[passage.content_hash] = Embedded(vector, vectors[position : position + len(group)])
        position += len(group)
    return found


def _write_new(store: Store, embedder: Embedder, new: list[Passage], reusable: dict[str, Embedded],
               report_progress: Progress) -> None:
    """Embeds the new passages in batches; the store writes each batch while the next is embedded."""
    with ThreadPoolExecutor(max_workers=1) as writer:
        writing: Future | None = None
        for start in range(0, len(new), EMBED_BATCH):
            batch = new[start : start + EMBED_BATCH]
            vectors = _embedded(embedder, [p for p in batch if p.content_hash not in reusable])
            if writing:
                writing.result()  # raises what the write raised
            writing = writer.submit(store.upsert, batch, [reusable.get(p.content_hash) or vectors[p.content_hash] for p in batch])
            report_progress(start + len(batch), len(new), f"embedded {start + len(batch)} of {len(new)} new passages")
        if writing:
            writing.result()


def _reusable_embeddings(store: Store, new: list[Passage], stored: dict[str, str]) -> dict[str, Embedded]:
    """Embeddings already in the store for texts that only changed id (moved in their file)."""
    wanted = {p.content_hash for p in new}
    owners = {h: i for i, h in stored.items() if h in wanted}
    vectors = store.embeddings(list(owners.values()))
    return {h: vectors[i] for h, i in owners.items() if i in vectors}

