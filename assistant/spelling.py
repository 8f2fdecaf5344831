"""A slip of the keys read as the word meant: "partnrship" is "partnership", "memebers" "members", "soerset" "Somerset".

A question's word that the corpus does not use and English has hardly heard of, one letter added, dropped
or two letters swapped away from a word the corpus uses (a word of standard English, or a name exactly as the corpus
spells it), is read as that word by retrieval, the coverage decision and sentence choice alike; the answer's record
and a chat model keep the question as it was typed. A changed letter is not tried: "budges" is a word, not a slip for
"budget". Only words typed in lower case are read so (a capital may start a name), and only when one word alone is a
slip away.

    >>> corpus = {"leed": "leed", "partner": "partner", "support": "support", "other": "other"}
    >>> respelled("how do the leeds parnters suport each other?", corpus.get)
    'how do the leeds partners support each other?'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from .text import is_never_written, is_standard_word, is_unheard_of, terms

# shorter words have too many neighbours, and are names as often as slips: "navca", "acevo"
MIN_LETTERS = 6
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# a word of letters alone: not part of a contraction, a hyphenated word, a word with digits, nor one a combining
# accent follows
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]{%d,}(?![\w'’\u0300-\u036f-])" % MIN_LETTERS)


def respelled(question: str, known_form: Callable[[str], str | None]) -> str:
    """The question with each slip of the keys the corpus can read (`known_form`: the corpus's stem for a search term,
    its own or a near one of its word family, or None) put right."""
    return _WORD.sub(lambda found: _meant(found.group(), known_form) or found.group(), question)


def _meant(word: str, known_form: Callable[[str], str | None]) -> str | None:
    """The one word the corpus uses that `word`, typed in lower case, is a slip away from, if `word` is no word the
    corpus or English uses; None otherwise. A capital may start a name ("Peirson" is not "person"); with two such
    words, which was meant is a guess ("unecessary": "unnecessary", or "necessary"?)."""
    if not word.islower() or not is_unheard_of(word) or any(known_form(term) for term in terms(word)):
        return None
    # a word English never writes may be a slip for one of the corpus's names ("soerset"), a rare one only for a word
    # of standard English ("budges" is no slip for "budgets")
    readable = [c for c in _one_slip_away(word) if is_standard_word(c) or is_never_written(word)]
    meant: dict[tuple[str, ...], str] = {}  # by the terms searched: "trailblazer" and "trailblaze" are one reading
    for candidate in readable:
        found = tuple(terms(candidate))
        if found and all(_uses(term, known_form, is_standard_word(candidate)) for term in found):
            meant.setdefault(found, candidate)
    return next(iter(meant.values())) if len(meant) == 1 else None


def _uses(term: str, known_form: Callable[[str], str | None], standard: bool) -> bool:
    """Does the corpus use the term: a word of standard English in its word family ("suport": "support", "supported"),
    any other only as it is (the near stems of a made-up spelling are many)."""
    found = known_form(term)
    return found is not None and (standard or found == term)


@lru_cache(maxsize=4096)
def _one_slip_away(word: str) -> tuple[str, ...]:
    """The spellings two neighbours swapped, one letter dropped or added away: words of standard English first, then
    the commoner slips."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swapped = [left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1]
    dropped = [left + right[1:] for left, right in splits if right]
    added = [left + letter + right for left, right in splits for letter in _LETTERS]
    return tuple(sorted(dict.fromkeys(swapped + dropped + added), key=lambda w: not is_standard_word(w)))
