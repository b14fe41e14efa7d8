"""The sync screen at 80×24, paused on a conflict with one field chosen."""

from __future__ import annotations

import subprocess

from store.snapshot import load
from store.sync import clone, set_remote, sync


def test_sync_screen_with_a_conflict(demo_archive, tmp_path, snap_compare):
    from tui.app import ShupingApp

    central = tmp_path / "central.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(central)], check=True)
    set_remote(demo_archive, str(central))
    sync(demo_archive)
    school = clone(str(central), tmp_path / "school", "化学与材料学院 沈怡")
    school.git.run("config", "remote.origin.url", "../central.git")  # the same remote, shown the same in every run
    for archive, secretary, members in ((demo_archive, "王建国", 41), (school, "李红霞", 39)):
        stored = load(archive).branches["b0001"]
        archive.save(stored, stored.record.model_copy(update={"secretary": secretary, "members": members}), "修改党支部")
    sync(demo_archive)

    async def conflict_shown(pilot) -> None:
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()

    assert snap_compare(ShupingApp(school), terminal_size=(80, 24), run_before=conflict_shown)
