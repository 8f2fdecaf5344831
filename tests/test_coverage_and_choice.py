"""The coverage decision and sentence choice on hand-built records: no model, no index."""

from __future__ import annotations

import re

import pytest

from assistant.asks import (
    acronyms_to_expand,
    asks_about_now,
    asks_for_a_summary,
    asks_only_for_sections,
    asks_what_next,
    carries_fact,
    counted_words,
    expands,
    fact_kinds,
    leaves_unnamed,
    named_nouns,
    rated_terms,
    spells_out,
)
from assistant.catalogue import Catalogue
from assistant.compose import choose, compose
from assistant.followup import readings
from assistant.keyword import KeywordIndex
from assistant.parse import parse, sentences_of
from assistant.records import Document, Hit, Passage
from assistant.refuse import ANSWERED, CLOSEST, DECLINED, assess, unknown_names
from assistant.settings import DEFAULT_REFUSAL_THRESHOLD
from assistant.text import names_in, straight_quotes, terms

THRESHOLD = DEFAULT_REFUSAL_THRESHOLD


def _passage(case: str, text: str, section: str = "overview", kind: str = "paragraph", position: int = 0,
             lesson: int | None = None) -> Passage:
    return Passage(id=f"{case}#{position}", case_study=f"Working together ({case})", organisations=(case,),
                   section=section, lesson=lesson, kind=kind, text=text, source=f"{case}.md", position=position,
                   content_hash=str(position))


TOUCHSTONE = _passage("Touchstone", "Touchstone provides mental health services across West and South Yorkshire. "
                                    "It works with 16 smaller organisations. This enabled growth.")
P3 = _passage("P3", "P3 took on legal, contractual and performance risk. Cohort 4 brought expertise.", position=1)
SIFA = _passage("SIFA", "Shelter and SIFA met regularly. They built a strong relationship.", position=2)
KEYWORD = KeywordIndex.build([TOUCHSTONE, P3, SIFA, _passage("POhWER", "Co-production of services with coproducing "
                                                                       "partners in England.", position=3)])


def _hit(passage: Passage, sentences: tuple[float, ...], score: float = 0.9) -> Hit:
    return Hit(passage, score, max(sentences), sentences)


@pytest.mark.parametrize("best_sentence, margin, outcome", [
    (0.75, 0.2, ANSWERED),  # close sentence, close to in-scope examples
    (0.30, -0.15, CLOSEST),  # the corpus comes near, but does not answer
    (0.10, -0.4, DECLINED),  # far from the corpus, close to out-of-scope examples
])
def test_the_coverage_decision_has_three_outcomes(best_sentence, margin, outcome):
    hits = [_hit(TOUCHSTONE, (best_sentence, 0.1, 0.1))]
    coverage = assess("which organisations does Touchstone work with?", hits, KEYWORD, THRESHOLD, False, margin)
    assert coverage.outcome == outcome


