"""Faults in many-file work: kill -9 (the whole process group) during a roster import, `campaign
new`, publishing a meeting and a paper tally, and a sync with a merge; a full disk during an
import and a sync.

Speed-independent: the many-file operations are killed at stages (``kill_at_stage``: just before
the n-th file rename, removal, object link or git command), the same point of the work on any
machine — a seeded sample of stages in the suite; with ``SHUPING_FAULT_ALL=1`` every stage (a
5,000-row roster: 40 of its ~10,000). The sync is killed a random time after it started (its own 'go' line), also
inside git's fetch, merge and push. Only states are asserted — HEAD is the old or the new state,
nothing between; check, verify and fsck clean; nothing moved aside; the operation can be redone —
never how much work got done."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
import tomllib
from datetime import date, datetime
from zoneinfo import ZoneInfo
from pathlib import Path

import openpyxl
import pytest

import store.archive
import store.atomic
from schema.clock import Clock
from schema.records import Branch
from store import layout
from store.archive import Archive
from store.campaigns import new_campaign
from store.check import check_archive
from store.errors import StoreError
from store.roster import import_roster
from store.snapshot import load
from store.sync import clone, set_remote, sync
from store.verify import verify_archive
from tests.test_faults import _FullDisk, tiny_archive

TODAY = date(2020, 12, 1)
ORGS, PER_ORG = (50, 100) if os.environ.get("SHUPING_FAULT_ALL") else (6, 50)  # 5,000 branches in the long run, 300 in the suite
HEADERS = ["党支部名称", "支部编码", "成立日期", "二级党组织", "书记", "支部类型", "组织类型", "党员人数"]


def roster(path: Path, members: int) -> Path:
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("名册")
    ws.append(HEADERS)
    for o in range(ORGS):
        for b in range(PER_ORG):
            ws.append([f"第{o}学院第{b}党支部", f"44{o:03d}{b:04d}", date(2001, 1, 1), f"第{o}学院党委",
                       f"书记{o}-{b}", "教工", "二级党委", members + b % 7])
    book.save(path)
    return path


@pytest.fixture(scope="module")
def rosters(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("rosters")
    return roster(folder / "a.xlsx", 10), roster(folder / "b.xlsx", 30)


def kill_during(operation, rng: random.Random, window: float) -> bool:
    """Fork; the child runs ``operation(say)``, which calls ``say()`` once its work starts;
    kill -9 the child's process group a random time within ``window`` after that. True when
    the kill came before the operation finished."""
    _subreaper()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 0
        try:
            os.setpgid(0, 0)
            operation(lambda: os.write(write, b"go\n"))
            os.write(write, b"done\n")
        except BaseException:  # noqa: BLE001 - the parent judges by state
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    buffer = b""
    while b"go\n" not in buffer and (chunk := os.read(read, 64)):
        buffer += chunk
    time.sleep(rng.uniform(0, window))
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    reap_group(pid)
    _subreaper(False)
    while chunk := os.read(read, 64):
        buffer += chunk
    os.close(read)
    return b"done\n" not in buffer


# ---------------------------------------------------------------- kills at stages

def _steps(step) -> None:
    """Call ``step()`` before every change a process makes to the disk or asks git for: a file
    renamed into place, removed or linked (an object), a folder removed, a git command run.
    Installed in a forked child only."""
    import store.gitrepo

    for name in ("replace", "rename", "unlink", "link", "rmdir"):
        real = getattr(os, name)
        setattr(os, name, lambda *a, _real=real, **kw: (step(), _real(*a, **kw))[1])
    run = store.gitrepo.GitRepo.run
    store.gitrepo.GitRepo.run = lambda self, *a, **kw: (step(), run(self, *a, **kw))[1]


def kill_at_stage(operation, stage: int | None) -> int | None:
    """Fork; the child runs ``operation(arm)`` and is killed (SIGKILL, its whole process group,
    git children included) just before its ``stage``-th step (``_steps``) after ``arm()``;
    ``stage=None``: never. Returns how many steps the operation took, or None when it was
    killed. Deterministic: the same stage is the same point of the work on any machine."""
    _subreaper()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 0
        try:
            os.setpgid(0, 0)
            count, armed = [0], [False]

            def step():
                if armed[0]:
                    if count[0] == stage:
                        os.killpg(0, signal.SIGKILL)
                    count[0] += 1

            _steps(step)
            operation(lambda: armed.__setitem__(0, True))
            os.write(write, f"{count[0]}\n".encode())
        except BaseException:  # noqa: BLE001 - the parent judges by state
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    out = b""
    while chunk := os.read(read, 64):
        out += chunk
    os.close(read)
    _, status = os.waitpid(pid, 0)
    reap_group(pid)
    _subreaper(False)
    if os.WIFSIGNALED(status):
        return None
    assert os.WEXITSTATUS(status) == 0, "the operation failed unkilled"
    return int(out)


def reap_group(pgid: int) -> None:
    """Wait until every process of the killed group is gone. SIGKILL reaches them all at once, but
    a git child can still be finishing a system call (creating a lock file) when the operation's
    own process is already reaped: what the group leaves is only final once it is all gone. This
    process is their subreaper (``_subreaper``), so each one is reaped here, no polling."""
    while True:
        try:
            os.waitpid(-pgid, 0)
        except ChildProcessError:
            return


def _subreaper(on: bool = True) -> None:
    """While on, orphans of the forked children (their git processes) are reparented to this
    process rather than to init, so that ``reap_group`` can wait for them (Linux). Off again
    once the group is reaped."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0)


