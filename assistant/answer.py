"""Question (and conversation) in, `Answer` out: the stage that puts the others together.

Checks the question, resolves follow-ups, retrieves, decides whether the corpus covers it
(refuse.py), and answers offline (compose.py) or, with a chat model, streams the model's
sentences that verify.py finds supported, falling back to the offline answer with a note.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import replace
from datetime import datetime
from typing import Generator, Iterator, Sequence

from .asks import (
    PROVABLY_MISSING,
    asks_about_now,
    asks_for_a_summary,
    asks_only_for_sections,
    asks_which_cases,
    fact_kinds,
    lists,
    members_asked,
)
from .compose import compose
from .errors import BadQuestion
from .followup import Resolved, Turn, asks_of_other_case_studies, points_back, readings
from .llm import (
    ChatModel,
    LLMUnavailable,
    answer_messages,
    complete,
    condense_messages,
    declined,
    reply_limit,
    sentences_allowed,
    stream,
)
from .records import Answer, Filters, Hit
from .refuse import ANSWERED, CLOSEST, DECLINED, FILTERED_SHARE, Coverage, ScopeExamples, assess, declined_text
from .retrieve import Retriever
from .settings import Settings
from .spelling import respelled
from .text import markdown_text
from .verify import Claim, Verifier, claims_of

# a question about one case study, or asking which case studies, reads this many times top_k passages
# (which case studies: practice tune case recall 0.915 -> 0.925, fresh2 tune 0.844 -> 0.860)
DEEPER_READING = 2
# a question's own words find the conversation's case study when it is among the passages first found for them (our
# after_an_answer.jsonl when chosen: hit 0.837 at 3, 0.789 at 5; a review's 131 follow-ups kept on their case study 115
# and 116)
FOUND_ALONE = 3
FOLLOW_UP_NAMED = 2  # a follow-up about this many case studies or fewer says which ("every other case study" doesn't)
MIN_SUPPORTED_SHARE = 0.5  # of a generated answer's sentences, or the offline answer is shown
CLOSEST_SOURCES = 2  # passages offered when the case studies come close to a question but don't answer it
CLOSEST_WORDS = 60
CLOSEST_LEAD = "The case studies don't answer this directly. The closest they come:"
# when the case studies discuss the topic but never give the fact asked for
MISSING_FACT_LEAD = "The case studies don't give {}. The closest they come:"
FACT_NAMES = {"money": "a sum of money for this", "date": "a date for this", "duration": "a length of time for this",
              "number": "a figure for this", "size": "a size for this", "proportion": "a share or percentage for this",
              "person": "a person's name for this", "place": "a place for this", "name": "the name asked for",
              "expansion": "what those letters stand for", "contact": "contact details",
              "present": "how things stand now", "won": "the outcome asked about",
              "renewed": "the outcome asked about", "after": "what happened afterwards",
              "access": "how to refer, apply or take part", "list": "the names asked for"}
REWRITE_WORDS = 60  # a follow-up rewritten by the model as a standalone question is one sentence
# a generated reply is read until it has this many times the sentences or characters its word
# budget holds: an answer within its budget would need sentences of 3 words or fewer to reach it
REPLY_LENGTH_FACTOR = 3
CHARS_PER_WORD = 8  # the corpus averages 6.6 characters a word, spaces included; its wordiest sentence 8.9
# why an answer goes beyond the filter (`Answerer.scope`): the question asked beyond it, or nothing in it covers the question
ASKED_BEYOND, UNCOVERED = "asked beyond", "uncovered"
_log = logging.getLogger(__name__)


def _names(titles: Sequence[str], retriever: Retriever) -> str:
    """Case studies' short names, apart by semicolons: a name may hold an "and" ("POhWER and Advocacy Matters")."""
    cases = [retriever.catalogue.get(t) for t in titles]
    return "; ".join(c.short_title if c else t for c, t in zip(cases, titles, strict=True))