@pytest.mark.parametrize("question, kinds", [
    ("how much did the trust give them?", ["money"]),
    ("what's their annual turnover?", ["money"]),
    ("when was the alliance formed?", ["date"]),
    ("how long are the partner contracts now?", ["duration"]),
    ("roughly how many orgs are in it?", ["number"]),
    ("what % of the budget was cut?", ["money", "proportion"]),  # either answers it
    ("what share of the contract had to go to small groups?", ["proportion"]),  # a count would not answer it
    ("how much of the grant went to the partners?", ["proportion"]),
    ("what's the success rate of consortium bids?", ["proportion"]),  # a rate is a share
    ("what are current rates of homelessness in leeds?", ["proportion"]),
    ("what rate of pay do the partners get?", []),
    ("when one partner hits a problem, what should the others do?", []),  # "when" opening a clause
    ("how much of a problem is a short tender?", []),  # a degree, not a quantity
    ("how much did shared values matter in these partnerships?", []),
    ("How much did shared values matter here?", []),  # the clause may end a few words after "matter" ...
    ("how much did the grant help them raise?", ["money"]),  # ... but only "matter", which takes no object
    ("how much did it help them save?", ["money"]),
    ("how much did the budget change after the merger?", ["money"]),
    ("how much extra funding did they find?", ["money"]),
    ("What are the other 11 Trailblazer areas besides Somerset?", ["list"]),  # named things, counted, to be listed
    ("can you list the 30 or so organisations pohwer partners with?", ["list"]),
    ("who were the five providers?", ["list"]),
    ("what are the three lessons?", []),  # lessons are not named things
    ("what were the 16 partners' contracts increased to?", []),  # what the partners have, not who they are
    ("is Somerset on the list of the 12 Trailblazer areas?", []),  # "list", "name": nouns here
    ("who are the two organisations in the P3 case study?", []),  # two: any sentence may name them
    ("how many of the 28 members are led by BME women?", ["number"]),
    ("how much extra did staff have to take on?", []),  # more work, not a sum
    ("how much did the legal matter cost them?", ["money"]),  # "matter", a noun: a verb of money follows
    ("how much more money is going into youth services now?", ["money"]),
    ("how much more did it matter?", []),
    ("How much did the Delivery Network Manager role matter, and how did it work?", []),
    ("how much does sharing an office help?", []),
    ("how much did the funder give to help them?", ["money"]),
    ("how much did the funder give to help with the rent?", ["money"]),  # a verb of money before "help"
    ("how much did the council pay for the change in 2019?", ["money"]),  # "the change": a noun
    ("how much has the partnership improved?", []),
    ("what did partners rate as most useful?", []),  # "rate", the verb
    ("what was the value of this approach to the contract?", []),
    ("is it worth starting talks early?", []),
    ("what is the value of an independent chair?", []),
    ("who's the chief exec of pohwer?", ["person"]),
    ("who chairs the consortium?", ["person"]),
    ("who funds it?", []),  # an organisation: the case studies name those freely
    ("who took on the risk?", []),
    ("what's the name of the person who led the bid?", ["person"]),
    ("whats the name of the delivery network manager they hired?", ["person"]),  # a role a few words on
    ("what is the name of Touchstone's delivery network manager?", ["person"]),  # a possessive for "the"
    ("who is pohwer's chief exec?", ["person"]),
    ("who is touchstone's partner?", []),
    ("whos the delivery network manager at touchstone?", ["person"]),  # describing words before the role
    ("who hired the delivery network manager?", []),  # an organisation did
    ("what was the name of the project?", []),
    ("what sum did the alliance set aside for grants?", ["money"]),
    ("what amount of time did it take?", []),
    ("what's their housing contract worth?", ["money"]),
    ("what is the total value of the subcontract?", ["money"]),
    ("what was the value of the 2019 homelessness contract sifa led?", ["money"]),
    ("what is the value of a joint bid?", []),  # what it is worth to the partners
    ("which of these orgs has the biggest reserves in £?", ["money"]),
    ("what reserves policy should a board have?", []),
    ("when exactly was the tender out - what month?", ["date"]),
    ("how large were the individual innovation grants?", ["money"]),  # a size of money: a sum
    ("how big is the lead org?", ["size"]),
    ("how big a role did trust play?", []),  # a degree, not a size
    ("whats the size of the budget reduction?", ["size"]),  # a share as often as a sum: "63% budget reductions"
    ("over how many years has POhWER been partnering?", ["duration", "number"]),  # "3-4 years" is a length of time
    ("what's the population of leeds?", ["number"]),
    ("what are the latest figures on domestic abuse in london?", ["number"]),  # statistics: a count
    ("what did the big charity figure out?", []),
    ("what is the prevalence of mental illness in somerset?", ["proportion"]),
    ("which regions does the partnership cover?", ["place"]),
    ("where's cohort 4 based?", ["place"]),
    ("and where do they actually work?", ["place"]),
    ("which other areas were trailblazers?", ["place"]),  # a word may describe the places asked for
    ("which london boroughs do the members cover?", ["place"]),
    ("where's POhWER's head office?", ["place"]),  # where a building is
    ("where are cohort 4's houses?", ["place"]),
    ("where is the value in working with a big charity?", []),
    ("where's the bit about building trust?", []),  # a review: "building", the verb
    ("where are the building blocks of a good partnership?", []),
    ("where's the risk in leasing a house?", []),  # a second review
    ("where is the bit on local offices?", []),
    ("what did areas of the partnership struggle with?", []),
    ("did they win it?", ["won"]),
    ("did sifa actually win that 2019 homelessness bid?", ["won"]),
    ("how did pohwer win the local providers round?", []),  # how, not whether
    ("did they win the small groups over?", []),  # not a bid
    ("was it successful?", []),  # the partnership's success, not a bid's outcome
    ("did Shelter help SIFA win the contract?", []),  # how, in effect: the help, not the outcome
    ("was the contract won in the end?", ["won"]),
    ("did CYN win the £7.4m youth services contract?", ["won"]),
    ("were the partner contracts extended?", []),  # the corpus says "increased to 5 years": not an outcome asked
    ("was the model extended to other areas?", []),
    ("which key areas does it work across?", []),  # areas of work, not places
    ("which policy areas does POhWER work on?", []),
    ("what's Oasis's email?", ["contact"]),
    ("got a phone number for sifa fireside?", ["contact"]),
    ("what's the address of the house P3 leased?", ["contact"]),
    ("how did they address the power imbalance?", []),  # the verb
    ("how did the lead address tensions?", []),
    ("can you draft an email to our partners?", []),  # a request to write one, not an address
    ("is the alliance still going?", ["present"]),
    ("is SIFA still independent?", ["present"]),
    ("do we really still need regular check-ins?", []),  # asked of the asker
    ("what is the alliance still trying to get right?", []),  # what, not whether
    ("nice. and was the contract renewed when it ran out?", ["renewed"]),
    ("who took over Live Well Leeds after Touchstone's contract ended?", ["after"]),
    ("what happened to the alliance once the Trailblazer funding finished?", ["after"]),
    ("did STAGE get funded again once the tampon tax money ran out?", ["after"]),
    ("Did CYN's partnership keep the youth contract when it was re-tendered?", ["after"]),
    ("who won the contract the next time it was re-tendered?", ["after"]),
    ("how did they keep the contract when the funding ended?", []),  # what they did, which a case study may tell
    ("what did POhWER do when their partnerships ended?", []),  # what was done then, which the case study tells
    ("what happened after the first year was over?", []),
    ("once the vote was over, who was lead?", []),
    ("what happens when a partnership ends?", []),  # any partnership, not what came after this one
    ("my mum needs an advocate, how do i refer her to advocacy matters", ["access"]),
    ("what are the opening hours of the day service?", ["access"]),
    ("how do i apply to join the consortium?", ["access"]),
    ("how can we apply for a contract as a partnership like CYN did?", []),  # a charity doing as a case study did
    ("how can i apply this to my org?", []),
    ("whats the best way to refer a client to SIFA", ["access"]),
    ("how did CYN refer a young person to partners?", []),  # what CYN did
    ("how should i refer to cohort 4 in my report", []),  # to name it
    ("how do i book a meeting with commissioners like pohwer did", []),  # doing as a case study did
    ("how could i apply for a contract where a third is subcontracted", []),  # a charity bidding
    ("what happened to the leeds partner when its funding ran out", []),  # what became of a partner, which it tells
    ("what happened to the alliance after the vote was over", []),  # no funding or contract ended
    ("how can we apply these lessons to our charity?", []),  # the lessons, not a fund
    ("how do we join forces with a bigger charity?", []),
    ("what does pohwer do when a partnership falls apart or the contract ends", []),
    ("how long are the contracts now, after they were extended?", ["duration"]),  # "were extended" heads no clause
    ("where did it go wrong?", []),
    ("where did it work well for them?", []),
    ("when does the contract end?", ["date"]),
    ("when will the money run out?", ["date"]),
    ("when does the money run out for the somerset alliance?", ["date"]),
    ("when does a partnership end up failing?", []),
    ("when do we start talking to partners?", []),
    ("how much underspend did they reinvest?", ["money"]),
    ("was it easy agreeing how much money to hold back for the tiny groups?", []),  # weighed up, not asked for
    ("What level of budget reduction had London's public services seen by 2018?", []),  # a share as often as a sum
    ("what's their budget?", ["money"]),
    ("we keep arguing about how much of the contract to ringfence. did somerset find that hard?", []),
    ("what's that role paid?", ["money"]),
    ("how are the partners paid?", []),  # how, not how much
    ("when does the relationship start to work?", []),  # the verb does not close its clause
    ("when do problems start?", []),  # no particular thing's beginning
    ("when is the best time to end a partnership?", []),
    ("how much cash flow pressure did partners face?", []),  # the noun of money describes another
    ("what is the benefit of being paid?", []),
    ("how big was the grant?", ["money"]),  # a size asked of money is a sum, which a count does not give
    ("what size of grant did the consortium get from them?", ["money"]),
    ("how large were the innovation grants the Somerset Alliance gave?", ["money"]),
    ("how big were the funding cuts?", ["size"]),  # the noun of money describes another: a share answers
    ("how big a role did funding play?", []),  # a degree
    ("how large was the reduction in funding?", ["size"]),  # a cut in funding: a share answers
    ("who got the delivery network manager job?", ["person"]),  # a role's job is a person's
    ("who got the lead partner job?", []),  # an organisation's
    ("who got the chair job in Somerset?", []),  # Spark, an organisation, chaired
    ("who got the manager job, Touchstone or a partner?", []),  # organisations offered
    ("who took on the lead role?", []),
    ("how big was the contract in terms of partners?", ["size"]),  # a size said in partners, not a sum
])
def test_a_question_asking_for_a_fact_is_told_by_its_form(question, kinds):
    assert fact_kinds(question) == kinds


