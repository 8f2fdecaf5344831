"""Hybrid retrieval over a fake-embedded index: filters, focus, section intent, diversity."""

from __future__ import annotations

import pytest

from assistant.asks import intended_sections
from assistant.ingest import ingest
from assistant.records import Filters, Hit, Passage
from assistant.retrieve import DIVERSITY_DECAY, HEAD, LEAD_SHARE, RRF_K, Retriever, _diversify, _fuse


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
    ("so what would they do differently?", ["Learning"]),
    ("what was the hard bit at the start?", ["Challenges"]),
    ("and what got them through it?", ["Enablers"]),
    ("What helped Somerset Mental Health Alliance work together?", ["Enablers"]),  # the chat's own suggestion
    ("what went well?", ["Enablers"]),
    ("how did Shelter help SIFA, and what work did SIFA do?", []),
    ("summarise this case study", ["overview"]),
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


def _hit(case: str, n: int, score: float) -> Hit:
    passage = Passage(id=f"{case}#{n}", case_study=case, organisations=(case,), section="overview", lesson=None,
                      kind="paragraph", text=f"{case} {n}", source=f"{case}.md", position=n, content_hash=f"{case}{n}")
    return Hit(passage, score)


def test_fusion_rewards_agreement_between_rankings():
    """A passage second in all three lists beats one first in a single list: agreement counts most."""
    fused = _fuse((["a", "b"], ["c", "b"], ["d", "b"]))
    assert fused["b"] == pytest.approx(3 / (RRF_K + 2)) and fused["b"] > fused["a"] == fused["c"] == fused["d"]
    assert _fuse(([], [])) == {}


def _scores(hits):
    return {h.passage.id: h.score for h in hits}


def test_diversity_lets_a_second_case_study_in_before_a_third_passage_of_the_first():
    ranked = [_hit("A", 1, 1.0), _hit("A", 2, 0.9), _hit("A", 3, 0.85), _hit("B", 1, 0.5), _hit("C", 1, 0.3),
              _hit("D", 1, 0.2)]
    chosen = _diversify(ranked, 3, _scores(ranked))
    # A2 keeps its place (0.9 * DECAY = 0.54 > 0.5), A3 (0.85 * DECAY ** 2 = 0.31) yields to B1 (0.5)
    assert [h.passage.id for h in chosen] == ["A#1", "A#2", "B#1"]
    assert 0.9 * DIVERSITY_DECAY > 0.5 > 0.85 * DIVERSITY_DECAY**2
    assert LEAD_SHARE * len(ranked) > 3  # A fills half the head: not enough to be what the question is about
    all_of_them = _diversify(ranked, 10, _scores(ranked))  # fewer than k
    assert [h.passage.id for h in all_of_them] == ["A#1", "A#2", "B#1", "A#3", "C#1", "D#1"]


def test_diversity_weighs_the_priority_given_not_the_score():
    """The hits' order comes from the priority (with questions asked before), their scores stay as they were."""
    ranked = [_hit("A", 1, 0.9), _hit("B", 1, 0.5), _hit("C", 1, 0.3)]
    chosen = _diversify(ranked, 2, {"A#1": 0.1, "B#1": 0.2, "C#1": 0.9})
    assert [(h.passage.id, h.score) for h in chosen] == [("C#1", 0.3), ("B#1", 0.5)]


def test_a_case_study_filling_most_of_the_head_is_read_on_in():
    """A question about one case study that does not name it: its passages keep their order."""
    leading = [_hit("A", n, 1.0 - n / 100) for n in range(1, 8)]
    others = [_hit("B", 1, 0.9), _hit("C", 1, 0.8), _hit("D", 1, 0.7)]
    ranked = sorted(leading + others, key=lambda h: -h.score)
    assert len(leading) >= LEAD_SHARE * HEAD
    assert [h.passage.id for h in _diversify(ranked, 5, _scores(ranked))] == ["A#1", "A#2", "A#3", "A#4", "A#5"]
    # with 5 of the first 10 places, A is discounted again
    ranked = sorted(leading[:5] + others + [_hit("E", 1, 0.6), _hit("F", 1, 0.5)], key=lambda h: -h.score)
    assert LEAD_SHARE * HEAD > 5
    assert [h.passage.id for h in _diversify(ranked, 3, _scores(ranked))] == ["A#1", "B#1", "C#1"]
