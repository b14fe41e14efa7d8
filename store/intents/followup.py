"""After grading: feedback, 约谈, 通报 and rectification tasks with their evidence.

None of this is frozen by finalising: it goes on after the grades are fixed. Each change is
one commit on the branch's review (or the organisation's year record), with its message."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Generic, TypeVar

from schema.dates import cn_date
from schema.kinds import ProblemSource, TaskStatus
from schema.records import Feedback, Interview, OrgYear, Review, Task
from schema.rectification import new_task_id, sign_off, undo_sign_off
from store import attachments, layout
from store.archive import Change, Stored
from store.errors import StoreError
from store.followup_export import export_all
from store.intents.base import Intents
from store.intents.grading import in_scope

T = TypeVar("T")

TASK_FIELDS: dict[str, str] = {  # what a task's edit says in the commit message
    "problem": "问题",
    "measures": "整改措施",
    "owner": "责任人",
    "deadline": "整改期限",
    "evidence": "佐证材料",
}


@dataclass(frozen=True)
class Recorded(Generic[T]):
    """A change committed: the record as stored and the commit's subject (to tell the user)."""

    stored: Stored[T]
    message: str


class FollowupIntents(Intents):
    TASK_FIELDS = TASK_FIELDS

    def __init__(self, service):
        super().__init__(service)
        self._tasks = threading.Lock()  # task edits in quick succession apply one after the other

    # ------------------------------------------------------------------ feedback, 约谈, 通报

    def branch_name(self, branch_id: str) -> str:
        return self.snapshot.branches[branch_id].record.name

    def save_feedback(self, branch_id: str, feedback: Feedback) -> Recorded[Review] | None:
        """The feedback given to the branch's secretary (its text and the day it was given)."""
        stored = self.snapshot.review(branch_id)
        if feedback == stored.record.feedback:
            return None
        when = f"，{cn_date(feedback.delivered)}已反馈" if feedback.delivered else ""
        return self._save(stored, stored.record.model_copy(update={"feedback": feedback}),
                          f"反馈：{self.branch_name(branch_id)}{when}")

    def save_interview(self, branch_id: str, interview: Interview) -> Recorded[Review] | None:
        """The 约谈 of a 一般/差 branch's secretary and the rectification deadline."""
        stored = self.snapshot.review(branch_id)
        if interview == stored.record.interview:
            return None
        parts = [f"{cn_date(interview.held)}约谈" if interview.held else "约谈"]
        if interview.by:
            parts.append(f"约谈人 {interview.by}")
        if interview.deadline:
            parts.append(f"整改期限 {cn_date(interview.deadline)}")
        return self._save(stored, stored.record.model_copy(update={"interview": interview}),
                          f"约谈：{self.branch_name(branch_id)}（{'，'.join(parts)}）")

    def set_announcement_scope(self, org_id: str, text: str) -> Recorded[OrgYear] | None:
        """Who the 通报 of the organisation's results goes to."""
        text = text.strip()
        stored = self.snapshot.org_year(org_id)
        if text == stored.record.announcement_scope:
            return None
        return self._save(stored, stored.record.model_copy(update={"announcement_scope": text}),
                          f"通报范围：{self.org_name(org_id)} → {text or '（空）'}")

    def _save(self, stored: Stored[T], record: T, message: str, extra: list[Change] = ()) -> Recorded[T]:
        change, new = self.service.change(stored, record)
        self.service.commit([change, *extra], message, saved=[new])
        return Recorded(new, message)

    # ------------------------------------------------------------------ exports

    def export_folder(self) -> Path:
        """Where exports go unless the user says otherwise: the archive's machine-local folder."""
        return self.archive.root / layout.LOCAL_DIR / "exports"

    def export(self, org_id: str, folder: Path | str) -> list[Path]:
        """The organisation's feedback (.docx) and 通报 (.docx, .xlsx), titled as a draft while
        its grades are not finalised; returns the files written."""
        snap = self.snapshot
        items = [(snap.branches[i].record, snap.review(i).record) for i in in_scope(snap, org_id)]
        org_year = snap.org_year(org_id).record
        return export_all(Path(folder).expanduser(), snap.orgs[org_id].record, snap.year,
                          org_year.announcement_scope, items, org_year.grading.finalised,
                          snap.settings.official_format, self.clock.today())

    # ------------------------------------------------------------------ rectification tasks

    def add_task(self, branch_id: str, problem: str) -> Recorded[Review] | None:
        """A new task on the branch's checklist, due when its 约谈 set the deadline."""
        problem = problem.strip()
        if not problem:
            return None

        def add(review: Review) -> list[Task]:
            task = Task(id=new_task_id(review.tasks), problem=problem, deadline=review.interview.deadline)
            return [*review.tasks, task]

        return self._change_tasks(branch_id, add, lambda _: f"整改任务：{self.branch_name(branch_id)} 新增「{problem}」")

    def update_task(self, branch_id: str, task_id: str, field: str, value) -> Recorded[Review] | None:
        """Change one thing of a task: its status (not to or from 已销号: see ``sign_off``),
        source, problem, measures, owner, deadline or evidence note."""
        if field == "problem" and not str(value).strip():
            raise StoreError("问题不能为空。")

        def said(task: Task) -> str:
            name = f"整改：{self.branch_name(branch_id)}「{task.problem}」"
            if field == "status":
                return f"{name}→ {value.value}"
            if field == "source":
                return f"{name}来源 → {value.value}"
            shown = (cn_date(value) if isinstance(value, date) else value) or "（空）"
            return f"{name}{TASK_FIELDS[field]} → {shown}"

        def update(task: Task) -> Task:
            if field == "status" and TaskStatus.SIGNED_OFF in (task.status, value):
                raise StoreError("该任务已销号；如需改动，请先撤销销号。" if task.status == TaskStatus.SIGNED_OFF
                                 else "销号请用销号（x），不能直接改为“已销号”。")
            if field not in ("status", "source", *TASK_FIELDS):
                raise StoreError(f"整改任务没有“{field}”一项")
            if field == "source":
                ProblemSource(value)
            return task.model_copy(update={field: value})

        return self._change_task(branch_id, task_id, update, said)

    def sign_off(self, branch_id: str, task_id: str) -> Recorded[Review] | None:
        """The organisation's 销号 of a finished task (by the operator, today)."""
        org = self.org_name(self.snapshot.branches[branch_id].record.org)
        return self._change_task(
            branch_id, task_id, lambda t: sign_off(t, self.clock.today(), self.service.operator),
            lambda t: f"销号：{self.branch_name(branch_id)}「{t.problem}」（{org}确认）")

    def undo_sign_off(self, branch_id: str, task_id: str) -> Recorded[Review] | None:
        return self._change_task(branch_id, task_id, undo_sign_off,
                                 lambda t: f"撤销销号：{self.branch_name(branch_id)}「{t.problem}」")

    def attach_evidence(self, branch_id: str, task_id: str, path: Path | str) -> Recorded[Review] | None:
        """Copy an evidence file into the archive (named by its hash) and list it on the task, in one commit."""
        review = self.snapshot.review(branch_id).record
        attachment, change = attachments.prepare(self.archive, review.org, review.year, Path(path).expanduser(),
                                                 self.clock.today())
        return self._change_task(
            branch_id, task_id, lambda t: t.model_copy(update={"files": [*t.files, attachment]}),
            lambda t: f"整改佐证：{self.branch_name(branch_id)}「{t.problem}」附加 {attachment.name}", [change])

    def _change_task(self, branch_id: str, task_id: str, update: Callable[[Task], Task],
                     message: Callable[[Task], str], extra: list[Change] = ()) -> Recorded[Review] | None:
        def tasks(review: Review) -> list[Task]:
            if not any(t.id == task_id for t in review.tasks):
                raise StoreError(f"{self.branch_name(branch_id)}没有整改任务 {task_id}（可能已被他人删除）")
            return [update(t) if t.id == task_id else t for t in review.tasks]

        def said(review: Review) -> str:
            return message(next(t for t in review.tasks if t.id == task_id))

        return self._change_tasks(branch_id, tasks, said, extra)

    def _change_tasks(self, branch_id: str, tasks: Callable[[Review], list[Task]], message: Callable[[Review], str],
                      extra: list[Change] = ()) -> Recorded[Review] | None:
        """Apply the change to the review as on disk now: each edit builds on the last one, never a stale copy."""
        with self._tasks:
            stored = self._latest(branch_id)
            review = stored.record
            try:
                new = review.model_copy(update={"tasks": tasks(review)})
            except ValueError as e:  # a rule of schema.rectification
                raise StoreError(str(e)) from e
            if new == review:
                return None
            return self._save(stored, new, message(review), list(extra))

    def _latest(self, branch_id: str) -> Stored[Review]:
        stored = self.snapshot.review(branch_id)
        data, _ = self.archive.read_bytes(stored.path)
        return stored if data is None else self.archive.read(Review, stored.path)


__all__ = ["FollowupIntents", "Recorded", "TASK_FIELDS"]