def test_a_fact_is_carried_only_by_a_sentence_of_its_kind():
    assert carries_fact("In Bristol, the council tendered the £7.4m contract.", ["money"])
    assert not carries_fact("It received three years funding from the trust.", ["money"])
    assert carries_fact("It received three years funding from the trust.", ["duration"])
    assert carries_fact("In 2019 Rethink was voted lead.", ["date"])
    assert carries_fact("The commissioner required a third of the contract price to be subcontracted.", ["proportion"])
    assert carries_fact("More than 50% are from Black and Minoritised communities.", ["proportion"])
    assert not carries_fact("Touchstone works with 16 smaller organisations.", ["proportion"])
    assert not carries_fact("Rethink was voted lead.", ["date", "number"])
    assert carries_fact("Its chair, Jane Smith, opened the meeting.", ["person"])
    assert carries_fact("Jane Smith, the director of Oasis, spoke.", ["person"])
    assert not carries_fact("It is funded by London Councils, the Mayor’s Office and the GLA.", ["person"])
    assert carries_fact("It supports women across the North East and Yorkshire.", ["place"])
    assert carries_fact("Cohort 4 is based in north Warwickshire.", ["place"])
    assert not carries_fact("Cohort 4 is a peer support organisation.", ["place"])
    # a date is a year, a month or a season, not "early" or the modal "may"
    assert not carries_fact("In early conversations the partners focused on young people.", ["date"])
    assert not carries_fact("Some may have had difficult experiences in the past.", ["date"])
    assert carries_fact("The service opened in May.", ["date"])


def test_a_share_must_be_of_what_a_rate_is_asked_of():
    rated = rated_terms("what's the success rate of consortium bids?")
    assert rated == frozenset(terms("success consortium"))
    assert rated_terms("what are current rates of homelessness in leeds?") == frozenset(terms("current homelessness"))
    assert not carries_fact("The Consortium works with 30,000 women, more than 50% from BME communities.", ["proportion"],
                            rated=rated)
    assert carries_fact("Around 40% of the consortium's bids were a success.", ["proportion"], rated=rated)
    assert carries_fact("Around 40% of the consortium's bids were a success.", ["proportion"])  # no rate asked


@pytest.mark.parametrize("question, counted", [
    ("how many staff does Touchstone employ?", ["staff"]),
    ("How many staff or peer workers does Cohort 4 have?", ["staff"]),
    ("how many partner orgs does POhWER have these days?", ["partner", "orgs"]),
    ("somerset was one of how many trailblazer areas?", ["trailblazer", "areas"]),
    ("how many of POhWER's partnerships ended?", []),  # counts partnerships, but says so after "of"
    ("how big is the lead org?", []),
    ("what are the latest figures on domestic abuse in london?", ["domestic", "abuse"]),  # statistics count it
    ("stats for Touchstone?", []),  # figures of an organisation, not a count of it
    ("any stats on how many partners underperformed?", ["partners", "underperformed"]),  # the "how many" first
    ("how many people live in north warwickshire?", ["population"]),  # a place's people
    ("how many people living in london does the consortium support?", ["people", "living"]),  # not the city's
])
def test_a_how_many_question_names_what_it_counts_head_noun_last(question, counted):
    assert counted_words(question) == counted


def test_a_number_answers_how_many_only_when_it_counts_the_thing_asked_about():
    organisations, staff, trailblazers = frozenset({"organis"}), frozenset({"staff"}), frozenset({"area", "trailblaz"})
    sentence = "Touchstone works with 16 smaller organisations (most with an income of under £100,000)."
    assert carries_fact(sentence, ["number"], organisations)
    assert not carries_fact(sentence, ["number"], staff)
    assert carries_fact(sentence, ["number"])  # nothing counted given: any number
    assert carries_fact("Somerset is one of 12 Trailblazers, trialing a new approach.", ["number"], trailblazers)
    assert carries_fact("P3 supports 13,000 people a week; this service supports around 3.", ["number"], staff)  # bare
    assert not carries_fact("In 2016, Shelter subcontracted SIFA.", ["number"], staff)  # a year counts nothing
    assert not carries_fact("Cohort 4 are a peer support organisation.", ["number"], frozenset({"peer"}))


def test_a_question_for_a_fact_no_near_sentence_gives_is_at_best_the_closest():
    hits = [_hit(TOUCHSTONE, (0.8, 0.7, 0.2))]
    given = assess("how many smaller organisations does Touchstone work with?", hits, KEYWORD, THRESHOLD, True, 0.3)
    missing = assess("how much does Touchstone pay its smaller organisations?", hits, KEYWORD, THRESHOLD, True, 0.3)
    assert (given.outcome, given.missing_fact) == (ANSWERED, "")
    assert (missing.outcome, missing.missing_fact) == (CLOSEST, "money")



@pytest.mark.parametrize("question, asks_a_name", [
    ("which council was it that merged its advocacy services into one framework?", True),
    ("Which Live Well Leeds partner received extra funding?", True),
    ("In the POhWER case, which local authority merged its services?", True),
    ("Apart from Shelter and SIFA, which other organisation is involved?", True),
    ("which of the Live Well Leeds partners underperformed?", True),  # some of a set, picked out by what they did
    ("Which organisations make up the Somerset Mental Health Alliance?", False),  # a list
    ("which of these had the partners vote on who leads?", False),  # which case study, not which partner
    ("what did the big charity have to change about itself?", False),  # the charity is the subject
    ("what kind of org is Cohort 4?", False),
    ("who gets to decide which org leads what?", False),  # who decides, not which org
])
def test_a_question_asking_for_one_organisation_s_name_is_told_by_its_form(question, asks_a_name):
    assert bool(named_nouns(question)) is asks_a_name


def test_a_name_is_missing_when_the_nearest_sentence_speaking_of_it_does_not_name_it():
    """"Which council merged its services?" over "a local authority had merged ..." is at best the
    closest; over "funded by Birmingham City Council" it is answered, and a sentence describing a
    named organisation ("SIFA is a large local organisation") is no evidence either way. "This contract"
    refers back to one the passage never names ("in one instance a partnership bidding process ...")."""
    council = named_nouns("which council merged its services?")
    assert leaves_unnamed("In one example, a local authority had merged a range of services.", council)
    assert not leaves_unnamed("It was funded by Birmingham City Council.", council)
    assert not leaves_unnamed("SIFA Fireside is a large local organisation in Birmingham.", named_nouns("which partner?"))
    organisation = named_nouns("which organisation in the alliance works with older people?")
    assert leaves_unnamed("In the first year some partners underperformed.", named_nouns("which partner underperformed?"))
    assert leaves_unnamed("One group was supported to redesign its sessions.", named_nouns("which group redesigned them?"))
    contract = named_nouns("which contract did POhWER not bid for?")
    assert leaves_unnamed("POhWER did not bid for this contract because they felt it would not work.", contract)  # refers back
    assert not leaves_unnamed("This is a large organisation.", named_nouns("which partner?"))  # describes, as "is a" does
    assert not leaves_unnamed("  - a local community organisation (the Balsam Centre)", organisation)
    assert not leaves_unnamed("  - an organisation focused on the wider determinants of mental illness (Citizens Advice "
                              "Bureau)", organisation)
    merged = _passage("POhWER", "In one example, a local authority had merged a range of services within one framework. "
                                "Providers were hesitant at first.", position=4)
    funded = _passage("SIFA", "The service was funded by Birmingham City Council. It began in 2016.", position=5)
    question = "which council merged its services?"
    assert assess(question, [_hit(merged, (0.8, 0.4))], KEYWORD, THRESHOLD, True, 0.3).missing_fact == "name"
    assert assess(question, [_hit(funded, (0.8, 0.4))], KEYWORD, THRESHOLD, True, 0.3).missing_fact == ""


