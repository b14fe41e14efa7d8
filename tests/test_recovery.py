"""Recovery by rules (store/recovery.py): what a crash or a hand leaves in the working tree is
committed only when it is a valid record, in the operator's scope and not frozen; anything
else is moved aside, reported by `check`, never lost and never committed. Interrupted git
operations and shuping's own interrupted many-file writes are undone, not committed."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from datetime import datetime, timedelta, timezone

import pytest

from schema.kinds import Grade
from store import layout
from store.archive import Archive, Change
from store.check import check_archive
from store.grading import finalise, save_grades
from store.recovery import ASIDE, MANIFEST, Journal
from store.snapshot import load
from store.tomlio import blob_version
from tests.test_access import with_access
from tests.test_grading_store import grade_set

WHEN = datetime(2021, 1, 26, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def aside_files(archive: Archive) -> dict[str, str]:
    """Moved-aside path → reason, over every aside folder."""
    found = {}
    for manifest in (archive.root / ASIDE).glob(f"*/*/{MANIFEST}"):
        for entry in json.loads(manifest.read_text())["files"]:
            found[entry["path"]] = entry["reason"]
    return found


def assert_moved_aside(archive: Archive, rel: str, text: bytes | None, head: str, operator: str) -> str:
    reopened = Archive.open(archive.root, operator)
    assert reopened.head() == head, "nothing committed"
    assert reopened.git.run("status", "--porcelain") == ""
    reason = aside_files(reopened)[rel]
    if text is not None:
        kept = list((archive.root / ASIDE).glob(f"{operator.replace(' ', '_')}/*/{rel}"))
        assert [p.read_bytes() for p in kept] == [text], "the change is kept aside, whole"
    listed = [p for p in check_archive(reopened) if p.file.endswith("/" + rel) and p.file.startswith(ASIDE)]
    assert listed and reason in listed[0].message
    return reason


def test_a_broken_toml_is_moved_aside(demo_archive: Archive):
    rel = "orgs/chem/branches/b0003.toml"
    path = demo_archive.root / rel
    committed = path.read_bytes()
    broken = committed.replace(b'secretary = "', b'secretary = ', 1)
    path.write_bytes(broken)
    reason = assert_moved_aside(demo_archive, rel, broken, demo_archive.head(), "测试员")
    assert "TOML 语法错误" in reason
    assert path.read_bytes() == committed


def test_an_out_of_scope_hand_edit_is_moved_aside(demo_archive: Archive):
    with_access(demo_archive)
    rel = "orgs/logi/branches/" + sorted(p.name for p in (demo_archive.root / "orgs/logi/branches").iterdir())[0]
    path = demo_archive.root / rel
    edited = path.read_bytes().replace(b'secretary = "', 'secretary = "改'.encode(), 1)
    path.write_bytes(edited)
    reason = assert_moved_aside(demo_archive, rel, edited, demo_archive.head(), "张三")
    assert "张三" in reason and "无权" in reason or "不能修改" in reason
    # the same edit by someone in scope is committed, authored by them, its file in the body
    path.write_bytes(edited)
    reopened = Archive.open(demo_archive.root, "测试员")
    last = reopened.history(limit=1)[0]
    assert (last.author, last.subject) == ("测试员", "恢复：提交上次中断时未提交的修改")
    assert rel in last.body.splitlines()


def test_an_edit_to_access_toml_is_judged_by_the_committed_rules(demo_archive: Archive):
    with_access(demo_archive)
    path = demo_archive.root / layout.ACCESS
    edited = path.read_bytes().replace(b'"\xe5\xbc\xa0\xe4\xb8\x89" = ["chem"]', '"张三" = "all"'.encode())
    assert edited != path.read_bytes()
    path.write_bytes(edited)
    assert_moved_aside(demo_archive, layout.ACCESS, edited, demo_archive.head(), "张三")
    assert tomllib.loads(path.read_text())["operators"]["张三"] == ["chem"]


def test_an_edit_to_a_finalised_grade_is_moved_aside(demo_archive: Archive):
    campaign = load(demo_archive).campaign
    grades = {0: Grade.GOOD, 1: Grade.FAIRLY_GOOD, 2: Grade.AVERAGE, 3: Grade.FAIRLY_GOOD}
    save_grades(demo_archive, grade_set(demo_archive, "logi", grades), campaign)
    finalise(demo_archive, grade_set(demo_archive, "logi"), campaign, WHEN)
    review = next(s for s in load(demo_archive).reviews.values() if s.path.startswith("orgs/logi/"))
    path = demo_archive.root / review.path
    text = path.read_text()
    edited = text.replace('final = "好"', 'final = "一般"', 1)
    edited = edited if edited != text else text.replace('final = "较好"', 'final = "好"', 1)
    assert edited != text
    path.write_text(edited)
    reason = assert_moved_aside(demo_archive, review.path, edited.encode(), demo_archive.head(), "测试员")
    assert "已定档" in reason and "不能修改等次" in reason
    assert path.read_text() == text


def test_an_export_written_into_the_records_is_moved_aside(demo_archive: Archive):
    rel = "orgs/chem/2020/化学学院统计表.xlsx"
    (demo_archive.root / rel).write_bytes(b"PK export")
    reason = assert_moved_aside(demo_archive, rel, b"PK export", demo_archive.head(), "测试员")
    assert "不是档案记录" in reason
    assert not (demo_archive.root / rel).exists()
    # and the CLI: `check` lists it (exit 1)
    result = subprocess.run([sys.executable, "-m", "tui", "check", "-a", str(demo_archive.root)],
                            capture_output=True, text=True)
    assert result.returncode == 1 and rel in result.stdout and "不是档案记录" in result.stdout


def test_an_interrupted_many_file_commit_is_rolled_back_from_its_journal(demo_archive: Archive):
    snap = load(demo_archive)
    chosen = sorted(snap.branches.values(), key=lambda s: s.path)[:12]
    head = demo_archive.head()
    files = []
    for n, stored in enumerate(chosen):
        path = demo_archive.root / stored.path
        old = path.read_bytes()
        new = old.replace(b"members = ", b"members = 1", 1)
        files.append((stored.path, blob_version(old), blob_version(new)))
        if n < 7:  # killed part way through the renames
            path.write_bytes(new)
    created = demo_archive.root / "orgs/chem/branches/b9999.toml"
    files.append(("orgs/chem/branches/b9999.toml", None, blob_version(b"x")))
    created.write_bytes(b"x")
    (demo_archive.root / "orgs/o999/branches").mkdir(parents=True)  # an empty folder the import made
    Journal(demo_archive.git.git_dir).begin_commit(head, files)
    reopened = Archive.open(demo_archive.root, "测试员")
    assert reopened.head() == head and reopened.git.run("status", "--porcelain", "--ignored") == ""
    assert not created.exists() and not (demo_archive.root / "orgs/o999").exists()
    assert aside_files(reopened) == {} and check_archive(reopened) == []


def test_a_finished_many_file_commit_is_kept(demo_archive: Archive):
    head = demo_archive.head()
    snap = load(demo_archive)
    changes = [Change(s.path, s.path.encode() and (demo_archive.root / s.path).read_bytes().replace(b"members = ", b"members = 2", 1),
                      s.version) for s in sorted(snap.branches.values(), key=lambda s: s.path)[:10]]
    sha = demo_archive.commit(changes, "批量修改")
    Journal(demo_archive.git.git_dir).begin_commit(head, [(c.path, c.base, blob_version(c.data)) for c in changes])
    reopened = Archive.open(demo_archive.root, "测试员")
    assert reopened.head() == sha and reopened.git.run("status", "--porcelain") == ""
    assert not (demo_archive.git.git_dir / "shuping-journal.json").exists()


def test_an_interrupted_git_merge_is_undone_not_committed(demo_archive: Archive):
    git = demo_archive.git
    head = demo_archive.head()
    rel = "orgs/chem/org.toml"
    git.run("checkout", "-q", "-b", "other")
    path = demo_archive.root / rel
    path.write_text(path.read_text().replace('name = "', 'name = "新', 1))
    git.run("commit", "-q", "-am", "other side")
    git.run("checkout", "-q", "main")
    git.run("merge", "--no-commit", "--no-ff", "other")
    assert (git.git_dir / "MERGE_HEAD").exists()
    path.write_text("dissolved = 2020-01-01\n")  # half-written, as a kill leaves it
    reopened = Archive.open(demo_archive.root, "测试员")
    assert reopened.head() == head and not (git.git_dir / "MERGE_HEAD").exists()
    assert reopened.git.run("status", "--porcelain") == "" and aside_files(reopened) == {}
    assert tomllib.loads(path.read_text())["id"] == "chem"


def test_a_corrupt_index_is_rebuilt(demo_archive: Archive):
    index = demo_archive.git.git_dir / "index"
    index.write_bytes(index.read_bytes()[:100])
    head = demo_archive.head()
    reopened = Archive.open(demo_archive.root, "测试员")
    assert reopened.head() == head and reopened.git.run("status", "--porcelain") == ""


def test_empty_folders_are_not_records(demo_archive: Archive):
    for n in range(3):
        (demo_archive.root / f"orgs/o9{n:02d}/branches").mkdir(parents=True)
    assert load(demo_archive, cache=False).problems == []
    assert check_archive(demo_archive) == []
    Archive.open(demo_archive.root, "测试员")
    assert not (demo_archive.root / "orgs/o900").exists()


def test_no_argument_limit_on_recovery_of_thousands_of_files(empty_archive: Archive):
    """Valid new records by the thousand (an import killed after its journal was lost): the
    recovery commit lists them all without hitting the argument-list limit."""
    from datetime import date

    from schema.records import Branch, Org
    from store.tomlio import render

    root = empty_archive.root
    (root / layout.org_path("o1")).parent.mkdir(parents=True)
    (root / layout.org_path("o1")).write_text(render(Org(id="o1", name="第一学院党委", kind="二级党委")))
    long = "很长的党支部名称" * 8
    for n in range(3000):
        branch = Branch(id=f"b{n:05d}-{'x' * 60}", org="o1", name=f"{long}{n}", kind="教工", founded=date(2001, 1, 1), members=1)
        path = root / layout.branch_path("o1", branch.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(branch))
    reopened = Archive.open(root, "测试员")
    assert not reopened.read_only, reopened.read_only
    assert reopened.git.run("status", "--porcelain") == ""
    assert len(reopened.history(limit=1)[0].body.splitlines()) > 3000


@pytest.mark.parametrize("command", [
    ["export", "work-report", "--org", "chem", "-o", "{root}/orgs/chem/2020/reports/b0001.md"],
    ["export", "stats", "-o", "{root}/orgs/统计表.xlsx"],
    ["report", "export", "--org", "chem", "-o", "{root}/campaigns/报告.docx"],
    ["followup-export", "--org", "chem", "--out", "{root}/orgs/chem"],
])
def test_exports_refuse_to_write_into_the_records(demo_archive: Archive, command):
    root = demo_archive.root
    head = demo_archive.head()
    before = demo_archive.git.run("status", "--porcelain", "--ignored", "--untracked-files=all")
    args = [part.format(root=root) for part in command]
    result = subprocess.run([sys.executable, "-m", "tui", *args, "-a", str(root)], capture_output=True, text=True)
    assert result.returncode != 0 and "不能放在档案的记录文件夹中" in result.stderr
    assert demo_archive.head() == head
    assert demo_archive.git.run("status", "--porcelain", "--ignored", "--untracked-files=all") == before


def test_files_moved_aside_are_listed_in_f10(demo_archive: Archive):
    """F10 lists what recovery moved aside, read through the service's snapshot."""
    import asyncio

    from tui.app import ShupingApp

    rel = "orgs/chem/branches/b0003.toml"
    path = demo_archive.root / rel
    path.write_bytes(path.read_bytes().replace(b'secretary = "', b'secretary = ', 1))
    reopened = Archive.open(demo_archive.root, "测试员")  # moves the broken file aside
    assert aside_files(reopened)

    async def look() -> list[tuple]:
        app = ShupingApp(reopened)
        async with app.run_test(size=(100, 30)) as pilot:
            while app.snapshot is None:
                await pilot.pause()
            await pilot.press("f10")
            while type(app.screen).__name__ != "ProblemsScreen":
                await pilot.pause()
            await pilot.pause()
            table = app.screen.query_one("#problems")
            summary = str(app.screen.query_one("#summary").render())
            return [table.get_row_at(i) for i in range(table.row_count)], summary

    rows, summary = asyncio.run(look())
    assert [r[0] for r in rows] == [p.file for p in check_archive(reopened)]
    assert len(rows) == 1 and rows[0][0].startswith(ASIDE) and rows[0][0].endswith("/" + rel)
    assert "TOML 语法错误" in rows[0][3] and "已移到一旁" in summary


def test_locks_a_killed_git_leaves_are_removed(demo_archive: Archive, monkeypatch):
    """(a merge killed in the middle left ORIG_HEAD.lock, and the next sync's merge failed on it)"""
    import store.archive

    monkeypatch.setattr(store.archive, "STALE_LOCK_WAIT", 0.05)
    git_dir = demo_archive.git.git_dir
    left = ["index.lock", "HEAD.lock", "ORIG_HEAD.lock", "MERGE_HEAD.lock", "config.lock", "refs/heads/main.lock"]
    for name in left:
        (git_dir / name).write_text("")
    (git_dir / "packed-refs.lock").write_text("")  # a detached gc may still hold it
    removed = Archive.open(demo_archive.root, "测试员").recover()  # (open removed them: nothing left now)
    assert removed.removed_locks == [] and not any((git_dir / name).exists() for name in left)
    assert (git_dir / "packed-refs.lock").exists()
    (git_dir / "packed-refs.lock").unlink()
