"""The organisation's 工作情况报告: a Markdown draft written from the records, and its 字数.

The notice asks for at most 3000 字 saying how the work was done, the results, and each
branch graded 一般 or 差 with the reasons and the rectification arranged. Staff edit the
draft; the export refuses a text over the limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schema.dates import cn_date
from schema.kinds import Grade, TaskStatus
from schema.records import Branch, Campaign, Meeting, Org, Review
from schema.stats import TASK_DONE, OrgStats
from schema.text_form import TextForm
from schema.wordcount import word_count

LIMIT = 3000  # 字, "报告字数限制3000字内"

SECTIONS = ("一、工作开展情况", "二、评议结果", "三、“一般”“差”等次党支部情况及整改安排", "四、整改落实安排")


def title(org: Org, campaign: Campaign) -> str:
    return f"{org.name}{campaign.year}年度党支部书记述职评议考核工作情况报告"


def plain_text(markdown: str) -> str:
    """The words a reader sees: Markdown's heading, list and emphasis marks removed."""
    lines = []
    for line in markdown.splitlines():
        line = re.sub(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s?)", "", line)
        lines.append(line.replace("**", "").replace("__", ""))
    return "\n".join(lines)


def count(markdown: str) -> int:
    return word_count(plain_text(markdown))


def over_limit(markdown: str, limit: int = LIMIT) -> int | None:
    """The count when it is over ``limit``, else None."""
    n = count(markdown)
    return n if n > limit else None


@dataclass(frozen=True)
class BranchResult:
    branch: Branch
    review: Review


DEPARTMENT = "学校党委组织部"  # who sends the 列席 observers ("学校党委组织部将……适时派人列席")


def observer_names(observers: list[str]) -> str:
    """The observers as named after 学校党委组织部: a department already written with the name
    ("组织部 廖欣远", "党委组织部张三") is not said twice."""
    names = []
    for observer in observers:
        name = observer.strip()
        for unit in (DEPARTMENT, "党委组织部", "组织部"):
            if name.startswith(unit):
                name = name.removeprefix(unit).strip(" \u3000·:：")
                break
        if name:
            names.append(name)
    return "、".join(names) if names else "派员"


