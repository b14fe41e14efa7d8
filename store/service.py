"""The one door to the archive: the app and the command line read it through the service's
snapshot and change it through intents named for what users do.

Every intent validates, builds its changes and commit message, and commits through
``Archive.commit`` — which checks access and the finalisation freeze under the archive lock,
so no caller can skip them — then returns the new, immutable snapshot. Intents block on git:
the app calls them from worker threads, never from the UI thread.

The intents live in one module per area (``store.intents.*``) and are reached through the
service: ``service.grading.save(...)``, ``service.meeting.publish(...)``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from schema.clock import Clock
from schema.access import ALL
from schema.problems import Problem
from schema.records import ArchiveSettings, Record
from store import layout
from store.access import read_rules
from store.archive import Archive, Change, Commit, Stored
from store.check import check_archive
from store.errors import AccessError, ConflictError, FrozenError, IncompleteError, ReadOnlyError, StoreError, os_reason
from store.gitrepo import Identity
from store.intents import areas
from store.roster import write_template
from store.outputs import check_output, export_folder, export_path
from store.snapshot import Snapshot, load
from store.sync import clone
from store.tomlio import blob_version, render
from store.verify import Report, verify_archive
from store.verify_tags import AGAINST, compare
from store.writer import Writer

MAINTAIN_EVERY = 200  # commits between commit-graph refreshes
RECORD_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")  # a branch's or an organisation's id


@dataclass(frozen=True)
class Saved:
    """What an intent hands back: the new snapshot and, where there is one, the commit."""

    snapshot: Snapshot
    commit: str | None = None


class Service:
    def __init__(self, archive: Archive, clock: Clock | None = None, year: int | None = None):
        self.archive = archive
        self.clock = clock or Clock()
        self.year = year  # the campaign open: None follows the archive's current one
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._head: str | None = None  # the commit the snapshot reflects
        self._stale = False  # someone else committed since
        self._commits = 0
        self._freeze = False  # how the last load was asked to keep its objects (see store.snapshot.load)
        self.on_maintain: Callable[[], None] | None = None  # the app runs maintenance in a worker
        self.writer = Writer(archive)
        archive.after_commit.append(self._committed)
        for name, area in areas().items():
            setattr(self, name, area(self))

    @classmethod
    def open(cls, root: Path | str, operator: str | Identity | None = None, clock: Clock | None = None,
             year: int | None = None, recover: bool = True) -> Service:
        """Open the archive for work (cleaning up after a crash) without reading it yet;
        ``recover=False``: as it is, for a diagnosis that must move nothing aside."""
        return cls(Archive.open(root, operator) if recover else Archive(root, operator), clock, year)

    @classmethod
    def init(cls, root: Path | str, university: str, operator: str | Identity | None = None,
             clock: Clock | None = None) -> Service:
        """A new, empty archive with the campaign set up as the 2020 notice says."""
        return cls(Archive.init(root, university, operator), clock)

    @classmethod
    def clone(cls, url: str, root: Path | str, operator: str | Identity | None = None,
              clock: Clock | None = None) -> Service:
        """A local copy of the central archive (a bare repository's path or an ssh URL)."""
        return cls(clone(url, root, operator), clock)

    @staticmethod
    def roster_template(path: Path | str) -> None:
        """Write a roster template (xlsx) to fill in and import; needs no archive."""
        try:
            write_template(path)
        except OSError as e:
            raise StoreError(f"无法写入 {path}：{os_reason(e)}") from e

    @classmethod
    def demo(cls, root: Path | str, clock: Clock | None = None) -> Service:
        """Build the demo archive of a fictional university (operator 组织部 演示)."""
        from store.demo import build  # only `shuping demo` needs the demo's builders: kept off start-up

        return cls(build(root), clock)

    # ------------------------------------------------------------------ reading

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            raise StoreError("档案尚未读取")
        return self._snapshot

    @property
    def loaded(self) -> bool:
        return self._snapshot is not None

    @property
    def root(self) -> Path:
        """The archive's folder."""
        return self.archive.root

    @property
    def operator(self) -> str:
        return self.archive.operator.name

    @property
    def read_only(self) -> str:
        """Why nothing can be saved here, or ""."""
        return self.archive.read_only

    def operator_standing(self, org: str | None = None) -> str:
        """What the operator may do here, for the title bar: "" (may change what access.toml
        grants), "只读" (the archive cannot be written here, or ``org`` is outside the
        operator's organisations) or "未登记" (access.toml does not list this operator:
        nothing can be saved)."""
        if self.read_only:
            return "只读"
        try:
            rules = read_rules(self.archive.root)
        except StoreError:
            return "只读"  # a broken access.toml refuses every change until it is fixed
        if rules is None:
            return ""
        granted = (rules.get("operators") or {}).get(self.operator)
        if granted is None:
            return "未登记"
        if org is not None and granted != ALL and org not in (granted or []):
            return "只读"
        return ""

    def load(self, progress: Callable[[int, int], None] | None = None, freeze: bool = False) -> Snapshot:
        """Read the whole archive (the open year's campaign) into a new snapshot."""
        head = self._current_head()
        self._freeze = freeze
        snapshot = load(self.archive, progress=progress, freeze=freeze, year=self.year)
        with self._lock:
            self._snapshot, self._head, self._stale = snapshot, head, False
            self.clock = self.clock.in_zone(snapshot.settings.timezone)
        return snapshot

    def reload(self) -> Snapshot | None:
        """Read the archive again as it was last loaded: after an intent that changed many records
        at once (a roster import, a new year, a sync). Not read yet (a command that changes the
        archive without looking at it): nothing to read again."""
        return self.load(freeze=self._freeze) if self.loaded else None

    def switch_year(self, year: int) -> None:
        """Open another campaign on the next ``load`` (the archive's current one stays)."""
        current = self._snapshot.archive_year if self._snapshot else None
        self.year = None if year == current else year

    def changed_elsewhere(self) -> bool:
        """Whether another user (or plain git) moved the archive since the snapshot was read.
        Cheap: reads the branch's ref file."""
        if self._snapshot is None:
            return False
        return self._stale or self._current_head() != self._head

    def read(self, model: type, path: str) -> Stored:
        return self.archive.read(model, path)

    def history(self, rel: str | Sequence[str] | None = None, limit: int = 200) -> list[Commit]:
        """The commits touching ``rel``: one path, or git pathspecs (``record_pathspecs``); None: all."""
        return self.archive.history(rel, limit)

    def diff(self, sha: str, rel: str | Sequence[str] | None = None) -> str:
        return self.archive.diff(sha, rel)

    def record_pathspecs(self, record: str) -> list[str]:
        """What ``history`` follows for a record named by its file's path, a branch id (its
        record, its reviews in every year, its reports) or an organisation id (its whole
        folder); ballots stay out."""
        root = self.archive.root
        if "/" in record or (root / record).exists():
            return [record]
        if RECORD_ID.fullmatch(record):
            if any(root.glob(f"orgs/*/branches/{record}.toml")):
                return layout.branch_pathspecs(record)
            if (root / layout.org_path(record)).is_file():
                return layout.org_pathspecs(record)
        raise StoreError(f"找不到记录 “{record}”：请给出文件路径、党支部 id 或二级党组织 id。")

    def check_output(self, output: str | Path, folder: bool = False) -> Path:
        """Where an export may be written: never into the archive's record folders (StoreError)."""
        return check_output(self.archive.root, output, folder)

    def export_folder(self) -> Path:
        """The folder exports go to (the archive settings' ``export_dir``), made absolute."""
        return export_folder(self.archive.root, self.export_setting())

    def export_path(self, output: str | Path) -> Path:
        """Where an export named ``output`` (a file name lands in ``export_folder``) is written."""
        return export_path(self.archive.root, self.export_setting(), output)

    def export_setting(self) -> str:
        if self.loaded:
            return self.snapshot.settings.export_dir
        return self.archive.read(ArchiveSettings, layout.SETTINGS).record.export_dir

    def check(self) -> list[Problem]:
        """Every problem in every record (``shuping check``), read afresh from the files."""
        return check_archive(self.archive)

    def verify(self, against: str | None = None, full: bool = False) -> Report:
        """Every result recomputed from the raw records, git's integrity and the finalisation
        tags checked (``shuping verify``); ``against``: another copy (a path or URL) whose
        finalisation tags and main's history must agree with this one's; ``full``: every git
        object hashed again (``store.verify_git``)."""
        report = verify_archive(self.archive, full)
        if against:
            report.ran.append(AGAINST)
            report.findings.extend(compare(self.archive, against))
        return report

    def maintain(self) -> None:
        """Keep history fast on long histories; only speed is lost if it fails."""
        try:
            self.archive.maintain()
        except StoreError:
            pass

    # ------------------------------------------------------------------ writing (for the intents)

    def change(self, stored: Stored, record: Record) -> tuple[Change, Stored]:
        """The change writing ``record`` over ``stored`` (keeping the file's comments) and what it stores."""
        previous, _ = self.archive.read_bytes(stored.path) if stored.version else (None, None)
        data = render(record, previous.decode("utf-8") if previous else None).encode()
        return Change(stored.path, data, stored.version), Stored(record, stored.path, blob_version(data))

    def commit(self, changes: Iterable[Change], message: str, body: str = "", saved: Iterable[Stored] = ()) -> Saved:
        """Commit ``changes`` as one change and put ``saved`` (the records they store) into the snapshot."""
        sha = self.archive.commit(list(changes), message, body)
        return Saved(self.absorb(*saved), sha)

    def save(self, stored: Stored, record: Record, message: str, body: str = "") -> tuple[Saved, Stored]:
        """Write one record over the version read and commit it."""
        change, new = self.change(stored, record)
        return self.commit([change], message, body, [new]), new

    def absorb(self, *saved: Stored) -> Snapshot:
        """The snapshot with records this process just committed."""
        with self._lock:
            if self._snapshot is not None and saved:
                self._snapshot = self._snapshot.with_saved(*saved)
            return self._snapshot  # type: ignore[return-value]

    def flush(self, timeout: float = 30) -> bool:
        """Wait until every queued write is done (from a worker, never the UI thread)."""
        return self.writer.flush(timeout)

    def close(self) -> None:
        self.writer.close()

    def _committed(self, sha: str, parent: str | None, _paths: list[str]) -> None:
        with self._lock:
            if parent != self._head:
                self._stale = True  # a commit of someone else's came in between
            self._head = sha
            self._commits += 1
            maintain = self._commits % MAINTAIN_EVERY == 0
        if maintain and self.on_maintain:
            self.on_maintain()

    def _current_head(self) -> str | None:
        try:
            return self.archive.head()
        except StoreError:
            return None  # a new archive without commits


# what screens may name from the store: the service, what it hands back, the errors it raises
__all__ = ["AccessError", "Commit", "ConflictError", "FrozenError", "IncompleteError", "ReadOnlyError", "Saved", "Service", "Snapshot",
           "StoreError", "Stored"]
