"""Rectification rules: which tasks are overdue, status changes, completion rates.

* **Overdue**: a task with a deadline before today (the clock is passed in) that is not
  finished (未开始 or 整改中). A task finished late is not overdue any more.
* **已完成 includes 已销号.** 销号 is the secondary organisation's sign-off of a finished
  task, so a signed-off task counts as done; the rate is done ÷ all tasks, rounded half up
  to a whole percent: "25 项，已完成 19 项，整改中 6 项，76%". 未开始 and 已销号 are
  named when there are any.
* **Status**: 未开始 → 整改中 → 已完成 in any order by the branch or staff; 已销号 only by
  the explicit sign-off action, and only from 已完成 (undoing a sign-off returns to 已完成).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from schema.kinds import TaskStatus
from schema.records import Task

OPEN = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS)
DONE = (TaskStatus.DONE, TaskStatus.SIGNED_OFF)
CYCLE = [TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.DONE]


def is_overdue(task: Task, today: date) -> bool:
    return task.deadline is not None and task.deadline < today and task.status in OPEN


def days_overdue(task: Task, today: date) -> int:
    return (today - task.deadline).days if is_overdue(task, today) and task.deadline else 0


def next_status(status: TaskStatus) -> TaskStatus:
    """The status the cycle key moves to; a signed-off task does not move."""
    if status == TaskStatus.SIGNED_OFF:
        raise ValueError("该任务已销号；如需改动，请先撤销销号")
    return CYCLE[(CYCLE.index(status) + 1) % len(CYCLE)]


def sign_off(task: Task, on: date, by: str) -> Task:
    if task.status != TaskStatus.DONE:
        raise ValueError(f"只有“已完成”的任务可以销号（现为“{task.status.value}”）")
    return task.model_copy(update={"status": TaskStatus.SIGNED_OFF, "signed_off": on, "signed_off_by": by})


def undo_sign_off(task: Task) -> Task:
    if task.status != TaskStatus.SIGNED_OFF:
        raise ValueError("该任务没有销号")
    return task.model_copy(update={"status": TaskStatus.DONE, "signed_off": None, "signed_off_by": ""})


def new_task_id(tasks: list[Task]) -> str:
    used = {t.id for t in tasks}
    n = len(tasks) + 1
    while f"t{n}" in used:
        n += 1
    return f"t{n}"


@dataclass(frozen=True)
class Progress:
    total: int = 0
    not_started: int = 0
    in_progress: int = 0
    done: int = 0  # 已完成 + 已销号
    signed_off: int = 0
    overdue: int = 0

    @property
    def rate(self) -> int | None:
        if not self.total:
            return None
        return int((Decimal(self.done) * 100 / self.total).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def text(self) -> str:
        if not self.total:
            return "0 项"
        parts = [f"{self.total} 项", f"已完成 {self.done} 项"]
        if self.signed_off:
            parts[-1] += f"（已销号 {self.signed_off} 项）"
        parts.append(f"整改中 {self.in_progress} 项")
        if self.not_started:
            parts.append(f"未开始 {self.not_started} 项")
        return "，".join(parts) + f"，{self.rate}%"

    def __add__(self, other: Progress) -> Progress:
        return Progress(*(a + b for a, b in zip(self._fields(), other._fields())))

    def _fields(self) -> tuple[int, ...]:
        return (self.total, self.not_started, self.in_progress, self.done, self.signed_off, self.overdue)


def progress(tasks: list[Task], today: date) -> Progress:
    return Progress(
        total=len(tasks),
        not_started=sum(t.status == TaskStatus.NOT_STARTED for t in tasks),
        in_progress=sum(t.status == TaskStatus.IN_PROGRESS for t in tasks),
        done=sum(t.status in DONE for t in tasks),
        signed_off=sum(t.status == TaskStatus.SIGNED_OFF for t in tasks),
        overdue=sum(is_overdue(t, today) for t in tasks),
    )
