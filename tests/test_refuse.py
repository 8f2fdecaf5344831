"""The coverage decision (answer, offer the closest passages, or decline) on hand-built hits and
signals: no model, no index. The weights are calibrated elsewhere (eval/calibrate.py); these tests
pin down how the decision uses them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.asks import asks_for_writing
from assistant.errors import AssistantError
from assistant.keyword import KeywordIndex
from assistant.records import Hit, Passage
from assistant.refuse import (
    ANSWERED,
    CLOSEST,
    CLOSEST_SHARE,
    DECLINED,
    FACT_SENTENCES,
    Coverage,
    ScopeExamples,
    Signals,
    assess,
    declined_text,
    missing_fact,
    signals,
    unknown_names,
)
from assistant.settings import DEFAULT_REFUSAL_THRESHOLD, DEFAULT_SCOPE_EXAMPLES_FILE
from conftest import FakeEmbeddings, public_check_questions

THRESHOLD = DEFAULT_REFUSAL_THRESHOLD
QUESTION = "which organisations does Touchstone work with in Leeds?"


def _passage(short_title: str, text: str, section: str = "overview", lesson: int | None = None,
             position: int = 0) -> Passage:
    return Passage(id=f"{short_title}#{position}", case_study=f"Working together ({short_title})",
                   organisations=(short_title,), section=section, lesson=lesson, kind="paragraph", text=text,
                   source=f"{position}.md", position=position, content_hash=str(position))


TOUCHSTONE = _passage("Touchstone", "Touchstone works with 16 smaller organisations in Leeds. Trust grew over time.")
P3 = _passage("P3 and Cohort 4", "P3 took on the contract risk.", section="Learning", lesson=2, position=1)
KEYWORD = KeywordIndex.build([TOUCHSTONE, P3])


def _hit(passage: Passage, best_sentence: float, score: float = 0.9) -> Hit:
    return Hit(passage, score, best_sentence, (best_sentence, 0.1))


def _coverage(probability: float, names: tuple[str, ...] = (), missing: str = "") -> Coverage:
    neutral = Signals(0.5, 0.5, 0.5, 1.0, 0.0, 0.0, 0.0)  # the outcome reads the probability, not these
    return Coverage(neutral, probability, names, THRESHOLD, missing)


@pytest.mark.parametrize("probability, missing, outcome", [
    (THRESHOLD, "", ANSWERED),  # the threshold itself answers
    (0.99, "", ANSWERED),
    (THRESHOLD - 0.01, "", CLOSEST),  # near, but not near enough: the closest passages, labelled
    (CLOSEST_SHARE * THRESHOLD, "", CLOSEST),
    (CLOSEST_SHARE * THRESHOLD - 0.01, "", DECLINED),  # far: nothing offered as if it answered
    (0.99, "money", CLOSEST),  # a sum asked for and not given is at best "not directly covered"
    (0.01, "money", DECLINED),
])
def test_the_outcome_follows_the_probability_the_threshold_and_a_missing_fact(probability, missing, outcome):
    coverage = _coverage(probability, missing=missing)
    assert coverage.outcome == outcome
    assert coverage.covered is (outcome == ANSWERED)


def test_a_name_the_corpus_never_uses_declines_however_close_the_passages():
    """The case studies would be answering about someone else."""
    assert _coverage(0.99, names=("Barnardo's",)).outcome == DECLINED
    hits = [_hit(TOUCHSTONE, 0.9)]
    coverage = assess("What did Barnardo's learn from Touchstone?", hits, KEYWORD, THRESHOLD, True, 0.3)
    assert coverage.unknown_names == ("Barnardo's",) and coverage.outcome == DECLINED


def test_the_place_the_asker_says_they_are_in_is_not_a_name_the_question_is_about():
    """"I'm at a social enterprise near Nuneaton": the place is the asker's; "what did Barnardo's do in Nuneaton?"
    and "we work with Barnardo's" still name someone the case studies never mention."""
    assert unknown_names("I'm at a social enterprise near Nuneaton, what should we watch for?", KEYWORD) == ()
    assert unknown_names("we're in Nuneaton - any tips on sharing risk?", KEYWORD) == ()
    assert unknown_names("we operate in Wrexham and Flintshire, how do we build trust?", KEYWORD) == ()
    assert unknown_names("we're a charity in St Helens, any tips?", KEYWORD) == ()  # a place of two words
    assert unknown_names("what did Barnardo's do in Nuneaton?", KEYWORD) == ("Barnardo's", "Nuneaton")
    assert unknown_names("we work with Barnardo's, any tips?", KEYWORD) == ("Barnardo's",)
    assert unknown_names("we got a grant from Lankelly, any tips?", KEYWORD) == ("Lankelly",)  # a funder, not a place
    assert unknown_names("I'm interested in Barnardo's approach", KEYWORD) == ("Barnardo's",)
    assert unknown_names("I'm a volunteer in Oxfam's shop, any tips?", KEYWORD) == ("Oxfam's",)  # no place is possessive
    assert unknown_names("we're in Hull and Barnardo's asked us to bid", KEYWORD) == ("Barnardo's",)


def test_an_acronym_the_passages_found_spell_out_is_no_unknown_name():
    """"EOI" is "an expression of interest" in the text; "NCVO" is spelt out nowhere."""
    leeds = _passage("Touchstone", "An expression of interest process was sent to around 300 organisations.")
    keyword = KeywordIndex.build([leeds])
    hits = [Hit(leeds, 0.9, 0.8, (0.8,))]
    assert assess("how many orgs got the EOI?", hits, keyword, THRESHOLD, True, 0.3).unknown_names == ()
    assert assess("what did NCVO say about the EOI?", hits, keyword, THRESHOLD, True, 0.3).unknown_names == ("NCVO",)
    by_chance = [Hit(_passage("POhWER", "Partners may not be in a position to meet them."), 0.9, 0.8, (0.8,))]
    assert assess("did they meet IAPT rules?", by_chance, keyword, THRESHOLD, True, 0.3).unknown_names == ("IAPT",)


def test_a_long_name_of_everyday_words_the_corpus_never_spells_out_is_unknown():
    """Each of "Charity Governance Code" is an everyday word; the name is not the corpus's. The corpus's
    own long names are known by their initials, after a possessive too; title case marks no names."""
    corpus = KeywordIndex.build([_passage("Touchstone", "Touchstone delivers the Live Well Leeds service.")])
    assert unknown_names("What does the Charity Governance Code say on board diversity?", corpus) == ("Charity Governance Code",)
    assert unknown_names("How long are Touchstone's Live Well Leeds contracts?", corpus) == ()
    assert unknown_names("How Do Small Charities Share Risk With Big Ones?", corpus) == ()


def test_a_year_after_the_latest_the_case_studies_can_tell_of_is_unknown():
    """Written in 2021, they cannot say what a council spends in 2025 nor whether a contract was renewed
    in 2024, however near the passages; 2020 they may speak of."""
    corpus = KeywordIndex.build([replace(_passage("Touchstone", "In 2019 the contract began."), published="2021-02")])
    assert unknown_names("did the contract get renewed in 2024?", corpus) == ("2024",)
    assert unknown_names("what did they do in 2020 and 2021?", corpus) == ()
    coverage = assess("how much is Touchstone spending in 2025?", [_hit(TOUCHSTONE, 0.9)], corpus, THRESHOLD, True, 0.3)
    assert coverage.outcome == DECLINED
    assert "don't mention 2025" in declined_text(coverage, [_hit(TOUCHSTONE, 0.9)])


def test_an_out_of_scope_signal_turns_an_answer_into_a_decline():
    """The same passages, as near: a question nearer the out-of-scope examples than the in-scope ones
    is not answered from them."""
    hits = [_hit(TOUCHSTONE, 0.3)]
    in_scope = assess(QUESTION, hits, KEYWORD, THRESHOLD, False, example_margin=0.2)
    out_of_scope = assess(QUESTION, hits, KEYWORD, THRESHOLD, False, example_margin=-0.3)
    assert (in_scope.outcome, out_of_scope.outcome) == (ANSWERED, DECLINED)


def test_closer_sentences_raise_the_probability_of_covering():
    """Closeness moves a question up (declined, closest, answered), never down; how far it moves
    depends on the other signals, here the margin over the out-of-scope examples."""
    rank = {DECLINED: 0, CLOSEST: 1, ANSWERED: 2}
    seen = set()
    for margin in (-0.2, -0.05):
        coverages = [assess(QUESTION, [_hit(TOUCHSTONE, s)], KEYWORD, THRESHOLD, False, margin) for s in (0.0, 0.5, 1.0)]
        probabilities = [c.probability for c in coverages]
        assert probabilities == sorted(probabilities) and len(set(probabilities)) == 3
        assert [rank[c.outcome] for c in coverages] == sorted(rank[c.outcome] for c in coverages)
        seen.update(c.outcome for c in coverages)
    assert seen == {DECLINED, CLOSEST, ANSWERED}


def test_a_question_narrowed_to_a_case_study_is_likelier_covered():
    """A filter, a name or a follow-up has already said where to look."""
    hits = [_hit(TOUCHSTONE, 0.5)]
    assert (assess(QUESTION, hits, KEYWORD, THRESHOLD, True, -0.3).probability
            > assess(QUESTION, hits, KEYWORD, THRESHOLD, False, -0.3).probability)


def test_nothing_found_covers_nothing():
    coverage = assess(QUESTION, [], KEYWORD, THRESHOLD, True, 0.5)
    assert coverage.probability == 0.0 and coverage.outcome == DECLINED


def test_signals_are_read_from_every_hit_and_the_question_words():
    hits = [Hit(P3, 0.7, 0.4, (0.2, 0.3)), Hit(TOUCHSTONE, 0.6, 0.55, (0.65, 0.1))]
    found = signals("does Touchstone work with sourdough bakers?", hits, KEYWORD, True, 0.12)
    assert found.best_sentence == 0.65  # the best sentence of any hit, not of the first
    assert found.best_passage == 0.55
    assert found.agreement == 0.7  # the top hit's fused score
    assert found.known_share == pytest.approx(2 / 4)  # touchstone, work known; sourdough, baker not
    assert found.unknown_rarity > 0.3  # "sourdough" is a rare word
    assert (found.focused, found.example_margin) == (1.0, 0.12)
    assert signals("who's in it?", hits, KEYWORD, True, 0.12).known_share == 1.0  # the filter is its content
    assert signals("who are you?", hits, KEYWORD, False, 0.12).known_share == 0.0  # alone, it has none


def test_a_fact_asked_for_counts_only_if_one_of_the_nearest_sentences_carries_it():
    """How many: "16 smaller organisations" answers when it is near the question, not when
    FACT_SENTENCES nearer sentences crowd it out."""
    near = [Hit(TOUCHSTONE, 0.9, 0.8, (0.8, 0.1))]
    assert missing_fact("how many organisations does Touchstone work with?", near, KEYWORD) == ""
    assert missing_fact("how much does Touchstone pay them?", near, KEYWORD) == "money"
    assert missing_fact("what did Touchstone learn?", near, KEYWORD) == ""  # asks for no fact
    crowd = [Hit(_passage(f"Other {i}", "Trust grew.", position=10 + i), 0.5, 0.9, (0.9,)) for i in range(FACT_SENTENCES)]
    far = [Hit(TOUCHSTONE, 0.4, 0.2, (0.2, 0.1))]
    assert missing_fact("how many organisations does Touchstone work with?", crowd + far, KEYWORD) == "number"


def test_a_count_of_something_else_is_no_answer_to_how_many_unless_the_word_cannot_be_judged():
    """"16 smaller organisations" does not say how many staff Touchstone has ("staff" is standard
    English, though the corpus never uses it); shorthand ("ppl") can't be compared, so any number counts."""
    near = [Hit(TOUCHSTONE, 0.9, 0.8, (0.8, 0.1))]
    assert missing_fact("how many staff does Touchstone employ?", near, KEYWORD) == "number"
    assert missing_fact("how many smaller organisations does Touchstone work with?", near, KEYWORD) == ""
    assert missing_fact("how many ppl does Touchstone work with?", near, KEYWORD) == ""


