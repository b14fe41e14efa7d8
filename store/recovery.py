"""Recovery by rules: what a crash left in an archive is undone, finished or moved aside —
never committed blindly.

In order, under the archive lock (``Archive.recover``):

1. stale git locks and shuping's temp files go; a corrupt index is rebuilt from HEAD;
2. shuping's own interrupted many-file work is settled from its intent journal
   (``Journal``, written and flushed before the first file is touched): a commit whose
   branch already moved is finished, anything else is rolled back file by file to the
   versions the journal names; a sync's interrupted merge is undone to the commit before it;
3. any other interrupted git operation (MERGE_HEAD, a rebase, a cherry-pick) is undone to
   the last commit, never committed;
4. every other change in the working tree is judged file by file: it is committed (authored
   by the operator, its files listed in the body) only if it is a record that parses and
   validates, is within the operator's access scope and changes nothing finalised; otherwise
   it is moved aside to ``.shuping-local/aside/<operator>/<time>/`` with the reason, listed
   by ``shuping check``, and the record goes back to its last committed version;
5. folders left empty (an interrupted import) are removed: they are not records.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from schema.kinds import ReportStatus
from schema.problems import Problem, RecordError
from schema.records import RECORD_TYPES, Review
from schema.validation import parse
from store import layout
from store.atomic import TEMP_SUFFIX, atomic_delete, atomic_write, atomic_write_many, flush_folder
from store.errors import AccessError, FrozenError, StoreError
from store.gitrepo import paths_input
from store.tomlio import blob_version

if TYPE_CHECKING:
    from store.archive import Archive

JOURNAL = "shuping-journal.json"
ASIDE = f"{layout.LOCAL_DIR}/aside"
MANIFEST = "移出说明.json"
RECOVERY_SUBJECT = "恢复：提交上次中断时未提交的修改"
_OPERATIONS = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD")
_MERGE_FILES = ("MERGE_HEAD", "MERGE_MSG", "MERGE_MODE", "AUTO_MERGE")
_REPORT = re.compile(r"^orgs/([^/]+)/(\d{4})/reports/([^/]+)\.md$")
_ATTACHMENT = re.compile(r"^orgs/[^/]+/\d{4}/attachments/([0-9a-f]{16})\.[a-z0-9]+$")
_CONTEXT = ("access", "settings", "campaign", "org", "org_year")
_GIT_LOCKS = ("index", "HEAD", "ORIG_HEAD", "FETCH_HEAD", "MERGE_HEAD", "AUTO_MERGE", "CHERRY_PICK_HEAD", "REVERT_HEAD",
              "config", "shallow")  # git's locks in its folder (shuping.lock there is the archive's own)
_WORK_REPORT = re.compile(r"^orgs/[^/]+/\d{4}/work-report\.md$")


@dataclass
class Aside:
    path: str  # where the file was in the archive
    reason: str
    line: int | None = None


@dataclass
class Recovery:
    removed_locks: list[str] = field(default_factory=list)
    removed_temp: list[str] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)  # interrupted operations undone or finished, said in Chinese
    rolled_back: list[str] = field(default_factory=list)  # files put back to their last committed version
    aside: list[Aside] = field(default_factory=list)
    aside_folder: str = ""
    removed_folders: int = 0


# ---------------------------------------------------------------- the intent journal


class Journal:
    """What a many-file change is about to do, on disk (fsynced) before it does it, in the
    git folder: a commit — ``parent`` and each file's old and new blob version (None: absent)
    — or a merge — ``parent`` and the commit merged (``theirs``)."""

    def __init__(self, git_dir: Path):
        self.path = git_dir / JOURNAL

    def begin_commit(self, parent: str | None, files: list[tuple[str, str | None, str | None]]) -> None:
        self._write({"kind": "commit", "parent": parent, "files": files})

    def begin_merge(self, parent: str, theirs: str) -> None:
        self._write({"kind": "merge", "parent": parent, "theirs": theirs})

    def end(self) -> None:
        atomic_delete(self.path)

    def read(self) -> dict | None:
        try:
            return json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"kind": "broken"}  # cut by a crash before it was complete: nothing was written after it

    def _write(self, entry: dict) -> None:
        atomic_write(self.path, json.dumps(entry, ensure_ascii=False).encode())


# ---------------------------------------------------------------- the steps


def remove_stale_locks(archive: Archive, wait: float, done: Recovery) -> None:
    """What a killed git leaves: index.lock, HEAD.lock, ORIG_HEAD.lock (a merge), config.lock, a
    ref's lock... (not packed-refs.lock: a detached `git gc` may hold it)."""
    git_dir = archive.git.git_dir
    locks = [git_dir / f"{name}.lock" for name in _GIT_LOCKS] + list(git_dir.glob("next-index-*.lock"))
    locks += list((git_dir / "refs").rglob("*.lock"))
    # the git a killed process started may still be finishing its commit: give it a moment
    deadline = time.monotonic() + wait
    while any(lock.exists() for lock in locks) and time.monotonic() < deadline:
        time.sleep(0.02)
    for lock in locks:
        if lock.exists():
            lock.unlink()
            done.removed_locks.append(str(lock.relative_to(git_dir)))


