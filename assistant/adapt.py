"""The packaged embedding model adapted to how people ask about the case studies.

A small model matches a question with the sentence that answers it poorly when the two share no
words ("we got burned teaming up before" / "difficult experiences of collaboration in the past").
Fine-tuned for about three minutes (two cores, 1,669 pairs) on labelled pairs of a question and the
sentence that answers it, as the index embeds that sentence (`content/tuning_pairs.jsonl`, written by
eval/tuning_pairs.py from the tune halves of the question sets and our own labelled sets, never a
check half), it ranks that sentence first for 0.70 of the labelled questions it was not adapted on (eval/README.md).

The adapted weights are made once, at set-up or on first use, from the packaged weights and the
pairs alone, and cached beside the ONNX graph in a folder named by a fingerprint of both and of
the recipe below: nothing is downloaded, and new pairs or weights make a new model, never a stale
one. Only making it imports torch.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .errors import AssistantError

TUNING_VERSION = "2"  # bump when the recipe below changes: adapted models are then made again
# the recipe: in-batch negatives (each question against every answer of its batch), as
# sentence-transformers' MultipleNegativesRankingLoss; three epochs of 1,151 pairs take ~2 minutes on 2
# cores. Chosen out of fold (each labelled tune question ranked by a model adapted without it): its
# answering sentence comes first for 0.698 of them, in the first five for 0.915; 2 epochs at 2e-5 0.639
# and 0.879, 3 at 2e-5 (with 833 pairs) 0.643 and 0.879
EPOCHS = 3
BATCH_SIZE = 32
LEARNING_RATE = 4e-5
SIMILARITY_SCALE = 20.0  # cosine similarities times this are the logits (the library's default)
SEED = 0
_log = logging.getLogger(__name__)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """(question, answering text) pairs, or an AssistantError saying how to mend the file."""
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [(str(row["question"]), str(row["answer"])) for row in rows]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AssistantError(f"the tuning pairs {path} cannot be read ({error}): restore the file from git, point "
                             "ASSISTANT_TUNING_PAIRS at a JSON-lines file of {\"question\": ..., \"answer\": ...}, "
                             "or set it to none to use the packaged model as it is") from error


def pairs_fingerprint(path: Path) -> str:
    """What the adapted model is made of, besides the base weights: the pairs and the recipe."""
    recipe = f"tuning {TUNING_VERSION} {EPOCHS} {BATCH_SIZE} {LEARNING_RATE} {SIMILARITY_SCALE} {SEED}\n"
    return hashlib.sha256(recipe.encode() + json.dumps(read_pairs(path)).encode()).hexdigest()[:12]


def adapted_model(base: Path, pairs: Path, cache_dir: Path) -> Path:
    """The folder of the base model adapted on these pairs, made first if there is none. One process
    makes it while others wait for it (the test suite's workers, app and CLI started together)."""
    from .export import weights_fingerprint

    folder = cache_dir / f"adapted-{weights_fingerprint(base)}-{pairs_fingerprint(pairs)}"
    if folder.is_dir():
        return folder
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        lock = (cache_dir / "adapting.lock").open("w")
    except OSError as error:
        raise AssistantError(f"cannot keep the adapted model in {cache_dir} ({error.strerror}): "
                             "set ASSISTANT_MODEL_CACHE_DIR to a folder this user can write") from error
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.is_dir():
            _log.warning("adapting the embedding model to the case studies' questions (once, about three minutes): %s", pairs)
            working = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".adapting-"))
            try:
                _adapt(base, read_pairs(pairs), working)
                os.replace(working, folder)
            finally:
                shutil.rmtree(working, ignore_errors=True)
    return folder


def _adapt(base: Path, pairs: list[tuple[str, str]], out: Path) -> None:
    """Fine-tune a copy of the base model and save it in the base folder's own layout, so both
    encoders (and the ONNX export) read it as they read the packaged one."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # before the hub client is imported: nothing is downloaded
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bars in the server's log
    torch.manual_seed(SEED)
    order = random.Random(SEED)
    model = SentenceTransformer(str(base), device="cpu")
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)

    def embed(texts: list[str]) -> torch.Tensor:
        return torch.nn.functional.normalize(model(model.preprocess(texts))["sentence_embedding"], dim=-1)

    for _ in range(EPOCHS):
        shuffled = list(pairs)
        order.shuffle(shuffled)
        for start in range(0, len(shuffled), BATCH_SIZE):
            batch = shuffled[start : start + BATCH_SIZE]
            logits = embed([q for q, _ in batch]) @ embed([a for _, a in batch]).T * SIMILARITY_SCALE
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    shutil.copytree(base, out, dirs_exist_ok=True)
    transformer: Any = model[0]  # sentence-transformers' Transformer module, typed as a torch Module
    transformer.auto_model.save_pretrained(out)  # the weights and their config, over the base folder's copies
