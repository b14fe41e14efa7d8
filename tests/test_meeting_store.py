"""Ballots on disk: one commit per ballot, drafts, corrections, crash survival, the demo meetings."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from schema.kinds import BallotStatus
from schema.records import Ballot, Meeting
from store import layout
from store.archive import Archive
from store.writer import Job, Writer
from store.ballots import ballot_change, load_ballots, load_draft, render_ballot
from store.meeting import load_meeting, reconcile
from store.snapshot import load
from tests.conftest import git_log
from tests.meeting_archive import meeting_archive


def test_ballot_text_round_trips():
    b = Ballot(org="o", year=2020, entry=2, serial=12, group="A票", marks={"b01": "好", "b02": "", "b03": "多选"},
               points={"b01": {"i1": 3.5, "i2": 20}}, status=BallotStatus.INVALID, reason='票面"涂改"\\无法辨认',
               corrections=["双录核对：看错列"])
    assert Ballot.model_validate(tomllib.loads(render_ballot(b))) == b


def test_writer_commits_each_ballot_once_and_clears_the_draft(tmp_path):
    archive = meeting_archive(tmp_path / "a")
    writer = Writer(archive)
    draft_path = layout.draft_path("o", 2020, 1)
    for serial in (1, 2, 3):
        b = Ballot(org="o", year=2020, entry=1, serial=serial, marks={"b01": "好"})
        writer.draft(b)
        writer.flush()
        assert load_draft(archive, "o", 2020, 1) == b  # the open ballot is on disk before it is finished
        done = b.model_copy(update={"status": BallotStatus.FINISHED})
        change, _ = ballot_change(done, None)
        writer.submit(Job([change], f"录入测评票：测试学院党委 第 {serial} 号（第一遍录入）", finished=(draft_path, serial)))
    writer.flush()
    assert not (archive.root / draft_path).exists()
    assert sorted(load_ballots(archive, "o", 2020, 1)) == [1, 2, 3]
    log = git_log(archive)
    assert log[:3] == [f"录入员|录入测评票：测试学院党委 第 {n} 号（第一遍录入）".replace("录入员", "测试员") for n in (3, 2, 1)]
    for n in (1, 2, 3):  # one commit per ballot, touching that ballot only
        files = archive.git.run("log", "--format=", "--name-only", f"HEAD~{3 - n}", "-1").split()
        assert files == [layout.ballot_path("o", 2020, 1, n)]


def test_correction_is_a_new_commit_with_its_reason(tmp_path):
    archive = meeting_archive(tmp_path / "a")
    writer = Writer(archive)
    b = Ballot(org="o", year=2020, entry=1, serial=1, marks={"b01": "好"}, status=BallotStatus.FINISHED)
    change, version = ballot_change(b, None)
    writer.submit(Job([change], "录入测评票：测试学院党委 第 1 号（第一遍录入）"))
    fixed = b.model_copy(update={"marks": {"b01": "较好"}, "corrections": ["录入时看错行"]})
    change, _ = ballot_change(fixed, version)
    writer.submit(Job([change], "更正测评票：测试学院党委 第 1 号（第一遍录入）", "原因：录入时看错行"))
    writer.flush()
    assert load_ballots(archive, "o", 2020, 1)[1].record.marks == {"b01": "较好"}
    history = archive.history(layout.ballot_path("o", 2020, 1, 1))
    assert [c.subject for c in history] == ["更正测评票：测试学院党委 第 1 号（第一遍录入）", "录入测评票：测试学院党委 第 1 号（第一遍录入）"]
    assert "原因：录入时看错行" in history[0].body


def test_ballot_records_name_no_person(tmp_path):
    b = Ballot(org="o", year=2020, entry=1, serial=1, marks={"b01": "好"}, status=BallotStatus.FINISHED)
    assert set(tomllib.loads(render_ballot(b))) == {"schema_version", "org", "year", "entry", "serial", "status", "marks"}


def test_sigkill_mid_keying_loses_no_acknowledged_ballot_nor_the_open_ones_marks(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=8)
    root = archive.root
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("keying_child.py")), str(root)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    saved: set[int] = set()
    draft: tuple[int, int] | None = None
    deadline = time.monotonic() + 60
    try:
        for line in child.stdout:
            kind, *nums = line.split()
            if kind == "SAVED":
                saved.add(int(nums[0]))
            elif kind == "DRAFT":
                draft = (int(nums[0]), int(nums[1]))
                if draft[0] >= 6 and draft[1] == 4:
                    break
            assert time.monotonic() < deadline, "the keying child is too slow"
        time.sleep(0.05)  # let it keep typing: the kill lands mid-keying
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(10)
    assert draft is not None and len(saved) >= 3

    reopened = Archive.open(root, "测试员")
    committed = load_ballots(reopened, "o", 2020, 1)
    assert saved <= set(committed), "every ballot the screen showed as saved is committed"
    for serial in saved:
        assert committed[serial].record.status == BallotStatus.FINISHED
        assert len(committed[serial].record.marks) == 8
        assert archive.git.run("log", "--format=%s", "--", layout.ballot_path("o", 2020, 1, serial)).splitlines() == [
            f"录入测评票：测试学院党委 第 {serial} 号（第一遍录入）"]
    open_serial, marks = draft
    if open_serial not in committed:  # the open ballot: its acknowledged marks are in the draft
        restored = load_draft(reopened, "o", 2020, 1)
        assert restored is not None and restored.serial == open_serial
        assert sum(1 for v in restored.marks.values() if v) >= marks
    meeting = load_meeting(reopened, "o", 2020).record
    assert meeting.frozen is not None and meeting.frozen.columns == [f"b{n:02d}" for n in range(1, 9)]
    asyncio.run(_reopen_shows_the_open_ballot(reopened, max(committed) + 1))


async def _reopen_shows_the_open_ballot(archive: Archive, serial: int) -> None:
    """Reopening the keying screen continues with the open ballot's marks in place."""
    from tui.app import ShupingApp
    from tui.screens.keying import KeyingScreen

    draft = load_draft(archive, "o", 2020, 1)
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(KeyingScreen("o", 1))
        while not (hasattr(app.screen, "sheet") and app.screen.sheet.loaded):
            await pilot.pause(0.05)
        open_row = app.screen.sheet.rows[-1]
        assert open_row.ballot.serial == serial
        if draft is not None and draft.serial == serial:
            assert open_row.ballot.marks == draft.marks
            assert app.screen.sheet.col == sum(1 for v in draft.marks.values() if v)


def test_demo_meetings_balance_and_are_published(demo_archive):
    snap = load(demo_archive)
    for org in ("chem", "math", "lang"):
        meeting = load_meeting(demo_archive, org, 2020).record
        assert meeting.published
        names = {b: snap.branches[b].record.secretary for b in meeting.order}
        count = reconcile(demo_archive, meeting, names)
        assert count.problems == []
        for branch, tally in count.tallies.items():
            assert snap.reviews[branch].record.tally == tally
    assert load_meeting(demo_archive, "math", 2020).record.ballots.invalid == 1
    planned = load_meeting(demo_archive, "logi", 2020)
    assert isinstance(planned.record, Meeting) and not planned.record.published and planned.record.frozen is None
    for org in ("mech", "med", "lib", "admin"):  # counted on paper: published, nothing keyed
        meeting = load_meeting(demo_archive, org, 2020).record
        assert meeting.published and meeting.frozen is None and meeting.held_on is not None
        assert all(snap.reviews[b].record.tally.valid == meeting.ballots.valid for b in meeting.order)
    log = git_log(demo_archive)
    assert any("双录核对：化学与材料学院党委 第 10 号" in line for line in log)
    assert any("更正测评票：外国语学院党委 第 7 号" in line for line in log)