def test_named_things_asked_to_be_listed_need_a_list_of_what_is_asked_for_not_their_count():
    """"The other 11 Trailblazer areas" are counted ("one of 12 Trailblazer areas"), not named; a list of the
    alliance's charities names no areas; "the five providers" are named in a list under the sentence that counts them."""
    counted = _passage("Somerset", "Somerset is one of 12 Trailblazer areas. The Alliance is comprised of:\n"
                                   "• charities (Rethink Mental Illness, Second Step, Mind in Somerset, SWEDA)")
    listed = _passage("STAGE", "STAGE was set up with five specialist providers:\n• Basis Yorkshire\n• Women Centre\n"
                               "• Together Women\n• A Way Out", position=1)
    keyword = KeywordIndex.build([counted, listed])
    assert missing_fact("what are the other 11 Trailblazer areas?", [_hit(counted, 0.8)], keyword) == "list"
    assert missing_fact("who were the five providers in STAGE?", [_hit(listed, 0.8)], keyword) == ""
    assert missing_fact("who are the five women's orgs in STAGE?", [_hit(listed, 0.8)], keyword) == ""  # kin of providers
    assert missing_fact("list all 12 charities in the alliance", [_hit(counted, 0.8)], keyword) == ""  # a run of names
    assert missing_fact("list all 5 areas", [_hit(listed, 0.8)], keyword) == "list"  # a list, but not of areas
    funded = _passage("VAWG", "It is funded by London Councils, the Mayor's Office for Policing and Crime and City Bridge "
                              "Trust. It works across four key areas:\n- housing\n- drug and alcohol services\n- employment",
                      position=2)
    keyword = KeywordIndex.build([funded])
    assert missing_fact("who are the three funders?", [_hit(funded, 0.8)], keyword) == ""  # "the" and "and" in the run
    assert missing_fact("what are the four key areas?", [_hit(funded, 0.8)], keyword) == ""  # items in lower case
    coalition = _passage("VAWG", "It is a coalition of 28 providers working across London to deliver projects funded by "
                                 "London Councils, the Mayor's Office and City Bridge Trust.", position=3)
    keyword = KeywordIndex.build([coalition])
    assert missing_fact("list all 28 members", [_hit(coalition, 0.8)], keyword) == "list"  # the run names funders


