"""Errors keep their cause, and the package logs why it fell back, skipped or rebuilt.

The person sees the one-line message; a traceback or the log shows the error behind it. No real
model: the chat model is the real langchain-openai or langchain-ollama client against a scripted
loopback server (or none), the index is built with the fake embedder."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from chromadb.errors import ChromaError
from langchain_core.exceptions import ModelRateLimitError, ModelTimeoutError
from ollama import ResponseError

from assistant.embed import model_path
from assistant.errors import AssistantError, StoreUnavailable
from assistant.llm import LLMUnavailable, Message, _reason, build_chat_model, complete
from assistant.pipeline import update_index
from assistant.read import Unreadable, read_corpus, read_file
from assistant.settings import Settings
from assistant.store import Store
from conftest import ROOT
from fake_llm import ScriptedOpenAIServer

QUESTION = "a private question about our partner's finances"


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="assistant")
    return caplog


def _warnings(log: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in log.records if r.name.startswith("assistant") and r.levelno >= logging.WARNING]


# --- causes ----------------------------------------------------------------------------------


def test_a_corrupt_local_index_keeps_chromas_error_as_the_cause_and_logs_it(tmp_path: Path, log):
    settings = Settings(index_dir=tmp_path / "index")
    (settings.index_dir / "chroma").mkdir(parents=True)
    (settings.index_dir / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 1000)
    with pytest.raises(StoreUnavailable, match="rebuild it with `python -m assistant ingest --rebuild`") as raised:
        Store(settings)
    assert isinstance(raised.value.__cause__, ChromaError)
    [line] = _warnings(log)
    assert line.startswith(f"Chroma store unavailable: cannot open the index at {settings.index_dir}")
    assert f"[cause: {type(raised.value.__cause__).__name__}: " in line


def test_an_unreachable_server_keeps_the_clients_error_as_the_cause(tmp_path: Path, log):
    settings = Settings(index_dir=tmp_path / "index", chroma_url="http://127.0.0.1:9")
    with pytest.raises(StoreUnavailable, match="cannot reach the Chroma server at http://127.0.0.1:9") as raised:
        Store(settings)
    assert raised.value.__cause__ is not None
    assert any(line.startswith("Chroma store unavailable: cannot reach") for line in _warnings(log))


def test_a_bug_of_ours_is_not_reported_as_an_unreachable_server(tmp_path: Path, monkeypatch):
    import chromadb

    def called_wrongly(**options):
        raise TypeError("HttpClient() got an unexpected keyword argument 'hots'")

    monkeypatch.setattr(chromadb, "HttpClient", called_wrongly)
    with pytest.raises(TypeError, match="hots"):
        Store(Settings(index_dir=tmp_path / "index", chroma_url="http://127.0.0.1:9"))


@pytest.mark.parametrize("name, data, message, cause", [
    ("latin1.txt", "café".encode("latin-1"), "not UTF-8 text (byte 3): save it as UTF-8", UnicodeDecodeError),
    ("bad-yaml.md", b"---\ntitle: [unclosed\n---\n# Text\n\nSome text.\n", "front matter is not valid YAML", Exception),
])
def test_an_unreadable_file_keeps_its_cause(tmp_path: Path, name: str, data: bytes, message: str, cause: type):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(Unreadable, match=re.escape(message)) as raised:
        read_file(tmp_path / name, name)
    assert isinstance(raised.value.__cause__, cause)


def test_a_missing_model_package_keeps_the_import_error():
    with pytest.raises(AssistantError, match="is neither a folder nor an installed package") as raised:
        model_path("no-such-model-package-x")
    assert isinstance(raised.value.__cause__, ImportError)


def test_an_unknown_model_provider_keeps_langchains_error():
    with pytest.raises(AssistantError, match="cannot use ASSISTANT_LLM='nosuchprovider:x'") as raised:
        build_chat_model(Settings(llm="nosuchprovider:x"))
    assert isinstance(raised.value.__cause__, ValueError)


# --- the model's failure, by the exception's type, not its name ------------------------------


class SlowTimeoutLookingError(Exception):
    """Named like a timeout, and not one: the old name-guessing called it one."""


@pytest.mark.parametrize("error, reason", [
    (ModelTimeoutError("read timed out"), "the model server did not answer in time"),
    (httpx.ReadTimeout("read timed out"), "the model server did not answer in time"),
    (ModelRateLimitError("slow down"), "the model server is rate-limiting requests"),
    (httpx.ConnectError("refused"), "the model server cannot be reached"),
    (ConnectionError("Failed to connect to Ollama"), "the model server cannot be reached"),
    (ResponseError("model not found", 404), "the model server answered with an error (404)"),
    (ResponseError("out of memory"), "the model server answered with an error"),  # inside a stream: no status
    (SlowTimeoutLookingError("no"), ""),  # not a failure the clients report: logged with its traceback
    (KeyError("choices"), ""),
])
def test_the_failure_kind_comes_from_the_exceptions_type(error: Exception, reason: str):
    assert _reason(error) == reason


@pytest.fixture
def server():
    with ScriptedOpenAIServer() as running:
        yield running


def _ask(settings: Settings) -> str:
    return complete(build_chat_model(settings), [Message("user", QUESTION)], {}, settings.llm_timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("behaviour, reason, cause", [
    (("status", 429), "the model server is rate-limiting requests", "[cause: OpenAIRateLimitError]"),
    (("status", 500), "the model server answered with an error (500)", "[cause: OpenAIAPIError]"),
    (("empty",), "the model returned an empty answer", ""),
])
def test_a_model_fallback_is_logged_with_its_reason_and_never_the_question(server, log, behaviour, reason, cause):
    server.queue.append(behaviour)
    with pytest.raises(LLMUnavailable, match=re.escape(reason)) as raised:
        _ask(Settings(llm="openai:scripted", openai_base_url=server.url, llm_timeout=5))
    assert (raised.value.__cause__ is not None) == bool(cause)
    [line] = _warnings(log)
    assert line == f"language model unavailable: {reason}" + (f" {cause}" if cause else "")
    assert QUESTION not in log.text


def test_a_reply_the_client_cannot_read_is_logged_with_its_traceback(server, log):
    server.queue.append(("malformed",))
    with pytest.raises(LLMUnavailable, match=r"the model server failed \(JSONDecodeError\)"):
        _ask(Settings(llm="openai:scripted", openai_base_url=server.url, llm_timeout=5))
    [record] = [r for r in log.records if r.levelno == logging.WARNING]
    assert record.exc_info is not None and record.exc_info[0].__name__ == "JSONDecodeError"


@pytest.mark.parametrize("llm, option", [("openai:x", "openai_base_url"), ("ollama:x", "ollama_url")])
def test_a_model_server_that_is_down_is_unreachable_for_either_client(log, llm: str, option: str):
    url = "http://127.0.0.1:9/v1" if option == "openai_base_url" else "http://127.0.0.1:9"
    with pytest.raises(LLMUnavailable, match="the model server cannot be reached"):
        _ask(Settings(llm=llm, llm_timeout=5, **{option: url}))
    assert _warnings(log)[0].startswith("language model unavailable: the model server cannot be reached [cause: ")


# --- skips and rebuilds ------------------------------------------------------------------------


def test_a_skipped_corpus_file_is_logged_with_its_reason(tmp_path: Path, log):
    (tmp_path / "good.md").write_text("# A case study\n\nSome text about partnership.\n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    documents, skipped = read_corpus(tmp_path)
    assert [d.path for d in documents] == ["good.md"] and [s.path for s in skipped] == ["binary.txt"]
    assert _warnings(log) == ["corpus file skipped: binary.txt: binary data, not text"]


def test_a_stale_index_is_rebuilt_with_the_reason_logged(settings: Settings, corpus: Path, fake_embedder, log):
    store = Store(settings)
    assert update_index(settings, store, fake_embedder) == "no index yet"
    assert _warnings(log) == []  # a first build is expected: INFO, not a warning
    (corpus / "new.md").write_text("# A new case study\n\nWhat the partners learned about trust.\n")
    update_index(settings, store, fake_embedder)
    assert _warnings(log) == ["building the index: the corpus has changed since the index was built"]


# --- the command line ----------------------------------------------------------------------------


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


def test_the_command_line_shows_one_error_line_and_logs_the_cause(tmp_path: Path):
    done = _cli("ask", "trust", ASSISTANT_CHROMA_URL="http://127.0.0.1:9", ASSISTANT_INDEX_DIR=str(tmp_path / "index"))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert [line for line in lines if line.startswith("error:")] == lines[-1:]
    assert lines[-1].startswith("error: cannot reach the Chroma server at http://127.0.0.1:9 (")
    assert any(" WARNING assistant.store: Chroma store unavailable: " in line and "[cause: " in line for line in lines)


def test_at_debug_the_command_line_logs_the_traceback_behind_the_error(tmp_path: Path):
    done = _cli("ask", "trust", ASSISTANT_CHROMA_URL="http://127.0.0.1:9", ASSISTANT_INDEX_DIR=str(tmp_path / "index"),
                ASSISTANT_LOG_LEVEL="debug")
    assert done.returncode == 1 and "Traceback" in done.stderr
    assert "The above exception was the direct cause of the following exception" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: cannot reach the Chroma server")


def test_a_log_level_that_is_not_one_is_a_clear_error():
    with pytest.raises(ValueError, match=r"ASSISTANT_LOG_LEVEL='loud' is not a valid log level \(DEBUG, INFO"):
        Settings.from_env({"ASSISTANT_LOG_LEVEL": "loud"})
    assert Settings.from_env({"ASSISTANT_LOG_LEVEL": "info"}).log_level == "INFO"


def test_a_generated_answer_not_shown_is_logged_with_why(caplog):
    """The reader sees why the offline answer replaced the model's; the operator's log says it too."""
    from assistant.answer import _not_shown

    with caplog.at_level(logging.WARNING, logger="assistant"):
        shown = _not_shown("only 1 of 4 of its sentences are supported by the passages they cite")
    assert shown.startswith("The language model's answer was not shown: only 1 of 4")
    assert any("answer not shown: only 1 of 4" in r.getMessage() for r in caplog.records)
