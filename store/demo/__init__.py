"""A demo archive of a fictional university, built through the store like real work.

Each step adds what a newly landed feature needs to show, as ordinary commits, so the
demo's history reads like a year of use; the commits are dated along the demo's own
timeline (store/demo/timeline.py).
"""

from __future__ import annotations

from pathlib import Path

from store.archive import Archive, commit_clock
from store.demo import access, campaign, grading, meeting, reports, roster, sendup
from store.demo.timeline import Timeline

UNIVERSITY = "青岚大学"
STEPS = [
    roster.build,
    campaign.build,  # reference indicators and rater groups
    reports.build,  # report texts in every state of the review workflow
    meeting.build,  # published meetings with ballots (chem, math, lang), one set up (logi)
    grading.build,  # meetings counted on paper for the rest, grades, finalised orgs, 约谈, rectification
    sendup.build,  # work reports and a submitted scan
]


def build(root: Path | str, operator: str = "组织部 演示") -> Archive:
    with commit_clock(Timeline()):  # dated along the demo's story, which ends on 2021-01-25
        archive = Archive.init(root, UNIVERSITY, operator)
        for step in STEPS:
            step(archive)
        access.build(archive)  # after every step: it limits school staff to their own organisations
    return archive
