"""Git, as the store uses it: never prompting, always with a timeout, errors in Chinese.

One long-lived GitPython ``Repo`` per archive; writes go through the git command itself
(GitPython's index API is slower and not thread-safe).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")  # a missing git becomes our error, not an ImportError

import git  # noqa: E402
from git.exc import GitCommandError, GitCommandNotFound, InvalidGitRepositoryError, NoSuchPathError  # noqa: E402

from store.errors import ReadOnlyError, StoreError, os_reason  # noqa: E402
from store.gitobjects import ObjectWriter  # noqa: E402

NO_GIT = "找不到 git 命令：档案只能查看，不能保存。请先安装 git（或把它加入 PATH）。"

PACK_FROM = 100  # git fast-import's own default (fastimport.unpackLimit): fewer objects stay loose

COMMITTING = ("commit", "commit-tree", "merge", "tag")
SIGN_FAILURES = ("gpg", "sign", "public key", "failed to write commit object")  # what git says when signing fails
SIGN_FAILED = ("无法为提交签名（git 设置了 commit.gpgSign）。请检查 user.signingKey 和 gpg.format（签名密钥是否存在、"
               "gpg 或 ssh-agent 能否使用），或为此档案关闭签名：git config commit.gpgSign false。git 的报告：")

QUIET_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=15",
    "GIT_OPTIONAL_LOCKS": "0",
    "LC_ALL": "C",
}


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    def env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


class GitRepo:
    def __init__(self, root: Path):
        try:
            self.repo = git.Repo(root)
        except (InvalidGitRepositoryError, NoSuchPathError) as e:
            raise StoreError(f"{root} 不是 shuping 档案（不是 git 仓库）。可用 `shuping init` 新建。") from e
        except GitCommandNotFound as e:
            raise StoreError("找不到 git 命令，请先安装 git。") from e
        self.root = Path(self.repo.working_tree_dir or root)
        self.git_dir = Path(self.repo.git_dir)
        self.objects = ObjectWriter(self.repo, self.git_dir)

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60, strip: bool = True,
            input: bytes | str | None = None) -> str:
        """Run git; ``input`` goes to its stdin (path lists, messages: never the argument
        list, which has a size limit a 5,000-file change exceeds)."""
        if input is not None:
            return self._run_with_input(args, env, timeout, strip, input.encode() if isinstance(input, str) else input)
        try:
            return self.repo.git.execute(
                ["git", *args],
                env={**os.environ, **QUIET_ENV, **(env or {})},
                kill_after_timeout=timeout,
                strip_newline_in_stdout=strip,
            )
        except GitCommandNotFound as e:
            raise ReadOnlyError(NO_GIT) from e
        except GitCommandError as e:
            detail = (e.stderr or "").strip().removeprefix("stderr:").strip(" '\n")
            raise _failure(args, detail or str(e)) from e

    def _run_with_input(self, args, env, timeout: float, strip: bool, data: bytes) -> str:
        try:
            done = subprocess.run(["git", *args], input=data, cwd=self.root, capture_output=True, timeout=timeout,
                                  env={**os.environ, **QUIET_ENV, **(env or {})})
        except FileNotFoundError as e:
            raise ReadOnlyError(NO_GIT) from e
        except (OSError, subprocess.TimeoutExpired) as e:
            raise StoreError(f"git {args[0]} 失败：{e}") from e
        if done.returncode:
            raise _failure(args, done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}")
        out = done.stdout.decode("utf-8", "replace")
        return out.rstrip("\n") if strip else out

    def blobs(self, ids: list[str]) -> dict[str, bytes | None]:
        """The contents of the blobs ``ids`` (blob ids or ``rev:path``), read in one
        ``git cat-file --batch``; None for one that is not in the object store."""
        if not ids:
            return {}
        try:
            done = subprocess.run(["git", "cat-file", "--batch"], input="".join(f"{i}\n" for i in ids).encode(),
                                  cwd=self.root, capture_output=True, timeout=120, env={**os.environ, **QUIET_ENV})
        except FileNotFoundError as e:
            raise ReadOnlyError(NO_GIT) from e
        except (OSError, subprocess.TimeoutExpired) as e:
            raise StoreError(f"git cat-file 失败：{e}") from e
        out, pos, found = done.stdout, 0, {}
        for i in ids:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] != b"blob":
                found[i] = None  # "<id> missing", or not a blob
                if len(header) == 3:
                    pos += int(header[2]) + 1
                continue
            size = int(header[2])
            found[i] = out[pos:pos + size]
            pos += size + 1
        return found

    def store_blobs(self, blobs: list[bytes]) -> None:
        """Put ``blobs`` in the object store as one pack (``git fast-import``), unflushed: a
        following ``update-index`` of files with these contents finds them there instead of
        writing a loose object file each, which for thousands of records costs more than the
        records themselves. The caller flushes the filesystem before committing. Fewer than
        ``PACK_FROM`` are left to ``update-index``, as fast-import itself would write them loose."""
        if len(blobs) < PACK_FROM:
            return
        stream = b"".join(b"blob\ndata %d\n%s\n" % (len(blob), blob) for blob in blobs) + b"done\n"
        try:
            done = subprocess.run(
                ["git", "-c", "core.fsync=none", "fast-import", "--quiet", "--done"],
                input=stream, cwd=self.root, env={**os.environ, **QUIET_ENV}, capture_output=True, timeout=60,
            )
        except FileNotFoundError as e:
            raise ReadOnlyError(NO_GIT) from e
        except (OSError, subprocess.TimeoutExpired) as e:
            raise StoreError(f"git fast-import 失败：{e}") from e
        if done.returncode:
            detail = done.stderr.decode("utf-8", "replace").strip()
            if "No space left on device" in detail:
                raise StoreError("磁盘空间已满，git fast-import 未能完成。请清理磁盘后重试。")
            raise StoreError(f"git fast-import 失败：{detail}")


def _failure(args: tuple[str, ...], detail: str) -> StoreError:
    """git's failure as a domain error."""
    if "No space left on device" in detail:
        return StoreError(f"磁盘空间已满，git {args[0]} 未能完成。请清理磁盘后重试。")
    local = args[0] not in ("fetch", "push", "clone", "ls-remote")
    if local and ("Read-only file system" in detail or "Permission denied" in detail):
        return ReadOnlyError(f"没有写入权限，git {args[0]} 未能完成（{detail.splitlines()[-1]}）。")
    if args[0] in COMMITTING and any(m in detail for m in SIGN_FAILURES):
        return StoreError(SIGN_FAILED + detail)
    return StoreError(f"git {args[0]} 失败：{detail}")


def paths_input(paths: list[str]) -> bytes:
    """A path list for git's ``--stdin -z`` / ``--pathspec-from-file=- --pathspec-file-nul``."""
    return b"".join(p.encode() + b"\0" for p in paths)


def init_repo(root: Path) -> GitRepo:
    try:
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o2770)
    except OSError as e:
        raise StoreError(f"无法在 {root} 新建档案：{os_reason(e)}") from e
    try:
        git.Repo.init(root, initial_branch="main", shared="0660")  # group-shared, never world-readable
    except GitCommandNotFound as e:
        raise StoreError("找不到 git 命令，请先安装 git。") from e
    except GitCommandError as e:
        raise StoreError(f"无法在 {root} 新建档案：{(e.stderr or '').strip()}") from e
    repo = GitRepo(root)
    for key, value in {
        "core.fsync": "committed",  # objects and refs reach the disk before a commit returns
        "core.fsyncMethod": "fsync",
        "core.quotePath": "false",
        "gc.writeCommitGraph": "true",
        "commitGraph.readChangedPaths": "true",
        "fetch.writeCommitGraph": "true",
        "core.untrackedCache": "true",  # `git status` on tens of thousands of records in a fraction of a second
    }.items():
        repo.run("config", key, value)
    return repo
