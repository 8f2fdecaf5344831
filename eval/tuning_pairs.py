"""Write content/tuning_pairs.jsonl: each labelled question with the corpus sentence that answers it,
as the index embeds that sentence, for adapting the embedding model (assistant/adapt.py).

    .venv/bin/python eval/tuning_pairs.py

A question's answering sentences are those of its gold case studies that its `must_include`
patterns match (at most MAX_SENTENCES: a pattern matching more says little about which one
answers). Taken: the `tune` halves of the public and held-out sets, and our own labelled sets;
never a question of a `check` half (nor the same words asked in another set), a follow-up (its
words lean on the conversation) or a question asked under a filter ("what went wrong?" names no
subject of its own).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluate import load_questions  # noqa: E402
from assistant.parse import parse, sentences_of  # noqa: E402
from assistant.read import read_corpus  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.text import straight_quotes  # noqa: E402

SETS = [ROOT / "eval" / "dev.jsonl", ROOT / "eval" / "practice.jsonl",
        # fresh7 and fresh8 measure only: a model that never met their tune halves reads them as a new user would
        *(ROOT / "tests" / "data" / "holdout" / f"fresh{n}.jsonl" for n in ("", "2", "3", "4", "5", "6")),
        *(ROOT / "tests" / "data" / "calibration" / f"{name}.jsonl" for name in ("answerable", "facts")),
        *sorted((ROOT / "tests" / "data" / "calibration").glob("users_words*.jsonl"))]
MAX_SENTENCES = 4
PAIRS_FILE = ROOT / "content" / "tuning_pairs.jsonl"


def _matches(pattern: str, text: str) -> bool:
    return re.search(pattern, straight_quotes(text).replace("\\", ""), re.IGNORECASE) is not None


def labelled_pairs() -> list[dict[str, str]]:
    """Each labelled question with the sentences that answer it, as the index embeds them."""
    documents, _ = read_corpus(Settings().corpus_dir)
    sentences = [(passage, sentence) for document in documents for passage in parse(document)
                 for sentence in sentences_of(passage)]
    checks = {q["question"].lower() for path in SETS for q in load_questions(path) if q.get("split") == "check"}
    pairs = []
    for path in SETS:
        for question in load_questions(path):
            if (question["question"].lower() in checks or question.get("kind") == "refuse" or question.get("history")
                    or question.get("filter") or not question.get("must_include")):
                continue
            gold = [g.lower() for g in question.get("gold_cases") or []]
            answering = [f"{passage.short_title}: {sentence}" for passage, sentence in sentences
                         if any(g in passage.case_study.lower() for g in gold)
                         and any(_matches(p, sentence) for p in question["must_include"])]
            if 0 < len(answering) <= MAX_SENTENCES:
                pairs += [{"question": question["question"], "answer": answer} for answer in answering]
    return pairs


def main() -> None:
    pairs = labelled_pairs()
    PAIRS_FILE.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs), encoding="utf-8")
    print(f"{len(pairs)} pairs, {len({p['question'] for p in pairs})} questions, written to {PAIRS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
