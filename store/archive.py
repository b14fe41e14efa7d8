"""The archive: read records, write them atomically, commit each change, read history.

Every write goes through ``Archive.commit``: under the archive-wide lock it checks that
each file is still at the version the caller read, writes the files atomically and makes
one commit authored by the operator. A crash at any point leaves files that are either
committed or picked up by the recovery commit the next time the archive is opened.
"""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Callable, Generic, Iterable, Sequence, TypeVar

from schema.campaign_setup import notice_2020
from schema.dates import cn_datetime
from schema.problems import Problem, RecordError
from schema.records import ArchiveSettings, Campaign, Record
from schema.validation import parse, parse_or_raise
from store import layout
from store.access import AccessCheck
from store.atomic import BATCH, TEMP_SUFFIX, atomic_delete, atomic_write, atomic_write_many, flush_filesystem
from store.errors import ConflictError, ReadOnlyError, StoreError, os_reason
from store.freeze import FreezeCheck
from store.gitrepo import GitRepo, Identity, init_repo, paths_input
from store.identity import resolve_operator
from store.lock import ArchiveLock
from store.mergedriver import ATTRIBUTES, ensure_registered
from store.tomlio import blob_version, render
from store import recovery
from store.recovery import Journal, Recovery

R = TypeVar("R", bound=Record)
T = TypeVar("T")

STALE_LOCK_WAIT = 2.0  # seconds a git lock may live before recovery takes it for a crash's leftover
ANY = "*"  # a base version that skips the conflict check (recovery, generated data)

# another git process (a colleague's `git status`, a backup, an editor) holding the index or a
# ref for a moment: the whole commit is tried again after these pauses, then given up
LOCK_BACKOFF = (0.05, 0.1, 0.2, 0.4, 0.8, 1.2, 1.2, 1.2)
_HELD_LOCK = re.compile(r"Unable to create '([^']*\.lock)'")

ARCHIVE_GITIGNORE = f"*{TEMP_SUFFIX}\n/{layout.LOCAL_DIR}/\n"

# what dates the commits made in this thread; None (real use): git's own clock, now
_COMMIT_CLOCK: ContextVar[Callable[[], datetime] | None] = ContextVar("commit_clock", default=None)


@contextmanager
def commit_clock(clock: Callable[[], datetime]):
    """Date every commit (and tag) made inside the block ``clock()`` instead of now. Only the
    demo builder uses it, to lay the demo's history along the demo's own timeline."""
    token = _COMMIT_CLOCK.set(clock)
    try:
        yield clock
    finally:
        _COMMIT_CLOCK.reset(token)


def active_commit_clock() -> Callable[[], datetime] | None:
    return _COMMIT_CLOCK.get()


@dataclass(frozen=True)
class Change:
    """One file to write (``data``) or delete (``data is None``), read at version ``base``.

    ``base`` is the blob id the caller read, or None when the file must not exist yet.
    """

    path: str
    data: bytes | None
    base: str | None


@dataclass(frozen=True)
class Stored(Generic[T]):
    record: T
    path: str
    version: str | None  # None: not on disk yet


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    when: datetime
    subject: str
    body: str = ""


