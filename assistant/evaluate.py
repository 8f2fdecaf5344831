"""Measured, not eyeballed: answers a question set and scores retrieval and answers.

Reads questions in the format of eval/dev.jsonl (id, question, history, kind, gold_cases,
must_include) and writes one results-contract record per question:
{"id", "question", "answer", "refused", "sources": [...], "timings_ms": {...}}.
"""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .answer import Answerer
from .catalogue import matching
from .errors import BadQuestion
from .records import Answer, Filters, Hit
from .text import straight_quotes

_CITATION = re.compile(r"\[(\d+)\]")


def source_record(hit: Hit) -> dict[str, Any]:
    passage = hit.passage
    return {"case_study": passage.case_study, "organisations": list(passage.organisations), "section": passage.section,
            "lesson": passage.lesson, "text": passage.text, "score": round(hit.score, 4)}


def result_record(question_id: str, answer: Answer) -> dict[str, Any]:
    return {"id": question_id, "question": answer.question, "answer": answer.text, "refused": answer.refused,
            "outcome": answer.outcome, "sources": [source_record(h) for h in answer.sources],
            "timings_ms": answer.timings_ms}


def load_questions(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _matches(pattern: str, text: str) -> bool:
    plain = straight_quotes(text).replace("\\", "")
    return re.search(pattern, plain, re.IGNORECASE) is not None


@dataclass
class Metrics:
    hit_at_5: float
    case_recall_at_5: float
    facts: float
    refusal_accuracy: float
    false_refusals: int
    cited_share: float
    citations_out_of_range: int
    p50_ms: float

    def lines(self) -> list[str]:
        return [
            f"retrieval: hit@5 {self.hit_at_5:.3f}  case-recall@5 {self.case_recall_at_5:.3f}",
            f"answers:   facts {self.facts:.3f}  refusal {self.refusal_accuracy:.3f}  false refusals {self.false_refusals}",
            f"citations: answers citing {self.cited_share:.3f}  out of range {self.citations_out_of_range}",
            f"latency:   p50 {self.p50_ms:.1f} ms per question",
        ]


def score(questions: list[dict[str, Any]], results: list[dict[str, Any]]) -> Metrics:
    hits, recalls, facts, refusals, false_refusals, cited, out_of_range, latencies = [], [], [], [], 0, [], 0, []
    for question, result in zip(questions, results, strict=True):
        latencies.append(result["timings_ms"].get("total", 0.0))
        titles = [s["case_study"].lower() for s in result["sources"][:5]]
        gold = question.get("gold_cases") or []
        if gold:
            found = [g for g in gold if any(g.lower() in t for t in titles)]
            hits.append(1.0 if found else 0.0)
            recalls.append(len(found) / min(len(gold), 5))
        if question.get("kind") == "refuse":
            refusals.append(1.0 if result["refused"] else 0.0)
            continue
        false_refusals += result["refused"]
        if question.get("must_include"):
            facts.append(1.0 if all(_matches(p, result["answer"]) for p in question["must_include"]) else 0.0)
        if not result["refused"]:
            numbers = [int(n) for n in _CITATION.findall(result["answer"])]
            cited.append(1.0 if numbers else 0.0)
            out_of_range += sum(1 for n in numbers if not 1 <= n <= len(result["sources"]))

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    return Metrics(mean(hits), mean(recalls), mean(facts), mean(refusals), false_refusals, mean(cited),
                   out_of_range, statistics.median(latencies) if latencies else 0.0)


def filters_of(question: dict[str, Any], answerer: Answerer) -> Filters | None:
    """A question asked with the chat filtered to a case study (`"filter": "Touchstone"`, or its title
    as its file spells it). A filter naming none is an error, not a question asked of every case study."""
    name = question.get("filter")
    if not name:
        return None
    if not isinstance(name, str):
        raise BadQuestion(f"question {question.get('id', '')!r}: its filter should be a word or two of a case study's title, "
                          f"not {name!r}")
    titles = tuple(case.title for case in matching(name, answerer.retriever.catalogue.cases))
    if not titles:
        raise BadQuestion(f"question {question.get('id', '')!r}: its filter {name!r} names none of the case studies; "
                          "give a word or two of one's title, e.g. 'Touchstone'")
    return Filters(titles)


def evaluate(answerer: Answerer, questions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    questions = list(questions)
    filters = [filters_of(q, answerer) for q in questions]  # a filter naming no case study stops it before it starts
    return [result_record(q["id"], answerer.ask(q["question"], history=q.get("history") or [], filters=f))
            for q, f in zip(questions, filters, strict=True)]


def breakdown(questions: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[str]:
    """The headline figures per split, kind and persona (where the question set has them)."""
    lines = []
    for field in ("split", "kind", "persona"):
        values = sorted({str(q[field]) for q in questions if q.get(field)})
        for value in values if len(values) > 1 else []:
            pairs = [(q, r) for q, r in zip(questions, results, strict=True) if str(q.get(field)) == value]
            m = score([q for q, _ in pairs], [r for _, r in pairs])
            lines.append(f"  {field}={value:<10} n={len(pairs):<3} hit@5 {m.hit_at_5:.3f}  recall {m.case_recall_at_5:.3f}  "
                         f"facts {m.facts:.3f}  declined {m.refusal_accuracy:.3f}  false refusals {m.false_refusals}")
    return lines
