"""Unsaved edits are never lost silently: leaving a form (Esc, an F-key), quitting (Ctrl+Q) or
reading again (Ctrl+R) asks 保存 / 放弃 / 取消; a form with edits says 未保存; a record another
operator commits while it is open is announced with the commit's author."""

from __future__ import annotations

from store.archive import Archive
from tests.conftest import git_log
from tests.test_campaign import _settle, run_async


def _title(app) -> str:
    return str(app.screen.query_one("#title").render())


async def _open_f9_and_edit(pilot, value: str = "25") -> None:
    await pilot.press("f9")
    await _settle(pilot)
    pilot.app.screen.query_one("#good_max").value = value
    await pilot.pause()


@run_async
async def test_f9_marks_unsaved_and_asks_before_switching(demo_archive: Archive):
    from tui.app import ShupingApp
    from tui.dialogs import UnsavedDialog

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_f9_and_edit(pilot)
        f9 = app.screen
        assert _title(app).startswith("● 未保存 · 年度设置")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        assert "年度设置有未保存的修改" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")  # 取消: stay, edits kept
        await pilot.pause()
        assert app.screen is f9 and f9.query_one("#good_max").value == "25"
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("d")  # 放弃: the form shows what is stored, then the switch goes ahead
        await _settle(pilot)
        assert app.current_mode == "branches"
        assert f9.query_one("#good_max").value == "30" and not f9.has_unsaved()
        await pilot.press("f9")
        await _settle(pilot)
        assert not _title(app).startswith("● 未保存")
        f9.query_one("#good_max").value = "25"
        await pilot.pause()
        await pilot.press("ctrl+r")  # reading again asks too; 放弃 resets the form
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("d")
        await _settle(pilot)
        assert f9.query_one("#good_max").value == "30" and not _title(app).startswith("● 未保存")


@run_async
async def test_ctrl_q_asks_for_a_form_in_another_screen_refuses_a_bad_save_then_saves_and_quits(demo_archive: Archive):
    from tui.app import ShupingApp
    from tui.dialogs import UnsavedDialog

    app = ShupingApp(demo_archive)
    head = demo_archive.head()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_f9_and_edit(pilot, "120")  # not a valid share: saving is refused
        f9 = app.screen
        app.switch_mode("dashboard")  # behind the question's back: the form is out of sight
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.current_mode == "campaign" and isinstance(app.screen, UnsavedDialog)
        await pilot.press("enter")
        await _settle(pilot)
        assert app.is_running and app.screen is f9  # refused: nothing saved, nothing quit
        assert "0–100%" in str(f9.query_one("#quota-error").render())
        assert demo_archive.head() == head
        f9.query_one("#good_max").value = "25"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert "退出之前" in str(app.screen.query_one(".dialog-text").render())
        await pilot.press("enter")  # 保存: committed, then the app quits
        await _settle(pilot)
    assert app.return_code == 0
    assert git_log(demo_archive, "-1") == ["测试员|修改年度设置：2020年度（“好”名额 30%（向下取整） → 25%（向下取整））"]


@run_async
async def test_branch_esc_asks_and_saves_before_leaving(demo_archive: Archive):
    from tui.app import ShupingApp
    from tui.dialogs import UnsavedDialog
    from tui.screens.branch import BranchScreen

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(BranchScreen("b0001"))
        await _settle(pilot)
        branch = app.screen
        branch.query_one("#secretary").value = "王五"
        await pilot.pause()
        assert _title(app).startswith("● 未保存")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is not branch and branch not in app.screen_stack
        assert app.snapshot.branches["b0001"].record.secretary == "王五"


def _other_operator_saves(archive: Archive, good_max: float) -> None:
    other = Archive.open(archive.root, "李四")
    stored = other.campaign()
    quota = stored.record.quota.model_copy(update={"good_max": good_max})
    other.save(stored, stored.record.model_copy(update={"quota": quota}), "修改年度设置（李四）")


@run_async
async def test_a_change_by_someone_else_names_them_and_asks_before_dropping_edits(demo_archive: Archive):
    from tui.app import ShupingApp
    from tui.dialogs import ConfirmDialog

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await _settle(pilot)
        _other_operator_saves(demo_archive, 0.2)
        app.reload()
        await _settle(pilot)
        await _settle(pilot)
        assert app.screen.query_one("#good_max").value == "20"
        assert any("李四" in n.message and "年度设置" in n.message for n in app._notifications)
        f9 = app.screen  # now with edits here: asked first
        f9.query_one("#good_max").value = "25"
        await pilot.pause()
        _other_operator_saves(demo_archive, 0.15)
        app.reload()
        await _settle(pilot)
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "李四" in str(app.screen.query_one(".dialog-title").render())
        assert f9.query_one("#good_max").value == "25"  # not yet dropped
        await pilot.press("enter")  # take theirs
        await _settle(pilot)
        assert f9.query_one("#good_max").value == "15" and not f9.has_unsaved()


@run_async
async def test_the_feedback_form_asks_before_closing_with_edits(demo_archive: Archive):
    from textual.widgets import TextArea

    from tui.app import ShupingApp
    from tui.dialogs import UnsavedDialog
    from tui.screens.followup import FeedbackDialog

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("f6", "v", "enter"):
            await pilot.press(key)
            await _settle(pilot)
        form = app.screen
        assert isinstance(form, FeedbackDialog)
        await pilot.press("escape")  # nothing typed: closes at once
        await _settle(pilot)
        assert not isinstance(app.screen, FeedbackDialog)
        await pilot.press("enter")
        await _settle(pilot)
        form = app.screen
        form.query_one("#text", TextArea).text = "反馈：请加强理论学习。"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")  # 取消: the text stays
        await pilot.pause()
        assert app.screen is form and form.query_one("#text", TextArea).text == "反馈：请加强理论学习。"
        await pilot.press("ctrl+q")  # quitting asks too; 保存 saves, then quits
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("enter")
        await _settle(pilot)
    assert app.return_code == 0
    assert git_log(demo_archive, "-1")[0].startswith("测试员|反馈：")


@run_async
async def test_f6_grades_not_saved_ask_before_switching(demo_archive: Archive):
    from tui.app import ShupingApp
    from tui.dialogs import UnsavedDialog

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("f6", "n", "n", "a"):
            await pilot.press(key)
            await _settle(pilot)
        assert _title(app).startswith("● 未保存 · 评定")
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("d")
        await _settle(pilot)
        assert app.current_mode == "rectification"
        await pilot.press("f6")
        await _settle(pilot)
        assert not app.screen.has_unsaved() and not _title(app).startswith("● 未保存")