@pytest.mark.parametrize("question, acronyms", [
    ("LWPM - what's that short for?", ["LWPM"]),
    ("what does p3 actually stand for", ["p3"]),
    ("what does sweda stand for", ["sweda"]),  # no standard English word
    ("what is that abbreviation short for again", []),
    ("what did Touchstone stand for in the partnership?", []),  # values, not letters
])
def test_a_question_asking_what_letters_stand_for_is_told_by_its_form(question, acronyms):
    assert acronyms_to_expand(question) == acronyms


def test_an_acronym_is_expanded_only_by_words_whose_initials_spell_it():
    assert expands("Young Bristol, Aspiration Creation Elevation (ACE), Empire Fighting Chance", "ACE")
    assert expands("the largest coalition of specialist VAWG (violence against women and girls) providers", "VAWG")
    assert expands("for the Lead Worker Peer Mentor (LWPM) service", "lwpm")
    assert not expands("Mental health charities (Rethink Mental Illness, Second Step, SWEDA)", "SWEDA")
    assert expands("funded by the Mayor’s Office for Policing and Crime and others", "MOPAC")  # "Mayor’s", one word
    assert spells_out("An expression of interest process was sent out.", "EOI")  # a name's own words, "of" included
    assert spells_out("funded by the Mayor’s Office for Policing and Crime and others", "MOPAC")
    assert not spells_out("partners may not be in a position to meet them", "IAPT")  # stopwords spell no name
    assert not spells_out("P3 is contracted by the council", "ICB")
    assert not spells_out("it supports the partnership", "STP")  # "the" is passed over, never an initial
    assert not spells_out("Don’t be scared of it", "DBS")
    spelt = _passage("SIFA", "One proposal, for the Lead Worker Peer Mentor (LWPM) service, was funded.", position=6)
    assert assess("what does LWPM stand for?", [_hit(spelt, (0.5,))], KEYWORD, THRESHOLD, True, 0.3).missing_fact == ""
    assert assess("what does SWEDA stand for?", [_hit(spelt, (0.5,))], KEYWORD, THRESHOLD, True, 0.3).missing_fact \
        == "expansion"

def test_a_place_asked_for_and_named_in_none_of_the_nearest_sentences_is_missing():
    """"Where are Shelter and SIFA based?" is not answered by sentences about them that name no
    place; "which regions does STAGE cover?" is by "across the North East and Yorkshire"."""
    stage = _passage("STAGE", "STAGE works with women across the North East and Yorkshire.", position=4)
    asked_where = assess("where are Shelter and SIFA based?", [_hit(SIFA, (0.8, 0.7))], KEYWORD, THRESHOLD, True, 0.3)
    assert (asked_where.missing_fact, asked_where.outcome) == ("place", CLOSEST)
    assert assess("which regions does STAGE cover?", [_hit(stage, (0.8,))], KEYWORD, THRESHOLD, True, 0.3).missing_fact == ""


def test_contact_details_are_carried_only_by_a_sentence_giving_them():
    """Case studies written as reports give no phone number, email or address: asked for one, the answer says so."""
    assert carries_fact("Call the helpline on 0121 496 0000.", ["contact"])
    assert carries_fact("Write to info@example.org.", ["contact"])
    assert not carries_fact("SIFA Fireside is a large local organisation in Birmingham.", ["contact"])
    assert "contact" not in fact_kinds("how often did they talk on the phone?")  # a channel, not a number
    assert "contact" not in fact_kinds("did they get postcode lottery money?")  # a funder
    asked = assess("what's SIFA's phone number?", [_hit(SIFA, (0.8, 0.6))], KEYWORD, THRESHOLD, True, 0.3)
    assert (asked.missing_fact, asked.outcome) == ("contact", CLOSEST)


def test_whether_something_still_holds_is_told_only_by_a_sentence_saying_so():
    """"Is SIFA still independent?" is not answered by a sentence about SIFA that says nothing of now;
    "is the alliance still working on decisions?" is by "the Alliance is still working through how decisions are made"."""
    asked = assess("is SIFA still independent?", [_hit(SIFA, (0.8, 0.6))], KEYWORD, THRESHOLD, True, 0.3)
    assert (asked.missing_fact, asked.outcome) == ("present", CLOSEST)
    working = _passage("Somerset", "The Alliance is still working through how decisions are made.", position=10)
    assert assess("is the alliance still working on decisions?", [_hit(working, (0.8,))], KEYWORD, THRESHOLD, True,
                  0.3).missing_fact == ""


def test_what_came_of_a_bid_is_told_only_by_a_sentence_saying_so():
    """"Did SIFA win the 2019 bid?" is not answered by "SIFA bid as the lead provider": the case study tells
    the bid, not its outcome; "did they win it?" is answered by "successful in winning the bid"."""
    assert carries_fact("The partnership was successful in winning the bid.", ["won"])
    assert not carries_fact("In 2019, SIFA bid as the lead provider.", ["won"])
    assert carries_fact("The partners' contracts were extended to five years.", ["renewed"])
    assert carries_fact("When the grant ended, the service was then extended for two years.", ["after"])
    assert not carries_fact("The Alliance was formed in 2019 as a Trailblazer.", ["after"])
    assert carries_fact("Referrals can be made by phone.", ["access"])
    assert not carries_fact("Shelter helped SIFA with the bid application.", ["access"])  # that, not how
    bid = _passage("SIFA", "In 2019, SIFA bid as the lead provider. Shelter was a subcontractor.", position=7)
    won = _passage("SIFA", "The partnership was successful in winning the bid.", position=8)
    asked = "did SIFA win the 2019 bid?"
    assert assess(asked, [_hit(bid, (0.8, 0.5))], KEYWORD, THRESHOLD, True, 0.3).missing_fact == "won"
    assert assess(asked, [_hit(won, (0.8,))], KEYWORD, THRESHOLD, True, 0.3).missing_fact == ""
    awarded = _passage("SIFA", "The 2019 bid was awarded to SIFA.", position=9)  # "win" said as "awarded"
    assert assess(asked, [_hit(awarded, (0.8,))], KEYWORD, THRESHOLD, True, 0.3).missing_fact == ""


