"""The packaged sentence-transformers weights as an ONNX graph, made once and cached.

Answering then runs on onnxruntime (already installed with chromadb) instead of torch: a tenth of
the import time and well under half the memory. The graph is exported here, the only place that
imports torch, and kept only if it gives sentence-transformers' own vectors on `PARITY_TEXTS`:
the two encoders are then interchangeable, and an index built by either answers the same.
The cache is keyed by a fingerprint of the files that define the model, so new weights make a
new graph instead of silently reusing an old one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from .errors import AssistantError

EXPORT_VERSION = "3"  # bump when the export below changes: cached graphs are then made again
PARITY_TOLERANCE = 1e-5  # largest difference allowed in any vector component (measured: under 3e-7)
# the kinds of text the index holds and people type: short and long, truncated, markup, other scripts
PARITY_TEXTS = [
    "",
    "trust",
    "How do we handle a power imbalance with a smaller partner?",
    "we're the small fish in a big bid – any tips?",
    "Learning: Equitable partnerships take time, honesty and a willingness to share power and money.",
    "<b>Partners</b> shared **data** & [links](https://example.org) — “quoted” text, £5,000, 2019–2021.",
    "Café naïve coöperation; Ελληνικά; 日本語のテキスト; emoji 🙂",
    " ".join(["The consortium met monthly to agree referrals, budgets and shared reporting."] * 40),
]
# files that make up the model: a change to any of them is a different model
MODEL_FILES = ("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json",
               "sentence_bert_config.json", "modules.json", "1_Pooling/config.json")


def weights_fingerprint(model_dir: Path) -> str:
    """The files' contents only: a new export makes a new graph (`onnx_graph`), not a new model."""
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        path = model_dir / name
        if path.is_file():
            digest.update(f"{name}\n".encode())
            with path.open("rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()[:16]


def onnx_graph(model_dir: Path, cache_dir: Path) -> Path:
    """The cached graph for these weights, exported and checked first if there is none."""
    graph = cache_dir / f"{weights_fingerprint(model_dir)}-export{EXPORT_VERSION}.onnx"
    if not graph.is_file():
        _export_checked(model_dir, graph)
    return graph


def _export_checked(model_dir: Path, graph: Path) -> None:
    """Export into a temporary folder, compare with sentence-transformers, and only then move it into
    place, the weights before the graph: a graph that fails the check is never cached, and two
    processes can't half-write one."""
    try:
        graph.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=graph.parent, suffix=".export.tmp"))
    except OSError as error:
        raise AssistantError(f"cannot keep the model's ONNX graph in {graph.parent} ({error.strerror}): "
                             "set ASSISTANT_MODEL_CACHE_DIR to a folder this user can write") from error
    try:
        os.environ["HF_HUB_OFFLINE"] = "1"  # before the hub client is imported: nothing is downloaded
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import numpy as np
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        from .embed import OnnxEncoder

        transformers_logging.disable_progress_bar()
        reference = SentenceTransformer(str(model_dir), device="cpu")
        _export(reference[0].auto_model, folder / graph.name)
        expected = reference.encode(PARITY_TEXTS, normalize_embeddings=True)
        actual = OnnxEncoder(folder / graph.name, model_dir).encode(PARITY_TEXTS)
        difference = float(np.abs(expected - actual).max())
        if not difference <= PARITY_TOLERANCE:
            raise AssistantError(f"the ONNX export of {model_dir} differs from sentence-transformers by {difference:.1e} "
                                 f"(allowed {PARITY_TOLERANCE:.0e}): set ASSISTANT_ENCODER=sentence-transformers")
        for made in (weights_of(graph), graph):
            os.chmod(folder / made.name, 0o644)  # as any other file the project writes (mkdtemp's are private)
            os.replace(folder / made.name, made)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def weights_of(graph: Path) -> Path:
    """The file beside a graph that holds its weights (ONNX's "external data"): onnxruntime maps it
    rather than copying it into the graph's memory, so the loaded model adds ~86 MB to the server
    instead of ~158 (measured 2026-11-27, same vectors and speed)."""
    return graph.with_name(f"{graph.name}.data")


def _export(transformer, path: Path) -> None:
    """torch's TorchScript exporter (`dynamo=False`: the default one needs onnxscript), traced on a
    padded batch so the attention mask stays in the graph, with batch and length left dynamic.

    Traced with transformers' plain ("eager") attention rather than the fused kernel torch runs:
    the same vectors (within 3e-7), and as a graph ~20% faster and ~60 MB smaller in memory
    (measured 2026-11-27: 52 against 43 passages/s, 294 against 356 MB in a bare process)."""
    import warnings

    import torch

    class LastHiddenState(torch.nn.Module):
        """Inputs by keyword: passed by position, BERT takes the third as another argument."""

        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    ids = torch.tensor([[101, 2000, 2001, 2002, 102], [101, 2003, 102, 0, 0]])
    mask = (ids != 0).long()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    traced = path.with_suffix(".traced.onnx")
    attention = transformer.config._attn_implementation
    transformer.set_attn_implementation("eager")
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on Python values, none of which vary here
            torch.onnx.export(LastHiddenState(transformer.eval()), (ids, mask, torch.zeros_like(ids)), str(traced),
                              dynamo=False, input_names=names, output_names=["last_hidden_state"], opset_version=17,
                              dynamic_axes={name: {0: "batch", 1: "tokens"} for name in names + ["last_hidden_state"]})
    finally:
        transformer.set_attn_implementation(attention)  # the reference that checks the graph runs as before
    import onnx

    onnx.save_model(onnx.load(str(traced)), str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=weights_of(path).name)
    traced.unlink()
