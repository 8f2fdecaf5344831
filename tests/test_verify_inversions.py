"""The verifier against sentences that reuse their source's words to say something else: a negation
added or dropped, a word's opposite, numbers or organisations swapped, a clause in another language.

Unit cases on one hand-built passage with the fake embedder (so only the inversion checks can
catch them: every case shares nearly all its words with the passage); the calibration pairs in
tests/data/support_pairs.jsonl with the real model, per kind."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from assistant.parse import parse, sentences_of
from assistant.read import read_corpus
from assistant.records import Passage
from assistant.text import split_sentences
from assistant.verify import Verifier
from conftest import DATA, ROOT

PASSAGE = Passage(
    id="hand-built", case_study="Sharing an evening club (Northgate Trust and Riverside Youth)",
    organisations=("Northgate Trust", "Riverside Youth"), section="Learning", lesson=None, kind="paragraph",
    text=("Northgate Trust works with 12 community groups and supports around 4,000 families a year. "
          "Northgate Trust funded Riverside Youth to run the evening club. "
          "Partners meet regularly, even when things are going well. "
          "The partnership did not bid for the county contract. "
          "Sharing data openly built trust between the partners."),
    source="hand-built.md", position=0, content_hash="0")


def _problem(fake_embedder, sentence: str) -> str:
    [claim] = Verifier([PASSAGE], fake_embedder.embed_documents).check(sentence + " [1]")
    return claim.problem


@pytest.mark.parametrize("sentence", [
    "Northgate Trust funded Riverside Youth to run the evening club.",
    "Riverside Youth was funded by Northgate Trust to run the evening club.",  # passive: who acted is kept
    "Partners meet regularly even when things go well.",
    "The partnership did not bid for the county contract.",  # a negation the source has too
    "Northgate Trust supports around 4,000 families a year and works with 12 community groups.",
    "Sharing data openly built trust between partners.",
])
def test_faithful_restatements_are_kept(fake_embedder, sentence):
    assert _problem(fake_embedder, sentence) == ""


@pytest.mark.parametrize("sentence, problem", [
    pytest.param("Sharing data openly never built trust between the partners.", "denies what the source says (“never”)",
                 id="negation"),
    pytest.param("The partnership did bid for the county contract.", "leaves out the source's “not”", id="negation"),
    pytest.param("Northgate Trust failed to fund Riverside Youth to run the evening club.", "denies", id="negation"),
    pytest.param("Partners meet rarely, even when things are going well.", "“rarely” where it says “regularly”",
                 id="antonym"),
    pytest.param("Partners meet regularly, even when things are going badly.", "“badly” where it says “well”",
                 id="antonym"),
    pytest.param("Sharing data openly built distrust between the partners.", "“distrust” where it says “trust”",
                 id="antonym"),
    pytest.param("Northgate Trust works with 4,000 community groups and supports around 12 families a year.",
                 "number swapped", id="number_swap"),
    pytest.param("Northgate Trust supports around 12 families a year.", "number swapped", id="number_swap"),
    pytest.param("Riverside Youth funded Northgate Trust to run the evening club.", "names swapped", id="name_swap"),
    pytest.param("Northgate Trust was funded by Riverside Youth to run the evening club.", "names swapped",
                 id="name_swap"),
    pytest.param("Riverside Youth works with 12 community groups.", "names swapped", id="name_swap"),
    pytest.param("Northgate Trust funded Riverside Youth, pero los socios nunca recibieron el dinero.",
                 "not in English", id="foreign_clause"),
    pytest.param("Partners meet regularly, но партнеры никогда не доверяли им.", "not in English", id="foreign_clause"),
])
def test_an_inversion_of_the_cited_sentence_is_dropped_with_why(fake_embedder, sentence, problem):
    assert problem in _problem(fake_embedder, sentence)


def test_no_sentence_of_the_corpus_is_an_inversion_of_its_own_passage(fake_embedder):
    """Quoting a source, alone or among its neighbours, never trips the inversion checks."""
    passages = [p for d in read_corpus(ROOT / "corpus")[0] for p in parse(d)]
    for i, passage in enumerate(passages):
        for cited in ([passage], [passages[i - 1], passage, passages[(i + 1) % len(passages)]]):
            verifier = Verifier(cited, fake_embedder.embed_documents)
            marks = " [" + ", ".join(str(n) for n in range(1, len(cited) + 1)) + "]"
            for sentence in (s for item in sentences_of(passage) for s in split_sentences(item)):
                for claim in verifier.check(sentence.rstrip(".!?") + marks + "."):
                    assert "weak support" in claim.problem or not claim.problem, (sentence, claim.problem)


# Reached on tests/data/support_pairs.jsonl (the test prints its figures): faithful pairs kept 146 of
# 146; caught: negation 39 of 39, antonym 38 of 38, number_swap 30 of 32, name_swap 31 of 33,
# foreign_clause 31 of 31. The verifier before the inversion checks kept 145 faithful pairs and
# caught 1, 4, 7, 0 and 24.
LEAST_KEPT = {"faithful": 0.97}
LEAST_CAUGHT = {"negation": 0.92, "antonym": 0.92, "number_swap": 0.9, "name_swap": 0.85, "foreign_clause": 0.93}


@pytest.mark.calibration
def test_the_verifier_keeps_paraphrases_and_catches_each_kind_of_inversion_in_the_pairs(real_embedder):
    passages = [p for d in read_corpus(ROOT / "corpus")[0] for p in parse(d)]
    embed = real_embedder.embed_documents
    right, total, missed = Counter(), Counter(), []
    for line in (DATA / "support_pairs.jsonl").read_text().splitlines():
        pair = json.loads(line)
        passage = next(p for p in passages if pair["passage"] in p.text)
        [claim] = Verifier([passage], embed).check(pair["sentence"] + " [1]")
        total[pair["kind"]] += 1
        right[pair["kind"]] += claim.supported == pair["supported"]
        if claim.supported != pair["supported"]:
            missed.append(f"{pair['kind']}: {pair['sentence']} ({claim.problem or 'kept'})")
    for kind in total:
        print(f"{kind:15} {'kept' if kind == 'faithful' else 'caught'} {right[kind]} of {total[kind]}")
    print("\n".join(missed))
    for kind, least in (LEAST_KEPT | LEAST_CAUGHT).items():
        assert total[kind] >= (60 if kind == "faithful" else 20), kind
        assert right[kind] >= least * total[kind], f"{kind}: {right[kind]} of {total[kind]}"
