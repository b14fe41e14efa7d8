"""述职报告 rules: the four-section text, facts as sentences, last year's problems, and the
review workflow as a state machine. Pure functions over records; no disk, no git.

A report is Markdown: each of the campaign's sections is a ``## `` heading numbered the
Chinese way (``## 一、个人履职``); anything before the first heading is a preamble.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from schema.changes import changes, summary
from schema.dates import cn_date
from schema.kinds import ReportStatus
from schema.records import BranchFacts, ReportEvent, ReportPart, ReportSettings, Review, ReviewComment
from schema.wordcount import word_count

CN_ORDINALS = "一二三四五六七八九十"
_NUMBERING = re.compile(r"^\s*(第[一二三四五六七八九十]+部分|[（(]?[一二三四五六七八九十\d]+[)）]?)?\s*[、.．:：]?\s*")
_IGNORED_IN_MATCH = set("和及与的、，,：: 　")


# ---------------------------------------------------------------- sections


def section_heading(index: int, title: str) -> str:
    """The heading text of section ``index`` (0-based): 一、个人履职."""
    return f"{CN_ORDINALS[index]}、{title}"


def match_section(heading: str, titles: list[str]) -> int | None:
    """Which section a heading names (0-based), if any: numbering is ignored and a close
    wording counts (存在问题和下一步工作思路 names 存在问题及下一步思路举措)."""
    text = _NUMBERING.sub("", heading.strip().lstrip("#").strip())
    plain = "".join(ch for ch in text if ch not in _IGNORED_IN_MATCH)
    if not plain or len(plain) > 40:
        return None
    best, best_score = None, 0.0
    for index, title in enumerate(titles):
        key = "".join(ch for ch in title if ch not in _IGNORED_IN_MATCH)
        if plain == key or plain.startswith(key) or (len(plain) >= 4 and plain in key):
            return index
        score = len(set(plain) & set(key)) / max(len(set(key)), len(set(plain)))
        if score > best_score:
            best, best_score = index, score
    return best if best_score >= 0.7 else None


@dataclass
class ReportText:
    preamble: str
    sections: list[str]  # one body per campaign section, in order

    def render(self, titles: list[str]) -> str:
        parts = [self.preamble.strip()] if self.preamble.strip() else []
        for index, title in enumerate(titles):
            body = self.sections[index].strip() if index < len(self.sections) else ""
            parts.append(f"## {section_heading(index, title)}" + (f"\n\n{body}" if body else ""))
        return "\n\n".join(parts) + "\n"


def parse_report(text: str, titles: list[str]) -> ReportText:
    """Split a stored report at its ``## `` headings. A ``## `` heading naming no section
    stays in the text of the section it is in."""
    preamble: list[str] = []
    bodies: list[list[str]] = [[] for _ in titles]
    current: list[str] = preamble
    for line in text.splitlines():
        if line.startswith("## "):
            index = match_section(line[3:], titles)
            if index is not None:
                current = bodies[index]
                continue
        current.append(line)
    return ReportText("\n".join(preamble).strip(), ["\n".join(b).strip() for b in bodies])


def empty_sections(text: str, titles: list[str]) -> list[str]:
    """The titles of the sections with no text (a report sent on with these needs a confirmation)."""
    parsed = parse_report(text, titles)
    return [title for title, body in zip(titles, parsed.sections) if not body.strip()]


def section_of_line(text: str, line: int, titles: list[str]) -> int:
    """The section (1-based; 0 before the first heading) a line of the text belongs to."""
    section = 0
    for number, raw in enumerate(text.splitlines()):
        if number > line:
            break
        if raw.startswith("## "):
            index = match_section(raw[3:], titles)
            if index is not None:
                section = index + 1
    return section


# ---------------------------------------------------------------- 字数 and the length guide


def report_words(text: str) -> int:
    """字数 of the report as Word counts it; Markdown heading and list marks are not text."""
    plain = re.sub(r"(?m)^\s*(#+|[-*])\s+", "", text)
    return word_count(plain)


def length_guide(words: int, settings: ReportSettings) -> tuple[str, bool]:
    """The 字数 line and whether it is outside the campaign's guide (a warning, never a block)."""
    guide = f"字数 {words}（建议 {settings.min_chars}–{settings.max_chars} 字）"
    if words < settings.min_chars:
        return f"{guide}，还少 {settings.min_chars - words} 字", True
    if settings.max_chars and words > settings.max_chars:
        return f"{guide}，超出 {words - settings.max_chars} 字", True
    return guide, False


# ---------------------------------------------------------------- branch facts


@dataclass(frozen=True)
class FactField:
    key: str
    label: str
    kind: str  # count / months / date / bool / text


