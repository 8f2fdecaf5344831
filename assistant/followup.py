"""Follow-up questions resolved with the conversation so far.

"What did they learn?" after a question about P3 means P3's lessons; "tell me more about the
second one" means the second case study of the last answer (or its second point, if it was about
one case study); "does any other case say that?" means every case study but the last; a follow-up
that names another case study switches to it.
Resolution gives retrieval a standalone query and a focus; when a question could be either, both
readings are offered and the answering stage keeps the better covered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Sequence

from .asks import asks_which_cases
from .catalogue import CaseStudy, Catalogue
from .text import FIRST_PERSON, STOPWORDS, is_general_word, is_standard_word, terms

# words pointing back at the conversation outright: "this case", "that one", "anyone else", "and ...?", "tell me more"
_POINTING_BACK = re.compile(
    # (not "the one about women being exploited", "the case where ...": a case study described, maybe another)
    r"\b(?:this|that|the)\s+(?:case|one)\b(?!\s+(?:stud(?:ies)\b|about|where|with|in|on|for|which|who|that))|\belse\b"
    # a question opening as the last one's continuation: "and why did they club together?", "ok but is that ...?"
    r"|^\W*(?:(?:ok(?:ay)?|right|nice|great|cool|thanks|thank you|sure)\W+)*(?:and|but|so)\b"
    r"|\b(?:tell|say|know|hear|explain|anything|something|any|much|bit|little)\s+more\b"
    r"|\bmore\s+(?:about|on|detail)\b|\bmore\s*[?!.]*\s*$",
    re.IGNORECASE,
)
# ... and a demonstrative naming something after a preposition, a question word, an auxiliary or a verb's "-ing": "what
# that post-holder did", "from those two charities", "does that partnership cover", "keeping that organisation"; not "a
# group that deliberately organises" nor "a group that got ..." (relative clauses), "this year" (a time)
_DEMONSTRATIVE = re.compile(
    r"(?:^\W*|\b(?:in|on|at|from|about|with|for|of|to|by|into|after|before|during|like|over|under|through|across|between"
    r"|within|behind|what|which|who|how|why|where|when|and|or|but|is|was|are|were|does|did|do|has|had|have|\w+ing)\s+)"
    r"(?P<word>this|that|these|those)\s+"
    r"(?!\w+ly\b)(?=[^\W\d_])(?!(?:" + "|".join(sorted(STOPWORDS)) + r")\b)[\w'’-]+", re.IGNORECASE)
# words that may point back, or stand for something the question itself names ("how did the lead charity check its
# partners?"); not "is there", "there's" (being, not a place), "the case studies" and "these examples" (all of them), nor
# "this year" (a time)
_MAY_POINT_BACK = re.compile(r"\b(they|them|their|theirs|it|its|this|that|these|those|there|he|she|his|her|the partnership"
                             r"|the alliance|the consortium|the charity|the organisation|the same|also)\b", re.IGNORECASE)
_NOT_POINTING = re.compile(r"\b(?:is|are|was|were|isn['’]?t|aren['’]?t|wasn['’]?t|weren['’]?t)\s+there\b"
                           r"|\bthere(?=['’]s\b|\s+(?:is|are|was|were|isn|aren|wasn|weren|has|have|had|will|would|might|must"
                           r"|could|seems?)\b)|\b(?:the|these|those)\s+(?:case\s+studies|cases|partnerships|examples|stories)\b"
                           r"|\b(?:this|that|these|those)\s+(?:year|years|week|month|time|days|morning)\b", re.IGNORECASE)
_THEY = frozenset({"they", "them", "their", "theirs"})
# the case studies as a whole: asked of them, a question is not asked of the one the conversation was about
_ALL_THE_CASE_STUDIES = re.compile(r"\b(?:the|these|those|all|any|across|in)\s+(?:of\s+)?(?:the\s+)?case\s+studies\b"
                                   r"|\bwhich\s+case(?:\s+study)?\b|\bin\s+here\b", re.IGNORECASE)
_SENTENCE_OR_CLAUSE_END = re.compile(r"[.?!;,]\s+|\s+[-–—]\s+")
OUTRIGHT, MAYBE = "outright", "maybe"
_WORD = r"[^\W\d_]+(?:['’][^\W\d_]+)?"
# a question naming this many things of its own may be about them rather than the last answer ("how have cuts to council
# and public service funding affected partnerships?")
OWN_SUBJECT_WORDS = 5
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1,
             "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
_ORDINAL = re.compile(rf"\b({'|'.join(_ORDINALS)})\s+(one|case|case study|example|source|partnership|organisation)\b",
                      re.IGNORECASE)
# "any other case", "another example": the case studies the conversation was not about
_OTHER_CASE_STUDIES = re.compile(r"\b(?:any|some|the)\s+others?\s+(?:cases?|case\s+stud(?:y|ies)|examples?|partnerships"
                                 r"|charities)\b|\banother\s+(?:case|example|partnership)\b", re.IGNORECASE)
# the same in words that can mean nothing but case studies (`asks_of_other_case_studies`)
_OTHER_CASE_STUDIES_OUTRIGHT = re.compile(r"\b(?:others?|another)\s+case\s+stud(?:y|ies)\b"
                                          r"|\belsewhere\s+in\s+the\s+(?:report|case\s+studies)\b", re.IGNORECASE)
# "the others", "anyone else": those too, unless others in the case study talked about (`_others_than_theirs`); and
# "elsewhere" always
_OTHERS = re.compile(r"\b(?:any|some)\s+others\b|\bthe\s+others\b(?!\s+\w)|\b(?:anyone|anybody)\s+else\b", re.IGNORECASE)
_ELSEWHERE = re.compile(r"\banywhere\s+else\b|\belsewhere\b", re.IGNORECASE)
_THEY_WORD = re.compile(r"\bthey\b", re.IGNORECASE)
_APART_FROM_THEM = re.compile(r"\b(?:apart\s+from|aside\s+from|besides|other\s+than|except(?:\s+for)?)\s+(?:them|those|these)\b",
                              re.IGNORECASE)
# "say more about the second point": a point of the last answer, not a case study
_POINT_ORDINAL = re.compile(rf"\b({'|'.join(_ORDINALS)})\s+(point|lesson|thing|bit|item|bullet)\b", re.IGNORECASE)
_NUMBERED_ITEM = re.compile(r"(?:^|\s)\(?\d{1,2}[.)]\s")  # "1) co-location, 2) ..." or "1. ..."
_CITATIONS = re.compile(r"((?:\[\d+\]\s*)+)")  # the citations that close a stretch of text
_SOURCE_NUMBER = re.compile(r"(?:\[(\d+)\]|\bsource\s+(\d+)\b)", re.IGNORECASE)

MIN_COMMA_ITEMS = 3  # "A, B, and C": with fewer commas a sentence is a sentence, not a list
_SENTENCE_END = re.compile(r"[.!?]\s+\S")  # ... and so is a stretch of several sentences
SHORT_QUESTION_WORDS = 4  # "and after that?": a question this short leans on the conversation
Turn = Mapping[str, Any]  # {"role": "user"|"assistant", "content": str, "case_studies": [titles]?}


@dataclass(frozen=True)
class Resolved:
    query: str  # what retrieval searches for
    focus: list[str] | None  # case studies to search, or None for the whole corpus
    # read so only when the readings before it are not covered: a question with a subject of its own is about it,
    # however well the last answer's case study covers it too
    fallback: bool = False
    # a follow-up reading of a question that names things of its own and doesn't point back outright ("how did the lead
    # charity check its partners?", "was the small women's group happy with how the money was split?"): a fallback
    # unless the question's own words find the case study talked about among their first passages
    tentative: bool = False
    # a follow-up reading of a question that doesn't point back at all: dropped when the question's own words are
    # declined ("what's the capital of France?" after a turn about P3 finds P3 only with the last question's words),
    # or don't cover it and it is the asker's own ("can I stay in the house?", "how do I write a tender response?")
    needs_own_words: bool = False
    askers_own: bool = False


def _case_studies_of(turn: Turn, catalogue: Catalogue) -> list[str]:
    """The case studies a turn was about: its sources if it carries them, else those it names, in
    the order it names them (a decline lists its nearest topics nearest first: "the second one")."""
    listed = [c for c in turn.get("case_studies") or [] if catalogue.get(c)]
    text = str(turn.get("content", ""))
    return listed or sorted(catalogue.named_in(text), key=lambda title: _first_mention(text, catalogue.get(title)))


def _declined(turn: Turn) -> bool:
    """An answer the chat recorded citing no case study: the case studies it names are the nearest topics it offered,
    which "the second one" may pick, but which the conversation was not about."""
    return turn.get("role") == "assistant" and "case_studies" in turn and not turn["case_studies"]


def _first_mention(text: str, case: CaseStudy | None) -> int:
    lowered = text.lower()
    found = [lowered.find(name.lower()) for name in (case.short_title, *case.aliases)] if case else []
    return min((at for at in found if at >= 0), default=len(text))


def readings(question: str, history: Sequence[Turn], catalogue: Catalogue,
             knows: Callable[[str], bool] | None = None) -> list[Resolved]:
    """The ways to read a question in its conversation, the likelier first: standalone, or as a
    follow-up about the case studies of the last turns. The answering stage keeps the reading the
    corpus covers best, so "did anything go the other way?" is read as a follow-up and "how do
    other charities build trust?" as a new question, without a list of words that mark follow-ups.
    `knows`: whether the corpus uses a search term; a question that doesn't point back and uses a word
    neither the corpus nor standard English knows is read as a new question only."""
    named = catalogue.named_in(question)
    if named or not history:
        return [Resolved(question, named or None)]
    last_user = next((str(t.get("content", "")) for t in reversed(history) if t.get("role") == "user"), "")
    previous: list[str] = []  # the case studies of the most recent turn about any: a decline's nearest topics count
    answered: list[str] = []  # ... of the most recent turn that answered: what a follow-up is about
    for at in range(len(history) - 1, -1, -1):
        found = _case_studies_of(history[at], catalogue)
        previous = previous or found
        if found and not _declined(history[at]):
            answered = found
            # "what did they learn?" after "what did P3 do?", an answer, then a question declined: P3, asked as then
            last_user = next((str(t.get("content", "")) for t in reversed(history[:at + 1]) if t.get("role") == "user"),
                             last_user)
            break

    point = _point_of_last_answer(question, history, catalogue, previous)
    if point is not None:
        return [point]
    ordinal = _ORDINAL.search(question)
    number = _SOURCE_NUMBER.search(question)
    if ordinal and previous:
        position = _ORDINALS[ordinal.group(1).lower()]
        index = position - 1 if position > 0 else len(previous) - 1
        if 0 <= index < len(previous):
            return [Resolved(f"{question} {last_user}", [previous[index]])]
    if previous and (_OTHER_CASE_STUDIES.search(question) or _others_than_theirs(question)):
        others = [case.title for case in catalogue.case_studies if case.title not in previous]
        return [Resolved(f"{question} {last_user}", others)]
    if number:
        cited = next((t.get("sources") for t in reversed(history) if t.get("sources")), None)
        index = int(number.group(1) or number.group(2)) - 1
        if cited and 0 <= index < len(cited):
            return [Resolved(f"{question} {last_user}", [cited[index]])]
    follow_up = Resolved(f"{question} {last_user}".strip(), answered or None)
    standalone = Resolved(question, None)
    pointing = points_back(question)
    own_subject = len(_own_words(question)) >= OWN_SUBJECT_WORDS
    if len(answered) == 1 and (asks_which_cases(question) or _ALL_THE_CASE_STUDIES.search(question)):
        follow_up = replace(follow_up, fallback=True)  # "which case studies ...?", "what do the case studies say?"
    follow_up = replace(follow_up, tentative=own_subject and pointing != OUTRIGHT and not ordinal)
    if pointing or ordinal or len(question.split()) <= SHORT_QUESTION_WORDS:
        return [follow_up, standalone]
    if knows is not None and any(not knows(t) for w in re.findall(r"[^\W\d_]+", question)
                                 if not is_standard_word(w) for t in terms(w)):
        # a word the case studies never use that is no word of standard English either (a name, a specialist term): a
        # new subject ("the rough sleeping count in Wolverhampton"), not more about the last one, however well the last
        # one is covered; one standard English has but the corpus happens not to use ("what went wrong?", "did the
        # roles ever reverse?") is not new (18 labelled follow-ups had been answered from five case studies or more,
        # two refused)
        return [standalone]
    return [standalone, replace(follow_up, needs_own_words=True, askers_own=bool(FIRST_PERSON.search(question)))]


def points_back(question: str) -> str:
    """Whether the question points back at the conversation: OUTRIGHT ("does this case say so?", "what was in that
    bid?", "what did they learn?": nothing before "they" for it to stand for), MAYBE ("how did the lead charity check its
    partners?": "its" may stand for what the question names), or not ("is there an example?", "what do the case studies
    say?", and "that" in a sentence after the asker's own: "we got burnt by a partnership. has anyone come back from that?").
    """
    if _POINTING_BACK.search(question):
        return OUTRIGHT
    for found in _DEMONSTRATIVE.finditer(question):
        at = found.start("word")
        if not _part_of(at, _NOT_POINTING, question) and not _after_the_askers_own(question, at):
            return OUTRIGHT
    pointing = ""
    for found in _MAY_POINT_BACK.finditer(question):
        # "we're a small charity - how did they win the council over?", "I'm writing notes - what did the partnership learn?":
        # not what the asker said
        at = found.start()
        apart = found.group(0).lower() in _THEY or found.group(0).lower().startswith("the ")
        after_the_askers = _after_the_askers_own(question, at)
        if not _part_of(at, _NOT_POINTING, question) and (apart or not after_the_askers):
            # nothing before it for it to stand for ("why do they reckon ...?"), or nothing in its own clause after the
            # asker's ("I'm writing a board paper - how did they handle partners who missed targets?")
            before = _SENTENCE_OR_CLAUSE_END.split(question[:at])[-1] if after_the_askers else question[:at]
            if all(word.lower() in STOPWORDS for word in re.findall(_WORD, before)):
                return OUTRIGHT
            pointing = MAYBE
    return pointing


def asks_of_other_case_studies(question: str) -> bool:
    """Whether the question asks outright of case studies besides those filtered to, in words that can mean nothing
    else: "do the other case studies say so?", "anything elsewhere in the report?". Not "the other charities", "anyone
    else", "elsewhere", nor "other cases" or "another example": under a filter those are as often the case study's own
    partners, places or instances ("what did the other charities in the alliance bring?", "do they deliver services
    elsewhere?", "in other cases did partners disagree?": two reviews)."""
    return bool(_OTHER_CASE_STUDIES_OUTRIGHT.search(question))


def _others_than_theirs(question: str) -> bool:
    """"The others", "anyone else", but not others in the case study talked about: those "they" in the same clause deal
    with ("how did they reassure the others?", "did they help anyone else?"), or that are apart from them ("was anyone
    else involved apart from those two?"). Not the asker's "they" ("... when they're looking for partners. anyone else
    hit that?"), nor "them" compared with ("was anyone else rushed like them?"), nor anywhere "elsewhere"."""
    others = _OTHERS.search(question)
    if others is None:
        return bool(_ELSEWHERE.search(question))
    its_clause = re.split(r"[.?!;,]\s+|\s(?:or|but)\s", question[:others.start()])[-1]
    return not (_THEY_WORD.search(its_clause) or _APART_FROM_THEM.search(question))


def _own_words(text: str) -> list[str]:
    """The words of a question that name something: not "what", "did", "way" or "thing"."""
    return [w for w in re.findall(_WORD, text) if w.lower() not in STOPWORDS and not is_general_word(w)]


def _after_the_askers_own(question: str, at: int) -> bool:
    """Is the word at `at` in a sentence or clause after one saying "I" or "we" ("our contract ended and it was messy")?
    Then it stands for what the asker said."""
    return any(FIRST_PERSON.search(part) for part in _SENTENCE_OR_CLAUSE_END.split(question[:at])[:-1])


def _part_of(at: int, pattern: re.Pattern[str], text: str) -> bool:
    return any(part.start() <= at < part.end() for part in pattern.finditer(text))


def _points(answer: str) -> list[tuple[str, int]]:
    """The points of an answer, in order, each with the number of the source it cites: its numbered
    items ("1) ... 2) ...") if it has them, else each stretch of text closed by citations (the lead
    line and the case-study names cite nothing, so are not points), else the items of a list written as
    one sentence ("A; B; and C [1]", or "A, B, and C", cited or not)."""
    items = _NUMBERED_ITEM.split(answer)[1:]
    if len(items) >= 2:
        cited = [int(n) for n in re.findall(r"\[(\d+)\]", answer)[:1]] or [0]
        return [(_SOURCE_NUMBER.sub("", item).strip(" \n,;:."), cited[0]) for item in items]
    pieces = _CITATIONS.split(answer)  # text, citations, text, citations, ..., text
    points = []
    for text, citations in zip(pieces[0::2], pieces[1::2], strict=False):
        paragraph = text.split("\n\n")[-1]  # not the lead line above the first point
        text = re.sub(r"\*\*[^*]+\*\*:?", " ", paragraph).strip(" \n-•*,;:.")
        if text:
            points.append((text, int(re.findall(r"\d+", citations)[0])))
    if not points and answer.strip():  # an answer that cites nothing: points only if it lists them (below)
        points = [(answer.strip().split("\n\n")[-1].strip(" \n-•*,;:."), 0)]
    if len(points) == 1:  # "A; B; and C [1]" or "A, B, and C": a list written as one sentence
        text, number = points[0]
        items = [re.sub(r"^(and|or)\s+", "", item.strip(" \n,.")) for item in (text.split(";") if ";" in text
                                                                                  else re.split(r",\s", text))]
        items = [item for item in items if item]
        if ";" in text or (len(items) >= MIN_COMMA_ITEMS and not _SENTENCE_END.search(text)):
            return [(item, number) for item in items]
        if not number:
            return []
    return points


def _point_of_last_answer(question: str, history: Sequence[Turn], catalogue: Catalogue,
                          previous: list[str]) -> Resolved | None:
    """"Can you say more about the second point?": that point's own words are the query, in the case
    study it cited (as numbered under the answer when the turn carries its sources), else in the
    case studies the conversation was about. "The second one" is a point too when the conversation
    was about fewer case studies than that ("the second one" after one case study's three lessons)."""
    ordinal = _POINT_ORDINAL.search(question)
    counted = _ORDINAL.search(question)
    if ordinal is None and counted and _ORDINALS[counted.group(1).lower()] > len(previous):
        ordinal = counted
    last = next((t for t in reversed(history) if t.get("role") == "assistant"), None)
    if ordinal is None or last is None:
        return None
    points = _points(str(last.get("content", "")))
    position = _ORDINALS[ordinal.group(1).lower()]
    index = position - 1 if position > 0 else len(points) - 1
    if not 0 <= index < len(points):
        return None
    text, number = points[index]
    sources = list(last.get("sources") or [])
    cited = sources[number - 1] if 0 < number <= len(sources) else None
    cases = [cited] if cited and catalogue.get(cited) else previous
    return Resolved(f"{question} {text}", cases or None)


def resolve(question: str, history: Sequence[Turn], catalogue: Catalogue) -> Resolved:
    """The likelier reading of a question in its conversation."""
    return readings(question, history, catalogue)[0]
