"""Generated archives for benchmarks: many organisations and branches, fictional names."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from schema.kinds import BranchKind, OrgKind
from schema.records import Branch, Org, Review
from store import layout
from store.archive import Archive, Change
from store.demo.names import person
from store.tomlio import render


def make_archive(path: Path, orgs: int = 60, branches: int = 3000, reviews: bool = True, seed: int = 1) -> Archive:
    """One commit with ``orgs`` organisations and ``branches`` branches (and their reviews)."""
    rng = random.Random(seed)
    archive = Archive.init(path, "基准测试大学", "基准")
    changes = []
    per_org = max(1, branches // orgs)
    n = 0
    for o in range(orgs):
        org_id = f"o{o:03d}"
        kind = OrgKind.DIRECT_BRANCH if o == orgs - 1 else OrgKind.COMMITTEE
        changes.append(Change(layout.org_path(org_id), render(Org(id=org_id, name=f"第{o + 1}学院党委", kind=kind, order=o)).encode(), None))
        count = per_org if o < orgs - 1 else branches - n
        for i in range(count):
            n += 1
            b = Branch(
                id=f"b{n:05d}", org=org_id, name=f"第{o + 1}学院第{i + 1}党支部", kind=rng.choice(list(BranchKind)),
                founded=date(rng.randint(2000, 2020), rng.randint(1, 12), rng.randint(1, 28)), secretary=person(rng),
                members=rng.randint(5, 60), code=f"44{n:08d}",
            )
            changes.append(Change(layout.branch_path(org_id, b.id), render(b).encode(), None))
            if reviews:
                r = Review(branch=b.id, org=org_id, year=2020)
                changes.append(Change(layout.review_path(org_id, 2020, b.id), render(r).encode(), None))
    archive.commit(changes, f"生成基准档案：{orgs} 个二级党组织，{branches} 个党支部")
    return archive