def test_a_place_the_question_names_itself_does_not_answer_where():
    """"Which London boroughs?" is not answered by "across London"; the "London" of an organisation's name
    ("the London VAWG Consortium") names no place, so "working across London" answers where it works."""
    vawg = Passage(id="VAWG#0", case_study="Developing a consortium (London VAWG Consortium)",
                   organisations=("London VAWG Consortium",), section="overview", lesson=None, kind="paragraph",
                   text="It is a coalition of providers working across London.", source="vawg.md", position=0,
                   content_hash="0")
    hits = [_hit(vawg, (0.8,))]
    assert assess("which london boroughs do its members cover?", hits, KEYWORD, THRESHOLD, True, 0.3).missing_fact == "place"
    assert assess("what areas does the London VAWG Consortium work in?", hits, KEYWORD, THRESHOLD, True,
                  0.3).missing_fact == ""
    assert not carries_fact("It works across London.", ["place"], asked=frozenset({"london"}))
    assert carries_fact("It works across London.", ["place"])
    assert assess("where does the London consortium work?", hits, KEYWORD, THRESHOLD, True, 0.3).missing_fact == ""
    # a place is all its words: "north Warwickshire" answers "where in Warwickshire?", and so does "In Bristol, ..."
    assert carries_fact("It is based in north Warwickshire.", ["place"], asked=frozenset(terms("where in Warwickshire")))
    assert carries_fact("In Bristol, the council tendered the contract.", ["place"])


def test_unknown_everyday_words_weigh_less_than_unknown_rare_ones():
    hits = [_hit(TOUCHSTONE, (0.5, 0.1, 0.1))]
    everyday = assess("what services does Touchstone provide today", hits, KEYWORD, THRESHOLD)
    rare = assess("what services does Touchstone provide under TUPE", hits, KEYWORD, THRESHOLD)
    assert rare.signals.unknown_rarity > everyday.signals.unknown_rarity
    assert rare.probability < everyday.probability


@pytest.mark.parametrize("question, names", [
    ("What did Barnardo's learn from its partnerships?", ("Barnardo's",)),
    ("How does NSPCC work with Touchstone?", ("NSPCC",)),
    ("In England I'd like to know how Touchstone works", ()),  # everyday words, not names
    ("We're in Wales and I'm new: what did English charities learn?", ()),
])
def test_names_the_corpus_never_uses_are_told_from_everyday_words(question, names):
    assert unknown_names(question, KEYWORD) == names


def test_word_families_match_in_keyword_search():
    assert KEYWORD.knows("coproduct")  # "coproduction", from a corpus that says "co-production"
    for question in ("coproduction", "co-produce", "coproducing"):
        assert KEYWORD.search(question, 3)[0][0] == "POhWER#3"


def test_the_sentence_that_answers_leads_and_weak_case_studies_are_left_out():
    hits = [_hit(TOUCHSTONE, (0.45, 0.80, 0.2)), _hit(P3, (0.30, 0.2)), _hit(SIFA, (0.05, 0.05), score=0.3)]
    text, sources, _ = compose("how many smaller organisations does Touchstone work with?", hits, 180)
    first_block = text.split("\n\n")[1]
    assert first_block.startswith("**Touchstone**:") and "16 smaller organisations" in first_block  # the fact first
    assert "SIFA" not in text and all(h.passage.case_study != SIFA.case_study for h in sources)


def test_a_sentence_that_leans_on_the_one_before_brings_it_along():
    """ "This enabled growth." leans on "It works with ...", which leans on the sentence naming
    Touchstone: the whole chain comes along, not a sentence whose "it" is lost."""
    hits = [_hit(TOUCHSTONE, (0.2, 0.3, 0.9))]
    text, _, _ = compose("what enabled growth?", hits, 180)
    assert ("Touchstone provides mental health services across West and South Yorkshire. "
            "It works with 16 smaller organisations. This enabled growth.") in text


def test_a_passage_s_sentences_are_quoted_in_their_own_order_so_references_keep_their_meaning():
    """Best first, "This supported the thinking" would follow the wrong sentence; asked for a fact,
    the sentence carrying it still comes first."""
    passage = _passage("SMHA", "Meetings were difficult to manage for some. The partners ringfenced funding for "
                               "attendance. This supported the thinking behind the alliance.")
    text, _, _ = compose("what went wrong?", [_hit(passage, (0.5, 0.9, 0.4))], 180)
    assert ("Meetings were difficult to manage for some. The partners ringfenced funding for attendance. "
            "This supported the thinking behind the alliance.") in text
    text, _, _ = compose("how much funding was ringfenced?", [_hit(passage, (0.5, 0.9, 0.4))], 180)
    assert text.split("**: ")[1].startswith("The partners ringfenced funding")


def test_a_sentence_pointing_back_at_these_challenges_brings_them_along():
    passage = _passage("VAWG", "Funding was cut and tenders were short. The Consortium has responded to these "
                               "challenges by building relationships with funders.")
    text, _, _ = compose("how did they build relationships with funders?", [_hit(passage, (0.1, 0.9))], 180)
    assert "Funding was cut and tenders were short. The Consortium has responded" in text



def test_a_sentence_between_two_quoted_ones_is_quoted_too():
    """Far from the question on its own, the middle sentence is what joins the two around it."""
    passage = _passage("VAWG", "The Consortium came together due to changes in funding. Budgets fell by 63% by 2018. "
                               "The Consortium holds shared feminist values.", position=8)
    hits = [_hit(passage, (0.9, 0.1, 0.85)), _hit(SIFA, (0.88, 0.2))]
    text, _, _ = compose("why did the consortium come together?", hits, 180)
    assert ("The Consortium came together due to changes in funding. Budgets fell by 63% by 2018. "
            "The Consortium holds shared feminist values.") in text


def test_asked_what_they_would_do_differently_a_sentence_said_in_hindsight_answers():
    """It sits among the challenges, not the lessons the question's words point to."""
    challenge = _passage("STAGE", "The bidding timeline was short. Making agreements before securing funding would have "
                                  "made the process smoother.", section="Challenges", position=9)
    lesson = _passage("STAGE", "Compassion for other organisations is crucial.", section="Learning", kind="lesson",
                      position=10, lesson=1)
    text, _, _ = compose("what would they do differently?", [_hit(lesson, (0.4,)), _hit(challenge, (0.3, 0.45))], 180)
    assert text.index("would have made the process smoother") < text.find("Compassion") or "Compassion" not in text