def test_what_the_case_studies_never_speak_of_they_do_not_count_even_with_a_bare_number_near():
    """"supports around 3." counts whatever a question asks about, but not what the corpus never
    mentions: "how many staff does P3 employ?" is not answered by it."""
    bare = _passage("P3", "The house is for women. This service supports around 3.")
    near = [Hit(bare, 0.9, 0.8, (0.8, 0.7))]
    keyword = KeywordIndex.build([bare, TOUCHSTONE])
    assert missing_fact("how many staff does P3 employ?", near, keyword) == "number"
    assert missing_fact("how many women does the house support?", near, keyword) == ""  # a word the corpus has
    assert missing_fact("how many smaller organisations does the house support?", near, keyword) == ""


def test_a_population_is_counted_by_nothing_in_a_corpus_that_never_speaks_of_one():
    """"What's the population of Leeds?" counts a population, "figures on crime" count crimes: "16 smaller
    organisations in Leeds" is no answer to either."""
    near = [Hit(TOUCHSTONE, 0.9, 0.8, (0.8, 0.1))]
    assert missing_fact("what's the population of Leeds?", near, KEYWORD) == "number"
    assert missing_fact("what population does Touchstone serve?", near, KEYWORD) == ""  # its people: a count may say
    assert missing_fact("how many people live in Leeds?", near, KEYWORD) == "number"  # a place's people: its population
    assert missing_fact("how many organisations are there in Leeds?", near, KEYWORD) == ""
    assert missing_fact("latest figures on crime in Leeds?", near, KEYWORD) == "number"  # statistics of it
    assert missing_fact("any figures on organisations in Leeds?", near, KEYWORD) == ""
    assert missing_fact("any stats on Touchstone?", near, KEYWORD) == ""  # of an organisation, not a count of it


