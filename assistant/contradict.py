"""Does a sentence turn its source round? The source's words, made to say something else.

Similarity and word overlap cannot see an inversion: "Changing Lives never worked to build trust"
shares every word of "Changing Lives worked to build trust" bar one. Set beside the cited sentence
it restates most closely, a claim must keep that sentence's negations, never use the opposite of
its words, keep its numbers and names attached to what the source attaches them to, and have no
clause in another language. These are rules over words, not a model: they catch the common ways a
sentence reuses its source's words to say something else, and a faithful paraphrase that happens
to look like one (a double negative, "less open" for "more open ... than others") is dropped
rather than risked. Used by verify.py, after its own checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .parse import sentences_of
from .records import Passage
from .text import STOPWORDS, is_everyday_word, straight_quotes, terms, word_rarity

# The numbers below were chosen on tests/data/support_pairs.jsonl, the inversion checks alone
# (tests/test_verify_inversions.py prints the whole verifier's figures); each comment says what
# the neighbouring values cost there.

# Words that deny what follows them: "did not bid", "never worked", "without developing".
NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot unable fail fails failed "
                      "failing lack lacks lacked lacking".split())
# Search terms a negation governs: "did not [bid] for this [contract]". 1 misses 2 negations; 3 or
# more also deny what a double negative affirms ("Don't be scared or hesitant of [collaborating]"):
# 3 faithful pairs lost.
NEGATION_REACH = 2
# Words that open a new clause: what a negation, a name or a number reaches ends there.
_CLAUSE_OPENERS = frozenset("but because while whilst whereas although though which who whom whose yet however "
                            "so".split())

# A compact, general list of opposites in the manner of WordNet's antonym pairs: a sentence using a
# word of one side where the sentence it restates uses a word of the other says the opposite.
# Negative prefixes (unequal, non-oppressive, disagree, impossible) and over-/under- need no entry.
OPPOSITES = (
    ("more greater", "less fewer"),
    ("most", "least fewest"),
    ("large larger largest big bigger biggest major", "small smaller smallest little minor"),
    ("increase increased increases rise grow growth expand extend extended",
     "decrease decreased reduce reduced reduction reductions cut cuts fall shrink decline"),
    ("high higher highest", "low lower lowest"),
    ("many", "few"),
    ("often frequently regularly regular usually always", "rarely seldom occasionally"),
    ("well good better best positive", "badly bad worse worst poorly negative"),
    ("improve improved improves improvement", "worsen worsened worsens deteriorate"),
    ("share shares shared sharing acknowledge acknowledged recognise recognised raise reveal disclose",
     "hide hides hid hidden conceal concealed withhold withheld deny denied ignore ignored"),
    ("open", "closed secretive"),
    ("success successful succeed succeeded win won", "failure unsuccessful lose lost"),
    ("strong stronger strongest strengthen strengthens", "weak weaker weakest weaken weakens"),
    ("easy easier easily simple straightforward", "difficult hard harder challenging complex complicated"),
    ("quick quickly fast faster", "slow slowly slower"),
    ("early earlier before", "late later after"),
    ("first", "last"),
    ("important vital crucial essential key", "unimportant trivial irrelevant"),
    ("benefit benefits benefitted benefited advantage beneficial", "harm harms harmed disadvantage detrimental"),
    ("inside within", "outside"),
    ("together jointly", "alone separately apart"),
    ("include includes included inclusive", "exclude excludes excluded exclusive"),
    ("accept accepted", "reject rejected refuse refused"),
    ("gain gained gains", "loss lose lost"),
    ("national", "local"),
    ("internal", "external"),
    ("extensive wide broad", "limited narrow"),
    ("same similar", "different differ differing differs"),
    ("women woman girls", "men man boys"),
    ("mild", "severe"),
)
# a prefix before a word of five letters or more: "un" + "equal", "non-" + "oppressive", "over" + "performed"
_PREFIXED = re.compile(r"^(under|over|non-?|dis|un|in|im|ir|il)(\w{5,})$")
_OPPOSITE_PREFIX = {"over": "under", "under": "over"}  # any other prefix negates the bare word

# Numbers people write as words, so "five years" is "5 years". Not "one": more often a pronoun
# ("in one partnership") than a count.
_NUMBER_WORDS = {word: str(n) for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split()) if word != "one"}
_NUMBER_WORDS |= {word: str(10 * n) for n, word in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)}
# Search terms either side that tie a name to what is said of it (2: a name swap and a faithful pair
# lost; 3 to 6 the same), and a number, whose nearest words are its unit and its verb: "[supports]
# around 13,000 [people]" (1: a swap missed; 2 to 4 the same, but from 4 the words of the number
# before count too: "4,000 families a year and works with 12 groups" ties 12 to families).
CONTEXT_TERMS = 4
NUMBER_CONTEXT_TERMS = 2
# Terms only another number shares with one of the claim's for the two to count as swapped, when the
# restated sentence has the claim's number too (1: 2 faithful pairs lost; 3: 3 swaps missed).
NUMBER_MIN_SHARED = 2
# Terms a name of the restated sentence must share with one of the claim's (2: 4 name swaps missed;
# no faithful pair is lost at 1).
NAME_MIN_SHARED = 1

# A clause in another language: wordfreq's English list hardly knows its words. A word rarer than
# Zipf 2.5 ("confiaron" 0, "socios" 1.3, "nunca" 2.3; "sceptical" 3.1) that the cited passages do not
# use either is foreign. No English paraphrase has more than one in any eight words, no foreign
# clause fewer than three (4 in 8 misses nine; a window of 6 misses one, of 4 four; Zipf below 2.0
# misses six).
FOREIGN_MIN_RARITY = 0.58  # text.word_rarity is (6 - Zipf) / 6: Zipf below 2.5
FOREIGN_WINDOW = 8
FOREIGN_WORDS = 3

_TOKEN = re.compile(
    r"(?P<number>£?\d+(?:,\d{3})*(?:\.\d+)?(?:m\b|%)?)(?!\w)"
    r"|(?P<word>[^\W\d_][^\W_]*(?:['’][^\W\d_]+)?(?:[-‐][^\W_]+)*)"
    r"|(?P<stop>[,;:()\[\]–—!?]|\.(?!\d))")
_LETTERS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")  # written without spaces: a word a character
_PASSIVE_AUX = frozenset("is are was were be been being".split())


def inversion(sentence: str, cited: list[Passage]) -> str:
    """Why a sentence turns round the passages it cites, or "" if it does not. Set beside the cited
    sentence it restates most closely (the most search terms in common), it may deny what that says
    or drop its negation, use a word's opposite, tie a number or a name to something else, or slip
    into another language.

    "Changing Lives never worked to build trust", citing "Changing Lives worked to build trust ..."
    -> 'denies what the source says (“never”)'
    """
    sources = " ".join(p.text + " " + p.case_study for p in cited)
    foreign = _foreign_words(sentence, sources)
    if foreign:
        return f"not in English: “{foreign}”"
    known = frozenset().union(*(_known_names(p) for p in cited))
    sentences = [_Sentence(s, known) for p in cited for s in sentences_of(p)]
    if not sentences:
        return ""
    claim = _Sentence(sentence, known)
    aligned = _aligned(claim, sentences)
    opposite = _opposite_words(claim, aligned)
    if opposite:
        return f"says the opposite of the source: “{opposite[0]}” where it says “{opposite[1]}”"
    return (_negation_problem(claim, aligned) or _number_problem(claim, aligned, sentences)
            or _name_problem(claim, aligned, sentences))


@dataclass(frozen=True)
class _Token:
    text: str
    kind: str  # "word", "number" or "stop" (punctuation that ends a clause)
    terms: tuple[str, ...]  # its search terms; () for stopwords and numbers

    @property
    def lower(self) -> str:
        return straight_quotes(self.text.lower())

    @property
    def opens_clause(self) -> bool:
        return self.kind == "stop" or self.lower in _CLAUSE_OPENERS


@dataclass(frozen=True)
class _Mention:
    """A name in a sentence: tokens [start, end), its words in lower case (("cohort4",)) and as written."""

    start: int
    end: int
    key: tuple[str, ...]
    text: str


class _Sentence:
    """A sentence read once for the inversion checks: its tokens, search terms, names and numbers."""

    def __init__(self, text: str, known_names: frozenset[tuple[str, ...]]):
        self.tokens = _tokens(text)
        self.terms = frozenset(t for token in self.tokens for t in token.terms)
        self.mentions = _mentions(self.tokens, known_names)
        self.in_names = frozenset(i for m in self.mentions for i in range(m.start, m.end))
        self.name_terms = frozenset(t for i in self.in_names for t in self.tokens[i].terms)
        self.numbers = [(i, _number_value(t)) for i, t in enumerate(self.tokens)
                        if i not in self.in_names and _number_value(t)]
        self.doers = _passive_to_active(self.tokens, self.mentions)


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), m.lastgroup or "stop", tuple(terms(m.group())) if m.lastgroup == "word" else ())
            for m in _TOKEN.finditer(text)]


def _aligned(claim: _Sentence, sentences: list[_Sentence]) -> _Sentence:
    """The source sentence the claim restates: the most search terms in common, counting first the
    terms that are not names (a swapped name must not pick the sentence), then the shortest."""
    said = claim.terms - claim.name_terms
    return max(sentences, key=lambda s: (len(said & s.terms), len(claim.terms & s.terms), -len(s.terms)))


# --- negation

def _negation_problem(claim: _Sentence, source: _Sentence) -> str:
    """A term one sentence denies where the other states it plainly: "never worked to build trust"
    from "worked to build trust", or "which supports collaboration" from "which does not support"."""
    mine, theirs = _negation_status(claim), _negation_status(source)
    for term in sorted(mine.keys() & theirs.keys()):
        if mine[term] == {"denied"} and theirs[term] == {"plain"}:
            return f"denies what the source says (“{_negation_word(claim)}”)"
        if mine[term] == {"plain"} and theirs[term] == {"denied"}:
            return f"leaves out the source's “{_negation_word(source)}”"
    return ""


def _negation_status(sentence: _Sentence) -> dict[str, set[str]]:
    """Where each search term stands: "denied" within a negation's reach, "after" one further on in
    its clause, else "plain". "POhWER did not bid for this contract because ..." ->
    {"pohwer": {"plain"}, "bid": {"denied"}, "contract": {"denied"}, ...}."""
    status: dict[str, set[str]] = {}
    reach, negated = 0, False
    for i, token in enumerate(sentence.tokens):
        if token.opens_clause:
            reach, negated = 0, False
        if _is_negation(sentence.tokens, i):
            reach, negated = NEGATION_REACH, True
            continue
        for term in token.terms:
            status.setdefault(term, set()).add("denied" if reach else "after" if negated else "plain")
        if token.terms and reach:
            reach -= 1
    return status


def _is_negation(tokens: list[_Token], i: int) -> bool:
    word = tokens[i].lower
    if word == "not" and i + 1 < len(tokens) and tokens[i + 1].lower == "only":
        return False  # "not only X but also Y" says X
    return word in NEGATIONS or word.endswith("n't")


def _negation_word(sentence: _Sentence) -> str:
    return next(t.text for i, t in enumerate(sentence.tokens) if _is_negation(sentence.tokens, i))


# --- opposites

def _opposite_words(claim: _Sentence, source: _Sentence) -> tuple[str, str] | None:
    """A word of the claim, and the word of the source it turns round: ("badly", "well"),
    ("unequal", "equal"), ("overperformed", "underperformed")."""
    mine, theirs = _words(claim), _words(source)
    opposites = _opposites()
    for stem, word in mine.items():
        for other in opposites.get(stem, ()):
            if stem not in theirs and other in theirs and other not in mine:
                return word, theirs[other]
    for ours, others, flip in ((mine, theirs, False), (theirs, mine, True)):
        for stem, word in ours.items():
            split = _prefixed(word)
            if not split or stem in others:
                continue
            prefix, base = split
            wanted = _OPPOSITE_PREFIX.get(prefix, "")
            for other_stem, other_word in others.items():
                turned = _prefixed(other_word) == (wanted, base) if wanted else other_stem == base
                if turned and other_stem not in ours:
                    return (other_word, word) if flip else (word, other_word)
    return None


@lru_cache(maxsize=1)
def _opposites() -> dict[str, frozenset[str]]:
    """OPPOSITES by stem: {"regular": {"rare", "seldom", "occasion"}, ...}."""
    found: dict[str, frozenset[str]] = {}
    for one, other in OPPOSITES:
        ones, others = frozenset(map(_stem, one.split())), frozenset(map(_stem, other.split()))
        for side, opposite in ((ones, others), (others, ones)):
            for stem in side:
                found[stem] = found.get(stem, frozenset()) | opposite
    return found


def _stem(word: str) -> str:
    """A word's search term, or the word itself if it is a stopword ("more", "few", "before")."""
    return (terms(word) or [word.lower()])[0]


