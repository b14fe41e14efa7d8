"""Looking back at a past year once the next campaign is current: its records load, its
rectification goes on, and the archive's current campaign does not change."""

from __future__ import annotations

import asyncio

import pytest

from store.archive import Archive
from store.campaigns import new_campaign
from store.errors import StoreError
from store.snapshot import load
from tui.app import ShupingApp


@pytest.fixture
def next_year(demo_archive: Archive) -> Archive:
    new_campaign(demo_archive, 2021)
    return demo_archive


def test_a_past_year_loads_its_own_reviews(next_year: Archive):
    now, then = load(next_year), load(next_year, year=2020)
    assert (now.year, then.year, then.archive_year) == (2021, 2020, 2021) and then.past_year and not now.past_year
    assert not any(r.record.tasks for r in now.reviews.values())
    assert sum(len(r.record.tasks) for r in then.reviews.values()) == 42  # the demo's 2020 rectification
    assert next_year.settings().current_campaign == 2021


def test_a_year_the_archive_does_not_have_is_refused_saying_which_it_has(next_year: Archive):
    with pytest.raises(StoreError, match="档案中没有 2019 年度（campaigns/2019.toml）。已有年度：2020、2021。"):
        load(next_year, year=2019)


def test_switching_years_in_the_tui(next_year: Archive):
    async def run():
        app = ShupingApp(next_year, year=2020)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f7")
            await pilot.pause()
            assert "2020年度党支部书记述职评议考核（往年）" in str(app.screen.query_one("#title").render())
            assert str(app.screen.query_one("#rates").render()).startswith("整改任务 42 项")
            await pilot.press("f9", "ctrl+o")
            assert type(app.screen).__name__ == "YearDialog"
            await pilot.press("up", "enter")  # 2021, the current year, is listed first
            for _ in range(100):
                if app.snapshot.year == 2021:
                    break
                await pilot.pause(0.05)
            await pilot.press("f7")
            await pilot.pause()
            assert "往年" not in str(app.screen.query_one("#title").render())
            assert str(app.screen.query_one("#rates").render()).startswith("没有整改任务")

    asyncio.run(run())
    assert next_year.settings().current_campaign == 2021


def test_year_on_the_command_line(next_year: Archive):
    from tests.test_cli import shuping

    root = str(next_year.root)
    then = shuping("status", "--year", "2020", "--archive", root)
    now = shuping("status", "--archive", root)
    assert then.returncode in (0, 1) and then.stdout.startswith("2020年度 报送截止 2021年1月30日")
    assert now.stdout.startswith("2021年度 报送截止 2022年1月30日")
    refused = shuping("--year", "2020", "check", "--archive", root)
    assert refused.returncode == 2 and "shuping check 不按年度工作，不接受 --year。" in refused.stderr
    missing = shuping("export", "stats", "--year", "2019", "-o", "x.xlsx", "--archive", root)
    assert missing.returncode == 2 and "档案中没有 2019 年度" in missing.stderr
