"""The embedding model adapted on question/answer pairs: made once and cached by what it is made
of, remade when the pairs change, recorded with the index, and off when the setting says none."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from assistant import adapt
from assistant.embed import SentenceTransformersEncoder, model_path
from assistant.errors import AssistantError
from assistant.settings import DEFAULT_MODEL, DEFAULT_TUNING_PAIRS, Settings
from conftest import ROOT, public_check_questions

PAIRS = [
    ("we got burned teaming up before", "CYN: Some have had difficult experiences of collaboration in the past."),
    ("who carries the risk?", "P3: P3 took on the legal, contractual and performance risk."),
    ("are we too small to bid?", "SIFA: SIFA had struggled to gain recognition as a small organisation."),
    ("how did they fund the meetings?", "SMHA: The partners ringfenced funding for capacity and attendance."),
]


def _write(path: Path, pairs: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"question": q, "answer": a}) + "\n" for q, a in pairs), encoding="utf-8")
    return path


def test_the_fingerprint_follows_the_pairs(tmp_path: Path):
    first = adapt.pairs_fingerprint(_write(tmp_path / "a.jsonl", PAIRS))
    assert adapt.pairs_fingerprint(_write(tmp_path / "b.jsonl", PAIRS)) == first  # content, not the file's name
    assert adapt.pairs_fingerprint(_write(tmp_path / "c.jsonl", PAIRS[:3])) != first


@pytest.mark.parametrize("content", ["not json\n", '{"question": "only a question"}\n'])
def test_a_bad_pairs_file_says_how_to_mend_it(tmp_path: Path, content: str):
    (tmp_path / "pairs.jsonl").write_text(content, encoding="utf-8")
    with pytest.raises(AssistantError, match="cannot be read.*ASSISTANT_TUNING_PAIRS.*none"):
        adapt.read_pairs(tmp_path / "pairs.jsonl")
    with pytest.raises(AssistantError, match="cannot be read"):
        adapt.read_pairs(tmp_path / "missing.jsonl")


def test_the_index_records_the_adaptation_and_none_turns_it_off(tmp_path: Path):
    """An index built by the adapted model is never searched with the packaged one's vectors."""
    adapted = Settings.from_env({})
    assert adapted.tuning_pairs == DEFAULT_TUNING_PAIRS
    assert f"adapted {adapt.pairs_fingerprint(DEFAULT_TUNING_PAIRS)}" in adapted.embedding
    plain = Settings.from_env({"ASSISTANT_TUNING_PAIRS": "none"})
    assert plain.tuning_pairs is None and plain.embedding == f"{DEFAULT_MODEL} (onnx)"
    other = Settings.from_env({"ASSISTANT_TUNING_PAIRS": str(_write(tmp_path / "pairs.jsonl", PAIRS))})
    assert other.embedding != adapted.embedding


def test_the_public_check_halves_are_never_among_the_pairs():
    """The check halves measure how the adaptation holds on questions it never saw (nor the same
    words asked in another set)."""
    checks = public_check_questions()
    assert checks and not checks & {q.strip().lower() for q, _ in adapt.read_pairs(DEFAULT_TUNING_PAIRS)}


def test_the_shipped_pairs_are_what_eval_tuning_pairs_writes():
    """The adapted model is made of content/tuning_pairs.jsonl: written again from the labelled sets,
    it must come out the same, or the model would change under whoever runs the script next (it
    once would have taken in fresh7's and fresh8's tune halves, which only measure)."""
    spec = importlib.util.spec_from_file_location("tuning_pairs", ROOT / "eval" / "tuning_pairs.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    written = [(p["question"], p["answer"]) for p in script.labelled_pairs()]
    assert written == adapt.read_pairs(DEFAULT_TUNING_PAIRS)


@pytest.mark.model
def test_adapting_brings_a_question_nearer_its_answer_once_and_is_then_reused(tmp_path: Path, monkeypatch):
    base = model_path(DEFAULT_MODEL)
    pairs = _write(tmp_path / "pairs.jsonl", PAIRS)

    def similarities(folder: Path) -> np.ndarray:
        encoder = SentenceTransformersEncoder(folder)
        return np.sum(encoder.encode([q for q, _ in PAIRS]) * encoder.encode([a for _, a in PAIRS]), axis=1)

    folder = adapt.adapted_model(base, pairs, tmp_path / "models")
    assert similarities(folder).mean() > similarities(base).mean() + 0.03
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == sorted(["adapting.lock", folder.name])  # nothing half-made

    monkeypatch.setattr(adapt, "_adapt", lambda *args: pytest.fail("adapted again"))
    assert adapt.adapted_model(base, pairs, tmp_path / "models") == folder
    _write(pairs, PAIRS[:3])
    with pytest.raises(pytest.fail.Exception, match="adapted again"):  # other pairs: another model
        adapt.adapted_model(base, pairs, tmp_path / "models")
