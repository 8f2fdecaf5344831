"""Questions asked before as a ranking for retrieval: hand-built pairs and passages, a fake embedder."""

from __future__ import annotations

import json
from dataclasses import replace

from assistant.asked import NEAR_QUESTION, AskedQuestions
from assistant.ingest import ingest
from assistant.parse import sentences_of
from assistant.records import Passage
from assistant.refuse import signals
from assistant.retrieve import Retriever
from assistant.snapshot import Snapshot


def _pairs(tmp_path, pairs):
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps({"question": q, "answer": a}) + "\n" for q, a in pairs), encoding="utf-8")
    return path


def _passage(passage_id, text):
    return Passage(id=passage_id, case_study="A case (A)", organisations=("A",), section="overview", lesson=None,
                   kind="paragraph", text=text, source="a.md", position=0, content_hash=passage_id)


PASSAGES = {
    "office": _passage("office", "They met every week. Co-location is important to build relationships."),
    "money": _passage("money", "Funding was tight. The partners ringfenced part of the contract."),
    "other": _passage("other", "Nothing anyone asked about."),
}


def test_passages_answering_a_near_question_rank_nearest_first(tmp_path, fake_embedder):
    office = "A: Co-location is important to build relationships."
    pairs = _pairs(tmp_path, [("does sharing an office with partners help", office),
                              ("did they ringfence money for small groups", "A: The partners ringfenced part of the contract."),
                              ("sharing an office with partners help", office)])
    asked = AskedQuestions.load(pairs, fake_embedder, tmp_path / "cache")
    assert asked.answers[1] == "The partners ringfenced part of the contract."  # the case study's short title left off
    vector = fake_embedder.embed_query("does sharing an office with partners really help")
    assert asked.ranking(vector, PASSAGES) == ["office"]  # the money question is too far from this one
    both = fake_embedder.embed_query("sharing an office with partners, and ringfence money for small groups")
    assert sorted(asked.ranking(both, PASSAGES)) == ["money", "office"]  # "other" answers nothing asked
    far = fake_embedder.embed_query("what is the capital of Australia")
    assert asked.vectors.shape[0] == 3 and len(asked.answers) == 2  # each sentence once
    assert max(asked.vectors @ far) < NEAR_QUESTION and asked.ranking(far, PASSAGES) == []


def test_the_questions_are_embedded_once_per_model_and_none_without_pairs(tmp_path, fake_embedder):
    pairs = _pairs(tmp_path, [("does sharing an office help", "A: Co-location is important to build relationships.")])
    AskedQuestions.load(pairs, fake_embedder, tmp_path / "cache")
    calls = fake_embedder.calls
    again = AskedQuestions.load(pairs, fake_embedder, tmp_path / "cache")
    assert fake_embedder.calls == calls and again.ranking(fake_embedder.embed_query("does sharing an office help"),
                                                         PASSAGES) == ["office"]
    none = AskedQuestions.load(None, fake_embedder, tmp_path / "cache")
    assert none.ranking(fake_embedder.embed_query("does sharing an office help"), PASSAGES) == []
    other_model = type(fake_embedder)()
    other_model.model_name = "another-model"
    AskedQuestions.load(pairs, other_model, tmp_path / "cache")
    assert other_model.calls == 1  # another model's vectors are its own


def test_an_empty_answer_votes_for_nothing(tmp_path, fake_embedder):
    """"Title: " would be in every passage's text: such a pair is left out."""
    pairs = _pairs(tmp_path, [("does sharing an office help", "A: "), ("does sharing an office help", "")])
    asked = AskedQuestions.load(pairs, fake_embedder, tmp_path / "cache")
    assert asked.answers == [] and asked.ranking(fake_embedder.embed_query("does sharing an office help"), PASSAGES) == []


def test_a_question_asked_before_orders_the_hits_but_leaves_their_scores(settings, fake_embedder, tmp_path):
    """The passage answering a near question asked before moves up (here from second to first); the
    scores, which the coverage decision reads as the other rankings' agreement, are what they were."""
    ingest(settings, embedder=fake_embedder)
    question = "did the partners fall out over money"
    plain = Retriever.open(replace(settings, tuning_pairs=None), embedder=fake_embedder).search(question, k=7)
    target = plain[1]  # second without the pairs
    answer = f"{target.passage.short_title}: {sentences_of(target.passage)[0]}"
    pairs = _pairs(tmp_path, [(question, answer)])
    with_pairs = Retriever.open(replace(settings, tuning_pairs=pairs), embedder=fake_embedder)
    asked = with_pairs.search(question, k=7)
    assert [h.passage.id for h in asked[:2]] == [target.passage.id, plain[0].passage.id]
    assert {h.passage.id: h.score for h in asked}.items() <= {h.passage.id: h.score for h in plain}.items()
    assert signals(question, asked, with_pairs.keyword, False, 0.0).agreement == plain[0].score


def test_the_questions_vectors_outlive_a_snapshot(settings, fake_embedder):
    """Kept beside the index, not in a snapshot's files, which an ingest prunes: a start after an ingest
    reads them instead of embedding every question again."""
    ingest(settings, embedder=fake_embedder)
    Retriever.open(settings, embedder=fake_embedder)
    Snapshot.prune(settings, keep=set())
    assert list(settings.questions_dir.glob("asked-questions-*.npy"))