class Archive:
    def __init__(self, root: Path | str, operator: str | Identity | None = None):
        self.root = Path(root).resolve()
        self.operator = operator if isinstance(operator, Identity) else resolve_operator(operator)
        self.git = GitRepo(self.root)
        self.lock = ArchiveLock(self.git.git_dir / "shuping.lock")
        self.check_access: Callable[[Identity, list[str]], None] = AccessCheck(self)
        self.check_freeze = FreezeCheck(self)
        self.after_commit: list[Callable[[str, str | None, list[str]], None]] = []  # (commit, its parent, paths)
        self.read_only: str = ""  # why this archive can only be read here, if it can
        self.journal = Journal(self.git.git_dir)
        if not (self.root / layout.SETTINGS).exists():
            raise StoreError(f"{self.root} 不是 shuping 档案：缺少 {layout.SETTINGS}。可用 `shuping init` 新建。")

    # ------------------------------------------------------------------ opening

    @classmethod
    def init(cls, root: Path | str, university: str, operator: str | Identity | None = None) -> Archive:
        root = Path(root)
        if (root / layout.SETTINGS).exists():
            raise StoreError(f"{root} 已经是 shuping 档案。")
        if root.exists() and any(p.name != ".git" for p in root.iterdir()):
            raise StoreError(f"{root} 不是空文件夹，请换一个路径。")
        init_repo(root)
        campaign = notice_2020()
        settings = ArchiveSettings(university=university, current_campaign=campaign.year)
        atomic_write(root / ".gitignore", ARCHIVE_GITIGNORE.encode())
        atomic_write(root / ".gitattributes", ATTRIBUTES.encode())
        atomic_write(root / layout.SETTINGS, render(settings).encode())
        atomic_write(root / layout.campaign_path(campaign.year), render(campaign).encode())
        archive = cls(root, operator)
        ensure_registered(archive.git)
        archive._commit_paths(
            [".gitignore", ".gitattributes", layout.SETTINGS, layout.campaign_path(campaign.year)],
            f"新建档案：{university}",
        )
        return archive

    @classmethod
    def open(cls, root: Path | str, operator: str | Identity | None = None) -> Archive:
        """Open for work, cleaning up after a crash. An archive that can be read but not
        written here (read-only files, no git) opens read-only: ``read_only`` says why."""
        archive = cls(root, operator)
        if not os.access(archive.git.git_dir, os.W_OK) or not os.access(archive.root, os.W_OK):
            archive.read_only = f"档案是只读的（{archive.root}），只能查看，不能保存。请检查文件权限或磁盘挂载。"
            return archive
        try:
            archive.recover()
            ensure_registered(archive.git)  # so merges in this clone, even by plain git, go key by key
        except ReadOnlyError as e:
            archive.read_only = str(e)
        except StoreError as e:  # e.g. a signature git asks for cannot be made: the changes stay on disk
            archive.read_only = f"上次中断时留下的修改未能提交，档案暂时只能查看（修改仍在文件中，未丢失）：{e}"
        return archive

    def recover(self) -> Recovery:
        """Clean what a crash left behind, by rules (``store.recovery``): interrupted git
        operations undone, shuping's own interrupted many-file work finished or rolled back
        from its journal, other changes committed only if they pass validation, access and
        the freeze, else moved aside; never a half-written file committed."""
        done = Recovery()
        with self.lock.held():
            recovery.remove_stale_locks(self, STALE_LOCK_WAIT, done)
            recovery.repair_index(self, done)
            recovery.settle_journal(self, done)
            recovery.undo_git_operations(self, done)
            recovery.apply_rules(self, recovery.leftovers(self, done), done)
            recovery.remove_empty_folders(self, done)
        return done

    # ------------------------------------------------------------------ reading

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read_bytes(self, rel: str) -> tuple[bytes | None, str | None]:
        try:
            data = (self.root / rel).read_bytes()
        except FileNotFoundError:
            return None, None
        except OSError as e:
            raise StoreError(f"无法读取 {rel}：{os_reason(e)}") from e
        return data, blob_version(data)

    def read(self, model: type[R], rel: str) -> Stored[R]:
        data, version = self.read_bytes(rel)
        if data is None:
            raise StoreError(f"记录不存在：{rel}")
        text = _decode(data, rel)
        return Stored(parse_or_raise(model, text, rel), rel, version)

    def try_read(self, model: type[R], rel: str) -> tuple[Stored[R] | None, list[Problem]]:
        data, version = self.read_bytes(rel)
        if data is None:
            return None, [Problem(rel, "文件不存在")]
        try:
            text = _decode(data, rel)
        except RecordError as e:
            return None, e.problems
        record, problems = parse(model, text, rel)
        return (Stored(record, rel, version) if record else None), problems

    def settings(self) -> ArchiveSettings:
        return self.read(ArchiveSettings, layout.SETTINGS).record

    def campaign(self, year: int | None = None) -> Stored[Campaign]:
        year = year or self.settings().current_campaign
        return self.read(Campaign, layout.campaign_path(year))

    # ------------------------------------------------------------------ writing

    def save(self, stored: Stored[R], record: R, message: str, body: str = "") -> Stored[R]:
        """Write ``record`` over ``stored`` (the version it was read as) and commit it."""
        previous, _ = self.read_bytes(stored.path) if stored.version else (None, None)
        text = render(record, previous.decode("utf-8") if previous else None)
        data = text.encode()
        self.commit([Change(stored.path, data, stored.version)], message, body)
        return Stored(record, stored.path, blob_version(data))

    def commit(self, changes: Iterable[Change], message: str, body: str = "") -> str | None:
        """Apply ``changes`` and commit them as one change. Returns the commit id, or
        None when nothing differed. Raises ConflictError, leaving every file as it was.

        A git lock held by another process (``.git/index.lock``, a ref's lock) is waited out:
        the whole commit is tried again after each pause of ``LOCK_BACKOFF`` (every failed try
        leaves the files as they were), then given up with ``GitBusyError``."""
        changes = list(changes)
        tries = 0
        while True:
            try:
                return self._commit_once(changes, message, body)
            except StoreError as e:
                held = held_lock(e)
                if held is None or isinstance(e, (ConflictError, ReadOnlyError)):
                    raise
                if tries >= len(LOCK_BACKOFF):
                    raise GitBusyError(held, tries) from e
                time.sleep(LOCK_BACKOFF[tries])
                tries += 1

    def _commit_once(self, changes: list[Change], message: str, body: str) -> str | None:
        paths = [c.path for c in changes]
        if self.read_only:
            raise ReadOnlyError(self.read_only)
        self.check_access(self.operator, paths)
        with self.lock.held():
            before = [self.read_bytes(change.path) for change in changes]  # (data, version) of each, read once
            for change, (_, current) in zip(changes, before):
                if change.base != ANY and current != change.base:
                    who, when = self.last_change(change.path)
                    raise ConflictError(change.path, who, when)
            self.check_freeze(changes, [data for data, _ in before])  # on the files as they are now, under the lock
            pending = [(change, data, version) for change, (data, version) in zip(changes, before)
                       if (change.data is None and data is not None) or (change.data is not None and data != change.data)]
            if not pending:
                return None
            parent = self._head_or_none()
            if len(pending) > 1:  # all or nothing: what is about to change is on disk before anything does
                self.journal.begin_commit(parent, [(c.path, version, blob_version(c.data) if c.data is not None else None)
                                                   for c, _, version in pending])
            written: list[tuple[Change, bytes | None]] = []  # with what was there before
            writes = []
            try:
                for change, current, _ in pending:
                    written.append((change, current))
                    if change.data is None:
                        atomic_delete(self.root / change.path)
                    else:
                        writes.append((self.root / change.path, change.data))
                atomic_write_many(writes)
            except StoreError:
                self._restore(written, len(pending) > 1)  # the write itself says what failed
                raise
            done = [c for c, _ in written]
            try:
                sha = self._commit_paths([c.path for c in done], message, body, [c.data for c in done if c.data])
            except StoreError as e:
                self._restore(written, len(pending) > 1)
                raise StoreError(f"{e}（未保存：文件已恢复为原来的内容）") from e
            if len(pending) > 1:
                self.journal.end()
        for hook in self.after_commit:
            hook(sha, parent, paths)
        return sha

    def _restore(self, written: list[tuple[Change, bytes | None]], journaled: bool = False) -> None:
        """Put back what a failed commit had written, so the archive stays at its last commit.
        Where that fails too (still no space) the journal stays: the next open rolls back."""
        restored = True
        for change, previous in reversed(written):
            target = self.root / change.path
            try:
                if previous is None:
                    atomic_delete(target)
                else:
                    atomic_write(target, previous)
            except StoreError:
                restored = False
        try:
            if self._head_or_none():
                self.git.run("reset", "-q", "--pathspec-from-file=-", "--pathspec-file-nul",
                             input=paths_input([c.path for c, _ in written]))
        except StoreError:
            restored = False
        if journaled and restored:
            try:
                self.journal.end()
            except StoreError:
                pass  # the next open finds nothing to roll back

    def git_env(self) -> dict[str, str]:
        """The environment for git commands that record who and when: the operator as author
        and committer, dated by the commit clock where one is set (see ``commit_clock``)."""
        env = self.operator.env()
        clock = _COMMIT_CLOCK.get()
        if clock is not None:
            when = clock().isoformat(timespec="seconds")
            env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
        return env

    @cached_property
    def signs_commits(self) -> bool:
        """Whether git's config (repository, global or system) asks for signed commits
        (``commit.gpgSign``), as ``git commit`` would read it. Read once, at the first commit."""
        return self.git.run("config", "--type=bool", "--default=false", "commit.gpgsign") == "true"

    def _commit_paths(self, paths: list[str], subject: str, body: str = "", blobs: list[bytes] = ()) -> str:
        """Commit exactly ``paths`` on top of HEAD and move the branch. Callers hold the archive
        lock. ``git commit -- paths`` refreshes the whole index and writes a temporary one, two
        to three times slower on a 3,000-branch archive, which matters when every ballot is a
        commit; so a few files (a ballot, a record) are committed with objects this process
        writes (``gitobjects``) and two git runs: stage them, then move the branch. Many files
        go through git's own plumbing, their contents (``blobs``) packed in one go, with one
        filesystem flush for all their objects. Where git is set to sign commits
        (``commit.gpgSign``) the commit object is always made by ``git commit-tree -S``, which
        signs it as ``git commit`` would (``user.signingKey``, ``gpg.format``)."""
        message = self._message(subject, body, paths)
        env = self.git_env()
        try:
            parent = self._head_or_none()
            if len(paths) < BATCH:
                objects = self.git.objects
                written = {}
                for path in paths:
                    data, _ = self.read_bytes(path)
                    written[path] = None if data is None else objects.write("blob", data)
                tree = objects.update_tree(objects.tree_of(parent) if parent else None, written) or objects.write_tree({})
                self.git.run("update-index", "--add", "--remove", "-z", "--stdin", input=paths_input(paths))  # the index follows HEAD
                if self.signs_commits:  # a signature needs gpg or ssh-keygen, called by git
                    sha = self._commit_tree(tree, parent, message, env)
                else:
                    sha = objects.commit(tree, parent, message, env)
            else:
                # many objects: blobs in one pack and the trees, all unflushed, then one flush of
                # the filesystem before the commit makes them reachable (git's own fsync per
                # object takes seconds)
                if blobs:
                    self.git.store_blobs(list(blobs))
                self.git.run("-c", "core.fsync=none", "update-index", "--add", "--remove", "-z", "--stdin",
                             input=paths_input(paths))
                tree = self.git.run("-c", "core.fsync=none", "write-tree")
                try:
                    flush_filesystem(self.git.git_dir)
                except OSError as e:
                    raise StoreError(f"无法把修改写入磁盘：{os_reason(e)}；未提交。") from e
                sha = self._commit_tree(tree, parent, message, env)
            self.git.run("update-ref", "-m", f"commit: {subject.strip()}", "HEAD", sha, parent or "")
        except StoreError:
            try:
                self.git.run("reset", "-q", "--pathspec-from-file=-", "--pathspec-file-nul",
                             input=paths_input(paths))  # leave nothing staged for the next commit
            except StoreError:
                pass  # no commit yet (a failed init): nothing to reset to
            raise
        return sha

    def _commit_tree(self, tree: str, parent: str | None, message: str, env: dict[str, str]) -> str:
        """The commit object for ``tree``, made by git, signed where ``commit.gpgSign`` says so."""
        sign = ["-S"] if self.signs_commits else []
        text = message if message.endswith("\n") else message + "\n"  # as -m completes the line
        return self.git.run("commit-tree", *sign, tree, *(["-p", parent] if parent else []), "-F", "-", env=env, input=text)

    def _head_or_none(self) -> str | None:
        """The current commit, read from the ref file (no process); None in a new archive."""
        git_dir = self.git.git_dir
        try:
            head = (git_dir / "HEAD").read_text().strip()
            if not head.startswith("ref: "):
                return head
            ref = head.removeprefix("ref: ")
            if (git_dir / ref).exists():
                return (git_dir / ref).read_text().strip()
        except OSError:
            pass
        try:
            return self.git.run("rev-parse", "-q", "--verify", "HEAD^{commit}")
        except StoreError:
            return None

    def _message(self, subject: str, body: str, paths: list[str]) -> str:
        trailers = [f"Operator: {self.operator.name}"]
        trailers += [f"Record: {p}" for p in paths[:20]]
        if len(paths) > 20:
            trailers.append(f"Records: {len(paths)}")
        parts = [subject.strip()]
        if body.strip():
            parts.append(body.strip())
        parts.append("\n".join(trailers))
        return "\n\n".join(parts)

    # ------------------------------------------------------------------ history

    def last_change(self, rel: str) -> tuple[str, str]:
        out = self.git.run("log", "-1", "--format=%an%x1f%aI", "--", rel)
        if not out:
            return "其他用户", "刚才"
        who, when = out.split("\x1f")
        return who, _cn_time(when)

    def history(self, rel: str | Sequence[str] | None = None, limit: int = 200) -> list[Commit]:
        """The commits touching ``rel``: one path, or several git pathspecs (globs,
        ``:(exclude)…``); None: the whole archive."""
        out = self.git.run("log", f"-n{limit}", "--format=%H%x1f%an%x1f%aI%x1f%s%x1f%b%x1e", *_pathspecs(rel))
        commits = []
        for chunk in out.split("\x1e"):
            chunk = chunk.strip("\n")
            if not chunk:
                continue
            sha, author, when, subject, body = chunk.split("\x1f")
            commits.append(Commit(sha, author, datetime.fromisoformat(when), subject, body.strip()))
        return commits

    def diff(self, sha: str, rel: str | Sequence[str] | None = None) -> str:
        return self.git.run("show", "--format=", "--no-color", "--no-ext-diff", sha, *_pathspecs(rel))

    def head(self) -> str:
        """The current commit id, read from the ref file (a save should not pay for another git run)."""
        try:
            head = (self.git.git_dir / "HEAD").read_text().strip()
            sha = (self.git.git_dir / head[5:]).read_text().strip() if head.startswith("ref: ") else head
            if len(sha) == 40:
                return sha
        except OSError:
            pass  # packed ref, linked worktree…: ask git
        return self.git.run("rev-parse", "HEAD")

    def maintain(self) -> None:
        """Keep path-limited history fast on long histories (bloom filters in the commit-graph).

        ``--split`` adds a layer for the new commits only, so running it often stays cheap."""
        self.git.run("commit-graph", "write", "--reachable", "--changed-paths", "--split", timeout=600)


