"""Bad files are reported and skipped; ingest is an incremental, restartable upsert."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import retrieve
from assistant import store as store_module
from assistant.errors import IndexMissing
from assistant.ingest import ingest, stale_reason
from assistant.parse import parse
from assistant.read import read_corpus
from assistant.retrieve import Retriever
from assistant.snapshot import Snapshot
from assistant.store import Embedded, Store
from conftest import FakeEmbeddings

BAD_FILES = [
    ("empty.md", b"", "empty file"),
    ("whitespace.txt", b"  \n\n ", "empty file"),
    ("junk.pdf", bytes(range(256)) * 40, "not a readable PDF"),
    ("broken.docx", b"PK\x03\x04 this is not really a zip", "not a readable Word file"),
    ("sheet.xlsx", b"anything", "unsupported file type .xlsx"),
    ("latin1.txt", "Caf\u00e9 partnership notes".encode("latin-1"), "not UTF-8 text"),
    ("binary.txt", b"abc\x00def", "binary data"),
    ("bad-front-matter.md", b"---\ntitle: [unclosed\n---\nBody text.\n", "front matter is not valid YAML"),
]


@pytest.mark.parametrize("name, content, reason", BAD_FILES)
def test_a_bad_file_is_reported_by_name_and_the_rest_still_read(corpus: Path, name: str, content: bytes, reason: str):
    (corpus / name).write_bytes(content)
    documents, skipped = read_corpus(corpus)
    assert len(documents) == 9
    assert [s.path for s in skipped] == [name]
    assert reason in skipped[0].reason


def test_a_5_mb_text_file_is_read_in_full(corpus: Path):
    paragraph = "Partners met every week to plan the service together. " * 20
    (corpus / "long-report.txt").write_text("\n\n".join([paragraph] * 4700), encoding="utf-8")
    assert (corpus / "long-report.txt").stat().st_size > 5_000_000
    documents, skipped = read_corpus(corpus)
    assert skipped == [] and len(documents) == 10


def test_markup_in_a_corpus_file_is_kept_as_text(corpus: Path, settings, fake_embedder):
    (corpus / "markup.md").write_text("# Html case\n\n<script>alert('x')</script> Partners shared a <b>kitchen</b>.\n")
    ingest(settings, embedder=fake_embedder)
    passages = Store(settings).passages()
    assert any("<script>alert('x')</script>" in p.text for p in passages)


def test_reingesting_an_unchanged_corpus_embeds_nothing(settings, fake_embedder):
    said: list[str] = []
    first = ingest(settings, embedder=fake_embedder, progress=lambda done, total, message: said.append(message))
    assert first.embedded == first.passages == 90  # the preface is not a case study
    # before the first embedding, which may wait a minute for the model to be adapted, it says why
    assert said[:2] == ["reading the case studies", "embedding 90 passages (on a first start the model is first "
                        "adapted to the case studies' questions: about three minutes)"]
    texts = fake_embedder.embedded  # the passages and their sentences
    said.clear()
    second = ingest(settings, embedder=fake_embedder, progress=lambda done, total, message: said.append(message))
    assert (second.embedded, second.unchanged, second.removed) == (0, 90, 0)
    assert not [m for m in said if m.startswith("embedding")]  # nothing to embed, nothing to wait for
    assert fake_embedder.embedded == texts
    assert stale_reason(settings, Store(settings)) is None


def test_editing_one_file_re_embeds_only_its_changed_passages(settings, corpus, fake_embedder):
    ingest(settings, embedder=fake_embedder)
    path = corpus / "08-touchstone-live-well-leeds.md"
    path.write_text(path.read_text().replace("Collaboration works.", "Collaboration really works."))
    assert stale_reason(settings, Store(settings)) == "the corpus has changed since the index was built"
    report = ingest(settings, embedder=fake_embedder)
    assert (report.embedded, report.removed, report.passages) == (1, 1, 90)
    assert any(p.text == "Collaboration really works." for p in Store(settings).passages())


def test_a_passage_that_only_moved_keeps_its_embedding(settings, corpus, fake_embedder):
    ingest(settings, embedder=fake_embedder)
    path = corpus / "03-p3-cohort-4.md"
    text = path.read_text()
    path.write_text(text.replace("## Challenges", "A new opening paragraph about the house.\n\n## Challenges"))
    report = ingest(settings, embedder=fake_embedder)
    assert report.embedded == 1  # the new paragraph; the passages after it moved and were reused
    assert report.reused > 0
    assert Store(settings).state().passages == 91


def test_deleting_a_file_removes_its_passages(settings, corpus, fake_embedder):
    ingest(settings, embedder=fake_embedder)
    (corpus / "07-london-vawg-consortium.md").unlink()
    report = ingest(settings, embedder=fake_embedder)
    assert report.removed == 9
    assert not any("VAWG" in p.case_study for p in Store(settings).passages())


def test_an_interrupted_ingest_is_finished_by_the_next(settings, corpus):
    _grow(corpus)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest(settings, embedder=FakeEmbeddings(fail_after=1))
    store = Store(settings)
    assert stale_reason(settings, store) == "the last ingest did not finish"
    with pytest.raises(IndexMissing, match="no index yet"):
        Retriever.open(settings, store, FakeEmbeddings())
    report = ingest(settings, store, embedder=FakeEmbeddings())
    clean = _fresh_index(settings)
    ingest(clean, embedder=FakeEmbeddings())
    assert report.passages == Store(clean).state().passages == store.state().passages
    assert sorted(store.content_hashes()) == sorted(Store(clean).content_hashes())
    assert stale_reason(settings, store) is None


def _fresh_index(settings):
    return replace(settings, index_dir=settings.index_dir.parent / "clean-index")


@pytest.mark.parametrize("change", [{"model": "another-model"}, {"encoder": "sentence-transformers"}])
def test_a_different_model_or_encoder_means_a_rebuild(settings, fake_embedder, change):
    """Vectors from two models, or two encoders of one model, are never mixed in one index."""
    ingest(settings, embedder=fake_embedder)
    other = replace(settings, **change)
    assert "built with the model" in stale_reason(other, Store(other))
    report = ingest(other, embedder=FakeEmbeddings())
    assert report.embedded == 90
    assert Store(other).state().model == other.embedding


def test_rebuild_embeds_everything_again(settings, fake_embedder):
    ingest(settings, embedder=fake_embedder)
    report = ingest(settings, embedder=fake_embedder, rebuild=True)
    assert report.embedded == 90 and Store(settings).state().passages == 90


def _revise_touchstone_learning(corpus: Path) -> str:
    path = corpus / "08-touchstone-live-well-leeds.md"
    path.write_text(path.read_text().replace("Collaboration works.", "Collaboration works, revised."))
    return "Collaboration works, revised."


def test_an_interrupted_reingest_leaves_the_old_index_answering(settings, corpus):
    ingest(settings, embedder=FakeEmbeddings())
    before = {p.id for d in read_corpus(corpus)[0] for p in parse(d)}
    _revise_touchstone_learning(corpus)
    _grow(corpus)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest(settings, embedder=FakeEmbeddings(fail_after=1))  # after writing 256 new passages
    store = Store(settings)
    assert stale_reason(settings, store) == "the last ingest did not finish"
    assert store.state().passages > len(before)
    hits = Retriever.open(settings, store, FakeEmbeddings()).search("Collaboration works, with shared budgets", k=20)
    assert len(hits) == 20 and {h.passage.id for h in hits} <= before


def test_a_running_retriever_follows_a_reingest(settings, corpus):
    ingest(settings, embedder=FakeEmbeddings())
    retriever = Retriever.open(settings, Store(settings), FakeEmbeddings())
    revised = _revise_touchstone_learning(corpus)
    ingest(settings, embedder=FakeEmbeddings())
    texts = {h.passage.text for h in retriever.search("What did Touchstone learn? Collaboration works")}
    assert revised in texts and "Collaboration works." not in texts



class _IngestMidSearch(FakeEmbeddings):
    """Runs a whole re-ingest between a search taking its snapshot and reading the store."""

    def __init__(self, settings):
        super().__init__()
        self.settings, self.pending = settings, True

    def embed_query(self, text: str) -> list[float]:
        if self.pending:
            self.pending = False
            ingest(self.settings, embedder=FakeEmbeddings())
        return super().embed_query(text)


def test_a_search_overtaken_by_an_ingest_is_answered_from_the_new_index(settings, corpus):
    ingest(settings, embedder=FakeEmbeddings())
    embedder = _IngestMidSearch(settings)
    retriever = Retriever.open(settings, Store(settings), embedder)
    revised = _revise_touchstone_learning(corpus)
    texts = {h.passage.text for h in retriever.search("What did Touchstone learn? Collaboration works")}
    assert not embedder.pending
    assert revised in texts and "Collaboration works." not in texts


def test_a_local_store_says_it_is_still_published_without_asking_chroma(settings, fake_embedder, monkeypatch):
    """The stamp an ingest leaves answers a reader's check after each search, for a second after Chroma was last
    asked; what it does not vouch for (another version, no stamp, an unreadable one) is asked of Chroma."""
    ingest(settings, embedder=fake_embedder)
    store = Store(settings)
    version = store.state().version
    assert settings.published_stamp.read_text(encoding="utf-8") == version

    asked: list[str] = []
    in_chroma = store.published
    monkeypatch.setattr(store, "published", lambda: asked.append("chroma") or in_chroma())
    assert store.is_published(version) and asked == ["chroma"]  # not asked yet: the stamp's second starts now
    assert store.is_published(version) and store.is_published(version) and asked == ["chroma"]
    assert not store.is_published("another collection/another fingerprint") and asked == ["chroma"] * 2

    settings.published_stamp.write_bytes(b"\xff\xfe left by a writer that died")
    assert store.is_published(version) and asked == ["chroma"] * 3
    settings.published_stamp.unlink()
    assert store.is_published(version) and asked == ["chroma"] * 4


def test_a_writer_that_leaves_no_stamp_is_followed_within_a_second(settings, corpus, monkeypatch):
    """An ingest by an older checkout on the same folder publishes without a stamp: a running app follows it once
    the stamp's second is over (a review found it never did)."""
    monkeypatch.setattr(store_module, "STAMP_TRUSTED_S", 0.2)
    ingest(settings, embedder=FakeEmbeddings())
    retriever = Retriever.open(settings, Store(settings), FakeEmbeddings())
    assert "Collaboration works." in {h.passage.text for h in retriever.search("What did Touchstone learn?", k=20)}
    revised = _revise_touchstone_learning(corpus)
    monkeypatch.setattr(Store, "_stamp", lambda self, fingerprint: None)  # the writer before stamps
    ingest(settings, embedder=FakeEmbeddings())
    time.sleep(0.3)
    texts = {h.passage.text for h in retriever.search("What did Touchstone learn? Collaboration works", k=20)}
    assert revised in texts and "Collaboration works." not in texts


