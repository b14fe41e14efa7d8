"""What each organisation owes the organisation department by the reporting deadline:
the statistics table, the work report and the stamped scan of both — and their state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schema.dates import cn_date
from schema.records import OrgYear
from schema.stats import OrgStats
from schema.work_report import LIMIT


@dataclass(frozen=True)
class Item:
    name: str
    done: bool
    state: str
    overdue: bool = False


@dataclass(frozen=True)
class Checklist:
    org: str
    items: tuple[Item, ...]
    submitted: date | None
    deadline: date

    @property
    def complete(self) -> bool:
        return all(i.done for i in self.items)

    @property
    def applicable(self) -> bool:
        return bool(self.items)

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.overdue)


def days_left(deadline: date, today: date) -> str:
    days = (deadline - today).days
    if days > 0:
        return f"还有 {days} 天"
    if days == 0:
        return "今天截止"
    return f"已过 {-days} 天"


def checklist(org_year: OrgYear, stats: OrgStats, report_words: int | None, deadline: date, today: date) -> Checklist:
    """``report_words``: the saved work report's 字数, None when none is saved. An organisation
    with no branch in scope (a 直属党支部) owes nothing: its checklist has no items."""
    if stats.due == 0:
        return Checklist(org_year.org, (), org_year.submission.submitted, deadline)
    late = today > deadline
    finalised = org_year.grading.finalised
    if finalised:
        table = Item("统计表（附件2）", True, "等次已定稿，可导出")
    else:
        table = Item("统计表（附件2）", False, f"等次未定稿（已评定 {stats.graded}/{stats.due}）", late)
    if report_words is None:
        report = Item("工作情况报告", False, "未撰写", late)
    elif report_words > LIMIT:
        report = Item("工作情况报告", False, f"{report_words} 字，超过 {LIMIT} 字", late)
    else:
        report = Item("工作情况报告", True, f"已撰写（{report_words} 字）")
    scan = org_year.submission.scan
    if scan is None:
        stamped = Item("盖章扫描件", False, "未上传", late)
    else:
        when = f"，{cn_date(scan.added)}" if scan.added else ""
        stamped = Item("盖章扫描件", True, f"已上传 {scan.name}{when}")
    return Checklist(org_year.org, (table, report, stamped), org_year.submission.submitted, deadline)
