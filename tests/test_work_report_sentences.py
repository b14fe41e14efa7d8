"""The work-report draft says only what the records show: each sentence is checked against
records that make it true and records that make the usual wording false (issue 16)."""

from __future__ import annotations

from datetime import date

import pytest

from schema import work_report
from schema.campaign_setup import notice_2020
from schema.kinds import BranchKind, Grade, OrgKind, TaskStatus
from schema.records import (
    Attendance,
    Branch,
    Feedback,
    GradeDecision,
    Interview,
    Meeting,
    Org,
    Review,
    Task,
)
from schema.stats import org_stats
from schema.work_report import BranchResult

ORG = Org(id="chem", name="化学学院党委", kind=OrgKind.COMMITTEE, order=0)
CAMPAIGN = notice_2020()
DAY = date(2021, 1, 22)


def branch(n: int) -> Branch:
    return Branch(id=f"c{n:02d}", org="chem", name=f"化学学院第{n}党支部", kind=BranchKind.STAFF,
                  founded=date(2010, 1, 1), secretary=f"书记{n}")


def review(n: int, final: Grade | None = Grade.FAIRLY_GOOD, **update) -> Review:
    return Review(branch=f"c{n:02d}", org="chem", year=2020, **{"grade": GradeDecision(final=final), **update})


def draft(reviews: list[Review], meeting: Meeting | None = None, scope: str = "") -> str:
    branches = [branch(int(r.branch[1:])) for r in reviews]
    stats = org_stats(ORG, branches, {r.branch: r for r in reviews}, CAMPAIGN, meeting)
    results = [BranchResult(b, r) for b, r in zip(branches, reviews)]
    return work_report.draft(ORG, CAMPAIGN, stats, results, meeting, "测试大学", scope)


def seven(per_branch: dict[int, dict] | None = None) -> list[Review]:
    """Seven graded branches: 2 好, 3 较好, 1 一般, 1 差 (the quota allows 2)."""
    grades = [Grade.GOOD] * 2 + [Grade.FAIRLY_GOOD] * 3 + [Grade.AVERAGE, Grade.POOR]
    return [review(n, g, **(per_branch or {}).get(n, {})) for n, g in enumerate(grades, start=1)]


# ---------------------------------------------------------------- 反馈


def test_feedback_given_to_one_of_seven_says_one_of_seven():
    text = draft(seven({1: {"feedback": Feedback(delivered=DAY)}}))
    assert "考核结果已向1个党支部书记反馈，尚有6个未反馈。" in text
    assert "逐一反馈" not in text


def test_feedback_given_to_all_says_one_by_one():
    text = draft(seven({n: {"feedback": Feedback(delivered=DAY)} for n in range(1, 8)}))
    assert "考核结果已向7个党支部书记逐一反馈。" in text


def test_no_feedback_says_none_was_given():
    text = draft(seven())
    assert "考核结果尚未向党支部书记反馈。" in text and "已向" not in text


def test_a_feedback_text_written_but_not_delivered_is_not_given():
    text = draft(seven({1: {"feedback": Feedback(text="已起草，未送达")}}))
    assert "考核结果尚未向党支部书记反馈。" in text


# ---------------------------------------------------------------- 通报


def test_no_announcement_scope_makes_no_announcement_claim():
    text = draft(seven())
    assert "考核结果的通报范围尚未确定。" in text
    assert "一定范围内通报" not in text and "范围内通报" not in text


def test_announcement_scope_is_named():
    text = draft(seven(), scope="学院全体党员。")
    assert "考核结果的通报范围为学院全体党员。" in text


# ---------------------------------------------------------------- 约谈


def test_interview_held_for_one_of_two_due_names_the_other():
    text = draft(seven({7: {"interview": Interview(held=DAY, by="党委书记")}}))
    assert "考核结果为“一般”“差”的党支部2个，已约谈提醒1个，尚未约谈1个（化学学院第6党支部）。" in text
    assert "约谈提醒：2021年1月22日由党委书记进行约谈提醒。" in text
    assert "约谈提醒：尚未约谈。" in text
    assert "均已约谈" not in text


def test_no_interview_held_says_none():
    text = draft(seven())
    assert "均尚未约谈提醒（化学学院第7党支部、化学学院第6党支部）" in text