def repair_index(archive: Archive, done: Recovery) -> None:
    """A half-written index (git writes it through a lock, but a disk can still cut it) is
    rebuilt from HEAD; the working tree is left for the rules."""
    if _index_intact(archive.git.git_dir / "index"):
        return  # the usual case, without a `git status` (which rehashes every file after a copy or clone)
    try:
        archive.git.run("status", "--porcelain", "--untracked-files=no")
        return
    except StoreError as e:
        if "index" not in str(e):
            raise
    (archive.git.git_dir / "index").unlink(missing_ok=True)
    if archive._head_or_none():
        archive.git.run("reset", "-q")
    done.undone.append("索引文件损坏，已按最后一次提交重建")


def _index_intact(index: Path) -> bool:
    """Whether the index is absent or whole: git's signature, and the SHA-1 of its content in
    its last 20 bytes (what git itself checks when it reads it). An all-zero trailer
    (``index.skipHash``) or another hash: not known here, git judges."""
    try:
        data = index.read_bytes()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return len(data) > 32 and data[:4] == b"DIRC" and hashlib.sha1(data[:-20]).digest() == data[-20:]


def settle_journal(archive: Archive, done: Recovery) -> None:
    journal = Journal(archive.git.git_dir)
    entry = journal.read()
    if entry is None:
        return
    head = archive._head_or_none()
    if entry["kind"] == "merge":
        if head == entry["parent"]:
            undo_merge(archive, entry["parent"], entry["theirs"], done)
            done.undone.append("同步时的合并被中断，已撤销到合并前的提交")
        else:
            done.undone.append("同步时的合并已完成")
    elif entry["kind"] == "commit":
        if head != entry["parent"]:
            done.undone.append("上次中断的多文件修改已提交完成")  # the branch moves last: it was all written
        else:
            _roll_back(archive, entry["files"], done)
            done.undone.append(f"上次中断的多文件修改未完成，已撤销（{len(entry['files'])} 个文件）")
    journal.end()


def _roll_back(archive: Archive, files: list[list], done: Recovery) -> None:
    current = {path: _version(archive.root / path) for path, _, _ in files}
    back = [(path, old) for path, old, new in files if current[path] != old and current[path] == new]
    blobs = archive.git.blobs(sorted({old for _, old in back if old}))
    writes, deletes = [], []
    for path, old in back:
        if old is None:
            deletes.append(path)
        elif blobs.get(old) is not None:
            writes.append((archive.root / path, blobs[old]))
        # else the old version was never committed: the file stays, and the rules decide
    atomic_write_many(writes)
    for path in deletes:
        atomic_delete(archive.root / path)
    done.rolled_back += [path for path, old in back if old is None or blobs.get(old) is not None]
    if archive._head_or_none():
        archive.git.run("reset", "-q", "--pathspec-from-file=-", "--pathspec-file-nul",
                        input=paths_input([path for path, _, _ in files]))


