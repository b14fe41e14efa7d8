"""The central bare repository (`shuping server-init`, `shuping server-hook`): group-shared,
never readable by others, guarded by the pre-receive hook of store/access.py."""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from store.access import install_server_hook
from store.errors import StoreError, os_reason
from store.gitrepo import QUIET_ENV

SHARED = "0660"  # git's own strict group sharing: `group` alone keeps a pusher's umask, 0644 packs included
DIR_MODE = 0o2770


@dataclass
class Central:
    path: Path
    hook: Path
    fixed: list[str]  # files and folders whose modes were tightened
    unfixable: list[str]  # others' files this user may not chmod


def _git(bare: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=bare, capture_output=True, text=True, timeout=60,
                         env={**os.environ, **QUIET_ENV})
    if out.returncode != 0:
        raise StoreError(f"git {' '.join(args)} 失败：{out.stderr.strip()}")
    return out.stdout.strip()


def server_init(path: Path | str, branch: str = "main") -> Central:
    """A new, empty central repository: bare, group-shared, hook installed."""
    bare = Path(path)
    if bare.exists() and any(bare.iterdir()):
        raise StoreError(f"{bare} 不是空文件夹，请换一个路径（已有的中心仓库用 `shuping server-hook` 加固）。")
    try:
        bare.mkdir(parents=True, exist_ok=True)
        bare.chmod(DIR_MODE)
    except OSError as e:
        raise StoreError(f"无法在 {bare} 新建中心仓库：{os_reason(e)}") from e
    _git(bare, "init", "-q", "--bare", f"--shared={SHARED}", f"--initial-branch={branch}", ".")
    return harden(bare, branch)


def harden(path: Path | str, branch: str | None = None) -> Central:
    """Install the hook into an existing bare repository, make it group-shared and take
    every file's and folder's permissions for others away."""
    bare = Path(path)
    if not (bare / "objects").is_dir() or not (bare / "HEAD").exists():
        raise StoreError(f"{bare} 不是 git 裸仓库（应含 HEAD、objects/ 和 hooks/）。")
    _git(bare, "config", "core.sharedRepository", SHARED)
    _git(bare, "config", "receive.denyNonFastForwards", "true")
    if branch:
        _git(bare, "config", "shuping.branch", branch)
    hook = install_server_hook(bare)
    fixed, unfixable = fix_modes(bare)
    return Central(bare, hook, fixed, unfixable)


def fix_modes(bare: Path) -> tuple[list[str], list[str]]:
    """Folders 2770, files group-readable (group-writable where the owner may write), nothing for others."""
    fixed, unfixable = [], []
    for path in [bare, *sorted(bare.rglob("*"))]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            want = DIR_MODE
        else:
            want = (mode & 0o770) | stat.S_IRGRP | (stat.S_IWGRP if mode & stat.S_IWUSR else 0)
            want |= stat.S_IXGRP if mode & stat.S_IXUSR else 0
        if mode == want:
            continue
        try:
            path.chmod(want)
            fixed.append(path.relative_to(bare).as_posix() or ".")
        except OSError:
            unfixable.append(path.relative_to(bare).as_posix() or ".")
    return fixed, unfixable


def readable_by_others(bare: Path) -> list[str]:
    """Files and folders of the repository others may read or enter."""
    return [p.relative_to(bare).as_posix() for p in [bare, *bare.rglob("*")]
            if not p.is_symlink() and p.lstat().st_mode & (stat.S_IROTH | stat.S_IXOTH | stat.S_IWOTH)]


__all__ = ["Central", "fix_modes", "harden", "readable_by_others", "server_init"]