def test_all_interviews_held_says_all():
    held = {"interview": Interview(held=DAY, deadline=date(2021, 3, 31))}
    text = draft(seven({6: held, 7: held}))
    assert "考核结果为“一般”“差”的党支部2个，均已约谈提醒。" in text
    assert "均已明确整改期限。" in text


def test_deadlines_missing_are_counted():
    text = draft(seven({6: {"interview": Interview(held=DAY, deadline=date(2021, 3, 31))}}))
    assert "已明确整改期限1个，尚有1个未明确。" in text
    assert "整改期限：尚未确定。" in text


# ---------------------------------------------------------------- 整改任务


def test_tasks_are_counted_by_status():
    tasks = [Task(id=f"t{i}", problem=f"问题{i}", status=s) for i, s in enumerate(
        (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS, TaskStatus.SIGNED_OFF), start=1)]
    text = draft(seven({6: {"tasks": tasks}}))
    assert "1个党支部列出整改任务共4项（未开始1项、整改中2项、已销号1项），完成率25.0%（已完成和已销号）。" in text
    assert "- 问题2（整改中）。" in text


def test_no_tasks_makes_no_plan_claim():
    text = draft(seven())
    assert "各党支部尚未列出整改任务。" in text
    assert "下一步整改：尚未列出整改任务。" in text
    assert "制定整改方案" not in text and "列明整改任务清单" not in text


# ---------------------------------------------------------------- grades


def test_no_grades_says_pending():
    text = draft([review(n, None) for n in range(1, 4)])
    assert "综合考核等次尚未评定" in text and "等次评定后补充。" in text
    assert "反馈" not in text.split("## 三")[0].split("## 二")[1]


def test_some_grades_missing_says_how_many_and_claims_no_clean_sheet():
    text = draft([review(1, Grade.GOOD), review(2, Grade.FAIRLY_GOOD), review(3, None)])
    assert "尚有1个党支部未评定等次。" in text
    assert "已评定的2个党支部中无“一般”“差”等次，尚有1个党支部未评定。" in text
    assert "本年度无考核结果为“一般”“差”的党支部" not in text


def test_all_graded_without_weak_says_none():
    text = draft([review(n, Grade.FAIRLY_GOOD) for n in range(1, 4)])
    assert "本年度无考核结果为“一般”“差”的党支部。" in text


@pytest.mark.parametrize("goods, word", [(2, "符合"), (3, "超过")])
def test_quota_sentence_follows_the_count(goods, word):
    reviews = [review(n, Grade.GOOD if n <= goods else Grade.FAIRLY_GOOD) for n in range(1, 8)]
    assert f"{word}“好”等次不超过30%的要求" in draft(reviews)


def test_weak_branch_reason_is_the_grade_reason_else_pending():
    reviews = seven({6: {"grade": GradeDecision(final=Grade.AVERAGE, reason="组织生活不规范")}})
    text = draft(reviews)
    assert "主要原因：组织生活不规范。" in text
    assert "主要原因：（待补充）" in text  # the 差 branch has no reason recorded


# ---------------------------------------------------------------- the meeting


def test_no_meeting_claims_no_reports_or_ballots():
    text = draft(seven())
    assert "述职评议会尚未召开" in text
    assert "实际述职" not in text and "测评票" not in text


def test_meeting_held_counts_who_reported():
    meeting = Meeting(org="chem", year=2020, held=date(2021, 1, 15), place="化学楼", chair="党委书记",
                      attendance=[Attendance(group="委员", due=7, present=6)], order=["c01", "c02", "c03"],
                      published=True)
    text = draft(seven(), meeting)
    assert "2021年1月15日，在化学楼召开二级党委委员会扩大会议（述职评议会），由党委书记主持。应参会7人，实到6人" in text
    assert "7个党支部中，实际述职3个，其中现场述职3个、书面述职0个，4个未述职。" in text
    assert "测评票" not in text  # no ballots recorded


def test_no_sentence_is_fixed_praise():
    """The old draft's fixed claims appear under no records."""
    text = draft(seven())
    for claim in ("逐一反馈，并在一定范围内通报", "认真组织开展了", "深入分析研判", "由党组织书记约谈提醒、限期整改"):
        assert claim not in text