def test_asked_what_someone_got_out_of_it_a_sentence_saying_who_benefitted_answers():
    passage = _passage("POhWER", "POhWER partners with around 30 organisations. Advocacy Matters have benefitted from "
                                 "POhWER sharing updated policies.", position=11)
    best = choose("what did the small ones get out of it?", [_hit(passage, (0.45, 0.3))], 180)[0]
    assert best.text.startswith("Advocacy Matters have benefitted")


def test_asked_about_a_beginning_a_sentence_telling_one_answers_however_it_is_put():
    passage = _passage("SMHA", "Partners met monthly. The Alliance was formed in 2019 to close gaps in provision.", position=12)
    best = choose("why was it set up?", [_hit(passage, (0.45, 0.3))], 180)[0]
    assert best.text.startswith("The Alliance was formed in 2019")


def test_a_list_s_lead_in_is_no_point_on_its_own():
    """"Several key factors support it:" with none of the factors would end an answer on a colon."""
    item = " and ".join(["partners share the work, the risk and the credit for what the partnership achieves"] * 3)
    factors = _passage("POhWER", f"Several key factors support collaborative working:\n• {item}.\n• {item}.", kind="list",
                       position=13)
    benefit = _passage("POhWER", "Advocacy Matters have benefitted from shared policies.", position=14)
    hits = [_hit(benefit, (0.9,)), _hit(factors, (0.85, 0.1, 0.1))]
    for words in (20, 80):  # no room for an item, and room for one: the lead-in comes only with it
        texts = [u.text for u in choose("what did advocacy matters get out of it?", hits, words)]
        assert not any(t.endswith(":") for t in texts) or any(t.startswith("•") for t in texts)

def test_text_after_a_list_starts_a_new_paragraph_not_the_list_s_last_item():
    """Markdown reads a line right after a list item as part of that item."""
    members = _passage("SMHA", "The Alliance is comprised of:\n• a peer group\n• a charity.", kind="list")
    quote = _passage("SMHA", "“We came together because we believe in it.”", kind="quote", position=1)
    text, _, _ = compose("who is in the alliance?", [_hit(members, (0.9, 0.8, 0.8)), _hit(quote, (0.7,))], 180)
    assert "  - a charity.\n\n“We came together" in text


def test_citations_are_numbered_in_the_order_they_appear():
    hits = [_hit(SIFA, (0.3, 0.3)), _hit(TOUCHSTONE, (0.9, 0.2, 0.2)), _hit(P3, (0.6, 0.5))]
    text, sources, excerpts = compose("where does Touchstone work, and who took the risk?", hits, 180)
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", text)]
    assert numbers == sorted(numbers) and set(numbers) == set(range(1, len(sources) + 1))
    assert sources[0].passage is TOUCHSTONE and len(excerpts) == len(sources)


def test_after_the_best_sentence_case_studies_follow_in_retrieval_order():
    """Retrieval ranked SIFA above P3 over whole passages; P3's best sentence alone scores higher."""
    hits = [_hit(SIFA, (0.7, 0.65)), _hit(P3, (0.8, 0.75)), _hit(TOUCHSTONE, (0.9, 0.2, 0.2))]
    text, sources, _ = compose("how did they work together and what did they take on?", hits, 180)
    assert [s.passage for s in sources] == [TOUCHSTONE, SIFA, P3]
    assert text.index("**SIFA**") < text.index("**P3**")


def test_the_best_case_study_s_second_sentence_comes_before_the_others_best():
    """Most questions are about one case study: the sentence beside its best, if close, is worth
    more of a short answer than a third or fourth case study's best."""
    best = _passage("Alpha", "Alpha pooled the two budgets. Alpha then shared every report.", position=7)
    others = [_passage(name, f"{name} held a yearly review.", position=8 + n)
              for n, name in enumerate(["Beta", "Gamma", "Delta"])]
    hits = [_hit(best, (0.9, 0.85))] + [_hit(p, (0.8,)) for p in others]
    text = compose("how did it go?", hits, 15)[0]
    assert "Alpha then shared every report." in text and "**Beta**" in text
    assert "**Gamma**" not in text and "**Delta**" not in text
    assert "**Delta**" in compose("how did it go?", hits, 25)[0]  # with room, the others still come


def test_a_question_of_who_is_answered_by_the_sentence_naming_organisations():
    partners = _passage("CYN", "The partnership grew steadily over the years. "
                               "Partners include Horn Youth Concern, Oasis and Young Bristol.", position=4)
    hits = [_hit(partners, (0.55, 0.50))]
    assert compose("who was involved?", hits, 12)[0].split("\n\n")[1].startswith("**CYN**: Partners include")
    assert compose("how did it go?", hits, 12)[0].split("\n\n")[1].startswith("**CYN**: The partnership grew")
    # "who" inside a question of how asks no names: the sentence naming several wins nothing there
    assert compose("how did it grow, and who took part?", hits, 12)[0].split("\n\n")[1].startswith("**CYN**: Partners")
    assert compose("how did it grow so the right people know who does what?", hits, 12)[0].split("\n\n")[1].startswith(
        "**CYN**: The partnership grew")
    # names the question gives answer no "who": "who decides faster, Shelter or SIFA?"
    both = _passage("SIFA", "SIFA decides quickly with an engaged board. Staff of Shelter and SIFA met monthly.", position=4)
    assert compose("who decides faster, shelter or sifa?", [_hit(both, (0.5, 0.45))], 9)[0].split("\n\n")[1].startswith(
        "**SIFA**: SIFA decides quickly")


def test_a_question_of_which_case_studies_keeps_more_of_them():
    hits = [_hit(TOUCHSTONE, (0.9, 0.1, 0.1)), _hit(SIFA, (0.55, 0.1))]
    assert "SIFA" not in compose("what do they say about growth?", hits, 180)[0]
    assert "**SIFA**" in compose("which case studies say something about growth?", hits, 180)[0]


def test_about_one_case_study_the_answer_reads_on_in_it():
    """Past the sentences close to the best (RELEVANCE_MARGIN), one case study's answer goes on, an
    answer across case studies stops."""
    meetings = _passage("Touchstone", "Partners met monthly. Budgets were pooled. Staff were seconded. "
                                      "Reports were shared.", position=5)
    one = compose("how did they do it?", [_hit(meetings, (0.9, 0.45, 0.45, 0.45))], 180)[0]
    across = compose("how did they do it?", [_hit(meetings, (0.9, 0.45, 0.45, 0.45)), _hit(SIFA, (0.05, 0.05))], 180)[0]
    assert "Staff were seconded" in one and "Staff were seconded" in across
    assert "Reports were shared" in one and "Reports were shared" not in across


