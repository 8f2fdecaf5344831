"""Board briefings and onboarding guides: cited, resolvable, honest about gaps, exportable."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from assistant import brief
from assistant.brief import Citation, briefing_docx, briefing_markdown, briefing_parts, build_briefing, source_line
from assistant.guide import build_guide, guide_markdown, guide_parts, reading_path, reading_path_markdown
from assistant.ingest import ingest
from assistant.records import Passage
from assistant.retrieve import Retriever
from assistant.text import split_sentences
from assistant.themes import load_themes, theme_map
from conftest import ROOT

TOPIC = "Managing a power imbalance with a smaller partner"
CITED = re.compile(r"\s*\[(\d+)\]")


@pytest.fixture(scope="module")
def themes(real_answerer, real_settings):
    return theme_map(real_answerer.retriever, load_themes(real_settings.themes_file))


@pytest.fixture(scope="module")
def briefing(real_answerer, themes):
    return build_briefing(real_answerer, TOPIC, themes)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _claims(text: str) -> list[tuple[str, int]]:
    """(sentence, source number) for each cited piece of a section's Markdown."""
    found = []
    for block in text.split("\n\n"):
        block = re.sub(r"^\*\*.+?\*\*: ", "", block.strip())
        if not CITED.search(block):
            continue  # a lead line naming the case studies
        for piece, number in re.findall(r"(.+?)\s*\[(\d+)\]", block, re.DOTALL):
            found += [(s, int(number)) for s in split_sentences(_unescape(piece).strip().strip("“”"))]
    return found


def test_every_claim_in_a_briefing_is_cited_and_found_in_its_source(briefing):
    assert briefing.covered and briefing.sources
    sections = [briefing.summary, briefing.challenges, briefing.enablers] + briefing.lessons
    numbers = set()
    for section in sections:
        claims = _claims(section)
        assert claims, section
        for sentence, number in claims:
            numbers.add(number)
            assert " ".join(sentence.split()) in " ".join(briefing.sources[number - 1].passage.text.split()), sentence
    assert numbers == set(range(1, len(briefing.sources) + 1))  # every listed source is cited


def test_each_passage_is_quoted_in_one_section_and_its_sources_are_listed_under_that_section(briefing):
    parts = briefing_parts(briefing)
    cited = [[int(n) for n in dict.fromkeys(re.findall(r"(?<!\\)\[(\d+)\]", part.text))] for part in parts]
    assert sorted(n for numbers in cited for n in numbers) == list(range(1, len(briefing.sources) + 1))
    assert len({hit.passage.id for hit in briefing.sources}) == len(briefing.sources)
    markdown = briefing_markdown(briefing)
    for part, numbers in zip(parts, cited, strict=True):
        assert [c.number for c in part.citations] == numbers
        section = markdown.split(f"## {part.heading}\n", 1)[1].split("\n## ", 1)[0]
        for number in numbers:
            assert f"- \\[{number}\\] " in section  # under the claims, before the next heading


def test_a_source_quotes_the_sentence_cited_not_the_start_of_its_passage(briefing):
    opening_differs = 0
    for part in briefing_parts(briefing):
        claims = " ".join(_unescape(part.text).replace("• ", "").split())
        for citation in part.citations:
            quote = source_line(citation).split(": “", 1)[1].removesuffix("”").removesuffix(" …")
            assert quote in claims, quote
            opening_differs += not " ".join(citation.passage.text.split()).startswith(quote)
    assert opening_differs  # at least one cited sentence is not its passage's first


def test_a_quoted_source_line_has_our_quote_marks_not_two_pairs():
    quote = Passage(id="q", case_study="Supporting smaller charities (Shelter and SIFA Fireside)",
                    organisations=("Shelter", "SIFA Fireside"), section="overview", lesson=None, kind="quote",
                    text="'Shelter’s development team helped us. They looked over the tender.'", source="s.md",
                    position=0, content_hash="q")
    line = source_line(Citation(2, quote, (quote.text,)))
    assert line.endswith(": “Shelter’s development team helped us. …”")


