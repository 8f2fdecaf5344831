"""Faults that lose nothing: killed ingests, a Chroma server that goes away, damaged or
read-only indexes, many askers at once, and questions while an ingest runs."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from chromadb.errors import InternalError

from assistant.answer import Answerer
from assistant.errors import StoreUnavailable
from assistant.ingest import ingest, stale_reason
from assistant.parse import parse
from assistant.pipeline import open_answerer
from assistant.read import read_corpus
from assistant.retrieve import Retriever
from assistant.store import Store
from conftest import FakeEmbeddings, free_port, wait_until_up

pytestmark = pytest.mark.slow


def _grow(corpus: Path, files: int = 30, paragraphs: int = 40) -> None:
    """Enough passages that an ingest takes a few seconds, so a kill lands mid-way."""
    for n in range(files):
        (corpus / f"extra-{n:02d}.md").write_text(f"# Extra case {n}\n\n" + "\n\n".join(
            f"Paragraph {i} of extra case {n}: partners shared budgets, trust and premises in year {i}."
            for i in range(paragraphs)))


def _ingest_child(settings) -> None:
    ingest(settings, embedder=FakeEmbeddings())


def test_ingest_killed_ten_times_then_finished_equals_a_clean_build(settings, corpus):
    _grow(corpus)
    started = time.perf_counter()
    ingest(replace(settings, index_dir=settings.index_dir.parent / "timing"), embedder=FakeEmbeddings())
    duration = time.perf_counter() - started
    context = multiprocessing.get_context("fork")
    randomly = random.Random(7)
    for _ in range(10):
        child = context.Process(target=_ingest_child, args=(settings,))
        child.start()
        time.sleep(randomly.uniform(0.05, duration))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
    report = ingest(settings, embedder=FakeEmbeddings())
    clean = replace(settings, index_dir=settings.index_dir.parent / "clean")
    ingest(clean, embedder=FakeEmbeddings())

    expected = {p.id for d in read_corpus(corpus)[0] for p in parse(d)}
    stored, clean_stored = Store(settings).content_hashes(), Store(clean).content_hashes()
    assert set(stored) == expected == set(clean_stored)  # no orphans, nothing missing
    assert Store(settings).state().passages == len(expected) == report.passages  # no duplicates
    assert stale_reason(settings, Store(settings)) is None
    killed, fresh = (Answerer(Retriever.open(s, embedder=FakeEmbeddings()), s) for s in (settings, clean))
    for question in ["What did Touchstone learn?", "How do we handle a power imbalance?", "Who funds the Alliance?"]:
        assert killed.ask(question).text == fresh.ask(question).text


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = free_port()
    command = [str(Path(sys.executable).parent / "chroma"), "run", "--host", "127.0.0.1", "--port", str(port),
               "--path", str(tmp_path / "server-data")]
    processes = []

    def start() -> None:
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", processes[-1])

    def stop() -> None:
        processes[-1].terminate()
        processes[-1].wait(timeout=20)

    start()
    yield f"http://127.0.0.1:{port}", start, stop
    if processes[-1].poll() is None:
        stop()


def test_a_stopped_server_gives_one_clear_error_and_the_app_recovers(chroma_server, settings, fake_embedder):
    url, start, stop = chroma_server
    remote = replace(settings, chroma_url=url)
    answerer = open_answerer(remote, embedder=fake_embedder)
    assert not answerer.ask("What did Touchstone learn?").refused
    stop()
    with pytest.raises(StoreUnavailable, match=f"lost the Chroma server at {url}"):
        answerer.ask("What did Touchstone learn?")
    start()
    assert not answerer.ask("What did Touchstone learn?").refused  # the same objects, no restart


def test_twenty_askers_at_once_through_a_server(chroma_server, real_settings, real_answerer, tmp_path: Path):
    url, _, _ = chroma_server
    remote = replace(real_settings, chroma_url=url, index_dir=tmp_path / "sidecar")
    answerer = open_answerer(remote, embedder=real_answerer.retriever.embedder)
    questions = ["How do we handle a power imbalance with a smaller partner?", "What did Touchstone learn?",
                 "Who funds the Somerset Mental Health Alliance?", "What makes a good lead partner?"]
    latencies: list[float] = []
    errors: list[BaseException] = []
    deadline = time.monotonic() + 15  # bounded in time, and in count below

    def asker(n: int) -> None:
        for i in range(30):
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                answer = answerer.ask(questions[(n + i) % len(questions)])
                assert answer.sources
            except BaseException as error:  # noqa: BLE001 - every failure is counted, none hidden
                errors.append(error)
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=asker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(latencies) >= 20
    ordered = sorted(latencies)
    print(f"20 askers: {len(latencies)} answers, p50 {statistics.median(ordered) * 1000:.0f} ms, "
          f"p95 {ordered[int(0.95 * len(ordered))] * 1000:.0f} ms")


class _SlowEmbeddings(FakeEmbeddings):
    """As slow per batch as the real model, so that questions land while the new passages are
    written but not yet published."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        time.sleep(0.3)
        return super().embed_documents(texts)


