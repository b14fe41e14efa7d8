"""The operator's flow through the meeting (issues 17, 18, 19), with the real app at 80×24: the
guide names the next key at every step and warns before keying without 签到; papers printed
from the guide; set-up errors beside their field and on screen; toasts stay on their screen."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document

from schema.clock import Clock
from schema.kinds import BallotStatus, MeetingStage
from schema.records import Attendance, Ballot
from store.archive import Archive
from store.meeting import load_meeting
from store.service import Service
from tests.meeting_archive import SECRETARIES, meeting_archive
from tests.test_meeting_tui import sync, until
from tests.test_papers import GRADE_HEADER, rows_of, tables_headed
from tui.app import ShupingApp

MARKS = ["好", "较好", "一般"]


def with_meeting(archive: Archive, **update) -> Archive:
    stored = load_meeting(archive, "o", 2020)
    archive.save(stored, stored.record.model_copy(update=update), "测试：评议会")
    return archive


def keyed(archive: Archive, ballots: int) -> Service:
    """``ballots`` keyed through the service (the first freezes the meeting), the same in both passes."""
    service = Service(archive, Clock(fixed_today=date(2021, 1, 20)))
    service.load()
    for entry in (1, 2):
        for serial in range(1, ballots + 1):
            service.ballots.finish(Ballot(org="o", year=2020, entry=entry, serial=serial, status=BallotStatus.OPEN,
                                          marks={f"b{n + 1:02d}": MARKS[n] for n in range(3)}))
    service.flush()
    return service


def stage_archive(tmp_path, stage: str) -> Archive:
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=4)
    if stage in ("签到", "述职"):
        return with_meeting(archive, stage=MeetingStage(stage), speaker=0)
    service = keyed(archive, 4)
    if stage == "计票":
        with_meeting(archive, stage=MeetingStage.COUNTING)
    elif stage == "公布":
        service.meeting.publish("o")
    return archive


async def open_guide(pilot) -> None:
    await pilot.press("f5", "enter")
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "GuideScreen")
    await pilot.app.workers.wait_for_complete()  # the ballots counted
    await pilot.pause()


NEXT_STEPS = {
    "签到": "清点实到人数（s 设置），按 n 开始述职",
    "述职": "按 n 请下一位述职（t 计时，c 点评）；全部述职完毕后按 n 进入测评",
    "测评": "两遍均已录完：m 双录核对、r 计票核对，平衡后按 p 公布",
    "计票": "m 双录核对、r 计票核对，平衡后按 p 公布",
    "公布": "结果已公布：o 投影显示；按 F6 评定等次",
}


@pytest.mark.parametrize("stage", list(NEXT_STEPS))
def test_guide_snapshot_after_each_step(snap_compare, tmp_path, stage):
    """After ①签到 … ⑤公布 the guide's 下一步 names the key: n, m/r/p once both passes are keyed, F6 after 公布."""

    async def open_guide_and_read_next_step(pilot):
        await open_guide(pilot)
        await until(pilot, lambda: f"下一步：{NEXT_STEPS[stage]}" in str(pilot.app.screen.query_one("#where").render()))

    assert snap_compare(ShupingApp(stage_archive(tmp_path, stage)), terminal_size=(80, 24),
                        run_before=open_guide_and_read_next_step)


@sync
async def test_guide_asks_before_keying_when_nobody_signed_in_and_toasts_stay_on_their_screen(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=4)
    stored = load_meeting(archive, "o", 2020)
    with_meeting(archive, attendance=[a.model_copy(update={"present": 0}) for a in stored.record.attendance])
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_guide(pilot)
        await pilot.press("t")  # outside 述职: “计时和点评用于述职环节……”
        app.notify("写入失败", severity="error")
        await until(pilot, lambda: len(app._notifications) == 2)
        await pilot.press("k")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        assert [n.message for n in app._notifications] == ["写入失败"]  # only an error follows to the next screen
        assert app.screen.text.startswith("还没有签到（实到人数为 0）") and app.screen.text.endswith("仍要录票吗？")
        await pilot.press("escape")
        assert type(app.screen).__name__ == "GuideScreen"
        await pilot.press("k")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "KeyingScreen")