def test_every_source_resolves_to_corpus_text(briefing):
    corpus = " ".join(" ".join(p.read_text().split()) for p in (ROOT / "corpus").glob("*.md"))
    for hit in briefing.sources:
        for line in hit.passage.text.split("\n"):  # a list passage: its lead-in and each item
            assert " ".join(line.removeprefix("• ").split()) in corpus


def test_a_briefing_has_board_questions_gaps_and_scope(briefing):
    markdown = briefing_markdown(briefing)
    for heading in ["# Board briefing:", "## Summary", "## What the case studies show", "## Challenges others met",
                    "## What enabled them", "## Questions for the board", "## What these case studies do not tell you",
                    "Sources:"]:
        assert heading in markdown
    assert "What power do we hold in this partnership" in markdown  # from content/themes.yaml, not invented
    assert "quotes only the assistant's 8 case studies, published in 2021" in markdown  # read from the corpus


def test_a_theme_covered_only_in_passing_is_said_so_in_words_a_board_reads(real_answerer, themes, monkeypatch):
    """Not "strongest match 0.42": a similarity score means nothing to trustees."""
    monkeypatch.setattr(brief, "WEAK_COVERAGE", 1.01)  # every theme the topic touches counts as weakly covered
    gaps = build_briefing(real_answerer, TOPIC, themes).gaps
    passing = [g for g in gaps if "only in passing" in g]
    assert passing and not any(re.search(r"\d\.\d", g) for g in passing)


def test_an_uncovered_topic_gives_a_short_briefing_that_says_so(real_answerer, themes):
    briefing = build_briefing(real_answerer, "Choosing payroll software for a small charity", themes)
    markdown = briefing_markdown(briefing)
    assert not briefing.covered and not briefing.sources and not briefing.board_questions
    assert "do not cover this topic, and this briefing does not go beyond them" in markdown
    assert "## Questions for the board" not in markdown
    assert not re.search(r"\bI\b|won't guess|[Tt]ry asking", markdown)  # a board paper's voice, not the chat's
    assert len(markdown.split()) < 150


