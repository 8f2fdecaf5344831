"""A chat assistant over case-study lessons: cited answers from the case studies' own words.

    >>> import assistant
    >>> answer = assistant.ask("How do we handle a power imbalance with a smaller partner?")
    >>> print(answer.text); [h.passage.label for h in answer.sources]
"""

from __future__ import annotations

from typing import Sequence

from .answer import Answerer
from .errors import AssistantError, BadQuestion, IndexMissing, StoreUnavailable
from .followup import Turn
from .ingest import IngestReport, ingest
from .pipeline import open_answerer
from .records import Answer, Document, Hit, Passage
from .retrieve import Filters
from .settings import Settings

__all__ = [
    "Answer", "Answerer", "AssistantError", "BadQuestion", "Document", "Filters", "Hit", "IndexMissing",
    "IngestReport", "Passage", "Settings", "StoreUnavailable", "ask", "ingest", "open_answerer",
]

_default: Answerer | None = None


def ask(question: str, history: Sequence[Turn] = (), filters: Filters | None = None) -> Answer:
    """Answer with the default settings (built from the environment on first use)."""
    global _default
    if _default is None:
        _default = open_answerer(Settings.from_env())
    return _default.ask(question, history=history, filters=filters)
