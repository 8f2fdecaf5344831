"""Server mode against a real `chroma run` on loopback (free port, temporary path)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaAuthError

from assistant.errors import StoreUnavailable
from assistant.ingest import ingest, stale_reason
from assistant.retrieve import Retriever
from assistant.settings import Settings
from assistant.store import Store
from conftest import ROOT, free_port, system_tool, wait_until_up

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    log = (tmp_path / "chroma.log").open("w")
    process = subprocess.Popen([str(chroma), "run", "--host", "127.0.0.1", "--port", str(port),
                                "--path", str(tmp_path / "server-data")],
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
    ingest(remote, embedder=fake_embedder, rebuild=True)
    assert instance.search("Collaboration works, with shared budgets")  # a search of the dropped collection, first
    path = corpus / "08-touchstone-live-well-leeds.md"
    path.write_text(path.read_text().replace("Collaboration works.", "Collaboration works, rebuilt."))
    ingest(remote, embedder=fake_embedder, rebuild=True)
    texts = {h.passage.text for h in instance.search("What did Touchstone learn? Collaboration works")}
    assert "Collaboration works, rebuilt." in texts


@pytest.fixture
def token_proxy(chroma_server, tmp_path: Path):
    """scripts/chroma-with-token.sh in front of the Chroma server, both on loopback; yields its URL and token."""
    system_tool(("nginx",), "scripts/install-nginx.sh")
    chroma_url, _ = chroma_server
    port = free_port()
    token = secrets.token_urlsafe(24)
    log_path = tmp_path / "proxy.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "chroma-with-token.sh"), str(tmp_path / "proxy"), f"127.0.0.1:{port}",
         chroma_url.rsplit(":", 1)[1]],
        env={**os.environ, "CHROMA_TOKEN": token}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/api/v2/heartbeat", process, log_path)  # the heartbeat needs no token
    yield url, token
    process.terminate()  # the script became nginx's master process: SIGTERM is its fast shutdown
    process.wait(timeout=20)
    log.close()
    for written in (log_path, tmp_path / "proxy" / "access.log"):
        assert token not in written.read_text()


def _status(url: str, token: str | None = None, body: dict | None = None) -> int:
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    if token is not None:
        request.add_header("X-Chroma-Token", token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_token_proxy_refuses_requests_without_the_token(token_proxy):
    url, token = token_proxy
    collections = f"{url}/api/v2/tenants/default_tenant/databases/default_database/collections"
    assert _status(collections) == 401
    assert _status(collections, token="x" + token) == 401
    assert _status(collections, token=token[:-1]) == 401
    assert _status(collections, token=token.upper()) == 401
    assert _status(collections, body={"name": "planted"}) == 401  # the write the security review made
    assert _status(collections, token=token) == 200
    assert _status(f"{url}/api/v2/heartbeat") == 200

    host, port = url.removeprefix("http://").split(":")
    with pytest.raises(ChromaAuthError, match="missing or wrong X-Chroma-Token"):
        chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))
    wrong = ChromaSettings(anonymized_telemetry=False,
                           chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
                           chroma_client_auth_credentials="wrong-" + token,
                           chroma_auth_token_transport_header="X-Chroma-Token")
    with pytest.raises(ChromaAuthError, match="missing or wrong X-Chroma-Token"):
        chromadb.HttpClient(host=host, port=int(port), settings=wrong)


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789"])
def test_the_store_says_what_to_do_when_the_proxy_refuses_it(token_proxy, settings, token):
    url, _ = token_proxy
    with pytest.raises(StoreUnavailable, match=f"the Chroma server at {url} refused the token: set ASSISTANT_CHROMA_TOKEN"):
        Store(replace(settings, chroma_url=url, chroma_token=token))


def test_ingest_and_search_through_the_token_proxy(token_proxy, settings, fake_embedder):
    url, token = token_proxy
    operator = Settings.from_env({"ASSISTANT_CHROMA_URL": url, "ASSISTANT_CHROMA_TOKEN": token})
    remote = replace(settings, chroma_url=operator.chroma_url, chroma_token=operator.chroma_token)
    assert ingest(remote, embedder=fake_embedder).embedded == 90
    assert Store(remote).state().passages == 90
    hits = Retriever.open(replace(remote, index_dir=settings.index_dir.parent / "other-instance"),
                          embedder=fake_embedder).search("What did Touchstone learn?", k=3)
    assert {h.passage.short_title for h in hits} == {"Touchstone and Live Well Leeds"}