def test_a_stamp_is_not_written_for_a_collection_another_writer_dropped(settings, fake_embedder):
    """Chroma modifies a dropped collection without a word: a writer that opened it before another's rebuild
    must not vouch for it (a review's case: two ingests at once)."""
    ingest(settings, embedder=fake_embedder)
    old = Store(settings).state()
    late_writer = Store(settings)
    rebuilder = Store(settings)
    rebuilder.reset()
    rebuilder.set_state(old.model, "", "", settled=False)
    late_writer.set_state(old.model, old.fingerprint, old.built_at, settled=False)
    assert not settings.published_stamp.exists() and not Store(settings).is_published(old.version)


def test_an_ingest_that_cannot_write_the_stamp_finishes_and_withdraws_it(settings, corpus, fake_embedder, caplog):
    """A stamp is a shortcut: a folder that will not take it (a full disk, its permissions) costs readers a call to
    Chroma, not the ingest."""
    ingest(settings, embedder=fake_embedder)
    _revise_touchstone_learning(corpus)
    shutil.rmtree(settings.published_stamp.parent)
    settings.published_stamp.parent.write_text("a file where the stamps' folder goes")
    ingest(settings, embedder=fake_embedder)
    store = Store(settings)
    assert store.state().settled and not settings.published_stamp.exists()
    assert store.is_published(store.state().version)
    assert "cannot write" in caplog.text


