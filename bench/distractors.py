"""Realistic distractor corpora: case-study-shaped documents made by recombining and
perturbing sentences of the real corpus under invented organisation names.

Deterministic from a seed. Each document has front matter, an overview, Challenges, Enablers
and three numbered lessons (nine passages), and never names a real organisation.

    python bench/distractors.py --passages 10000 --out /tmp/distractors
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

PLACES = ["Northfield", "Riverside", "Ashford", "Kingsmere", "Westbrook", "Hollin", "Greyfriars", "Marlow Vale",
          "Eastgate", "Brackley", "Oakdene", "Saltmarsh", "Highcross", "Fenwick", "Longridge", "Millbank"]
KINDS = ["Community Trust", "Advice Network", "Youth Project", "Housing Association", "Women's Centre",
         "Mental Health Forum", "Carers Alliance", "Food Partnership", "Refugee Welcome", "Recovery Service",
         "Family Support", "Disability Rights Group", "Older People's Forum", "Arts Collective"]
ACTIVITIES = ["Sharing premises to run a community hub", "Bidding together for a wellbeing contract",
              "Building a referral network for families", "Co-designing an advice service with residents",
              "Supporting grassroots groups to deliver outreach", "Running a joint training programme",
              "Pooling resources to reach isolated people", "Creating a peer-led recovery service"]
SWAP = 0.3


def _pools(corpus: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Sentences of the real corpus by section, and the real organisation names to hide."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from assistant.catalogue import Catalogue
    from assistant.parse import parse
    from assistant.read import read_corpus
    from assistant.text import split_sentences

    passages = [p for d in read_corpus(corpus)[0] for p in parse(d) if p.organisations]
    pools: dict[str, list[str]] = {"overview": [], "Challenges": [], "Enablers": [], "lesson": []}
    for p in passages:
        if p.kind == "lesson":
            pools["lesson"].append(p.text)
        elif p.kind in ("paragraph", "list") and p.section in pools:
            pools[p.section] += split_sentences(p.text.split("\n")[0])
    names = {a for c in Catalogue.build(passages).cases for a in c.aliases}
    names |= {"Rethink Mental Illness", "Rethink", "Mind", "Shelter", "SIFA", "Cohort4", "Powher", "Spark",
              "Women’s Resource Centre", "City Bridge Trust", "IVAR", "Bristol", "Leeds", "Somerset", "Birmingham"}
    return pools, sorted(names, key=len, reverse=True)


class _Rewriter:
    """Another organisation's version of a real sentence: the real names replaced by its own,
    numbers changed, and a share (`swap`) of the content words exchanged for other words used
    in the same section. A distractor is on the same themes, in the same vocabulary, without
    repeating the real corpus word for word; `swap=0` keeps the sentences verbatim."""

    def __init__(self, pools: dict[str, list[str]], names: list[str], swap: float, randomly: random.Random):
        self.names, self.swap, self.randomly = names, swap, randomly
        self.vocabulary = {pool: sorted({w for s in sentences for w in _CONTENT_WORD.findall(s)})
                           for pool, sentences in pools.items()}

    def __call__(self, sentence: str, pool: str, organisation: str) -> str:
        for name in self.names:
            sentence = re.sub(rf"\b{re.escape(name)}\b", organisation, sentence)
        if not self.swap:
            return sentence
        sentence = re.sub(r"\d+", lambda m: str(self.randomly.randint(2, 12 * int(m.group()) + 20)), sentence)
        return _CONTENT_WORD.sub(lambda m: self.randomly.choice(self.vocabulary[pool])
                                 if self.randomly.random() < self.swap else m.group(), sentence)


_CONTENT_WORD = re.compile(r"\b[a-z][a-z-]{3,}\b")  # lower case: the names are the organisation's own


def write_distractors(corpus: Path, out: Path, passages: int, seed: int = 20210201, swap: float = SWAP) -> int:
    """Writes about `passages` passages as Markdown files in `out`; returns the file count."""
    randomly = random.Random(seed)
    pools, names = _pools(corpus)
    rewrite = _Rewriter(pools, names, swap, randomly)
    out.mkdir(parents=True, exist_ok=True)
    documents = max(1, round(passages / 9))  # nine passages a document
    for n in range(documents):
        lead = f"{randomly.choice(PLACES)} {randomly.choice(KINDS)}"
        small = f"{randomly.choice(PLACES)} {randomly.choice(KINDS)}"
        title = f"{randomly.choice(ACTIVITIES)} ({lead} and {small})"

        def paragraph(pool: str, sentences: int = 3, names: tuple[str, str] = (lead, small)) -> str:
            picked = randomly.sample(pools[pool], sentences)
            return " ".join(rewrite(s, pool, randomly.choice(names)) for s in picked)

        lessons = [rewrite(s, "lesson", lead) for s in randomly.sample(pools["lesson"], 3)]
        text = "\n\n".join([
            f'---\ntitle: "{title}"\norganisations:\n  - "{lead}"\n  - "{small}"\nsource: generated\n---',
            paragraph("overview"), paragraph("overview"),
            "## Challenges", paragraph("Challenges"), paragraph("Challenges"),
            "## Enablers", paragraph("Enablers"), paragraph("Enablers"),
            "## Learning", "\n".join(f"{i}. {lesson}" for i, lesson in enumerate(lessons, 1)),
        ])
        (out / f"distractor-{n:06d}.md").write_text(text + "\n", encoding="utf-8")
    return documents


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20210201)
    parser.add_argument("--swap", type=float, default=SWAP, help="share of content words exchanged (0: verbatim)")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    print(write_distractors(root / "corpus", args.out, args.passages, args.seed, args.swap), "files written")
