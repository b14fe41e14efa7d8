"""A cache of parsed records keyed by git tree ids, so an unchanged archive is not re-parsed.

An organisation folder's tree id in HEAD names its exact contents: while the folder has
no uncommitted change, the records read from it last time under the same tree id are
the records on disk. Anything else — another tree id, a changed or new file, another
version of the record shapes — is read from the files again. The cache lives inside
the repository's ``.git/shuping-cache/`` (machine-local, never committed, invisible to
``git status``), one folder per user (mode 0700), as JSON: data only, validated again by
the record models when read back.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pydantic import BaseModel, ValidationError

import schema.kinds
import schema.records
from schema.problems import Problem
from schema.records import Branch, Meeting, Org, OrgYear, Review
from store import layout
from store.archive import Stored
from store.atomic import atomic_write
from store.errors import StoreError

if TYPE_CHECKING:
    from store.archive import Archive


@dataclass
class OrgPart:
    """What one organisation folder holds for a campaign, read and validated."""

    name: str
    org: Stored[Org] | None
    branches: list[Stored[Branch]]
    reviews: list[Stored[Review]]
    problems: list[Problem]
    broken: list[str]  # branch ids whose file is there but unreadable
    meeting: Stored[Meeting] | None = None
    org_year: Stored[OrgYear] | None = None


FORMAT = 2  # 2: meetings and organisation-year records


class _Part(BaseModel):
    """One organisation folder as read: (path, version, record) triples and problems."""

    org: tuple[str, str | None, Org] | None = None
    branches: list[tuple[str, str | None, Branch]] = []
    reviews: list[tuple[str, str | None, Review]] = []
    problems: list[tuple[str, str, int | None, str]] = []
    broken: list[str] = []
    meeting: tuple[str, str | None, Meeting] | None = None
    org_year: tuple[str, str | None, OrgYear] | None = None


def _stamp() -> str:
    """Changes whenever the record shapes could have changed."""
    h = hashlib.sha1(f"{FORMAT}".encode())
    for module in (schema.records, schema.kinds):
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()


class LoadCache:
    def __init__(self, archive: Archive, year: int):
        self.archive = archive
        self.file = archive.git.git_dir / "shuping-cache" / f"cache-{os.geteuid()}" / f"load-{year}.json"
        self.trees = self._trees()
        self.entries = self._read() if self.trees else {}
        self.dirty = self._dirty() if self.trees else set()
        self.changed = False

    def parts(self, names: list[str], read: Callable[[str], OrgPart]) -> Callable[[str], OrgPart]:
        """``read`` wrapped: answers from the cache where it is sure to be right."""
        def cached(name: str) -> OrgPart:
            tree = self.trees.get(name)
            entry = self.entries.get(name)
            usable = tree and name not in self.dirty
            if usable and entry and entry.get("tree") == tree:
                try:
                    p = _Part.model_validate_json(entry["part"])
                    return OrgPart(
                        name,
                        Stored(p.org[2], p.org[0], p.org[1]) if p.org else None,
                        [Stored(r, path, v) for path, v, r in p.branches],
                        [Stored(r, path, v) for path, v, r in p.reviews],
                        [Problem(*x) for x in p.problems],
                        p.broken,
                        Stored(p.meeting[2], p.meeting[0], p.meeting[1]) if p.meeting else None,
                        Stored(p.org_year[2], p.org_year[0], p.org_year[1]) if p.org_year else None,
                    )
                except (ValidationError, KeyError, TypeError):
                    pass  # a damaged entry: read the files
            part = read(name)
            if usable:
                self.entries[name] = {"tree": tree, "part": _Part(
                    org=(part.org.path, part.org.version, part.org.record) if part.org else None,
                    branches=[(s.path, s.version, s.record) for s in part.branches],
                    reviews=[(s.path, s.version, s.record) for s in part.reviews],
                    problems=[(p.file, p.message, p.line, p.key) for p in part.problems],
                    broken=part.broken,
                    meeting=(part.meeting.path, part.meeting.version, part.meeting.record) if part.meeting else None,
                    org_year=(part.org_year.path, part.org_year.version, part.org_year.record) if part.org_year else None,
                ).model_dump_json(exclude_unset=True)}
                self.changed = True
            return part

        return cached

    def save(self, names: list[str]) -> None:
        if not self.changed or self.archive.read_only:
            return
        entries = {n: e for n, e in self.entries.items() if n in names}
        try:
            self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write(self.file, json.dumps({"stamp": _stamp(), "orgs": entries}, ensure_ascii=False).encode(), mode=0o600)
        except (OSError, StoreError):
            pass  # a cache that cannot be written is only slower

    # ------------------------------------------------------------------ what git says

    def _trees(self) -> dict[str, str]:
        try:
            out = self.archive.git.run("ls-tree", "-z", "HEAD", "orgs/", strip=False)
        except StoreError:
            return {}  # no git, no HEAD: read everything
        trees = {}
        for line in out.split("\0"):
            meta, _, path = line.partition("\t")
            if meta.split(" ")[1:2] == ["tree"]:
                trees[path.removeprefix("orgs/")] = meta.split(" ")[2]
        return trees

    def _dirty(self) -> set[str]:
        """Organisations with any uncommitted change: new, changed or deleted files."""
        try:
            out = self.archive.git.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
                                       "--", "orgs", strip=False)
        except StoreError:
            return set(self.trees)
        return {layout.org_of(entry[3:]) for entry in out.split("\0") if len(entry) > 3} - {None}

    def _read(self) -> dict[str, dict]:
        try:
            st = self.file.stat()
            if st.st_uid != os.geteuid() or st.st_mode & 0o022:
                return {}  # only a cache this user wrote, that nobody else could change
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("stamp") != _stamp() or not isinstance(data.get("orgs"), dict):
            return {}
        return data["orgs"]
