"""The embedding model on onnxruntime: the same vectors as sentence-transformers, a graph that is
checked before it is cached and remade when the weights change, and no torch where questions
are answered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import export
from assistant.adapt import adapted_model
from assistant.embed import OnnxEncoder, SentenceTransformersEncoder, model_path
from assistant.errors import AssistantError
from assistant.evaluate import load_questions
from assistant.parse import parse
from assistant.read import read_corpus
from assistant.settings import DEFAULT_MODEL, Settings
from conftest import ROOT


@pytest.mark.model
def test_onnx_gives_sentence_transformers_vectors_on_the_corpus_and_the_public_questions():
    """The parity test: the one place outside export.py and adapt.py that runs the model on torch,
    on the model the app answers with (adapted on the tuning pairs)."""
    settings = Settings()
    folder = adapted_model(model_path(DEFAULT_MODEL), settings.tuning_pairs, settings.model_cache_dir)
    passages = [p.indexed_text for d in read_corpus(settings.corpus_dir)[0] for p in parse(d)]
    questions = [q["question"] for name in ("dev", "practice") for q in load_questions(ROOT / "eval" / f"{name}.jsonl")]
    texts = passages + questions
    onnx = OnnxEncoder(export.onnx_graph(folder, settings.model_cache_dir), folder).encode(texts)
    reference = SentenceTransformersEncoder(folder).encode(texts)
    assert onnx.shape == reference.shape == (len(texts), 384)
    assert np.abs(onnx - reference).max() <= export.PARITY_TOLERANCE

    def nearest(vectors: np.ndarray) -> np.ndarray:
        return np.argsort(-(vectors[len(passages):] @ vectors[: len(passages)].T), axis=1)[:, :5]

    assert (nearest(onnx) == nearest(reference)).all()  # the same top 5 passages for every public question


@pytest.mark.model
def test_a_graph_that_fails_the_check_is_never_cached(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(export, "PARITY_TOLERANCE", -1.0)  # no graph can pass: the failure path, for real
    with pytest.raises(AssistantError, match="differs from sentence-transformers.*ASSISTANT_ENCODER=sentence-transformers"):
        export.onnx_graph(model_path(DEFAULT_MODEL), tmp_path)
    assert list(tmp_path.iterdir()) == []  # neither the graph nor a half-written file


def test_the_cache_is_keyed_by_the_weights(tmp_path: Path):
    for name in ("config.json", "tokenizer.json"):
        (tmp_path / name).write_text("{}")
    before = export.weights_fingerprint(tmp_path)
    assert export.weights_fingerprint(tmp_path) == before
    (tmp_path / "config.json").write_text('{"hidden_size": 384}')
    assert export.weights_fingerprint(tmp_path) != before


def test_nothing_on_the_answering_path_imports_torch_or_langchain(real_answerer, real_settings):
    """A question asked offline through the command line, in a process of its own: torch,
    transformers and sentence-transformers stay unloaded (they cost seconds and hundreds of MB),
    and so does LangChain (most of a second), needed only when a chat model is configured. numpy's
    BLAS keeps to one thread beside onnxruntime's (two pools fighting for the cores doubled an answer's time)."""
    script = ("import sys, contextlib, io\n"
              "from assistant.cli import main\n"
              "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
              "    main(['ask', 'How do we handle a power imbalance with a smaller partner?'])\n"
              "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'langchain_core', 'langchain')\n"
              "         if m in sys.modules]\n"
              "from threadpoolctl import threadpool_info\n"
              "blas = [p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas']\n"
              "print(json.dumps({'answer': out.getvalue(), 'heavy': heavy, 'blas': blas}))\n")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(real_settings.index_dir)}
    done = subprocess.run([sys.executable, "-c", "import json\n" + script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "[1]" in result["answer"]
    assert result["heavy"] == []
    assert result["blas"] and set(result["blas"]) == {1}


@pytest.mark.model
def test_a_damaged_cached_graph_is_made_again(tmp_path: Path):
    from assistant.embed import load_encoder

    folder = model_path(DEFAULT_MODEL)
    graph = export.onnx_graph(folder, Settings().model_cache_dir)
    damaged = tmp_path / graph.name
    damaged.write_bytes(graph.read_bytes()[:1000])  # as a disk filled up half-way through a copy would leave it
    encoder = load_encoder(DEFAULT_MODEL, "onnx", tmp_path)
    assert damaged.stat().st_size == graph.stat().st_size
    assert encoder.encode(["trust"]).shape == (1, 384)


@pytest.mark.model
def test_a_cache_folder_it_cannot_write_is_one_clear_message(tmp_path: Path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(AssistantError, match="cannot keep the model's ONNX graph.*ASSISTANT_MODEL_CACHE_DIR"):
        export.onnx_graph(model_path(DEFAULT_MODEL), blocked / "models")
