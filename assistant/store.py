"""The Chroma store: the only module that imports chromadb.

Embedded (`PersistentClient` under the index folder) by default, or a `chroma run` server
with `ASSISTANT_CHROMA_URL`. Converts Chroma's nested result dicts into `Passage` and `Match`, and
our `Filters` into Chroma's query language, at this boundary; records which model and corpus the
index was built from.
"""

from __future__ import annotations

import base64
import gc
import logging
import os
import shutil
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlparse

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import AuthorizationError, ChromaAuthError, ChromaError

from .errors import StoreUnavailable
from .memory import release_freed_memory
from .records import Filters, Match, Passage
from .settings import Settings

WRITE_BATCH = 1000
SETTLE_WAIT_S = 60.0
SETTLE_POLL_S = 0.2  # how often a reader waiting for an ingest to settle looks again
_ORGANISATION_SEPARATOR = " ; "
# decoded passages kept for the next questions (about 12 KB each): reading them from Chroma and decoding
# their sentence vectors was a third of an answer's time (dev: answer p50 7.2-7.9 ms -> 4.9-5.1 ms)
PASSAGES_KEPT = 1024
# the longest a local store's published stamp answers for Chroma: a writer that leaves none (an older checkout on
# the same folder, one that could not write it) is followed within it, for one call to Chroma a second
STAMP_TRUSTED_S = 1.0
NO_FILTERS = Filters()  # every passage
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexState:
    """What the index says about itself. `fingerprint` names the published snapshot (empty until
    a first ingest publishes one); `settled` is false while an ingest runs or after one died."""

    passages: int
    model: str
    fingerprint: str
    built_at: str
    settled: bool
    collection: str  # its id: a rebuild makes a new collection, even for the same corpus

    @property
    def version(self) -> str:
        """What a reader's snapshot is of: this collection with this corpus."""
        return f"{self.collection}/{self.fingerprint}"


