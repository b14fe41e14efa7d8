"""Sync with the archive's remote (the department's central bare repository, a path or an
ssh URL): fetch, merge, push.

Different records merge by themselves; the same record merges key by key with the TOML
merge driver (``store.mergedriver``). When a key was changed differently on both sides the
merge is aborted — nothing is lost, both sides stay in git — and the conflicts are returned
for a person to settle; ``resolve`` then redoes the merge with their choices as one commit.
Everything runs under the archive's writer lock, never prompts, and has a timeout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from store.archive import Archive
from store.atomic import atomic_write
from store.errors import StoreError
from store.recovery import Recovery, undo_merge
from store.mergedriver import OURS, THEIRS, FieldConflict, Unmergeable, ensure_registered, merge3

REMOTE = "origin"
BRANCH = "main"
TRACKING = f"refs/remotes/{REMOTE}/{BRANCH}"
FINALISE = "refs/tags/finalise/"  # finalisation tags travel with the records they freeze
NETWORK_TIMEOUT = 120
Progress = Callable[[str], None]


class SyncError(StoreError):
    """The remote could not be reached or refused the push; the local archive is unchanged."""


@dataclass
class FileConflict:
    path: str
    fields: list[FieldConflict]  # one FieldConflict with key () when the file is taken whole


@dataclass
class SyncResult:
    received: int = 0  # commits merged from the remote
    sent: int = 0  # commits pushed
    conflicts: list[FileConflict] = field(default_factory=list)
    theirs: str = ""  # the remote commit the conflicts are against (for ``resolve``)

    def summary(self) -> str:
        if self.conflicts:
            n = sum(len(c.fields) for c in self.conflicts)
            return f"同步暂停：{len(self.conflicts)} 个记录共 {n} 处冲突，需要选择保留哪一方；本地和远程的修改都未丢失。"
        if not self.received and not self.sent:
            return "已是最新：本地与远程档案一致。"
        done = [f"收到 {self.received} 个提交"] if self.received else []
        done += [f"推送 {self.sent} 个提交"] if self.sent else []
        return f"同步完成：{'，'.join(done)}。"


# ---------------------------------------------------------------- configuration


def remote_url(archive: Archive) -> str | None:
    try:
        return archive.git.run("config", "--get", f"remote.{REMOTE}.url") or None
    except StoreError:
        return None


def set_remote(archive: Archive, url: str) -> None:
    """Remember the central archive: a bare repository's path (kept absolute) or an ssh URL."""
    from pathlib import Path

    if "://" not in url and ":" not in url.split("/")[0] and Path(url).exists():
        url = str(Path(url).resolve())
    if remote_url(archive) is None:
        archive.git.run("remote", "add", REMOTE, url)
    else:
        archive.git.run("remote", "set-url", REMOTE, url)


# ---------------------------------------------------------------- sync


def sync(archive: Archive, progress: Progress | None = None, attempts: int = 3) -> SyncResult:
    """Fetch, merge and push. Returns the conflicts instead of merging when there are any."""
    say = progress or (lambda _: None)
    url = remote_url(archive)
    if url is None:
        raise SyncError("尚未设置远程档案：请先运行 `shuping sync --remote 地址`（裸仓库路径或 ssh 地址）。")
    if archive.read_only:
        raise SyncError(archive.read_only)
    result = SyncResult()
    with archive.lock.held():
        ensure_registered(archive.git)
        archive.recover()
        for _ in range(attempts):
            say(f"正在从 {url} 获取…")
            _network(archive, url, "fetch", "-q", REMOTE)
            theirs = _rev(archive, TRACKING)
            if theirs:
                behind = _count(archive, f"HEAD..{theirs}")
                if behind:
                    say(f"正在合并远程的 {behind} 个提交…")
                    conflicts = _merge(archive, theirs, f"同步：合并远程档案的 {behind} 个提交")
                    if conflicts:
                        result.conflicts, result.theirs = conflicts, theirs
                        say(result.summary())
                        return result
                    result.received += behind
            ahead = _count(archive, f"{theirs}..HEAD" if theirs else "HEAD")
            if not ahead and not _tags_to_send(archive):
                break
            say(f"正在推送 {ahead} 个提交…" if ahead else "正在推送定稿标签…")
            if _push(archive, url):
                result.sent += ahead
                break
            say("远程档案刚被他人更新，重新获取…")
        else:
            raise SyncError(f"远程档案 {url} 一直在被他人更新，{attempts} 次尝试后仍未推送成功，请稍后重试。")
    say(result.summary())
    return result


