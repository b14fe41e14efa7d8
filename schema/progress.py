"""How far each organisation has come through the year's phases, for the organisation
department's dashboard: reports reviewed, meeting held, graded, finalised, feedback given,
约谈 done, submitted — and what is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from schema.kinds import Grade
from schema.records import Meeting, OrgYear, Review
from schema.stats import TASK_DONE, OrgStats
from schema.submission import Checklist

WEAK = (Grade.AVERAGE, Grade.POOR)


@dataclass(frozen=True)
class OrgProgress:
    id: str
    name: str
    order: int
    stats: OrgStats
    meeting_held: date | None
    finalised: bool
    feedback_given: int  # graded branches whose feedback was delivered
    weak: int  # branches graded 一般 or 差
    weak_interviewed: int  # of those, with a 约谈 held
    submitted: date | None
    checklist: Checklist
    tasks_overdue: int

    @property
    def applicable(self) -> bool:
        return self.stats.due > 0

    @property
    def overdue(self) -> int:
        return self.checklist.overdue + self.tasks_overdue

    @property
    def done(self) -> bool:
        return self.checklist.complete and self.submitted is not None

    @property
    def phases_done(self) -> int:
        """Phases complete out of seven, for sorting by progress."""
        s = self.stats
        return sum((
            s.due > 0 and s.approved == s.due,
            self.meeting_held is not None,
            s.due > 0 and s.graded == s.due,
            self.finalised,
            s.graded > 0 and self.feedback_given == s.graded,
            self.weak_interviewed == self.weak,
            self.submitted is not None,
        ))


def org_progress(
    stats: OrgStats,
    order: int,
    reviews: Iterable[Review],
    meeting: Meeting | None,
    org_year: OrgYear,
    checklist: Checklist,
    today: date,
) -> OrgProgress:
    """``reviews``: the in-scope branches' reviews."""
    feedback = weak = interviewed = late_tasks = 0
    for review in reviews:
        if review.grade.final is not None and review.feedback.delivered is not None:
            feedback += 1
        if review.grade.final in WEAK:
            weak += 1
            interviewed += review.interview.held is not None
        late_tasks += sum(
            1 for t in review.tasks if t.deadline is not None and t.deadline < today and t.status not in TASK_DONE
        )
    return OrgProgress(
        id=stats.id,
        name=stats.name,
        order=order,
        stats=stats,
        meeting_held=meeting.held_on if meeting else None,
        finalised=org_year.grading.finalised,
        feedback_given=feedback,
        weak=weak,
        weak_interviewed=interviewed,
        submitted=org_year.submission.submitted,
        checklist=checklist,
        tasks_overdue=late_tasks,
    )


def bar(value: int, largest: int, width: int) -> str:
    """A horizontal bar in eighths of a cell, so small differences still show."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = round(value / largest * width * 8)
    eighths = max(eighths, 1)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])
