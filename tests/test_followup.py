"""Follow-up questions resolved against the conversation, on a hand-built catalogue: no model, no index."""

from __future__ import annotations

import pytest

from assistant.catalogue import Catalogue
from assistant.followup import MAYBE, OUTRIGHT, points_back, readings, resolve
from assistant.records import Passage


def _passage(short_title: str, organisations: tuple[str, ...], text: str, position: int = 0) -> Passage:
    return Passage(id=f"{short_title}#{position}", case_study=f"Working together ({short_title})", organisations=organisations,
                   section="overview", lesson=None, kind="paragraph", text=text, source=f"{position}.md",
                   position=position, content_hash=str(position))


TOUCHSTONE = _passage("Touchstone and Live Well Leeds", ("Touchstone", "Live Well Leeds"), "Touchstone works in Leeds.", 0)
P3 = _passage("P3 and Cohort 4", ("P3", "Cohort 4"), "P3 took on the contract risk.", 1)
SIFA = _passage("Shelter and SIFA Fireside", ("Shelter", "SIFA Fireside"), "Shelter and SIFA Fireside met often.", 2)
CATALOGUE = Catalogue.build([TOUCHSTONE, P3, SIFA])

ASKED_ABOUT_P3 = [{"role": "user", "content": "What did P3 and Cohort 4 do together?"},
                  {"role": "assistant", "content": "..."}]
ANSWER_ABOUT_THREE = [
    {"role": "user", "content": "Which case studies talk about trust?"},
    {"role": "assistant", "content": "...",
     "case_studies": [TOUCHSTONE.case_study, P3.case_study, SIFA.case_study],
     "sources": [SIFA.case_study, TOUCHSTONE.case_study, P3.case_study]},
]


def _focuses(question: str, history: list[dict], knows=None) -> list[list[str] | None]:
    return [r.focus for r in readings(question, history, CATALOGUE, knows)]


def test_a_first_question_is_read_on_its_own():
    """With no conversation there is nothing to lean on: one reading, the whole corpus."""
    assert _focuses("What did they learn?", []) == [None]


def test_what_did_they_learn_after_a_question_about_p3_means_p3():
    """"they" refers back: the follow-up reading (about P3) comes first, the standalone one second."""
    assert _focuses("What did they learn?", ASKED_ABOUT_P3) == [[P3.case_study], None]


def test_the_follow_up_query_carries_the_last_question_for_retrieval():
    """Retrieval needs a standalone query: "how was it funded?" alone says nothing about what "it" is."""
    follow_up = readings("How was it funded?", ASKED_ABOUT_P3, CATALOGUE)[0]
    assert follow_up.query == "How was it funded? What did P3 and Cohort 4 do together?"


def test_tell_me_more_about_the_second_one_means_the_second_case_study_of_the_last_answer():
    """An ordinal picks from the last answer's case studies, in the order it gave them, and nothing else."""
    assert _focuses("Tell me more about the second one", ANSWER_ABOUT_THREE) == [[P3.case_study]]
    assert _focuses("What about the first case study?", ANSWER_ABOUT_THREE) == [[TOUCHSTONE.case_study]]
    assert _focuses("and the last one?", ANSWER_ABOUT_THREE) == [[SIFA.case_study]]




def test_after_a_decline_an_ordinal_picks_from_its_nearest_topics_in_the_order_it_gave_them():
    """A decline carries no sources: its case studies are those its text names, nearest first."""
    declined = [{"role": "user", "content": "What is the VAT position on subcontracting?"},
                {"role": "assistant", "content": "The case studies don't cover this question. The nearest topics they do "
                 "cover: P3 and Cohort 4, overview; Shelter and SIFA Fireside, Enablers; Touchstone and Live Well Leeds, "
                 "overview."}]
    assert _focuses("Tell me more about the second one", declined)[0] == [SIFA.case_study]
    assert _focuses("and the first one?", declined)[0] == [P3.case_study]


def test_a_follow_up_after_a_decline_is_about_the_last_answer_before_it():
    """The chat records a decline citing no case study: the topics it offered are not what the conversation was about.
    "what did they learn?" after "what did P3 do?", its answer and a declined question is about P3, asked as then."""
    conversation = [*ASKED_ABOUT_P3,
                    {"role": "user", "content": "what's the capital of France?"},
                    {"role": "assistant", "content": "The case studies don't cover this question. The nearest topics they "
                     "do cover: Shelter and SIFA Fireside, overview; Touchstone and Live Well Leeds, overview.",
                     "case_studies": [], "sources": []}]
    follow_up = readings("what did they learn?", conversation, CATALOGUE)[0]
    assert follow_up.focus == [P3.case_study] and follow_up.query == "what did they learn? What did P3 and Cohort 4 do together?"
    assert _focuses("Tell me more about the second one", conversation)[0] == [TOUCHSTONE.case_study]  # its topics, still


