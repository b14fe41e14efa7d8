"""F8 报送: the department's dashboard and the work-report editor, driven by keys."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import date

import pytest
from textual.widgets import DataTable, Input, Static, TextArea

from schema.records import OrgYear
from store import layout
from store.sendup import attach_scan
from store.snapshot import load
from tests import reporting_archive
from tests.conftest import git_log
from tests.test_work_report import PDF
from tui.app import ShupingApp
from tui.screens.sendup import COLUMNS


@pytest.fixture
def known(empty_archive, tmp_path):
    archive = reporting_archive.build(empty_archive)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    attach_scan(archive, load(archive), "hist", scan, date(2021, 1, 19))
    return archive


async def open_reporting(pilot) -> None:
    await pilot.press("f8")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_dashboard_snapshot_80x24(known, snap_compare):
    assert snap_compare(ShupingApp(known), terminal_size=(80, 24), run_before=open_reporting)


def test_dashboard_snapshot_wide(known, snap_compare):
    async def run_before(pilot):
        await open_reporting(pilot)
        await pilot.press("down")  # 历史学院: over its quota, submitted

    assert snap_compare(ShupingApp(known), terminal_size=(160, 40), run_before=run_before)


def screen_text(app) -> str:
    """What the terminal shows, as text: the runs of the screenshot, in order."""
    runs = re.findall(r"<text[^>]*>(.*?)</text>", app.export_screenshot())
    return html.unescape("".join(runs)).replace("\xa0", " ")


def test_every_column_is_reachable_at_80_columns(known):
    asyncio.run(_test_every_column_is_reachable_at_80_columns(known))


async def _test_every_column_is_reachable_at_80_columns(known):
    app = ShupingApp(known)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_reporting(pilot)
        shown = screen_text(app)
        assert "←→ 查看其余列" in shown  # the table is wider than the terminal, and says how to see the rest
        assert "等次分布" not in shown and "无需报送" not in shown
        for presses in range(1, len(COLUMNS)):  # → scrolls a whole column at a time
            await pilot.press("right")
            await pilot.pause()
            if "等次分布" in screen_text(app):
                break
        shown = screen_text(app)
        assert "等次分布" in shown and "无需报送" in shown and "█" in shown  # the right-most column
        assert "体育部直属党支部" in shown and "物理学院党委" in shown  # the names stay put
        await pilot.press("home")
        await pilot.pause()
        assert "审定" in screen_text(app) and "等次分布" not in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert "等次分布" in screen_text(app)
        table = app.screen.query_one("#orgs")
        widths = [c.get_render_width(table) for c in table.ordered_columns[1:]]
        edges = [sum(widths[:n]) for n in range(len(widths))]
        assert table.scroll_x in edges  # the far right starts a whole column next to the names, none cut
        await pilot.press(*["left"] * presses)  # ← goes back the same way
        await pilot.pause()
        assert "审定" in screen_text(app) and "等次分布" not in screen_text(app)


def test_wide_terminal_needs_no_scrolling(known):
    asyncio.run(_test_wide_terminal_needs_no_scrolling(known))


async def _test_wide_terminal_needs_no_scrolling(known):
    app = ShupingApp(known)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reporting(pilot)
        shown = screen_text(app)
        assert "二级党组织" in shown and "等次分布" in shown and "←→" not in shown


def cells(app) -> list[list[str]]:
    table = app.screen.query_one("#orgs", DataTable)
    return [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]


def test_dashboard_shows_each_phase_and_filters(known):
    asyncio.run(_test_dashboard_shows_each_phase_and_filters(known))


async def _test_dashboard_shows_each_phase_and_filters(known):
    app = ShupingApp(known)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_reporting(pilot)
        rows = cells(app)
        assert rows[0][:10] == ["物理学院党委", "6/7", "1月15日", "7/7", "·", "0/7", "2/2", "·", "0", "2/2"]
        assert rows[1][:10] == ["历史学院党总支", "2/3", "1月15日", "2/3", "·", "0/2", "—", "1月19日", "0", "1/0"]
        assert rows[2][0] == "体育部直属党支部" and rows[2][-1] == "无需报送"
        assert rows[-1][0] == "合计"
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "已报送 1/2" in summary and "符合配额 1/2" in summary
        chart = str(app.screen.query_one("#chart", Static).render())
        assert chart.startswith("物理学院党委 · 应述职 7，已评定 7 · 好 2/上限 2（28.6%） 符合配额")
        await pilot.press("f", "f", "f")  # 全部 → 未报送 → 有逾期 → 超配额
        await pilot.pause()
        assert [r[0] for r in cells(app)] == ["历史学院党总支", "合计"]
        assert "筛选：超配额" in str(app.screen.query_one("#view", Static).render())


def test_edit_save_and_export_the_work_report(known, tmp_path):
    asyncio.run(_test_edit_save_and_export_the_work_report(known, tmp_path))


async def _test_edit_save_and_export_the_work_report(known, tmp_path):
    app = ShupingApp(known)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reporting(pilot)
        await pilot.press("e")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        area = app.screen.query_one("#text", TextArea)
        assert area.text.startswith("# 物理学院党委2020年度党支部书记述职评议考核工作情况报告")
        assert "初稿，尚未保存" in str(app.screen.query_one("#words", Static).render())
        area.move_cursor(area.document.end)
        area.insert("\n学院党委将持续跟踪整改。\n")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert git_log(known)[0].startswith("测试员|工作情况报告：物理学院党委 起草（")
        text = (known.root / layout.work_report_path("phys", 2020)).read_text()
        assert text.endswith("学院党委将持续跟踪整改。\n")
        assert known.read(OrgYear, layout.org_year_path("phys", 2020)).record.work_report

        # over the limit: the counter warns, the export is refused with the count
        area.insert("整改措施落实到位。" * 350)
        await pilot.pause()
        words = str(app.screen.query_one("#words", Static).render())
        assert "不能导出" in words and "超出" in words
        await pilot.press("ctrl+o")
        await pilot.pause()
        target = tmp_path / "report.docx"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not target.exists()


def test_export_rollup_from_the_total_row(known, tmp_path):
    asyncio.run(_test_export_rollup_from_the_total_row(known, tmp_path))


async def _test_export_rollup_from_the_total_row(known, tmp_path):
    app = ShupingApp(known)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reporting(pilot)
        await pilot.press("down", "down", "down", "x")
        await pilot.pause()
        target = tmp_path / "rollup.xlsx"
        box = app.screen.query_one(Input)
        assert box.value == "统计表-2020-全校汇总.xlsx"
        box.value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert target.exists()
