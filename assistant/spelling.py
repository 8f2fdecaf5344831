"""A slip of the keys read as the word meant: "partnrship" is "partnership", "memebers" "members".

A question's word that the corpus does not use and English has hardly heard of, one letter added, dropped
or two letters swapped away from a word of standard English the corpus does use, is read as that word by
retrieval, the coverage decision and sentence choice alike; the question is kept as it was typed. A
changed letter is not tried: "budges" is a word, not a slip for "budget".

    >>> respelled("how do the leeds parnters suport each other?", {"leed", "partner", "support", "other"}.__contains__)
    'how do the leeds partners support each other?'
"""

from __future__ import annotations

import re
from typing import Callable

from .text import is_standard_word, is_unheard_of, terms, word_rarity

# shorter words have too many neighbours, and are names as often as slips: "navca", "acevo"
MIN_LETTERS = 6
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]{%d,}(?![\w'’-])" % MIN_LETTERS)


def respelled(question: str, knows: Callable[[str], bool]) -> str:
    """The question with each slip of the keys the corpus can read (`knows` a search term) put right."""
    return _WORD.sub(lambda found: _meant(found.group(), knows) or found.group(), question)


def _meant(word: str, knows: Callable[[str], bool]) -> str | None:
    """The commonest word of standard English the corpus uses that `word` is one slip away from, if `word`
    is no word the corpus or English uses; None otherwise."""
    lowered = word.lower()
    if word.isupper() or not is_unheard_of(lowered) or any(knows(term) for term in terms(lowered)):
        return None
    meant = [candidate for candidate in _one_slip_away(lowered)
             if is_standard_word(candidate) and (found := terms(candidate)) and all(knows(term) for term in found)]
    if not meant:
        return None
    best = min(meant, key=lambda candidate: (word_rarity(candidate), candidate))
    return best.capitalize() if word[0].isupper() else best


def _one_slip_away(word: str) -> set[str]:
    """The words one letter added, dropped, or two neighbours swapped away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    dropped = {left + right[1:] for left, right in splits if right}
    swapped = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    added = {left + letter + right for left, right in splits for letter in _LETTERS}
    return dropped | swapped | added