FACT_FIELDS = [
    FactField("general_meetings", "支部党员大会（次）", "count"),
    FactField("committee_meetings", "支委会（次）", "count"),
    FactField("party_lectures", "党课（次）", "count"),
    FactField("theme_days", "主题党日（次）", "count"),
    FactField("new_members", "发展党员（名）", "count"),
    FactField("new_members_teachers", "其中专任教师（名）", "count"),
    FactField("dues_months", "党费按月足额收缴（月）", "months"),
    FactField("election_due", "换届到期日", "date"),
    FactField("committee_complete", "支委配齐", "bool"),
    FactField("life_meeting_held", "专题组织生活会", "bool"),
    FactField("member_appraisal_held", "民主评议党员", "bool"),
    FactField("system_data_current", "省系统数据及时准确", "bool"),
    FactField("commendations", "表彰奖励", "text"),
]


def describe_facts_change(old: BranchFacts, new: BranchFacts) -> str:
    return summary(changes(old, new, [(f.key, f.label.split("（")[0]) for f in FACT_FIELDS]))


def fact_sentences(facts: BranchFacts, today: date) -> list[str]:
    """The year's facts as sentences to insert into the report ("用数据说话")."""
    out = []
    meetings = [
        (facts.general_meetings, "召开支部党员大会{}次"),
        (facts.committee_meetings, "支委会{}次"),
        (facts.party_lectures, "讲授党课{}次"),
        (facts.theme_days, "开展主题党日活动{}次"),
    ]
    said = [template.format(n) for n, template in meetings if n is not None]
    if said:
        out.append("全年" + "，".join(said) + "。")
    if facts.new_members is not None:
        teachers = (
            f"，其中专任教师{facts.new_members_teachers}名" if facts.new_members_teachers else ""
        )
        out.append(f"全年发展党员{facts.new_members}名{teachers}。" if facts.new_members else "本年度未发展党员。")
    if facts.dues_months is not None:
        if facts.dues_months == 12:
            out.append("党费按月足额收缴，全年12个月均按时收齐。")
        else:
            out.append(f"全年有{facts.dues_months}个月按月足额收缴党费，{12 - facts.dues_months}个月未能按时收齐。")
    if facts.election_due is not None:
        due = facts.election_due
        state = "已到期，须按期换届" if due <= today else "尚未到期"
        out.append(f"支部换届到期日为{cn_date(due)}，{state}。")
    flags = [
        (facts.committee_complete, "支委会成员配备齐全", "支委会成员尚未配齐"),
        (facts.life_meeting_held, "按要求召开专题组织生活会", "尚未召开专题组织生活会"),
        (facts.member_appraisal_held, "开展民主评议党员", "尚未开展民主评议党员"),
        (facts.system_data_current, "省党务信息系统数据及时更新、准确完整", "省党务信息系统数据更新不够及时"),
    ]
    said = [yes if value else no for value, yes, no in flags if value is not None]
    if said:
        out.append("，".join(said) + "。")
    if facts.commendations.strip():
        out.append(f"获得表彰奖励：{facts.commendations.strip().rstrip('。')}。")
    return out


# ---------------------------------------------------------------- last year's problems (section 4)


NO_TASK = "未列整改任务"  # the status shown for a carried problem no task was made of


@dataclass(frozen=True)
class LastYearItem:
    text: str
    source: str  # where it was named: 2019年度整改任务 / 2019年度点评 / 上年度


def last_year_items(review: Review, previous: Review | None = None) -> list[LastYearItem]:
    """Problems this branch was told about last year, to be answered in the last section:
    those carried on this year's review, and the previous campaign's tasks and 点评."""
    items = [LastYearItem(c.text, f"{c.source or '上年度'}，{c.status or NO_TASK}") for c in review.carried]
    if previous is not None:
        year = f"{previous.year}年度"
        for task in previous.tasks:
            items.append(LastYearItem(task.problem, f"{year}整改任务，{task.status.value}"))
        if previous.meeting.comment.strip():
            items.append(LastYearItem(previous.meeting.comment.strip(), f"{year}述职点评"))
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.text not in seen:
            seen.add(item.text)
            unique.append(item)
    return unique


ANSWER_PROMPT = "整改情况：（请说明针对这一问题做了什么、效果如何）"


def last_year_prompt(items: list[LastYearItem]) -> str:
    """The part of the last section that answers last year's problems, one prompt each."""
    if not items:
        return ""
    lines = ["### 上年度指出问题的整改情况", ""]
    for n, item in enumerate(items, start=1):
        lines.append(f"{n}. {item.text.rstrip('。')}（{item.source}）")
        lines.append(f"   {ANSWER_PROMPT}")
    return "\n".join(lines)


