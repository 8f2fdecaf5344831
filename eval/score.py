"""Score the project's answers on a question set, independently of the project's own metrics.

Input: the question file (id, kind, gold_cases, must_include) and the project's results file,
one JSON object per line: {"id", "answer", "refused", "sources": [{"case_study", "section", ...}]}.
Prints one line of figures and exits 1 when a threshold given on the command line is missed.
Usage: python score.py QUESTIONS.jsonl RESULTS.jsonl [--k 5] [--min key=value ...]
"""
import argparse
import json
import re
import sys

ap = argparse.ArgumentParser()
ap.add_argument("questions"); ap.add_argument("results")
ap.add_argument("--k", type=int, default=5)
ap.add_argument("--split", help="score only the questions whose split field equals this (tune or check)")
ap.add_argument("--min", nargs="*", default=[], help="metric=threshold, e.g. hit=0.95")
a = ap.parse_args()
qs = {json.loads(l)["id"]: json.loads(l) for l in open(a.questions) if l.strip()}
if a.split:
    qs = {k: q for k, q in qs.items() if q.get("split") == a.split}
res = {}
for l in open(a.results):
    if l.strip():
        r = json.loads(l); res[r["id"]] = r

def title(s):
    return " ".join(str(s.get(f, "")) for f in ("case_study", "title", "organisations", "source"))

m = dict(hit=0, recall=0, facts=0, refuse_ok=0, false_refusal=0, cited=0, bad_cite=0)
n = nf = nr = 0; missing = []; fails = []
for qid, q in qs.items():
    r = res.get(qid)
    if r is None:
        missing.append(qid); continue
    ans = r.get("answer") or ""
    refused = bool(r.get("refused"))
    srcs = r.get("sources") or []
    if q["kind"] == "refuse":
        nr += 1; m["refuse_ok"] += refused
        if not refused: fails.append(f"{qid}:not-refused")
        continue
    n += 1
    if refused:
        m["false_refusal"] += 1; fails.append(f"{qid}:false-refusal")
    top = [title(s).lower() for s in srcs[: a.k]]
    gold = q["gold_cases"]
    found = {g for g in gold if any(g.lower() in t for t in top)}
    m["hit"] += bool(found); m["recall"] += len(found) / min(len(gold), a.k)
    if not found: fails.append(f"{qid}:miss")
    if q["must_include"]:
        nf += 1
        ok = all(re.search(p, ans, re.I) for p in q["must_include"])
        m["facts"] += ok
        if not ok: fails.append(f"{qid}:facts")
    marks = [int(x) for x in re.findall(r"\[(\d+)\]", ans)]
    m["cited"] += bool(marks)
    m["bad_cite"] += any(x < 1 or x > len(srcs) for x in marks)

out = dict(hit=m["hit"] / max(n, 1), recall=m["recall"] / max(n, 1), facts=m["facts"] / max(nf, 1),
           refusal=m["refuse_ok"] / max(nr, 1), false_refusal=m["false_refusal"], cited=m["cited"] / max(n, 1),
           bad_cite=m["bad_cite"], missing=len(missing))
short = []
for spec in a.min:
    key, val = spec.split("=")
    if key in ("false_refusal", "bad_cite", "missing"):
        if out[key] > float(val): short.append(f"{key}={out[key]}>{val}")
    elif out[key] < float(val): short.append(f"{key}={out[key]:.3f}<{val}")
print("fails: " + " ".join(fails[:30]))
print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in out.items())
      + (" SHORT " + ",".join(short) if short else " OK"))
sys.exit(1 if short or missing else 0)
