"""F6 评定: one secondary organisation's branches, their inputs, composite, rank, suggested
and final grade, the quota for this N; saving, calibration, finalising and reopening.

The table is a worksheet: edits stay on screen until Ctrl+S saves the whole organisation
as one commit (refused, with the numbers, while 好 is over the cap or a departure from the
suggestion has no reason). The rules are in ``schema.grading``; the store enforces the freeze.
"""

from __future__ import annotations


from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from schema.grading import (
    GRADES,
    Entry,
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
from schema.records import COMPONENT_LABELS, Org, OrgYear, Review
from schema.tally import score_text
from store.archive import Stored
from store.errors import StoreError
from store.grading import GradeSet, finalise, read_org_year, reopen, save_grades
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.dialogs import ConfirmDialog, reason_dialog
from tui.screens.inline import InlineEdit

COLUMNS = [
    # key, header, width
    ("name", "党支部", 14),
    ("report", "述职", 4),
    ("rating", "测评", 7),
    ("daily", "日常", 4),
    ("inspection", "督查", 4),
    ("composite", "综合", 5),
    ("rank", "名次", 4),
    ("suggested", "建议", 5),
    ("final", "最终", 4),
    ("reason", "理由", 9),
]
FIELD_LABEL = COMPONENT_LABELS  # the editable input columns


def short_name(branch_name: str, org_name: str) -> str:
    """化学与材料学院教工第一党支部 → 教工第一党支部 (the organisation is in the header)."""
    stem = org_name.removesuffix("党委").removesuffix("党总支").removesuffix("党工委")
    return branch_name.removeprefix(stem) or branch_name


def graded_orgs(snap) -> list[Org]:
    """Organisations with at least one branch in scope (a 直属党支部 has none)."""
    out = []
    for org in snap.sorted_orgs():
        if any(snap.scope(b.id).in_scope for b in snap.org_branches(org.id)):
            out.append(org)
    return out


def _ignoring_suggestion(review: Review) -> Review:
    return review.model_copy(update={"grade": review.grade.model_copy(update={"suggested": None})})


class GradingScreen(AppScreen):
    SCOPE = "评定"
    BINDINGS = register(
        SCOPE,
        [
            Action("grading.good", "1", "set_final('好')", "好", "最终等次设为“好”"),
            Action("grading.fair", "2", "set_final('较好')", "较好", "最终等次设为“较好”"),
            Action("grading.average", "3", "set_final('一般')", "一般", "最终等次设为“一般”"),
            Action("grading.poor", "4", "set_final('差')", "差", "最终等次设为“差”"),
            Action("grading.clear", "0", "set_final('')", "清除", "清除最终等次", show=False),
            Action("grading.edit", "enter", "edit_cell", "修改", "修改光标所在格：述职、测评（无计票时）、日常、督查或理由", show=False),
            Action("grading.reason", "r", "edit_reason", "理由", "填写与建议不同的理由"),
            Action("grading.accept", "a", "accept", "按建议", "未定等次的党支部按建议填入", show=False),
            Action("grading.save", "ctrl+s", "save", "保存", "检查名额和理由，整个二级党组织的评定保存为一次提交"),
            Action("grading.calibrate", "c", "calibrate", "分布", "校准：建议与最终等次的分布对比"),
            Action("grading.finalise", "f", "finalise", "定档", "定档：冻结全部评定输入和等次（提交并打标签）"),
            Action("grading.reopen", "o", "reopen", "重开", "重新打开已定档的评定（需说明原因）", show=False),
            Action("grading.next", "n", "next_org", "下一单位", "下一个二级党组织", show=False),
            Action("grading.prev", "p", "prev_org", "上一单位", "上一个二级党组织", show=False),
            Action("grading.followup", "v", "followup", "反馈", "反馈、通报和约谈（本二级党组织）"),
            Action("grading.rollup", "u", "rollup", "汇总", "全校各二级党组织的评定汇总（只读）", show=False),
            Action("grading.history", "h", "history", "历史", "所选党支部本年度记录的修改历史", show=False),
            Action("grading.discard", "escape", "discard", "放弃", "放弃未保存的修改（连按两次 Esc）", show=False),
        ],
    )
    DEFAULT_CSS = """
    GradingScreen #grades { height: 1fr; }
    GradingScreen #message { color: $error; height: auto; padding: 0 1; display: none; }
    GradingScreen #message.-shown { display: block; }
    GradingScreen #detail, GradingScreen #dist { height: auto; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.org_id: str | None = None
        self.ids: list[str] = []
        self.read: dict[str, Stored[Review]] = {}
        self.edit: dict[str, Review] = {}
        self.order: list[Suggestion] = []
        self.org_year: Stored[OrgYear] | None = None
        self._discard_armed = False

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="org", classes="subtitle")
        yield DataTable(id="grades", cursor_type="cell", zebra_stripes=True)
        yield Static(id="detail")
        yield Static(id="dist")
        yield Static(id="message")
        yield InlineEdit(id="editor")
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#grades", DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        orgs = graded_orgs(self.snap)
        if orgs:
            self.show_org(orgs[0].id)
        else:
            self.show_header()
        table.focus()

    # ------------------------------------------------------------------ loading

    @property
    def org(self) -> Org:
        return self.snap.orgs[self.org_id].record

    @property
    def finalised(self) -> bool:
        return bool(self.org_year and self.org_year.record.grading.finalised)

    def show_org(self, org_id: str) -> None:
        snap = self.snap
        self.org_id = org_id
        self.ids = sorted(b.id for b in snap.org_branches(org_id) if snap.scope(b.id).in_scope)
        self.read = {i: snap.review(i) for i in self.ids}
        self.edit = {i: s.record for i, s in self.read.items()}
        self.org_year = read_org_year(self.shuping.archive, org_id, snap.year)
        self.set_message("")
        self.recompute()

    def refresh_data(self) -> None:
        if self.org_id is None or self.org_id not in self.snap.orgs:
            orgs = graded_orgs(self.snap)
            if orgs:
                self.show_org(orgs[0].id)
            return
        ids = sorted(b.id for b in self.snap.org_branches(self.org_id) if self.snap.scope(b.id).in_scope)
        if ids != self.ids and not self.dirty_ids():
            self.show_org(self.org_id)
            return
        for i in self.ids:
            fresh = self.snap.review(i)
            if fresh.version != self.read[i].version and i not in self.dirty_ids():
                self.read[i] = fresh
                self.edit[i] = fresh.record
        self.org_year = read_org_year(self.shuping.archive, self.org_id, self.snap.year)
        self.recompute()

    def dirty_ids(self) -> list[str]:
        """Rows the user changed and has not saved (the computed suggestion aside)."""
        return [i for i in self.ids if _ignoring_suggestion(self.edit[i]) != _ignoring_suggestion(self.read[i].record)]

    # ------------------------------------------------------------------ computing and drawing

    def recompute(self) -> None:
        campaign = self.snap.campaign
        entries = [Entry.of(self.edit[i]) for i in self.ids]
        self.order = suggest(entries, campaign.grading, campaign.quota, n=len(self.ids))
        if not self.finalised:
            for s in self.order:
                review = self.edit[s.branch]
                if review.grade.suggested != s.suggested:
                    self.edit[s.branch] = review.model_copy(
                        update={"grade": review.grade.model_copy(update={"suggested": s.suggested})}
                    )
        self.render_table()

    def render_table(self) -> None:
        table = self.query_one("#grades", DataTable)
        current = self.current_id()
        column = table.cursor_column
        table.clear()
        names = self.names()
        for s in self.order:
            review = self.edit[s.branch]
            inputs = inputs_of(review)
            g = review.grade
            final = Text(g.final.value if g.final else "·")
            if needs_reason(g.suggested, g.final, g.reason):
                final.stylize("bold red")
            elif departs(g.suggested, g.final):
                final.stylize("bold yellow")
            suggested = Text((s.suggested.value if s.suggested else "—") + ("↓" if s.note else ""))
            rating = score_text(inputs["rating"]) + ("" if rating_from_tally(review) or inputs["rating"] is None else "*")
            table.add_row(
                short_name(names[s.branch], self.org.name),
                _num(inputs["report"]),
                rating,
                _num(inputs["daily"]),
                _num(inputs["inspection"]),
                score_text(s.composite),
                "—" if s.rank is None else str(s.rank),
                suggested,
                final,
                g.reason,
                key=s.branch,
            )
        if current in self.ids:
            table.move_cursor(row=[s.branch for s in self.order].index(current), column=column)
        self.show_header()
        self.show_detail()

    def names(self) -> dict[str, str]:
        return {i: self.snap.branches[i].record.name for i in self.ids}

    def show_header(self) -> None:
        if self.org_id is None:
            self.query_one("#org", Static).update("没有纳入考核的党支部。")
            return
        cap = cap_for(len(self.ids), self.snap.campaign.quota)
        fin = self.org_year.record.grading if self.org_year else None
        state = f" · [b]{finalised_text(fin)}[/b]" if fin and fin.finalised else ""
        self.query_one("#org", Static).update(
            f"{self.org.name} · 纳入 {len(self.ids)} 个 · {cap.label}{state}"
        )
        suggested = distribution([s.suggested for s in self.order])
        finals = distribution([self.edit[i].grade.final for i in self.ids])
        open_ = sum(1 for i in self.ids if self.edit[i].grade.final is None)
        dirty = len(self.dirty_ids())
        over = finals[Grade.GOOD] > cap.cap
        text = Text(f"建议 {distribution_text(suggested)} → 最终 {distribution_text(finals)}")
        if open_:
            text.append(f" · 未定 {open_}")
        if over:
            text.append(f" · {cap.over_message(finals[Grade.GOOD])}", style="bold red")
        if dirty:
            text.append(f" · 未保存 {dirty} 处（Ctrl+S）", style="yellow")
        self.query_one("#dist", Static).update(text)

    def show_detail(self) -> None:
        branch_id = self.current_id()
        if branch_id is None:
            self.query_one("#detail", Static).update("")
            return
        branch = self.snap.branches[branch_id].record
        review = self.edit[branch_id]
        s = next(x for x in self.order if x.branch == branch_id)
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
        self.query_one("#detail", Static).update(" · ".join(parts))

    def set_message(self, text: str) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(bool(text), "-shown")

    def current_id(self) -> str | None:
        table = self.query_one("#grades", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def current_column(self) -> str:
        table = self.query_one("#grades", DataTable)
        return COLUMNS[table.cursor_column][0]

    def on_data_table_cell_highlighted(self, _: DataTable.CellHighlighted) -> None:
        self.show_detail()

    def on_data_table_cell_selected(self, _: DataTable.CellSelected) -> None:
        self.action_edit_cell()

    # ------------------------------------------------------------------ editing

    def refuse_if_frozen(self, parts: list[str]) -> bool:
        if not self.finalised:
            return False
        message = frozen_message(self.org.name, self.org_year.record.grading, parts)
        self.set_message(message)
        self.notify(message, title="已定档", severity="error", timeout=10)
        return True

    def update_row(self, branch_id: str, **changes) -> None:
        self._discard_armed = False
        self.edit[branch_id] = self.edit[branch_id].model_copy(update=changes)
        self.set_message("")
        self.recompute()

    def action_set_final(self, grade: str) -> None:
        branch_id = self.current_id()
        if branch_id is None or self.refuse_if_frozen(["等次"]):
            return
        review = self.edit[branch_id]
        final = Grade(grade) if grade else None
        self.update_row(branch_id, grade=review.grade.model_copy(update={"final": final}))
        if departs(review.grade.suggested, final) and not review.grade.reason:
            self.notify("与建议不同，请按 r 填写理由。", severity="warning")

    def action_accept(self) -> None:
        if self.org_id is None or self.refuse_if_frozen(["等次"]):
            return
        for s in self.order:
            review = self.edit[s.branch]
            if review.grade.final is None and s.suggested is not None:
                self.edit[s.branch] = review.model_copy(update={"grade": review.grade.model_copy(update={"final": s.suggested})})
        self.recompute()

    def action_edit_cell(self) -> None:
        branch_id = self.current_id()
        if branch_id is None:
            return
        column = self.current_column()
        if column == "reason":
            self.action_edit_reason()
            return
        if column == "final":
            self.notify("按 1 好、2 较好、3 一般、4 差 设定最终等次，0 清除。")
            return
        if column not in FIELD_LABEL:
            self.notify("这一列由计算得出；可修改的是述职、测评、日常、督查和理由。")
            return
        review = self.edit[branch_id]
        if column == "rating" and rating_from_tally(review):
            self.notify("测评结果来自评议会公布的计票结果（F5 评议会），这里不能修改。", severity="warning")
            return
        if self.refuse_if_frozen(["评定输入"]):
            return
        value = getattr(review.components, column)
        label = FIELD_LABEL[column]
        self.query_one("#editor", InlineEdit).ask(
            f"{label}（0–100 或 好/较好/一般/差，空为未填）", "" if value is None else f"{value:g}",
            lambda text: self._apply_component(branch_id, column, label, text),
        )

    def _apply_component(self, branch_id: str, field: str, label: str, text: str) -> None:
        try:
            value = None if not text.strip() else grade_score(text, self.snap.campaign.scoring)
        except ValueError as e:
            self.notify(f"{label}：{e}", severity="error")
            return
        review = self.edit[branch_id]
        self.update_row(branch_id, components=review.components.model_copy(update={field: value}))

    def action_edit_reason(self) -> None:
        branch_id = self.current_id()
        if branch_id is None or self.refuse_if_frozen(["等次"]):
            return
        review = self.edit[branch_id]
        self.query_one("#editor", InlineEdit).ask(
            "理由", review.grade.reason,
            lambda text: self.update_row(branch_id, grade=self.edit[branch_id].grade.model_copy(update={"reason": text.strip()})),
        )

    # ------------------------------------------------------------------ saving

    def grade_set(self) -> GradeSet:
        return GradeSet(self.org, self.snap.year, [(self.read[i], self.edit[i]) for i in self.ids], self.names())

    def action_save(self) -> None:
        if self.org_id is None:
            return
        if all(self.read[i].version is not None and self.read[i].record == self.edit[i] for i in self.ids):
            self.notify("没有修改。")
            return
        self.save_worker(self.grade_set())

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, grades: GradeSet) -> None:
        try:
            saved = save_grades(self.shuping.archive, grades, self.snap.campaign)
        except StoreError as e:
            self.app.call_from_thread(self._refused, f"未保存：{e}")
            return
        self.app.call_from_thread(self._saved, grades.org.id, saved)

    def _refused(self, message: str) -> None:
        self.set_message(message)
        self.notify(message, title="未保存", severity="error", timeout=12)

    def _saved(self, org_id: str, saved: list[Stored[Review]]) -> None:
        self.shuping.absorb(*saved)
        for stored in saved:
            if org_id == self.org_id:
                self.read[stored.record.branch] = stored
        self.set_message("")
        self.notify(f"{self.snap.orgs[org_id].record.name}的评定已保存", title="已保存并提交")
        self.shuping.absorb(saved[0])

    # ------------------------------------------------------------------ finalise and reopen

    def action_finalise(self) -> None:
        if self.org_id is None:
            return
        if self.finalised:
            self.notify("已经定档。如需修改，按 o 重新打开并说明原因。")
            return
        if any(self.read[i].version is None or self.read[i].record != self.edit[i] for i in self.ids):
            self._refused("未定档：还有未保存的修改，请先按 Ctrl+S 保存")
            return
        finals = distribution([self.edit[i].grade.final for i in self.ids])
        text = (f"{self.org.name}：{distribution_text(finals)}。\n"
                "定档后，全部评定输入、计票结果和等次都将冻结（提交并打 git 标签）；重新打开需说明原因。")
        self.app.push_screen(ConfirmDialog("定档", text), lambda yes: yes and self.finalise_worker(self.grade_set()))

    @work(thread=True, exclusive=True, group="save")
    def finalise_worker(self, grades: GradeSet) -> None:
        try:
            org_year = finalise(self.shuping.archive, grades, self.snap.campaign, self.shuping.now())
        except StoreError as e:
            self.app.call_from_thread(self._refused, f"未定档：{e}")
            return
        message = f"{self.org.name}{finalised_text(org_year.record.grading)}"
        self.app.call_from_thread(self._org_year_saved, org_year, message)

    def _org_year_saved(self, org_year: Stored[OrgYear], message: str) -> None:
        self.org_year = org_year
        self.set_message("")
        self.notify(message, title="已提交")
        self.recompute()

    def action_reopen(self) -> None:
        if self.org_id is None:
            return
        if not self.finalised:
            self.notify("评定没有定档，可以直接修改。")
            return
        self.app.push_screen(
            reason_dialog("重新打开评定", f"{self.org.name}：重新打开后可修改评定输入和等次，原因会写入记录和历史。"),
            lambda reason: reason and self.reopen_worker(reason),
        )

    @work(thread=True, exclusive=True, group="save")
    def reopen_worker(self, reason: str) -> None:
        try:
            org_year = reopen(self.shuping.archive, self.org, self.snap.year, reason, self.shuping.now())
        except StoreError as e:
            self.app.call_from_thread(self._refused, str(e))
            return
        self.app.call_from_thread(self._org_year_saved, org_year, "已重新打开评定")

    # ------------------------------------------------------------------ navigation

    def switch_org(self, step: int) -> None:
        orgs = [o.id for o in graded_orgs(self.snap)]
        if not orgs:
            return
        if self.dirty_ids():
            self._refused("有未保存的修改：请先按 Ctrl+S 保存，或连按两次 Esc 放弃，再换单位")
            return
        index = orgs.index(self.org_id) if self.org_id in orgs else -step
        self.show_org(orgs[(index + step) % len(orgs)])

    def action_discard(self) -> None:
        if self.org_id is None or not self.dirty_ids():
            return
        if not self._discard_armed:
            self._discard_armed = True
            self.notify(f"有 {len(self.dirty_ids())} 处未保存的修改：再按一次 Esc 放弃，或按 Ctrl+S 保存。", severity="warning")
            return
        self._discard_armed = False
        self.show_org(self.org_id)
        self.notify("已放弃未保存的修改。")

    def action_next_org(self) -> None:
        self.switch_org(1)

    def action_prev_org(self) -> None:
        self.switch_org(-1)

    def action_calibrate(self) -> None:
        if self.org_id is None:
            return
        self.app.push_screen(CalibrationScreen(self))

    def action_followup(self) -> None:
        from tui.screens.followup import FollowupScreen

        if self.org_id:
            self.app.push_screen(FollowupScreen(self.org_id))

    def action_rollup(self) -> None:
        self.app.push_screen(GradingRollupScreen())

    def action_history(self) -> None:
        from tui.screens.history import HistoryScreen

        branch_id = self.current_id()
        if branch_id:
            self.app.push_screen(HistoryScreen(self.read[branch_id].path, self.snap.branches[branch_id].record.name))


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


class CalibrationScreen(ModalScreen):
    """The distribution of grades: suggested, final on screen, last saved; and each departure."""

    BINDINGS = [("escape,c,q", "close", "关闭")]
    CLOSE_ON_NAV = True  # holds nothing: a screen key closes it on the way
    DEFAULT_CSS = """
    CalibrationScreen { align: center middle; }
    CalibrationScreen > Vertical { width: 76; height: auto; max-height: 22; border: thick $accent; background: $panel; padding: 0 1; }
    CalibrationScreen #dist { height: auto; }
    """

    def __init__(self, grading: GradingScreen):
        super().__init__()
        self.grading = grading

    def compose(self) -> ComposeResult:
        g = self.grading
        cap = cap_for(len(g.ids), g.snap.campaign.quota)
        with Vertical():
            yield Static(f"校准 · {g.org.name}", classes="title")
            yield Static(f"纳入 {len(g.ids)} 个 · {cap.label}")
            yield DataTable(id="dist", cursor_type="none", show_cursor=False)
            departures = []
            for s in g.order:
                review = g.edit[s.branch]
                if departs(review.grade.suggested, review.grade.final):
                    departures.append(
                        f"{g.snap.branches[s.branch].record.name}：建议 {review.grade.suggested.value} → "
                        f"最终 {review.grade.final.value}（{review.grade.reason or '缺理由'}）"
                    )
            yield Static("与建议不同：\n" + "\n".join(departures) if departures else "最终等次与建议一致。", id="departures")
            yield Static("Esc 关闭", classes="status")

    def on_mount(self) -> None:
        g = self.grading
        before = distribution([s.suggested for s in g.order])
        after = distribution([g.edit[i].grade.final for i in g.ids])
        saved = distribution([g.read[i].record.grade.final for i in g.ids])
        table = self.query_one("#dist", DataTable)
        table.styles.height = "auto"  # the app's stylesheet gives every DataTable 1fr
        table.add_columns("等次", "建议（调整前）", "最终（调整后）", "已保存", "变化")
        for grade in GRADES:
            change = after[grade] - before[grade]
            table.add_row(grade.value, before[grade], after[grade], saved[grade], f"{change:+d}" if change else "")
        open_ = sum(1 for i in g.ids if g.edit[i].grade.final is None)
        table.add_row("未定", "", open_, sum(1 for i in g.ids if g.read[i].record.grade.final is None), "")

    def action_close(self) -> None:
        self.dismiss()


class GradingRollupScreen(AppScreen):
    """Read-only: every organisation's final grades, the cap and whether it is finalised."""

    SCOPE = "评定汇总"
    BINDINGS = register(SCOPE, [Action("rollup.back", "escape", "back", "返回", "返回评定")])

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static("全校各二级党组织评定结果（只读；按已保存的记录）", classes="subtitle")
        yield DataTable(id="rollup", cursor_type="row", zebra_stripes=True)
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#rollup", DataTable)
        table.add_columns("二级党组织", "纳入", "上限", "好", "较好", "一般", "差", "未定", "状态")
        self.refresh_data()
        table.focus()

    def refresh_data(self) -> None:
        snap = self.snap
        table = self.query_one("#rollup", DataTable)
        table.clear()
        totals = [0] * 7
        for org in graded_orgs(snap):
            ids = [b.id for b in snap.org_branches(org.id) if snap.scope(b.id).in_scope]
            finals = distribution([snap.review(i).record.grade.final for i in ids])
            open_ = sum(1 for i in ids if snap.review(i).record.grade.final is None)
            cap = cap_for(len(ids), snap.campaign.quota).cap
            fin = read_org_year(self.shuping.archive, org.id, snap.year).record.grading
            if finals[Grade.GOOD] > cap:
                state = Text("超出名额", style="bold red")
            elif fin.finalised:
                state = Text("已定档")
            else:
                state = Text("待定档" if open_ == 0 else "评定中" if open_ < len(ids) else "未评定", style="dim")
            row = [len(ids), cap, *(finals[g] for g in GRADES), open_]
            totals = [a + b for a, b in zip(totals, row)]
            table.add_row(org.name, *row, state, key=org.id)
        table.add_row("合计", *totals, "", key="__total__")

    def action_back(self) -> None:
        self.app.pop_screen()
