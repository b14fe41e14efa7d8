"""The user's keymap (keymap.toml): rebound keys work, every place shows the same key, and a
broken file is named in one Chinese notification while the rest applies."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.command import CommandList
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from store.ballots import load_ballots
from tests.meeting_archive import meeting_archive
from tui.app import ShupingApp
from tui.keymap import Entry, check_keymap, keymap_path, read_keymap
from tui.keys import GLOBAL, key_display
from tui.screens.help import HelpScreen, help_sections


def keymap(tmp_path: Path, monkeypatch, text: str) -> Path:
    path = tmp_path / "keymap.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SHUPING_KEYMAP", str(path))
    return path


async def started(app: ShupingApp, pilot) -> None:
    """The keymap is checked in a thread after the first frame."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def footer_keys(app: ShupingApp) -> dict[str, str]:
    return {k.description: k.key_display for k in app.screen.query_one(Footer).query(FooterKey)}


def palette_titles(app: ShupingApp) -> list[str]:
    return [str(c.title) for c in app.get_system_commands(app.screen)]


async def help_labels(app: ShupingApp, pilot) -> dict[str, str]:
    """Action id → key label on the F1 screen; closes it again."""
    await pilot.press("f1")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    labels = {r.id: r.label for _, rows in help_sections(app.screen.for_screen) for r in rows if r.id}
    await pilot.press("escape")
    await pilot.pause()
    return labels


@pytest.mark.parametrize(
    ("key", "shown"),
    [("ctrl+s", "Ctrl+S"), ("f1", "F1"), ("enter", "Enter"), ("escape", "Esc"), ("up", "↑"), ("x", "X"),
     ("X", "Shift+X"), ("space", "空格"), ("slash", "/"), ("pagedown", "PgDn"), ("1", "1"),
     ("ctrl+shift+a", "Ctrl+Shift+A")],
)
def test_one_way_to_show_a_key(key, shown):
    assert key_display(Binding(key, "")) == shown


def test_the_keymap_file_follows_xdg_and_shuping_keymap(monkeypatch, tmp_path):
    monkeypatch.delenv("SHUPING_KEYMAP")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert keymap_path() == (tmp_path / "shuping" / "keymap.toml", False)
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert keymap_path() == (tmp_path / ".config" / "shuping" / "keymap.toml", False)
    monkeypatch.setenv("SHUPING_KEYMAP", str(tmp_path / "k.toml"))
    assert keymap_path() == (tmp_path / "k.toml", True)


def test_reading_a_keymap_quoted_ids_tables_lists_and_key_spelling():
    entries, problems = read_keymap(
        '# 我的按键\n"keying.mark_good" = "1, J"\napp.help = "F12"\n\n[keying]\nmark_poor = ["4", "Ctrl+P"]\n'
    )
    assert entries == [Entry("keying.mark_good", "1,J", 2), Entry("app.help", "f12", 3),
                       Entry("keying.mark_poor", "4,ctrl+p", 6)]
    assert problems == []


def test_swapping_two_keys_is_no_clash():
    importlib.import_module("tui.screens.keying")  # registers the keying actions

    keymap_, problems = check_keymap([Entry("keying.invalid", "g", 1), Entry("keying.group", "x", 2)])
    assert keymap_ == {"keying.invalid": "g", "keying.group": "x"} and problems == []