LONG = bool(os.environ.get("SHUPING_FAULT_ALL"))
SAMPLE = None if LONG else 6  # stages killed per operation in the suite; None: every one
ROSTER_SAMPLE = 40 if LONG else 6  # a 5,000-row import has ~10,000 stages: a sample even in the long run


def stages(total: int, sample: int | None, rng: random.Random) -> list[int]:
    """Every stage of ``total``, or the first, the last and a seeded sample of the others."""
    if sample is None or total <= sample:
        return list(range(total))
    return sorted({0, total - 1, *rng.sample(range(1, total - 1), sample - 2)})


def all_or_nothing(root: Path, before: str, paths: set[str], subject: str, operator: str = "检查") -> Archive:
    """Reopened (recovering), the archive is sound and its HEAD is ``before`` or one commit on it
    that changes exactly ``paths`` with ``subject``: the operation whole, or not at all."""
    archive = Archive.open(root, operator)
    head = archive.head()
    if head != before:
        assert archive.git.run("rev-parse", "HEAD^") == before, "more than the operation's one commit"
        assert archive.history(limit=1)[0].subject == subject, "a commit other than the operation's"
        assert set(archive.git.run("diff", "--name-only", before, head).splitlines()) == paths, "part of the change"
    assert archive.git.run("status", "--porcelain") == ""
    assert check_archive(archive) == []
    assert not (root / layout.LOCAL_DIR / "aside").exists()
    assert archive.git.run("fsck", "--no-dangling", "--no-progress") == ""
    return archive


def timed(operation) -> float:
    start = time.monotonic()
    operation(lambda: None)
    return time.monotonic() - start


def tree(archive: Archive, rev: str = "HEAD") -> str:
    return archive.git.run("rev-parse", f"{rev}^{{tree}}")


def assert_sound(root: Path, trees: set[str], operator: str = "检查") -> Archive:
    """The archive opens at one of ``trees``, clean, with nothing moved aside."""
    archive = Archive.open(root, operator)
    assert not archive.read_only, archive.read_only
    assert tree(archive) in trees, "HEAD is neither the old nor the new state"
    assert archive.git.run("status", "--porcelain") == ""
    assert check_archive(archive) == []
    assert not (root / layout.LOCAL_DIR / "aside").exists()
    assert archive.git.run("fsck", "--no-dangling", "--no-progress") == ""
    return archive


@pytest.fixture(autouse=True)
def _quick_locks(monkeypatch):
    monkeypatch.setattr(store.archive, "STALE_LOCK_WAIT", 0.05)  # the kill takes the child's git with it


# ---------------------------------------------------------------- roster import


def test_kill_during_a_roster_import(tmp_path, rosters):
    """A roster import (300 rows; 5,000 and 40 stages with SHUPING_FAULT_ALL=1) killed at
    sampled stages, alternately importing one roster over the other: reopened, the archive is
    at the old or the new roster, and the import redone gives the new one exactly."""
    root = Archive.init(tmp_path / "archive", "测试大学", "测试员").root

    def importer(path):
        def run(arm):
            archive = Archive.open(root, "测试员")
            arm()
            import_roster(archive, path, today=TODAY)
        return run

    empty = tree(Archive.open(root, "测试员"))
    kill_at_stage(importer(rosters[0]), None)
    trees = {"a": tree(Archive.open(root, "测试员"))}
    total = kill_at_stage(importer(rosters[1]), None)
    trees["b"] = tree(Archive.open(root, "测试员"))
    assert len({empty, *trees.values()}) == 3
    for n, stage in enumerate(stages(total, ROSTER_SAMPLE, random.Random(15))):
        target = "ab"[n % 2]
        kill_at_stage(importer(rosters[0 if target == "a" else 1]), stage)
        archive = assert_sound(root, set(trees.values()))
        if n == 0:
            assert [f for f in verify_archive(archive).findings] == []
        import_roster(archive, rosters[0 if target == "a" else 1], today=TODAY)  # redo
        assert tree(archive) == trees[target]