def undo_merge(archive: Archive, ours: str, theirs: str, done: Recovery) -> None:
    """Put every file a merge of ``theirs`` into ``ours`` could have touched back as ``ours``
    has it, and the index to HEAD: nothing half-merged stays in the working tree."""
    git_dir = archive.git.git_dir
    for name in _MERGE_FILES:
        (git_dir / name).unlink(missing_ok=True)
    archive.git.run("reset", "-q")  # the index at HEAD: conflict stages gone
    added = _diff(archive, ours, theirs, "A")
    others = _diff(archive, ours, theirs, "DMT")
    if others:
        archive.git.run("checkout", "-q", ours, "--pathspec-from-file=-", "--pathspec-file-nul", input=paths_input(others))
    for path in added:
        (archive.root / path).unlink(missing_ok=True)
    for folder in {(archive.root / path).parent for path in added}:
        flush_folder(folder)
    done.rolled_back += others + added


def _diff(archive: Archive, a: str, b: str, kinds: str) -> list[str]:
    out = archive.git.run("diff", "--name-only", "--no-renames", f"--diff-filter={kinds}", "-z", a, b, strip=False)
    return [p for p in out.split("\0") if p]


def undo_git_operations(archive: Archive, done: Recovery) -> None:
    """A merge, cherry-pick, revert or rebase someone's git left half done: back to HEAD."""
    git_dir = archive.git.git_dir
    if (git_dir / "MERGE_HEAD").exists():
        theirs = (git_dir / "MERGE_HEAD").read_text().split()[0]
        undo_merge(archive, archive._head_or_none() or theirs, theirs, done)
        done.undone.append("中断的 git 合并已撤销到最后一次提交")
    for name, command in (("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert")):
        if (git_dir / name).exists():
            _abort(archive, command, [name])
            done.undone.append(f"中断的 git {command} 已撤销到最后一次提交")
    for folder in ("rebase-merge", "rebase-apply"):
        if (git_dir / folder).exists():
            _abort(archive, "rebase", [])
            shutil.rmtree(git_dir / folder, ignore_errors=True)
            done.undone.append("中断的 git rebase 已撤销")


def _abort(archive: Archive, command: str, files: list[str]) -> None:
    try:
        archive.git.run(command, "--abort")
    except StoreError:
        for name in files:
            (archive.git.git_dir / name).unlink(missing_ok=True)
        archive.git.run("reset", "-q", "--merge")


# ---------------------------------------------------------------- the rules


def leftovers(archive: Archive, done: Recovery) -> list[str]:
    """Changed records and new files in the record folders; shuping's temp files removed.
    A stray new file outside the record folders (an export next to them) is left alone."""
    status = archive.git.run("status", "--porcelain=v1", "-z", "--ignored=matching", "--untracked-files=all", strip=False)
    entries = [e for e in status.split("\0") if e]
    changed: list[str] = []
    i = 0
    while i < len(entries):
        code, path = entries[i][:2], entries[i][3:]
        if code[0] in "RC":
            i += 1  # the next entry is the rename's source
            changed.append(entries[i])
        if code == "!!":
            if path.endswith(TEMP_SUFFIX):
                (archive.root / path).unlink(missing_ok=True)
                done.removed_temp.append(path)
        elif code == "??" and path.startswith(".merge_file_") and "/" not in path:
            (archive.root / path).unlink(missing_ok=True)  # a killed merge driver's input, git's own temp
            done.removed_temp.append(path)
        elif code != "??" or layout.in_archive(path):
            changed.append(path)
        i += 1
    return sorted(set(changed))


