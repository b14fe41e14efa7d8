"""The branch browser: filter by organisation, kind and scope; search as you type."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets.data_table import RowDoesNotExist

from schema.kinds import BranchKind
from tui.keys import Action, register
from tui.screens.base import AppScreen
from tui.screens.branch import BranchScreen
from tui.screens.history import HistoryScreen

PAGE = 60  # rows put in the table at once (more than a screen holds); more follow as the cursor reaches the end

# column label, the narrowest screen that shows it (branch names already start with the
# organisation's name, so at 80 columns the organisation and the scope detail make way)
COLUMNS = (("id", 0), ("党支部", 0), ("二级党组织", 110), ("类型", 0), ("范围", 0), ("书记", 0), ("说明", 150))


def visible_columns(width: int) -> list[int]:
    return [n for n, (_, min_width) in enumerate(COLUMNS) if width >= min_width]


class Cell:
    """Plain text, measured once: the table measures every cell it is given and renders every cell
    it shows on each keystroke, which for rich Text means splitting and wrapping it each time."""

    __slots__ = ("text", "width")

    def __init__(self, text: str) -> None:
        self.text, self.width = text, cell_len(text)

    def __str__(self) -> str:
        return self.text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Segment(self.text)


@dataclass(frozen=True)
class Row:
    id: str
    org: str
    kind: str
    in_scope: bool
    cells: tuple[Cell, ...]  # one per entry of COLUMNS; never parsed as markup
    haystack: str
    detail: str


class BranchBrowserScreen(AppScreen):
    SCOPE = "党支部"
    BINDINGS = register(
        SCOPE,
        [
            Action("branches.search", "slash", "focus_search", "搜索", "输入名称、书记、编码或 id 的一部分"),
            Action("branches.open", "enter", "open_branch", "打开", "查看和编辑所选党支部"),
            Action("branches.history", "h", "history", "历史", "所选党支部记录的修改历史"),
            Action("branches.more", "pagedown", "more", "更多", "显示更多匹配的党支部", show=False),
            Action("branches.clear", "escape", "clear", "清除", "清除搜索和筛选"),
        ],
    )

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Row] = []
        self._by_id: dict[str, Row] = {}
        self._found: list[Row] = []
        self._columns: list[int] = []
        self._shown: dict[str, str] = {}  # the text of #count and #detail
        self._wanted_org: str | None = None  # asked for by another screen before this one was drawn

    def compose(self) -> ComposeResult:
        yield from self.title_bar()
        yield Input(placeholder="搜索：名称 / 书记 / 编码 / id（按 / 聚焦）", id="search", compact=True)
        with Horizontal(id="filters", classes="form-row"):
            yield Select([], prompt="全部二级党组织", id="org", allow_blank=True, compact=True)
            yield Select([(k.value, k.value) for k in BranchKind], prompt="全部类型", id="kind", compact=True)
            yield Select([("纳入", True), ("不纳入", False)], prompt="全部范围", id="scope", compact=True)
        yield Static(id="count", classes="status")
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail")
        yield from self.footer()

    def on_mount(self) -> None:
        self._columns = visible_columns(self.app.size.width)
        table = self.query_one("#table", DataTable)
        for n in self._columns:
            table.add_column(COLUMNS[n][0], key=COLUMNS[n][0])
        self.refresh_data()
        table.focus()

    def on_resize(self) -> None:
        columns = visible_columns(self.app.size.width)
        if columns != self._columns:
            self._columns = columns
            table = self.query_one("#table", DataTable)
            table.clear(columns=True)
            for n in columns:
                table.add_column(COLUMNS[n][0], key=COLUMNS[n][0])
            self.apply_filter()

    def refresh_data(self) -> None:
        snap = self.snap
        org_select = self.query_one("#org", Select)
        current = self._wanted_org or org_select.value
        self._wanted_org = None
        org_select.set_options([(o.name, o.id) for o in snap.sorted_orgs()])
        if current in snap.orgs:
            org_select.value = current
        rows = []
        order = {o.id: n for n, o in enumerate(snap.sorted_orgs())}
        for branch in sorted((b.record for b in snap.branches.values()), key=lambda b: (order.get(b.org, 0), b.id)):
            org = snap.orgs[branch.org].record
            scope = snap.scope(branch.id)
            cells = tuple(Cell(c) for c in (
                branch.id, branch.name, org.name, branch.kind.value, scope.label, branch.secretary, scope.detail))
            haystack = " ".join((branch.id, branch.name, org.name, branch.secretary, branch.code or "")).lower()
            detail = f"{branch.name}：{scope.detail}"
            rows.append(Row(branch.id, branch.org, branch.kind.value, scope.in_scope, cells, haystack, detail))
        self._rows = rows
        self._by_id = {r.id: r for r in rows}
        self.apply_filter(keep=self.query_one("#table", DataTable).row_count)

    def matches(self) -> list[Row]:
        """Each filter narrows the list in one pass; every part of the search text must occur."""
        rows = self._rows
        for part in self.query_one("#search", Input).value.lower().split():
            rows = [r for r in rows if part in r.haystack]
        for select_id, field in (("#org", "org"), ("#kind", "kind"), ("#scope", "in_scope")):
            value = self.query_one(select_id, Select).value
            if value is not Select.NULL:
                rows = [r for r in rows if getattr(r, field) == value]
        return rows

    def apply_filter(self, keep: int = 0) -> None:
        """Show the first page of matches: a keystroke rebuilds only that much of the table."""
        self._found = self.matches()
        table = self.query_one("#table", DataTable)
        selected = self.selected_id()
        table.clear()
        self.add_rows(max(PAGE, keep))
        if selected:
            try:
                table.move_cursor(row=table.get_row_index(selected))
            except RowDoesNotExist:  # not among the rows shown
                pass
        self.show_detail()

    def add_rows(self, count: int) -> None:
        table = self.query_one("#table", DataTable)
        columns = self._columns
        start = table.row_count
        for r in self._found[start : start + count]:
            table.add_row(*(r.cells[n] for n in columns), key=r.id)
        shown = table.row_count
        more = f"，已列出 {shown} 个（光标到底时列出更多）" if len(self._found) > shown else ""
        self.show("#count", f"共 {len(self._rows)} 个党支部，匹配 {len(self._found)} 个{more}", layout=False)  # one line

    def show(self, static_id: str, text: str, layout: bool = True) -> None:
        """Update a line only when its text changes: each update lays the screen out again, and
        the table's cursor events repeat what a keystroke has already shown."""
        if self._shown.get(static_id) != text:
            self._shown[static_id] = text
            self.query_one(static_id, Static).update(text, layout=layout)

    def selected_id(self) -> str | None:
        table = self.query_one("#table", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def show_detail(self) -> None:
        row = self._by_id.get(self.selected_id() or "")
        self.show("#detail", row.detail if row else "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()
        if event.cursor_row >= event.data_table.row_count - 1 and len(self._found) > event.data_table.row_count:
            self.add_rows(PAGE)

    def filter_org(self, org_id: str) -> None:
        """Show one organisation's branches. Another screen asks this right after switching to
        this mode, which may be before this screen is composed: the wish is kept, and drawn by
        on_mount (or on resume, if it came while mounting)."""
        self._wanted_org = org_id
        if self.is_mounted:
            self._apply_wanted_org()

    def _apply_wanted_org(self) -> None:
        org_id, self._wanted_org = self._wanted_org, None
        if org_id in self.snap.orgs:
            self.query_one("#org", Select).value = org_id

    def on_screen_resume(self) -> None:
        if self._wanted_org is not None:
            self._apply_wanted_org()

    def on_input_changed(self, _: Input.Changed) -> None:
        self.apply_filter()

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.query_one("#table", DataTable).focus()

    def on_select_changed(self, _: Select.Changed) -> None:
        self.apply_filter()

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_open_branch()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear(self) -> None:
        self.query_one("#search", Input).value = ""
        for select_id in ("#org", "#kind", "#scope"):
            self.query_one(select_id, Select).clear()
        self.query_one("#table", DataTable).focus()

    def action_more(self) -> None:
        self.add_rows(PAGE)

    def action_open_branch(self) -> None:
        branch_id = self.selected_id()
        if branch_id:
            self.app.push_screen(BranchScreen(branch_id))

    def action_history(self) -> None:
        branch_id = self.selected_id()
        if branch_id:
            stored = self.snap.branches[branch_id]
            self.app.push_screen(HistoryScreen(stored.path, stored.record.name))
