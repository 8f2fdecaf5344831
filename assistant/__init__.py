"""A chat assistant over case-study lessons: cited answers from the case studies' own words.

    >>> import assistant
    >>> answer = assistant.ask("How do we handle a power imbalance with a smaller partner?")
    >>> print(answer.text); [h.passage.label for h in answer.sources]

Names load on first use (PEP 562): importing one light module, or starting the web server, does
not wait ~3 s for chromadb and LangChain.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from .answer import Answerer
    from .errors import AssistantError, BadQuestion, IndexMissing, StoreUnavailable
    from .followup import Turn
    from .ingest import IngestReport, ingest
    from .pipeline import open_answerer
    from .records import Answer, Document, Filters, Hit, Passage
    from .settings import Settings

_HOMES = {
    "Answerer": "answer", "AssistantError": "errors", "BadQuestion": "errors", "IndexMissing": "errors",
    "StoreUnavailable": "errors", "Turn": "followup", "IngestReport": "ingest", "ingest": "ingest",
    "open_answerer": "pipeline", "Answer": "records", "Document": "records", "Hit": "records", "Passage": "records",
    "Filters": "records", "Settings": "settings",
}
__all__ = [
    "Answer", "Answerer", "AssistantError", "BadQuestion", "Document", "Filters", "Hit", "IndexMissing",
    "IngestReport", "Passage", "Settings", "StoreUnavailable", "Turn", "ask", "ingest", "open_answerer",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_default: Answerer | None = None


def ask(question: str, history: Sequence[Turn] = (), filters: Filters | None = None) -> Answer:
    """Answer with the default settings (built from the environment on first use)."""
    from .pipeline import open_answerer
    from .settings import Settings

    global _default
    if _default is None:
        _default = open_answerer(Settings.from_env())
    return _default.ask(question, history=history, filters=filters)
