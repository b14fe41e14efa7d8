"""The central repository holds against a hostile school operator pushing with plain git
(issue 14): each attack is refused in Chinese naming the pusher, the ref and the first
offending path; legitimate pushes still pass; nothing in it is readable by others."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema.kinds import Grade
from store import layout
from store.archive import Archive, Change
from store.central import readable_by_others
from store.grading import finalise, save_grades
from store.snapshot import load
from store.sync import clone as shuping_clone
from store.sync import sync
from tests.test_grading_store import WHEN, grade_set

ACCESS = """\
schema_version = 1

[operators]
"测试员" = "all"
"张三" = ["chem"]
"李四" = ["math"]
"王五" = ["logi"]

[logins]
zhangsan = "张三"
lisi = "李四"
wangwu = "王五"
"""
CHEM_TAG = "refs/tags/finalise/2020/chem/1"
MAIN = "refs/heads/main"


def git(cwd, *args, env=None, check=True, umask="022"):
    """Plain git as a user with an ordinary umask would run it."""
    result = subprocess.run(["sh", "-c", f'umask {umask}; exec git "$@"', "git", *args], cwd=cwd, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(result.stderr)
    return result


def shuping(*args):
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, timeout=60)


@dataclass
class Central:
    bare: Path
    clone: Path
    before_grading: str  # a main commit from before chem was graded and before access.toml existed

    def rev(self, rev="main", where=None):
        return git(where or self.bare, "rev-parse", rev).stdout.strip()

    def push(self, login, *refspecs, where=None, force=False):
        return git(where or self.clone, "push", "-q", *(["--force"] if force else []), "origin",
                   *(refspecs or ["HEAD:main"]), env={"SHUPING_PUSHER": login}, check=False)

    def commit(self, rel, old, new, author="某人", where=None):
        where = where or self.clone
        path = where / rel
        path.write_text(path.read_text().replace(old, new, 1))
        git(where, "-c", f"user.name={author}", "-c", "user.email=x@example.org", "commit", "-qam", f"手工修改 {rel}")
        return self.rev("HEAD", where)


def refused(result, login, ref, *words):
    assert result.returncode != 0, result.stderr
    assert f"shuping: 拒绝推送 {ref}（推送人：{login}）：" in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture
def central(demo_archive: Archive, tmp_path) -> Central:
    before = demo_archive.git.run("rev-list", "-1", "--grep", "^评定：化学与材料学院党委", "HEAD") + "~1"
    before = demo_archive.git.run("rev-parse", before)
    demo_archive.commit([Change(layout.ACCESS, ACCESS.encode(), None)], "设置权限")
    bare = tmp_path / "central.git"
    result = shuping("server-init", str(bare))
    assert result.returncode == 0, result.stderr
    assert "已新建中心仓库" in result.stdout
    git(demo_archive.root, "push", "-q", str(bare), "main", "refs/tags/finalise/*:refs/tags/finalise/*",
        env={"SHUPING_PUSHER": "测试员"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    return Central(bare, clone, before)


def index_env(central: Central):
    return {"GIT_INDEX_FILE": str(central.clone / ".git" / "attack-index")}


# ---------------------------------------------------------------- the attacks


def test_a_merge_hiding_reverted_files_is_refused(central):
    before = central.rev()
    ours = central.commit("orgs/math/branches/b0013.toml", 'secretary = "', 'secretary = "数', "李四")
    # the merge's tree: ours, with chem's records back as they were before grading and access.toml gone
    env, old = index_env(central), central.before_grading
    git(central.clone, "read-tree", ours, env=env)
    git(central.clone, "rm", "-rq", "--cached", "orgs/chem", "access.toml", env=env)
    git(central.clone, "read-tree", "--prefix=orgs/chem/", f"{old}:orgs/chem", env=env)
    tree = git(central.clone, "write-tree", env=env).stdout.strip()
    merge = git(central.clone, "commit-tree", tree, "-p", ours, "-p", old, "-m", "合并").stdout.strip()
    # what the old hook saw: a combined diff hides every path equal to one parent
    assert git(central.clone, "diff-tree", "-r", "-c", "--name-only", merge).stdout.split()[1:] == []
    result = central.push("lisi", f"{merge}:refs/heads/main")
    refused(result, "lisi（李四）", MAIN, f"提交 {merge[:10]}：", "“李四”无权修改 access.toml")
    assert central.rev() == before


def test_a_branch_from_before_access_toml_is_refused_and_so_is_its_merge(central):
    git(central.clone, "checkout", "-qb", "old", central.before_grading)
    side = central.commit("orgs/chem/branches/b0001.toml", 'secretary = "', 'secretary = "改', "李四")
    refused(central.push("lisi", "old:refs/heads/old"), "lisi（李四）", "refs/heads/old", "只接受 refs/heads/main")
    git(central.clone, "checkout", "-q", "main")
    git(central.clone, "-c", "user.name=李四", "-c", "user.email=x@example.org", "merge", "-q", "--no-edit", "old")
    refused(central.push("lisi"), "lisi（李四）", MAIN, f"提交 {side[:10]}：",
            "“李四”无权修改二级党组织“chem”的记录（orgs/chem/branches/b0001.toml）")


def test_replace_refs_are_refused_and_never_read(central):
    blob = central.rev("main:access.toml")
    forged = ACCESS.replace('"李四" = ["math"]', '"李四" = "all"')
    (central.clone / "forged.toml").write_text(forged)
    fake = git(central.clone, "hash-object", "-w", "forged.toml").stdout.strip()
    git(central.clone, "replace", blob, fake)
    refused(central.push("lisi", f"refs/replace/{blob}"), "lisi（李四）", f"refs/replace/{blob}", "refs/replace/*")
    # even planted on the server by other means, a replacement never changes the rules the hook reads
    git(central.bare, "fetch", "-q", str(central.clone), f"refs/replace/{blob}:refs/replace/{blob}")
    assert "李四\" = \"all" in git(central.bare, "show", "main:access.toml").stdout
    central.commit("orgs/chem/branches/b0001.toml", 'secretary = "', 'secretary = "改', "李四")
    refused(central.push("lisi"), "lisi（李四）", MAIN, "orgs/chem/branches/b0001.toml")


def test_finalisation_tags_are_never_deleted_moved_or_forged(central):
    tag = CHEM_TAG.removeprefix("refs/tags/")
    refused(central.push("lisi", f":{CHEM_TAG}"), "lisi（李四）", CHEM_TAG, "定稿标签不能删除")
    refused(central.push("zhangsan", f":{CHEM_TAG}"), "zhangsan（张三）", CHEM_TAG, "定稿标签不能删除")
    git(central.clone, "-c", "user.name=张三", "-c", "user.email=x@example.org", "tag", "-f", "-a", tag, "-m", "定档", "main~1")
    refused(central.push("zhangsan", CHEM_TAG, force=True), "zhangsan（张三）", CHEM_TAG, "定稿标签不能移动")
    second = "refs/tags/finalise/2020/chem/2"
    git(central.clone, "-c", "user.name=李四", "-c", "user.email=x@example.org", "tag", "-a", second.removeprefix("refs/tags/"), "-m", "定档", "main")
    refused(central.push("lisi", second), "lisi（李四）", second, "无权为二级党组织“chem”创建定稿标签")
    refused(central.push("zhangsan", second), "zhangsan（张三）", second,
            "orgs/chem/2020/org-year.toml 没有记录定稿标签 finalise/2020/chem/2")
    git(central.clone, "tag", "finalise/2020/chem/3", "main")
    refused(central.push("zhangsan", "refs/tags/finalise/2020/chem/3"), "zhangsan（张三）",
            "refs/tags/finalise/2020/chem/3", "必须是附注标签")
    assert git(central.bare, "tag").stdout.split() == ["finalise/2020/admin/1", "finalise/2020/chem/1", "finalise/2020/math/1"]


def test_a_broken_access_toml_fails_closed_but_the_department_may_fix_it(central):
    good = (central.clone / "access.toml").read_text()
    central.commit("access.toml", '"张三" = ["chem"]', '"张三" = ["chem"', "测试员")
    assert central.push("测试员").returncode == 0  # checked against the rules before this push
    central.commit("orgs/chem/branches/b0001.toml", 'secretary = "', 'secretary = "改', "张三")
    result = central.push("zhangsan")
    refused(result, "zhangsan（张三）", MAIN, "access.toml 第", "列有语法错误，拒绝推送",
            "组织部（据主分支上最后一份有效的 access.toml，提交 ", "：测试员）推送修正后的 access.toml 即可恢复")
    refused(central.push("测试员"), "测试员", MAIN, "有语法错误")  # not a fix: still closed
    (central.clone / "access.toml").write_text(good)
    git(central.clone, "-c", "user.name=测试员", "-c", "user.email=x@example.org", "commit", "-qam", "修正 access.toml")
    assert central.push("测试员").returncode == 0
    central.commit("orgs/chem/branches/b0002.toml", 'secretary = "', 'secretary = "改', "张三")
    assert central.push("zhangsan").returncode == 0


def test_deleting_access_toml_fails_closed_too(central):
    git(central.clone, "rm", "-q", "access.toml")
    git(central.clone, "-c", "user.name=测试员", "-c", "user.email=x@example.org", "commit", "-qm", "删除 access.toml")
    assert central.push("测试员").returncode == 0
    central.commit("orgs/math/branches/b0013.toml", 'secretary = "', 'secretary = "改', "张三")
    refused(central.push("zhangsan"), "zhangsan（张三）", MAIN, "access.toml 已从主分支删除", "：测试员）")


# ---------------------------------------------------------------- what still passes


def test_legitimate_pushes_pass_and_nothing_is_readable_by_others(central, tmp_path, monkeypatch):
    central.commit("orgs/chem/branches/b0001.toml", 'secretary = "', 'secretary = "改', "张三")
    assert central.push("zhangsan").returncode == 0  # an organisation's fast-forward
    (central.clone / "campaigns" / "note.md").write_text("说明\n")
    git(central.clone, "add", "campaigns/note.md")
    central.commit("access.toml", '"王五" = ["logi"]', '"王五" = ["logi", "mech"]', "测试员")
    central.commit("orgs/math/branches/b0013.toml", 'secretary = "', 'secretary = "数', "测试员")
    assert central.push("测试员").returncode == 0  # the department changes anything
    # a school works in its own copy through shuping: grades, finalises, syncs over others' work
    school = shuping_clone(str(central.bare), tmp_path / "school", "王五")
    central.commit("orgs/chem/branches/b0002.toml", 'secretary = "', 'secretary = "化', "张三")
    assert central.push("zhangsan").returncode == 0
    campaign = load(school).campaign
    grades = {0: Grade.GOOD, 1: Grade.FAIRLY_GOOD, 2: Grade.AVERAGE, 3: Grade.FAIRLY_GOOD}
    save_grades(school, grade_set(school, "logi", grades), campaign)
    finalise(school, grade_set(school, "logi"), campaign, WHEN)
    monkeypatch.setenv("SHUPING_PUSHER", "wangwu")
    old_umask = os.umask(0o022)
    try:
        sync(school)
    finally:
        os.umask(old_umask)
    head = central.rev()
    assert len(git(central.bare, "rev-list", "--parents", "-n", "1", head).stdout.split()) == 3  # the sync's merge
    tag = "finalise/2020/logi/1^{commit}"
    assert central.rev(tag) == school.git.run("rev-parse", tag)  # its own organisation's finalisation
    assert readable_by_others(central.bare) == []


def test_server_hook_tightens_an_existing_world_readable_repository(demo_archive, tmp_path):
    bare = tmp_path / "old.git"
    git(tmp_path, "clone", "-q", "--bare", str(demo_archive.root), str(bare))
    assert readable_by_others(bare)
    result = shuping("server-hook", str(bare))
    assert result.returncode == 0, result.stderr
    assert "已收紧" in result.stdout
    assert readable_by_others(bare) == []
    assert git(bare, "config", "core.sharedRepository").stdout.strip() == "0660"


# ---------------------------------------------------------------- any history an operator builds


FILES = ["orgs/chem/branches/b0001.toml", "orgs/chem/2020/org-year.toml", "orgs/math/branches/b0013.toml",
         "orgs/math/2020/meeting.toml", "access.toml", "shuping.toml"]
steps = st.lists(st.one_of(
    st.tuples(st.just("commit"), st.integers(0, 9), st.sampled_from(FILES), st.booleans()),
    st.tuples(st.just("branch"), st.integers(0, 30)),
    st.tuples(st.just("merge"), st.integers(0, 9), st.integers(0, 9), st.integers(0, 2)),
), min_size=1, max_size=6)


def test_no_history_an_operator_builds_changes_anything_outside_their_organisation(central):
    clone = central.clone
    old_main = git(clone, "rev-list", "--first-parent", "-n", "31", "main").stdout.split()
    env = index_env(central)
    pushes = {"accepted": 0}

    def commit_tree(tree, *parents):
        args = [a for p in parents for a in ("-p", p)]
        return git(clone, "commit-tree", tree, *args, "-m", "操作", env={"GIT_AUTHOR_NAME": "张三", "GIT_COMMITTER_NAME": "张三",
                                                                         "GIT_AUTHOR_EMAIL": "x@e", "GIT_COMMITTER_EMAIL": "x@e"}).stdout.strip()

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(steps, st.integers(0, 9))
    def run(plan, pick):
        tip = central.rev()
        heads = [tip]
        for n, step in enumerate(plan):
            if step[0] == "branch":
                heads.append(old_main[min(step[1], len(old_main) - 1)])
            elif step[0] == "commit":
                _, i, path, delete = step
                base = heads[i % len(heads)]
                git(clone, "read-tree", base, env=env)
                if delete:
                    git(clone, "update-index", "--force-remove", path, env=env)
                else:
                    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=clone, input=f"x = {n}\n",
                                          capture_output=True, text=True).stdout.strip()
                    git(clone, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
                heads.append(commit_tree(git(clone, "write-tree", env=env).stdout.strip(), base))
            else:
                _, a, b, tree_from = step
                pa, pb = heads[a % len(heads)], heads[b % len(heads)]
                if pa == pb:
                    continue
                tree = (pa, pb, tip)[tree_from] + "^{tree}"
                heads.append(commit_tree(git(clone, "rev-parse", tree).stdout.strip(), pa, pb))
        candidate = heads[pick % len(heads)]
        if candidate != tip and git(clone, "merge-base", "--is-ancestor", tip, candidate, check=False).returncode != 0:
            # not a fast-forward: the operator merges it in, keeping the candidate's tree
            candidate = commit_tree(git(clone, "rev-parse", f"{candidate}^{{tree}}").stdout.strip(), tip, candidate)
        result = central.push("zhangsan", f"{candidate}:refs/heads/main")
        if result.returncode == 0:
            pushes["accepted"] += 1
            changed = git(central.bare, "diff-tree", "-r", "--name-only", tip, central.rev()).stdout.split()
            assert all(p.startswith("orgs/chem/") for p in changed), changed
        else:
            assert "拒绝推送 refs/heads/main（推送人：zhangsan（张三））：" in result.stderr, result.stderr
            assert central.rev() == tip

    run()