def template(titles: list[str], items: list[LastYearItem]) -> str:
    """A new report: the sections' headings, and last year's problems to answer in the last."""
    sections = ["" for _ in titles]
    sections[-1] = last_year_prompt(items)
    return ReportText("", sections).render(titles)


# ---------------------------------------------------------------- the review workflow


class ReportAction(StrEnum):
    SUBMIT = "提交"
    RETURN = "退回修改"
    APPROVE = "审定"
    ARCHIVE = "归档"
    REOPEN = "重新打开"


# action → (statuses it may start from, status it leads to)
FLOW: dict[ReportAction, tuple[frozenset[ReportStatus], ReportStatus]] = {
    ReportAction.SUBMIT: (frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED}), ReportStatus.SUBMITTED),
    ReportAction.RETURN: (frozenset({ReportStatus.SUBMITTED}), ReportStatus.RETURNED),
    ReportAction.APPROVE: (frozenset({ReportStatus.SUBMITTED}), ReportStatus.APPROVED),
    ReportAction.ARCHIVE: (frozenset({ReportStatus.APPROVED}), ReportStatus.ARCHIVED),
    ReportAction.REOPEN: (frozenset({ReportStatus.APPROVED, ReportStatus.ARCHIVED}), ReportStatus.RETURNED),
}


# the steps that take a report to 已提交 or past it: with an empty section they need a confirmation
NEEDS_EVERY_SECTION = frozenset({ReportAction.SUBMIT, ReportAction.APPROVE, ReportAction.ARCHIVE})


class WorkflowError(ValueError):
    """A transition the workflow does not allow; the message is for the user."""


def allowed_actions(status: ReportStatus) -> list[ReportAction]:
    return [action for action, (sources, _) in FLOW.items() if status in sources]


def editable(status: ReportStatus) -> bool:
    """The text may be changed only while the writer holds it."""
    return status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


def transition(
    part: ReportPart,
    action: ReportAction,
    by: str,
    at: str,
    note: str = "",
    section: int = 0,
    words: int | None = None,
) -> ReportPart:
    """The report part after ``action``. A return needs the reviewer's comment (``note``,
    anchored to ``section``); a reopen needs a reason; a submit needs some text."""
    sources, target = FLOW[action]
    if part.status not in sources:
        raise WorkflowError(f"述职报告当前为“{part.status.value}”，不能{action.value}。")
    note = note.strip()
    if action == ReportAction.RETURN and not note:
        raise WorkflowError("退回修改须填写审阅意见。")
    if action == ReportAction.REOPEN and not note:
        raise WorkflowError("重新打开已审定或已归档的报告须填写原因。")
    if action == ReportAction.SUBMIT and not words:
        raise WorkflowError("述职报告还没有内容，不能提交。")
    comments = list(part.comments)
    if action == ReportAction.RETURN:
        comments.append(ReviewComment(section=section, text=note, by=by, at=at))
    event = ReportEvent(status=target, by=by, at=at, note=note if action == ReportAction.REOPEN else "")
    return part.model_copy(update={"status": target, "comments": comments, "history": [*part.history, event]})


def transition_subject(action: ReportAction, branch_name: str, note: str = "") -> str:
    """The commit subject of a transition: 述职报告退回修改：化学与材料学院教工第一党支部."""
    subject = f"述职报告{action.value}：{branch_name}"
    if action == ReportAction.REOPEN and note.strip():
        subject += f"（原因：{note.strip()}）"
    return subject


def text_subject(branch_name: str, text: str) -> str:
    """The commit subject of a save of the report's text."""
    return f"修改述职报告：{branch_name}（字数 {report_words(text)}）"


WAITING_FOR = {
    ReportStatus.DRAFT: "支部书记撰写",
    ReportStatus.SUBMITTED: "二级党组织书记审阅",
    ReportStatus.RETURNED: "支部书记修改",
    ReportStatus.APPROVED: "存档",
    ReportStatus.ARCHIVED: "—",
}


def waiting_for(part: ReportPart) -> str:
    if part.status == ReportStatus.DRAFT and not part.file and not part.history:
        return "未开始"
    return WAITING_FOR[part.status]


def last_moved(part: ReportPart) -> date | None:
    return date.fromisoformat(part.history[-1].at[:10]) if part.history else None


def days_waiting(part: ReportPart, today: date) -> int | None:
    """Days since the last transition (None before the first)."""
    moved = last_moved(part)
    return None if moved is None else max(0, (today - moved).days)


def section_label(section: int, titles: list[str]) -> str:
    if 1 <= section <= len(titles):
        return section_heading(section - 1, titles[section - 1])
    return "全文"