def test_the_word_document_has_headings_citations_and_a_source_list(briefing):
    document = docx.Document(io.BytesIO(briefing_docx(briefing)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert headings == [f"Board briefing: {TOPIC}", "Summary", "What the case studies show", "Challenges others met",
                        "What enabled them", "Questions for the board", "What these case studies do not tell you"]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "[1]" in body and "**" not in body and "\\" not in body
    sources = [p.text for p in document.paragraphs if re.match(r"\[\d+\] ", p.text)]
    assert len(sources) == len(briefing.sources)
    assert sources[0].startswith(f"[1] {briefing.sources[0].passage.case_study}")
    before_lessons = body.split("\nWhat the case studies show\n")[0]
    assert sources[0] in before_lessons  # the summary's sources sit under the summary


def test_brief_cli_writes_word_and_markdown(real_settings, tmp_path: Path):
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(real_settings.index_dir)}
    for name in ("briefing.docx", "briefing.md"):
        result = subprocess.run([sys.executable, "-m", "assistant", "brief", TOPIC, "--out", str(tmp_path / name)],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    assert docx.Document(str(tmp_path / "briefing.docx")).paragraphs[0].text == f"Board briefing: {TOPIC}"
    assert (tmp_path / "briefing.md").read_text().startswith(f"# Board briefing: {TOPIC}")


def test_the_themes_map_is_every_theme_by_every_case_study_and_deterministic(real_answerer, real_settings, themes):
    assert len(themes.themes) == 10 and len(themes.cases) == 8
    assert [len(row) for row in themes.scores] == [8] * 10
    assert all(0 <= s <= 1 for row in themes.scores for s in row)
    again = theme_map(real_answerer.retriever, load_themes(real_settings.themes_file))
    assert again.scores == themes.scores
    assert themes.score("Commissioning and tendering", next(c.title for c in themes.cases if "POhWER" in c.title)) > 0.45


def test_an_added_case_study_joins_the_map(settings, corpus, fake_embedder):
    (corpus / "09-our-food-partnership.md").write_text(
        "---\ntitle: Sharing a warehouse to feed families (Big Food Charity and Local Pantry)\norganisations:\n"
        "  - Big Food Charity\n  - Local Pantry\n---\n\nBig Food Charity shared its warehouse with Local Pantry.\n\n"
        "## Learning\n\n1. Share power and space early.\n2. Agree funding in writing.\n3. Trust takes time.\n")
    ingest(settings, embedder=fake_embedder)
    mapped = theme_map(Retriever.open(settings, embedder=fake_embedder), load_themes(settings.themes_file))
    assert len(mapped.cases) == 9 and mapped.cases[-1].short_title == "Big Food Charity and Local Pantry"
    assert [len(row) for row in mapped.scores] == [9] * 10


def test_a_guide_for_every_case_study(real_answerer, themes):
    for case in themes.cases:
        guide = build_guide(real_answerer.retriever, case, themes)
        markdown = guide_markdown(guide)
        assert [p.lesson for p in guide.lessons] == [1, 2, 3]
        assert guide.summary and guide.challenges and guide.enablers and guide.reflection_questions
        for heading in ["## At a glance", "## Challenges", "## Enablers", "## Learning", "## Questions to reflect on"]:
            assert heading in markdown
    cyn = build_guide(real_answerer.retriever, themes.cases[0], themes)
    assert any("£7.4m" in s for s, _ in cyn.figures) and any("8-25" in s for s, _ in cyn.figures)


def test_each_sentence_at_a_glance_cites_the_passage_it_comes_from(real_answerer, themes):
    for case in themes.cases:
        glance = guide_parts(build_guide(real_answerer.retriever, case, themes))[0]
        assert glance.heading == "At a glance"
        cited = re.findall(r"^- (.+) \[(\d+)\]$", glance.text, re.MULTILINE)
        assert cited and [c.number for c in glance.citations] == list(range(1, len(glance.citations) + 1))
        for sentence, number in cited:
            passage = glance.citations[int(number) - 1].passage
            assert passage.case_study == case.title and _unescape(sentence) in passage.text
    markdown = guide_markdown(build_guide(real_answerer.retriever, themes.cases[0], themes))
    assert "## At a glance" in markdown.split("Sources:")[0] and "\\[1\\] " in markdown


def test_the_reading_path_covers_every_case_study_once(themes):
    path = reading_path(themes)
    assert sorted(c.title for c, _ in path) == sorted(c.title for c in themes.cases)
    assert reading_path_markdown(themes).count("read it for") == 8


def test_control_characters_in_a_topic_or_passage_do_not_break_the_word_file(real_answerer, themes):
    briefing = build_briefing(real_answerer, "power\x0bimbalance\x00 with a smaller partner", themes)
    briefing = replace(briefing, topic="power\x0bimbalance\x00", summary=briefing.summary + " a\x0cb")
    document = docx.Document(io.BytesIO(briefing_docx(briefing)))
    assert document.paragraphs[0].text == "Board briefing: powerimbalance"


def test_the_word_document_is_a4_and_says_who_made_it_when_and_from_what(briefing):
    from datetime import datetime, timezone

    made = datetime(2026, 11, 26, 9, 30, tzinfo=timezone.utc)
    document = docx.Document(io.BytesIO(briefing_docx(briefing, now=made)))
    properties = document.core_properties
    assert properties.title == f"Board briefing: {TOPIC}"
    assert properties.author == "Case-study lessons assistant" and properties.created == made
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    origin = document.paragraphs[1].text
    assert origin.startswith("Prepared on 26 November 2026 by the case-study lessons assistant, from ")
    assert all(hit.passage.case_study in origin for hit in briefing.sources)
