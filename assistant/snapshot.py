"""The index as readers see it, owned here: one published version (collection and corpus
fingerprint), the keyword index and catalogue built for it, and the ids of the passages it holds.

An ingest adds its new passages, saves the new snapshot's files, publishes the new fingerprint,
and only then deletes the passages it replaced. A reader keeps to its snapshot's ids and, after
each read, checks that its version is still the published one (`PublishedIndex.read`), so an
answer comes from the index before an ingest or after it, never from a mixture of the two. Every
thread of the app shares one `PublishedIndex`; following a new version, and reading the index's
state while another thread follows it, go through its one lock.
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from .catalogue import Catalogue
from .errors import IndexMissing, StoreUnavailable
from .keyword import KeywordIndex
from .records import Passage
from .settings import Settings
from .store import IndexState, Store

SNAPSHOT_RETRIES = 3  # reads again when an ingest publishes mid-read; a fourth publish in a row is not waited for
T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    version: str  # IndexState.version
    fingerprint: str
    keyword: KeywordIndex
    catalogue: Catalogue
    members: frozenset[str]

    @classmethod
    def save(cls, settings: Settings, passages: list[Passage], fingerprint: str) -> None:
        folder = settings.sidecar_dir / fingerprint
        if not folder.is_dir():  # else the same corpus, parser and model: this snapshot, already whole
            _write(folder, KeywordIndex.build(passages), Catalogue.build(passages), fingerprint)

    @classmethod
    def open(cls, settings: Settings, store: Store) -> "Snapshot":
        """The published snapshot. Its files are rebuilt from the store when this machine has
        none (a new app instance beside a shared Chroma server)."""
        state = store.state()
        if not state.fingerprint:
            raise IndexMissing("no index yet, or it is being built: ask again when the ingest has finished, or run "
                               "`python -m assistant ingest` (or `make run`, which builds it)")
        folder = settings.sidecar_dir / state.fingerprint
        keyword = KeywordIndex.load(folder / "keyword", state.fingerprint)
        catalogue = Catalogue.load(folder / "catalogue.json", state.fingerprint)
        if keyword is None or catalogue is None:
            state = store.settled()  # so the store holds the published passages and no others
            folder = settings.sidecar_dir / state.fingerprint
            passages = store.passages()
            keyword, catalogue = KeywordIndex.build(passages), Catalogue.build(passages)
            if state.settled and store.state() == state:  # the store held exactly this snapshot throughout
                shutil.rmtree(folder, ignore_errors=True)
                _write(folder, keyword, catalogue, state.fingerprint)
        return cls(state.version, state.fingerprint, keyword, catalogue, frozenset(keyword.ids))

    @classmethod
    def prune(cls, settings: Settings, keep: set[str]) -> None:
        """Remove the files of snapshots no reader will open again (`keep`: current and previous;
        nothing, before a rebuild)."""
        if settings.sidecar_dir.is_dir():
            for folder in settings.sidecar_dir.iterdir():
                if folder.name in keep:
                    continue
                if folder.is_dir():
                    shutil.rmtree(folder, ignore_errors=True)
                else:  # the files of the layout before snapshots had folders
                    folder.unlink(missing_ok=True)


class PublishedIndex:
    """The published snapshot of a store, followed when an ingest publishes a new one: a running
    app picks up a re-ingest (its own, or another process's) without a restart."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self._following = threading.Lock()
        self._snapshot = Snapshot.open(settings, store)

    @property
    def followed(self) -> Snapshot:
        """The snapshot last followed, without asking the store: what the catalogue and keyword
        index of the running app are (searches, through `read`, follow a new one first)."""
        return self._snapshot

    def current(self) -> Snapshot:
        """The published snapshot, loaded once by whichever thread first sees it change."""
        if not self.store.is_published(self._snapshot.version):
            with self._following:
                if not self.store.is_published(self._snapshot.version):
                    self.store.reopen()
                    self._snapshot = Snapshot.open(self.settings, self.store)
        return self._snapshot

    def read(self, reading: Callable[[Snapshot], T]) -> T:
        """`reading` over the published snapshot, whole. Optimistic: it reads in the snapshot last
        followed and then asks the store, once, whether that is still the published one. An ingest
        deletes replaced passages only after publishing, so if it is, nothing read was half-changed;
        if not (an ingest published before the read or during it), it follows and reads again."""
        snapshot = self._snapshot
        for attempt in range(SNAPSHOT_RETRIES):
            try:
                result = reading(snapshot)
            except StoreUnavailable:  # e.g. the collection read was dropped by a rebuild
                if attempt + 1 == SNAPSHOT_RETRIES or self.store.is_published(snapshot.version):
                    raise
            else:
                if self.store.is_published(snapshot.version):
                    return result
            snapshot = self.current()
        return result

    def state(self) -> IndexState:
        """What the store holds now (for the operator's details), never while another thread reopens it."""
        with self._following:
            return self.store.state()


def _write(folder: Path, keyword: KeywordIndex, catalogue: Catalogue, fingerprint: str) -> None:
    """The snapshot's files, written beside `folder` and renamed into place whole, so a reader
    never opens half of them."""
    temporary = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    keyword.save(temporary / "keyword", fingerprint)
    catalogue.save(temporary / "catalogue.json", fingerprint)
    try:
        temporary.rename(folder)
    except OSError:  # another process put the same snapshot in place first
        shutil.rmtree(temporary, ignore_errors=True)