def resolve(archive: Archive, result: SyncResult, choices: dict[tuple[str, tuple[str, ...]], str],
            progress: Progress | None = None) -> SyncResult:
    """Redo the merge of ``result.theirs`` settling each conflict as chosen ((path, key) →
    OURS/THEIRS), commit it as one change and push."""
    missing = [(c.path, f.dotted) for c in result.conflicts for f in c.fields if (c.path, f.key) not in choices]
    if archive.read_only:
        raise SyncError(archive.read_only)
    if missing:
        raise StoreError("还有冲突未选择：" + "、".join(f"{p} [{k}]" for p, k in missing))
    with archive.lock.held():
        ensure_registered(archive.git)
        archive.recover()
        archive.journal.begin_merge(archive.head(), result.theirs)
        try:
            archive.git.run("merge", "--no-ff", "--no-commit", result.theirs, env=archive.operator.env())
        except StoreError:
            pass  # the conflicts we are about to settle
        try:
            unmerged = set(_unmerged(archive))
            for conflict in result.conflicts:
                if conflict.path in unmerged:  # else it merged by itself this time
                    _settle(archive, conflict, {k: v for (p, k), v in choices.items() if p == conflict.path})
            left = _unmerged(archive)
            if left:
                raise StoreError("合并中出现了新的冲突：" + "、".join(left) + "。请重新同步。")
            lines = [f"{p} [{'.'.join(k) or '整个文件'}]：保留{'本地' if v == OURS else '远程'}的值"
                     for (p, k), v in sorted(choices.items())]
            message = archive._message(f"同步：解决 {len(choices)} 处冲突并合并远程档案", "\n".join(lines), [])
            archive.git.run("commit", "-q", "--no-verify", "-F", "-", env=archive.operator.env(), input=message)
        except Exception:
            archive.git.run("merge", "--abort")
            raise
        finally:
            if not (archive.git.git_dir / "MERGE_HEAD").exists():
                archive.journal.end()
    return sync(archive, progress)


def _settle(archive: Archive, conflict: FileConflict, choices: dict[tuple[str, ...], str]) -> None:
    base, ours, theirs = (_stage(archive, n, conflict.path) for n in (1, 2, 3))
    if conflict.fields and conflict.fields[0].key:
        text, left = merge3(base or "", ours or "", theirs or "", choices)
        if left:
            raise StoreError(f"{conflict.path} 还有冲突未选择。")
        data: str | None = text
    else:
        data = ours if choices.get(()) == OURS else theirs
    target = archive.root / conflict.path
    if data is None:
        archive.git.run("rm", "-q", "--", conflict.path)
        return
    atomic_write(target, data.encode())
    archive.git.run("add", "--", conflict.path)


# ---------------------------------------------------------------- git plumbing


def _merge(archive: Archive, theirs: str, subject: str) -> list[FileConflict]:
    """Merge ``theirs`` into HEAD, journalled: a kill at any point leaves either the merge
    commit or, after the next recovery, the commit before it — never a half-merged file."""
    ours = archive.head()
    message = archive.git.git_dir / "SHUPING_MERGE_MSG"
    atomic_write(message, archive._message(subject, "", []).encode())
    archive.journal.begin_merge(ours, theirs)
    try:
        archive.git.run("merge", "-F", str(message), theirs, env=archive.operator.env())
        return []
    except StoreError as e:
        paths = _unmerged(archive)
        if not paths:
            undo_merge(archive, ours, theirs, Recovery())  # e.g. a full disk: nothing half-written stays
            if "unrelated histories" in str(e):
                raise SyncError("无法合并：远程档案与本地档案没有共同的历史（不是同一个档案的副本？）。"
                                "请用 `shuping clone` 从中心档案复制后再同步。本地档案未改变。") from e
            raise SyncError(f"合并远程档案失败，本地档案未改变：{e}") from e
        try:
            return [_conflict(archive, p) for p in paths]
        finally:
            archive.git.run("merge", "--abort")
    finally:
        if not (archive.git.git_dir / "MERGE_HEAD").exists():
            archive.journal.end()  # merged, or put back: nothing for recovery to undo
        message.unlink(missing_ok=True)


def _conflict(archive: Archive, path: str) -> FileConflict:
    base, ours, theirs = (_stage(archive, n, path) for n in (1, 2, 3))
    if path.endswith(".toml") and ours is not None and theirs is not None:
        try:
            _, fields = merge3(base or "", ours, theirs)
            if fields:
                return FileConflict(path, fields)
        except Unmergeable:
            pass
    return FileConflict(path, [FieldConflict((), base, ours, theirs)])