def test_an_ordinal_past_the_end_of_the_last_answer_picks_nothing_out_of_range():
    """"The fifth one" after three case studies is not a crash or a wrong case study: it stays a
    follow-up about all three, or a new question."""
    assert _focuses("Tell me more about the fifth one", ANSWER_ABOUT_THREE) == [
        [TOUCHSTONE.case_study, P3.case_study, SIFA.case_study], None]


def test_the_second_point_means_the_second_point_of_the_last_answer():
    """"Say more about the second point" searches for that point's own words, in the case study it
    cites; numbered items count as points too."""
    cited = [{"role": "user", "content": "Which case studies talk about trust?"},
             {"role": "assistant", "content": "3 case studies speak to this.\n\n**SIFA**: They met often. [1]\n\n"
                                              "**P3**: P3 took on the contract risk. [2]",
              "sources": [SIFA.case_study, P3.case_study]}]
    [point] = readings("can you say more about the second point?", cited, CATALOGUE)
    assert point.focus == [P3.case_study] and point.query.endswith("P3 took on the contract risk")
    numbered = ASKED_ABOUT_P3[:1] + [{"role": "assistant", "content": "1) shared values, 2) co-location, 3) honesty [1]."}]
    [point] = readings("tell me more about the 2nd point", numbered, CATALOGUE)
    assert point.focus == [P3.case_study] and point.query.endswith("co-location")
    assert [r.focus for r in readings("and the fifth point?", numbered, CATALOGUE)][0] == [P3.case_study]
    listed = ASKED_ABOUT_P3[:1] + [{"role": "assistant", "content": "Shared values; co-location; and honesty [1]."}]
    [point] = readings("could you expand on the third point?", listed, CATALOGUE)
    assert point.focus == [P3.case_study] and point.query.endswith("honesty")


def test_an_answer_citing_nothing_has_points_only_when_it_is_a_one_sentence_list():
    """A turn pasted in or written without citations ("A, B, and C") still has points; a sentence with
    fewer commas, or an answer of several sentences, is not a list, and an ordinal then reads as before."""
    listed = ASKED_ABOUT_P3[:1] + [{"role": "assistant", "content": "Build on trust and keep talking, be honest "
                                                                     "about power, and work through problems together."}]
    [point] = readings("Can you expand on the second one?", listed, CATALOGUE)
    assert point.focus == [P3.case_study] and point.query.endswith("be honest about power")
    for content in ("They leased a house, and Cohort 4 ran it.",
                    "P3 leased houses, paid rent, and funded staff. Cohort 4, a small group, ran them."):
        turn = ASKED_ABOUT_P3[:1] + [{"role": "assistant", "content": content}]
        queries = [r.query for r in readings("Can you expand on the second one?", turn, CATALOGUE)]
        assert queries and all(q in ("Can you expand on the second one?",
                                     "Can you expand on the second one? What did P3 and Cohort 4 do together?") for q in queries)


def test_a_cited_sentence_is_split_into_points_only_when_it_is_a_list():
    """"£100,000" is one figure, and a cited stretch of several sentences is one point, not a comma list."""
    cited = ASKED_ABOUT_P3[:1] + [{"role": "assistant", "content": "P3 leased a house for £100,000, and Cohort 4 ran "
                                                                    "it. It went well, they said, and grew. [1]"}]
    queries = [r.query for r in readings("say more about the second point", cited, CATALOGUE)]
    assert queries and all(q in ("say more about the second point",
                                 "say more about the second point What did P3 and Cohort 4 do together?") for q in queries)
    split = ASKED_ABOUT_P3[:1] + [{"role": "assistant", "content": "P3 paid £100,000, shared staff, and lent a house [1]."}]
    [point] = readings("say more about the second point", split, CATALOGUE)
    assert point.query.endswith("shared staff")
    listed = ASKED_ABOUT_P3[:1] + [{"role": "assistant", "content": "Agree values, early; share the risk; and talk [1]."}]
    [point] = readings("say more about the second point", listed, CATALOGUE)
    assert point.query.endswith("share the risk")  # a list with semicolons breaks at them, not at its commas


def test_the_second_one_after_one_case_study_s_points_means_the_second_point():
    """After an answer about one case study there is no second case study: "the second one" is its
    second point; after three case studies it is still the second case study."""
    lessons = ASKED_ABOUT_P3[:1] + [{"role": "assistant", "content": "Agree shared values [1]; price the work "
                                                                      "honestly [2]; and share the risk [3]."}]
    [point] = readings("can u explain the second one in plain english?", lessons, CATALOGUE)
    assert point.focus == [P3.case_study] and point.query.endswith("price the work honestly")
    assert _focuses("Tell me more about the second one", ANSWER_ABOUT_THREE) == [[P3.case_study]]