def _words(sentence: _Sentence) -> dict[str, str]:
    """The stem of every word, stopwords too, with the word as written."""
    return {_stem(t.lower): t.text for t in sentence.tokens if t.kind == "word"}


def _prefixed(word: str) -> tuple[str, str] | None:
    """ "unequal" -> ("un", "equal"), "overperformed" -> ("over", "perform"); None without a prefix."""
    match = _PREFIXED.match(word.lower())
    return (match.group(1).rstrip("-"), _stem(match.group(2))) if match else None


# --- numbers

def _number_problem(claim: _Sentence, aligned: _Sentence, sentences: list[_Sentence]) -> str:
    """A number of the claim said of what the source says another number of ("P3 supports around 3
    people a week" where the source has 13,000 people a week, and 3 for one service), or away from
    every place the source gives it.

    Only the words that tell two numbers apart count: "supports around" is said of both 13,000 and
    3 above, "people a week" of 13,000 alone."""
    for index, value in claim.numbers:
        context = _number_context(claim, index)
        own_places = [_number_context(s, i) for s in sentences for i, number in s.numbers if number == value]
        if not own_places:
            continue  # a number the source lacks is _missing_facts' to report
        own = frozenset().union(*own_places)
        restated = any(number == value for _, number in aligned.numbers)
        for sentence in sentences:
            for i, number in sentence.numbers:
                other = _number_context(sentence, i)
                taken, kept = len(context & other - own), len(context & own - other)
                # one word is evidence enough only against a number the restated sentence lacks
                if number != value and taken > kept and (taken >= NUMBER_MIN_SHARED or not restated):
                    return f"number swapped: the source says {claim.tokens[index].text} of something else"
        if not context & own and not restated:
            return f"number not where the source gives it: {claim.tokens[index].text}"
    return ""


