"""The corpus keeps the seed's words, and the parser finds the report's structure."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
import yaml

from assistant.parse import organisations_from_title, parse
from assistant.read import read_corpus, read_file
from assistant.text import split_sentences
from conftest import DATA, ROOT

SEED = DATA / "seed-case-studies.txt"


def _plain(text: str) -> str:
    return " ".join(text.split())


def test_every_sentence_of_the_seed_is_in_the_corpus_unchanged():
    corpus_text = _plain(" ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.md"))))
    missing = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"^\s*(•|\d+\.)\s+", "", line).strip()  # list markers are layout, not words
        for sentence in split_sentences(line):
            if _plain(sentence) not in corpus_text:
                missing.append(sentence)
    assert missing == []


def test_corpus_files_carry_front_matter():
    files = sorted((ROOT / "corpus").glob("*.md"))
    assert len(files) == 9  # the preface and eight case studies
    for path in files:
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        assert meta["source"].startswith("https://publications.ncvo.org.uk/")
        assert str(meta["published"]) == "2021-02"
        assert meta["title"]
        assert isinstance(meta["organisations"], list)


@pytest.fixture(scope="module")
def seed_passages():
    return parse(read_file(SEED, "seed.txt"))


@pytest.fixture(scope="module")
def corpus_passages():
    documents, skipped = read_corpus(ROOT / "corpus")
    assert skipped == []
    return [p for d in documents for p in parse(d)]


@pytest.mark.parametrize("which", ["seed_passages", "corpus_passages"])
def test_eight_case_studies_with_three_numbered_lessons_each(which, request):
    passages = request.getfixturevalue(which)
    lessons: dict[str, list[int]] = {}
    for p in passages:
        if p.kind == "lesson":
            assert p.section == "Learning"
            lessons.setdefault(p.case_study, []).append(p.lesson)
    assert len(lessons) == 8
    assert all(numbers == [1, 2, 3] for numbers in lessons.values())
    assert {p.section for p in passages} == {"overview", "Challenges", "Enablers", "Learning"}


@pytest.mark.parametrize("which", ["seed_passages", "corpus_passages"])
def test_quotes_keep_their_attribution(which, request):
    quotes = {p.attribution for p in request.getfixturevalue(which) if p.kind == "quote"}
    assert {"P3", "Cohort 4", "SIFA", "Rethink Mental Illness", "Spark Somerset", "SWEDA", "Advocacy Matters"} <= quotes


def test_lists_keep_their_lead_in(corpus_passages):
    stage = next(p for p in corpus_passages if p.kind == "list" and "Basis Yorkshire" in p.text)
    assert stage.text.startswith("Changing Lives believes")
    assert stage.text.count("•") == 5


def test_seed_txt_and_corpus_markdown_give_the_same_passages(seed_passages, corpus_passages):
    case_passages = [p for p in seed_passages if p.organisations]
    assert [(p.section, p.lesson, p.kind, p.text) for p in case_passages] == [
        (p.section, p.lesson, p.kind, p.text) for p in corpus_passages if p.organisations
    ]


def test_organisations_come_from_the_title_line():
    assert organisations_from_title("Collaborating to tackle sexual exploitation (Changing Lives and the STAGE partnership)") == (
        "Changing Lives", "STAGE partnership")
    assert organisations_from_title("A title without organisations") == ()


def test_a_title_is_cited_without_the_report_s_stray_spaces(corpus_passages):
    """The report prints "(P3 and Cohort 4 )"; every citation, card and export shows the tidied title."""
    titles = {p.case_study for p in corpus_passages}
    assert "Funding a smaller organisation to deliver specialist housing support (P3 and Cohort 4)" in titles
    assert not any(re.search(r"\(\s|\s\)|\s\s", t) for t in titles)


def test_passage_ids_are_stable_and_distinct(corpus_passages):
    again = [p for d in read_corpus(ROOT / "corpus")[0] for p in parse(d)]
    assert [p.id for p in again] == [p.id for p in corpus_passages]
    assert len({p.id for p in corpus_passages}) == len(corpus_passages)


def test_headed_markdown_is_split_by_headings_and_titled_from_its_first_heading(tmp_path: Path):
    path = tmp_path / "our-report.md"
    path.write_text("# Our food bank partnership\n\nWe shared a warehouse.\n\n## Challenges\n\nVolunteers were scarce.\n\n"
                    "## Learning\n\n1. Share space early.\n2. Agree who pays.\n", encoding="utf-8")
    passages = parse(read_file(path, "our-report.md"))
    assert {p.case_study for p in passages} == {"Our food bank partnership"}
    assert [(p.section, p.lesson) for p in passages] == [("overview", None), ("Challenges", None),
                                                         ("Learning", 1), ("Learning", 2)]


def test_seed_layout_txt_gets_the_same_structure(tmp_path: Path):
    path = tmp_path / "new-case.txt"
    path.write_text("Sharing a building to run a community hub (Big Charity and Small Group)\n\n"
                    "'It changed how we work.' - Small Group\n\nBig Charity owns a building.\n\nChallenges\n\n"
                    "Costs were unclear.\n\nEnablers\n\nTrust.\n\nLearning\n\n"
                    "  1. Talk early.\n  2. Share costs.\n  3. Be patient.\n",
                    encoding="utf-8")
    passages = parse(read_file(path, "new-case.txt"))
    assert passages[0].organisations == ("Big Charity", "Small Group")
    assert passages[0].kind == "quote" and passages[0].attribution == "Small Group"
    assert [p.lesson for p in passages if p.section == "Learning"] == [1, 2, 3]


def test_docx_headings_and_numbered_lists_become_structure(tmp_path: Path):
    document = docx.Document()
    document.add_heading("Joint bid for advice services", level=1)
    document.add_paragraph("Two charities bid together for an advice contract.")
    document.add_heading("Learning", level=2)
    document.add_paragraph("Agree roles in writing.", style="List Number")
    document.add_paragraph("Meet every month.", style="List Number")
    document.save(tmp_path / "bid.docx")
    passages = parse(read_file(tmp_path / "bid.docx", "bid.docx"))
    assert passages[0].case_study == "Joint bid for advice services"
    assert [(p.section, p.lesson, p.text) for p in passages[1:]] == [
        ("Learning", 1, "Agree roles in writing."), ("Learning", 2, "Meet every month.")]


def make_pdf(path: Path, lines: list[str]) -> None:
    """A minimal one-page PDF with real text, written by hand (no PDF library needed)."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    path.write_bytes(out.encode("latin-1"))


def test_pdf_text_is_read_and_split_into_passages(tmp_path: Path):
    make_pdf(tmp_path / "evaluation-report.pdf", ["Partnership evaluation", "", "The partners met monthly."])
    document = read_file(tmp_path / "evaluation-report.pdf", "evaluation-report.pdf")
    assert document.title == "Evaluation report"
    passages = parse(document)
    assert "The partners met monthly." in " ".join(p.text for p in passages)
