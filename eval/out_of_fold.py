"""Answer labelled questions through models that never saw them, so tune figures don't flatter.

The embedding model is adapted on labelled questions (assistant/adapt.py: the tune halves and our own
sets), the same pairs are the questions asked before that retrieval ranks by (assistant/asked.py), and
the same questions are scope examples (content/scope_examples.jsonl). Asked again, such a
question sits nearer its answer than a new user's would, and the coverage decision meets it as its
own label: the tune halves measured that way looked perfect on refusals while the check halves were
at 0.8. Here labelled questions fall into FOLDS by a hash of their words; each fold is answered
through a model adapted on the other folds' pairs only, with the other folds' scope examples, over
an index of its own (adapted models are cached in data/models by what they are made of).

    .venv/bin/python eval/out_of_fold.py OUT_DIR eval/practice.jsonl tests/data/holdout/fresh.jsonl ...
    python3 eval/score.py eval/practice.jsonl OUT_DIR/practice.jsonl --split tune

A fold's model learns from three quarters of the pairs, so these figures are a little below what the shipped
model, adapted on all of them, gives a new user; the check halves, never among the pairs or the
examples, need none of this.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.adapt import read_pairs  # noqa: E402
from assistant.answer import Answerer  # noqa: E402
from assistant.evaluate import evaluate, load_questions  # noqa: E402
from assistant.pipeline import open_answerer  # noqa: E402
from assistant.settings import Settings  # noqa: E402

FOLDS = 4


def fold_of(question: str) -> int:
    return int(hashlib.sha256(question.strip().lower().encode()).hexdigest(), 16) % FOLDS


def _write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


@contextmanager
def fold_answerers(settings: Settings) -> Iterator[list[Answerer]]:
    """Answerer i has never met a question of fold i, as a tuning pair or as a scope example."""
    examples = load_questions(settings.scope_examples_file)
    pairs = read_pairs(settings.tuning_pairs) if settings.tuning_pairs else []
    with tempfile.TemporaryDirectory() as scratch:
        answerers = []
        for fold in range(FOLDS):
            folder = Path(scratch) / f"fold-{fold}"
            folder.mkdir()
            tuning = _write_lines(folder / "pairs.jsonl", [{"question": q, "answer": a} for q, a in pairs
                                                           if fold_of(q) != fold]) if settings.tuning_pairs else None
            scope = _write_lines(folder / "scope_examples.jsonl", [e for e in examples if fold_of(e["question"]) != fold])
            answerers.append(open_answerer(replace(settings, tuning_pairs=tuning, scope_examples_file=scope,
                                                   index_dir=folder / "index")))
        yield answerers


def answered(answerers: list[Answerer], questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Result records in the questions' order, each from the answerer that never met it."""
    results: dict[int, dict[str, Any]] = {}
    for fold, answerer in enumerate(answerers):
        mine = [i for i, q in enumerate(questions) if fold_of(q["question"]) == fold]
        results.update(zip(mine, evaluate(answerer, [questions[i] for i in mine]), strict=True))
    return [results[i] for i in range(len(questions))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="where each set's results go, as <set name>.jsonl")
    parser.add_argument("sets", type=Path, nargs="+", help="question files (eval/dev.jsonl's format)")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with fold_answerers(Settings.from_env()) as answerers:
        for path in args.sets:
            out = _write_lines(args.out_dir / f"{path.stem}.jsonl", answered(answerers, load_questions(path)))
            print(f"{path} -> {out}")


if __name__ == "__main__":
    main()
