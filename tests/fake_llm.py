"""Test doubles for the chat-model seam: a chat model (our own `ChatModel`) and a small
OpenAI-compatible HTTP server for the real LangChain clients, both scripted. A script is text
with {needle} marks, each replaced by the number of the prompt passage containing the needle:
"It works {Collaboration works.}." -> "It works [2]."
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

from assistant.llm import Message


def fill_citations(script: str, prompt: str) -> str:
    passages = dict(re.findall(r"^\[(\d+)\] \([^\n]*\)\n(.*?)(?=\n\n\[\d+\] \(|\n</passages>)", prompt, re.MULTILINE | re.DOTALL))

    def number(match: re.Match) -> str:
        found = [n for n, text in passages.items() if match.group(1) in text]
        return f"[{found[0]}]" if found else "[99]"

    return re.sub(r"\{([^{}]+)\}", number, script)


class ScriptedChatModel:
    """A `ChatModel` that answers each call with the next script, citations filled from the
    prompt it was sent, streamed a word at a time."""

    def __init__(self, scripts: list[str]):
        self.scripts = list(scripts)
        self.prompts: list[str] = []

    def stream(self, messages: list[Message], **options: Any) -> Iterator[str]:
        prompt = "\n".join(m.content for m in messages)
        self.prompts.append(prompt)
        yield from re.split(r"(?<= )", fill_citations(self.scripts.pop(0), prompt))


class ScriptedOpenAIServer:
    """/v1/chat/completions on 127.0.0.1, answering from a queue of behaviours:
    ("answer", script) | ("drip", seconds, script): streamed a word at a time, every `seconds` |
    ("status", code) | ("slow", seconds) | ("empty",) | ("malformed",). `requests` holds each
    request's JSON body."""

    def __init__(self) -> None:
        self.queue: list[tuple] = []
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                # the client may stop reading, as it does past its deadline or length cap
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._respond()

            def _respond(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                behaviour = server.queue.pop(0) if server.queue else ("status", 500)
                prompt = "\n".join(str(m.get("content")) for m in body["messages"])
                kind = behaviour[0]
                if kind == "status":
                    self._json(behaviour[1], {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                if kind == "slow":
                    time.sleep(behaviour[1])
                    self._json(200, _completion("Too late."))
                    return
                if kind == "malformed":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream" if body.get("stream") else "application/json")
                    self.end_headers()
                    self.wfile.write(b"data: {not json at all\n\n" if body.get("stream") else b"{not json")
                    return
                text = "" if kind == "empty" else fill_citations(behaviour[-1], prompt)
                if not body.get("stream"):
                    self._json(200, _completion(text))
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in re.split(r"(?<= )", text) if text else []:
                    self.wfile.write(f"data: {json.dumps(_chunk(piece))}\n\n".encode())
                    self.wfile.flush()
                    if kind == "drip":
                        time.sleep(behaviour[1])
                self.wfile.write(f"data: {json.dumps(_chunk(None, 'stop'))}\n\ndata: [DONE]\n\n".encode())

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "ScriptedOpenAIServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


def _completion(text: str) -> dict:
    return {"id": "cmpl-1", "object": "chat.completion", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _chunk(piece: str | None, finish: str | None = None) -> dict:
    delta = {"content": piece} if piece is not None else {}
    return {"id": "cmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
