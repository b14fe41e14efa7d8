"""`shuping check`: every problem in every record, in one run, and every change recovery
moved aside (``store.recovery``) instead of committing."""

from __future__ import annotations

from schema.problems import Problem
from schema.records import RECORD_TYPES
from store import layout
from store.archive import Archive
from store.errors import StoreError
from store.recovery import aside_problems
from store.snapshot import load


def check_archive(archive: Archive) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for path in sorted(archive.root.rglob("*.toml")):
        rel = path.relative_to(archive.root).as_posix()
        if rel.startswith((".git/", f"{layout.LOCAL_DIR}/")):
            continue
        kind = layout.kind_of(rel)
        if kind is None:
            continue
        _, found = archive.try_read(RECORD_TYPES[kind], rel)
        problems.extend(found)
        seen.add(rel)
    try:
        snapshot = load(archive)
    except StoreError:
        if not problems:
            raise
        # the settings or the year's campaign cannot be read: their own problems are listed above
    else:
        # cross-record problems (the per-file ones were collected above already)
        problems.extend(p for p in snapshot.problems if p not in problems)
    problems.extend(aside_problems(archive.root))
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.key, p.message))
