"""Text helpers every stage shares: search terms, sentences, Markdown escaping, names.

The leaf of the package: it imports nothing of ours but frequencies.py (a leaf too), so any stage may
import it.

    >>> terms("How was the co-production funded?")
    ('coproduct', 'product', 'fund')
"""

from __future__ import annotations

import re
from functools import lru_cache

from .frequencies import zipf

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves tell me please us one ones get got make made way ways""".split()
)
# the asker speaking of themselves: "we're a small charity", "can I ...?", "our board"
FIRST_PERSON = re.compile(r"\b(i|i['’]?m|we|we['’]re|we['’]ve|us|our|my)\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
TERMS_KEPT = 4096  # texts whose terms are kept; ~60 sentences an answer, a few MB at most
WORDS_KEPT = 16384  # words whose frequency is kept: a question asks of a few, and a corpus holds some thousands
# a word, its apostrophe suffix ("SIFA's", "don't") and hyphenated parts ("co-production")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?(?:[-‐][^\W_]+)*", re.UNICODE)
_HYPHEN = re.compile(r"[-‐]")
_CLITIC = re.compile(r"'(s|d|m|re|ve|ll)$")  # "SIFA's" -> "sifa", "we're" -> "we"
_NEGATION = re.compile(r"^(\w+)n't$")  # "don't" -> "do", "can't" -> "can"
_NEGATED = {"ca": "can", "wo": "will", "sha": "shall"}
_SENTENCE_END = re.compile(r"(?<=[.!?…])['’\"”)]?\s+(?=['‘\"“(£$]?[A-Z0-9])")
_CURLY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
# a capitalised word that does not open a sentence: a name, mostly ("SIFA", "Birmingham", "P3")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'’&-]*")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$@])")
# what Markdown turns into a link without brackets: "https://...", "www.example.org", "mailto:"
_BARE_LINK = re.compile(r"(?i)\b(https?|ftp|mailto|file|data|javascript)(:)|\b(www)(\.)")
# characters XML 1.0 (and so a Word file) cannot hold: C0 controls but tab and line ends, U+FFFE/F
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
# a sentence that leans on the one before it: "This has not been ...", "For example, ...", "However, ..."
_REFERS_BACK = re.compile(
    r"^\W*(this|that|these|those|it|its|they|their|them|such|however|but|also|likewise|similarly|overall|"
    r"alongside|therefore|as a result|for example|for instance|in addition|in turn|again|even so|otherwise|"
    r"here|there|both)\b",
    re.IGNORECASE,
)
# "these challenges", "those partners" early in a sentence: what they are was said before it
_POINTS_BACK = re.compile(r"^\W*(?:\S+\s+){1,7}?(these|those)\s+\w+", re.IGNORECASE)
# a run of capitalised words ("Women’s Resource Centre", "Somerset Mental Health Alliance"), whose
# initials people type ("WRC", "SMHA"); three letters at least, fewer make everyday words
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){2,}")
MIN_INITIALS = 3
# a run of capitalised words past a sentence's first word: "in Bristol", "across the North East"
_NAME_RUN = re.compile(r"(?<!^)(?<![.!?:•]\s)\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")
EVERYDAY_ZIPF = 6.0  # wordfreq's Zipf scale: "the" is 7.7, "weather" 4.9, "TUPE" 1.7
GENERAL_ZIPF = 5.5  # this common, a word names no subject: "anything" 5.55, "way" 6.0; "rough" is 4.5
STANDARD_ZIPF = 4.0  # "staff" 5.1, "volunteers" 4.3 are standard English; shorthand "ppl" 3.7, "yrs" 3.5, "orgs" 2.7 not
NAME_MAX_ZIPF = 3.0  # rarer than this in everyday English (wordfreq's Zipf scale): a name, not a word
# rarer than this, a word is one English has hardly heard of, a slip of the keys perhaps: "partnrship" 0, "memebers"
# 1.7, "suport" 1.8; "decile" is 2.0, "tacked" 2.9
UNHEARD_ZIPF = 2.0


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def _words(text: str) -> list[str]:
    """Lower-cased words; a hyphenated word also gives its joined form: "co-produce" -> "coproduce", "produce"."""
    found = []
    for word in _WORD.findall(text):
        word = _CLITIC.sub("", _NEGATION.sub(lambda m: _NEGATED.get(m.group(1), m.group(1)), straight_quotes(word.lower())))
        parts = _HYPHEN.split(word)
        found += ["".join(parts)] + [p for p in parts if len(p) > 2] if len(parts) > 1 else [word]
    return found


@lru_cache(maxsize=TERMS_KEPT)
def terms(text: str) -> tuple[str, ...]:
    """Search terms of a text: "How was it funded?" -> ("fund",). Kept for the last few thousand
    texts: question after question, the composer reads the same retrieved sentences."""
    words = [w for w in _words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return tuple(_stemmer().stemWords(words))


def split_sentences(text: str) -> list[str]:
    """Split prose at sentence ends: "It works. Honest!" -> ["It works.", "Honest!"]."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(0).rstrip())
        pieces.append(text[start:end].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def initialisms(text: str) -> list[str]:
    """The initials of every run of capitalised words in a text, and of each run within it of three
    words or more, lower-cased: "Somerset Mental Health Alliance" -> smha, smh, mha. A passage is
    then found by the acronym a user types for a name it spells out."""
    found = []
    for run in _CAPITALISED_RUN.findall(text):
        letters = "".join(word[0] for word in run.split()).lower()
        found += [letters[start:end] for start in range(len(letters))
                  for end in range(start + MIN_INITIALS, len(letters) + 1)]
    return found


def straight_quotes(text: str) -> str:
    """Typographic apostrophes and quotes as straight ones: they say the same."""
    return text.translate(_CURLY)


def tidy_title(title: str) -> str:
    """"... (P3 and Cohort 4 )", as the report prints it, as it is cited: "... (P3 and Cohort 4)"."""
    return re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", " ".join(title.split())))


def names_in(text: str) -> list[str]:
    """Capitalised words past each sentence's first: "We met Shelter in Birmingham." -> Shelter, Birmingham."""
    return _NAME.findall(text.strip())


def place_names_in(text: str) -> list[str]:
    """Runs of capitalised words past each sentence's first that name a country or one of its
    regions, counties or cities in ISO 3166 (pycountry): "in Bristol, across Somerset" -> Bristol,
    Somerset. A maintained list, not ours, so it knows the places of any corpus."""
    text = text.strip()
    found = []
    for run in _NAME_RUN.finditer(text):
        before = text[: run.start()].split()
        # "Women Centre": a name whose first word opens the line, not a place called "Centre"
        part_of_a_name = bool(before) and before[-1][:1].isupper() and before[-1].lower() not in STOPWORDS
        if place_countries(run.group()) and not part_of_a_name:
            found.append(run.group())
    return found


def place_countries(name: str) -> frozenset[str]:
    """The countries (ISO 3166 codes) with a place of this name: "Leeds" -> GB; "West" -> CM."""
    return _places().get(name, frozenset())


@lru_cache(maxsize=1)
def _places() -> dict[str, frozenset[str]]:
    import pycountry  # its data loads on first use; only building a catalogue needs it

    countries: dict[str, set[str]] = {}
    for place in [*pycountry.countries, *pycountry.subdivisions]:
        name = re.sub(r"\s*\[.*\]", "", place.name).split(",")[0].strip()  # "Bristol, City of" -> Bristol
        countries.setdefault(name, set()).add(getattr(place, "country_code", None) or place.alpha_2)
    return {name: frozenset(codes) for name, codes in countries.items()}


def multiword_names_in(text: str) -> list[str]:
    """Runs of three or more capitalised words past each sentence's first, in a text not written in
    title case: "What does the Charity Governance Code say?" -> Charity Governance Code."""
    text = text.strip()
    words = text.split()
    if sum(word[:1].isupper() for word in words) * 2 > len(words):  # "How Do Small Charities Share Risk?"
        return []
    return [run.group() for run in _CAPITALISED_RUN.finditer(text) if _NAME.match(text, run.start())]


def refers_back(sentence: str) -> bool:
    """Does the sentence need the one before it to make sense ("This enabled ...", "The Consortium
    has responded to these challenges by ...")?"""
    return _REFERS_BACK.match(sentence) is not None or _POINTS_BACK.match(sentence) is not None


def markdown_text(text: str) -> str:
    """Text shown literally when rendered as Markdown: no HTML, links (bracketed or bare), images,
    emphasis or maths from it. Everything a stranger wrote (corpus, question, comment, model)
    passes through here before Streamlit sees it."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _BARE_LINK.sub(lambda m: f"{m.group(1) or m.group(3)}\\{m.group(2) or m.group(4)}", escaped)


def printable(text: str) -> str:
    """Text without the control characters a Word file cannot hold (a stray \\x0c from a PDF)."""
    return _NOT_IN_XML.sub("", text)


@lru_cache(maxsize=WORDS_KEPT)
def _zipf(word: str) -> float:
    return zipf(_CLITIC.sub("", straight_quotes(word.lower())))  # the word list loads on first use


def is_everyday_word(word: str) -> bool:
    """Common in everyday English ("England", "I'd", "Mayor"), so not a name the corpus must know
    ("Barnardo's", "NSPCC"). Judged by wordfreq's frequency lists, not a hand-made list."""
    return _zipf(word) >= NAME_MAX_ZIPF


def is_general_word(word: str) -> bool:
    """So common it names no subject ("anything", "way", "thing"): a question using it is not
    about something new, whether or not the corpus uses the word."""
    return _zipf(word) >= GENERAL_ZIPF


def is_standard_word(word: str) -> bool:
    """A word of standard written English, not shorthand or a typo: "staff", not "ppl" or "memebers"."""
    return _zipf(word) >= STANDARD_ZIPF


def is_unheard_of(word: str) -> bool:
    """Hardly ever written in English: a name ("Lankelly"), or a slip of the keys ("partnrship")."""
    return _zipf(word) < UNHEARD_ZIPF


def is_never_written(word: str) -> bool:
    """Not in wordfreq's lists at all: a slip of the keys ("soerset") or a name English doesn't write, not a rare word
    ("budges")."""
    return _zipf(word) == 0


def word_rarity(word: str) -> float:
    """0 for the commonest English words, 1 for words wordfreq has never seen: "the" 0,
    "weather" 0.19, "VAT" 0.41, "TUPE" 0.72."""
    return max(0.0, (EVERYDAY_ZIPF - _zipf(word)) / EVERYDAY_ZIPF)
