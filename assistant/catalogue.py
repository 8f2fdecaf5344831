"""Which case studies the index holds, and how a question names one.

"What did Touchstone learn ..." names "Delivering mental health services ... (Touchstone and
Live Well Leeds)"; so do "live well leeds", "touchstone", and "Leeds" written as a name. A name
that is also an everyday English word ("WATCH", "Shelter") names its case study only when it is
written as the name is: "what should we watch out for?" is not about the WATCH peer group. The catalogue is
built from the passages at ingest and saved beside the index, so it covers case studies that
organisations add, not only the eight.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence, TypeVar

from .records import Passage
from .text import STOPWORDS, initialisms, is_everyday_word, place_countries, place_names_in, terms, tidy_title

_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9]{1,7})\)")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
HOME_COUNTRY_SHARE = 0.5  # of the places named in the corpus's main country, for another country's to count
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+)\W*$")  # what precedes a sentence's first word
# a name this long, typed one letter off ("powher", "touchstones"), still names its case study: over every labelled
# question (3,000), the only words it matched were such typos; at 4 letters one edit turns names into other words
MIN_MISSPELT = 5


class _HasTitle(Protocol):
    @property
    def title(self) -> str: ...


Titled = TypeVar("Titled", bound=_HasTitle)


def matching(name: str, cases: Sequence[Titled]) -> list[Titled]:
    """The case studies whose title holds `name` as whole words: "Touchstone", or a title as its file spells it
    ("... (P3 and Cohort 4 )"); not "Live" for "deliver", nor a blank name for all of them."""
    wanted = tidy_title(name).lower()
    whole = re.compile(rf"(?<!\w){re.escape(wanted)}(?!\w)")
    return [case for case in cases if wanted and whole.search(case.title.lower())]


@dataclass(frozen=True)
class CaseStudy:
    title: str  # the title line, as cited
    short_title: str  # the organisations in its brackets
    organisations: tuple[str, ...]
    aliases: tuple[str, ...]  # phrases that name it: organisations, acronyms it defines
    names: tuple[str, ...]  # single words of its names that no other case study uses
    source: str
    published: str  # e.g. "2021-02"; "" if its file doesn't say
    # its one-word aliases (as squashed) and names that are everyday English words, so named only as
    # written ("Shelter", "WATCH"): judged once, at ingest, so opening an index needs no word lists
    everyday: tuple[str, ...]  # no default: a catalogue saved without it is built again


def _one_letter_out(word: str) -> set[str]:
    """The word and each way of dropping one letter from it: two words one edit apart (a letter added,
    dropped, changed, or two swapped) share one of these (so do a few two edits apart: "abcde", "bcdef")."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", _squash(text))


def _squash(text: str) -> str:
    """Lower case, single spaces, "Cohort4" == "Cohort 4"."""
    text = re.sub(r"(?<=[a-z])\s+(?=\d)", "", text.lower())
    return " ".join(re.sub(r"[’'`]", "'", text).split())


def _places_named(grouped: dict[str, list[Passage]]) -> dict[str, set[str]]:
    """The places each case study's text names, in the countries the corpus is about (those it names
    the most places of): in a corpus about England, "West" (a region of Cameroon) is not a place."""
    found = {title: set(place_names_in(" ".join(p.text for p in group))) for title, group in grouped.items()}
    per_country: dict[str, set[str]] = {}
    for place in set().union(*found.values()):
        for country in place_countries(place):
            per_country.setdefault(country, set()).add(place)
    most = max(map(len, per_country.values()), default=0)
    home = {country for country, places in per_country.items() if len(places) >= HOME_COUNTRY_SHARE * most}
    return {title: {place for place in places if place_countries(place) & home} for title, places in found.items()}


