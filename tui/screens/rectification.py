"""F7 整改: rectification tasks across branches (all, one organisation or one branch).

Add, tick, change status, deadline, owner and evidence without leaving the list; every
change is one commit on the branch's review. Overdue tasks stand out; the line above the
list gives the completion rate of what is shown, ``r`` the rates of every organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from schema.dates import cn_date, cn_short_date, parse_date
from schema.kinds import ProblemSource, TaskStatus
from schema.records import Task
from schema.rectification import DONE, Progress, days_overdue, is_overdue, next_status, progress
from schema.worksheet import short_name
from store.service import StoreError
from tui.dialogs import Dialog
from tui.cells import fit_name
from tui.inline_edit import InlineEdit
from tui.keys import Action, register
from tui.screens.base import AppScreen

SOURCES = list(ProblemSource)


@dataclass(frozen=True)
class Row:
    branch: str
    task: Task

    @property
    def key(self) -> str:
        return f"{self.branch}:{self.task.id}"


class RectificationScreen(AppScreen):
    SCOPE = "整改"
    BINDINGS = register(
        SCOPE,
        [
            Action("rect.add", "a", "add", "新增", "为所选（或当前筛选的）党支部新增整改任务"),
            Action("rect.tick", "space", "tick", "完成", "勾选：标为已完成（再按一次回到整改中）"),
            Action("rect.status", "s", "cycle_status", "状态", "状态轮换：未开始 → 整改中 → 已完成"),
            Action("rect.signoff", "x", "sign_off", "销号", "二级党组织销号（仅已完成的任务；再按撤销销号）"),
            Action("rect.deadline", "d", "edit('deadline')", "期限", "修改整改期限"),
            Action("rect.owner", "o", "edit('owner')", "责任人", "修改责任人", show=False),
            Action("rect.measures", "m", "edit('measures')", "措施", "修改整改措施", show=False),
            Action("rect.problem", "e", "edit('problem')", "问题", "修改问题描述", show=False),
            Action("rect.evidence", "v", "edit('evidence')", "佐证", "填写佐证材料说明", show=False),
            Action("rect.source", "c", "cycle_source", "来源", "问题来源轮换：点评、测评、督查、自查、上年度", show=False),
            Action("rect.file", "f", "attach", "附件", "附加佐证文件（存入档案并记录哈希）", show=False),
            Action("rect.branch", "b", "toggle_branch", "本支部", "只看所选党支部 / 看全部"),
            Action("rect.next", "n", "next_org", "下一单位", "按二级党组织筛选：下一个", show=False),
            Action("rect.prev", "p", "prev_org", "上一单位", "按二级党组织筛选：上一个", show=False),
            Action("rect.rates", "r", "rates", "完成率", "各二级党组织的整改完成率"),
        ],
    )
    def __init__(self) -> None:
        super().__init__()
        self.org_filter: str | None = None
        self.branch_filter: str | None = None
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="scope", classes="subtitle")
        yield Static(id="rates")
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail")
        yield InlineEdit(id="editor")
        yield from self.footer()

    def on_mount(self) -> None:
        self.add_columns()
        self.refresh_data()
        self.query_one("#tasks", DataTable).focus()

    FIXED = [("branch", "党支部", 14), ("source", "来源", 4), ("owner", "责任人", 6), ("deadline", "期限", 8),
             ("status", "状态", 8)]
    fit = {"deadline": 8, "status": 8}  # widened to what the rows show (a date of another year, 逾期123天)

    def fixed(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.fit.get(key, width)) for key, label, width in self.FIXED]

    def problem_width(self) -> int:
        """The problem takes what the fixed columns leave: 20 at 80 columns (16 at the least), more in a wider window."""
        return max(16, self.app.size.width - sum(w + 2 for _, _, w in self.fixed()) - 6)

    def add_columns(self) -> None:
        table = self.query_one("#tasks", DataTable)
        fixed = self.fixed()
        for key, label, width in fixed[:1] + [("problem", "问题", self.problem_width())] + fixed[1:]:
            table.add_column(label, key=key, width=width)

    def on_resize(self) -> None:
        table = self.query_one("#tasks", DataTable)
        if "problem" in table.columns and table.columns["problem"].width != self.problem_width():
            self.rebuild_columns()

    def rebuild_columns(self) -> None:
        self.query_one("#tasks", DataTable).clear(columns=True)
        self.add_columns()
        self.refresh_data()

    # ------------------------------------------------------------------ filtering and drawing

    def cells(self, row: Row, today) -> tuple[Text, Text]:
        """The deadline and status cells of a task, red when overdue."""
        t = row.task
        deadline = Text(cn_short_date(t.deadline, today))
        status = Text(t.status.value)
        if is_overdue(t, today):
            deadline.stylize("bold red")
            status = Text(f"逾期{days_overdue(t, today)}天", style="bold red")
        elif t.status in DONE:
            status.stylize("green")
        return deadline, status

    def show_branch(self, branch_id: str) -> None:
        self.branch_filter = branch_id
        self.org_filter = self.snap.branches[branch_id].record.org
        if self.is_mounted:  # else on_mount draws with these filters
            self.refresh_data()

    def matching(self) -> list[Row]:
        snap = self.snap
        order = {o.id: n for n, o in enumerate(snap.sorted_orgs())}
        rows = []
        for branch_id, stored in snap.reviews.items():
            review = stored.record
            if self.branch_filter and branch_id != self.branch_filter:
                continue
            if self.org_filter and review.org != self.org_filter:
                continue
            rows += [Row(branch_id, t) for t in review.tasks]
        rows.sort(key=lambda r: (order.get(self.snap.branches[r.branch].record.org, 0), r.branch))
        return rows

    def refresh_data(self) -> None:
        snap = self.snap
        today = self.shuping.today()
        table = self.query_one("#tasks", DataTable)
        selected = self.current()
        self.rows = self.matching()
        cells = {row.key: self.cells(row, today) for row in self.rows}
        fit = {"deadline": max([8, *(c[0].cell_len for c in cells.values())]),
               "status": max([8, *(c[1].cell_len for c in cells.values())])}
        if fit != self.fit:
            self.fit = fit
            self.rebuild_columns()
            return
        table.clear()
        for row in self.rows:
            t = row.task
            branch = snap.branches[row.branch].record
            org_name = snap.orgs[branch.org].record.name
            deadline, status = cells[row.key]
            table.add_row(fit_name(short_name(branch.name, org_name), self.fixed()[0][2]), t.problem, t.source.value, t.owner or "—",
                          deadline, status, key=row.key)
        keys = [r.key for r in self.rows]
        if selected and selected.key in keys:
            table.move_cursor(row=keys.index(selected.key))
        self.show_scope(today)
        self.show_detail()

    def show_scope(self, today) -> None:
        snap = self.snap
        if self.branch_filter:
            where = snap.branches[self.branch_filter].record.name
        elif self.org_filter:
            where = snap.orgs[self.org_filter].record.name
        else:
            where = "全部二级党组织"
        self.query_one("#scope", Static).update(f"{where}（n/p 按单位筛选，b 只看所选支部）")
        p = progress([r.task for r in self.rows], today)
        text = Text(f"整改任务 {p.text}" if p.total else "没有整改任务（按 a 新增）")
        if p.overdue:
            text.append(f" · 逾期 {p.overdue} 项", style="bold red")
        self.query_one("#rates", Static).update(text)

    def show_detail(self) -> None:
        row = self.current()
        if row is None:
            self.query_one("#detail", Static).update("")
            return
        t = row.task
        parts = [f"{self.snap.branches[row.branch].record.name}：{t.problem}", f"措施：{t.measures or '—'}"]
        if t.evidence:
            parts.append(f"佐证：{t.evidence}")
        if t.files:
            parts.append("附件：" + "、".join(f.name for f in t.files))
        if t.signed_off:
            parts.append(f"{cn_date(t.signed_off)}由{t.signed_off_by}销号")
        self.query_one("#detail", Static).update(" · ".join(parts))

    def current(self) -> Row | None:
        table = self.query_one("#tasks", DataTable)
        if table.row_count == 0 or not self.rows:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if r.key == key), None)

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self.show_detail()

    # ------------------------------------------------------------------ changing tasks

    @property
    def followup(self):
        return self.shuping.service.followup

    def change_task(self, row: Row, field: str, value) -> None:
        self.record(self.followup.update_task, row.branch, row.task.id, field, value)

    @work(thread=True, group="save")
    def record(self, intent, *args, refused: str = "未保存") -> None:
        """Run a follow-up intent off the UI thread; it applies to the task as last saved."""
        try:
            recorded = intent(*args)
        except StoreError as e:
            self.app.call_from_thread(self.notify, str(e), title=refused, severity="error", timeout=12)
            return
        self.shuping.take_snapshot()
        if recorded:
            self.app.call_from_thread(self.notify, recorded.message, title="已保存并提交", timeout=3)

    def branch_name(self, branch_id: str) -> str:
        return self.snap.branches[branch_id].record.name

    def action_add(self) -> None:
        row = self.current()
        branch_id = self.branch_filter or (row.branch if row else None)
        if branch_id is None:
            self.notify("请先选定党支部：在反馈与约谈界面按 g，或把光标移到该支部的任务上再按 a。", severity="warning")
            return
        self.query_one("#editor", InlineEdit).ask(f"新增整改问题（{self.branch_name(branch_id)}）", "",
                                                  lambda text: self.record(self.followup.add_task, branch_id, text))

    def action_tick(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.task.status == TaskStatus.SIGNED_OFF:
            self.notify("该任务已销号；如需改动，请先按 x 撤销销号。", severity="warning")
            return
        self.change_task(row, "status", TaskStatus.IN_PROGRESS if row.task.status == TaskStatus.DONE else TaskStatus.DONE)

    def action_cycle_status(self) -> None:
        row = self.current()
        if row is None:
            return
        try:
            target = next_status(row.task.status)
        except ValueError as e:
            self.notify(str(e), severity="warning")
            return
        self.change_task(row, "status", target)

    def action_sign_off(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.task.status == TaskStatus.SIGNED_OFF:
            self.record(self.followup.undo_sign_off, row.branch, row.task.id)
        elif row.task.status != TaskStatus.DONE:
            self.notify(f"只有“已完成”的任务可以销号（现为“{row.task.status.value}”）。", severity="warning")
        else:
            self.record(self.followup.sign_off, row.branch, row.task.id)

    def action_cycle_source(self) -> None:
        row = self.current()
        if row is not None:
            self.change_task(row, "source", SOURCES[(SOURCES.index(row.task.source) + 1) % len(SOURCES)])

    def action_edit(self, field: str) -> None:
        row = self.current()
        if row is None:
            return
        label = self.followup.TASK_FIELDS[field]
        value = getattr(row.task, field)

        def done(text: str) -> None:
            text = text.strip()
            if field == "deadline":
                try:
                    self.change_task(row, field, parse_date(text))
                except ValueError as e:
                    self.notify(f"{label}：{e}", severity="error")
            else:
                self.change_task(row, field, text)

        self.query_one("#editor", InlineEdit).ask(label, "" if value is None else str(value), done)

    def action_attach(self) -> None:
        row = self.current()
        if row is None:
            return

        def done(path: str) -> None:
            if path.strip():
                self.record(self.followup.attach_evidence, row.branch, row.task.id, path.strip(), refused="未附加")

        self.query_one("#editor", InlineEdit).ask("佐证文件路径", "", done)

    # ------------------------------------------------------------------ filters

    def action_toggle_branch(self) -> None:
        if self.branch_filter:
            self.branch_filter = None
        else:
            row = self.current()
            if row is None:
                return
            self.branch_filter = row.branch
        self.refresh_data()

    def switch_org(self, step: int) -> None:
        choices: list[str | None] = [None, *(o.id for o in self.shuping.service.grading.orgs(self.snap))]
        index = choices.index(self.org_filter) if self.org_filter in choices else 0
        self.org_filter = choices[(index + step) % len(choices)]
        self.branch_filter = None
        self.refresh_data()

    def action_next_org(self) -> None:
        self.switch_org(1)

    def action_prev_org(self) -> None:
        self.switch_org(-1)

    def action_rates(self) -> None:
        self.app.push_screen(RatesScreen(rates_by_org(self.snap, self.shuping.service.grading.orgs(self.snap), self.shuping.today())))


def rates_by_org(snap, orgs, today) -> list[tuple[str, Progress]]:
    out = []
    for org in orgs:
        tasks = [t for s in snap.reviews.values() if s.record.org == org.id for t in s.record.tasks]
        out.append((org.name, progress(tasks, today)))
    return out


class RatesScreen(Dialog):
    BINDINGS = [("escape,r,q", "cancel", "关闭")]
    CLOSE_ON_NAV = True  # holds nothing: a screen key closes it on the way
    KEYS_TEXT = "Esc 关闭"

    def __init__(self, rates: list[tuple[str, Progress]]):
        super().__init__("各二级党组织整改完成率（已完成含已销号）")
        self.rates = rates

    def body(self) -> ComposeResult:
        yield DataTable(id="rates", cursor_type="none", show_cursor=False)

    def on_mount(self) -> None:
        table = self.query_one("#rates", DataTable)
        table.add_columns("二级党组织", "任务", "已完成", "已销号", "整改中", "未开始", "逾期", "完成率")
        total = Progress()
        for name, p in self.rates:
            total = total + p
            table.add_row(name, *self._cells(p))
        table.add_row("合计", *self._cells(total))

    @staticmethod
    def _cells(p: Progress) -> tuple:
        overdue = Text(str(p.overdue), style="bold red") if p.overdue else "0"
        return (p.total, p.done, p.signed_off, p.in_progress, p.not_started, overdue,
                f"{p.rate}%" if p.rate is not None else "—")
