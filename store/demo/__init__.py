"""A demo archive of a fictional university, built through the store like real work.

Each step adds what a newly landed feature needs to show, as ordinary commits, so the
demo's history reads like a year of use.
"""

from __future__ import annotations

from pathlib import Path

from store.archive import Archive
from store.demo import meeting, roster

UNIVERSITY = "青岚大学"
STEPS = [roster.build]
STEPS.append(meeting.build)


def build(root: Path | str, operator: str = "组织部 演示") -> Archive:
    archive = Archive.init(root, UNIVERSITY, operator)
    for step in STEPS:
        step(archive)
    return archive