def test_about_one_case_study_the_word_budget_alone_ends_the_answer():
    """Past MAX_POINTS (6) short sentences, one case study's answer still goes on while words remain,
    and stops at sentences far behind the best (ONE_CASE_MARGIN)."""
    steps = _passage("Touchstone", " ".join(f"Step {n} was taken." for n in range(1, 9)), position=6)
    one = compose("how did they do it?", [_hit(steps, (0.9,) * 8)], 180)[0]
    assert all(f"Step {n} was taken." in one for n in range(1, 9))
    assert "Step 8" not in compose("how did they do it?", [_hit(steps, (0.9,) * 8)], 20)[0]
    far = compose("how did they do it?", [_hit(steps, (0.9, 0.8, 0.7) + (0.1,) * 5)], 180)[0]
    assert "Step 3 was taken." in far and "Step 4" not in far


def test_asked_only_for_a_section_of_one_case_study_the_answer_is_that_section():
    """"What did they learn?" after Browse -> "Ask about": the lessons, not the partner list or the
    challenges that happen to be near; asked about something as well, the rest stays in play."""
    members = _passage("CYN", "Partner organisations include Oasis and Youth Moves.", position=1)
    challenge = _passage("CYN", "A key challenge was the overlap between organisations.", section="Challenges", position=2)
    lessons = [_passage("CYN", text, section="Learning", kind="lesson", position=3 + n, lesson=n + 1) for n, text in
               enumerate(["Working through problems together strengthens a partnership.", "Communicate regularly."])]
    hits = [_hit(lessons[0], (0.5,)), _hit(members, (0.48,)), _hit(challenge, (0.47,)), _hit(lessons[1], (0.3,))]
    learned = compose("What did they learn?", hits, 180, frozenset({"cyn"}))[0]
    assert "Working through problems" in learned and "Communicate regularly" in learned
    assert "Oasis" not in learned and "overlap" not in learned
    about_partners = compose("What did they learn about their partner organisations?", hits, 180)[0]
    assert "Oasis" in about_partners


def test_asked_only_for_a_section_its_second_sentence_is_from_that_section_too():
    """"key takeaways for our board?" after an answer under CYN had "A key challenge was..." second, beside its lessons:
    the best case study's second sentence, taken before the read-on, stays in the section asked for too."""
    lessons = [_passage("CYN", text, section="Learning", kind="lesson", position=3 + n, lesson=n + 1) for n, text in
               enumerate(["Acknowledge what power you have.", "Communicate regularly.", "Work through problems."])]
    challenge = _passage("CYN", "A key challenge was the overlap between organisations.", section="Challenges",
                         position=2)
    hits = [_hit(lessons[0], (0.5,)), _hit(challenge, (0.5,)), _hit(lessons[1], (0.3,)), _hit(lessons[2], (0.3,))]
    takeaways = compose("key takeaways for our board?", hits, 180, frozenset({"cyn"}))[0]
    assert "Communicate regularly" in takeaways and "Work through problems" in takeaways and "overlap" not in takeaways


@pytest.mark.parametrize("question, summary", [
    ("summarise it", True), ("in a nutshell?", True), ("tl;dr?", True), ("what's it about?", True),
    ("Summarise this case study", True),  # the case study narrowed to
    ("give me a quick overview of the P3 case study", True),  # asking words and the case study's name name nothing
    ("summarise that case study", True),
    ("whats the gist", True), ("quick rundown?", True), ("can i get a recap of this one", True), ("short version?", True),
    ("what's the gist of the funding?", False),  # the funding, in short
    ("summarise the lessons", False),  # the lessons, in short
    ("summarise that", False),  # what the last answer said
    ("summarise how they funded it", False),
])
def test_a_question_asking_for_nothing_but_a_summary_is_told_by_its_form(question, summary):
    assert asks_for_a_summary(question, frozenset(terms("P3 Cohort 4"))) is summary


def test_a_summary_of_the_case_study_narrowed_to_is_always_covered():
    """"In a nutshell?" or "key takeaways for our board?" under a filter: every case study has an overview and its
    lessons, whatever words they are asked in (10 of 24 summaries had been refused for "nutshell", "tl;dr")."""
    hits = [_hit(P3, (0.1, 0.1))]
    assert assess("in a nutshell?", hits, KEYWORD, THRESHOLD, True, -0.3, whole=True).outcome == ANSWERED
    assert assess("in a nutshell?", hits, KEYWORD, THRESHOLD, True, -0.3).outcome != ANSWERED


@pytest.mark.parametrize("question, only", [
    ("what did they learn?", True), ("main lessons?", True), ("key takeaways for our board?", True),
    ("what should our CEO take from this", True), ("what would you copy from this one", True),
    ("any problems?", True), ("what did P3 learn?", True),  # the case study's own name asks nothing more
    ("what did they learn about covid?", False),  # covid, which the case study may not speak to
    ("key takeaways about the funding?", False),
    ("what lessons did the board learn?", False),
    ("key lessons about money for our board", False),  # money, a word too common to name a subject but for "about"
    ("we have problems with our staff, advice?", False),  # the asker's own problem
    ("any tips for getting money for our charity", False),
    ("money lessons for our trustees", False),  # a subject before the section asked for
    ("what were their big learnings?", True),  # a word ranking them, not their subject
    ("lessons learned?", True), ("lessons, tl;dr?", True),  # a board of the case study's, not the asker's
    ("where's the board?", False),  # no section asked for
])
def test_a_question_asking_only_for_a_section_is_told_by_its_form(question, only):
    assert asks_only_for_sections(question, frozenset(terms("P3 Cohort 4"))) is only


def test_asked_for_nothing_but_a_summary_the_answer_reads_the_overview_in_the_case_study_s_order():
    """"Summarise it" under P3: no word tells one overview sentence from another, so the overview is read as the case
    study puts it, its prose before its quotes, rather than by similarity to "summarise it" (which had left out "P3
    leased a house" behind two quotes); asked about something as well, or for another section in short ("summarise
    the challenges"), or to sum up what the last answer said ("summarise that"), the sentence nearest it still leads."""
    quote = _passage("P3", "'You need to take the approach of supporting each other.'", kind="quote", position=0)
    overview = _passage("P3", "P3 is a national organisation. P3 leased a house and funded Cohort 4 to provide support "
                              "there. Cohort 4 brought expertise.", position=1)
    challenge = _passage("P3", "One challenge arose from different structures.", section="Challenges", position=2)
    lesson = _passage("P3", "Leave the ego at home.", section="Learning", kind="lesson", position=3, lesson=1)
    hits = [_hit(quote, (0.6,)), _hit(overview, (0.2, 0.05, 0.3)), _hit(challenge, (0.5,)), _hit(lesson, (0.1,))]
    body = compose("summarise it", hits, 180, frozenset({"p3"}))[0].split("\n\n")[1]
    assert body.index("national organisation") < body.index("leased a house") < body.index("brought expertise")
    assert "supporting each other" in body and "ego at home" in body and "challenge" not in body
    short = compose("summarise it", hits, 26, frozenset({"p3"}))[0]  # the quote is the first to go, then the lessons
    assert "brought expertise" in short and "ego at home" in short and "supporting each other" not in short
    about_support = compose("summarise how they supported each other", hits, 180, frozenset({"p3"}))[0]
    assert about_support.split("\n\n")[1].startswith("**P3**: “You need to take the approach")
    challenges = compose("summarise the challenges", hits, 180, frozenset({"p3"}))[0]
    assert challenges.split("\n\n")[1].startswith("**P3**: One challenge arose")
    assert compose("summarise that", hits, 180, frozenset({"p3"}))[0].split("\n\n")[1].startswith("**P3**: “You need")


