"""Where git is set to sign commits (``commit.gpgSign``), every commit shuping makes is signed,
here with a real SSH key; a signature that cannot be made refuses the save and loses nothing."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from schema.kinds import BranchKind
from schema.records import Branch
from store import layout
from store.archive import Archive, Change
from store.atomic import BATCH
from store.errors import StoreError
from store.tomlio import render
from tests.conftest import OPERATOR

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")


def _branches(n: int, secretary: str = "书记") -> list[Branch]:
    return [
        Branch(id=f"b{i:04d}", org="chem", name=f"第{i}党支部", kind=BranchKind.STAFF, founded=date(2010, 1, 1),
               secretary=secretary)
        for i in range(n)
    ]


def _changes(archive: Archive, branches: list[Branch]) -> list[Change]:
    out = []
    for b in branches:
        path = layout.branch_path(b.org, b.id)
        out.append(Change(path, render(b).encode(), archive.read_bytes(path)[1]))
    return out


def _sign_with(archive: Archive, key: Path) -> Archive:
    """Set the archive's git to sign with ``key`` (an SSH key) and open it anew, as a user would."""
    for name, value in {"gpg.format": "ssh", "user.signingkey": f"{key}.pub", "commit.gpgsign": "true"}.items():
        archive.git.run("config", name, value)
    return Archive.open(archive.root, OPERATOR)


@pytest.fixture
def key(tmp_path: Path) -> Path:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(key)], check=True)
    return key


@pytest.mark.parametrize("n", [1, BATCH], ids=["one record", "many files"])
def test_commits_are_signed_where_git_says_so(empty_archive: Archive, key: Path, tmp_path: Path, n: int):
    archive = _sign_with(empty_archive, key)
    assert archive.signs_commits
    sha = archive.commit(_changes(archive, _branches(n)), f"新增 {n} 个党支部")
    assert sha == archive.head()
    assert "\ngpgsig -----BEGIN SSH SIGNATURE-----" in archive.git.run("cat-file", "commit", "HEAD")
    signers = tmp_path / "allowed_signers"
    signers.write_text(f'* namespaces="git" {Path(f"{key}.pub").read_text()}')
    archive.git.run("config", "gpg.ssh.allowedSignersFile", str(signers))
    archive.git.run("verify-commit", "HEAD")  # raises if the signature does not verify
    assert archive.git.run("status", "--porcelain") == ""


def test_commits_are_unsigned_where_git_does_not_ask(empty_archive: Archive):
    assert not empty_archive.signs_commits
    empty_archive.commit(_changes(empty_archive, _branches(1)), "新增党支部")
    assert "gpgsig" not in empty_archive.git.run("cat-file", "commit", "HEAD")


@pytest.mark.parametrize("n", [1, BATCH], ids=["one record", "many files"])
def test_a_signature_that_cannot_be_made_refuses_the_save_and_loses_nothing(
    empty_archive: Archive, key: Path, n: int
):
    empty_archive.commit(_changes(empty_archive, _branches(n)), "新增党支部")
    before = {p: p.read_bytes() for p in (empty_archive.root / "orgs").rglob("*.toml")}
    head = empty_archive.head()
    archive = _sign_with(empty_archive, key)
    key.with_suffix(".pub").unlink()  # the configured key is gone
    changes = _changes(archive, _branches(n, secretary="新书记")) + [Change("orgs/chem/branches/new.toml", b"x = 1\n", None)]
    with pytest.raises(StoreError) as e:
        archive.commit(changes, "修改党支部")
    assert "无法为提交签名" in str(e.value) and "文件已恢复" in str(e.value)
    assert archive.head() == head
    assert {p: p.read_bytes() for p in (archive.root / "orgs").rglob("*.toml")} == before
    assert archive.git.run("status", "--porcelain") == ""


def test_an_archive_whose_crash_leftovers_cannot_be_signed_opens_read_only_and_keeps_them(empty_archive: Archive, key: Path):
    empty_archive.commit(_changes(empty_archive, _branches(1)), "新增党支部")
    archive = _sign_with(empty_archive, key)
    path = archive.root / layout.branch_path("chem", "b0000")
    path.write_bytes(path.read_bytes().replace("书记".encode(), "新书记".encode()))  # written, never committed (a crash)
    key.with_suffix(".pub").unlink()
    reopened = Archive.open(archive.root, OPERATOR)
    assert reopened.read_only.startswith("上次中断时留下的修改未能提交，档案暂时只能查看（修改仍在文件中，未丢失）")
    assert "无法为提交签名（git 设置了 commit.gpgSign）" in reopened.read_only  # git commit's own failure, in Chinese
    assert "新书记" in path.read_text()