def connect(settings: Settings) -> Any:
    """A Chroma client for the settings: a server if a URL is set, else the local folder."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if settings.chroma_token:  # checked by the proxy in front of the server (scripts/chroma-with-token.sh)
            chroma_settings = ChromaSettings(
                anonymized_telemetry=False,
                chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
                chroma_client_auth_credentials=settings.chroma_token,
                chroma_auth_token_transport_header="X-Chroma-Token",
            )
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as error:  # connection refused, DNS, TLS, an HTTP error: all mean "not reachable"
            if not _from_server(error):
                raise  # a bug of ours (a TypeError in the call above) is not a server that can't be reached
            if _refused(error):
                raise _unavailable(_refusal(settings), error) from error
            raise _unavailable(StoreUnavailable(
                f"cannot reach the Chroma server at {settings.chroma_url} ({error.__class__.__name__}): "
                "start it (`chroma run --host 127.0.0.1 --port PORT --path DIR`) or unset ASSISTANT_CHROMA_URL"
            ), error) from error
        return client
    try:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)
    # permissions, a full disk, a corrupt sqlite file (chromadb's InternalError), a folder opened
    # with other settings in this process (ValueError)
    except (ChromaError, OSError, ValueError) as error:
        raise _unavailable(StoreUnavailable(
            f"cannot open the index at {settings.index_dir} ({error}): check the folder is writable, "
            "or rebuild it with `python -m assistant ingest --rebuild`"
        ), error) from error


def _from_server(error: Exception) -> bool:
    """Whether `error` is how chromadb's HTTP client reports a server it could not use: its own
    errors, httpx's, a ValueError ("Could not connect to a Chroma server", or to its tenant), a
    KeyError (a reply without the heartbeat's field: not a Chroma server), an OSError, or a plain
    `Exception` holding the body of any other HTTP error (`BaseHTTPClient._raise_chroma_error`)."""
    return isinstance(error, (ChromaError, httpx.HTTPError, OSError, ValueError, KeyError)) or type(error) is Exception


def _unavailable(problem: StoreUnavailable, cause: BaseException) -> StoreUnavailable:
    """`problem`, logged with the error behind it (the message says what to do; the log, what happened)."""
    _log.warning("Chroma store unavailable: %s [cause: %s: %s]", problem, cause.__class__.__name__,
                 " ".join(str(cause).split())[:300])
    return problem


def _refused(error: BaseException) -> bool:
    """Whether the server (or the token proxy in front of it) turned the request away: 401 or 403.
    chromadb raises its own auth errors for Chroma-shaped replies and a plain `Exception` for any
    other body, with the HTTP error as its context."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (ChromaAuthError, AuthorizationError)):
            return True
        if isinstance(seen, httpx.HTTPStatusError) and seen.response.status_code in (401, 403):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _refusal(settings: Settings) -> StoreUnavailable:
    return StoreUnavailable(
        f"the Chroma server at {settings.chroma_url} refused the token: set ASSISTANT_CHROMA_TOKEN to the server's token"
    )


class Store:
    """Passages with their embeddings, in one Chroma collection."""

    def __init__(self, settings: Settings, client: Any = None):
        self._settings = settings
        self._local = client is None and not settings.chroma_url  # a folder this process opened itself
        self._client = client if client is not None else connect(settings)
        self._kept: OrderedDict[tuple[str, str], _Decoded] = OrderedDict()  # by collection and passage id
        self._kept_lock = threading.Lock()
        self._chroma_said = ("", 0.0)  # the version Chroma last said is published, and until when the stamp may stand in
        with self._guarded():
            self._collection = self._open()

    def _open(self) -> Any:
        return self._client.get_or_create_collection(
            self._settings.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    @classmethod
    def rebuilt(cls, settings: Settings) -> "Store":
        """An empty store, even when the local one is too damaged to open: its folder (and only
        that folder, never the corpus) is removed first."""
        if not settings.chroma_url:
            _withdraw(settings.published_stamp)  # it vouches for nothing now
            shutil.rmtree(settings.index_dir / "chroma", ignore_errors=True)
            # chromadb keeps one open system per path in this process: forget the damaged one
            chromadb.api.client.SharedSystemClient.clear_system_cache()
        store = cls(settings)
        store.reset()
        return store

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        """Chroma's and the network's failures, as one error that says what to do."""
        try:
            yield
        except httpx.TransportError as error:
            raise _unavailable(StoreUnavailable(
                f"lost the Chroma server at {self._settings.chroma_url} ({error.__class__.__name__}): "
                "start it again; the next question reconnects"
            ), error) from error
        except Exception as error:
            if self._settings.chroma_url and _refused(error):  # e.g. the token changed while we were running
                raise _unavailable(_refusal(self._settings), error) from error
            if not isinstance(error, (ChromaError, OSError)):
                raise
            if self._settings.chroma_url:
                raise _unavailable(StoreUnavailable(
                    f"the Chroma server at {self._settings.chroma_url} could not do that ({error}): ask again; if it "
                    "persists, rebuild the index with `python -m assistant ingest --rebuild`"
                ), error) from error
            raise _unavailable(StoreUnavailable(
                f"the index at {self._settings.index_dir} cannot be used ({error}): check that the folder is "
                "writable and the disk has space, or rebuild it with `python -m assistant ingest --rebuild`"
            ), error) from error

    # --- what the index is -------------------------------------------------------------

    def state(self) -> IndexState:
        with self._guarded():
            self._collection = self._open()  # another process (an ingest) may have changed it
            meta = self._collection.metadata or {}
            return IndexState(
                passages=self._collection.count(),
                model=str(meta.get("model", "")),
                fingerprint=str(meta.get("fingerprint", "")),
                built_at=str(meta.get("built_at", "")),
                settled=bool(meta.get("settled", True)),
                collection=str(self._collection.id),
            )

    def settled(self, wait_s: float = SETTLE_WAIT_S) -> IndexState:
        """The state once a running ingest has settled (deleted what it replaced), waiting at most
        `wait_s`: an ingest that died in between leaves it unsettled until the next one."""
        state = self.state()
        deadline = time.monotonic() + wait_s
        while not state.settled and time.monotonic() < deadline:
            time.sleep(SETTLE_POLL_S)
            state = self.state()
        return state

    def reopen(self) -> None:
        """See the index afresh after an ingest published: the collection may be a new one (a
        rebuild), and an open local client keeps its own copy of the vector index, blind to what
        another process (`assistant ingest` beside a running app) wrote until that ingest settles."""
        if self._local:
            self.settled()
            chromadb.api.client.SharedSystemClient.clear_system_cache()  # forget this process's copy
            self._client = connect(self._settings)
        with self._guarded():
            self._collection = self._open()
        if self._local:  # the old copy is unreachable now; without this each re-ingest grows the app by its size
            gc.collect()
            release_freed_memory()

    def is_published(self, version: str) -> bool:
        """Whether `version` (an `IndexState.version`) is still the published one: what a reader checks
        after every search. A local store first reads the stamp its writers leave once Chroma holds a
        new state, before they delete anything: a file read, where asking Chroma was an eighth of an
        answer's time. The stamp only vouches for what it names, when Chroma said the same less than
        STAMP_TRUSTED_S ago; anything else (a server, no stamp, a stamp a writer that died left behind) is asked of
        Chroma."""
        said, until = self._chroma_said
        if self._local and version == said and time.monotonic() < until:
            try:
                if self._settings.published_stamp.read_text(encoding="utf-8") == version:
                    return True
            except (OSError, UnicodeDecodeError):
                pass
        published = self.published()
        self._chroma_said = (published, time.monotonic() + STAMP_TRUSTED_S)
        return published == version

    def published(self) -> str:
        """The published `IndexState.version` alone, in one call."""
        with self._guarded():
            collection = self._client.get_collection(self._settings.collection)
            return f"{collection.id}/{(collection.metadata or {}).get('fingerprint', '')}"

    def set_state(self, model: str, fingerprint: str, built_at: str, settled: bool) -> None:
        with self._guarded():
            self._collection.modify(metadata={"model": model, "fingerprint": fingerprint, "built_at": built_at,
                                              "settled": settled})
            if self._local:  # after Chroma: a reader the stamp still vouches for has read nothing since changed
                self._stamp(fingerprint)

    def _stamp(self, fingerprint: str) -> None:
        """Vouch for the state just set, unless another writer has since dropped this collection (Chroma modifies a
        dropped one without a word). A stamp that cannot be written is withdrawn: readers then ask Chroma."""
        stamp = self._settings.published_stamp
        if self._client.get_collection(self._settings.collection).id != self._collection.id:
            _withdraw(stamp)
            return
        written = stamp.with_name(f"{stamp.name}.{os.getpid()}-{threading.get_ident()}")
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            written.write_text(f"{self._collection.id}/{fingerprint}", encoding="utf-8")
            os.replace(written, stamp)  # whole or not at all, for a reader in another process
        except OSError as error:
            _log.warning("cannot write %s (%s): running apps check the index with Chroma instead", stamp, error)
            with suppress(OSError):
                written.unlink(missing_ok=True)
            _withdraw(stamp)

    def reset(self) -> None:
        """Drop every passage (a rebuild, or a change of embedding model)."""
        with self._guarded():
            if self._local:  # before the collection goes: a reader it vouched for would not see it gone
                _withdraw(self._settings.published_stamp)
            self._client.delete_collection(self._settings.collection)
            self._collection = self._open()

    # --- writing ---------------------------------------------------------------------

    def content_hashes(self) -> dict[str, str]:
        """Every stored passage id with the hash of its indexed text."""
        with self._guarded():
            found: dict[str, str] = {}
            for offset in range(0, self._collection.count(), WRITE_BATCH * 10):
                batch = self._collection.get(include=["metadatas"], limit=WRITE_BATCH * 10, offset=offset)
                found.update({i: str(m.get("content_hash", "")) for i, m in zip(batch["ids"], batch["metadatas"], strict=True)})
            return found

    def embeddings(self, ids: list[str]) -> dict[str, Embedded]:
        """The stored vectors of these passages (to reuse them for a passage that only moved)."""
        with self._guarded():
            if not ids:
                return {}
            found: dict[str, Embedded] = {}
            for start in range(0, len(ids), WRITE_BATCH):
                batch = self._collection.get(ids=ids[start : start + WRITE_BATCH], include=["embeddings", "metadatas"])
                found.update({i: Embedded(list(map(float, e)), _sentence_vectors(m).tolist())
                              for i, e, m in zip(batch["ids"], batch["embeddings"], batch["metadatas"], strict=True)})
            return found

    def upsert(self, passages: list[Passage], embeddings: list[Embedded]) -> None:
        with self._guarded():
            for start in range(0, len(passages), WRITE_BATCH):
                chunk = passages[start : start + WRITE_BATCH]
                vectors = embeddings[start : start + WRITE_BATCH]
                self._collection.upsert(
                    ids=[p.id for p in chunk],
                    embeddings=[v.passage for v in vectors],
                    documents=[p.text for p in chunk],
                    metadatas=[_metadata(p, v.sentences) for p, v in zip(chunk, vectors, strict=True)],
                )
        # Chroma frees most of what a write allocates but the allocator keeps it: 20,000 passages written
        # left the process 124 MB larger, 56 MB once given back
        release_freed_memory()

    def delete(self, ids: Iterable[str]) -> None:
        with self._guarded():
            ids = list(ids)
            for start in range(0, len(ids), WRITE_BATCH):
                self._collection.delete(ids=ids[start : start + WRITE_BATCH])

    # --- reading ---------------------------------------------------------------------

    def query(self, embedding: list[float], n: int, filters: Filters = NO_FILTERS) -> list[Match]:
        """The n nearest passages (approximate), nearest first."""
        with self._guarded():
            result = self._collection.query(query_embeddings=[embedding], n_results=n, where=_where(filters),
                                            include=["distances"])
            query = _unit(embedding)
            # Chroma's cosine distance is 1 - similarity
            similarity = {i: 1.0 - float(d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)}
            return [p.match(query, similarity[p.passage.id]) for p in self._decoded(result["ids"][0])]

    def matches(self, ids: list[str], embedding: list[float]) -> list[Match]:
        """The given passages, with their exact similarity to `embedding`."""
        with self._guarded():
            query = _unit(embedding)
            return [p.match(query) for p in self._decoded(ids)]

    def _decoded(self, ids: list[str]) -> list[_Decoded]:
        """These passages, decoded, in this order: those kept from earlier questions and the rest in
        one call to Chroma. A passage id names its text, so a kept one is never out of date while the
        collection is the same (a rebuild or a new model makes a new collection)."""
        collection = str(self._collection.id)
        with self._kept_lock:
            found = {i: self._kept[(collection, i)] for i in ids if (collection, i) in self._kept}
            for i in found:
                self._kept.move_to_end((collection, i))
        missing = [i for i in ids if i not in found]
        if missing:
            batch = self._collection.get(ids=missing, include=["documents", "metadatas", "embeddings"])
            read = {i: _Decoded.of(i, d, m, e)
                    for i, d, m, e in zip(batch["ids"], batch["documents"], batch["metadatas"], batch["embeddings"], strict=True)}
            with self._kept_lock:
                self._kept.update(((collection, i), decoded) for i, decoded in read.items())
                while len(self._kept) > PASSAGES_KEPT:
                    self._kept.popitem(last=False)
            found.update(read)
        return [found[i] for i in dict.fromkeys(ids) if i in found]  # an id deleted meanwhile is left out

    def passages_of(self, case_study: str) -> list[Passage]:
        """One case study's passages in reading order, for reading it whole."""
        with self._guarded():
            batch = self._collection.get(where={"case_study": case_study}, include=["documents", "metadatas"])
            found = [_passage(i, d, m) for i, d, m in zip(batch["ids"], batch["documents"], batch["metadatas"], strict=True)]
            return sorted(found, key=lambda p: (p.source, p.position))

    def passages(self) -> list[Passage]:
        """Every passage, in corpus order (to rebuild the keyword index and catalogue)."""
        with self._guarded():
            found: list[Passage] = []
            for offset in range(0, self._collection.count(), WRITE_BATCH * 10):
                batch = self._collection.get(include=["documents", "metadatas"], limit=WRITE_BATCH * 10, offset=offset)
                found += [_passage(i, d, m) for i, d, m in zip(batch["ids"], batch["documents"], batch["metadatas"], strict=True)]
            return sorted(found, key=lambda p: (p.source, p.position))


@dataclass(frozen=True)
class Embedded:
    """A passage's vector and one vector per sentence (`parse.sentences_of`), stored together so
    the composer can choose sentences by meaning without embedding anything at question time."""

    passage: list[float]
    sentences: list[list[float]]


@dataclass(frozen=True)
class _Decoded:
    """A stored passage as a question needs it: the record, and its vectors scaled to length 1."""

    passage: Passage
    vector: np.ndarray
    sentences: np.ndarray  # one row per sentence, or none

    @classmethod
    def of(cls, passage_id: str, text: str, meta: dict, embedding: Any) -> "_Decoded":
        sentences = _sentence_vectors(meta)
        return cls(_passage(passage_id, text, meta), _unit(embedding), _unit(sentences) if sentences.size else sentences)

    def match(self, query: np.ndarray, similarity: float | None = None) -> Match:
        """`similarity`: Chroma's own, for a passage it found; else exact."""
        return Match(self.passage, float(self.vector @ query) if similarity is None else similarity,
                     tuple((self.sentences @ query).tolist()) if self.sentences.size else ())


def _withdraw(stamp: Path) -> None:
    """A published stamp removed; one that cannot be is trusted for STAMP_TRUSTED_S at most."""
    try:
        stamp.unlink(missing_ok=True)
    except OSError as error:
        _log.warning("cannot remove %s (%s): running apps may take a second to follow this ingest", stamp, error)


def _unit(vector: Any) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    return array / (np.linalg.norm(array, axis=-1, keepdims=True) + 1e-12)


def _sentence_vectors(meta: dict) -> np.ndarray:
    """The sentence vectors packed into a passage's metadata (float16: half the size, same ranking)."""
    packed = str(meta.get("sentence_vectors") or "")
    if not packed:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = np.frombuffer(base64.b64decode(packed), dtype=np.float16).astype(np.float32)
    return vectors.reshape(int(meta["sentences"]), -1)


def _where(filters: Filters) -> dict | None:
    """Our filter record in Chroma's query language."""
    clauses: list[dict] = []
    if filters.case_studies:
        clauses.append({"case_study": {"$in": list(filters.case_studies)}})
    if filters.sections:
        clauses.append({"section": {"$in": list(filters.sections)}})
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


def _metadata(passage: Passage, sentence_vectors: list[list[float]]) -> dict[str, str | int]:
    # Chroma metadata holds scalars only: no lists, no None; the sentence vectors travel as one string.
    packed = np.asarray(sentence_vectors, dtype=np.float16)
    return {
        "sentences": len(sentence_vectors),
        "sentence_vectors": base64.b64encode(packed.tobytes()).decode("ascii") if len(sentence_vectors) else "",
        "case_study": passage.case_study,
        "organisations": _ORGANISATION_SEPARATOR.join(passage.organisations),
        "section": passage.section,
        "lesson": passage.lesson or 0,
        "kind": passage.kind,
        "source": passage.source,
        "position": passage.position,
        "content_hash": passage.content_hash,
        "attribution": passage.attribution or "",
        "published": passage.published,
    }


def _passage(passage_id: str, text: str, meta: dict) -> Passage:
    organisations = str(meta.get("organisations", ""))
    return Passage(
        id=passage_id,
        case_study=str(meta["case_study"]),
        organisations=tuple(organisations.split(_ORGANISATION_SEPARATOR)) if organisations else (),
        section=str(meta["section"]),
        lesson=int(meta["lesson"]) or None,
        kind=str(meta["kind"]),
        text=text,
        source=str(meta["source"]),
        position=int(meta["position"]),
        content_hash=str(meta["content_hash"]),
        attribution=str(meta.get("attribution") or "") or None,
        published=str(meta.get("published") or ""),
    )