def _number_value(token: _Token) -> str:
    """ "£7.4m" -> "7.4", "13,000" -> "13000", "five" -> "5"; "" if the token is no number."""
    if token.kind == "number":
        return re.sub(r"[£,%m]", "", token.text)
    return _NUMBER_WORDS.get(token.lower, "") if token.kind == "word" else ""


def _number_context(sentence: _Sentence, i: int) -> frozenset[str]:
    """The search terms either side of the number at token i, NUMBER_CONTEXT_TERMS each, past names
    and the comma right after an opening "In 2016,": "In 2016, Shelter subcontracted SIFA to
    co-deliver" -> {"subcontract", "codeliv", "deliv"}. Which side does not matter: "63% budget
    reductions" are "budget reductions of 63%"."""
    before = _neighbours(sentence, range(i - 1, -1, -1), NUMBER_CONTEXT_TERMS, through_names=True, past_comma=True)
    after = _neighbours(sentence, range(i + 1, len(sentence.tokens)), NUMBER_CONTEXT_TERMS, through_names=True,
                        past_comma=True)
    return frozenset(before + after)


def _neighbours(sentence: _Sentence, indices: range, size: int, through_names: bool,
                past_comma: bool = False) -> list[str]:
    """The first `size` words' search terms from tokens `indices` on, up to the clause's end or
    (unless `through_names`) a name; names and numbers give none."""
    found: list[str] = []
    taken = 0
    for n, i in enumerate(indices):
        token = sentence.tokens[i]
        in_name = i in sentence.in_names
        if token.opens_clause and not (past_comma and n == 0 and token.text == ","):
            break
        if (in_name and not through_names) or taken == size:
            break
        if token.terms and not in_name and not _number_value(token):
            found += token.terms
            taken += 1
    return found


