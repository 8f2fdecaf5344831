"""BM25 keyword search on hand-built passages: word families, filters, saving beside the index."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.keyword import KeywordIndex
from assistant.records import Passage


def _passage(case: str, text: str, section: str = "overview", position: int = 0) -> Passage:
    return Passage(id=f"{case}#{position}", case_study=f"Working together ({case})", organisations=(case,),
                   section=section, lesson=None, kind="paragraph", text=text, source=f"{case}.md",
                   position=position, content_hash=str(position))


PASSAGES = [
    _passage("Alpha", "Services were designed through coproduction with people who use them.", position=0),
    _passage("Alpha", "Co-location in one building fostered strong relationships.", "Enablers", position=1),
    _passage("Beta", "The council tendered a £7.4m contract for advocacy.", "Challenges", position=2),
    _passage("Beta", "Trust grew through honest conversations about funding.", "Learning", position=3),
    _passage("Gamma", "Funding was ringfenced for the smaller partners.", "Learning", position=4),
    _passage("Gamma", "The Women’s Resource Centre gave development support.", "Enablers", position=5),
]


@pytest.fixture(scope="module")
def index() -> KeywordIndex:
    return KeywordIndex.build(PASSAGES)


def _ids(results: list[tuple[str, float]]) -> list[str]:
    return [passage_id for passage_id, _ in results]


@pytest.mark.parametrize("query", ["coproduction", "coproducing", "co-production", "co-produced", "Coproduced services"])
def test_word_families_match_in_keyword_search(index, query):
    """The corpus says "coproduction"; a question may say "coproducing": a stem that differs only in
    its last letters is the same word family."""
    assert _ids(index.search(query, 3))[0] == "Alpha#0"


def test_exact_words_a_small_embedding_model_blurs_are_found(index):
    assert _ids(index.search("co-location", 5)) == ["Alpha#1"]
    assert _ids(index.search("£7.4m advocacy contract", 5))[0] == "Beta#2"


@pytest.mark.parametrize("term, form", [
    ("coproduct", "coproduct"),  # the corpus's own stem
    ("coproduc", "coproduct"),  # "coproducing": same family, last letters differ
    ("fun", None),  # too short to stretch: "fun" is not "fund"
    ("sourdough", None),  # a word the corpus never uses
    ("relat", None),  # starts like "relationship", but is too much shorter to be the same word
])
def test_a_search_term_is_matched_to_the_corpus_s_own_form_or_to_nothing(index, term, form):
    assert index.known_form(term) == form
    assert index.knows(term) is (form is not None)


def test_passages_sharing_more_of_the_question_rank_first_and_no_match_scores_nothing(index):
    results = index.search("honest funding conversations", 5)
    assert _ids(results)[0] == "Beta#3" and "Gamma#4" in _ids(results)
    assert [score for _, score in results] == sorted((score for _, score in results), reverse=True)
    assert all(score > 0 for _, score in results) and "Alpha#0" not in _ids(results)
    assert index.search("sourdough bread", 5) == []
    assert index.search("what is the", 5) == []  # stopwords only: no terms to search


def test_search_returns_at_most_n(index):
    assert len(index.search("funding trust coproduction contract relationships", 2)) == 2
    assert len(index.search("funding", 50)) == 2


def test_filters_keep_only_the_case_studies_and_sections_asked_for(index):
    assert _ids(index.search("funding", 5, case_studies=["Working together (Gamma)"])) == ["Gamma#4"]
    assert sorted(_ids(index.search("funding", 5, sections=["Learning"]))) == ["Beta#3", "Gamma#4"]
    assert _ids(index.search("funding", 5, case_studies=["Working together (Beta)"], sections=["Challenges"])) == []
    assert index.search("funding", 5, case_studies=["Working together (Alpha)"]) == []


def test_ids_for_lists_every_passage_of_a_case_study_and_section(index):
    assert index.ids_for(["Working together (Alpha)"]) == ["Alpha#0", "Alpha#1"]
    assert index.ids_for(["Working together (Alpha)", "Working together (Beta)"], ["Learning"]) == ["Beta#3"]
    assert index.ids_for(["Working together (Nobody)"]) == []
    assert index.ids_for([]) == index.ids and index.ids_for([], ["Learning"]) == ["Beta#3", "Gamma#4"]


def test_an_empty_corpus_gives_an_index_that_finds_nothing(tmp_path):
    empty = KeywordIndex.build([])
    assert empty.search("funding", 5) == [] and not empty.knows("fund")
    empty.save(tmp_path, "empty")
    loaded = KeywordIndex.load(tmp_path, "empty")
    assert loaded is not None and loaded.search("funding", 5) == []


def test_a_saved_index_loads_for_its_own_corpus_only(index, tmp_path):
    """Saved beside the index and keyed by the corpus fingerprint: a changed corpus is not
    searched with an old keyword index."""
    index.save(tmp_path / "keyword", "fingerprint-1")
    loaded = KeywordIndex.load(tmp_path / "keyword", "fingerprint-1")
    assert loaded is not None
    assert loaded.search("coproducing trust", 5) == index.search("coproducing trust", 5)
    assert loaded.ids_for(["Working together (Beta)"], ["Learning"]) == ["Beta#3"]
    assert KeywordIndex.load(tmp_path / "keyword", "fingerprint-2") is None
    assert KeywordIndex.load(tmp_path / "nowhere", "fingerprint-1") is None


def test_a_half_written_index_is_not_loaded(index, tmp_path):
    index.save(tmp_path, "fingerprint-1")
    (tmp_path / "passages.json").write_text('{"fingerprint": "fingerprint-1", "ids": [', encoding="utf-8")
    assert KeywordIndex.load(tmp_path, "fingerprint-1") is None


def test_a_name_spelled_out_in_a_passage_is_found_by_its_initials(index):
    """People type "WRC" for the Women’s Resource Centre the corpus spells out."""
    assert index.knows("wrc")
    assert _ids(index.search("what's the WRC?", 3)) == ["Gamma#5"]


def test_the_latest_year_the_case_studies_can_tell_of_is_their_publication_or_the_latest_they_name(tmp_path):
    """Published in 2021, a case study can speak of 2020 though it never names it; one that doesn't
    say when it was written tells of the years it names; an index with no years sets no limit."""
    published = replace(_passage("Alpha", "In 2019 the partners met."), published="2021-02")
    assert KeywordIndex.build([published]).latest_year == 2021
    assert KeywordIndex.build([published, _passage("Beta", "By 2024 the contract ended.", position=1)]).latest_year == 2024
    assert KeywordIndex.build(PASSAGES).latest_year is None
    KeywordIndex.build([published]).save(tmp_path, "fingerprint-1")
    assert KeywordIndex.load(tmp_path, "fingerprint-1").latest_year == 2021
