"""Faults: kill -9 at random moments while saving and while keying ballots, a full disk, a read-only archive,
no git on PATH, a corrupt record. Each ends with a clear message and nothing acknowledged lost."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from datetime import date
from pathlib import Path

import pytest

import store.archive
import store.atomic
from schema.kinds import BallotStatus
from schema.records import Ballot, Branch, Org
from store import layout
from store.archive import Archive, Change
from store.writer import Job, Writer
from store.ballots import ballot_change, load_ballots, load_draft
from store.check import check_archive
from store.errors import ReadOnlyError, StoreError
from store.snapshot import load
from store.tomlio import render
from tests.meeting_archive import meeting_archive

BRANCHES = ["b1", "b2", "b3"]


def tiny_archive(root: Path) -> Archive:
    archive = Archive.init(root, "测试大学", "测试员")
    changes = [Change(layout.org_path("o1"), render(Org(id="o1", name="第一学院党委", kind="二级党委")).encode(), None)]
    for b in BRANCHES:
        branch = Branch(id=b, org="o1", name=f"第一学院{b}党支部", kind="教工", founded=date(2001, 1, 1), members=0)
        changes.append(Change(layout.branch_path("o1", b), render(branch).encode(), None))
    archive.commit(changes, "新建党支部")
    return archive


def members(root: Path, branch: str) -> int:
    return tomllib.loads((root / layout.branch_path("o1", branch)).read_text())["members"]


def committed_members(archive: Archive, branch: str) -> int:
    return tomllib.loads(archive.git.run("show", f"HEAD:{layout.branch_path('o1', branch)}"))["members"]


# ---------------------------------------------------------------- kill -9


def _saver(root: Path, start: int, out: int) -> None:
    """In a forked child: save forever, reporting 'n branch' after each save returns."""
    os.setpgid(0, 0)  # so the kill takes git with it, like a crash of the whole machine
    archive = Archive.open(root, "崩溃测试")
    stored = {b: archive.read(Branch, layout.branch_path("o1", b)) for b in BRANCHES}
    os.write(out, b"ready\n")
    n = start
    while True:
        n += 1
        b = BRANCHES[n % len(BRANCHES)]
        stored[b] = archive.save(stored[b], stored[b].record.model_copy(update={"members": n}), f"修改党支部：{b}（党员人数 → {n}）")
        os.write(out, f"{n} {b}\n".encode())


def _run_and_kill(child, rng: random.Random, max_delay: float) -> bytes:
    """Fork ``child(out_fd)``, wait for its 'ready' line and its first acknowledgement, kill -9
    its process group after a random delay, and return everything it wrote. Waiting for the
    first acknowledgement makes every kill land among saves however slow the machine is."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            child(write)
        finally:
            os._exit(0)
    os.close(write)
    buffer = b""
    while b"ready\n" not in buffer or buffer.count(b"\n") < 2:
        chunk = os.read(read, 4096)
        if not chunk:
            break
        buffer += chunk
    time.sleep(rng.uniform(0, max_delay))
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    while chunk := os.read(read, 4096):
        buffer += chunk
    os.close(read)
    return buffer


def _trial(root: Path, start: int, rng: random.Random) -> tuple[dict[str, int], int]:
    """Run a saver, kill -9 it after a random delay; return the last acknowledged value per branch."""
    buffer = _run_and_kill(lambda out: _saver(root, start, out), rng, 0.1)
    acked: dict[str, int] = {}
    last = start
    for line in buffer.decode().splitlines()[1:]:
        parts = line.split()
        if len(parts) == 2:  # a line cut by the kill was never acknowledged
            acked[parts[1]] = int(parts[0])
            last = max(last, int(parts[0]))
    return acked, last


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_9_during_saves_loses_nothing_acknowledged(tmp_path, seed, monkeypatch):
    """2 × 100 trials: each a child saving in a loop, killed with SIGKILL at a random moment."""
    # the kill takes the child's git with it, so its locks are stale at once: no need to wait for them
    monkeypatch.setattr(store.archive, "STALE_LOCK_WAIT", 0.05)
    archive = tiny_archive(tmp_path / "archive")
    root = archive.root
    rng = random.Random(seed)
    start = 0
    acknowledged = 0
    for trial in range(100):
        acked, last = _trial(root, start, rng)
        acknowledged += last - start  # saves numbered start+1 … last were acknowledged
        reopened = Archive.open(root, "检查")
        assert reopened.git.run("status", "--porcelain") == "", f"trial {trial}: uncommitted files after recovery"
        for branch, n in acked.items():
            assert members(root, branch) >= n, f"trial {trial}: {branch} lost acknowledged save {n}"
            assert committed_members(reopened, branch) == members(root, branch)
        assert check_archive(reopened) == []
        if trial % 25 == 24:
            assert reopened.git.run("fsck", "--full", "--no-dangling", "--no-progress") == ""
        start = last + 10  # later values are always larger, so "at least the acknowledged value" is checkable
    assert acknowledged >= 100  # every trial acknowledged a save before its kill (see _run_and_kill)
    print(f"100 kills, {acknowledged} acknowledged saves, none lost")
    assert archive.git.run("fsck", "--full", "--no-dangling", "--no-progress") == ""  # dangling: commits a kill cut off from the ref


