"""Server mode against a real `chroma run` on loopback (free port, temporary path)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import StoreUnavailable
from assistant.ingest import ingest, stale_reason
from assistant.retrieve import Retriever
from assistant.store import Store
from conftest import free_port, wait_until_up

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    log = (tmp_path / "chroma.log").open("w")
    process = subprocess.Popen([str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "server-data")],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/api/v2/heartbeat", process, tmp_path / "chroma.log")
    yield url, process
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_ingest_and_search_through_a_chroma_server(chroma_server, settings, fake_embedder):
    url, _ = chroma_server
    remote = replace(settings, chroma_url=url)
    report = ingest(remote, embedder=fake_embedder)
    assert report.embedded == 90
    assert ingest(remote, embedder=fake_embedder).embedded == 0
    store = Store(remote)
    assert store.state().passages == 90 and stale_reason(remote, store) is None

    # a second app instance with no local files rebuilds its keyword index from the server
    fresh = replace(remote, index_dir=settings.index_dir.parent / "other-instance")
    hits = Retriever.open(fresh, embedder=fake_embedder).search("What did Touchstone learn?", k=3)
    assert {h.passage.short_title for h in hits} == {"Touchstone and Live Well Leeds"}


def test_a_server_that_is_down_gives_one_clear_error(chroma_server, settings):
    url, process = chroma_server
    process.terminate()
    process.wait(timeout=20)
    with pytest.raises(StoreUnavailable, match=f"cannot reach the Chroma server at {url}"):
        Store(replace(settings, chroma_url=url))


def test_app_instances_follow_a_rebuild_of_the_server_index(chroma_server, settings, corpus, fake_embedder):
    """`ingest --rebuild` replaces the collection; instances serving it carry on without a restart."""
    url, _ = chroma_server
    remote = replace(settings, chroma_url=url)
    ingest(remote, embedder=fake_embedder)
    instance = Retriever.open(replace(remote, index_dir=settings.index_dir.parent / "instance"), embedder=fake_embedder)
    assert instance.search("What did Touchstone learn?")
    ingest(remote, embedder=fake_embedder, rebuild=True)  # the same corpus: the same fingerprint, a new collection
    assert instance.search("What did Touchstone learn?")
    path = corpus / "08-touchstone-live-well-leeds.md"
    path.write_text(path.read_text().replace("Collaboration works.", "Collaboration works, rebuilt."))
    ingest(remote, embedder=fake_embedder, rebuild=True)
    texts = {h.passage.text for h in instance.search("What did Touchstone learn? Collaboration works")}
    assert "Collaboration works, rebuilt." in texts
