"""Keys as a keyboard user expects them: screen keys work from any widget, F1 toggles help,
no key name in English, every footer fits at 80 columns."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable, Footer, TextArea
from textual.widgets._footer import FooterKey

from store.archive import Archive
from tui.app import ShupingApp
from tui.keys import GLOBAL, REGISTRY
from tui.screens.help import HelpScreen, help_sections

RETURNED = "b0062"  # the demo's logi branch returned with a comment: its report is editable


async def settle(app: ShupingApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_report_editor(app: ShupingApp, pilot) -> None:
    await pilot.press("f4")
    await pilot.pause()
    queue = app.screen
    queue.query_one("#queue", DataTable).move_cursor(row=queue.row_ids.index(RETURNED))
    await pilot.press("enter")
    await settle(app, pilot)


def footer_overflow(app: ShupingApp) -> list[str]:
    """Footer keys cut off at the window's edge or hidden under the palette key docked right."""
    keys = list(app.screen.query_one(Footer).query(FooterKey))
    palette = [k for k in keys if k.has_class("-command-palette")]
    edge = palette[0].region.x if palette else app.size.width
    return [f"{k.key_display} {k.description}" for k in keys
            if not k.has_class("-command-palette") and k.region.right > edge]


def test_screen_keys_reach_the_app_from_a_focused_text_area(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_report_editor(app, pilot)
            area = app.screen.query_one("#text", TextArea)
            assert app.focused is area and not area.read_only
            await pilot.press("f6")  # TextArea binds F6 (select line) and F7 (select all) itself
            await pilot.pause()
            assert app.current_mode == "grading"
            await pilot.press("f4")
            await pilot.pause()
            assert app.focused is area
            await pilot.press("f7")
            await pilot.pause()
            assert app.current_mode == "rectification"
            await pilot.press("f4")
            await pilot.pause()
            assert area.text == area.text and area.selected_text == ""  # nothing was selected on the way

    asyncio.run(run())


def test_f1_opens_help_for_the_screen_and_f1_again_closes_it(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_report_editor(app, pilot)
            editor = app.screen
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            sections = dict(help_sections(app.screen.for_screen))
            assert [r.keys for r in sections["述职报告编辑"]][:2] == ["ctrl+s", "ctrl+l"]
            assert ("ctrl+b", "导入") in [(r.keys, r.name) for r in sections["述职报告编辑"]]  # off the footer, still here
            assert [r.keys for r in sections[GLOBAL]][:10] == [f"f{n}" for n in range(1, 11)]
            await pilot.press("f1")
            await pilot.pause()
            assert app.screen is editor
            await pilot.press("f1", "f6")  # a screen key closes help on the way
            await pilot.pause()
            assert app.current_mode == "grading" and not isinstance(app.screen, HelpScreen)
            await pilot.press("f4")
            await pilot.pause()
            assert app.screen is editor

    asyncio.run(run())


def test_screen_keys_wait_while_a_dialog_is_open(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_report_editor(app, pilot)
            await pilot.press("ctrl+f")  # 支部数据: a form that may hold typing
            await pilot.pause()
            dialog = app.screen
            await pilot.press("f6")
            await pilot.pause()
            assert app.current_mode == "reports" and app.screen is dialog

    asyncio.run(run())


def test_no_screen_binds_a_global_key():
    import importlib
    import pkgutil

    import tui.screens

    for module in pkgutil.iter_modules(tui.screens.__path__):  # the app imports most screens only when shown
        importlib.import_module(f"tui.screens.{module.name}")
    global_keys = {k for a in REGISTRY[GLOBAL] for k in a.key.split(",")}
    clashes = [(scope, a.key) for scope, actions in REGISTRY.items() if scope != GLOBAL
               for a in actions if set(a.key.split(",")) & global_keys]
    assert clashes == []


def test_open_select_list_says_nothing_in_english(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f4", "o", "enter")  # the organisation list, open
            await pilot.pause()
            shown = [b.binding.description for b in app.screen.active_bindings.values() if b.binding.show]
            assert "收起列表" in shown
            assert "Dismiss" not in app.export_screenshot()
            await pilot.press("escape", "ctrl+p")
            await pilot.pause()
            assert "Search" not in app.export_screenshot()

    asyncio.run(run())


@pytest.mark.parametrize("keys", [["f2"], ["f3"], ["f4"], ["f5"], ["f6"], ["f7"], ["f8"], ["f9"], ["f10"]])
def test_every_footer_fits_at_80_columns(demo_archive: Archive, keys):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*keys)
            await settle(app, pilot)
            assert footer_overflow(app) == []

    asyncio.run(run())


def test_report_editor_footer_fits_at_80_columns(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_report_editor(app, pilot)
            assert footer_overflow(app) == []
            shown = {k.description for k in app.screen.query_one(Footer).query(FooterKey)}
            assert {"保存", "流转", "返回", "帮助"} <= shown

    asyncio.run(run())


def test_footer_shows_the_screens_enter_over_a_focused_table(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f4")
            await pilot.pause()
            shown = {k.description for k in app.screen.query_one(Footer).query(FooterKey)}
            assert "打开" in shown  # the table has focus: Enter opens the report
            await pilot.press("o")  # the organisation Select: its Enter opens the list instead
            await pilot.pause()
            shown = {k.description for k in app.screen.query_one(Footer).query(FooterKey)}
            assert "打开" not in shown

    asyncio.run(run())


def test_help_over_a_dialog_lists_its_keys_in_chinese(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_report_editor(app, pilot)
            await pilot.press("ctrl+f", "f1")  # 支部数据, then help
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            names = [r.name for _, rows in help_sections(app.screen.for_screen) for r in rows]
            assert "取消" in names and "保存" in names
            assert not [n for n in names if n.isascii()]  # no "Focus Next", "Copy selected text"
            await pilot.press("f1")
            await pilot.pause()
            assert app.screen is not None and not isinstance(app.screen, HelpScreen)

    asyncio.run(run())
