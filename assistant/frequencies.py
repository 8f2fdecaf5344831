"""How common a word is in English: wordfreq's own list and tokenizer, held compactly.

wordfreq's lookup keeps its 321,000-word English list as a dictionary of Python strings: ~35 MB for
a server's whole life. Here the words are one sorted array of bytes beside their frequency bands
(~11 MB; ~0.15 s to build once per process, against ~0.08 s for wordfreq's dictionary), and the
list wordfreq loaded is let go.
`zipf` follows wordfreq's `zipf_frequency` step for step (tokens, digit runs, words of several
tokens, rounding); tests/test_frequencies.py holds it to wordfreq's own answers.

A leaf like text.py: it imports nothing of ours but memory.py, a leaf too.
"""

from __future__ import annotations

import gc
import math
import re
import threading

import numpy as np

from .memory import release_freed_memory

LANGUAGE = "en"
WORDLIST = "large"  # what wordfreq's default ("best") means for English
UNSEEN = 1e-9  # the frequency wordfreq gives a word it has never seen: Zipf 0
# a word wordfreq's tokenizer gives back as it is (all 289,023 such words of its English list, checked): looked up
# without the tokenizer, 19 -> 7 microseconds
_PLAIN_WORD = re.compile(r"[a-z]+")


class _Bands:
    """Each word's frequency band (wordfreq's centibels below the most frequent), found by binary
    search in one sorted array of the words' UTF-8 bytes (the longest is 34 bytes: ~11 MB)."""

    def __init__(self) -> None:
        from wordfreq import get_frequency_list

        bands = get_frequency_list(LANGUAGE, WORDLIST)  # band i holds the words at -i centibels
        words = np.array([w.encode("utf-8") for band in bands for w in band], dtype=np.bytes_)
        band_of = np.repeat(np.arange(len(bands), dtype=np.int16), [len(band) for band in bands])
        order = np.argsort(words, kind="stable")
        self.words, self.bands = words[order], band_of[order]
        del bands
        get_frequency_list.cache_clear()  # wordfreq's own copy, ~30 MB of strings, is no longer needed
        gc.collect()  # it is held in a reference cycle too: measured, only a collection frees it
        release_freed_memory()

    def frequency(self, token: str) -> float | None:
        from wordfreq import cB_to_freq

        key = token.encode("utf-8")
        if len(key) > self.words.itemsize:  # longer than any word of the list: not in it
            return None
        at = int(np.searchsorted(self.words, key))
        if at == len(self.words) or self.words[at] != key:
            return None
        return cB_to_freq(-int(self.bands[at]))


_bands: _Bands | None = None
_bands_lock = threading.Lock()


def _loaded() -> _Bands:
    """Built once per process, on first use (the server's warm-up thread and its first page may
    both ask at once)."""
    global _bands
    with _bands_lock:
        if _bands is None:
            _bands = _Bands()
        return _bands


def zipf(word: str) -> float:
    """wordfreq's `zipf_frequency(word, "en")`: 7.7 for "the", 4.9 "weather", 1.7 "TUPE", 0 unseen."""
    from wordfreq.numbers import digit_freq, smash_numbers
    from wordfreq.tokens import lossy_tokenize

    tokens = [word] if _PLAIN_WORD.fullmatch(word) else lossy_tokenize(word, LANGUAGE)
    bands = _loaded()
    one_over = 0.0
    for token in tokens:
        smashed = smash_numbers(token)  # digits count together: "2019" is looked up as "0000"
        frequency = bands.frequency(smashed)
        if frequency is None:
            return 0.0
        if smashed != token:
            frequency *= digit_freq(token)
        one_over += 1.0 / frequency  # a word of several tokens is rarer than any of them
    frequency = max(1.0 / one_over, UNSEEN) if tokens else UNSEEN
    frequency = round(frequency, math.floor(-math.log(frequency, 10)) + 3)  # wordfreq's 3 significant digits
    return round(math.log(frequency, 10) + 9, 2)
