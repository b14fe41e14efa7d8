"""Who is operating: --operator, else git's configured identity, else user@host."""

from __future__ import annotations

import getpass
import socket
import subprocess

from store.errors import StoreError
from store.gitrepo import Identity

_CRUD = frozenset(b".,:;<>\"\\'")


def git_valid(text: str) -> str:
    """``text`` as git itself writes a name or email into a commit (ident.c,
    ``strbuf_addstr_without_crud``): leading and trailing blanks and .,:;<>"\\' dropped, and
    newlines, < and > dropped inside. Done once, where an identity is made, so commits written
    in-process are the ones `git commit-tree` would write and `git fsck` accepts."""
    data = text.encode("utf-8")
    crud = lambda c: c <= 32 or c in _CRUD  # noqa: E731
    start, end = 0, len(data)
    while start < end and crud(data[start]):
        start += 1
    while end > start and crud(data[end - 1]):
        end -= 1
    return bytes(c for c in data[start:end] if c not in b"\n<>").decode("utf-8", "replace")


def resolve_operator(name: str | None = None) -> Identity:
    host = socket.gethostname() or "localhost"
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    email = git_valid(_git_config("user.email") or f"{user}@{host}")
    chosen = git_valid(name or _git_config("user.name") or f"{user}@{host}")
    if not chosen:
        raise StoreError(f"操作人姓名“{name}”去掉 git 不允许的字符（< > . , : ; 引号和空白）后为空，请换一个姓名（--operator）。")
    return Identity(chosen, email)


def _git_config(key: str) -> str:
    try:
        out = subprocess.run(
            ["git", "config", "--global", "--get", key], capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