def _ballot_keyer(root: Path, start: int, out: int) -> None:
    """In a forked child: key ballots forever through the meeting's writer (a draft after
    every mark, then the finished ballot), reporting 'serial' once its commit returned."""
    os.setpgid(0, 0)
    archive = Archive.open(root, "崩溃测试")
    writer = Writer(archive)
    draft_path = layout.draft_path("o", 2020, 1)
    os.write(out, b"ready\n")
    serial = start
    while True:
        serial += 1
        marks: dict[str, str] = {}
        for column in ("b01", "b02", "b03"):
            marks = {**marks, column: "好较好一般差"[serial % 4]}
            writer.draft(Ballot(org="o", year=2020, entry=1, serial=serial, marks=marks))
        done = Ballot(org="o", year=2020, entry=1, serial=serial, marks=marks, status=BallotStatus.FINISHED)
        change, _ = ballot_change(done, None)
        acknowledge = lambda sha, error, n=serial: error is None and os.write(out, f"{n}\n".encode())  # noqa: E731
        writer.submit(Job([change], f"录入测评票：测试学院党委 第 {serial} 号（第一遍录入）",
                          finished=(draft_path, serial), done=acknowledge))
        if serial % 3 == 0:
            writer.flush()  # sometimes wait, so kills also land between commits and on drafts


def test_kill_9_during_ballot_commits_loses_no_acknowledged_ballot(tmp_path, monkeypatch):
    """100 trials: a child keying ballots through the background writer, killed with SIGKILL."""
    monkeypatch.setattr(store.archive, "STALE_LOCK_WAIT", 0.05)
    archive = meeting_archive(tmp_path / "archive", secretaries=3)
    root = archive.root
    rng = random.Random(3)
    acknowledged: set[int] = set()
    start = 0
    for trial in range(100):
        buffer = _run_and_kill(lambda out, start=start: _ballot_keyer(root, start, out), rng, 0.15)
        acknowledged |= {int(line) for line in buffer.decode().splitlines()[1:] if line.isdigit()}
        reopened = Archive.open(root, "检查")
        assert reopened.git.run("status", "--porcelain") == "", f"trial {trial}: uncommitted files after recovery"
        committed = load_ballots(reopened, "o", 2020, 1)
        missing = acknowledged - set(committed)
        assert not missing, f"trial {trial}: acknowledged ballots {sorted(missing)} are not committed"
        assert all(committed[n].record.status == BallotStatus.FINISHED for n in acknowledged)
        load_draft(reopened, "o", 2020, 1)  # a draft may survive the kill; it must still parse
        assert check_archive(reopened) == []
        if trial % 25 == 24:
            assert reopened.git.run("fsck", "--full", "--no-dangling", "--no-progress") == ""
        start = max(committed, default=0) + 5
    assert len(acknowledged) >= 100  # every trial acknowledged a ballot before its kill
    print(f"100 kills, {len(acknowledged)} acknowledged ballots, none lost")


# ---------------------------------------------------------------- full disk