def test_source_numbers_refer_to_the_sources_of_the_last_answer():
    """"[1]" and "source 3" are the citations as numbered under the answer, not the order of case studies."""
    assert _focuses("What else does [1] say?", ANSWER_ABOUT_THREE) == [[SIFA.case_study]]
    assert _focuses("Say more about source 3", ANSWER_ABOUT_THREE) == [[P3.case_study]]


def test_a_follow_up_that_names_another_case_study_switches_to_it():
    """"What about Touchstone?" after P3 is about Touchstone only, whatever came before."""
    assert _focuses("What about Touchstone?", ASKED_ABOUT_P3) == [[TOUCHSTONE.case_study]]
    assert resolve("What about Touchstone?", ASKED_ABOUT_P3, CATALOGUE).query == "What about Touchstone?"


def test_the_most_recent_turn_about_a_case_study_is_the_one_followed():
    """A refusal in between (an answer with no case studies) does not lose the thread."""
    history = ASKED_ABOUT_P3 + [{"role": "user", "content": "How do I bake bread?"},
                                {"role": "assistant", "content": "The case studies don't cover this question."}]
    assert _focuses("What did they learn?", history)[0] == [P3.case_study]
    switched = history + [{"role": "user", "content": "How did Shelter help SIFA Fireside?"}]
    assert _focuses("What did they learn?", switched)[0] == [SIFA.case_study]


def test_an_answers_own_case_studies_outrank_the_names_in_its_text():
    """The sources an answer drew on say what it was about better than names it happens to mention;
    titles the catalogue does not hold (a case study since removed) are ignored."""
    history = [{"role": "user", "content": "Tell me about Touchstone"},
               {"role": "assistant", "content": "Touchstone ...", "case_studies": [P3.case_study]}]
    assert _focuses("What did they learn?", history)[0] == [P3.case_study]
    removed = [{"role": "user", "content": "Tell me about Touchstone"},
               {"role": "assistant", "content": "...", "case_studies": ["A case study no longer in the index"]}]
    assert _focuses("What did they learn?", removed)[0] == [TOUCHSTONE.case_study]


def test_a_full_question_that_refers_to_nothing_is_read_as_new_first():
    """"How do other charities build trust?" is a new question; reading it as more about P3 is the fallback."""
    assert _focuses("How do other charities build trust between partners?", ASKED_ABOUT_P3) == [None, [P3.case_study]]


def test_a_short_question_leans_on_the_conversation():
    """"And the funding?" has no referring word, but four words or fewer is read as a follow-up first."""
    assert _focuses("And the funding?", ASKED_ABOUT_P3) == [[P3.case_study], None]


def test_a_new_subject_in_words_the_corpus_never_uses_is_only_a_new_question():
    """Not more about P3, however well P3 is covered: the answering stage must not keep that reading. A word rare in
    English too ("Wolverhampton", "sourdough") tells a new subject; one the corpus happens not to use ("run", "wrong",
    "reverse") does not: "what went wrong in the first year?" is still more about P3."""
    known = {"charit", "count", "latest", "year", "first"}
    assert _focuses("What's the latest rough sleeping count in Wolverhampton?", ASKED_ABOUT_P3, known.__contains__) == [None]
    assert _focuses("what went wrong in the first year?", ASKED_ABOUT_P3, known.__contains__) == [None, [P3.case_study]]
    assert _focuses("How do other charities count the latest results?", ASKED_ABOUT_P3,
                    lambda term: True) == [None, [P3.case_study]]


def test_resolve_gives_the_likelier_reading():
    assert resolve("What did they learn?", ASKED_ABOUT_P3, CATALOGUE) == readings("What did they learn?", ASKED_ABOUT_P3,
                                                                                  CATALOGUE)[0]
    assert resolve("What did they learn?", ASKED_ABOUT_P3, CATALOGUE).focus == [P3.case_study]