# --- names

def _context(sentence: _Sentence, start: int, end: int, through_names: bool = False) -> frozenset[tuple[str, str]]:
    """What a sentence says of the name at tokens [start, end): the search terms of CONTEXT_TERMS
    words before ("<") and after (">") it, up to the clause's end or (unless `through_names`) another
    name. The side matters: who did what to whom. "P3 leased a house and funded Cohort4" ->
    P3: {(">", "leas"), (">", "hous"), (">", "fund")}."""
    before = _neighbours(sentence, range(start - 1, -1, -1), CONTEXT_TERMS, through_names)
    after = _neighbours(sentence, range(end, len(sentence.tokens)), CONTEXT_TERMS, through_names)
    return frozenset([("<", t) for t in before] + [(">", t) for t in after])


def _name_problem(claim: _Sentence, aligned: _Sentence, sentences: list[_Sentence]) -> str:
    """A name doing what the source says another did: "Cohort 4 leased a house and funded P3" from
    "P3 leased a house and funded Cohort4".

    A name of the claim is swapped when what the claim says of it matches what the restated sentence
    says of another name better than anything the source says of it, unless the claim also has that
    other name still doing what the source has it do."""
    def matches(context: frozenset[tuple[str, str]], key: tuple[str, ...]) -> int:
        return max((len(context & _context(s, m.start, m.end)) for s in sentences for m in s.doers
                    if _same_name(m.key, key)), default=0)

    for mention in claim.doers:
        context = _context(claim, mention.start, mention.end)
        own = matches(context, mention.key)
        for rival in aligned.doers:
            if _same_name(rival.key, mention.key):
                continue
            if len(context & _context(aligned, rival.start, rival.end)) <= max(own, NAME_MIN_SHARED - 1):
                continue
            rival_kept = any(
                matches(both_sides, rival.key) > matches(both_sides, mention.key)
                for m in claim.doers if _same_name(m.key, rival.key)
                for both_sides in [_context(claim, m.start, m.end, through_names=True)])
            if not rival_kept:
                return f"names swapped: the source says this of {rival.text}, not {mention.text}"
    return ""