def test_asking_while_an_ingest_runs_answers_from_before_or_after_never_a_mixture(settings, corpus, fake_embedder):
    before = {p.id for d in read_corpus(corpus)[0] for p in parse(d)}
    answerer = open_answerer(settings, embedder=fake_embedder)
    _grow(corpus, files=20)  # passages that only the new index has
    (corpus / "07-london-vawg-consortium.md").unlink()  # and some that only the old one has
    path = corpus / "08-touchstone-live-well-leeds.md"
    path.write_text(re.sub(r"(?m)^(\d\. .*)$", r"\1 Partners shared budgets.", path.read_text()))
    after = {p.id for d in read_corpus(corpus)[0] for p in parse(d)}
    questions = ["What did Touchstone learn?", "How did partners share budgets, trust and premises?"]
    worker = threading.Thread(target=ingest, args=(settings,), kwargs={"embedder": _SlowEmbeddings()})
    worker.start()
    seen = []
    while worker.is_alive() or not seen:
        question = questions[len(seen) // 2 % 2]
        for ids in ({h.passage.id for h in answerer.retriever.search(question, k=20)},
                    {h.passage.id for h in answerer.ask(question).sources}):
            assert ids and (ids <= before or ids <= after), "a search mixed the index before and after the ingest"
            seen.append("before" if ids <= before else "after")
    worker.join()
    for question in questions:  # the same answerer follows the new index
        ids = {h.passage.id for h in answerer.retriever.search(question, k=20)}
        assert ids <= after and not ids <= before
    print(f"during the ingest: {seen.count('before')} searches from before, {seen.count('after')} from after")


class _FailingClient:
    """A Chroma client at our seam (Store(client=...)) whose writes fail as SQLite's do."""

    def __init__(self, real, message: str):
        self._real, self._message = real, message

    def get_or_create_collection(self, *args, **kwargs):
        collection = self._real.get_or_create_collection(*args, **kwargs)
        message = self._message

        class Collection:
            def __getattr__(self, name):
                return getattr(collection, name)

            def upsert(self, *a, **k):
                raise InternalError(message)

            def modify(self, *a, **k):
                raise InternalError(message)

        return Collection()

    def __getattr__(self, name):
        return getattr(self._real, name)


@pytest.mark.parametrize("message", ["attempt to write a readonly database", "database or disk is full"])
def test_a_read_only_or_full_index_gives_a_clear_message_and_leaves_the_corpus_alone(settings, corpus, fake_embedder, message):
    import chromadb

    files = {p: p.read_bytes() for p in corpus.iterdir()}
    settings.index_dir.mkdir(parents=True)
    client = _FailingClient(chromadb.PersistentClient(path=str(settings.index_dir / "chroma")), message)
    with pytest.raises(StoreUnavailable, match="check that the folder is writable and the disk has space"):
        ingest(settings, Store(settings, client=client), fake_embedder)
    assert {p: p.read_bytes() for p in corpus.iterdir()} == files


def test_a_corrupted_index_is_detected_and_rebuilt_on_request(settings, fake_embedder):
    ingest(settings, embedder=fake_embedder)
    database = settings.index_dir / "chroma" / "chroma.sqlite3"
    database.write_bytes(b"this is not a database" * 1000)
    with pytest.raises(StoreUnavailable, match="rebuild it with `python -m assistant ingest --rebuild`"):
        Store(settings)
    report = ingest(settings, embedder=fake_embedder, rebuild=True)
    assert report.embedded == 90 and Store(settings).state().passages == 90
    assert not Answerer(Retriever.open(settings, embedder=fake_embedder), settings).ask("What did Touchstone learn?").refused
