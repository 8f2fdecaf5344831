"""The assembled assistant: store, model, an up-to-date index, retriever and answerer.

A missing or stale index is never served: it is (re)built here first, with the reason passed
to `progress`, so the CLI prints it and the app shows it.
"""

from __future__ import annotations

import logging

from .answer import Answerer
from .embed import PackagedEmbeddings
from .errors import AssistantError
from .ingest import NO_INDEX, Progress, ingest, stale_reason
from .llm import build_chat_model
from .records import Embedder
from .retrieve import Retriever
from .settings import Settings
from .store import Store

REBUILD_REQUESTED = "rebuild requested"
_log = logging.getLogger(__name__)


def connect(settings: Settings) -> tuple[Store, Embedder]:
    """The heavy, shareable parts: the store connection and the (lazily loaded) model."""
    return Store(settings), PackagedEmbeddings.for_settings(settings)


def update_index(settings: Settings, store: Store, embedder: Embedder, progress: Progress | None = None,
                 rebuild: bool = False) -> str | None:
    """Build or update the index if it is missing or stale; returns why it did, or None."""
    reason = REBUILD_REQUESTED if rebuild else stale_reason(settings, store)
    if reason:
        # a first build or an operator's rebuild is the expected course of things; any other reason
        # means an index was there and could not be served (the corpus or model changed, an ingest died)
        expected = reason in (NO_INDEX, REBUILD_REQUESTED)
        _log.log(logging.INFO if expected else logging.WARNING, "building the index: %s", reason)
        if progress:
            progress(0, 1, f"{reason}: building the index")
        ingest(settings, store, embedder, rebuild=rebuild, progress=progress)
    if store.state().passages == 0:
        raise AssistantError(
            f"the corpus folder {settings.corpus_dir} has no readable case studies: "
            "add .md, .txt, .pdf or .docx files there and start again"
        )
    return reason


def answerer_over(settings: Settings, store: Store, embedder: Embedder) -> Answerer:
    """The answerer over an index that is already up to date."""
    return Answerer(Retriever.open(settings, store, embedder), settings, build_chat_model(settings))


def open_answerer(settings: Settings, progress: Progress | None = None, store: Store | None = None,
                  embedder: Embedder | None = None) -> Answerer:
    store = store or Store(settings)
    embedder = embedder or PackagedEmbeddings.for_settings(settings)
    update_index(settings, store, embedder, progress)
    return answerer_over(settings, store, embedder)
