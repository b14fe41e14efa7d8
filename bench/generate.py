"""Generated archives for benchmarks: many organisations and branches, fictional names."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

from schema.kinds import BranchKind, OrgKind
from schema.records import Branch, Org, Review
from store import layout
from store.archive import Archive, Change
from store.demo.names import person
from store.tomlio import render

OUT = Path(__file__).resolve().parent / "out"


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


OPERATORS = ["组织部 王老师", "化学学院 李老师", "医学院 赵老师", "机关党工委 陈老师"]


def add_history(archive: Archive, commits: int, seed: int = 2) -> None:
    """Append ``commits`` one-record commits (branch edits by several operators) to HEAD.

    Written with ``git fast-import``: twenty thousand commits take seconds, not the
    minutes that twenty thousand ``git commit`` runs would.
    """
    rng = random.Random(seed)
    root = archive.root
    paths = sorted(p.relative_to(root).as_posix() for p in root.glob("orgs/*/branches/*.toml"))
    text = {p: (root / p).read_bytes() for p in paths}
    old_head = archive.head()
    start = int(time.time()) - commits * 60
    stream = bytearray()
    for n in range(commits):
        path = rng.choice(paths)
        members = rng.randint(5, 80)
        data = re.sub(rb"(?m)^members = \d+", b"members = %d" % members, text[path], count=1)
        text[path] = data
        who = OPERATORS[n % len(OPERATORS)]
        message = f"修改党支部：{path.rsplit('/', 1)[1][:-5]}（党员人数 → {members}）\n\nOperator: {who}\nRecord: {path}\n".encode()
        ident = f"{who} <bench@example.org> {start + n * 60} +0800".encode()
        stream += b"commit refs/heads/main\nauthor %s\ncommitter %s\ndata %d\n%s\n" % (ident, ident, len(message), message)
        if n == 0:
            stream += b"from %s\n" % old_head.encode()
        stream += b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    # bring the index and the files up to the new HEAD (only the edited files change)
    subprocess.run(["git", "read-tree", "-u", "-m", old_head, "HEAD"], cwd=root, check=True)


def cached_archive(branches: int, commits: int) -> Path:
    """A generated archive with ``commits`` commits on top of the roster, kept under bench/out/."""
    folder = OUT / f"archive-{branches}-{commits}"
    ready = folder / ".git" / "shuping-bench-ready"
    if not ready.exists():
        if folder.exists():
            shutil.rmtree(folder)
        archive = make_archive(folder, branches=branches)
        add_history(archive, commits)
        ready.write_text("")
    return folder


def fresh_copy(folder: Path, name: str) -> Path:
    """A throw-away copy of a cached archive to write into."""
    target = OUT / "run" / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(folder, target, symlinks=True)
    (target / ".git" / "shuping-bench-ready").unlink()
    return target


if __name__ == "__main__":
    import sys

    started = time.perf_counter()
    path = cached_archive(int(sys.argv[1]) if len(sys.argv) > 1 else 3000, int(sys.argv[2]) if len(sys.argv) > 2 else 20000)
    print(f"{path} ready in {time.perf_counter() - started:.1f} s")
