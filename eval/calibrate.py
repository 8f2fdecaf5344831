"""Fit the coverage decision (assistant/refuse.py) on labelled questions, and say how well it holds.

    .venv/bin/python eval/calibrate.py            # signals, fitted weights, cross-validated figures

Each question's signals come from a model adapted without it and scope examples without it
(out_of_fold.py): fitted on signals of questions the model was adapted on, the weights expected too
much of a new user's answerable questions and refused more of them.

Labelled sets: tests/data/calibration/answerable.jsonl, out_of_scope.jsonl and facts.jsonl (written
for this from the corpus, in users' words, never from a check split; facts.jsonl asks for sums,
dates and numbers the corpus gives or doesn't), tests/data/scope_questions.jsonl, and the
`tune` halves of eval/practice.jsonl and tests/data/holdout/*.jsonl. Copy the printed WEIGHTS and BIAS into refuse.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from out_of_fold import fold_answerers, fold_of  # noqa: E402

from assistant.evaluate import filters_of, load_questions  # noqa: E402
from assistant.followup import readings  # noqa: E402
from assistant.refuse import CLOSEST_SHARE, WEIGHTS  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.spelling import respelled  # noqa: E402

DATA = ROOT / "tests" / "data"
L2 = 0.01  # keeps the weights of rarely decisive signals small
FOLDS = 5
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def labelled() -> list[tuple[dict, int, str]]:
    rows: list[tuple[dict, int, str]] = []
    own = [DATA / "calibration" / f"{name}.jsonl" for name in ("answerable", "out_of_scope", "facts")]
    for path in own + sorted((DATA / "calibration").glob("users_words*.jsonl")):
        rows += [(q, int(q["kind"] != "refuse"), path.stem) for q in load_questions(path)]
    rows += [({"question": q["question"]}, int(q["in_scope"]), "scope_questions")
             for q in load_questions(DATA / "scope_questions.jsonl")]
    for name in ("more_scope", "requests"):
        rows += [({"question": q["question"]}, int(q["in_scope"]), name)
                 for q in load_questions(DATA / "calibration" / f"{name}.jsonl")]
    rows += [(q, int(q["kind"] != "refuse"), "practice-tune")
             for q in load_questions(ROOT / "eval" / "practice.jsonl") if q.get("split") == "tune"]
    for path in sorted((DATA / "holdout").glob("*.jsonl")):
        rows += [(q, int(q["kind"] != "refuse"), f"{path.stem}-tune") for q in load_questions(path) if q.get("split") == "tune"]
    return rows


def features(answerer, rows: list[tuple[dict, int, str]]) -> tuple[np.ndarray, list, np.ndarray]:
    """The signals of each question, the unknown names that decline it, and whether it asks for a
    fact no near sentence carries (then it is at best "closest")."""
    found, names, missing = [], [], []
    for question, _, _ in rows:
        history = question.get("history") or []
        asked = respelled(question["question"], answerer.retriever.keyword.known_form)
        options = readings(asked, history, answerer.retriever.catalogue, answerer.retriever.keyword.knows)
        _, _, coverage, _ = answerer.best_reading(asked, options, filters_of(question, answerer),
                                                  example_to_skip=question["question"])
        found.append(coverage.signals.as_row())
        names.append(coverage.unknown_names)
        missing.append(bool(coverage.missing_fact))
    return np.array(found), names, np.array(missing)


def out_of_fold_features(settings: Settings, rows: list[tuple[dict, int, str]]) -> tuple[np.ndarray, list, np.ndarray]:
    """`features`, each row's read through a model that never met it (out_of_fold.py)."""
    x, names, missing = np.zeros((len(rows), len(WEIGHTS))), [()] * len(rows), np.zeros(len(rows), dtype=bool)
    with fold_answerers(settings) as answerers:
        for fold, answerer in enumerate(answerers):
            mine = [i for i, (question, _, _) in enumerate(rows) if fold_of(question["question"]) == fold]
            found, found_names, found_missing = features(answerer, [rows[i] for i in mine])
            x[mine], missing[mine] = found, found_missing
            for i, unknown in zip(mine, found_names, strict=True):
                names[i] = unknown
    return x, names, missing


def fit(x: np.ndarray, y: np.ndarray, steps: int = 5000, rate: float = 0.5) -> tuple[np.ndarray, float]:
    """Logistic regression by gradient descent on standardised signals, L2 on the weights; returned
    as weights and bias for the raw signals."""
    mean, spread = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / spread
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= rate * (z.T @ (p - y) / len(y) + L2 * w)
        b -= rate * float(np.mean(p - y))
    return w / spread, b - float(np.sum(w * mean / spread))


def figures(p: np.ndarray, y: np.ndarray, named: np.ndarray, missing: np.ndarray, threshold: float) -> str:
    answered = (p >= threshold) & ~named & ~missing
    closest = (p >= CLOSEST_SHARE * threshold) & ~answered & ~named
    return (f"false refusals {int(np.sum(~answered & (y == 1)))}/{int(np.sum(y == 1))} "
            f"(of which 'closest' {int(np.sum(closest & (y == 1)))}), "
            f"out of scope answered {int(np.sum(answered & (y == 0)))}/{int(np.sum(y == 0))} "
            f"(declined outright {int(np.sum(~answered & ~closest & (y == 0)))})")


def main() -> None:
    settings = Settings.from_env()
    rows = labelled()
    x, names, missing = out_of_fold_features(settings, rows)
    y = np.array([label for _, label, _ in rows], dtype=float)
    named = np.array([bool(n) for n in names])
    for label, name in ((1, "answerable"), (0, "out of scope")):
        means = x[y == label].mean(axis=0)
        print(f"mean signals, {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in zip(WEIGHTS, means, strict=True)))
    # not what the model learns from: questions declined or "closest" whatever it says, and facts.jsonl,
    # which is there to measure the missing-fact rule (its out-of-scope questions look answerable by
    # every signal the model has, so fitting on them only moves its bias)
    decided = named | missing | np.array([source == "facts" for _, _, source in rows])
    w, b = fit(x[~decided], y[~decided])
    print("WEIGHTS = {" + ", ".join(f'"{k}": {v:.2f}' for k, v in zip(WEIGHTS, w, strict=True)) + "}")
    print(f"BIAS = {b:.2f}")
    order = np.random.default_rng(0).permutation(len(y))
    held = np.zeros(len(y))
    for fold in range(FOLDS):
        test = order[fold::FOLDS]
        train = np.setdiff1d(order[~decided[order]], test)
        fw, fb = fit(x[train], y[train])
        held[test] = 1 / (1 + np.exp(-(x[test] @ fw + fb)))
    sources = list(dict.fromkeys(s for _, _, s in rows))
    for threshold in THRESHOLDS:
        print(f"{FOLDS}-fold cross-validated, answering at {threshold}:")
        for source in sources:
            mask = np.array([s == source for _, _, s in rows])
            print(f"  {source:<16} {figures(held[mask], y[mask], named[mask], missing[mask], threshold)}")
    threshold = settings.refusal_threshold
    wrong = [(round(float(held[i]), 2), rows[i][0]["question"], names[i], bool(missing[i])) for i in range(len(y))
             if ((held[i] >= threshold) and not named[i] and not missing[i]) != bool(y[i])]
    print(f"held-out mistakes at {threshold} (probability, question, unknown names, fact missing):")
    for item in sorted(wrong):
        print("  ", json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    main()