def _unmerged(archive: Archive) -> list[str]:
    out = archive.git.run("diff", "--name-only", "--diff-filter=U", "-z", strip=False)
    return sorted({p for p in out.split("\0") if p})


def _stage(archive: Archive, n: int, path: str) -> str | None:
    try:
        return archive.git.run("show", f":{n}:{path}", strip=False)
    except StoreError:
        return None


def _rev(archive: Archive, ref: str) -> str | None:
    try:
        return archive.git.run("rev-parse", "--verify", "-q", ref)
    except StoreError:
        return None


def _count(archive: Archive, spec: str) -> int:
    return int(archive.git.run("rev-list", "--count", spec))


def _tags_to_send(archive: Archive) -> list[str]:
    """Finalisation tags here that the remote has not got (as last fetched)."""
    local = set(archive.git.run("for-each-ref", "--format=%(refname)", FINALISE).split())
    if not local:
        return []
    remote = archive.git.run("ls-remote", "--refs", REMOTE, f"{FINALISE}*", timeout=NETWORK_TIMEOUT)
    return sorted(local - {line.split("\t")[1] for line in remote.splitlines() if "\t" in line})


def _push(archive: Archive, url: str) -> bool:
    """True when pushed; False when the remote moved meanwhile (fetch and merge again)."""
    try:
        _network(archive, url, "push", "-q", REMOTE, f"HEAD:refs/heads/{BRANCH}", f"{FINALISE}*:{FINALISE}*")
        return True
    except SyncError as e:
        if "fetch first" in str(e) or "non-fast-forward" in str(e):
            return False
        raise


def _network(archive: Archive, url: str, *args: str) -> None:
    try:
        archive.git.run(*args, timeout=NETWORK_TIMEOUT)
    except StoreError as e:
        raise SyncError(_network_message(url, args[0], str(e))) from e


def _network_message(url: str, verb: str, detail: str) -> str:
    refused = [line.split("shuping:", 1)[1].strip() for line in detail.splitlines() if "shuping:" in line]
    if refused:
        return "远程档案拒绝了推送：" + "；".join(refused)
    if "fetch first" in detail or "non-fast-forward" in detail:
        return "推送被拒绝：远程档案刚有新的修改，请再同步一次。本地档案未改变。"
    known = [
        (r"Could not resolve host|Name or service not known", "无法解析主机名，请检查地址和网络"),
        (r"Connection (refused|timed out)|Network is unreachable|No route to host", "无法连接服务器，请检查网络"),
        (r"Permission denied|Authentication failed|Host key verification failed", "没有访问权限（ssh 密钥或账号）"),
        (r"does not appear to be a git repository|not found|No such file", "地址上没有档案仓库，请检查地址"),
        (r"timed out|timeout", "连接超时"),
    ]
    lines = [line.strip() for line in detail.splitlines() if line.strip()]
    found = next(((cn, line) for pattern, cn in known for line in lines if re.search(pattern, line, re.I)), None)
    action = "获取" if verb == "fetch" else "推送"
    if found is None:  # git's own last word, as said
        return f"无法{action}远程档案 {url}：{lines[-1] if lines else detail}。本地档案未改变。"
    reason, line = found  # the reason, and git's line that says it (not the last line of its advice)
    line = line.removeprefix("git fetch 失败：").removeprefix("git push 失败：")
    return f"无法{action}远程档案 {url}：{reason}。本地档案未改变。（{line}）"




def clone(url: str, root, operator=None) -> Archive:
    """A new local copy of the central archive at ``url``, ready to sync."""
    from pathlib import Path

    from store.gitrepo import QUIET_ENV, init_repo

    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise StoreError(f"{root} 不是空文件夹，请换一个路径。")
    repo = init_repo(root)
    repo.run("remote", "add", REMOTE, url)
    try:
        repo.run("fetch", "-q", REMOTE, timeout=NETWORK_TIMEOUT, env=QUIET_ENV)
        repo.run("checkout", "-q", "-B", BRANCH, f"{REMOTE}/{BRANCH}")
    except StoreError as e:
        raise SyncError(_network_message(url, "fetch", str(e))) from e
    repo.run("branch", "-q", f"--set-upstream-to={REMOTE}/{BRANCH}")
    ensure_registered(repo)
    return Archive.open(root, operator)


__all__ = ["OURS", "THEIRS", "FileConflict", "SyncError", "SyncResult", "clone", "remote_url", "resolve", "set_remote", "sync"]
