"""Shared fixtures: a deterministic fake embedder for fast tests, and one real index (the
packaged model over the real corpus) built once per session for the integration tests."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.text import terms

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DIMENSIONS = 384


class FakeEmbeddings:
    """Bag of stemmed words hashed into 384 dimensions (few collisions, so few exact ties for the
    vector index to order arbitrarily): texts sharing words are similar.

    Counts what it embeds (texts, and calls: an ingest makes one call per batch of passages, with
    their sentences), so tests can tell re-embedding from reuse; `fail_after` calls it crashes."""

    model_name = "fake-bag-of-words"

    def __init__(self, fail_after: int | None = None):
        self.embedded = 0
        self.calls = 0
        self.fail_after = fail_after

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * DIMENSIONS
        for term in terms(text) or ["empty"]:
            vector[int(hashlib.md5(term.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.calls += 1
        self.embedded += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def public_check_questions() -> set[str]:
    """The check halves' questions, lower-cased: what the public sets measure a new user by, so no
    labelled data the assistant learns from may hold them (nor the same words asked in another set)."""
    sets = [ROOT / "eval" / "practice.jsonl", *(DATA / "holdout").glob("*.jsonl")]
    return {q["question"].strip().lower() for path in sets
            for q in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if q.get("split") == "check"}


def system_tool(names: tuple[str, ...], install_script: str) -> str:
    """The path of a Debian tool a slow test needs; skipped where it isn't installed, failed under
    CI=true (CI installs it: a skip there would report an untested path as passing)."""
    found = next((path for name in names if (path := shutil.which(name) or shutil.which(name, path="/usr/sbin"))), None)
    if not found:
        message = f"Debian's {names[0]} is not installed (make test installs it where it can: {install_script})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path | None = None, seconds: float = 60) -> None:
    """Poll a loopback URL until it answers; fail with the process's log if it dies or hangs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"the server exited: {log.read_text()[-500:] if log else ''}")
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"{url} did not answer within {seconds:.0f} s")


REAL_MODEL_FIXTURES = {"real_settings", "real_answerer", "real_embedder"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test on the real model is marked `model`, so the fast suite (-m "not slow and not model")
    is the one with no model, browser or server."""
    for item in items:
        if REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(autouse=True)
def _real_model_only_when_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test not marked `model` that loads the real model fails, so the fast suite stays fast."""
    if request.node.get_closest_marker("model") is None:
        from assistant import embed

        def refuse(*args: object) -> None:
            raise AssertionError("this test loads the real embedding model: use a real_* fixture or mark it `model`")

        monkeypatch.setattr(embed, "load_encoder", refuse)


@pytest.fixture
def fake_embedder() -> FakeEmbeddings:
    return FakeEmbeddings()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the real corpus that a test may edit."""
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


@pytest.fixture
def settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", model=FakeEmbeddings.model_name)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real corpus and packaged model, with an index of the test session's own."""
    return Settings(index_dir=tmp_path_factory.mktemp("real-index"))


@pytest.fixture(scope="session")
def real_embedder():
    """The packaged model, as the app embeds with it."""
    from assistant.embed import PackagedEmbeddings

    return PackagedEmbeddings.for_settings(Settings())


@pytest.fixture(scope="session")
def real_answerer(real_settings: Settings):
    from assistant.pipeline import open_answerer

    return open_answerer(real_settings)