def _share(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def _organisation(org: Org, campaign: Campaign, stats: OrgStats, meeting: Meeting | None, university: str) -> list[str]:
    excluded = stats.branches - stats.due
    scope = f"本单位共有党支部{stats.branches}个，纳入述职评议考核{stats.due}个"
    if excluded:
        parts = [
            f"{label}{n}个"
            for label, n in (("直属党支部", stats.excluded_direct), ("通知下发后新成立", stats.excluded_new),
                             ("经研究不纳入", stats.excluded_other))
            if n
        ]
        scope += f"（不纳入{excluded}个：{'、'.join(parts)}）"
    committee = f"中共{university}委员会" if university else "学校党委"
    out = [
        f"根据《{committee}关于组织开展{campaign.year}年度党支部书记述职评议考核工作的通知》要求，"
        f"{org.name}组织开展{campaign.year}年度党支部书记述职评议考核工作。{scope}。",
    ]
    held = meeting is not None and meeting.held_on is not None
    if held:
        place = f"在{meeting.place}" if meeting.place else ""
        chair = f"，由{meeting.chair}主持" if meeting.chair else ""
        text = f"{cn_date(meeting.held_on)}，{place}召开{org.kind.value}委员会扩大会议（述职评议会）{chair}。"
        if meeting.attendance:
            due = sum(a.due for a in meeting.attendance)
            present = sum(a.present for a in meeting.attendance)
            groups = "，".join(f"{a.group}{a.present}人" for a in meeting.attendance)
            text += f"应参会{due}人，实到{present}人（{groups}）。"
        if meeting.observers:
            text += f"{DEPARTMENT}{observer_names(meeting.observers)}列席会议。"
        out.append(text)
        text = f"{stats.due}个党支部中，实际述职{stats.reported}个，其中现场述职{stats.in_person}个、书面述职{stats.written}个"
        text += f"，{stats.due - stats.reported}个未述职。" if stats.reported < stats.due else "。"
        if stats.ballots_issued:
            text += (
                f"会上组织现场测评，发出测评票{stats.ballots_issued}张，收回{stats.ballots_collected}张，"
                f"有效{stats.ballots_valid}张。"
            )
        out.append(text)
    else:
        out.append("述职评议会尚未召开，召开后补充会议、述职和测评情况。")
    return out


def _feedback(results: list[BranchResult]) -> str:
    """反馈 n of N: given to each in-scope secretary once graded."""
    due = len(results)
    given = sum(1 for r in results if r.review.feedback.delivered is not None)
    if due and given == due:
        return f"考核结果已向{due}个党支部书记逐一反馈。"
    if given:
        return f"考核结果已向{given}个党支部书记反馈，尚有{due - given}个未反馈。"
    return "考核结果尚未向党支部书记反馈。"


def _announcement(scope: str) -> str:
    scope = scope.strip().rstrip("。")
    return f"考核结果的通报范围为{scope}。" if scope else "考核结果的通报范围尚未确定。"


def _results(campaign: Campaign, stats: OrgStats, results: list[BranchResult], announcement_scope: str) -> list[str]:
    if stats.graded == 0:
        return ["综合考核等次尚未评定，评定后补充评议结果。"]
    text = (
        f"经综合述职情况、测评结果和日常了解、督查检查等情况，评定“好”等次{stats.good}个、“较好”等次"
        f"{stats.fairly_good}个、“一般”等次{stats.average}个、“差”等次{stats.poor}个。"
    )
    cap = f"“好”等次占比{_share(stats.good, stats.due)}，本单位“好”等次上限为{stats.good_cap}个"
    limit = f"{campaign.quota.good_max * 100:g}%"
    text += f"{cap}，{'符合' if stats.quota_ok else '超过'}“好”等次不超过{limit}的要求。"
    if stats.graded < stats.due:
        text += f"尚有{stats.due - stats.graded}个党支部未评定等次。"
    text += _feedback(results) + _announcement(announcement_scope)
    return [text]


def _interviews(weak: list[BranchResult]) -> str:
    """约谈 held n of N due (一般 and 差 are due one)."""
    held = [r for r in weak if r.review.interview.held is not None]
    text = f"考核结果为“一般”“差”的党支部{len(weak)}个，"
    if len(held) == len(weak):
        return text + "均已约谈提醒。"
    missing = "、".join(r.branch.name for r in weak if r.review.interview.held is None)
    if held:
        return text + f"已约谈提醒{len(held)}个，尚未约谈{len(weak) - len(held)}个（{missing}）。"
    return text + f"均尚未约谈提醒（{missing}）。"


def _weak_branch(result: BranchResult) -> list[str]:
    branch, review = result.branch, result.review
    secretary = f"书记：{branch.secretary}，" if branch.secretary else ""
    lines = [f"### {branch.name}（{secretary}考核结果：{review.grade.final.value}）", ""]
    reasons = [r for r in (review.grade.reason, review.meeting.comment, review.interview.points) if r.strip()]
    lines += [f"主要原因：{reasons[0].strip().rstrip('。')}。" if reasons else "主要原因：（待补充）", ""]
    interview = review.interview
    if interview.held is not None:
        by = f"由{interview.by}" if interview.by else ""
        lines += [f"约谈提醒：{cn_date(interview.held)}{by}进行约谈提醒。", ""]
    else:
        lines += ["约谈提醒：尚未约谈。", ""]
    if review.tasks:
        lines.append("下一步整改：")
        for task in review.tasks:
            detail = f"{task.problem.rstrip('。')}——{task.measures.rstrip('。')}" if task.measures else task.problem
            owner = f"，责任人{task.owner}" if task.owner else ""
            deadline = f"，{cn_date(task.deadline)}前完成" if task.deadline else ""
            lines.append(f"- {detail}{owner}{deadline}（{task.status.value}）。")
    else:
        lines.append("下一步整改：尚未列出整改任务。")
    lines.append("")
    lines.append(f"整改期限：{cn_date(interview.deadline)}。" if interview.deadline is not None else "整改期限：尚未确定。")
    lines.append("")
    return lines


def _tasks(results: list[BranchResult]) -> str:
    """Tasks open and done, by status, and how many branches have a list."""
    tasks = [t for r in results for t in r.review.tasks]
    if not tasks:
        return "各党支部尚未列出整改任务。"
    with_list = sum(1 for r in results if r.review.tasks)
    counts = [(status, sum(1 for t in tasks if t.status == status)) for status in TaskStatus]
    done = sum(n for status, n in counts if status in TASK_DONE)
    parts = "、".join(f"{status.value}{n}项" for status, n in counts if n)
    return (f"{with_list}个党支部列出整改任务共{len(tasks)}项（{parts}），"
            f"完成率{_share(done, len(tasks))}（已完成和已销号）。")


def _rectification(results: list[BranchResult], weak: list[BranchResult]) -> list[str]:
    out = [_tasks(results)]
    if weak:
        with_deadline = sum(1 for r in weak if r.review.interview.deadline is not None)
        text = f"考核结果为“一般”“差”的{len(weak)}个党支部，"
        if with_deadline == len(weak):
            text += "均已明确整改期限。"
        elif with_deadline:
            text += f"已明确整改期限{with_deadline}个，尚有{len(weak) - with_deadline}个未明确。"
        else:
            text += "整改期限尚未明确。"
        out.append(text)
    out.append("本单位将逐项跟踪整改进度，完成一项、销号一项，并将整改情况纳入下一年度述职评议考核重点内容。")
    return out


def draft(
    org: Org,
    campaign: Campaign,
    stats: OrgStats,
    results: list[BranchResult],
    meeting: Meeting | None = None,
    university: str = "",
    announcement_scope: str = "",
) -> str:
    """Markdown draft of the work report. ``results`` are the in-scope branches and their reviews;
    every sentence says only what the records show (what is not recorded is said to be pending)."""
    weak = [r for r in results if r.review.grade.final in (Grade.AVERAGE, Grade.POOR)]
    weak.sort(key=lambda r: (r.review.grade.final != Grade.POOR, r.branch.id))
    lines = [f"# {title(org, campaign)}", "", f"## {SECTIONS[0]}", ""]
    for paragraph in _organisation(org, campaign, stats, meeting, university):
        lines += [paragraph, ""]
    lines += [f"## {SECTIONS[1]}", ""]
    for paragraph in _results(campaign, stats, results, announcement_scope):
        lines += [paragraph, ""]
    lines += [f"## {SECTIONS[2]}", ""]
    if weak:
        lines += [_interviews(weak), ""]
        for result in weak:
            lines += _weak_branch(result)
    elif not stats.graded:
        lines += ["等次评定后补充。", ""]
    elif stats.graded < stats.due:
        lines += [f"已评定的{stats.graded}个党支部中无“一般”“差”等次，尚有{stats.due - stats.graded}个党支部未评定。", ""]
    else:
        lines += ["本年度无考核结果为“一般”“差”的党支部。", ""]
    lines += [f"## {SECTIONS[3]}", ""]
    for paragraph in _rectification(results, weak):
        lines += [paragraph, ""]
    return "\n".join(lines).rstrip() + "\n"



@dataclass
class WorkReportForm(TextForm):
    """The work-report editor's state: the text, the saved one and its version (None: a draft
    never saved), and the 字数 against the limit."""

    version: str | None = None

    @classmethod
    def opened(cls, text: str, version: str | None) -> WorkReportForm:
        form = cls(version=version)
        form.load(text)
        if version is None:
            form.baseline = ""  # a draft: nothing of it is saved yet
        return form

    @property
    def dirty(self) -> bool:
        return self.text.rstrip() != self.baseline.rstrip()

    @property
    def unchanged(self) -> bool:
        """Nothing to save: saved before and not changed since."""
        return not self.dirty and self.version is not None

    def saved_as(self, sent: str, version: str) -> None:
        self.saved(sent)
        self.version = version

    def words_line(self) -> tuple[str, str, bool]:
        """The 字数 against the limit, the save state, and whether it is over the limit (then
        it cannot be exported)."""
        n = count(self.text)
        state = " · 初稿，尚未保存" if self.version is None else " · 未保存" if self.dirty else ""
        if n > LIMIT:
            return f"字数 {n} / {LIMIT}：超出 {n - LIMIT} 字，不能导出", state, True
        return f"字数 {n} / {LIMIT}", state, False