class GitBusyError(StoreError):
    """Another git process kept a lock of the archive's repository through every retry."""

    def __init__(self, lock: str, tries: int):
        self.lock, self.tries = lock, tries
        super().__init__(f"另一个 git 程序正在使用档案（{lock}），已重试 {tries} 次仍未释放（未保存：文件已恢复为原来的内容）。"
                         "请关闭其他正在使用此档案的 git 程序（另一终端的 git、备份、编辑器的 git 集成）后重试。")


def held_lock(error: Exception) -> str | None:
    """The git lock file (relative to the archive, e.g. ``.git/index.lock``) another process
    held when ``error`` happened; None when it was something else."""
    text = str(error)
    m = _HELD_LOCK.search(text)
    if not m:
        return ".git 中的引用锁" if "cannot lock ref" in text else None
    path = m.group(1)
    at = path.find(".git/")
    return path[at:] if at >= 0 else path


def _pathspecs(rel: str | Sequence[str] | None) -> list[str]:
    specs = [rel] if isinstance(rel, str) else list(rel or ())
    return ["--", *specs] if specs else []


def _decode(data: bytes, rel: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RecordError([Problem(rel, f"文件不是 UTF-8 编码（第 {e.start} 字节），请另存为 UTF-8")]) from e


def _cn_time(iso: str) -> str:
    return cn_datetime(datetime.fromisoformat(iso))


__all__ = ["ANY", "Archive", "Change", "Commit", "GitBusyError", "Stored", "held_lock"]
