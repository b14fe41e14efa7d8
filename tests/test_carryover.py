"""Next year carries everything last year's review named (issue 16): the 约谈's points even
without a task, every task with its status, the 一般/差 grade's reason and the 点评; section 4
of the new year's report lists each with its status."""

from __future__ import annotations

from datetime import date

import pytest

from schema.carryover import carried_problems
from schema.kinds import Grade, TaskStatus
from schema.records import GradeDecision, Interview, MeetingPart, Review, Task
from schema.report import NO_TASK, last_year_items, parse_report, template
from store import reports
from store.snapshot import load
from tests import reporting_archive
from tests.test_cli import shuping

POINT = "支部委员会未按期换届"


def _weak_with_point_only(year: int = 2020) -> Review:
    """Graded 一般, talked to with one point, no task made of it, no reason, no 点评."""
    return Review(branch="p06", org="phys", year=year, grade=GradeDecision(final=Grade.AVERAGE),
                  interview=Interview(held=date(2021, 1, 18), points=POINT, deadline=date(2021, 3, 31)))


def _every_status(year: int = 2020) -> Review:
    tasks = [Task(id=f"t{n}", problem=f"问题{status.value}", status=status)
             for n, status in enumerate(TaskStatus, start=1)]
    return Review(branch="p07", org="phys", year=year, grade=GradeDecision(final=Grade.POOR), tasks=tasks)


def test_a_weak_branch_with_a_point_and_no_task_carries_the_point():
    carried = carried_problems(_weak_with_point_only())
    assert [(c.text, c.source, c.status) for c in carried] == [(POINT, "2020年度约谈提醒", "")]


def test_several_interview_points_are_carried_each():
    review = _weak_with_point_only().model_copy(update={"interview": Interview(points="1. 三会一课不规范\n2. 党费收缴不及时")})
    assert [c.text for c in carried_problems(review)] == ["三会一课不规范", "党费收缴不及时"]


def test_a_point_that_became_a_task_is_carried_once_with_the_task_status():
    review = _weak_with_point_only().model_copy(
        update={"tasks": [Task(id="t1", problem=POINT, status=TaskStatus.IN_PROGRESS)]})
    assert [(c.text, c.source, c.status) for c in carried_problems(review)] == [(POINT, "2020年度约谈提醒", "整改中")]


def test_every_task_is_carried_with_its_status():
    carried = carried_problems(_every_status())
    assert [(c.text, c.status) for c in carried] == [(f"问题{s.value}", s.value) for s in TaskStatus]


def test_reason_and_comment_are_carried_for_weak_grades_only():
    review = _weak_with_point_only().model_copy(update={
        "grade": GradeDecision(final=Grade.AVERAGE, reason="组织生活开展不经常"),
        "meeting": MeetingPart(comment="学习形式单一")})
    assert [(c.text, c.source) for c in carried_problems(review)] == [
        ("学习形式单一", "2020年度述职点评"), (POINT, "2020年度约谈提醒"), ("组织生活开展不经常", "2020年度考核结果“一般”")]
    good = review.model_copy(update={"grade": GradeDecision(final=Grade.GOOD, reason="工作扎实")})
    assert "工作扎实" not in [c.text for c in carried_problems(good)]


@pytest.fixture
def next_year(empty_archive):
    """The reporting archive with p06 (一般: a 约谈 point, no task) and p07 (差: a task of every
    status), then `shuping campaign new 2021`."""
    archive = reporting_archive.build(empty_archive)
    snap = load(archive)
    for review in (_weak_with_point_only(), _every_status()):
        stored = snap.review(review.branch)
        archive.save(stored, review, "测试：写入上年度问题")
    result = shuping("campaign", "new", "2021", "--archive", str(archive.root))
    assert result.returncode == 0, result.stderr
    assert "结转上年度问题" in result.stdout
    return archive


def test_new_year_carries_them_and_section_four_lists_each_with_its_status(next_year):
    snap = load(next_year)
    assert snap.year == 2021
    assert [(c.text, c.status) for c in snap.review("p06").record.carried] == [(POINT, "")]
    every = [(f"问题{s.value}", s.value) for s in TaskStatus]
    assert [(c.text, c.status) for c in snap.review("p07").record.carried] == every
    titles = snap.campaign.report.sections
    for branch_id, expected in (
        ("p06", [f"{POINT}（2020年度约谈提醒，{NO_TASK}）"]),
        ("p07", [f"问题{s.value}（2020年度整改任务（自查），{s.value}）" for s in TaskStatus]),
    ):
        review = snap.review(branch_id).record
        items = reports.last_year(next_year, snap.campaign, review)
        fourth = parse_report(template(titles, items), titles).sections[-1]
        for n, line in enumerate(expected, start=1):
            assert f"{n}. {line}" in fourth
        assert last_year_items(review)[0].text == review.carried[0].text