def _about_the_filtered(question: str) -> bool:
    """Asked under a filter, a question pointing at what it narrows to ("where's their head office?", "how many people
    has the alliance helped?") or asking for a fact (a sum, a count, a date) is about the filter's case study: other
    case studies' facts don't answer it, so it is not answered from them (unless it names one of them)."""
    return bool(points_back(question)) or any(kind in PROVABLY_MISSING for kind in fact_kinds(question))


def _last_answer(history: Sequence[Turn]) -> str:
    """What the assistant said last, so a follow-up is not answered with the same sentences."""
    return next((str(t.get("content", "")) for t in reversed(history) if t.get("role") == "assistant"), "")


def dated_notice(sources: Sequence[Hit]) -> str:
    """Told with an answer to a question about the present: the case studies speak for when they were published."""
    published = max((h.passage.published for h in sources), default="")
    for form, shown, length in (("%Y-%m", "%B %Y", 7), ("%Y", "%Y", 4)):  # "2021-02-15" is read as February 2021
        try:
            when = datetime.strptime(published[:length], form).strftime(shown)
        except ValueError:
            continue
        return f"The case studies were published in {when} and tell how things stood then; they can't say whether it is still so."
    return "The case studies tell how things stood when they were written; they can't say whether it is still so."


def _joined_notes(notice: str, *more: str) -> str:
    """The notes shown beside one answer, in one line."""
    return " ".join(filter(None, [notice, *more]))


def clean_question(question: str, settings: Settings) -> str:
    """The question as plain text, or BadQuestion with what to do."""
    text = unicodedata.normalize("NFKC", question or "")
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)  # control, format chars
    text = " ".join(text.split())
    if not text:
        raise BadQuestion("Please type a question, for example: How do we handle a power imbalance with a smaller partner?")
    if len(text) > settings.max_question_chars:
        raise BadQuestion(
            f"That question is {len(text):,} characters long; the limit is {settings.max_question_chars:,}. "
            "Please ask a shorter question, or split it into several."
        )
    return text


class AnswerStream:
    """An answer as it is written: iterate for text pieces, then read `.answer` (the final,
    verified record, whose text replaces what was streamed)."""

    def __init__(self, pieces: Generator[str, None, Answer]):
        self._pieces = pieces
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        self.answer = yield from self._pieces


def _word_pieces(text: str) -> Iterator[str]:
    yield from re.split(r"(?<=\s)", text)


