"""Server mode against a real `chroma run` on loopback (free port, temporary path)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import StoreUnavailable
from assistant.ingest import ingest, stale_reason
from assistant.retrieve import Retriever
from assistant.store import Store

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    log = (tmp_path / "chroma.log").open("w")
    process = subprocess.Popen([str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "server-data")],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"chroma run exited: {(tmp_path / 'chroma.log').read_text()[-500:]}")
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("chroma run did not answer within 60 s")
    yield url, process
    process.terminate()
    process.wait(timeout=20)
    log.close()


def test_ingest_and_search_through_a_chroma_server(chroma_server, settings, fake_embedder):
    url, _ = chroma_server
    remote = replace(settings, chroma_url=url)
    report = ingest(remote, embedder=fake_embedder)
    assert report.embedded == 91
    assert ingest(remote, embedder=fake_embedder).embedded == 0
    store = Store(remote)
    assert store.state().passages == 91 and stale_reason(remote, store) is None

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
