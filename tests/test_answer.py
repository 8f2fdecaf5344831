"""Offline answers: cited, bounded, nothing invented; honest refusals; follow-ups; bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer import FACT_NAMES, clean_question
from assistant.asks import PROVABLY_MISSING, members_asked
from assistant.compose import compose
from assistant.errors import BadQuestion
from assistant.evaluate import evaluate, filters_of, load_questions, score
from assistant.followup import readings
from assistant.parse import parse
from assistant.read import read_corpus
from assistant.records import Hit
from assistant.refuse import DECLINED
from assistant.settings import Settings
from assistant.spelling import respelled
from assistant.text import markdown_text, split_sentences, terms
from conftest import DATA, ROOT

CITATION = re.compile(r"\s*\[(\d+)\]")


@pytest.fixture(scope="module")
def passages():
    return [p for d in read_corpus(ROOT / "corpus")[0] for p in parse(d)]


def _hits(passages, *needles):
    """Hits for the passages containing each needle, best first, as a fake retriever would give."""
    found = [next(p for p in passages if needle in p.text) for needle in needles]
    return [Hit(p, 1.0 - 0.05 * i, 0.6 - 0.01 * i) for i, p in enumerate(found)]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _body_sentences(text: str) -> list[tuple[str, list[int]]]:
    """(sentence, the sources it cites) for each sentence of the answer body."""
    found = []
    for block in text.split("\n\n")[1:]:  # the first block is the lead line
        block = re.sub(r"^\*\*.+?\*\*: ", "", block)
        for piece in re.split(r"(?<=\])\s+", block):
            numbers = [int(n) for n in CITATION.findall(piece)]
            text_only = CITATION.sub("", piece)
            for line in text_only.split("\n"):
                line = _unescape(re.sub(r"^\s*- ", "", line)).strip()
                line = re.sub(r"^“|” \([^)]*\)$|”$", "", line)
                found += [(s, numbers) for s in split_sentences(line)]
    return found


COMPOSER_CASES = [
    ("How do we handle a power imbalance?", ["Acknowledge what power you have", "minimise power imbalances", "relative power"]),
    ("How many people does Touchstone support?", ["over 10,000 people"]),
    ("Who funds the alliance?", ["12 Trailblazers", "ringfence funding", "Leaving the ego at the door"]),
]


@pytest.mark.parametrize("question, needles", COMPOSER_CASES)
def test_composed_answers_cite_in_range_cite_every_source_and_invent_nothing(passages, question, needles):
    settings = Settings()
    hits = _hits(passages, *needles)
    text, sources, excerpts = compose(question, hits, settings.answer_words)
    assert len(excerpts) == len(sources) and all(excerpts)
    numbers = [int(n) for n in CITATION.findall(text)]
    assert numbers and all(1 <= n <= len(sources) for n in numbers)
    assert set(numbers) == set(range(1, len(sources) + 1))
    for sentence, cited in _body_sentences(text):
        assert cited, f"uncited: {sentence}"
        assert any(sentence in " ".join(sources[n - 1].passage.text.split()) for n in cited), sentence


def test_the_answer_length_is_bounded(passages):
    hits = [Hit(p, 1.0, 0.6) for p in passages[:5]]
    for words in (40, 180):
        text, _, _ = compose("partnership", hits, words)
        body = " ".join(text.split("\n\n")[1:])
        longest_unit = max(len(h.passage.text.split()) for h in hits)
        assert len(CITATION.sub("", body).split()) <= max(words, longest_unit) + 12  # + the case-study labels


def test_a_fact_question_leads_with_the_fact(passages):
    hits = _hits(passages, "Touchstone provides mental health", "Collaboration works.")
    text, _, _ = compose("How many people does Touchstone support each year?", hits, Settings().answer_words)
    assert "10,000" in text.split("\n\n")[1]


def test_asked_what_letters_stand_for_the_answer_opens_with_the_sentence_spelling_them_out(passages):
    hits = _hits(passages, "Lead Worker Peer Mentor (LWPM)")
    assert not hits[0].passage.text.startswith("One proposal")  # in reading order it comes later
    text, _, _ = compose("what does LWPM stand for?", hits, Settings().answer_words)
    assert text.split("\n\n")[1].split("**: ")[1].startswith("One proposal, for the Lead Worker Peer Mentor (LWPM)")


def test_every_fact_the_case_studies_may_not_give_has_words_to_say_so():
    """The answer's lead names what is missing ("The case studies don't give a place for this.")."""
    assert set(PROVABLY_MISSING) | {"name", "expansion"} <= set(FACT_NAMES)


