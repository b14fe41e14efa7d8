"""One place for exports: a per-user folder outside the records (``~/shuping-exports`` unless
the archive settings' ``export_dir`` says otherwise), offered in full from every screen and
used by the command line when ``-o`` is left out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from schema.records import ArchiveSettings
from store import layout
from store.archive import Archive
from store.errors import StoreError
from store.outputs import export_folder, export_path
from tests.conftest import git_log
from tests.test_campaign import _settle, run_async

LONG = "/srv/共享文件/党委组织部/2020年度党支部书记述职评议考核/各二级党组织的导出文件/张三的文件夹"


def _set_export_dir(archive: Archive, folder: str) -> None:
    stored = archive.read(ArchiveSettings, layout.SETTINGS)
    archive.save(stored, stored.record.model_copy(update={"export_dir": folder}), "导出文件夹")


def test_the_folder_is_in_each_users_home_unless_set(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("store.outputs.DEFAULT_EXPORT_DIR", "~/shuping-exports")  # as shipped (conftest moves it)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "archive"
    root.mkdir()
    assert export_folder(root) == tmp_path / "home" / "shuping-exports"
    assert export_folder(root, "~/导出") == tmp_path / "home" / "导出"
    assert export_folder(root, "导出") == tmp_path / "home" / "导出"  # relative: from the home folder
    assert export_folder(root, str(tmp_path / "elsewhere")) == tmp_path / "elsewhere"
    written = export_path(root, "", "统计表.xlsx")
    assert written == tmp_path / "home" / "shuping-exports" / "统计表.xlsx" and written.parent.is_dir()
    assert export_path(root, "", str(tmp_path / "x.xlsx")) == tmp_path / "x.xlsx"  # a full path is kept
    with pytest.raises(StoreError, match="导出文件夹不能放在档案的记录文件夹中（orgs）"):
        export_folder(root, str(root / "orgs"))


def test_cli_writes_to_the_export_folder_when_o_is_left_out(demo_archive: Archive, tmp_path: Path):
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home)}
    run = [sys.executable, "-m", "tui"]
    root = str(demo_archive.root)
    stats = subprocess.run([*run, "export", "stats", "-a", root], capture_output=True, text=True, env=env, timeout=60)
    assert stats.returncode == 0, stats.stderr
    assert (home / "shuping-exports" / "统计表-2020-全校汇总.xlsx").is_file()
    _set_export_dir(demo_archive, str(tmp_path / "set"))  # the setting, as the CLI's service reads it
    from store.service import Service

    assert Service(Archive.open(demo_archive.root)).export_path("x.docx") == tmp_path / "set" / "x.docx"


@run_async
async def test_f8_export_offers_the_folder_in_full_and_writes_there(demo_archive: Archive, tmp_path: Path):
    from tui.app import ShupingApp
    from tui.dialogs import PathDialog

    folder = tmp_path / "各二级党组织的导出文件"
    _set_export_dir(demo_archive, str(folder))
    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await _settle(pilot)
        await pilot.press("x")
        await _settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PathDialog) and dialog.folder == folder
        shown = str(dialog.query_one("#full-path").render())
        assert shown.replace("\n", "") == f"将写入：{folder}/{dialog.query_one('#answer').value}"
        await pilot.press("enter")
        await _settle(pilot)
        assert [p.suffix for p in folder.iterdir()] == [".xlsx"]
        await pilot.press("f6")  # F6 → v → x: the same folder
        await _settle(pilot)
        await pilot.press("v")
        await _settle(pilot)
        await pilot.press("x")
        await _settle(pilot)
        assert isinstance(app.screen, PathDialog) and app.screen.query_one("#answer").value == str(folder)


@run_async
async def test_f9_sets_the_export_folder_in_one_commit(demo_archive: Archive):
    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await _settle(pilot)
        await pilot.press("ctrl+f")
        await _settle(pilot)
        app.screen.query_one("#answer").value = "~/述评导出"
        await pilot.press("enter")
        await _settle(pilot)
        assert app.snapshot.settings.export_dir == "~/述评导出"
    assert git_log(demo_archive, "-1") == ["测试员|导出文件夹：~/述评导出"]


def test_the_export_path_is_wrapped_at_80_columns(demo_archive: Archive, snap_compare):
    from tui.app import ShupingApp

    _set_export_dir(demo_archive, LONG)

    async def open_export(pilot) -> None:
        await pilot.press("f8")
        await _settle(pilot)
        await pilot.press("x")
        await _settle(pilot)
        pilot.app.screen.query_one("#answer").cursor_blink = False

    assert snap_compare(ShupingApp(demo_archive), terminal_size=(80, 24), run_before=open_export)
