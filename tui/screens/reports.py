"""F4 述职报告: one organisation's reports, what waits for whom and for how long."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Select, Static

from schema.kinds import ReportStatus
from schema.report import days_waiting, waiting_for
from store.service import StoreError
from tui.dialogs import export_dialog
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.screens.facts import edit_facts
from tui.screens.history import HistoryScreen
from tui.screens.report_editor import ReportEditorScreen

# most urgent first: the reviewer's queue, then what the writers hold, then what is done
URGENCY = [ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.DRAFT, ReportStatus.APPROVED, ReportStatus.ARCHIVED]
COLUMNS = ("党支部", "书记", "状态", "等待", "天数", "字数")


class ReportQueueScreen(AppScreen):
    SCOPE = "述职报告"
    BINDINGS = register(
        SCOPE,
        [
            Action("reports.open", "enter", "open_report", "打开", "撰写、审阅所选党支部的述职报告"),
            Action("reports.facts", "f", "facts", "支部数据", "录入、修改所选党支部本年度的数据"),
            Action("reports.org", "o", "focus_org", "单位", "选择二级党组织"),
            Action("reports.history", "h", "history", "历史", "所选报告的修改和流转历史"),
            Action("reports.export", "x", "export", "导出", "把本单位已撰写的述职报告导出为一个 .docx 或 .md 文件"),
        ],
    )

    def __init__(self) -> None:
        super().__init__()
        self.org_id: str | None = None
        self.row_ids: list[str] = []

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        orgs = self.orgs_with_reports()
        self.org_id = self.first_with_work(orgs)
        yield Select([(o.name, o.id) for o in orgs], prompt="选择二级党组织", id="org", allow_blank=not orgs,
                     value=self.org_id or Select.NULL)
        yield Static(id="summary", classes="subtitle")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#queue", DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        self.refresh_data()
        table.focus()

    def orgs_with_reports(self):
        snap = self.snap
        return [o for o in snap.sorted_orgs() if any(snap.scope(b.id).in_scope for b in snap.org_branches(o.id))]

    def first_with_work(self, orgs) -> str | None:
        """Where the queue opens: the first organisation with a report not yet approved, else the first."""
        snap = self.snap
        done = (ReportStatus.APPROVED, ReportStatus.ARCHIVED)
        for org in orgs:
            if any(snap.scope(b.id).in_scope and snap.review(b.id).record.report.status not in done
                   for b in snap.org_branches(org.id)):
                return org.id
        return orgs[0].id if orgs else None

    def refresh_data(self) -> None:
        orgs = self.orgs_with_reports()
        select = self.query_one("#org", Select)
        with self.prevent(Select.Changed):
            select.set_options([(o.name, o.id) for o in orgs])
            if self.org_id not in [o.id for o in orgs]:
                self.org_id = self.first_with_work(orgs)
            if self.org_id:
                select.value = self.org_id
        self.fill_table()

    def fill_table(self) -> None:
        snap = self.snap
        table = self.query_one("#queue", DataTable)
        selected = self.selected_id()
        table.clear()
        self.row_ids = []
        if self.org_id is None:
            self.query_one("#summary", Static).update("没有纳入述职评议考核的党支部。")
            return
        today = self.shuping.today()
        rows = []
        counts: dict[str, int] = {}
        for branch in snap.org_branches(self.org_id):
            if not snap.scope(branch.id).in_scope:
                continue
            part = snap.review(branch.id).record.report
            waiting = waiting_for(part)
            days = None if part.status == ReportStatus.ARCHIVED else days_waiting(part, today)
            label = "未开始" if waiting == "未开始" else part.status.value
            counts[label] = counts.get(label, 0) + 1
            cells = (branch.name, branch.secretary, label, waiting, "—" if days is None else str(days),
                     "—" if part.words is None else str(part.words))
            rows.append(((URGENCY.index(part.status), -(days or 0), branch.id), branch.id, cells))
        rows.sort(key=lambda r: r[0])
        for _, branch_id, cells in rows:
            table.add_row(*cells, key=branch_id)
            self.row_ids.append(branch_id)
        if selected in self.row_ids:
            table.move_cursor(row=self.row_ids.index(selected))
        order = [s.value for s in URGENCY] + ["未开始"]
        parts = [f"{name} {counts[name]}" for name in order if counts.get(name)]
        self.query_one("#summary", Static).update(f"{len(rows)} 篇：" + " · ".join(parts))

    def selected_id(self) -> str | None:
        table = self.query_one("#queue", DataTable)
        if not self.row_ids or table.cursor_row is None or table.cursor_row >= len(self.row_ids):
            return None
        return self.row_ids[table.cursor_row]

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.value != self.org_id:
            self.org_id = str(event.value)
            self.fill_table()
            self.query_one("#queue", DataTable).focus()

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_open_report()

    def action_open_report(self) -> None:
        branch_id = self.selected_id()
        if branch_id:
            self.app.push_screen(ReportEditorScreen(branch_id))

    def action_focus_org(self) -> None:
        self.query_one("#org", Select).focus()

    def action_facts(self) -> None:
        branch_id = self.selected_id()
        if branch_id:
            edit_facts(self, branch_id)

    def action_history(self) -> None:
        branch_id = self.selected_id()
        if branch_id:
            pathspec = self.shuping.service.reports.history_path(branch_id)
            self.app.push_screen(HistoryScreen(pathspec, f"{self.snap.branches[branch_id].record.name} 述职报告"))

    def action_export(self) -> None:
        if self.org_id is None:
            return
        org = self.snap.orgs[self.org_id].record
        default = f"述职报告-{self.snap.year}-{org.name}.docx"
        org_id = org.id
        dialog = export_dialog(self.app, f"导出述职报告：{org.name}（.docx 或 .md）", default)
        if dialog:
            self.app.push_screen(dialog, lambda path: path and self.export_worker(org_id, path))

    @work(thread=True, group="export")
    def export_worker(self, org_id: str, path: str) -> None:
        app = self.shuping
        try:
            exported = app.service.reports.export(org_id, path)
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), title="未导出", severity="error", timeout=12)
            return
        app.call_from_thread(app.notify, f"{exported.count} 篇：{exported.path}", title="已导出述职报告", timeout=10)
