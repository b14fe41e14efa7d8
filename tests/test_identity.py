"""Identities are made git-valid once, where they are created: a commit written in-process is
byte for byte the one `git commit-tree` writes, and `git fsck --strict` accepts it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.errors import StoreError
from store.gitrepo import GitRepo, init_repo
from store.identity import git_valid, resolve_operator


@pytest.mark.parametrize("raw, valid", [
    ("张三", "张三"),
    ("张三 <x>", "张三 x"),
    ("  <王五>  ", "王五"),
    ("'李四',", "李四"),
    ("a\nb", "ab"),
    ("赵六 \"组织部\"", "赵六 \"组织部"),
])
def test_git_valid_drops_what_git_drops(raw: str, valid: str):
    assert git_valid(raw) == valid


def test_a_name_git_would_empty_is_refused():
    with pytest.raises(StoreError, match="去掉 git 不允许的字符"):
        resolve_operator(" <> ")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    root: Path = tmp_path_factory.mktemp("ident") / "repo"
    init_repo(root)
    return GitRepo(root)


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12)
messages = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), min_size=1, max_size=40)
dates = st.datetimes(min_value=__import__("datetime").datetime(2001, 1, 1), max_value=__import__("datetime").datetime(2090, 1, 1),
                     timezones=st.sampled_from([__import__("datetime").timezone.utc,
                                                __import__("datetime").timezone(__import__("datetime").timedelta(hours=8)),
                                                __import__("datetime").timezone(-__import__("datetime").timedelta(hours=5, minutes=30))]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, message=messages, when=dates)
def test_in_process_commits_are_the_ones_git_writes(repo: GitRepo, name: str, message: str, when):
    try:
        who = resolve_operator(name)
    except StoreError:
        return  # nothing git would accept either
    if message.strip("\n") == "":
        return  # shuping never commits an empty message
    env = {**who.env(), "GIT_AUTHOR_DATE": when.isoformat(), "GIT_COMMITTER_DATE": when.isoformat()}
    tree = repo.objects.write_tree({})
    ours = repo.objects.commit(tree, None, message, env)
    gits = repo.run("commit-tree", tree, "-m", message, env=env)
    assert ours == gits
    repo.run("fsck", "--strict", "--no-progress", ours)
