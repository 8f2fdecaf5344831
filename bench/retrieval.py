"""Retrieval and answering figures, ours against the tutorial pipeline, in one run.

    python bench/retrieval.py [--questions eval/dev.jsonl]

Tutorial pipeline: TextLoader per corpus file, RecursiveCharacterTextSplitter(1000, 200), the
same embedding model, Chroma, dense top-5. Prints a table and writes bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embed import PackagedEmbeddings  # noqa: E402
from assistant.evaluate import load_questions  # noqa: E402
from assistant.followup import resolve  # noqa: E402
from assistant.ingest import ingest  # noqa: E402
from assistant.pipeline import open_answerer  # noqa: E402
from assistant.read import read_file  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def _quality(questions, search) -> tuple[float, float, list[float]]:
    """hit@5, case-recall@5 and per-question latencies of search(question, history) -> titles."""
    hits, recalls, latencies = [], [], []
    for q in questions:
        started = time.perf_counter()
        titles = [t.lower() for t in search(q["question"], q.get("history") or [])][:5]
        latencies.append((time.perf_counter() - started) * 1000)
        if q["gold_cases"]:
            found = [g for g in q["gold_cases"] if any(g.lower() in t for t in titles)]
            hits.append(1.0 if found else 0.0)
            recalls.append(len(found) / len(q["gold_cases"]))
    return statistics.mean(hits), statistics.mean(recalls), latencies


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def tutorial_search(settings: Settings, embedder: PackagedEmbeddings):
    from langchain_chroma import Chroma
    from langchain_community.document_loaders import TextLoader
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    documents = []
    for path in sorted(settings.corpus_dir.glob("*.md")):
        title = read_file(path, path.name).title
        for document in TextLoader(str(path), encoding="utf-8").load():
            document.metadata["case_study"] = title
            documents.append(document)
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(documents)
    store = Chroma.from_documents(chunks, embedder, collection_name="tutorial")
    return lambda question, history: [d.metadata["case_study"] for d in store.similarity_search(question, k=5)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "dev.jsonl")
    args = parser.parse_args()
    questions = load_questions(args.questions)

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(index_dir=Path(folder) / "index")
        started = time.perf_counter()
        embedder = PackagedEmbeddings.for_settings(settings)
        cold = ingest(settings, embedder=embedder)
        cold_seconds = time.perf_counter() - started
        started = time.perf_counter()
        warm = ingest(settings, embedder=embedder)
        reingest_seconds = time.perf_counter() - started

        answerer = open_answerer(settings, embedder=embedder)
        retriever = answerer.retriever
        embedder.embed_query("warm up")
        bare = []
        for q in questions:
            started = time.perf_counter()
            embedder.embed_query(q["question"])
            bare.append((time.perf_counter() - started) * 1000)

        def ours(question, history):
            resolved = resolve(question, history, retriever.catalogue)
            return [h.passage.case_study for h in retriever.search(resolved.query, focus=resolved.focus)]

        ours_hit, ours_recall, ours_ms = _quality(questions, ours)
        timings = [answerer.ask(q["question"], history=q.get("history") or []).timings_ms for q in questions]
        tutorial_hit, tutorial_recall, tutorial_ms = _quality(questions, tutorial_search(settings, embedder))

    embed_seconds = max(cold.seconds, 1e-9)
    figures = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip(),
        "questions": len(questions),
        "ours": {"hit@5": ours_hit, "case_recall@5": ours_recall,
                 "p50_ms": _percentile(ours_ms, 0.5), "p95_ms": _percentile(ours_ms, 0.95)},
        "tutorial": {"hit@5": tutorial_hit, "case_recall@5": tutorial_recall,
                     "p50_ms": _percentile(tutorial_ms, 0.5), "p95_ms": _percentile(tutorial_ms, 0.95)},
        "bare_query_embedding_ms": _percentile(bare, 0.5),
        "answer_adds_p50_ms": _percentile([t["answer"] for t in timings], 0.5),
        "answer_total_p50_ms": _percentile([t["total"] for t in timings], 0.5),
        "cold_ingest_s": cold_seconds,
        "cold_passages": cold.passages,
        "passages_per_s": cold.passages / embed_seconds,
        "reingest_s": reingest_seconds,
        "reingest_embedded": warm.embedded,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(f"{'':12}{'hit@5':>8}{'recall@5':>10}{'p50 ms':>9}{'p95 ms':>9}")
    for name in ("ours", "tutorial"):
        row = figures[name]
        print(f"{name:12}{row['hit@5']:8.3f}{row['case_recall@5']:10.3f}{row['p50_ms']:9.1f}{row['p95_ms']:9.1f}")
    print(f"bare query embedding p50 {figures['bare_query_embedding_ms']:.1f} ms; "
          f"retrieval p50 / embedding = {figures['ours']['p50_ms'] / figures['bare_query_embedding_ms']:.2f}x")
    print(f"answer composition adds p50 {figures['answer_adds_p50_ms']:.1f} ms; whole offline answer p50 "
          f"{figures['answer_total_p50_ms']:.1f} ms = {figures['answer_total_p50_ms'] / figures['bare_query_embedding_ms']:.2f}x "
          "a bare query embedding")
    print(f"cold ingest {cold_seconds:.1f} s ({cold.passages} passages, model load included, "
          f"{figures['passages_per_s']:.0f} passages/s); re-ingest {reingest_seconds:.2f} s, {warm.embedded} embedded")
    print(f"peak RSS {figures['peak_rss_mb']:.0f} MB")
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "latest.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