def test_a_full_disk_during_a_roster_import_changes_nothing(tmp_path, rosters, monkeypatch):
    archive = Archive.init(tmp_path / "archive", "测试大学", "测试员")
    head = archive.head()
    monkeypatch.setattr(store.atomic, "os", _FullDisk())
    with pytest.raises(StoreError, match="磁盘空间已满"):
        import_roster(archive, rosters[0], today=TODAY)
    monkeypatch.undo()
    reopened = Archive.open(archive.root, "测试员")
    assert reopened.head() == head and reopened.git.run("status", "--porcelain", "--ignored") == ""
    assert check_archive(reopened) == [] and not (archive.root / "orgs").exists() or not any((archive.root / "orgs").iterdir())
    import_roster(reopened, rosters[0], today=TODAY)  # space again: the same command works
    assert len(load(reopened).branches) == ORGS * PER_ORG


# ---------------------------------------------------------------- campaign new


def test_kill_during_campaign_new(demo_archive: Archive):
    """`campaign new` killed at sampled stages (every one with SHUPING_FAULT_ALL=1)."""
    root = demo_archive.root
    old = demo_archive.head()

    def opener(arm):
        archive = Archive.open(root, "测试员")
        arm()
        new_campaign(archive, 2021)

    total = kill_at_stage(opener, None)
    trees = {tree(demo_archive, old), tree(demo_archive)}
    assert total and len(trees) == 2
    for stage in stages(total, SAMPLE, random.Random(2021)):
        demo_archive.git.run("reset", "-q", "--hard", old)
        demo_archive.git.run("clean", "-qfd", "orgs", "campaigns")
        kill_at_stage(opener, stage)
        archive = assert_sound(root, trees)
        if archive.head() == old:
            new_campaign(archive, 2021)  # redo
            assert tree(archive) in trees


# ---------------------------------------------------------------- sync with a merge


def _edit(archive: Archive, branch: str, **update) -> None:
    stored = archive.read(Branch, layout.branch_path("o1", branch))
    archive.save(stored, stored.record.model_copy(update=update), f"修改党支部：{branch}")


def test_kill_during_a_sync_with_a_merge(tmp_path):
    central = tmp_path / "central.git"
    origin = tiny_archive(tmp_path / "origin")
    subprocess.run(["git", "clone", "-q", "--bare", str(origin.root), str(central)], check=True)
    ours = clone(str(central), tmp_path / "ours", "本地")
    theirs = clone(str(central), tmp_path / "theirs", "远程")
    rng = random.Random(7)
    window = 0.0
    for trial in range(10):
        _edit(theirs, "b1", members=100 + trial)
        sync(theirs)
        _edit(ours, "b1", secretary=f"书记{trial}")  # the same record: merged key by key
        before, remote = ours.head(), theirs.head()

        def syncer(say):
            archive = Archive.open(ours.root, "本地")
            say()
            sync(archive)

        if trial == 0:
            window = timed(syncer) * 1.2
            continue
        kill_during(syncer, rng, window)
        # a local-path central's receive-pack dies with the group (kill_during waited for all of it):
        # its ref lock is the server's own leftover, which a server over ssh, whose receive-pack
        # sees the connection close rather than a SIGKILL, removes itself
        for lock in central.rglob("*.lock"):
            lock.unlink()
        archive = Archive.open(ours.root, "本地")
        head = archive.head()
        assert head == before or archive.git.run("rev-list", "--parents", "-n1", head).split()[1:] == [before, remote]
        assert archive.git.run("status", "--porcelain") == "" and check_archive(archive) == []
        assert archive.git.run("fsck", "--no-dangling", "--no-progress") == ""
        central_head = subprocess.run(["git", "-C", str(central), "rev-parse", "main"], capture_output=True,
                                      text=True, check=True).stdout.strip()
        assert central_head in (remote, head)
        sync(archive)  # redo: pushes no damage
        pushed = tomllib.loads(subprocess.run(["git", "-C", str(central), "show", f"main:{layout.branch_path('o1', 'b1')}"],
                                              capture_output=True, text=True, check=True).stdout)
        assert (pushed["id"], pushed["members"], pushed["secretary"]) == ("b1", 100 + trial, f"书记{trial}")
        sync(theirs)