def test_a_count_counts_the_noun_its_phrase_ends_on_and_that_noun_s_kin():
    """"five specialist women's sector providers" counts providers, not women; a question counting
    organisations or partners is answered by it (the kin of "provider")."""
    stage = _passage("STAGE", "The fund supported STAGE with five specialist women’s sector providers: Oasis and others.")
    near = [Hit(stage, 0.9, 0.8, (0.8, 0.1))]
    keyword = KeywordIndex.build([stage, TOUCHSTONE])
    assert missing_fact("how many women has STAGE supported?", near, keyword) == "number"
    assert missing_fact("how many specialist women's sector providers joined?", near, keyword) == ""
    assert missing_fact("how many organisations joined STAGE?", near, keyword) == ""


def test_a_count_the_nearest_sentence_leaves_unsaid_is_missing():
    """"How many partners underperformed?" is not answered by "16 smaller organisations" when the sentence nearest it
    says "some partners underperformed"; with the count nearest, it is."""
    leeds = _passage("Touchstone", "In the first year, some partners underperformed. Touchstone works with 16 smaller "
                     "organisations. They collaborate with a range of organisations.")
    keyword = KeywordIndex.build([leeds])
    vague_nearest, count_nearest = [Hit(leeds, 0.9, 0.8, (0.8, 0.5, 0.1))], [Hit(leeds, 0.9, 0.8, (0.5, 0.8, 0.1))]
    assert missing_fact("how many partners underperformed in the first year?", vague_nearest, keyword) == "number"
    assert missing_fact("how many partners does Touchstone work with?", count_nearest, keyword) == ""
    whole_nearest = [Hit(leeds, 0.9, 0.8, (0.1, 0.5, 0.8))]  # "a range of organisations" is all of them, not some
    assert missing_fact("how many organisations does Touchstone collaborate with?", whole_nearest, keyword) == ""


