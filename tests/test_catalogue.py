"""How a question names a case study, on a catalogue built from hand-made passages: no model, no index."""

from __future__ import annotations

from dataclasses import replace

from assistant.catalogue import Catalogue
from assistant.records import Passage


def _passages(title: str, organisations: tuple[str, ...], *texts: str) -> list[Passage]:
    return [Passage(id=f"{title}#{i}", case_study=title, organisations=organisations, section="overview", lesson=None,
                    kind="paragraph", text=text, source=f"{title[:8]}.md", position=i, content_hash=f"{title}{i}")
            for i, text in enumerate(texts)]


TOUCHSTONE = "Delivering mental health services (Touchstone and Live Well Leeds)"
CYN = "Supporting young people (Creative Youth Network)"
P3 = "Sharing the risk of a contract (P3 and Cohort 4)"
POHWER = "Collaborating to deliver advocacy (POhWER and Advocacy Matters)"
PREFACE = "About these case studies"
PASSAGES = (
    _passages(TOUCHSTONE, ("Touchstone", "Live Well Leeds"), "Touchstone works across Leeds.", "Trust grew.")
    + _passages(CYN, ("Creative Youth Network",), "Creative Youth Network (CYN) works in Bristol. Its peer group (WATCH) "
                "meets monthly.")
    + _passages(P3, ("P3", "Cohort 4"), "P3 and Cohort4 run youth services together.")
    + _passages(POHWER, ("POhWER", "Advocacy Matters"), "POhWER provides advocacy.")
    + _passages(PREFACE, (), "Case studies of collaboration between charities.")
)
CATALOGUE = Catalogue.build(PASSAGES)


def test_a_question_names_a_case_study_by_any_of_its_organisations():
    assert CATALOGUE.named_in("What did Touchstone learn?") == [TOUCHSTONE]
    assert CATALOGUE.named_in("Who founded Live Well Leeds?") == [TOUCHSTONE]
    assert CATALOGUE.named_in("What does Advocacy Matters do?") == [POHWER]


def test_organisations_are_recognised_however_they_are_typed():
    """People type names in lower case and with spacing of their own: "Cohort4" is "Cohort 4"."""
    assert CATALOGUE.named_in("who founded live well leeds?") == [TOUCHSTONE]
    assert CATALOGUE.named_in("Where is Cohort4 based?") == [P3]
    assert CATALOGUE.named_in("where is cohort 4 based?") == [P3]
    assert CATALOGUE.named_in("how does pohwer work?") == [POHWER]  # no English word: a name in any case


def test_a_name_typed_one_letter_off_still_names_its_case_study():
    assert CATALOGUE.named_in("how many partner organisations has powher got") == [POHWER]  # two letters swapped
    assert CATALOGUE.named_in("wat size are most of touchstones partner orgs?") == [TOUCHSTONE]  # one added
    assert CATALOGUE.named_in("what did touchtone learn?") == [TOUCHSTONE]  # one dropped
    assert CATALOGUE.named_in("who holds the power?") == []  # an English word, one letter off "pohwer"
    assert CATALOGUE.named_in("how does the netwrok work?") == []  # "Network" is an everyday word: named only as written


def test_an_acronym_a_case_study_defines_names_it():
    assert CATALOGUE.named_in("How many people does CYN reach?") == [CYN]


def test_the_initials_of_a_long_name_name_its_case_study_as_people_abbreviate_it():
    assert CATALOGUE.named_in("how did LWL handle underperformance?") == [TOUCHSTONE]
    assert CATALOGUE.named_in("how did lwl handle underperformance?") == [TOUCHSTONE]
    assert CATALOGUE.named_in("what did AM learn?") == []  # two letters: too many words are those


def test_a_name_that_is_an_everyday_word_counts_only_as_the_name_is_written():
    """"WATCH" is a peer group; "what should we watch out for?" is not about it, nor is "Watch"
    opening a sentence, where every word is capitalised."""
    assert CATALOGUE.named_in("What does WATCH do?") == [CYN]
    assert CATALOGUE.named_in("what should we watch out for?") == []
    assert CATALOGUE.named_in("Watch out: what went wrong?") == []


def test_a_distinctive_word_of_a_name_names_its_case_study_when_written_as_a_name():
    """"Creative" is an everyday word: a name only as the name is written ("Leeds", a place, is
    a name however it is typed: below)."""
    assert CATALOGUE.named_in("What happened in Leeds?") == [TOUCHSTONE]
    assert CATALOGUE.named_in("What did Creative do next?") == [CYN]
    assert CATALOGUE.named_in("what did creative people do next?") == []


def test_a_word_two_case_studies_use_names_neither():
    """"Youth" is in Creative Youth Network's name, but P3 runs youth services too."""
    assert CATALOGUE.named_in("What do the Youth workers say?") == []
    assert CATALOGUE.named_in("How does Creative Youth Network work?") == [CYN]


