"""Does the corpus cover a question? Decided before anything is composed, with three outcomes:
answered; "not directly covered" (the closest passages, cited and labelled as such); declined.

The decision is a logistic model over signals that survive rewording, fitted on labelled
questions written in users' words (tests/data/calibration/, `python eval/calibrate.py`):
- the best *sentence*'s similarity to the question, and the best passage's;
- agreement of the dense and keyword rankings (the top hit's fused score: 1.0 means first in both);
- how much of the question the corpus's vocabulary knows, and how rare in everyday English
  (wordfreq) the words it does not know are: "sourdough" and "TUPE" are telling, "tbh" is not;
- whether the question was narrowed to named case studies (a filter, a name, a follow-up);
- the margin of its nearest in-scope example question over its nearest out-of-scope one
  (content/scope_examples.jsonl: the off-domain questions people ask, legal duties, VAT, TUPE, ...).
A name the corpus never uses that is not an everyday word ("Barnardo's", not "England") is
declined outright, but for the place the asker says they are in ("we're near Nuneaton") and an acronym the
passages found spell out ("EOI": "an expression of interest"): the case studies would be answering about
someone else. A question asking for a
sum, a date, a length of time, a number, a size, a share, a person's name, contact details, a place (one it does
not name itself: "which London boroughs?" is not answered by "across London"), whether something still
holds, or whether a bid was won or a contract renewed (asks.py) that none of the sentences nearest it
carries is at best "not directly covered" (as is any fact of how things stand now, asked of no case study: "right now",
"this year"): the case studies discuss the topic without giving the fact.
So is one asking to have named things listed, their count given ("what are the other 11 Trailblazer areas?"), when
no passage found lists them ("one of 12 Trailblazer areas" names none of the others).
So is one asking which organisation did something when the nearest sentence that speaks of it leaves it
unnamed ("a local authority had merged ..."), and one asking what letters stand for when no run of
words in the passages found spells them ("what does SWEDA stand for?").
"How many staff?" is not answered by "16 smaller organisations": a count must count the thing asked about
(or its kin: partners, providers), and a thing the corpus never names (a population) is not counted by it at all,
nor is one the sentence nearest the question leaves uncounted ("some partners underperformed"); "what's
their income?" is not answered by "the £7.4m contract": a sum must be of what is asked about, and a share
of what a rate is asked of ("the success rate of bids" is not "more than 50% from BME communities").
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .asks import (
    ACRONYM_LETTERS,
    BEGINNING_TERMS,
    OUTCOME_TERMS,
    PROVABLY_MISSING,
    SIZE_TERMS,
    STANDING_FOR_A_NAME,
    acronyms_to_expand,
    asks_for_writing,
    carries_fact,
    counted_words,
    counts,
    counts_vaguely,
    enumerated_terms,
    expands,
    fact_kinds,
    leaves_unnamed,
    lists,
    mentions,
    named_nouns,
    priced_terms,
    rated_terms,
    spells_out,
    tells_a_beginning,
)
from .embed import embedded_once
from .errors import AssistantError
from .keyword import KeywordIndex
from .parse import sentences_of
from .records import Embedder, Hit
from .text import (
    FIRST_PERSON,
    STOPWORDS,
    YEAR,
    initialisms,
    is_everyday_word,
    is_general_word,
    is_standard_word,
    markdown_text,
    multiword_names_in,
    names_in,
    terms,
    word_rarity,
)

# Fitted by eval/calibrate.py (session 12) on tests/data/calibration/*.jsonl, tests/data/scope_questions.jsonl
# and every tune half, each question's signals read out of fold (a model adapted without it, the scope
# examples without it: eval/out_of_fold.py); see that script's output in the README, "How refusal works".
# Weights fitted on in-sample signals had expected too much of a new user's answerable questions.
WEIGHTS = {
    "best_sentence": 1.22,
    "best_passage": -0.10,
    "agreement": 2.17,
    "known_share": 0.83,
    "unknown_rarity": -0.90,
    "focused": 0.36,
    "example_margin": 9.95,
}
BIAS = -2.95
# Below the answering threshold (settings.refusal_threshold, a probability) but above this share
# of it: "not directly covered", with the closest passages; below: declined.
CLOSEST_SHARE = 0.4
# Under a filter to case studies (Browse's "Ask about ...", or Focus), the filter is the question's scope and its own
# words may name nothing ("key takeaways?", "what did the big charity actually do here?"): the answering threshold is
# this share of the usual one. The threshold's own rule (the highest whose false refusals stay within 2%), applied to
# the labelled questions asked under a filter (tune halves and ours: 249 answerable, 29 out of scope), gives 0.35 of
# 0.5 (session 32): false refusals 9 -> 4, out of scope answered 5 -> 5.
FILTERED_SHARE = 0.7
NEAREST_SIMILARITY = 0.15  # a passage this far from the question is not offered as a nearest topic
# sentences, nearest the question first, that must carry the fact a question asks for; measured on
# the labelled sets once a date had to be a year or a month and a count had to count the thing asked
# about: at 8, two answerable questions (the year the Somerset alliance formed, asked at length) had
# their year further down; at 12, one, and 24 of the 40 in tests/data/calibration/facts.jsonl are
# declined or offered as closest (25 at 8)
FACT_SENTENCES = 12
# the fact kinds said of something (a contract's length, a grant's sum), which a question names: asked
# about a named case study, 31 of the 40 in facts.jsonl declined or offered as closest (26 before), none
# of its 60 answerable ones more, and no tune question moved. A date too, read from the clause asking for it
# ("what year was SIFA founded?" is not "In 2016, Shelter subcontracted SIFA"): out of fold, tune halves declined
# 104 -> 105 of 107, users_words sets 188 -> 189 of 207, nothing refused that was answered (on the whole question,
# "when was the alliance set up and under what national programme?" had been refused). What came of a bid or a
# contract, and whether something still holds, too (session 26): "did SIFA win the 2019 bid?" is not "vital to
# successful collaboration"
SAID_OF_A_SUBJECT = frozenset({"duration", "money", "size", "date", "present", "won", "renewed"})
# sentences nearest a "which organisation" question that may show it unnamed: the first of 12 that spoke of
# one had refused "which organisation recruited a delivery network manager?" over "Touchstone supported one
# partner ..." (59 questions written to attack the rule: 5 of 37 answerable refused by it -> 1; 1 to 3 the same)
UNNAMED_NEAREST = 2
# where a question goes on to ask something else: "... set up, and under what programme?"
_CLAUSE_BREAK = re.compile(r"(?:[,;]|\band\b)\s+(?=(?:[\w'’]+\s+){0,2}?(?:what|which|who|how|when|where|why)\b)", re.IGNORECASE)
# a pronoun standing for what the question names in another clause (out of fold: false refusals -2 of 2,225, both in
# fresh17's tune half; no other answer changed)
_LEANS_ON_ANOTHER_CLAUSE = re.compile(r"\b(it|its|they|them|their)\b", re.IGNORECASE)  # not "when was that?": an event

# where the asker is: "I'm at a social enterprise near Nuneaton", "we're a charity in St Helens", "we operate in
# Wrexham and Flintshire"; not "we got a grant from Lankelly Chase" nor "I'm interested in Barnardo's". The place is
# theirs, not what they ask about (a place is not possessive nor in capitals: "a volunteer in Oxfam's shop", "in Hull
# and NSPCC want us"); of ~3,500 labelled questions the one naming a place this way was answerable, and no
# out-of-scope question's unknown name follows such words
_LOCATED = re.compile(r"(?i:\b(?:near|around|outside|(?:i['’]?m|i am|we['’]re|we are|us|here|based|located|operate|operating"
                      r"|work|working|live|living)\s+in|(?:i['’]?m|i am|we['’]re|we are)\s+an?\s+(?:[\w'’-]+\s+){0,4}?in))"
                      r"\s+(?:the\s+)?(?P<place>[A-Z][a-z][\w-]*(?:\s+(?:and\s+)?[A-Z][a-z][\w-]*)*)(?![\w'’])")
# a fact of how things stand now, said outright: not "now", which also tells a story ("and now they won't go near a joint
# bid"), nor "these days", "today" or "the latest", said loosely ("what do small charities bring to partnerships these
# days?"); and a fact ("how big are the cuts right now?"), not advice ("what are the main challenges at the moment?",
# which a review found turned into the closest). Out of fold on the tune halves and our sets, declined +2 of 884, nothing
# else moved
_ASKS_HOW_THINGS_STAND = re.compile(r"\b(right now|at the moment|at present(?!-)|currently|this year)\b", re.IGNORECASE)

ANSWERED, CLOSEST, DECLINED = "answered", "closest", "declined"


@dataclass(frozen=True)
class Signals:
    best_sentence: float
    best_passage: float
    agreement: float
    known_share: float
    unknown_rarity: float
    focused: float
    example_margin: float

    def as_row(self) -> list[float]:
        return [getattr(self, name) for name in WEIGHTS]


@dataclass(frozen=True)
class Coverage:
    signals: Signals
    probability: float
    unknown_names: tuple[str, ...]
    threshold: float
    missing_fact: str = ""  # the kind of fact asked for ("money", "date", ...) that no near sentence carries
    writing: bool = False  # asked for a piece of writing ("draft a press release"), not what the case studies say

    @property
    def outcome(self) -> str:
        if self.writing or self.unknown_names or self.probability < CLOSEST_SHARE * self.threshold:
            return DECLINED
        return ANSWERED if self.probability >= self.threshold and not self.missing_fact else CLOSEST

    @property
    def covered(self) -> bool:
        return self.outcome == ANSWERED


def unknown_names(question: str, keyword: KeywordIndex) -> tuple[str, ...]:
    """Capitalised words, not opening a sentence, that neither the corpus nor everyday English uses, but for
    the place the asker says they are in;
    names of three capitalised words or more that the corpus never spells out, though each word
    is everyday English ("the Charity Governance Code"): the corpus knows its names by their initials;
    and years after the latest the corpus can tell of (published in, or names): what happened since, it cannot."""
    names = [year for year in YEAR.findall(question) if keyword.latest_year and int(year) > keyword.latest_year]
    askers_place = _askers_place(question)
    for word in names_in(question):
        word_terms = terms(word)
        if word_terms and not any(keyword.knows(t) for t in word_terms) and not is_everyday_word(word) \
                and word not in askers_place:
            names.append(word.rstrip("'’"))
    names += [name for name in multiword_names_in(question) if not any(keyword.knows(i) for i in initialisms(name))]
    return tuple(dict.fromkeys(names))


def _askers_place(question: str) -> set[str]:
    """The words naming where the asker says they are, in a clause of their own (one with "I" or "we" in it)."""
    words: set[str] = set()
    for found in _LOCATED.finditer(question):
        clause = re.split(r"[.?!;,]", question[: found.start("place")])[-1]
        if FIRST_PERSON.search(clause):
            words.update(found.group("place").split())
    return words


class ScopeExamples:
    """Questions labelled in or out of scope, embedded once (and cached beside the index)."""

    def __init__(self, questions: list[str], in_scope: list[bool], vectors: np.ndarray):
        self.questions = [q.lower() for q in questions]
        self.in_scope = np.array(in_scope, dtype=bool)
        self.vectors = vectors

    @classmethod
    def load(cls, path: Path, embedder: Embedder, cache_dir: Path) -> "ScopeExamples":
        try:
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            questions, labels = [str(r["question"]) for r in rows], [bool(r["in_scope"]) for r in rows]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise AssistantError(f"the scope examples {path} cannot be read ({error}): restore the file from git, "
                                 "or point ASSISTANT_SCOPE_EXAMPLES_FILE at a JSON-lines file of "
                                 '{"question": ..., "in_scope": true|false}') from error
        return cls(questions, labels, embedded_once(questions, embedder, cache_dir, "scope-examples"))

    def margin(self, vector: list[float], exclude: str = "") -> float:
        """Similarity of the nearest in-scope example minus that of the nearest out-of-scope one
        (`exclude`: a question not to compare with itself, when calibrating)."""
        if not len(self.questions) or self.in_scope.all() or not self.in_scope.any():
            return 0.0
        similarity = self.vectors @ np.asarray(vector, dtype=np.float32)
        if exclude:
            similarity = np.where([q == exclude.lower() for q in self.questions], -1.0, similarity)
        return float(similarity[self.in_scope].max() - similarity[~self.in_scope].max())


def signals(question: str, hits: list[Hit], keyword: KeywordIndex, focused: bool, example_margin: float) -> Signals:
    """The coverage signals of a question (its own words) over the hits retrieved for it."""
    words = [w for w in re.findall(r"[^\W_]+(?:['’][^\W_]+)?", question) if w.lower() not in STOPWORDS]
    unknown = [w for w in words if (t := terms(w)) and not any(keyword.knows(x) for x in t)]
    question_terms = terms(question)
    known = sum(1 for t in question_terms if keyword.knows(t))
    return Signals(
        best_sentence=max((s for h in hits for s in h.sentence_similarities), default=0.0),
        best_passage=max((h.similarity for h in hits), default=0.0),
        agreement=max((h.score for h in hits), default=0.0),  # the first hit's, unless questions asked before reordered them
        # "who's in it?" under a filter or after an answer: the case study narrowed to is the question's content (all 7
        # labelled questions without a content word are such, and answerable); alone ("who are you?") it has none
        known_share=known / len(question_terms) if question_terms else float(focused),
        unknown_rarity=max((word_rarity(w) for w in unknown), default=0.0),
        focused=1.0 if focused else 0.0,
        example_margin=example_margin,
    )


def missing_fact(question: str, hits: list[Hit], keyword: KeywordIndex, focused: bool = False) -> str:
    """The kind of fact the question asks for, if none of the sentences nearest it carries one (of
    the kinds whose absence that shows: asks.PROVABLY_MISSING). A fact of how things stand now ("right now", "this
    year"), asked of no case study and not of the asker's own situation, none carries: the case studies are dated. What a
    "how many" question counts must be what a number counts, when its head noun is a word of standard English or of the corpus:
    "staff" can be judged, shorthand ("partner orgs", "ppl") can't; and what the corpus never names
    ("staff") no number in it counts, not even a bare one ("supports around 3."). Asked about a named case study
    (`focused`), a length of time or a sum must be said of something the question names: "how long
    is the London Councils grant?" is not answered by "consortiums require investment over three to
    five years"; a size too, when a sentence near speaks of what it is asked of ("how large were the
    innovation grants?"). A count the sentence nearest the question leaves unsaid ("some partners
    underperformed") is missing. "name" when the question asks which organisation, and the nearest sentence that speaks
    of one leaves it unnamed (tune halves out of fold: declined 85 -> 87 of 92; our users_words sets
    178 -> 183 of 207; false refusals the same). "expansion" when the question asks what an acronym
    stands for and no sentence of the passages found spells it out (tune 87 -> 88, users_words 183 -> 184)."""
    if not focused and fact_kinds(question) and _ASKS_HOW_THINGS_STAND.search(question) \
            and not FIRST_PERSON.search(question):
        return "present"  # "how big are the cuts to youth budgets right now?": the world now, which no case study tells
    acronyms = acronyms_to_expand(question)
    if acronyms and not any(expands(sentence, acronym) for hit in hits for sentence in sentences_of(hit.passage)
                            for acronym in acronyms):
        return "expansion"  # spelt out nowhere in the passages found for it: "what does SWEDA stand for?"
    nouns = named_nouns(question)
    kinds = [kind for kind in fact_kinds(question) if kind in PROVABLY_MISSING]
    if not nouns and not kinds:
        return ""
    nearest: list[tuple[float, str]] = []
    for hit in hits:
        nearest += zip(hit.sentence_similarities, sentences_of(hit.passage), strict=False)
    nearest.sort(key=lambda pair: -pair[0])
    speaking_of_it = [sentence for _, sentence in nearest[:UNNAMED_NEAREST] if nouns and mentions(sentence, nouns)]
    if speaking_of_it and leaves_unnamed(speaking_of_it[0], nouns):
        return "name"  # the nearest sentence that speaks of it doesn't name it: "a local authority had merged ..."
    if "list" in kinds:
        if not any(lists(hit.passage.text, enumerated_terms(question)) for hit in hits):
            return "list"  # counted, not named: "one of 12 Trailblazer areas" lists none of the other 11
        kinds.remove("list")  # listed: what else the question asks is judged as usual
    if not kinds:
        return ""
    counted = counted_words(question)
    if set(terms(" ".join(counted))) <= _organisation_terms(hits):
        counted = []  # "any stats on Changing Lives?": figures of an organisation, not a count of it
    judged = counted and (is_standard_word(counted[-1]) or any(keyword.knows(t) for t in terms(counted[-1])))
    if judged and "number" in kinds and not any(keyword.knows(t) for t in terms(" ".join(counted))):
        return "number"  # "how many staff?": what the case studies never speak of, they don't count
    counted_terms = frozenset(terms(" ".join(counted))) if judged else frozenset()
    if counted_terms and nearest and counts_vaguely(nearest[0][1], counted_terms) and not counts(nearest[0][1], counted_terms):
        # the sentence nearest "how many partners underperformed?" says "some partners underperformed" (out of fold:
        # our sets declined +3 of 738, nothing else moved)
        return "number"
    said_of = SAID_OF_A_SUBJECT.intersection(kinds)
    subject = _subject(question, hits, said_of) if focused and said_of else frozenset()
    subject = frozenset(keyword.known_form(term) or term for term in subject)  # "subcontractor" is "subcontracted"
    if "size" in kinds and not any(subject & set(terms(sentence)) for _, sentence in nearest[:FACT_SENTENCES]):
        subject = frozenset()  # a size is often told in other words: "how big is the network?", "16 smaller organisations"
    priced, rated = priced_terms(question), rated_terms(question)
    asked = frozenset(terms(_without_names(question, hits)))
    carried = any(carries_fact(sentence, kinds, counted_terms, priced, rated, asked)
                  and (not subject or subject & set(terms(sentence))) for _, sentence in nearest[:FACT_SENTENCES])
    return "" if carried else kinds[0]


def _organisation_terms(hits: list[Hit]) -> frozenset[str]:
    """The terms of the names of the organisations whose passages were found."""
    return frozenset(terms(" ".join(name for hit in hits for name in hit.passage.organisations)))


def _without_names(question: str, hits: list[Hit]) -> str:
    """The question without the organisations' names, whole or shortened to two or more of their words: "London" in
    "the London VAWG Consortium" or "the London consortium" names no place; in "London boroughs" it does."""
    for name in sorted({name for hit in hits for name in hit.passage.organisations}, key=len, reverse=True):
        words = name.split()
        if len(words) == 1:
            question = re.sub(rf"\b{re.escape(name)}\b", " ", question, flags=re.IGNORECASE)
            continue
        word = "(?:" + "|".join(re.escape(w) for w in words) + ")"
        question = re.sub(rf"\b{word}(?:\s+(?:the\s+)?{word})+\b", " ", question, flags=re.IGNORECASE)
    return question


def _subject(question: str, hits: list[Hit], kinds: frozenset[str]) -> frozenset[str]:
    """What a question about a named case study asks a fact of: the terms of the clause asking for
    it ("when was the alliance set up", not "and under what programme"; the whole question when that clause says
    "it"), but the organisations' names and the words standing for them ("the lead org"), words too common to name
    anything ("how long", "years"), those telling an outcome ("win") and those asking a size ("how large")."""
    names = _organisation_terms(hits)
    clauses = [clause for clause in _CLAUSE_BREAK.split(question) if kinds.intersection(fact_kinds(clause))]
    clause = " ".join(clauses) or question
    if _LEANS_ON_ANOTHER_CLAUSE.search(clause):
        clause = question  # "who gave the grant, and how many years did it cover?": "it" is named in the other
    words = " ".join(word for word in re.findall(r"[^\W\d_]+", clause) if not is_general_word(word))
    beginning = BEGINNING_TERMS if tells_a_beginning(clause) else frozenset()  # "set up" said as "formed"
    # "win" may be said as "awarded", and "the lead org" as "Touchstone"
    return frozenset(terms(words)).difference(names, STANDING_FOR_A_NAME, OUTCOME_TERMS, SIZE_TERMS) | beginning


def assess(question: str, hits: list[Hit], keyword: KeywordIndex, threshold: float, focused: bool = False,
           example_margin: float = 0.0, whole: bool = False) -> Coverage:
    """`whole`: the question asks for nothing but a summary or a section of the one case study it is narrowed to ("in
    a nutshell?", "key takeaways?" under a filter), which every case study has, whatever words it is asked in, or for
    a list of its members that a passage found gives ("list the partners")."""
    found = signals(question, hits, keyword, focused, example_margin)
    logit = BIAS + sum(WEIGHTS[name] * value for name, value in zip(WEIGHTS, found.as_row(), strict=True))
    probability = 1.0 / (1.0 + math.exp(-logit)) if hits else 0.0  # nothing found covers nothing
    if whole and hits:
        probability = 1.0
    names = tuple(name for name in unknown_names(question, keyword) if not _spelt_out(name, hits))
    return Coverage(found, probability, names, threshold, missing_fact(question, hits, keyword, focused),
                    asks_for_writing(question))


def _spelt_out(name: str, hits: list[Hit]) -> bool:
    """Is the name an acronym the passages found spell out: "how many orgs got the EOI?" and "an expression of interest
    process"? The corpus knows it, in other letters."""
    return name.isupper() and len(name) <= ACRONYM_LETTERS and any(
        spells_out(sentence, name) for hit in hits for sentence in sentences_of(hit.passage))


def declined_text(coverage: Coverage, hits: list[Hit], board: bool = False) -> str:
    """A refusal that says so plainly, and what the case studies do cover: in the chat's voice, or
    in a board paper's (no "I", no invitation to ask again)."""
    names = ", ".join(markdown_text(n) for n in coverage.unknown_names)
    if coverage.writing:
        opening = ("This briefing answers from the case studies; it does not write other documents." if board else
                   "I can't write that: I answer questions from what the case studies say, in their own words, cited.")
    elif board:
        opening = (f"The case studies do not mention {names}, so this briefing cannot speak to it from them." if names
                   else "The case studies do not cover this topic, and this briefing does not go beyond them.")
    elif names:
        opening = f"The case studies don't mention {names}, so I can't answer this from them."
    else:
        opening = "The case studies don't cover this question, so I won't guess an answer."
    nearest = list(dict.fromkeys(h.passage.label for h in hits if h.similarity > NEAREST_SIMILARITY))[:3]
    if nearest:
        return opening + " The nearest topics they do cover: " + "; ".join(markdown_text(n) for n in nearest) + "."
    if board:
        return opening + " They cover how partnerships worked: power, trust, funding, contracts and leadership."
    return opening + " Try asking about how the partnerships worked: power, trust, funding, contracts or leadership."