def test_a_sum_must_be_of_what_the_question_prices():
    """"What's CYN's annual income?" is not answered by "the £7.4m contract"; "what income do most
    of them have?" is by "an income of under £100,000", and "how much was the contract worth?" by
    any sum (it names no kind of sum)."""
    cyn = _passage("CYN", "In Bristol, the City Council were to tender the £7.4m contract for youth services.")
    leeds = _passage("Touchstone", "Most partners have an income of under £100,000.", position=1)
    keyword = KeywordIndex.build([cyn, leeds])
    near_cyn, near_leeds = [Hit(cyn, 0.9, 0.8, (0.8,))], [Hit(leeds, 0.9, 0.8, (0.8,))]
    assert missing_fact("what was CYN's annual income?", near_cyn, keyword) == "money"
    assert missing_fact("how much was the Bristol contract worth?", near_cyn, keyword) == ""
    assert missing_fact("what turnover do most of the partners have?", near_leeds, keyword) == ""


def test_asked_of_a_named_case_study_a_length_of_time_must_be_said_of_what_the_question_names():
    """"How long is Touchstone's grant?" is not answered by a contract's five years; "how long is
    the contract?" is. Unnamed, a question of how long may be answered in other words."""
    passage = _passage("Touchstone", "Contracts for all partners have been increased to 5 years. Trust grew.")
    near = [Hit(passage, 0.9, 0.8, (0.8, 0.1))]
    keyword = KeywordIndex.build([passage])
    assert missing_fact("how long is the Touchstone grant for?", near, keyword, focused=True) == "duration"
    assert missing_fact("how long are Touchstone's contracts?", near, keyword, focused=True) == ""
    assert missing_fact("how long does it take partners to trust each other?", near, keyword) == ""


