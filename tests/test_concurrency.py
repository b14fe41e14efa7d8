"""Several operating-system processes writing one archive at the same moment.

Each writer is a real Python process running the real ``Archive`` code; a gate file
releases them together so their saves race for the archive lock.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from store.archive import Archive
from store.snapshot import load

# argv: archive, operator, gate file, record path, base version, new secretary
WRITER = r"""
import json, os, sys, time
from schema.records import Branch
from store.archive import Archive, Stored
from store.errors import ConflictError

root, operator, gate, path, base, secretary = sys.argv[1:]
archive = Archive.open(root, operator)
stored = archive.read(Branch, path)
stored = Stored(stored.record, path, base)  # the version the user read, maybe stale by now
print("ready", flush=True)
while not os.path.exists(gate):
    time.sleep(0.001)
try:
    saved = archive.save(stored, stored.record.model_copy(update={"secretary": secretary}), f"修改党支部：{secretary}")
    print(json.dumps({"saved": saved.version}))
except ConflictError as e:
    print(json.dumps({"conflict": e.who, "message": str(e)}))
"""


def start_writers(archive: Archive, tmp_path: Path, jobs: list[tuple[str, str, str, str]]) -> list[dict]:
    """Start one process per (operator, path, base, secretary), release them together, collect results."""
    gate = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(archive.root), operator, str(gate), path, base, secretary],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for operator, path, base, secretary in jobs
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    gate.write_text("")
    results = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    return results


def subjects(archive: Archive, n: int) -> list[str]:
    return archive.git.run("log", f"-{n}", "--format=%an|%s").splitlines()


def test_two_processes_saving_different_records_both_land(demo_archive: Archive, tmp_path: Path):
    snap = load(demo_archive)
    a, b = snap.branches["b0001"], snap.branches["b0002"]
    results = start_writers(demo_archive, tmp_path, [
        ("甲", a.path, a.version, "甲改的书记"),
        ("乙", b.path, b.version, "乙改的书记"),
    ])
    assert all("saved" in r for r in results), results
    assert sorted(subjects(demo_archive, 2)) == ["乙|修改党支部：乙改的书记", "甲|修改党支部：甲改的书记"]
    assert 'secretary = "甲改的书记"' in (demo_archive.root / a.path).read_text()
    assert 'secretary = "乙改的书记"' in (demo_archive.root / b.path).read_text()
    # each commit holds only its own record
    for who, path in (("甲", a.path), ("乙", b.path)):
        sha = demo_archive.git.run("log", "-1", f"--author={who}", "--format=%H")
        assert demo_archive.git.run("show", "--format=", "--name-only", sha) == path
    assert demo_archive.git.run("status", "--porcelain", "--ignored") == ""


def test_two_processes_saving_the_same_record_one_gets_a_conflict(demo_archive: Archive, tmp_path: Path):
    stored = load(demo_archive).branches["b0003"]
    head = demo_archive.head()
    results = start_writers(demo_archive, tmp_path, [
        ("甲", stored.path, stored.version, "甲的版本"),
        ("乙", stored.path, stored.version, "乙的版本"),
    ])
    by_operator = dict(zip(("甲", "乙"), results))
    winners = [who for who, r in by_operator.items() if "saved" in r]
    assert len(winners) == 1, results
    winner = winners[0]
    loser = "乙" if winner == "甲" else "甲"
    refused = by_operator[loser]
    assert refused["conflict"] == winner
    assert stored.path in refused["message"] and winner in refused["message"]
    # the winner's save is on disk and is the only new commit; nothing was overwritten
    assert f'secretary = "{winner}的版本"' in (demo_archive.root / stored.path).read_text()
    assert demo_archive.git.run("rev-list", "--count", f"{head}..HEAD") == "1"
    assert subjects(demo_archive, 1) == [f"{winner}|修改党支部：{winner}的版本"]
    assert demo_archive.git.run("status", "--porcelain", "--ignored") == ""


def test_many_processes_racing_all_land_in_order(demo_archive: Archive, tmp_path: Path):
    """Four writers on four records: four commits, linear history, every file as saved."""
    snap = load(demo_archive)
    ids = ["b0001", "b0002", "b0003", "b0004"]
    head = demo_archive.head()
    start = time.monotonic()
    results = start_writers(demo_archive, tmp_path, [
        (f"员{n}", snap.branches[i].path, snap.branches[i].version, f"书记{n}") for n, i in enumerate(ids)
    ])
    assert time.monotonic() - start < 30
    assert all("saved" in r for r in results), results
    assert demo_archive.git.run("rev-list", "--count", "--merges", f"{head}..HEAD") == "0"
    assert demo_archive.git.run("rev-list", "--count", f"{head}..HEAD") == "4"
    for n, i in enumerate(ids):
        assert f'secretary = "书记{n}"' in (demo_archive.root / snap.branches[i].path).read_text()
    assert demo_archive.git.run("status", "--porcelain", "--ignored") == ""
