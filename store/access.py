"""Access scopes in the app (``Archive.check_access``) and on the central server (the
pre-receive hook `shuping server-hook` writes)."""

from __future__ import annotations

import inspect
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

HOOK = r'''#!/usr/bin/env python3
"""shuping pre-receive hook: the central archive holds against any pusher.

Written by `shuping server-init` / `shuping server-hook`; needs only git and Python >= 3.11
(no shuping). The pusher is $SHUPING_PUSHER, else $GL_USER (gitolite), else $REMOTE_USER,
else $USER (the ssh login); access.toml's [logins] maps a login to an operator name.

- The rules are the access.toml at the protected branch's tip *before* the push (the branch
  is `git config shuping.branch`, else main), never anything the push brings.
- Only the protected branch and refs/tags/finalise/* may be updated; every other ref
  (refs/replace/*, other branches, notes) is refused, and git runs with replace objects off.
- Each new commit is checked against those rules: a plain commit by its own diff, a merge by
  what it changes itself and by its difference from the branch's tip before the push (when it
  contains that tip); the pushed tip always by its difference from the tip before. No choice
  of parents hides a path.
- Finalisation tags are never deleted or moved; a new one must be annotated, point at a commit
  on the branch whose org-year.toml records it as its finalisation, and be pushed by the
  department or the organisation's own operator.
- A broken (or deleted) access.toml fails closed; the department, as the last valid
  access.toml on the branch names it, may still push the fix.
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
FINALISE = "refs/tags/finalise/"
TAG_NAME = re.compile(r"refs/tags/(finalise/(\d{4})/([^/]+)/([1-9][0-9]*))$")
ENV = {**os.environ, "GIT_NO_REPLACE_OBJECTS": "1", "GIT_TERMINAL_PROMPT": "0"}

%(rule)s


%(org_of)s


def git(*args, check=True):
    out = subprocess.run(["git", *args], capture_output=True, text=True, env=ENV)
    if check and out.returncode != 0:
        raise SystemExit("shuping: git " + " ".join(args) + " 失败：" + out.stderr.strip())
    return out


def short(sha):
    return sha[:10]


def is_ancestor(a, b):
    return git("merge-base", "--is-ancestor", a, b, check=False).returncode == 0


def toml_at(rev, path):
    """(parsed, None), (None, None) when there is no such file, or (None, "第…行第…列") when it does not parse."""
    out = git("cat-file", "blob", rev + ":" + path, check=False)
    if out.returncode != 0:
        return None, None
    try:
        data = tomllib.loads(out.stdout)
    except tomllib.TOMLDecodeError as e:
        at = re.search(r"at line (\d+), column (\d+)", str(e))
        return None, ("第" + at.group(1) + "行第" + at.group(2) + "列" if at else "")
    if not isinstance(data.get("operators", {}), dict) or not isinstance(data.get("logins", {}), dict):
        return None, "（[operators] 或 [logins] 不是表）"
    return data, None


class Rules:
    """The access.toml at the protected branch's tip; when that is broken or deleted, the
    last valid one on the branch, used only to recognise the department and its logins."""

    def __init__(self, tip):
        self.rules, self.broken, self.fallback, self.fallback_commit = None, "", None, ""
        if tip is None:
            return
        self.rules, where = toml_at(tip, "access.toml")
        if where is not None:
            self.broken = "access.toml " + where + "有语法错误，拒绝推送。"
        elif self.rules is None and git("rev-list", "-1", tip, "--", "access.toml").stdout.strip():
            self.broken = "access.toml 已从主分支删除，拒绝推送。"
        if self.broken:
            for commit in git("rev-list", tip, "--", "access.toml").stdout.split():
                rules, _ = toml_at(commit, "access.toml")
                if rules is not None:
                    self.fallback, self.fallback_commit = rules, commit
                    break

    @property
    def open(self):
        return self.rules is None and not self.broken

    def operator(self, login):
        return operator_for_login(self.fallback if self.broken else self.rules, login)

    def is_department(self, operator):
        rules = self.fallback if self.broken else self.rules
        return rules is not None and (rules.get("operators") or {}).get(operator) == ALL

    def broken_message(self):
        department = [name for name, granted in ((self.fallback or {}).get("operators") or {}).items() if granted == ALL]
        if not department:
            return self.broken + "主分支上没有一份有效的 access.toml 可认定组织部；请在服务器上直接修正。"
        return (self.broken + "组织部（据主分支上最后一份有效的 access.toml，提交 " + short(self.fallback_commit)
                + "：" + "、".join(department) + "）推送修正后的 access.toml 即可恢复；修正之前其他推送一律拒绝。")


def paths_of(commit, old):
    """The paths a new commit changes: a plain commit against its first parent; a merge what
    differs from every parent, plus, when it contains the old tip, what differs from that tip."""
    parents = git("rev-list", "--parents", "-n", "1", commit).stdout.split()[1:]
    if not parents:
        out = git("ls-tree", "-r", "--name-only", "-z", commit).stdout
    elif len(parents) == 1:
        out = git("diff-tree", "-r", "--name-only", "-z", parents[0], commit).stdout
    else:
        out = git("diff-tree", "-r", "-c", "--no-commit-id", "--name-only", "-z", commit).stdout
        if old != ZERO and is_ancestor(old, commit):
            out += "\0" + git("diff-tree", "-r", "--name-only", "-z", old, commit).stdout
    return sorted({p for p in out.split("\0") if p})


class Push:
    def __init__(self, login, branch, updates):
        self.login, self.branch, self.updates = login, branch, updates
        self.protected = "refs/heads/" + branch
        self.tip = git("rev-parse", "--verify", "-q", self.protected + "^{commit}", check=False).stdout.strip() or None
        self.new_tip = self.tip
        for old, new, ref in updates:
            if ref == self.protected and new != ZERO:
                self.new_tip = new
        self.rules = Rules(self.tip)
        self.operator = self.rules.operator(login) if login else ""

    def pusher(self):
        if not self.login:
            return "（未知）"
        return self.login if self.operator == self.login else self.login + "（" + self.operator + "）"

    def refusals(self):
        out = []
        for old, new, ref in self.updates:
            why = self.check(old, new, ref)
            if why:
                out.append("shuping: 拒绝推送 " + ref + "（推送人：" + self.pusher() + "）：" + why)
        return out

    def check(self, old, new, ref):
        if ref == self.protected:
            return self.check_branch(old, new)
        if ref.startswith(FINALISE):
            return self.check_tag(old, new, ref)
        return ("中心档案只接受 " + self.protected + " 和定稿标签 " + FINALISE + "*；"
                "其他引用（refs/replace/*、其他分支、notes 等）一律拒绝。")

    def check_branch(self, old, new):
        if new == ZERO:
            return "主分支不能删除。"
        if old != ZERO and not is_ancestor(old, new):
            return "不允许改写历史（非快进推送）。请先同步（shuping sync）再推送。"
        if self.rules.open:
            return None
        if not self.login:
            return "无法确定推送人（请设置 SHUPING_PUSHER）。"
        if self.rules.broken:
            fixed, _ = toml_at(new, "access.toml")
            if self.rules.is_department(self.operator) and fixed is not None:
                return None  # the department's fix
            return self.rules.broken_message()
        if self.rules.is_department(self.operator):
            return None
        commits = git("rev-list", "--reverse", "--topo-order", new, "--not", old).stdout.split()
        for commit in commits:
            why = refusal(self.rules.rules, self.operator, paths_of(commit, old), org_of)
            if why:
                return "提交 " + short(commit) + "：" + why
        changed = git("diff-tree", "-r", "--name-only", "-z", old, new).stdout.split("\0")
        why = refusal(self.rules.rules, self.operator, sorted(p for p in changed if p), org_of)
        return "推送后的 " + self.branch + " 与推送前相比：" + why if why else None

    def check_tag(self, old, new, ref):
        if new == ZERO:
            return "定稿标签不能删除（重新打开评定后再定档会生成新的标签）。"
        if old != ZERO:
            return "定稿标签不能移动（重新打开评定后再定档会生成新的标签）。"
        m = TAG_NAME.match(ref)
        if not m:
            return "定稿标签的名称应为 " + FINALISE + "年度/二级党组织/序号。"
        name, year, org = m.group(1), m.group(2), m.group(3)
        if self.rules.broken:
            if not self.rules.is_department(self.operator):
                return self.rules.broken_message()
        elif not self.rules.open and not self.rules.is_department(self.operator):
            granted = (self.rules.rules.get("operators") or {}).get(self.operator)
            if not isinstance(granted, list) or org not in granted:
                return "操作人“" + (self.operator or "（未知）") + "”无权为二级党组织“" + org + "”创建定稿标签。"
        if git("cat-file", "-t", new).stdout.strip() != "tag":
            return "定稿标签必须是附注标签（由 shuping 定档生成）。"
        commit = git("rev-parse", "--verify", "-q", new + "^{commit}", check=False).stdout.strip()
        if not commit or self.new_tip is None or not is_ancestor(commit, self.new_tip):
            return "定稿标签指向的提交 " + short(commit or new) + " 不在 " + self.branch + " 上。"
        path = "orgs/" + org + "/" + year + "/org-year.toml"
        record, where = toml_at(commit, path)
        grading = (record or {}).get("grading") or {}
        tag = str(grading.get("tag") or "").removeprefix("refs/tags/")
        if where is not None or grading.get("finalised") is not True or tag != name:
            return ("提交 " + short(commit) + " 的 " + path + " 没有记录定稿标签 " + name
                    + "（应为 finalised = true，tag = \"" + name + "\"）。")
        return None


def main():
    login = (os.environ.get("SHUPING_PUSHER") or os.environ.get("GL_USER")
             or os.environ.get("REMOTE_USER") or os.environ.get("USER") or "")
    branch = git("config", "--get", "shuping.branch", check=False).stdout.strip() or "main"
    updates = [line.split() for line in sys.stdin if line.strip()]
    refused = Push(login, branch, updates).refusals()
    for message in refused:
        print(message, file=sys.stderr)
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
    target.chmod(0o750)  # group may run it, others nothing
    return target


__all__ = ["AccessCheck", "install_server_hook", "read_rules"]