def test_asked_of_a_named_case_study_a_size_must_be_said_of_what_the_question_names():
    """"How large were the innovation grants?" (a sum: the size of money) is not answered by "12 Trailblazers" nor by
    "all sizes of organisation"; "how big was the contract?" is by "the £7.4m contract", and "how big is the lead org?"
    by any figure said of the organisation the sentence names instead."""
    somerset = _passage("Somerset Alliance", "Partners allocated small amounts of funding through innovation grants. "
                        "There is value in all sizes of organisation. Somerset is one of 12 Trailblazers.")
    cyn = _passage("CYN", "The City Council tendered the £7.4m contract for youth services.", position=1)
    keyword = KeywordIndex.build([somerset, cyn, TOUCHSTONE])
    near_somerset = [Hit(somerset, 0.9, 0.8, (0.8, 0.7, 0.6))]
    assert missing_fact("how large were the innovation grants?", near_somerset, keyword, focused=True) == "money"
    assert missing_fact("how big was the contract?", [Hit(cyn, 0.9, 0.8, (0.8,))], keyword, focused=True) == ""
    assert missing_fact("how big is the lead org?", [Hit(TOUCHSTONE, 0.9, 0.8, (0.8, 0.1))], keyword, focused=True) == ""
    network = [Hit(TOUCHSTONE, 0.9, 0.8, (0.8, 0.1))]  # no sentence near speaks of a network: any figure may tell its size
    assert missing_fact("how big is the Touchstone network?", network, keyword, focused=True) == ""


def test_asked_of_a_named_case_study_a_date_must_be_said_of_what_the_clause_asking_for_it_names():
    """"What year was SIFA founded?" is not answered by the year Shelter subcontracted SIFA; "when
    was the alliance set up, and under what programme?" is answered by "formed in 2019" though the
    programme's words are not in that sentence: only the clause asking for the date is read."""
    sifa = _passage("SIFA", "In 2016, Shelter subcontracted SIFA to co-deliver a service.")
    alliance = _passage("Somerset Alliance", "The Alliance was formed in 2019 as part of the new Framework.", position=1)
    keyword = KeywordIndex.build([sifa, alliance])
    near_sifa, near_alliance = [Hit(sifa, 0.9, 0.8, (0.8,))], [Hit(alliance, 0.9, 0.8, (0.8,))]
    assert missing_fact("what year was SIFA founded?", near_sifa, keyword, focused=True) == "date"
    assert missing_fact("when was SIFA set up?", near_sifa, keyword, focused=True) == "date"  # a beginning, in any words
    assert missing_fact("when did Shelter first subcontract SIFA?", near_sifa, keyword, focused=True) == ""
    # a word of the same family as the sentence's: "subcontractor", "subcontracted"
    assert missing_fact("when did SIFA first become a subcontractor?", near_sifa, keyword, focused=True) == ""
    assert missing_fact("when was the Alliance set up, and under what national programme?", near_alliance, keyword,
                        focused=True) == ""


def test_how_things_stand_now_in_the_world_is_not_told_by_any_case_study():
    """"How big are the cuts to youth budgets right now?", named of no case study: the case studies tell how things stood
    when they were written, so at best the closest; asked of one, of the asker's own situation, or asking advice rather
    than a fact ("what are the main challenges at the moment?"), the usual checks."""
    cuts = _passage("CYN", "Cuts to funding meant the council now tenders one youth contract.")
    keyword = KeywordIndex.build([cuts])
    near = [Hit(cuts, 0.9, 0.8, (0.8,))]
    assert missing_fact("how big are the cuts to council youth budgets right now?", near, keyword) == "present"
    assert missing_fact("are councils still cutting funding this year?", near, keyword) == "present"
    assert missing_fact("what are the main challenges with council cuts at the moment?", near, keyword) == ""
    assert missing_fact("how is the council tendering youth work these days?", near, keyword, focused=True) == ""
    assert missing_fact("our funding is being cut right now - how did others cope with cuts?", near, keyword) == ""
    assert missing_fact("the cuts mean some groups now won't bid: how did CYN bring them round?", near, keyword) == ""


