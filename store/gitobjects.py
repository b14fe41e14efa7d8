"""Git objects written in-process for small commits: blobs, the trees above them, the commit.

A ballot is one small file in a deep folder; committing it with git's plumbing takes four
processes (update-index, write-tree, commit-tree, update-ref), and write-tree alone re-reads
and re-writes the whole index of a 3,000-branch archive. Here the blob, the five or six trees
on its path and the commit object are written as loose objects by this process (each fsynced,
as git does with ``core.fsync=committed``); only the index and the branch are left to git.
Trees are read through GitPython's long-lived ``git cat-file --batch``.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from datetime import datetime
from pathlib import Path

import git
from git.exc import GitError

from store.errors import StoreError, os_reason

TREE_MODE = b"40000"
FILE_MODE = b"100644"


class ObjectWriter:
    def __init__(self, repo: git.Repo, git_dir: Path):
        self.repo = repo
        self.objects = git_dir / "objects"

    # ------------------------------------------------------------------ objects

    def write(self, kind: str, data: bytes) -> str:
        """Store one object (a no-op if it exists) and return its id."""
        try:
            return self._write(kind, data)
        except OSError as e:
            raise StoreError(f"无法写入 git 对象：{os_reason(e)}；未提交。") from e

    def _write(self, kind: str, data: bytes) -> str:
        raw = f"{kind} {len(data)}\0".encode() + data
        sha = hashlib.sha1(raw).hexdigest()
        folder = self.objects / sha[:2]
        target = folder / sha[2:]
        if target.exists():
            return sha
        shared = self.objects.stat().st_mode & 0o7777  # 02770 in a group-shared archive
        if not folder.is_dir():
            folder.mkdir(exist_ok=True)
            folder.chmod(shared)
        tmp = folder / f"tmp_obj_{os.getpid()}_{os.urandom(4).hex()}"  # git's prefix: its prune clears leftovers
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        try:
            os.fchmod(fd, shared & 0o444)  # read-only, shared as git shares it, whatever the umask
            view = memoryview(zlib.compress(raw))
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:  # as git finalises an object: never replace one that exists; the file is fsynced,
            # the folder is not (nor does git): the fsynced ref update that makes it reachable follows
            os.link(tmp, target)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        return sha

    def read(self, sha: str) -> tuple[str, bytes]:
        try:
            _, kind, _, data = self.repo.git.get_object_data(sha)
        except (GitError, OSError, ValueError) as e:
            raise StoreError(f"无法读取 git 对象 {sha[:10]}：{e}；未提交。") from e
        return kind.decode() if isinstance(kind, bytes) else kind, data

    def tree_of(self, commit: str) -> str:
        kind, data = self.read(commit)
        if kind != "commit" or not data.startswith(b"tree "):
            raise StoreError(f"{commit[:10]} 不是提交；未提交。")
        return data[5:45].decode()

    # ------------------------------------------------------------------ trees

    def entries(self, tree: str | None) -> dict[bytes, tuple[bytes, bytes]]:
        """name → (mode, binary id) of one tree; empty for None (a folder not there yet)."""
        if tree is None:
            return {}
        _, data = self.read(tree)
        out: dict[bytes, tuple[bytes, bytes]] = {}
        i = 0
        while i < len(data):  # mode SP name NUL 20-byte id, repeated
            space = data.index(b" ", i)
            nul = data.index(b"\0", space)
            out[data[space + 1 : nul]] = (data[i:space], data[nul + 1 : nul + 21])
            i = nul + 21
        return out

    def write_tree(self, entries: dict[bytes, tuple[bytes, bytes]]) -> str:
        # git's order: names compared as if a folder's name ended in "/"
        key = lambda name: name + b"/" if entries[name][0] == TREE_MODE else name  # noqa: E731
        data = b"".join(entries[n][0] + b" " + n + b"\0" + entries[n][1] for n in sorted(entries, key=key))
        return self.write("tree", data)

    def update_tree(self, tree: str | None, blobs: dict[str, str | None]) -> str | None:
        """The tree ``tree`` with each path set to its blob id (None: removed); None if empty."""
        entries = self.entries(tree)
        below: dict[bytes, dict[str, str | None]] = {}
        for path, blob in blobs.items():
            head, _, rest = path.partition("/")
            name = head.encode()
            if rest:
                below.setdefault(name, {})[rest] = blob
            elif blob is None:
                entries.pop(name, None)
            else:
                mode = entries[name][0] if name in entries and entries[name][0] != TREE_MODE else FILE_MODE
                entries[name] = (mode, bytes.fromhex(blob))
        for name, inner in below.items():
            old = entries.get(name)
            sub = self.update_tree(old[1].hex() if old and old[0] == TREE_MODE else None, inner)
            if sub is None:
                entries.pop(name, None)
            else:
                entries[name] = (TREE_MODE, bytes.fromhex(sub))
        return self.write_tree(entries) if entries else None

    # ------------------------------------------------------------------ commits

    def commit(self, tree: str, parent: str | None, message: str, env: dict[str, str]) -> str:
        """A commit object as `git commit-tree` writes it, author and committer from ``env``."""
        def who(role: str) -> str:
            name, email = env[f"GIT_{role}_NAME"], env[f"GIT_{role}_EMAIL"]
            date = env.get(f"GIT_{role}_DATE")
            when = datetime.fromisoformat(date) if date else datetime.now()
            if when.tzinfo is None:  # as git reads a date without a zone: local time
                when = when.astimezone()
            offset = int(when.utcoffset().total_seconds()) // 60
            sign = "-" if offset < 0 else "+"
            return f"{name} <{email}> {int(when.timestamp())} {sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"

        lines = [f"tree {tree}"] + ([f"parent {parent}"] if parent else [])
        lines += [f"author {who('AUTHOR')}", f"committer {who('COMMITTER')}", ""]
        body = message if message.endswith("\n") else message + "\n"  # as `commit-tree -m` completes the line
        return self.write("commit", ("\n".join(lines) + "\n" + body).encode())

