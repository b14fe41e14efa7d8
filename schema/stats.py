"""The statistics table (附件2): figures per organisation and rolled up, from records alone.

Definitions, where the notice leaves them open:

- 党支部总数: the organisation's branches on the roster, less those dissolved before the
  notice (they no longer exist this year). 不纳入（直属）and 不纳入（新成立）count the scope
  rule's two exclusions; 应述职数 is every branch in scope. Any remainder of
  总数 − 直属 − 新成立 − 应述职 is staff's recorded exceptions (例外不纳入), shown in ``--json``.
- 实际述职数: in-scope branches whose secretary reported at the organisation's 述职评议会 —
  the branches in the held meeting's speaking order (``Meeting.order``); none before the
  meeting is held. 现场/书面 split those by the mode recorded for the meeting
  (``Review.meeting.mode``). Whether the 述职报告 itself reached 已审定 or 已归档 is a separate
  figure, ``approved`` (not a column; the progress dashboard's 审定).
- 测评票: the organisation's meeting ballots (one ballot rates every secretary).
- 好/较好/一般/差: final grades of in-scope branches. 好等次占比 = 好 ÷ 应述职数, and the quota
  check is 好 ≤ ``good_cap(应述职数)`` with the campaign's fraction and rounding.
- 约谈数: in-scope branches with a 约谈 held. 整改任务数 counts rectification tasks; 已完成整改数
  counts those 已完成 or 已销号.
- The total row sums every count; its 占比 is over the university's 应述职数 and it complies
  only when every organisation does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable

from schema.kinds import Grade, ReportMode, ReportStatus, TaskStatus
from schema.quota import good_cap
from schema.records import Branch, Campaign, Meeting, Org, Review
from schema.scope import ScopeReason, scope_of

REPORTED = (ReportStatus.APPROVED, ReportStatus.ARCHIVED)
TASK_DONE = (TaskStatus.DONE, TaskStatus.SIGNED_OFF)
GRADES = (Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR)


# column order of the table, with the JSON key of each figure
COLUMNS: list[tuple[str, str]] = [
    ("二级党组织", "name"),
    ("党支部总数", "branches"),
    ("不纳入数（直属）", "excluded_direct"),
    ("不纳入数（新成立）", "excluded_new"),
    ("应述职数", "due"),
    ("实际述职数", "reported"),
    ("现场述职数", "in_person"),
    ("书面述职数", "written"),
    ("发出测评票", "ballots_issued"),
    ("收回测评票", "ballots_collected"),
    ("有效测评票", "ballots_valid"),
    ("好", "good"),
    ("较好", "fairly_good"),
    ("一般", "average"),
    ("差", "poor"),
    ("好等次占比", "good_share"),
    ("是否符合好≤30%", "quota_ok"),
    ("约谈数", "interviews"),
    ("整改任务数", "tasks"),
    ("已完成整改数", "tasks_done"),
]

GRADE_KEYS = {Grade.GOOD: "good", Grade.FAIRLY_GOOD: "fairly_good", Grade.AVERAGE: "average", Grade.POOR: "poor"}


@dataclass
class OrgStats:
    id: str
    name: str
    branches: int = 0
    excluded_direct: int = 0
    excluded_new: int = 0
    excluded_other: int = 0
    due: int = 0
    approved: int = 0  # in-scope branches whose 述职报告 is 已审定 or 已归档 (not a column; the dashboard uses it)
    reported: int = 0
    in_person: int = 0
    written: int = 0
    ballots_issued: int = 0
    ballots_collected: int = 0
    ballots_valid: int = 0
    good: int = 0
    fairly_good: int = 0
    average: int = 0
    poor: int = 0
    good_cap: int = 0
    quota_ok: bool = True
    interviews: int = 0
    tasks: int = 0
    tasks_done: int = 0
    graded: int = 0  # in-scope branches with a final grade (not a column; the dashboard uses it)

    @property
    def good_share(self) -> float | None:
        return self.good / self.due if self.due else None

    def grade_count(self, grade: Grade) -> int:
        return getattr(self, GRADE_KEYS[grade])

    def value(self, key: str):
        return self.good_share if key == "good_share" else getattr(self, key)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["good_share"] = None if self.good_share is None else round(self.good_share, 4)
        return out


@dataclass
class StatsTable:
    university: str
    year: int
    good_max: float
    rows: list[OrgStats] = field(default_factory=list)
    total: OrgStats | None = None

    @property
    def quota_label(self) -> str:
        return f"是否符合好≤{self.good_max * 100:g}%"


def org_stats(
    org: Org,
    branches: Iterable[Branch],
    reviews: dict[str, Review],
    campaign: Campaign,
    meeting: Meeting | None = None,
) -> OrgStats:
    """The 附件2 figures of one organisation. ``reviews`` maps branch id → this year's review."""
    s = OrgStats(org.id, org.name)
    spoke = set(meeting.order) if meeting is not None and meeting.held_on is not None else set()
    for branch in branches:
        review = reviews.get(branch.id)
        scope = scope_of(branch, org, campaign, review.scope_exception if review else None)
        if scope.reason == ScopeReason.DISSOLVED:
            continue
        s.branches += 1
        if not scope.in_scope:
            if scope.reason == ScopeReason.DIRECT_BRANCH:
                s.excluded_direct += 1
            elif scope.reason == ScopeReason.NEW_BRANCH:
                s.excluded_new += 1
            else:
                s.excluded_other += 1
            continue
        s.due += 1
        if review is None:
            continue
        if review.report.status in REPORTED:
            s.approved += 1
        if branch.id in spoke:
            s.reported += 1
            if review.meeting.mode == ReportMode.WRITTEN:
                s.written += 1
            else:
                s.in_person += 1
        if review.grade.final is not None:
            s.graded += 1
            key = GRADE_KEYS[review.grade.final]
            setattr(s, key, getattr(s, key) + 1)
        if review.interview.held is not None:
            s.interviews += 1
        s.tasks += len(review.tasks)
        s.tasks_done += sum(1 for t in review.tasks if t.status in TASK_DONE)
    if meeting is not None:
        s.ballots_issued = meeting.ballots.issued
        s.ballots_collected = meeting.ballots.collected
        s.ballots_valid = meeting.ballots.valid
    s.good_cap = good_cap(s.due, campaign.quota.good_max, campaign.quota.rounding)
    s.quota_ok = s.good <= s.good_cap
    return s


SUMMED = [f for f in OrgStats.__dataclass_fields__ if f not in ("id", "name", "quota_ok")]


def total_of(rows: list[OrgStats], name: str = "合计") -> OrgStats:
    total = OrgStats("total", name)
    for row in rows:
        for key in SUMMED:
            setattr(total, key, getattr(total, key) + getattr(row, key))
    total.quota_ok = all(r.quota_ok for r in rows)
    return total


def table_of(university: str, campaign: Campaign, rows: list[OrgStats]) -> StatsTable:
    return StatsTable(university, campaign.year, campaign.quota.good_max, rows, total_of(rows))