class Answerer:
    """Question (and conversation) in, `Answer` out: offline, or from a chat model whose every
    sentence is verified against the passages it cites."""

    def __init__(self, retriever: Retriever, settings: Settings, chat_model: ChatModel | None = None,
                 examples: ScopeExamples | None = None):
        self.retriever = retriever
        self.settings = settings
        self.chat_model = chat_model
        self.examples = examples or ScopeExamples.load(settings.scope_examples_file, retriever.embedder,
                                                       settings.questions_dir)

    @property
    def mode(self) -> str:
        return f"llm:{self.settings.llm}" if self.chat_model is not None else "offline"

    def ask(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None,
            answer_words: int | None = None) -> Answer:
        streaming = self.ask_stream(question, history, filters, answer_words)
        for _ in streaming:
            pass
        assert streaming.answer is not None
        return streaming.answer

    def ask_stream(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None,
                   answer_words: int | None = None) -> AnswerStream:
        """Validates the question at once (BadQuestion), then streams the answer."""
        return AnswerStream(self._pieces(clean_question(question, self.settings), history, filters,
                                         answer_words or self.settings.answer_words))

    def _pieces(self, question: str, history: Sequence[Turn], filters: Filters | None,
                words: int) -> Generator[str, None, Answer]:
        started = time.perf_counter()
        notice, model = "", self.chat_model
        asked = question  # the record, and a chat model, read the question as typed
        question = respelled(question, self.retriever.keyword.known_form)
        options = readings(question, history, self.retriever.catalogue, self.retriever.keyword.knows)
        if model is not None and history and options[0].focus is None:
            try:  # an LLM can say what "it" refers to better than our rules
                rewritten = complete(model, condense_messages(asked, history),
                                     reply_limit(self.settings, REWRITE_WORDS), self.settings.llm_timeout)
                options = [Resolved(rewritten.strip().splitlines()[0], None)]
            except LLMUnavailable as error:
                notice = f"The language model is unavailable ({error}); answering from the case studies' own words."
                model = None
        resolved, hits, coverage, widened = self.best_reading(question, options, filters)
        retrieved = time.perf_counter()
        if resolved.focus and resolved.query != question and len(resolved.focus) <= FOLLOW_UP_NAMED:
            # read from the conversation, not from the question's own words: said, so a misreading can be put right
            notice = _joined_notes(notice, f"Read as a follow-up about {_names(resolved.focus, self.retriever)}: name "
                                           'another case study, or say "the case studies", to ask beyond it.')
        timings = {"retrieve": round((retrieved - started) * 1000, 2)}

        def finish(answer: Answer) -> Answer:
            timings["answer"] = round((time.perf_counter() - retrieved) * 1000, 2)
            timings["total"] = round((time.perf_counter() - started) * 1000, 2)
            return replace(answer, timings_ms=timings)

        names = frozenset(self.retriever.catalogue.name_terms(resolved.focus or []))
        said = _last_answer(history)
        if coverage.outcome == CLOSEST:
            lead = MISSING_FACT_LEAD.format(FACT_NAMES[coverage.missing_fact]) if coverage.missing_fact else CLOSEST_LEAD
            text, sources, excerpts = compose(question, hits[:CLOSEST_SOURCES], CLOSEST_WORDS, names, said, lead=lead)
            yield from _word_pieces(text)
            return finish(self._told_if_widened(Answer(asked, text, sources, refused=True, excerpts=excerpts,
                                                       notice=notice, outcome=CLOSEST), filters, widened))
        if not hits or coverage.outcome == DECLINED:
            text = declined_text(coverage, hits)
            if filters and filters.case_studies:  # beyond it only when asked (a question naming another, say)
                filtered = _names(filters.case_studies, self.retriever)
                text += f" (Searched beyond your filter, {filtered}, as asked.)" if widened else \
                    f" (Searched only {filtered}: your filter.)"
            yield from _word_pieces(text)
            return finish(Answer(asked, text, [], refused=True, notice=notice, outcome=DECLINED))
        text, sources, excerpts = compose(question, hits, words, names, said)
        dated = dated_notice(sources) if asks_about_now(question) else ""
        offline = Answer(asked, text, sources, excerpts=excerpts, notice=_joined_notes(notice, dated))
        if model is None:
            yield from _word_pieces(text)
            return finish(self._told_if_widened(offline, filters, widened))
        generated = yield from self._generated(asked, hits[: self.settings.top_k], words)
        if isinstance(generated, str):  # the reason the generated answer cannot be shown
            yield "\n\n"
            yield from _word_pieces(text)
            return finish(self._told_if_widened(replace(offline, notice=_joined_notes(notice, generated, dated)),
                                                filters, widened))
        answer = replace(generated, notice=_joined_notes(notice, generated.notice, dated))
        return finish(self._told_if_widened(answer, filters, widened))

    def _told_if_widened(self, answer: Answer, filters: Filters | None, widened: str) -> Answer:
        """An answer from beyond the filter says so, and why (`Answerer.scope`); one widened to all the case studies that
        still cites only the filter's says nothing of it ("Not covered in SIFA" over an answer all from SIFA
        contradicted itself)."""
        if not (widened and filters and any(h.passage.case_study not in filters.case_studies for h in answer.sources)):
            return answer
        filtered = _names(filters.case_studies, self.retriever)
        if widened == ASKED_BEYOND:
            told = f"You asked beyond your filter ({filtered}): this answer is from the case studies you asked about."
        else:
            told = f"Not covered in {filtered} (your filter); this answer is from all the case studies."
        return replace(answer, notice=f"{told} {answer.notice}".strip())

    def best_reading(self, question: str, options: list[Resolved], filters: Filters | None,
                     example_to_skip: str = "") -> tuple[Resolved, list[Hit], Coverage, str]:
        """The reading of the question the corpus covers best: one it answers over one it doesn't (and of
        those, one that is not a fallback over one that is: followup.Resolved), then the likelier (the first
        wins a tie); not a follow-up reading that needs the question's own words when they are declined.
        Declined in every reading, it is declined on its own words: the nearest topics offered are the
        question's, not the previous answer's."""
        read = [(resolved, *self.scope(question, resolved.query, resolved.focus, filters, example_to_skip))
                for resolved in options]
        if all(reading[2].outcome == DECLINED for reading in read):
            return next((reading for reading in read if reading[0].query == question), read[0])
        alone, outcome_alone = next(((hits, coverage.outcome) for resolved, hits, coverage, _ in read
                                     if resolved.focus is None and resolved.query == question), ([], ANSWERED))
        read = [reading for reading in read if not reading[0].needs_own_words or outcome_alone == ANSWERED
                or (outcome_alone == CLOSEST and not reading[0].askers_own)]
        found_alone = {hit.passage.case_study for hit in alone[:FOUND_ALONE]}

        def falls_back(resolved: Resolved) -> bool:  # a fallback, or its own words don't find the case study talked about
            return resolved.fallback or (resolved.tentative and not found_alone.intersection(resolved.focus or []))

        return max(read, key=lambda reading: (reading[2].covered, reading[2].covered and not falls_back(reading[0]),
                                            reading[2].probability))

    def scope(self, question: str, query: str, focus: list[str] | None, filters: Filters | None,
              example_to_skip: str = "") -> tuple[list[Hit], Coverage, str]:
        """The hits for a question and whether they cover it, and why the filter was widened, if it was: a question
        asking outright of the other case studies, or naming one, is tried over them (ASKED_BEYOND); one the filter's
        case studies don't cover, over all of them (UNCOVERED). `example_to_skip`: when
        calibrating, the question as labelled (typed), which the scope examples may hold: not compared with itself."""
        filtered = bool(filters and filters.case_studies)
        asked_beyond = bool(filters and filtered and asks_of_other_case_studies(question))
        if filters and asked_beyond and focus is None:  # "did any of the other case studies pay them?" (a follow-up's
            # reading has its focus already: the case studies other than the last answer's)
            focus = [case.title for case in self.retriever.catalogue.case_studies if case.title not in filters.case_studies]
        narrowed = focus is not None or filtered
        hits = self._search(query, focus, filters)
        margin = self.examples.margin(self.retriever.embed(question), exclude=example_to_skip)
        threshold = self.settings.refusal_threshold * (FILTERED_SHARE if filtered else 1.0)
        cases = focus if focus is not None else list(filters.case_studies if filters else [])
        names = frozenset(self.retriever.catalogue.name_terms(cases))
        # of one case study, its summary or a section ("key takeaways for our board?") is there whatever the words, and
        # so is a list of its members that a passage found gives ("list the partners")
        members = members_asked(question)
        whole = len(cases) == 1 and (asks_for_a_summary(question, names) or asks_only_for_sections(question, names)
                                     or bool(members) and any(lists(hit.passage.text, members) for hit in hits))
        coverage = assess(question, hits, self.retriever.keyword, threshold, narrowed, margin, whole)
        if filters and filters.case_studies and not coverage.covered:
            unfiltered = self._search(query, focus, Filters(sections=filters.sections))
            wider = assess(question, unfiltered, self.retriever.keyword, self.settings.refusal_threshold, False, margin)
            if asked_beyond or set(self.retriever.catalogue.named_in(question)) - set(filters.case_studies):
                return unfiltered, wider, ASKED_BEYOND  # its answer, or why there is none, is from where it asked
            if wider.covered and not _about_the_filtered(question):
                return unfiltered, wider, UNCOVERED
        return hits, coverage, ""

    def _search(self, query: str, focus: list[str] | None, filters: Filters | None) -> list[Hit]:
        # narrowed to one case study, any of its passages may hold the answer; asked which case studies
        # do something, each of them should have its chance: read more
        narrowed = focus if focus is not None else (filters.case_studies if filters else ())
        deeper = (narrowed and len(narrowed) == 1) or asks_which_cases(query)
        k = self.settings.top_k * (DEEPER_READING if deeper else 1)
        return self.retriever.search(query, k=k, filters=filters, focus=focus)

    def _generated(self, question: str, hits: list[Hit], words: int) -> Generator[str, None, Answer | str]:
        """Streams the model's supported sentences; returns the verified answer, or why not.

        The reply is read for at most `llm_timeout` seconds, and for at most REPLY_LENGTH_FACTOR
        times the sentences and characters `words` holds (characters too: a reply that never ends a
        sentence would reach the verifier whole). One running longer is not cut short and shown: a
        model writing several times the length asked for is not following its instructions (a small
        model looping on one sentence, or one obeying something else), and its answer would stop
        mid-thought. The reader gets the offline answer, the length they asked for, as when the
        model is too slow or mostly unsupported. Sentences past the cap are never verified, so a
        long reply costs no more than a short one.
        """
        messages = answer_messages(question, hits, words)
        verifier = Verifier([h.passage for h in hits], self.retriever.embedder.embed_documents, str(messages[0].content))
        claims: list[Claim] = []
        written, buffer = "", ""
        most_sentences = REPLY_LENGTH_FACTOR * sentences_allowed(words)
        most_chars = REPLY_LENGTH_FACTOR * words * CHARS_PER_WORD
        too_long = f"it ran on far past the {words} words asked for"
        limit = reply_limit(self.settings, words)
        replies = stream(self.chat_model, messages, limit, self.settings.llm_timeout)  # type: ignore[arg-type]
        try:
            for piece in replies:
                written += piece
                if len(written) > most_chars:
                    return _not_shown(too_long)
                complete_part, buffer = _split_complete(buffer + piece)
                if len(claims) + len(claims_of(complete_part)) > most_sentences:
                    return _not_shown(too_long)
                yield from _supported(verifier, complete_part, claims)
            if len(claims) + len(claims_of(buffer)) > most_sentences:
                return _not_shown(too_long)
            yield from _supported(verifier, buffer, claims)
        except LLMUnavailable as error:
            return f"The language model is unavailable ({error}); this is the answer in the case studies' own words."
        finally:
            replies.close()  # stops reading: the model server's connection is closed
        kept = [c for c in claims if c.supported]
        if declined(written) or not kept or len(kept) < MIN_SUPPORTED_SHARE * len(claims):
            reason = "the model said the passages do not cover this" if declined(written) else \
                f"only {len(kept)} of {len(claims)} of its sentences are supported by the passages they cite"
            return _not_shown(reason)
        cited = sorted({n for c in kept for n in c.citations})
        number = {old: new for new, old in enumerate(cited, 1)}
        text = " ".join(f"{markdown_text(c.text)} [{', '.join(str(number[n]) for n in c.citations)}]" for c in kept)
        dropped = len(claims) - len(kept)
        return Answer(question, text, [hits[n - 1] for n in cited], mode=self.mode,
                      excerpts=[() for _ in cited],
                      notice=f"{dropped} of the model's {len(claims)} sentences were removed: the passages they cite "
                             "do not support them." if dropped else "")


def _not_shown(reason: str) -> str:
    """Why the model's answer gives way to the offline one: told to the reader, and logged."""
    _log.warning("language model answer not shown: %s", reason)
    return f"The language model's answer was not shown: {reason}. This is the answer in the case studies' own words."


def _supported(verifier: Verifier, text: str, claims: list[Claim]) -> Iterator[str]:
    """Checks the sentences of `text`, adds them to `claims`, and yields the supported ones."""
    for claim in verifier.check(text) if text.strip() else []:
        claims.append(claim)
        if claim.supported:
            yield f"{markdown_text(claim.text)} [{', '.join(map(str, claim.citations))}] "


def _split_complete(buffer: str) -> tuple[str, str]:
    """Sentences whose end (and citation marks) have arrived, and the rest still being written."""
    ends = list(re.finditer(r"[.!?](?:\s*\[\d+(?:\s*,\s*\d+)*\])*\s+(?=\S)", buffer))
    if not ends:
        return "", buffer
    cut = ends[-1].end()
    return buffer[:cut], buffer[cut:]
