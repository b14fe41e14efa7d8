"""An archive with known results, written record by record through the store, for the
reporting tests: two organisations with meetings, grades, 约谈 and tasks, one 直属党支部."""

from __future__ import annotations

from datetime import date

from schema.kinds import BranchKind, Grade, OrgKind, ReportMode, ReportStatus, TaskStatus
from schema.records import (
    Attendance,
    BallotCounts,
    Branch,
    GradeDecision,
    Interview,
    Meeting,
    MeetingPart,
    Org,
    ReportPart,
    Review,
    ScopeException,
    Task,
)
from store import layout
from store.archive import Archive, Change
from store.tomlio import render

YEAR = 2020

# branch id, org, founded, report status, mode, final grade, interview held, tasks [(status)], scope exception
BRANCHES = [
    # 物理学院党委: 7 in scope (+1 new, +1 exception) → cap floor(7 × 0.3) = 2; 2 好 complies
    ("p01", "phys", date(2010, 1, 1), ReportStatus.ARCHIVED, ReportMode.IN_PERSON, Grade.GOOD, None, [], None),
    ("p02", "phys", date(2011, 1, 1), ReportStatus.APPROVED, ReportMode.IN_PERSON, Grade.GOOD, None, [], None),
    ("p03", "phys", date(2012, 1, 1), ReportStatus.APPROVED, ReportMode.WRITTEN, Grade.FAIRLY_GOOD, None, [], None),
    ("p04", "phys", date(2013, 1, 1), ReportStatus.SUBMITTED, ReportMode.IN_PERSON, Grade.FAIRLY_GOOD, None, [], None),
    ("p05", "phys", date(2014, 1, 1), ReportStatus.ARCHIVED, ReportMode.IN_PERSON, Grade.FAIRLY_GOOD, None, [], None),
    ("p06", "phys", date(2015, 1, 1), ReportStatus.ARCHIVED, ReportMode.IN_PERSON, Grade.AVERAGE, date(2021, 1, 18),
     [TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.SIGNED_OFF], None),
    ("p07", "phys", date(2016, 1, 1), ReportStatus.ARCHIVED, ReportMode.WRITTEN, Grade.POOR, date(2021, 1, 19),
     [TaskStatus.NOT_STARTED, TaskStatus.DONE], None),
    ("p08", "phys", date(2021, 1, 2), ReportStatus.DRAFT, ReportMode.IN_PERSON, None, None, [], None),
    ("p09", "phys", date(2017, 1, 1), ReportStatus.DRAFT, ReportMode.IN_PERSON, None, None, [], "支部正在重组"),
    # 历史学院党总支: 3 in scope → cap floor(0.9) = 0; 1 好 breaks the quota
    ("h01", "hist", date(2010, 1, 1), ReportStatus.ARCHIVED, ReportMode.IN_PERSON, Grade.GOOD, None, [], None),
    ("h02", "hist", date(2010, 1, 1), ReportStatus.ARCHIVED, ReportMode.IN_PERSON, Grade.FAIRLY_GOOD, None, [], None),
    ("h03", "hist", date(2010, 1, 1), ReportStatus.RETURNED, ReportMode.IN_PERSON, None, None, [TaskStatus.DONE], None),
    # 体育部直属党支部: out of scope
    ("d01", "pe", date(2010, 1, 1), ReportStatus.DRAFT, ReportMode.IN_PERSON, None, None, [], None),
]

ORGS = [
    ("phys", "物理学院党委", OrgKind.COMMITTEE),
    ("hist", "历史学院党总支", OrgKind.GENERAL_BRANCH),
    ("pe", "体育部直属党支部", OrgKind.DIRECT_BRANCH),
]

