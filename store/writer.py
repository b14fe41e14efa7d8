"""The one writer: commits handed in by the service run on one background thread, in order,
so the keyboard never waits for git; the open ballot's draft is written between them.
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
from store.ballots import load_draft_file, render_ballot
from store.errors import StoreError


@dataclass
class Job:
    changes: list[Change]
    message: str
    body: str = ""
    done: Callable[[str | None, StoreError | None], None] | None = None
    finished: tuple[str, int] | None = None  # (draft path, serial) to clear once committed
    queued: float = field(default_factory=time.monotonic)


_DRAFT = object()  # queue marker: write the latest draft


class Writer:
    """The one writer: a thread that commits jobs in the order they were handed in, and writes
    the open ballot's draft between them."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self._queue: queue.Queue = queue.Queue()
        self._drafts: dict[str, Ballot | None] = {}  # path → latest draft (None: remove)
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()
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
        path = layout.draft_path(ballot.org, ballot.year, ballot.entry)
        with self._lock:
            self._drafts[path] = ballot.model_copy()  # screens replace marks dicts, never mutate them
            self._pending += 1
            self._idle.clear()
            self._start()
        self._queue.put((_DRAFT, path))

    def submit(self, job: Job) -> None:
        with self._lock:
            if job.finished:  # the finished ballot carries its marks: an unwritten draft of it is moot
                path, serial = job.finished
                draft = self._drafts.get(path)
                if draft is not None and draft.serial == serial:
                    del self._drafts[path]
            self._pending += 1
            self._idle.clear()
            self._start()
        self._queue.put(job)

    def flush(self, timeout: float = 30) -> bool:
        return self._idle.wait(timeout)

    def commit(self, changes: list[Change], message: str, body: str = "", timeout: float = 120) -> str:
        """Commit after everything handed in before, and wait for it (from a worker, never the
        UI thread): the commit's id, or the ``StoreError`` raised."""
        finished = threading.Event()
        outcome: list = [None, None]

        def done(sha: str | None, error: StoreError | None) -> None:
            outcome[:] = [sha, error]
            finished.set()

        self.submit(Job(changes, message, body, done=done))
        if not finished.wait(timeout):
            raise StoreError("提交超时：后台仍在写入，请稍后刷新查看")
        if outcome[1] is not None:
            raise outcome[1]
        return outcome[0]

    def close(self) -> None:
        if self._thread is None:
            return
        self.flush()
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
                if isinstance(item, Job):
                    self._commit(item)
                else:
                    self._write_draft(item[1])
            except Exception:  # noqa: BLE001 - one failed callback must not stop every later commit
                traceback.print_exc()
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.set()

    def _write_draft(self, path: str) -> None:
        with self._lock:
            if path not in self._drafts:
                return  # an earlier marker already wrote the latest
            ballot = self._drafts.pop(path)
        target = self.archive.root / path
        try:
            if ballot is None:
                atomic_delete(target)
            else:
                atomic_write(target, render_ballot(ballot).encode(), mode=0o600)
        except StoreError:
            pass  # the draft is a second copy; the committed ballots are what counts

    def _commit(self, job: Job) -> None:
        try:
            sha = self.archive.commit(job.changes, job.message, job.body)
        except StoreError as e:
            if job.done:
                job.done(None, e)
            return
        except Exception as e:  # noqa: BLE001 - e.g. git killed: report it as unsaved, keep the thread
            if job.done:
                job.done(None, StoreError(f"提交失败：{e}"))
            return
        self.commit_seconds.append(time.monotonic() - job.queued)
        if job.done:  # committed: say so before tidying up (a leftover draft of it is ignored on reopening)
            job.done(sha, None)
        if job.finished:
            path, serial = job.finished
            with self._lock:
                pending = path in self._drafts
            current = load_draft_file(self.archive, path)
            if not pending and current is not None and current.serial == serial:
                atomic_delete(self.archive.root / path)


__all__ = ["Job", "Writer"]
