"""Next year from this year: the campaign with its dates moved on, and each branch's named
problems carried into its new review so that section 4 of the report can answer them."""

from __future__ import annotations

import re
from datetime import date

from schema.kinds import Grade
from schema.records import Campaign, CarriedProblem, Review

_LIST_MARK = re.compile(r"^\s*(?:[-*•·]|\d+[.、．)]|[（(]\d+[）)]|[一二三四五六七八九十]+、)\s*")


def shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def next_campaign(current: Campaign, year: int) -> Campaign:
    """``current``'s settings for ``year``: same quota, scoring, grading, report and indicators."""
    years = year - current.year
    return current.model_copy(
        update={
            "year": year,
            "title": current.title.replace(str(current.year), str(year)) if current.title else "",
            "notice_date": shift_year(current.notice_date, years),
            "report_deadline": shift_year(current.report_deadline, years),
            "completion_deadline": shift_year(current.completion_deadline, years),
            "previous": current.year,
        },
        deep=True,
    )


def comment_problems(comment: str) -> list[str]:
    """A 点评 (or the 约谈's points) as separate points: one per line, list marks removed."""
    points = []
    for line in comment.splitlines():
        text = _LIST_MARK.sub("", line).strip()
        if text:
            points.append(text)
    return points


def carried_problems(review: Review) -> list[CarriedProblem]:
    """What last year's review named: the 点评, the points of the 约谈 (with or without a task
    made of them), every rectification task with its status (open or closed), and the reason
    for a 一般/差 grade. A point that became a task is carried once, with the task's status."""
    year = review.year
    out: list[CarriedProblem] = []
    seen: dict[str, int] = {}

    def add(text: str, source: str, status: str = "") -> None:
        if not text:
            return
        if text in seen:  # a 点评 point that became a task: keep the point, with the task's status
            index = seen[text]
            if status and not out[index].status:
                out[index] = out[index].model_copy(update={"status": status})
            return
        seen[text] = len(out)
        out.append(CarriedProblem(text=text, source=source, status=status))

    for point in comment_problems(review.meeting.comment):
        add(point, f"{year}年度述职点评")
    for point in comment_problems(review.interview.points):
        add(point, f"{year}年度约谈提醒")
    for task in review.tasks:
        add(task.problem, f"{year}年度整改任务（{task.source.value}）", task.status.value)
    final = review.grade.final
    if final in (Grade.AVERAGE, Grade.POOR) and review.grade.reason.strip():
        add(review.grade.reason.strip(), f"{year}年度考核结果“{final.value}”")
    return out