def test_a_question_for_quotes_is_answered_by_a_quote():
    """"What does the small charity say about it?": a sentence quoting someone beats a plainer one."""
    said = _passage("SIFA", "The partnership developed over several years. SIFA are clear, 'We feel valued as a "
                            "partner.'", position=7)
    hits = [_hit(said, (0.55, 0.45))]
    assert compose("what does SIFA say about the partnership?", hits, 12)[0].split("\n\n")[1].startswith(
        "**SIFA**: SIFA are clear")
    assert compose("how did the partnership develop?", hits, 12)[0].split("\n\n")[1].startswith(
        "**SIFA**: The partnership developed")


def test_names_are_capitalised_words_that_do_not_open_a_sentence():
    assert names_in("We met Shelter in Birmingham. Then SIFA’s team came, and P3.") == ["Shelter", "Birmingham", "SIFA’s", "P3"]
    assert straight_quotes("SIFA’s “team”") == "SIFA's \"team\""


def test_a_follow_up_hears_something_new():
    hits = [_hit(TOUCHSTONE, (0.9, 0.85, 0.1))]
    said = "Touchstone provides mental health services across West and South Yorkshire [1]."
    text, _, _ = compose("tell me more about Touchstone", hits, 180, already_said=said)
    assert "16 smaller organisations" in text.split("\n\n")[1].split("[1]")[0]


def test_a_follow_up_asking_for_a_fact_hears_the_figure_a_repeated_sentence_adds():
    """The previous answer paraphrased the sentence but gave no income: "how big are they?" wants it."""
    passage = _passage("Touchstone", "It works with 16 smaller organisations, most with an income under £100,000. "
                                     "Trust grew over time.")
    hits = [_hit(passage, (0.5, 0.45))]
    said = "It works with 16 smaller organisations, most with some income [1]."
    assert "£100,000" in compose("how big are those smaller organisations?", hits, 30, already_said=said)[0]
    assert "£100,000" not in compose("what else happened?", hits, 8, already_said=said)[0]  # no fact asked: new things first


def test_a_sentence_mostly_said_before_is_heard_when_it_says_more():
    """The previous answer named the service; the sentence naming it again also says who paid and who took
    part: more than NEW_TERMS new terms, so it is not a repeat. A sentence said before, near enough, is."""
    passage = _passage("SIFA", "Shelter and SIFA developed proposals for new services. One proposal, for the Lead "
                               "Worker Peer Mentor service, was funded by the National Lottery Community Fund and "
                               "involves Shelter, SIFA and Mind.")
    hits = [_hit(passage, (0.3, 0.5))]
    said = "One proposal, the Lead Worker Peer Mentor service, involves Shelter, SIFA and Mind [1]."
    text = compose("who paid for that?", hits, 40, already_said=said)[0]
    assert "National Lottery" in text and "developed proposals for new services" not in text


def test_asked_what_happened_next_the_story_goes_on_from_the_last_answer():
    passage = _passage("SIFA", "In 2016 Shelter subcontracted SIFA. In 2019 SIFA bid as the lead provider. "
                               "Trust grew over the years. Both teams shared an office.")
    hits = [_hit(passage, (0.5, 0.35, 0.42, 0.44))]  # without the question's form, the last would lead
    said = "In 2016 Shelter subcontracted SIFA [1]."
    body = compose("and then what happened?", hits, 9, already_said=said)[0].split("\n\n")[1]
    assert body.startswith("**SIFA**: In 2019 SIFA bid as the lead provider.")
    assert asks_what_next("what did that lead to in the end?") and not asks_what_next("what did they learn?")
    assert asks_what_next("and then?") and not asks_what_next("and then they won the bid?")
    assert asks_what_next("anything else they said partners should do?")  # more, from where the last answer stopped


def test_lists_give_their_lead_in_and_items_as_sentences():
    passage = _passage("SIFA", "They work across four areas, including\n• housing\n• employment.", kind="list")
    assert sentences_of(passage) == ["They work across four areas, including", "• housing", "• employment."]


def test_a_preface_is_never_a_case_study():
    preface = Document("00-preface.md", "Case Studies", (), "We have worked with several organisations.", kind="preface")
    assert parse(preface) == []
    seed = Document("seed.txt", "Seed", (), "Some words about the report.\n\nA partnership that worked (Alpha and Beta)\n\n"
                    "Alpha and Beta worked together.\n\nLearning\n\n1. Trust matters.\n", layout="plain")
    assert {p.short_title for p in parse(seed)} == {"Alpha and Beta"}


def test_a_question_in_a_conversation_is_read_both_ways_the_likelier_first():
    catalogue = Catalogue.build([TOUCHSTONE, P3])
    history = [{"role": "user", "content": "What did Touchstone do?"}, {"role": "assistant", "content": "..."}]
    follow_up, standalone = readings("what did they learn?", history, catalogue)
    assert follow_up.focus == [TOUCHSTONE.case_study] and standalone.focus is None
    first, second = readings("how do other charities handle trust between partners?", history, catalogue)
    assert first.focus is None and second.focus == [TOUCHSTONE.case_study]
    assert [r.focus for r in readings("What did P3 learn?", history, catalogue)] == [[P3.case_study]]
    new_subject = readings("What's the latest rough sleeping count for Wolverhampton?", history, catalogue, KEYWORD.knows)
    assert [r.focus for r in new_subject] == [None]  # a name the case studies never use: not about Touchstone
    others = readings("does any other case say that?", history, catalogue)
    assert [r.focus for r in others] == [[P3.case_study]]  # every case study but the one talked about
    # "anything" is no word of the case studies, but names no subject: still possibly a follow-up
    assert [r.focus for r in readings("did anything go the other way?", history, catalogue, KEYWORD.knows)] \
        == [None, [TOUCHSTONE.case_study]]


@pytest.mark.parametrize("question, now", [
    ("is rethink still the lead in the somerset alliance?", True),
    ("how many orgs does POhWER partner with these days?", True),
    ("what is the consortium working on at the moment?", True),
    ("how many people has it helped so far?", True),
    ("is POhWER the lead now?", True),
    ("what did the partners do while the lead was still negotiating?", False),  # "still" in a clause of when
    ("now that we're partnered, what should we watch for?", False),
    ("how do they keep their records up to date?", False),
    ("what did Touchstone learn?", False),
])
def test_a_question_about_the_present_is_told_by_its_form(question, now):
    assert asks_about_now(question) is now
