"""A slip of the keys read as the word meant: "partnrship" is "partnership", "memebers" "members".

A question's word that the corpus does not use and English has hardly heard of, one letter added, dropped
or two letters swapped away from a word of standard English the corpus does use, is read as that word by
retrieval, the coverage decision and sentence choice alike; the answer's record and a chat model keep the question
as it was typed. A changed letter is not tried: "budges" is a word, not a slip for "budget". Only words typed in lower
case are read so (a capital may start a name), and only when one word alone is a slip away.

    >>> respelled("how do the leeds parnters suport each other?", {"leed", "partner", "support", "other"}.__contains__)
    'how do the leeds partners support each other?'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from .text import is_standard_word, is_unheard_of, terms

# shorter words have too many neighbours, and are names as often as slips: "navca", "acevo"
MIN_LETTERS = 6
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# a word of letters alone: not part of a contraction, a hyphenated word, a word with digits, nor one a combining
# accent follows
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]{%d,}(?![\w'’\u0300-\u036f-])" % MIN_LETTERS)


def respelled(question: str, knows: Callable[[str], bool]) -> str:
    """The question with each slip of the keys the corpus can read (`knows` a search term) put right."""
    return _WORD.sub(lambda found: _meant(found.group(), knows) or found.group(), question)


def _meant(word: str, knows: Callable[[str], bool]) -> str | None:
    """The one word of standard English the corpus uses that `word`, typed in lower case, is a slip away from, if
    `word` is no word the corpus or English uses; None otherwise. A capital may start a name ("Peirson" is not
    "person"); with two such words, which was meant is a guess ("unecessary": "unnecessary", or "necessary"?)."""
    if not word.islower() or not is_unheard_of(word) or any(knows(term) for term in terms(word)):
        return None
    meant = [candidate for candidate in _standard_words_one_slip_away(word)
             if (found := terms(candidate)) and all(knows(term) for term in found)]
    return meant[0] if len(meant) == 1 else None


@lru_cache(maxsize=4096)
def _standard_words_one_slip_away(word: str) -> tuple[str, ...]:
    """The words of standard English one letter added, dropped, or two neighbours swapped away (kept: looking each
    up is most of the cost)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    dropped = {left + right[1:] for left, right in splits if right}
    swapped = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    added = {left + letter + right for left, right in splits for letter in _LETTERS}
    return tuple(sorted(w for w in dropped | swapped | added if is_standard_word(w)))
