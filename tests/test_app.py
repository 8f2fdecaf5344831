"""The chat page driven by Streamlit's AppTest, over the real index built for this session."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT


@pytest.fixture
def app(real_answerer, real_settings, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(real_settings.index_dir))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def test_ask_and_follow_up_show_cited_answers_and_sources(app):
    app.run()
    app.chat_input[0].set_value("What did P3 and Cohort 4 do together?").run()
    assert "[1]" in app.chat_message[-1].markdown[0].value
    assert any("P3 and Cohort 4" in e.label for e in app.expander)
    app.chat_input[0].set_value("What did they learn?").run()
    assert "Leave the ego at home" in app.chat_message[-1].markdown[0].value


def test_an_empty_corpus_shows_one_clear_error(app, monkeypatch, tmp_path):
    (tmp_path / "empty-corpus").mkdir()
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "empty-corpus"))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "no-index"))
    app.run()
    assert len(app.error) == 1 and "has no readable case studies" in app.error[0].value
    assert not app.exception and not app.chat_input