def test_a_rebuild_withdraws_the_stamp_before_dropping_the_collection(settings, fake_embedder):
    ingest(settings, embedder=fake_embedder)
    store = Store(settings)
    old = store.state().version
    store.reset()
    assert not settings.published_stamp.exists() and not store.is_published(old)
    ingest(settings, embedder=fake_embedder)
    assert settings.published_stamp.read_text(encoding="utf-8") == store.state().version != old


def _grow(corpus: Path) -> None:
    for n in range(40):  # enough passages for several embedding batches
        (corpus / f"extra-{n:02d}.md").write_text(f"# Extra case {n}\n\n" + "\n\n".join(
            f"Paragraph {i} of extra case {n} about shared budgets." for i in range(10)))


def test_a_snapshot_rebuilt_from_the_store_waits_for_an_ingest_to_settle(settings, fake_embedder):
    """A new app instance beside a shared server has no snapshot files: it reads the store, but
    not while an ingest that has published is still deleting what it replaced."""
    ingest(settings, embedder=fake_embedder)
    store = Store(settings)
    state = store.state()
    leftover = replace(store.passages()[0], id="replaced-passage")
    store.upsert([leftover], [Embedded(fake_embedder.embed_query(leftover.indexed_text), [])])
    store.set_state(state.model, state.fingerprint, state.built_at, settled=False)
    shutil.rmtree(settings.sidecar_dir)

    def finish_the_ingest():
        time.sleep(0.5)
        store.delete([leftover.id])
        store.set_state(state.model, state.fingerprint, state.built_at, settled=True)

    threading.Thread(target=finish_the_ingest).start()
    snapshot = Snapshot.open(settings, Store(settings))
    assert "replaced-passage" not in snapshot.members and len(snapshot.members) == 90
    assert (settings.sidecar_dir / state.fingerprint).is_dir()  # saved for the next start


