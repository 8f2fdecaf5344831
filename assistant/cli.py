"""Command line: argument handling around the package's functions, nothing more.

    python -m assistant ingest [--rebuild]
    python -m assistant search "question" [-k 5] [--case NAME] [--section NAME] [--json]
    python -m assistant ask "question" [--case NAME] [--json]
    python -m assistant eval --questions eval/dev.jsonl [--out results.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import AssistantError
from .evaluate import evaluate, load_questions, result_record, score, source_record
from .ingest import ingest
from .pipeline import open_answerer
from .retrieve import Filters
from .settings import Settings


def _progress(done: int, total: int, message: str) -> None:
    print(f"  {message}", file=sys.stderr)


def _filters(args: argparse.Namespace, answerer) -> Filters:
    cases = []
    for name in args.case or []:
        matches = [c.title for c in answerer.retriever.catalogue.cases
                   if name.lower() in c.title.lower()]
        if not matches:
            raise AssistantError(f"no case study matches {name!r}: try part of its title, e.g. 'Touchstone'")
        cases += matches
    return Filters(tuple(cases), tuple(args.section or []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Case-study lessons assistant")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest_cmd = commands.add_parser("ingest", help="build or update the index from corpus/")
    ingest_cmd.add_argument("--rebuild", action="store_true", help="drop the index and embed everything again")

    for name, help_text in [("search", "show the passages that match a question"), ("ask", "answer a question with citations")]:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("question")
        command.add_argument("--case", action="append", help="only this case study (part of its title); repeatable")
        command.add_argument("--section", action="append", help="only this section: overview, Challenges, Enablers, Learning")
        command.add_argument("--json", action="store_true", help="print JSON")
        if name == "search":
            command.add_argument("-k", type=int, default=None, help="how many passages")

    eval_cmd = commands.add_parser("eval", help="answer a question set and print the metrics")
    eval_cmd.add_argument("--questions", type=Path, default=Path("eval/dev.jsonl"))
    eval_cmd.add_argument("--out", type=Path, help="write one results record per question here (JSON lines)")

    args = parser.parse_args(argv)
    settings = Settings.from_env()
    try:
        if args.command == "ingest":
            report = ingest(settings, rebuild=args.rebuild, progress=_progress)
            print(report.summary())
            return 0
        answerer = open_answerer(settings, progress=_progress)
        if args.command == "search":
            hits = answerer.retriever.search(args.question, k=args.k, filters=_filters(args, answerer))
            if args.json:
                print(json.dumps([source_record(h) for h in hits], ensure_ascii=False, indent=2))
            for n, hit in enumerate(hits if not args.json else [], 1):
                print(f"[{n}] {hit.passage.label}  (score {hit.score:.3f})\n    {hit.passage.text}\n")
        elif args.command == "ask":
            answer = answerer.ask(args.question, filters=_filters(args, answerer))
            if args.json:
                print(json.dumps(result_record("cli", answer), ensure_ascii=False, indent=2))
            else:
                print(answer.text + "\n")
                for n, hit in enumerate(answer.sources, 1):
                    print(f"[{n}] {hit.passage.label}")
        elif args.command == "eval":
            questions = load_questions(args.questions)
            results = evaluate(answerer, questions)
            if args.out:
                args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
            print(f"{len(questions)} questions from {args.questions}")
            print("\n".join(score(questions, results).lines()))
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"error: {error.filename}: no such file", file=sys.stderr)
        return 1
    return 0
