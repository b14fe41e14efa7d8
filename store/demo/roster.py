"""Demo roster: nine organisations (one 直属党支部), ~70 branches, one founded after the notice."""

from __future__ import annotations

import random
from datetime import date

from schema.dates import cn_date
from schema.kinds import BranchKind, OrgKind, ReportStatus
from schema.records import Branch, BranchFacts, Org, ReportPart, Review
from store import layout
from store.archive import Archive, Change
from store.demo import timeline
from store.demo.names import person
from store.tomlio import render

YEAR = 2020

ORGS = [
    # id, name, kind, [(branch name suffix, kind, count)]
    ("chem", "化学与材料学院党委", OrgKind.COMMITTEE, [("教工", BranchKind.STAFF, 5), ("学生", BranchKind.STUDENT, 7)]),
    ("math", "数学与统计学院党委", OrgKind.COMMITTEE, [("教工", BranchKind.STAFF, 3), ("学生", BranchKind.STUDENT, 4)]),
    ("lang", "外国语学院党委", OrgKind.COMMITTEE, [("教工", BranchKind.STAFF, 3), ("学生", BranchKind.STUDENT, 3), ("师生", BranchKind.MIXED, 1)]),
    ("mech", "机械工程学院党委", OrgKind.COMMITTEE, [("教工", BranchKind.STAFF, 4), ("学生", BranchKind.STUDENT, 6)]),
    ("med", "医学院党委", OrgKind.COMMITTEE, [("教工", BranchKind.STAFF, 5), ("学生", BranchKind.STUDENT, 5), ("离退休", BranchKind.RETIRED, 1)]),
    ("lib", "图书馆党总支", OrgKind.GENERAL_BRANCH, [("", BranchKind.STAFF, 3), ("离退休", BranchKind.RETIRED, 1)]),
    ("admin", "机关党工委", OrgKind.WORK_COMMITTEE, [("机关", BranchKind.OFFICE, 9)]),
    ("logi", "后勤集团党总支", OrgKind.GENERAL_BRANCH, [("", BranchKind.STAFF, 4)]),
    ("clinic", "校医院直属党支部", OrgKind.DIRECT_BRANCH, [("", BranchKind.STAFF, 1)]),
]

CN_NUM = "一二三四五六七八九十"


def build(archive: Archive) -> None:
    rng = random.Random(2020)
    changes: list[Change] = []
    branches: list[Branch] = []
    serial = 0
    for order, (org_id, org_name, org_kind, groups) in enumerate(ORGS, start=1):
        org = Org(id=org_id, name=org_name, kind=org_kind, order=order)
        changes.append(Change(layout.org_path(org_id), render(org).encode(), None))
        short = org_name.removesuffix("党委").removesuffix("党总支").removesuffix("党工委")
        for label, kind, count in groups:
            for i in range(count):
                serial += 1
                if org_kind == OrgKind.DIRECT_BRANCH:
                    name = org_name
                elif label in ("离退休",):
                    name = f"{short}离退休党支部"
                elif count == 1:
                    name = f"{short}{label}党支部"
                else:
                    name = f"{short}{label}第{CN_NUM[i]}党支部"
                founded = date(rng.randint(2005, 2019), rng.randint(1, 12), rng.randint(1, 28))
                branch = Branch(
                    id=f"b{serial:04d}",
                    org=org_id,
                    name=name,
                    kind=kind,
                    founded=founded,
                    secretary=person(rng),
                    members=rng.randint(8, 45),
                    code=f"4401{serial:06d}",
                    last_election=date(rng.choice((2018, 2019, 2020)), rng.randint(1, 12), 1),
                    committee_size=rng.choice((3, 3, 5, 5, 7)),
                )
                branches.append(branch)
                changes.append(Change(layout.branch_path(org_id, branch.id), render(branch).encode(), None))
    # one branch founded after the 2020 notice: out of scope this year
    serial += 1
    late = Branch(
        id=f"b{serial:04d}", org="mech", name="机械工程学院智能制造研究生党支部", kind=BranchKind.STUDENT,
        founded=date(2021, 1, 5), secretary=person(rng), members=9, code=f"4401{serial:06d}", committee_size=3,
    )
    archive.commit(changes, f"导入党支部名册：{len(ORGS)} 个二级党组织，{len(branches)} 个党支部")

    # reports in several states, with the year's facts filled in
    statuses = [ReportStatus.ARCHIVED, ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.DRAFT]
    review_changes = []
    for branch in branches:
        if branch.org == "clinic":
            continue
        review = Review(
            branch=branch.id,
            org=branch.org,
            year=YEAR,
            facts=BranchFacts(
                general_meetings=rng.randint(3, 8),
                committee_meetings=rng.randint(6, 12),
                party_lectures=rng.randint(1, 4),
                theme_days=rng.randint(6, 12),
                new_members=rng.randint(0, 5),
                new_members_teachers=rng.randint(0, 1) if branch.kind == BranchKind.STAFF else 0,
                dues_months=rng.choice((12, 12, 12, 11, 10)),
                committee_complete=rng.random() > 0.15,
                life_meeting_held=True,
                member_appraisal_held=rng.random() > 0.1,
                system_data_current=rng.random() > 0.2,
            ),
            report=ReportPart(status=rng.choice(statuses)),
        )
        review_changes.append(Change(layout.review_path(branch.org, YEAR, branch.id), render(review).encode(), None))
    archive.commit(review_changes, f"录入{YEAR}年度支部基本数据和述职报告进度：{len(review_changes)} 个党支部")

    # the branch founded after the notice joins the roster the day it is set up
    timeline.at(timeline.on(2021, 1, 5, 15))
    archive.commit([Change(layout.branch_path(late.org, late.id), render(late).encode(), None)],
                   f"新增党支部：{late.name}（{cn_date(late.founded)}成立）")
