"""F8 报送 (what organisations send up): the organisation department's view of every
organisation's progress, the work-report editor, and the export and submission actions."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static, TextArea

from schema import work_report
from schema.dates import cn_date
from schema.kinds import Grade
from schema.progress import OrgProgress, bar
from schema.stats import OrgStats, total_of
from schema.submission import days_left
from schema.work_report import WorkReportForm
from store.service import StoreError
from tui.dialogs import export_dialog, path_dialog
from tui.keys import Action, register
from tui.screens.base import AppScreen, TextEditorScreen
from tui.screens.history import HistoryScreen
from tui.wide_table import WideTable

TOTAL = "__total__"
GRADE_STYLE = {Grade.GOOD: "green", Grade.FAIRLY_GOOD: "cyan", Grade.AVERAGE: "yellow", Grade.POOR: "red"}
COLUMNS = ("二级党组织", "审定", "会议", "评定", "定稿", "反馈", "约谈", "报送", "逾期", "好/上限", "等次分布")

FILTERS = [
    ("全部", lambda p: True),
    ("未报送", lambda p: p.applicable and p.submitted is None),
    ("有逾期", lambda p: p.overdue > 0),
    ("超配额", lambda p: not p.stats.quota_ok),
    ("未定稿", lambda p: p.applicable and not p.finalised),
]
SORTS = [
    ("顺序", lambda p: p.order),
    ("进度（少→多）", lambda p: (p.phases_done, p.order)),
    ("逾期（多→少）", lambda p: (-p.overdue, p.order)),
    ("好等次占比（高→低）", lambda p: (-(p.stats.good_share or 0), p.order)),
    ("名称", lambda p: p.name),
]


def short_date(d) -> str:
    return f"{d.month}月{d.day}日" if d else "·"


def ratio(part: int, whole: int) -> Text:
    if whole == 0:
        return Text("—", style="dim")
    return Text(f"{part}/{whole}", style="green" if part == whole else "")


def mark(done: bool) -> Text:
    return Text("✓", style="green") if done else Text("·", style="dim")


def grade_strip(stats: OrgStats, width: int = 10) -> Text:
    """The four grades as one stacked bar of ``width`` cells, proportional to the counts."""
    graded = stats.graded
    text = Text()
    if not graded:
        return Text("未评定", style="dim")
    used = 0
    for grade in Grade:
        count = stats.grade_count(grade)
        cells = round((used + count) / graded * width) - round(used / graded * width)
        used += count
        text.append("█" * cells, style=GRADE_STYLE[grade])
    return text


def chart(name: str, stats: OrgStats, width: int) -> Text:
    """Grade distribution of one organisation (or the university) as labelled bars."""
    share = f"{stats.good_share * 100:.1f}%" if stats.good_share is not None else "—"
    out = Text(f"{name} · 应述职 {stats.due}，已评定 {stats.graded} · 好 {stats.good}/上限 {stats.good_cap}（{share}）")
    out.append(" 符合配额" if stats.quota_ok else " 超出配额", style="green" if stats.quota_ok else "bold red")
    largest = max([stats.grade_count(g) for g in Grade] + [1])
    for grade in Grade:
        count = stats.grade_count(grade)
        out.append("\n" + grade.value + " " * (5 - 2 * len(grade.value)))
        out.append(bar(count, largest, width), style=GRADE_STYLE[grade])
        out.append(f" {count}")
    return out


def row_cells(p: OrgProgress) -> tuple:
    s = p.stats
    if not p.applicable:
        dim = Text("—", style="dim")
        return (p.name, dim, dim, dim, dim, dim, dim, dim, dim, dim, Text("无需报送", style="dim"))
    overdue = Text(str(p.overdue), style="bold red") if p.overdue else Text("0", style="dim")
    quota = Text(f"{s.good}/{s.good_cap}", style="green" if s.quota_ok else "bold red")
    submitted = Text(short_date(p.submitted), style="green") if p.submitted else Text("·", style="dim")
    return (
        p.name,
        ratio(s.approved, s.due),
        Text(short_date(p.meeting_held), style="green") if p.meeting_held else Text("·", style="dim"),
        ratio(s.graded, s.due),
        mark(p.finalised),
        ratio(p.feedback_given, s.graded),
        ratio(p.weak_interviewed, p.weak),
        submitted,
        overdue,
        quota,
        grade_strip(s),
    )


class SendUpScreen(AppScreen):
    SCOPE = "报送"
    BINDINGS = register(  # the ids stay "reporting.*": users' keymaps name them
        SCOPE,
        [
            Action("reporting.edit", "e", "edit_report", "工作报告", "编辑所选单位的工作情况报告（按记录起草）"),
            Action("reporting.stats", "x", "export_stats", "导出统计表", "导出统计表（附件2）：所选单位，或在合计行上导出全校汇总"),
            Action("reporting.report", "w", "export_report", "导出报告", "把所选单位的工作情况报告导出为 .docx 或 .md"),
            Action("reporting.attach", "a", "attach_scan", "上传扫描件", "上传所选单位的盖章扫描件（PDF/图片），标记为已报送"),
            Action("reporting.filter", "f", "next_filter", "筛选", "切换筛选：全部 / 未报送 / 有逾期 / 超配额 / 未定稿"),
            Action("reporting.sort", "s", "next_sort", "排序", "切换排序：顺序 / 进度 / 逾期 / 好等次占比 / 名称"),
        ],
    )

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[OrgProgress] = []
        self.loaded = False
        self.filter_index = 0
        self.sort_index = 0

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static("正在读取…", id="summary", classes="subtitle")
        incomplete = Static(id="incomplete", classes="warning", markup=False)
        incomplete.display = False  # shown while records the figures count cannot be read
        yield incomplete
        yield Static(id="view", classes="status")
        yield WideTable(id="orgs", zebra_stripes=True)
        yield Static(id="chart")
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#orgs", DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        self.refresh_data()
        table.focus()

    def refresh_data(self) -> None:
        self.load_progress()

    @work(thread=True, exclusive=True, group="reporting-load")
    def load_progress(self) -> None:
        """Progress reads every saved work report to count its 字: off the UI thread."""
        app = self.shuping
        try:
            rows = app.service.sendup.progress()
        except StoreError as e:
            app.call_from_thread(self.notify, str(e), title="无法读取", severity="error", timeout=12)
            return
        app.call_from_thread(self._show, rows)

    def _show(self, rows: list[OrgProgress]) -> None:
        self.rows = rows
        self.loaded = True
        self.show_summary()
        self.fill_table()
    def show_summary(self) -> None:
        campaign = self.snap.campaign
        due = [p for p in self.rows if p.applicable]
        submitted = sum(1 for p in due if p.submitted)
        overdue = sum(p.overdue for p in due)
        total = total_of([p.stats for p in due])
        share = f"{total.good_share * 100:.1f}%" if total.good_share is not None else "—"
        compliant = sum(1 for p in due if p.stats.quota_ok)
        late = f" · [b red]逾期 {overdue} 项[/]" if overdue else ""
        self.query_one("#summary", Static).update(
            f"截止 {cn_date(campaign.report_deadline)} {days_left(campaign.report_deadline, self.shuping.today())}"
            f" · 已报送 {submitted}/{len(due)}{late} · 好 {total.good}/{total.due}（{share}）"
            f" · 符合配额 {compliant}/{len(due)}"
        )
        warning = self.shuping.service.sendup.incomplete_warning()
        line = self.query_one("#incomplete", Static)
        line.update(warning)
        line.display = bool(warning)

    def visible(self) -> list[OrgProgress]:
        keep = FILTERS[self.filter_index][1]
        return sorted((p for p in self.rows if keep(p)), key=SORTS[self.sort_index][1])

    def fill_table(self) -> None:
        table = self.query_one("#orgs", DataTable)
        selected = self.selected_id()
        table.clear()
        shown = self.visible()
        for p in shown:
            table.add_row(*row_cells(p), key=p.id)
        applicable = [p for p in shown if p.applicable]
        total = total_of([p.stats for p in applicable])
        overdue = sum(p.overdue for p in applicable)
        table.add_row(
            Text("合计", style="bold"), ratio(total.approved, total.due), "", ratio(total.graded, total.due),
            Text(str(sum(p.finalised for p in applicable))), "", "",
            Text(str(sum(1 for p in applicable if p.submitted))), Text(str(overdue), style="bold red" if overdue else "dim"),
            Text(f"{total.good}/{total.good_cap}"), grade_strip(total), key=TOTAL,
        )
        keys = [p.id for p in shown] + [TOTAL]
        if selected in keys:
            table.move_cursor(row=keys.index(selected))
        self.show_view()
        self.call_after_refresh(self.show_view)  # once the table is laid out: does it overflow?
        self.show_chart()

    def show_view(self) -> None:
        filter_name, sort_name = FILTERS[self.filter_index][0], SORTS[self.sort_index][0]
        shown = f"显示 {len(self.visible())}/{len(self.rows)} 个单位"
        more = " · ←→ 查看其余列" if self.query_one("#orgs", WideTable).overflows else ""
        self.query_one("#view", Static).update(f"筛选：{filter_name}（f）· 排序：{sort_name}（s）· {shown}{more}")

    def on_resize(self) -> None:
        if self.rows:
            self.call_after_refresh(self.show_view)

    def selected_id(self) -> str | None:
        table = self.query_one("#orgs", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def selected(self) -> OrgProgress | None:
        key = self.selected_id()
        return next((p for p in self.rows if p.id == key), None)

    def show_chart(self) -> None:
        p = self.selected()
        width = min(50, max(10, self.size.width - 16))
        if p is None:
            stats = total_of([r.stats for r in self.visible() if r.applicable])
            self.query_one("#chart", Static).update(chart("合计", stats, width))
        else:
            text = chart(p.name, p.stats, width)
            if p.applicable:
                text.append("\n报送清单：")
                for item in p.checklist.items:
                    style = "green" if item.done else ("bold red" if item.overdue else "")
                    text.append(f"{'✓' if item.done else '·'} {item.name}  ", style=style)
            self.query_one("#chart", Static).update(text)

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        if self.rows:
            self.show_chart()

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_edit_report()

    def action_next_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.fill_table()

    def action_next_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.fill_table()

    def _org_or_warn(self) -> OrgProgress | None:
        p = self.selected()
        if p is None or not self.loaded:
            self.notify("请先选择一个二级党组织（合计行不适用）。", severity="warning")
            return None
        if not p.applicable:
            self.notify(f"{p.name} 没有纳入述职评议考核的党支部，无需报送。", severity="warning")
            return None
        return p

    def action_edit_report(self) -> None:
        p = self._org_or_warn()
        if p:
            self.app.push_screen(WorkReportScreen(p.id))

    def action_export_stats(self) -> None:
        if not self.loaded:
            return
        p = self.selected()
        org_id = p.id if p else None
        name = p.name if p else "全校汇总"
        default = f"统计表-{self.snap.year}-{name}.xlsx"
        dialog = export_dialog(self.app, f"导出统计表（附件2）：{name}", default)
        if dialog:
            self.app.push_screen(dialog, lambda path: path and self.export_stats_worker(org_id, path))

    @work(thread=True, group="export")
    def export_stats_worker(self, org_id: str | None, path: str) -> None:
        app = self.shuping
        try:
            written = app.service.sendup.export_stats(path, org=org_id)
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), title="未导出", severity="error", timeout=12)
            return
        app.call_from_thread(app.notify, str(written.resolve()), title="已导出统计表")

    def action_export_report(self) -> None:
        p = self._org_or_warn()
        if p:
            export_report_dialog(self, p.id, p.name, None)

    def action_attach_scan(self) -> None:
        p = self._org_or_warn()
        if p:
            self.app.push_screen(path_dialog(f"上传盖章扫描件：{p.name}（PDF 或图片的路径）", ""),
                                 lambda path: path and self.attach_worker(p.id, path))

    @work(thread=True, group="save")
    def attach_worker(self, org_id: str, path: str) -> None:
        app = self.shuping
        try:
            submission = app.service.sendup.submit_scan(org_id, path)
        except StoreError as e:
            app.call_from_thread(self.notify, str(e), title="未上传", severity="error", timeout=12)
            return
        app.take_snapshot()  # the new snapshot redraws the progress
        app.call_from_thread(self.notify, f"{submission.scan.name}（SHA-256 {submission.scan.sha256[:12]}…）",
                             title="已上传并标记为已报送")


def export_report_dialog(screen: AppScreen, org_id: str, name: str, text: str | None) -> None:
    """Ask where to write the work report, then write it (``text``: the editor's, else the saved one)."""
    app = screen.shuping

    def write(path: str) -> None:
        try:
            written = app.service.sendup.export_work_report(org_id, path, text)
        except StoreError as e:
            app.call_from_thread(app.notify, str(e), title="未导出", severity="error", timeout=12)
            return
        app.call_from_thread(app.notify, str(written.resolve()), title="已导出工作情况报告")

    def chosen(path: str | None) -> None:
        if path:
            screen.run_worker(lambda: write(path), thread=True, group="export")

    dialog = export_dialog(app, f"导出工作情况报告：{name}（.docx 或 .md）", f"工作情况报告-{screen.snap.year}-{name}.docx")
    if dialog:
        app.push_screen(dialog, chosen)


class WorkReportScreen(TextEditorScreen):
    SCOPE = "工作情况报告"
    BINDINGS = register(
        SCOPE,
        [
            Action("work_report.save", "ctrl+s", "save", "保存", "保存报告，生成一次提交（超过 3000 字也可保存，但不能导出）"),
            Action("work_report.redraft", "ctrl+t", "redraft", "重新起草", "按最新记录重新起草（会替换正文，需再按一次确认）"),
            Action("work_report.export", "ctrl+o", "export", "导出", "导出为 .docx 或 .md（超过 3000 字时拒绝）"),
            Action("work_report.history", "ctrl+g", "history", "历史", "这份报告的修改历史"),
            Action("work_report.back", "escape", "back", "返回", "返回报送概览（未保存的修改会提示）"),
        ],
    )

    def __init__(self, org_id: str) -> None:
        super().__init__()
        self.org_id = org_id
        self.form = WorkReportForm()

    @property
    def org_name(self) -> str:
        return self.snap.orgs[self.org_id].record.name

    @property
    def area(self) -> TextArea:
        return self.query_one("#text", TextArea)

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="words", classes="status")
        yield TextArea(id="text", soft_wrap=True, tab_behavior="focus", read_only=True)
        yield from self.footer()

    def title_text(self) -> str:
        return f"{self.SCOPE} · {self.org_name}"

    def on_mount(self) -> None:
        self.open_report()

    @work(thread=True, exclusive=True, group="load")
    def open_report(self) -> None:
        app = self.shuping
        try:
            opened = app.service.sendup.work_report(self.org_id)
        except StoreError as e:
            app.call_from_thread(self.notify, str(e), title="无法读取", severity="error", timeout=12)
            return
        app.call_from_thread(self._opened, opened.text, opened.version)

    def _opened(self, text: str, version: str | None) -> None:
        self.form = WorkReportForm.opened(text, version)
        self.area.read_only = False
        self.area.load_text(text)
        self.show_count()
        self.area.focus()

    def show_count(self) -> None:
        self.form.edit(self.area.text)
        line, state, over = self.form.words_line()
        self.query_one("#words", Static).update(Text.assemble((line, "bold red" if over else ""), state))

    def on_text_area_changed(self, _: TextArea.Changed) -> None:
        self.show_count()

    def action_save(self) -> None:
        self.form.edit(self.area.text)
        if self.form.unchanged:
            self.notify("没有修改。")
            return
        self.save_worker(self.area.text, self.form.version)

    @work(thread=True, exclusive=True, group="save")
    def save_worker(self, text: str, base: str | None) -> None:
        app = self.shuping
        try:
            saved = app.service.sendup.save_work_report(self.org_id, text, base)
        except StoreError as e:
            app.call_from_thread(self.notify, str(e), title="未保存", severity="error", timeout=12)
            return
        app.take_snapshot()
        app.call_from_thread(self._saved, text, saved.version)

    def _saved(self, text: str, version: str) -> None:
        self.form.saved_as(text, version)
        self.show_count()
        self.notify(f"工作情况报告：{self.org_name}（{work_report.count(text)} 字）", title="已保存并提交")

    def action_redraft(self) -> None:
        self.form.edit(self.area.text)
        if not self.form.may("redraft"):
            self.notify("重新起草会替换当前正文：再按一次 Ctrl+T 确认。", severity="warning")
            return
        self.redraft_worker()

    @work(thread=True, exclusive=True, group="load")
    def redraft_worker(self) -> None:
        app = self.shuping
        try:
            text = app.service.sendup.draft_work_report(self.org_id)
        except StoreError as e:
            app.call_from_thread(self.notify, str(e), title="无法起草", severity="error", timeout=12)
            return
        app.call_from_thread(self._redrafted, text)

    def _redrafted(self, text: str) -> None:
        self.area.load_text(text)
        self.show_count()

    def action_export(self) -> None:
        export_report_dialog(self, self.org_id, self.org_name, self.area.text)

    def action_history(self) -> None:
        path = self.shuping.service.sendup.work_report_path(self.org_id)
        self.app.push_screen(HistoryScreen(path, f"{self.org_name} 工作情况报告"))

