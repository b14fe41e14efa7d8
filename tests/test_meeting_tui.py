"""The meeting through the real app: keying both passes, compare, reconcile, publish; set-up; snapshots."""

from __future__ import annotations

import asyncio
import functools
import random

import pytest

from schema.ballots import KEYS
from schema.records import Review
from store import layout
from store.ballots import load_ballots
from store.meeting import load_meeting
from tests.meeting_archive import SECRETARIES, meeting_archive
from tui.app import ShupingApp


def sync(test):
    """Run an async Pilot test without an asyncio plugin for pytest."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return run


BALLOTS, SECRETARY_COUNT = 40, 12  # the full meeting: 40 paper ballots × 12 secretaries


async def type_fast(pilot, keys) -> None:
    """Send keys the way the terminal driver does, as fast as a typist, then wait once.

    ``pilot.press`` waits for the process to go idle after every key (~90 ms here while the
    writer thread commits), which would make a full meeting take minutes; typing ahead also
    tests that keys are handled in order while commits run."""
    from textual import events

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(pilot.app)
        pilot.app._driver.send_message(event)
    await pilot.pause()


async def until(pilot, condition, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


async def key_pass(pilot, app, sheets: list[str]) -> None:
    await type_fast(pilot, [key for sheet in sheets for key in [*sheet, "enter"]])
    sheet = app.screen.sheet
    await until(pilot, lambda: len(sheet.rows) == len(sheets) + 1)
    await until(pilot, lambda: not any(r.saving for r in sheet.rows) and str(app.screen.query_one("#saved").render()).startswith("已保存"))


async def wait_writer(pilot, app) -> None:
    """Until every queued commit is done and the screens have read what they show again."""
    for _ in range(2):  # a worker may queue a commit, and a commit may start a worker
        app.service.flush()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()


async def shown(pilot, app, selector: str) -> str:
    """The text of a line the screen fills in from a worker, once it is there."""
    await until(pilot, lambda: str(app.screen.query_one(selector).render()).strip() not in ("", "正在核对……"))
    return str(app.screen.query_one(selector).render())


@sync
async def test_full_meeting_both_passes_mismatches_resolved_reconciled_published(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=SECRETARY_COUNT, ballots=BALLOTS)
    rng = random.Random(5)
    sheets = ["".join(rng.choice("11223340") for _ in range(SECRETARY_COUNT)) for _ in range(BALLOTS)]
    second = list(sheets)
    wrong = {(3, 2), (11, 6)}  # (serial, column) mis-keyed in the second pass
    for serial, col in wrong:
        s = second[serial - 1]
        second[serial - 1] = s[:col] + ("4" if s[col] != "4" else "1") + s[col + 1:]

    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter")
        assert type(app.screen).__name__ == "GuideScreen"
        await pilot.press("k")
        await key_pass(pilot, app, sheets)
        assert str(app.screen.query_one("#saved").render()).startswith("已保存")
        await pilot.press("escape", "v")
        await until(pilot, lambda: app.screen.sheet.loaded)
        assert app.screen.sheet.rows[-1].ballot.entry == 2 and len(app.screen.sheet.rows) == 1  # blind: pass 1 not shown
        await key_pass(pilot, app, second)
        await pilot.press("escape", "m")
        compare = app.screen
        await until(pilot, lambda: compare.comparison is not None)
        assert sorted((m.serial, m.column) for m in compare.mismatches) == sorted((s, f"b{c + 1:02d}") for s, c in wrong)
        for _ in wrong:
            m = compare.mismatches[0]
            right = sheets[m.serial - 1][int(m.column[1:]) - 1]
            await pilot.press("enter", right, "enter", *"核对纸质票", "enter")
            await wait_writer(pilot, app)
        assert compare.mismatches == []
        await pilot.press("escape", "r")
        verdict = await shown(pilot, app, "#verdict")
        assert verdict.startswith("全部平衡"), verdict
        await pilot.press("p")
        await until(pilot, lambda: type(app.screen).__name__ == "PublishDialog")
        await pilot.press("y")
        await wait_writer(pilot, app)
        await pilot.press("escape", "o")
        board = app.export_screenshot()

    assert load_meeting(archive, "o", 2020).record.published
    for col in range(SECRETARY_COUNT):
        expected = {g: 0 for g in ("好", "较好", "一般", "差", "弃权")}
        for sheet in sheets:
            expected[KEYS[sheet[col]]] += 1
        branch = f"b{col + 1:02d}"
        tally = archive.read(Review, layout.review_path("o", 2020, branch)).record.tally
        assert tally.counts == expected and tally.valid == BALLOTS
        score = sum(v * expected[g] for g, v in {"好": 100, "较好": 80, "一般": 60, "差": 40}.items()) / BALLOTS
        assert tally.score == round(score, 2)
    assert SECRETARIES[0] in board

    log = archive.git.run("log", "--name-only", "--format=%x1e%s")
    commits = [chunk.strip().split("\n") for chunk in log.split("\x1e") if chunk.strip()]
    subjects = [c[0] for c in commits]
    keyed = {}  # ballot path → the subjects of the commits that touched it
    for subject, *files in commits:
        ballots = [f for f in files if "/ballots/" in f]
        if subject.startswith("录入测评票"):
            assert len(ballots) == 1, subject  # one ballot, one commit
        for f in ballots:
            keyed.setdefault(f, []).append(subject)
    for entry, name in ((1, "第一遍录入"), (2, "第二遍录入")):
        for serial in range(1, BALLOTS + 1):
            path = layout.ballot_path("o", 2020, entry, serial)
            assert keyed[path][-1] == f"录入测评票：测试学院党委 第 {serial} 号（{name}）"
    assert sum(s.startswith("录入测评票") for s in subjects) == 2 * BALLOTS
    assert sum(s.startswith("双录核对") for s in subjects) == 2
    assert subjects[0] == f"公布测评结果：测试学院党委（有效票 {BALLOTS} 张）"
    assert all(b.record.marks == load_ballots(archive, "o", 2020, 2)[s].record.marks
               for s, b in load_ballots(archive, "o", 2020, 1).items())


@sync
async def test_publish_refused_until_override_reason(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=4, double_entry=False)
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "k", *"123", "enter", *"111", "enter", "escape", "r")
        verdict = await shown(pilot, app, "#verdict")
        assert "收回 4 张 ≠ 有效 2 张 + 无效 0 张（已录入票少 2 张）" in verdict
        await pilot.press("p")
        await until(pilot, lambda: type(app.screen).__name__ == "PromptDialog")
        await pilot.press("escape")
        assert not load_meeting(archive, "o", 2020).record.published
        await pilot.press("p")
        await until(pilot, lambda: type(app.screen).__name__ == "PromptDialog")
        await pilot.press(*"两张票遗失经主持人同意", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "PublishDialog")
        await pilot.press("y")
        await wait_writer(pilot, app)
    meeting = load_meeting(archive, "o", 2020).record
    assert meeting.published and meeting.override_reason == "两张票遗失经主持人同意"
    body = archive.history(layout.meeting_path("o", 2020))[0].body
    assert "核对未通过仍公布，原因：两张票遗失经主持人同意" in body


@sync
async def test_setup_screen_saves_meeting_and_written_mode_in_one_commit(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=10)
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "s")
        place = app.screen.query_one("#place")
        place.value = "化学楼 301"
        await pilot.press("ctrl+o", "down", "m")
        await pilot.press(*"出国访学", "enter")
        await pilot.press("u", "ctrl+s")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
    meeting = load_meeting(archive, "o", 2020).record
    assert meeting.place == "化学楼 301" and meeting.order == ["b02", "b01", "b03"]
    review = archive.read(Review, layout.review_path("o", 2020, "b02")).record
    assert (review.meeting.mode.value, review.meeting.mode_reason) == ("书面", "出国访学")
    head = archive.history(limit=1)[0]
    assert head.subject == "评议会设置：测试学院党委"
    assert archive.git.run("show", "--format=", "--name-only", "HEAD").split() == [
        layout.meeting_path("o", 2020), *(layout.review_path("o", 2020, b) for b in ("b01", "b02", "b03"))]
    assert [archive.read(Review, layout.review_path("o", 2020, b)).record.meeting.order for b in ("b02", "b01", "b03")] == [1, 2, 3]
    assert "述职方式：测试学院第2党支部 书面" in head.body


@sync
async def test_setup_escape_with_unsaved_changes_asks_first(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=10)
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "s")
        await pilot.press("escape")  # nothing typed: straight back
        assert type(app.screen).__name__ == "GuideScreen"
        await pilot.press("s")
        app.screen.query_one("#place").value = "化学楼 301"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "UnsavedDialog"  # 保存 / 放弃 / 取消 (tests/test_unsaved_more.py)
        await pilot.press("escape")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+o", "l", "escape")  # lots drawn, not saved
        await pilot.pause()
        assert type(app.screen).__name__ == "UnsavedDialog"
        await pilot.press("d")
        await pilot.pause()
        assert type(app.screen).__name__ == "GuideScreen"
    assert load_meeting(archive, "o", 2020).record.place == "化学楼 301"


@sync
async def test_indicator_ballot_checks_ranges(tmp_path):
    from schema.kinds import BallotForm
    from schema.records import Campaign, Indicator

    archive = meeting_archive(tmp_path / "a", secretaries=2, ballots=4)
    stored = archive.campaign()
    campaign: Campaign = stored.record.model_copy(update={"indicators": [
        Indicator(id="i1", group="履职尽责", name="履职尽责", max_points=20),
        Indicator(id="i2", group="支部建设", name="支部建设", max_points=5)]})
    archive.save(stored, campaign, "测试：设置指标")
    m = load_meeting(archive, "o", 2020)
    archive.save(m, m.record.model_copy(update={"form": BallotForm.INDICATORS}), "测试：指标票")
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "k")
        await pilot.press("1", "8", "7")  # 18 fits 20 and no third digit can: advances; 7 > 5 is refused
        sheet = app.screen.sheet
        await until(pilot, lambda: sheet.loaded)
        await pilot.pause()
        assert sheet.rows[-1].ballot.points == {"b01": {"i1": 18.0}} and sheet.col == 1
        assert "支部建设最高 5 分，不能填 7" in str(app.screen.query_one("#saved").render())
        await pilot.press("5", "2", "space", "3", "enter")
        await wait_writer(pilot, app)
    ballot = load_ballots(archive, "o", 2020, 1)[1].record
    assert ballot.points == {"b01": {"i1": 18.0, "i2": 5.0}, "b02": {"i1": 2.0, "i2": 3.0}}


SNAP_KEYS = ["f5", "enter", "k", *"12340911", "enter", *"11223344", "enter", *"1111", "enter", *"432"]


@pytest.fixture
def snapshot_archive(tmp_path):
    return meeting_archive(tmp_path / "a", secretaries=8, ballots=20)


def test_keying_grid_snapshot(snap_compare, snapshot_archive):
    async def key_two_ballots_and_wait_until_saved(pilot):
        await pilot.press(*SNAP_KEYS)
        await wait_writer(pilot, pilot.app)
        await until(pilot, lambda: str(pilot.app.screen.query_one("#saved").render()).startswith("已保存")
                    and "正在存草稿" not in str(pilot.app.screen.query_one("#saved").render()))

    app = ShupingApp(snapshot_archive)
    assert snap_compare(app, terminal_size=(80, 24), run_before=key_two_ballots_and_wait_until_saved)


def test_projector_snapshot(snap_compare, demo_archive):
    async def open_projector(pilot):
        await pilot.press("f5", "enter", "o")

    assert snap_compare(ShupingApp(demo_archive), terminal_size=(80, 24), run_before=open_projector)



@sync
async def test_correct_and_invalidate_finished_ballots_with_reasons(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=4, double_entry=False)
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "k", *"123", "enter", *"111", "enter")
        await wait_writer(pilot, app)
        await pilot.press("up", "up", "home", "4")  # ballot 1, first cell: 好 → 差
        assert app.screen.sheet.rows[0].dirty
        await pilot.press("enter", *"看错行", "enter")
        sheet = app.screen.sheet
        assert (sheet.row, sheet.col) == (2, 0)  # back to the open ballot's first empty cell
        await pilot.press("up", "x", *"票面涂改", "enter")
        await wait_writer(pilot, app)
        await pilot.press("escape", "o")
        projector_before = app.export_screenshot()
    first, second = load_ballots(archive, "o", 2020, 1)[1].record, load_ballots(archive, "o", 2020, 1)[2].record
    assert first.marks["b01"] == "差" and first.corrections == ["看错行"]
    assert second.status.value == "无效" and second.reason == "票面涂改"
    assert [c.subject for c in archive.history(layout.ballot_path("o", 2020, 1, 1))] == [
        "更正测评票：测试学院党委 第 1 号（第一遍录入）", "录入测评票：测试学院党委 第 1 号（第一遍录入）"]
    assert archive.history(layout.ballot_path("o", 2020, 1, 2))[0].subject == "宣布测评票无效：测试学院党委 第 2 号（第一遍录入）"
    assert "测评结果尚未公布" in projector_before  # results stay hidden until published


@sync
async def test_rater_group_stacks(tmp_path):
    from schema.records import RaterGroup

    archive = meeting_archive(tmp_path / "a", secretaries=2, ballots=4, double_entry=False)
    stored = archive.campaign()
    scoring = stored.record.scoring.model_copy(update={"rater_groups": [RaterGroup(name="A票", weight=0.6), RaterGroup(name="B票", weight=0.4)]})
    archive.save(stored, stored.record.model_copy(update={"scoring": scoring}), "测试：评价人类别")
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "k", *"11", "enter", "g", *"22", "enter", *"33", "enter")
        await wait_writer(pilot, app)
    groups = {s: b.record.group for s, b in load_ballots(archive, "o", 2020, 1).items()}
    assert groups == {1: "A票", 2: "B票", 3: "B票"}  # the group stays until switched again
    meeting = load_meeting(archive, "o", 2020).record
    assert [g.name for g in meeting.frozen.scoring.rater_groups] == ["A票", "B票"]  # frozen at the first ballot


def test_projector_wide_snapshot(snap_compare, demo_archive):
    async def open_projector(pilot):
        await pilot.press("f5", "enter", "o")

    assert snap_compare(ShupingApp(demo_archive), terminal_size=(140, 46), run_before=open_projector)


@sync
async def test_guide_walks_the_meeting_with_timer_and_comments_saved_as_typed(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=10)
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "n", "n")
        guide = app.screen
        where = str(guide.query_one("#where").render())
        assert "第 1/3 位：王晓明" in where and "下一位：李静" in where
        guide.elapsed = 4 * 60 + 10  # past the warning (1 minute before the 5-minute limit)
        guide.tick()
        timer = guide.query_one("#timer")
        assert timer.has_class("-warn") and "还剩 50 秒" in str(timer.render())
        guide.elapsed = 5 * 60 + 5
        guide.tick()
        assert timer.has_class("-over") and "已超时 0:05" in str(timer.render())
        await pilot.press("c", *"讲得实在", "escape")
        await pilot.pause(1.3)  # saved a second after typing stops
        await app.workers.wait_for_complete()
        await pilot.press("n")
        assert "第 2/3 位：李静" in str(guide.query_one("#where").render())
        await wait_writer(pilot, app)
    assert archive.read(Review, layout.review_path("o", 2020, "b01")).record.meeting.comment == "讲得实在"
    subjects = [c.subject for c in archive.history(limit=5)]
    assert subjects[:4] == ["述职：第 2 位（测试学院党委）", "点评：测试学院第1党支部", "评议会进入述职环节：测试学院党委",
                            "评议会进入签到环节：测试学院党委"]


@pytest.mark.parametrize(("size", "paged"), [((140, 46), False), ((80, 24), True), ((80, 12), True)])  # large digits from 80×24, paged
@sync
async def test_projector_footer_offers_paging_only_over_several_pages(demo_archive, size, paged):
    app = ShupingApp(demo_archive)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5", "enter", "o")
        await pilot.pause()
        assert (app.screen.pages > 1) is paged
        assert ("下一页" in app.export_screenshot()) is paged  # the footer's paging key


@sync
async def test_compare_resolves_whole_ballot_status_by_the_pass_that_is_right(tmp_path):
    from schema.kinds import BallotStatus
    from schema.records import Ballot
    from store.ballots import ballot_change

    archive = meeting_archive(tmp_path / "a", secretaries=2, ballots=3)
    done = BallotStatus.FINISHED

    def ballot(entry, serial, status=done, reason=""):
        return Ballot(org="o", year=2020, entry=entry, serial=serial, marks={"b01": "好", "b02": "较好"},
                      status=status, reason=reason)

    keyed = [ballot(1, 1), ballot(1, 2), ballot(1, 3), ballot(2, 1), ballot(2, 2, BallotStatus.INVALID, "未勾选任何等次以外的多处涂改")]
    archive.commit([ballot_change(b, None)[0] for b in keyed], "测试：两遍录入")
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "m")
        compare = app.screen
        await until(pilot, lambda: compare.comparison is not None)
        assert [(m.serial, m.column, m.first, m.second) for m in compare.mismatches] == [
            (2, "状态", "", "无效"), (3, "", "有", "缺")]
        await pilot.press("enter")
        assert type(app.screen).__name__ == "ResolveDialog"
        await pilot.press("3", "enter", *"核对纸质票", "enter")
        assert "正确值无效" in str(app.screen.query_one("#error").render())  # only 1 or 2
        await pilot.press("backspace", "2", "enter", "enter")  # the value again (the error put the cursor back), then the reason kept
        await wait_writer(pilot, app)
        assert [(m.serial, m.column) for m in compare.mismatches] == [(3, "")]
        await pilot.press("enter")
        assert any("第二遍缺第 3 号票" in n.message for n in app._notifications)
    first = load_ballots(archive, "o", 2020, 1)[2].record
    assert (first.status, first.reason) == (BallotStatus.INVALID, "未勾选任何等次以外的多处涂改")
    assert first.corrections == ["双录核对：核对纸质票"]
    assert archive.git.run("log", "-1", "--format=%s") == "双录核对：测试学院党委 第 2 号 整张票是否有效 以第二遍为准（无效）"
