"""Themes of the case studies, and how strongly each case study speaks to each theme.

The themes and their questions come from a curated, editable file (content/themes.yaml),
written from the report's own learning, never invented at run time. The map scores every
(theme, case study) cell by retrieval: the cosine similarity of the theme's query to the case
study's best passages, so a case study an organisation adds is scored like the eight.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .catalogue import CaseStudy
from .errors import AssistantError
from .records import Hit
from .retrieve import Retriever

CELL_PASSAGES = 3  # passages behind each cell, shown when it is chosen


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    query: str
    board_questions: tuple[str, ...]
    reflection_questions: tuple[str, ...]


def load_themes(path: Path) -> list[Theme]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return [Theme(t["name"], t["description"], t["query"], tuple(t.get("board_questions") or ()),
                      tuple(t.get("reflection_questions") or ())) for t in data["themes"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise AssistantError(f"cannot read the themes file {path} ({error.__class__.__name__}): "
                             "check it is YAML with a list `themes` of name, description, query") from error


@dataclass(frozen=True)
class ThemeMap:
    themes: list[Theme]
    cases: list[CaseStudy]
    scores: list[list[float]]  # [theme][case], cosine similarity of the best passage, 0..1 (unrelated: 0)
    cells: dict[tuple[str, str], list[Hit]]  # (theme name, case title) -> its best passages

    def score(self, theme: str, case_title: str) -> float:
        t = [x.name for x in self.themes].index(theme)
        return self.scores[t][[c.title for c in self.cases].index(case_title)]

    def strongest_themes(self, case_title: str, n: int = 3) -> list[Theme]:
        column = [c.title for c in self.cases].index(case_title)
        ranked = sorted(range(len(self.themes)), key=lambda t: -self.scores[t][column])
        return [self.themes[t] for t in ranked[:n]]


def theme_map(retriever: Retriever, themes: list[Theme]) -> ThemeMap:
    """Every theme against every case study with organisations (a preface is not a case study)."""
    cases = retriever.catalogue.case_studies
    scores, cells = [], {}
    for theme in themes:
        row = []
        for case in cases:
            hits = retriever.search(theme.query, k=CELL_PASSAGES, focus=[case.title])
            cells[(theme.name, case.title)] = hits
            row.append(round(max([0.0] + [h.similarity for h in hits]), 4))  # a cosine below 0: unrelated
        scores.append(row)
    return ThemeMap(themes, cases, scores, cells)


def reading_path(themes: ThemeMap) -> list[tuple[CaseStudy, Theme]]:
    """All case studies in an order a newcomer can follow: theme by theme, the case study that
    speaks to it most strongly among those not yet read."""
    path: list[tuple[CaseStudy, Theme]] = []
    unread = list(range(len(themes.cases)))
    for t, theme in enumerate(themes.themes * (1 + len(themes.cases) // max(len(themes.themes), 1))):
        if not unread:
            break
        row = themes.scores[t % len(themes.themes)]
        best = max(unread, key=lambda c: row[c])
        unread.remove(best)
        path.append((themes.cases[best], theme))
    return path