@pytest.mark.parametrize("question, pointing", [
    ("what did they learn?", OUTRIGHT),  # nothing before "they" for it to stand for
    ("does this case say anything about risk?", OUTRIGHT),
    ("We're the larger partner in a bid. Does this case give advice for us?", OUTRIGHT),  # "this case": the last one
    ("can you give an example of what that post-holder actually did?", OUTRIGHT),
    ("ok and what are the main lessons from it, in plain english?", OUTRIGHT),  # opens as the last one's continuation
    ("nice, and who were the partners?", OUTRIGHT),
    ("how did the lead charity check its partners' finances?", MAYBE),  # "its" may be the lead charity's
    ("we're a small charity - how did they win the council over?", OUTRIGHT),  # "they" are not "we"
    ("I'm writing notes for my trustees - what did the partnership learn?", OUTRIGHT),  # nor the partnership
    ("our partners only get one-year deals so they can't plan. did anyone give longer?", MAYBE),  # "they": our partners?
    ("is there an example where the small charity led the bid?", ""),  # being, not a place
    ("what do the case studies say about sharing an office?", ""),  # all of them
    ("which of these partnerships were about housing?", ""),
    ("we got burnt by a partnership. has anyone come back from that?", ""),  # what the asker said
    ("our joint contract ended and it was messy. should we cut ties with the other orgs?", MAYBE),  # "it": the contract?
    ("is there a group in here that deliberately organises without a pecking order?", MAYBE),  # relative, not "that group"
    ("are councils still cutting youth funding this year?", ""),  # a time
    ("which case studies say they're more than the sum of their parts?", MAYBE),
])
def test_whether_a_question_points_back_is_read_from_its_words(question, pointing):
    assert points_back(question) == pointing


def test_a_question_naming_things_of_its_own_keeps_its_follow_up_reading_only_tentatively():
    """After an answer about P3, "how have cuts to council funding affected small charity partnerships?" names five
    things of its own, and "how did the lead charity check the finances of its smaller partners?" may mean its own lead
    charity: each follow-up reading stands only if the question's own words find P3 (answer.Answerer.best_reading).
    "what did the partners argue about?" names two; "what did they learn?" points back outright."""
    own = readings("how have cuts to council funding affected small charity partnerships?", ASKED_ABOUT_P3, CATALOGUE)
    assert [(r.focus, r.tentative) for r in own] == [(None, False), ([P3.case_study], True)]
    maybe = readings("how did the lead charity check the finances of its smaller partners?", ASKED_ABOUT_P3, CATALOGUE)
    assert [(r.focus, r.tentative) for r in maybe] == [([P3.case_study], True), (None, False)]
    few = readings("what did the partners argue about?", ASKED_ABOUT_P3, CATALOGUE)
    assert [(r.focus, r.tentative) for r in few] == [(None, False), ([P3.case_study], False)]
    [outright, _] = readings("what did they learn?", ASKED_ABOUT_P3, CATALOGUE)
    assert not outright.tentative and not outright.fallback


def test_which_case_studies_is_not_asked_of_the_one_case_study_talked_about():
    standalone, follow_up = readings("which case studies share an office?", ASKED_ABOUT_P3, CATALOGUE)
    assert standalone.focus is None and follow_up.focus == [P3.case_study] and follow_up.fallback
    for question in ("great. what do the case studies say about trust?", "so which case study leased a house?"):
        assert all(r.fallback for r in readings(question, ASKED_ABOUT_P3, CATALOGUE) if r.focus), question
    after_three = readings("which case studies share an office?", ANSWER_ABOUT_THREE, CATALOGUE)[1]
    assert len(after_three.focus) == 3 and not after_three.fallback  # which of those three


def test_a_question_that_does_not_point_back_needs_its_own_words_for_its_follow_up_reading():
    """"can I stay in the house?" after a turn about P3: the follow-up reading finds P3 with the last question's words,
    so it stands only if the question's own words are covered too, or come close and it isn't the asker's own."""
    standalone, follow_up = readings("can I stay in the house?", ASKED_ABOUT_P3, CATALOGUE)
    assert standalone.focus is None and follow_up.needs_own_words and follow_up.askers_own
    [pointing, _] = readings("what did they learn?", ASKED_ABOUT_P3, CATALOGUE)
    assert not pointing.needs_own_words


def test_anyone_else_and_the_others_are_the_other_case_studies_unless_theirs_are_meant():
    """"anyone else?" after P3 asks the other case studies; "the others" that "they" deal with, or apart from them,
    are others in P3 (a review's 64 conversations: 14 of 32 such questions had been sent to the other case studies)."""
    others = [TOUCHSTONE.case_study, SIFA.case_study]
    for question in ("did anyone else do that?", "what about the others?", "anyone else?",
                     "did anyone else support their partners like that?",  # "their": anyone else's
                     "were they the only ones or did anyone else try it?",  # "they": another clause
                     "was anyone else rushed like them?", "did anyone else take on the risk for them like that?",
                     "did they have someone like that elsewhere?",
                     "does any other case study say that about them?"):  # the case studies, by name
        assert _focuses(question, ASKED_ABOUT_P3) == [others], question
    for question in ("how did they reassure the others?", "was anyone else involved apart from those two?",
                     "did they help anyone else?", "besides them, was anyone else involved?"):
        assert _focuses(question, ASKED_ABOUT_P3)[0] == [P3.case_study], question
    asker_s = "the local charities don't think of us when they're looking for partners. anyone else hit that?"
    assert others in _focuses(asker_s, ASKED_ABOUT_P3)
