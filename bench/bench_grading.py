"""Grading figures on a generated archive (60 organisations, 3000 branches).

    .venv/bin/python bench/bench_grading.py

Each figure is printed next to a baseline measured in the same run, with the ratio and the target.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import make_archive  # noqa: E402
from schema.grading import Entry, composite, suggest  # noqa: E402
from schema.kinds import Grade  # noqa: E402
from schema.records import Components, GradeDecision, Tally  # noqa: E402
from store.grading import GradeSet, save_grades  # noqa: E402
from store.snapshot import load  # noqa: E402


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, value: float, baseline_name: str, baseline: float, target: str) -> None:
    print(f"{name:<44} {value * 1000:9.1f} ms   baseline {baseline_name:<34} {baseline * 1000:8.1f} ms"
          f"   ratio {value / baseline:6.1f}   target {target}")


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        archive = make_archive(Path(tmp) / "a", orgs=60, branches=3000)
        snap = load(archive)
        campaign = snap.campaign
        by_org: dict[str, list] = {}
        for stored in snap.reviews.values():
            r = stored.record.model_copy(update={
                "tally": Tally(counts={"好": 20}, valid=20, score=rng.uniform(55, 99)),
                "components": Components(report=rng.randint(60, 99), daily=rng.randint(60, 99), inspection=rng.randint(60, 99)),
            })
            by_org.setdefault(r.org, []).append((stored, r))

        entries = {org: [Entry.of(r) for _, r in rows] for org, rows in by_org.items()}

        def all_suggestions():
            for org, es in entries.items():
                suggest(es, campaign.grading, campaign.quota)

        def composites_sorted():
            for es in entries.values():
                sorted(composite(e.inputs, campaign.grading.weights) for e in es)

        report("suggest(): 60 orgs, 3000 branches", best(all_suggestions),
               "composite + sort only", best(composites_sorted), "< 200 ms")

        org = max(by_org, key=lambda o: len(by_org[o]))
        rows = by_org[org]
        names = {r.branch: snap.branches[r.branch].record.name for _, r in rows}
        order = suggest([Entry.of(r) for _, r in rows], campaign.grading, campaign.quota)
        graded = {s.branch: s.suggested for s in order}
        rows = [(s, r.model_copy(update={"grade": GradeDecision(suggested=graded[r.branch], final=graded[r.branch])}))
                for s, r in rows]
        grade_set = GradeSet(snap.orgs[org].record, snap.year, rows, names)

        start = time.perf_counter()
        save_grades(archive, grade_set, campaign)
        save_set = time.perf_counter() - start

        stored = load(archive).reviews[rows[0][1].branch]
        start = time.perf_counter()
        archive.save(stored, stored.record.model_copy(update={"grade": GradeDecision(final=Grade.POOR)}), "基准：单条")
        one = time.perf_counter() - start
        report(f"save_grades(): one org, {len(rows)} reviews, 1 commit", save_set,
               "Archive.save of one review", one, "< 1000 ms")


if __name__ == "__main__":
    main()