# the figures each organisation's row must show, column by column
EXPECTED = {
    "phys": dict(branches=9, excluded_direct=0, excluded_new=1, due=7, reported=6, in_person=4, written=2,
                 ballots_issued=40, ballots_collected=38, ballots_valid=37, good=2, fairly_good=3, average=1, poor=1,
                 good_share=2 / 7, quota_ok=True, interviews=2, tasks=5, tasks_done=3),
    "hist": dict(branches=3, excluded_direct=0, excluded_new=0, due=3, reported=2, in_person=2, written=0,
                 ballots_issued=20, ballots_collected=20, ballots_valid=19, good=1, fairly_good=1, average=0, poor=0,
                 good_share=1 / 3, quota_ok=False, interviews=0, tasks=1, tasks_done=1),
    "pe": dict(branches=1, excluded_direct=1, excluded_new=0, due=0, reported=0, in_person=0, written=0,
               ballots_issued=0, ballots_collected=0, ballots_valid=0, good=0, fairly_good=0, average=0, poor=0,
               good_share=None, quota_ok=True, interviews=0, tasks=0, tasks_done=0),
}
EXPECTED_TOTAL = dict(branches=13, excluded_direct=1, excluded_new=1, due=10, reported=8, in_person=6, written=2,
                      ballots_issued=60, ballots_collected=58, ballots_valid=56, good=3, fairly_good=4, average=1,
                      poor=1, good_share=0.3, quota_ok=False, interviews=2, tasks=6, tasks_done=4)


def build(archive: Archive) -> Archive:
    changes = []
    for order, (org_id, name, kind) in enumerate(ORGS):
        changes.append(Change(layout.org_path(org_id), render(Org(id=org_id, name=name, kind=kind, order=order)).encode(), None))
    for n, (bid, org_id, founded, status, mode, grade, held, tasks, exception) in enumerate(BRANCHES):
        org_name = dict((o, nm) for o, nm, _ in ORGS)[org_id].removesuffix("党委").removesuffix("党总支")
        branch = Branch(id=bid, org=org_id, name=f"{org_name}第{n + 1}党支部", kind=BranchKind.STAFF, founded=founded,
                        secretary=f"书记{n + 1}")
        changes.append(Change(layout.branch_path(org_id, bid), render(branch).encode(), None))
        review = Review(
            branch=bid, org=org_id, year=YEAR,
            scope_exception=ScopeException(in_scope=False, reason=exception) if exception else None,
            report=ReportPart(status=status),
            meeting=MeetingPart(mode=mode, mode_reason="出差" if mode == ReportMode.WRITTEN else ""),
            grade=GradeDecision(final=grade),
            interview=Interview(held=held, by="党委书记" if held else "", points="组织生活不规范，党费收缴不及时" if held else "",
                                deadline=date(2021, 3, 31) if held else None),
            tasks=[Task(id=f"t{i}", problem=f"问题{i}", measures=f"措施{i}", owner="支委", deadline=date(2021, 3, 1), status=s)
                   for i, s in enumerate(tasks, start=1)],
        )
        changes.append(Change(layout.review_path(org_id, YEAR, bid), render(review).encode(), None))
    # who reported at each meeting (实际述职): p04 and h03, whose reports were not approved, did not
    spoke = {"phys": ["p05", "p01", "p03", "p02", "p07", "p06"], "hist": ["h02", "h01"]}
    for org_id, counts in (("phys", (40, 38, 37, 1)), ("hist", (20, 20, 19, 1))):
        meeting = Meeting(
            org=org_id, year=YEAR, held=date(2021, 1, 15), place="学院报告厅", chair="党委书记",
            attendance=[Attendance(group="委员", due=7, present=7), Attendance(group="党支部书记", due=9, present=8)],
            observers=["王晓明"], order=spoke[org_id], ballots=BallotCounts(issued=counts[0], collected=counts[1], valid=counts[2],
                                                       invalid=counts[3]), published=True,
        )
        changes.append(Change(layout.meeting_path(org_id, YEAR), render(meeting).encode(), None))
    archive.commit(changes, "测试：写入已知结果")
    return archive
