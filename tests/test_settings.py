from pathlib import Path

import pytest

from assistant.settings import DEFAULT_TOP_K, Settings


def test_defaults_without_environment():
    settings = Settings.from_env({})
    assert settings.top_k == DEFAULT_TOP_K and settings.chroma_url is None
    assert settings.corpus_dir.name == "corpus"


def test_environment_overrides():
    settings = Settings.from_env({"ASSISTANT_TOP_K": "8", "ASSISTANT_CHROMA_URL": "http://127.0.0.1:9000",
                                  "ASSISTANT_INDEX_DIR": "/tmp/x", "ASSISTANT_REFUSAL_THRESHOLD": "0.3"})
    assert (settings.top_k, settings.chroma_url, settings.index_dir, settings.refusal_threshold) == (
        8, "http://127.0.0.1:9000", Path("/tmp/x"), 0.3)


def test_a_bad_value_names_the_variable():
    with pytest.raises(ValueError, match="ASSISTANT_TOP_K='many'"):
        Settings.from_env({"ASSISTANT_TOP_K": "many"})
