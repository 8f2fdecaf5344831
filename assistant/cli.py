"""Command line: argument handling around the package's functions, nothing more.

    python -m assistant ingest [--rebuild]
    python -m assistant search "question" [-k 5] [--case NAME] [--section NAME] [--json]
    python -m assistant ask "question" [--case NAME] [--json]
    python -m assistant eval --questions eval/dev.jsonl [--out results.jsonl]
    python -m assistant feedback [--csv ratings.csv] [--as-questions wrong.jsonl]
    python -m assistant brief "topic" [--out briefing.docx|briefing.md]
    python -m assistant guide ["case study"] [--out guide.md]
    python -m assistant serve [--host 127.0.0.1] [--port 8501]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from pathlib import Path
from typing import Callable

from .brief import briefing_docx, briefing_markdown, build_briefing
from .catalogue import matching
from .embed import PackagedEmbeddings
from .errors import AssistantError
from .evaluate import breakdown, evaluate, load_questions, result_record, score, source_record
from .feedback import FeedbackStore, as_questions
from .guide import build_guide, guide_markdown, reading_path_markdown
from .ingest import ingest
from .pipeline import open_answerer
from .records import Filters
from .settings import PROJECT_ROOT, Settings
from .text import word_rarity
from .themes import load_themes, theme_map

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_log = logging.getLogger(__name__)


def _progress(done: int, total: int, message: str) -> None:
    print(f"  {message}", file=sys.stderr)


def _configure_logging(level: str) -> None:
    """The package's log (fallbacks, skipped files, rebuilds) on stderr, at `level`
    (ASSISTANT_LOG_LEVEL): one handler on the `assistant` logger, so other libraries' logs stay
    as they were, and one only, however often `main` runs in a process."""
    package = logging.getLogger(__name__.partition(".")[0])
    package.setLevel(level)
    if not any(getattr(handler, "_assistant_cli", False) for handler in package.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler._assistant_cli = True  # type: ignore[attr-defined]
        package.addHandler(handler)


def _matching(name: str, cases: list) -> list:
    """The case studies whose title holds `name` (`catalogue.matching`), or an error that says how to name one."""
    found = matching(name, cases)
    if not found:
        raise AssistantError(f"no case study matches {name!r}: try a word or two of its title, e.g. 'Touchstone'")
    return found


def _filters(args: argparse.Namespace, answerer) -> Filters:
    cases = [c.title for name in args.case or [] for c in _matching(name, answerer.retriever.catalogue.cases)]
    return Filters(tuple(cases), tuple(args.section or []))


def _write_or_print(text: str, out: Path | None) -> None:
    if out:
        out.write_text(text, encoding="utf-8")
        print(f"written to {out}")
    else:
        print(text)


# --- one function per subcommand: (arguments, settings) -> exit status -----------------------


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    report = ingest(settings, rebuild=args.rebuild, progress=_progress)
    print(report.summary())
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    answerer = open_answerer(settings, progress=_progress)
    hits = answerer.retriever.search(args.question, k=args.k, filters=_filters(args, answerer))
    if args.json:
        print(json.dumps([source_record(h) for h in hits], ensure_ascii=False, indent=2))
        return 0
    for n, hit in enumerate(hits, 1):
        print(f"[{n}] {hit.passage.label}  (score {hit.score:.3f})\n    {hit.passage.text}\n")
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    answerer = open_answerer(settings, progress=_progress)
    answer = answerer.ask(args.question, filters=_filters(args, answerer))
    if args.json:
        print(json.dumps(result_record("cli", answer), ensure_ascii=False, indent=2))
        return 0
    print(answer.text + "\n")
    if answer.notice:
        print(f"Note: {answer.notice}\n")
    for n, hit in enumerate(answer.sources, 1):
        print(f"[{n}] {hit.passage.label}")
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    answerer = open_answerer(settings, progress=_progress)
    questions = load_questions(args.questions)
    results = evaluate(answerer, questions)
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
    print(f"{len(questions)} questions from {args.questions}")
    print("\n".join(score(questions, results).lines() + breakdown(questions, results)))
    return 0


def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    store = FeedbackStore(settings.feedback_db)
    if not args.csv and not args.as_questions:
        raise AssistantError("say where to write: --csv FILE and/or --as-questions FILE")
    if args.csv:
        print(f"{store.write_csv(args.csv)} ratings written to {args.csv}")
    if args.as_questions:
        catalogue = open_answerer(settings, progress=_progress).retriever.catalogue
        questions = as_questions(store.ratings(), catalogue)
        args.as_questions.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
        print(f"{len(questions)} answers marked wrong written to {args.as_questions}: "
              f"check them with `python -m assistant eval --questions {args.as_questions}`")
    return 0


def _brief(args: argparse.Namespace, settings: Settings) -> int:
    answerer = open_answerer(settings, progress=_progress)
    themes = theme_map(answerer.retriever, load_themes(settings.themes_file))
    briefing = build_briefing(answerer, args.topic, themes)
    if args.out and args.out.suffix.lower() == ".docx":
        args.out.write_bytes(briefing_docx(briefing))
        print(f"written to {args.out}")
        return 0
    _write_or_print(briefing_markdown(briefing), args.out)
    return 0


def _guide(args: argparse.Namespace, settings: Settings) -> int:
    answerer = open_answerer(settings, progress=_progress)
    themes = theme_map(answerer.retriever, load_themes(settings.themes_file))
    if args.case:
        text = guide_markdown(build_guide(answerer.retriever, _matching(args.case, themes.cases)[0], themes))
    else:
        text = reading_path_markdown(themes)
    _write_or_print(text, args.out)
    return 0


def _warm_up(settings: Settings) -> None:
    """What the first question would otherwise wait for (~1 s: the embedding model and the
    word-frequency lists, both kept per process), done while the first visitor's page loads."""
    PackagedEmbeddings.for_settings(settings).embed_query("warm up")
    word_rarity("warm")


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Streamlit in this process, the model warming up beside it (the package is imported by then:
    importing it in that thread too measured slower, its imports and Streamlit's contending)."""
    from streamlit.web import cli as streamlit_cli

    if args.host not in ("127.0.0.1", "localhost", "::1") and not settings.sign_in_proxy:
        print(f"WARNING: serving on {args.host}: anyone who can reach this address can use the app unless "
              "sign-in is set up (README, \"Running it for a team\").", file=sys.stderr)
    threading.Thread(target=_warm_up, args=(settings,), daemon=True, name="warm-up").start()
    sys.argv = ["streamlit", "run", str(PROJECT_ROOT / "app.py"), "--server.address", args.host,
                "--server.port", str(args.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    return streamlit_cli.main()


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "ingest": _ingest, "search": _search, "ask": _ask, "eval": _eval, "feedback": _feedback,
    "brief": _brief, "guide": _guide, "serve": _serve,
}


def _parser() -> argparse.ArgumentParser:
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

    feedback_cmd = commands.add_parser("feedback", help="export what people said about answers")
    feedback_cmd.add_argument("--csv", type=Path, help="every rating as CSV")
    feedback_cmd.add_argument("--as-questions", type=Path,
                              help="answers marked wrong as a question set for `eval` (JSON lines)")

    brief_cmd = commands.add_parser("brief", help="a board briefing on a topic, as Markdown or Word")
    brief_cmd.add_argument("topic")
    brief_cmd.add_argument("--out", type=Path, help="briefing.md or briefing.docx (default: print Markdown)")

    guide_cmd = commands.add_parser("guide", help="an onboarding guide to a case study, or the reading path")
    guide_cmd.add_argument("case", nargs="?", help="part of a case study's title; omit for the reading path")
    guide_cmd.add_argument("--out", type=Path, help="write Markdown here (default: print)")

    serve_cmd = commands.add_parser("serve", help="start the web app (what `make run` does)")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8501)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:  # a mistyped setting: one line saying which, not a traceback
        print(f"error: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)
    try:
        return COMMANDS[args.command](args, settings)
    except AssistantError as error:  # one line for the person; its cause in the log, at DEBUG
        _log.debug("%s failed", args.command, exc_info=error)
        print(f"error: {error}", file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        _log.debug("%s failed", args.command, exc_info=error)
        print(f"error: {error.filename}: no such file", file=sys.stderr)
        return 1