@sync
async def test_ballots_printed_from_the_guide_in_the_speaking_order_then_a_new_order_asks_before_keying(tmp_path):
    archive = with_meeting(meeting_archive(tmp_path / "a", secretaries=3, ballots=3), order=["b03", "b01", "b02"])
    out = tmp_path / "out" / "测评票.docx"
    out.parent.mkdir()
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_guide(pilot)
        await pilot.press("d")
        await until(pilot, lambda: type(app.screen).__name__ == "PromptDialog")
        answer = app.screen.query_one("#answer")
        assert answer.value == "1"  # before 签到 the guide offers the sign-in sheet
        answer.value = "2"
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "title_text", "").startswith("打印测评票"))
        app.screen.query_one("#answer").value = str(out)
        await pilot.press("enter")
        await until(pilot, lambda: load_meeting(archive, "o", 2020).record.printed)
        await app.workers.wait_for_complete()
        assert any("已输出测评票" in n.title for n in app._notifications)

        tables = tables_headed(Document(out), GRADE_HEADER)
        assert len(tables) == 4  # the 4 ballots the set-up issues
        assert rows_of(tables[0]) == [("1", SECRETARIES[2], "测试学院第3党支部"), ("2", SECRETARIES[0], "测试学院第1党支部"),
                                      ("3", SECRETARIES[1], "测试学院第2党支部")]
        printed = load_meeting(archive, "o", 2020).record.printed[-1]
        assert printed.order == ["b03", "b01", "b02"]
        assert archive.history(limit=1)[0].subject.startswith("打印测评票：测试学院党委")

        await pilot.press("s")  # the order changed after printing
        await until(pilot, lambda: type(app.screen).__name__ == "SetupScreen")
        await pilot.press("ctrl+o", "d", "ctrl+s")
        await until(pilot, lambda: load_meeting(archive, "o", 2020).record.order == ["b01", "b03", "b02"])
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "GuideScreen")
        await pilot.press("k")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        assert app.screen.title_text == "打印的测评票与现在不一致"


@sync
async def test_setup_errors_beside_their_field_and_on_screen_at_80x24_then_printing_from_the_setup(tmp_path):
    app = ShupingApp(meeting_archive(tmp_path / "a", secretaries=12, ballots=40))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_guide(pilot)
        await pilot.press("s")
        await until(pilot, lambda: type(app.screen).__name__ == "SetupScreen")
        setup = app.screen
        setup.query_one("#held").value = "2021/1/32"
        setup.query_one("#collected").value = "四十"
        await pilot.press("ctrl+s")
        await pilot.pause()
        held, counts = setup.query_one("#held-error"), setup.query_one("#counts-error")
        assert str(held.render()) == "没有这一天：2021年1月32日"
        assert str(counts.render()) == "收回票数应为非负整数，现为“四十”"
        assert str(setup.query_one("#error").render()) == "有 2 处填写错误（已标在该栏下方），未保存。"
        screen = app.screen.region
        await until(pilot, lambda: held.region.height and screen.contains_region(held.region))  # scrolled to the first
        setup.query_one("#held").value = "2021.1.16"  # errors go as they are corrected
        await pilot.pause()
        assert held.has_class("-empty") and not counts.has_class("-empty")
        setup.query_one("#collected").value = "40"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: load_meeting(app.archive, "o", 2020).record.held == date(2021, 1, 16))
        assert str(setup.query_one("#error").render()) == ""
        await app.workers.wait_for_complete()

        await pilot.press("ctrl+t")  # printing from the set-up: before 签到, the sign-in sheet is offered
        await until(pilot, lambda: type(app.screen).__name__ == "PromptDialog")
        assert app.screen.query_one("#answer").value == "1"
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "title_text", "").startswith("打印签到表"))
        app.screen.query_one("#answer").value = str(tmp_path / "签到表.docx")
        await pilot.press("enter")
        await until(pilot, lambda: load_meeting(app.archive, "o", 2020).record.printed)
        assert any("签到表" in p.text for p in Document(tmp_path / "签到表.docx").paragraphs)
        assert load_meeting(app.archive, "o", 2020).record.printed[-1].kind.value == "签到表"


@sync
async def test_projector_pages_through_the_secretaries_in_large_digits_at_80x24(demo_archive):
    from textual.widgets import Digits

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "o")
        await until(pilot, lambda: type(app.screen).__name__ == "ProjectorScreen" and app.screen.query(Digits))
        projector = app.screen
        first = [str(s.render()).split()[0] for s in projector.query(".big-row > Static")]
        assert first == ["1", "2", "3", "4", "5", "6"] and projector.pages == 2
        await pilot.press("pagedown")
        await until(pilot, lambda: projector.page == 1 and projector.query(Digits))
        assert [str(s.render()).split()[0] for s in projector.query(".big-row > Static")][0] == "7"
        await pilot.pause()
        assert "第 2/2 页" in app.export_screenshot().replace("&#160;", " ")