def test_a_rebound_global_key_and_keying_mark_keys_work(tmp_path, monkeypatch):
    keymap(tmp_path, monkeypatch, '"app.grading" = "f12"\n"keying.mark_good" = "j"\n"keying.mark_poor" = "1,p"\n')
    archive = meeting_archive(tmp_path / "a", secretaries=3, ballots=4, double_entry=False)

    async def run():
        app = ShupingApp(archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(app, pilot)
            assert "F12评定" in str(app.screen.query_one("#navbar", Static).render())
            await pilot.press("f6")  # no longer 评定
            await pilot.pause()
            assert app.current_mode == "dashboard"
            await pilot.press("f12")
            await pilot.pause()
            assert app.current_mode == "grading"
            await pilot.press("f5", "enter", "k")
            await pilot.pause()
            assert footer_keys(app)["好"] == "J" and footer_keys(app)["差"] == "1"
            await pilot.press("j", "1", "p", "enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            app.service.flush()
            await pilot.pause()
        assert load_ballots(archive, "o", 2020, 1)[1].record.marks == {"b01": "好", "b02": "差", "b03": "差"}

    asyncio.run(run())


def test_footer_help_and_palette_show_a_key_the_same_way(tmp_path, monkeypatch, demo_archive):
    keymap(tmp_path, monkeypatch, '"reports.export" = "ctrl+e"\n')

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(app, pilot)
            await pilot.press("f4")
            await pilot.pause()
            footer = footer_keys(app)
            labels = await help_labels(app, pilot)
            palette = palette_titles(app)
            for action_id, name, label in [("reports.export", "导出", "Ctrl+E"), ("reports.facts", "支部数据", "F"),
                                           ("reports.open", "打开", "Enter"), ("app.help", "帮助", "F1")]:
                assert footer[name] == label and labels[action_id] == label
                assert f"{name}（{label}）" in palette
            queue = app.screen
            await pilot.press("x")  # the old key does nothing now
            await pilot.pause()
            assert app.screen is queue
            await pilot.press("ctrl+p", *"导出")
            await pilot.pause(0.3)
            shown = app.screen.query_one(CommandList)
            titles = [str(shown.get_option_at_index(i).prompt).split("\n")[0] for i in range(shown.option_count)]
            assert titles == ["导出（Ctrl+E）"]

    asyncio.run(run())


def test_help_shows_each_actions_id(demo_archive):
    from tui.keys import REGISTRY

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f1")
            await pilot.pause()
            text = app.export_screenshot()
            assert "dashboard.open" in text and "app.help" in text
            sections = dict(help_sections(app.screen.for_screen))
            assert all(r.id for rows in sections.values() for r in rows)  # every key listed here can be rebound
            assert {r.id for r in sections[GLOBAL]} == {a.id for a in REGISTRY[GLOBAL]}

    asyncio.run(run())


BROKEN = """\
"app.grading" = "f12"
this is no toml
"keying.mark_goood" = "j"
"keying.finish" = "x"
"app.reload" = "kp_1"
"""


def test_a_broken_keymap_is_named_in_one_chinese_notification_and_the_rest_applies(tmp_path, monkeypatch, demo_archive):
    path = keymap(tmp_path, monkeypatch, BROKEN)

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(app, pilot)
            notes = [n for n in app._notifications if n.title == "按键设置有误"]
            assert len(notes) == 1
            assert notes[0].message == (
                f'{path}:2: 这一行不是有效的 TOML，应写成 "编号" = "按键"，如 "keying.mark_good" = "1,j"\n'
                f"{path}:3: 没有编号为 keying.mark_goood 的操作（按 F1 可查看每个操作的编号）\n"
                f"{path}:4: keying.finish 的按键 x 已由 keying.invalid（作废）使用，未生效\n"
                f"{path}:5: app.reload 的按键 kp_1 无法识别\n"
                "其余按键设置已生效。"
            )
            assert "keying.finish" not in app._keymap
            await pilot.press("f12")  # the good line applies
            await pilot.pause()
            assert app.current_mode == "grading"
            await pilot.press("f3")  # and the app goes on as usual
            await pilot.pause()
            assert app.current_mode == "branches"

    asyncio.run(run())


def test_a_keymap_named_but_missing_says_so(tmp_path, monkeypatch, demo_archive):
    monkeypatch.setenv("SHUPING_KEYMAP", str(tmp_path / "nowhere.toml"))

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(app, pilot)
            assert [n.message for n in app._notifications if n.title == "按键设置"] == [
                f"找不到按键设置文件 {tmp_path / 'nowhere.toml'}，使用默认按键。"]

    asyncio.run(run())
