"""Feedback that improves something: every rating is stored with its question, answer and
sources, and the answers marked wrong become questions the eval command checks from then on.

SQLite in WAL mode, one short transaction per rating, so several app sessions (or processes)
can write at once without losing a row.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from .catalogue import Catalogue
from .records import Answer

THUMBS_DOWN, THUMBS_UP = 0, 1  # the values st.feedback("thumbs") returns
MAX_COMMENT_CHARS = 2000  # a comment says what was wrong or missing; more is kept to this length
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = re.compile(r"[\"“]([^\"”]{2,80})[\"”]")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    mode TEXT NOT NULL,
    sources TEXT NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
)
"""


@dataclass(frozen=True)
class Rating:
    id: int
    created_at: str
    question: str
    history: list[dict[str, Any]]
    answer: str
    refused: bool
    mode: str
    sources: list[dict[str, Any]]
    rating: int
    comment: str


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def record(self, answer: Answer, rating: int, comment: str = "",
               history: Sequence[dict[str, Any]] = ()) -> int:
        sources = [{"case_study": h.passage.case_study, "section": h.passage.section, "lesson": h.passage.lesson,
                    "text": h.passage.text} for h in answer.sources]
        plain_history = [{"role": t.get("role"), "content": t.get("content")} for t in history]
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, question, history, answer, refused, mode, sources, rating, comment)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (datetime.now(timezone.utc).isoformat(timespec="seconds"), answer.question, json.dumps(plain_history),
                 answer.text, int(answer.refused), answer.mode, json.dumps(sources), int(rating),
                 comment.strip()[:MAX_COMMENT_CHARS]),
            )
            return int(cursor.lastrowid or 0)

    def add_comment(self, rating_id: int, comment: str) -> None:
        with self._connect() as db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment.strip()[:MAX_COMMENT_CHARS], rating_id))

    def change_rating(self, rating_id: int, rating: int) -> None:
        """The reader changed their mind (thumbs down, then up): the stored rating follows."""
        with self._connect() as db:
            db.execute("UPDATE feedback SET rating = ? WHERE id = ?", (int(rating), rating_id))

    def ratings(self) -> list[Rating]:
        with self._connect() as db:
            rows = db.execute("SELECT id, created_at, question, history, answer, refused, mode, sources, rating, comment"
                              " FROM feedback ORDER BY id").fetchall()
        return [Rating(r[0], r[1], r[2], json.loads(r[3]), r[4], bool(r[5]), r[6], json.loads(r[7]), r[8], r[9])
                for r in rows]

    def write_csv(self, out: Path) -> int:
        rows = self.ratings()
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "created_at", "rating", "question", "answer", "refused", "mode", "sources", "comment"])
            for r in rows:
                writer.writerow([_cell(v) for v in (
                    r.id, r.created_at, "up" if r.rating == THUMBS_UP else "down", r.question, r.answer,
                    r.refused, r.mode, "; ".join(s["case_study"] for s in r.sources), r.comment)])
        return len(rows)


def _cell(value: object) -> object:
    """A value a spreadsheet shows as text: one starting with =, +, -, @ (or a tab or line end
    before them) would be run as a formula when the CSV is opened, so it gets a leading quote."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def as_questions(ratings: Iterable[Rating], catalogue: Catalogue) -> list[dict[str, Any]]:
    """Answers marked wrong as questions in the format of eval/dev.jsonl.

    What the comment says becomes the check: case studies it names become `gold_cases`, phrases
    in quotation marks become `must_include`. A refusal marked wrong becomes an answerable
    question, so refusing it again counts as a false refusal.
    """
    return [
        {
            "id": f"feedback-{r.id}",
            "question": r.question,
            "history": r.history,
            "kind": "feedback",
            "gold_cases": [catalogue.get(title).short_title for title in catalogue.named_in(r.comment)],  # type: ignore[union-attr]
            "must_include": [re.escape(phrase) for phrase in _QUOTED.findall(r.comment)],
            "comment": r.comment,
        }
        for r in ratings
        if r.rating == THUMBS_DOWN
    ]
