import http.server
import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import StoreUnavailable
from assistant.settings import DEFAULT_TOP_K, Settings
from assistant.store import Store
from conftest import ROOT


def test_defaults_without_environment():
    settings = Settings.from_env({})
    assert settings.top_k == DEFAULT_TOP_K and settings.chroma_url is None
    assert settings.corpus_dir.name == "corpus"


def test_environment_overrides():
    settings = Settings.from_env({"ASSISTANT_TOP_K": "8", "ASSISTANT_CHROMA_URL": "http://127.0.0.1:9000",
                                  "ASSISTANT_INDEX_DIR": "/tmp/x", "ASSISTANT_REFUSAL_THRESHOLD": "0.3"})
    assert (settings.top_k, settings.chroma_url, settings.index_dir, settings.refusal_threshold) == (
        8, "http://127.0.0.1:9000", Path("/tmp/x"), 0.3)


def test_a_bad_value_names_the_variable():
    with pytest.raises(ValueError, match="ASSISTANT_TOP_K='many'"):
        Settings.from_env({"ASSISTANT_TOP_K": "many"})


def test_an_unknown_encoder_says_which_ones_there_are():
    assert Settings.from_env({"ASSISTANT_ENCODER": "sentence-transformers"}).encoder == "sentence-transformers"
    with pytest.raises(ValueError, match="ASSISTANT_ENCODER='torch' is not a valid encoder \\(onnx or sentence-transformers\\)"):
        Settings.from_env({"ASSISTANT_ENCODER": "torch"})


def test_the_chroma_token_is_read_but_never_shown():
    token = "s3cret-token-0123456789"
    settings = Settings.from_env({"ASSISTANT_CHROMA_URL": "http://127.0.0.1:9000", "ASSISTANT_CHROMA_TOKEN": token})
    assert settings.chroma_token == token
    assert token not in repr(settings) and token not in str(settings)
    assert Settings.from_env({}).chroma_token is None


class _Refusing(http.server.BaseHTTPRequestHandler):
    """A loopback server that turns every request away, as the token proxy does, and notes the
    X-Chroma-Token header each one carried."""

    tokens: list[str | None] = []

    def do_GET(self):
        self.tokens.append(self.headers.get("X-Chroma-Token"))
        body = b"<html>401 Authorization Required</html>"  # not Chroma's JSON: any proxy's page
        self.send_response(401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_server():
    _Refusing.tokens = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Refusing.tokens
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("token", ["s3cret-token-0123456789", None])
def test_the_chroma_token_is_sent_and_a_refusal_says_what_to_do(refusing_server, tmp_path, token):
    url, received = refusing_server
    settings = replace(Settings(), index_dir=tmp_path / "index", chroma_url=url, chroma_token=token)
    with pytest.raises(StoreUnavailable) as raised:
        Store(settings)
    assert str(raised.value) == (
        f"the Chroma server at {url} refused the token: set ASSISTANT_CHROMA_TOKEN to the server's token")
    assert received and set(received) == {token}


@pytest.mark.parametrize("name, value", [("TOP_K", "0"), ("REFUSAL_THRESHOLD", "1.5"), ("ANSWER_WORDS", "-5")])
def test_a_number_outside_its_range_is_refused_with_the_range(name, value):
    with pytest.raises(ValueError, match=f"ASSISTANT_{name}=.* is out of range: use "):
        Settings.from_env({f"ASSISTANT_{name}": value})


def test_the_command_line_says_which_setting_is_wrong_in_one_line():
    env = {**os.environ, "ASSISTANT_TOP_K": "0"}
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", "trust"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: ASSISTANT_TOP_K=0 is out of range: use 1 to 50"