def test_a_clause_asking_a_fact_of_it_is_read_with_the_clause_naming_it():
    """"Who gave the sustainability grant, and how many years did it cover?": "it" is the grant, named in the other
    clause, so "three years funding towards sustainability" answers; a clause naming its own subject is read alone."""
    grant = _passage("London VAWG", "It received three years funding towards sustainability from the City Bridge Trust.")
    keyword = KeywordIndex.build([grant])
    near = [Hit(grant, 0.9, 0.8, (0.8,))]
    assert missing_fact("who gave the sustainability grant, and how many years did it cover?", near, keyword,
                        focused=True) == ""
    assert missing_fact("who gave the sustainability grant, and how many years did the lease cover?", near, keyword,
                        focused=True) == "duration"
    voted = _passage("Somerset", "Rethink were voted lead. The Alliance was formed in 2019.", position=1)
    assert missing_fact("who was voted lead and when was that?", [Hit(voted, 0.9, 0.8, (0.8, 0.7))],
                        KeywordIndex.build([voted]), focused=True) == ""  # "that" is the vote: its clause is read alone

def test_a_decline_names_the_unknown_name_and_offers_the_nearest_topics():
    hits = [_hit(P3, 0.5), _hit(TOUCHSTONE, 0.4), _hit(P3, 0.3), _hit(TOUCHSTONE, 0.05)]
    text = declined_text(_coverage(0.9, names=("Barnardo's",)), hits)
    assert text.startswith("The case studies don't mention Barnardo's, so I can't answer this from them.")
    # each topic once, nearest first; one too far from the question is not offered
    assert text.endswith("The nearest topics they do cover: P3 and Cohort 4, Learning 2; Touchstone, overview.")


def test_a_decline_with_nothing_near_suggests_what_to_ask_about():
    text = declined_text(_coverage(0.01), [_hit(TOUCHSTONE, 0.05)])
    assert text.startswith("The case studies don't cover this question, so I won't guess an answer.")
    assert "Try asking about" in text and "Touchstone" not in text


def test_a_decline_in_a_board_paper_has_no_i_and_no_invitation():
    for hits in ([_hit(TOUCHSTONE, 0.5)], []):
        text = declined_text(_coverage(0.01), hits, board=True)
        assert text.startswith("The case studies do not cover this topic")
        assert " I " not in f" {text} " and "I'" not in text and "Try" not in text


@pytest.mark.parametrize("question, writing", [
    ("write me a job advert for a partnership manager a bit like touchstone's", True),
    ("Can you draft an email to Rethink asking whether we can join the Somerset Alliance?", True),
    ("tbh can you just write a job ad for a part-time youth worker?", True),
    ("can you just draft our safeguarding policy for us", False),  # a policy is also what a case study tells of
    ("could you write a press release about SIFA", True),
    ("Please draft a press release announcing our new partnership with a national charity.", True),
    ("write a limerick about the Somerset Mental Health Alliance.", True),
    ("write me a short summary of the P3 case study", False),  # what the case study says, in short
    ("make a list of the lessons", False),
    ("could you write up the key lessons from Touchstone for my board", False),  # what it says, for a board
    ("write me a 200 word summary of the Touchstone partnership", False),
    ("make a comparison of how Touchstone and Somerset shared money with small partners", False),
    ("draft me a few bullet points on that", False),
    ("write a description of the LWPM service", False),
    ("I want to write a bid like CYN's, what did they do before the tender came out?", False),  # what they did
    ("translate the acronym LWPM please", False),
    ("give me the policies pohwer shared with advocacy matters", False),  # policies as a topic
    ("can you give me an example of a post the delivery network manager held", False),
    ("give me a quote for a speech about collaboration", False),  # a quote the case studies give
    ("did anyone write down their shared aims?", False),  # what a case study did
    ("how do we write down who does what in our alliance?", False),
    ("what did the partners make of the draft agreement?", False),
])
def test_a_request_for_a_piece_of_writing_is_told_by_its_form(question, writing):
    assert asks_for_writing(question) is writing


