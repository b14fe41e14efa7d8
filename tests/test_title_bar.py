"""The title bar names the operator and whether they may save what the screen shows."""

from __future__ import annotations

import asyncio

from textual.widgets import Static

from store.archive import Archive
from store.demo import access
from store.service import Service
from tui.app import ShupingApp

from tests.test_key_walk import settle


def open_as(demo_archive: Archive, operator: str) -> ShupingApp:
    access.build(demo_archive)
    return ShupingApp(Service.open(demo_archive.root, operator))


def who(app: ShupingApp) -> str:
    return str(app.screen.query_one("#who", Static).render())


def test_a_school_operator_sees_their_name_and_read_only_on_another_organisations_meeting(demo_archive):
    async def run():
        app = open_as(demo_archive, "数学与统计学院 钱秀")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert who(app) == "操作人 数学与统计学院 钱秀"
            await pilot.press("f5")
            await settle(app, pilot)
            chem = next(i for i, o in enumerate(app.screen.query_one("DataTable").rows) if o.value == "chem")
            app.screen.query_one("DataTable").move_cursor(row=chem)
            await pilot.press("enter")
            await settle(app, pilot)
            assert who(app) == "操作人 数学与统计学院 钱秀（只读）"
            await pilot.press("escape")
            await settle(app, pilot)
            math = next(i for i, o in enumerate(app.screen.query_one("DataTable").rows) if o.value == "math")
            app.screen.query_one("DataTable").move_cursor(row=math)
            await pilot.press("enter")
            await settle(app, pilot)
            assert who(app) == "操作人 数学与统计学院 钱秀"

    asyncio.run(run())


def test_an_operator_access_toml_does_not_list_is_shown_as_unregistered(demo_archive):
    async def run():
        app = open_as(demo_archive, "路人甲")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert who(app) == "操作人 路人甲（未登记）"

    asyncio.run(run())
