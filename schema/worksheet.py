"""The grading worksheet (F6): one organisation's reviews as the committee edits them before
saving — the edits, the suggestions they give, the quota, what is unsaved, what the screen
says about it. No Textual and no I/O: the screen draws it and forwards keys, the store's
intents build one from the snapshot and save what it holds.

Every edit method returns a ``Notice`` for the user (or None); a refusal also sets
``message``, the line under the table, which the next successful edit clears.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schema.grading import (
    GRADES,
    Cap,
    Entry,
    FinalRow,
    Suggestion,
    cap_for,
    departs,
    distribution,
    distribution_text,
    finalised_text,
    frozen_message,
    grade_score,
    inputs_of,
    needs_reason,
    rating_from_tally,
    suggest,
)
from schema.kinds import Grade
from schema.records import COMPONENT_LABELS, Branch, Campaign, Finalisation, Org, Review
from schema.tally import score_text

# the worksheet's columns by id, in order; the inputs (COMPONENT_LABELS) and the reason are edited
COLUMNS = ("name", "report", "rating", "daily", "inspection", "composite", "rank", "suggested", "final", "reason")
MISSING_REASON, DEPARTS = "missing-reason", "departs"  # how a final grade is flagged


@dataclass(frozen=True)
class Notice:
    """What to tell the user after a key: a notification (and, for refusals, the message line)."""

    text: str
    severity: str = "information"  # information | warning | error
    title: str = ""
    timeout: float | None = None


@dataclass(frozen=True)
class Prompt:
    """A value to ask for in the one-line editor: ``field`` is an input id or ``reason``."""

    branch: str
    field: str
    label: str
    text: str
    value: str


@dataclass(frozen=True)
class SheetRow:
    """One line of the table, as text; ``flag`` marks a final grade that departs from the suggestion."""

    branch: str
    name: str
    report: str
    rating: str
    daily: str
    inspection: str
    composite: str
    rank: str
    suggested: str
    final: str
    reason: str
    flag: str = ""


def short_name(branch_name: str, org_name: str) -> str:
    """化学与材料学院教工第一党支部 → 教工第一党支部 (the organisation is in the header)."""
    stem = org_name.removesuffix("党委").removesuffix("党总支").removesuffix("党工委")
    return branch_name.removeprefix(stem) or branch_name


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _without_suggestion(review: Review) -> Review:
    return review.model_copy(update={"grade": review.grade.model_copy(update={"suggested": None})})


@dataclass(eq=False)
class GradingWorksheet:
    org: Org
    year: int
    campaign: Campaign
    branches: dict[str, Branch]  # the organisation's in-scope branches, by id
    read: dict[str, Review]  # each branch's review as saved (a new one when no file is there)
    versions: dict[str, str | None]  # the saved files' versions as read; None: no file yet
    finalisation: Finalisation = field(default_factory=Finalisation)
    edit: dict[str, Review] = field(init=False)
    order: list[Suggestion] = field(init=False)  # rank order, with the suggested grades
    message: str = ""  # why the last action was refused, shown under the table
    discard_armed: bool = False

    def __post_init__(self) -> None:
        self.edit = dict(self.read)
        self.recompute()

    # ------------------------------------------------------------------ reading

    @property
    def ids(self) -> list[str]:
        return sorted(self.branches)

    @property
    def finalised(self) -> bool:
        return self.finalisation.finalised

    @property
    def cap(self) -> Cap:
        return cap_for(len(self.branches), self.campaign.quota)

    def name(self, branch_id: str) -> str:
        return self.branches[branch_id].name

    def suggestion(self, branch_id: str) -> Suggestion:
        return next(s for s in self.order if s.branch == branch_id)

    def dirty_ids(self) -> list[str]:
        """Rows the user changed and has not saved (the computed suggestion aside)."""
        return [i for i in self.ids if _without_suggestion(self.edit[i]) != _without_suggestion(self.read[i])]

    def unsaved(self) -> bool:
        """Whether saving would write anything: an edit, a new suggestion, a review not on file yet."""
        return any(self.versions.get(i) is None or self.read[i] != self.edit[i] for i in self.ids)

    def reviews(self) -> list[Review]:
        """The edited reviews, in branch id order: what saving writes."""
        return [self.edit[i] for i in self.ids]

    def final_rows(self) -> list[FinalRow]:
        return [FinalRow(i, self.name(i), self.edit[i].grade.suggested, self.edit[i].grade.final, self.edit[i].grade.reason)
                for i in self.ids]

    # ------------------------------------------------------------------ computing

    def recompute(self) -> None:
        """Rank and suggest from the edited inputs; while not finalised the suggestions go into the rows."""
        grading = self.campaign.grading
        self.order = suggest([Entry.of(self.edit[i]) for i in self.ids], grading, self.campaign.quota, n=len(self.ids))
        if self.finalised:
            return
        for s in self.order:
            review = self.edit[s.branch]
            if review.grade.suggested != s.suggested:
                self.edit[s.branch] = review.model_copy(
                    update={"grade": review.grade.model_copy(update={"suggested": s.suggested})})

    def absorb(self, fresh: GradingWorksheet) -> GradingWorksheet:
        """The worksheet after the archive changed (``fresh`` is built from the new snapshot):
        saved rows and rows nobody edited here follow it; edits not saved stay."""
        dirty = set(self.dirty_ids())
        if fresh.org.id != self.org.id or (fresh.ids != self.ids and not dirty):
            return fresh
        for i in self.ids:
            if i not in fresh.read or fresh.versions.get(i) == self.versions.get(i):
                continue
            saved_here = _without_suggestion(fresh.read[i]) == _without_suggestion(self.edit[i])
            if i not in dirty or saved_here:
                self.read[i], self.versions[i] = fresh.read[i], fresh.versions.get(i)
                if i not in dirty:
                    self.edit[i] = fresh.read[i]
        self.org, self.campaign = fresh.org, fresh.campaign
        self.branches = {i: fresh.branches.get(i, b) for i, b in self.branches.items()}
        self.finalisation = fresh.finalisation
        self.recompute()
        return self

    # ------------------------------------------------------------------ what the screen shows

    def rows(self) -> list[SheetRow]:
        out = []
        for s in self.order:
            review = self.edit[s.branch]
            inputs = inputs_of(review)
            g = review.grade
            flag = MISSING_REASON if needs_reason(g.suggested, g.final, g.reason) else DEPARTS if departs(g.suggested, g.final) else ""
            keyed = "" if rating_from_tally(review) or inputs["rating"] is None else "*"  # keyed by hand
            out.append(SheetRow(
                s.branch, short_name(self.name(s.branch), self.org.name),
                _num(inputs["report"]), score_text(inputs["rating"]) + keyed, _num(inputs["daily"]), _num(inputs["inspection"]),
                score_text(s.composite), "—" if s.rank is None else str(s.rank),
                (s.suggested.value if s.suggested else "—") + ("↓" if s.note else ""),
                g.final.value if g.final else "·", g.reason, flag,
            ))
        return out

    def header(self) -> tuple[str, str]:
        """The organisation, N and the cap; and its finalisation, if it is finalised."""
        state = finalised_text(self.finalisation) if self.finalised else ""
        return f"{self.org.name} · 纳入 {len(self.ids)} 个 · {self.cap.label}", state

    def summary(self) -> list[tuple[str, str]]:
        """The distribution line as (text, style) parts: style "", "error" or "warning"."""
        cap = self.cap
        suggested = distribution([s.suggested for s in self.order])
        finals = distribution([self.edit[i].grade.final for i in self.ids])
        parts = [(f"建议 {distribution_text(suggested)} → 最终 {distribution_text(finals)}", "")]
        open_ = sum(1 for i in self.ids if self.edit[i].grade.final is None)
        if open_:
            parts.append((f" · 未定 {open_}", ""))
        if finals[Grade.GOOD] > cap.cap:
            parts.append((f" · {cap.over_message(finals[Grade.GOOD])}", "error"))
        dirty = len(self.dirty_ids())
        if dirty:
            parts.append((f" · 未保存 {dirty} 处（Ctrl+S）", "warning"))
        return parts

    def detail(self, branch_id: str) -> str:
        """The selected branch: its secretary, how its rating was counted, what is missing, why."""
        branch = self.branches[branch_id]
        review = self.edit[branch_id]
        s = self.suggestion(branch_id)
        parts = [f"{branch.name}（{branch.secretary or '书记未填'}）"]
        if rating_from_tally(review):  # how the score was counted, as published: the figures behind it
            t = review.tally
            groups = "、".join(f"{g} {score_text(v)}" for g, v in (t.group_scores or {}).items())
            parts.append(f"测评 {score_text(t.score)}：{t.method or '会议计票'}{f'，各类 {groups}' if groups else ''}，有效 {t.valid} 票")
        elif review.components.rating is not None:
            parts.append("测评：手工录入*")
        missing = [COMPONENT_LABELS[key] for key, value in inputs_of(review).items() if value is None]
        if missing and s.composite is not None:
            parts.append(f"缺{'、'.join(missing)}（按其余权重折算）")
        if s.note:
            parts.append(f"建议由“好”改为“较好”：{s.note}")
        if review.grade.reason:
            parts.append(f"理由：{review.grade.reason}")
        return " · ".join(parts)

    def calibration(self) -> list[tuple[str, int | str, int | str, int | str, str]]:
        """Per grade: suggested (before the committee), final on screen, last saved, the change; then 未定."""
        before = distribution([s.suggested for s in self.order])
        after = distribution([self.edit[i].grade.final for i in self.ids])
        saved = distribution([self.read[i].grade.final for i in self.ids])
        rows: list[tuple[str, int | str, int | str, int | str, str]] = []
        for grade in GRADES:
            change = after[grade] - before[grade]
            rows.append((grade.value, before[grade], after[grade], saved[grade], f"{change:+d}" if change else ""))
        open_now = sum(1 for i in self.ids if self.edit[i].grade.final is None)
        open_saved = sum(1 for i in self.ids if self.read[i].grade.final is None)
        rows.append(("未定", "", open_now, open_saved, ""))
        return rows

    def departures(self) -> list[str]:
        out = []
        for s in self.order:
            g = self.edit[s.branch].grade
            if departs(g.suggested, g.final):
                out.append(f"{self.name(s.branch)}：建议 {g.suggested.value} → 最终 {g.final.value}（{g.reason or '缺理由'}）")
        return out

    # ------------------------------------------------------------------ editing

    def refuse(self, text: str, title: str = "未保存", timeout: float = 12) -> Notice:
        self.message = text
        return Notice(text, "error", title, timeout)

    def frozen(self, parts: list[str]) -> Notice | None:
        """The refusal of an edit to what finalising froze, or None while not finalised."""
        if not self.finalised:
            return None
        return self.refuse(frozen_message(self.org.name, self.finalisation, parts), "已定档", 10)

    def _update(self, branch_id: str, **changes) -> None:
        self.discard_armed = False
        self.edit[branch_id] = self.edit[branch_id].model_copy(update=changes)
        self.message = ""
        self.recompute()

    def set_final(self, branch_id: str, grade: Grade | None) -> Notice | None:
        refused = self.frozen(["等次"])
        if refused:
            return refused
        review = self.edit[branch_id]
        self._update(branch_id, grade=review.grade.model_copy(update={"final": grade}))
        if departs(review.grade.suggested, grade) and not review.grade.reason:
            return Notice("与建议不同，请按 r 填写理由。", "warning")
        return None

    def accept(self) -> Notice | None:
        """Every branch without a final grade takes its suggestion."""
        refused = self.frozen(["等次"])
        if refused:
            return refused
        for s in self.order:
            review = self.edit[s.branch]
            if review.grade.final is None and s.suggested is not None:
                self.edit[s.branch] = review.model_copy(update={"grade": review.grade.model_copy(update={"final": s.suggested})})
        self.recompute()
        return None

    def edit_cell(self, branch_id: str, column: str) -> Prompt | Notice | None:
        """What Enter on a cell asks for, or why that cell is not edited there."""
        if column == "reason":
            return self.reason_prompt(branch_id)
        if column == "final":
            return Notice("按 1 好、2 较好、3 一般、4 差 设定最终等次，0 清除。")
        if column not in COMPONENT_LABELS:
            return Notice("这一列由计算得出；可修改的是述职、测评、日常、督查和理由。")
        review = self.edit[branch_id]
        if column == "rating" and rating_from_tally(review):
            return Notice("测评结果来自评议会公布的计票结果（F5 评议会），这里不能修改。", "warning")
        refused = self.frozen(["评定输入"])
        if refused:
            return refused
        value = getattr(review.components, column)
        label = COMPONENT_LABELS[column]
        return Prompt(branch_id, column, label, f"{label}（0–100 或 好/较好/一般/差，空为未填）",
                      "" if value is None else f"{value:g}")

    def reason_prompt(self, branch_id: str) -> Prompt | Notice:
        return self.frozen(["等次"]) or Prompt(branch_id, "reason", "理由", "理由", self.edit[branch_id].grade.reason)

    def answer(self, prompt: Prompt, text: str) -> Notice | None:
        """The editor's answer to ``prompt``: an input's score (or grade word), or the reason."""
        review = self.edit[prompt.branch]
        if prompt.field == "reason":
            self._update(prompt.branch, grade=review.grade.model_copy(update={"reason": text.strip()}))
            return None
        try:
            value = None if not text.strip() else grade_score(text, self.campaign.scoring)
        except ValueError as e:
            return Notice(f"{prompt.label}：{e}", "error")
        self._update(prompt.branch, components=review.components.model_copy(update={prompt.field: value}))
        return None

    # ------------------------------------------------------------------ saving, finalising, leaving

    def save_check(self) -> Notice | None:
        """Why Ctrl+S has nothing to do, or None to save."""
        return None if self.unsaved() else Notice("没有修改。")

    def finalise_question(self) -> str | Notice:
        """The confirmation to ask before finalising, or why not now."""
        if self.finalised:
            return Notice("已经定档。如需修改，按 o 重新打开并说明原因。")
        if self.unsaved():
            return self.refuse("未定档：还有未保存的修改，请先按 Ctrl+S 保存")
        finals = distribution([self.edit[i].grade.final for i in self.ids])
        return (f"{self.org.name}：{distribution_text(finals)}。\n"
                "定档后，全部评定输入、计票结果和等次都将冻结（提交并打 git 标签）；重新打开需说明原因。")

    def reopen_question(self) -> str | Notice:
        if not self.finalised:
            return Notice("评定没有定档，可以直接修改。")
        return f"{self.org.name}：重新打开后可修改评定输入和等次，原因会写入记录和历史。"

    def leave(self) -> Notice | None:
        """Why the screen may not move to another organisation yet."""
        if self.dirty_ids():
            return self.refuse("有未保存的修改：请先按 Ctrl+S 保存，或连按两次 Esc 放弃，再换单位")
        return None

    def discard(self) -> Notice | None:
        """Esc twice drops the unsaved edits."""
        dirty = len(self.dirty_ids())
        if not dirty:
            return None
        if not self.discard_armed:
            self.discard_armed = True
            return Notice(f"有 {dirty} 处未保存的修改：再按一次 Esc 放弃，或按 Ctrl+S 保存。", "warning")
        self.discard_armed = False
        self.edit = dict(self.read)
        self.message = ""
        self.recompute()
        return Notice("已放弃未保存的修改。")


__all__ = ["COLUMNS", "DEPARTS", "MISSING_REASON", "GradingWorksheet", "Notice", "Prompt", "SheetRow", "short_name"]