def apply_rules(archive: Archive, paths: list[str], done: Recovery, subject: str = RECOVERY_SUBJECT) -> None:
    """Commit what passes the rules, move aside what does not (see the module's text)."""
    if not paths:
        return
    head = archive._head_or_none()
    at_head = archive.git.blobs([f"{head}:{p}" for p in paths]) if head else {}
    data = {p: _read(archive.root / p) for p in paths}
    before = {p: at_head.get(f"{head}:{p}") for p in paths}
    folder = _aside_folder(archive)
    # the records the rules read (access, settings, years, organisations) are judged with
    # their committed versions in place, so no edit can grant itself; copies first: a crash
    # in between loses nothing
    context = [p for p in paths if layout.kind_of(p) in _CONTEXT]
    _keep(folder, {p: data[p] for p in context})
    _put(archive, {p: before[p] for p in context})
    refused: list[Aside] = []
    accepted: list[str] = []
    readable = [p for p in paths if not _refuse(refused, _unreadable(archive, p, data[p]))]
    if _passes(archive, readable, before, data):  # the usual case, checked in one go
        accepted = readable
    else:
        accepted = [p for p in readable if not _refuse(refused, _refused(archive, p, before[p], data[p]))]
    moved = [a.path for a in refused if a.path not in context]
    _keep(folder, {p: data[p] for p in moved})
    _put(archive, {p: before[p] for p in moved})
    back = [p for p in accepted if p in context]
    _put(archive, {p: data[p] for p in back})
    for p in back:
        _discard(folder / p, folder)
    if refused:
        _write_manifest(folder, archive.operator.name, refused)
        done.aside, done.aside_folder = refused, folder.relative_to(archive.root).as_posix()
        done.rolled_back += [a.path for a in refused]
        if head:
            archive.git.run("reset", "-q", "--pathspec-from-file=-", "--pathspec-file-nul",
                            input=paths_input([a.path for a in refused]))
    if accepted:
        archive._commit_paths(accepted, subject, "\n".join(accepted), [d for p in accepted if (d := data[p]) is not None])
        done.committed = accepted


def judge(archive: Archive, path: str, old: bytes | None, new: bytes | None) -> Aside | None:
    """Why ``path`` changed from ``old`` to ``new`` may not be committed, or None if it may."""
    return _unreadable(archive, path, new) or _refused(archive, path, old, new)


def _unreadable(archive: Archive, path: str, new: bytes | None) -> Aside | None:
    """Not a record that parses and validates (nor another file the archive keeps)."""
    if new is None:
        return None
    kind = layout.kind_of(path)
    if kind is not None:
        try:
            text = new.decode("utf-8")
        except UnicodeDecodeError:
            return Aside(path, "文件不是 UTF-8 编码，请另存为 UTF-8")
        record, problems = parse(RECORD_TYPES[kind], text, path)
        if record is None or problems:
            first = problems[0] if problems else Problem(path, "无法读取")
            return Aside(path, first.message, first.line)
    elif not _other_record(archive, path, new):
        return Aside(path, _report_frozen(archive, path) or "不是档案记录（可能是导出或另存的文件），不能放在档案的记录文件夹中")
    return None


def _refused(archive: Archive, path: str, old: bytes | None, new: bytes | None) -> Aside | None:
    """Outside the operator's scope, or a change to something finalised."""
    try:
        archive.check_access(archive.operator, [path])
        archive.check_freeze([_Edit(path, new)], [old])
    except (AccessError, FrozenError, RecordError) as e:
        return Aside(path, str(e))
    return None


def _passes(archive: Archive, paths: list[str], before: dict, data: dict) -> bool:
    try:
        archive.check_access(archive.operator, paths)
        archive.check_freeze([_Edit(p, data[p]) for p in paths], [before[p] for p in paths])
    except (AccessError, FrozenError, RecordError):
        return False
    return True


def _refuse(refused: list[Aside], why: Aside | None) -> bool:
    if why:
        refused.append(why)
    return why is not None


@dataclass(frozen=True)
class _Edit:
    path: str
    data: bytes | None
    base: str | None = "*"


def _other_record(archive: Archive, path: str, data: bytes) -> bool:
    """Files of the archive that are not TOML records: report texts, attachments, git's own."""
    if path in (".gitignore", ".gitattributes"):
        return True
    if _REPORT.match(path) or _WORK_REPORT.match(path):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return not _report_frozen(archive, path)
    m = _ATTACHMENT.match(path)
    if m:
        return hashlib.sha256(data).hexdigest()[:16] == m.group(1)
    return False


