"""Sync between clones through a bare central repository, with real git."""

from __future__ import annotations

import subprocess
import sys

import pytest

from store.archive import Archive
from store.mergedriver import merge3
from store.snapshot import load
from store.sync import OURS, THEIRS, SyncError, clone, resolve, set_remote, sync
from tests.conftest import git_log


@pytest.fixture
def pair(demo_archive, tmp_path):
    """The department's archive and a school's clone, both synced with a central bare repo."""
    central = tmp_path / "central.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(central)], check=True)
    set_remote(demo_archive, str(central))
    assert sync(demo_archive).sent > 0
    school = clone(str(central), tmp_path / "school", "化学学院 王老师")
    return demo_archive, school


def change(archive: Archive, branch_id: str, **values):
    stored = load(archive).branches[branch_id]
    archive.save(stored, stored.record.model_copy(update=values), f"修改党支部：{branch_id}")


def text(archive: Archive, branch_id: str) -> str:
    return (archive.root / load(archive).branches[branch_id].path).read_text()


def test_changes_to_different_records_merge_by_themselves(pair):
    office, school = pair
    change(office, "b0013", secretary="数学甲")
    change(school, "b0001", secretary="化学乙")
    assert sync(office).sent == 1
    result = sync(school)
    assert (result.received, result.sent, result.conflicts) == (1, 2, [])
    assert sync(office).received == 2
    for archive in pair:
        assert 'secretary = "数学甲"' in text(archive, "b0013") and 'secretary = "化学乙"' in text(archive, "b0001")
    assert git_log(school, "-1") == ["化学学院 王老师|同步：合并远程档案的 1 个提交"]
    assert school.git.run("status", "--porcelain") == ""


def test_same_record_different_keys_merge_key_by_key(pair):
    office, school = pair
    change(office, "b0001", secretary="甲")
    change(school, "b0001", members=99)
    sync(office)
    assert sync(school).conflicts == []
    merged = text(school, "b0001")
    assert 'secretary = "甲"' in merged and "members = 99" in merged


def test_same_key_changed_on_both_sides_stops_and_loses_nothing(pair):
    office, school = pair
    change(office, "b0001", secretary="甲")
    change(school, "b0001", secretary="乙", members=77)
    sync(office)
    head = school.head()
    result = sync(school)
    [conflict] = result.conflicts
    assert conflict.path == "orgs/chem/branches/b0001.toml"
    assert [(f.key, f.ours, f.theirs) for f in conflict.fields] == [(("secretary",), "乙", "甲")]
    assert school.head() == head and school.git.run("status", "--porcelain") == ""  # merge aborted, nothing lost
    assert 'secretary = "乙"' in text(school, "b0001")

    final = resolve(school, result, {(conflict.path, ("secretary",)): THEIRS})
    assert final.conflicts == [] and final.sent >= 2
    merged = text(school, "b0001")
    assert 'secretary = "甲"' in merged and "members = 77" in merged
    subject = school.git.run("log", "-1", "--format=%an|%s%n%b")
    assert subject.startswith("化学学院 王老师|同步：解决 1 处冲突并合并远程档案")
    assert "orgs/chem/branches/b0001.toml [secretary]：保留远程的值" in subject
    sync(office)
    assert text(office, "b0001") == merged


