"""The report editor: Ctrl+Home / Ctrl+End, a warning for text above the first section,
leaving with unsaved text asks 保存 / 放弃 / 取消."""

from __future__ import annotations

import asyncio

from textual.widgets import TextArea

from store.archive import Archive
from tests.test_reports import NOT_STARTED, _open_editor, _settle


def test_ctrl_home_end_and_text_outside_the_sections(demo_archive: Archive):
    asyncio.run(_ctrl_home_end_and_text_outside_the_sections(demo_archive))


async def _ctrl_home_end_and_text_outside_the_sections(demo_archive: Archive):
    from tui.app import ShupingApp
    from tui.dialogs import UnsavedDialog

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _open_editor(app, pilot, NOT_STARTED)
        area = editor.query_one("#text", TextArea)
        area.move_cursor((3, 2))
        await pilot.press("ctrl+end")
        assert area.cursor_location == area.document.end
        await pilot.press("ctrl+home")
        assert area.cursor_location == (0, 0)
        area.insert("写在标题之前的一段话\n")
        await pilot.pause()
        assert "未保存" in str(editor.query_one("#count").render())
        await pilot.press("escape")  # unsaved: asks
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")  # 取消: back to the text, nothing lost
        await pilot.pause()
        assert app.screen is editor and area.text.startswith("写在标题之前的一段话")
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        warnings = [n for n in app._notifications if n.title == "正文在四个部分之外"]
        assert len(warnings) == 1 and warnings[0].message.startswith("第 1 行在第一个部分的标题之前")
        assert "写在标题之前的一段话" in warnings[0].message
        await pilot.press("escape")  # saved: leaves without asking
        await pilot.pause()
        assert app.screen is not editor
