"""Every screen survives its own keys: from a cold app, open a screen, press what its footer
and its help list, then Enter, Esc and Tab on whatever opens; the app must still answer."""

from __future__ import annotations

import asyncio

from textual.widgets import Select

from store.archive import Archive
from tui.app import ShupingApp


async def settle(app: ShupingApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_enter_on_the_dashboard_opens_the_organisations_branches_from_a_cold_start(demo_archive: Archive):
    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            org = app.snapshot.sorted_orgs()[0].id
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.current_mode == "branches"
            assert app.screen.query_one("#org", Select).value == org
            assert app.screen._found and {row.org for row in app.screen._found} == {org}

    asyncio.run(run())


def test_enter_on_the_dashboard_filters_the_browser_under_an_open_branch(demo_archive: Archive):
    """F3, open a branch, F2, Enter on an organisation: the browser under the branch form is
    filtered (the form stays where the user left it), rather than the form being asked to filter."""

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("f3")
            await settle(app, pilot)
            browser = app.screen
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen is not browser
            await pilot.press("f2")
            await settle(app, pilot)
            org = app.snapshot.sorted_orgs()[1].id
            await pilot.press("down", "enter")
            await settle(app, pilot)
            assert app.current_mode == "branches"
            assert browser.query_one("#org", Select).value == org

    asyncio.run(run())
