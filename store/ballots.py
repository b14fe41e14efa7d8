"""Ballots on disk: one file per paper ballot per keying pass, committed one by one by a
single background writer so the keyboard never waits for git.

The ballot being keyed is written (atomically, fsynced) to a machine-local draft file after
every mark; a finished ballot is committed, then its draft is removed. After a crash the
committed ballots are in the archive and the open one's marks are in its draft.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
import tomllib
from dataclasses import dataclass, field
from typing import Callable

from schema.records import Ballot
from store import layout
from store.archive import Archive, Change, Stored
from store.atomic import atomic_delete, atomic_write
from store.errors import StoreError
from store.tomlio import blob_version

PASS_NAMES = {1: "第一遍录入", 2: "第二遍录入"}


def load_ballots(archive: Archive, org: str, year: int, entry: int) -> dict[int, Stored[Ballot]]:
    """Every committed ballot of one pass, by serial."""
    folder = archive.root / layout.ballot_dir(org, year, entry)
    out: dict[int, Stored[Ballot]] = {}
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return out
    for name in names:
        if not name.endswith(".toml"):
            continue
        stored = archive.read(Ballot, f"{layout.ballot_dir(org, year, entry)}/{name}")
        out[stored.record.serial] = stored
    return out


def load_draft(archive: Archive, org: str, year: int, entry: int) -> Ballot | None:
    return load_draft_file(archive, layout.draft_path(org, year, entry))


def load_draft_file(archive: Archive, path: str) -> Ballot | None:
    try:
        return Ballot.model_validate(tomllib.loads((archive.root / path).read_text("utf-8")))
    except Exception:  # a draft is a second copy; a missing or broken one is ignored, never fatal
        return None


def render_ballot(ballot: Ballot) -> str:
    """TOML text of a ballot. Ballots are machine-written and never hand-edited, so they skip
    tomlkit (about 3 ms a ballot) for this direct emitter (tens of µs): it keeps Enter →
    committed short. JSON string escapes are valid TOML basic-string escapes."""
    q = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    lines = [f"schema_version = {ballot.schema_version}", f"org = {q(ballot.org)}", f"year = {ballot.year}",
             f"entry = {ballot.entry}", f"serial = {ballot.serial}"]
    if ballot.group:
        lines.append(f"group = {q(ballot.group)}")
    lines.append(f"status = {q(ballot.status.value)}")
    if ballot.reason:
        lines.append(f"reason = {q(ballot.reason)}")
    if ballot.corrections:
        lines.append(f"corrections = [{', '.join(q(c) for c in ballot.corrections)}]")
    if ballot.marks:
        lines += ["", "[marks]"] + [f"{q(k)} = {q(v)}" for k, v in ballot.marks.items()]
    if ballot.points:
        lines += ["", "[points]"]
        for branch, points in ballot.points.items():
            values = ", ".join(f"{q(k)} = {_number(v)}" for k, v in points.items())
            lines.append(f"{q(branch)} = {{ {values} }}" if values else f"{q(branch)} = {{}}")
    return "\n".join(lines) + "\n"


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def ballot_change(ballot: Ballot, base: str | None) -> tuple[Change, str]:
    """The change that writes ``ballot`` over version ``base``, and the version it will have."""
    data = render_ballot(ballot).encode()
    return Change(layout.ballot_path(ballot.org, ballot.year, ballot.entry, ballot.serial), data, base), blob_version(data)


@dataclass
class Job:
    changes: list[Change]
    message: str
    body: str = ""
    done: Callable[[str | None, StoreError | None], None] | None = None
    finished: tuple[str, int] | None = None  # (draft path, serial) to clear once committed
    queued: float = field(default_factory=time.monotonic)


_DRAFT = object()  # queue marker: write the latest draft


class BallotWriter:
    """One thread that writes drafts and commits ballots in the order they were handed in."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self._queue: queue.Queue = queue.Queue()
        self._drafts: dict[str, Ballot | None] = {}  # path → latest draft (None: remove)
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()
        self.commit_seconds: list[float] = []  # time from handing in to committed, per job
        self._thread = threading.Thread(target=self._run, name="ballot-writer", daemon=True)
        self._thread.start()

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
        self._queue.put(job)

    def flush(self, timeout: float = 30) -> bool:
        return self._idle.wait(timeout)

    def close(self) -> None:
        self.flush()
        self._queue.put(None)
        self._thread.join(5)

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
                import traceback

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



__all__ = ["BallotWriter", "Job", "PASS_NAMES", "ballot_change", "load_ballots", "load_draft"]