def _known_names(passage: Passage) -> frozenset[tuple[str, ...]]:
    """The names a passage uses: its organisations, and words written with a capital where a
    sentence does not start (or, at its start, that are not everyday English: "POhWER is ...",
    not "Collaboration works.")."""
    names = {_name_key(_tokens(o)) for o in passage.organisations}
    for sentence in sentences_of(passage):
        tokens = _tokens(sentence)
        for start, end in _capitalised_runs(tokens):
            if start > 0 or end - start > 1 or not is_everyday_word(tokens[start].text):
                names.add(_name_key(tokens[start:end]))
    return frozenset(n for n in names if n)


def _mentions(tokens: list[_Token], known: frozenset[tuple[str, ...]]) -> list[_Mention]:
    """The known names in a sentence, the longest that fits first within each capitalised run."""
    found = []
    for run_start, run_end in _capitalised_runs(tokens):
        start = run_start
        while start < run_end:
            for end in range(run_end, start, -1):
                key = _name_key(tokens[start:end])
                if any(_same_name(key, name) for name in known):
                    found.append(_Mention(start, end, key, " ".join(t.text for t in tokens[start:end])))
                    start = end
                    break
            else:
                start += 1
    return found


def _capitalised_runs(tokens: list[_Token]) -> list[tuple[int, int]]:
    """Spans of words written with a capital, and numbers that follow one: "Cohort 4", "P3",
    "London VAWG Consortium"; without leading stopwords or numbers ("The", "In 2016")."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, token in enumerate([*tokens, _Token("", "stop", ())]):
        if (token.kind == "word" and token.text[0].isupper()) or (token.kind == "number" and start is not None):
            start = i if start is None else start
            continue
        while start is not None and start < i and (tokens[start].lower in STOPWORDS or tokens[start].kind == "number"):
            start += 1
        if start is not None and start < i:
            runs.append((start, i))
        start = None
    return runs


def _name_key(tokens: list[_Token]) -> tuple[str, ...]:
    """A name's words in lower case, without "'s", a number joined to the word before it:
    "Cohort 4" and "Cohort4" -> ("cohort4",), "Women’s Resource Centre" -> ("women", "resource", "centre")."""
    words: list[str] = []
    for token in tokens:
        if token.kind == "number" and words:
            words[-1] += token.text
        else:
            words.append(re.sub(r"'s?$", "", token.lower))
    return tuple(words)


def _same_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One name is the other, or its first or last words ("SIFA" is "SIFA Fireside", "Consortium" the
    "London VAWG Consortium"), or the other with two letters swapped (the corpus writes "POhWER" and
    "Powher")."""
    if len(a) == len(b) == 1 and len(a[0]) == len(b[0]) >= 5:
        differ = [i for i, (x, y) in enumerate(zip(a[0], b[0], strict=False)) if x != y]
        if len(differ) == 2 and differ[1] == differ[0] + 1 and a[0][differ[0]] == b[0][differ[1]]:
            return True
    short, long = sorted((a, b), key=len)
    return bool(short) and short in (long[: len(short)], long[-len(short):])


