"""Ctrl+Y on an archive without a central one asks where it is (and then syncs) rather than failing."""

from __future__ import annotations

import subprocess

from store.archive import Archive
from tests.test_campaign import _settle, run_async


@run_async
async def test_ctrl_y_without_a_remote_asks_for_one_then_syncs(demo_archive: Archive, tmp_path):
    from tui.app import ShupingApp
    from tui.dialogs import PromptDialog
    from tui.screens.sync import SyncScreen

    central = tmp_path / "central.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(central)], check=True)
    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+y")
        await _settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        assert str(app.screen.query_one(".dialog-title").render()) == "设置远程档案"
        await pilot.press("enter")  # blank: said under the field, the dialog stays
        await pilot.pause()
        assert "请填写远程档案地址" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#answer").value = str(central)
        await pilot.press("enter")
        await _settle(pilot)
        await _settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert not any(n.severity == "error" for n in app._notifications)
    assert app.service.sync.remote() == str(central)
    assert subprocess.run(["git", "-C", str(central), "rev-parse", "main"], capture_output=True).returncode == 0


@run_async
async def test_ctrl_y_without_a_remote_cancelled_changes_nothing(demo_archive: Archive):
    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+y")
        await _settle(pilot)
        await pilot.press("escape")
        await _settle(pilot)
        assert "尚未设置远程档案" in str(app.screen.query_one("#summary").render())
    assert app.service.sync.remote() is None
