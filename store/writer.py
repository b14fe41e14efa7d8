"""The one writer: commits handed in by the service run on one background thread, in order,
so the keyboard never waits for git. Ballots' marks go to disk on a second thread of their
own (``DraftWriter``), never queued behind a commit.

A commit that fails stops the queue (``stalled``): nothing handed in later is committed past
it. The failed job is tried again on ``retry()`` (the operator's key) or by itself every
``RETRY_EVERY`` seconds; meanwhile the ballots it carries stay on disk as unsaved copies
(``layout.LOCAL_DIR``), so a crash loses none of them either. A change git can never take
(a conflict, the freeze, access) is dropped instead: retrying would not help.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from schema.records import Ballot
from store import layout
from store.archive import Archive, Change
from store.atomic import atomic_delete, atomic_write
from store.ballots import render_ballot
from store.errors import AccessError, ConflictError, FrozenError, ReadOnlyError, StoreError

RETRY_EVERY = 5.0  # seconds between tries of a stalled commit, unless the operator retries first
HOPELESS = (ConflictError, FrozenError, AccessError, ReadOnlyError)  # retrying cannot help


def unsaved_folder(org: str, year: int, entry: int) -> str:
    """Where the ballots of one pass handed to the writer wait, one file each, until committed."""
    return f"{layout.LOCAL_DIR}/unsaved/{org}-{year}-{entry}"


def unsaved_path(ballot: Ballot) -> str:
    return f"{unsaved_folder(ballot.org, ballot.year, ballot.entry)}/{ballot.serial:04d}.toml"


@dataclass
class Job:
    changes: list[Change]
    message: str
    body: str = ""
    done: Callable[[str | None, StoreError | None], None] | None = None
    held: list[Ballot] = field(default_factory=list)  # ballots kept on disk until committed
    finished: tuple[str, int] | None = None  # (draft path, serial): the open ballot's draft it makes moot
    cancelled: bool = False  # its caller gave up waiting before it started: never committed
    queued: float = field(default_factory=time.monotonic)


class DraftWriter:
    """Ballots' marks to disk (written and fsynced) on a thread of its own: latest wins per
    file, ``None`` removes it. Every ``put`` is a version; ``on_disk`` is the newest version
    up to which every draft is on disk, and ``on_saved(version)`` (called on the drafts'
    thread, so it must only hand the news on) reports each time it moves."""

    def __init__(self, archive: Archive):
        self.root = archive.root
        self._latest: dict[str, Ballot | None] = {}
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._busy = 0  # files handed in and not yet written
        self._written: dict[str, int] = {}  # path → serial of the ballot last written there
        self.error = ""  # the last write's failure, "" once a write succeeds again
        self.version = 0  # drafts handed in
        self.on_disk = 0  # every draft up to this version is written and fsynced
        self.on_saved: Callable[[int], None] | None = None
        self._thread: threading.Thread | None = None

    @property
    def pending(self) -> int:
        return self._busy

    def put(self, path: str, ballot: Ballot | None) -> None:
        with self._wake:
            self.version += 1
            if path in self._latest:
                del self._latest[path]  # written in the order of the latest changes
            else:
                self._busy += 1
            self._latest[path] = ballot.model_copy() if ballot is not None else None  # screens replace dicts, never mutate
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="drafts", daemon=True)
                self._thread.start()
            self._wake.notify()

    def clear(self, path: str, serial: int) -> None:
        """Remove the draft at ``path`` if it is (or is about to be) ballot ``serial``'s: a newer
        ballot's draft stays."""
        with self._wake:
            pending = self._latest.get(path, False)
            if pending is False:
                mine = self._written.get(path) == serial
            else:
                mine = pending is not None and pending.serial == serial
        if mine:
            self.put(path, None)

    def flush(self, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        with self._wake:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(min(left, 0.05))
        return True

    def saved(self, version: int) -> bool:
        """Whether draft ``version`` (and every one before it) is on disk."""
        return self.on_disk >= version

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._latest:
                    self._wake.wait()
                path = next(iter(self._latest))
                ballot = self._latest.pop(path)
                version = self.version  # every draft handed in so far is this one or already written
            try:
                if ballot is None:
                    atomic_delete(self.root / path)
                    self._written.pop(path, None)
                else:
                    atomic_write(self.root / path, render_ballot(ballot).encode(), mode=0o600)
                    self._written[path] = ballot.serial
                self.error = ""
            except StoreError as e:
                self.error = str(e)
            except Exception as e:  # noqa: BLE001 - the thread must keep writing later drafts
                self.error = str(e)
            finally:
                with self._wake:
                    self._busy -= 1  # a newer copy handed in meanwhile was counted on its own
                    moved = not self._busy and not self.error and version > self.on_disk
                    if moved:
                        self.on_disk = version
                    self._wake.notify_all()
                if moved and self.on_saved is not None:
                    self.on_saved(version)


class Writer:
    """The one writer: a thread that commits jobs in the order they were handed in."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.drafts = DraftWriter(archive)
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()
        self._resume = threading.Event()
        self.stalled: tuple[Job, StoreError] | None = None  # the failed job waiting to be tried again
        self._dropping = False
        self.commit_seconds: list[float] = []  # time from handing in to committed, per job
        self._thread: threading.Thread | None = None  # started by the first job

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="writer", daemon=True)
            self._thread.start()
            atexit.register(self.flush)  # what was handed in is committed before the process ends

    @property
    def pending(self) -> int:
        return self._pending

    def draft(self, ballot: Ballot) -> None:
        """Save the open ballot's marks (latest wins; cheap to call on every key)."""
        self.drafts.put(layout.draft_path(ballot.org, ballot.year, ballot.entry), ballot)

    def submit(self, job: Job) -> None:
        for ballot in job.held:  # on disk before its commit, on the drafts' thread
            self.drafts.put(unsaved_path(ballot), ballot)
        with self._lock:
            self._pending += 1
            self._idle.clear()
            self._start()
        self._queue.put(job)

    def retry(self) -> None:
        """Try the stalled commit again now."""
        self._resume.set()

    def flush(self, timeout: float = 30) -> bool:
        """Wait until everything handed in is committed (or the queue stalls on a failure) and
        the drafts are on disk. Whether nothing is left."""
        deadline = time.monotonic() + timeout
        while not self._idle.wait(0.02):
            if self.stalled is not None or time.monotonic() > deadline:
                break
        self.drafts.flush(max(0.0, deadline - time.monotonic()))
        return self._idle.is_set() and not self.drafts.pending

    def commit(self, changes: list[Change], message: str, body: str = "", timeout: float = 120) -> str:
        """Commit after everything handed in before, and wait for it (from a worker, never the
        UI thread): the commit's id, or the ``StoreError`` raised. Refused at once while an
        earlier commit is stalled: nothing is committed past it."""
        self._refuse_if_stalled()
        finished = threading.Event()
        outcome: list = [None, None]

        def done(sha: str | None, error: StoreError | None) -> None:
            outcome[:] = [sha, error]
            finished.set()

        job = Job(changes, message, body, done=done)
        self.submit(job)
        deadline = time.monotonic() + timeout
        while not finished.wait(0.05):
            stalled = self.stalled is not None and self.stalled[0] is not job
            if stalled or time.monotonic() > deadline:
                job.cancelled = True  # queued behind the stalled one: it must not go in later unseen
                raise StoreError(self._stalled_text() if stalled else "提交超时：后台仍在写入，请稍后刷新查看")
        if outcome[1] is not None:
            if self.stalled is not None and self.stalled[0] is job:
                self._drop_stalled()  # the caller reports it; the queue goes on
            raise outcome[1]
        return outcome[0]

    def _refuse_if_stalled(self) -> None:
        if self.stalled is not None:
            raise StoreError(self._stalled_text())

    def _stalled_text(self) -> str:
        job, error = self.stalled or (None, None)
        what = job.message if job else ""
        return f"前面还有修改未提交（{what}）：{error}。请先重试提交（录票界面按 r），再做此操作。"

    def _drop_stalled(self) -> None:
        self._dropping = True
        self._resume.set()

    def close(self) -> None:
        if self._thread is None:
            return
        self.flush()
        if self.stalled is not None:
            self._drop_stalled()
        self._queue.put(None)
        self._thread.join(5)
        self._thread = None

    def _run(self) -> None:
        try:  # Linux: lower this thread (and the git processes it starts) below the keyboard's thread
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 5)
        except (AttributeError, OSError):
            pass
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._commit(item)
            except Exception:  # noqa: BLE001 - one failed callback must not stop every later commit
                traceback.print_exc()
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.set()

    def _commit(self, job: Job) -> None:
        if job.cancelled:
            return
        while True:
            try:
                sha = self.archive.commit(job.changes, job.message, job.body)
                break
            except Exception as e:  # noqa: BLE001 - e.g. git killed: report it as unsaved, keep the thread
                error = e if isinstance(e, StoreError) else StoreError(f"提交失败：{e}")
            if isinstance(error, HOPELESS):
                self._report(job, None, error)
                return
            self._resume.clear()
            self.stalled = (job, error)
            self._report(job, None, error)
            self._resume.wait(RETRY_EVERY)
            self.stalled = None
            if self._dropping:
                self._dropping = False
                return
        self.commit_seconds.append(time.monotonic() - job.queued)
        self._report(job, sha, None)  # committed: say so before tidying up
        for ballot in job.held:
            self.drafts.put(unsaved_path(ballot), None)
        if job.finished:
            self.drafts.clear(*job.finished)

    @staticmethod
    def _report(job: Job, sha: str | None, error: StoreError | None) -> None:
        if job.done:
            try:
                job.done(sha, error)
            except Exception:  # noqa: BLE001
                traceback.print_exc()


__all__ = ["DraftWriter", "Job", "Writer", "unsaved_folder", "unsaved_path"]
