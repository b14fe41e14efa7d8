"""Snapshots of the shell's main screens on the demo archive (SHUPING_TODAY fixed by conftest).

At 80×24 the branch browser drops the organisation and scope-detail columns (the detail of
the highlighted branch shows under the table); at 160×40 every column is there.
"""

from __future__ import annotations

import asyncio

import pytest

from schema.scope import ScopeReason
from store.snapshot import load
from tui.app import ShupingApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 40), id="160x40")]


@pytest.mark.parametrize("size", SIZES)
def test_dashboard(snap_compare, demo_archive, size):
    assert snap_compare(ShupingApp(demo_archive), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_branch_browser(snap_compare, demo_archive, size):
    assert snap_compare(ShupingApp(demo_archive), terminal_size=size, press=["f3", "down", "down"])


def test_branch_browser_filtered_to_new_branch(snap_compare, demo_archive):
    """Search narrows the list; the detail line explains why the branch is out of scope."""
    snap = load(demo_archive)
    late = next(b for b in snap.branches if snap.scope(b).reason == ScopeReason.NEW_BRANCH)
    assert snap_compare(ShupingApp(demo_archive), terminal_size=(80, 24), press=["f3", "slash", *late, "enter"])


# ---------------------------------------------------------------- shell behaviour behind the snapshots


def test_branch_browser_lists_more_rows_when_the_cursor_reaches_the_end(demo_archive):
    from tui.screens.branches import PAGE

    async def run() -> None:
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f3")
            await pilot.pause()
            table = app.screen.query_one("#table")
            assert table.row_count == PAGE < len(app.snapshot.branches)
            await pilot.press("ctrl+end")
            await pilot.pause()
            assert table.row_count == len(app.snapshot.branches)
            assert "已列出" not in str(app.screen.query_one("#count").render())

    asyncio.run(run())


def test_command_line_opens_and_reads_the_archive_after_the_first_frame(demo_archive):
    """``shuping`` passes a function that opens the archive: the dashboard is drawn first."""
    from store.archive import Archive

    async def run() -> None:
        app = ShupingApp(lambda: Archive.open(demo_archive.root))
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.snapshot is not None and len(app.snapshot.branches) == 66
            assert "青岚大学" in str(app.screen.query_one("#title").render())
            assert "机械工程学院党委" in str(app.screen.query_one("#orgs").get_row_at(3)[0])

    asyncio.run(run())


def test_command_line_on_a_folder_that_is_no_archive_exits_with_the_reason(tmp_path):
    from store.archive import Archive

    async def run() -> ShupingApp:
        app = ShupingApp(lambda: Archive.open(tmp_path))
        from textual.worker import WorkerCancelled

        async with app.run_test(size=(80, 24)) as pilot:
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:
                pass  # the app exits (cancelling its workers) as the opener reports the error
            await pilot.pause()
        return app

    app = asyncio.run(run())
    assert app.return_code == 2


def test_app_refreshes_the_commit_graph_in_the_background(demo_archive):
    chain = demo_archive.git.git_dir / "objects/info/commit-graphs/commit-graph-chain"
    assert not chain.exists()

    async def run() -> None:
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)):
            await app.workers.wait_for_complete()

    asyncio.run(run())
    assert chain.exists()
    assert demo_archive.git.run("status", "--porcelain") == ""  # nothing else changed
