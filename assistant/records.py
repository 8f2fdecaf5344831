"""The plain records that walk through the pipeline: Document → Passage → Hit → Answer.

Defined once, shared by every stage; vendor types (Chroma's dicts, LangChain documents)
are converted into these at the module that talks to the vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

OVERVIEW = "overview"


@dataclass(frozen=True)
class Document:
    """One corpus file as text, before its structure is understood."""

    path: str  # relative to the corpus folder, with forward slashes
    title: str
    organisations: tuple[str, ...]
    text: str
    published: str = ""  # front matter's `published`, e.g. "2021-02"
    layout: str = "markdown"  # "markdown" (headings) or "plain" (seed-style lines)
    kind: str = ""  # front matter's `kind`; "preface" marks text about the collection, not a case study


@dataclass(frozen=True)
class Passage:
    """A piece of a case study a person would cite: a paragraph, quote, list or lesson."""

    id: str
    case_study: str  # the title line, e.g. "Collaborating to ... (POhWER and Advocacy Matters)"
    organisations: tuple[str, ...]
    section: str  # "overview", "Challenges", "Enablers", "Learning" or a document's own heading
    lesson: int | None  # 1, 2, 3 within Learning; None elsewhere
    kind: str  # "paragraph", "quote", "list" or "lesson"
    text: str
    source: str  # corpus file, relative path
    position: int  # order within the file
    content_hash: str
    attribution: str | None = None  # who said a quote, e.g. "SIFA"
    published: str = ""  # its document's `published`, e.g. "2021-02"

    @property
    def label(self) -> str:
        """How a citation names this passage: "POhWER and Advocacy Matters, Learning 2"."""
        where = f"{self.section} {self.lesson}" if self.lesson else self.section
        return f"{self.short_title}, {where}"

    @property
    def indexed_text(self) -> str:
        """What is embedded and keyword-indexed: the text with its case study and section,
        so "what did Touchstone learn" finds Touchstone's Learning even if the lesson never
        names Touchstone."""
        return f"{self.short_title}. {self.case_study}. {self.section}: {self.text}"

    @property
    def short_title(self) -> str:
        """The organisations in the title's brackets, or the whole title if it has none."""
        title = self.case_study.strip()
        if title.endswith(")") and "(" in title:
            return " ".join(title[title.rindex("(") + 1 : -1].split())
        return title


@dataclass(frozen=True)
class Filters:
    """Restrict a search: empty means no restriction."""

    case_studies: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """A passage as the store finds it: `similarity` is the cosine similarity of its embedding and
    the query's, `sentence_similarities` of each of its sentences' (vectors stored at ingest)."""

    passage: Passage
    similarity: float
    sentence_similarities: tuple[float, ...] = ()


@dataclass(frozen=True)
class Hit:
    """A retrieved passage and how well it matches; higher score is better.

    `score` ranks (fused dense + keyword, in 0..1); `similarity` is the cosine similarity of
    question and passage embeddings; `sentence_similarities`, of the question and each sentence
    of the passage (`parse.sentences_of`), from vectors stored at ingest.
    """

    passage: Passage
    score: float
    similarity: float = 0.0
    sentence_similarities: tuple[float, ...] = ()


@dataclass(frozen=True)
class Answer:
    """What the assistant says: text with [n] marks pointing into `sources` (1-based)."""

    question: str
    text: str
    sources: list[Hit]
    refused: bool = False  # true unless the case studies answer it ("closest" answers are cited, and refused)
    outcome: str = "answered"  # "answered", "closest" (not directly covered: the nearest passages) or "declined"
    mode: str = "offline"
    notice: str = ""  # a short note for the reader, e.g. why an LLM answer was replaced
    timings_ms: dict[str, float] = field(default_factory=dict)
    excerpts: list[tuple[str, ...]] = field(default_factory=list)  # per source: the text the answer quotes


class Embedder(Protocol):
    """What the pipeline asks of an embedding model: unit-length vectors, so a dot product is a
    cosine. `embed.PackagedEmbeddings` is the real one; tests have a bag-of-words fake."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...
