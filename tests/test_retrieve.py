"""Hybrid retrieval over a fake-embedded index: filters, focus, section intent, diversity."""

from __future__ import annotations

import pytest

from assistant.asks import intended_sections
from assistant.ingest import ingest
from assistant.records import Filters, Hit
from assistant.retrieve import Retriever


@pytest.fixture
def retriever(settings, fake_embedder) -> Retriever:
    ingest(settings, embedder=fake_embedder)
    return Retriever.open(settings, embedder=fake_embedder)


def test_hits_are_our_records_with_structure(retriever):
    hits = retriever.search("co-location fosters strong relationships", k=3)
    assert len(hits) == 3 and all(isinstance(h, Hit) for h in hits)
    assert any(h.passage.short_title == "Shelter and SIFA Fireside" and (h.passage.section, h.passage.lesson) == ("Learning", 2)
               for h in hits)
    # ranked by score after diversity: a case study's second passage may follow a lower-scored other one
    assert hits[0].score == max(h.score for h in hits) and all(0 < h.score <= 1 for h in hits)


def test_filter_by_case_study_and_section(retriever):
    touchstone = next(c.title for c in retriever.catalogue.cases if "Touchstone" in c.title)
    hits = retriever.search("partners", k=5, filters=Filters((touchstone,), ("Challenges",)))
    assert hits and all(h.passage.case_study == touchstone and h.passage.section == "Challenges" for h in hits)


def test_a_named_case_study_focuses_the_search(retriever):
    """"What did Touchstone learn?" is Touchstone's Learning: every one of its lessons ranks above
    its other sections (in any order: the fake embedder does not rank lessons meaningfully)."""
    hits = retriever.search("What did Touchstone learn?", k=5)
    assert {h.passage.short_title for h in hits} == {"Touchstone and Live Well Leeds"}
    lessons = {p.lesson for p in retriever.passages_of(hits[0].passage.case_study) if p.section == "Learning"}
    assert len(lessons) >= 2 and len(hits) > len(lessons)
    assert {(h.passage.section, h.passage.lesson) for h in hits[: len(lessons)]} == {("Learning", n) for n in lessons}


def test_a_filter_that_excludes_the_named_case_study_finds_nothing(retriever):
    other = next(c.title for c in retriever.catalogue.cases if "P3" in c.title)
    assert retriever.search("What did Touchstone learn?", filters=Filters((other,))) == []


def test_a_theme_question_gathers_several_case_studies(retriever):
    hits = retriever.search("trust and open honest communication between partners", k=5)
    assert len({h.passage.case_study for h in hits}) >= 3


@pytest.mark.parametrize("question, sections", [
    ("What did they learn?", ["Learning"]),
    ("What were the main challenges?", ["Challenges"]),
    ("What enabled the partnership?", ["Enablers"]),
    ("Who funds it?", []),
])
def test_section_intent(question, sections):
    assert intended_sections(question) == sections


@pytest.mark.parametrize("question, expected", [
    ("What is the STAGE partnership?", "Changing Lives and the STAGE partnership"),
    ("How did Shelter help SIFA Fireside?", "Shelter and SIFA Fireside"),
    ("Where is Cohort4 based?", "P3 and Cohort 4"),
    ("What did the Somerset Alliance fund?", "Somerset Mental Health Alliance"),
    ("How many people does CYN work with?", "Creative Youth Network"),
])
def test_the_catalogue_knows_how_questions_name_case_studies(retriever, question, expected):
    named = retriever.catalogue.named_in(question)
    assert [retriever.catalogue.get(t).short_title for t in named] == [expected]


def test_common_words_do_not_name_a_case_study(retriever):
    assert retriever.catalogue.named_in("what changes lives in a youth network alliance?") == []


@pytest.mark.parametrize("question", [
    "what should we watch out for when partnering?",  # WATCH, Somerset's peer support group
    "we run an emergency shelter, any tips?",  # Shelter
    "Consortium bids: who should lead?",  # a capitalised first word is not a name
])
def test_a_name_that_is_an_everyday_word_names_a_case_study_only_as_written(retriever, question):
    assert retriever.catalogue.named_in(question) == []


@pytest.mark.parametrize("question, expected", [
    ("what did WATCH do in the alliance?", "Somerset Mental Health Alliance"),
    ("how did sifa get noticed by the council?", "Shelter and SIFA Fireside"),  # no English word: any case
    ("what does the vawg lot do?", "London VAWG Consortium"),
])
def test_names_that_are_no_english_word_are_found_in_any_case(retriever, question, expected):
    named = retriever.catalogue.named_in(question)
    assert [retriever.catalogue.get(t).short_title for t in named] == [expected]