def _passive_to_active(tokens: list[_Token], mentions: list[_Mention]) -> list[_Mention]:
    """The names with a passive clause's two exchanged, so that the name before the verb is the one
    who acted: "SIFA was subcontracted by Shelter" reads as "Shelter subcontracted SIFA"."""
    doers = list(mentions)
    for i, subject in enumerate(mentions):
        after = [t.lower for t in tokens[subject.end: subject.end + 2]] + ["", ""]
        if after[0] not in _PASSIVE_AUX and not (after[0] in ("has", "have", "had") and after[1] == "been"):
            continue  # neither "SIFA was ..." nor "SIFA has been ..."
        for j, agent in enumerate(mentions[i + 1:], i + 1):
            between = [t for t in tokens[subject.end: agent.start] if t.lower != "the"]
            if any(t.opens_clause for t in between):
                break
            if between and between[-1].lower == "by":
                doers[i] = _Mention(subject.start, subject.end, agent.key, agent.text)
                doers[j] = _Mention(agent.start, agent.end, subject.key, subject.text)
                break
    return doers


# --- another language

def _foreign_words(text: str, sources: str) -> str:
    """The words of a run English hardly knows and the sources never use: a clause in another
    language. "..., pero los socios nunca confiaron en ellos." -> "socios nunca confiaron"."""
    known = {straight_quotes(w.lower()) for w in _LETTERS.findall(sources)}
    words = [c for w in _LETTERS.findall(text) for c in (list(w) if _HAN_OR_KANA.match(w) else [w])]
    foreign = [straight_quotes(w.lower()) not in known and word_rarity(w) > FOREIGN_MIN_RARITY for w in words]
    for start in range(len(words)):
        window = range(start, min(start + FOREIGN_WINDOW, len(words)))
        if sum(foreign[i] for i in window) >= FOREIGN_WORDS:
            return " ".join(words[i] for i in window if foreign[i])
    return ""
