"""The compact word list answers as wordfreq itself does."""

from __future__ import annotations

import re

from wordfreq import zipf_frequency

from assistant.frequencies import zipf
from conftest import ROOT

ODD = ["", "the", "THE", "TUPE", "tbh", "I'd", "we're", "co-production", "coproducing", "2019", "£7.4m", "3-4",
       "13,000", "covid-19", "Barnardo's", "naïve", "Ελληνικά", "日本語", "🙂", "   ", "-", "x" * 60, "P3", "SIFA"]


def test_every_word_of_the_corpus_and_odd_ones_get_wordfreqs_own_figure():
    corpus = " ".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpus").glob("*.md")))
    words = sorted(set(re.findall(r"\S+", corpus))) + ODD  # with their punctuation, as people type them
    assert len(words) > 1500
    differing = [(w, zipf(w), zipf_frequency(w, "en")) for w in words if zipf(w) != zipf_frequency(w, "en")]
    assert differing == []


def test_frequencies_are_on_wordfreqs_scale():
    assert zipf("the") > 7 and 4 < zipf("weather") < 6 and zipf("sourdoughy-blorp") == 0.0
