"""Feedback is stored safely and becomes eval questions; conversations export as Markdown."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

from assistant.evaluate import load_questions
from assistant.feedback import MAX_COMMENT_CHARS, THUMBS_DOWN, THUMBS_UP, FeedbackStore, as_questions
from assistant.records import Answer
from assistant.text import markdown_text
from assistant.transcript import transcript_markdown
from conftest import ROOT


def test_concurrent_ratings_lose_no_row(tmp_path: Path, real_answerer):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    answer = real_answerer.ask("What is generous leadership?")

    def rate(worker: int) -> None:
        own = FeedbackStore(tmp_path / "feedback.sqlite3")  # each session opens its own connection
        for n in range(25):
            own.record(answer, (worker + n) % 2, comment=f"worker {worker} rating {n}")

    threads = [threading.Thread(target=rate, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.ratings()) == 150
    assert len({r.comment for r in store.ratings()}) == 150


def test_answers_marked_wrong_become_questions_eval_can_check(tmp_path: Path, real_answerer):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    good = real_answerer.ask("What did Touchstone learn?")
    refused = real_answerer.ask("How do I bake sourdough bread?")
    wrong = real_answerer.ask("Who funds it?", history=[{"role": "user", "content": "Tell me about Touchstone."}])
    store.record(good, THUMBS_UP)
    store.record(refused, THUMBS_DOWN, "fine to refuse, really")
    store.record(wrong, THUMBS_DOWN, 'Touchstone: should say "a third of the contract price"',
                 history=[{"role": "user", "content": "Tell me about Touchstone."}])
    questions = as_questions(store.ratings(), real_answerer.retriever.catalogue)
    assert [q["question"] for q in questions] == ["How do I bake sourdough bread?", "Who funds it?"]
    last = questions[-1]
    assert last["gold_cases"] == ["Touchstone and Live Well Leeds"]
    assert last["must_include"] == [re.escape("a third of the contract price")]
    assert last["history"] == [{"role": "user", "content": "Tell me about Touchstone."}]
    assert set(last) >= {"id", "question", "history", "kind", "gold_cases", "must_include"}


def test_feedback_cli_exports_csv_and_questions(tmp_path: Path, real_answerer, real_settings):
    db = tmp_path / "feedback.sqlite3"
    FeedbackStore(db).record(real_answerer.ask("What makes a good lead partner?"), THUMBS_DOWN, "missing Somerset")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(real_settings.index_dir), "ASSISTANT_FEEDBACK_DB": str(db)}
    out_csv, out_questions = tmp_path / "ratings.csv", tmp_path / "wrong.jsonl"
    result = subprocess.run([sys.executable, "-m", "assistant", "feedback", "--csv", str(out_csv),
                             "--as-questions", str(out_questions)], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert out_csv.read_text().splitlines()[0].startswith("id,created_at,rating,question")
    [question] = load_questions(out_questions)
    assert question["gold_cases"] == ["Somerset Mental Health Alliance"]
    evaluated = subprocess.run([sys.executable, "-m", "assistant", "eval", "--questions", str(out_questions)],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert evaluated.returncode == 0 and "hit@5" in evaluated.stdout


def test_transcript_resolves_every_citation(real_answerer):
    first = real_answerer.ask("What did Touchstone learn?")
    second = real_answerer.ask("How do we handle a power imbalance with a smaller partner?")
    markdown = transcript_markdown([("What did Touchstone learn?", first), ("<b>Power</b>?", second)],
                                   "8 case studies, published in 2021", today=date(2026, 1, 2))
    assert markdown.startswith("# Conversation with the case-study lessons assistant")
    assert "## 1. What did Touchstone learn?" in markdown and "## 2. \\<b\\>Power\\</b\\>?" in markdown
    for section in markdown.split("\n## ")[1:]:
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", section)}
        listed = re.findall(r"^(\d+)\. (.+): (overview|Challenges|Enablers|Learning)", section, re.MULTILINE)
        assert cited == {int(n) for n, _, _ in listed}
    assert ("Delivering mental health services with a large network of smaller organisations "
            "(Touchstone and Live Well Leeds): Learning, lesson 1") in markdown


def test_a_note_in_a_transcript_is_escaped_once():
    answer = Answer("q", "An answer.", [], notice="a_b *c* <x>")
    assert "*Note: a\\_b \\*c\\* \\<x\\>*" in transcript_markdown([("q", answer)], "8 case studies")


def test_a_transcript_keeps_what_the_reader_was_told_beside_an_answer(real_answerer):
    dated = real_answerer.ask("Is Rethink still the lead partner in Somerset?")
    markdown = transcript_markdown([("Is Rethink still the lead partner in Somerset?", dated)], "8 case studies")
    assert dated.notice and f"*Note: {markdown_text(dated.notice)}*" in markdown


def test_feedback_csv_cannot_run_formulas_in_a_spreadsheet(tmp_path: Path, real_answerer):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    answer = real_answerer.ask("What is generous leadership?")
    rating = store.record(answer, THUMBS_DOWN, comment='=HYPERLINK("http://evil.example","click")')
    store.add_comment(rating, "+cmd|' /C calc'!A0")
    store.record(answer, THUMBS_UP, comment="-2+3")
    store.write_csv(tmp_path / "ratings.csv")
    rows = list(csv.reader((tmp_path / "ratings.csv").open(encoding="utf-8")))
    comments = [row[-1] for row in rows[1:]]
    assert comments == ["'+cmd|' /C calc'!A0", "'-2+3"]


def test_a_comment_is_kept_to_its_limit(tmp_path: Path, real_answerer):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    rating = store.record(real_answerer.ask("What is generous leadership?"), THUMBS_DOWN)
    store.add_comment(rating, "x" * 2_000_000)
    assert len(store.ratings()[0].comment) == MAX_COMMENT_CHARS
