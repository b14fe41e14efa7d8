"""Access scopes: the app refuses edits outside the operator's organisations, and so does
the central repository's pre-receive hook for anyone pushing with plain git."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from store import layout
from store.archive import Archive, Change
from store.errors import AccessError
from store.snapshot import load

ACCESS = """\
schema_version = 1

[operators]
"组织部 演示" = "all"
"测试员" = "all"
"张三" = ["chem"]

[logins]
zhangsan = "张三"
"""


def with_access(archive: Archive) -> Archive:
    archive.commit([Change(layout.ACCESS, ACCESS.encode(), None)], "设置权限：张三 管理 化学与材料学院党委")
    return archive


def rename_secretary(archive: Archive, branch_id: str, name: str):
    stored = load(archive).branches[branch_id]
    return archive.save(stored, stored.record.model_copy(update={"secretary": name}), f"修改党支部：{name}")


def test_the_demo_limits_each_school_to_its_own_organisation(demo_archive):
    from store.demo import access

    access.build(Archive.open(demo_archive.root, "组织部 演示"))  # the step conftest leaves out
    chem = Archive.open(demo_archive.root, "化学与材料学院 沈怡")
    rename_secretary(chem, "b0001", "甲")
    with pytest.raises(AccessError, match="“化学与材料学院 沈怡”无权修改二级党组织“math”（数学与统计学院党委）"):
        rename_secretary(chem, "b0013", "乙")


def test_no_access_file_means_everyone_may_change_everything(demo_archive):
    assert not (demo_archive.root / layout.ACCESS).exists()
    rename_secretary(Archive.open(demo_archive.root, "任何人"), "b0013", "甲")


def test_operator_changes_own_organisation_only(demo_archive):
    with_access(demo_archive)
    zhang = Archive.open(demo_archive.root, "张三")
    rename_secretary(zhang, "b0001", "甲")  # chem
    before = (demo_archive.root / "orgs/math/branches/b0013.toml").read_bytes()
    with pytest.raises(AccessError) as e:
        rename_secretary(zhang, "b0013", "乙")  # math
    assert "张三" in str(e.value) and "“math”（数学与统计学院党委）" in str(e.value)
    assert (demo_archive.root / "orgs/math/branches/b0013.toml").read_bytes() == before
    with pytest.raises(AccessError, match="只有组织部"):
        stored = zhang.campaign()
        zhang.save(stored, stored.record.model_copy(update={"title": "改"}), "改年度")


def test_unlisted_operator_and_broken_access_file(demo_archive):
    with_access(demo_archive)
    with pytest.raises(AccessError, match="“李四”未在 access.toml 中登记"):
        rename_secretary(Archive.open(demo_archive.root, "李四"), "b0001", "甲")
    (demo_archive.root / layout.ACCESS).write_text("[operators\n")
    with pytest.raises(AccessError, match=r"access.toml 有语法错误（第 1 行第 11 列：表头缺少“]”）"):
        rename_secretary(Archive(demo_archive.root, "测试员"), "b0001", "甲")


def test_access_file_is_a_checked_record(demo_archive):
    from store.check import check_archive

    with_access(demo_archive)
    assert check_archive(demo_archive) == []
    (demo_archive.root / layout.ACCESS).write_text('schema_version = 1\n[operators]\n"张三" = "部分"\n')
    assert {p.file for p in check_archive(demo_archive)} == {layout.ACCESS}


# ---------------------------------------------------------------- the server hook, with real pushes


def git(cwd, *args, env=None, check=True):
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(result.stderr)
    return result


@pytest.fixture
def central(demo_archive, tmp_path):
    with_access(demo_archive)
    bare = tmp_path / "central.git"
    git(tmp_path, "clone", "-q", "--bare", str(demo_archive.root), str(bare))
    result = subprocess.run([sys.executable, "-m", "tui", "server-hook", str(bare)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "SHUPING_PUSHER" in result.stdout
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    return bare, clone


def edit_and_commit(clone, rel, old, new, author="张三"):
    path = clone / rel
    path.write_text(path.read_text().replace(old, new, 1))
    git(clone, "-c", f"user.name={author}", "-c", "user.email=x@example.org", "commit", "-qam", f"手工修改 {rel}")


def push(clone, login, *extra):
    return git(clone, "push", "-q", "origin", "HEAD:main", *extra, env={"SHUPING_PUSHER": login}, check=False)


def test_hook_lets_an_operator_push_their_own_organisation(central):
    bare, clone = central
    edit_and_commit(clone, "orgs/chem/branches/b0001.toml", 'secretary = "', 'secretary = "改')
    result = push(clone, "zhangsan")  # a login mapped to 张三 in [logins]
    assert result.returncode == 0, result.stderr
    assert git(bare, "log", "-1", "--format=%s").stdout.strip() == "手工修改 orgs/chem/branches/b0001.toml"


def test_hook_refuses_another_organisations_files(central):
    bare, clone = central
    before = git(bare, "rev-parse", "main").stdout
    edit_and_commit(clone, "orgs/chem/branches/b0001.toml", 'secretary = "', 'secretary = "改')
    edit_and_commit(clone, "orgs/math/branches/b0013.toml", 'secretary = "', 'secretary = "改')
    result = push(clone, "张三")
    assert result.returncode != 0
    assert "拒绝推送" in result.stderr and "“张三”无权修改二级党组织“math”" in result.stderr
    assert git(bare, "rev-parse", "main").stdout == before


def test_hook_refuses_granting_yourself_rights(central):
    bare, clone = central
    edit_and_commit(clone, "access.toml", '"张三" = ["chem"]', '"张三" = "all"')
    result = push(clone, "张三")
    assert result.returncode != 0 and "access.toml" in result.stderr
    assert push(clone, "测试员").returncode == 0  # the department may


def test_hook_refuses_rewriting_history(central):
    bare, clone = central
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    edit_and_commit(clone, "orgs/chem/branches/b0001.toml", 'secretary = "', 'secretary = "改')
    result = push(clone, "测试员", "--force")
    assert result.returncode != 0 and "不允许改写历史" in result.stderr


def test_hook_accepts_a_merge_that_brings_in_others_work(central, tmp_path):
    bare, clone = central
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(bare), str(other))
    edit_and_commit(other, "orgs/math/branches/b0013.toml", 'secretary = "', 'secretary = "数')
    assert push(other, "测试员").returncode == 0
    edit_and_commit(clone, "orgs/chem/branches/b0001.toml", 'secretary = "', 'secretary = "化')
    git(clone, "-c", "user.name=张三", "-c", "user.email=x@example.org", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    result = push(clone, "张三")
    assert result.returncode == 0, result.stderr


def test_the_app_says_why_a_save_outside_scope_is_refused(demo_archive):
    import asyncio

    from textual.widgets import Input

    from tui.app import ShupingApp
    from tui.screens.branch import BranchScreen

    with_access(demo_archive)
    path = demo_archive.root / "orgs/math/branches/b0013.toml"
    before = path.read_bytes()

    async def run() -> list[str]:
        app = ShupingApp(Archive.open(demo_archive.root, "张三"))
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(BranchScreen("b0013"))
            await pilot.pause()
            app.screen.query_one("#secretary", Input).value = "越权修改"
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            return [f"{n.title}|{n.message}" for n in app._notifications]

    shown = asyncio.run(run())
    assert any(n.startswith("未保存|操作人“张三”无权修改二级党组织“math”（数学与统计学院党委）") for n in shown)
    assert path.read_bytes() == before


def test_a_refusal_quoting_a_toml_table_is_shown_whole(demo_archive):
    """Store messages are plain text: “[operators]” must not vanish as markup in the toast."""
    import asyncio

    from textual.widgets import Input

    from tui.app import ShupingApp
    from tui.screens.branch import BranchScreen

    with_access(demo_archive)

    async def run() -> list[str]:
        app = ShupingApp(Archive.open(demo_archive.root, "无名氏"))
        async with app.run_test(size=(120, 40)) as pilot:
            app.push_screen(BranchScreen("b0013"))
            await pilot.pause()
            app.screen.query_one("#secretary", Input).value = "越权修改"
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            from textual.content import Content
            # what the toast draws (textual.widgets._toast.Toast.render)
            return [(Content.from_markup(n.message) if n.markup else Content(n.message)).plain
                    for n in app._notifications]

    shown = "".join(asyncio.run(run())).replace("\n", "")
    assert "[operators]" in shown, shown


def test_hook_refuses_pushes_while_the_central_access_toml_is_broken(central):
    bare, clone = central
    edit_and_commit(clone, "access.toml", '"张三" = ["chem"]', '"张三" = ["chem"')
    assert push(clone, "测试员").returncode == 0  # checked against the rules before this push
    edit_and_commit(clone, "orgs/chem/branches/b0001.toml", 'secretary = "', 'secretary = "改')
    result = push(clone, "测试员")
    assert result.returncode != 0
    assert re.search(r"access\.toml 第\d+行第\d+列有语法错误，拒绝推送", result.stderr), result.stderr
