"""Follow-up after grading: the feedback draft, and which 约谈 are still missing."""

from __future__ import annotations

from schema.dates import cn_date
from schema.kinds import Grade
from schema.records import Branch, Org, Review

NEEDS_INTERVIEW = (Grade.AVERAGE, Grade.POOR)


def needs_interview(review: Review) -> bool:
    """一般 and 差 are talked to (约谈提醒) and given a deadline (限期整改)."""
    return review.grade.final in NEEDS_INTERVIEW


def interview_missing(review: Review) -> list[str]:
    """What of the 约谈 record is still missing ([] when complete or not needed)."""
    if not needs_interview(review):
        return []
    i = review.interview
    missing = []
    if i.held is None:
        missing.append("约谈")
    if i.deadline is None:
        missing.append("整改期限")
    return missing


def draft_feedback(branch: Branch, org: Org, review: Review, year: int) -> str:
    """A first draft of the feedback to the secretary, from the grade, the 点评 and the problems."""
    grade = review.grade.final or review.grade.suggested
    secretary = branch.secretary or "支部书记"
    lines = [f"{secretary}同志：", ""]
    if grade:
        lines.append(
            f"经{org.name}综合述职情况、测评结果和日常了解、督查检查等情况，"
            f"{branch.name}{year}年度述职评议考核结果为“{grade.value}”。"
        )
    comment = review.meeting.comment.strip()
    if comment:
        lines += ["", f"述职评议会点评意见：{comment}"]
    problems = [t.problem for t in review.tasks] or [p.text for p in review.carried]
    if problems:
        lines += ["", "存在的主要问题："]
        lines += [f"{n}. {text}" for n, text in enumerate(problems, start=1)]
    lines.append("")
    if grade in NEEDS_INTERVIEW:
        deadline = review.interview.deadline
        by = f"于{cn_date(deadline)}前" if deadline else "限期"
        plan = "请针对上述问题制定整改方案" if problems else "请对照考核情况查找问题、制定整改方案"
        lines.append(f"根据学校党委要求，将对你进行约谈提醒。{plan}，{by}完成整改。")
    elif problems:
        lines.append("希望针对上述问题认真整改，在新的一年进一步提升党支部的组织力。")
    else:
        lines.append("希望继续保持，在新的一年进一步提升党支部的组织力。")
    return "\n".join(lines)


def announcement_rows(items: list[tuple[Branch, Review]]) -> list[tuple[int, str, str, str]]:
    """通报 rows (序号, 党支部, 支部书记, 等次): graded branches, best grade first, then by id."""
    order = {g: n for n, g in enumerate((Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR))}
    graded = [(b, r) for b, r in items if r.grade.final is not None]
    graded.sort(key=lambda br: (order[br[1].grade.final], br[0].id))
    return [(n, b.name, b.secretary, r.grade.final.value) for n, (b, r) in enumerate(graded, start=1)]