def test_markup_from_the_corpus_is_escaped():
    assert markdown_text("<script>alert(1)</script> [link](x)") == "\\<script\\>alert(1)\\</script\\> \\[link\\](x)"


@pytest.mark.parametrize("text, escaped", [
    ("![x](https://evil.example/p.png)", "!\\[x\\](https\\://evil.example/p.png)"),  # no image fetched
    ("log in at https://evil.example/login now", "log in at https\\://evil.example/login now"),  # no bare link
    ("see www.evil.example", "see www\\.evil.example"),
    ("write to someone@evil.example", "write to someone\\@evil.example"),
    ("costs $5 to $10", "costs \\$5 to \\$10"),  # no maths
])
def test_links_images_and_maths_from_strangers_are_shown_as_text(text, escaped):
    assert markdown_text(text) == escaped


# --- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("question, expected", [
    ("  What is generous leadership?  ", "What is generous leadership?"),
    ("What\u0000 is\u200b trust?", "What is trust?"),
    ("Ｗｈａｔ is ｔｒｕｓｔ?", "What is trust?"),
    ("<b>What</b> is trust?", "<b>What</b> is trust?"),  # kept as text; escaped when rendered
    ("¿Qué es la confianza? 信任是什么? 🤝", "¿Qué es la confianza? 信任是什么? 🤝"),
])
def test_questions_are_cleaned_not_rejected(question, expected):
    assert clean_question(question, Settings()) == expected


@pytest.mark.parametrize("question, message", [
    ("", "Please type a question"),
    ("   \n\t ", "Please type a question"),
    ("\u0000\u0001", "Please type a question"),
    ("why " * 600, "the limit is 2,000"),
])
def test_empty_and_huge_questions_get_a_clear_message(question, message):
    with pytest.raises(BadQuestion, match=message):
        clean_question(question, Settings())


# --- the real model over the real corpus ----------------------------------------------------

def _labelled() -> list[tuple[dict, bool]]:
    rows = [(q, q["kind"] != "refuse") for name in ("answerable", "out_of_scope")
            for q in load_questions(DATA / "calibration" / f"{name}.jsonl")]
    return rows + [({"question": q["question"]}, q["in_scope"]) for q in load_questions(DATA / "scope_questions.jsonl")]


@pytest.mark.calibration
def test_the_coverage_decision_holds_on_the_labelled_questions(real_answerer):
    """Each question judged without itself among the scope examples (as eval/calibrate.py does).
    Measured: 4 of 170 answerable not answered (all "closest"), 60 of 136 out of scope answered,
    mostly facts the case studies' organisations never give (a CEO's name, an income)."""
    false_refusals, answered_out_of_scope = [], []
    for question, in_scope in _labelled():
        asked = respelled(question["question"], real_answerer.retriever.keyword.known_form)
        options = readings(asked, question.get("history") or [], real_answerer.retriever.catalogue,
                           real_answerer.retriever.keyword.knows)
        _, _, coverage, _ = real_answerer.best_reading(asked, options, filters_of(question, real_answerer),
                                                       example_to_skip=question["question"])
        if in_scope and not coverage.covered:
            false_refusals.append(question["question"])
        if not in_scope and coverage.covered:
            answered_out_of_scope.append(question["question"])
    assert len(false_refusals) <= 8, false_refusals
    assert len(answered_out_of_scope) <= 70, answered_out_of_scope


