"""Access scopes in the app (``Archive.check_access``) and on the central server (the
pre-receive hook `shuping server-hook` writes)."""

from __future__ import annotations

import inspect
import stat
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import schema.access
from schema.access import refusal
from schema.problems import toml_error_place
from store import layout
from store.errors import AccessError, StoreError
from store.gitrepo import Identity

if TYPE_CHECKING:
    from store.archive import Archive


def read_rules(root: Path) -> dict | None:
    """The parsed access.toml of the archive at ``root``; None if there is none."""
    try:
        text = (root / layout.ACCESS).read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise AccessError(f"无法读取 {layout.ACCESS}：{e}；为安全起见，暂不允许修改。") from e
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise AccessError(f"{layout.ACCESS} 有语法错误（{toml_error_place(e)}）；为安全起见，暂不允许修改。请组织部修正该文件。") from e


class AccessCheck:
    """``Archive.check_access``: refuse a change outside the operator's organisations."""

    def __init__(self, archive: Archive):
        self.root = archive.root

    def __call__(self, who: Identity, paths: list[str]) -> None:
        why = refusal(read_rules(self.root), who.name, paths, layout.org_of, self.org_name)
        if why:
            raise AccessError(why)

    def org_name(self, org: str) -> str:
        try:
            return tomllib.loads((self.root / layout.org_path(org)).read_text("utf-8")).get("name", "")
        except (OSError, ValueError):
            return ""


# ---------------------------------------------------------------- the central server's hook

HOOK = '''#!/usr/bin/env python3
"""shuping pre-receive hook: refuse pushes that change another organisation's records.

Written by `shuping server-hook`; needs only git and Python >= 3.11 (no shuping).
The pusher is $SHUPING_PUSHER, else $GL_USER (gitolite), else $REMOTE_USER, else $USER
(the ssh login); access.toml's [logins] maps a login to an operator name. The rules are
the access.toml of the branch being updated as it is *before* the push (for a new branch:
that of HEAD), so nobody can grant themselves rights in the push itself. Finalisation tags
and history are never rewritten: non-fast-forward updates and tag moves are refused.
"""

import os
import re
import subprocess
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    print("shuping: 服务器的 python3 版本过低（需 3.11 以上），拒绝推送。", file=sys.stderr)
    sys.exit(1)

ZERO = "0" * 40

%(rule)s

%(org_of)s


def git(*args, check=True):
    out = subprocess.run(["git", *args], capture_output=True, text=True)
    if check and out.returncode != 0:
        raise SystemExit("shuping: git " + " ".join(args) + " 失败：" + out.stderr.strip())
    return out


def rules_at(rev):
    if rev is None:
        return None
    out = git("show", rev + ":access.toml", check=False)
    if out.returncode != 0:
        return None
    try:
        return tomllib.loads(out.stdout)
    except tomllib.TOMLDecodeError as e:
        at = re.search(r"at line (\\d+), column (\\d+)", str(e))
        where = "第" + at.group(1) + "行第" + at.group(2) + "列" if at else ""
        raise SystemExit("shuping: access.toml " + where + "有语法错误，拒绝推送。请在本地修正后再推送。")


def changed_paths(old, new):
    """Paths each new commit changes; for a merge, only what differs from every parent."""
    commits = git("rev-list", "--reverse", new, "--not", "--all").stdout.split()
    paths = []
    for commit in commits:
        out = git("diff-tree", "-r", "-c", "--root", "--no-commit-id", "--name-only", "-z", commit).stdout
        paths += [p for p in out.split("\\0") if p]
    return sorted(set(paths))


def main():
    login = (os.environ.get("SHUPING_PUSHER") or os.environ.get("GL_USER")
             or os.environ.get("REMOTE_USER") or os.environ.get("USER") or "")
    head = git("rev-parse", "--verify", "-q", "HEAD", check=False).stdout.strip() or None
    refused = []
    for line in sys.stdin:
        old, new, ref = line.split()
        base = old if old != ZERO else head
        rules = rules_at(base)
        operator = operator_for_login(rules, login)
        everything = rules is None or (rules.get("operators") or {}).get(operator) == ALL
        if new == ZERO:
            if not everything:
                refused.append(ref + "：只有组织部可以删除分支或标签。")
            continue
        if old != ZERO and ref.startswith("refs/tags/"):
            refused.append(ref + "：定稿标签不能移动。")
            continue
        if old != ZERO and git("merge-base", "--is-ancestor", old, new, check=False).returncode != 0:
            refused.append(ref + "：不允许改写历史（非快进推送）。请先同步（shuping sync）再推送。")
            continue
        paths = changed_paths(old, new)
        if paths and not login and not everything:
            refused.append(ref + "：无法确定推送人（请设置 SHUPING_PUSHER）。")
            continue
        why = refusal(rules, operator, paths, org_of)
        if why:
            refused.append(ref + "：" + why)
    for message in refused:
        print("shuping: 拒绝推送 " + message, file=sys.stderr)
    sys.exit(1 if refused else 0)


if __name__ == "__main__":
    main()
'''


def hook_text() -> str:
    rule = inspect.getsource(schema.access).split("from __future__ import annotations", 1)[1]
    return HOOK % {"rule": rule.strip(), "org_of": inspect.getsource(layout.org_of).strip()}


def install_server_hook(bare: Path | str) -> Path:
    """Write the pre-receive hook into the central bare repository at ``bare``."""
    bare = Path(bare)
    hooks = bare / "hooks"
    if not (bare / "objects").is_dir() or not (bare / "HEAD").exists():
        raise StoreError(f"{bare} 不是 git 裸仓库（应含 HEAD、objects/ 和 hooks/）。")
    hooks.mkdir(exist_ok=True)
    target = hooks / "pre-receive"
    target.write_text(hook_text(), "utf-8")
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IRUSR | stat.S_IRGRP)
    return target


__all__ = ["AccessCheck", "install_server_hook", "read_rules"]
