"""Slips of the keys read as the words meant, on a hand-made vocabulary (no index, no model)."""

from __future__ import annotations

import pytest

from assistant.spelling import respelled
from assistant.text import terms

CORPUS_WORDS = "partnership partners support together members commissioners budget trust leeds council necessary unnecessary"
KNOWN = set(terms(CORPUS_WORDS))


def _respelled(question: str) -> str:
    return respelled(question, {term: term for term in KNOWN}.get)


@pytest.mark.parametrize("typed, meant", [
    ("too proud in a partnrship?", "too proud in a partnership?"),  # a letter dropped
    ("the leeds parnters", "the leeds partners"),  # two letters swapped
    ("how do they suport each other", "how do they support each other"),
    ("what kept it togther?", "what kept it together?"),
    ("how many memebers?", "how many members?"),  # a letter added
])
def test_a_slip_of_the_keys_is_read_as_the_corpus_word_meant(typed, meant):
    assert _respelled(typed) == meant


@pytest.mark.parametrize("typed", [
    "the big org never budges an inch",  # a word, if a rare one: not a slip for "budget"
    "did lankelly chase fund it?",  # a name no corpus word is one slip from
    "what did Buudget say about it?",  # a capital may start a name, whatever it is one slip from
    "Buudget said what?",  # ... at a question's start too
    "was the budget unecessary?",  # two words a slip away ("unnecessary", "necessary"): which was meant is a guess
    "the partnrship\u0301 was strong",  # a combining accent follows: not a word of letters alone
    "what did SUPORT say?",  # capitals: an acronym, not a slip
    "any stats on catch22?",  # digits: a name
    "what's a decile?",  # rare, but English has heard of it
    "how was the partnership run?",  # nothing to put right
    "the partners' budget",
])
def test_words_and_names_are_left_as_typed(typed):
    assert _respelled(typed) == typed


def test_only_a_word_of_standard_english_the_corpus_uses_is_meant():
    """"memebers" is one slip from "members"; a corpus that never says "members" reads nothing into it."""
    assert respelled("how many memebers?", {"partnership": "partnership"}.get) == "how many memebers?"


def test_a_name_is_meant_only_as_the_corpus_spells_it():
    """"soerset" is one slip from the corpus's "Somerset", a word English hardly uses. The index also finds a word
    family's stem for near spellings ("sorerset" near "somerset"), which for a made-up word would be many readings: a
    word not of standard English is read only as the corpus spells it."""
    def near(term: str) -> str | None:  # as the index finds a word family's stem
        return "somerset" if term in ("somerset", "sorerset") else None
    assert respelled("how did soerset do it?", near) == "how did somerset do it?"
    assert respelled("the big org never budges", near) == "the big org never budges"  # a word, if a rare one
