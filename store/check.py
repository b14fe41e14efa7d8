"""`shuping check`: every problem in every record, in one run, and every change recovery
moved aside (``store.recovery``) instead of committing."""

from __future__ import annotations

import os

from schema.problems import Problem
from schema.records import RECORD_TYPES
from store import layout
from store.archive import Archive
from store.errors import StoreError
from store.snapshot import Snapshot, load


def check_archive(archive: Archive, snapshot: Snapshot | None = None) -> list[Problem]:
    """``snapshot``: the archive as just loaded (verify's), whose problems already cover
    every file it read; only the record files it does not read are parsed here."""
    if snapshot is None:
        try:
            snapshot = load(archive)
        except StoreError:
            snapshot = None  # the settings or the year's campaign are broken: every file is read below
    problems: list[Problem] = []
    for rel in record_files(archive, None if snapshot is None else snapshot.year):
        _, found = archive.try_read(RECORD_TYPES[layout.kind_of(rel)], rel)
        problems.extend(found)
    if snapshot is None:
        try:
            snapshot = load(archive)
        except StoreError:
            if not problems:
                raise  # nothing listed above says why: load does
            return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.key, p.message))
    problems.extend(snapshot.problems)  # the files it read, and the cross-record problems
    problems.extend(snapshot.aside)
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.key, p.message))


def record_files(archive: Archive, loaded_year: int | None) -> list[str]:
    """Every record file of the archive, but those a snapshot of ``loaded_year`` reads
    (``store.snapshot.read_org``): organisations, branches and that year's reviews,
    meeting and organisation-year records."""
    root = str(archive.root)
    covered = {"org.toml", "branches"}
    if loaded_year is not None:
        covered |= {f"{loaded_year}/reviews", f"{loaded_year}/meeting.toml", f"{loaded_year}/org-year.toml"}
    found = []
    for folder, dirs, files in os.walk(root):
        rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
        if rel_folder == ".":
            dirs[:] = [d for d in dirs if d not in (".git", layout.LOCAL_DIR)]
            rel_folder = ""
        parts = rel_folder.split("/")
        in_org = loaded_year is not None and len(parts) >= 2 and parts[0] == "orgs"
        if in_org:
            inner = "/".join(parts[2:])
            dirs[:] = [d for d in dirs if f"{inner}/{d}".lstrip("/") not in covered]
        for name in files:
            if not name.endswith(".toml"):
                continue
            rel = f"{rel_folder}/{name}" if rel_folder else name
            if in_org and f"{inner}/{name}".lstrip("/") in covered:
                continue
            if layout.kind_of(rel) is not None:
                found.append(rel)
    return sorted(found)