def test_cli_lists_conflicts_and_can_keep_one_side(pair):
    office, school = pair
    change(office, "b0001", secretary="甲")
    change(school, "b0001", secretary="乙")
    sync(office)
    run = [sys.executable, "-m", "tui", "sync", "--archive", str(school.root)]
    result = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "orgs/chem/branches/b0001.toml [secretary]  本地：乙  远程：甲" in result.stdout
    result = subprocess.run(run + ["--keep", "local"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "同步完成" in result.stdout and 'secretary = "乙"' in text(school, "b0001")


def test_unreachable_remote_is_a_clear_error(demo_archive, tmp_path):
    set_remote(demo_archive, str(tmp_path / "nowhere.git"))
    with pytest.raises(SyncError, match="无法获取远程档案 .*nowhere.git：地址上没有档案仓库") as e:
        sync(demo_archive)
    # git's line that says why, not the tail of its advice ("and the repository exists.")
    assert str(e.value).endswith("does not appear to be a git repository）"), str(e.value)
    set_remote(demo_archive, "ssh://shuping.invalid/archive.git")
    with pytest.raises(SyncError, match="无法解析主机名"):
        sync(demo_archive)
    assert demo_archive.git.run("status", "--porcelain") == ""


def test_no_remote_says_how_to_set_one(demo_archive):
    with pytest.raises(SyncError, match="shuping sync --remote"):
        sync(demo_archive)


def test_merge3_keeps_comments_and_reports_each_conflict():
    base = "# 注释\na = 1\nb = 2\n[t]\nx = 1\n"
    ours = "# 注释\na = 5 # 我的\nb = 2\n[t]\nx = 3\n"
    theirs = "# 注释\na = 1\nb = 7\n[t]\nx = 4\ny = 1\n"
    merged, conflicts = merge3(base, ours, theirs)
    assert merged == "# 注释\na = 5 # 我的\nb = 7\n[t]\nx = 3\ny = 1\n"
    assert [(c.key, c.ours, c.theirs) for c in conflicts] == [(("t", "x"), 3, 4)]
    merged, conflicts = merge3(base, ours, theirs, {("t", "x"): OURS})
    assert conflicts == [] and "x = 3" in merged


def test_a_push_the_server_hook_refuses_is_a_clear_error(pair, monkeypatch):
    from store.access import install_server_hook
    from tests.test_access import ACCESS, with_access

    office, school = pair
    with_access(office)
    sync(office)
    install_server_hook(school.git.run("config", "--get", "remote.origin.url"))
    sync(school)
    path = school.root / "orgs/math/branches/b0013.toml"  # by hand: the app itself would refuse
    path.write_text(path.read_text().replace('secretary = "', 'secretary = "改', 1))
    school.git.run("commit", "-qam", "手工修改", env={"GIT_AUTHOR_NAME": "张三", "GIT_COMMITTER_NAME": "张三"})
    monkeypatch.setenv("SHUPING_PUSHER", "zhangsan")
    with pytest.raises(SyncError, match="远程档案拒绝了推送：.*“张三”无权修改二级党组织“math”"):
        sync(school)
    assert ACCESS


def test_tui_sync_shows_both_values_and_commits_the_choice(pair):
    import asyncio

    asyncio.run(_tui_sync(pair))


async def _tui_sync(pair):
    from textual.widgets import DataTable, Static

    from tui.app import ShupingApp
    from tui.screens.help import help_sections
    from tui.screens.sync import SyncScreen

    office, school = pair
    change(office, "b0001", secretary="甲")
    change(school, "b0001", secretary="乙")
    sync(office)
    app = ShupingApp(school)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert "同步暂停：1 个记录共 1 处冲突" in str(screen.query_one("#summary", Static).content)
        table = screen.query_one("#conflicts", DataTable)
        assert [str(c) for c in table.get_row_at(0)] == ["化学与材料学院教工第一党支部", "支部书记", "乙", "甲", "未选"]
        assert "本地（1）· 支部书记：\n乙" == str(screen.query_one("#ours", Static).content)
        assert "远程（2）· 支部书记：\n甲" == str(screen.query_one("#theirs", Static).content)
        await pilot.press("2")
        assert str(table.get_row_at(0)[4]) == "远程"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "同步完成" in str(screen.query_one("#summary", Static).content)
        # Ctrl+Y, the app's sync key, syncs again on the sync screen itself (which does not bind it again)
        change(office, "b0003", secretary="丙")
        sync(office)
        await pilot.press("ctrl+y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen and len(app.screen_stack) == 2
        assert 'secretary = "丙"' in text(school, "b0003")
        assert [r.keys for _, rows in help_sections(screen) for r in rows].count("ctrl+y") == 1
    assert 'secretary = "甲"' in text(school, "b0001")
    assert any(line.startswith("化学学院 王老师|同步：解决 1 处冲突") for line in git_log(school, "-5"))


def test_the_readme_setup_from_the_command_line(tmp_path):
    def shuping(*args, cwd=tmp_path):
        result = subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=cwd, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    shuping("init", "work", "--name", "青岚大学", "--operator", "组织部 王老师")
    subprocess.run(["git", "clone", "-q", "--bare", "work", "archive.git"], cwd=tmp_path, check=True)
    shuping("server-hook", "archive.git")
    assert "已是最新" in shuping("sync", "-a", "work", "--remote", "archive.git")  # relative to where it is typed
    shuping("clone", str(tmp_path / "archive.git"), "chem", "--operator", "李老师")
    assert "已是最新" in shuping("sync", "-a", "chem")
    assert shuping("verify", "-a", "chem").endswith("全部通过。\n")


def test_finalisation_tags_reach_the_central_archive(pair):
    office, school = pair
    school.git.run("tag", "finalise/chem-2020")
    assert sync(school).sent == 0
    central = school.git.run("config", "--get", "remote.origin.url")
    tags = subprocess.run(["git", "tag", "-l"], cwd=central, capture_output=True, text=True).stdout.split()
    assert "finalise/chem-2020" in tags
    sync(office)
    assert "finalise/chem-2020" in office.git.run("tag", "-l").split()


def test_a_text_file_changed_on_both_sides_is_chosen_whole(pair):
    from store.archive import Change

    office, school = pair
    rel = "orgs/chem/2020/reports/b0001.md"
    for archive, text in ((office, "# 述职报告\n组织部改过的第一段。\n"), (school, "# 述职报告\n学院改过的第一段。\n")):
        data, version = archive.read_bytes(rel)
        archive.commit([Change(rel, text.encode(), version)], "修改述职报告")
    sync(office)
    result = sync(school)
    [conflict] = result.conflicts
    [whole] = conflict.fields
    assert (conflict.path, whole.key, whole.ours, whole.theirs) == (rel, (), "# 述职报告\n学院改过的第一段。\n", "# 述职报告\n组织部改过的第一段。\n")
    resolve(school, result, {(rel, ()): THEIRS})
    assert (school.root / rel).read_text() == "# 述职报告\n组织部改过的第一段。\n"
    assert school.git.run("status", "--porcelain") == ""


def test_an_unrelated_archive_is_refused_clearly(pair, tmp_path):
    office, _ = pair
    other = Archive.init(tmp_path / "other", "另一所大学", "某人")
    set_remote(other, office.git.run("config", "--get", "remote.origin.url"))
    head = other.head()
    with pytest.raises(SyncError, match="没有共同的历史"):
        sync(other)
    assert other.head() == head and other.git.run("status", "--porcelain") == ""


def test_the_palette_finds_sync(demo_archive):
    import asyncio

    from tui.app import ShupingApp
    from tui.screens.help import help_sections
    from tui.screens.sync import SyncScreen

    async def run():
        app = ShupingApp(demo_archive)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"同步")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen_stack[-2], SyncScreen)  # with no remote yet, it asks for one
            return str(app.screen.query_one(".dialog-title").render())

    assert asyncio.run(run()) == "设置远程档案"
