"""The meeting set-up, the paper tally sheet and the one-line editor bar ask 保存 / 放弃 / 取消 on
Esc with edits, like every other form: 取消 keeps the edits, 放弃 leaves with nothing
committed, 保存 commits (asserted on ``git log``)."""

from __future__ import annotations

from store.archive import Archive
from store.meeting import load_meeting
from tests.conftest import git_log
from tests.meeting_archive import meeting_archive
from tests.test_keying_faults import sync, until
from tui.app import ShupingApp
from tui.dialogs import UnsavedDialog


def title(app) -> str:
    return str(app.screen.query_one("#title").render())


async def on(pilot, name: str) -> None:
    await until(pilot, lambda: type(pilot.app.screen).__name__ == name)
    await pilot.pause()


async def esc_asks(pilot) -> None:
    await pilot.press("escape")
    await on(pilot, "UnsavedDialog")


@sync
async def test_setup_asks_on_leaving(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=10)
    head = archive.head()
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "s")
        await on(pilot, "SetupScreen")
        await pilot.press("escape")  # nothing typed: straight back
        await on(pilot, "GuideScreen")
        await pilot.press("s")
        await on(pilot, "SetupScreen")
        app.screen.query_one("#place").value = "化学楼 301"
        await until(pilot, lambda: title(app).startswith("● 未保存 · "))
        await esc_asks(pilot)
        assert "评议会设置有未保存的修改" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")  # 取消
        await on(pilot, "SetupScreen")
        assert app.screen.query_one("#place").value == "化学楼 301"
        await esc_asks(pilot)
        await pilot.press("d")  # 放弃
        await on(pilot, "GuideScreen")
        assert archive.head() == head
        await pilot.press("s")
        await on(pilot, "SetupScreen")
        assert app.screen.query_one("#place").value == "学院会议室" and not title(app).startswith("● 未保存")
        app.screen.query_one("#place").value = "化学楼 302"
        await pilot.press("ctrl+o", "l")  # lots drawn: the order counts too
        await esc_asks(pilot)
        await pilot.press("enter")  # 保存
        await on(pilot, "GuideScreen")
        assert archive.head() != head and len(git_log(archive, f"{head}..HEAD")) == 1
    assert load_meeting(archive, "o", 2020).record.place == "化学楼 302"


def fill_sheet(screen, rows) -> None:
    for line, row in enumerate(rows):
        for c, cell in enumerate(row):
            screen.query_one(f"#c-{line}-{c}").value = cell


@sync
async def test_paper_sheet_asks_on_leaving(tmp_path):
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=10, double_entry=False)
    head = archive.head()
    app = ShupingApp(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter", "g")
        await on(pilot, "PaperCountScreen")
        fill_sheet(app.screen, [["7"]])
        await until(pilot, lambda: title(app).startswith("● 未保存 · "))
        await esc_asks(pilot)
        await pilot.press("escape")  # 取消
        await on(pilot, "PaperCountScreen")
        assert app.screen.query_one("#c-0-0").value == "7"
        await esc_asks(pilot)
        await pilot.press("d")  # 放弃
        await on(pilot, "GuideScreen")
        assert archive.head() == head
        await pilot.press("g")
        await on(pilot, "PaperCountScreen")
        assert app.screen.query_one("#c-0-0").value == ""
        fill_sheet(app.screen, [["7", "3"], ["5", "4", "1"], ["2", "2", "2", "2", "2"]])
        await esc_asks(pilot)
        await pilot.press("enter")  # 保存: published
        await on(pilot, "GuideScreen")
        assert len(git_log(archive, f"{head}..HEAD")) == 1
    assert load_meeting(archive, "o", 2020).record.published


@sync
async def test_inline_edit_asks_when_its_text_changed(demo_archive: Archive):
    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await on(pilot, "GradingScreen")
        await pilot.press("v")
        await on(pilot, "FollowupScreen")
        followup = app.screen
        editor = followup.query_one("#editor")
        box = followup.query_one("#editor #value")
        await pilot.press("s")
        await until(pilot, lambda: editor.is_open)
        original = box.value
        await pilot.press("escape")  # unchanged: closes at once
        await until(pilot, lambda: not editor.is_open)
        assert app.screen is followup
        head = demo_archive.head()
        await pilot.press("s")
        await until(pilot, lambda: editor.is_open)
        box.value = "全校各党委（党总支）"
        await esc_asks(pilot)
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")  # 取消: still editing, text kept
        await until(pilot, lambda: app.screen is followup)
        assert editor.is_open and box.value == "全校各党委（党总支）" and box.has_focus
        await esc_asks(pilot)
        await pilot.press("d")  # 放弃
        await until(pilot, lambda: app.screen is followup and not editor.is_open)
        await pilot.pause()
        assert demo_archive.head() == head
        await pilot.press("s")
        await until(pilot, lambda: editor.is_open)
        assert box.value == original
        box.value = "全校各党委（党总支）"
        await esc_asks(pilot)
        await pilot.press("enter")  # 保存: the same as Enter in the bar
        await until(pilot, lambda: demo_archive.head() != head)
        assert not editor.is_open
        assert "通报范围" in git_log(demo_archive, "-1")[0]
