"""A small archive with one organisation's meeting set up, for the meeting tests and the keying child."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from schema.kinds import BranchKind, OrgKind
from schema.records import Attendance, BallotCounts, Branch, Meeting, Org, Review
from store import layout
from store.archive import Archive, Change
from store.tomlio import render

SECRETARIES = "王晓明 李静 张立新 刘敏 陈俊杰 杨丽娜 黄伟 赵强 吴磊 周洋 徐勇 孙燕 马军 朱霞 胡平 郭刚".split()


def meeting_archive(root: Path, secretaries: int = 8, ballots: int = 20, double_entry: bool = True) -> Archive:
    archive = Archive.init(root, "测试大学", "测试员")
    changes = [Change(layout.org_path("o"), render(Org(id="o", name="测试学院党委", kind=OrgKind.COMMITTEE)).encode(), None)]
    order = []
    for n in range(1, secretaries + 1):
        b = Branch(id=f"b{n:02d}", org="o", name=f"测试学院第{n}党支部", kind=BranchKind.STAFF, founded=date(2015, 1, 1),
                   secretary=SECRETARIES[n - 1])
        order.append(b.id)
        changes.append(Change(layout.branch_path("o", b.id), render(b).encode(), None))
        changes.append(Change(layout.review_path("o", 2020, b.id), render(Review(branch=b.id, org="o", year=2020)).encode(), None))
    reps = max(0, ballots + 1 - 5 - secretaries - 3)  # everyone present got a ballot; one was not returned
    meeting = Meeting(
        org="o", year=2020, held=date(2021, 1, 15), place="学院会议室", chair="周书记", order=order, double_entry=double_entry,
        attendance=[Attendance(group="委员", due=5, present=5), Attendance(group="党支部书记", due=secretaries, present=secretaries),
                    Attendance(group="党员干部", due=4, present=3), Attendance(group="师生党员代表", due=reps + 2, present=reps)],
        ballots=BallotCounts(issued=ballots + 1, collected=ballots, not_returned=1),
    )
    changes.append(Change(layout.meeting_path("o", 2020), render(meeting).encode(), None))
    archive.commit(changes, "测试数据：一个二级党组织的评议会")
    return archive