def test_a_request_for_a_piece_of_writing_is_declined_however_close_the_passages():
    """"Write me a job advert like Touchstone's Delivery Network Manager" had been answered with the role's
    sentences: the case studies say what was done, they don't write an advert."""
    hits = [_hit(TOUCHSTONE, 0.9)]
    coverage = assess("write me a job advert like touchstone's", hits, KEYWORD, THRESHOLD, whole=True)
    assert coverage.outcome == DECLINED
    assert declined_text(coverage, hits).startswith("I can't write that: I answer questions from what the case studies")
    board = declined_text(coverage, hits, board=True)
    assert " I " not in f" {board} " and "I'" not in board


def test_names_in_a_decline_are_shown_as_text_not_markup():
    """A name comes from a stranger's question: shown as typed, never rendered as markup."""
    text = declined_text(_coverage(0.9, names=("<b>Evil</b>",)), [])
    assert "<b>" not in text and "\\<b\\>Evil\\</b\\>" in text


def test_the_example_margin_is_the_nearest_in_scope_example_minus_the_nearest_out_of_scope():
    vectors = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype=np.float32)
    examples = ScopeExamples(["How was trust built?", "What is VAT?", "Who won the match?"], [True, False, False], vectors)
    assert examples.margin([1.0, 0.0]) == pytest.approx(1.0 - 0.6)
    assert examples.margin([0.0, 1.0]) == pytest.approx(0.0 - 1.0)
    # calibrating: a labelled question is not compared with itself
    assert examples.margin([0.0, 1.0], exclude="who won the match?") == pytest.approx(0.0 - 0.8)


def test_with_examples_of_one_kind_only_the_margin_says_nothing():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    assert ScopeExamples(["a", "b"], [True, True], vectors).margin([1.0, 0.0]) == 0.0
    assert ScopeExamples([], [], np.zeros((0, 2), dtype=np.float32)).margin([1.0, 0.0]) == 0.0


def test_scope_examples_are_embedded_once_and_cached(tmp_path):
    path = tmp_path / "scope.jsonl"
    path.write_text('{"question": "How was trust built?", "in_scope": true}\n\n'
                    '{"question": "What is VAT?", "in_scope": false}\n', encoding="utf-8")
    embedder = FakeEmbeddings()
    first = ScopeExamples.load(path, embedder, tmp_path / "cache")
    again = ScopeExamples.load(path, embedder, tmp_path / "cache")
    assert embedder.calls == 1
    assert np.array_equal(first.vectors, again.vectors) and list(again.in_scope) == [True, False]


def test_the_public_check_halves_are_never_among_the_scope_examples(tmp_path):
    """A check question that is also an example is judged by its own label, not by the decision."""
    examples = ScopeExamples.load(DEFAULT_SCOPE_EXAMPLES_FILE, FakeEmbeddings(), tmp_path)
    checks = public_check_questions()
    assert checks and not checks & {question.strip().lower() for question in examples.questions}


@pytest.mark.parametrize("content", ["not json\n", '{"question": "What is VAT?"}\n'])
def test_unreadable_scope_examples_say_how_to_fix_them(tmp_path, content):
    path = tmp_path / "scope.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AssistantError, match="ASSISTANT_SCOPE_EXAMPLES_FILE"):
        ScopeExamples.load(path, FakeEmbeddings(), tmp_path / "cache")
    with pytest.raises(AssistantError, match="cannot be read"):
        ScopeExamples.load(tmp_path / "missing.jsonl", FakeEmbeddings(), tmp_path / "cache")