def _report_frozen(archive: Archive, path: str) -> str:
    """A report text whose report is approved or archived changes only through its workflow."""
    m = _REPORT.match(path)
    if not m:
        return ""
    org, year, branch = m.groups()
    review, _ = archive.try_read(Review, layout.review_path(org, int(year), branch))
    if review and review.record.report.status in (ReportStatus.APPROVED, ReportStatus.ARCHIVED):
        return f"述职报告{review.record.report.status.value}，其文本只能通过审阅流程修改（退回后再改）"
    return ""


# ---------------------------------------------------------------- moving aside


def _aside_folder(archive: Archive) -> Path:
    user = re.sub(r"[\\/:*?\"<>|\s]+", "_", archive.operator.name) or "unknown"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = archive.root / ASIDE / user
    folder, n = base / stamp, 1
    while folder.exists():
        n += 1
        folder = base / f"{stamp}-{n}"
    return folder


def _keep(folder: Path, files: dict[str, bytes | None]) -> None:
    atomic_write_many([(folder / p, d) for p, d in files.items() if d is not None])


def _discard(target: Path, folder: Path) -> None:
    target.unlink(missing_ok=True)
    _remove_empty(target.parent, folder)


def _write_manifest(folder: Path, operator: str, refused: list[Aside]) -> None:
    entries = [{"path": a.path, "reason": a.reason, "line": a.line} for a in refused]
    atomic_write(folder / MANIFEST, json.dumps({"operator": operator, "files": entries}, ensure_ascii=False, indent=1).encode())


def aside_problems(root: Path) -> list[Problem]:
    """Every file recovery moved aside, as a problem for ``shuping check`` (and F10)."""
    problems = []
    for manifest in sorted((root / ASIDE).glob(f"*/*/{MANIFEST}")):
        folder = manifest.parent.relative_to(root).as_posix()
        try:
            files = json.loads(manifest.read_text("utf-8"))["files"]
        except (OSError, ValueError, KeyError):
            files = []
        for entry in files:
            kept = (manifest.parent / entry["path"]).exists()
            where = "已移到此处，未提交" if kept else "原为删除，已恢复为最后提交的版本"
            problems.append(Problem(f"{folder}/{entry['path']}", f"{entry['reason']}（上次中断时留下的修改，{where}；"
                                    f"档案中的 {entry['path']} 仍是最后提交的版本。处理后可删除此文件）", line=entry.get("line")))
    # a crash during the rules leaves copies without a manifest: list them too, never lose them
    for folder in sorted((root / ASIDE).glob("*/*")):
        if folder.is_dir() and not (folder / MANIFEST).exists():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                problems.append(Problem(path.relative_to(root).as_posix(), "恢复时被中断而留下的副本（未提交）；请核对后删除"))
    return problems


# ---------------------------------------------------------------- files


def remove_empty_folders(archive: Archive, done: Recovery) -> None:
    """Folders without files under the record folders: an interrupted import's leftovers."""
    for area in ("orgs", "campaigns"):
        top = archive.root / area
        for folder, dirs, files in os.walk(top, topdown=False):
            if folder != str(top) and not files:
                try:
                    os.rmdir(folder)
                    done.removed_folders += 1
                except OSError:
                    pass  # not empty after all (a subfolder with files)


def _put(archive: Archive, contents: dict[str, bytes | None]) -> None:
    writes = [(archive.root / p, d) for p, d in contents.items() if d is not None]
    atomic_write_many(writes)
    gone = [archive.root / p for p, d in contents.items() if d is None]
    for path in gone:
        path.unlink(missing_ok=True)
    for folder in {path.parent for path in gone}:
        flush_folder(folder)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return None


def _version(path: Path) -> str | None:
    data = _read(path)
    return None if data is None else blob_version(data)


def _remove_empty(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


__all__ = ["Aside", "Journal", "Recovery", "aside_problems"]