def _ingest_in_another_process(settings) -> None:
    ingest(settings, embedder=FakeEmbeddings())


def test_an_app_follows_an_ingest_run_by_another_process_on_the_local_index(settings, corpus):
    """`python -m assistant ingest` while `make run` serves the same local folder."""
    ingest(settings, embedder=FakeEmbeddings())
    before = {p.id for d in read_corpus(corpus)[0] for p in parse(d)}
    retriever = Retriever.open(settings, Store(settings), FakeEmbeddings())
    revised = _revise_touchstone_learning(corpus)
    _grow(corpus)
    after = {p.id for d in read_corpus(corpus)[0] for p in parse(d)}
    child = multiprocessing.get_context("spawn").Process(target=_ingest_in_another_process, args=(settings,))
    child.start()
    searches = 0
    while child.is_alive() or not searches:
        ids = {h.passage.id for h in retriever.search("Collaboration works, with shared budgets", k=20)}
        assert ids <= before or ids <= after
        searches += 1
    assert child.exitcode == 0 and searches > 1
    for question in ["What did Touchstone learn? Collaboration works", "Collaboration works, with shared budgets"]:
        texts = {h.passage.text for h in retriever.search(question, k=20)}
        assert "Collaboration works." not in texts
    assert revised in {h.passage.text for h in retriever.search("What did Touchstone learn? Collaboration works")}


