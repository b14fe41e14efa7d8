"""What Textual shows by itself speaks Chinese too: the Ctrl+C hint and the palette's “no match”."""

from __future__ import annotations

from store.archive import Archive
from tests.test_campaign import run_async


def toasts(app) -> list[str]:
    return [f"{n.title}|{n.message}" for n in app._notifications]


@run_async
async def test_ctrl_c_says_how_to_quit_in_chinese(demo_archive: Archive):
    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert toasts(app)[-1] == "要退出吗？|退出请按 Ctrl+Q（已保存的修改都已提交）。"
        assert app.is_running


@run_async
async def test_the_palette_says_no_match_in_chinese(demo_archive: Archive):
    from textual.command import CommandList

    from tui.app import ShupingApp

    app = ShupingApp(demo_archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"qqqzzz")
        await pilot.pause(0.8)
        options = app.screen.query_one(CommandList)
        shown = [str(options.get_option_at_index(i).prompt.renderable) for i in range(options.option_count)]
        assert shown == ["没有匹配的命令"]