def test_a_full_disk_during_a_sync_changes_nothing(tmp_path, monkeypatch):
    central = tmp_path / "central.git"
    origin = tiny_archive(tmp_path / "origin")
    subprocess.run(["git", "clone", "-q", "--bare", str(origin.root), str(central)], check=True)
    ours = clone(str(central), tmp_path / "ours", "本地")
    theirs = clone(str(central), tmp_path / "theirs", "远程")
    _edit(theirs, "b1", members=7)
    sync(theirs)
    _edit(ours, "b2", members=8)
    before = ours.head()
    real = type(ours.git).run

    def full(self, *args, **kw):
        if args and args[0] == "merge":
            raise StoreError("磁盘空间已满，git merge 未能完成。请清理磁盘后重试。")
        return real(self, *args, **kw)

    monkeypatch.setattr(type(ours.git), "run", full)
    with pytest.raises(StoreError, match="磁盘空间已满"):
        sync(ours)
    monkeypatch.undo()
    reopened = Archive.open(ours.root, "本地")
    assert reopened.head() == before and reopened.git.run("status", "--porcelain") == ""
    sync(reopened)  # space again: the same command works
    assert members_at(central, "b1") == 7 and members_at(central, "b2") == 8


def members_at(central: Path, branch: str) -> int:
    out = subprocess.run(["git", "-C", str(central), "show", f"main:{layout.branch_path('o1', branch)}"],
                         capture_output=True, text=True, check=True).stdout
    return tomllib.loads(out)["members"]


def test_set_remote_is_kept(tmp_path):
    """(clone sets the remote; set_remote is how an existing archive joins one)"""
    archive = tiny_archive(tmp_path / "a")
    set_remote(archive, str(tmp_path))
    assert archive.git.run("config", "--get", "remote.origin.url") == str(tmp_path.resolve())


# ---------------------------------------------------------------- publishing a meeting, a paper tally

class _FixedClock(Clock):
    """Publishing records its time: fixed, every run writes the same files, so that the stages
    (which count the objects written) are the same in every run."""

    def now(self) -> datetime:
        return datetime(2021, 1, 15, 10, 0, tzinfo=ZoneInfo(self.tz))


def _publishing(tmp_path, publish, keyed: int) -> None:
    """Kill ``publish(service)`` at every stage of its many-file commit; reopened, the archive
    holds the whole result or none of it, and publishing again gives the same files."""
    from store.service import Service
    from tests.meeting_archive import meeting_archive
    from tests.test_meeting_intents import key

    root = meeting_archive(tmp_path / "a", secretaries=4, ballots=keyed or 10, double_entry=False).root
    service = Service(Archive.open(root, "测试员"))
    service.load()
    for serial in range(1, keyed + 1):
        key(service, serial, {f"b0{n}": "好较好一般差"[(serial + n) % 4] for n in range(1, 5)})
    service.flush()
    service.close()
    before = Archive.open(root, "测试员").head()

    def run(arm):
        service = Service(Archive.open(root, "测试员"), _FixedClock())
        service.load()
        arm()
        publish(service)
        service.close()

    kill_at_stage(run, None)  # once before counting: the first run also fills caches
    done = Archive.open(root, "测试员")
    done.git.run("reset", "-q", "--hard", before)
    total = kill_at_stage(run, None)
    paths = set(done.git.run("diff", "--name-only", before, "HEAD").splitlines())
    subject = done.history(limit=1)[0].subject
    expected = {p: (root / p).read_bytes() for p in paths}
    assert total and len(paths) == 5  # the meeting and four reviews, one commit
    for stage in stages(total, SAMPLE, random.Random(total)):
        done.git.run("reset", "-q", "--hard", before)
        kill_at_stage(run, stage)
        archive = all_or_nothing(root, before, paths, subject)
        if archive.head() == before:
            kill_at_stage(run, None)  # redo
            archive = all_or_nothing(root, before, paths, subject)
        assert archive.head() != before
        for p, data in expected.items():
            if "meeting.toml" not in p:  # (the meeting records when it was published)
                assert (root / p).read_bytes() == data, p


def test_kill_at_every_stage_of_publishing_a_meeting(tmp_path):
    _publishing(tmp_path, lambda service: service.meeting.publish("o"), keyed=3)


def test_kill_at_every_stage_of_publishing_a_paper_tally(tmp_path):
    sheets = {f"b0{n}": {"": {"好": 6, "较好": 3, "一般": n - 1, "弃权": 1 - (n - 1) % 2 if n < 3 else 0}} for n in range(1, 5)}
    sheets = {b: {"": {k: v for k, v in c[""].items() if v}} for b, c in sheets.items()}
    for b, c in sheets.items():  # each row adds up to the 10 valid ballots
        c[""]["较好"] += 10 - sum(c[""].values())
    _publishing(tmp_path, lambda service: service.meeting.publish_tally("o", sheets, {"": 10}, 0), keyed=0)
