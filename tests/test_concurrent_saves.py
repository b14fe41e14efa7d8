"""Concurrency: 6 processes saving overlapping records at once. Every save lands or is
refused with a conflict; nothing is lost or overwritten silently; the log holds exactly
the saves that landed.

6 × 300 = 1,800 saves over 3 shared records, as the trust issue asks; most of the
~50 s is queueing on the writer lock (a commit is ~20 ms), so it runs beside the rest
under pytest-xdist.
"""

from __future__ import annotations

import json
import os
import random
import re

from schema.records import Branch
from store import layout
from store.archive import Archive, Change
from store.errors import ConflictError
from store.tomlio import render
from tests.test_faults import BRANCHES, tiny_archive

PROCESSES = 6
SAVES = 300


def _worker(root, number: int, out_path: str) -> None:
    archive = Archive.open(root, f"操作员{number}")
    rng = random.Random(number)
    with open(out_path, "w") as out:
        for i in range(SAVES):
            branch = rng.choice(BRANCHES)
            rel = layout.branch_path("o1", branch)
            stored = archive.read(Branch, rel)
            previous = (archive.root / rel).read_text()
            token = number * 100_000 + i + 1
            data = render(stored.record.model_copy(update={"members": token}), previous).encode()
            try:
                sha = archive.commit([Change(rel, data, stored.version)], f"并发保存 {token}：{branch}")
                out.write(json.dumps({"token": token, "path": rel, "sha": sha, "read": stored.record.members}) + "\n")
            except ConflictError:
                out.write(json.dumps({"token": token, "conflict": True}) + "\n")
            out.flush()


def test_six_processes_saving_overlapping_records(tmp_path):
    archive = tiny_archive(tmp_path / "archive")
    setup = set(archive.git.run("rev-list", "HEAD").split())
    pids = []
    for number in range(1, PROCESSES + 1):
        pid = os.fork()
        if pid == 0:
            try:
                _worker(archive.root, number, str(tmp_path / f"out{number}"))
            finally:
                os._exit(0)
        pids.append(pid)
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0

    results = [json.loads(line) for n in range(1, PROCESSES + 1) for line in (tmp_path / f"out{n}").read_text().splitlines()]
    assert len(results) == PROCESSES * SAVES  # every save either landed or got a conflict
    landed = {r["token"]: r for r in results if "sha" in r}
    conflicts = [r for r in results if r.get("conflict")]
    assert len(landed) + len(conflicts) == PROCESSES * SAVES
    assert landed and conflicts  # the records really were contended
    print(f"{len(landed)} landed, {len(conflicts)} conflicts")

    # the log has exactly the landed saves, each changing its record from the value its process read
    log = archive.git.run("log", "--reverse", "-p", "--format=@@commit %H %s", "--", "orgs")
    commits = {}
    for chunk in log.split("@@commit ")[1:]:
        sha, subject = chunk.split("\n", 1)[0].split(" ", 1)
        if sha in setup:
            continue
        token = int(re.match(r"并发保存 (\d+)：", subject).group(1))
        old = re.search(r"^-members = (\d+)$", chunk, re.M)
        new = re.search(r"^\+members = (\d+)$", chunk, re.M)
        commits[token] = (sha, int(old.group(1)) if old else None, int(new.group(1)))
    assert sorted(commits) == sorted(landed)
    for token, (sha, old, new) in commits.items():
        assert (sha, new) == (landed[token]["sha"], token)
        assert old == landed[token]["read"]  # nobody's save was overwritten unseen
    assert len(archive.git.run("rev-list", "HEAD").split()) == len(setup) + len(landed)
    assert archive.git.run("status", "--porcelain") == ""
