"""Write tests/data/calibration/after_an_answer.jsonl: new questions asked after an answer about another case study.

    .venv/bin/python eval/after_an_answer.py

Each question of a `tune` half asked without a conversation or a filter (not a follow-up, not out of scope), that names
no case study, is put after the conversation of a labelled follow-up (a tune half's: a user's question and the answer)
about one case study that is not among its gold ones. It should be answered as it is without that conversation: the
conversation is not what it is about. Which conversation is a hash of the question's id, so the file is the same each run.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluate import load_questions  # noqa: E402
from assistant.pipeline import open_answerer  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.spelling import respelled  # noqa: E402

SETS = [ROOT / "eval" / "practice.jsonl", *sorted((ROOT / "tests" / "data" / "holdout").glob("fresh*.jsonl"))]
OUT = ROOT / "tests" / "data" / "calibration" / "after_an_answer.jsonl"


def main() -> None:
    answerer = open_answerer(Settings.from_env())
    catalogue, known_form = answerer.retriever.catalogue, answerer.retriever.keyword.known_form
    tune = [q for path in SETS for q in load_questions(path) if q.get("split") == "tune"]
    conversations = [q for q in tune if q["kind"] == "followup" and q.get("history") and len(q["gold_cases"]) == 1]
    rows = []
    for question in tune:
        if (question["kind"] not in ("paraphrase", "fact", "theme") or question.get("history") or question.get("filter")
                or catalogue.named_in(respelled(question["question"], known_form))):
            continue
        about_others = [c for c in conversations if c["gold_cases"][0] not in question["gold_cases"]]
        conversation = about_others[int(hashlib.md5(question["id"].encode()).hexdigest(), 16) % len(about_others)]
        rows.append({"id": "n" + question["id"], "question": question["question"], "kind": question["kind"],
                     "persona": question.get("persona"), "gold_cases": question["gold_cases"],
                     "must_include": question["must_include"], "history": conversation["history"]})
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    print(f"{len(rows)} questions written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
