"""Many new records in one commit (a roster import): the fast paths must write exactly what the
slow ones would."""

from __future__ import annotations

import tomllib
from datetime import date

import tomlkit

from schema.kinds import BranchKind
from schema.records import Branch
from store import layout
from store.archive import Archive, Change
from store.atomic import BATCH
from store.gitrepo import PACK_FROM
from store.tomlio import _merge, render, to_data

AWKWARD = ['张"明"', "C:\\路径\\书记", "tab\there", "行一\n行二", "bell\x07", "del\x7f", "  空格　全角  ", "é😀"]


def _branches(n: int) -> list[Branch]:
    return [
        Branch(id=f"b{i:04d}", org=f"o{i % 3}", name=f"第{i}党支部 {AWKWARD[i % len(AWKWARD)]}",
               kind=list(BranchKind)[i % 4], founded=date(2010, 1 + i % 12, 1 + i % 28),
               secretary=AWKWARD[(i + 3) % len(AWKWARD)],
               members=i if i % 2 else None, code=f"44{i:08d}" if i % 3 else None)
        for i in range(n)
    ]


def test_a_new_flat_record_is_the_text_tomlkit_writes_and_reads_back_equal():
    for branch in _branches(40):
        text = render(branch)
        doc = tomlkit.document()
        _merge(doc, to_data(branch))
        assert text == tomlkit.dumps(doc)
        assert tomllib.loads(text) == to_data(branch)
        assert Branch.model_validate(tomllib.loads(text)) == branch


def test_many_new_files_commit_as_one_pack_and_leave_a_clean_archive(empty_archive: Archive):
    branches = _branches(PACK_FROM + 20)
    assert len(branches) >= BATCH
    changes = [Change(layout.branch_path(b.org, b.id), render(b).encode(), None) for b in branches]
    loose_before = _loose_objects(empty_archive)
    sha = empty_archive.commit(changes, "导入党支部名册：新增 120 个党支部")
    assert sha == empty_archive.head()
    # the blobs went into one pack: only the trees and the commit are loose objects
    assert _loose_objects(empty_archive) - loose_before < len(changes)
    for change in changes:
        assert (empty_archive.root / change.path).read_bytes() == change.data
        assert empty_archive.git.run("show", f"HEAD:{change.path}", strip=False).encode() == change.data
    assert empty_archive.git.run("status", "--porcelain") == ""
    assert empty_archive.git.run("fsck", "--no-dangling", "--no-progress") == ""
    assert not list(empty_archive.root.rglob("*.shuping-tmp"))


def _loose_objects(archive: Archive) -> int:
    counts = dict(line.split(": ") for line in archive.git.run("count-objects", "-v").splitlines())
    return int(counts["count"])