class _FullDisk:
    """``os`` as store.atomic sees it, with every write failing as on a full disk."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def write(fd, data):
        raise OSError(28, "No space left on device")


def _save_one(archive: Archive, value: int):
    stored = archive.read(Branch, layout.branch_path("o1", "b1"))
    return archive.save(stored, stored.record.model_copy(update={"members": value}), f"修改党支部：b1（党员人数 → {value}）")


def test_full_disk_injected_at_the_os_boundary(tmp_path, monkeypatch):
    archive = tiny_archive(tmp_path / "archive")
    before = (archive.root / layout.branch_path("o1", "b1")).read_bytes()
    head = archive.head()
    monkeypatch.setattr(store.atomic, "os", _FullDisk())
    with pytest.raises(StoreError) as e:
        _save_one(archive, 42)
    assert str(e.value).startswith("磁盘空间已满，未能保存 b1.toml；原有内容未改变。")
    monkeypatch.undo()
    assert (archive.root / layout.branch_path("o1", "b1")).read_bytes() == before
    assert archive.head() == head and archive.git.run("status", "--porcelain", "--ignored") == ""
    _save_one(archive, 43)  # space again: saving works
    assert members(archive.root, "b1") == 43


def test_a_failed_commit_puts_the_file_back(tmp_path, monkeypatch):
    """git refusing the commit (here: a lock another git left) must not leave an uncommitted
    change that the next open's recovery would commit although the user was told it failed."""
    archive = tiny_archive(tmp_path / "archive")
    path = archive.root / layout.branch_path("o1", "b1")
    before, head = path.read_bytes(), archive.head()
    (archive.git.git_dir / "index.lock").write_text("")
    monkeypatch.setattr(store.archive, "STALE_LOCK_WAIT", 0.05)  # nobody is coming to release it
    monkeypatch.setattr(store.archive, "LOCK_BACKOFF", (0.01,))  # nor while the commit retries
    with pytest.raises(StoreError, match="未保存：文件已恢复为原来的内容"):
        _save_one(archive, 9)
    assert path.read_bytes() == before
    reopened = Archive.open(archive.root, "检查")
    assert reopened.head() == head and path.read_bytes() == before


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs where mounting is allowed (root in CI containers), else skip."""
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip("cannot mount a small file system here; test_full_disk_injected_at_the_os_boundary covers it")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_on_a_real_small_file_system(small_disk):
    archive = tiny_archive(small_disk / "archive")
    path = archive.root / layout.branch_path("o1", "b1")
    before, head = path.read_bytes(), archive.head()
    filler = small_disk / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    with pytest.raises(StoreError, match="磁盘空间已满"):
        for n in range(50):  # the last free bytes may take a save or two
            _save_one(archive, 100 + n)
            before, head = path.read_bytes(), archive.head()
    assert path.read_bytes() == before and archive.head() == head
    filler.unlink()
    reopened = Archive.open(archive.root, "检查")
    assert reopened.head() == head and path.read_bytes() == before  # no half-saved change reappears
    assert reopened.git.run("status", "--porcelain") == ""
    assert reopened.git.run("fsck", "--no-dangling", "--no-progress") == ""
    _save_one(reopened, 7)
    assert members(archive.root, "b1") == 7


# ---------------------------------------------------------------- read-only, no git, corrupt record


@pytest.fixture
def read_only_copy(tmp_path):
    archive = tiny_archive(tmp_path / "archive")
    view = tmp_path / "view"
    view.mkdir()
    bound = subprocess.run(["mount", "--bind", str(archive.root), str(view)], capture_output=True).returncode == 0
    if bound and subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], capture_output=True).returncode == 0:
        yield view
        subprocess.run(["umount", "-l", str(view)], capture_output=True)
        return
    if bound:
        subprocess.run(["umount", "-l", str(view)], capture_output=True)
    if os.geteuid() == 0:
        pytest.skip("root without mount: file modes do not stop root")
    shutil.rmtree(view)
    shutil.copytree(archive.root, view, symlinks=True)
    for folder, dirs, files in os.walk(view):
        for name in dirs + files:
            os.chmod(Path(folder) / name, 0o555 if name in dirs else 0o444)
    os.chmod(view, 0o555)
    yield view
    for folder, dirs, _ in os.walk(view):
        os.chmod(folder, 0o755)


def test_read_only_archive_opens_for_reading(read_only_copy):
    archive = Archive.open(read_only_copy, "测试员")
    assert "只读" in archive.read_only
    assert sorted(load(archive).branches) == BRANCHES
    with pytest.raises(ReadOnlyError, match="档案是只读的"):
        _save_one(archive, 5)
    result = subprocess.run([sys.executable, "-m", "tui", "check", "-a", str(read_only_copy)], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, "")
    assert _app_starts(archive)


def _app_starts(archive: Archive) -> list[str]:
    """Run the app on ``archive``; return the notifications it showed on the dashboard."""
    from tui.app import ShupingApp
    from tui.screens.dashboard import DashboardScreen

    async def run() -> list[str]:
        app = ShupingApp(archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)
            return [str(n.message) for n in app._notifications]

    return asyncio.run(run())


def test_missing_git_is_a_clear_message_and_the_app_still_starts(tmp_path, monkeypatch):
    archive = tiny_archive(tmp_path / "archive")
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    (bare_path / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", str(bare_path))
    result = subprocess.run([sys.executable, "-m", "tui", "verify", "-a", str(archive.root)], capture_output=True, text=True)
    assert result.returncode == 1 and "找不到 git 命令" in result.stdout and "Traceback" not in result.stderr
    reopened = Archive.open(archive.root, "测试员")
    assert reopened.read_only.startswith("找不到 git 命令")
    with pytest.raises(ReadOnlyError, match="找不到 git 命令"):
        _save_one(reopened, 5)
    shown = _app_starts(reopened)
    assert any("找不到 git 命令" in message for message in shown)


def test_corrupt_record_is_named_and_the_app_still_starts(tmp_path):
    archive = tiny_archive(tmp_path / "archive")
    (archive.root / layout.branch_path("o1", "b2")).write_bytes(b'name = "\xff\xfe broken\n')
    result = subprocess.run([sys.executable, "-m", "tui", "check", "-a", str(archive.root)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "orgs/o1/branches/b2.toml: 文件不是 UTF-8 编码" in result.stdout  # check reads it where it is
    snap = load(Archive.open(archive.root, "测试员"))  # opening moves it aside, never commits it
    assert "/orgs/o1/branches/b2.toml: 文件不是 UTF-8 编码" in "\n".join(map(str, check_archive(archive)))
    assert sorted(snap.branches) == BRANCHES and snap.problems == []
    (archive.root / layout.branch_path("o1", "b2")).write_bytes(b'name = "\xff\xfe broken\n')
    snap = load(archive)  # not reopened: the broken file is read where it is
    assert sorted(snap.branches) == ["b1", "b3"] and [p.file for p in snap.problems] == ["orgs/o1/branches/b2.toml"]
    assert _app_starts(archive) == []