@pytest.mark.calibration
@pytest.mark.parametrize("name, hit, facts, declined, false_refusals", [
    # short questions leaning on a filter or the last answer (session 26: hit 0.987, key facts 0.895, 30 of 44 out of
    # scope declined, 1 of 76 refused; at that session's start 23 of 44)
    ("short_turns", 0.95, 0.85, 0.6, 3),
    # questions asking for sizes, figures and statistics (session 27: hit 0.975, key facts 0.975, 35 of 40 declined,
    # 1 of 40 refused; at that session's start 29 of 40 declined and 3 refused)
    ("figures", 0.95, 0.9, 0.8, 2),
    # fresh10-12's tune halves with a letter dropped or two swapped in one or two words of six letters or more (session
    # 28: key facts 0.919, 40 of 42 declined, 11 of 123 refused; before slips of the keys were read 0.821, 41, 16)
    ("typos", 0.95, 0.9, 0.9, 13),
    # "summarise it", "in a nutshell?", "tl;dr?" under each case study's filter, all answerable (session 30: key facts
    # 1.000, none refused; at that session's start 0.542 and 10 of 24 refused)
    ("summaries", 0.95, 0.95, 0.0, 1),
    # new questions asked after an answer about another case study (eval/after_an_answer.py; session 31: hit 0.837, key
    # facts 0.809, none refused; at that session's start 0.450 and 0.485: they were answered about the last case study)
    ("after_an_answer", 0.8, 0.78, 0.0, 1),
    # questions under a filter, 97 answerable from it and 67 it doesn't answer, written by a review (session 32: hit
    # 1.000, 50 of 67 declined, 8 of 97 refused; at that session's start 0.959, 49 and 23)
    ("filtered", 0.98, 0.0, 0.7, 11),
])
def test_our_measured_sets_hold(real_answerer, name, hit, facts, declined, false_refusals):
    """Regression guards a little below the figures reached with the shipped model, which the figures at each set's
    start would fail; none of these questions is a tuning pair or an example."""
    questions = load_questions(DATA / "calibration" / f"{name}.jsonl")
    metrics = score(questions, evaluate(real_answerer, questions))
    assert metrics.hit_at_5 >= hit and metrics.facts >= facts
    assert metrics.refusal_accuracy >= declined and metrics.false_refusals <= false_refusals


@pytest.mark.calibration
def test_the_tune_split_of_the_practice_set_holds(real_answerer):
    """Regression guard at a little below the figures reached (README, "Measured"); the check
    split is never in the suite."""
    questions = [q for q in load_questions(ROOT / "eval" / "practice.jsonl") if q["split"] == "tune"]
    metrics = score(questions, evaluate(real_answerer, questions))
    assert metrics.hit_at_5 >= 0.95 and metrics.case_recall_at_5 >= 0.92 and metrics.facts >= 0.9
    assert metrics.refusal_accuracy >= 0.85 and metrics.false_refusals <= 1
    assert metrics.cited_share == 1.0 and metrics.citations_out_of_range == 0


@pytest.mark.parametrize("question, mentions", [
    ("What is the capital of Australia?", "don't cover this question"),  # an everyday word, not a name
    ("What did Barnardo's learn from its partnerships?", "Barnardo's"),
    ("How do I bake sourdough bread?", "don't cover this question"),
])
def test_a_refusal_says_so_and_offers_what_is_covered(real_answerer, question, mentions):
    answer = real_answerer.ask(question)
    assert answer.refused and answer.sources == []
    assert mentions in _unescape(answer.text)
    assert "[1]" not in answer.text



def test_declined_in_every_reading_a_question_after_an_answer_is_declined_on_its_own_words(real_answerer):
    """The nearest topics a decline offers are the question's, not those of the answer before it."""
    history = [{"role": "user", "content": "What did Touchstone learn from Live Well Leeds?"},
               {"role": "assistant", "content": "Collaboration works [1].",
                "case_studies": ["Delivering mental health services with a large network of smaller organisations "
                                 "(Touchstone and Live Well Leeds)"]}]
    question = "which council merged its advocacy services into one framework?"
    after, alone = real_answerer.ask(question, history=history), real_answerer.ask(question)
    assert after.outcome == alone.outcome == DECLINED
    assert after.text == alone.text and "Touchstone" not in after.text

def test_a_new_question_after_an_answer_is_answered_on_its_own_words(real_answerer):
    """It names things of its own that the case study talked about doesn't cover first: not answered from P3 alone."""
    history = [{"role": "user", "content": "What did P3 and Cohort 4 do together?"},
               {"role": "assistant", "content": "P3 leased a house and independently funded Cohort 4 [1]."}]
    alliance = real_answerer.ask("how did the mental health alliance make room for tiny community groups that couldn't "
                                 "otherwise take part?", history=history)
    assert {h.passage.short_title for h in alliance.sources} == {"Somerset Mental Health Alliance"}
    cuts = real_answerer.ask("how have cuts to council funding affected small charity partnerships?", history=history)
    assert len({h.passage.short_title for h in cuts.sources} - {"P3 and Cohort 4"}) >= 2
    assert not cuts.notice