class Catalogue:
    def __init__(self, cases: list[CaseStudy]):
        self.cases = cases
        self._by_title = {case.title: case for case in cases}
        self._by_alias: dict[tuple[str, ...], set[str]] = {}
        self._by_name: dict[str, set[str]] = {}  # single words, as written: "Leeds", "WATCH"
        for case in cases:
            for alias in case.aliases:
                words = _words(alias)
                if len(words) == 1 and words[0] in case.everyday:
                    self._by_name.setdefault(alias, set()).add(case.title)
                elif len(alias) > 1:
                    self._by_alias.setdefault(tuple(words), set()).add(case.title)
            for name in case.names:
                if name in case.everyday:
                    self._by_name.setdefault(name, set()).add(case.title)
                else:  # "pohwer", "sifa", "vawg": no English word, so a name however it is typed
                    self._by_alias.setdefault((name.lower(),), set()).add(case.title)
        self._longest = max((len(key) for key in self._by_alias), default=0)
        self._by_misspelling: dict[str, set[str]] = {}  # one-word names no English word, a letter dropped
        for key, titles in self._by_alias.items():
            if len(key) == 1 and len(key[0]) >= MIN_MISSPELT and key[0].isalpha():
                for variant in _one_letter_out(key[0]):
                    self._by_misspelling.setdefault(variant, set()).update(titles)

    @property
    def case_studies(self) -> list[CaseStudy]:
        """The case studies proper, in corpus order: not a preface."""
        return sorted((c for c in self.cases if c.organisations), key=lambda c: c.source)

    def description(self) -> str:
        """What the corpus holds, in its own terms: "8 case studies, published in 2021"."""
        cases = self.case_studies
        years = sorted({c.published[:4] for c in cases if c.published[:4].isdigit()})
        when = f", published in {years[0]}" if len(years) == 1 else f", published {years[0]}–{years[-1]}" if years else ""
        return f"{len(cases)} case stud{'y' if len(cases) == 1 else 'ies'}{when}"

    def get(self, title: str) -> CaseStudy | None:
        return self._by_title.get(title)

    @classmethod
    def build(cls, passages: list[Passage]) -> "Catalogue":
        grouped: dict[str, list[Passage]] = {}
        for passage in passages:
            grouped.setdefault(passage.case_study, []).append(passage)
        aliases_of: dict[str, set[str]] = {}
        places_of = _places_named(grouped)
        for title, group in grouped.items():
            first = group[0]
            aliases: set[str] = set()
            if first.organisations:  # a document with no organisations (a preface) is not named by words
                aliases = set(first.organisations) | {first.short_title}
                aliases |= set(_ACRONYM.findall(" ".join(p.text for p in group if p.section == first.section)))
                # "SMHA", "LWL": the initials of a name of three words or more, as people abbreviate it
                aliases |= {i.upper() for a in list(aliases) for i in initialisms(a) if len(i) == len(a.split())}
                # "Bristol", "the North East": a place only its text names says which case study is meant
                aliases |= {place for place in places_of[title]
                            if not any(place in places for other, places in places_of.items() if other != title)}
            aliases_of[title] = aliases
        # which case studies use each word of any alias: a name is distinctive if only its own does
        candidates = {w.lower() for aliases in aliases_of.values() for a in aliases for w in _TOKEN.findall(a)}
        owners: dict[str, set[str]] = {}
        for title, group in grouped.items():
            for word in candidates.intersection(_words(title + " " + " ".join(p.text for p in group))):
                owners.setdefault(word, set()).add(title)
        # a place the corpus never writes in lower case is a name however a question writes it: "somerset"
        lower_case = {w for p in passages for w in _TOKEN.findall(p.text) if w.islower()}
        home = {country for found in places_of.values() for place in found for country in place_countries(place)}
        places = {w.lower() for w in candidates | {w for found in places_of.values() for w in found}
                  if place_countries(w.title()) & home} - lower_case
        cases = []
        for title, group in grouped.items():
            first, aliases = group[0], aliases_of[title]
            words = {w for alias in aliases for w in _TOKEN.findall(alias)}
            names = sorted(w for w in words if w.lower() not in STOPWORDS and len(w) > 2
                           and owners.get(w.lower(), set()) <= {title})
            words_of_aliases = [w[0] for w in map(_words, aliases) if len(w) == 1]
            everyday = tuple(sorted({w for w in words_of_aliases + names if is_everyday_word(w) and w.lower() not in places}))
            cases.append(CaseStudy(title, first.short_title, first.organisations, tuple(sorted(aliases)),
                                   tuple(names), first.source, first.published, everyday))
        return cls(cases)

    def named_in(self, text: str) -> list[str]:
        """Titles of the case studies a text names, in the order of the catalogue.

        By alias in any case ("live well leeds", "Cohort4"), or by a distinctive word: one that is
        no English word ("sifa", "pohwer") in any case, and typed one letter off ("powher",
        "touchstones") when the typo is no English word either ("power" is); an everyday one only as
        the name is written and not where any word is capitalised, at the start of a sentence ("Leeds",
        "WATCH"; not "leeds", "Watch out: ..."). Looked up by word n-grams, so it costs the same for
        eight case studies or ten thousand."""
        words = _words(text)
        found: set[str] = set()
        for size in range(1, self._longest + 1):
            for start in range(len(words) - size + 1):
                found.update(self._by_alias.get(tuple(words[start : start + size]), ()))
        for word in words:
            if len(word) >= MIN_MISSPELT and (word,) not in self._by_alias:
                near = set().union(*(self._by_misspelling.get(variant, ()) for variant in _one_letter_out(word)))
                if near and not is_everyday_word(word):  # the word list only for the rare word near a name
                    found |= near
        for match in _TOKEN.finditer(text):
            if not _SENTENCE_START.search(text[: match.start()]):
                found.update(self._by_name.get(match.group(), ()))
        return [case.title for case in self.cases if case.title in found]

    def name_terms(self, titles: list[str]) -> set[str]:
        """Search terms of these case studies' names: in a question about one of them they say
        which case, not what about it."""
        words = [" ".join(case.aliases + case.organisations) for case in self.cases if case.title in titles]
        return set(terms(" ".join(words)))

    def save(self, path: Path, fingerprint: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"fingerprint": fingerprint, "cases": [asdict(c) for c in self.cases]}), encoding="utf-8")
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path, fingerprint: str) -> "Catalogue | None":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("fingerprint") != fingerprint:
                return None
            fields: list[dict[str, Any]] = [{k: tuple(v) if isinstance(v, list) else v for k, v in c.items()}
                                            for c in data["cases"]]
            return cls([CaseStudy(**row) for row in fields])
        except (OSError, ValueError, KeyError, TypeError):
            return None
