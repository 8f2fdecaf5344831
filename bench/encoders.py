"""The two encoders side by side, in one run: onnxruntime (the default) against sentence-transformers
on torch (the reference), each over the real corpus in an index of its own.

- ingest passages/s (the encoder loaded first, so loading is not counted) and peak RSS of that process;
- retrieval p50 over one bare query embedding, on every public question (dev and practice);
- whether both give the same top-5 passages on every public question;
- CLI: process start to a printed answer (`python -m assistant ask`), median of three;
- app: process start to the first cited answer in Debian's Chromium (a tab already open, as a
  visitor's browser is), and the server's RSS with one session and after five more.
Writes bench/results/encoders.json and prints a table.

    python bench/encoders.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENCODERS = ("onnx", "sentence-transformers")
QUESTION = "How do we handle a power imbalance with a smaller partner?"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure_in_process(encoder: str, index_dir: Path) -> dict:
    """Run in a child process of its own, so its peak RSS is this encoder's."""
    from assistant.embed import PackagedEmbeddings
    from assistant.evaluate import load_questions
    from assistant.followup import resolve
    from assistant.ingest import ingest
    from assistant.pipeline import open_answerer
    from assistant.settings import Settings

    settings = Settings(index_dir=index_dir, encoder=encoder)
    embedder = PackagedEmbeddings.for_settings(settings)
    embedder.embed_query("load the model before timing")
    report = ingest(settings, embedder=embedder)
    retriever = open_answerer(settings, embedder=embedder).retriever
    questions = load_questions(ROOT / "eval" / "dev.jsonl") + load_questions(ROOT / "eval" / "practice.jsonl")
    bare, retrieval, top5 = [], [], []
    for q in questions:
        started = time.perf_counter()
        embedder.embed_query(q["question"])
        bare.append((time.perf_counter() - started) * 1000)
        resolved = resolve(q["question"], q.get("history") or [], retriever.catalogue)
        started = time.perf_counter()
        found = retriever.search(resolved.query, focus=resolved.focus)
        retrieval.append((time.perf_counter() - started) * 1000)
        top5.append([h.passage.id for h in found[:5]])
    return {"questions": len(questions), "passages": report.passages, "ingest_per_s": round(report.passages / report.seconds, 1),
            "retrieval_p50_ms": round(_percentile(retrieval, 0.5), 1),
            "bare_embedding_p50_ms": round(_percentile(bare, 0.5), 1),
            "peak_rss_mb_ingest_and_search": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "top5": top5}


def _environment(encoder: str, index_dir: Path, folder: Path) -> dict:
    return {**os.environ, "ASSISTANT_ENCODER": encoder, "ASSISTANT_INDEX_DIR": str(index_dir),
            "ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"), "HF_HUB_OFFLINE": "1"}


def cli_seconds(environment: dict) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assistant", "ask", QUESTION], cwd=ROOT, env=environment,
                       check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) // 1024


def _ask(page, question: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    page.get_by_test_id("stChatMessage").nth(1).get_by_text("[1]", exact=False).first.wait_for(timeout=120_000)


def app_figures(environment: dict, chromium: str) -> dict:
    """`make run`'s server over a built index, first asked the moment its page can take a question."""
    from playwright.sync_api import sync_playwright

    port = 8700 + os.getpid() % 200
    url = f"http://127.0.0.1:{port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page()  # the visitor's browser has a tab open: starting one (~0.5 s here) is not the app's
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port)], cwd=ROOT,
                                  env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)
            page.goto(url)
            _ask(page, QUESTION)
            cold_start = time.perf_counter() - started
            one_session = _rss_mb(server.pid)
            for _ in range(5):
                other = browser.new_page()
                other.goto(url)
                _ask(other, "What makes a good lead partner?")
            five_more = _rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
            browser.close()
    return {"app_cold_start_to_first_answer_s": round(cold_start, 2), "server_rss_mb_one_session": one_session,
            "server_rss_mb_five_more_sessions": five_more}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("ENCODER", "INDEX_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_in_process(args.child[0], Path(args.child[1]))))
        return
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Debian's chromium is needed for the app figures: scripts/install-browser.sh")
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for encoder in ENCODERS:
            index_dir = Path(folder) / encoder
            done = subprocess.run([sys.executable, __file__, "--child", encoder, str(index_dir)], cwd=ROOT,
                                  capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"{encoder} failed:\n{done.stderr[-2000:]}")
            rows[encoder] = json.loads(done.stdout.strip().splitlines()[-1])
            environment = _environment(encoder, index_dir, Path(folder))
            rows[encoder]["cli_ask_s"] = round(cli_seconds(environment), 2)
            rows[encoder].update(app_figures(environment, chromium))
    onnx, reference = rows["onnx"], rows["sentence-transformers"]
    same = sum(a == b for a, b in zip(onnx.pop("top5"), reference.pop("top5"), strict=False))
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": f"{os.cpu_count()} cores",
              "same_top5": f"{same} of {onnx['questions']}", "encoders": rows}
    print(f"{'':40}{'onnx':>12}{'torch':>12}{'ratio':>8}")
    for name in onnx:
        if isinstance(onnx[name], (int, float)):
            ratio = onnx[name] / reference[name] if reference[name] else float("nan")
            print(f"{name:40}{onnx[name]:12}{reference[name]:12}{ratio:8.2f}")
    print(f"same top-5 passages on {same} of {onnx['questions']} public questions")
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "encoders.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
