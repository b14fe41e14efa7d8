"""The campaign at a glance: deadlines and, per organisation, branches in and out of scope."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from schema.dates import cn_date
from tui.keys import Action, register
from tui.screens.base import AppScreen

COLUMNS = ("二级党组织", "类型", "党支部", "纳入", "直属", "新成立", "撤销", "例外")  # 例外: 例外不纳入
NUMERIC = COLUMNS[2:]


def deadline_text(deadline, today) -> str:
    days = (deadline - today).days
    if days > 0:
        return f"报送截止 {cn_date(deadline)}，还有 {days} 天"
    if days == 0:
        return f"今天（{cn_date(deadline)}）报送截止"
    return f"报送截止 {cn_date(deadline)}，已过 {-days} 天"


def missing_interviews(snap) -> list[tuple[str, str, list[str]]]:
    """(branch id, branch name, what is missing) for every 一般/差 without a complete 约谈 record."""
    from schema.followup import interview_missing  # pydantic: imported after the first frame

    out = []
    for branch_id, stored in sorted(snap.reviews.items()):
        missing = interview_missing(stored.record)
        if missing and branch_id in snap.branches:
            out.append((branch_id, snap.branches[branch_id].record.name, missing))
    return out


def dashboard_text(snap, today) -> str:
    """The dashboard's follow-up line: 约谈 still missing and overdue rectification tasks."""
    from schema.rectification import is_overdue

    parts = []
    missing = missing_interviews(snap)
    if missing:
        names = "、".join(name for _, name, _ in missing[:3]) + ("等" if len(missing) > 3 else "")
        parts.append(f"一般/差缺约谈或整改期限 {len(missing)} 个：{names}（F6 → v）")
    overdue = sum(is_overdue(t, today) for s in snap.reviews.values() for t in s.record.tasks)
    if overdue:
        parts.append(f"整改逾期 {overdue} 项（F7）")
    return "\n".join(parts)  # a line each: at 80 columns a joined line broke mid-phrase


class DashboardScreen(AppScreen):
    SCOPE = "概览"
    BINDINGS = register(
        SCOPE,
        [
            Action("dashboard.open", "enter", "open_org", "看支部", "查看所选二级党组织的党支部"),
        ],
    )

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Static(id="deadlines", classes="subtitle")
        yield Static(id="problems", classes="warning")
        yield DataTable(id="orgs", cursor_type="row", zebra_stripes=True)
        yield Static(id="followup", classes="warning")
        yield Static("Enter 查看所选二级党组织的党支部 · F3 全部党支部", classes="status")
        yield from self.footer()

    def on_mount(self) -> None:
        table = self.query_one("#orgs", DataTable)
        for label in COLUMNS:
            table.add_column(Text(label, justify="right") if label in NUMERIC else label, key=label)
        self.refresh_data()

    def on_load_progress(self, _) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        snap = self.shuping.snapshot
        if snap is None:  # still reading the archive
            self.query_one("#deadlines", Static).update(self.shuping.load_progress)
            return
        campaign = snap.campaign
        today = self.shuping.today()
        self.query_one("#deadlines", Static).update(
            f"{deadline_text(campaign.report_deadline, today)} · 完成期限 {cn_date(campaign.completion_deadline)}\n"
            f"通知 {cn_date(campaign.notice_date)} · 今天 {cn_date(today)}"
        )
        broken = len(snap.problems)
        # the figures below miss what could not be read: the same line as F8's, else the count of errors
        warning = self.shuping.service.sendup.incomplete_warning() or (
            f"有 {broken} 处记录错误未能读取，按 F10 查看" if broken else "")
        problems = self.query_one("#problems", Static)
        problems.update(warning)
        problems.display = bool(warning)
        from schema.scope import ScopeCounts  # pydantic: imported after the first frame

        followup_text = dashboard_text(snap, today)
        followup = self.query_one("#followup", Static)
        followup.update(followup_text)
        followup.display = bool(followup_text)
        table = self.query_one("#orgs", DataTable)
        row = table.cursor_row
        table.clear()
        counts = snap.scope_counts()
        total = ScopeCounts()
        for org in snap.sorted_orgs():
            c = counts[org.id]
            table.add_row(*self._cells(org.name, org.kind.value, c), key=org.id)
            total.branches += c.branches
            total.in_scope += c.in_scope
            for reason, n in c.excluded_by.items():
                total.excluded_by[reason] = total.excluded_by.get(reason, 0) + n
        table.add_row(*self._cells("合计", "", total), key="__total__")
        if row is not None and row < table.row_count:
            table.move_cursor(row=row)

    @staticmethod
    def _cells(name: str, kind: str, c) -> tuple:
        from schema.scope import ScopeReason

        numbers = (
            c.branches, c.in_scope, c.excluded_for(ScopeReason.DIRECT_BRANCH), c.excluded_for(ScopeReason.NEW_BRANCH),
            c.excluded_for(ScopeReason.DISSOLVED), c.excluded_for(ScopeReason.EXCEPTION_OUT),
        )
        return (name, kind, *(Text(str(n), justify="right") for n in numbers))

    def action_open_org(self) -> None:
        table = self.query_one("#orgs", DataTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key and key != "__total__":
            from tui.screens.branches import BranchBrowserScreen

            self.shuping.switch_mode("branches")
            # the mode's own screen, under any branch opened from it (which stays open), and
            # perhaps not composed yet: it keeps the filter until it is drawn
            browser = self.shuping.screen_stack[0]
            assert isinstance(browser, BranchBrowserScreen)
            browser.filter_org(key)

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_open_org()
