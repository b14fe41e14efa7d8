"""The store against real git repositories in temporary folders."""

from __future__ import annotations

import pytest

from schema.records import Branch
from store.archive import Archive
from store.errors import ConflictError, StoreError
from store.snapshot import load
from tests.conftest import git_log


def test_init_makes_a_committed_archive(empty_archive: Archive):
    assert git_log(empty_archive) == ["测试员|新建档案：测试大学"]
    assert empty_archive.campaign().record.report_deadline.isoformat() == "2021-01-30"
    assert (empty_archive.root / ".git").stat().st_mode & 0o007 == 0  # not world-readable


def test_save_is_on_disk_and_in_git_log(demo_archive: Archive):
    snap = load(demo_archive)
    stored = snap.branches["b0001"]
    saved = demo_archive.save(stored, stored.record.model_copy(update={"secretary": "韩立新"}), "修改党支部：测试（支部书记）")
    assert 'secretary = "韩立新"' in (demo_archive.root / stored.path).read_text()
    assert git_log(demo_archive, "-1") == ["测试员|修改党支部：测试（支部书记）"]
    body = demo_archive.git.run("log", "-1", "--format=%B")
    assert f"Record: {stored.path}" in body and "Operator: 测试员" in body
    assert saved.version != stored.version
    assert demo_archive.git.run("status", "--porcelain") == ""


def test_second_save_from_stale_version_is_a_conflict(demo_archive: Archive):
    other = Archive.open(demo_archive.root, "另一位")
    stored = load(demo_archive).branches["b0001"]
    other.save(stored, stored.record.model_copy(update={"secretary": "甲"}), "改为甲")
    with pytest.raises(ConflictError) as e:
        demo_archive.save(stored, stored.record.model_copy(update={"secretary": "乙"}), "改为乙")
    assert "另一位" in str(e.value)
    assert 'secretary = "甲"' in (demo_archive.root / stored.path).read_text()
    assert git_log(demo_archive, "-1") == ["另一位|改为甲"]


def test_comments_and_key_order_survive_a_save(demo_archive: Archive):
    stored = load(demo_archive).branches["b0002"]
    path = demo_archive.root / stored.path
    text = "# 手工添加的注释\n" + path.read_text().replace("members =", "members = 30 # 核对过\nx_removed =", 1)
    text = text.replace("x_removed = ", "# ", 1)
    path.write_text(text)
    demo_archive.recover()
    stored = load(demo_archive).branches["b0002"]
    demo_archive.save(stored, stored.record.model_copy(update={"secretary": "新书记"}), "改书记")
    after = path.read_text()
    assert after.startswith("# 手工添加的注释\n") and "members = 30 # 核对过" in after


def test_recovery_commits_leftover_changes_and_cleans_locks(demo_archive: Archive):
    path = demo_archive.root / "orgs/chem/branches/b0003.toml"
    path.write_text(path.read_text().replace('secretary = "', 'secretary = "改', 1))
    (demo_archive.git.git_dir / "index.lock").write_text("")
    (path.parent / ".b0004.toml.123.shuping-tmp").write_text("partial")
    done = Archive.open(demo_archive.root, "测试员").recover() or None
    reopened = Archive.open(demo_archive.root, "测试员")
    assert reopened.git.run("status", "--porcelain", "--ignored") == ""
    assert git_log(reopened, "-1")[0].endswith("恢复：提交上次中断时未提交的修改")
    assert not (demo_archive.git.git_dir / "index.lock").exists()
    del done


def test_recovery_leaves_stray_files_out_of_the_archive(demo_archive: Archive):
    """An export saved into the archive folder (the default folder of every command) is not a
    record: reopening must not commit it (and sync would push it to the central archive)."""
    (demo_archive.root / "化学学院述职报告.docx").write_bytes(b"PK export")
    (demo_archive.root / "exports").mkdir()
    (demo_archive.root / "exports/统计表.xlsx").write_bytes(b"PK table")
    path = demo_archive.root / "orgs/chem/branches/b0003.toml"
    path.write_text(path.read_text().replace('secretary = "', 'secretary = "改', 1))
    head = demo_archive.head()
    Archive.open(demo_archive.root, "测试员")
    assert demo_archive.git.run("show", "--name-only", "--format=", "HEAD").split() == ["orgs/chem/branches/b0003.toml"]
    assert demo_archive.git.run("rev-parse", "HEAD~1") == head
    recovered = demo_archive.head()
    Archive.open(demo_archive.root, "测试员")  # and again: nothing more to commit
    assert demo_archive.head() == recovered
    assert demo_archive.git.run("status", "--porcelain").splitlines() == ["?? exports/", "?? 化学学院述职报告.docx"]


def test_not_an_archive_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="不是 shuping 档案"):
        Archive.open(tmp_path)


def test_branch_save_validates(demo_archive: Archive):
    stored = load(demo_archive).branches["b0001"]
    with pytest.raises(Exception):
        stored.record.model_copy(update={}).members = -1
    assert isinstance(stored.record, Branch)


def test_small_commits_write_the_same_trees_git_would(empty_archive: Archive):
    """Small commits build their objects in-process (store.gitobjects): the index git keeps
    must end up equal to the committed tree, and the repository must pass fsck."""
    from datetime import datetime

    from store.archive import Change, commit_clock

    a = empty_archive
    a.commit([Change("orgs/x/2020/ballots/1/0001.toml", b"n = 1\n", None),
              Change("orgs/x/2020/ballots/1/0002.toml", b"n = 2\n", None)], "两张票")
    a.commit([Change("orgs/x/2020/ballots/1/0001.toml", b"n = 11\n", a.read_bytes("orgs/x/2020/ballots/1/0001.toml")[1])], "改一张")
    with commit_clock(lambda: datetime(2021, 1, 20, 9, 30)):
        a.commit([Change("orgs/x/2020/ballots/1/0001.toml", None, a.read_bytes("orgs/x/2020/ballots/1/0001.toml")[1]),
                  Change("orgs/x/2020/ballots/1/0002.toml", None, a.read_bytes("orgs/x/2020/ballots/1/0002.toml")[1])], "删两张")
    assert a.git.run("write-tree") == a.git.run("rev-parse", "HEAD^{tree}")
    assert a.git.run("status", "--porcelain") == ""
    assert "orgs" not in a.git.run("ls-tree", "--name-only", "HEAD")  # the emptied folders are gone
    assert a.git.run("log", "-1", "--format=%an|%cn|%ad", "--date=format-local:%Y-%m-%d %H:%M") == "测试员|测试员|2021-01-20 09:30"
    assert a.git.run("show", "HEAD~1:orgs/x/2020/ballots/1/0001.toml") == "n = 11"
    a.git.run("fsck", "--strict", "--no-dangling")
