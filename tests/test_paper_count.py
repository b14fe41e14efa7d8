"""A meeting counted on paper: the rules that turn a tally sheet into tallies, and the screen
that takes the sheet from the keyboard and publishes it as one commit."""

from __future__ import annotations

import asyncio
import functools

from schema.paper import paper_problems, paper_tallies, parse_count
from schema.records import Meeting, RaterGroup, Review, ScoringSettings
from schema.recompute import paper_tally_differences
from store import layout
from store.meeting import load_meeting
from tests.meeting_archive import meeting_archive
from tui.app import ShupingApp


def sync(test):
    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return run


def test_counts_become_the_same_tally_as_keyed_ballots_would():
    scoring = ScoringSettings()
    tally = paper_tallies({"b1": {"": {"好": 10, "较好": 5, "一般": 1}}}, scoring)["b1"]
    assert tally.counts == {"好": 10, "较好": 5, "一般": 1, "差": 0, "弃权": 0}
    assert (tally.valid, tally.score, tally.good_share) == (16, 91.25, 0.625)
    assert tally.method == "加权得票分（纸质计票汇总）"
    assert paper_tally_differences(tally, 16, scoring) == []  # verify's recount agrees


def test_rater_groups_are_counted_apart_and_weighted():
    scoring = ScoringSettings(rater_groups=[RaterGroup(name="委员", weight=0.6), RaterGroup(name="其他", weight=0.4)])
    tally = paper_tallies({"b1": {"委员": {"好": 5}, "其他": {"好": 5, "一般": 5}}}, scoring)["b1"]
    assert tally.group_scores == {"委员": 100.0, "其他": 80.0}
    assert tally.score == 92.0 and tally.valid == 15
    assert tally.method.startswith("按评价人类别加权（委员 60%、其他 40%）")


def test_rows_that_do_not_add_up_name_the_secretary_and_the_difference():
    meeting = Meeting(org="o", year=2020)
    rows = {"b1": {"": {"好": 3, "较好": 1}}, "b2": {"": {"好": 4}}}
    blocking, _ = paper_problems(meeting, rows, {"b1": "王晓明", "b2": "李静"}, {"": 4}, 0, 0.5)
    assert blocking == []
    rows["b2"][""]["差"] = 2
    blocking, _ = paper_problems(meeting, rows, {"b1": "王晓明", "b2": "李静"}, {"": 4}, 0, 0.5)
    assert blocking == ["李静：好+较好+一般+差+弃权 = 6 ≠ 有效票 4 张（多 2）"]


def test_counts_typed_in_cells():
    assert parse_count(" １２ ", "x") == (12, "")
    assert parse_count("", "x") == (0, "")
    assert parse_count("3.5", "王晓明「好」") == (None, "王晓明「好」：“3.5”不是票数（应为 0 或正整数）")


@sync
async def test_paper_sheet_typed_and_published_as_one_commit(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=10, double_entry=False)
    head = archive.git.run("rev-parse", "HEAD")
    app = ShupingApp(archive)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5", "enter", "g")
        assert type(app.screen).__name__ == "PaperCountScreen"
        await pilot.press("enter", "enter")  # 有效票 10 (the 收回 of the set-up), 无效票 0
        # 好 较好 一般 差 弃权 per secretary; Enter moves to the next cell
        for row in (["7", "3", "", "", ""], ["5", "4", "1", "", ""], ["2", "2", "2", "2", "1"]):
            for cell in row:
                await pilot.press(*cell, "enter")
        problems = str(app.screen.query_one("#problems").render())
        assert "张立新：好+较好+一般+差+弃权 = 9 ≠ 有效票 10 张（少 1）" in problems
        await pilot.press("ctrl+s")
        assert type(app.screen).__name__ == "PaperCountScreen"  # refused: nothing written
        assert archive.git.run("rev-parse", "HEAD") == head
        await pilot.press("shift+tab", "backspace", "2")  # 弃权 1 → 2
        assert "张立新" not in str(app.screen.query_one("#problems").render())
        await pilot.press("ctrl+s")
        for _ in range(100):
            if type(app.screen).__name__ != "PaperCountScreen":
                break
            await pilot.pause(0.05)
        assert type(app.screen).__name__ == "GuideScreen"
    meeting = load_meeting(archive, "o", 2020).record
    assert meeting.published and meeting.frozen is None and meeting.ballots.valid == 10
    reviews = {b: archive.read(Review, layout.review_path("o", 2020, b)).record for b in ("b01", "b02", "b03")}
    assert reviews["b01"].tally.counts["好"] == 7 and reviews["b01"].tally.score == 94.0
    assert reviews["b03"].tally.counts == {"好": 2, "较好": 2, "一般": 2, "差": 2, "弃权": 2}
    log = archive.git.run("log", "--format=%s", f"{head}..HEAD").splitlines()
    assert log == ["公布测评结果：测试学院党委（纸质计票，有效票 10 张）"]


@sync
async def test_paper_sheet_refused_once_ballots_are_keyed(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=2, ballots=4, double_entry=False)
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "k", *"12", "enter", "escape", "g")
        await pilot.pause()
        assert type(app.screen).__name__ == "GuideScreen"
        assert any("已录入测评票" in n.message for n in app._notifications)


def test_paper_sheet_snapshot(snap_compare, demo_archive):
    """The demo's planned meeting (后勤集团党总支, the last in the list) has two rater groups: a sheet each."""

    async def open_sheet_and_type_a_row(pilot):
        # each step waits for the screen it opens (workers load the meeting), so no key lands early
        for keys in (["f5"], ["down"] * 7 + ["enter"], ["g"]):
            await pilot.press(*keys)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press(*"7", "tab", *"20", "tab", "tab", *"6", "tab", "1")

    assert snap_compare(ShupingApp(demo_archive), terminal_size=(80, 24), run_before=open_sheet_and_type_a_row)


def test_verify_recounts_a_weighted_paper_tally_from_its_group_counts():
    scoring = ScoringSettings(rater_groups=[RaterGroup(name="委员", weight=0.6), RaterGroup(name="其他", weight=0.4)])
    tally = paper_tallies({"b1": {"委员": {"好": 5}, "其他": {"好": 5, "一般": 5}}}, scoring)["b1"]
    assert tally.group_counts["其他"] == {"好": 5, "较好": 0, "一般": 5, "差": 0, "弃权": 0}
    assert paper_tally_differences(tally, 15, scoring) == []
    edited = tally.model_copy(update={"score": 95.0})  # a hand edit of the published score
    assert paper_tally_differences(edited, 15, scoring) == ["[tally.score] 记录为 95，按各类别票数加权应为 92。"]