class _SlowEmbeddings(FakeEmbeddings):
    """Embeds slowly, so a re-ingest spends a while with new passages written but not yet published."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        time.sleep(0.05)
        return super().embed_documents(texts)


@pytest.mark.parametrize("exact_search_limit", [retrieve.EXACT_SEARCH_LIMIT, 0], ids=["exact", "approximate"])
def test_readers_on_several_threads_never_see_half_a_reingest(settings, corpus, monkeypatch, exact_search_limit):
    """Streamlit sessions share one Retriever and Store: while a local index is re-ingested three
    times (every passage changed, the revised lesson written first), every search answers from one
    published version, the old text or the revised one, never both and never neither; the
    sidebar's state reads on another thread don't disturb them. Both ways of finding the nearest
    passages: exact over the snapshot's (a corpus this small), and Chroma's search (a large one)."""
    monkeypatch.setattr(retrieve, "EXACT_SEARCH_LIMIT", exact_search_limit)
    _grow(corpus)
    ingest(settings, embedder=FakeEmbeddings())
    store = Store(settings)
    retriever = Retriever.open(settings, store, FakeEmbeddings())
    question = "What did they learn? Collaboration works"  # no case study named: all of them searched
    old, new = "Collaboration works.", "Collaboration works, revised."
    seen: list[set[str]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            try:
                texts = {h.passage.text for h in retriever.search(question, k=10)}
                seen.append({t for t in (old, new) if t in texts})
            except BaseException as error:  # noqa: BLE001 - any failure on a reader thread fails the test
                errors.append(error)

    def read_state() -> None:
        while not done.is_set():
            try:
                store.state()
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(3)] + [threading.Thread(target=read_state)]
    for thread in threads:
        thread.start()
    try:
        for round_, (text, replacement) in enumerate(((old, new), (new, old), (old, new))):
            for path in corpus.glob("*.md"):
                revised = path.read_text().replace(text, replacement).replace("shared budgets.", f"shared budgets ({round_}).")
                path.write_text(revised.replace(f"shared budgets ({round_ - 1}).", f"shared budgets ({round_})."))
            ingest(settings, embedder=_SlowEmbeddings())
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors[:3]
    assert len(seen) > 10 and all(len(found) == 1 for found in seen), [f for f in seen if len(f) != 1][:5]
    assert {new} in seen and {old} in seen


def test_passages_kept_between_questions_follow_a_rebuild_and_their_bound(settings, fake_embedder, monkeypatch):
    """Decoded passages are kept for the next question; never those of a collection since rebuilt
    (a new model gives the same passage new vectors), and never more than PASSAGES_KEPT."""
    ingest(settings, embedder=fake_embedder)
    store = Store(settings)
    passages = store.passages()[:3]
    query = fake_embedder.embed_query(passages[0].indexed_text)
    first = store.matches([p.id for p in passages], query)
    assert store.matches([p.id for p in passages], query) == first  # kept: the same as read

    opposite = [-x for x in query]  # a "new model": the same passages, other vectors
    store.reset()
    store.upsert(passages, [Embedded(opposite, [opposite]) for _ in passages])
    again = store.matches([p.id for p in passages], query)
    assert [m.passage.id for m in again] == [p.id for p in passages]
    assert all(m.similarity == pytest.approx(-1.0, abs=1e-5) for m in again)
    assert all(m.sentence_similarities == pytest.approx((-1.0,), abs=1e-3) for m in again)

    monkeypatch.setattr("assistant.store.PASSAGES_KEPT", 2)
    assert [m.passage.id for m in store.matches([p.id for p in passages], query)] == [p.id for p in passages]
    assert {m.passage.id for m in store.query(query, 3)} == {p.id for p in passages}  # all three, two kept