def test_common_words_name_nothing():
    assert CATALOGUE.named_in("what changes lives in a youth network?") == []
    assert CATALOGUE.named_in("How do charities build trust?") == []


def test_a_document_with_no_organisations_is_never_named():
    """A preface is about the collection: its title words are not a case study's name."""
    assert CATALOGUE.named_in("About these case studies: what are they?") == []
    assert CATALOGUE.get(PREFACE) is not None and CATALOGUE.get(PREFACE).aliases == ()


def test_several_case_studies_come_back_in_the_catalogue_s_order():
    """The order is the corpus's, not the question's, so the same question gives the same focus."""
    assert CATALOGUE.named_in("How do POhWER and Touchstone compare?") == [TOUCHSTONE, POHWER]


def test_each_case_study_is_listed_once_with_its_title_and_organisations():
    assert [c.title for c in CATALOGUE.cases] == [TOUCHSTONE, CYN, P3, POHWER, PREFACE]
    touchstone = CATALOGUE.get(TOUCHSTONE)
    assert touchstone is not None
    assert touchstone.short_title == "Touchstone and Live Well Leeds"
    assert touchstone.organisations == ("Touchstone", "Live Well Leeds")
    assert CATALOGUE.get("A case study that is not there") is None


def test_name_terms_are_the_search_terms_of_the_names():
    """In "what did Touchstone learn?" the name says which case study, not what about it."""
    assert {"touchston", "leed", "live", "well"} <= CATALOGUE.name_terms([TOUCHSTONE])
    assert "pohwer" not in CATALOGUE.name_terms([TOUCHSTONE])
    assert CATALOGUE.name_terms([]) == set()


def test_a_saved_catalogue_loads_for_its_own_corpus_only(tmp_path):
    """Saved beside the index and keyed by the corpus fingerprint."""
    path = tmp_path / "catalogue.json"
    CATALOGUE.save(path, "fingerprint-1")
    loaded = Catalogue.load(path, "fingerprint-1")
    assert loaded is not None and loaded.cases == CATALOGUE.cases
    assert loaded.named_in("Where is Cohort4 based?") == [P3]
    assert Catalogue.load(path, "fingerprint-2") is None
    assert Catalogue.load(tmp_path / "missing.json", "fingerprint-1") is None
    path.write_text('{"fingerprint": "fingerprint-1", "cases": [{"title": "half a record"}]}', encoding="utf-8")
    assert Catalogue.load(path, "fingerprint-1") is None


def test_the_corpus_describes_itself_from_its_files():
    """Counts and dates come from the case studies' own front matter, never from code: a preface is
    not counted, and organisations adding their own case studies see them counted."""
    dated = [replace(p, published="2021-02" if p.case_study != P3 else "2023-10") for p in PASSAGES]
    assert Catalogue.build(dated).description() == "4 case studies, published 2021–2023"
    assert Catalogue.build([p for p in dated if p.case_study != P3]).description() == "3 case studies, published in 2021"
    assert CATALOGUE.description() == "4 case studies"  # files that give no date
    assert [c.title for c in CATALOGUE.case_studies] == sorted([TOUCHSTONE, CYN, P3, POHWER], key=lambda t: t[:8])


def test_a_place_only_one_case_study_names_names_it_however_it_is_typed():
    """"the bristol youth case", "in birmingham": a place is a name (ISO 3166's list says which
    words are places); one the corpus never writes in lower case names its case study in any case."""
    assert CATALOGUE.named_in("what did the bristol youth lot do?") == [CYN]
    assert CATALOGUE.named_in("The Bristol one: how did it start?") == [CYN]
    assert CATALOGUE.named_in("anything from leeds about trust?") == [TOUCHSTONE]


def test_a_place_several_case_studies_name_or_one_outside_the_corpus_names_none():
    catalogue = Catalogue.build(PASSAGES + _passages(P3, ("P3", "Cohort 4"), "P3 also works in Bristol and Coventry."))
    assert catalogue.named_in("what happened in bristol?") == []  # two case studies are there
    assert catalogue.named_in("what happened in Coventry?") == [P3]
    assert CATALOGUE.named_in("what happened in Coventry?") == []


def test_only_the_places_of_the_corpus_s_own_country_count():
    """"West" is a region of Cameroon: in a corpus naming English places, "west" is a direction."""
    passages = PASSAGES + _passages(P3, ("P3", "Cohort 4"), "P3 works across the West and in Coventry.")
    assert Catalogue.build(passages).named_in("any charities in the west?") == []
    assert Catalogue.build(passages).named_in("any charities in Coventry?") == [P3]


def test_words_that_open_a_line_of_a_name_are_not_places():
    """"- Women Centre" lists a group; "Centre" (a region of France) is not its place."""
    passages = PASSAGES + _passages(P3, ("P3", "Cohort 4"), "Partners:\nWomen Centre\nP3 in Coventry, Leeds and Bristol.")
    assert Catalogue.build(passages).named_in("what does the centre do?") == []
