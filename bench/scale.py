"""Scale: the eight real case studies among 1,000, 10,000 and 100,000 distractor passages.

For each size, in its own process (so peak memory is that size's): ingest throughput against
raw `encode` throughput of the same kind of texts, retrieval p50/p95 against one bare query
embedding, whole offline answer p50, peak RSS, index size on disk, and hit@5 / case-recall@5
on eval/dev.jsonl. Writes bench/results/scale.json and prints a Markdown table.

    python bench/scale.py [--sizes 1000 10000 100000] [--encoder onnx|sentence-transformers]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


from distractors import SWAP  # noqa: E402


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(size: int, swap: float, encoder: str) -> dict:
    from distractors import write_distractors

    from assistant.embed import PackagedEmbeddings
    from assistant.evaluate import load_questions
    from assistant.followup import resolve
    from assistant.ingest import ingest
    from assistant.parse import parse
    from assistant.pipeline import open_answerer
    from assistant.read import read_corpus
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        write_distractors(ROOT / "corpus", corpus / "distractors", size, swap=swap)
        settings = Settings(corpus_dir=corpus, index_dir=Path(folder) / "index", encoder=encoder)
        embedder = PackagedEmbeddings.for_settings(settings)
        embedder.embed_query("load the model before timing")

        sample = [p.indexed_text for d in read_corpus(corpus)[0][:300] for p in parse(d)][:2000]
        started = time.perf_counter()
        embedder.embed_documents(sample)
        raw_rate = len(sample) / (time.perf_counter() - started)

        started = time.perf_counter()
        report = ingest(settings, embedder=embedder)
        ingest_seconds = time.perf_counter() - started
        started = time.perf_counter()
        answerer = open_answerer(settings, embedder=embedder)
        open_seconds = time.perf_counter() - started
        retriever = answerer.retriever

        questions = load_questions(ROOT / "eval" / "dev.jsonl")
        bare, retrieval, answers, hits, recalls = [], [], [], [], []
        by_kind: dict[str, list[float]] = {}
        for q in questions:
            started = time.perf_counter()
            embedder.embed_query(q["question"])
            bare.append((time.perf_counter() - started) * 1000)
            resolved = resolve(q["question"], q["history"], retriever.catalogue)
            started = time.perf_counter()
            found = retriever.search(resolved.query, focus=resolved.focus)
            retrieval.append((time.perf_counter() - started) * 1000)
            answers.append(answerer.ask(q["question"], history=q["history"]).timings_ms["total"])
            if q["gold_cases"]:
                titles = [h.passage.case_study.lower() for h in found[:5]]
                gold = [g for g in q["gold_cases"] if any(g.lower() in t for t in titles)]
                hits.append(1.0 if gold else 0.0)
                recalls.append(len(gold) / len(q["gold_cases"]))
                by_kind.setdefault(q["kind"], []).append(hits[-1])
        disk = sum(f.stat().st_size for f in settings.index_dir.rglob("*") if f.is_file())
        return {
            "size": size, "swap": swap, "encoder": encoder, "passages": report.passages, "ingest_s": round(ingest_seconds, 1),
            "ingest_per_s": round(report.passages / ingest_seconds, 1), "raw_encode_per_s": round(raw_rate, 1),
            "ingest_vs_encode": round(report.passages / ingest_seconds / raw_rate, 3),
            "open_s": round(open_seconds, 2),
            "retrieval_p50_ms": round(_percentile(retrieval, 0.5), 1), "retrieval_p95_ms": round(_percentile(retrieval, 0.95), 1),
            "bare_embedding_p50_ms": round(_percentile(bare, 0.5), 1),
            "retrieval_vs_embedding": round(_percentile(retrieval, 0.5) / _percentile(bare, 0.5), 2),
            "answer_p50_ms": round(statistics.median(answers), 1),
            "hit@5": round(statistics.mean(hits), 3), "case_recall@5": round(statistics.mean(recalls), 3),
            "hit@5_by_kind": {kind: round(statistics.mean(found), 3) for kind, found in sorted(by_kind.items())},
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "index_mb": round(disk / 2**20, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--swap", type=float, default=SWAP,
                        help="share of content words the distractors exchange (0: real sentences verbatim)")
    parser.add_argument("--encoder", default="onnx", choices=["onnx", "sentence-transformers"])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size, print JSON
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.swap, args.encoder)))
        return
    rows = []
    for size in args.sizes:
        done = subprocess.run([sys.executable, __file__, "--one", str(size), "--swap", str(args.swap),
                               "--encoder", args.encoder],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"size {size} failed:\n{done.stderr[-2000:]}")
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, python {platform.python_version()}",
              "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    columns = ["encoder", "passages", "swap", "ingest_per_s", "ingest_vs_encode", "retrieval_p50_ms", "retrieval_p95_ms",
               "retrieval_vs_embedding", "answer_p50_ms", "peak_rss_mb", "index_mb", "hit@5", "case_recall@5"]
    print("\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")


if __name__ == "__main__":
    main()