def test_out_of_scope_after_an_answer_is_not_answered_from_the_last_case_study(real_answerer):
    """The follow-up reading finds P3 with the last question's words; the question's own words decide."""
    history = [{"role": "user", "content": "What did P3 and Cohort 4 do together?"},
               {"role": "assistant", "content": "P3 leased a house and independently funded Cohort 4 [1]."}]
    assert real_answerer.ask("what's the capital of france?", history=history).outcome == DECLINED
    assert real_answerer.ask("can I stay in the house?", history=history).outcome != "answered"


def test_a_follow_up_says_which_case_study_it_was_read_about(real_answerer):
    """Read from the conversation, not the question's words: the reader can tell, and name another if it was misread."""
    history = [{"role": "user", "content": "What did P3 and Cohort 4 do together?"},
               {"role": "assistant", "content": "P3 leased a house and independently funded Cohort 4 [1]."}]
    answer = real_answerer.ask("what did they learn?", history=history)
    assert answer.notice == ('Read as a follow-up about P3 and Cohort 4: name another case study, or say "the case '
                             'studies", to ask beyond it.')
    beyond = real_answerer.ask("did any of the case studies use an independent chair?", history=history)
    assert not beyond.notice and len({h.passage.short_title for h in beyond.sources}) > 1
    assert not real_answerer.ask("what did Touchstone learn?", history=history).notice  # named: read from its words
    two = [{"role": "user", "content": "How did POhWER and Creative Youth Network handle being the lead partner?"},
           {"role": "assistant", "content": "They took on the risk [1]."}]
    notice = real_answerer.ask("what did they learn?", history=two).notice  # a name may hold an "and": set apart
    names = notice.removeprefix("Read as a follow-up about ").split(": name another")[0]
    assert set(names.split("; ")) == {"POhWER and Advocacy Matters", "Creative Youth Network"}


FOLLOW_UPS = [
    ([{"role": "user", "content": "What is the London VAWG Consortium?"}], "Who supported its development?",
     "London VAWG Consortium", r"Women.s Resource Centre|City Bridge"),
    ([{"role": "user", "content": "What did P3 and Cohort 4 do together?"}], "What did they learn?",
     "P3 and Cohort 4", r"Leave the ego at home|like-minded"),
    ([{"role": "user", "content": "Tell me about the Somerset Mental Health Alliance."}], "How was it funded?",
     "Somerset Mental Health Alliance", r"NHS Trust|County Council"),
    ([{"role": "user", "content": "How did Shelter help SIFA Fireside?"}], "What about Touchstone?",
     "Touchstone and Live Well Leeds", r"Touchstone"),
    ([{"role": "user", "content": "Which case studies talk about trust?"},
      {"role": "assistant", "content": "...", "case_studies": [
          "Collaborating to deliver advocacy services (POhWER and Advocacy Matters)",
          "Developing a large consortium to support women and girls experiencing violence (London VAWG Consortium)"]}],
     "Tell me more about the second one", "London VAWG Consortium", r"Consortium"),
]


@pytest.mark.parametrize("history, question, case, pattern", FOLLOW_UPS)
def test_follow_ups_use_the_conversation(real_answerer, history, question, case, pattern):
    answer = real_answerer.ask(question, history=history)
    assert not answer.refused
    assert {h.passage.short_title for h in answer.sources} == {case}
    assert re.search(pattern, answer.text)


def test_asked_which_case_studies_every_case_study_has_its_chance(real_answerer, real_settings):
    top_k = real_settings.top_k
    asked_which = real_answerer._search("which case studies talk about trust?", None, None)
    asked_how = real_answerer._search("how do partners build trust?", None, None)
    assert (len(asked_which), len(asked_how)) == (2 * top_k, top_k)
    assert len({h.passage.case_study for h in asked_which}) >= len({h.passage.case_study for h in asked_how})


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_an_answer_about_the_present_says_when_the_case_studies_speak_for(real_answerer):
    """The corpus is dated (published 2021-02): "these days" is answered as things stood then, and said so."""
    answer = real_answerer.ask("How many organisations does POhWER partner with these days?")
    assert answer.outcome == "answered" and "around 30" in answer.text
    assert "published in February 2021" in answer.notice and "still so" in answer.notice
    assert not real_answerer.ask("How many organisations does POhWER partner with?").notice


