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


def _pools(corpus: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Sentences of the real corpus by section, and the real organisation names to hide."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from assistant.catalogue import Catalogue
    from assistant.parse import parse, split_sentences
    from assistant.read import read_corpus

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


def _perturb(sentence: str, names: list[str], organisation: str) -> str:
    for name in names:
        sentence = re.sub(rf"\b{re.escape(name)}\b", organisation, sentence)
    return sentence


def write_distractors(corpus: Path, out: Path, passages: int, seed: int = 20210201) -> int:
    """Writes about `passages` passages as Markdown files in `out`; returns the file count."""
    randomly = random.Random(seed)
    pools, names = _pools(corpus)
    out.mkdir(parents=True, exist_ok=True)
    documents = max(1, round(passages / 9))  # nine passages a document
    for n in range(documents):
        lead = f"{randomly.choice(PLACES)} {randomly.choice(KINDS)}"
        small = f"{randomly.choice(PLACES)} {randomly.choice(KINDS)}"
        title = f"{randomly.choice(ACTIVITIES)} ({lead} and {small})"

        def paragraph(pool: str, sentences: int = 3) -> str:
            picked = randomly.sample(pools[pool], sentences)
            return " ".join(_perturb(s, names, randomly.choice([lead, small])) for s in picked)

        lessons = [_perturb(s, names, lead) for s in randomly.sample(pools["lesson"], 3)]
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
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    print(write_distractors(root / "corpus", args.out, args.passages, args.seed), "files written")