def test_ask_json_prints_the_results_contract(real_answerer, real_settings):
    result = _cli(real_settings, "ask", "How do we handle a power imbalance with a smaller partner?", "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) == {"id", "question", "answer", "refused", "outcome", "sources", "timings_ms"}
    assert record["refused"] is False and record["sources"]
    assert set(record["sources"][0]) == {"case_study", "organisations", "section", "lesson", "text", "score"}


def test_cli_errors_are_one_clear_line(real_settings):
    result = _cli(real_settings, "ask", "   ")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: Please type a question")



def test_under_a_filter_a_question_whose_own_words_name_little_is_answered_from_it(real_answerer):
    """The filter is the question's scope (refuse.FILTERED_SHARE): fresh11's and fresh13's tune halves had these as
    "not directly covered"; what the case study doesn't tell stays refused."""
    for question, case in (("What did the big charity actually do here?", "P3"),
                           ("anything the big org should watch out for?", "SIFA")):
        answer = real_answerer.ask(question, filters=filters_of({"filter": case}, real_answerer))
        assert answer.outcome == "answered" and {h.passage.short_title for h in answer.sources} <= {
            c.short_title for c in real_answerer.retriever.catalogue.case_studies if case in c.title}, question
    assert real_answerer.ask("what do advocates earn?", filters=filters_of({"filter": "POhWER"}, real_answerer)).refused


def test_under_a_filter_a_list_of_members_a_passage_gives_is_answered(real_answerer):
    """"list the partners" under Creative Youth Network had been "not directly covered" though its passage lists them
    (fresh23's tune half); a list the case study doesn't give is judged as any question is."""
    listed = real_answerer.ask("list the partners", filters=filters_of({"filter": "Creative Youth"}, real_answerer))
    assert listed.outcome == "answered" and "Horn Youth Concern" in listed.text
    assert listed.text.split("**Creative Youth Network**: ")[1].startswith("Partner organisations include")  # it leads
    assert members_asked("name the member orgs pls") == frozenset(terms("orgs"))
    assert members_asked("who were its partners?") == frozenset(terms("partners"))
    assert not members_asked("list the lessons") and not members_asked("who were the winners?")


def test_a_question_about_the_filtered_case_study_is_not_answered_from_the_others(real_answerer):
    """A review found "how many people has the alliance helped?" under Somerset answered from four other case studies'
    figures, and "when did sifa become lead?" under SIFA told "Not covered in Shelter and SIFA Fireside (your filter)"
    over an answer all from it: now "closest", from it."""
    helped = real_answerer.ask("how many people has the alliance helped", filters=filters_of({"filter": "Somerset"},
                                                                                             real_answerer))
    assert {h.passage.short_title for h in helped.sources} <= {"Somerset Mental Health Alliance"}
    lead = real_answerer.ask("when did sifa become lead", filters=filters_of({"filter": "SIFA"}, real_answerer))
    assert "2019" in lead.text and "your filter" not in lead.notice
    assert {h.passage.short_title for h in lead.sources} == {"Shelter and SIFA Fireside"}
    # a fact of another case study it names: widened to it (a second review found eleven such declined)
    other = real_answerer.ask("how many people does Changing Lives support a year?",
                              filters=filters_of({"filter": "VAWG"}, real_answerer))
    assert other.outcome == "answered" and "14,000" in other.text and "your filter" in other.notice
    wider = real_answerer.ask("What did Touchstone learn?", filters=filters_of({"filter": "P3"}, real_answerer))
    assert wider.outcome == "answered" and "your filter" in wider.notice  # the filter is why nothing matches: widened


def test_under_a_filter_a_question_asking_of_the_other_case_studies_is_answered_from_them(real_answerer):
    """It had been answered from the filtered case study, as if about it; "anyone else involved?" under a filter
    still means the case study's own others."""
    touchstone = filters_of({"filter": "Touchstone"}, real_answerer)
    others = real_answerer.ask("did any of the other case studies pay small orgs for their time?", filters=touchstone)
    assert others.outcome == "answered" and others.sources
    assert not {h.passage.case_study for h in others.sources} & set(touchstone.case_studies)
    assert others.notice.startswith("You asked beyond your filter (Touchstone and Live Well Leeds)")
    history = [{"role": "user", "content": "how did touchstone support its partners?"},
               {"role": "assistant", "content": "Touchstone recruited a Delivery Network Manager. [1]"}]
    in_a_conversation = real_answerer.ask(others.question, history=history, filters=touchstone)  # the app's usual case
    assert in_a_conversation.outcome == "answered" and in_a_conversation.notice.startswith("You asked beyond your filter")
    assert not {h.passage.case_study for h in in_a_conversation.sources} & set(touchstone.case_studies)
    # the case study's own others and places, which a review found widened by a looser first version
    for question, case in (("anyone else involved", "SIFA"),
                           ("what did the other charities in the alliance bring?", "Somerset"),
                           ("do they deliver services elsewhere?", "Touchstone"),
                           ("in other cases did partners disagree?", "Somerset"),  # a second review: instances
                           ("any other examples of how they built trust in this case study?", "Changing Lives")):
        filters = filters_of({"filter": case}, real_answerer)
        inside = real_answerer.ask(question, filters=filters)
        assert {h.passage.case_study for h in inside.sources} == set(filters.case_studies), question
        assert "filter" not in inside.notice, question
    # asked beyond the filter and not covered there either: the decline says where it looked
    weather = real_answerer.ask("do the other case studies say what the weather was like?",
                                filters=filters_of({"filter": "P3"}, real_answerer))
    assert weather.outcome == "declined" and "Searched beyond your filter, P3 and Cohort 4, as asked." in weather.text


def test_a_question_set_may_name_a_filter_by_its_title_as_its_file_spells_it(real_answerer):
    """The report prints "(P3 and Cohort 4 )"; a question set copying that title is filtered to P3,
    not asked of every case study."""
    spelt_as_in_the_file = "Funding a smaller organisation to deliver specialist housing support (P3 and Cohort 4 )"
    for name in (spelt_as_in_the_file, "p3", "Cohort 4"):
        filters = filters_of({"filter": name}, real_answerer)
        assert filters is not None and len(filters.case_studies) == 1 and "(P3 and Cohort 4)" in filters.case_studies[0]
    # whole words: "Live" is Live Well Leeds, not every title with "deliver" or "Lives" in it
    filters = filters_of({"filter": "Live"}, real_answerer)
    assert filters is not None and len(filters.case_studies) == 1 and "Live Well Leeds" in filters.case_studies[0]


def test_a_filter_naming_no_case_study_stops_an_evaluation_before_it_answers(real_answerer, real_settings, tmp_path: Path):
    questions = tmp_path / "questions.jsonl"
    lines = [{"id": "q1", "question": "What did they learn?", "filter": "Touchstone"},
             {"id": "q2", "question": "What did they learn?", "filter": "Barnardo's"}]
    questions.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with pytest.raises(BadQuestion, match="'q2'.*Barnardo's.*names none of the case studies"):
        evaluate(real_answerer, load_questions(questions))
    for blank_or_odd in ("\t", " \u00a0", ["Touchstone"]):
        with pytest.raises(BadQuestion):
            filters_of({"id": "q3", "question": "What did they learn?", "filter": blank_or_odd}, real_answerer)
    result = _cli(real_settings, "eval", "--questions", str(questions))
    assert result.returncode == 1
    assert "names none of the case studies" in result.stderr.strip().splitlines()[-1]

@pytest.mark.calibration
def test_eval_on_the_public_question_set_meets_the_targets(real_answerer, real_settings, tmp_path: Path):
    out = tmp_path / "results.jsonl"
    result = _cli(real_settings, "eval", "--questions", str(ROOT / "eval" / "dev.jsonl"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 38
    metrics = score(load_questions(ROOT / "eval" / "dev.jsonl"), records)
    assert f"hit@5 {metrics.hit_at_5:.3f}" in result.stdout
    assert metrics.hit_at_5 >= 0.95 and metrics.case_recall_at_5 >= 0.9 and metrics.facts >= 0.85
    assert (metrics.refusal_accuracy, metrics.false_refusals, metrics.citations_out_of_range) == (1.0, 0, 0)
    assert metrics.cited_share == 1.0
